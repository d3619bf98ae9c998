package io.bingfa.net;

import io.bingfa.internal.Durations;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@link TcpServer}, the same for the three models; each may be set once (a second call is
 * an {@link IllegalStateException}, as in Caffeine's builders). Made by {@link Servers}.
 *
 * <pre>{@code
 * TcpServer server = Servers.virtual(Handlers.upperCaseEcho())
 *         .port(8081).maxConnections(10_000).idleTimeout(Duration.ofMinutes(5))
 *         .start();
 * }</pre>
 *
 * <p>Defaults: bind 127.0.0.1 (the seed's address; pass {@code "0.0.0.0"} to serve other hosts), port 0 (a
 * free port; read it with {@link TcpServer#port()}), backlog 1024, at most 10,000 connections, no idle
 * timeout, no SO_REUSEPORT, reads of 1,024 bytes (the seed's {@code recv(1024)}), and the seed's
 * upper-casing echo as the handler.
 */
public final class ServerBuilder {

    /** The default listen backlog. */
    public static final int DEFAULT_BACKLOG = 1024;
    /** The default limit of open connections. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** The default read size: the seed's {@code conn.recv(1024)}. */
    public static final int DEFAULT_BUFFER_SIZE = 1024;
    private static final int MAX_BUFFER_SIZE = 16 << 20;

    private final ServerModel model;
    private final Set<String> set = new HashSet<>();
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port;
    private int backlog = DEFAULT_BACKLOG;
    private int maxConnections = DEFAULT_MAX_CONNECTIONS;
    private Duration idleTimeout = Duration.ZERO;
    private boolean reusePort;
    private int bufferSize = DEFAULT_BUFFER_SIZE;
    private MessageHandler messageHandler;
    private ConnectionHandler connectionHandler;

    ServerBuilder(final ServerModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    private void once(final String setting) {
        if (!set.add(setting)) {
            throw new IllegalStateException(setting + " was already set");
        }
    }

    public ServerModel model() {
        return model;
    }

    /** The local address to listen on (default: the loopback address). */
    public ServerBuilder bindAddress(final InetAddress address) {
        once("bindAddress");
        this.bindAddress = Objects.requireNonNull(address, "address");
        return this;
    }

    /** The local address to listen on, by name or literal ({@code "0.0.0.0"}, {@code "::1"}). */
    public ServerBuilder bindAddress(final String host) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, was '" + host + "'");
        }
        try {
            return bindAddress(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("host must be an address or a known name, was '" + host + "'", e);
        }
    }

    /** The port, 0 to 65535; 0 (the default) asks the kernel for a free one. */
    public ServerBuilder port(final int port) {
        once("port");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        this.port = port;
        return this;
    }

    /** The listen backlog (default 1024; the kernel caps it at net.core.somaxconn). */
    public ServerBuilder backlog(final int backlog) {
        once("backlog");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
        }
        this.backlog = backlog;
        return this;
    }

    /** Connections open at once (default 10,000); beyond it a new connection is accepted and closed at once. */
    public ServerBuilder maxConnections(final int maxConnections) {
        once("maxConnections");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        this.maxConnections = maxConnections;
        return this;
    }

    /**
     * A connection with nothing to read for this long is closed; {@link Duration#ZERO} (the default) for
     * never. Kept to the millisecond (a positive value below one millisecond counts as one).
     */
    public ServerBuilder idleTimeout(final Duration idleTimeout) {
        once("idleTimeout");
        this.idleTimeout = Durations.requireNonNegative(idleTimeout, "idleTimeout");
        return this;
    }

    /** SO_REUSEPORT on the listening socket, so that several servers (in several processes) share one port. */
    public ServerBuilder reusePort(final boolean reusePort) {
        once("reusePort");
        this.reusePort = reusePort;
        return this;
    }

    /** Bytes of one read (default 1,024): the most a {@link MessageHandler} gets at once. */
    public ServerBuilder bufferSize(final int bufferSize) {
        once("bufferSize");
        if (bufferSize < 1 || bufferSize > MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException("bufferSize must be between 1 and " + MAX_BUFFER_SIZE + ", was " + bufferSize);
        }
        this.bufferSize = bufferSize;
        return this;
    }

    /** The handler, for any model (default: {@link Handlers#upperCaseEcho()}). */
    public ServerBuilder handler(final MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
        once("handler");
        this.messageHandler = handler;
        return this;
    }

    /**
     * A handler that owns each connection with blocking reads and writes: thread and virtual models only.
     *
     * @throws IllegalArgumentException for the loop model, which must never block
     */
    public ServerBuilder connectionHandler(final ConnectionHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (!model.blocking()) {
            throw new IllegalArgumentException("the " + model + " model takes a MessageHandler only (a blocking "
                    + "ConnectionHandler would stop the loop); use the thread or virtual model, or handler(MessageHandler)");
        }
        once("handler");
        this.connectionHandler = handler;
        return this;
    }

    /** The settings as a value. */
    public ServerOptions options() {
        return new ServerOptions(model, bindAddress, port, backlog, maxConnections, idleTimeout, reusePort, bufferSize);
    }

    private MessageHandler messageHandlerOrDefault() {
        return messageHandler != null ? messageHandler : Handlers.upperCaseEcho();
    }

    /**
     * Binds, starts accepting and returns the running server.
     *
     * @throws java.io.UncheckedIOException if the address cannot be bound (in use, not local)
     */
    public TcpServer start() {
        final ServerOptions o = options();
        if (!model.blocking()) {
            return LoopServer.start(o, messageHandlerOrDefault());
        }
        final ConnectionHandler h = connectionHandler != null ? connectionHandler
                : Handlers.perMessage(messageHandlerOrDefault(), bufferSize);
        return BlockingServer.start(o, h);
    }

    /**
     * Starts {@code processes} child JVMs that each run this server on the same port with SO_REUSEPORT (the
     * kernel spreads new connections over them): the seeds' "multiple processes + coroutines". With port 0,
     * a free port is chosen first. The handler must be {@link Serializable} ({@link Handlers#upperCaseEcho()}
     * is; for a lambda, cast it to {@code (MessageHandler & Serializable)}). Returns once every child listens.
     *
     * @throws IllegalArgumentException if {@code processes} is below 1 or the handler is not serializable
     * @throws IllegalStateException if {@code reusePort(false)} was set explicitly
     */
    public ServerProcesses startProcesses(final int processes) {
        if (processes < 1) {
            throw new IllegalArgumentException("processes must be at least 1, was " + processes);
        }
        if (set.contains("reusePort") && !reusePort) {
            throw new IllegalStateException("reusePort was set to false, but processes share one port with SO_REUSEPORT");
        }
        final Object handler = connectionHandler != null ? connectionHandler : messageHandlerOrDefault();
        if (!(handler instanceof Serializable)) {
            throw new IllegalArgumentException("handler must be Serializable to reach the child JVMs, was a "
                    + handler.getClass().getName() + " (cast a lambda to (MessageHandler & Serializable))");
        }
        final ServerOptions o = new ServerOptions(model, bindAddress, port, backlog, maxConnections, idleTimeout, true,
                bufferSize);
        return ServerProcesses.start(o, (Serializable) handler, processes);
    }
}
