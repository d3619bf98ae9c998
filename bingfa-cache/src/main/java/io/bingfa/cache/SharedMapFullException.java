package io.bingfa.cache;

import java.nio.file.Path;

/**
 * The map needed to grow its file and the file system had no room (or the map reached its region limit).
 * The operation that needed the space did nothing; the map stays usable (removes and overwrites that fit
 * keep working, and a later put succeeds once space is freed).
 */
public final class SharedMapFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long bytesRequested;

    public SharedMapFullException(final Path file, final long bytesRequested, final String reason, final Throwable cause) {
        super("shared map " + file + " cannot grow by " + bytesRequested + " bytes: " + reason, cause);
        this.file = file;
        this.bytesRequested = bytesRequested;
    }

    /** The map's file. */
    public Path file() {
        return file;
    }

    /** How many bytes the growth asked for. */
    public long bytesRequested() {
        return bytesRequested;
    }
}
