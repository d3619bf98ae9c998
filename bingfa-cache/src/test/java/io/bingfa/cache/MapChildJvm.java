package io.bingfa.cache;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM running {@link MapChild}, with its stdout lines queued for the test. */
final class MapChildJvm implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = java.util.Collections.synchronizedList(new ArrayList<>());

    private MapChildJvm(final Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().start(this::pump);
    }

    static MapChildJvm start(final String... args) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx64m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");

        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=error");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MapChild.class.getName());
        cmd.addAll(List.of(args));
        try {
            return new MapChildJvm(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                transcript.add(line);
                lines.add(line);
            }
        } catch (IOException e) {
            // killed: the pipe closed
        }
    }

    String awaitLine(final String prefix, final Duration limit) throws InterruptedException {
        final long deadline = System.nanoTime() + limit.toNanos();
        for (;;) {
            final String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("child " + process.pid() + " printed no line starting with '" + prefix
                        + "' within " + limit + "; transcript: " + transcript);
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    int awaitExit(final Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError("child " + process.pid() + " did not exit within " + limit + "; transcript: " + transcript);
        }
        return process.exitValue();
    }

    /** SIGKILL (kill -9), then reap. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    List<String> transcript() {
        return List.copyOf(transcript);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
