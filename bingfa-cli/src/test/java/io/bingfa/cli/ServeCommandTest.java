package io.bingfa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {

    @TempDir
    Path data;

    @Test
    void helpNamesTheContractsOptions() {
        final CliRun run = CliRun.of("serve", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: bingfa serve").contains("--port", "--processes", "--db", "--zk",
                "--apps", "--reload-every", "--data-dir");
    }

    @Test
    void badValuesAreUsageErrorsThatNameThem() {
        final CliRun zero = CliRun.of("serve", "--processes", "0");
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.err()).contains("processes must be between 1 and 256, was 0");
        final CliRun every = CliRun.of("serve", "--reload-every", "soon");
        assertThat(every.exitCode()).isEqualTo(2);
        assertThat(every.err()).contains("reload-every must be like 500ms, 60s, 5m, 1h or PT1M, was 'soon'");
        final CliRun db = CliRun.of("serve", "--db", "postgres://x");
        assertThat(db.exitCode()).isEqualTo(2);
        assertThat(db.err()).contains("jdbcUrl must start with jdbc:, was 'postgres://x'");
    }

    @Test
    void servePrintsItsUrlOnceEveryWorkerAcceptsAndAnswersOnIt() throws Exception {
        final Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--port", "0",
                "--processes", "1", "--apps", "100", "--data-dir", data.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             HttpClient http = HttpClient.newHttpClient()) {
            final Pattern serving = Pattern.compile("serving on (http://127\\.0\\.0\\.1:\\d+) \\(1 workers\\)");
            String line;
            Matcher m = null;
            while ((line = out.readLine()) != null) {
                m = serving.matcher(line);
                if (m.matches()) {
                    break;
                }
            }
            assertThat(m).as("a 'serving on' line").isNotNull();
            assertThat(m.matches()).isTrue();
            final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(m.group(1)
                    + "/v1/settings/app-000099")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("{\"app\":\"app-000099\"");
        } finally {
            p.destroy(); // SIGTERM: the supervisor stops its worker
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
