package io.bingfa.process;

import java.io.Serial;

/**
 * The task ran longer than the pool's {@code taskTimeout}: the worker running it was killed (a thread cannot
 * be stopped safely; a process can) and a replacement started.
 */
public final class TaskTimeoutException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public TaskTimeoutException(final String message) {
        super(message);
    }
}
