package io.bingfa.queue;

import java.io.Serial;

/**
 * A {@link WorkQueue} stayed empty for the whole timeout of {@link WorkQueue#get(java.time.Duration)}:
 * Python's {@code queue.Empty}. Unchecked, so that queue calls fit in lambdas;
 * {@link WorkQueue#tryGet()} reports an empty queue with {@link java.util.Optional#empty()} instead.
 */
public final class QueueEmptyException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public QueueEmptyException(final String message) {
        super(message);
    }
}
