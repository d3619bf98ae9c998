package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mutual-exclusion lock shared by the threads of every JVM that maps the same memory, robust against
 * the death of its owner: Python's {@code multiprocessing.Lock} and {@code RLock}, with the guarantee of
 * a POSIX robust mutex ({@code PTHREAD_MUTEX_ROBUST}) that Python's semaphores do not give.
 *
 * <pre>{@code
 * ShmMutex lock = ShmMutex.create(shm, 0, false);      // or ShmMutex.open(shm, 0) in the other JVMs
 * try (ShmMutex.Guard g = lock.lock(Duration.ofSeconds(5))) {
 *     if (g.ownerDied()) {                              // the last holder was killed inside
 *         repair(data);
 *         g.markConsistent();
 *     }
 *     update(data);
 * }
 * }</pre>
 *
 * <h2>Overview</h2>
 * The lock is a 64-byte block ({@link MutexLayout}). Its owner word holds the owning process's token
 * ({@link ProcessIdentity}: pid and start time), written by one compare-and-set, so that the lock and the
 * record of who holds it can never disagree, even if the owner is killed between any two instructions.
 * Inside the owner JVM the thread id beside it tells which thread holds it (for {@link #unlock()} checks and
 * reentrancy). Acquiring:
 * <ol>
 *   <li>fast path: CAS owner {@code 0 -> me};</li>
 *   <li>an adaptive spin ({@link AdaptiveSpin}) polling for {@code 0};</li>
 *   <li>sleep: set {@code sleepers = 1}, re-check the owner, {@code FUTEX_WAIT(sleepers, 1)} (Drepper's
 *       "mutex 2" from <i>Futexes Are Tricky</i>, with the state split into the owner word and a sleepers
 *       flag). Every thread that wakes sets the flag again before it retries, so a release always wakes the
 *       next sleeper.</li>
 * </ol>
 * Releasing: a volatile store of {@code 0} to the owner, then, if {@code sleepers} was {@code 1}, reset it
 * and {@code FUTEX_WAKE} one sleeper. The volatile store and the volatile read of the flag order like
 * Dekker's algorithm: a waiter that set the flag after the releaser read it sees the owner as {@code 0}.
 *
 * <h2>Robustness: the owner died</h2>
 * Sleeps are bounded ({@link Futex#MAX_SLEEP_NANOS}); every {@link Waits#LIVENESS_CHECK_NANOS} a waiter
 * checks the recorded owner with {@link ProcessIdentity#isAlive}. When the owner process is gone, the waiter
 * takes the lock with a CAS from the dead token to its own (one winner), sets the <em>inconsistent</em> bit,
 * counts a recovery and returns a {@link Guard} whose {@link Guard#ownerDied()} is {@code true}. The bit
 * stays set, and every later acquirer sees {@code ownerDied()}, until a holder calls
 * {@link Guard#markConsistent()}: a repairer that is itself killed in the middle of the repair does not
 * leave the next one believing the data is fine. (POSIX makes such a mutex unusable, {@code
 * ENOTRECOVERABLE}; here it stays usable and keeps telling.) Nobody deadlocks on a dead owner: the longest
 * delay is one liveness period. A thread that ends without unlocking, in a live JVM, keeps the lock, as a
 * {@link java.util.concurrent.locks.ReentrantLock} would.
 *
 * <h2>States and transitions (owner word)</h2>
 * <pre>
 *   0      -&gt; T      lock(): CAS by process T
 *   T      -&gt; 0      unlock() by the owning thread of T (volatile store), last hold only
 *   T dead -&gt; U      a waiter of process U, after isAlive(T) == false (CAS); inconsistent := 1
 * </pre>
 *
 * <h2>Threads, JVMs and fairness</h2>
 * Any thread of any JVM may lock; only the holding thread may unlock ({@link IllegalMonitorStateException}
 * otherwise). The lock is not fair: a thread that arrives as the lock is released may take it before a
 * woken sleeper (barging, as in {@code ReentrantLock} by default), which is what makes an uncontended
 * lock+unlock two atomic instructions. Waits from virtual threads poll instead of entering the kernel (see
 * {@link Futex}). Interrupts are seen within one sleep slice.
 */
public final class ShmMutex {

    private static final Logger LOG = LoggerFactory.getLogger(ShmMutex.class);

    /** Bytes a mutex occupies in shared memory; place it at a multiple of 64 to own its cache line. */
    public static final int BYTES = MutexLayout.BYTES;

    private final SharedMemory shm;
    private final MemorySegment memory;
    private final long offset;
    private final boolean reentrant;
    private final AdaptiveSpin spin = new AdaptiveSpin();
    /** Returned by every acquisition that found the data consistent: a guard carries no other state. */
    private final Guard consistentGuard = new Guard(this, false);

    private ShmMutex(final SharedMemory shm, final MemorySegment memory, final long offset) {
        this.shm = shm;
        this.memory = memory;
        this.offset = offset;
        this.reentrant = (ShmAccess.lpInt(memory, MutexLayout.OPTIONS_OFFSET) & MutexLayout.OPTION_REENTRANT) != 0;
    }

    /**
     * Creates an unlocked mutex at {@code offset} (a multiple of 8; 64 recommended) of {@code shm},
     * overwriting what was there. Create it once, before other processes open it.
     *
     * @param reentrant {@code true} for Python's {@code RLock}: the holding thread may lock again and must
     *     unlock as many times
     */
    public static ShmMutex create(final SharedMemory shm, final long offset, final boolean reentrant) {
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmMutex");
        ShmAccess.svInt(memory, MutexLayout.MAGIC_OFFSET, 0);
        memory.fill((byte) 0);
        ShmAccess.spInt(memory, MutexLayout.VERSION_OFFSET, MutexLayout.VERSION);
        ShmAccess.spInt(memory, MutexLayout.OPTIONS_OFFSET, reentrant ? MutexLayout.OPTION_REENTRANT : 0);
        ShmAccess.soInt(memory, MutexLayout.MAGIC_OFFSET, MutexLayout.MAGIC);
        return new ShmMutex(shm, memory, offset);
    }

    /**
     * Opens the mutex that {@link #create} made at {@code offset}.
     *
     * @throws SegmentFormatException if there is no mutex of this layout version there
     */
    public static ShmMutex open(final SharedMemory shm, final long offset) {
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmMutex");
        Placement.checkMagic(memory, MutexLayout.MAGIC_OFFSET, MutexLayout.MAGIC, MutexLayout.VERSION_OFFSET,
                MutexLayout.VERSION, "ShmMutex", shm, offset);
        return new ShmMutex(shm, memory, offset);
    }

    // ------------------------------------------------------------------ acquiring

    /**
     * Takes the lock, waiting as long as it takes (a dead owner costs at most one liveness period).
     *
     * @throws IllegalStateException if the lock is not reentrant and this thread holds it already
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public Guard lock() {
        return acquire(Waits.FOREVER);
    }

    /**
     * Takes the lock, waiting at most {@code timeout}.
     *
     * @throws WaitTimeoutException if another holder kept it for the whole timeout
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if the lock is not reentrant and this thread holds it already
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public Guard lock(final Duration timeout) {
        final Guard g = acquire(Waits.toNanos(timeout));
        if (g == null) {
            throw new WaitTimeoutException("mutex at offset " + offset + " of " + shm.name()
                    + " still held by " + ProcessIdentity.describe(lvOwner()) + " after " + timeout);
        }
        return g;
    }

    /**
     * Takes the lock if it is free now; never waits (and never checks a holder's liveness).
     *
     * @throws IllegalStateException if the lock is not reentrant and this thread holds it already
     */
    public Optional<Guard> tryLock() {
        return Optional.ofNullable(acquire(0L));
    }

    /** Acquires within {@code nanos}; {@code null} if the time ran out. */
    private Guard acquire(final long nanos) {
        final long me = ProcessIdentity.CURRENT;
        final long thread = Thread.currentThread().threadId();
        long owner = lvOwner();
        if (owner == me && lpOwnerThread() == thread) { // racy read: only this thread ever writes its own id
            if (!reentrant) {
                throw new IllegalStateException("mutex at offset " + offset + " of " + shm.name()
                        + " is not reentrant and this thread already holds it");
            }
            spHolds(lpHolds() + 1);
            return guard();
        }
        if (owner == 0L && casOwner(0L, me)) {
            return acquired(thread, false);
        }
        if (nanos == 0L) {
            return null;
        }
        final int budget = spin.limit();
        for (int i = 0; i < budget; i++) {
            Thread.onSpinWait();
            owner = lvOwner();
            if (owner == 0L && casOwner(0L, me)) {
                spin.succeeded();
                return acquired(thread, false);
            }
        }
        spin.failed();
        return sleepUntilAcquired(me, thread, Waits.deadline(nanos));
    }

    private Guard sleepUntilAcquired(final long me, final long thread, final long deadline) {
        long nextLivenessCheck = System.nanoTime() + Waits.LIVENESS_CHECK_NANOS;
        for (;;) {
            if (Thread.interrupted()) {
                passOnWakeUp();
                throw new WaitInterruptedException(new InterruptedException());
            }
            gasSleepers(1);
            final long owner = lvOwner();
            if (owner == 0L) {
                if (casOwner(0L, me)) {
                    return acquired(thread, false);
                }
                continue;
            }
            final long now = System.nanoTime();
            if (now - nextLivenessCheck >= 0L) {
                nextLivenessCheck = now + Waits.LIVENESS_CHECK_NANOS;
                if (!ProcessIdentity.isAlive(owner) && casOwner(owner, me)) {
                    return acquired(thread, true);
                }
            }
            final long remaining = Waits.remaining(deadline);
            if (remaining <= 0L) {
                passOnWakeUp();
                return null;
            }
            Futex.await(memory, MutexLayout.SLEEPERS_OFFSET, 1,
                    Math.min(remaining, Math.max(1L, nextLivenessCheck - now)));
        }
    }

    /** This thread now owns the lock (the CAS succeeded); record it and hand out a guard. */
    private Guard acquired(final long thread, final boolean fromDeadOwner) {
        spOwnerThread(thread);
        spHolds(1);
        if (fromDeadOwner) {
            setInconsistent(true);
            ShmAccess.gaaInt(memory, MutexLayout.RECOVERIES_OFFSET, 1);
            LOG.warn("mutex at offset {} of {}: the owner died holding it; taken over, data marked inconsistent",
                    offset, shm.path());
        }
        return guard();
    }

    private Guard guard() {
        return isInconsistent() ? new Guard(this, true) : consistentGuard;
    }

    /**
     * A waiter that leaves without the lock may have swallowed the wake-up meant for the next sleeper:
     * raise the flag so the holder's release wakes someone, and wake one now if the lock is free.
     */
    private void passOnWakeUp() {
        gasSleepers(1);
        if (lvOwner() == 0L) {
            Futex.wake(memory, MutexLayout.SLEEPERS_OFFSET, 1);
        }
    }

    // ------------------------------------------------------------------ releasing

    /**
     * Releases one hold; the last one frees the lock and wakes one waiter.
     *
     * @throws IllegalMonitorStateException if this thread does not hold the lock
     */
    public void unlock() {
        checkHeldByCurrentThread();
        final int holds = lpHolds();
        if (holds > 1) {
            spHolds(holds - 1);
            return;
        }
        release();
    }

    private void release() {
        spHolds(0);
        spOwnerThread(0L);
        svOwner(0L); // volatile: must not pass the read of sleepers below (see the class comment)
        if (lvSleepers() != 0 && gasSleepers(0) != 0) {
            Futex.wake(memory, MutexLayout.SLEEPERS_OFFSET, 1);
        }
    }

    /** For {@link ShmCondition}: releases every hold of this thread and returns how many there were. */
    int releaseFully() {
        checkHeldByCurrentThread();
        final int holds = lpHolds();
        release();
        return holds;
    }

    /** For {@link ShmCondition}: takes the lock again after a wait and restores the hold count. */
    void reacquire(final int holds) {
        final long me = ProcessIdentity.CURRENT;
        final long thread = Thread.currentThread().threadId();
        if (casOwner(0L, me)) {
            acquired(thread, false);
        } else {
            sleepUntilAcquiredUninterruptibly(me, thread);
        }
        spHolds(holds);
    }

    /** A condition waiter must get the lock back even when interrupted; the interrupt is kept as status. */
    private void sleepUntilAcquiredUninterruptibly(final long me, final long thread) {
        boolean interrupted = false;
        for (;;) {
            try {
                sleepUntilAcquired(me, thread, Waits.FOREVER);
                break;
            } catch (WaitInterruptedException e) {
                Thread.interrupted(); // cleared here, re-set below
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ queries

    /** The offset of this mutex in {@code other}'s memory if both map the same file, else -1. */
    long offsetIn(final SharedMemory other) {
        return shm.path().equals(other.path()) ? offset : -1L;
    }

    /** {@code true} if the current thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return lvOwner() == ProcessIdentity.CURRENT
                && lpOwnerThread() == Thread.currentThread().threadId(); // racy read: see acquire()
    }

    /** {@code true} if some thread of some process holds the lock now (a snapshot). */
    public boolean isLocked() {
        return lvOwner() != 0L;
    }

    /** The pid of the holding process, or 0 when the lock is free (a snapshot). */
    public long ownerPid() {
        return ProcessIdentity.pid(lvOwner());
    }

    public boolean isReentrant() {
        return reentrant;
    }

    /**
     * {@code true} from the moment a holder died holding the lock until a later holder calls
     * {@link Guard#markConsistent()}: the data this lock guards may be half-updated.
     */
    public boolean ownerDied() {
        return isInconsistent();
    }

    /** How many times the lock was taken over from a dead owner since it was created. */
    public int recoveries() {
        return ShmAccess.lvInt(memory, MutexLayout.RECOVERIES_OFFSET);
    }

    /**
     * Declares the guarded data repaired after an owner died (pthread's {@code pthread_mutex_consistent}).
     *
     * @throws IllegalMonitorStateException if this thread does not hold the lock
     */
    public void markConsistent() {
        checkHeldByCurrentThread();
        setInconsistent(false);
    }

    @Override
    public String toString() {
        final long owner = lvOwner(); // racy read: a snapshot for logs
        return "ShmMutex[" + shm.name() + "@" + offset + (reentrant ? ", reentrant" : "")
                + (owner == 0L ? ", unlocked" : ", held by " + ProcessIdentity.describe(owner)) + "]";
    }

    private void checkHeldByCurrentThread() {
        if (!isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("mutex at offset " + offset + " of " + shm.name()
                    + " is not held by this thread (holder: " + ProcessIdentity.describe(lvOwner()) + ")");
        }
    }

    // ------------------------------------------------------------------ accessors (see ShmAccess)

    private long lvOwner() {
        return ShmAccess.lvLong(memory, MutexLayout.OWNER_OFFSET);
    }

    private void svOwner(final long token) {
        ShmAccess.svLong(memory, MutexLayout.OWNER_OFFSET, token);
    }

    private boolean casOwner(final long expected, final long token) {
        return ShmAccess.casLong(memory, MutexLayout.OWNER_OFFSET, expected, token);
    }

    private long lpOwnerThread() {
        return ShmAccess.lpLong(memory, MutexLayout.OWNER_THREAD_OFFSET);
    }

    private void spOwnerThread(final long thread) {
        ShmAccess.spLong(memory, MutexLayout.OWNER_THREAD_OFFSET, thread);
    }

    private int lpHolds() {
        return ShmAccess.lpInt(memory, MutexLayout.HOLDS_OFFSET);
    }

    private void spHolds(final int holds) {
        ShmAccess.spInt(memory, MutexLayout.HOLDS_OFFSET, holds);
    }

    private int lvSleepers() {
        return ShmAccess.lvInt(memory, MutexLayout.SLEEPERS_OFFSET);
    }

    private int gasSleepers(final int value) {
        return ShmAccess.gasInt(memory, MutexLayout.SLEEPERS_OFFSET, value);
    }

    private boolean isInconsistent() {
        return (ShmAccess.lvInt(memory, MutexLayout.STATE_OFFSET) & MutexLayout.STATE_INCONSISTENT) != 0;
    }

    private void setInconsistent(final boolean inconsistent) {
        ShmAccess.svInt(memory, MutexLayout.STATE_OFFSET, inconsistent ? MutexLayout.STATE_INCONSISTENT : 0);
    }

    /**
     * Proof of holding a {@link ShmMutex}, for try-with-resources: {@link #close()} unlocks (one hold).
     * Close it once, in the thread that locked.
     */
    public static final class Guard implements AutoCloseable {
        private final ShmMutex mutex;
        private final boolean ownerDied;

        private Guard(final ShmMutex mutex, final boolean ownerDied) {
            this.mutex = mutex;
            this.ownerDied = ownerDied;
        }

        /**
         * {@code true} if, when this acquisition happened, a former holder had died holding the lock and
         * nobody had called {@link #markConsistent()} since: repair the guarded data, then mark it.
         */
        public boolean ownerDied() {
            return ownerDied;
        }

        /** Declares the guarded data repaired; later acquisitions report {@code ownerDied() == false}. */
        public void markConsistent() {
            mutex.markConsistent();
        }

        /** The mutex this guard holds. */
        public ShmMutex mutex() {
            return mutex;
        }

        /** Unlocks one hold. */
        @Override
        public void close() {
            mutex.unlock();
        }
    }
}
