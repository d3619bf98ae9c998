package io.bingfa.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** What the reload tests share: control-file paths that clean up after themselves, and generation-tagged rows. */
final class ReloadFixtures implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final java.util.List<Path> paths = new java.util.ArrayList<>();

    /** A fresh control-file path under /dev/shm; close() deletes it and its generation files. */
    Path next(final String name) {
        final Path p = SharedMap.defaultDirectory().resolve("bingfa-reload-" + name + "-" + ProcessHandle.current().pid()
                + "-" + COUNTER.incrementAndGet());
        paths.add(p);
        return p;
    }

    static SharedMapOptions small() {
        return SharedMapOptions.builder().expectedEntries(1_000).averageKeySize(8).averageValueSize(24).build();
    }

    static byte[] key(final int i) {
        return ("k" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** The value of row {@code i} in generation-tag {@code tag}: {@code "<tag>:<i>"}. */
    static byte[] value(final long tag, final int i) {
        return (tag + ":" + i).getBytes(StandardCharsets.UTF_8);
    }

    /** The tag a value carries. */
    static long tagOf(final byte[] value) {
        final String s = new String(value, StandardCharsets.UTF_8);
        return Long.parseLong(s.substring(0, s.indexOf(':')));
    }

    /** A source of {@code rows} rows all tagged with the number of the generation it builds. */
    static Source tagged(final ReloadableMap map, final int rows) {
        return sink -> {
            final long tag = Math.max(map.control().current(), map.control().building());
            for (int i = 0; i < rows; i++) {
                sink.put(key(i), value(tag, i));
            }
        };
    }

    /** Lines of this process's /proc/self/maps that map {@code file} (also once it is deleted). */
    static List<String> mappingsOf(final Path file) {
        try {
            final String name = file.toString();
            return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .filter(l -> l.endsWith(" " + name) || l.endsWith(" " + name + " (deleted)")).toList();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (final Path p : paths) {
            ReloadableMap.delete(p);
        }
    }
}
