package io.bingfa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench pool} end to end at the hidden tiny scale: real worker JVMs, anchors skipped. */
class PoolSuiteSmokeTest {

    @Test
    void runsEveryExperimentAndWritesTheContract(@TempDir final Path dir) throws Exception {
        final Path json = dir.resolve("pool.json");
        final CliRun run = CliRun.of("bench", "pool", "--tiny", "--python", "/nonexistent/python3", "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("anchor skipped: python3 missing", "raw Unix-socket ping-pong",
                "goal: <= 1.5x the raw ping-pong", "goal: >= 5x Python", "goal: <= 100 ms", "goal: <= 250 ms");
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("suite").asText()).isEqualTo("pool");
        assertThat(report.get("rows").size()).isGreaterThanOrEqualTo(9);
        for (final JsonNode row : report.get("rows")) {
            assertThat(row.get("value").asDouble()).as(row.toString()).isPositive();
        }
    }
}
