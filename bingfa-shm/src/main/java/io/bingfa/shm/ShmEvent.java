package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A flag that threads of every JVM mapping the same memory wait for: Python's
 * {@code multiprocessing.Event} (and the cross-process twin of {@link io.bingfa.sync.Event}).
 *
 * <pre>{@code
 * ShmEvent ready = ShmEvent.create(shm, 192);      // one process; the others ShmEvent.open(shm, 192)
 * ready.set();                                      // wakes every waiter of every process
 * if (!ready.await(Duration.ofSeconds(5))) fail();
 * }</pre>
 *
 * <h2>Overview</h2>
 * One 32-bit state word ({@link EventLayout}) holds the flag and a generation; it is also the futex word.
 * {@code set()} on a lowered flag CASes it up and moves to the next generation, then wakes all sleepers.
 * A waiter remembers the state it started from and returns when the flag is up <em>or the generation has
 * moved</em>, so a {@code set()} followed at once by {@code clear()} still releases everyone who was waiting,
 * as Python promises. Because every {@code set()} changes the word, a waiter that read the old word and
 * then calls {@code FUTEX_WAIT} with it is refused by the kernel: no lost wake-up.
 *
 * <h2>States and transitions</h2>
 * <pre>
 *   CLEAR -&gt; SET     set(): generation++, wakes all
 *   SET   -&gt; CLEAR   clear()
 *   SET   -&gt; SET     set() again: nothing
 * </pre>
 * An event has no owner, so a process dying cannot wedge it: at worst nobody calls {@code set()}, which is
 * what the waits' timeouts are for.
 */
public final class ShmEvent {

    /** Bytes an event occupies in shared memory. */
    public static final int BYTES = EventLayout.BYTES;

    private final SharedMemory shm;
    private final MemorySegment memory;
    private final long offset;

    private ShmEvent(final SharedMemory shm, final MemorySegment memory, final long offset) {
        this.shm = shm;
        this.memory = memory;
        this.offset = offset;
    }

    /** Creates a cleared event at {@code offset} (a multiple of 8) of {@code shm}. */
    public static ShmEvent create(final SharedMemory shm, final long offset) {
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmEvent");
        Placement.initialize(memory, EventLayout.MAGIC_OFFSET, EventLayout.MAGIC, EventLayout.VERSION_OFFSET,
                EventLayout.VERSION, () -> { });
        return new ShmEvent(shm, memory, offset);
    }

    /** Opens the event that {@link #create} made at {@code offset}. */
    public static ShmEvent open(final SharedMemory shm, final long offset) {
        final MemorySegment memory = Placement.slice(shm, offset, BYTES, Long.BYTES, "a ShmEvent");
        Placement.checkMagic(memory, EventLayout.MAGIC_OFFSET, EventLayout.MAGIC, EventLayout.VERSION_OFFSET,
                EventLayout.VERSION, "ShmEvent", shm, offset);
        return new ShmEvent(shm, memory, offset);
    }

    /** Raises the flag and wakes every waiter in every process. Does nothing if it is up already. */
    public void set() {
        for (;;) {
            final int s = lvState();
            if (EventLayout.isSet(s)) {
                return;
            }
            if (casState(s, (s | EventLayout.SET_BIT) + EventLayout.GENERATION_ONE)) {
                break;
            }
        }
        if (lvSleepers() > 0) {
            Futex.wake(memory, EventLayout.STATE_OFFSET, Integer.MAX_VALUE);
        }
    }

    /** Lowers the flag. Waiters already released stay released. */
    public void clear() {
        for (;;) {
            final int s = lvState();
            if (!EventLayout.isSet(s) || casState(s, s & ~EventLayout.SET_BIT)) {
                return;
            }
        }
    }

    /** {@code true} while the flag is up (Python's {@code is_set()}). */
    public boolean isSet() {
        return EventLayout.isSet(lvState());
    }

    /**
     * Waits until the flag is up, as long as it takes.
     *
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public void await() {
        await(Waits.FOREVER);
    }

    /**
     * Waits at most {@code timeout} for the flag (Python's {@code wait(timeout)}).
     *
     * @return {@code true} if the flag was up or a {@code set()} happened while waiting, {@code false} if
     *     the time ran out
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public boolean await(final Duration timeout) {
        return await(Waits.toNanos(timeout));
    }

    private boolean await(final long nanos) {
        final int start = lvState();
        if (EventLayout.isSet(start)) {
            return true;
        }
        final long deadline = Waits.deadline(nanos);
        gaaSleepers(1);
        try {
            for (;;) {
                final int s = lvState();
                if (EventLayout.isSet(s) || EventLayout.generation(s) != EventLayout.generation(start)) {
                    return true;
                }
                if (Thread.interrupted()) {
                    throw new WaitInterruptedException(new InterruptedException());
                }
                final long remaining = Waits.remaining(deadline);
                if (remaining <= 0L) {
                    return false;
                }
                Futex.await(memory, EventLayout.STATE_OFFSET, s, remaining);
            }
        } finally {
            gaaSleepers(-1);
        }
    }

    @Override
    public String toString() {
        return "ShmEvent[" + shm.name() + "@" + offset + ", " + (isSet() ? "set" : "clear") + "]"; // racy: snapshot
    }

    private int lvState() {
        return ShmAccess.lvInt(memory, EventLayout.STATE_OFFSET);
    }

    private boolean casState(final int expected, final int next) {
        return ShmAccess.casInt(memory, EventLayout.STATE_OFFSET, expected, next);
    }

    private int lvSleepers() {
        return ShmAccess.lvInt(memory, EventLayout.SLEEPERS_OFFSET);
    }

    private void gaaSleepers(final int delta) {
        ShmAccess.gaaInt(memory, EventLayout.SLEEPERS_OFFSET, delta);
    }
}
