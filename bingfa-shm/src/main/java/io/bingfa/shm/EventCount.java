package io.bingfa.shm;

import java.lang.foreign.MemorySegment;

/**
 * An eventcount on a 32-bit futex word in shared memory (after Dmitry Vyukov's): the way the queue's and
 * the pipe's waiters sleep without making every notifier pay a system call.
 *
 * <pre>
 *    31                                                            1   0
 *   +---------------------------------------------------------------+---+
 *   |                        epoch (31 bits, wrapping)              | W |
 *   +---------------------------------------------------------------+---+
 *   W: some waiter is (about to be) asleep on this epoch
 * </pre>
 *
 * <h2>Protocol</h2>
 * <pre>
 *   waiter:    e = prepare()          sets W (CAS) and returns the word to sleep on
 *              re-check the condition; if still not met: Futex.await(word, e)
 *   notifier:  make the condition true (a volatile store), then signalAll():
 *              if W is set, CAS the word to the next epoch with W clear and FUTEX_WAKE everyone
 * </pre>
 * Either the notifier reads the word after the waiter set W (and wakes it, or the kernel refuses the
 * waiter's sleep because the epoch moved), or the waiter set W after the notifier's read, and then its
 * re-check, which comes later still, sees the condition. A notifier that finds W clear does nothing but
 * one read of a cache line that nobody writes while nobody sleeps: the common case costs no system call
 * and no write. Only the first notifier after waiters went to sleep pays for the wake; it wakes all of
 * them (one may be enough, but a woken waiter that finds nothing simply sets W again), which needs no
 * count of sleepers that a killed waiter could leave wrong: a dead waiter leaves at most W set, costing one
 * extra wake.
 */
final class EventCount {

    private static final int WAITERS = 1;
    private static final int EPOCH_ONE = 2;

    private EventCount() {}

    /** Announces a waiter; returns the word value to pass to {@link Futex#await}. */
    static int prepare(final MemorySegment memory, final long offset) {
        for (;;) {
            final int e = ShmAccess.lvInt(memory, offset);
            if ((e & WAITERS) != 0 || ShmAccess.casInt(memory, offset, e, e | WAITERS)) {
                return e | WAITERS;
            }
        }
    }

    /** Wakes every waiter if there may be one; a no-op read otherwise. Call after a volatile store. */
    static void signalAll(final MemorySegment memory, final long offset) {
        final int e = ShmAccess.lvInt(memory, offset);
        if ((e & WAITERS) != 0 && ShmAccess.casInt(memory, offset, e, (e + EPOCH_ONE) & ~WAITERS)) {
            Futex.wake(memory, offset, Integer.MAX_VALUE);
        }
    }
}
