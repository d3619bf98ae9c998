package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract's generated settings and the embedded H2 table. */
class SampleSettingsTest {

    @TempDir
    Path dir;

    @Test
    void settingsAre150To250BytesOfValidSettingsAndTheSameForTheSameApp() {
        for (int n = 0; n < 100_000; n += 997) {
            final String json = SampleSettings.json(n);
            assertThat(json.getBytes(StandardCharsets.UTF_8).length).as(json).isBetween(150, 250);
            assertThat(json).isEqualTo(SampleSettings.json(n)).contains("\"app\":\"" + SampleSettings.appId(n) + "\"");
            final AppSettings s = AppSettings.parse(SampleSettings.appId(n), json.getBytes(StandardCharsets.UTF_8));
            assertThat(s.length()).isBetween(4, 8);
            assertThat(s.ttlSeconds()).isEqualTo(300);
        }
        assertThat(SampleSettings.appId(42)).isEqualTo("app-000042");
        assertThatThrownBy(() -> SampleSettings.appId(-1)).hasMessage("n must not be negative, was -1");
    }

    @Test
    void theEmbeddedTableIsCreatedOnceAndRefilledWhenTheCountChanges() throws Exception {
        final String url = SampleSettings.embeddedUrl(dir);
        assertThat(SampleSettings.create(url, 500)).isTrue();
        assertThat(SampleSettings.create(url, 500)).as("already there").isFalse();
        assertThat(SampleSettings.create(url, 700)).isTrue();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select settings from apps where app_id = 'app-000699'")) {
            assertThat(r.next()).isTrue();
            assertThat(r.getString(1)).isEqualTo(SampleSettings.json(699));
        }
        assertThatThrownBy(() -> SampleSettings.create(url, 0)).hasMessage("count must be at least 1, was 0");
    }

    @Test
    void badSettingsAreNamedByField() {
        assertThatThrownBy(() -> AppSettings.parse("x", "{\"length\":0,\"alphabet\":\"AB\",\"ttl_seconds\":5}"
                .getBytes(StandardCharsets.UTF_8))).hasMessage("settings of x: length must be an integer from 1 to 64, was 0");
        assertThatThrownBy(() -> AppSettings.parse("x", "{\"length\":3,\"ttl_seconds\":5}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("settings of x: alphabet must be a string");
        assertThatThrownBy(() -> AppSettings.parse("x", "nope".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("settings of x are not JSON");
    }

    @Test
    void optionsAreChecked() {
        final ServeOptions o = ServeOptions.defaults(dir);
        assertThatThrownBy(() -> o.withProcesses(0)).hasMessage("processes must be between 1 and 256, was 0");
        assertThatThrownBy(() -> o.withPort(70_000)).hasMessage("port must be between 0 and 65535, was 70000");
        assertThatThrownBy(() -> o.withDatabase("postgres://x")).hasMessage("jdbcUrl must start with jdbc:, was 'postgres://x'");
        assertThatThrownBy(() -> o.withApps(0)).hasMessage("apps must be at least 1, was 0");
        assertThatThrownBy(() -> o.withReloadEvery(java.time.Duration.ZERO)).hasMessage("reloadEvery must be positive, was PT0S");
    }
}
