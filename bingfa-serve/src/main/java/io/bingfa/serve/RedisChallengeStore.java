package io.bingfa.serve;

import io.bingfa.shard.AckPolicy;
import io.bingfa.shard.ShardException;
import io.bingfa.shard.ShardedRedis;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * Challenges and counters in Redis sharded by the client (bingfa-shard's ShardedRedis: ZooKeeper membership,
 * ketama ring, a copy on the ring's next node).
 *
 *   put:   SET bingfa:ch:<id> <record> PX ttl, under AckPolicy.ALL with replication factor 2: acknowledged
 *          means on two nodes, so a challenge survives the kill -9 of any one node.
 *   issue: put and the ISSUED count sent together, so that the request waits once (a worker's cost per Redis
 *          command is mostly the park and wake-up of the waiting virtual thread, not the command); a challenge
 *          whose SET failed has its count taken back.
 *   take:  GETDEL on the key's primary (call(): falls over to the replica at once when the primary fails),
 *          then DEL on every owner. call() asks the current owners only: while a ring change is migrated, a
 *          miss is checked with GET (which falls back to previous owners and copies the key here) before
 *          GETDEL is tried once more. GETDEL is the atomic step: of two verifies of one id, one gets the record.
 *          The DEL removes the replica's copy, so that the replica, promoted when the primary dies later,
 *          cannot hand the same challenge out again; it is sent before the verify is answered but not waited
 *          for. Window (documented, not closed): a primary that dies between its GETDEL and the DEL's arrival
 *          at the replica leaves the copy for a second verify on the replica.
 *   count: INCR bingfa:n:<app>:<c|s|f>. ShardedRedis does not retry an INCRBY whose primary failed (it may
 *          have been applied); a counter is not worth failing a verification for, so the store retries once
 *          (the dead primary's count is lost with it anyway) and otherwise logs and counts the miss
 *          (lostCounts, shown on the dashboard).
 *   counts: MGET of the three counters.
 */
/** Challenges and counters in {@link ShardedRedis}: replication factor 2, writes acknowledged by both copies. */
final class RedisChallengeStore implements ChallengeStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisChallengeStore.class);

    private final ShardedRedis redis;
    private final LongAdder lostCounts = new LongAdder();

    private RedisChallengeStore(final ShardedRedis redis) {
        this.redis = redis;
    }

    /** Connects to the shards listed under {@code path} in ZooKeeper {@code zk}. */
    static RedisChallengeStore connect(final String zk, final String path) {
        Objects.requireNonNull(zk, "zk");
        Objects.requireNonNull(path, "path");
        return new RedisChallengeStore(ShardedRedis.builder().zk(zk).path(path).replicationFactor(2)
                .ack(AckPolicy.ALL).commandTimeout(Duration.ofSeconds(1)).build());
    }

    private static String challengeKey(final String id) {
        return "bingfa:ch:" + id;
    }

    private static String counterKey(final String app, final Counter counter) {
        return "bingfa:n:" + app + ":" + counter.suffix;
    }

    @Override
    public void put(final String id, final String record, final Duration ttl) {
        redis.set(challengeKey(id), record, ttl);
    }

    @Override
    public void issue(final String id, final String app, final String record, final Duration ttl) {
        final String counter = counterKey(app, Counter.ISSUED);
        // the count goes out with the SET, so that the request waits once for both
        final CompletableFuture<Long> counted = redis.incrByAsync(counter, 1);
        try {
            redis.set(challengeKey(id), record, ttl);
        } catch (RuntimeException notStored) {
            // not issued, so not counted: take the count back once it has landed (best effort, like every count)
            counted.thenCompose(n -> redis.incrByAsync(counter, -1)).whenComplete((n, failure) -> {
                if (failure != null && !counted.isCompletedExceptionally()) {
                    lostCounts.increment();
                    LOG.warn("counter {} counts a challenge that was not stored: {}", counter, failure.getMessage());
                }
            });
            throw notStored;
        }
        settle(counted, counter);
    }

    @Override
    public String take(final String id) {
        final String key = challengeKey(id);
        Object value = getDel(key);
        if (value == null && redis.pendingMigrations() > 0 && redis.get(key) != null) {
            // a ring change is being migrated: get() found the key on a previous owner and copied it here
            value = getDel(key);
        }
        if (value == null) {
            return null;
        }
        // The copies' DEL is sent now and not waited for: the answer does not depend on it (GETDEL was the atomic
        // step), and a failure is benign (the copy expires with its TTL). Not waiting saves the request a park.
        redis.delAsync(key).whenComplete((deleted, failure) -> {
            if (failure != null) {
                LOG.warn("challenge {} consumed, but its copies could not be deleted: {}", id, failure.getMessage());
            }
        });
        return value.toString();
    }

    private Object getDel(final String key) {
        final List<Object> reply = redis.call(key, "GETDEL", key);
        return reply.isEmpty() ? null : reply.getFirst();
    }

    @Override
    public void count(final String app, final Counter counter) {
        final String key = counterKey(app, counter);
        settle(redis.incrByAsync(key, 1), key);
    }

    /** Waits for a count's INCR; if it failed, tries once more, and otherwise logs and counts the miss. */
    private void settle(final CompletableFuture<Long> first, final String key) {
        try {
            first.join();
        } catch (CompletionException | CancellationException firstFailure) {
            try {
                redis.incr(key);
            } catch (ShardException second) {
                lostCounts.increment();
                LOG.warn("counter {} not incremented: {}", key, second.getMessage());
            }
        }
    }

    @Override
    public long[] counts(final String app) {
        final Counter[] all = Counter.values();
        final List<String> values = redis.mget(java.util.Arrays.stream(all).map(c -> counterKey(app, c)).toList());
        final long[] counts = new long[all.length];
        for (int i = 0; i < all.length; i++) {
            final String v = values.get(i);
            counts[i] = v == null ? 0 : Long.parseLong(v);
        }
        return counts;
    }

    @Override
    public boolean waitsOnNetwork() {
        return true;
    }

    @Override
    public Map<String, Object> describe() {
        final Map<String, Object> d = new LinkedHashMap<>();
        d.put("mode", "redis");
        d.put("nodes", redis.ring().nodes().stream().sorted().toList());
        d.put("down", redis.downNodes().stream().sorted().toList());
        d.put("pending_migrations", redis.pendingMigrations());
        d.put("lost_counts", lostCounts.sum());
        return d;
    }

    @Override
    public void close() {
        redis.close();
    }
}
