package io.bingfa.pool;

/**
 * The in-process pools. Python's {@code ThreadPoolExecutor(n)} is {@link #threads(int)}; gevent's
 * {@code Pool()} and {@code Pool(size)} are {@link #virtual()} and {@link #virtual(int)}. The process pool
 * ({@code ProcessPoolExecutor}) lives in {@code bingfa-process} and implements the same {@link Pool}.
 */
public final class Pools {

    private Pools() {}

    /**
     * A pool of {@code threads} platform threads with an unbounded FIFO queue, for CPU-bound work (the JVM
     * has no GIL: the threads run in parallel) and for blocking code that pins its carrier. Threads start on
     * demand, are not daemons (a running task keeps the JVM alive, as in Python) and end after a minute
     * idle, so an unclosed pool does not hold the JVM forever.
     *
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public static Pool threads(final int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        return new ThreadPool(threads);
    }

    /**
     * One virtual thread per task, without a limit: the coroutine pool. Blocking calls (sleep, sockets,
     * locks, queues) park the virtual thread and free its carrier; no monkey-patching is needed.
     */
    public static Pool virtual() {
        return new VirtualPool(Integer.MAX_VALUE);
    }

    /**
     * One virtual thread per task, at most {@code maxConcurrency} running at once (gevent's
     * {@code Pool(size)}); the others wait in FIFO order. Unlike gevent's {@code spawn}, {@code submit} never
     * blocks the caller.
     *
     * @throws IllegalArgumentException if {@code maxConcurrency} is less than 1
     */
    public static Pool virtual(final int maxConcurrency) {
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be at least 1, was " + maxConcurrency);
        }
        return new VirtualPool(maxConcurrency);
    }
}
