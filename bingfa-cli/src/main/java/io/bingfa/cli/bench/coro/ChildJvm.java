package io.bingfa.cli.bench.coro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a child JVM made like this one: the same {@code java} binary
 * ({@code ProcessHandle.current().info().command()}), the same class path, default heap and stack
 * settings. The child prints one JSON line last; that line is the result.
 */
final class ChildJvm {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChildJvm() {}

    /** The {@code java} launcher running this JVM. */
    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Runs {@code mainClass} with {@code args}; its last output line as JSON, or an exception saying why not. */
    static JsonNode run(final Class<?> mainClass, final Duration timeout, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        try {
            final Path out = Files.createTempFile("bingfa-child", ".out");
            final Path err = Files.createTempFile("bingfa-child", ".err");
            try {
                final Process p = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor();
                    throw new IllegalStateException("child JVM " + command + " timed out after " + timeout);
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("child JVM " + command + " failed with exit code " + p.exitValue()
                            + ": " + Files.readString(err, StandardCharsets.UTF_8).strip());
                }
                final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.isBlank()).toList();
                if (lines.isEmpty()) {
                    throw new IllegalStateException("child JVM " + command + " printed nothing");
                }
                return JSON.readTree(lines.getLast());
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run child JVM " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for child JVM " + command, e);
        }
    }
}
