package io.bingfa.process;

import java.io.Serial;

/**
 * The pool cannot start working JVMs: the initializer threw, or workers die before they are ready (a bad
 * JVM option, a missing class path entry). Queued tasks fail with it and later submissions are rejected
 * with it as the cause (Python's {@code BrokenProcessPool}, minus the hang).
 */
public final class BrokenPoolException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public BrokenPoolException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
