package io.bingfa.cli.tour;

import io.bingfa.cli.bench.TextTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bingfa tour}: the seeds' experiments in under a minute, one table (experiment | Bingfa measured
 * now | the seed's Python number), a few conclusions, and an HTML report with a chart. Needs no Python.
 */
@Command(name = "tour",
        mixinStandardHelpOptions = true,
        versionProvider = io.bingfa.cli.Main.Version.class,
        description = {"The seeds' experiments measured now, beside the seeds' Python numbers.",
                "CPU-bound, IO-bound, switching, eat/play, crawler; one table, a few conclusions, and an HTML",
                "report with a chart. Under a minute; no Python needed."})
public final class TourCommand implements Callable<Integer> {

    // picocli injects these after construction, so they cannot be final.
    @Spec
    private CommandSpec spec;

    @Option(names = "--report", paramLabel = "DIR", defaultValue = "bingfa-report",
            description = "Directory for tour.html and tour.png (default: ${DEFAULT-VALUE}).")
    private Path report;

    @Option(names = "--tiny", hidden = true, description = "Tiny workloads for tests; the numbers mean nothing.")
    private boolean tiny;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final Tour.Result result = Tour.run(tiny ? TourScale.TINY : TourScale.STANDARD, spec.commandLine().getErr());
        final TextTable table = new TextTable("experiment", Tour.BINGFA_COLUMN, Tour.SEED_COLUMN);
        for (final TourRow r : result.rows()) {
            table.row(null, r.experiment(), r.bingfa(), r.seed());
        }
        out.print(table.render());
        out.println();
        for (final String c : result.conclusions()) {
            out.println("* " + c);
        }
        out.println();
        out.println("wrote " + TourReport.write(report, result).toAbsolutePath().normalize());
        out.flush();
        return 0;
    }
}
