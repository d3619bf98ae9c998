package io.bingfa.cli.bench;

import java.util.Locale;

/**
 * The text a suite prints: one line per {@link BenchRow} with the anchor beside it, the ratio
 * ({@code value / anchor_value}) and, in words, how many times better or worse Bingfa was.
 */
public final class BenchTable {

    private BenchTable() {}

    public static String render(final BenchReport report) {
        final TextTable t = new TextTable("benchmark", "Bingfa", "anchor", "anchor value", "ratio", "Bingfa vs anchor");
        for (final BenchRow r : report.rows()) {
            // A Bingfa column that does not exist yet says why in its own cell, not on a note line.
            final String value = r.value() == null ? "—  (" + r.note() + ")" : TextTable.quantity(r.value(), r.unit());
            final String anchorValue = r.anchorValue() == null ? "" : TextTable.quantity(r.anchorValue(), r.unit());
            final String ratio = r.ratio() == null ? "" : TextTable.number(r.ratio());
            t.row(r.value() == null ? null : r.note(), r.name(), value, r.anchor() == null ? "" : r.anchor(), anchorValue, ratio, verdict(r));
        }
        final Machine m = report.machine();
        return "suite " + report.suite() + " on " + m.cores() + " cores, " + m.os() + ", " + m.jvm() + ", python "
                + (m.python() == null ? "none" : m.python()) + ", " + m.date() + "\n"
                + "ratio = Bingfa / anchor, both measured in this run\n\n" + t.render();
    }

    private static String verdict(final BenchRow r) {
        if (r.value() == null || r.anchorValue() == null || r.value() == 0 || r.anchorValue() == 0) {
            return "";
        }
        final double x = r.better().timesBetter(r.value(), r.anchorValue());
        if (x >= 0.98 && x <= 1.02) {
            return "about the same (within 2%)";
        }
        if (x >= 1) {
            return String.format(Locale.ROOT, "%s× better (%s is better)", TextTable.number(x), r.better().json());
        }
        return String.format(Locale.ROOT, "%s× worse (%s is better)", TextTable.number(1 / x), r.better().json());
    }
}
