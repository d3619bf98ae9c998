package io.bingfa.pool;

import io.bingfa.internal.Durations;
import java.time.Duration;

/**
 * How {@link Pool#map} and {@link Pool#mapUnordered} cut and pace their work.
 *
 * @param chunkSize inputs per task (Python's {@code chunksize}); at least 1. Larger chunks cost fewer
 *                  submissions (and, in a process pool, fewer round trips).
 * @param timeout   limit on the whole iteration, counted from the call to {@code map} (Python's
 *                  {@code timeout}); {@code null} for none
 * @param lookAhead chunks submitted ahead of the consumer (Python 3.14's {@code buffersize}); at least
 *                  1, or 0 for the pool's default (twice its concurrency, at most {@value #UNBOUNDED_POOL_LOOK_AHEAD}
 *                  for a pool without a limit). Memory stays bounded whatever the input's length.
 */
public record MapOptions(int chunkSize, Duration timeout, int lookAhead) {

    /** Default look-ahead, in chunks, for a pool whose concurrency is unbounded. */
    public static final int UNBOUNDED_POOL_LOOK_AHEAD = 10_000;

    public MapOptions {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1, was " + chunkSize);
        }
        if (timeout != null) {
            Durations.requireNonNegative(timeout, "timeout");
        }
        if (lookAhead < 0) {
            throw new IllegalArgumentException("lookAhead must be at least 1 (or 0 for the default), was " + lookAhead);
        }
    }

    /** One input per task, no timeout, the pool's default look-ahead. */
    public static MapOptions defaults() {
        return new MapOptions(1, null, 0);
    }

    public MapOptions withChunkSize(final int chunkSize) {
        return new MapOptions(chunkSize, timeout, lookAhead);
    }

    public MapOptions withTimeout(final Duration timeout) {
        return new MapOptions(chunkSize, timeout, lookAhead);
    }

    public MapOptions withLookAhead(final int lookAhead) {
        return new MapOptions(chunkSize, timeout, lookAhead);
    }

    /** The look-ahead to use with a pool that runs at most {@code concurrency} tasks at once. */
    int lookAheadFor(final int concurrency) {
        if (lookAhead > 0) {
            return lookAhead;
        }
        if (concurrency == Integer.MAX_VALUE) {
            return UNBOUNDED_POOL_LOOK_AHEAD;
        }
        return (int) Math.min(UNBOUNDED_POOL_LOOK_AHEAD, Math.max(2L, 2L * concurrency));
    }
}
