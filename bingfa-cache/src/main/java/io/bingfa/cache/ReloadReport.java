package io.bingfa.cache;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What one reload did: when it started, how many rows the source gave, how long it took, and the generation
 * serving afterwards (the new one, or the unchanged current one when it failed).
 *
 * @param at when the reload started
 * @param rows rows read from the source (on failure: rows read before it failed)
 * @param took wall time from start to publication (or to the failure)
 * @param generation the generation readers see after this reload
 * @param failure why the reload failed, or {@code null} when it published {@code generation}
 */
public record ReloadReport(Instant at, long rows, Duration took, long generation, Throwable failure) {

    public ReloadReport {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(took, "took");
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be at least 0, was " + rows);
        }
    }

    /** True when the reload published a new generation. */
    public boolean ok() {
        return failure == null;
    }

    @Override
    public String toString() {
        return (ok() ? "reload ok" : "reload FAILED") + " at " + at + ": " + rows + " rows in " + took.toMillis()
                + " ms, generation " + generation + (ok() ? "" : ", " + failure);
    }
}
