package io.bingfa.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.bingfa.shard.ShardException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * The service's routes (the contract in docs/design-serve.md), as plain methods from a request to a Reply,
 * with no HTTP library in sight: ServeHandler adapts Jetty to route(); tests call it over real HTTP.
 *
 * Request path of the hot routes (threads: see ServeHandler; with --zk each on its own virtual thread, so
 * waiting for Redis parks it):
 *   GET  /v1/settings/{app}  SettingsStore.get: one read of the shared map's current generation, bytes as stored
 *                            (ServeHandler calls settingsInto, which copies them into the response's buffer)
 *   POST /v1/challenges      settings -> AppSettings; code of `length` chars of `alphabet` (SecureRandom);
 *                            the record "app\nanswer" (answer = the code reversed) stored with ttl_seconds;
 *                            counter ISSUED
 *   POST /v1/verify          ChallengeStore.take (atomic get-and-delete) -> compare in constant time ->
 *                            counter SUCCESS or FAILURE of the challenge's own app
 *
 * Bad input: every field is checked (type, length, pattern) before it reaches a store; answers name what was
 * wrong. An app id must pass isAppId (at most 32 characters of [A-Za-z0-9._-]) or it is "no such app"; a
 * challenge id must be 32 hex characters. A client can name only an app id and a challenge id, and a verify
 * counts for the app stored with the challenge, so no request reads or changes another app's data beyond
 * what the routes show for any app. A store failure (Redis unreachable) is a 503; anything unexpected a 500
 * (logged), never a dead worker.
 */
/** The routes of {@code bingfa serve}: request in, {@link Reply} out. */
final class Api {

    private static final Logger LOG = LoggerFactory.getLogger(Api.class);

    /** Largest request body accepted (413 beyond). */
    static final int MAX_BODY_BYTES = 16 * 1024;
    /** Longest answer accepted. */
    static final int MAX_ANSWER = 256;
    /** How long POST /admin/reload waits for the supervisor to finish the reload before answering anyway. */
    static final Duration RELOAD_WAIT = Duration.ofSeconds(30);

    /** Longest app id; an id is 1 to MAX_APP_ID characters of [A-Za-z0-9._-] (isAppId). */
    static final int MAX_APP_ID = 32;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final HexFormat HEX = HexFormat.of();

    /**
     * The routes, with the method each accepts (405 for the others) and whether answering it may wait even
     * with the host-local challenge store: reload sleeps until the supervisor has reloaded, metrics and the
     * dashboard data render the whole board. ServeHandler answers the others (a few reads and writes of shared
     * memory) on the selector thread when the store is host-local; see ServeHandler for --zk.
     */
    enum Route {
        SETTINGS("GET", false), CHALLENGES("POST", false), VERIFY("POST", false), STATS("GET", false),
        HEALTH("GET", false), METRICS("GET", true), RELOAD("POST", true), DASHBOARD("GET", false),
        DASHBOARD_DATA("GET", true), NOT_FOUND(null, false);

        final String method;
        final boolean mayWait;

        Route(final String method, final boolean mayWait) {
            this.method = method;
            this.mayWait = mayWait;
        }

        /** The route of {@code path} (decoded, without the query). */
        static Route of(final String path) {
            if (path.startsWith(SETTINGS_PREFIX)) {
                return SETTINGS;
            }
            if (path.startsWith("/v1/stats/")) {
                return STATS;
            }
            return switch (path) {
                case "/v1/challenges" -> CHALLENGES;
                case "/v1/verify" -> VERIFY;
                case "/health" -> HEALTH;
                case "/metrics" -> METRICS;
                case "/admin/reload" -> RELOAD;
                case "/", "/index.html" -> DASHBOARD;
                case "/api/dashboard" -> DASHBOARD_DATA;
                default -> NOT_FOUND;
            };
        }
    }

    private final int worker;
    private final SettingsStore settings;
    private final ChallengeStore challenges;
    private final WorkerBoard board;
    private final ServeMetrics metrics;
    private final SecureRandom random = new SecureRandom();
    private final byte[] dashboardPage;

    Api(final int worker, final SettingsStore settings, final ChallengeStore challenges, final WorkerBoard board,
        final ServeMetrics metrics) {
        this.worker = worker;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.challenges = Objects.requireNonNull(challenges, "challenges");
        this.board = Objects.requireNonNull(board, "board");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.dashboardPage = resource("dashboard.html");
    }

    private static byte[] resource(final String name) {
        try (InputStream in = Api.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }

    /** The path prefix of the settings route; the app id follows it. */
    static final String SETTINGS_PREFIX = "/v1/settings/";

    /** Answers one request whose method and route were checked already; {@code body} is empty for GETs. */
    Reply route(final Route route, final String path, final byte[] body) {
        try {
            return switch (route) {
                case SETTINGS -> settings(path.substring(SETTINGS_PREFIX.length()));
                case CHALLENGES -> issue(body);
                case VERIFY -> verify(body);
                case STATS -> stats(path.substring("/v1/stats/".length()));
                case HEALTH -> Reply.json(200, health());
                case METRICS -> Reply.text(200, ServeMetrics.CONTENT_TYPE, metrics.scrape());
                case RELOAD -> reload();
                case DASHBOARD -> new Reply(200, "text/html; charset=utf-8", dashboardPage);
                case DASHBOARD_DATA -> Reply.json(200, dashboard());
                case NOT_FOUND -> Reply.error(404, "no such route: " + path);
            };
        } catch (ShardException e) {
            LOG.warn("challenge store failed on {}: {}", path, e.getMessage());
            return Reply.error(503, "challenge store unavailable: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- settings, challenges, verify, stats

    private Reply settings(final String app) {
        final byte[] json = lookup(app);
        return json == null ? noSuchApp(app) : Reply.rawJson(200, json);
    }

    /**
     * GET /v1/settings/{app} without allocating: copies the app's settings into {@code dst} (see
     * {@link SettingsStore#get(String, ByteBuffer)}); -1 when {@code app} is not an app id or no such app.
     * ServeHandler writes {@code dst} (a pooled direct buffer) as the body, so a read is one copy out of shared
     * memory; the answer is the same as route()'s.
     */
    int settingsInto(final String app, final ByteBuffer dst) {
        return isAppId(app) ? settings.get(app, dst) : -1;
    }

    private byte[] lookup(final String app) {
        return isAppId(app) ? settings.get(app) : null;
    }

    /**
     * Whether {@code app} is 1 to {@link #MAX_APP_ID} characters of [A-Za-z0-9._-]: a loop rather than a regex
     * because every settings read asks (a Matcher per request showed up in the profile).
     */
    static boolean isAppId(final String app) {
        final int n = app.length();
        if (n < 1 || n > MAX_APP_ID) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            final char c = app.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    static Reply noSuchApp(final String app) {
        return Reply.error(404, "no such app: " + (app.length() > 64 ? app.substring(0, 64) + "..." : app));
    }

    private Reply issue(final byte[] body) {
        final JsonNode request = parseObject(body);
        if (request == null) {
            return Reply.error(400, "body must be a JSON object like {\"app\":\"app-000042\"}");
        }
        final JsonNode appNode = request.get("app");
        if (appNode == null || !appNode.isTextual()) {
            return Reply.error(400, "app must be a string, was " + describe(appNode));
        }
        final String app = appNode.asText();
        final byte[] json = lookup(app);
        if (json == null) {
            return noSuchApp(app);
        }
        final AppSettings s;
        try {
            s = AppSettings.parse(app, json);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}", e.getMessage());
            return Reply.error(500, e.getMessage());
        }
        final String id = newId();
        final String code = code(s);
        challenges.issue(id, app, app + "\n" + new StringBuilder(code).reverse(), Duration.ofSeconds(s.ttlSeconds()));
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("app", app);
        out.put("question", code);
        out.put("expires_in", s.ttlSeconds());
        return Reply.json(201, out);
    }

    private String newId() {
        final byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }

    private String code(final AppSettings s) {
        final String alphabet = s.alphabet();
        final StringBuilder code = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            code.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return code.toString();
    }

    private Reply verify(final byte[] body) {
        final JsonNode request = parseObject(body);
        if (request == null) {
            return Reply.error(400, "body must be a JSON object like {\"id\":\"...\",\"answer\":\"...\"}");
        }
        final JsonNode idNode = request.get("id");
        if (idNode == null || !idNode.isTextual() || !ID.matcher(idNode.asText()).matches()) {
            return Reply.error(400, "id must be a string of 32 hex characters, was " + describe(idNode));
        }
        final JsonNode answerNode = request.get("answer");
        if (answerNode == null || !answerNode.isTextual() || answerNode.asText().length() > MAX_ANSWER) {
            return Reply.error(400, "answer must be a string of at most " + MAX_ANSWER + " characters, was "
                    + describe(answerNode));
        }
        final String id = idNode.asText();
        final String record = challenges.take(id);
        if (record == null) {
            return Reply.error(404, "unknown or expired challenge: " + id);
        }
        final int newline = record.indexOf('\n');
        final String app = record.substring(0, newline);
        final byte[] expected = record.substring(newline + 1).getBytes(StandardCharsets.UTF_8);
        final boolean ok = MessageDigest.isEqual(expected, answerNode.asText().getBytes(StandardCharsets.UTF_8));
        challenges.count(app, ok ? ChallengeStore.Counter.SUCCESS : ChallengeStore.Counter.FAILURE);
        return ok ? Reply.json(200, Map.of("ok", true))
                : Reply.json(200, orderedMap("ok", false, "reason", "wrong answer"));
    }

    private Reply stats(final String app) {
        if (lookup(app) == null) {
            return noSuchApp(app);
        }
        final long[] n = challenges.counts(app);
        final Map<String, Object> out = new LinkedHashMap<>();
        out.put("app", app);
        out.put("challenges", n[ChallengeStore.Counter.ISSUED.ordinal()]);
        out.put("success", n[ChallengeStore.Counter.SUCCESS.ordinal()]);
        out.put("failure", n[ChallengeStore.Counter.FAILURE.ordinal()]);
        return Reply.json(200, out);
    }

    /** The body as a JSON object, or null if it is not one. */
    private static JsonNode parseObject(final byte[] body) {
        try {
            final JsonNode n = Reply.MAPPER.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A client's value for an error message: its JSON, cut short. */
    private static String describe(final JsonNode n) {
        if (n == null) {
            return "missing";
        }
        final String s = n.toString();
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    private static Map<String, Object> orderedMap(final Object... keysAndValues) {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    // ---------------------------------------------------------------- health, reload, dashboard

    Map<String, Object> health() {
        return orderedMap("status", "ok", "worker", worker, "pid", ProcessHandle.current().pid(),
                "generation", board.generation());
    }

    private Reply reload() {
        final long sequence = board.requestReload();
        final long deadline = System.nanoTime() + RELOAD_WAIT.toNanos();
        try {
            while (!board.reloadDone(sequence) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Reply.json(202, orderedMap("generation", board.generation(), "done", board.reloadDone(sequence)));
    }

    /** The dashboard's figures: every worker's slot of the board, the cache, the challenge store. */
    Map<String, Object> dashboard() {
        final long now = System.currentTimeMillis();
        final List<Map<String, Object>> workers = new ArrayList<>();
        for (final WorkerBoard.Slot s : board.slots()) {
            workers.add(orderedMap("worker", s.worker(), "pid", s.pid(),
                    "up", s.ready() && now - s.heartbeatMillis() < 3 * Worker.HEARTBEAT.toMillis(),
                    "started", s.startedMillis(), "requests", s.requests(), "client_errors", s.clientErrors(),
                    "server_errors", s.serverErrors(), "latency_micros", s.latencyMicros(), "restarts", s.restarts(),
                    "latency_buckets", s.buckets()));
        }
        return orderedMap("now", now, "answered_by", worker,
                "cache", orderedMap("generation", board.generation(), "entries", board.entries(),
                        "reloads", board.reloads(), "failed_reloads", board.failedReloads(),
                        "last_reload", board.lastReloadMillis(), "last_reload_micros", board.lastReloadMicros()),
                "latency_bucket_bounds_micros", BoardLayout.BUCKET_BOUNDS_MICROS,
                "workers", workers, "store", challenges.describe());
    }
}
