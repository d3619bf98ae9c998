package io.bingfa.cli.bench.serve;

import io.bingfa.cache.testing.LocalPostgres;
import io.bingfa.serve.SampleSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;

/*
 * A settings database of the benchmark: one database per service under test in a shared LocalPostgres (so that
 * each service's queries are counted apart while the others sit idle between their runs), holding the serve
 * contract's table
 *
 *     create table apps (app_id varchar(32) primary key, settings text not null)
 *
 * with app-000000 .. app-(N-1), each a JSON object of 150-250 bytes generated from the app number by
 * bingfa-serve's SampleSettings (the rows `bingfa serve` itself generates): the same rows in every database.
 *
 * Counting database work from the server's side: pg_stat_database keeps, per database, the transactions
 * committed and rolled back. The services run each query in its own transaction (autocommit), so the change of
 * xact_commit + xact_rollback of a service's database over a run is the number of queries it sent. The counter is
 * read through a connection to the "postgres" database, so reading it does not count. Autovacuum is switched
 * off (ALTER SYSTEM, on this throwaway server only) and the table is vacuumed and analyzed once after loading,
 * so that no background transaction lands in a run.
 *
 * The counter lags. PostgreSQL 15 keeps a backend's counts in the backend and publishes them at most once a
 * second while it is busy, and the remainder only when it has been idle for PGSTAT_IDLE_INTERVAL (10 s) or
 * exits. Measured here: 200 challenge requests in a row showed 160 transactions 1.5 s later and all of them
 * after 12 s. So callers wait STATS_DELAY_MILLIS after the last request before each reading, and the figure
 * counts requests still in flight when wrk stopped (up to one per connection) that wrk does not count.
 */
/** The {@code apps} table in its own database of a LocalPostgres, and a server-side count of its transactions. */
final class AppsDatabase {

    /** How long PostgreSQL may hold an idle backend's counts before publishing them (10 s, plus margin). */
    static final long STATS_DELAY_MILLIS = 11_500;

    private final LocalPostgres server;
    private final String database;

    private AppsDatabase(final LocalPostgres server, final String database) {
        this.server = server;
        this.database = database;
    }

    /** Creates {@code database} in {@code server} and fills its {@code apps} with {@code count} apps. */
    static AppsDatabase create(final LocalPostgres server, final String database, final int count) throws SQLException {
        Objects.requireNonNull(server, "server");
        if (!database.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database must be a plain lower-case name, was " + database);
        }
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        try (Connection admin = DriverManager.getConnection(server.jdbcUrl());
             Statement s = admin.createStatement()) {
            s.execute("create database " + database);
            s.execute("alter system set autovacuum = off");
            s.execute("select pg_reload_conf()");
        }
        SampleSettings.create(server.jdbcUrl(database) + "&reWriteBatchedInserts=true", count);
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(database));
             Statement s = c.createStatement()) {
            s.execute("vacuum analyze apps");
        }
        return new AppsDatabase(server, database);
    }

    /** The JDBC URL of the services' database. */
    String jdbcUrl() {
        return server.jdbcUrl(database);
    }

    /** The same database as a libpq connection string, for psycopg2. */
    String libpqDsn() {
        return "host=127.0.0.1 port=" + server.port() + " dbname=" + database + " user=" + server.user();
    }

    /** Transactions committed plus rolled back in this database so far, as the server counts them. */
    long transactions() throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl());
             PreparedStatement q = c.prepareStatement(
                     "select xact_commit + xact_rollback from pg_stat_database where datname = ?")) {
            q.setString(1, database);
            try (ResultSet r = q.executeQuery()) {
                if (!r.next()) {
                    throw new SQLException("pg_stat_database has no row for database " + database);
                }
                return r.getLong(1);
            }
        }
    }
}
