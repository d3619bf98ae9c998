package io.bingfa.pool;

import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Pools#virtual()} and {@link Pools#virtual(int)}: one virtual thread per task, optionally at most
 * {@code maxConcurrency} at once (gevent's {@code Pool(size)}).
 *
 * <h2>Implementation notes</h2>
 * Without a limit, {@code submit} starts a virtual thread for the task at once. With a limit, tasks go
 * into a lock-free FIFO and {@code running} counts the virtual threads draining it: {@code submit} (and a
 * worker that runs dry) starts a new worker only while {@code running < maxConcurrency}, claiming the slot
 * by CAS first; a worker runs queued tasks one after the other and gives its slot back when the queue is
 * empty, then re-checks the queue so that a task enqueued while it was leaving is not stranded.
 *
 * <p>Lifecycle, a state word with one CAS helper: {@code RUNNING -> SHUTDOWN} on {@code shutdown};
 * {@code SHUTDOWN -> TERMINATED} when {@code outstanding} (submitted and not finished, queued included)
 * reaches zero. {@code submit} increments {@code outstanding} before it reads the state and backs out if
 * the pool is shut down, so termination can never be declared while a late submission is in flight.
 */
final class VirtualPool implements Pool {

    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int TERMINATED = 2;
    private static final VarHandle STATE;
    private static final AtomicInteger POOLS = new AtomicInteger();

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(VirtualPool.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int maxConcurrency;
    private final ThreadFactory threads;
    private final ConcurrentLinkedQueue<QueuedTask<?>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong outstanding = new AtomicLong();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile int state = RUNNING;

    VirtualPool(final int maxConcurrency) {
        this.maxConcurrency = maxConcurrency;
        this.threads = Thread.ofVirtual().name("bingfa-virtual-" + POOLS.incrementAndGet() + "-", 1).factory();
    }

    private record QueuedTask<T>(TaskFuture<T> future, SerializableCallable<T> task) {
        void run() {
            future.run(task);
        }
    }

    private boolean casState(final int expect, final int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    @Override
    public <T> TaskFuture<T> submit(final SerializableCallable<T> task) {
        Objects.requireNonNull(task, "task");
        outstanding.incrementAndGet();
        if (state != RUNNING) {
            taskFinished();
            throw new RejectedExecutionException("pool is shut down: cannot submit new tasks");
        }
        final TaskFuture<T> future = new TaskFuture<>();
        final QueuedTask<T> queued = new QueuedTask<>(future, task);
        if (maxConcurrency == Integer.MAX_VALUE) {
            threads.newThread(() -> {
                try {
                    queued.run();
                } finally {
                    taskFinished();
                }
            }).start();
        } else {
            queue.offer(queued);
            startWorkers();
        }
        return future;
    }

    /** Starts workers while there is queued work and a free slot. */
    private void startWorkers() {
        while (!queue.isEmpty()) {
            final int r = running.get();
            if (r >= maxConcurrency) {
                return;
            }
            if (running.compareAndSet(r, r + 1)) {
                threads.newThread(this::drain).start();
            }
        }
    }

    /** A worker: runs queued tasks until the queue is empty, then gives its slot back. */
    private void drain() {
        try {
            QueuedTask<?> t;
            while ((t = queue.poll()) != null) {
                try {
                    t.run();
                } finally {
                    taskFinished();
                }
            }
        } finally {
            running.decrementAndGet();
        }
        startWorkers(); // a task may have been queued after our last poll, while every slot looked taken
    }

    private void taskFinished() {
        if (outstanding.decrementAndGet() == 0 && state == SHUTDOWN) {
            tryTerminate();
        }
    }

    private void tryTerminate() {
        if (outstanding.get() == 0 && casState(SHUTDOWN, TERMINATED)) {
            terminated.countDown();
        }
    }

    @Override
    public int concurrency() {
        return maxConcurrency;
    }

    @Override
    public void shutdown(final boolean wait, final boolean cancelPending) {
        casState(RUNNING, SHUTDOWN);
        if (cancelPending) {
            QueuedTask<?> t;
            while ((t = queue.poll()) != null) {
                t.future().cancel(false);
                taskFinished();
            }
        }
        tryTerminate();
        if (wait) {
            try {
                terminated.await();
            } catch (InterruptedException e) {
                throw new WaitInterruptedException(e);
            }
        }
    }

    @Override
    public boolean awaitTermination(final Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    @Override
    public boolean isShutdown() {
        return state != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return state == TERMINATED;
    }

    @Override
    public String toString() {
        final String limit = maxConcurrency == Integer.MAX_VALUE ? "" : String.valueOf(maxConcurrency);
        final String s = switch (state) {
            case RUNNING -> "running";
            case SHUTDOWN -> "shutdown";
            default -> "terminated";
        };
        return "Pools.virtual(" + limit + ")[" + s + ", outstanding=" + outstanding.get() + ", queued=" + queue.size() + "]";
    }
}
