package io.bingfa.net;

/**
 * Owns one connection for its whole life, with blocking reads and writes: the seed's {@code talk(conn)}.
 * Accepted by the blocking models only ({@link ServerModel#THREAD} and {@link ServerModel#VIRTUAL}); the
 * {@link ServerModel#LOOP loop} model refuses it, since a blocking call there would stop every connection.
 *
 * <p>The server closes the connection when {@link #handle} returns or throws. An exception closes that
 * connection only (logged at WARN). {@link Connection#read} returns -1 at end of stream, after the idle
 * timeout, and when a graceful shutdown finds the handler waiting for a request: a handler that loops
 * "read, answer" until -1 drains correctly without knowing about shutdown.
 */
@FunctionalInterface
public interface ConnectionHandler {

    void handle(Connection connection) throws Exception;
}
