package io.bingfa.cli.bench;

import java.util.List;

/**
 * A bench suite: a named list of experiments that each yield {@link BenchRow}s, with their Python anchors
 * run by the suite itself in the same run. Implementations print progress to {@link SuiteRun#progress()},
 * never to standard output, which belongs to the table.
 */
public interface Suite {

    /** The name on the command line ({@code bingfa bench NAME}). */
    String name();

    /** One line for the help and the list of suites. */
    String summary();

    /** Runs every experiment at {@code run.scale()} and returns the rows in table order. */
    List<BenchRow> run(SuiteRun run);
}
