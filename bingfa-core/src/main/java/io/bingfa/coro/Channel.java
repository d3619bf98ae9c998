package io.bingfa.coro;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Go channel: the seeds' Stackless/greenlet channel, for threads and virtual threads ("coroutines").
 * A {@link #rendezvous()} channel hands each value from a sender straight to a receiver, and the sender
 * waits until one takes it; a {@link #buffered(int)} channel holds up to {@code capacity} values, so a
 * sender waits only while it is full. {@link Select} waits on several channel operations at once.
 *
 * <pre>{@code
 * Channel<String> ch = Channel.rendezvous();
 * Thread.startVirtualThread(() -> { ch.send("ping"); ch.close(); });
 * for (String s : ch) System.out.println(s);     // Go's for s := range ch
 * }</pre>
 *
 * <h2>Overview</h2>
 * Go's {@code hchan}, in Java. Each channel has a {@link ReentrantLock}, a ring buffer ({@link ArrayDeque},
 * none for a rendezvous channel), a FIFO {@code ChannelWaitQueue} of blocked senders and one of blocked
 * receivers, and a closed flag. Each blocked operation is a {@code ChannelNode} (Go's {@code sudog}) in one
 * of those queues; it belongs to a {@code ChannelWaiter}, the blocked thread, and a {@link Select} queues
 * one node per case, all sharing its one waiter. Invariants, with the lock held: a live receiver waits
 * only while the buffer is empty and no live sender waits; a live sender waits only while the buffer is
 * full (always, for a rendezvous channel) and no live receiver waits. Nodes whose waiter is no longer
 * waiting ("stale": a select that won elsewhere, a withdrawn timeout) may linger until skipped or
 * unlinked.
 *
 * <h2>Operations (all under the lock)</h2>
 * <ul>
 *   <li><b>send</b>: closed: throw. Else dequeue receivers until one is claimed (write the value into its
 *       node, CAS its waiter; a failed CAS means a stale node, try the next): the value is handed over,
 *       wake that receiver after unlocking. Else put the value in the buffer if there is room. Else
 *       queue a sender node with the value, unlock, wait.</li>
 *   <li><b>receive</b>: take the buffer's head if any, and if a sender is blocked, claim it and move its
 *       value into the freed slot (FIFO is kept). Else claim a blocked sender and take its value (the
 *       rendezvous hand-off). Else closed: throw. Else queue a receiver node, unlock, wait.</li>
 *   <li><b>close</b>: set the flag; claim every queued node with its {@code closed} mark set; wake them
 *       after unlocking. Senders throw; receivers throw too (they only wait on an empty buffer), while
 *       values still in the buffer remain receivable.</li>
 * </ul>
 * Whoever claims a waiter has decided the operation: a waiter that times out or is interrupted withdraws
 * only if its own CAS wins (see {@code ChannelWaiter}), then unlinks its node. So a value is never lost
 * and never delivered twice, whatever the interleaving of hand-offs, closes, timeouts and interrupts.
 *
 * <h2>Hot path</h2>
 * A single {@link #send}/{@link #receive} does not use the {@link Select} machinery: one lock acquisition,
 * at most one CAS, the wake-up outside the lock (and only if the partner got as far as parking), and a
 * spin before parking whose length each channel adapts to how its recent waits went ({@code ChannelWaiter}).
 * Two virtual threads on 2 cores hand over about 4 to 5 million values a second through a rendezvous
 * channel (a {@link java.util.concurrent.SynchronousQueue}, lock-free, manages about twice that).
 * Lock acquisition order across channels, needed only by {@link Select}, is by a unique id.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread; blocked calls park with {@code LockSupport}, so a virtual
 * thread releases its carrier. A blocking call throws {@link io.bingfa.future.WaitInterruptedException}
 * when the thread is interrupted while it waits, or is already interrupted when it would have to wait;
 * nothing was sent or received then. An interrupt that arrives just as a partner completes the operation
 * loses: the call returns normally and the interrupt status stays set. {@code null} values are not
 * allowed.
 *
 * @param <T> the type of the values
 */
public final class Channel<T> implements Iterable<T> {

    private static final AtomicLong IDS = new AtomicLong();

    /** Unique, increasing: the global lock order of {@link Select}. */
    private final long id = IDS.incrementAndGet();
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@code lock}; {@code null} for a rendezvous channel. */
    private final ArrayDeque<T> buffer;
    /** Guarded by {@code lock}. */
    private final ChannelWaitQueue<T> senders = new ChannelWaitQueue<>();
    /** Guarded by {@code lock}. */
    private final ChannelWaitQueue<T> receivers = new ChannelWaitQueue<>();
    /** Written under {@code lock}; volatile so that {@link #isClosed()} may read it without the lock. */
    private volatile boolean closed;
    /** How long a blocked sender or receiver spins before parking: a hint, read and written racily. */
    private int spins = ChannelWaiter.MAX_SPINS;

    private Channel(final int capacity) {
        this.capacity = capacity;
        this.buffer = capacity == 0 ? null : new ArrayDeque<>(capacity);
    }

    /** An unbuffered channel: {@link #send} waits until a receiver takes the value (Go's {@code make(chan T)}). */
    public static <T> Channel<T> rendezvous() {
        return new Channel<>(0);
    }

    /**
     * A channel that holds up to {@code capacity} values: {@link #send} waits only while it is full (Go's
     * {@code make(chan T, capacity)}).
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public static <T> Channel<T> buffered(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        return new Channel<>(capacity);
    }

    // ---------------------------------------------------------------- send

    /**
     * Sends {@code value}, waiting as long as it takes for a receiver (rendezvous) or for room in the
     * buffer.
     *
     * @throws NullPointerException if {@code value} is null
     * @throws ChannelClosedException if the channel is closed, before or while this waits
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while waiting; the
     *     value was not sent
     */
    public void send(final T value) {
        Objects.requireNonNull(value, "value");
        send(value, -1L);
    }

    /**
     * Sends {@code value}, waiting at most {@code timeout}. Returns {@code false} if it could not be
     * delivered in time; the value was then not sent.
     *
     * @throws NullPointerException if {@code value} or {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws ChannelClosedException if the channel is closed, before or while this waits
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while waiting; the
     *     value was not sent
     */
    public boolean send(final T value, final Duration timeout) {
        Objects.requireNonNull(value, "value");
        return send(value, ChannelWaiter.timeoutNanos(timeout));
    }

    /**
     * Sends {@code value} only if that needs no waiting: a receiver is waiting for it (a plain receive or a
     * {@link Select}), or the buffer has room. Go's {@code select { case ch <- v: default: }}.
     *
     * @throws NullPointerException if {@code value} is null
     * @throws ChannelClosedException if the channel is closed
     */
    public boolean trySend(final T value) {
        Objects.requireNonNull(value, "value");
        return send(value, 0L);
    }

    /** {@code nanos}: negative waits forever, 0 does not wait. */
    private boolean send(final T value, final long nanos) {
        final long deadline = nanos > 0 ? System.nanoTime() + nanos : 0L;
        final ChannelNode<T> receiver;
        final ChannelNode<T> node;
        lock.lock();
        try {
            if (closed) {
                throw closedException("send on");
            }
            receiver = claimReceiverLocked(value);
            if (receiver != null) {
                node = null;
            } else if (bufferLocked(value)) {
                return true;
            } else if (nanos == 0) {
                return false;
            } else if (Thread.currentThread().isInterrupted()) {
                throw ChannelWaiter.interrupted("send on " + name());
            } else {
                node = enqueueSenderLocked(new ChannelWaiter(), value);
            }
        } finally {
            lock.unlock();
        }
        if (receiver != null) {
            receiver.waiter.wake();
            return true;
        }
        final int outcome = await(node.waiter, nanos > 0, deadline);
        if (outcome == ChannelWaiter.CLAIMED) {
            if (node.closed) {
                throw closedException("send on");
            }
            return true; // also when a timeout or interrupt lost the race to the receiver
        }
        withdraw(node);
        if (outcome == ChannelWaiter.TIMED_OUT) {
            return false;
        }
        throw ChannelWaiter.interrupted("send on " + name());
    }

    // ---------------------------------------------------------------- receive

    /**
     * Receives the next value, waiting as long as it takes.
     *
     * @throws ChannelClosedException once the channel is closed and every buffered value was received
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while waiting; nothing
     *     was received
     */
    public T receive() {
        return receive(-1L);
    }

    /**
     * Receives the next value, waiting at most {@code timeout}; empty if none arrived in time.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws ChannelClosedException once the channel is closed and every buffered value was received
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while waiting; nothing
     *     was received
     */
    public Optional<T> receive(final Duration timeout) {
        return Optional.ofNullable(receive(ChannelWaiter.timeoutNanos(timeout)));
    }

    /**
     * Receives a value only if one is ready now (buffered, or offered by a blocked sender); empty
     * otherwise. Go's {@code select { case v := <-ch: default: }}.
     *
     * @throws ChannelClosedException if the channel is closed and every buffered value was received
     */
    public Optional<T> tryReceive() {
        return Optional.ofNullable(receive(0L));
    }

    /** {@code nanos}: negative waits forever, 0 does not wait. Returns {@code null} on timeout. */
    private T receive(final long nanos) {
        final long deadline = nanos > 0 ? System.nanoTime() + nanos : 0L;
        final ChannelNode<T> sender;
        final ChannelNode<T> node;
        lock.lock();
        try {
            final T buffered = takeBufferedLocked();
            if (buffered != null) {
                return buffered;
            }
            sender = claimSenderLocked();
            if (sender != null) {
                node = null;
            } else if (closed) {
                throw closedException("receive from");
            } else if (nanos == 0) {
                return null;
            } else if (Thread.currentThread().isInterrupted()) {
                throw ChannelWaiter.interrupted("receive from " + name());
            } else {
                node = enqueueReceiverLocked(new ChannelWaiter());
            }
        } finally {
            lock.unlock();
        }
        if (sender != null) {
            sender.waiter.wake();
            return sender.item;
        }
        final int outcome = await(node.waiter, nanos > 0, deadline);
        if (outcome == ChannelWaiter.CLAIMED) {
            if (node.closed) {
                throw closedException("receive from");
            }
            return node.item; // also when a timeout or interrupt lost the race to the sender
        }
        withdraw(node);
        if (outcome == ChannelWaiter.TIMED_OUT) {
            return null;
        }
        throw ChannelWaiter.interrupted("receive from " + name());
    }

    /** Waits with the channel's spin budget and adapts the budget to how the wait went (see ChannelWaiter). */
    private int await(final ChannelWaiter waiter, final boolean timed, final long deadline) {
        final int budget = spins; // benign race: a stale budget only makes one wait spin more or less
        final int outcome = waiter.await(timed, deadline, budget);
        final int next = waiter.nextSpins(budget);
        if (next != budget) {
            spins = next; // benign race: a lost update is corrected by the next wait
        }
        return outcome;
    }

    // ---------------------------------------------------------------- close and inspection

    /**
     * Closes the channel; a second call does nothing. Values already buffered can still be received;
     * after them, receives throw {@link ChannelClosedException}, and sends throw it at once. Senders
     * blocked now are woken with {@link ChannelClosedException} (their values are not sent), and so are
     * blocked receivers (they only wait on an empty buffer).
     */
    public void close() {
        final List<ChannelNode<T>> woken = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            claimAllForCloseLocked(senders, woken);
            claimAllForCloseLocked(receivers, woken);
        } finally {
            lock.unlock();
        }
        for (ChannelNode<T> node : woken) {
            node.waiter.wake();
        }
    }

    private static <T> void claimAllForCloseLocked(final ChannelWaitQueue<T> queue, final List<ChannelNode<T>> woken) {
        for (ChannelNode<T> node = queue.pollFirst(); node != null; node = queue.pollFirst()) {
            node.closed = true;
            if (node.waiter.tryClaim(node)) {
                woken.add(node);
            }
        }
    }

    /** {@code true} once {@link #close()} was called (values may still be buffered). */
    public boolean isClosed() {
        return closed;
    }

    /** The buffer's capacity; 0 for a rendezvous channel (Go's {@code cap(ch)}). */
    public int capacity() {
        return capacity;
    }

    /** The number of values in the buffer now; always 0 for a rendezvous channel (Go's {@code len(ch)}). */
    public int size() {
        if (buffer == null) {
            return 0;
        }
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Receives until the channel is closed and drained (Go's {@code for v := range ch}). {@code hasNext()}
     * waits for the next value, and may throw {@link io.bingfa.future.WaitInterruptedException}. Each
     * iterator receives from the channel, so several iterators (or threads) share out the values.
     */
    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                if (next == null && !ended) {
                    try {
                        next = receive();
                    } catch (ChannelClosedException e) {
                        ended = true;
                    }
                }
                return next != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException(name() + " is closed and drained");
                }
                final T value = next;
                next = null;
                return value;
            }
        };
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return name() + "[" + (buffer == null ? "rendezvous" : "buffered " + buffer.size() + "/" + capacity)
                    + (closed ? ", closed" : "") + "]";
        } finally {
            lock.unlock();
        }
    }

    /** How messages name this channel: {@code channel#7}. */
    String name() {
        return "channel#" + id;
    }

    // ---------------------------------------------------------------- shared with Select (lock held)

    long id() {
        return id;
    }

    void lock() {
        lock.lock();
    }


    void unlock() {
        lock.unlock();
    }

    boolean isClosedLocked() {
        return closed;
    }

    ChannelClosedException closedException(final String operation) {
        return new ChannelClosedException(operation + " closed " + name());
    }

    /**
     * Hands {@code value} to the oldest live blocked receiver: writes it into the receiver's node, then
     * claims the receiver's waiter; stale nodes met on the way are dropped. Returns the claimed node (wake
     * its waiter, preferably after unlocking) or {@code null} if no receiver is waiting.
     */
    ChannelNode<T> claimReceiverLocked(final T value) {
        for (ChannelNode<T> node = receivers.pollFirst(); node != null; node = receivers.pollFirst()) {
            node.item = value;
            if (node.waiter.tryClaim(node)) {
                return node;
            }
            node.item = null; // stale: do not keep the value reachable from a dead node
        }
        return null;
    }

    /** Claims the oldest live blocked sender (stale nodes are dropped), or returns {@code null}. */
    ChannelNode<T> claimSenderLocked() {
        for (ChannelNode<T> node = senders.pollFirst(); node != null; node = senders.pollFirst()) {
            if (node.waiter.tryClaim(node)) {
                return node;
            }
        }
        return null;
    }

    /** Puts {@code value} in the buffer if there is room (never for a rendezvous channel). */
    boolean bufferLocked(final T value) {
        if (buffer != null && buffer.size() < capacity) {
            buffer.addLast(value);
            return true;
        }
        return false;
    }

    /**
     * Takes the buffer's head, or returns {@code null} if it is empty (or there is no buffer). The slot it
     * frees goes to the oldest blocked sender, if any, which is woken at once: this is the rare
     * full-buffer-with-blocked-senders case, so it wakes under the lock rather than complicate the
     * callers.
     */
    T takeBufferedLocked() {
        if (buffer == null) {
            return null;
        }
        final T value = buffer.pollFirst();
        if (value != null) {
            final ChannelNode<T> sender = claimSenderLocked();
            if (sender != null) {
                buffer.addLast(sender.item);
                sender.waiter.wake();
            }
        }
        return value;
    }

    /** Queues a blocked sender of {@code value} for {@code waiter}. */
    ChannelNode<T> enqueueSenderLocked(final ChannelWaiter waiter, final T value) {
        final ChannelNode<T> node = new ChannelNode<>(waiter, true, value);
        senders.addLast(node);
        return node;
    }

    /** Queues a blocked receiver for {@code waiter}. */
    ChannelNode<T> enqueueReceiverLocked(final ChannelWaiter waiter) {
        final ChannelNode<T> node = new ChannelNode<>(waiter, false, null);
        receivers.addLast(node);
        return node;
    }

    /**
     * Unlinks {@code node} if it is still queued (its waiter withdrew, or won through another case). Takes
     * the lock itself.
     */
    void withdraw(final ChannelNode<T> node) {
        // Benign race: linked only ever goes from true to false, and a stale true just costs the lock.
        if (!node.linked) {
            return;
        }
        lock.lock();
        try {
            (node.sender ? senders : receivers).remove(node);
        } finally {
            lock.unlock();
        }
    }
}
