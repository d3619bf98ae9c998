package io.bingfa.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * Jetty's side of a request, kept apart from the routes (Api): method check (405 with Allow), body read with
 * the 16 KiB limit (413 from Content-Length alone, or after reading one byte too many of a chunked body), the
 * call to Api.route, and the bookkeeping: Micrometer timer and the worker's board slot.
 *
 * Threads: the handler declares itself NON_BLOCKING, so Jetty calls handle() on the selector thread that
 * read the request, right after parsing it, with no hand-off. handle() then splits by route (Api.Route.mayWait):
 *
 *   never waits (settings, health, the dashboard page, 404s): answered right there, on the selector thread.
 *       A settings read is one lookup in shared memory and a write of bytes the cache holds already; handing
 *       it to another thread would cost more than answering it (measured: the hand-off to a virtual thread,
 *       the wake-up of its carrier and the re-arming of the connection's epoll interest were most of the
 *       server's CPU per request, docs/bench/serve.txt).
 *   may wait (challenges, verify, stats, reload, metrics, dashboard data): handed to a new virtual thread
 *       (`blocking`), which reads the body, waits for Redis or sleeps; it parks, and the selector goes on.
 *
 * Both paths end in respond(): status, headers, body, the Micrometer timer and the worker's board slot.
 * Anything a route throws is answered with a 500 and logged; Jetty's own errors (bad request line, headers
 * too large) go through JsonErrorHandler.
 */
/** Adapts Jetty requests to {@link Api}. */
final class ServeHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(ServeHandler.class);

    /** The Content-Type of JSON answers, encoded once. */
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, Reply.JSON);

    private final Api api;
    private final ServeMetrics metrics;
    private final WorkerBoard board;
    private final int worker;
    private final Executor blocking;

    /** {@code blocking} runs the routes that may wait (a virtual thread per task). */
    ServeHandler(final Api api, final ServeMetrics metrics, final WorkerBoard board, final int worker,
                 final Executor blocking) {
        super(InvocationType.NON_BLOCKING); // handle() runs on the selector thread (see the overview)
        this.api = api;
        this.metrics = metrics;
        this.board = board;
        this.worker = worker;
        this.blocking = blocking;
    }

    @Override
    public boolean handle(final Request request, final Response response, final Callback callback) {
        final long start = System.nanoTime();
        final String path = request.getHttpURI().getDecodedPath();
        final Api.Route route = Api.Route.of(path == null ? "" : path);
        if (route.mayWait) {
            blocking.execute(() -> respond(request, response, callback, route, path, start));
        } else {
            respond(request, response, callback, route, path, start);
        }
        return true;
    }

    private void respond(final Request request, final Response response, final Callback callback,
                         final Api.Route route, final String path, final long start) {
        Reply reply;
        try {
            reply = answer(request, route, path);
        } catch (RuntimeException | IOException e) {
            LOG.error("{} {} failed", request.getMethod(), path, e);
            reply = Reply.error(500, "internal error");
        }
        response.setStatus(reply.status());
        final HttpFields.Mutable headers = response.getHeaders();
        if (Reply.JSON.equals(reply.contentType())) {
            headers.put(JSON_TYPE);
        } else {
            headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
        }
        if (reply.status() == 405) {
            headers.put(HttpHeader.ALLOW, route.method);
        }
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
        final long nanos = System.nanoTime() - start;
        metrics.record(route, reply.status(), nanos);
        board.answered(worker, reply.status(), nanos / 1_000);
    }

    private Reply answer(final Request request, final Api.Route route, final String path) throws IOException {
        if (route == Api.Route.NOT_FOUND) {
            return Reply.error(404, "no such route: " + cut(path));
        }
        if (!route.method.equals(request.getMethod())) {
            return Reply.error(405, "method " + cut(request.getMethod()) + " not allowed on " + path + ", use "
                    + route.method);
        }
        final byte[] body;
        if ("POST".equals(route.method)) {
            if (request.getLength() > Api.MAX_BODY_BYTES) {
                if (request.getLength() <= DRAIN_LIMIT) {
                    drain(request);
                }
                return Reply.error(413, "request body must be at most " + Api.MAX_BODY_BYTES + " bytes, was "
                        + request.getLength());
            }
            try (InputStream in = Content.Source.asInputStream(request)) {
                body = in.readNBytes(Api.MAX_BODY_BYTES + 1);
                if (body.length > Api.MAX_BODY_BYTES) {
                    drain(in, DRAIN_LIMIT - body.length);
                    return Reply.error(413, "request body must be at most " + Api.MAX_BODY_BYTES + " bytes");
                }
            }
        } else {
            body = new byte[0];
        }
        return api.route(route, path, body);
    }

    /*
     * A refused body is still read (and dropped) when it is of a sane size: answering before the client has
     * sent it and then closing makes the kernel reset the connection over the unread bytes, and the client
     * may lose the 413 with it (seen in CI as "header parser received no bytes"). Beyond DRAIN_LIMIT the
     * answer goes out at once and the client may see a reset instead: nobody sends a megabyte by mistake.
     */
    private static final long DRAIN_LIMIT = 1 << 20;

    private static void drain(final Request request) throws IOException {
        try (InputStream in = Content.Source.asInputStream(request)) {
            drain(in, DRAIN_LIMIT);
        }
    }

    private static void drain(final InputStream in, final long limit) throws IOException {
        final byte[] sink = new byte[8192];
        long left = limit;
        int n;
        while (left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0) {
            left -= n;
        }
    }

    private static String cut(final String s) {
        if (s == null) {
            return "(none)";
        }
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
