package io.bingfa.shm;

import java.io.Serial;

/**
 * A {@link ShmBarrier} is broken: another party timed out, was interrupted or called {@code abort()}, or
 * {@code reset()} was called while this party waited (Python's {@code threading.BrokenBarrierError}).
 * Unchecked, unlike {@link java.util.concurrent.BrokenBarrierException}, so barrier waits fit in lambdas.
 */
public final class BarrierBrokenException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public BarrierBrokenException(final String message) {
        super(message);
    }
}
