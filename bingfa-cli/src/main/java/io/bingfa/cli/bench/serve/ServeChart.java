package io.bingfa.cli.bench.serve;

import io.bingfa.cli.bench.BenchReport;
import io.bingfa.cli.bench.BenchRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The serve suite's throughput rows as a grouped bar chart (XChart, drawn headless to a PNG), for the README:
 * one group per workload (settings reads/s, challenge+verify pairs/s), one bar per system, from the first row
 * that names the system in that group. The systems are read back from the rows: a row's own value is {@code bingfa serve} (or the system named after
 * {@link ServeSuite#SYSTEM_SEPARATOR} in its name), its anchor is the Python service it names.
 */
public final class ServeChart {

    private ServeChart() {}

    /** Draws the chart of {@code report} (a serve suite report) into {@code png}, creating its directory. */
    public static void write(final BenchReport report, final Path png) {
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(png, "png");
        System.setProperty("java.awt.headless", "true");
        try {
            final Path parent = png.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BitmapEncoder.saveBitmap(chart(report), png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write the chart " + png, e);
        }
    }

    static CategoryChart chart(final BenchReport report) {
        final List<String> groups = List.of(ServeSuite.SETTINGS_RPS, ServeSuite.PAIRS_PER_SECOND);
        final List<String> labels = List.of("settings reads/s", "challenge+verify pairs/s");
        // system -> value per group, in the order systems first appear
        final Map<String, Double[]> bars = new LinkedHashMap<>();
        for (final BenchRow r : report.rows()) {
            for (int g = 0; g < groups.size(); g++) {
                if (!r.name().startsWith(groups.get(g))) {
                    continue;
                }
                final int sep = r.name().indexOf(ServeSuite.SYSTEM_SEPARATOR);
                final String system = sep < 0 ? "bingfa serve"
                        : r.name().substring(sep + ServeSuite.SYSTEM_SEPARATOR.length());
                put(bars, system, g, r.value());
                if (r.anchor() != null) {
                    put(bars, r.anchor(), g, r.anchorValue());
                }
            }
        }
        final CategoryChart chart = new CategoryChartBuilder().width(1000).height(560)
                .title("bench serve: throughput on " + report.machine().cores() + " cores, wrk on loopback (higher is better)")
                .yAxisTitle("per second").build();
        final Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setYAxisDecimalPattern("#,###");
        for (final Map.Entry<String, Double[]> e : bars.entrySet()) {
            // a system with no figure in a group (failed, or not run there: the floor has no pairs) draws no bar there,
            // rather than a bar of 0
            chart.addSeries(e.getKey(), labels, java.util.Arrays.asList(e.getValue()));
        }
        return chart;
    }

    /** The first row naming a system in a group gives its bar (Bingfa's headline row is the one vs the seeds' fix). */
    private static void put(final Map<String, Double[]> bars, final String system, final int group, final Double value) {
        final Double[] values = bars.computeIfAbsent(system, s -> new Double[2]);
        if (values[group] == null) {
            values[group] = value;
        }
    }
}
