package io.bingfa.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcesTest {

    @TempDir
    Path dir;

    private static Map<String, String> read(final Source source) throws Exception {
        final Map<String, String> rows = new LinkedHashMap<>();
        source.load((k, v) -> rows.put(new String(k, StandardCharsets.UTF_8), new String(v, StandardCharsets.UTF_8)));
        return rows;
    }

    @Test
    void csvWithoutHeaderTakesTheFirstTwoFieldsWithQuotesCommasAndNewlines() throws Exception {
        final Path f = dir.resolve("a.csv");
        Files.writeString(f, "a,1\r\nb,\"x, \"\"quoted\"\"\nsecond line\"\n\nc,3,extra\n");
        assertThat(read(Sources.csv(f))).containsExactly(Map.entry("a", "1"),
                Map.entry("b", "x, \"quoted\"\nsecond line"), Map.entry("c", "3"));
    }

    @Test
    void csvWithHeaderPicksNamedColumns() throws Exception {
        final Path f = dir.resolve("h.csv");
        Files.writeString(f, "id,ignored,settings\n7,zz,{\"a\":1}\n8,yy,\"{\"\"b\"\":2}\"");
        assertThat(read(Sources.csv(f, "id", "settings"))).containsExactly(Map.entry("7", "{\"a\":1}"),
                Map.entry("8", "{\"b\":2}"));
        assertThatThrownBy(() -> read(Sources.csv(f, "nope", "settings"))).isInstanceOf(IOException.class)
                .hasMessageContaining("no column \"nope\"");
        final Path shortRecord = dir.resolve("s.csv");
        Files.writeString(shortRecord, "only-one-field\n");
        assertThatThrownBy(() -> read(Sources.csv(shortRecord))).isInstanceOf(IOException.class)
                .hasMessageContaining("record 1 has 1 fields");
        assertThatThrownBy(() -> Sources.csv(f, "id", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsonLinesStoreTheWholeLineUnderATopLevelField() throws Exception {
        final Path f = dir.resolve("a.jsonl");
        Files.writeString(f, "{\"nested\":{\"id\":\"no\"},\"id\":\"app-1\",\"on\":true}\n\n {\"id\": 42, \"x\": [1,2]} \n");
        assertThat(read(Sources.jsonl(f, "id"))).containsExactly(
                Map.entry("app-1", "{\"nested\":{\"id\":\"no\"},\"id\":\"app-1\",\"on\":true}"),
                Map.entry("42", "{\"id\": 42, \"x\": [1,2]}"));
        Files.writeString(f, "{\"id\":\"ok\"}\n{\"other\":1}\n");
        assertThatThrownBy(() -> read(Sources.jsonl(f, "id"))).isInstanceOf(IOException.class)
                .hasMessageContaining("line 2 has no top-level field \"id\"");
        assertThatThrownBy(() -> Sources.jsonl(f, " ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyField must not be blank, was \" \"");
    }

    @Test
    void iterablesAreReadAfreshEachTime() throws Exception {
        final Source s = Sources.of(List.of(Map.entry("k".getBytes(), "v".getBytes())));
        assertThat(read(s)).containsExactly(Map.entry("k", "v"));
        assertThat(read(s)).containsExactly(Map.entry("k", "v"));
    }

    @Test
    void jdbcStreamsAQueryFromAnEmbeddedH2File() throws Exception {
        final String url = "jdbc:h2:" + dir.resolve("settings").toAbsolutePath();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute("create table settings(name varchar(64) primary key, val varchar(200), blob varbinary(8), n int)");
            st.execute("insert into settings select 'app-' || x, 'value-' || x, cast(x as varbinary(8)), x "
                    + "from system_range(1, 2500)");
        }
        final Map<String, String> rows = read(Sources.jdbc(url, "select name, val from settings order by n"));
        assertThat(rows).hasSize(2500).containsEntry("app-1", "value-1").containsEntry("app-2500", "value-2500");
        final Map<String, String> numbers = read(Sources.jdbc(() -> DriverManager.getConnection(url),
                "select n, name from settings where n <= 3 order by n", Sources.columns(1, 2)));
        assertThat(numbers).containsExactly(Map.entry("1", "app-1"), Map.entry("2", "app-2"), Map.entry("3", "app-3"));
        assertThatThrownBy(() -> read(Sources.jdbc(url, "select nope from settings")))
                .isInstanceOf(java.sql.SQLException.class);
        assertThatThrownBy(() -> Sources.columns(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyColumn must be at least 1, was 0");
    }
}
