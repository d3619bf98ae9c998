package io.bingfa.net;

import io.bingfa.internal.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread-per-connection server, in two models that differ only in the thread: a platform thread
 * ({@link ServerModel#THREAD}, the seed's {@code Thread(target=talk, args=(conn,))}) or a virtual thread
 * ({@link ServerModel#VIRTUAL}, gevent's {@code StreamServer}: a coroutine per connection whose blocking
 * {@code recv} parks it, with no monkey-patching because the JDK's sockets already park virtual threads).
 *
 * <h2>How it runs</h2>
 * One accept thread (of the model's kind) loops on {@link ServerSocket#accept()}. For each socket it asks
 * the {@link ServerLifecycle} to admit it (the connection limit); a refused socket is closed at once, an
 * admitted one gets TCP_NODELAY, SO_TIMEOUT = the idle timeout (a read that waits longer returns -1), a
 * {@link BlockingConnection}, a place in {@link #open}, and a new thread that runs the handler. When the
 * handler returns or throws (an exception is logged and closes that connection only) the socket is closed,
 * the connection leaves {@link #open} and the lifecycle counts it released.
 *
 * <h2>Shutdown</h2>
 * {@link #shutdown}: DRAINING, then the listening socket is closed (accept throws and the accept thread
 * exits: no new connections; the kernel refuses new clients), then every open connection is asked to
 * {@link BlockingConnection#drain() drain} (see there for why none is missed). After the grace, the rest
 * are {@link BlockingConnection#forceClose() closed forcibly}. An accept that races with shutdown admits
 * its socket and runs the handler, whose first read sees DRAINING and returns -1.
 *
 * <h2>Why java.net sockets</h2>
 * {@link ServerSocket} and {@link Socket} give blocking reads with a timeout (SO_TIMEOUT) that park a
 * virtual thread instead of pinning its carrier; an NIO channel in blocking mode has no read timeout.
 */
final class BlockingServer implements TcpServer {

    private static final Logger LOG = LoggerFactory.getLogger(BlockingServer.class);
    private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ServerOptions options;
    private final ConnectionHandler handler;
    private final ServerSocket listener;
    private final InetSocketAddress address;
    private final ServerLifecycle life;
    private final ThreadFactory connectionThreads;
    private final Set<BlockingConnection> open = ConcurrentHashMap.newKeySet();
    private final int soTimeoutMillis;

    private BlockingServer(final ServerOptions options, final ConnectionHandler handler, final ServerSocket listener) {
        this.options = options;
        this.handler = handler;
        this.listener = listener;
        this.address = (InetSocketAddress) listener.getLocalSocketAddress();
        this.life = new ServerLifecycle(options.label(address.getPort()), options.maxConnections());
        final String prefix = "bingfa-" + life.label() + "-conn-";
        this.connectionThreads = options.model() == ServerModel.VIRTUAL
                ? Thread.ofVirtual().name(prefix, 0).factory()
                : Thread.ofPlatform().daemon(true).name(prefix, 0).factory();
        this.soTimeoutMillis = soTimeoutMillis(options.idleTimeout());
    }

    /** SO_TIMEOUT for the idle timeout: 0 for none, at least 1 ms, at most Integer.MAX_VALUE ms. */
    static int soTimeoutMillis(final Duration idle) {
        if (idle.isZero()) {
            return 0;
        }
        return Math.clamp(idle.toMillis(), 1, Integer.MAX_VALUE);
    }

    static BlockingServer start(final ServerOptions options, final ConnectionHandler handler) {
        final ServerSocket listener;
        try {
            listener = new ServerSocket();
            try {
                listener.setReuseAddress(true);
                if (options.reusePort()) {
                    listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                listener.bind(new InetSocketAddress(options.bindAddress(), options.port()), options.backlog());
            } catch (IOException | RuntimeException e) {
                listener.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + options.bindAddress().getHostAddress() + ":"
                    + options.port() + " (" + options.model() + " model): " + e.getMessage(), e);
        }
        final BlockingServer server = new BlockingServer(options, handler, listener);
        final Thread.Builder acceptor = options.model() == ServerModel.VIRTUAL
                ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
        acceptor.name("bingfa-" + server.life.label() + "-accept").start(server::acceptLoop);
        LOG.debug("{}: listening on {}", server.life.label(), server.address);
        return server;
    }

    private void acceptLoop() {
        long ids = 0;
        try {
            while (life.isRunning()) {
                final Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException e) {
                    if (!life.isRunning()) {
                        break; // shutdown closed the listener
                    }
                    LOG.warn("{}: accept failed ({}); retrying in 50 ms", life.label(), e.toString());
                    LockSupport.parkNanos(ACCEPT_BACKOFF_NANOS); // e.g. "Too many open files": do not spin
                    continue;
                }
                if (!life.tryAdmit()) {
                    life.rejected(socket.getRemoteSocketAddress());
                    closeQuietly(socket);
                    continue;
                }
                admit(socket, ++ids);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("{}: the accept loop failed; the server stops accepting", life.label(), e);
            shutdown(Duration.ZERO);
        } finally {
            closeQuietly(listener);
            life.acceptorExited();
        }
    }

    private void admit(final Socket socket, final long id) {
        final BlockingConnection c;
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(soTimeoutMillis);
            c = new BlockingConnection(id, socket, life);
        } catch (IOException e) {
            LOG.debug("{}: connection {} broke before its handler started: {}", life.label(), id, e.toString());
            closeQuietly(socket);
            life.released();
            return;
        }
        open.add(c);
        try {
            connectionThreads.newThread(() -> serve(c)).start();
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.warn("{}: no thread for {} ({}); closing it", life.label(), c, e.toString());
            finish(c);
        }
    }

    private void serve(final BlockingConnection c) {
        c.runsOn(Thread.currentThread());
        try {
            handler.handle(c);
            if (c.idleTimedOut()) {
                LOG.debug("{}: {} idle for {}, closed", life.label(), c, options.idleTimeout());
            }
        } catch (Exception e) {
            if (life.isRunning()) {
                LOG.warn("{}: the handler failed on {}; closing this connection only", life.label(), c, e);
            } else {
                LOG.debug("{}: {} ended during shutdown: {}", life.label(), c, e.toString());
            }
        } finally {
            finish(c);
        }
    }

    private void finish(final BlockingConnection c) {
        c.close();
        if (open.remove(c)) {
            life.released();
        }
    }

    private static void closeQuietly(final AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing: nothing left to do
        }
    }

    @Override
    public ServerModel model() {
        return options.model();
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public int connections() {
        return life.open();
    }

    @Override
    public long accepted() {
        return life.accepted();
    }

    @Override
    public long rejected() {
        return life.rejectedCount();
    }

    @Override
    public boolean isRunning() {
        return life.isRunning();
    }

    @Override
    public boolean isTerminated() {
        return life.isTerminated();
    }

    @Override
    public void shutdown(final Duration grace) {
        Durations.requireNonNegative(grace, "grace");
        if (life.beginShutdown()) {
            LOG.debug("{}: shutting down with a grace of {}", life.label(), grace);
        }
        closeQuietly(listener);
        for (final BlockingConnection c : List.copyOf(open)) {
            c.drain();
        }
        life.forceAfter(grace, () -> {
            for (final BlockingConnection c : List.copyOf(open)) {
                c.forceClose();
            }
        });
    }

    @Override
    public boolean awaitTermination(final Duration timeout) {
        return life.awaitTermination(timeout);
    }

    @Override
    public void awaitTermination() {
        life.awaitTermination();
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
        awaitTermination();
    }

    @Override
    public String toString() {
        return "TcpServer[" + options.model() + ", " + address + ", " + life.open() + " open]";
    }
}
