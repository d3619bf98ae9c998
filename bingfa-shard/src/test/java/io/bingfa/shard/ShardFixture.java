package io.bingfa.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

/** A real ZooKeeper (TestingServer), N real redis-servers and one agent per server. */
final class ShardFixture implements AutoCloseable {

    static final String PATH = "/bingfa/redis";

    final TestingServer zk;
    final List<RedisProcess> redis = new ArrayList<>();
    final List<CuratorFramework> agentClients = new ArrayList<>();
    final List<RedisAgent> agents = new ArrayList<>();
    private final RedisClient direct = RedisClient.create();
    private final List<AutoCloseable> others = new ArrayList<>();

    ShardFixture(final int nodes) throws Exception {
        zk = new TestingServer(true);
        for (int i = 0; i < nodes; i++) {
            addNode();
        }
        awaitTrue(() -> agents.stream().allMatch(RedisAgent::isRegistered), "all agents registered");
    }

    /** Starts one more redis-server and its agent; returns its index. */
    int addNode() throws Exception {
        final RedisProcess r = RedisProcess.startNew();
        redis.add(r);
        final CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .sessionTimeoutMs(4_000).connectionTimeoutMs(4_000).retryPolicy(new RetryOneTime(100)).build();
        c.start();
        agentClients.add(c);
        agents.add(RedisAgent.builder().redis(r.address()).curator(c).path(PATH)
                .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(300)).build().start());
        return redis.size() - 1;
    }

    ShardedRedis client() {
        return client(AckPolicy.ALL);
    }

    ShardedRedis client(final AckPolicy ack) {
        final ShardedRedis s = ShardedRedis.builder().zk(zk.getConnectString()).path(PATH).ack(ack)
                .sessionTimeout(Duration.ofSeconds(30)).build();
        others.add(s);
        return s;
    }

    /** Which nodes hold the key, read directly (not through ShardedRedis). */
    List<String> holders(final String key) {
        final List<String> found = new ArrayList<>();
        for (final RedisProcess r : redis) {
            if (!r.alive()) {
                continue;
            }
            try (StatefulRedisConnection<String, String> c = direct.connect(io.lettuce.core.RedisURI.create(
                    "redis://" + r.address()))) {
                if (c.sync().exists(key) > 0) {
                    found.add(r.address());
                }
            }
        }
        return found;
    }

    static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as("within 60 s: " + what).isTrue();
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws Exception {
        for (final AutoCloseable c : others) {
            c.close();
        }
        for (final RedisAgent a : agents) {
            a.close();
        }
        for (final CuratorFramework c : agentClients) {
            c.close();
        }
        for (final RedisProcess r : redis) {
            r.close();
        }
        direct.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        zk.close();
    }
}
