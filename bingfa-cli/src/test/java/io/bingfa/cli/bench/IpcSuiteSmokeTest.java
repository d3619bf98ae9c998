package io.bingfa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench ipc} end to end at the hidden tiny scale, child JVMs included, anchors skipped. */
class IpcSuiteSmokeTest {

    @Test
    void runsEveryExperimentAcrossProcessesAndWritesTheContract(@TempDir final Path dir) throws Exception {
        final Path json = dir.resolve("ipc.json");
        final CliRun run = CliRun.of("bench", "ipc", "--tiny", "--python", "/nonexistent/python3", "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("anchor skipped: python3 missing", "goal: >= 20x multiprocessing.Queue",
                "goal: p50 <= 5 us", "goal: p50 <= 1 us", "goal: <= 50 ns");
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("suite").asText()).isEqualTo("ipc");
        assertThat(report.get("rows").size()).isEqualTo(20);
        assertThat(run.out()).as("the C futex floor row, measured or skipped with its reason")
                .containsAnyOf("raw futex wake, two C processes", "no C compiler (cc)");
        for (final JsonNode row : report.get("rows")) {
            assertThat(row.get("value").asDouble()).as(row.toString()).isPositive();
        }
    }
}
