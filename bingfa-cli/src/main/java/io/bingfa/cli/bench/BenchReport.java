package io.bingfa.cli.bench;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A suite's whole result, the document {@code --json FILE} writes:
 * {@code {"suite": S, "machine": {...}, "rows": [...]}} (see {@link BenchRow} and {@link Machine}).
 */
public record BenchReport(String suite, Machine machine, List<BenchRow> rows) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public BenchReport {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(machine, "machine");
        rows = List.copyOf(rows);
    }

    /** The report as pretty-printed JSON, one row per line group, ending with a newline. */
    public String toJson() {
        try {
            final DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"));
            return JSON.writer(pp).writeValueAsString(this) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report of suite " + suite + " as JSON", e);
        }
    }

    /** Writes {@link #toJson()} to {@code file}, creating its parent directories. */
    public void writeJson(final Path file) {
        Objects.requireNonNull(file, "file");
        try {
            final Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
