package io.bingfa.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Executor;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * Jetty's side of a request, kept apart from the routes (Api). A plain GET /v1/settings/{app} never gets here:
 * SettingsConnection answers it before Jetty parses anything (docs/design-serve.md, "Settings fast path"); a
 * settings read in any other form (a query string, HTTP/1.0, percent-encoding) does, and settings() gives the
 * same answer. For every request: method check (405 with Allow), body read with
 * the 16 KiB limit (413 from Content-Length alone, or after reading one byte too many of a chunked body), the
 * call to Api.route, and the bookkeeping: Micrometer timer and the worker's board slot (finish()).
 *
 * Threads: two modes, fixed per worker by whether the challenge store waits on the network.
 *
 *   host-local store (no --zk): the handler is NON_BLOCKING, so Jetty calls handle() on the selector thread
 *       that read the request, right after parsing it, with no hand-off. Every route whose answer is a few
 *       reads and writes of shared memory is answered right there: settings (one lookup, copied from the shared
 *       map straight into a pooled direct buffer that is the response body: settings()),
 *       challenges, verify and stats (the host's SharedMap), health, the page, 404/405/413. A POST body is
 *       read without blocking (BodyReader: read() what has arrived, demand() the rest; the selector thread
 *       calls back when it comes). The routes that may wait (Api.Route.mayWait: reload sleeps while the
 *       supervisor reloads, metrics and dashboard data render the whole board) go to a new virtual thread
 *       (`blocking`), which parks without holding up the selector. Measured: handing every request to a
 *       virtual thread (wake its carrier, re-arm the connection's epoll interest: two epoll_ctl and a futex
 *       per request) was about half of the server's CPU per settings read (docs/bench/serve.txt).
 *   --zk (challenges in ShardedRedis): the handler is BLOCKING, so Jetty runs each request on a virtual
 *       thread of its pool (Worker.server) and waiting for Redis parks that virtual thread; the body is read
 *       with a blocking stream. Answering a Redis route on the selector thread would stall every connection
 *       of the worker for a network round trip.
 *
 * Latency (Micrometer timer, board) runs from Jetty's Request.getBeginNanoTime, the clock reading Jetty took
 * when the request's first bytes were parsed, to just after the response write was issued.
 *
 * Anything a route throws is answered with a 500 and logged; Jetty's own errors (bad request line, headers
 * too large) go through JsonErrorHandler.
 */
/** Adapts Jetty requests to {@link Api}. */
final class ServeHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(ServeHandler.class);

    /** The Content-Type of JSON answers, encoded once. */
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, Reply.JSON);
    private static final byte[] NO_BODY = new byte[0];

    private final Api api;
    private final ServeMetrics metrics;
    private final WorkerBoard board;
    private final int worker;
    private final boolean onSelector;
    private final Executor blocking;

    /**
     * {@code storeWaits}: the challenge store waits on the network (Redis), so every request runs on a virtual
     * thread; otherwise requests are answered on the selector thread and {@code blocking} (a virtual thread per
     * task) runs the routes that may wait.
     */
    ServeHandler(final Api api, final ServeMetrics metrics, final WorkerBoard board, final int worker,
                 final boolean storeWaits, final Executor blocking) {
        super(storeWaits ? InvocationType.BLOCKING : InvocationType.NON_BLOCKING);
        this.api = api;
        this.metrics = metrics;
        this.board = board;
        this.worker = worker;
        this.onSelector = !storeWaits;
        this.blocking = blocking;
    }

    @Override
    public boolean handle(final Request request, final Response response, final Callback callback) {
        final long start = request.getBeginNanoTime(); // Jetty's clock reading when the request arrived
        final String path = request.getHttpURI().getDecodedPath();
        final Api.Route route = Api.Route.of(path == null ? "" : path);
        if (route == Api.Route.SETTINGS && route.method.equals(request.getMethod())) {
            settings(request, response, callback, path, start); // either thread: a read of shared memory
        } else if (!onSelector) {
            finish(response, callback, route, start, answerBlocking(request, route, path));
        } else if (route.mayWait) {
            blocking.execute(() -> finish(response, callback, route, start, answerBlocking(request, route, path)));
        } else {
            final Reply refused = refuse(request, route, path);
            if (refused != null) {
                finish(response, callback, route, start, refused);
            } else if ("POST".equals(route.method)) {
                new BodyReader(request, (body, reply) -> finish(response, callback, route, start,
                        reply != null ? reply : guarded(request, route, path, body))).run();
            } else {
                finish(response, callback, route, start, guarded(request, route, path, NO_BODY));
            }
        }
        return true;
    }

    /** Writes {@code reply} and counts it. */
    private void finish(final Response response, final Callback callback, final Api.Route route, final long start,
                        final Reply reply) {
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
        count(route, reply.status(), start);
    }

    /** The request's figures: the worker's Micrometer timer and its board slot (SettingsConnection's too). */
    void count(final Api.Route route, final int status, final long start) {
        final long nanos = System.nanoTime() - start;
        metrics.record(route, status, nanos);
        board.answered(worker, status, nanos / 1_000);
    }

    /** First guess at a settings body's size: one bucket of Jetty's buffer pool; larger settings retry. */
    private static final int SETTINGS_BUFFER = 4096;

    /*
     * GET /v1/settings/{app} in a form SettingsConnection leaves to Jetty: the settings are copied straight out
     * of the shared map into a direct buffer from Jetty's pool (settingsBuffer), which is the body Jetty writes
     * (one writev with the headers, no copy into a heap array, no copy of that array into the JDK's temporary
     * direct buffer); the buffer goes back to the pool when the write completes.
     */
    private void settings(final Request request, final Response response, final Callback callback, final String path,
                          final long start) {
        final String app = path.substring(Api.SETTINGS_PREFIX.length());
        final RetainableByteBuffer buffer;
        try {
            buffer = settingsBuffer(api, request.getComponents().getByteBufferPool(), app, 0);
        } catch (RuntimeException e) {
            finish(response, callback, Api.Route.SETTINGS, start, internalError(request.getMethod(), path, e));
            return;
        }
        if (buffer == null) {
            finish(response, callback, Api.Route.SETTINGS, start, Api.noSuchApp(app));
            return;
        }
        response.setStatus(200);
        response.getHeaders().put(JSON_TYPE);
        response.write(true, buffer.getByteBuffer(), Callback.from(callback, buffer::release));
        count(Api.Route.SETTINGS, 200, start);
    }

    /**
     * The settings of {@code app} copied out of the shared map into a pooled direct buffer, starting at
     * {@code offset} (position there, limit at their end), or null when there is no such app; the caller
     * releases it. Settings larger than the first guess are read again into a buffer of their size (a reload
     * between the two reads may change the size again: then a third try, and so on). Used by both settings
     * paths: this handler and SettingsConnection.
     */
    static RetainableByteBuffer settingsBuffer(final Api api, final ByteBufferPool pool, final String app,
                                               final int offset) {
        int size = offset + SETTINGS_BUFFER;
        while (true) {
            final RetainableByteBuffer buffer = pool.acquire(size, true);
            final ByteBuffer out = buffer.getByteBuffer();
            out.clear().position(offset);
            final int room = out.remaining();
            final int length;
            try {
                length = api.settingsInto(app, out);
            } catch (RuntimeException e) {
                buffer.release();
                throw e;
            }
            if (length < 0) {
                buffer.release();
                return null;
            }
            if (length <= room) {
                out.limit(offset + length).position(offset);
                return buffer;
            }
            buffer.release();
            size = offset + length;
        }
    }

    /** 404 for no route, 405 for the wrong method, else null. */
    private static Reply refuse(final Request request, final Api.Route route, final String path) {
        if (route == Api.Route.NOT_FOUND) {
            return Reply.error(404, "no such route: " + cut(path));
        }
        if (!route.method.equals(request.getMethod())) {
            return Reply.error(405, "method " + cut(request.getMethod()) + " not allowed on " + path + ", use "
                    + route.method);
        }
        return null;
    }

    /** Api.route, with anything it throws turned into a logged 500. */
    private Reply guarded(final Request request, final Api.Route route, final String path, final byte[] body) {
        try {
            return api.route(route, path, body);
        } catch (RuntimeException e) {
            return internalError(request.getMethod(), path, e);
        }
    }

    /** The logged 500 of a request that failed in our code (SettingsConnection's too). */
    static Reply internalError(final String method, final String path, final Exception e) {
        LOG.error("{} {} failed", method, path, e);
        return Reply.error(500, "internal error");
    }

    private static Reply tooLarge(final long length) {
        return Reply.error(413, "request body must be at most " + Api.MAX_BODY_BYTES + " bytes"
                + (length >= 0 ? ", was " + length : ""));
    }

    // ---------------------------------------------------------------- on a virtual thread: blocking reads

    /** The whole answer on a thread that may block: refusal, body (blocking stream), route. */
    private Reply answerBlocking(final Request request, final Api.Route route, final String path) {
        try {
            final Reply refused = refuse(request, route, path);
            if (refused != null) {
                return refused;
            }
            final byte[] body;
            if ("POST".equals(route.method)) {
                if (request.getLength() > Api.MAX_BODY_BYTES) {
                    if (request.getLength() <= DRAIN_LIMIT) {
                        drain(request);
                    }
                    return tooLarge(request.getLength());
                }
                try (InputStream in = Content.Source.asInputStream(request)) {
                    body = in.readNBytes(Api.MAX_BODY_BYTES + 1);
                    if (body.length > Api.MAX_BODY_BYTES) {
                        drain(in, DRAIN_LIMIT - body.length);
                        return tooLarge(-1);
                    }
                }
            } else {
                body = NO_BODY;
            }
            return api.route(route, path, body);
        } catch (RuntimeException | IOException e) {
            return internalError(request.getMethod(), path, e);
        }
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

    // ---------------------------------------------------------------- on the selector thread: BodyReader

    /** What a BodyReader hands on: the body, or the reply that refuses it (then body is null). */
    @FunctionalInterface
    private interface BodyDone {
        void accept(byte[] body, Reply refusal);
    }

    /**
     * Reads a POST body without blocking, with the same limits as answerBlocking: read() the chunks that have
     * arrived; when none is there, demand() and return (Jetty calls run() again from the selector thread when
     * bytes arrive: the demand task is NON_BLOCKING). States: COLLECTING (copying into `bytes`, at most
     * MAX_BODY_BYTES + 1) -> DRAINING (refused: reading and dropping up to DRAIN_LIMIT, as answerBlocking
     * does) -> done, exactly once, from run().
     */
    private final class BodyReader implements Runnable {

        private final Request request;
        private final BodyDone done;
        private final Invocable.Task again = Invocable.from(InvocationType.NON_BLOCKING, this);
        private byte[] bytes;
        private int filled;
        private long seen;
        private long drainUpTo;
        private Reply refusal;

        BodyReader(final Request request, final BodyDone done) {
            this.request = request;
            this.done = done;
            final long length = request.getLength();
            if (length > Api.MAX_BODY_BYTES) {
                refusal = tooLarge(length);
                drainUpTo = length <= DRAIN_LIMIT ? DRAIN_LIMIT : 0;
            } else {
                // one byte more than allowed, so that a body past the limit shows itself
                bytes = new byte[length >= 0 ? (int) length + 1 : Api.MAX_BODY_BYTES + 1];
            }
        }

        @Override
        public void run() {
            if (refusal != null && seen >= drainUpTo) {
                done.accept(null, refusal);
                return;
            }
            while (true) {
                final Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(again);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    done.accept(null, internalError(request.getMethod(), request.getHttpURI().getPath(),
                            new IOException("reading the body failed", chunk.getFailure())));
                    return;
                }
                final boolean last = chunk.isLast();
                final ByteBuffer data = chunk.getByteBuffer();
                final int n = data.remaining();
                if (refusal == null) {
                    final int copy = Math.min(n, bytes.length - filled);
                    data.get(bytes, filled, copy);
                    filled += copy;
                    if (filled > Api.MAX_BODY_BYTES) {
                        refusal = tooLarge(-1);
                        drainUpTo = DRAIN_LIMIT;
                    }
                }
                seen += n;
                chunk.release();
                if (refusal != null && (last || seen >= drainUpTo)) {
                    done.accept(null, refusal);
                    return;
                }
                if (last) {
                    done.accept(Arrays.copyOf(bytes, filled), null);
                    return;
                }
            }
        }
    }

    private static String cut(final String s) {
        if (s == null) {
            return "(none)";
        }
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
