package io.bingfa.net;

import io.bingfa.internal.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The selector event loop ({@link ServerModel#LOOP}): Tornado's {@code IOLoop}, asyncio's selector loop.
 * One thread, one {@link Selector}, every connection a non-blocking channel registered on it.
 *
 * <h2>The loop</h2>
 * <pre>
 *   while not (draining and no connection open):
 *       select(timeout)                  timeout: the next idle sweep or accept retry, else forever
 *       run the tasks other threads posted (shutdown, forced close)
 *       for each ready key:
 *           the listener  -&gt; accept up to 64 sockets; admit (limit), configure, register for READ
 *           READ          -&gt; read into the loop's one buffer; reply = handler.handle(buffer);
 *                            write the reply; what the socket did not take is copied to the connection's
 *                            pending buffer and the key waits for WRITE instead of READ (back-pressure:
 *                            no reading while a reply is unsent)
 *           WRITE         -&gt; write the pending bytes; when done, back to READ
 *       every sweep interval (a quarter of the idle timeout, 10 ms to 1 s): close connections idle too long
 * </pre>
 * A connection costs a {@link LoopConnection} (channel, key, last-activity time) and, only while a reply
 * is unsent, that reply's bytes: the read buffer is shared, which is what makes an idle connection cheap.
 *
 * <h2>Threads and shutdown</h2>
 * Only the loop thread touches the selector, the keys and the connections. Other threads post a task to
 * {@link #tasks} and wake the selector. {@link #shutdown} posts the drain: close the listener, close every
 * connection with no reply pending, and stop reading from the others (they close once their reply is
 * written). The forced close after the grace posts "close everything". A handler runs on the loop thread
 * and must not block: while it runs, nothing else does, shutdown included (which is why the loop refuses a
 * {@link ConnectionHandler}).
 *
 * <h2>Why hand-written</h2>
 * Netty would do this and more, but it is a large dependency for a seed's echo server; the point here is
 * the model itself, a hundred lines of JDK NIO that a reader can hold in mind beside Tornado's.
 */
final class LoopServer implements TcpServer {

    private static final Logger LOG = LoggerFactory.getLogger(LoopServer.class);
    private static final int ACCEPTS_PER_ROUND = 64;
    private static final long ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MIN_SWEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_SWEEP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerOptions options;
    private final MessageHandler handler;
    private final Selector selector;
    private final ServerSocketChannel listener;
    private final SelectionKey acceptKey;
    private final InetSocketAddress address;
    private final ServerLifecycle life;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer;
    private final long idleNanos;
    private final long sweepNanos;
    // Loop-thread state, never touched by another thread.
    private long nextId;
    private long now;
    private long lastSweep;
    private long acceptResumesAt;
    private boolean acceptPaused;
    private boolean draining;

    /** One connection's loop-side state. */
    private static final class LoopConnection {
        final long id;
        final SocketChannel channel;
        SelectionKey key;
        ByteBuffer pending;
        long lastActive;
        boolean closed;

        LoopConnection(final long id, final SocketChannel channel) {
            this.id = id;
            this.channel = channel;
        }

        @Override
        public String toString() {
            final Object remote;
            try {
                remote = channel.getRemoteAddress();
            } catch (IOException e) {
                return "connection " + id;
            }
            return "connection " + id + " from " + remote;
        }
    }

    private LoopServer(final ServerOptions options, final MessageHandler handler, final Selector selector,
                       final ServerSocketChannel listener, final SelectionKey acceptKey) throws IOException {
        this.options = options;
        this.handler = handler;
        this.selector = selector;
        this.listener = listener;
        this.acceptKey = acceptKey;
        this.address = (InetSocketAddress) listener.getLocalAddress();
        this.life = new ServerLifecycle(options.label(address.getPort()), options.maxConnections());
        this.readBuffer = ByteBuffer.allocate(options.bufferSize());
        this.idleNanos = options.idleTimeout().isZero() ? 0 : Math.max(1, Durations.saturatedNanos(options.idleTimeout()));
        this.sweepNanos = Math.clamp(idleNanos / 4, MIN_SWEEP_NANOS, MAX_SWEEP_NANOS);
    }

    static LoopServer start(final ServerOptions options, final MessageHandler handler) {
        final LoopServer server;
        Selector selector = null;
        ServerSocketChannel listener = null;
        try {
            selector = Selector.open();
            listener = ServerSocketChannel.open();
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (options.reusePort()) {
                listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            listener.bind(new InetSocketAddress(options.bindAddress(), options.port()), options.backlog());
            listener.configureBlocking(false);
            final SelectionKey acceptKey = listener.register(selector, SelectionKey.OP_ACCEPT);
            server = new LoopServer(options, handler, selector, listener, acceptKey);
        } catch (IOException e) {
            closeQuietly(listener);
            closeQuietly(selector);
            throw new UncheckedIOException("cannot listen on " + options.bindAddress().getHostAddress() + ":"
                    + options.port() + " (loop model): " + e.getMessage(), e);
        }
        Thread.ofPlatform().daemon(true).name("bingfa-" + server.life.label() + "-loop").start(server::run);
        LOG.debug("{}: listening on {}", server.life.label(), server.address);
        return server;
    }

    private void run() {
        now = System.nanoTime();
        lastSweep = now;
        try {
            while (!(draining && life.open() == 0)) {
                selector.select(this::ready, selectTimeoutMillis());
                now = System.nanoTime();
                runTasks();
                if (acceptPaused && now - acceptResumesAt >= 0 && acceptKey.isValid()) {
                    acceptPaused = false;
                    acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                }
                if (idleNanos > 0 && now - lastSweep >= sweepNanos) {
                    lastSweep = now;
                    sweepIdle();
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.error("{}: the event loop failed; closing every connection", life.label(), e);
            life.beginShutdown();
            closeAll();
        } finally {
            closeQuietly(listener);
            closeQuietly(selector);
            life.acceptorExited();
        }
    }

    /** Milliseconds to the next timed duty (idle sweep, accept retry); 0 = wait until woken. */
    private long selectTimeoutMillis() {
        long wait = Long.MAX_VALUE;
        if (idleNanos > 0) {
            wait = Math.min(wait, lastSweep + sweepNanos - now);
        }
        if (acceptPaused) {
            wait = Math.min(wait, acceptResumesAt - now);
        }
        if (wait == Long.MAX_VALUE) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait));
    }

    private void ready(final SelectionKey key) {
        try {
            if (key == acceptKey) {
                acceptSome();
                return;
            }
            final LoopConnection c = (LoopConnection) key.attachment();
            if (key.isReadable()) {
                onReadable(c);
            } else if (key.isWritable()) {
                onWritable(c);
            }
        } catch (CancelledKeyException e) {
            // closed by an earlier event in this round
        }
    }

    private void acceptSome() {
        for (int i = 0; i < ACCEPTS_PER_ROUND && !draining; i++) {
            final SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                LOG.warn("{}: accept failed ({}); retrying in 50 ms", life.label(), e.toString());
                acceptPaused = true; // e.g. "Too many open files": a level-triggered key would fire again at once
                acceptResumesAt = System.nanoTime() + ACCEPT_BACKOFF_NANOS;
                acceptKey.interestOps(0);
                return;
            }
            if (ch == null) {
                return;
            }
            if (!life.tryAdmit()) {
                life.rejected(remoteOf(ch));
                closeQuietly(ch);
                continue;
            }
            final LoopConnection c = new LoopConnection(++nextId, ch);
            try {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.key = ch.register(selector, SelectionKey.OP_READ, c);
                c.lastActive = now;
            } catch (IOException e) {
                LOG.debug("{}: {} broke before it was registered: {}", life.label(), c, e.toString());
                close(c);
            }
        }
    }

    private void onReadable(final LoopConnection c) {
        final ByteBuffer buffer = readBuffer;
        buffer.clear();
        final int n;
        try {
            n = c.channel.read(buffer);
        } catch (IOException e) {
            LOG.debug("{}: {} broke: {}", life.label(), c, e.toString());
            close(c);
            return;
        }
        if (n < 0) {
            close(c);
            return;
        }
        if (n == 0) {
            return;
        }
        c.lastActive = now;
        buffer.flip();
        final ByteBuffer reply;
        try {
            reply = handler.handle(buffer);
        } catch (Exception e) {
            LOG.warn("{}: the handler failed on {}; closing this connection only", life.label(), c, e);
            close(c);
            return;
        }
        if (reply == null || !reply.hasRemaining()) {
            return;
        }
        try {
            c.channel.write(reply);
        } catch (IOException e) {
            LOG.debug("{}: {} broke while writing: {}", life.label(), c, e.toString());
            close(c);
            return;
        }
        if (reply.hasRemaining()) {
            c.pending = ByteBuffer.allocate(reply.remaining()).put(reply).flip();
            c.key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    private void onWritable(final LoopConnection c) {
        try {
            c.channel.write(c.pending);
        } catch (IOException e) {
            LOG.debug("{}: {} broke while writing: {}", life.label(), c, e.toString());
            close(c);
            return;
        }
        c.lastActive = now;
        if (c.pending.hasRemaining()) {
            return;
        }
        c.pending = null;
        if (draining) {
            close(c); // its request was in flight at shutdown; now answered
        } else {
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void sweepIdle() {
        for (final LoopConnection c : openConnections()) {
            if (now - c.lastActive >= idleNanos) {
                LOG.debug("{}: {} idle for {}, closed", life.label(), c, options.idleTimeout());
                close(c);
            }
        }
    }

    /** The open connections (a copy: closing cancels keys). Loop thread only. */
    private List<LoopConnection> openConnections() {
        final List<LoopConnection> out = new ArrayList<>(selector.keys().size());
        for (final SelectionKey k : selector.keys()) {
            if (k != acceptKey && k.isValid() && k.attachment() instanceof LoopConnection c) {
                out.add(c);
            }
        }
        return out;
    }

    private void close(final LoopConnection c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        c.pending = null;
        if (c.key != null) {
            c.key.cancel();
        }
        closeQuietly(c.channel);
        life.released();
    }

    private void closeAll() {
        for (final LoopConnection c : openConnections()) {
            close(c);
        }
    }

    private void runTasks() {
        Runnable t;
        while ((t = tasks.poll()) != null) {
            t.run();
        }
    }

    /** Loop thread: stop accepting; close what waits for a request; let pending replies finish. */
    private void drain() {
        if (draining) {
            return;
        }
        draining = true;
        acceptKey.cancel();
        closeQuietly(listener);
        for (final LoopConnection c : openConnections()) {
            if (c.pending == null) {
                close(c);
            } else {
                c.key.interestOps(SelectionKey.OP_WRITE);
            }
        }
    }

    private void post(final Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private static String remoteOf(final SocketChannel ch) {
        try {
            return String.valueOf(ch.getRemoteAddress());
        } catch (IOException e) {
            return "an unknown address";
        }
    }

    private static void closeQuietly(final AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // closing: nothing left to do
        }
    }

    @Override
    public ServerModel model() {
        return ServerModel.LOOP;
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
        post(this::drain);
        life.forceAfter(grace, () -> post(() -> {
            drain();
            closeAll();
        }));
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
        return "TcpServer[loop, " + address + ", " + life.open() + " open]";
    }
}
