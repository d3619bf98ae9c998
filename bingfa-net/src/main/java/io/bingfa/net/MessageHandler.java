package io.bingfa.net;

import java.nio.ByteBuffer;

/**
 * Bytes in, bytes out: what the server does with what one read returned. Every model accepts it; it is the
 * only handler the {@link ServerModel#LOOP loop} model accepts, because it never blocks the loop.
 *
 * <p>A "message" is whatever one read returned (at most the server's read buffer size), as in the seed's
 * {@code msg = conn.recv(1024); conn.send(msg.upper())}: TCP has no message boundaries and this interface
 * adds none. A handler that needs framing keeps its partial frame between calls (one handler instance per
 * server serves all connections, so per-connection state needs a {@link ConnectionHandler} instead).
 *
 * <p>Buffer ownership: {@code received} belongs to the server and is valid only during the call. The handler
 * may transform it in place and return it (no allocation: {@link Handlers#upperCaseEcho()} does this), or
 * return a buffer of its own. The returned buffer's remaining bytes are written in full before the next
 * read on that connection; {@code null} or an empty buffer sends nothing.
 *
 * <p>An exception closes that connection only (logged at WARN); the server and the other connections go on.
 * Implementations must be thread-safe: the blocking models call one instance from many threads.
 */
@FunctionalInterface
public interface MessageHandler {

    /** The reply to {@code received} (position to limit are the bytes read); null or empty for none. */
    ByteBuffer handle(ByteBuffer received) throws Exception;
}
