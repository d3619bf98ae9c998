package io.bingfa.coro;

/**
 * A channel's FIFO queue of blocked senders or of blocked receivers (Go's {@code waitq}): an intrusive
 * doubly-linked list of {@link ChannelNode}s, so that a waiter that gives up (timeout, interrupt, or a
 * {@link Select} whose other case won) unlinks its node in O(1). Not thread-safe: every method is called
 * with the owning channel's lock held.
 *
 * <p>The queue may hold stale nodes for a moment (their waiter was claimed elsewhere or withdrew and has
 * not yet taken the lock to unlink them); {@link #pollFirst()} returns them like any other and the caller
 * skips them when its claim fails.
 */
final class ChannelWaitQueue<T> {

    private ChannelNode<T> head;
    private ChannelNode<T> tail;

    boolean isEmpty() {
        return head == null;
    }

    void addLast(final ChannelNode<T> node) {
        node.linked = true;
        node.prev = tail;
        node.next = null;
        if (tail == null) {
            head = node;
        } else {
            tail.next = node;
        }
        tail = node;
    }

    /** Removes and returns the oldest node, or {@code null} if the queue is empty. */
    ChannelNode<T> pollFirst() {
        final ChannelNode<T> node = head;
        if (node != null) {
            unlink(node);
        }
        return node;
    }

    /** Unlinks {@code node} if it is still queued here; a no-op if a counterpart already dequeued it. */
    void remove(final ChannelNode<T> node) {
        if (node.linked) {
            unlink(node);
        }
    }

    private void unlink(final ChannelNode<T> node) {
        final ChannelNode<T> p = node.prev;
        final ChannelNode<T> n = node.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        node.prev = null;
        node.next = null;
        node.linked = false;
    }
}
