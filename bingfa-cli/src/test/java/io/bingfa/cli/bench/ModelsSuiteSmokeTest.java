package io.bingfa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cli.CliRun;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench models} end to end at the hidden tiny scale: seconds, not minutes. */
class ModelsSuiteSmokeTest {

    @Test
    void withoutPythonEveryAnchorIsSkippedAndSaysWhy(@TempDir final Path dir) throws Exception {
        final Path json = dir.resolve("models.json");
        final CliRun run = CliRun.of("bench", "models", "--tiny", "--python", "/nonexistent/python3", "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("anchor skipped: python3 missing", "anchor skipped: python3-gevent missing",
                "includes starting 4 worker JVMs", "wrote " + json);
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("suite").asText()).isEqualTo("models");
        assertThat(report.get("machine").get("python").isNull()).isTrue();
        assertThat(report.get("rows").size()).isGreaterThanOrEqualTo(15);
        for (final JsonNode row : report.get("rows")) {
            assertThat(row.get("anchor").isNull()).as(row.toString()).isTrue();
            assertThat(row.get("anchor_value").isNull()).isTrue();
            assertThat(row.get("ratio").isNull()).isTrue();
            assertThat(row.get("note").asText()).contains("anchor skipped: python3");
        }
    }

    @Test
    void withPythonTheRatiosAreMeasuredInTheSameRun(@TempDir final Path dir) throws Exception {
        final Optional<Path> gevent;
        try (PythonAnchors python = PythonAnchors.locate(null)) {
            gevent = python.interpreterFor("gevent");
        }
        assumeThat(gevent).as("a python3 with gevent").isPresent();
        final Path json = dir.resolve("models.json");

        final CliRun run = CliRun.of("bench", "models", "--tiny", "--json", json.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        final JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertThat(report.get("machine").get("python").asText()).startsWith("3.");
        for (final JsonNode row : report.get("rows")) {
            if (row.get("value").isNull() || row.get("anchor").isNull()) {
                continue;
            }
            assertThat(row.get("ratio").asDouble())
                    .isEqualTo(row.get("value").asDouble() / row.get("anchor_value").asDouble());
        }
        assertThat(report.get("rows").findValues("anchor_value").stream().filter(n -> !n.isNull()).count())
                .isGreaterThanOrEqualTo(15);
        assertThat(run.out()).doesNotContain("WARNING: Python's checksum");
    }
}
