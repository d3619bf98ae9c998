package io.bingfa.future;

import java.io.Serial;

/**
 * Thrown by {@link TaskFuture#result()} and friends when the task itself threw: {@link #getCause()} is
 * what the task threw, unchanged. Always a wrapper, whether the task's exception was checked or not, in
 * the manner of {@link java.util.concurrent.CompletionException}: callers catch one type and inspect the
 * cause. Python's {@code future.result()} re-raises the task's exception instead; Java cannot re-throw a
 * checked exception from a method that does not declare it.
 */
public final class TaskFailedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public TaskFailedException(final Throwable cause) {
        super(describe(cause), cause);
    }

    public TaskFailedException(final String message, final Throwable cause) {
        super(message, cause);
    }

    private static String describe(final Throwable cause) {
        return cause == null ? "task failed" : "task failed: " + cause;
    }
}
