package io.bingfa.cli.bench.echo;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One echo server of the bench, Bingfa's or Python's, running as a child process of the bench JVM so that
 * its RSS is its own: started with a command line whose first output line says
 * {@code ... listening on 127.0.0.1:PORT ...} ({@code bingfa echo} and {@code echo_servers.py} both do).
 * Standard output keeps being drained; standard error goes to a file whose tail explains a failure.
 * Closing sends SIGTERM, then SIGKILL after 5 s.
 */
final class ServerUnderTest implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on ([0-9.]+):(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final String name;
    private final Process process;
    private final InetSocketAddress address;
    private final Path stderr;

    private ServerUnderTest(final String name, final Process process, final InetSocketAddress address, final Path stderr) {
        this.name = name;
        this.process = process;
        this.address = address;
        this.stderr = stderr;
    }

    /** Starts {@code command} and waits (at most 60 s) for its "listening on" line. */
    static ServerUnderTest start(final String name, final List<String> command) {
        final Path err;
        final Process p;
        try {
            err = Files.createTempFile("bingfa-echo-server", ".err");
            p = new ProcessBuilder(command).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
        final CompletableFuture<InetSocketAddress> listening = new CompletableFuture<>();
        Thread.ofVirtual().name("bingfa-echo-server-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    final Matcher m = LISTENING.matcher(line);
                    if (!listening.isDone() && m.find()) {
                        listening.complete(new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))));
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
            listening.completeExceptionally(new IllegalStateException("exited without listening"));
        });
        try {
            final InetSocketAddress a = listening.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new ServerUnderTest(name, p, a, err);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not start: " + e.getMessage() + "; stderr: " + tail(err), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
        }
    }

    String name() {
        return name;
    }

    InetSocketAddress address() {
        return address;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The server process's resident set (VmRSS) in KiB, or -1 where there is no {@code /proc}. */
    long rssKib() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip());
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * CPU time the server process has used (user + system, all its threads), in nanoseconds, or -1 where
     * there is no {@code /proc}. Read from {@code /proc/PID/stat} in clock ticks of 1/100 s (USER_HZ, which
     * Linux fixes at 100 on every common architecture).
     */
    long cpuNanos() {
        try {
            final String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK; // fields 14 and 15: utime, stime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The last lines the server wrote to its standard error. */
    String stderrTail() {
        return tail(stderr);
    }

    private static String tail(final Path file) {
        try {
            final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "(empty)" : String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException e) {
            // a temporary file left behind
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", " + address + ")";
    }
}
