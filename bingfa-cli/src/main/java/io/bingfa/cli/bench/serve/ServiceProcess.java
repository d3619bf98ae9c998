package io.bingfa.cli.bench.serve;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * A service under test run as a child process: `bingfa serve ...` (a child JVM that starts its own worker
 * JVMs) or the Python anchor (a Tornado parent that forks its workers). Both print the contract's ready line
 *
 *     serving on http://127.0.0.1:PORT (N workers)
 *
 * once every worker accepts; start() returns then, with the port taken from that line.
 *
 * Output: standard error is merged into standard output, and one platform daemon thread drains it (a child
 * blocked on a full pipe would stall the benchmark), keeps the last 40 lines for error messages, and completes
 * the ready future when the line appears. States: STARTING -> SERVING (ready line seen) -> STOPPED (close);
 * STARTING -> failed (exit, or no ready line within the time-out) makes start() throw and kills the tree.
 *
 * Stopping: close() snapshots the process tree first (a parent that exits reparents its children, after which
 * they are no longer its descendants), sends SIGTERM to the parent and every descendant, waits up to 10 s for
 * each, then SIGKILLs what is left. Both services also stop their workers themselves when the parent goes
 * (Bingfa's worker protocol; the anchor's getppid check), so a bench killed with -9 leaves no workers behind
 * for long.
 */
/** A service under test running as a child process tree, ready once it printed its "serving on" line. */
final class ServiceProcess implements AutoCloseable {

    private static final Pattern READY = Pattern.compile("serving on (http://127\\.0\\.0\\.1:(\\d+))/? \\((\\d+) workers?\\)");
    private static final int TAIL_LINES = 40;

    private final String name;
    private final Process process;
    private final URI base;
    private final int workers;
    private final ArrayDeque<String> tail;

    private ServiceProcess(final String name, final Process process, final URI base, final int workers,
            final ArrayDeque<String> tail) {
        this.name = name;
        this.process = process;
        this.base = base;
        this.workers = workers;
        this.tail = tail;
    }

    /** Starts {@code command} and waits up to {@code timeout} for its ready line; IOException with its output if not. */
    static ServiceProcess start(final String name, final List<String> command, final Duration timeout)
            throws IOException, InterruptedException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeout, "timeout");
        final Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        final ArrayDeque<String> tail = new ArrayDeque<>();
        final CompletableFuture<Matcher> ready = new CompletableFuture<>();
        final Thread drain = new Thread(() -> drain(p, tail, ready), "bingfa-bench-" + name + "-output");
        drain.setDaemon(true);
        drain.start();
        try {
            final Matcher m = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new ServiceProcess(name, p, URI.create(m.group(1)), Integer.parseInt(m.group(3)), tail);
        } catch (final ExecutionException e) {
            stopTree(p);
            drain.join(1_000);
            throw new IOException(name + " exited with code " + p.exitValue() + " before it was serving: "
                    + cause(tail) + "\n" + text(tail), e.getCause());
        } catch (final TimeoutException e) {
            stopTree(p);
            drain.join(1_000);
            throw new IOException(name + " printed no 'serving on' line within " + timeout.toSeconds() + " s: "
                    + cause(tail) + "\n" + text(tail), e);
        } catch (final InterruptedException e) {
            stopTree(p);
            throw e;
        }
    }

    private static void drain(final Process p, final ArrayDeque<String> tail, final CompletableFuture<Matcher> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                final Matcher m = READY.matcher(line);
                if (!ready.isDone() && m.find()) {
                    ready.complete(m);
                }
            }
        } catch (final IOException e) {
            // The stream closes when the process is killed: nothing more to read.
        }
        ready.completeExceptionally(new IOException("the output ended"));
    }

    /** The service's base URL, {@code http://127.0.0.1:PORT}. */
    URI base() {
        return base;
    }

    /** How many workers the ready line announced. */
    int workers() {
        return workers;
    }

    /** The last lines of the service's output. */
    String outputTail() {
        return text(tail);
    }

    /** True while the service's parent process runs. */
    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        stopTree(process);
    }

    @Override
    public String toString() {
        return name + "[" + base + ", " + workers + " workers, pid " + process.pid() + "]";
    }

    /** The line that most likely says what went wrong: the last one naming an exception or error, else the last. */
    private static String cause(final ArrayDeque<String> tail) {
        synchronized (tail) {
            String last = "(no output)";
            String error = null;
            for (final String line : tail) {
                if (!line.isBlank() && !line.strip().startsWith("at ")) {
                    last = line.strip();
                    final String lower = last.toLowerCase(java.util.Locale.ROOT);
                    if (lower.contains("exception") || lower.contains("error")) {
                        error = last;
                    }
                }
            }
            return error != null ? error : last;
        }
    }

    private static String text(final ArrayDeque<String> tail) {
        synchronized (tail) {
            return tail.isEmpty() ? "(no output)" : String.join("\n", tail);
        }
    }

    private static void stopTree(final Process p) {
        final List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.addFirst(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (final ProcessHandle h : tree) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (final TimeoutException | ExecutionException e) {
                h.destroyForcibly();
            } catch (final InterruptedException e) {
                tree.forEach(ProcessHandle::destroyForcibly);
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            p.getInputStream().close();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot close the output of pid " + p.pid(), e);
        }
    }
}
