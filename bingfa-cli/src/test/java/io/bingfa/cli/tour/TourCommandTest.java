package io.bingfa.cli.tour;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TourCommandTest {

    @Test
    void printsOneTableAndWritesAnHtmlReportWithAChart(@TempDir final Path dir) throws Exception {
        final Path report = dir.resolve("report");
        final CliRun run = CliRun.of("tour", "--tiny", "--report", report.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("experiment", "Bingfa (JVM, measured now)", "seed (Python)",
                "17.39 s", "6.480 s", "28.50 s", "46.30 days", "4.630 days",
                "ProcessPool(4)", "CPU-bound: no GIL", "wrote ");
        final Path html = report.resolve("tour.html");
        assertThat(html).exists();
        assertThat(Files.readString(html)).contains("<table>", "seed (Python)", "data:image/png;base64,");
        final byte[] png = Files.readAllBytes(report.resolve("tour.png"));
        assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }
}
