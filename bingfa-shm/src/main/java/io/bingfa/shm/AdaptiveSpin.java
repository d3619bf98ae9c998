package io.bingfa.shm;

/**
 * How many times a waiter polls before it goes to sleep in the kernel, adapted per handle the way
 * glibc's {@code PTHREAD_MUTEX_ADAPTIVE_NP} adapts its spin count: a spin that succeeded doubles the
 * budget (the holder releases quickly: spinning pays), a spin that failed halves it (the holder is slow or
 * not running: spinning burns a core the holder may need). The budget lives in this JVM's handle, not in
 * shared memory, and is updated with plain racy writes: a lost update only changes the next guess.
 */
final class AdaptiveSpin {

    static final int MIN = 16;
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
