package io.bingfa.cli.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cache.testing.LocalPostgres;
import io.bingfa.cli.bench.PythonAnchors;
import io.bingfa.serve.SampleSettings;
import io.bingfa.shard.RedisProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The bench's Python anchor service (anchors/serve_tornado.py) speaks the serve contract, in both its modes,
 * against a real PostgreSQL and a real redis-server; and stopping it stops every worker it forked.
 */
class TornadoAnchorContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static PythonAnchors python;
    private static Path interpreter;
    private static LocalPostgres pg;
    private static RedisProcess redis;
    private static AppsDatabase db;

    @BeforeAll
    static void servers() throws Exception {
        python = PythonAnchors.locate(null);
        final Optional<Path> found = ServeSuite.tornadoPython(python);
        assumeTrue(found.isPresent(), "no python3 that imports tornado, psycopg2 and redis "
                + "(Debian: python3-tornado python3-psycopg2 python3-redis)");
        assumeTrue(LocalPostgres.available(), "PostgreSQL is not installed (Debian: postgresql)");
        assumeTrue(RedisProcess.available(), "redis-server is not installed");
        interpreter = found.get();
        pg = LocalPostgres.start();
        redis = RedisProcess.startNew();
        db = AppsDatabase.create(pg, "contract", 100);
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (python != null) {
            python.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dict", "db"})
    void speaksTheServeContractAndStopsEveryWorker(final String mode) throws Exception {
        final List<Long> workers;
        try (ServiceProcess s = ServiceProcess.start("tornado-" + mode, List.of(interpreter.toString(),
                python.script("serve_tornado.py").toString(), "--processes", "2", "--dsn", db.libpqDsn(),
                "--redis", redis.address(), "--settings", mode), Duration.ofSeconds(60))) {
            assertThat(s.workers()).isEqualTo(2);
            final URI base = s.base();

            final HttpResponse<String> settings = get(base, "/v1/settings/app-000042");
            assertThat(settings.statusCode()).isEqualTo(200);
            assertThat(settings.body()).isEqualTo(SampleSettings.json(42));
            final HttpResponse<String> unknown = get(base, "/v1/settings/app-999999");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).get("error").asText()).contains("app-999999");

            final JsonNode right = challenge(base, "app-000007");
            assertThat(right.get("id").asText()).matches("[0-9a-f]{32}");
            assertThat(right.get("app").asText()).isEqualTo("app-000007");
            assertThat(right.get("question").asText()).matches("[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}"); // 4 + 7 % 5
            assertThat(right.get("expires_in").asInt()).isEqualTo(300);
            final String answer = new StringBuilder(right.get("question").asText()).reverse().toString();
            final HttpResponse<String> ok = verify(base, right.get("id").asText(), answer);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).get("ok").asBoolean()).isTrue();
            final HttpResponse<String> again = verify(base, right.get("id").asText(), answer);
            assertThat(again.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(again.body()).get("error").asText()).contains(right.get("id").asText());

            final JsonNode wrong = challenge(base, "app-000007");
            final HttpResponse<String> no = verify(base, wrong.get("id").asText(), "nope");
            assertThat(no.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(no.body()).get("ok").asBoolean()).isFalse();

            final JsonNode stats = JSON.readTree(get(base, "/v1/stats/app-000007").body());
            assertThat(stats.get("challenges").asLong()).isGreaterThanOrEqualTo(2); // the db mode runs second: 4
            assertThat(stats.get("success").asLong()).isEqualTo(stats.get("failure").asLong());

            assertThat(post(base, "/v1/challenges", "{\"app\":\"app-999999\"}").statusCode()).isEqualTo(404);
            assertThat(post(base, "/v1/challenges", "not json").statusCode()).isEqualTo(400);
            assertThat(get(base, "/no/such/route").statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(get(base, "/health").body()).get("status").asText()).isEqualTo("ok");

            workers = s.alive() ? ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains("--settings " + mode)
                            && p.info().commandLine().orElse("").contains(redis.address()))
                    .map(ProcessHandle::pid).toList() : List.of();
            assertThat(workers).hasSizeGreaterThanOrEqualTo(3); // the parent and its two workers
        }
        for (final long pid : workers) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("pid %d of the stopped service", pid).isFalse();
        }
    }

    private static JsonNode challenge(final URI base, final String app) throws Exception {
        final HttpResponse<String> r = post(base, "/v1/challenges", "{\"app\":\"" + app + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> verify(final URI base, final String id, final String answer) throws Exception {
        return post(base, "/v1/verify", "{\"id\":\"" + id + "\",\"answer\":\"" + answer + "\"}");
    }

    private static HttpResponse<String> get(final URI base, final String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(final URI base, final String path, final String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
