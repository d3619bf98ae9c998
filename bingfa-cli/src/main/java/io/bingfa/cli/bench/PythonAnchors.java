package io.bingfa.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds a Python 3 for the bench's anchors and runs the anchor scripts (resources under {@code anchors/})
 * as child processes.
 *
 * <h2>Which interpreter</h2>
 * With an explicit interpreter ({@code --python}, or the system property {@value #PROPERTY}) only that one
 * is tried. Otherwise {@code /usr/bin/python3} first (where Debian's {@code python3-gevent} lands), then
 * the first {@code python3} on {@code PATH}. For each module an anchor needs, the first candidate that can
 * {@code import} it wins; the answer is cached for the life of this object.
 *
 * <h2>Running a script</h2>
 * The script is copied out of the jar into a private temporary directory (so {@code multiprocessing} can
 * re-import it), run with its arguments, and given a time-out after which it is killed. Its last non-blank
 * line of standard output must be one JSON object. Anything that goes wrong (no interpreter, no module, a
 * non-zero exit, a time-out, bad output) becomes an {@link AnchorResult.Skipped} with a reason for the
 * table, never an exception: a missing anchor must not cost the Bingfa numbers.
 */
public final class PythonAnchors implements AutoCloseable {

    /** System property naming the interpreter to use (and the only one to try). */
    public static final String PROPERTY = "bingfa.python";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private final List<Path> candidates;
    private final Map<String, Optional<Path>> interpreterByModule = new ConcurrentHashMap<>();
    // Written once under this object's lock by scriptsDir(); read only there.
    private Path scripts;

    private PythonAnchors(final List<Path> candidates) {
        this.candidates = List.copyOf(candidates);
    }

    /**
     * The anchors' Python: {@code explicit} if not null, else the system property {@value #PROPERTY} if set,
     * else {@code /usr/bin/python3} then {@code python3} on {@code PATH}.
     */
    public static PythonAnchors locate(final String explicit) {
        final String chosen = explicit != null ? explicit : System.getProperty(PROPERTY);
        if (chosen != null) {
            if (chosen.isBlank()) {
                throw new IllegalArgumentException("python must name an interpreter, was blank");
            }
            return new PythonAnchors(List.of(Path.of(chosen)));
        }
        final LinkedHashSet<Path> found = new LinkedHashSet<>();
        found.add(Path.of("/usr/bin/python3"));
        final String path = System.getenv("PATH");
        if (path != null) {
            for (final String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    final Path p = Path.of(dir, "python3");
                    if (Files.isExecutable(p)) {
                        found.add(p);
                        break;
                    }
                }
            }
        }
        return new PythonAnchors(new ArrayList<>(found));
    }

    /** The interpreters this object will try, in order. */
    public List<Path> candidates() {
        return candidates;
    }

    /** The first interpreter that can import {@code module}, if any. */
    public Optional<Path> interpreterFor(final String module) {
        Objects.requireNonNull(module, "module");
        return interpreterByModule.computeIfAbsent(module, m -> candidates.stream()
                .filter(Files::isExecutable)
                .filter(p -> probe(p, "import " + m).isPresent())
                .findFirst());
    }

    /** The version ({@code "3.11.2"}) of the plain interpreter the anchors use, or null if there is none. */
    public String version() {
        return interpreterFor("sys")
                .flatMap(p -> probe(p, "import sys; print(sys.version.split()[0])"))
                .orElse(null);
    }

    /** The reason printed when {@code module} has no interpreter: the Debian package that would provide it. */
    public static String missingReason(final String module) {
        return "sys".equals(module) ? "python3 missing" : "python3-" + module + " missing";
    }

    /**
     * Runs anchor script {@code script} (a resource under {@code anchors/}) with an interpreter that can
     * import {@code module} ({@code "sys"} when any Python will do), killing it after {@code timeout}.
     */
    public AnchorResult run(final String script, final String module, final Duration timeout, final String... args) {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(timeout, "timeout");
        final Optional<Path> python = interpreterFor(module);
        if (python.isEmpty()) {
            return new AnchorResult.Skipped(missingReason(module));
        }
        final Path file = scriptFile(script);
        final List<String> command = new ArrayList<>();
        command.add(python.get().toString());
        command.add(file.toString());
        command.addAll(List.of(args));
        try {
            final Path out = Files.createTempFile(file.getParent(), "out", ".txt");
            final Path err = Files.createTempFile(file.getParent(), "err", ".txt");
            final Process p = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                return new AnchorResult.Skipped("anchor " + script + " timed out after " + timeout.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                return new AnchorResult.Skipped("anchor " + script + " failed with exit code " + p.exitValue() + ": "
                        + lastLine(Files.readString(err, StandardCharsets.UTF_8)));
            }
            final String line = lastLine(Files.readString(out, StandardCharsets.UTF_8));
            final JsonNode json = JSON.readTree(line);
            if (json == null || !json.isObject()) {
                return new AnchorResult.Skipped("anchor " + script + " printed no JSON object: " + line);
            }
            return new AnchorResult.Measured(json);
        } catch (IOException e) {
            return new AnchorResult.Skipped("anchor " + script + " could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AnchorResult.Skipped("anchor " + script + " interrupted");
        }
    }

    private static String lastLine(final String text) {
        final List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "(no output)" : lines.getLast().strip();
    }

    /** Runs {@code python -c code}; its trimmed output if it exits 0 in time. */
    private static Optional<String> probe(final Path python, final String code) {
        try {
            final Process p = new ProcessBuilder(python.toString(), "-c", code)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            final byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Anchor script {@code script} (a resource under {@code anchors/}) copied out of the jar, for anchors that a
     * suite runs itself, such as a service it starts, loads and stops; deleted by {@link #close()}.
     */
    public Path script(final String script) {
        Objects.requireNonNull(script, "script");
        return scriptFile(script);
    }

    private synchronized Path scriptFile(final String script) {
        try {
            if (scripts == null) {
                scripts = Files.createTempDirectory("bingfa-anchors");
            }
            final Path file = scripts.resolve(script);
            if (!Files.exists(file)) {
                try (InputStream in = PythonAnchors.class.getResourceAsStream("/anchors/" + script)) {
                    if (in == null) {
                        throw new IllegalArgumentException("script must be a resource under anchors/, was " + script);
                    }
                    Files.copy(in, file);
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy anchor script " + script, e);
        }
    }

    /** Deletes the copied scripts and their output files. */
    @Override
    public synchronized void close() {
        if (scripts == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(scripts)) {
            for (final Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + scripts, e);
        }
        scripts = null;
    }
}
