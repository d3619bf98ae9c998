package io.bingfa.shm;

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

/**
 * A real child JVM running {@link ShmChild} with this test's class path: the way the multi-process tests
 * get other processes to share memory with. Its stdout lines can be awaited; it can be killed with
 * SIGKILL ({@link #kill()}), which is what the robustness tests are about.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = java.util.Collections.synchronizedList(new ArrayList<>());

    private ChildJvm(final Process process) {
        this.process = process;
        final Thread reader = Thread.ofPlatform().daemon().name("child-" + process.pid()).start(this::pump);
        reader.setUncaughtExceptionHandler((t, e) -> { });
    }

    /** Starts {@code ShmChild command args...}, with extra JVM options first. */
    static ChildJvm start(final List<String> jvmOptions, final String command, final String... args) {
        try {
            return new ChildJvm(new ProcessBuilder(javaCommand(jvmOptions, command, args)).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code ShmChild command args...} as the child of a shell that then becomes {@code sleep}: the
     * JVM's parent never waits for it, so once killed it stays a zombie (the pid exists, in state Z) until
     * this object is closed. The first line it prints is {@code CHILD <pid>}.
     */
    static ChildJvm startUnreaped(final String command, final String... args) {
        final StringBuilder java = new StringBuilder();
        for (final String word : javaCommand(List.of(), command, args)) {
            java.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        final String script = java + "& echo CHILD $!; exec sleep 300";
        try {
            return new ChildJvm(new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> javaCommand(final List<String> jvmOptions, final String command, final String... args) {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx96m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xss512k");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ShmChild.class.getName());
        cmd.add(command);
        cmd.addAll(List.of(args));
        return cmd;
    }

    static ChildJvm start(final String command, final String... args) {
        return start(List.of(), command, args);
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                transcript.add(line);
                lines.add(line);
            }
        } catch (IOException e) {
            // the child was killed: its pipe closes
        }
    }

    /** Waits for a stdout line that starts with {@code prefix} and returns it; fails after {@code limit}. */
    String awaitLine(final String prefix, final Duration limit) {
        final long deadline = System.nanoTime() + limit.toNanos();
        try {
            for (;;) {
                final long left = deadline - System.nanoTime();
                final String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("child " + process.pid() + " printed no line starting with '" + prefix
                            + "' within " + limit + "; transcript: " + transcript());
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for the child to exit and returns its exit code; fails (killing it) after {@code limit}. */
    int awaitExit(final Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError("child " + process.pid() + " did not exit within " + limit
                        + "; transcript: " + transcript());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** SIGKILL, then reaps it (so that it is not a zombie with a live pid). */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long pid() {
        return process.pid();
    }

    String transcript() {
        synchronized (transcript) {
            return String.join(" | ", transcript);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
