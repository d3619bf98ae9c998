package io.bingfa.coro;

import java.util.function.Consumer;

/**
 * One channel case of a {@link Select}: a receive (with or without a closed handler) or a send, with its
 * handler and, once the select has queued it, its {@link ChannelNode}. Typed by the channel's value type,
 * so that values move from channel to handler without casts. Used by one thread only (the one running
 * the select); the channel's lock guards what the methods ending in {@code Locked} touch.
 *
 * <p>Life of a case: {@link #tryFireLocked()} during the select's poll pass; if no case fired and the
 * select blocks, {@link #enqueueLocked}; after the wait, {@link #withdraw()}; finally the one case that
 * won runs {@link #complete()} (after a poll) or {@link #completeFromWait()}.
 */
final class SelectCase<T> {

    final int index;
    final Channel<T> channel;
    private final boolean send;
    /** A send case's value. */
    private final T value;
    /** A receive case's handler (null: ignore the value). */
    private final Consumer<? super T> onValue;
    /** A send case's handler, or a receive case's closed handler (null: nothing to run). */
    private final Runnable onDone;
    /** A receive case that fires when the channel is closed and drained, instead of throwing. */
    private final boolean handlesClose;

    // Outcome of the poll pass.
    private T received;
    private boolean sawClose;
    private ChannelNode<T> release;
    /** Queued node while the select waits. */
    private ChannelNode<T> node;

    private SelectCase(final int index, final Channel<T> channel, final boolean send, final T value,
                       final Consumer<? super T> onValue, final Runnable onDone, final boolean handlesClose) {
        this.index = index;
        this.channel = channel;
        this.send = send;
        this.value = value;
        this.onValue = onValue;
        this.onDone = onDone;
        this.handlesClose = handlesClose;
    }

    static <T> SelectCase<T> receive(final int index, final Channel<T> channel, final Consumer<? super T> handler,
                                     final boolean handlesClose, final Runnable onClosed) {
        return new SelectCase<>(index, channel, false, null, handler, onClosed, handlesClose);
    }

    static <T> SelectCase<T> send(final int index, final Channel<T> channel, final T value, final Runnable handler) {
        return new SelectCase<>(index, channel, true, value, null, handler, false);
    }

    /**
     * Poll pass, with the channel locked: performs the operation if it can go ahead without waiting and
     * returns {@code true}. A counterpart it claimed is woken later, by {@link #complete()}.
     *
     * @throws ChannelClosedException for a send on a closed channel, or a receive without closed handler
     *     on a closed and drained one
     */
    boolean tryFireLocked() {
        if (send) {
            if (channel.isClosedLocked()) {
                throw closed("send on");
            }
            release = channel.claimReceiverLocked(value);
            return release != null || channel.bufferLocked(value);
        }
        received = channel.takeBufferedLocked();
        if (received != null) {
            return true;
        }
        release = channel.claimSenderLocked();
        if (release != null) {
            received = release.item;
            return true;
        }
        if (channel.isClosedLocked()) {
            if (!handlesClose) {
                throw closed("receive from");
            }
            sawClose = true;
            return true;
        }
        return false;
    }

    /** Queues this case's node for {@code waiter}, with the channel locked. */
    void enqueueLocked(final ChannelWaiter waiter) {
        node = send ? channel.enqueueSenderLocked(waiter, value) : channel.enqueueReceiverLocked(waiter);
    }

    /** {@code true} if {@code winner} is this case's queued node. */
    boolean owns(final ChannelNode<?> winner) {
        return node == winner;
    }

    /** After the wait: unlinks this case's node if it is still queued. */
    void withdraw() {
        if (node != null) {
            channel.withdraw(node);
        }
    }

    /** After this case fired in the poll pass (all locks released): wakes the counterpart, runs the handler. */
    void complete() {
        if (release != null) {
            release.waiter.wake();
        }
        finish(sawClose, received);
    }

    /** After this case's node won the wait. */
    void completeFromWait() {
        if (node.closed) {
            if (send) {
                throw closed("send on");
            }
            if (!handlesClose) {
                throw closed("receive from");
            }
        }
        finish(node.closed, node.item);
    }

    private void finish(final boolean closed, final T item) {
        if (send || closed) {
            if (onDone != null) {
                onDone.run();
            }
        } else if (onValue != null) {
            onValue.accept(item);
        }
    }

    private ChannelClosedException closed(final String operation) {
        return new ChannelClosedException("select case " + index + ": " + operation + " closed " + channel.name());
    }
}
