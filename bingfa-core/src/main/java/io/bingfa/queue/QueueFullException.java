package io.bingfa.queue;

import java.io.Serial;

/**
 * A bounded {@link WorkQueue} stayed full for the whole timeout of {@link WorkQueue#put(Object,
 * java.time.Duration)}: Python's {@code queue.Full}. The item was not added. Unchecked, so that queue
 * calls fit in lambdas; {@link WorkQueue#tryPut(Object)} reports a full queue by returning {@code false}
 * instead.
 */
public final class QueueFullException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public QueueFullException(final String message) {
        super(message);
    }
}
