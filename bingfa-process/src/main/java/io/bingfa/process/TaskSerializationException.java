package io.bingfa.process;

import java.io.Serial;

/**
 * A task, its result or its initializer could not be serialized (or deserialized on the other side). Only
 * the future concerned fails with it; the worker lives on. The message names the class at fault.
 */
public final class TaskSerializationException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public TaskSerializationException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
