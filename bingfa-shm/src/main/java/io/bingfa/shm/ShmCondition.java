package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A condition variable over a {@link ShmMutex}, shared by every JVM that maps the same memory: Python's
 * {@code multiprocessing.Condition}.
 *
 * <pre>{@code
 * ShmMutex lock = ShmMutex.create(shm, 0, true);
 * ShmCondition changed = ShmCondition.create(shm, 64, lock);
 * try (var g = lock.lock()) {
 *     changed.waitFor(() -> items.get() > 0, Duration.ofSeconds(5));   // Python's wait_for
 * }
 * try (var g = lock.lock()) { items.incrementAndGet(); changed.signalAll(); }   // another process
 * }</pre>
 *
 * <h2>Overview</h2>
 * A sequence number is the futex word ({@link ConditionLayout}). A waiter, holding the mutex, reads the
 * sequence, announces itself, releases the mutex completely (all holds of a reentrant one), and sleeps
 * while the sequence is unchanged; then it takes the mutex back (restoring its holds, ignoring interrupts
 * until it has it, as Java's {@code Condition} does) and returns. Python's {@code notify(n)} and
 * {@code notify_all()} are {@link #signal(int)} and {@link #signalAll()} here (Java's {@code Condition}
 * names; {@code Object.notify()} is final). They must be called with the mutex held: they bump the
 * sequence and wake n (or all) sleepers. Since the
 * waiter read the sequence while holding the mutex and the notifier changes it while holding the mutex,
 * a notify cannot fall between the waiter's release and its sleep unseen.
 *
 * <h2>Spurious wake-ups</h2>
 * A notify changes the sequence for every waiter that has not gone to sleep yet, so {@code signal()} may
 * release more than one of those. As with Java's
 * {@link java.util.concurrent.locks.Condition} and Python's advice, wait in a loop on the real predicate;
 * {@link #waitFor} does that for you.
 *
 * <h2>Robustness</h2>
 * The condition has no owner; its mutex is robust. If a holder died while the waiter slept, the waiter still
 * gets the mutex back, and {@link ShmMutex#ownerDied()} tells it the data may need repair.
 */
public final class ShmCondition {

    /** Bytes a condition occupies in shared memory. */
    public static final int BYTES = ConditionLayout.BYTES;

    private final SharedMemory shm;
    private final MemorySegment memory;
    private final long offset;
    private final ShmMutex mutex;

    private ShmCondition(final SharedMemory shm, final MemorySegment memory, final long offset, final ShmMutex mutex) {
        this.shm = shm;
        this.memory = memory;
        this.offset = offset;
        this.mutex = mutex;
    }

    /**
     * Creates a condition at {@code offset} (a multiple of 8) of {@code shm}, bound to {@code mutex}, which
     * must live in the same memory.
     */
    public static ShmCondition create(final SharedMemory shm, final long offset, final ShmMutex mutex) {
        Objects.requireNonNull(mutex, "mutex");
        final long mutexOffset = mutexOffsetIn(shm, mutex);
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmCondition");
        Placement.initialize(memory, ConditionLayout.MAGIC_OFFSET, ConditionLayout.MAGIC,
                ConditionLayout.VERSION_OFFSET, ConditionLayout.VERSION,
                () -> ShmAccess.spLong(memory, ConditionLayout.MUTEX_OFFSET_OFFSET, mutexOffset));
        return new ShmCondition(shm, memory, offset, mutex);
    }

    /**
     * Opens the condition that {@link #create} made at {@code offset}.
     *
     * @throws IllegalArgumentException if it was created with another mutex
     */
    public static ShmCondition open(final SharedMemory shm, final long offset, final ShmMutex mutex) {
        Objects.requireNonNull(mutex, "mutex");
        final long mutexOffset = mutexOffsetIn(shm, mutex);
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmCondition");
        Placement.checkMagic(memory, ConditionLayout.MAGIC_OFFSET, ConditionLayout.MAGIC,
                ConditionLayout.VERSION_OFFSET, ConditionLayout.VERSION, "ShmCondition", shm, offset);
        final long recorded = ShmAccess.lpLong(memory, ConditionLayout.MUTEX_OFFSET_OFFSET);
        if (recorded != mutexOffset) {
            throw new IllegalArgumentException("the condition at offset " + offset + " belongs to the mutex at offset "
                    + recorded + ", not to the one at offset " + mutexOffset);
        }
        return new ShmCondition(shm, memory, offset, mutex);
    }

    private static long mutexOffsetIn(final SharedMemory shm, final ShmMutex mutex) {
        final long at = mutex.offsetIn(shm);
        if (at < 0) {
            throw new IllegalArgumentException("mutex must live in " + shm.path() + ", was " + mutex);
        }
        return at;
    }

    /** The mutex this condition releases while waiting. */
    public ShmMutex mutex() {
        return mutex;
    }

    /**
     * Releases the mutex, waits for a notify (or a spurious wake-up), and takes the mutex back.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the mutex
     * @throws WaitInterruptedException if the thread is interrupted while it waits (it holds the mutex again)
     */
    public void await() {
        await(Waits.FOREVER);
    }

    /**
     * As {@link #await()}, at most {@code timeout}.
     *
     * @return {@code false} if the time ran out without a notify (Python's return value)
     */
    public boolean await(final Duration timeout) {
        return await(Waits.toNanos(timeout));
    }

    /**
     * Waits until {@code predicate} holds, evaluating it with the mutex held (Python's {@code wait_for}).
     *
     * @return the last value of the predicate: {@code false} if the time ran out first
     * @throws IllegalMonitorStateException if the current thread does not hold the mutex
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public boolean waitFor(final BooleanSupplier predicate, final Duration timeout) {
        Objects.requireNonNull(predicate, "predicate");
        final long deadline = Waits.deadline(Waits.toNanos(timeout));
        boolean result = predicate.getAsBoolean();
        while (!result) {
            final long remaining = Waits.remaining(deadline);
            if (remaining <= 0L) {
                break;
            }
            await(remaining);
            result = predicate.getAsBoolean();
        }
        return result;
    }

    private boolean await(final long nanos) {
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("await() needs the condition's mutex held by this thread");
        }
        final long deadline = Waits.deadline(nanos);
        final int sequence = lvSequence();
        gaaSleepers(1);
        final int holds = mutex.releaseFully();
        boolean interrupted = false;
        boolean notified = false;
        try {
            for (;;) {
                if (lvSequence() != sequence) {
                    notified = true;
                    break;
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                    break;
                }
                final long remaining = Waits.remaining(deadline);
                if (remaining <= 0L) {
                    break;
                }
                Futex.await(memory, ConditionLayout.SEQUENCE_OFFSET, sequence, remaining);
            }
        } finally {
            gaaSleepers(-1);
            mutex.reacquire(holds);
        }
        if (interrupted) {
            throw new WaitInterruptedException(new InterruptedException());
        }
        return notified;
    }

    /**
     * Wakes at least one waiter, if there is one (Python's {@code notify()}; named as Java's
     * {@code Condition} because {@code Object.notify()} is taken).
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the mutex
     */
    public void signal() {
        wake(1);
    }

    /**
     * Wakes up to {@code n} sleeping waiters, and every waiter not yet asleep (Python's {@code notify(n)};
     * see the class comment).
     *
     * @throws IllegalArgumentException if {@code n} is not positive
     * @throws IllegalMonitorStateException if the current thread does not hold the mutex
     */
    public void signal(final int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, was " + n);
        }
        wake(n);
    }

    /**
     * Wakes every waiter (Python's {@code notify_all()}).
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the mutex
     */
    public void signalAll() {
        wake(Integer.MAX_VALUE);
    }

    private void wake(final int n) {
        if (!mutex.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("notify needs the condition's mutex held by this thread");
        }
        gaaSequence();
        if (lvSleepers() > 0) {
            Futex.wake(memory, ConditionLayout.SEQUENCE_OFFSET, n);
        }
    }

    @Override
    public String toString() {
        return "ShmCondition[" + shm.name() + "@" + offset + "]";
    }

    private int lvSequence() {
        return ShmAccess.lvInt(memory, ConditionLayout.SEQUENCE_OFFSET);
    }

    private void gaaSequence() {
        ShmAccess.gaaInt(memory, ConditionLayout.SEQUENCE_OFFSET, 1);
    }

    private int lvSleepers() {
        return ShmAccess.lvInt(memory, ConditionLayout.SLEEPERS_OFFSET);
    }

    private void gaaSleepers(final int delta) {
        ShmAccess.gaaInt(memory, ConditionLayout.SLEEPERS_OFFSET, delta);
    }
}
