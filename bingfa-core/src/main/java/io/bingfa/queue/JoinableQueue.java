package io.bingfa.queue;

import java.time.Duration;

/**
 * A {@link WorkQueue} that counts unfinished work: Python's {@code queue.Queue.task_done()} and
 * {@code join()} (gevent's {@code JoinableQueue}). Every {@code put} adds one unfinished task; a consumer
 * calls {@link #taskDone()} when it has <em>handled</em> an item it took; {@link #join()} returns when
 * the count is back to zero, that is when every item ever put was taken and handled.
 *
 * <pre>{@code
 * JoinableQueue<Job> q = Queues.joinable(1000);
 * for (int i = 0; i < 4; i++) Thread.startVirtualThread(() -> {
 *     for (;;) { Job job = q.get(); try { job.run(); } finally { q.taskDone(); } }
 * });
 * jobs.forEach(q::put);
 * q.join();                       // every job ran
 * }</pre>
 *
 * <p>{@link #shutdown(boolean) shutdown(true)} discards the items still queued and counts each of them
 * as done, which releases {@code join()} unless a consumer still holds an item it has not marked done
 * (Python 3.13 does the same).
 *
 * @param <E> the element type
 */
public interface JoinableQueue<E> extends WorkQueue<E> {

    /**
     * Marks one item taken from the queue as handled.
     *
     * @throws IllegalStateException if called more times than items were put (Python's
     *     {@code ValueError('task_done() called too many times')})
     */
    void taskDone();

    /**
     * Waits until every item put so far was marked done.
     *
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while it waits
     */
    void join();

    /**
     * Waits at most {@code timeout} until every item put so far was marked done.
     *
     * @return {@code true} if they were, {@code false} if the time ran out first
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while it waits
     */
    boolean join(Duration timeout);

    /** Items put and not yet marked done (queued ones and those consumers are handling). */
    int unfinishedTasks();
}
