package io.bingfa.cli.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Objects;

/** Runs one suite the way the contract says: table on standard output, optional JSON file, progress on stderr. */
public final class BenchRunner {

    private BenchRunner() {}

    public static BenchReport run(final Suite suite, final BenchOptions options, final PrintWriter out,
                                  final PrintWriter err) {
        Objects.requireNonNull(suite, "suite");
        Objects.requireNonNull(options, "options");
        try (PythonAnchors python = PythonAnchors.locate(options.python())) {
            final String version = python.version();
            final SuiteRun run = new SuiteRun(options.scale(), python, err);
            run.say("suite " + suite.name() + ", scale " + options.scale().name().toLowerCase(java.util.Locale.ROOT)
                    + ", python " + (version == null ? "none (anchors will be skipped)" : version));
            final List<BenchRow> rows = suite.run(run);
            final BenchReport report = new BenchReport(suite.name(), Machine.current(version), rows);
            out.print(BenchTable.render(report));
            if (options.json() != null) {
                report.writeJson(options.json());
                out.println();
                out.println("wrote " + options.json());
            }
            out.flush();
            return report;
        }
    }
}
