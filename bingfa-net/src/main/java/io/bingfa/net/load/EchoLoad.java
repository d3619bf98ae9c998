package io.bingfa.net.load;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.internal.Durations;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load generator for echo servers on this machine: {@code C} connections, each on its own
 * virtual thread, each sending a {@code B}-byte message and reading the whole reply before it sends the next,
 * for a fixed time. It drives every server of the {@code echo} bench, Bingfa's and Python's alike.
 *
 * <pre>{@code
 * LoadReport r = EchoLoad.to(server.address()).connections(100).size(64)
 *         .warmup(Duration.ofSeconds(1)).duration(Duration.ofSeconds(5)).run();
 * }</pre>
 *
 * <h2>Phases</h2>
 * <ol>
 *   <li>Connect: every client connects (10 s time-out each); a client that cannot is counted as an error.
 *   <li>Warm-up: everyone sends as fast as replies come; nothing is recorded (JIT, caches, the server's
 *       thread creation for the first message).
 *   <li>Measure: a round trip that completes inside the window counts as a message, and its time (write
 *       to last reply byte, {@link System#nanoTime()}) goes into one HdrHistogram
 *       ({@link ConcurrentHistogram}: lock-free recording from all clients, 3 significant digits).
 *   <li>Stop: clients finish their round trip in progress and close. Any still waiting for a reply 5 s
 *       after the end are closed (and fail), so a run never lasts much longer than warm-up + duration,
 *       whatever the server does. (Reads have no SO_TIMEOUT of their own: on a virtual thread each timed
 *       read arms and cancels a timer, a cost that would be the client's, not the server's.)
 * </ol>
 * Every reply is checked against {@link Reply} (by default the upper-cased payload): a wrong reply, a reset
 * or an early end-of-stream stops that client and is counted in {@link LoadReport#errors()}.
 *
 * <h2>Bounds</h2>
 * Loopback targets only (this is a benchmark tool, not a weapon), at most {@value #MAX_CONNECTIONS}
 * connections, messages of at most 1 MiB, runs of at most 10 minutes.
 */
public final class EchoLoad {

    /** The most connections one run may open. */
    public static final int MAX_CONNECTIONS = 20_000;
    /** The largest message. */
    public static final int MAX_SIZE = 1 << 20;
    /** The longest run (warm-up plus duration). */
    public static final Duration MAX_RUN = Duration.ofMinutes(10);

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final InetSocketAddress target;
    private int connections = 100;
    private int size = 64;
    private Duration duration = Duration.ofSeconds(5);
    private Duration warmup = Duration.ofSeconds(1);
    private Reply reply = Reply.UPPER;

    private EchoLoad(final InetSocketAddress target) {
        this.target = target;
    }

    /**
     * A run against {@code target}, which must be a loopback address.
     *
     * @throws IllegalArgumentException if it is not
     */
    public static EchoLoad to(final InetSocketAddress target) {
        Objects.requireNonNull(target, "target");
        if (target.isUnresolved() || !target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("target must be a loopback address (the load generator only loads this "
                    + "machine), was " + target);
        }
        return new EchoLoad(target);
    }

    /** Client connections, 1 to 20,000 (default 100). */
    public EchoLoad connections(final int connections) {
        if (connections < 1 || connections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException("connections must be between 1 and " + MAX_CONNECTIONS + ", was " + connections);
        }
        this.connections = connections;
        return this;
    }

    /** Bytes per message, 1 to 1 MiB (default 64). */
    public EchoLoad size(final int size) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between 1 and " + MAX_SIZE + ", was " + size);
        }
        this.size = size;
        return this;
    }

    /** The measured window (default 5 s); positive, and with the warm-up at most 10 minutes. */
    public EchoLoad duration(final Duration duration) {
        Durations.requireNonNegative(duration, "duration");
        if (duration.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + duration);
        }
        this.duration = duration;
        return this;
    }

    /** Load before the measured window, not recorded (default 1 s; zero for none). */
    public EchoLoad warmup(final Duration warmup) {
        this.warmup = Durations.requireNonNegative(warmup, "warmup");
        return this;
    }

    /** What a correct reply is (default: the upper-cased payload). */
    public EchoLoad reply(final Reply reply) {
        this.reply = Objects.requireNonNull(reply, "reply");
        return this;
    }

    /** Runs the load and returns what it measured. Blocks for about warm-up + duration. */
    public LoadReport run() {
        if (warmup.plus(duration).compareTo(MAX_RUN) > 0) {
            throw new IllegalArgumentException("warmup + duration must be at most " + MAX_RUN + ", was "
                    + warmup.plus(duration));
        }
        final byte[] payload = Reply.payload(size);
        final byte[] expected = reply.expected(payload);
        final Histogram histogram = new ConcurrentHistogram(HIGHEST_NANOS, 3);
        final LongAdder messages = new LongAdder();
        final LongAdder allMessages = new LongAdder();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicReference<String> firstError = new AtomicReference<>();
        final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
        final CountDownLatch connected = new CountDownLatch(connections);
        final CountDownLatch go = new CountDownLatch(1);
        final long[] window = new long[2]; // {measureStart, end}: written before go opens, read after
        final List<Thread> clients = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            clients.add(Thread.ofVirtual().name("bingfa-echo-load-", i).start(() -> {
                final Socket socket = new Socket();
                sockets.add(socket);
                try (socket) {
                    try {
                        socket.setTcpNoDelay(true);
                        // No SO_TIMEOUT: on a virtual thread every timed read arms and cancels a timer, which
                        // costs the client more than the server's work. The watchdog below bounds the run.
                        socket.connect(target, CONNECT_TIMEOUT_MILLIS);
                    } finally {
                        connected.countDown();
                    }
                    go.await();
                    client(socket, payload, expected, window[0], window[1], histogram, messages, allMessages);
                } catch (IOException | RuntimeException e) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        try {
            connected.await();
            final long start = System.nanoTime();
            window[0] = start + Durations.saturatedNanos(warmup);
            window[1] = window[0] + Durations.saturatedNanos(duration);
            go.countDown();
            final long deadline = window[1] + Durations.saturatedNanos(STOP_GRACE);
            for (final Thread t : clients) {
                final long left = deadline - System.nanoTime();
                if (left <= 0 || !t.join(Duration.ofNanos(left))) {
                    break;
                }
            }
            for (final Socket s : sockets) {
                s.close(); // clients still waiting for a reply after the grace: unblock them
            }
            for (final Thread t : clients) {
                t.join();
            }
        } catch (InterruptedException e) {
            clients.forEach(Thread::interrupt);
            throw new WaitInterruptedException(e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot close a client socket", e);
        }
        final double seconds = duration.toNanos() / 1e9;
        final long n = messages.sum();
        return new LoadReport(connections, size, seconds, n, n / seconds,
                micros(histogram, 50), micros(histogram, 99), micros(histogram, 99.9),
                histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue() / 1e3, errors.get(), firstError.get(),
                allMessages.sum());
    }

    private static double micros(final Histogram h, final double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e3;
    }

    /** One client's closed loop: send, read the whole reply, check it, record it if it ended in the window. */
    private static void client(final Socket socket, final byte[] payload, final byte[] expected, final long measureStart,
                               final long end, final Histogram histogram, final LongAdder messages,
                               final LongAdder allMessages) throws IOException {
        final OutputStream out = socket.getOutputStream();
        final InputStream in = socket.getInputStream();
        final byte[] got = new byte[payload.length];
        while (true) {
            final long sent = System.nanoTime();
            if (sent - end >= 0) {
                return;
            }
            out.write(payload);
            int off = 0;
            while (off < got.length) {
                final int n = in.read(got, off, got.length - off);
                if (n < 0) {
                    throw new EOFException("the server closed the connection after " + off + " of " + got.length
                            + " reply bytes");
                }
                off += n;
            }
            final long done = System.nanoTime();
            if (expected != null && !Arrays.equals(got, expected)) {
                throw new IllegalStateException("wrong reply: expected " + preview(expected) + ", got " + preview(got));
            }
            allMessages.increment();
            if (done - measureStart >= 0 && done - end < 0) {
                messages.increment();
                histogram.recordValue(Math.min(done - sent, HIGHEST_NANOS));
            }
        }
    }

    private static String preview(final byte[] b) {
        final String s = new String(b, 0, Math.min(b.length, 16), java.nio.charset.StandardCharsets.ISO_8859_1);
        return "'" + s + (b.length > 16 ? "...'" : "'");
    }
}
