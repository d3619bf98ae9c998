package io.bingfa.serve;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;

/*
 * Overview
 * --------
 * The serve contract's settings table (docs/design-serve.md, "Settings table"):
 *
 *     create table apps (app_id varchar(32) primary key, settings text not null)
 *
 * with app-000000 .. app-(N-1), each a JSON object of 150-250 bytes made from the app number alone, so that
 * the embedded database, a PostgreSQL loaded by a test and the bench's Python services hold the same rows
 * (the bench's AppsDatabase uses the same formula).
 *
 * create(url, n) is idempotent: it creates the table when missing and fills it when it does not hold exactly
 * n rows (the embedded default is made once and reused by the next `bingfa serve`). It runs in the supervisor
 * before any worker starts; nothing on the request path touches the database.
 */
/** The contract's {@code apps} table: generated sample settings, the same for the same app number. */
public final class SampleSettings {

    /** The table's DDL, as in the contract. */
    public static final String DDL = "create table apps (app_id varchar(32) primary key, settings text not null)";
    /** The query the reloader runs. */
    public static final String QUERY = "select app_id, settings from apps";

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static final String[] THEMES = {"blue", "green", "dark", "light", "orange"};
    private static final int BATCH = 5_000;

    private SampleSettings() {}

    /** {@code app-000042} for 42. */
    public static String appId(final int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative, was " + n);
        }
        return String.format(Locale.ROOT, "app-%06d", n);
    }

    /** The settings of app {@code n}: the contract's example shape, 150-250 bytes. */
    public static String json(final int n) {
        return "{\"app\":\"" + appId(n) + "\",\"length\":" + (4 + n % 5) + ",\"alphabet\":\"" + ALPHABET
                + "\",\"ttl_seconds\":300,\"max_attempts\":1,\"theme\":\"" + THEMES[n % THEMES.length]
                + "\",\"owner\":\"customer-" + n + "\",\"callback\":\"https://customer-" + n
                + ".example.com/verified\"}";
    }

    /** The JDBC URL of the embedded default: an H2 file {@code settings} in {@code directory}. */
    public static String embeddedUrl(final java.nio.file.Path directory) {
        Objects.requireNonNull(directory, "directory");
        return "jdbc:h2:file:" + directory.toAbsolutePath().resolve("settings") + ";DB_CLOSE_DELAY=0";
    }

    /**
     * Makes table {@code apps} at {@code url} hold exactly apps 0 .. {@code count - 1}: creates it when missing,
     * refills it when its row count differs; true if rows were written.
     */
    public static boolean create(final String url, final int count) throws SQLException {
        Objects.requireNonNull(url, "url");
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        try (Connection c = DriverManager.getConnection(url)) {
            try (Statement s = c.createStatement()) {
                if (!tableExists(c)) {
                    s.execute(DDL);
                } else if (rows(s) == count) {
                    return false;
                } else {
                    s.execute("delete from apps");
                }
            }
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("insert into apps (app_id, settings) values (?, ?)")) {
                for (int i = 0; i < count; i++) {
                    insert.setString(1, appId(i));
                    insert.setString(2, json(i));
                    insert.addBatch();
                    if (i % BATCH == BATCH - 1) {
                        insert.executeBatch();
                    }
                }
                insert.executeBatch();
            }
            c.commit();
            return true;
        }
    }

    private static boolean tableExists(final Connection c) throws SQLException {
        for (final String name : new String[] {"apps", "APPS"}) {
            try (ResultSet r = c.getMetaData().getTables(null, null, name, new String[] {"TABLE"})) {
                if (r.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long rows(final Statement s) throws SQLException {
        try (ResultSet r = s.executeQuery("select count(*) from apps")) {
            r.next();
            return r.getLong(1);
        }
    }
}
