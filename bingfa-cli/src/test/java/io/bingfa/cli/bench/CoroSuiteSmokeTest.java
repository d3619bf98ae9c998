package io.bingfa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench coro} end to end at the hidden tiny scale, child JVMs included, anchors skipped. */
class CoroSuiteSmokeTest {

    @Test
    void runsEveryExperimentAndWritesTheContract(@TempDir final Path dir) throws Exception {
        final Path json = dir.resolve("coro.json");
        final CliRun run = CliRun.of("bench", "coro", "--tiny", "--python", "/nonexistent/python3", "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("anchor skipped: python3-gevent missing", "goal: <= 3 s", "goal: >= 3x gevent",
                "goal: >= 10x ThreadPoolExecutor(4)");
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("suite").asText()).isEqualTo("coro");
        for (final JsonNode row : report.get("rows")) {
            assertThat(row.get("value").asDouble()).as(row.toString()).isPositive();
        }
    }
}
