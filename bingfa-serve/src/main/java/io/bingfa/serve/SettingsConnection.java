package io.bingfa.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * The first connection of every accepted socket: it answers the service's hot request, GET /v1/settings/{app},
 * itself, and gives the socket to Jetty's HTTP/1.1 connection (HttpConnectionFactory) at the first request it
 * does not recognize. Why by hand: settings reads are the service's load, and per read Jetty's parser, request
 * and response objects and generator cost about as much CPU as the kernel's loopback work (docs/design-serve.md,
 * "Settings fast path"); Netty and Helidon cost the same. Only the one request shape that SettingsHead accepts
 * (a GET with no body, no framing fields, strict syntax) is answered here; every other request, including
 * every malformed one, reaches Jetty untouched, from its first byte, and stays with Jetty for the rest of the
 * connection, so Jetty's limits and compliance rules decide everything that is not a plain settings read.
 *
 * States (all on the selector thread that owns the endpoint, never two at once):
 *
 *   READING   fill() into `in`; answer every complete head in it, in order (pipelining); when a head is
 *             incomplete, read more; when fill() finds nothing, fillInterested() and return
 *   WRITING   an answer did not go out in one flush (the socket's buffer was full): nothing is read until the
 *             write completes; its callback (on the selector) resumes READING where it stopped
 *   HANDED    a head was not ours: the unconsumed bytes go back to the endpoint (ReplayEndPoint.replay) and
 *             EndPoint.upgrade() gives the socket to a new HttpConnection, which reads them first; this object
 *             is done
 *   CLOSING   the client sent "Connection: close": after the answer, shutdownOutput(), then read and drop
 *             until the client closes (closing at once over unread bytes would reset the connection and may
 *             lose the answer)
 *
 * READING -> WRITING -> READING, READING -> HANDED, READING|WRITING -> CLOSING -> closed; a failed write or
 * an exception closes the connection (logged). Idle timeouts are the endpoint's, as for Jetty's connection.
 *
 * An answer is one pooled direct buffer: the settings are copied out of the shared map at HEAD_ROOM, the
 * response head is written just before them, and one write() sends both. The answer's bytes are what Jetty
 * sends for the same request (status line, Content-Type, Content-Length, Connection: close when asked), and
 * the request is counted like every other (ServeHandler.count: the Micrometer timer and the worker's board),
 * from the clock reading taken when its bytes were read.
 */
/** Answers plain settings reads on a socket and hands it to Jetty's HTTP/1.1 at the first other request. */
final class SettingsConnection extends AbstractConnection.NonBlocking {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsConnection.class);

    /** Input buffer: room for a head of MAX_HEAD bytes and a pipelined one behind it. */
    private static final int IN_BUFFER = 2 * SettingsHead.MAX_HEAD;
    private static final byte[] OK = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_FOUND = "HTTP/1.1 404 Not Found\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "HTTP/1.1 500 Internal Server Error\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE_AND_LENGTH = ("Content-Type: " + Reply.JSON + "\r\nContent-Length: ")
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "\r\nConnection: close".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Room left before the body for the response head: the longest one (a 500 with a ten-digit length). */
    private static final int HEAD_ROOM = ERROR.length + TYPE_AND_LENGTH.length + 10 + CLOSE.length + END.length;

    private enum State { READING, WRITING, HANDED, CLOSING }

    private final ReplayEndPoint endPoint;
    private final Connector connector;
    private final ConnectionFactory http;
    private final ServeHandler handler;
    private final Api api;
    private final ByteBufferPool pool;
    private final SettingsHead head = new SettingsHead();
    private final Callback written = new Written();

    private State state = State.READING;
    /** Bytes read and not yet answered (flush mode), or null when there are none (returned to the pool). */
    private RetainableByteBuffer in;
    /** The answer being written. */
    private RetainableByteBuffer out;
    /** True while write() runs: a write that completes inside it is carried on by the writer, not by Written. */
    private boolean inWrite;
    /** Whether the current answer is the last one (the request asked to close). */
    private boolean lastAnswer;

    SettingsConnection(final ReplayEndPoint endPoint, final Connector connector, final ConnectionFactory http,
                       final ServeHandler handler, final Api api) {
        super(endPoint, connector.getExecutor());
        this.endPoint = endPoint;
        this.connector = connector;
        this.http = http;
        this.handler = handler;
        this.api = api;
        this.pool = connector.getByteBufferPool();
    }

    @Override
    public void onOpen() {
        super.onOpen();
        fillInterested();
    }

    @Override
    public void onFillable() {
        try {
            read();
        } catch (Throwable e) {
            fail(e);
        }
    }

    /** READING (or CLOSING): answers what is buffered, reads more, until the socket has nothing more now. */
    private void read() throws Exception {
        while (true) {
            if (state == State.READING && in != null) {
                answerBuffered();
                if (state == State.READING && in == null) {
                    // all answered: wait for the next request rather than try a read that would most likely
                    // find nothing (one read system call per request, as Jetty's own connection does)
                    fillInterested();
                    return;
                }
            }
            if (state == State.WRITING || state == State.HANDED) {
                return; // Written resumes, or Jetty's connection has the socket
            }
            if (in == null) {
                in = pool.acquire(IN_BUFFER, true);
            }
            final ByteBuffer buffer = in.getByteBuffer();
            if (state == State.CLOSING) {
                buffer.clear().limit(0); // drop what the client still sends
            }
            BufferUtil.compact(buffer);
            final int n = endPoint.fill(buffer);
            if (n < 0) {
                releaseIn();
                endPoint.close();
                return;
            }
            if (n == 0) {
                if (!buffer.hasRemaining()) {
                    releaseIn(); // an idle connection holds no buffer
                }
                fillInterested();
                return;
            }
        }
    }

    /**
     * Answers the complete heads in {@code in}, in order, while the state stays READING: it leaves READING when
     * an answer could not be written at once (WRITING), a head is not ours (HANDED) or the client asked to
     * close (CLOSING).
     */
    private void answerBuffered() {
        final ByteBuffer buffer = in.getByteBuffer();
        final long start = System.nanoTime();
        while (state == State.READING && buffer.hasRemaining()) {
            final int length = head.parse(buffer);
            if (length == SettingsHead.INCOMPLETE) {
                return;
            }
            if (length == SettingsHead.NOT_MINE) {
                handToJetty();
                return;
            }
            final String app = head.app(buffer);
            buffer.position(buffer.position() + length);
            lastAnswer = head.close();
            answer(app, start);
        }
        if (state == State.READING && !buffer.hasRemaining()) {
            releaseIn();
        }
    }

    /** Writes the answer for {@code app}: WRITING until Written sees it out (perhaps inside write() itself). */
    private void answer(final String app, final long start) {
        Reply error = null;
        try {
            out = ServeHandler.settingsBuffer(api, pool, app, HEAD_ROOM);
            if (out == null) {
                error = Api.noSuchApp(app);
            }
        } catch (RuntimeException e) {
            error = ServeHandler.internalError("GET", Api.SETTINGS_PREFIX + app, e);
        }
        final int status = error == null ? 200 : error.status();
        if (error != null) {
            out = pool.acquire(HEAD_ROOM + error.body().length, true);
            final ByteBuffer o = out.getByteBuffer();
            o.clear().position(HEAD_ROOM);
            o.put(error.body()).limit(o.position()).position(HEAD_ROOM);
        }
        putHead(out.getByteBuffer(), status);
        handler.count(Api.Route.SETTINGS, status, start);
        state = State.WRITING;
        inWrite = true;
        try {
            endPoint.write(written, out.getByteBuffer());
        } finally {
            inWrite = false;
        }
    }

    /**
     * Writes the response head for the body between HEAD_ROOM and {@code o}'s limit so that it ends where the
     * body starts; {@code o} then holds both, from its position.
     */
    private void putHead(final ByteBuffer o, final int status) {
        final byte[] line = status == 200 ? OK : status == 404 ? NOT_FOUND : ERROR;
        final int length = o.limit() - HEAD_ROOM;
        final int digits = digits(length);
        final int headLength = line.length + TYPE_AND_LENGTH.length + digits + (lastAnswer ? CLOSE.length : 0)
                + END.length;
        o.position(HEAD_ROOM - headLength);
        o.put(line).put(TYPE_AND_LENGTH);
        int at = o.position() + digits;
        for (int v = length; at > o.position(); v /= 10) {
            o.put(--at, (byte) ('0' + v % 10));
        }
        o.position(o.position() + digits);
        if (lastAnswer) {
            o.put(CLOSE);
        }
        o.put(END);
        o.position(HEAD_ROOM - headLength);
    }

    private static int digits(final int value) {
        int n = 1;
        for (int v = value; v >= 10; v /= 10) {
            n++;
        }
        return n;
    }

    /** The end of a write: back to READING (or CLOSING after the last answer). */
    private final class Written implements Callback {

        @Override
        public void succeeded() {
            out.release();
            out = null;
            if (lastAnswer) {
                state = State.CLOSING;
                endPoint.shutdownOutput();
            } else {
                state = State.READING;
            }
            if (inWrite) {
                return; // answerBuffered() goes on
            }
            try {
                read();
            } catch (Throwable e) {
                fail(e);
            }
        }

        @Override
        public void failed(final Throwable x) {
            if (out != null) {
                out.release();
                out = null;
            }
            fail(x);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    /**
     * HANDED: the bytes not answered (the request that is not ours and any after it) go back to the endpoint
     * (ReplayEndPoint), and a new HttpConnection takes the socket and reads them as if from the socket itself.
     */
    private void handToJetty() {
        state = State.HANDED;
        final ByteBuffer buffer = in.getByteBuffer();
        final ByteBuffer unconsumed = ByteBuffer.allocate(buffer.remaining());
        unconsumed.put(buffer).flip();
        releaseIn();
        endPoint.replay(unconsumed);
        endPoint.upgrade(http.newConnection(connector, endPoint));
    }

    @Override
    public void onClose(final Throwable cause) {
        releaseIn();
        super.onClose(cause);
    }

    /** Closes the connection; a client that went away (an I/O error) is routine, as for Jetty's connections. */
    private void fail(final Throwable e) {
        if (e instanceof IOException) {
            LOG.debug("settings connection {} closed: {}", endPoint.getRemoteSocketAddress(), e.toString());
        } else {
            LOG.warn("settings connection {} failed, closing it", endPoint.getRemoteSocketAddress(), e);
        }
        releaseIn();
        endPoint.close(e);
    }

    private void releaseIn() {
        if (in != null) {
            in.release();
            in = null;
        }
    }

    /**
     * The connector's first connection factory: every accepted socket starts as a SettingsConnection and moves
     * to {@code http}'s connection at its first request that is not a plain settings read.
     */
    static final class Factory extends AbstractConnectionFactory {

        /** The protocol name on the connector; not one a client negotiates. */
        static final String PROTOCOL = "bingfa-settings";

        private final HttpConnectionFactory http;
        private final ServeHandler handler;
        private final Api api;

        Factory(final HttpConnectionFactory http, final ServeHandler handler, final Api api) {
            super(PROTOCOL);
            this.http = http;
            this.handler = handler;
            this.api = api;
        }

        @Override
        public Connection newConnection(final Connector connector, final EndPoint endPoint) {
            if (!(endPoint instanceof ReplayEndPoint replay)) {
                throw new IllegalStateException("the settings fast path needs the connector's endpoints to be "
                        + "ReplayEndPoint (Worker.server), was " + endPoint.getClass().getName());
            }
            return configure(new SettingsConnection(replay, connector, http, handler, api), connector, endPoint);
        }
    }
}
