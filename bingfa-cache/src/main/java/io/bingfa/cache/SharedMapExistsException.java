package io.bingfa.cache;

import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/** {@link SharedMap#create} found a file at its path already: open it, or delete it first. */
public final class SharedMapExistsException extends UncheckedIOException {

    private static final long serialVersionUID = 1L;

    public SharedMapExistsException(final Path file, final FileAlreadyExistsException cause) {
        super("shared map " + file + " already exists; open it, or delete it first", cause);
    }
}
