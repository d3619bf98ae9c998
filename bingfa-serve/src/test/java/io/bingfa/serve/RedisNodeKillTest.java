package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bingfa.shard.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        try (TestingServer zk = new TestingServer(true); RedisShards shards = new RedisShards(zk.getConnectString(), PATH)) {
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
}
