package io.bingfa.shm;

/**
 * How many times a waiter polls before it goes to sleep in the kernel, adapted per handle the way
 * glibc's {@code PTHREAD_MUTEX_ADAPTIVE_NP} adapts its spin count: a spin that succeeded doubles the
 * budget (the holder releases quickly: spinning pays), a spin that failed halves it (the holder is slow or
 * not running: spinning burns a core the holder may need). The budget lives in this JVM's handle, not in
 * shared memory, and is updated with plain racy writes: a lost update only changes the next guess.
 */
final class AdaptiveSpin {

    /**
     * The floor: 128 rounds, about 4 us where {@code onSpinWait} is a 31 ns PAUSE (AMD EPYC here). Lower
     * floors let a waiter that lost a few races fall asleep, and then every hand-off costs a futex wake
     * (tens of microseconds on a VM): two processes passing a lock back and forth dropped from about
     * 3 M to 0.3 M hand-offs/s with a floor of 16. A sleep costs more than 4 us of spinning anyway.
     */
    static final int MIN = 128;
    /** The ceiling: about 130 us of spinning, after which sleeping is cheaper even when the wait is short. */
    static final int MAX = 4096;

    /** Racy by design: see the class comment. */
    private int limit = 256;

    /** The current budget, in {@link Thread#onSpinWait()} rounds. */
    int limit() {
        return limit; // benign race: a stale budget only changes how long this spin lasts
    }

    void succeeded() {
        limit = Math.min(MAX, limit << 1);
    }

    void failed() {
        limit = Math.max(MIN, limit >> 1);
    }
}
