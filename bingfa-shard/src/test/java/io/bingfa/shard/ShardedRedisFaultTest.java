package io.bingfa.shard;

import static io.bingfa.shard.ShardFixture.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.test.KillSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real redis-servers killed with kill -9, agents' sessions expired, nodes joining, ZooKeeper stopped. */
class ShardedRedisFaultTest {

    private static final int PRELOADED = 2_000;

    @BeforeAll
    static void needsRedis() {
        assumeTrue(RedisProcess.available(), "redis-server is not installed");
    }

    /** Readers and writers on virtual threads; records failures and the last acknowledged value per key. */
    static final class Load implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final Map<String, String> acked = new ConcurrentHashMap<>();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

        Load(final ShardedRedis redis, final int writers, final int readers) {
            for (int w = 0; w < writers; w++) {
                final int id = w;
                threads.execute(() -> {
                    long n = 0;
                    while (!stop.get()) {
                        final String key = "w" + id + ":" + (n % 500);
                        final String value = "v" + n;
                        try {
                            redis.set(key, value);
                            acked.put(key, value); // one writer per key: the last ack is the truth
                            writes.incrementAndGet();
                        } catch (final RuntimeException e) {
                            acked.remove(key); // unacknowledged: the key's value is unknown now
                        }
                        n++;
                    }
                });
            }
            for (int r = 0; r < readers; r++) {
                threads.execute(() -> {
                    while (!stop.get()) {
                        final int i = ThreadLocalRandom.current().nextInt(PRELOADED);
                        try {
                            final String v = redis.get("pre:" + i);
                            if (!("p" + i).equals(v)) {
                                failures.add("pre:" + i + " read " + v);
                            }
                            reads.incrementAndGet();
                        } catch (final RuntimeException e) {
                            failures.add("pre:" + i + " failed: " + e);
                        }
                    }
                });
            }
        }

        void awaitProgress(final long moreReads) throws InterruptedException {
            final long target = reads.get() + moreReads;
            awaitTrue(() -> reads.get() >= target, moreReads + " more reads");
        }

        @Override
        public void close() {
            stop.set(true);
            threads.close();
        }
    }

    private static void preload(final ShardedRedis redis) {
        for (int i = 0; i < PRELOADED; i++) {
            redis.set("pre:" + i, "p" + i);
        }
    }

    private static void verifyAll(final ShardedRedis redis, final Map<String, String> acked) {
        for (int i = 0; i < PRELOADED; i++) {
            assertThat(redis.get("pre:" + i)).as("pre:" + i).isEqualTo("p" + i);
        }
        acked.forEach((k, v) -> assertThat(redis.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void killNineUnderLoadFailsNoReadAndLosesNoAcknowledgedWrite() throws Exception {
        try (ShardFixture fx = new ShardFixture(4)) {
            final ShardedRedis redis = fx.client(AckPolicy.ALL);
            preload(redis);
            final Map<String, String> acked;
            try (Load load = new Load(redis, 4, 4)) {
                load.awaitProgress(2_000);
                final RedisProcess victim = fx.redis.get(1);
                victim.kill();
                awaitTrue(() -> !fx.agents.get(1).isRegistered(), "the agent removed the dead node");
                awaitTrue(() -> !redis.ring().nodeSet().contains(victim.address()), "the client dropped it");
                load.awaitProgress(2_000);
                awaitTrue(() -> redis.pendingMigrations() == 0, "migration after the death");
                // the node comes back empty; its agent registers it again
                victim.start();
                awaitTrue(() -> fx.agents.get(1).isRegistered(), "the agent registered the node again");
                awaitTrue(() -> redis.ring().nodeSet().contains(victim.address()), "the client took it back");
                load.awaitProgress(2_000);
                awaitTrue(() -> redis.pendingMigrations() == 0, "migration after the return");
                load.close();
                assertThat(load.failures).as("failed or wrong reads of keys written before").isEmpty();
                assertThat(load.writes.get()).isPositive();
                acked = Map.copyOf(load.acked);
            }
            verifyAll(redis, acked);
            // every key is on its two current owners again, the returned node included
            for (int i = 0; i < PRELOADED; i += 37) {
                assertThat(fx.holders("pre:" + i)).containsExactlyInAnyOrderElementsOf(redis.ring().owners("pre:" + i, 2));
            }
        }
    }

    /**
     * Also the regression test for "a re-registered node read as empty": the agent used to FLUSHALL and
     * register again before clients had noticed its znode vanish, so they read the emptied node as the key's
     * owner; it now waits RedisAgent.rejoinDelay, and clients treat any node that (re)joined as fresh.
     */
    @Test
    void agentSessionExpiredIsRegisteredAgain() throws Exception {
        try (ShardFixture fx = new ShardFixture(3)) {
            final ShardedRedis redis = fx.client();
            preload(redis);
            final String address = fx.redis.get(0).address();
            final long joins = fx.agents.get(0).joins();
            try (Load load = new Load(redis, 2, 2)) {
                KillSession.kill(fx.agentClients.get(0).getZookeeperClient().getZooKeeper());
                awaitTrue(() -> fx.agents.get(0).joins() > joins, "the agent registered again after the expiry");
                awaitTrue(() -> redis.ring().nodeSet().contains(address), "the node is in the ring");
                awaitTrue(() -> redis.pendingMigrations() == 0, "migration settled");
                load.awaitProgress(1_000);
                load.close();
                assertThat(load.failures).isEmpty();
                verifyAll(redis, load.acked);
            }
        }
    }

    @Test
    void aNodeJoiningUnderLoadTakesItsRangesWithoutFailedReads() throws Exception {
        try (ShardFixture fx = new ShardFixture(3)) {
            final ShardedRedis redis = fx.client();
            preload(redis);
            try (Load load = new Load(redis, 2, 4)) {
                load.awaitProgress(1_000);
                final int added = fx.addNode();
                final String address = fx.redis.get(added).address();
                awaitTrue(() -> redis.ring().nodeSet().contains(address), "the client sees the new node");
                awaitTrue(() -> redis.pendingMigrations() == 0, "migration to the new node");
                load.awaitProgress(1_000);
                load.close();
                assertThat(load.failures).isEmpty();
                verifyAll(redis, load.acked);
            }
            int onNewNode = 0;
            for (int i = 0; i < PRELOADED; i++) {
                final List<String> owners = redis.ring().owners("pre:" + i, 2);
                if (owners.contains(fx.redis.get(3).address())) {
                    onNewNode++;
                    assertThat(fx.holders("pre:" + i)).containsExactlyInAnyOrderElementsOf(owners);
                }
            }
            assertThat(onNewNode).isPositive();
        }
    }

    @Test
    void zooKeeperDownForAWhileClientsKeepServingOnTheirLastMembership() throws Exception {
        try (ShardFixture fx = new ShardFixture(3)) {
            final ShardedRedis redis = fx.client();
            preload(redis);
            final var before = redis.ring().nodeSet();
            try (Load load = new Load(redis, 2, 2)) {
                fx.zk.stop();
                load.awaitProgress(3_000);
                assertThat(redis.ring().nodeSet()).isEqualTo(before);
                fx.zk.restart();
                awaitTrue(() -> fx.agents.stream().allMatch(RedisAgent::isRegistered), "agents registered");
                load.awaitProgress(1_000);
                load.close();
                assertThat(load.failures).isEmpty();
                assertThat(redis.ring().nodeSet()).isEqualTo(before);
                verifyAll(redis, load.acked);
            }
        }
    }
}
