package io.bingfa.cache;

/**
 * A file that {@link SharedMap#open} was asked to map is not a SharedMap of this layout version: another
 * kind of file, a truncated or corrupted one, or one written by an incompatible version. The message names
 * the file and what was wrong with it.
 */
public final class SharedMapFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SharedMapFormatException(final String message) {
        super(message);
    }
}
