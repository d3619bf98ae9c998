package io.bingfa.cli.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.cli.bench.BenchReport;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;

/** The chart reads its bars back from the suite's rows: Bingfa's value, each anchor, the --zk system. */
class ServeChartTest {

    @Test
    void oneBarPerSystemAndWorkloadFromTheRows(@TempDir final Path dir) throws Exception {
        final String zk = "bingfa serve x2 --zk";
        final BenchReport report = new BenchReport("serve", Machine.current(null), List.of(
                BenchRow.of(ServeSuite.SETTINGS_RPS, 30_000, "req/s", Better.HIGHER).withAnchor("Tornado dict", 3_000),
                BenchRow.of(ServeSuite.SETTINGS_RPS, 30_000, "req/s", Better.HIGHER).withAnchor("Tornado db", 1_500),
                BenchRow.of("settings reads p99 latency", 2, "ms", Better.LOWER).withAnchor("Tornado dict", 50),
                BenchRow.of(ServeSuite.PAIRS_PER_SECOND, 8_000, "pairs/s", Better.HIGHER).withAnchor("Tornado dict", 1_000),
                BenchRow.missing(ServeSuite.PAIRS_PER_SECOND + ServeSuite.SYSTEM_SEPARATOR + zk, "pairs/s", Better.HIGHER,
                        "failed").withAnchor("Tornado dict", 1_000)));
        final CategoryChart chart = ServeChart.chart(report);
        assertThat(chart.getSeriesMap().keySet()).containsExactly("bingfa serve", "Tornado dict", "Tornado db", zk);
        assertThat(bars(chart, "bingfa serve")).containsExactly(30_000.0, 8_000.0);
        assertThat(bars(chart, "Tornado db")).containsExactly(1_500.0, null);
        assertThat(bars(chart, zk)).containsExactly(null, null);

        final Path png = dir.resolve("charts/serve.png");
        ServeChart.write(report, png);
        assertThat(Files.readAllBytes(png)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    private static List<Double> bars(final CategoryChart chart, final String series) {
        return chart.getSeriesMap().get(series).getYData().stream().map(n -> n == null ? null : n.doubleValue()).toList();
    }
}
