package io.bingfa.cache.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class LocalPostgresTest {

    @Test
    void startsARealServerThatAnswersSqlAndStopsOnClose() throws Exception {
        assumeTrue(LocalPostgres.available(), "PostgreSQL is not installed (.ci/run installs Debian's postgresql)");
        final long pid;
        try (LocalPostgres pg = LocalPostgres.start();
                Connection c = DriverManager.getConnection(pg.jdbcUrl());
                Statement s = c.createStatement()) {
            pid = pg.pid();
            s.execute("create table apps(id bigint primary key, settings text)");
            s.execute("insert into apps select g, 'settings-' || g from generate_series(1, 1000) g");
            try (ResultSet r = s.executeQuery("select count(*), max(settings) from apps")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getLong(1)).isEqualTo(1000);
                assertThat(r.getString(2)).isEqualTo("settings-999");
            }
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }
}
