package io.bingfa.coro;

import io.bingfa.future.WaitInterruptedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * One blocked thread: the party that a {@link Channel} operation or a whole {@link Select} waits as. It
 * owns one or more {@link ChannelNode}s queued on channels, and a single word, {@code done}, that decides
 * which of them (if any) completed: Go's {@code g.selectDone} and {@code g.param} folded into one
 * compare-and-set.
 *
 * <h2>States and transitions</h2>
 * <pre>
 *   WAITING (done == null) --&gt; CLAIMED (done == the winning node)   tryClaim(node), by a counterpart
 *                                                                     holding that node's channel lock
 *   WAITING (done == null) --&gt; CANCELLED (done == sentinel)         tryCancel(), by the waiting thread
 *                                                                     itself on timeout or interrupt
 * </pre>
 * Both transitions leave {@code WAITING} and nothing leaves the other two states, so exactly one of the
 * parties racing for a waiter wins: one counterpart (the value moves exactly once), or the waiter's own
 * withdrawal (nothing moves). A thread that times out or is interrupted but loses the race to a
 * counterpart treats its operation as done: a value claimed by a receiver at that instant counts as sent.
 *
 * <h2>Waiting</h2>
 * {@link #await} spins briefly (a hand-off partner on another core usually arrives within a microsecond,
 * and parking costs more than that), then parks with {@link LockSupport}, which parks a virtual thread
 * without pinning its carrier. Spurious wake-ups and stale permits (a counterpart unparks after the
 * waiter already saw {@code done} by spinning) are harmless: every park is in a loop that re-reads
 * {@code done}.
 */
final class ChannelWaiter {

    /** {@link #await} results. */
    static final int CLAIMED = 0;
    static final int TIMED_OUT = 1;
    static final int INTERRUPTED = 2;

    /** Spins before parking; each is one {@link Thread#onSpinWait()} and one volatile read. */
    private static final int SPINS = Integer.getInteger("spins", 128);

    /** Timeouts are capped here (about 73 years) so that deadline arithmetic cannot overflow. */
    private static final long MAX_NANOS = Long.MAX_VALUE >> 2;

    /** The value of {@code done} once the waiter withdrew. */
    private static final ChannelNode<Object> CANCELLED = new ChannelNode<>(null, false, null);

    private static final VarHandle DONE;

    static {
        try {
            DONE = MethodHandles.lookup().findVarHandle(ChannelWaiter.class, "done", ChannelNode.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread = Thread.currentThread();
    private volatile ChannelNode<?> done;
    /** Set by the waiting thread before its first park: only then does a claimer need to unpark it. */
    private volatile boolean parking;

    // ---------------------------------------------------------------- memory-ordering accessors

    private ChannelNode<?> lvDone() {
        return done;
    }

    private boolean casDone(final ChannelNode<?> update) {
        return DONE.compareAndSet(this, (ChannelNode<?>) null, update);
    }

    private boolean lvParking() {
        return parking;
    }

    private void svParking() {
        parking = true;
    }

    // ---------------------------------------------------------------- counterpart side

    /**
     * Claims this waiter for {@code node}, one of its own nodes that the caller just dequeued under that
     * node's channel lock, after filling in the node's outcome. {@code false}: the waiter was already
     * claimed or withdrew, the node is stale and the caller must leave it and try the next one.
     */
    boolean tryClaim(final ChannelNode<?> node) {
        return casDone(node);
    }

    /**
     * Wakes the waiting thread after a successful {@link #tryClaim}; call it after unlocking if you can.
     * A waiter still spinning is not unparked (it sees {@code done} by itself): the claim's CAS and the
     * waiter's {@code parking} write are both volatile, so either this sees {@code parking} or the waiter
     * sees {@code done} before it parks (Dekker).
     */
    void wake() {
        if (lvParking()) {
            LockSupport.unpark(thread);
        }
    }

    // ---------------------------------------------------------------- waiting side

    /** The node that won, once {@link #await} returned {@link #CLAIMED}. */
    ChannelNode<?> winner() {
        return lvDone();
    }

    /**
     * Waits until a counterpart claims this waiter, or until {@code deadline} ({@link System#nanoTime()}
     * based, only if {@code timed}), or until the thread is interrupted; in the last two cases the waiter
     * withdraws, unless a counterpart claimed it first, which then counts. Returns {@link #CLAIMED},
     * {@link #TIMED_OUT} or {@link #INTERRUPTED}; on the last two the caller must unlink its nodes. The
     * interrupt status is left set.
     */
    int await(final boolean timed, final long deadline) {
        for (int i = 0; i < SPINS; i++) {
            if (lvDone() != null) {
                return CLAIMED;
            }
            Thread.onSpinWait();
        }
        svParking();
        for (;;) {
            if (lvDone() != null) {
                return CLAIMED;
            }
            // isInterrupted, not interrupted(): the status must survive both outcomes.
            if (thread.isInterrupted()) {
                if (casDone(CANCELLED)) {
                    return INTERRUPTED;
                }
                return CLAIMED; // a counterpart won the race: the operation is done
            }
            if (timed) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return casDone(CANCELLED) ? TIMED_OUT : CLAIMED;
                }
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
        }
    }

    // ---------------------------------------------------------------- helpers for the public entry points

    /**
     * Checks a public timeout argument and converts it to nanoseconds, capped so that deadline arithmetic
     * cannot overflow.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    static long timeoutNanos(final Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        try {
            return Math.min(timeout.toNanos(), MAX_NANOS);
        } catch (ArithmeticException e) {
            return MAX_NANOS; // longer than a long of nanoseconds: as good as forever
        }
    }

    /** The exception for a wait that was interrupted; also re-sets the interrupt status. */
    static WaitInterruptedException interrupted(final String what) {
        return new WaitInterruptedException(new InterruptedException("interrupted while waiting to " + what));
    }
}
