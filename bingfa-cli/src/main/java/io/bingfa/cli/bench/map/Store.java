package io.bingfa.cli.bench.map;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One key-value store under test, seen the same way by every experiment of the map suite: keys are the
 * numbers 0..n-1 as 8 bytes, values {@code valueSize} bytes. Each implementation uses its store's
 * no-allocation read path where it has one (a caller-owned buffer), so that the numbers compare stores, not
 * garbage collection.
 */
interface Store extends AutoCloseable {

    /** Stores value for key {@code i}. */
    void put(long i, byte[] value);

    /** Reads key {@code i}; returns the value's length (-1 when absent), touching its bytes. */
    int get(long i);

    /** Ends a batch of puts (a transaction commit or a pipeline flush); a no-op for most stores. */
    default void flush() {}

    /** Bytes of RAM the store's files take (allocated blocks), or -1 for a store without files. */
    long fileBytes() throws IOException;

    @Override
    void close();

    /** Allocated bytes of {@code file} (tmpfs allocates what was touched; the length may be larger). */
    static long allocatedBytes(final Path file) throws IOException {
        final Process p = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes()).strip();
        try {
            p.waitFor();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        final String[] f = out.split(" ");
        if (f.length != 2) {
            throw new IOException("stat " + file + ": " + out);
        }
        return Long.parseLong(f[0]) * Long.parseLong(f[1]);
    }
}
