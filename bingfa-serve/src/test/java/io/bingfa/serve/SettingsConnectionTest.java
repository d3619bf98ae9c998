package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.cache.ReloadableMap;
import io.bingfa.cache.Reloader;
import io.bingfa.cache.SharedMapOptions;
import io.bingfa.cache.Sources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings fast path on the wire: Worker's real Jetty server in this JVM (the worker's connector, handler and
 * Api over a real shared settings map and host-local challenge store), driven through raw sockets so that the
 * bytes, the pipelining, the hand-off to Jetty and the connection's life can be checked exactly.
 */
class SettingsConnectionTest {

    @TempDir
    static Path dir;
    static ReloadableMap map;
    static WorkerBoard board;
    static LocalChallengeStore challenges;
    static SharedSettings settings;
    static Server server;
    static int port;
    /** The same, with the handler of --zk: every request Jetty handles runs on a virtual thread of its own. */
    static Server blockingServer;
    static int blockingPort;

    static final String BIG_APP = "app-big";
    static final String BIG = "{\"app\":\"app-big\",\"length\":6,\"alphabet\":\"ABC\",\"ttl_seconds\":300,\"note\":\""
            + "x".repeat(20_000) + "\"}";

    @BeforeAll
    static void start() throws Exception {
        map = ReloadableMap.create(dir.resolve("settings"), SharedMapOptions.builder().expectedEntries(1_024)
                .averageKeySize(12).averageValueSize(200).build());
        final List<Map.Entry<byte[], byte[]>> rows = new ArrayList<>();
        for (int n = 0; n < 100; n++) {
            rows.add(Map.entry(bytes(SampleSettings.appId(n)), bytes(SampleSettings.json(n))));
        }
        rows.add(Map.entry(bytes(BIG_APP), bytes(BIG)));
        Reloader.builder(map).source(Sources.of(rows)).build().reloadNow();
        board = WorkerBoard.create(dir.resolve("board"), 1);
        challenges = LocalChallengeStore.create(dir.resolve("challenges"));
        settings = SharedSettings.open(dir.resolve("settings"));
        final ServeMetrics metrics = new ServeMetrics(0, board, challenges::describe);
        final Api api = new Api(0, settings, challenges, board, metrics);
        final ServeHandler handler = new ServeHandler(api, metrics, board, 0, false,
                Executors.newVirtualThreadPerTaskExecutor());
        server = Worker.server("127.0.0.1", 0, handler, api);
        server.start();
        port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        blockingServer = Worker.server("127.0.0.1", 0, new ServeHandler(api, metrics, board, 0, true,
                Executors.newVirtualThreadPerTaskExecutor()), api);
        blockingServer.start();
        blockingPort = ((ServerConnector) blockingServer.getConnectors()[0]).getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        for (final Server s : new Server[] {server, blockingServer}) {
            if (s != null) {
                s.stop();
            }
        }
        for (final AutoCloseable c : new AutoCloseable[] {settings, challenges, board, map}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static byte[] bytes(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String get(final String app, final String fields) {
        return "GET /v1/settings/" + app + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + "\r\n";
    }

    /** One HTTP/1.1 response read off a socket: status, headers (lower-case names) and body. */
    record Answer(int status, Map<String, String> headers, String body) {}

    private static Answer read(final InputStream in) throws IOException {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            final int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head: " + head);
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        final String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        final Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            final int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(java.util.Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        final int length = Integer.parseInt(headers.get("content-length"));
        final byte[] body = in.readNBytes(length);
        assertThat(body).hasSize(length);
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static Set<EndPoint> endPoints() {
        return endPoints(server);
    }

    private static Set<EndPoint> endPoints(final Server srv) {
        return new HashSet<>(((ServerConnector) srv.getConnectors()[0]).getConnectedEndPoints());
    }

    private static Connection serverSideOf(final Socket s) {
        return serverSideOf(server, s);
    }

    /** The server side of {@code s}: a SettingsConnection while on the fast path, Jetty's after a hand-off. */
    private static Connection serverSideOf(final Server srv, final Socket s) {
        for (final EndPoint e : endPoints(srv)) {
            if (e.getRemoteSocketAddress() instanceof InetSocketAddress a && a.getPort() == s.getLocalPort()) {
                return e.getConnection();
            }
        }
        throw new AssertionError("no server connection for local port " + s.getLocalPort());
    }

    @Test
    void plainReadsAreAnsweredByteForByteAsJettyWouldAndTheConnectionStaysOnTheFastPath() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            for (final int n : new int[] {0, 42, 99}) {
                s.getOutputStream().write(bytes(get(SampleSettings.appId(n), "User-Agent: curl/8\r\nAccept: */*\r\n")));
                final Answer a = read(s.getInputStream());
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.headers()).containsEntry("content-type", Reply.JSON).hasSize(2);
                assertThat(a.body()).isEqualTo(SampleSettings.json(n));
            }
            assertThat(serverSideOf(s)).isInstanceOf(SettingsConnection.class);
        }
    }

    @Test
    void javasHttpClientIsServedByTheFastPath() throws Exception {
        final Set<EndPoint> before = endPoints();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            final HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v1/settings/" + SampleSettings.appId(7))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(SampleSettings.json(7));
            final Set<EndPoint> opened = endPoints();
            opened.removeAll(before);
            assertThat(opened).singleElement().extracting(EndPoint::getConnection)
                    .isInstanceOf(SettingsConnection.class);
        }
    }

    @Test
    void unknownAppsAre404WithTheRoutesJson() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(bytes(get("app-999999", "")));
            final Answer a = read(s.getInputStream());
            assertThat(a.status()).isEqualTo(404);
            assertThat(a.body()).isEqualTo("{\"error\":\"no such app: app-999999\"}");
        }
    }

    @Test
    void settingsLargerThanTheFirstBufferAreAnsweredWhole() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(bytes(get(BIG_APP, "")));
            assertThat(read(s.getInputStream()).body()).isEqualTo(BIG);
        }
    }

    @Test
    void pipelinedReadsAreAnsweredInOrder() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            final StringBuilder all = new StringBuilder();
            for (int n = 0; n < 50; n++) {
                all.append(get(n % 10 == 9 ? "no-such-app" : SampleSettings.appId(n), ""));
            }
            s.getOutputStream().write(bytes(all.toString()));
            for (int n = 0; n < 50; n++) {
                final Answer a = read(s.getInputStream());
                if (n % 10 == 9) {
                    assertThat(a.status()).isEqualTo(404);
                } else {
                    assertThat(a.body()).as("answer %d", n).isEqualTo(SampleSettings.json(n));
                }
            }
        }
    }

    @Test
    void aHeadArrivingInPiecesIsAnsweredOnceWhole() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setTcpNoDelay(true);
            final byte[] request = bytes(get(SampleSettings.appId(5), "Accept: */*\r\n"));
            for (int i = 0; i < request.length; i += 7) {
                s.getOutputStream().write(request, i, Math.min(7, request.length - i));
                s.getOutputStream().flush();
                Thread.sleep(2);
            }
            assertThat(read(s.getInputStream()).body()).isEqualTo(SampleSettings.json(5));
        }
    }

    /**
     * The client sends many reads of the 20 KB settings without reading answers, so the socket's send buffer
     * fills and an answer's write cannot complete at once: the connection waits for it, then goes on with the
     * requests it had buffered. Every answer arrives whole and in order.
     */
    @Test
    void aWriteThatMustWaitForTheClientResumesWithTheBufferedRequests() throws Exception {
        final int count = 400; // 8 MB of answers: more than loopback's socket buffers hold
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", port));
            final StringBuilder all = new StringBuilder();
            for (int n = 0; n < count; n++) {
                all.append(get(n % 2 == 0 ? BIG_APP : SampleSettings.appId(n % 100), ""));
            }
            s.getOutputStream().write(bytes(all.toString()));
            Thread.sleep(300);
            for (int n = 0; n < count; n++) {
                final Answer a = read(s.getInputStream());
                assertThat(a.body()).as("answer %d", n)
                        .isEqualTo(n % 2 == 0 ? BIG : SampleSettings.json(n % 100));
            }
        }
    }

    @Test
    void connectionCloseIsAnsweredWithConnectionCloseAndThenTheServerCloses() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            // the read after the close request must not be answered
            s.getOutputStream().write(bytes(get(SampleSettings.appId(1), "Connection: close\r\n")
                    + get(SampleSettings.appId(2), "")));
            final Answer a = read(s.getInputStream());
            assertThat(a.body()).isEqualTo(SampleSettings.json(1));
            assertThat(a.headers()).containsEntry("connection", "close");
            s.setSoTimeout(5_000);
            assertThat(s.getInputStream().read()).as("end of stream after the last answer").isEqualTo(-1);
        }
    }

    @Test
    void otherRequestsGoToJettyFromTheirFirstByteAndStayThere() throws Exception {
        for (final Server srv : new Server[] {server, blockingServer}) {
            otherRequestsGoToJetty(srv);
        }
    }

    private static void otherRequestsGoToJetty(final Server srv) throws Exception {
        try (Socket s = new Socket("127.0.0.1", ((ServerConnector) srv.getConnectors()[0]).getLocalPort())) {
            final String post = "POST /v1/challenges HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 20\r\n\r\n{\"app\":\"app-000003\"}";
            // fast, then one for Jetty and a fast one behind it in the same write (pipelined)
            s.getOutputStream().write(bytes(get(SampleSettings.appId(3), "")));
            assertThat(read(s.getInputStream()).body()).isEqualTo(SampleSettings.json(3));
            s.getOutputStream().write(bytes(post + get(SampleSettings.appId(4), "")));
            final Answer challenge = read(s.getInputStream());
            assertThat(challenge.status()).isEqualTo(201);
            assertThat(challenge.body()).contains("\"id\"");
            assertThat(read(s.getInputStream()).body()).isEqualTo(SampleSettings.json(4));
            assertThat(serverSideOf(srv, s)).isNotInstanceOf(SettingsConnection.class);
            s.getOutputStream().write(bytes("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
            assertThat(read(s.getInputStream()).body()).contains("\"status\":\"ok\"");
        }
    }

    @Test
    void requestsTheFastPathRefusesGetJettysAnswers() throws Exception {
        final String pad = "X-Pad: " + "p".repeat(9_000) + "\r\n";
        final Object[][] cases = {
            {"GET /v1/settings/app-000001 HTTP/1.1\r\nHost: x\r\n" + pad + "\r\n", 431},
            {"GET /v1/settings/app-000001 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Length: 3\r\n\r\n0\r\n\r\n", 400},
            {"GET /v1/settings/app-000001 HTTP/1.1\r\n\r\n", 400},
            {"GET /v1/settings/app-000001?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", 200},
            {"GET /v1/settings/app-00000%31 HTTP/1.1\r\nHost: x\r\n\r\n", 200},
            {"GET /v1/settings/app-000001 HTTP/1.0\r\n\r\n", 200},
        };
        for (final Object[] c : cases) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write(bytes((String) c[0]));
                s.setSoTimeout(5_000);
                final Answer a = read(s.getInputStream());
                assertThat(a.status()).as((String) c[0]).isEqualTo(c[1]);
                if (a.status() == 200) {
                    assertThat(a.body()).isEqualTo(SampleSettings.json(1));
                } else {
                    assertThat(a.headers().get("content-type")).as("Jetty's errors are JSON too").contains("json");
                }
            }
        }
    }

    /**
     * Regression: with the unanswered bytes handed to Jetty in its connection's buffer (Connection.UpgradeTo),
     * a request Jetty rejects, followed at once by the client's half-close, lost its 400 in 9 of 40 tries: Jetty
     * registered a fill interest after the bad message, read the FIN and closed before the answer was written.
     * Replayed through ReplayEndPoint.fill, Jetty reads them as from the socket, as with no fast path. Both
     * handler modes: answered on the selector (host-local store) and on a virtual thread each (--zk).
     */
    @Test
    void aRejectedRequestFollowedByAHalfCloseStillGetsItsAnswer() throws Exception {
        final String[] rejected = {
            "GET /v1/settings/app-000001 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3"
                    + "\r\n\r\n0\r\n\r\n",
            "GET /v1/settings/app-000001 HTTP/1.1\r\n\r\n",
            "\u0001\u0002 garbage\r\n\r\n",
        };
        for (final int p : new int[] {port, blockingPort}) {
            for (int i = 0; i < 60; i++) {
                try (Socket s = new Socket("127.0.0.1", p)) {
                    s.getOutputStream().write(bytes(rejected[i % rejected.length]));
                    s.shutdownOutput();
                    s.setSoTimeout(5_000);
                    assertThat(read(s.getInputStream()).status()).as("try %d on port %d", i, p).isEqualTo(400);
                }
            }
        }
    }

    @Test
    void fastReadsAreCountedLikeEveryOtherRequest() throws Exception {
        final long before = board.slot(0).requests();
        try (Socket s = new Socket("127.0.0.1", port)) {
            for (int n = 0; n < 25; n++) {
                s.getOutputStream().write(bytes(get(SampleSettings.appId(n), "")));
                read(s.getInputStream());
            }
        }
        assertThat(board.slot(0).requests() - before).isEqualTo(25);
    }
}
