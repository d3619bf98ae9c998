package io.bingfa.net;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import io.bingfa.internal.Durations;
import io.bingfa.process.JvmProcess;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N child JVMs serving one port with SO_REUSEPORT: the seeds' "multiple processes + coroutines", where
 * Python would fork N gevent servers that share one listening socket. Made by
 * {@link ServerBuilder#startProcesses(int)}.
 *
 * <h2>How it starts</h2>
 * Each child is a daemon {@link JvmProcess} (so it dies with this JVM, even by {@code kill -9}) that builds
 * the same server from the {@link ServerOptions} and the serializable handler, binds the shared port with
 * SO_REUSEPORT, and creates a file named after its pid in a private directory once it listens; the parent
 * returns when all N files exist. With port 0 the parent first binds an unconnected, non-listening socket
 * with SO_REUSEPORT to port 0: the kernel picks a port and holds it for this user until every child has
 * bound it, so no other program can take it in between, and a socket that does not listen is never given
 * a connection. Each child has its own listening socket; the kernel hashes every new connection to one of
 * them, and when a child dies its socket leaves the group and the others take its share.
 *
 * <h2>Stopping</h2>
 * {@link #close()} sends SIGTERM to each child: a shutdown hook there runs {@link TcpServer#shutdown} with a
 * grace of {@value #CHILD_GRACE_SECONDS} s and waits for it; a child still alive after the grace and a
 * little more is killed.
 */
public final class ServerProcesses implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerProcesses.class);
    static final int CHILD_GRACE_SECONDS = 5;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(CHILD_GRACE_SECONDS + 5);
    private static final long POLL_MILLIS = 20;

    private final ServerModel model;
    private final InetSocketAddress address;
    private final List<JvmProcess> children;

    private ServerProcesses(final ServerModel model, final InetSocketAddress address, final List<JvmProcess> children) {
        this.model = model;
        this.address = address;
        this.children = List.copyOf(children);
    }

    static ServerProcesses start(final ServerOptions options, final Serializable handler, final int processes) {
        SocketChannel reservation = null;
        final List<JvmProcess> started = new ArrayList<>();
        Path ready = null;
        try {
            int port = options.port();
            if (port == 0) {
                reservation = SocketChannel.open();
                reservation.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                reservation.bind(new InetSocketAddress(options.bindAddress(), 0));
                port = ((InetSocketAddress) reservation.getLocalAddress()).getPort();
            }
            final ServerOptions child = new ServerOptions(options.model(), options.bindAddress(), port, options.backlog(),
                    options.maxConnections(), options.idleTimeout(), true, options.bufferSize());
            ready = Files.createTempDirectory("bingfa-server-processes");
            final String readyDir = ready.toString();
            for (int i = 0; i < processes; i++) {
                started.add(JvmProcess.builder().daemon(true).name("bingfa-" + options.model() + "-" + port + "-" + i)
                        .start(() -> runChild(child, handler, readyDir)));
            }
            awaitReady(ready, started, processes);
            LOG.debug("{} {} servers listening on port {}", processes, options.model(), port);
            return new ServerProcesses(options.model(), new InetSocketAddress(options.bindAddress(), port), started);
        } catch (IOException e) {
            started.forEach(JvmProcess::kill);
            throw new UncheckedIOException("cannot start " + processes + " server processes: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            started.forEach(JvmProcess::kill);
            throw e;
        } finally {
            if (reservation != null) {
                try {
                    reservation.close();
                } catch (IOException e) {
                    // the children hold the port now
                }
            }
            deleteQuietly(ready);
        }
    }

    private static void awaitReady(final Path dir, final List<JvmProcess> children, final int n) throws IOException {
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.count() >= n) {
                    return;
                }
            }
            for (final JvmProcess p : children) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("server process " + p.name() + " exited with code "
                            + p.exitCode().orElse(-1) + " before it listened (its stderr is above)");
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new WaitTimeoutException(n + " server processes did not all listen within " + START_TIMEOUT);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                throw new WaitInterruptedException(e);
            }
        }
    }

    /** The body of each child JVM: serve until SIGTERM, then drain. */
    static void runChild(final ServerOptions o, final Serializable handler, final String readyDir) throws IOException {
        final ServerBuilder b = Servers.builder(o.model()).bindAddress(o.bindAddress()).port(o.port()).backlog(o.backlog())
                .maxConnections(o.maxConnections()).idleTimeout(o.idleTimeout()).reusePort(true).bufferSize(o.bufferSize());
        if (handler instanceof ConnectionHandler ch) {
            b.connectionHandler(ch);
        } else {
            b.handler((MessageHandler) handler);
        }
        final TcpServer server = b.start();
        final Duration grace = Duration.ofSeconds(CHILD_GRACE_SECONDS);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown(grace);
            server.awaitTermination(grace.plusSeconds(1));
        }, "bingfa-server-stop"));
        Files.createFile(Path.of(readyDir, String.valueOf(ProcessHandle.current().pid())));
        server.awaitTermination();
    }

    private static void deleteQuietly(final Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (final Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", dir, e.toString());
        }
    }

    public ServerModel model() {
        return model;
    }

    /** The shared address, with the real port. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** The child JVMs, in start order (alive or not). */
    public List<JvmProcess> processes() {
        return children;
    }

    /** Children still alive. */
    public int alive() {
        return (int) children.stream().filter(JvmProcess::isAlive).count();
    }

    /** Waits as long as it takes for every child to exit. */
    public void awaitTermination() {
        children.forEach(JvmProcess::join);
    }

    /** Waits at most {@code timeout} for every child to exit; true if they all did. */
    public boolean awaitTermination(final Duration timeout) {
        Durations.requireNonNegative(timeout, "timeout");
        final long deadline = System.nanoTime() + Durations.saturatedNanos(timeout);
        for (final JvmProcess p : children) {
            if (!p.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                return false;
            }
        }
        return true;
    }

    /** SIGTERM to every child (each drains with a grace of 5 s), then SIGKILL to any still alive 10 s later. */
    @Override
    public void close() {
        children.forEach(JvmProcess::terminate);
        if (!awaitTermination(STOP_TIMEOUT)) {
            children.stream().filter(JvmProcess::isAlive).forEach(JvmProcess::kill);
            children.forEach(JvmProcess::join);
        }
    }

    @Override
    public String toString() {
        return "ServerProcesses[" + model + ", " + address + ", " + alive() + " of " + children.size() + " alive]";
    }
}
