package io.bingfa.future;

import java.io.Serial;

/**
 * A wait with a time limit ran out (Python's {@code TimeoutError}). Unchecked, so that
 * {@code result(timeout)} can be used in lambdas; {@link java.util.concurrent.Future#get(long,
 * java.util.concurrent.TimeUnit)} keeps the JDK's checked {@link java.util.concurrent.TimeoutException}.
 * The thing waited for is left as it was: a timed-out {@code result(timeout)} does not cancel the task.
 */
public final class WaitTimeoutException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public WaitTimeoutException(final String message) {
        super(message);
    }
}
