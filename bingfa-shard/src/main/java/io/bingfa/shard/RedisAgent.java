package io.bingfa.shard;

import io.bingfa.internal.Durations;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * The registration half of the seeds' scheme, without patching Redis: an agent beside each Redis pings it
 * and holds an ephemeral znode PATH/HOST:PORT (data: NodeInfo text) while it answers.
 *
 * Loop (one scheduler thread, every pingInterval):
 *   healthy    = PING answered PONG within pingTimeout
 *   registered = the znode exists AND its ephemeralOwner is our current ZooKeeper session
 *   healthy && !registered  -> (flushOnJoin: FLUSHALL) then create the ephemeral znode   [JOIN]
 *   !healthy && registered  -> delete the znode                                           [LEAVE]
 *   znode owned by another (an expired session of ours, not yet reaped): delete it, then JOIN
 * A lost ZooKeeper session removes the znode by itself; once Curator has a new session, the next round
 * sees "not registered" and joins again. Polling the state instead of reacting to events keeps one
 * code path for first start, Redis death, Redis return, session expiry and ZooKeeper restarts.
 *
 * States (field state, written by the loop thread only; read by anyone):
 *   STOPPED -> STARTED (start) -> CLOSED (close). Registered-or-not is recomputed every round.
 *
 * Why wait rejoinDelay before joining again: clients learn that the znode vanished through a ZooKeeper
 * notification. Until then they still route to this node; had it been flushed at once, such a client
 * would read "missing" with no reason to look elsewhere. The agent waits rejoinDelay (default 2 s) after
 * it first saw itself unregistered (also at start, when an earlier agent's znode may just have vanished).
 *
 * Why FLUSHALL on join: a node that left the ring missed the writes made while it was out; the clients
 * wrote them to the next nodes. If it came back with its old data, a read would find a stale value on the
 * primary. Entering empty, it can only answer "missing", and clients then read the previous owner and
 * repair (see ShardedRedis). Turn it off (flushOnJoin(false)) only when every node starts at once with
 * data it must keep.
 */
/** Registers one Redis in ZooKeeper while it answers pings: the seeds' "Redis registers in ZooKeeper". */
public final class RedisAgent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisAgent.class);

    private static final int STOPPED = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final String redisAddress;
    private final String path;
    private final NodeInfo info;
    private final Duration pingInterval;
    private final boolean flushOnJoin;
    private final long rejoinDelayNanos;
    private long unregisteredSince = -1; // loop thread only: nanoTime when first seen unregistered, -1 if registered
    private final CuratorFramework zk;
    private final boolean ownsZk;
    private final RedisClient redisClient;
    private final ScheduledExecutorService loop;
    private final AtomicInteger state = new AtomicInteger(STOPPED);
    private volatile StatefulRedisConnection<String, String> redis;
    private volatile boolean registered;
    private volatile long joins;

    private RedisAgent(final Builder b) {
        this.redisAddress = b.redis;
        this.path = b.path;
        this.info = new NodeInfo(b.redis, b.weight, NodeInfo.HEALTH_OK);
        this.pingInterval = b.pingInterval;
        this.flushOnJoin = b.flushOnJoin;
        this.rejoinDelayNanos = b.rejoinDelay.toNanos();
        if (b.curator != null) {
            this.zk = b.curator;
            this.ownsZk = false;
        } else {
            this.zk = CuratorFrameworkFactory.builder().connectString(b.zkConnect)
                    .sessionTimeoutMs((int) b.sessionTimeout.toMillis()).connectionTimeoutMs(5_000)
                    .retryPolicy(new ExponentialBackoffRetry(100, 5, 2_000)).build();
            this.ownsZk = true;
        }
        this.redisClient = RedisClient.create();
        redisClient.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(b.pingTimeout)).build());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "bingfa-redis-agent-" + redisAddress);
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder; {@code redis}, and {@code zk} or {@code curator}, and {@code path} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the ping loop (and the ZooKeeper client if the agent made it). */
    public RedisAgent start() {
        if (!state.compareAndSet(STOPPED, STARTED)) {
            throw new IllegalStateException("agent for " + redisAddress + " was already started or closed");
        }
        if (ownsZk) {
            zk.start();
        }
        loop.scheduleWithFixedDelay(this::round, 0, pingInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** True while the agent's znode exists under its current session (as of its last round). */
    public boolean isRegistered() {
        return registered;
    }

    /** How many times the agent has (re)created its znode. */
    public long joins() {
        return joins;
    }

    /** The znode path, PATH/HOST:PORT. */
    public String znode() {
        return path + "/" + redisAddress;
    }

    /** Deletes the znode, stops the loop and closes the clients. */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (registered && zk.getZookeeperClient().isConnected()) {
                zk.delete().guaranteed().forPath(znode());
            }
        } catch (final Exception e) {
            LOG.debug("agent {}: delete on close failed: {}", redisAddress, e.toString());
        }
        registered = false;
        final StatefulRedisConnection<String, String> c = redis;
        if (c != null) {
            c.close();
        }
        redisClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        if (ownsZk) {
            zk.close();
        }
    }

    private void round() {
        try {
            final boolean healthy = ping();
            if (!zk.getZookeeperClient().isConnected()) {
                return; // nothing to do until Curator reconnects; the ephemeral znode lives or dies with the session
            }
            final long session = zk.getZookeeperClient().getZooKeeper().getSessionId();
            final Stat stat = zk.checkExists().forPath(znode());
            final boolean ours = stat != null && stat.getEphemeralOwner() == session;
            if (!ours && unregisteredSince < 0) {
                unregisteredSince = System.nanoTime();
            }
            if (healthy && !ours) {
                if (stat != null) {
                    deleteQuietly(); // left by an expired session of ours that ZooKeeper has not reaped yet
                    unregisteredSince = System.nanoTime();
                }
                if (System.nanoTime() - unregisteredSince < rejoinDelayNanos) {
                    return; // let every client notice the absence first (see the class notes)
                }
                if (flushOnJoin) {
                    redis.sync().flushall();
                }
                zk.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(znode(), info.encode());
                joins++;
                unregisteredSince = -1;
                LOG.info("agent {}: registered {}", redisAddress, znode());
                registered = true;
            } else if (!healthy && ours) {
                deleteQuietly();
                unregisteredSince = System.nanoTime();
                LOG.warn("agent {}: Redis stopped answering, removed {}", redisAddress, znode());
                registered = false;
            } else {
                registered = ours;
            }
        } catch (final Exception e) {
            LOG.debug("agent {}: round failed: {}", redisAddress, e.toString());
        }
    }

    private void deleteQuietly() {
        try {
            zk.delete().forPath(znode());
        } catch (final KeeperException.NoNodeException e) {
            // already gone
        } catch (final Exception e) {
            LOG.debug("agent {}: delete failed: {}", redisAddress, e.toString());
        }
    }

    private boolean ping() {
        try {
            StatefulRedisConnection<String, String> c = redis;
            if (c == null) {
                c = redisClient.connect(RedisURI.create("redis://" + redisAddress));
                redis = c;
            }
            return "PONG".equals(c.sync().ping());
        } catch (final RuntimeException e) {
            LOG.debug("agent {}: ping failed: {}", redisAddress, e.toString());
            return false;
        }
    }

    /** Configures a {@link RedisAgent}. */
    public static final class Builder {
        private String redis;
        private String zkConnect;
        private CuratorFramework curator;
        private String path;
        private int weight = 1;
        private Duration pingInterval = Duration.ofMillis(250);
        private Duration pingTimeout = Duration.ofMillis(500);
        private Duration sessionTimeout = Duration.ofSeconds(10);
        private boolean flushOnJoin = true;
        private Duration rejoinDelay = Duration.ofSeconds(2);

        private Builder() {
        }

        /** The Redis to ping, HOST:PORT. */
        public Builder redis(final String hostPort) {
            NodeInfo.parseAddress(hostPort, "redis");
            this.redis = hostPort;
            return this;
        }

        /** The ZooKeeper connection string (the agent makes and closes its own Curator client). */
        public Builder zk(final String connect) {
            Objects.requireNonNull(connect, "zk");
            if (connect.isBlank()) {
                throw new IllegalArgumentException("zk connection string is empty");
            }
            this.zkConnect = connect;
            return this;
        }

        /** A started Curator client to use instead (the agent does not close it). */
        public Builder curator(final CuratorFramework client) {
            this.curator = Objects.requireNonNull(client, "curator");
            return this;
        }

        /** The parent path of the membership znodes, e.g. /bingfa/redis. */
        public Builder path(final String parent) {
            this.path = ShardedRedis.checkPath(parent);
            return this;
        }

        /** The node's weight on the ring (default 1). */
        public Builder weight(final int w) {
            if (w < 1) {
                throw new IllegalArgumentException("weight must be at least 1, was " + w);
            }
            this.weight = w;
            return this;
        }

        /** How often to ping (default 250 ms). */
        public Builder pingInterval(final Duration d) {
            this.pingInterval = ShardedRedis.positive(d, "pingInterval");
            return this;
        }

        /** How long a ping may take before the Redis counts as not answering (default 500 ms). */
        public Builder pingTimeout(final Duration d) {
            this.pingTimeout = ShardedRedis.positive(d, "pingTimeout");
            return this;
        }

        /** The ZooKeeper session timeout of the agent's own client (default 10 s). */
        public Builder sessionTimeout(final Duration d) {
            this.sessionTimeout = ShardedRedis.positive(d, "sessionTimeout");
            return this;
        }

        /** How long to stay unregistered before (re)joining, so clients notice the absence (default 2 s). */
        public Builder rejoinDelay(final Duration d) {
            this.rejoinDelay = Durations.requireNonNegative(d, "rejoinDelay");
            return this;
        }

        /** Empty the Redis before (re)registering it (default true; see the class notes). */
        public Builder flushOnJoin(final boolean flush) {
            this.flushOnJoin = flush;
            return this;
        }

        /** Builds the agent (not started). */
        public RedisAgent build() {
            if (redis == null) {
                throw new IllegalStateException("redis (HOST:PORT) is required");
            }
            if (path == null) {
                throw new IllegalStateException("path is required");
            }
            if ((zkConnect == null) == (curator == null)) {
                throw new IllegalStateException("exactly one of zk(connect) and curator(client) is required");
            }
            return new RedisAgent(this);
        }
    }
}
