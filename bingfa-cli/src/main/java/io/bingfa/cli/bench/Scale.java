package io.bingfa.cli.bench;

/**
 * How big a suite's workloads are. {@link #FULL} is the default; {@link #QUICK} ({@code --quick}) must
 * finish in under 60 s on two cores; {@link #TINY} (hidden {@code --tiny}) exists for tests and runs in
 * seconds with numbers that mean nothing.
 */
public enum Scale {
    TINY,
    QUICK,
    FULL
}
