package io.bingfa.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShardedRedisCommandsTest {

    static ShardFixture fx;
    static ShardedRedis redis;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(RedisProcess.available(), "redis-server is not installed");
        fx = new ShardFixture(3);
        redis = fx.client();
    }

    @AfterAll
    static void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void setWritesThePrimaryAndTheNextDistinctNode() {
        for (int i = 0; i < 50; i++) {
            redis.set("copy:" + i, "v" + i);
            assertThat(fx.holders("copy:" + i)).containsExactlyInAnyOrderElementsOf(redis.ring().owners("copy:" + i, 2));
            assertThat(redis.get("copy:" + i)).isEqualTo("v" + i);
        }
        assertThat(redis.get("never-written")).isNull();
    }

    @Test
    void ttlExpireDelExists() throws Exception {
        redis.set("ttl", "x", Duration.ofMillis(200));
        ShardFixture.awaitTrue(() -> redis.get("ttl") == null, "the key expired");
        redis.set("e", "x");
        assertThat(redis.exists("e")).isTrue();
        assertThat(redis.expire("e", Duration.ofMillis(100))).isTrue();
        ShardFixture.awaitTrue(() -> !redis.exists("e"), "expired after EXPIRE");
        assertThat(redis.expire("e", Duration.ofSeconds(1))).isFalse();
        redis.set("d", "x");
        assertThat(redis.del("d")).isTrue();
        assertThat(redis.del("d")).isFalse();
        assertThat(fx.holders("d")).isEmpty();
    }

    @Test
    void incrAndDecrByCopyTheResultToTheReplica() {
        assertThat(redis.incr("counter")).isEqualTo(1);
        assertThat(redis.incrBy("counter", 10)).isEqualTo(11);
        assertThat(redis.decrBy("counter", 4)).isEqualTo(7);
        assertThat(fx.holders("counter")).hasSize(2);
        assertThatThrownBy(() -> {
            redis.set("text", "abc");
            redis.incr("text");
        }).isInstanceOf(ShardException.class).hasMessageContaining("text");
    }

    @Test
    void mgetAndMsetSplitPerNode() {
        final Map<String, String> values = new LinkedHashMap<>();
        final List<String> keys = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            values.put("m:" + i, "v" + i);
            keys.add("m:" + i);
        }
        redis.mset(values);
        keys.add("m:missing");
        final List<String> got = redis.mget(keys);
        assertThat(got).hasSize(201);
        for (int i = 0; i < 200; i++) {
            assertThat(got.get(i)).isEqualTo("v" + i);
        }
        assertThat(got.get(200)).isNull();
        assertThat(fx.holders("m:7")).hasSize(2);
    }

    @Test
    void primaryThenAsyncAcknowledgesWithThePrimaryAndTheCopyFollows() throws Exception {
        final ShardedRedis fast = fx.client(AckPolicy.PRIMARY_THEN_ASYNC);
        for (int i = 0; i < 50; i++) {
            final String key = "async:" + i;
            fast.set(key, "v");
            assertThat(fast.get(key)).isEqualTo("v");
            ShardFixture.awaitTrue(() -> fx.holders(key).size() == 2, "the copy of " + key + " arrived");
        }
    }

    @Test
    void hashTagsShareANode() {
        assertThat(redis.ring().owners("{u:1}.a", 2)).isEqualTo(redis.ring().owners("{u:1}.b", 2));
    }

    @Test
    void callIsTheEscapeHatch() {
        redis.call("list", "RPUSH", "list", "a", "b");
        assertThat(redis.call("list", "LRANGE", "list", "0", "-1")).containsExactly("a", "b");
        assertThat(redis.call("list", "llen", "list")).containsExactly(2L);
    }

    @Test
    void badInputIsNamed() {
        assertThatThrownBy(() -> redis.get(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> redis.get("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key must not be empty");
        assertThatThrownBy(() -> redis.set("k", null)).isInstanceOf(NullPointerException.class).hasMessage("value");
        assertThatThrownBy(() -> redis.set("big", "x".repeat((1 << 20) + 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value of key 'big' is 1048577 bytes, over the limit of 1048576 (maxValueBytes)");
        assertThatThrownBy(() -> redis.set("k", "v", Duration.ZERO)).hasMessage("ttl must be positive, was PT0S");
        assertThatThrownBy(() -> redis.call("k", " ")).hasMessage("command must not be empty");
        assertThatThrownBy(() -> ShardedRedis.builder().path("bingfa")).hasMessageContaining("absolute ZooKeeper path");
        assertThatThrownBy(() -> ShardedRedis.builder().replicationFactor(1).replicationFactor(2))
                .hasMessage("replicationFactor was already set");
        assertThatThrownBy(() -> RedisAgent.builder().redis("localhost")).hasMessage("redis must be HOST:PORT, was 'localhost'");
    }

    @Test
    void aConnectStringWithNoLiveNodeFailsClearly() throws Exception {
        final int dead = RedisProcess.freePort();
        assertThatThrownBy(() -> ShardedRedis.builder().nodes(List.of("127.0.0.1:" + dead)).build())
                .isInstanceOf(ShardException.class)
                .hasMessageContaining("no live Redis node at '127.0.0.1:" + dead + "'");
        assertThatThrownBy(() -> ShardedRedis.builder().zk(fx.zk.getConnectString()).path("/nobody/here").build())
                .isInstanceOf(ShardException.class)
                .hasMessageContaining("no Redis node is registered under '/nobody/here'");
        final int noZk = RedisProcess.freePort();
        assertThatThrownBy(() -> ShardedRedis.builder().zk("127.0.0.1:" + noZk).path("/x")
                .connectTimeout(Duration.ofMillis(500)).build())
                .isInstanceOf(ShardException.class)
                .hasMessageContaining("no ZooKeeper server answered at '127.0.0.1:" + noZk + "'");
        try (TestingServer other = new TestingServer(true)) {
            assertThat(other.getConnectString()).isNotEmpty();
        }
    }
}
