package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A cyclic barrier for a fixed number of parties, which may be threads of different JVMs: Python's
 * {@code multiprocessing.Barrier}.
 *
 * <pre>{@code
 * ShmBarrier start = ShmBarrier.create(shm, 256, 4);        // or ShmBarrier.open(shm, 256)
 * int index = start.await(Duration.ofSeconds(10));          // 0..3, different for each party
 * }</pre>
 *
 * <h2>Overview</h2>
 * One 64-bit state word ({@link BarrierLayout}) holds the generation, a broken flag, the number of
 * parties that arrived and a reset tag; every change is a compare-and-set of the whole word, so there is
 * no lock to die holding. A party arrives by CAS {@code arrived + 1}; the last one instead CASes to the
 * next generation (arrived back to 0) and wakes all. The others sleep on the low half of the word (the
 * generation and the broken flag) until it changes. A party whose timeout runs out, or who is
 * interrupted, breaks the generation (as Java's {@link java.util.concurrent.CyclicBarrier} does), so the
 * others do not wait for it forever: they throw {@link BarrierBrokenException}, the one that gave up throws
 * {@link WaitTimeoutException} or {@link WaitInterruptedException}. A broken barrier stays broken until
 * {@link #reset()}.
 *
 * <h2>States and transitions</h2>
 * <pre>
 *   FILLING(g, k)  -&gt; FILLING(g, k+1)    await() by a party that is not the last
 *   FILLING(g, n-1)-&gt; FILLING(g+1, 0)    await() by the last party: everyone in g is released
 *   FILLING(g, k)  -&gt; BROKEN(g, k)       a timeout, an interrupt, abort()
 *   any(g)         -&gt; FILLING(g+1, 0)    reset(); if g had waiters or was broken, the reset tag names g
 * </pre>
 * A sleeper of generation g that wakes in a later generation was released, unless the reset tag names g:
 * then it throws {@link BarrierBrokenException}. Only the most recent reset is remembered, so a sleeper that
 * slept through two resets and a release in between would take the release for its own; a barrier is
 * not reset that often while parties are still asleep in it.
 *
 * <h2>Robustness</h2>
 * A party killed before it arrives never arrives: the others wait until their timeouts, as in Python,
 * so pass timeouts across processes. A party killed while asleep changes nothing (it already counted).
 * Python's {@code action} argument is not offered: every process would need the same callable; test the
 * returned index instead ({@code if (index == 0) ...}).
 */
public final class ShmBarrier {

    /** Bytes a barrier occupies in shared memory. */
    public static final int BYTES = BarrierLayout.BYTES;

    private final SharedMemory shm;
    private final MemorySegment memory;
    private final long offset;
    private final int parties;

    private ShmBarrier(final SharedMemory shm, final MemorySegment memory, final long offset) {
        this.shm = shm;
        this.memory = memory;
        this.offset = offset;
        this.parties = ShmAccess.lpInt(memory, BarrierLayout.PARTIES_OFFSET);
    }

    /**
     * Creates a barrier for {@code parties} parties at {@code offset} (a multiple of 8) of {@code shm}.
     *
     * @throws IllegalArgumentException if {@code parties} is not 1 to 32767
     */
    public static ShmBarrier create(final SharedMemory shm, final long offset, final int parties) {
        if (parties < 1 || parties > BarrierLayout.MAX_PARTIES) {
            throw new IllegalArgumentException("parties must be between 1 and " + BarrierLayout.MAX_PARTIES
                    + ", was " + parties);
        }
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmBarrier");
        Placement.initialize(memory, BarrierLayout.MAGIC_OFFSET, BarrierLayout.MAGIC, BarrierLayout.VERSION_OFFSET,
                BarrierLayout.VERSION, () -> ShmAccess.spInt(memory, BarrierLayout.PARTIES_OFFSET, parties));
        return new ShmBarrier(shm, memory, offset);
    }

    /** Opens the barrier that {@link #create} made at {@code offset}. */
    public static ShmBarrier open(final SharedMemory shm, final long offset) {
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmBarrier");
        Placement.checkMagic(memory, BarrierLayout.MAGIC_OFFSET, BarrierLayout.MAGIC, BarrierLayout.VERSION_OFFSET,
                BarrierLayout.VERSION, "ShmBarrier", shm, offset);
        return new ShmBarrier(shm, memory, offset);
    }

    /**
     * Waits until all parties have called {@code await}, as long as it takes.
     *
     * @return this party's arrival index, 0 to {@code parties() - 1}
     * @throws BarrierBrokenException if the barrier is or becomes broken, or is reset while waiting
     * @throws WaitInterruptedException if the thread is interrupted while it waits (the barrier breaks)
     */
    public int await() {
        return await(Waits.FOREVER, null);
    }

    /**
     * As {@link #await()}, at most {@code timeout}.
     *
     * @throws WaitTimeoutException if the time ran out (the barrier breaks for the others)
     */
    public int await(final Duration timeout) {
        return await(Waits.toNanos(timeout), timeout);
    }

    private int await(final long nanos, final Duration timeout) {
        final long deadline = Waits.deadline(nanos);
        int generation;
        int index;
        for (;;) {
            final long s = lvState();
            if (BarrierLayout.isBroken(s)) {
                throw broken("is broken");
            }
            generation = BarrierLayout.generation(s);
            index = BarrierLayout.arrived(s);
            if (index + 1 == parties) {
                if (casState(s, BarrierLayout.nextGeneration(s, BarrierLayout.resetTag(s)))) {
                    wakeAll();
                    return index;
                }
            } else if (casState(s, s + BarrierLayout.ARRIVED_ONE)) {
                break;
            }
        }
        gaaSleepers(1);
        try {
            for (;;) {
                final long s = lvState();
                if (BarrierLayout.generation(s) != generation) {
                    if (BarrierLayout.resetTag(s) == BarrierLayout.resetTagFor(generation)) {
                        throw broken("was reset while this party waited");
                    }
                    return index;
                }
                if (BarrierLayout.isBroken(s)) {
                    throw broken("was broken while this party waited");
                }
                if (Thread.interrupted()) {
                    breakGeneration(generation);
                    throw new WaitInterruptedException(new InterruptedException());
                }
                final long remaining = Waits.remaining(deadline);
                if (remaining <= 0L) {
                    breakGeneration(generation);
                    throw new WaitTimeoutException("barrier at offset " + offset + " of " + shm.name() + ": "
                            + BarrierLayout.arrived(s) + " of " + parties + " parties after " + timeout
                            + "; the barrier is now broken");
                }
                Futex.await(memory, BarrierLayout.FUTEX_OFFSET, BarrierLayout.futexWord(s), remaining);
            }
        } finally {
            gaaSleepers(-1);
        }
    }

    /** Breaks the current generation: every waiter, and every later {@code await}, throws until reset(). */
    public void abort() {
        breakGeneration(BarrierLayout.generation(lvState()));
    }

    /**
     * Returns the barrier to its empty state; parties waiting now throw {@link BarrierBrokenException}
     * (Python's {@code reset()}).
     */
    public void reset() {
        for (;;) {
            final long s = lvState();
            final boolean inUse = BarrierLayout.arrived(s) > 0 || BarrierLayout.isBroken(s);
            final long tag = inUse ? BarrierLayout.resetTagFor(BarrierLayout.generation(s)) : BarrierLayout.resetTag(s);
            if (casState(s, BarrierLayout.nextGeneration(s, tag))) {
                wakeAll();
                return;
            }
        }
    }

    private void breakGeneration(final int generation) {
        for (;;) {
            final long s = lvState();
            if (BarrierLayout.generation(s) != generation || BarrierLayout.isBroken(s)) {
                return;
            }
            if (casState(s, s | BarrierLayout.BROKEN)) {
                wakeAll();
                return;
            }
        }
    }

    private void wakeAll() {
        if (lvSleepers() > 0) {
            Futex.wake(memory, BarrierLayout.FUTEX_OFFSET, Integer.MAX_VALUE);
        }
    }

    /** The number of parties needed to trip the barrier. */
    public int parties() {
        return parties;
    }

    /** The number of parties waiting now (Python's {@code n_waiting}; a snapshot). */
    public int waiting() {
        return BarrierLayout.arrived(lvState());
    }

    /** {@code true} if the barrier is broken (Python's {@code broken}; a snapshot). */
    public boolean isBroken() {
        return BarrierLayout.isBroken(lvState());
    }

    @Override
    public String toString() {
        final long s = lvState(); // racy read: a snapshot for logs
        return "ShmBarrier[" + shm.name() + "@" + offset + ", " + BarrierLayout.arrived(s) + "/" + parties
                + (BarrierLayout.isBroken(s) ? ", broken" : "") + "]";
    }

    private BarrierBrokenException broken(final String what) {
        return new BarrierBrokenException("barrier at offset " + offset + " of " + shm.name() + " " + what);
    }

    private long lvState() {
        return ShmAccess.lvLong(memory, BarrierLayout.STATE_OFFSET);
    }

    private boolean casState(final long expected, final long next) {
        return ShmAccess.casLong(memory, BarrierLayout.STATE_OFFSET, expected, next);
    }

    private int lvSleepers() {
        return ShmAccess.lvInt(memory, BarrierLayout.SLEEPERS_OFFSET);
    }

    private void gaaSleepers(final int delta) {
        ShmAccess.gaaInt(memory, BarrierLayout.SLEEPERS_OFFSET, delta);
    }
}
