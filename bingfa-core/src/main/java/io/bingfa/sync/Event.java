package io.bingfa.sync;

import io.bingfa.internal.Durations;
import io.bingfa.future.WaitInterruptedException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A flag that threads wait for: Python's {@code threading.Event} and gevent's {@code gevent.event.Event}.
 * {@link #set()} raises the flag and wakes every waiter; {@link #clear()} lowers it; {@link #await()}
 * returns at once while the flag is up and otherwise waits for the next {@code set()}.
 *
 * <pre>{@code
 * Event ready = new Event();
 * Thread.startVirtualThread(() -> { load(); ready.set(); });
 * if (!ready.await(Duration.ofSeconds(5))) throw new IllegalStateException("not loaded in 5 s");
 * }</pre>
 *
 * <h2>Overview</h2>
 * A lock, one condition, the flag and a generation counter. {@code set()} on a lowered flag raises it,
 * increments the generation and signals all waiters. A waiter remembers the generation it started in and
 * waits until the flag is up <em>or the generation has moved on</em>. The second half matters when
 * {@code set()} is followed at once by {@code clear()}: a waiter that wakes after the {@code clear()} sees
 * the flag down again, but a new generation, so it still returns (with {@code true} from
 * {@link #await(Duration)}). Python's {@code threading.Event} gives the same promise through its
 * {@code Condition.notify_all}: every thread waiting at the time of {@code set()} is released.
 *
 * <h2>States and transitions</h2>
 * <pre>
 *   CLEAR -&gt; SET     set(): generation++, wakes all waiters
 *   SET   -&gt; CLEAR   clear()
 *   SET   -&gt; SET     set() again: nothing (no new generation, no wake-up)
 * </pre>
 *
 * <h2>Threads</h2>
 * Any number of platform or virtual threads may call any method. {@link #isSet()} and the fast path of
 * the waits read a volatile flag without the lock. Unlike {@link java.util.concurrent.CountDownLatch},
 * which opens once, an event can be cleared and set again; unlike a {@link Condition} alone, a
 * {@code set()} that happened before the wait is not missed.
 */
public final class Event {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** Written under {@link #lock}; volatile so that {@link #isSet()} and the waits' fast path skip the lock. */
    private volatile boolean flag;
    /** Guarded by {@link #lock}. Counts the CLEAR -&gt; SET transitions. */
    private long generation;

    /** A new event, not set (Python's {@code threading.Event()}). */
    public Event() {}

    /** Raises the flag and wakes every thread waiting now. Does nothing if it is already up. */
    public void set() {
        lock.lock();
        try {
            if (!flag) {
                flag = true;
                generation++;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lowers the flag; later waits block until the next {@link #set()}. Threads already released stay released. */
    public void clear() {
        lock.lock();
        try {
            flag = false;
        } finally {
            lock.unlock();
        }
    }

    /** {@code true} while the flag is up (Python's {@code is_set()}). */
    public boolean isSet() {
        return flag;
    }

    /**
     * Returns when the flag is up, at once if it already is (Python's {@code wait()}).
     *
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public void await() {
        if (flag) { // racy read: a stale true would be a set() that was real a moment ago, as in Python
            return;
        }
        lock.lock();
        try {
            final long started = generation;
            while (!flag && generation == started) {
                changed.await();
            }
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits at most {@code timeout} for the flag (Python's {@code wait(timeout)}).
     *
     * @return {@code true} if the flag was up or a {@link #set()} happened while waiting (even if it was
     *     cleared again since), {@code false} if the time ran out
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public boolean await(final Duration timeout) {
        Durations.requireNonNegative(timeout, "timeout");
        if (flag) { // racy read: see await()
            return true;
        }
        lock.lock();
        try {
            final long started = generation;
            long remaining = Durations.saturatedNanos(timeout);
            while (!flag && generation == started) {
                if (remaining <= 0L) {
                    return false;
                }
                remaining = changed.awaitNanos(remaining);
            }
            return true;
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Event[" + (flag ? "set" : "clear") + "]"; // racy read: a snapshot for logs
    }
}
