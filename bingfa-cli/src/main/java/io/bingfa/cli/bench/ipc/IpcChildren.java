package io.bingfa.cli.bench.ipc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The child JVMs of one {@code ipc} experiment: started together, each runs {@link IpcChild} with a role,
 * prints {@code READY} when it has attached and warmed up, waits for the shared "go" event, and prints one
 * JSON line with its result. (The {@code coro} suite's child runner runs one child to completion; these
 * run side by side and need native access for the futex calls.)
 */
final class IpcChildren implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Child> children = new ArrayList<>();
    private final int warmUp;

    /** Children that warm up with {@code warmUp} messages or lock passes before they report ready. */
    IpcChildren(final int warmUp) {
        this.warmUp = warmUp;
    }

    /** A started child: its process and the future of its stdout lines. */
    private record Child(Process process, List<String> command, CompletableFuture<List<String>> lines,
                         CompletableFuture<Void> ready) {
    }

    /** Starts {@code IpcChild role args...} in a JVM like this one. */
    void start(final String role, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-Xmx256m");
        command.add("-D" + IpcChild.WARM_UP_PROPERTY + "=" + warmUp);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(IpcChild.class.getName());
        command.add(role);
        command.addAll(List.of(args));
        try {
            final Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            final CompletableFuture<Void> ready = new CompletableFuture<>();
            final CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> read(p, ready),
                    r -> Thread.ofPlatform().daemon().start(r));
            children.add(new Child(p, command, lines, ready));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start child JVM " + command, e);
        }
    }

    private static List<String> read(final Process p, final CompletableFuture<Void> ready) {
        final List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("READY")) {
                    ready.complete(null);
                } else if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the process ended: its lines so far
        }
        ready.completeExceptionally(new IllegalStateException("child exited before READY: " + lines));
        return lines;
    }

    /** Waits until every child printed READY. */
    void awaitReady(final Duration timeout) {
        for (final Child c : children) {
            try {
                c.ready().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("child JVM " + c.command() + " not ready: " + e.getMessage(), e);
            }
        }
    }

    /** Waits for every child to exit and returns their last JSON lines, in start order. */
    List<JsonNode> results(final Duration timeout) {
        final List<JsonNode> out = new ArrayList<>();
        for (final Child c : children) {
            try {
                if (!c.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("child JVM " + c.command() + " timed out after " + timeout);
                }
                final List<String> lines = c.lines().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (c.process().exitValue() != 0 || lines.isEmpty()) {
                    throw new IllegalStateException("child JVM " + c.command() + " failed (exit "
                            + c.process().exitValue() + "): " + lines);
                }
                out.add(JSON.readTree(lines.getLast()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for child JVMs", e);
            } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("child JVM " + c.command() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Kills what is still running. */
    @Override
    public void close() {
        for (final Child c : children) {
            if (c.process().isAlive()) {
                c.process().destroyForcibly();
            }
        }
    }
}
