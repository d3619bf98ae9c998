package io.bingfa.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.Scheduler;

/*
 * Overview
 * --------
 * Jetty's socket endpoint with one addition: bytes given back with replay() are what the next fill() returns,
 * before anything more is read from the socket, and a fill interest registered while such bytes wait is
 * signalled at once (they are readable now; the socket may never become readable again).
 *
 * Why: SettingsConnection reads a request before it knows that the request is Jetty's, and gives the socket to
 * Jetty's HttpConnection. Jetty's own way to pass such bytes along (Connection.UpgradeTo) puts them in the new
 * connection's buffer, and HttpConnection.onFillable handles bytes already in its buffer differently from bytes
 * it filled: after a request its parser rejects, it registers a fill interest, and when the client's FIN (or
 * more bytes) arrives before the 400 is written, the read of -1 closes the connection and the 400 is lost
 * (measured: 9 of 40 malformed requests followed by a half-close lost their answer; 0 of 40 with plain Jetty).
 * Replayed through fill(), the bytes reach Jetty exactly as if it had read them from the socket itself.
 *
 * A signalled interest runs as the selector would run it: a non-blocking callback on the calling thread (the
 * selector thread that is handing the socket over), any other on the connector's executor.
 */
/** A socket endpoint that can give read bytes back to be filled again (see Overview). */
final class ReplayEndPoint extends SocketChannelEndPoint {

    private final Executor executor;
    /** Bytes to fill before the socket's, in flush mode; null when there are none. */
    private ByteBuffer replay;

    ReplayEndPoint(final SocketChannel channel, final ManagedSelector selector, final SelectionKey key,
                   final Scheduler scheduler, final Executor executor) {
        super(channel, selector, key, scheduler);
        this.executor = executor;
    }

    /** Makes {@code bytes} (not pooled; kept until filled) the next bytes fill() returns. */
    void replay(final ByteBuffer bytes) {
        if (replay != null && replay.hasRemaining()) {
            throw new IllegalStateException("bytes to replay are already waiting: " + replay.remaining());
        }
        replay = bytes.hasRemaining() ? bytes : null;
    }

    @Override
    public int fill(final ByteBuffer buffer) throws IOException {
        if (replay == null) {
            return super.fill(buffer);
        }
        final int n = BufferUtil.append(buffer, replay);
        if (!replay.hasRemaining()) {
            replay = null;
        }
        notIdle();
        return n;
    }

    @Override
    protected void needsFillInterest() {
        if (replay == null) {
            super.needsFillInterest();
        } else if (getFillInterest().getCallbackInvocationType() == Invocable.InvocationType.NON_BLOCKING) {
            getFillInterest().fillable();
        } else {
            executor.execute(getFillInterest()::fillable);
        }
    }
}
