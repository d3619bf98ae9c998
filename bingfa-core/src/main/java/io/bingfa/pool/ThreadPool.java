package io.bingfa.pool;

import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Pools#threads(int)}: a {@link ThreadPoolExecutor} with a fixed number of platform threads.
 *
 * <h2>Implementation notes</h2>
 * The JDK executor does the queueing, thread management and lifecycle ({@code RUNNING -> SHUTDOWN ->
 * TIDYING -> TERMINATED}); this class adds Bingfa's futures. Each task is queued as a {@link QueuedTask}
 * that runs the task through {@link TaskFuture#run}, which skips a task cancelled while queued and
 * clears an interrupt aimed at a cancelled task before the thread takes the next one. Cancelling pending
 * tasks on shutdown drains the executor's queue and cancels their futures, leaving running tasks alone
 * (Python's {@code cancel_futures}); {@code shutdownNow} is not used because it interrupts running tasks.
 */
final class ThreadPool implements Pool {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final ThreadPoolExecutor executor;

    ThreadPool(final int threads) {
        this.threads = threads;
        final int poolId = POOLS.incrementAndGet();
        final AtomicInteger threadIds = new AtomicInteger();
        final ThreadFactory factory = r -> {
            final Thread t = new Thread(r, "bingfa-pool-" + poolId + "-thread-" + threadIds.incrementAndGet());
            t.setDaemon(false);
            return t;
        };
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        executor.allowCoreThreadTimeOut(true);
    }

    /** A queued task and its future; skipped if the future was cancelled while queued. */
    private record QueuedTask<T>(TaskFuture<T> future, SerializableCallable<T> task) implements Runnable {
        @Override
        public void run() {
            future.run(task);
        }
    }

    @Override
    public <T> TaskFuture<T> submit(final SerializableCallable<T> task) {
        Objects.requireNonNull(task, "task");
        final TaskFuture<T> future = new TaskFuture<>();
        try {
            executor.execute(new QueuedTask<>(future, task));
        } catch (RejectedExecutionException e) {
            throw new RejectedExecutionException("pool is shut down: cannot submit new tasks", e);
        }
        return future;
    }

    @Override
    public int concurrency() {
        return threads;
    }

    @Override
    public void shutdown(final boolean wait, final boolean cancelPending) {
        executor.shutdown();
        if (cancelPending) {
            final List<Runnable> queued = new ArrayList<>();
            executor.getQueue().drainTo(queued);
            for (Runnable r : queued) {
                if (r instanceof QueuedTask<?> q) {
                    q.future().cancel(false);
                }
            }
        }
        if (wait) {
            try {
                while (!executor.awaitTermination(1, TimeUnit.DAYS)) {
                    Thread.onSpinWait();
                }
            } catch (InterruptedException e) {
                throw new WaitInterruptedException(e);
            }
        }
    }

    @Override
    public boolean awaitTermination(final Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    @Override
    public boolean isShutdown() {
        return executor.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return executor.isTerminated();
    }

    @Override
    public String toString() {
        return "Pools.threads(" + threads + ")[" + (isTerminated() ? "terminated" : isShutdown() ? "shutdown" : "running")
                + ", active=" + executor.getActiveCount() + ", queued=" + executor.getQueue().size() + "]";
    }
}
