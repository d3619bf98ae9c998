package io.bingfa.cli.bench;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every suite takes: the contract's {@code --quick} and {@code --json FILE}, the anchors'
 * interpreter, and the hidden {@code --tiny} that tests use. picocli fills the fields after construction,
 * so they cannot be final.
 */
public final class BenchOptions {

    @Option(names = "--quick", description = "Smaller workloads: the suite finishes in under 60 s on 2 cores.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (the bench contract) to FILE.")
    Path json;

    @Option(names = "--python", paramLabel = "PYTHON",
            description = "Python 3 interpreter for the anchors (default: /usr/bin/python3, then python3 on PATH; "
                    + "or -D" + PythonAnchors.PROPERTY + "=...). A missing one skips the anchors.")
    String python;

    @Option(names = "--tiny", hidden = true, description = "Tiny workloads for tests; the numbers mean nothing.")
    boolean tiny;

    /** The scale these options ask for: {@code --tiny} wins over {@code --quick}. */
    public Scale scale() {
        return tiny ? Scale.TINY : quick ? Scale.QUICK : Scale.FULL;
    }

    public Path json() {
        return json;
    }

    public String python() {
        return python;
    }
}
