package io.bingfa.coro;

/**
 * One blocked send or receive on one channel: Go's {@code sudog}. A plain {@link Channel#send}/
 * {@link Channel#receive} that has to wait queues one node; a {@link Select} queues one per channel case,
 * all sharing one {@link ChannelWaiter}. A node is queued once, in one {@link ChannelWaitQueue} of one
 * channel, and dequeued at most once; its links are guarded by that channel's lock, and its outcome
 * fields are handed over as follows.
 *
 * <h2>Hand-over</h2>
 * The counterpart that dequeues a node (under the channel lock, so at most one thread ever does) fills
 * in the outcome <em>before</em> it claims the node's waiter with {@link ChannelWaiter#tryClaim}:
 * <ul>
 *   <li>a sender dequeuing a receiver's node writes the value into {@link #item};</li>
 *   <li>{@link Channel#close()} sets {@link #closed};</li>
 *   <li>a receiver dequeuing a sender's node reads {@link #item} (written by the sender before it queued
 *       the node) only after its claim succeeded.</li>
 * </ul>
 * The claim is a volatile compare-and-set, so the waiter, which reads the winning node back from
 * {@link ChannelWaiter#winner()}, sees those writes. When the claim fails (the waiter was already claimed
 * through another case, or withdrew on timeout or interrupt) the node is stale: whatever was written into
 * it is never read, and the counterpart keeps its value and tries the next node.
 */
final class ChannelNode<T> {

    /** The thread (and select) this node belongs to; {@code null} only for the cancellation sentinel. */
    final ChannelWaiter waiter;
    /** {@code true} in a sender's queue, {@code false} in a receiver's. */
    final boolean sender;
    /** A sender's value (set before queuing), or the value handed to a receiver (set before the claim). */
    T item;
    /** Set by {@link Channel#close()} before it claims the waiter: the operation failed, nothing moved. */
    boolean closed;

    // Intrusive links, guarded by the channel lock. A node is linked once and unlinked once.
    ChannelNode<T> prev;
    ChannelNode<T> next;
    boolean linked;

    ChannelNode(final ChannelWaiter waiter, final boolean sender, final T item) {
        this.waiter = waiter;
        this.sender = sender;
        this.item = item;
    }
}
