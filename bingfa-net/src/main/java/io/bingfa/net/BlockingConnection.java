package io.bingfa.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Connection} of the blocking models: a {@link Socket} read and written by the one thread (platform
 * or virtual) that runs the handler, with a small state word that makes graceful shutdown exact.
 *
 * <h2>States</h2>
 * <pre>
 *   BUSY    -&gt; WAITING   read() begins to wait for a request (no request in hand)
 *   WAITING -&gt; BUSY      read() returned bytes (a request is in hand), end of stream or the idle timeout
 *   WAITING -&gt; CLOSED    drain(): the server shuts down while this connection waits; its socket is closed
 *   any     -&gt; CLOSED    close() when the handler is done, forceClose() when the grace is over
 * </pre>
 * Shutdown first makes the server's state DRAINING, then calls {@link #drain()} on every connection. A
 * read that starts afterwards sees DRAINING and returns -1 without waiting; a read already waiting is
 * closed by {@code drain()}. The read checks the server's state after its BUSY -&gt; WAITING CAS, and
 * {@code drain()} checks for WAITING after the state change, so no waiting read is missed by both. A BUSY
 * connection is left alone: its handler finishes the request, and its next read returns -1.
 */
final class BlockingConnection implements Connection {

    static final int BUSY = 0;
    static final int WAITING = 1;
    static final int CLOSED = 2;

    private final long id;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ServerLifecycle life;
    private final AtomicInteger state = new AtomicInteger(BUSY);
    // Written by the handler's thread before the handler runs; read by forceClose() from the grace thread.
    private volatile Thread thread;
    private volatile boolean idleTimedOut;

    BlockingConnection(final long id, final Socket socket, final ServerLifecycle life) throws IOException {
        this.id = id;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.life = life;
    }

    private boolean casState(final int expected, final int next) {
        return state.compareAndSet(expected, next);
    }

    void runsOn(final Thread t) {
        this.thread = t;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) socket.getRemoteSocketAddress();
    }

    @Override
    public int read(final byte[] buffer, final int offset, final int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length == 0) {
            return 0;
        }
        if (!life.isRunning() || !casState(BUSY, WAITING)) {
            return -1; // shutting down, or closed
        }
        if (!life.isRunning() && casState(WAITING, BUSY)) {
            return -1; // shutdown began between the two checks; drain() may have seen us BUSY
        }
        final int n;
        try {
            n = in.read(buffer, offset, length);
        } catch (SocketTimeoutException e) {
            idleTimedOut = true;
            casState(WAITING, BUSY);
            return -1;
        } catch (IOException e) {
            if (!casState(WAITING, BUSY)) {
                return -1; // drain() closed the socket under the read: a graceful end, not an error
            }
            throw e;
        }
        if (!casState(WAITING, BUSY)) {
            return -1; // drained while the bytes arrived: the request was not in hand when shutdown began
        }
        return n;
    }

    @Override
    public void write(final byte[] buffer, final int offset, final int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        out.write(buffer, offset, length);
    }

    @Override
    public void write(final ByteBuffer buffer) throws IOException {
        if (buffer.hasArray()) {
            out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            buffer.position(buffer.limit());
            return;
        }
        final byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        out.write(copy);
    }

    /** True if the last read ended because the idle timeout passed. */
    boolean idleTimedOut() {
        return idleTimedOut;
    }

    /** Graceful shutdown: closes the socket if the handler is waiting for a request; a busy one is left to finish. */
    void drain() {
        if (casState(WAITING, CLOSED)) {
            closeSocket();
        }
    }

    /** The grace is over: closes the socket whatever the handler is doing, and interrupts its thread. */
    void forceClose() {
        state.set(CLOSED);
        closeSocket();
        final Thread t = thread; // may be null if the handler has not started: closing the socket is enough then
        if (t != null) {
            t.interrupt();
        }
    }

    /** The handler is done (returned or threw). */
    void close() {
        state.set(CLOSED);
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to tell the peer
        }
    }

    @Override
    public String toString() {
        return "connection " + id + " from " + socket.getRemoteSocketAddress();
    }
}
