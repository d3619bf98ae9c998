package io.bingfa.cli.tour;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The tour's HTML page: the same table as the terminal, the conclusions, and a bar chart (XChart, drawn
 * headless to a PNG) of the rows where Bingfa's and the seed's seconds compare, on a logarithmic axis.
 * The PNG is embedded in the page as a data URI and also written beside it.
 */
final class TourReport {

    static final String PAGE = "tour.html";
    static final String CHART = "tour.png";

    private TourReport() {}

    /** Writes {@code tour.html} and {@code tour.png} into {@code dir}; returns the page's path. */
    static Path write(final Path dir, final Tour.Result result) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(dir);
            final byte[] png = BitmapEncoder.getBitmapBytes(chart(result.rows()), BitmapEncoder.BitmapFormat.PNG);
            Files.write(dir.resolve(CHART), png);
            final Path page = dir.resolve(PAGE);
            Files.writeString(page, html(result, Base64.getEncoder().encodeToString(png)));
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tour report into " + dir, e);
        }
    }

    private static CategoryChart chart(final List<TourRow> rows) {
        final CategoryChart chart = new CategoryChartBuilder().width(1000).height(560)
                .title("The seeds' experiments: seconds, lower is better (log scale)")
                .yAxisTitle("seconds").build();
        final Styler styler = chart.getStyler();
        chart.getStyler().setYAxisLogarithmic(true);
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(20);
        final List<String> labels = new ArrayList<>();
        final List<Double> bingfa = new ArrayList<>();
        final List<Double> seed = new ArrayList<>();
        for (final TourRow r : rows) {
            if (r.chartLabel() != null) {
                labels.add(r.chartLabel());
                // A log axis cannot show zero: a bar too short to see is clamped to a microsecond.
                bingfa.add(Math.max(r.bingfaSeconds(), 1e-6));
                seed.add(r.seedSeconds());
            }
        }
        // Bars start at the axis minimum, which a log axis needs above zero: the decade below the smallest bar.
        final double smallest = java.util.stream.Stream.concat(bingfa.stream(), seed.stream())
                .mapToDouble(Double::doubleValue).min().orElse(1);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(smallest))));
        chart.addSeries(Tour.BINGFA_COLUMN, labels, bingfa);
        chart.addSeries(Tour.SEED_COLUMN, labels, seed);
        return chart;
    }

    private static String html(final Tour.Result result, final String pngBase64) {
        final StringBuilder sb = new StringBuilder();
        sb.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Bingfa tour</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}")
                .append("th{background:#eee}</style></head><body>\n")
                .append("<h1>Bingfa tour</h1>\n<p>The seeds' experiments measured now on this JVM (")
                .append(result.cores()).append(" cores, ").append(esc(System.getProperty("java.vm.name"))).append(' ')
                .append(esc(System.getProperty("java.runtime.version")))
                .append("), beside the Python numbers quoted from the seeds.</p>\n<table>\n<tr><th>experiment</th><th>")
                .append(esc(Tour.BINGFA_COLUMN)).append("</th><th>").append(esc(Tour.SEED_COLUMN)).append("</th></tr>\n");
        for (final TourRow r : result.rows()) {
            sb.append("<tr><td>").append(esc(r.experiment())).append("</td><td>").append(esc(r.bingfa()))
                    .append("</td><td>").append(esc(r.seed())).append("</td></tr>\n");
        }
        sb.append("</table>\n<h2>Conclusions</h2>\n<ul>\n");
        for (final String c : result.conclusions()) {
            sb.append("<li>").append(esc(c)).append("</li>\n");
        }
        sb.append("</ul>\n<h2>Chart</h2>\n<p>Where the tour scaled a workload down, its Bingfa bar is scaled back ")
                .append("up to the seed's size, and its label says by how much.</p>\n")
                .append("<img alt=\"bar chart of the tour\" src=\"data:image/png;base64,").append(pngBase64)
                .append("\">\n</body></html>\n");
        return sb.toString();
    }

    private static String esc(final String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
