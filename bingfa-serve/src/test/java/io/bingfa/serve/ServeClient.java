package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A small HTTP client for the tests: real sockets, JSON answers. */
final class ServeClient implements AutoCloseable {

    /** One answer: status and body text. */
    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return Reply.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }
    }

    private final String base;
    private final HttpClient http;

    ServeClient(final String base) {
        this.base = base;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    Answer get(final String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    Answer post(final String path, final String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer send(final HttpRequest.Builder request) throws IOException, InterruptedException {
        final HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    /** Issues a challenge for {@code app} and returns {id, answer}. */
    String[] challenge(final String app) throws IOException, InterruptedException {
        final Answer a = post("/v1/challenges", "{\"app\":\"" + app + "\"}");
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        final JsonNode j = a.json();
        return new String[] {j.get("id").asText(), new StringBuilder(j.get("question").asText()).reverse().toString()};
    }

    Answer verify(final String id, final String answer) throws IOException, InterruptedException {
        return post("/v1/verify", "{\"id\":\"" + id + "\",\"answer\":\"" + answer + "\"}");
    }

    static void eventually(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("within 60 s: " + what).isTrue();
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
