package io.bingfa.cli.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * One line of a bench suite's result, exactly the contract's row:
 * {@code {"name", "value", "unit", "better", "anchor", "anchor_value", "ratio"}}, plus an optional
 * {@code note} (a goal, the seed's remembered number, or why an anchor was skipped).
 *
 * <p>{@code ratio} is always {@code value / anchor_value} of the same run, computed here and never
 * supplied by a caller; when the anchor was skipped all three anchor fields are {@code null}. {@code value}
 * is {@code null} only for a Bingfa column that does not exist yet (the process pool), with a note saying so.
 */
@JsonPropertyOrder({"name", "value", "unit", "better", "anchor", "anchor_value", "ratio", "note"})
public record BenchRow(
        String name,
        Double value,
        String unit,
        Better better,
        String anchor,
        @JsonProperty("anchor_value") Double anchorValue,
        Double ratio,
        @JsonInclude(JsonInclude.Include.NON_NULL) String note) {

    public BenchRow {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(better, "better");
        if (value != null && (value.isNaN() || value.isInfinite())) {
            throw new IllegalArgumentException("value of '" + name + "' must be finite, was " + value);
        }
    }

    /** A measured row without an anchor yet. */
    public static BenchRow of(final String name, final double value, final String unit, final Better better) {
        return new BenchRow(name, value, unit, better, null, null, null, null);
    }

    /** A row whose Bingfa side does not exist yet: {@code value} is null and {@code why} says why. */
    public static BenchRow missing(final String name, final String unit, final Better better, final String why) {
        return new BenchRow(name, null, unit, better, null, null, null, why);
    }

    /** This row compared with {@code anchor} measured in the same run; the ratio is {@code value / anchorValue}. */
    public BenchRow withAnchor(final String anchorName, final double anchorValue) {
        Objects.requireNonNull(anchorName, "anchorName");
        final Double r = value == null || anchorValue == 0 ? null : value / anchorValue;
        return new BenchRow(name, value, unit, better, anchorName, anchorValue, r, note);
    }

    /** This row with the anchor skipped: null anchor fields and {@code "anchor skipped: <reason>"} as note. */
    public BenchRow withAnchorSkipped(final String reason) {
        return new BenchRow(name, value, unit, better, null, null, null, join(note, "anchor skipped: " + reason));
    }

    /** This row with {@code text} added to its note. */
    public BenchRow withNote(final String text) {
        return new BenchRow(name, value, unit, better, anchor, anchorValue, ratio, join(note, text));
    }

    private static String join(final String a, final String b) {
        return a == null ? b : a + "; " + b;
    }
}
