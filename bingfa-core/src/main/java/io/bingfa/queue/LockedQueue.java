package io.bingfa.queue;

import io.bingfa.internal.Durations;
import io.bingfa.future.WaitInterruptedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one implementation behind every {@link Queues} factory: a lock, three conditions and an
 * {@link ItemStore}, which is the design of CPython's {@code queue.Queue} ({@code mutex},
 * {@code not_empty}, {@code not_full}, {@code all_tasks_done} over {@code _put}/{@code _get}).
 *
 * <h2>Overview</h2>
 * Every operation takes {@link #lock}, looks at the store, and either acts or waits on a condition:
 * <pre>
 *   put:      waits on notFull      while the queue is bounded and full;  adds, signals notEmpty
 *   get:      waits on notEmpty     while the store is empty;             removes, signals notFull
 *   join:     waits on allTasksDone while unfinished &gt; 0
 *   taskDone: unfinished--; at zero signals allTasksDone (all waiters)
 *   shutdown: sets shutDown, signals every waiter of notEmpty and notFull (and allTasksDone if immediate)
 * </pre>
 * {@code put} and {@code get} wake a single waiter ({@link Condition#signal()}), as
 * {@link java.util.concurrent.ArrayBlockingQueue} does: one item frees one getter, one removal frees one
 * putter. That is safe because {@link ReentrantLock}'s conditions never lose a signal: a waiter whose
 * timeout or interrupt came first hands the signal to the next one, and a waiter that was signalled
 * returns normally (keeping a later interrupt as its status), re-checks the store and takes the item.
 * Every wait is a loop that re-checks its condition first, so a barging thread that took the item first
 * only sends the woken one back to wait.
 *
 * <h2>States and transitions</h2>
 * <pre>
 *   OPEN -&gt; SHUT_DOWN     shutdown(immediate), once; a second call only discards (if immediate)
 * </pre>
 * In {@code SHUT_DOWN} puts throw {@link QueueShutDownException}; gets take what is left, then throw it.
 * With {@code immediate}, the items left are discarded and each counts as a finished task, so a
 * {@code join()} returns once consumers have marked the items they already took (Python 3.13's rule).
 *
 * <h2>Tasks</h2>
 * {@link #unfinished} counts puts minus {@link #taskDone()} calls, for every queue: the count costs one
 * increment under a lock already held, and lets one class serve {@link WorkQueue} and
 * {@link JoinableQueue}. The factories hand out the narrower type when the caller did not ask for joins.
 *
 * <h2>Why not just {@link java.util.concurrent.LinkedBlockingQueue}</h2>
 * <ul>
 *   <li>Shutdown: a JDK blocking queue has none. Waking a consumer blocked in {@code take()} needs a
 *       poison pill per consumer (and one per blocked producer, which cannot be sent to a full queue),
 *       or interrupts. Here {@code shutdown} wakes every blocked putter and getter with one call.</li>
 *   <li>{@code taskDone}/{@code join}: the JDK queues do not count work in flight; a {@code Phaser} or
 *       latch next to the queue can, but then the count and the queue are not updated atomically.</li>
 *   <li>LIFO and priority with a bound: {@link java.util.concurrent.PriorityBlockingQueue} is unbounded and
 *       not stable; {@link java.util.concurrent.LinkedBlockingDeque} gives a bounded stack, but with a
 *       different API per order. Here the order is one constructor argument.</li>
 * </ul>
 * When none of that matters, the JDK's queues are the better choice (lock-splitting or lock-free, and
 * well known): {@link java.util.concurrent.ArrayBlockingQueue} (bounded FIFO),
 * {@link java.util.concurrent.LinkedBlockingQueue} (optionally bounded FIFO, separate put and take locks),
 * {@link java.util.concurrent.LinkedBlockingDeque} (bounded LIFO via {@code putFirst}/{@code takeFirst}),
 * {@link java.util.concurrent.PriorityBlockingQueue} (unbounded priority),
 * {@link java.util.concurrent.LinkedTransferQueue} (unbounded, lock-free, with hand-off
 * {@code transfer}) and {@link java.util.concurrent.SynchronousQueue} (rendezvous).
 *
 * <h2>Threads</h2>
 * Platform and virtual threads alike: {@link ReentrantLock} and its conditions park a virtual thread and
 * free its carrier. The lock is not fair (as the JDK queues' default): a fair lock halves throughput and
 * the conditions already wake waiters in FIFO order.
 */
final class LockedQueue<E> implements JoinableQueue<E> {

    private static final Logger LOG = LoggerFactory.getLogger(LockedQueue.class);

    /** A wait without a time limit (also what a timeout beyond 292 years saturates to). */
    private static final long FOREVER = Long.MAX_VALUE;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final Condition allTasksDone = lock.newCondition();
    private final ItemStore<E> store;
    private final int maxSize;

    /** Guarded by {@link #lock}. OPEN (false) -&gt; SHUT_DOWN (true), never back. */
    private boolean shutDown;
    /** Guarded by {@link #lock}. Puts minus taskDone() calls; never negative. */
    private int unfinished;

    /** {@code maxSize} was validated by {@link Queues}: zero (unbounded) or positive. */
    LockedQueue(final ItemStore<E> store, final int maxSize) {
        this.store = store;
        this.maxSize = maxSize;
    }

    // ---------------------------------------------------------------- put

    @Override
    public void put(final E item) {
        Objects.requireNonNull(item, "item");
        offer(item, FOREVER); // cannot return false: FOREVER never runs out
    }

    @Override
    public void put(final E item, final Duration timeout) {
        Objects.requireNonNull(item, "item");
        if (!offer(item, toNanos(timeout))) {
            throw new QueueFullException("queue still full (maxSize " + maxSize + ") after " + timeout);
        }
    }

    @Override
    public boolean tryPut(final E item) {
        Objects.requireNonNull(item, "item");
        return offer(item, 0L);
    }

    /** Adds {@code item}, waiting at most {@code nanos} for room; {@code false} if there was none. */
    private boolean offer(final E item, final long nanos) {
        lock(nanos);
        try {
            long remaining = nanos;
            for (;;) {
                if (shutDown) {
                    throw new QueueShutDownException("queue is shut down; put refused");
                }
                if (maxSize == 0 || store.size() < maxSize) {
                    break;
                }
                if (remaining <= 0L) {
                    return false;
                }
                remaining = await(notFull, remaining);
            }
            store.add(item); // first: if a comparator throws, nothing was counted
            unfinished++;
            notEmpty.signal();
            return true;
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- get

    @Override
    public E get() {
        return poll(FOREVER); // never null: FOREVER never runs out
    }

    @Override
    public E get(final Duration timeout) {
        final E item = poll(toNanos(timeout));
        if (item == null) {
            throw new QueueEmptyException("queue still empty after " + timeout);
        }
        return item;
    }

    @Override
    public Optional<E> tryGet() {
        return Optional.ofNullable(poll(0L));
    }

    /** Removes the next item, waiting at most {@code nanos} for one; {@code null} if there was none. */
    private E poll(final long nanos) {
        lock(nanos);
        try {
            long remaining = nanos;
            while (store.size() == 0) {
                if (shutDown) {
                    throw new QueueShutDownException("queue is shut down and empty");
                }
                if (remaining <= 0L) {
                    return null;
                }
                remaining = await(notEmpty, remaining);
            }
            final E item = store.remove();
            notFull.signal();
            return item;
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- tasks

    @Override
    public void taskDone() {
        lock.lock();
        try {
            if (unfinished <= 0) {
                throw new IllegalStateException(
                        "taskDone() called more times than items were put (Python: 'task_done() called too many times')");
            }
            unfinished--;
            if (unfinished == 0) {
                allTasksDone.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void join() {
        awaitTasksDone(FOREVER);
    }

    @Override
    public boolean join(final Duration timeout) {
        return awaitTasksDone(toNanos(timeout));
    }

    private boolean awaitTasksDone(final long nanos) {
        lock(nanos);
        try {
            long remaining = nanos;
            while (unfinished > 0) {
                if (remaining <= 0L) {
                    return false;
                }
                remaining = await(allTasksDone, remaining);
            }
            return true;
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int unfinishedTasks() {
        lock.lock();
        try {
            return unfinished;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public void shutdown(final boolean immediate) {
        lock.lock();
        try {
            shutDown = true;
            if (immediate) {
                final int discarded = store.size();
                store.clear();
                // Clamped: taskDone() may have run ahead of get() for items still queued.
                unfinished = Math.max(0, unfinished - discarded);
                allTasksDone.signalAll(); // the waiters re-check: consumers may still hold items
                if (discarded > 0) {
                    LOG.debug("{} shut down immediately, {} items discarded", this, discarded);
                }
            }
            notEmpty.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return shutDown;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- size

    @Override
    public int size() {
        lock.lock();
        try {
            return store.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public boolean isFull() {
        return maxSize > 0 && size() >= maxSize;
    }

    @Override
    public int maxSize() {
        return maxSize;
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "WorkQueue[" + store.kind() + ", size=" + store.size()
                    + ", maxSize=" + (maxSize == 0 ? "unbounded" : Integer.toString(maxSize))
                    + ", unfinishedTasks=" + unfinished + (shutDown ? ", shut down" : "") + "]";
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Takes the lock: interruptibly for a call that may wait, plainly for a non-blocking one (a
     * {@code tryPut} or {@code tryGet} should not fail just because the thread's interrupt flag is set).
     */
    private void lock(final long nanos) {
        if (nanos == 0L) {
            lock.lock();
            return;
        }
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    /** Waits on {@code condition} at most {@code nanos} ({@link #FOREVER}: no limit); returns the nanos left. */
    private static long await(final Condition condition, final long nanos) throws InterruptedException {
        if (nanos == FOREVER) {
            condition.await();
            return FOREVER;
        }
        return condition.awaitNanos(nanos);
    }

    /** A validated timeout in nanoseconds, saturated at {@link #FOREVER}. */
    private static long toNanos(final Duration timeout) {
        return Durations.saturatedNanos(Durations.requireNonNegative(timeout, "timeout"));
    }
}
