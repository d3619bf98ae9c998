package io.bingfa.net;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.internal.Durations;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state, counters and termination latch that the three server models share; each model owns its
 * sockets and threads and calls in here at the points below.
 *
 * <h2>States</h2>
 * <pre>
 *   RUNNING  -&gt; DRAINING     beginShutdown(): the first shutdown() or close(), or the accept loop failing
 *   DRAINING -&gt; TERMINATED   the accept side has exited (acceptorExited) and no connection is open
 * </pre>
 * All transitions go through {@link #casState}. TERMINATED releases {@link #awaitTermination}.
 *
 * <h2>Who calls what</h2>
 * The accept side calls {@link #tryAdmit()} for every accepted socket (a CAS loop on the open count, so
 * {@code maxConnections} is never exceeded) or {@link #rejected(Object)} when it fails; every admitted
 * connection calls {@link #released()} exactly once when it is closed; the accept side calls
 * {@link #acceptorExited()} once when it stops. Termination needs both "acceptor exited" and "open count is
 * zero": each side writes its half and then reads the other's, and both are volatile/atomic, so at least one
 * of the two sees both halves and the CAS to TERMINATED happens exactly once.
 */
final class ServerLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ServerLifecycle.class);
    private static final long REJECT_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    static final int RUNNING = 0;
    static final int DRAINING = 1;
    static final int TERMINATED = 2;

    private final String label;
    private final int maxConnections;
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final AtomicLong lastRejectLog = new AtomicLong(System.nanoTime() - REJECT_LOG_INTERVAL_NANOS);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean acceptorExited;

    ServerLifecycle(final String label, final int maxConnections) {
        this.label = label;
        this.maxConnections = maxConnections;
    }

    String label() {
        return label;
    }

    private boolean casState(final int expected, final int next) {
        return state.compareAndSet(expected, next);
    }

    boolean isRunning() {
        return state.get() == RUNNING;
    }

    boolean isTerminated() {
        return state.get() == TERMINATED;
    }

    /** RUNNING -&gt; DRAINING; true for the one caller that made the transition. */
    boolean beginShutdown() {
        return casState(RUNNING, DRAINING);
    }

    /** Counts one more open connection if fewer than {@code maxConnections} are open. */
    boolean tryAdmit() {
        while (true) {
            final int n = open.get();
            if (n >= maxConnections) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                accepted.increment();
                return true;
            }
        }
    }

    /** Counts a connection closed at once for the limit, and logs it at most once a second. */
    void rejected(final Object remote) {
        rejected.increment();
        final long now = System.nanoTime();
        final long last = lastRejectLog.get(); // benign race: two loggers in one second only log twice
        if (now - last >= REJECT_LOG_INTERVAL_NANOS && lastRejectLog.compareAndSet(last, now)) {
            LOG.warn("{}: connection from {} closed at once: {} connections open is the limit (maxConnections); "
                    + "{} rejected so far", label, remote, maxConnections, rejected.sum());
        }
    }

    /** One admitted connection is closed. */
    void released() {
        if (open.decrementAndGet() == 0 && acceptorExited) {
            terminate();
        }
    }

    /** The accept side will admit no more connections. */
    void acceptorExited() {
        beginShutdown();
        acceptorExited = true;
        if (open.get() == 0) {
            terminate();
        }
    }

    private void terminate() {
        if (casState(DRAINING, TERMINATED)) {
            LOG.debug("{}: terminated after {} connections", label, accepted.sum());
            terminated.countDown();
        }
    }

    int open() {
        return open.get();
    }

    long accepted() {
        return accepted.sum();
    }

    long rejectedCount() {
        return rejected.sum();
    }

    boolean awaitTermination(final Duration timeout) {
        Durations.requireNonNegative(timeout, "timeout");
        try {
            return terminated.await(Durations.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    void awaitTermination() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    /**
     * Runs {@code force} once {@code grace} has passed unless the server terminated first (at once for a
     * zero grace), on a virtual thread of its own so that {@code shutdown} returns at once.
     */
    void forceAfter(final Duration grace, final Runnable force) {
        if (grace.isZero()) {
            force.run();
            return;
        }
        Thread.ofVirtual().name("bingfa-" + label + "-grace").start(() -> {
            try {
                if (!terminated.await(Durations.saturatedNanos(grace), TimeUnit.NANOSECONDS)) {
                    LOG.info("{}: grace of {} over, closing {} connections forcibly", label, grace, open.get());
                    force.run();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
