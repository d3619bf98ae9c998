package io.bingfa.serve;

import java.time.Duration;
import java.util.Map;

/**
 * Where challenges and per-app counters live: {@link RedisChallengeStore} (ShardedRedis, many hosts) or
 * {@link LocalChallengeStore} (a SharedMap shared by the workers of one host).
 *
 * <p>Keys are made by {@link Challenges}: a challenge id is 32 hex characters from a SecureRandom, never
 * reused, and an app id has been checked against the settings before it reaches a store.
 */
interface ChallengeStore extends AutoCloseable {

    /** The per-app counters. */
    enum Counter {
        ISSUED("c"), SUCCESS("s"), FAILURE("f");

        final String suffix;

        Counter(final String suffix) {
            this.suffix = suffix;
        }
    }

    /** Stores challenge {@code id} with {@code record} for {@code ttl}. */
    void put(String id, String record, Duration ttl);

    /** Removes challenge {@code id} and returns its record, atomically: of two takers one gets it; null if absent or expired. */
    String take(String id);

    /** Adds one to an app's counter. */
    void count(String app, Counter counter);

    /**
     * Stores challenge {@code id} of {@code app} ({@link #put}) and counts it {@link Counter#ISSUED}; a store
     * may do the two at once, but counts nothing for a challenge it failed to store.
     */
    default void issue(final String id, final String app, final String record, final Duration ttl) {
        put(id, record, ttl);
        count(app, Counter.ISSUED);
    }

    /** An app's counters, in {@link Counter} order. */
    long[] counts(String app);

    /**
     * Whether calls wait on the network (Redis): then the worker runs every request on a virtual thread;
     * otherwise (shared memory) on the selector thread (see ServeHandler).
     */
    boolean waitsOnNetwork();

    /** What the dashboard and the metrics show about the store (mode, nodes, ...). */
    Map<String, Object> describe();

    @Override
    void close();
}
