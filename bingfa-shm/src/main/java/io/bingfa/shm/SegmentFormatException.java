package io.bingfa.shm;

import java.io.Serial;

/**
 * A file that was to be opened as Bingfa shared memory is not one Bingfa can use: too short, foreign
 * (another magic), written by another layout version, of another kind (a queue opened as a pipe),
 * truncated, or never finished by its creator. The message names the file and what was found. Unchecked:
 * it is a configuration or operations error, not something to retry.
 */
public final class SegmentFormatException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public SegmentFormatException(final String message) {
        super(message);
    }
}
