package io.bingfa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportJsonTest {

    static final List<String> ROW_FIELDS = List.of("name", "value", "unit", "better", "anchor", "anchor_value", "ratio");

    @Test
    void writtenFileMatchesTheBenchContract(@TempDir final Path dir) throws Exception {
        final BenchRow anchored = BenchRow.of("a", 2.0, "s", Better.LOWER).withAnchor("python a", 8.0);
        final BenchRow skipped = BenchRow.of("b", 5.0, "items/s", Better.HIGHER).withAnchorSkipped("python3-gevent missing");
        final BenchRow missing = BenchRow.missing("c", "s", Better.LOWER, "process pool: coming with bingfa-process")
                .withAnchor("python processes", 3.0);
        final BenchReport report = new BenchReport("models", new Machine(2, "Linux", "OpenJDK 25", null, "2025-01-01T00:00:00Z"),
                List.of(anchored, skipped, missing));
        final Path file = dir.resolve("sub/models.json");

        report.writeJson(file);

        final JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertThat(json.get("suite").asText()).isEqualTo("models");
        final JsonNode machine = json.get("machine");
        assertThat(machine.get("cores").asInt()).isEqualTo(2);
        assertThat(machine.has("os")).isTrue();
        assertThat(machine.has("jvm")).isTrue();
        assertThat(machine.has("date")).isTrue();
        assertThat(machine.get("python").isNull()).isTrue();
        final JsonNode rows = json.get("rows");
        assertThat(rows).hasSize(3);
        for (final JsonNode row : rows) {
            assertThat(ROW_FIELDS).allMatch(row::has);
            assertThat(row.get("better").asText()).isIn("higher", "lower");
        }
        final JsonNode a = rows.get(0);
        assertThat(a.get("value").asDouble()).isEqualTo(2.0);
        assertThat(a.get("anchor").asText()).isEqualTo("python a");
        assertThat(a.get("anchor_value").asDouble()).isEqualTo(8.0);
        assertThat(a.get("ratio").asDouble()).isCloseTo(0.25, within(1e-12));
        assertThat(a.get("better").asText()).isEqualTo("lower");
        final JsonNode b = rows.get(1);
        assertThat(b.get("anchor").isNull()).isTrue();
        assertThat(b.get("anchor_value").isNull()).isTrue();
        assertThat(b.get("ratio").isNull()).isTrue();
        assertThat(b.get("better").asText()).isEqualTo("higher");
        assertThat(b.get("note").asText()).isEqualTo("anchor skipped: python3-gevent missing");
        final JsonNode c = rows.get(2);
        assertThat(c.get("value").isNull()).isTrue();
        assertThat(c.get("anchor_value").asDouble()).isEqualTo(3.0);
        assertThat(c.get("ratio").isNull()).isTrue();
    }

    @Test
    void machineDescribesThisJvm() {
        final Machine m = Machine.current("3.11.2");
        assertThat(m.cores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(m.jvm()).contains(System.getProperty("java.runtime.version"));
        assertThat(m.python()).isEqualTo("3.11.2");
    }

    @Test
    void rowsRejectNonFiniteValues() {
        assertThatThrownBy(() -> BenchRow.of("x", Double.NaN, "s", Better.LOWER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value of 'x' must be finite, was NaN");
    }

    @Test
    void tableShowsSkippedAnchorsAndMissingColumns() {
        final BenchReport report = new BenchReport("models", Machine.current(null), List.of(
                BenchRow.of("b", 5.0, "s", Better.LOWER).withAnchorSkipped("python3-gevent missing"),
                BenchRow.missing("c", "s", Better.LOWER, "process pool: coming with bingfa-process"),
                BenchRow.of("d", 1.0, "s", Better.LOWER).withAnchor("py", 4.0)));
        final String table = BenchTable.render(report);
        assertThat(table).contains("anchor skipped: python3-gevent missing",
                "—  (process pool: coming with bingfa-process)", "4.000× better (lower is better)");
    }
}
