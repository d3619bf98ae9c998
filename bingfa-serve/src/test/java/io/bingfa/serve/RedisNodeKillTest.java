package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bingfa.shard.RedisAgent;
import io.bingfa.shard.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Challenges and counters in ShardedRedis (--zk): a real ZooKeeper (Curator's TestingServer), three real
 * redis-servers each registered by a RedisAgent, two worker JVMs. A Redis node is killed with kill -9 under
 * load; every challenge issued before the kill still verifies.
 */
class RedisNodeKillTest {

    static final String PATH = "/bingfa/shard";

    @TempDir
    Path data;

    @Test
    void killingARedisNodeLosesNoIssuedChallenge() throws Exception {
        Assumptions.assumeTrue(RedisProcess.available(), "redis-server is not installed");
        // ZooKeeper's admin server is written against Jetty 9; with the service's Jetty 12 on the class path it
        // would fail inside the in-process server
        System.setProperty("zookeeper.admin.enableServer", "false");
        try (TestingServer zk = new TestingServer(true); Shards shards = new Shards(zk.getConnectString())) {
            try (Supervisor serve = Supervisor.start(ServeOptions.defaults(data).withPort(0).withProcesses(2)
                    .withApps(1_000).withReloadEvery(Duration.ofMinutes(10))
                    .withZooKeeper(zk.getConnectString(), PATH));
                 ServeClient client = new ServeClient(serve.url())) {
                final List<String[]> issued = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    issued.add(client.challenge(SampleSettings.appId(i)));
                }
                final JsonNode store = client.get("/api/dashboard").json().get("store");
                assertThat(store.get("mode").asText()).isEqualTo("redis");
                assertThat(store.get("nodes")).hasSize(3);

                final Load load = new Load(serve.url(), 3, 1_000, true);
                try {
                    ServeClient.eventually(() -> load.ok.sum() > 100, "load is answered");
                    final RedisProcess victim = shards.redis.get(1);
                    victim.kill(); // SIGKILL, as kill -9
                    // verify every challenge issued before the kill, while the load goes on
                    int ok = 0;
                    final List<String> failed = new ArrayList<>();
                    for (final String[] c : issued) {
                        final ServeClient.Answer a = client.verify(c[0], c[1]);
                        if (a.status() == 200 && a.json().get("ok").asBoolean()) {
                            ok++;
                        } else {
                            failed.add(c[0] + " -> " + a);
                        }
                    }
                    assertThat(failed).as("verifies of challenges issued before the kill").isEmpty();
                    assertThat(ok).isEqualTo(issued.size());
                    ServeClient.eventually(() -> {
                        try {
                            return client.get("/api/dashboard").json().get("store").get("nodes").size() == 2;
                        } catch (Exception e) {
                            return false;
                        }
                    }, "the dead node left the ring");
                    final long okAfter = load.ok.sum();
                    ServeClient.eventually(() -> load.ok.sum() > okAfter + 200, "load answered after the kill");
                } finally {
                    load.close();
                }
                final long issuedDuringLoad = load.statuses.getOrDefault(201, new java.util.concurrent.atomic.LongAdder()).sum();
                assertThat(issuedDuringLoad).isPositive();
                assertThat(client.get("/metrics").body()).contains("bingfa_shard_node_up{node=");
                // a counter of an app whose challenges were all verified: issued == success (+ load's)
                final JsonNode stats = client.get("/v1/stats/app-000000").json();
                assertThat(stats.get("challenges").asLong()).isGreaterThanOrEqualTo(1);
                assertThat(stats.get("success").asLong()).isGreaterThanOrEqualTo(1);
            }
        }
    }

    /** Three redis-servers, each registered by a RedisAgent; closed before ZooKeeper stops (no reconnect noise). */
    private static final class Shards implements AutoCloseable {
        final List<RedisProcess> redis = new ArrayList<>();
        private final List<AutoCloseable> closing = new ArrayList<>();

        Shards(final String zk) throws Exception {
            final List<RedisAgent> agents = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                final RedisProcess r = RedisProcess.startNew();
                redis.add(r);
                closing.add(0, r);
                final CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk)
                        .sessionTimeoutMs(4_000).connectionTimeoutMs(4_000).retryPolicy(new RetryOneTime(100)).build();
                c.start();
                closing.add(0, c);
                final RedisAgent a = RedisAgent.builder().redis(r.address()).curator(c).path(PATH)
                        .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(300)).build().start();
                agents.add(a);
                closing.add(0, a);
            }
            ServeClient.eventually(() -> agents.stream().allMatch(RedisAgent::isRegistered), "agents registered");
        }

        @Override
        public void close() throws Exception {
            for (final AutoCloseable c : closing) {
                c.close();
            }
        }
    }
}
