package io.bingfa.shm;

import java.io.Serial;

/**
 * The other end of a {@link Pipe} is closed or its process died: a receive found nothing left to read
 * (Python's {@code EOFError}), or a send has nobody to read it (Python's {@code BrokenPipeError}).
 */
public final class PipeClosedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public PipeClosedException(final String message) {
        super(message);
    }
}
