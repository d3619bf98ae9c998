package io.bingfa.queue;

import java.util.Comparator;
import java.util.Objects;

/**
 * The factories of {@link WorkQueue} and {@link JoinableQueue}: Python's {@code queue.Queue(maxsize)},
 * {@code LifoQueue(maxsize)} and {@code PriorityQueue(maxsize)}. A {@code maxSize} of 0 means unbounded, as
 * in Python; the no-argument variants are unbounded. Every queue here supports
 * {@link WorkQueue#shutdown(boolean)}; only {@link #joinable} hands out the type with
 * {@code taskDone()}/{@code join()}.
 *
 * <pre>{@code
 * WorkQueue<String> q = Queues.fifo(3);   // queue.Queue(maxsize=3)
 * q.put("first"); q.put("second"); q.put("third");
 * q.get();                                // "first"
 * }</pre>
 */
public final class Queues {

    private Queues() {}

    /** An unbounded first-in-first-out queue: {@code queue.Queue()}. */
    public static <E> WorkQueue<E> fifo() {
        return fifo(0);
    }

    /**
     * A first-in-first-out queue of at most {@code maxSize} items (0: unbounded): {@code queue.Queue(maxsize)}.
     *
     * @throws IllegalArgumentException if {@code maxSize} is negative
     */
    public static <E> WorkQueue<E> fifo(final int maxSize) {
        return new LockedQueue<>(new ItemStore.Fifo<>(), checkMaxSize(maxSize));
    }

    /** An unbounded last-in-first-out queue (a stack): {@code queue.LifoQueue()}. */
    public static <E> WorkQueue<E> lifo() {
        return lifo(0);
    }

    /**
     * A last-in-first-out queue of at most {@code maxSize} items (0: unbounded): {@code queue.LifoQueue(maxsize)}.
     *
     * @throws IllegalArgumentException if {@code maxSize} is negative
     */
    public static <E> WorkQueue<E> lifo(final int maxSize) {
        return new LockedQueue<>(new ItemStore.Lifo<>(), checkMaxSize(maxSize));
    }

    /** An unbounded priority queue, smallest element first; see {@link #priority(int, Comparator)}. */
    public static <E extends Comparable<? super E>> WorkQueue<E> priority() {
        return priority(0);
    }

    /**
     * A priority queue of at most {@code maxSize} items (0: unbounded), smallest element first by natural
     * order: {@code queue.PriorityQueue(maxsize)}. See {@link #priority(int, Comparator)} for ties.
     *
     * @throws IllegalArgumentException if {@code maxSize} is negative
     */
    public static <E extends Comparable<? super E>> WorkQueue<E> priority(final int maxSize) {
        return priority(maxSize, Comparator.naturalOrder());
    }

    /** An unbounded priority queue, smallest first by {@code order}; see {@link #priority(int, Comparator)}. */
    public static <E> WorkQueue<E> priority(final Comparator<? super E> order) {
        return priority(0, order);
    }

    /**
     * A priority queue of at most {@code maxSize} items (0: unbounded), smallest first by {@code order}.
     * Items that compare equal come out in the order they were put (the queue is stable). Python's
     * {@code PriorityQueue} is not: it is a bare heap, which is why Python code puts
     * {@code (priority, counter, item)} tuples in it; here {@code (priority, item)} is enough.
     *
     * @throws IllegalArgumentException if {@code maxSize} is negative
     * @throws NullPointerException if {@code order} is null
     */
    public static <E> WorkQueue<E> priority(final int maxSize, final Comparator<? super E> order) {
        Objects.requireNonNull(order, "order");
        return new LockedQueue<>(new ItemStore.Priority<>(order), checkMaxSize(maxSize));
    }

    /** An unbounded FIFO queue with {@code taskDone()} and {@code join()}: gevent's {@code JoinableQueue()}. */
    public static <E> JoinableQueue<E> joinable() {
        return joinable(0);
    }

    /**
     * A FIFO queue of at most {@code maxSize} items (0: unbounded) with {@code taskDone()} and
     * {@code join()}: Python's {@code queue.Queue(maxsize)} used with {@code task_done()}/{@code join()}.
     *
     * @throws IllegalArgumentException if {@code maxSize} is negative
     */
    public static <E> JoinableQueue<E> joinable(final int maxSize) {
        return new LockedQueue<>(new ItemStore.Fifo<>(), checkMaxSize(maxSize));
    }

    private static int checkMaxSize(final int maxSize) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("maxSize must be 0 (unbounded) or positive, was " + maxSize);
        }
        return maxSize;
    }
}
