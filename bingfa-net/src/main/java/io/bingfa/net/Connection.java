package io.bingfa.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One accepted connection as a {@link ConnectionHandler} sees it: blocking reads and writes on the thread
 * (platform or virtual) that runs the handler. Not thread-safe: only that thread may use it.
 */
public interface Connection {

    /** A number unique within the server, in accept order, for log lines. */
    long id();

    /** The client's address. */
    InetSocketAddress remoteAddress();

    /**
     * Reads at least one byte into {@code buffer}, or returns -1: at end of stream, when the server's idle
     * timeout passed with nothing to read, or when the server is shutting down (gracefully) and this
     * connection has no request in hand.
     *
     * @throws IOException if the connection broke (reset by the peer, forcibly closed by the server)
     */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /** {@link #read(byte[], int, int)} into the whole array. */
    default int read(final byte[] buffer) throws IOException {
        return read(buffer, 0, buffer.length);
    }

    /** Writes all of {@code length} bytes of {@code buffer} from {@code offset}, blocking until they are sent. */
    void write(byte[] buffer, int offset, int length) throws IOException;

    /** Writes the remaining bytes of {@code buffer} in full; its position moves to its limit. */
    void write(ByteBuffer buffer) throws IOException;
}
