package io.bingfa.shard;

import java.io.Serial;

/**
 * A ShardedRedis operation that could not be done: no live node owns the key, every copy failed, or the
 * membership could not be read. The message names the key, the command and the nodes that were tried.
 */
public final class ShardException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** With a message naming what failed. */
    public ShardException(final String message) {
        super(message);
    }

    /** With a message naming what failed, and the last cause. */
    public ShardException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
