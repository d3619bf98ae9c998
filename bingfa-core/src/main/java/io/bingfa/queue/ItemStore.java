package io.bingfa.queue;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Where a {@link LockedQueue} keeps its items: the order policy, and nothing else. CPython's
 * {@code queue.Queue} has the same seam ({@code _init}, {@code _qsize}, {@code _put}, {@code _get}, which
 * {@code LifoQueue} and {@code PriorityQueue} override). A store is not thread-safe: the queue calls it only
 * while holding its lock.
 *
 * @param <E> the element type
 */
sealed interface ItemStore<E> {

    /** Adds a non-null item. May throw what a user comparator throws; then nothing was added. */
    void add(E item);

    /** Removes and returns the next item; only called when {@link #size()} is positive. */
    E remove();

    int size();

    void clear();

    /** The policy's name for {@code toString}: fifo, lifo or priority. */
    String kind();

    /** First in, first out: Python's {@code queue.Queue}. */
    final class Fifo<E> implements ItemStore<E> {
        private final ArrayDeque<E> items = new ArrayDeque<>();

        @Override
        public void add(final E item) {
            items.addLast(item);
        }

        @Override
        public E remove() {
            return items.removeFirst();
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public void clear() {
            items.clear();
        }

        @Override
        public String kind() {
            return "fifo";
        }
    }

    /** Last in, first out: Python's {@code queue.LifoQueue}, a stack. */
    final class Lifo<E> implements ItemStore<E> {
        private final ArrayDeque<E> items = new ArrayDeque<>();

        @Override
        public void add(final E item) {
            items.addFirst(item);
        }

        @Override
        public E remove() {
            return items.removeFirst();
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public void clear() {
            items.clear();
        }

        @Override
        public String kind() {
            return "lifo";
        }
    }

    /**
     * Smallest first by {@code order}, and first in, first out among items that compare equal: each item
     * carries the number of its {@code add}, which breaks ties. (Python's {@code PriorityQueue} is a bare
     * {@code heapq}, not stable: equal priorities come out in heap order, and callers add a counter to
     * their tuples themselves.)
     */
    final class Priority<E> implements ItemStore<E> {
        /** An item and its arrival number, the tie-breaker. */
        private record Ranked<E>(E item, long sequence) {}

        private final PriorityQueue<Ranked<E>> items;
        private long nextSequence;

        Priority(final Comparator<? super E> order) {
            this.items = new PriorityQueue<>((a, b) -> {
                final int byOrder = order.compare(a.item(), b.item());
                return byOrder != 0 ? byOrder : Long.compare(a.sequence(), b.sequence());
            });
        }

        @Override
        public void add(final E item) {
            items.add(new Ranked<>(item, nextSequence));
            nextSequence++; // after add: a comparator that throws leaves no gap, though a gap would be harmless
        }

        @Override
        public E remove() {
            return items.remove().item();
        }

        @Override
        public int size() {
            return items.size();
        }

        @Override
        public void clear() {
            items.clear();
        }

        @Override
        public String kind() {
            return "priority";
        }
    }
}
