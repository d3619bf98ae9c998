package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract's routes against a real `bingfa serve`: a supervisor in this JVM, two worker JVMs on one port,
 * the embedded H2 database with generated apps, challenges in the host-local shared map.
 */
class ServeRoutesTest {

    static final int APPS = 2_000;

    @TempDir
    static Path data;
    static Supervisor serve;
    static ServeClient client;

    @BeforeAll
    static void start() {
        serve = Supervisor.start(ServeOptions.defaults(data).withPort(0).withProcesses(2).withApps(APPS)
                .withReloadEvery(Duration.ofMinutes(10)));
        client = new ServeClient(serve.url());
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (serve != null) {
            serve.close();
        }
    }

    @Test
    void settingsAreTheStoredJsonByteForByte() throws Exception {
        for (final int n : new int[] {0, 42, APPS - 1}) {
            final ServeClient.Answer a = client.get("/v1/settings/" + SampleSettings.appId(n));
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).isEqualTo(SampleSettings.json(n));
        }
    }

    /**
     * Regression for the settings route's pooled response buffer (ServeHandler.settings): settings bigger than
     * its first buffer are read again into one of their size and answered whole, from either worker.
     */
    @Test
    void settingsLargerThanOneResponseBufferAreAnsweredWhole() throws Exception {
        final String app = SampleSettings.appId(1234);
        final String big = "{\"app\":\"" + app + "\",\"length\":6,\"alphabet\":\"ABC\",\"ttl_seconds\":300,\"note\":\""
                + "x".repeat(20_000) + "\"}";
        try (Connection c = DriverManager.getConnection(SampleSettings.embeddedUrl(data));
             PreparedStatement update = c.prepareStatement("update apps set settings = ? where app_id = ?")) {
            update.setString(1, big);
            update.setString(2, app);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
        assertThat(client.post("/admin/reload", "").status()).isEqualTo(202);
        for (int i = 0; i < 6; i++) {
            final ServeClient.Answer a = client.get("/v1/settings/" + app);
            assertThat(a.status()).isEqualTo(200);
            assertThat(a.body()).isEqualTo(big);
        }
    }

    @Test
    void unknownAppsAre404WithJson() throws Exception {
        for (final String app : new String[] {"app-999999", "nope", "a%20b", "x".repeat(40)}) {
            final ServeClient.Answer a = client.get("/v1/settings/" + app);
            assertThat(a.status()).as(app).isEqualTo(404);
            assertThat(a.json().get("error").asText()).startsWith("no such app: ");
        }
        assertThat(client.get("/v1/settings/app-999999").json().get("error").asText())
                .isEqualTo("no such app: app-999999");
    }

    @Test
    void challengeThenVerifyConsumesItOnce() throws Exception {
        final ServeClient.Answer issued = client.post("/v1/challenges", "{\"app\":\"app-000042\"}");
        assertThat(issued.status()).isEqualTo(201);
        final JsonNode j = issued.json();
        assertThat(j.get("id").asText()).matches("[0-9a-f]{32}");
        assertThat(j.get("app").asText()).isEqualTo("app-000042");
        assertThat(j.get("expires_in").asInt()).isEqualTo(300);
        final String question = j.get("question").asText();
        assertThat(question).hasSize(4 + 42 % 5).matches("[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]+");

        final String answer = new StringBuilder(question).reverse().toString();
        final ServeClient.Answer first = client.verify(j.get("id").asText(), answer);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"ok\":true}");
        final ServeClient.Answer second = client.verify(j.get("id").asText(), answer);
        assertThat(second.status()).isEqualTo(404);
        assertThat(second.json().get("error").asText()).isEqualTo("unknown or expired challenge: " + j.get("id").asText());
    }

    @Test
    void aWrongAnswerIsOkFalseAndCountedAsFailure() throws Exception {
        final String app = "app-000007";
        final JsonNode before = client.get("/v1/stats/" + app).json();
        final String[] c = client.challenge(app);
        final ServeClient.Answer wrong = client.verify(c[0], c[1] + "X");
        assertThat(wrong.status()).isEqualTo(200);
        assertThat(wrong.body()).isEqualTo("{\"ok\":false,\"reason\":\"wrong answer\"}");
        final String[] d = client.challenge(app);
        assertThat(client.verify(d[0], d[1]).json().get("ok").asBoolean()).isTrue();

        final JsonNode after = client.get("/v1/stats/" + app).json();
        assertThat(after.get("app").asText()).isEqualTo(app);
        assertThat(after.get("challenges").asLong()).isEqualTo(before.get("challenges").asLong() + 2);
        assertThat(after.get("success").asLong()).isEqualTo(before.get("success").asLong() + 1);
        assertThat(after.get("failure").asLong()).isEqualTo(before.get("failure").asLong() + 1);
    }

    @Test
    void challengesIssuedByOneWorkerAreVerifiedByAnother() throws Exception {
        // each client is a new connection, which the kernel hands to either worker; /health says which
        int crossed = 0;
        for (int i = 0; i < 100 && crossed < 5; i++) {
            try (ServeClient a = new ServeClient(serve.url()); ServeClient b = new ServeClient(serve.url())) {
                final int issuer = a.get("/health").json().get("worker").asInt();
                final int verifier = b.get("/health").json().get("worker").asInt();
                final String[] c = a.challenge("app-000100");
                assertThat(b.verify(c[0], c[1]).json().get("ok").asBoolean()).isTrue();
                crossed += issuer != verifier ? 1 : 0;
            }
        }
        assertThat(crossed).as("challenges issued by one worker and verified by the other").isEqualTo(5);
    }

    @Test
    void badRequestsAre4xxWithJsonErrors() throws Exception {
        assertError(client.post("/v1/challenges", "not json"), 400, "body must be a JSON object");
        assertError(client.post("/v1/challenges", "[1,2]"), 400, "body must be a JSON object");
        assertError(client.post("/v1/challenges", "{}"), 400, "app must be a string, was missing");
        assertError(client.post("/v1/challenges", "{\"app\":42}"), 400, "app must be a string, was 42");
        assertError(client.post("/v1/challenges", "{\"app\":\"app-777777\"}"), 404, "no such app: app-777777");
        assertError(client.post("/v1/verify", "{\"id\":\"xyz\",\"answer\":\"A\"}"), 400, "id must be a string of 32 hex");
        assertError(client.post("/v1/verify", "{\"id\":\"" + "a".repeat(32) + "\"}"), 400, "answer must be a string");
        assertError(client.post("/v1/verify", "{\"id\":\"" + "a".repeat(32) + "\",\"answer\":\"A\"}"), 404,
                "unknown or expired challenge: " + "a".repeat(32));
        assertError(client.post("/v1/verify", ""), 400, "body must be a JSON object");
        assertError(client.get("/v1/stats/app-555555"), 404, "no such app: app-555555");
        assertError(client.get("/nowhere"), 404, "no such route: /nowhere");
        assertError(client.get("/v1/challenges"), 405, "method GET not allowed on /v1/challenges, use POST");
        assertError(client.post("/v1/settings/app-000001", "{}"), 405, "method POST not allowed");
        assertError(client.send(HttpRequest.newBuilder(URI.create(serve.url() + "/health"))
                .method("DELETE", HttpRequest.BodyPublishers.noBody())), 405, "method DELETE not allowed");
    }

    @Test
    void bodiesOver16KiBAre413() throws Exception {
        final String big = "{\"app\":\"" + "a".repeat(17 * 1024) + "\"}";
        assertError(client.post("/v1/challenges", big), 413, "request body must be at most 16384 bytes");
        final String justUnder = "{\"app\":\"app-000001\",\"pad\":\"" + "a".repeat(16 * 1024 - 40) + "\"}";
        assertThat(client.post("/v1/challenges", justUnder).status()).isEqualTo(201);
        // chunked (no Content-Length): cut off after 16 KiB + 1 byte
        final HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)));
        assertError(client.send(HttpRequest.newBuilder(URI.create(serve.url() + "/v1/challenges")).POST(chunked)), 413,
                "request body must be at most 16384 bytes");
    }

    @Test
    void garbageOnTheSocketDoesNotHurtTheWorkers() throws Exception {
        final java.net.URI u = URI.create(serve.url());
        for (final String junk : new String[] {"\u0000\u0001\u0002garbage\r\n\r\n", "GET /" + "x".repeat(70_000)
                + " HTTP/1.1\r\nHost: x\r\n\r\n", "POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{",
                "GET /v1/settings/%zz HTTP/1.1\r\nHost: x\r\n\r\n"}) {
            try (Socket s = new Socket(u.getHost(), u.getPort())) {
                s.getOutputStream().write(junk.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                s.setSoTimeout(5_000);
                s.getInputStream().readNBytes(512); // whatever Jetty answers, or the close
            }
        }
        for (int k = 0; k < serve.workers(); k++) {
            assertThat(serve.workerReady(k)).isTrue();
        }
        assertThat(client.get("/v1/settings/app-000001").status()).isEqualTo(200);
    }

    @Test
    void healthMetricsAndDashboardData() throws Exception {
        final JsonNode health = client.get("/health").json();
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("worker").asInt()).isBetween(0, 1);
        assertThat(health.get("pid").asLong()).isIn(serve.workerPid(0), serve.workerPid(1));
        assertThat(health.get("generation").asLong()).isEqualTo(serve.generation()).isPositive();

        final ServeClient.Answer metrics = client.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("bingfa_http_requests_seconds_bucket{", "bingfa_cache_generation ",
                "bingfa_cache_last_reload_seconds ", "bingfa_worker_requests_total{worker=\"0\"}",
                "bingfa_worker_requests_total{worker=\"1\"}", "bingfa_worker_up{worker=\"1\"} 1");

        final JsonNode d = client.get("/api/dashboard").json();
        assertThat(d.get("workers")).hasSize(2);
        assertThat(d.get("workers").get(0).get("up").asBoolean()).isTrue();
        assertThat(d.get("cache").get("entries").asLong()).isEqualTo(APPS);
        assertThat(d.get("store").get("mode").asText()).isEqualTo("local");
        final ServeClient.Answer page = client.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<title>bingfa serve</title>", "/api/dashboard");
    }

    @Test
    void adminReloadPublishesANewGeneration() throws Exception {
        final long before = serve.generation();
        final ServeClient.Answer a = client.post("/admin/reload", "");
        assertThat(a.status()).isEqualTo(202);
        assertThat(a.json().get("generation").asLong()).isGreaterThan(before);
        assertThat(client.get("/health").json().get("generation").asLong()).isGreaterThan(before);
        assertThat(client.get("/v1/settings/app-000001").body()).isEqualTo(SampleSettings.json(1));
    }

    private static void assertError(final ServeClient.Answer a, final int status, final String messageStart) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.json().get("error").asText()).startsWith(messageStart);
    }
}
