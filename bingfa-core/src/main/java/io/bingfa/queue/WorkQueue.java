package io.bingfa.queue;

import java.time.Duration;
import java.util.Optional;

/**
 * A queue that threads and virtual threads hand work through: Python's {@code queue.Queue},
 * {@code LifoQueue} and {@code PriorityQueue} (and gevent's {@code gevent.queue.Queue}) with Java names.
 * Make one with {@link Queues}.
 *
 * <h2>Python -&gt; Bingfa</h2>
 * <pre>
 *   q.put(x)                      q.put(x)
 *   q.put(x, timeout=t)           q.put(x, t)            throws QueueFullException when t runs out
 *   q.put_nowait(x)               q.tryPut(x)            false if full (Python raises Full)
 *   q.get()                       q.get()
 *   q.get(timeout=t)              q.get(t)               throws QueueEmptyException when t runs out
 *   q.get_nowait()                q.tryGet()             Optional.empty() if empty (Python raises Empty)
 *   q.qsize() / empty() / full()  size() / isEmpty() / isFull()
 *   q.maxsize                     maxSize()              0: unbounded
 *   q.shutdown(immediate)         shutdown(immediate)    Python 3.13
 * </pre>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Elements may not be {@code null} ({@link NullPointerException} naming {@code item}), so that
 *       {@code null} never means "nothing".</li>
 *   <li>Timeouts may be zero (try once, then throw) but not negative or {@code null}.</li>
 *   <li>A thread interrupted while it waits gets {@link io.bingfa.future.WaitInterruptedException}, with
 *       its interrupt status set again; nothing was added or removed.</li>
 *   <li>{@link #size()}, {@link #isEmpty()} and {@link #isFull()} are snapshots, as in Python: by the time
 *       the caller looks, another thread may have changed the answer.</li>
 * </ul>
 *
 * <h2>Shutdown (Python 3.13)</h2>
 * <pre>
 *   OPEN -&gt; SHUT_DOWN   shutdown(false): puts throw; gets return what is left, then throw
 *   OPEN -&gt; SHUT_DOWN   shutdown(true):  the same, and the items left are discarded at once
 * </pre>
 * Threads blocked in {@code put} or {@code get} at the time wake up and throw
 * {@link QueueShutDownException} (a getter only if nothing is left to take). Shutting down again is
 * harmless; {@code shutdown(true)} after {@code shutdown(false)} still discards what is left.
 *
 * @param <E> the element type
 */
public interface WorkQueue<E> {

    /**
     * Adds {@code item}, waiting as long as it takes for room in a bounded queue.
     *
     * @throws NullPointerException if {@code item} is null
     * @throws QueueShutDownException if the queue is or becomes shut down
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while it waits
     */
    void put(E item);

    /**
     * Adds {@code item}, waiting at most {@code timeout} for room.
     *
     * @throws QueueFullException if the queue was still full when the time ran out
     * @throws NullPointerException if {@code item} or {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws QueueShutDownException if the queue is or becomes shut down
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while it waits
     */
    void put(E item, Duration timeout);

    /**
     * Adds {@code item} if there is room now; never waits.
     *
     * @return {@code false} if the queue is full
     * @throws NullPointerException if {@code item} is null
     * @throws QueueShutDownException if the queue is shut down
     */
    boolean tryPut(E item);

    /**
     * Removes and returns the next item, waiting as long as it takes for one.
     *
     * @throws QueueShutDownException if the queue is shut down and empty, or becomes so while waiting
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while it waits
     */
    E get();

    /**
     * Removes and returns the next item, waiting at most {@code timeout} for one.
     *
     * @throws QueueEmptyException if the queue was still empty when the time ran out
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws QueueShutDownException if the queue is shut down and empty, or becomes so while waiting
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while it waits
     */
    E get(Duration timeout);

    /**
     * Removes and returns the next item if there is one now; never waits.
     *
     * @return the item, or {@link Optional#empty()} if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty (so that a polling consumer
     *     learns that nothing more will come)
     */
    Optional<E> tryGet();

    /** The number of items in the queue now (Python's {@code qsize()}). */
    int size();

    /** {@code size() == 0} now. */
    boolean isEmpty();

    /** {@code true} if the queue is bounded and holds {@code maxSize()} items now. */
    boolean isFull();

    /** The most items the queue holds; {@code 0} means unbounded, as Python's {@code maxsize=0}. */
    int maxSize();

    /**
     * Shuts the queue down (see the class comment). With {@code immediate}, the items still queued are
     * discarded at once, and each counts as done for {@link JoinableQueue#join()}.
     */
    void shutdown(boolean immediate);

    /** {@code true} once {@link #shutdown(boolean)} was called. */
    boolean isShutdown();
}
