package io.bingfa.cli.bench.serve;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The wrk load generator (Debian's package: {@code /usr/bin/wrk}, or {@code $BINGFA_WRK}, or {@code wrk} on the
 * PATH) run against a base URL with one of this package's Lua scripts ({@code settings.lua}, {@code pairs.lua},
 * copied out of the jar into {@code scripts}). Always with {@code --latency} so that {@link WrkResult#parse}
 * finds the percentiles. A non-zero exit, a time-out or unparsable output is an IOException carrying wrk's
 * own words.
 */
final class Wrk {

    /** Environment variable naming the wrk binary to use. */
    static final String ENV = "BINGFA_WRK";

    private final Path binary;
    private final Path scripts;

    private Wrk(final Path binary, final Path scripts) {
        this.binary = binary;
        this.scripts = scripts;
    }

    /** The wrk binary, if installed. */
    static Optional<Path> binary() {
        final String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Files.isExecutable(Path.of(env)) ? Optional.of(Path.of(env)) : Optional.empty();
        }
        final List<Path> candidates = new ArrayList<>(List.of(Path.of("/usr/bin/wrk")));
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "wrk"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** A wrk with its Lua scripts copied into {@code dir}; IllegalStateException when wrk is not installed. */
    static Wrk in(final Path dir) {
        Objects.requireNonNull(dir, "dir");
        final Path wrk = binary().orElseThrow(() -> new IllegalStateException(
                "wrk is not installed (Debian: apt-get install wrk; or set $" + ENV + ")"));
        for (final String script : List.of("settings.lua", "pairs.lua")) {
            try (InputStream in = Wrk.class.getResourceAsStream(script)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + script + " is missing from the jar");
                }
                Files.copy(in, dir.resolve(script), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot copy " + script + " into " + dir, e);
            }
        }
        return new Wrk(wrk, dir);
    }

    /**
     * Runs {@code wrk -t THREADS -c CONNECTIONS -d SECONDS --latency -s SCRIPT BASE -- ARGS} and parses its output.
     *
     * @param script {@code settings.lua} or {@code pairs.lua}
     */
    WrkResult run(final URI base, final String script, final int threads, final int connections,
            final Duration duration, final String... scriptArgs) throws IOException, InterruptedException {
        Objects.requireNonNull(base, "base");
        if (threads < 1 || connections < threads) {
            throw new IllegalArgumentException("connections must be at least threads (at least 1), were "
                    + connections + " and " + threads);
        }
        final long millis = duration.toMillis();
        if (millis < 1000 || millis % 1000 != 0) {
            throw new IllegalArgumentException("duration must be whole seconds, at least 1, was " + duration);
        }
        final List<String> command = new ArrayList<>(List.of(binary.toString(), "-t", Integer.toString(threads),
                "-c", Integer.toString(connections), "-d", (millis / 1000) + "s", "--timeout", "5s", "--latency",
                "-s", scripts.resolve(script).toString(), base.toString(), "--"));
        command.addAll(List.of(scriptArgs));
        final Path out = Files.createTempFile(scripts, "wrk", ".out");
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(millis + 60_000, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("wrk did not finish within " + (millis / 1000 + 60) + " s: " + command);
            }
            final String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("wrk failed with exit code " + p.exitValue() + ": " + text.strip());
            }
            try {
                return WrkResult.parse(text);
            } catch (final IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
