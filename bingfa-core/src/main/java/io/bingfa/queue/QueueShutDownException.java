package io.bingfa.queue;

import java.io.Serial;

/**
 * The {@link WorkQueue} was {@linkplain WorkQueue#shutdown(boolean) shut down}: Python 3.13's
 * {@code queue.ShutDown}. Every put after shutdown throws it; a get throws it once the queue is shut down
 * and empty (at once after an immediate shutdown, which discards the items). Producers and consumers
 * blocked at the time of the shutdown wake up and throw it too, so a consumer loop ends with
 * <pre>{@code
 * try {
 *     for (;;) handle(queue.get());
 * } catch (QueueShutDownException done) {
 *     // the producer called queue.shutdown(false) and every item was handled
 * }
 * }</pre>
 */
public final class QueueShutDownException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public QueueShutDownException(final String message) {
        super(message);
    }
}
