package io.bingfa.cli.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.cache.ReloadableMap;
import io.bingfa.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheCommandTest {

    @TempDir
    Path dir;

    private final Path map = Path.of("/dev/shm", "bingfa-cli-cache-" + ProcessHandle.current().pid() + "-" + System.nanoTime());

    @AfterEach
    void cleanUp() throws Exception {
        ReloadableMap.delete(map);
        Files.deleteIfExists(map);
    }

    @Test
    void putGetDumpAndStatsOnAPlainSharedMap() {
        assertThat(CliRun.of("cache", "put", map.toString(), "app-1", "{\"on\":true}").exitCode()).isZero();
        assertThat(CliRun.of("cache", "put", map.toString(), "app-2", "two").exitCode()).isZero();
        final CliRun get = CliRun.of("cache", "get", map.toString(), "app-1");
        assertThat(get.exitCode()).isZero();
        assertThat(get.out()).isEqualTo("{\"on\":true}\n");
        final CliRun absent = CliRun.of("cache", "get", map.toString(), "nope");
        assertThat(absent.exitCode()).isEqualTo(1);
        assertThat(absent.err()).contains("(absent)");
        assertThat(CliRun.of("cache", "get", "--hex", map.toString(), "6170702d32").out()).isEqualTo("74776f\n");
        assertThat(CliRun.of("cache", "dump", map.toString()).out().lines().sorted().toList())
                .containsExactly("app-1\t{\"on\":true}", "app-2\ttwo");
        assertThat(CliRun.of("cache", "dump", "--limit", "1", map.toString()).out().lines()).hasSize(1);
        final CliRun stats = CliRun.of("cache", "stats", map.toString());
        assertThat(stats.exitCode()).isZero();
        assertThat(stats.out()).contains("kind: SharedMap", "entries: 2", "file bytes: ");
    }

    @Test
    void loadFromAnEmbeddedH2DatabaseMakesAReloadableMapThatGetsAndStatsRead() throws Exception {
        final String url = "jdbc:h2:" + dir.resolve("settings").toAbsolutePath();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("create table settings(name varchar(64) primary key, val varchar(200))");
            st.execute("insert into settings select 'app-' || x, 'value-' || x from system_range(1, 500)");
        }
        final CliRun load = CliRun.of("cache", "load", map.toString(), "--from", url, "--query",
                "select name, val from settings");
        assertThat(load.exitCode()).as(load.err()).isZero();
        assertThat(load.out()).contains("reload ok", "500 rows", "generation 1");
        assertThat(CliRun.of("cache", "get", map.toString(), "app-42").out()).isEqualTo("value-42\n");
        assertThat(CliRun.of("cache", "load", map.toString(), "--from", url, "--query",
                "select name, val from settings where name = 'app-7'").exitCode()).isZero();
        final CliRun stats = CliRun.of("cache", "stats", map.toString());
        assertThat(stats.out()).contains("kind: ReloadableMap", "generation: 2", "reloads: 2 ok, 0 failed",
                "last reload: reload ok", "entries: 1");
        assertThat(CliRun.of("cache", "dump", map.toString()).out()).isEqualTo("app-7\tvalue-7\n");
        final CliRun put = CliRun.of("cache", "put", map.toString(), "k", "v");
        assertThat(put.exitCode()).isEqualTo(2);
        assertThat(put.err()).contains("read-only");
        final CliRun bad = CliRun.of("cache", "load", map.toString(), "--from", url, "--query", "select nope from settings");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("reload FAILED");
        assertThat(CliRun.of("cache", "get", map.toString(), "app-7").out()).isEqualTo("value-7\n");
    }

    @Test
    void loadFromCsvAndJsonLines() throws Exception {
        final Path csv = dir.resolve("s.csv");
        Files.writeString(csv, "name,other,value\na,x,1\nb,y,\"2,5\"\n");
        assertThat(CliRun.of("cache", "load", map.toString(), "--from", csv.toString(), "--key-column", "name",
                "--value-column", "value").exitCode()).isZero();
        assertThat(CliRun.of("cache", "get", map.toString(), "b").out()).isEqualTo("2,5\n");
        final Path jsonl = dir.resolve("s.jsonl");
        Files.writeString(jsonl, "{\"id\":\"u1\",\"n\":1}\n{\"id\":\"u2\",\"n\":2}\n");
        assertThat(CliRun.of("cache", "load", map.toString(), "--from", jsonl.toString()).exitCode()).isZero();
        assertThat(CliRun.of("cache", "get", map.toString(), "u2").out()).isEqualTo("{\"id\":\"u2\",\"n\":2}\n");
        assertThat(CliRun.of("cache", "get", map.toString(), "b").exitCode()).isEqualTo(1);
    }

    @Test
    void usageErrorsSayWhatIsWrong() {
        assertThat(CliRun.of("cache").exitCode()).isEqualTo(2);
        final CliRun missing = CliRun.of("cache", "stats", map + "-none");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
        final CliRun noQuery = CliRun.of("cache", "load", map.toString(), "--from", "jdbc:h2:mem:x");
        assertThat(noQuery.exitCode()).isEqualTo(2);
        assertThat(noQuery.err()).contains("--query");
        final CliRun badFrom = CliRun.of("cache", "load", map.toString(), "--from", "/nonexistent.txt");
        assertThat(badFrom.exitCode()).isEqualTo(2);
    }
}
