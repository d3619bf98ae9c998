package io.bingfa.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/*
 * The sources a Reloader reads snapshots from.
 *
 * JDBC streams: PostgreSQL's driver buffers a whole result set in memory unless auto-commit is off and a
 * fetch size is set (then it uses a portal and fetches FETCH_SIZE rows a round trip); MySQL and H2 honour
 * the fetch size as a hint. The statement is forward-only and read-only, and the transaction is rolled
 * back at the end (the source only reads). The fast path for the common two-column query reads binary
 * columns with getBytes and, for PostgreSQL text columns, getBytes too: pgjdbc hands back the bytes as they
 * came off the wire (UTF-8), skipping the String the generic path would decode and re-encode. Other types
 * go through getString and UTF-8.
 *
 * CSV is parsed here (RFC 4180: commas, double quotes, doubled quotes inside quotes, CR/LF, newlines inside
 * quotes) rather than with a library: the forty lines below are all a two-column snapshot needs, and
 * Jackson's CSV module would be one more dependency for the same.
 * JSON lines are parsed with Jackson's streaming parser (already a dependency): the value is the line
 * itself, the key one top-level field of it.
 */
/** Ready-made {@link Source}s: JDBC queries, CSV and JSON-lines files, iterators. */
public final class Sources {

    /** Rows fetched per round trip by the JDBC sources. */
    public static final int FETCH_SIZE = 10_000;

    private Sources() {}

    /** Opens a JDBC connection (for instance a pool's {@code getConnection}). */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection connect() throws SQLException;
    }

    /** Turns the current row of a result set into map entries (any number, usually one). */
    @FunctionalInterface
    public interface RowMapper {
        void map(ResultSet row, Source.Sink sink) throws SQLException;
    }

    // ------------------------------------------------------------------ JDBC

    /**
     * The rows of {@code query} on the database at {@code url} (user and password in the URL or none): the
     * first column is the key, the second the value.
     *
     * <pre>{@code
     * Sources.jdbc("jdbc:postgresql://db/app?user=app", "select name, json from settings")
     * }</pre>
     */
    public static Source jdbc(final String url, final String query) {
        requireText(url, "url");
        return jdbc(() -> DriverManager.getConnection(url), query, columns(1, 2));
    }

    /** The rows of {@code query} as {@code user}: the first column is the key, the second the value. */
    public static Source jdbc(final String url, final String user, final String password, final String query) {
        requireText(url, "url");
        Objects.requireNonNull(user, "user");
        return jdbc(() -> DriverManager.getConnection(url, user, password), query, columns(1, 2));
    }

    /**
     * The rows of {@code query} on connections from {@code connections}, each turned into entries by
     * {@code mapper}; streamed {@value #FETCH_SIZE} rows at a time in a read-only transaction.
     */
    public static Source jdbc(final ConnectionFactory connections, final String query, final RowMapper mapper) {
        Objects.requireNonNull(connections, "connections");
        requireText(query, "query");
        Objects.requireNonNull(mapper, "mapper");
        return new Source() {
            @Override
            public void load(final Sink sink) throws SQLException {
                try (Connection c = connections.connect()) {
                    c.setAutoCommit(false); // PostgreSQL streams only inside a transaction
                    try (PreparedStatement st = c.prepareStatement(query, ResultSet.TYPE_FORWARD_ONLY,
                            ResultSet.CONCUR_READ_ONLY)) {
                        st.setFetchSize(FETCH_SIZE);
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                mapper.map(rs, sink);
                            }
                        }
                    } finally {
                        c.rollback();
                    }
                }
            }

            @Override
            public String toString() {
                return "jdbc query \"" + query + "\"";
            }
        };
    }

    /**
     * A mapper taking the key from column {@code keyColumn} and the value from {@code valueColumn} (1-based):
     * binary columns as they are, PostgreSQL text as its UTF-8 bytes off the wire, anything else as the UTF-8
     * of {@code getString}. A null key fails the reload; a null value is stored as empty.
     */
    public static RowMapper columns(final int keyColumn, final int valueColumn) {
        if (keyColumn < 1) {
            throw new IllegalArgumentException("keyColumn must be at least 1, was " + keyColumn);
        }
        if (valueColumn < 1) {
            throw new IllegalArgumentException("valueColumn must be at least 1, was " + valueColumn);
        }
        return new RowMapper() {
            // Decided on the first row, from the result set's metadata; one reload, one thread.
            private ResultSet seen;
            private boolean keyRaw;
            private boolean valueRaw;

            @Override
            public void map(final ResultSet row, final Source.Sink sink) throws SQLException {
                if (row != seen) {
                    final ResultSetMetaData meta = row.getMetaData();
                    final boolean postgres = row.getStatement().getConnection().getMetaData().getURL()
                            .startsWith("jdbc:postgresql:");
                    keyRaw = raw(meta.getColumnType(keyColumn), postgres);
                    valueRaw = raw(meta.getColumnType(valueColumn), postgres);
                    seen = row;
                }
                final byte[] key = read(row, keyColumn, keyRaw);
                if (key == null) {
                    throw new SQLException("row " + row.getRow() + ": the key column " + keyColumn + " is null");
                }
                final byte[] value = read(row, valueColumn, valueRaw);
                sink.put(key, value == null ? new byte[0] : value);
            }
        };
    }

    private static boolean raw(final int sqlType, final boolean postgres) {
        return switch (sqlType) {
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> true;
            case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR -> postgres;
            default -> false;
        };
    }

    private static byte[] read(final ResultSet row, final int column, final boolean raw) throws SQLException {
        if (raw) {
            return row.getBytes(column);
        }
        final String s = row.getString(column);
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ CSV

    /** A CSV file without a header: the first field of each record is the key, the second the value. */
    public static Source csv(final Path file) {
        Objects.requireNonNull(file, "file");
        return csv(file, null, null);
    }

    /**
     * A CSV file whose first record names the columns: the key and value are the fields of the columns named
     * {@code keyColumn} and {@code valueColumn}.
     */
    public static Source csv(final Path file, final String keyColumn, final String valueColumn) {
        Objects.requireNonNull(file, "file");
        if ((keyColumn == null) != (valueColumn == null)) {
            throw new IllegalArgumentException("keyColumn and valueColumn must both be given or both be null, were "
                    + keyColumn + " and " + valueColumn);
        }
        return new Source() {
            @Override
            public void load(final Sink sink) throws IOException {
                try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    final CsvReader csv = new CsvReader(in);
                    int k = 0;
                    int v = 1;
                    if (keyColumn != null) {
                        final List<String> header = csv.next();
                        if (header == null) {
                            throw new IOException(file + " is empty: expected a header naming " + keyColumn);
                        }
                        k = columnIndex(file, header, keyColumn);
                        v = columnIndex(file, header, valueColumn);
                    }
                    final int needed = Math.max(k, v) + 1;
                    for (List<String> record; (record = csv.next()) != null; ) {
                        if (record.size() == 1 && record.getFirst().isEmpty()) {
                            continue; // a blank line
                        }
                        if (record.size() < needed) {
                            throw new IOException(file + " record " + csv.records + " has " + record.size()
                                    + " fields, needs at least " + needed);
                        }
                        sink.put(record.get(k).getBytes(StandardCharsets.UTF_8),
                                record.get(v).getBytes(StandardCharsets.UTF_8));
                    }
                }
            }

            @Override
            public String toString() {
                return "csv " + file;
            }
        };
    }

    private static int columnIndex(final Path file, final List<String> header, final String name) throws IOException {
        final int i = header.indexOf(name);
        if (i < 0) {
            throw new IOException(file + " has no column \"" + name + "\"; its header is " + header);
        }
        return i;
    }

    /** RFC 4180 records from a reader, one at a time. */
    private static final class CsvReader {
        private final Reader in;
        private long records;
        private int peeked = -2;

        CsvReader(final Reader in) {
            this.in = in;
        }

        /** The next record's fields, or {@code null} at the end of the input. */
        List<String> next() throws IOException {
            int c = read();
            if (c < 0) {
                return null;
            }
            final List<String> fields = new ArrayList<>(4);
            final StringBuilder field = new StringBuilder(64);
            boolean quoted = false;
            for (;; c = read()) {
                if (quoted) {
                    if (c < 0) {
                        throw new IOException("record " + (records + 1) + ": a quoted field is not closed");
                    }
                    if (c == '"') {
                        final int after = read();
                        if (after == '"') {
                            field.append('"');
                        } else {
                            quoted = false;
                            unread(after);
                        }
                    } else {
                        field.append((char) c);
                    }
                } else if (c == '"' && field.isEmpty()) {
                    quoted = true;
                } else if (c == ',') {
                    fields.add(field.toString());
                    field.setLength(0);
                } else if (c == '\n' || c == '\r' || c < 0) {
                    if (c == '\r') {
                        final int after = read();
                        if (after != '\n') {
                            unread(after);
                        }
                    }
                    fields.add(field.toString());
                    records++;
                    return fields;
                } else {
                    field.append((char) c);
                }
            }
        }

        private int read() throws IOException {
            if (peeked != -2) {
                final int c = peeked;
                peeked = -2;
                return c;
            }
            return in.read();
        }

        private void unread(final int c) {
            peeked = c;
        }
    }

    // ------------------------------------------------------------------ JSON lines

    /**
     * A JSON-lines file: every non-blank line is one JSON object, stored whole (its UTF-8 bytes) under the
     * text of its top-level field {@code keyField} (a string, or a number's literal).
     */
    public static Source jsonl(final Path file, final String keyField) {
        Objects.requireNonNull(file, "file");
        requireText(keyField, "keyField");
        final JsonFactory json = JsonFactory.builder().build();
        return new Source() {
            @Override
            public void load(final Sink sink) throws IOException {
                try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    long lineNumber = 0;
                    for (String line; (line = in.readLine()) != null; ) {
                        lineNumber++;
                        if (line.isBlank()) {
                            continue;
                        }
                        final byte[] value = line.strip().getBytes(StandardCharsets.UTF_8);
                        final String key = topLevelField(json, value, keyField);
                        if (key == null) {
                            throw new IOException(file + " line " + lineNumber + " has no top-level field \""
                                    + keyField + "\" holding a string or a number");
                        }
                        sink.put(key.getBytes(StandardCharsets.UTF_8), value);
                    }
                }
            }

            @Override
            public String toString() {
                return "jsonl " + file + " keyed by " + keyField;
            }
        };
    }

    private static String topLevelField(final JsonFactory json, final byte[] object, final String name)
            throws IOException {
        try (JsonParser p = json.createParser(object)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a JSON object: " + new String(object, 0, Math.min(object.length, 80),
                        StandardCharsets.UTF_8));
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                final String field = p.currentName();
                final JsonToken value = p.nextToken();
                if (field.equals(name) && (value == JsonToken.VALUE_STRING || value.isNumeric())) {
                    return p.getText();
                }
                p.skipChildren();
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ iterators

    /** The entries of {@code entries}, iterated afresh on every reload (a map's {@code entrySet()} works). */
    public static Source of(final Iterable<? extends Map.Entry<byte[], byte[]>> entries) {
        Objects.requireNonNull(entries, "entries");
        return sink -> {
            for (final Map.Entry<byte[], byte[]> e : entries) {
                sink.put(e.getKey(), e.getValue());
            }
        };
    }

    /**
     * The entries of {@code entries}, for one reload only: an iterator cannot be read twice, so a second
     * reload from this source fails with {@link IllegalStateException} (use {@link #of(Iterable)} for a
     * scheduled reloader).
     */
    public static Source of(final Iterator<? extends Map.Entry<byte[], byte[]>> entries) {
        Objects.requireNonNull(entries, "entries");
        final AtomicBoolean used = new AtomicBoolean();
        return sink -> {
            if (used.getAndSet(true)) {
                throw new IllegalStateException("this iterator source was read by an earlier reload; "
                        + "use Sources.of(Iterable) to reload more than once");
            }
            while (entries.hasNext()) {
                final Map.Entry<byte[], byte[]> e = entries.next();
                sink.put(e.getKey(), e.getValue());
            }
        };
    }

    private static void requireText(final String s, final String name) {
        Objects.requireNonNull(s, name);
        if (s.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank, was \"" + s + "\"");
        }
    }
}
