package io.bingfa.cli.bench;

import java.io.PrintWriter;
import java.util.Objects;

/**
 * What a {@link Suite} gets to run with: the workload scale, the Python anchors and a progress sink
 * (standard error, so that standard output stays the table).
 */
public record SuiteRun(Scale scale, PythonAnchors python, PrintWriter progress) {

    public SuiteRun {
        Objects.requireNonNull(scale, "scale");
        Objects.requireNonNull(python, "python");
        Objects.requireNonNull(progress, "progress");
    }

    /** Prints one progress line and flushes it. */
    public void say(final String line) {
        progress.println("bench: " + line);
        progress.flush();
    }

    /** {@code row} with the anchor's value at {@code field}, or with the anchor skipped and the reason noted. */
    public static BenchRow anchored(final BenchRow row, final AnchorResult result, final String anchorName,
                                    final String field) {
        return switch (result) {
            case AnchorResult.Measured m -> row.withAnchor(anchorName, m.number(field));
            case AnchorResult.Skipped s -> row.withAnchorSkipped(s.reason());
        };
    }
}
