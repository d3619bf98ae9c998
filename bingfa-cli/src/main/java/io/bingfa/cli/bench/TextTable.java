package io.bingfa.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A plain-text table with a header, column widths fitted to the widest cell, and optional note lines
 * under a row. Used by the bench table and by the tour, so both print the same way.
 */
public final class TextTable {

    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public TextTable(final String... header) {
        if (header.length == 0) {
            throw new IllegalArgumentException("header must have at least one column, was empty");
        }
        this.header = header.clone();
    }

    /** Adds a row; {@code note} (may be null) is printed on its own line under it. */
    public TextTable row(final String note, final String... cells) {
        if (cells.length != header.length) {
            throw new IllegalArgumentException("cells must have " + header.length + " columns, was " + cells.length
                    + ": " + Arrays.toString(cells));
        }
        rows.add(cells.clone());
        notes.add(note);
        return this;
    }

    public String render() {
        final int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
        }
        for (final String[] r : rows) {
            for (int c = 0; c < r.length; c++) {
                width[c] = Math.max(width[c], Objects.toString(r[c], "").length());
            }
        }
        final StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        final String[] rule = new String[header.length];
        for (int c = 0; c < header.length; c++) {
            rule[c] = "-".repeat(width[c]);
        }
        line(sb, rule, width);
        for (int i = 0; i < rows.size(); i++) {
            line(sb, rows.get(i), width);
            if (notes.get(i) != null) {
                sb.append("    ^ ").append(notes.get(i)).append('\n');
            }
        }
        return sb.toString();
    }

    private static void line(final StringBuilder sb, final String[] cells, final int[] width) {
        final StringBuilder l = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            final String cell = Objects.toString(cells[c], "");
            l.append(c == 0 ? "" : " | ").append(cell).append(" ".repeat(width[c] - cell.length()));
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }

    /** A number for people: thousands grouped from 1,000 on, about three significant digits below. */
    public static String number(final double v) {
        final double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a >= 0.01 || a == 0) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    /** {@code value unit}, e.g. {@code "0.512 s"}. */
    public static String quantity(final double v, final String unit) {
        return number(v) + " " + unit;
    }
}
