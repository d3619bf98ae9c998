package io.bingfa.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bingfa.cache.testing.LocalPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reloads from a real PostgreSQL (LocalPostgres): 100,000 rows streamed, and an SQL error half-way. */
class PostgresReloadTest {

    private static final int ROWS = 100_000;
    private static LocalPostgres pg;

    private final ReloadFixtures files = new ReloadFixtures();

    @BeforeAll
    static void startPostgres() throws Exception {
        assumeTrue(LocalPostgres.available(), "PostgreSQL is not installed (.ci/run installs Debian's postgresql)");
        pg = LocalPostgres.start();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement()) {
            s.execute("create table settings(id bigint primary key, name text not null, value text not null, "
                    + "raw bytea not null)");
            s.execute("insert into settings select g, 'app-' || g, 'v1:' || repeat('x', 90) || g, "
                    + "int8send(g) from generate_series(1, " + ROWS + ") g");
        }
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @AfterEach
    void cleanUp() {
        files.close();
    }

    @Test
    void reloadsAHundredThousandRowsStreamedFromPostgres() {
        try (ReloadableMap m = ReloadableMap.create(files.next("pg"), SharedMapOptions.builder()
                .expectedEntries(1_000).averageKeySize(10).averageValueSize(100).build())) {
            final ReloadReport r = Reloader.builder(m)
                    .source(Sources.jdbc(pg.jdbcUrl(), "select name, value from settings")).build().reloadNow();
            assertThat(r.failure()).isNull();
            assertThat(r.rows()).isEqualTo(ROWS);
            assertThat(m.size()).isEqualTo(ROWS);
            assertThat(new String(m.get("app-777".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                    .isEqualTo("v1:" + "x".repeat(90) + 777);
            // a binary key (bytea) and a number as text
            final ReloadReport binary = Reloader.builder(m)
                    .source(Sources.jdbc(pg.jdbcUrl(), LocalPostgres.USER, "", "select raw, id from settings"))
                    .build().reloadNow();
            assertThat(binary.ok()).isTrue();
            assertThat(m.get(java.nio.ByteBuffer.allocate(8).putLong(0, 42).array())).isEqualTo("42".getBytes());
        }
    }

    @Test
    void anSqlErrorHalfWayLeavesTheCurrentGenerationServing() {
        final Path file = files.next("pgfail");
        try (ReloadableMap m = ReloadableMap.create(file, SharedMapOptions.builder()
                .expectedEntries(ROWS).averageKeySize(10).averageValueSize(100).build())) {
            assertThat(Reloader.builder(m).source(Sources.jdbc(pg.jdbcUrl(),
                    "select name, value from settings where id <= 1000")).build().reloadNow().ok()).isTrue();
            // division by zero at row 50,000: PostgreSQL raises it while the driver fetches that batch
            final ReloadReport r = Reloader.builder(m).source(Sources.jdbc(pg.jdbcUrl(),
                    "select name, case when id = 50000 then (1 / (id - id))::text else value end "
                            + "from settings order by id")).build().reloadNow();
            assertThat(r.ok()).isFalse();
            assertThat(r.failure()).hasMessageContaining("division by zero");
            assertThat(r.rows()).isBetween(1L, 50_000L);
            assertThat(m.generation()).isEqualTo(1);
            assertThat(m.size()).isEqualTo(1000);
            assertThat(Generations.generationFiles(file)).containsExactly(m.generationFile(1));
        }
    }
}
