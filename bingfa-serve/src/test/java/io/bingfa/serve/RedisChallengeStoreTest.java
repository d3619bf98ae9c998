package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.shard.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RedisChallengeStore against a real ZooKeeper and three real redis-servers: where a challenge's copies are
 * (asked of each node directly), one taker, the counts, and the count taken back for a challenge not stored.
 */
class RedisChallengeStoreTest {

    static final String PATH = "/bingfa/store-test";

    private static TestingServer zk;
    private static RedisShards shards;
    private static RedisChallengeStore store;
    private static final List<RedisClient> clients = new ArrayList<>();
    private static final List<StatefulRedisConnection<String, String>> nodes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(RedisProcess.available(), "redis-server is not installed");
        System.setProperty("zookeeper.admin.enableServer", "false");
        zk = new TestingServer(true);
        shards = new RedisShards(zk.getConnectString(), PATH);
        store = RedisChallengeStore.connect(zk.getConnectString(), PATH);
        ServeClient.eventually(() -> store.describe().get("nodes") instanceof List<?> l && l.size() == 3,
                "the store sees three nodes");
        for (final RedisProcess r : shards.redis) {
            final RedisClient c = RedisClient.create("redis://" + r.address());
            clients.add(c);
            nodes.add(c.connect());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        nodes.forEach(StatefulRedisConnection::close);
        clients.forEach(RedisClient::shutdown);
        if (store != null) {
            store.close();
        }
        if (shards != null) {
            shards.close();
        }
        if (zk != null) {
            zk.close();
        }
    }

    private static long copies(final String key) {
        return nodes.stream().filter(n -> n.sync().exists(key) == 1).count();
    }

    @Test
    void anIssuedChallengeIsOnTwoNodesIsTakenOnceAndIsThenGoneFromBoth() throws Exception {
        final String id = "0123456789abcdef0123456789abcdef";
        final String key = "bingfa:ch:" + id;
        store.issue(id, "app-000001", "app-000001\nCBA", Duration.ofMinutes(1));
        assertThat(copies(key)).as("nodes holding the challenge once issue returned").isEqualTo(2);
        assertThat(store.counts("app-000001")).containsExactly(1, 0, 0);

        assertThat(store.take(id)).isEqualTo("app-000001\nCBA");
        assertThat(store.take(id)).as("a second take").isNull();
        // the copies' DEL is sent before take returns, but not waited for
        ServeClient.eventually(() -> copies(key) == 0, "no node holds the taken challenge");

        store.count("app-000001", ChallengeStore.Counter.SUCCESS);
        assertThat(store.counts("app-000001")).containsExactly(1, 1, 0);
    }

    @Test
    void aChallengeThatCannotBeStoredIsNotCounted() throws Exception {
        final String id = "fedcba9876543210fedcba9876543210";
        // a zero TTL is refused by the SET (Api never sends one: settings hold 1 s .. 1 day); the INCR that went
        // out with it has landed or lands, and is taken back
        assertThatThrownBy(() -> store.issue(id, "app-000002", "app-000002\nX", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        assertThat(copies("bingfa:ch:" + id)).isZero();
        ServeClient.eventually(() -> {
            final String n = nodes.stream().map(c -> c.sync().get("bingfa:n:app-000002:c"))
                    .filter(v -> v != null).findFirst().orElse("0");
            return n.equals("0") && store.counts("app-000002")[0] == 0;
        }, "the ISSUED count is back to 0 on every copy");
        assertThat(store.describe().get("lost_counts")).isEqualTo(0L);
    }
}
