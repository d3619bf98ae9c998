package io.bingfa.cli.bench.serve;

import io.bingfa.shard.RedisAgent;
import io.bingfa.shard.RedisProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;

/*
 * What `bingfa serve --zk CONNECT` needs, on loopback: a ZooKeeper (Curator's TestingServer, in this JVM) and
 * `nodes` redis-servers, each registered under PATH by a RedisAgent (the code `bingfa shard agent` runs, here
 * in this JVM rather than one child JVM per node). start() returns once every agent's znode exists, so that a
 * service started next finds the whole ring. close() stops the agents, then the servers, then ZooKeeper.
 */
/** A ZooKeeper and Redis shards registered under the serve contract's membership path. */
final class ShardCluster implements AutoCloseable {

    /** `bingfa serve`'s default membership path. */
    static final String PATH = "/bingfa/shard";

    private final TestingServer zk;
    private final List<RedisProcess> servers = new ArrayList<>();
    private final List<RedisAgent> agents = new ArrayList<>();

    private ShardCluster(final TestingServer zk) {
        this.zk = zk;
    }

    /** Starts ZooKeeper and {@code nodes} registered redis-servers; IOException if they do not come up in 30 s. */
    static ShardCluster start(final int nodes) throws IOException, InterruptedException {
        if (nodes < 1) {
            throw new IllegalArgumentException("nodes must be at least 1, was " + nodes);
        }
        // ZooKeeper and Curator log every session at INFO; the bench's standard error is for its progress lines.
        // slf4j-simple reads these when it creates each logger, so they must be set before the first one.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.zookeeper", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.curator", "warn");
        final TestingServer server;
        try {
            server = new TestingServer(true);
        } catch (final Exception e) { // TestingServer declares Exception
            throw new IOException("cannot start a ZooKeeper test server: " + e.getMessage(), e);
        }
        final ShardCluster c = new ShardCluster(server);
        try {
            for (int i = 0; i < nodes; i++) {
                final RedisProcess r = RedisProcess.startNew();
                c.servers.add(r);
                c.agents.add(RedisAgent.builder().redis(r.address()).zk(c.zk.getConnectString()).path(PATH)
                        .pingInterval(Duration.ofMillis(250)).build().start());
            }
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!c.agents.stream().allMatch(RedisAgent::isRegistered)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the Redis agents did not register under " + PATH + " within 30 s");
                }
                Thread.sleep(50);
            }
            return c;
        } catch (final IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The ZooKeeper connect string, for {@code --zk}. */
    String connect() {
        return zk.getConnectString();
    }

    int nodes() {
        return servers.size();
    }

    @Override
    public void close() {
        agents.forEach(RedisAgent::close);
        servers.forEach(RedisProcess::close);
        try {
            zk.close();
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException("cannot stop the ZooKeeper test server", e);
        }
    }
}
