package io.bingfa.coro;

import io.bingfa.internal.Durations;
import io.bingfa.future.WaitInterruptedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
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
 * {@link #await} spins briefly, then parks with {@link LockSupport}, which parks a virtual thread without
 * pinning its carrier. A counterpart unparks the waiter only if it got as far as parking (the
 * {@code parking} flag), so a hand-off caught while spinning costs no unpark at all. Spurious wake-ups
 * and stale permits are harmless: every park is in a loop that re-reads {@code done}.
 *
 * <h2>Spinning</h2>
 * A hand-off partner running on another core answers within a microsecond or so, much sooner than a
 * park and unpark round trip; but a partner that is not running (descheduled, or a virtual thread queued
 * behind this very one on the same carrier) only arrives after the spinner parks, so every spin is then
 * pure delay. Measured on 2 cores (about 28 ns per {@link Thread#onSpinWait()}):
 * <ul>
 *   <li>Platform threads spin a fixed {@value #PLATFORM_SPINS} times (about 15 us): waking a parked
 *       platform thread goes through the OS and takes tens of microseconds, and a shorter spin turns
 *       every hand-off into one such wake-up (30 thousand hand-offs/s instead of about a million).</li>
 *   <li>Virtual threads spin with a per-channel budget that adapts ({@link #nextSpins}): doubled after a
 *       wait that spinning satisfied, halved after one that had to park, between {@value #MIN_SPINS}
 *       and {@value #MAX_SPINS}. With two virtual threads on two carriers it stays high (several million
 *       hand-offs/s); when both share one carrier it falls to the minimum instead of burning the time
 *       the partner needs.</li>
 * </ul>
 */
final class ChannelWaiter {

    /** {@link #await} results. */
    static final int CLAIMED = 0;
    static final int TIMED_OUT = 1;
    static final int INTERRUPTED = 2;

    /** Bounds of a virtual thread's spin budget; a spin is one onSpinWait and one volatile read. */
    static final int MIN_SPINS = 1 << 4;
    static final int MAX_SPINS = 1 << 9;
    /** A platform thread's spins before parking. */
    static final int PLATFORM_SPINS = 1 << 9;

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
    private final boolean virtual = thread.isVirtual();
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

    /** Withdraws the waiter ({@code WAITING -> CANCELLED}); {@code false} if a counterpart claimed it first. */
    private boolean tryCancel() {
        return casDone(CANCELLED);
    }

    /** The node that won, once {@link #await} returned {@link #CLAIMED}. */
    ChannelNode<?> winner() {
        return lvDone();
    }

    /**
     * Waits until a counterpart claims this waiter, or until {@code deadline} ({@link System#nanoTime()}
     * based, only if {@code timed}), or until the thread is interrupted; in the last two cases the waiter
     * withdraws, unless a counterpart claimed it first, which then counts. Returns {@link #CLAIMED},
     * {@link #TIMED_OUT} or {@link #INTERRUPTED}; on the last two the caller must unlink its nodes. The
     * interrupt status is left set. A virtual thread spins {@code budget} times before parking.
     */
    int await(final boolean timed, final long deadline, final int budget) {
        final int spins = virtual ? budget : PLATFORM_SPINS;
        for (int i = 0; i < spins; i++) {
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
                return tryCancel() ? INTERRUPTED : CLAIMED; // CLAIMED: a counterpart won the race
            }
            if (timed) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return tryCancel() ? TIMED_OUT : CLAIMED;
                }
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
        }
    }

    /**
     * The spin budget for the next wait on the channel, after a wait of this waiter with {@code budget}:
     * for a virtual thread, doubled if spinning saw the claim, halved if it had to park, within
     * [{@value #MIN_SPINS}, {@value #MAX_SPINS}]; a platform thread's wait (fixed spins) leaves it as is.
     */
    int nextSpins(final int budget) {
        if (!virtual) {
            return budget;
        }
        return lvParking() ? Math.max(MIN_SPINS, budget >> 1) : Math.min(MAX_SPINS, budget << 1);
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
        return Math.min(Durations.saturatedNanos(Durations.requireNonNegative(timeout, "timeout")), MAX_NANOS);
    }

    /** The exception for a wait that was interrupted; also re-sets the interrupt status. */
    static WaitInterruptedException interrupted(final String what) {
        return new WaitInterruptedException(new InterruptedException("interrupted while waiting to " + what));
    }
}
