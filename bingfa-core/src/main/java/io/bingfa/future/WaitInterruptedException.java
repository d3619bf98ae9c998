package io.bingfa.future;

import java.io.Serial;

/**
 * The thread that was waiting (for a result, a queue, a channel) was interrupted. Unchecked so that
 * Bingfa's blocking calls fit in lambdas; the thread's interrupt status is set again before this is
 * thrown, so code further up that checks {@link Thread#isInterrupted()} still sees it. The cause is the
 * original {@link InterruptedException}.
 */
public final class WaitInterruptedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public WaitInterruptedException(final InterruptedException cause) {
        super("interrupted while waiting", cause);
        Thread.currentThread().interrupt();
    }
}
