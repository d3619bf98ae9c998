package io.bingfa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cli.CliRun;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench echo} end to end at the hidden tiny scale: three child JVM servers, Python anchors skipped. */
class EchoSuiteSmokeTest {

    @Test
    void measuresTheThreeModelsAndWritesTheContract(@TempDir final Path dir) throws Exception {
        final Path json = dir.resolve("echo.json");
        final CliRun run = CliRun.of("bench", "echo", "--tiny", "--python", "/nonexistent/python3", "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("anchor skipped: python3-gevent missing", "goal: >= 3x gevent", "goal: <= gevent",
                "Bingfa thread msgs/s", "Bingfa virtual msgs/s", "Bingfa loop msgs/s", "RSS per connection");
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("suite").asText()).isEqualTo("echo");
        for (final JsonNode row : report.get("rows")) {
            if (row.get("name").asText().contains("msgs/s")) {
                assertThat(row.get("value").asDouble()).as(row.toString()).isPositive();
            }
        }
        // The loop model, measured beside itself, is the one anchor that needs no Python.
        assertThat(run.out()).contains("best blocking model");
        // The CPU the goal's rate would leave per message, beside what server and load generator spent.
        for (final JsonNode row : report.get("rows")) {
            if (row.get("name").asText().contains("server + load generator CPU per message")) {
                assertThat(row.get("value").asDouble()).as(row.toString()).isPositive();
            }
        }
        assertThat(run.out()).contains("Bingfa virtual server + load generator CPU per message");
    }
}
