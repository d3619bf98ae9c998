package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A counting semaphore shared by every JVM that maps the same memory: Python's
 * {@code multiprocessing.Semaphore} and, with a bound, {@code BoundedSemaphore}.
 *
 * <pre>{@code
 * ShmSemaphore slots = ShmSemaphore.create(shm, 128, 4, true);   // 4 permits, never more than 4
 * slots.acquire(Duration.ofSeconds(1));                          // WaitTimeoutException if none came
 * try { work(); } finally { slots.release(); }
 * }</pre>
 *
 * <h2>Overview</h2>
 * The permit count is the futex word ({@link SemaphoreLayout}). Acquire: CAS {@code n -> n-1} while
 * {@code n > 0}; else spin briefly, then announce ({@code sleepers++}), re-check, and
 * {@code FUTEX_WAIT(permits, 0)}. Release: add the permits (CAS against the bound when bounded), then, if
 * anyone announced, {@code FUTEX_WAKE} that many. Announcing and adding are both atomic read-modify-writes,
 * so either the releaser sees the sleeper or the sleeper sees the permit; and a sleeper that reads 0 and
 * then sleeps is refused by the kernel if a permit arrived in between.
 *
 * <h2>Robustness</h2>
 * A semaphore has no owner (any process may release, as in Python), so a process killed while it holds a
 * permit takes that permit with it: the count stays one lower. That is POSIX's and Python's behaviour too;
 * use a {@link ShmMutex} where death must be detected. Nothing else can wedge: a waiter killed while
 * announced leaves {@code sleepers} one too high, which only costs later releases a needless wake call, and
 * every sleep is bounded, so a wake-up lost to a waiter that timed out at the same moment is passed on (the
 * leaving waiter wakes another when permits are left).
 *
 * <h2>States</h2>
 * {@code permits} moves between 0 and the bound; it never goes negative (waiters are counted apart).
 */
public final class ShmSemaphore {

    /** Bytes a semaphore occupies in shared memory. */
    public static final int BYTES = SemaphoreLayout.BYTES;

    private final SharedMemory shm;
    private final MemorySegment memory;
    private final long offset;
    private final int bound;
    private final AdaptiveSpin spin = new AdaptiveSpin();

    private ShmSemaphore(final SharedMemory shm, final MemorySegment memory, final long offset) {
        this.shm = shm;
        this.memory = memory;
        this.offset = offset;
        this.bound = ShmAccess.lpInt(memory, SemaphoreLayout.BOUND_OFFSET);
    }

    /**
     * Creates a semaphore with {@code permits} permits at {@code offset} (a multiple of 8) of {@code shm}.
     *
     * @param bounded {@code true} for Python's {@code BoundedSemaphore}: releasing beyond the initial
     *     number throws
     * @throws IllegalArgumentException if {@code permits} is negative or the block does not fit
     */
    public static ShmSemaphore create(final SharedMemory shm, final long offset, final int permits,
                                      final boolean bounded) {
        if (permits < 0 || (bounded && permits == SemaphoreLayout.UNBOUNDED)) {
            throw new IllegalArgumentException("permits must be between 0 and " + (SemaphoreLayout.UNBOUNDED - 1)
                    + ", was " + permits);
        }
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmSemaphore");
        Placement.initialize(memory, SemaphoreLayout.MAGIC_OFFSET, SemaphoreLayout.MAGIC,
                SemaphoreLayout.VERSION_OFFSET, SemaphoreLayout.VERSION, () -> {
                    ShmAccess.spInt(memory, SemaphoreLayout.PERMITS_OFFSET, permits);
                    ShmAccess.spInt(memory, SemaphoreLayout.BOUND_OFFSET, bounded ? permits : SemaphoreLayout.UNBOUNDED);
                });
        return new ShmSemaphore(shm, memory, offset);
    }

    /** Opens the semaphore that {@link #create} made at {@code offset}. */
    public static ShmSemaphore open(final SharedMemory shm, final long offset) {
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmSemaphore");
        Placement.checkMagic(memory, SemaphoreLayout.MAGIC_OFFSET, SemaphoreLayout.MAGIC,
                SemaphoreLayout.VERSION_OFFSET, SemaphoreLayout.VERSION, "ShmSemaphore", shm, offset);
        return new ShmSemaphore(shm, memory, offset);
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public void acquire() {
        acquire(Waits.FOREVER);
    }

    /**
     * Takes a permit, waiting at most {@code timeout}.
     *
     * @throws WaitTimeoutException if no permit came in time
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public void acquire(final Duration timeout) {
        if (!acquire(Waits.toNanos(timeout))) {
            throw new WaitTimeoutException("no permit of the semaphore at offset " + offset + " of " + shm.name()
                    + " within " + timeout);
        }
    }

    /** Takes a permit if one is available now; never waits. */
    public boolean tryAcquire() {
        return acquire(0L);
    }

    private boolean acquire(final long nanos) {
        if (tryTake()) {
            return true;
        }
        if (nanos == 0L) {
            return false;
        }
        final int budget = spin.limit();
        for (int i = 0; i < budget; i++) {
            Thread.onSpinWait();
            if (lvPermits() > 0 && tryTake()) {
                spin.succeeded();
                return true;
            }
        }
        spin.failed();
        final long deadline = Waits.deadline(nanos);
        gaaSleepers(1);
        boolean acquired = false;
        try {
            for (;;) {
                if (tryTake()) {
                    acquired = true;
                    return true;
                }
                if (Thread.interrupted()) {
                    throw new WaitInterruptedException(new InterruptedException());
                }
                final long remaining = Waits.remaining(deadline);
                if (remaining <= 0L) {
                    return false;
                }
                Futex.await(memory, SemaphoreLayout.PERMITS_OFFSET, 0, remaining);
            }
        } finally {
            gaaSleepers(-1);
            if (!acquired && lvPermits() > 0 && lvSleepers() > 0) {
                Futex.wake(memory, SemaphoreLayout.PERMITS_OFFSET, 1); // pass on a wake-up we may have taken
            }
        }
    }

    private boolean tryTake() {
        for (int p = lvPermits(); p > 0; p = lvPermits()) {
            if (casPermits(p, p - 1)) {
                return true;
            }
        }
        return false;
    }

    /** Returns one permit. */
    public void release() {
        release(1);
    }

    /**
     * Returns {@code permits} permits (Python 3.9's {@code release(n)}) and wakes that many waiters.
     *
     * @throws IllegalArgumentException if {@code permits} is not positive
     * @throws IllegalStateException if a bounded semaphore would exceed its bound, or the count would overflow
     */
    public void release(final int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        for (;;) {
            final int p = lvPermits();
            if (p > bound - permits) {
                throw new IllegalStateException(bound == SemaphoreLayout.UNBOUNDED
                        ? "semaphore permits would overflow: " + p + " + " + permits
                        : "semaphore released too many times: " + p + " + " + permits + " exceeds its bound " + bound);
            }
            if (casPermits(p, p + permits)) {
                break;
            }
        }
        if (lvSleepers() > 0) {
            Futex.wake(memory, SemaphoreLayout.PERMITS_OFFSET, permits);
        }
    }

    /** The permits available now (Python's {@code get_value()}; a snapshot). */
    public int availablePermits() {
        return lvPermits();
    }

    /** {@code true} for a bounded semaphore. */
    public boolean isBounded() {
        return bound != SemaphoreLayout.UNBOUNDED;
    }

    @Override
    public String toString() {
        return "ShmSemaphore[" + shm.name() + "@" + offset + ", " + lvPermits() + " permits" // racy read: a snapshot
                + (isBounded() ? " of " + bound : "") + "]";
    }

    private int lvPermits() {
        return ShmAccess.lvInt(memory, SemaphoreLayout.PERMITS_OFFSET);
    }

    private boolean casPermits(final int expected, final int next) {
        return ShmAccess.casInt(memory, SemaphoreLayout.PERMITS_OFFSET, expected, next);
    }

    private int lvSleepers() {
        return ShmAccess.lvInt(memory, SemaphoreLayout.SLEEPERS_OFFSET);
    }

    private void gaaSleepers(final int delta) {
        ShmAccess.gaaInt(memory, SemaphoreLayout.SLEEPERS_OFFSET, delta);
    }
}
