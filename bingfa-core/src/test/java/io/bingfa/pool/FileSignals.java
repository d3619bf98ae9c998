package io.bingfa.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Signals between a test and its tasks through marker files, so that the same contract runs whether a
 * task executes in this JVM or in a worker process: tasks capture only the directory's name (a String)
 * and call these static methods.
 */
public final class FileSignals {

    private FileSignals() {}

    /** Creates the marker {@code name} in {@code dir}. */
    public static void raise(final String dir, final String name) {
        try {
            Files.createFile(Path.of(dir, name));
        } catch (FileAlreadyExistsException e) {
            // raised twice: same meaning
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean isRaised(final String dir, final String name) {
        return Files.exists(Path.of(dir, name));
    }

    /** Waits (polling) until the marker exists; fails the test after {@code limit}. */
    public static void awaitRaised(final String dir, final String name, final Duration limit) {
        awaitTrue(() -> isRaised(dir, name), limit, "marker " + name + " in " + dir);
    }

    /** Polls {@code condition} until it holds; throws AssertionError after {@code limit}. */
    public static void awaitTrue(final BooleanSupplier condition, final Duration limit, final String what) {
        final long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what + " after " + limit);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Sleeps until the marker exists (a task's way of blocking until the test lets it go). */
    public static void sleepUntilRaised(final String dir, final String name) throws InterruptedException {
        while (!isRaised(dir, name)) {
            Thread.sleep(5);
        }
    }
}
