package io.bingfa.net;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * A running TCP server in one of the three {@link ServerModel models}, made by {@link Servers} and its
 * {@link ServerBuilder}: Python's {@code socketserver} / gevent's {@code StreamServer} / Tornado's
 * {@code TCPServer}, with the same life cycle in every model.
 *
 * <h2>States</h2>
 * <pre>
 *   RUNNING --shutdown(grace)--&gt; DRAINING --last connection closed--&gt; TERMINATED
 * </pre>
 * A server is listening when {@link ServerBuilder#start()} returns it (there is no "created" state: a
 * server that exists accepts). {@link #shutdown} stops accepting at once (the listening socket is closed,
 * so new clients are refused by the kernel), closes every connection that is waiting for a request, and
 * lets every connection whose request is in hand (read, being handled, reply being written) finish that
 * request, after which it is closed too. Connections still open when {@code grace} has passed are closed
 * forcibly (their threads interrupted). {@link #awaitTermination} waits for the last one.
 *
 * <h2>Limits</h2>
 * Beyond {@link ServerBuilder#maxConnections(int) maxConnections} open connections, a new connection is
 * accepted and closed at once (the client reads end-of-stream instead of hanging in the backlog), counted by
 * {@link #rejected()} and logged at WARN (at most one line a second, with the running count). A connection
 * with nothing to read for {@link ServerBuilder#idleTimeout(Duration) idleTimeout} is closed.
 */
public interface TcpServer extends AutoCloseable {

    ServerModel model();

    /** The address the server listens on (with the real port when it was asked for port 0). */
    InetSocketAddress address();

    /** The port the server listens on. */
    default int port() {
        return address().getPort();
    }

    /** Connections open now (admitted and not yet closed). */
    int connections();

    /** Connections admitted since the start (rejected ones not counted). */
    long accepted();

    /** Connections closed at once because {@code maxConnections} were open. */
    long rejected();

    /** True until {@link #shutdown} or {@link #close()} is called. */
    boolean isRunning();

    /** True once the server stopped accepting and every connection is closed. */
    boolean isTerminated();

    /**
     * Stops accepting and drains: idle connections are closed now, busy ones after their current request,
     * and whatever is still open after {@code grace} is closed forcibly. Returns at once; a second call
     * with a shorter grace shortens it. Never throws for a server that is already shutting down.
     */
    void shutdown(Duration grace);

    /** Waits at most {@code timeout} for termination; true if the server terminated. */
    boolean awaitTermination(Duration timeout);

    /** Waits as long as it takes for termination. */
    void awaitTermination();

    /** {@code shutdown(Duration.ZERO)} and waits for termination: every connection is closed forcibly. */
    @Override
    void close();
}
