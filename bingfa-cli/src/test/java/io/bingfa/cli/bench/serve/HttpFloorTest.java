package io.bingfa.cli.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.cli.bench.CAnchors;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serve suite's floor server (anchors/http_floor.c), compiled with the system's cc and run as the suite runs
 * it: the ready line, one answer per request however the requests are cut into reads, and the whole process
 * tree gone after close.
 */
class HttpFloorTest {

    @TempDir
    Path dir;

    @Test
    void answersEveryRequestOnceWhateverTheReadsAndStopsWithItsWorkers() throws Exception {
        final Optional<String> why = CAnchors.compile("http_floor", dir);
        Assumptions.assumeTrue(why.isEmpty(), () -> "floor not built: " + why.orElse(""));
        final List<ProcessHandle> workers;
        try (ServiceProcess floor = ServiceProcess.start("http-floor",
                List.of(dir.resolve("http_floor").toString(), "2"), Duration.ofSeconds(20))) {
            assertThat(floor.workers()).isEqualTo(2);
            final HttpResponse<String> one = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(floor.base().resolve("/v1/settings/app-000001")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.body()).startsWith("{\"app\":\"app-000001\"").endsWith("}");

            final URI base = floor.base();
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.setSoTimeout(5_000);
                final OutputStream out = s.getOutputStream();
                final String request = "GET /v1/settings/app-000002 HTTP/1.1\r\nHost: x\r\n\r\n";
                // two requests in one write, then a third cut inside its CRLF CRLF
                out.write((request + request + request.substring(0, request.length() - 3)).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(100);
                out.write(request.substring(request.length() - 3).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(answers(s.getInputStream(), 3)).isEqualTo(3);
            }
            workers = ProcessHandle.allProcesses().filter(p -> p.info().command()
                    .map(c -> c.equals(dir.resolve("http_floor").toString())).orElse(false)).toList();
            assertThat(workers).hasSize(3); // the parent and its two workers
        }
        for (final ProcessHandle p : workers) {
            p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** Reads until {@code expected} "HTTP/1.1 200 OK" status lines arrived; returns how many did. */
    private static int answers(final InputStream in, final int expected) throws Exception {
        final StringBuilder seen = new StringBuilder();
        final byte[] buf = new byte[4096];
        int count = 0;
        while (count < expected) {
            final int n = in.read(buf);
            if (n < 0) {
                break;
            }
            seen.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            count = seen.toString().split("HTTP/1.1 200 OK", -1).length - 1;
        }
        return count;
    }
}
