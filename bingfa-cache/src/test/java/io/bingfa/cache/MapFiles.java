package io.bingfa.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique map file paths under the default directory (/dev/shm), deleted by {@link #close()}. */
final class MapFiles implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final java.util.List<Path> paths = new java.util.ArrayList<>();

    Path next(final String name) {
        final Path p = SharedMap.defaultDirectory().resolve("bingfa-test-" + name + "-" + ProcessHandle.current().pid()
                + "-" + COUNTER.incrementAndGet() + ".map");
        paths.add(p);
        return p;
    }

    @Override
    public void close() {
        for (final Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
