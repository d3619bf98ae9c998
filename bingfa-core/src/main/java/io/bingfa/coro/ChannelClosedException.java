package io.bingfa.coro;

import java.io.Serial;

/**
 * A {@link Channel} was closed: a send on it (or a {@link Select} send case) can never be delivered, or a
 * receive found it closed and drained (Go's {@code v, ok := <-ch} with {@code ok == false}; Go panics on a
 * send to a closed channel, Bingfa throws this). Unchecked, so that channel calls fit in lambdas. The
 * message names the channel and, when a {@link Select} threw it, the index of the case.
 */
public final class ChannelClosedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ChannelClosedException(final String message) {
        super(message);
    }
}
