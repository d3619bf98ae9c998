package io.bingfa.cli.bench.shard;

import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Scale;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.shard.AckPolicy;
import io.bingfa.shard.HashRing;
import io.bingfa.shard.RedisProcess;
import io.bingfa.shard.ShardedRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bingfa bench shard}: ShardedRedis over 3 redis-servers beside one Redis through Lettuce and a Redis
 * Cluster (3 masters + 3 replicas, {@code redis-cli --cluster create}) through Lettuce's cluster client, all
 * started here on loopback from the same redis-server binary.
 *
 * <ol>
 *   <li>Throughput, ops/s, 50/50 and 90/10 reads/writes over 10,000 keys of 100 bytes: "no pipelining" is
 *       8 virtual threads each waiting for every reply; "pipelining" is 8 threads each keeping batches of 64
 *       commands in flight. ShardedRedis (replication factor 2: every write is two writes, sent by the
 *       client) runs twice on the same 3 nodes: ack ALL (the default: acknowledged when both copies are
 *       written) and ack PRIMARY_THEN_ASYNC (acknowledged by the primary, the copy not awaited: like
 *       Redis Cluster, whose master acknowledges and replicates asynchronously, so the like-for-like
 *       row). Both are anchored on Redis Cluster (goal: at least 0.9x). ShardedRedis coalesces the
 *       flushes of a burst into one socket write per node; Lettuce's cluster client does not by default,
 *       so extra rows anchor ShardedRedis on a cluster client given the same coalescing (no goal: they
 *       show how much of the ratio is the coalescing and how much the sharding).
 *   <li>Failover: a master killed with kill -9 under a 50/50 load from 8 threads; failed requests and the
 *       seconds from the kill until the last error, for Redis Cluster (cluster-node-timeout 15 s, the
 *       default, and 5 s) and ShardedRedis; for ShardedRedis the failed reads and how long the p99 of
 *       10 ms windows stays above 3x its p99 before the kill (goal: no failed read, under 50 ms).
 *   <li>Key spread: standard deviation of the keys per node, 1,000,000 keys over 3 nodes: HashRing's
 *       default against Redis Cluster's CRC16 slots split evenly over 3 masters.
 * </ol>
 * Everything shares this machine's cores: the servers, the client and (for the cluster) the replicas.
 */
public final class ShardSuite implements Suite {

    private static final int KEYS = 10_000;
    private static final int THREADS = 8;
    private static final int BATCH = 64;
    private static final String VALUE = "x".repeat(100);

    /** One system under test, seen as async get/set. */
    private interface Target extends AutoCloseable {
        CompletionStage<?> get(String key);

        CompletionStage<?> set(String key, String value);

        @Override
        void close();
    }

    @Override
    public String name() {
        return "shard";
    }

    @Override
    public String summary() {
        return "ShardedRedis vs one Redis vs Redis Cluster: throughput, failover, key spread";
    }

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final List<BenchRow> rows = new ArrayList<>();
        if (!RedisProcess.available()) {
            rows.add(BenchRow.missing("shard suite", "-", Better.HIGHER,
                    "redis-server is not installed (.ci/run installs it)"));
            return rows;
        }
        final Duration slice = switch (run.scale()) {
            case TINY -> Duration.ofMillis(300);
            case QUICK -> Duration.ofSeconds(1);
            case FULL -> Duration.ofSeconds(4);
        };
        try {
            throughput(run, slice, rows);
            failover(run, rows);
            spread(run, rows);
        } catch (final IOException e) {
            rows.add(BenchRow.missing("shard suite", "-", Better.HIGHER, "could not start redis-server: " + e.getMessage()));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rows;
    }

    // ---------------------------------------------------------------- throughput

    private void throughput(final SuiteRun run, final Duration slice, final List<BenchRow> rows)
            throws IOException, InterruptedException {
        final List<RedisProcess> servers = new ArrayList<>();
        try {
            final RedisProcess single = RedisProcess.startNew();
            servers.add(single);
            final List<RedisProcess> three = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                three.add(RedisProcess.startNew());
            }
            servers.addAll(three);
            final RedisCluster cluster = RedisCluster.start(run, 15_000);
            try (Target one = single(single); Target sharded = sharded(three, AckPolicy.ALL);
                    Target shardedAsync = sharded(three, AckPolicy.PRIMARY_THEN_ASYNC);
                    Target clustered = cluster.target(); Target coalesced = cluster.coalescedTarget()) {
                for (final int readPercent : new int[] {50, 90}) {
                    for (final boolean pipelined : new boolean[] {false, true}) {
                        final String what = readPercent + "/" + (100 - readPercent) + (pipelined ? ", pipelined" : ", no pipelining");
                        run.say("throughput " + what);
                        final double c = opsPerSecond(clustered, readPercent, pipelined, slice);
                        final double cc = opsPerSecond(coalesced, readPercent, pipelined, slice);
                        final double s = opsPerSecond(sharded, readPercent, pipelined, slice);
                        final double sa = opsPerSecond(shardedAsync, readPercent, pipelined, slice);
                        final double o = opsPerSecond(one, readPercent, pipelined, slice);
                        rows.add(BenchRow.of("one Redis (Lettuce), " + what, o, "ops/s", Better.HIGHER)
                                .withAnchor("Redis Cluster 3+3 (Lettuce cluster client)", c));
                        rows.add(BenchRow.of("ShardedRedis 3 nodes, rf 2, ack ALL, " + what, s, "ops/s", Better.HIGHER)
                                .withAnchor("Redis Cluster 3+3 (Lettuce cluster client)", c)
                                .withNote("goal: at least 0.9x Redis Cluster; every write is 2 writes, both awaited"));
                        rows.add(BenchRow.of("ShardedRedis 3 nodes, rf 2, ack PRIMARY_THEN_ASYNC, " + what, sa, "ops/s",
                                Better.HIGHER)
                                .withAnchor("Redis Cluster 3+3 (Lettuce cluster client)", c)
                                .withNote("goal: at least 0.9x Redis Cluster; like for like: primary acks, copy async"));
                        // the same flush coalescing ShardedRedis uses, given to the cluster client: what is
                        // left of the difference is the sharding itself (client-side copies, ring, fallbacks)
                        final String coalescedAnchor = "Redis Cluster 3+3, cluster client with coalesced flushes";
                        rows.add(BenchRow.of("ShardedRedis, ack ALL, " + what + ", vs coalesced cluster client", s,
                                "ops/s", Better.HIGHER).withAnchor(coalescedAnchor, cc));
                        rows.add(BenchRow.of("ShardedRedis, ack PRIMARY_THEN_ASYNC, " + what
                                + ", vs coalesced cluster client", sa, "ops/s", Better.HIGHER).withAnchor(coalescedAnchor, cc)
                                .withNote("no goal: shows what the coalescing alone is worth to each side"));
                    }
                }
            } finally {
                cluster.close();
            }
        } finally {
            servers.forEach(RedisProcess::close);
        }
    }

    private static double opsPerSecond(final Target t, final int readPercent, final boolean pipelined,
            final Duration slice) throws InterruptedException {
        for (int i = 0; i < KEYS; i += BATCH) { // every key exists before reads are measured
            final List<CompletableFuture<?>> fs = new ArrayList<>();
            for (int j = i; j < Math.min(KEYS, i + BATCH); j++) {
                fs.add(t.set("k:" + j, VALUE).toCompletableFuture());
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
        }
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong ops = new AtomicLong();
        final AtomicBoolean measuring = new AtomicBoolean();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int th = 0; th < THREADS; th++) {
                threads.execute(() -> {
                    final ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    final CompletableFuture<?>[] batch = new CompletableFuture<?>[pipelined ? BATCH : 1];
                    while (!stop.get()) {
                        for (int i = 0; i < batch.length; i++) {
                            final String key = "k:" + rnd.nextInt(KEYS);
                            batch[i] = (rnd.nextInt(100) < readPercent ? t.get(key) : t.set(key, VALUE))
                                    .toCompletableFuture();
                        }
                        try {
                            CompletableFuture.allOf(batch).join();
                        } catch (final RuntimeException e) {
                            continue; // not expected here; a failed batch is simply not counted
                        }
                        if (measuring.get()) {
                            ops.addAndGet(batch.length);
                        }
                    }
                });
            }
            Thread.sleep(slice.toMillis() / 3); // warm-up
            measuring.set(true);
            final long t0 = System.nanoTime();
            Thread.sleep(slice.toMillis());
            measuring.set(false);
            final double seconds = (System.nanoTime() - t0) / 1e9;
            stop.set(true);
            return ops.get() / seconds;
        }
    }

    // ---------------------------------------------------------------- failover

    private void failover(final SuiteRun run, final List<BenchRow> rows) throws IOException, InterruptedException {
        final int[] timeouts = run.scale() == Scale.FULL ? new int[] {15_000, 5_000} : new int[] {5_000};
        if (run.scale() != Scale.FULL) {
            rows.add(BenchRow.missing("Redis Cluster failover, cluster-node-timeout 15 s (default): seconds until errors stop",
                    "s", Better.LOWER, "full scale only (it takes 20-30 s); run without --quick"));
        }
        for (final int timeout : timeouts) {
            run.say("failover: Redis Cluster, cluster-node-timeout " + timeout + " ms");
            final RedisCluster cluster = RedisCluster.start(run, timeout);
            try (Target t = cluster.target()) {
                final FailoverResult r = failoverUnderLoad(t, cluster.masters.getFirst(), Duration.ofMillis(timeout + 30_000));
                final String name = "Redis Cluster failover, cluster-node-timeout " + timeout / 1000 + " s";
                rows.add(BenchRow.of(name + ": failed requests", r.failed(), "requests", Better.LOWER));
                final BenchRow secs = BenchRow.of(name + ": seconds until errors stop", r.errorSeconds(), "s", Better.LOWER);
                rows.add(r.settled() ? secs : secs.withNote("errors had NOT stopped when the run ended"));
            } finally {
                cluster.close();
            }
        }
        run.say("failover: ShardedRedis 3 nodes");
        final List<RedisProcess> three = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                three.add(RedisProcess.startNew());
            }
            try (Target t = sharded(three)) {
                final FailoverResult r = failoverUnderLoad(t, three.getFirst(), Duration.ofSeconds(5));
                rows.add(BenchRow.of("ShardedRedis failover: failed reads", r.failedReads(), "requests", Better.LOWER)
                        .withNote("goal: 0"));
                rows.add(BenchRow.of("ShardedRedis failover: failed writes", r.failed() - r.failedReads(), "requests",
                        Better.LOWER));
                rows.add(BenchRow.of("ShardedRedis failover: seconds until errors stop", r.errorSeconds(), "s",
                        Better.LOWER));
                rows.add(BenchRow.of("ShardedRedis failover: p99 before the kill", r.p99BeforeMs(), "ms", Better.LOWER));
                rows.add(BenchRow.of("ShardedRedis failover: worst 10 ms-window p99 after the kill", r.worstP99Ms(), "ms",
                        Better.LOWER));
                rows.add(BenchRow.of("ShardedRedis failover: p99 spike duration (10 ms windows above 3x the p99 before, "
                        + "in a row from the kill)", r.spikeMs(), "ms", Better.LOWER).withNote("goal: under 50 ms"));
                rows.add(BenchRow.of("ShardedRedis failover: share of 10 ms windows above 3x that p99, 5 s after the kill",
                        r.badAfterPercent(), "%", Better.LOWER)
                        .withAnchor("the same share in the second before the kill (noise)", r.badBeforePercent())
                        .withNote("after: includes the background migration restoring the second copies"));
                rows.add(BenchRow.of("ShardedRedis failover: slowest request after the kill", r.slowestMs(), "ms",
                        Better.LOWER));
            }
        } finally {
            three.forEach(RedisProcess::close);
        }
    }

    private record FailoverResult(double failed, double failedReads, double errorSeconds, double p99BeforeMs,
            double worstP99Ms, double spikeMs, boolean settled, double badAfterPercent, double badBeforePercent,
            double slowestMs) {
    }

    private static FailoverResult failoverUnderLoad(final Target t, final RedisProcess victim, final Duration maxWait)
            throws InterruptedException {
        for (int i = 0; i < KEYS; i++) {
            t.set("f:" + i, VALUE).toCompletableFuture().join();
        }
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong failedReads = new AtomicLong();
        final AtomicLong lastErrorNanos = new AtomicLong();
        final ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>(); // {start nanos, latency nanos}
        final long origin = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int th = 0; th < THREADS; th++) {
                threads.execute(() -> {
                    final ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        final String key = "f:" + rnd.nextInt(KEYS);
                        final boolean read = rnd.nextBoolean();
                        final long t0 = System.nanoTime();
                        try {
                            (read ? t.get(key) : t.set(key, VALUE)).toCompletableFuture().get(5, TimeUnit.SECONDS);
                        } catch (final Exception e) {
                            failed.incrementAndGet();
                            if (read) {
                                failedReads.incrementAndGet();
                            }
                            lastErrorNanos.set(System.nanoTime());
                        }
                        samples.add(new long[] {t0 - origin, System.nanoTime() - t0});
                    }
                });
            }
            Thread.sleep(1_000);
            final long killedAt = System.nanoTime();
            victim.kill();
            // run until 3 s pass without an error, or maxWait
            final long deadline = killedAt + maxWait.toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(100);
                final long last = lastErrorNanos.get();
                if (System.nanoTime() - Math.max(last, killedAt) > 3_000_000_000L && System.nanoTime() - killedAt > 3_000_000_000L) {
                    break;
                }
            }
            stop.set(true);
            final long last = lastErrorNanos.get();
            final boolean settled = System.nanoTime() - Math.max(last, killedAt) > 3_000_000_000L;
            final double errorSeconds = last < killedAt ? 0 : (last - killedAt) / 1e9;
            final long kill = killedAt - origin;
            final long[] before = samples.stream().filter(s -> s[0] < kill && s[0] > kill - 1_000_000_000L)
                    .mapToLong(s -> s[1]).sorted().toArray();
            final double p99Before = before.length == 0 ? 0 : before[(int) (before.length * 0.99)] / 1e6;
            final Map<Long, Double> after = windowP99(samples, kill, kill + 5_000_000_000L);
            final Map<Long, Double> beforeWindows = windowP99(samples, kill - 1_000_000_000L, kill);
            final double worst = after.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            long spike = 0; // the run of bad windows that starts at the kill
            while (after.containsKey(spike) && after.get(spike) > 3 * p99Before) {
                spike++;
            }
            final double badAfter = 100.0 * after.values().stream().filter(p -> p > 3 * p99Before).count()
                    / Math.max(1, after.size());
            final double badBefore = 100.0 * beforeWindows.values().stream().filter(p -> p > 3 * p99Before).count()
                    / Math.max(1, beforeWindows.size());
            return new FailoverResult(failed.get(), failedReads.get(), errorSeconds, p99Before, worst,
                    spike * 10.0, settled, badAfter, badBefore,
                    samples.stream().filter(x -> x[0] >= kill).mapToLong(x -> x[1]).max().orElse(0) / 1e6);
        }
    }

    /** p99 (ms) of the latencies of the requests started in each 10 ms window of [from, to), by window index. */
    private static Map<Long, Double> windowP99(final ConcurrentLinkedQueue<long[]> samples, final long from,
            final long to) {
        final Map<Long, List<Long>> windows = new HashMap<>();
        samples.stream().filter(s -> s[0] >= from && s[0] < to)
                .forEach(s -> windows.computeIfAbsent((s[0] - from) / 10_000_000L, w -> new ArrayList<>()).add(s[1]));
        final Map<Long, Double> p99 = new HashMap<>();
        windows.forEach((w, l) -> {
            final long[] sorted = l.stream().mapToLong(Long::longValue).sorted().toArray();
            p99.put(w, sorted[(int) (sorted.length * 0.99)] / 1e6);
        });
        return p99;
    }

    // ---------------------------------------------------------------- spread

    private void spread(final SuiteRun run, final List<BenchRow> rows) {
        run.say("key spread, 1,000,000 keys over 3 nodes");
        final Map<String, Integer> nodes = Map.of("127.0.0.1:7001", 1, "127.0.0.1:7002", 1, "127.0.0.1:7003", 1);
        final HashRing ring = HashRing.of(nodes);
        final long[] ringCounts = new long[3];
        final long[] slotCounts = new long[3];
        final List<String> names = ring.nodes();
        for (int i = 0; i < 1_000_000; i++) {
            final String key = "key:" + i;
            ringCounts[names.indexOf(ring.primary(key))]++;
            // redis-cli --cluster create splits 16384 slots into 0-5460, 5461-10922, 10923-16383
            final int slot = SlotHash.getSlot(key);
            slotCounts[slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2]++;
        }
        rows.add(BenchRow.of("key spread, HashRing (" + HashRing.DEFAULT_VIRTUAL_NODES + " points/node), std dev",
                stdDev(ringCounts), "keys", Better.LOWER)
                .withAnchor("Redis Cluster CRC16 slots over 3 masters", stdDev(slotCounts))
                .withNote("1,000,000 keys over 3 nodes, mean 333,333"));
    }

    private static double stdDev(final long[] counts) {
        final double mean = Arrays.stream(counts).average().orElse(0);
        return Math.sqrt(Arrays.stream(counts).mapToDouble(c -> (c - mean) * (c - mean)).sum() / counts.length);
    }

    // ---------------------------------------------------------------- targets

    private static Target single(final RedisProcess r) {
        final RedisClient client = RedisClient.create();
        client.setOptions(io.lettuce.core.ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2))).build());
        final StatefulRedisConnection<String, String> c = client.connect(RedisURI.create("redis://" + r.address()));
        return new Target() {
            @Override
            public CompletionStage<?> get(final String key) {
                return c.async().get(key);
            }

            @Override
            public CompletionStage<?> set(final String key, final String value) {
                return c.async().set(key, value);
            }

            @Override
            public void close() {
                c.close();
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        };
    }

    private static Target sharded(final List<RedisProcess> nodes) {
        return sharded(nodes, AckPolicy.ALL);
    }

    private static Target sharded(final List<RedisProcess> nodes, final AckPolicy ack) {
        final ShardedRedis s = ShardedRedis.builder().nodes(nodes.stream().map(RedisProcess::address).toList())
                .ack(ack).build();
        return new Target() {
            @Override
            public CompletionStage<?> get(final String key) {
                return s.getAsync(key);
            }

            @Override
            public CompletionStage<?> set(final String key, final String value) {
                return s.setAsync(key, value, null);
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }

    /** Six redis-servers in cluster mode, joined by redis-cli --cluster create with one replica per master. */
    private static final class RedisCluster implements AutoCloseable {
        final List<RedisProcess> nodes = new ArrayList<>();
        final List<RedisProcess> masters = new ArrayList<>();

        static RedisCluster start(final SuiteRun run, final int nodeTimeoutMs) throws IOException, InterruptedException {
            final RedisCluster c = new RedisCluster();
            try {
                for (int i = 0; i < 6; i++) {
                    c.nodes.add(RedisProcess.startNew("--cluster-enabled", "yes", "--cluster-config-file",
                            "nodes.conf", "--cluster-node-timeout", Integer.toString(nodeTimeoutMs),
                            // Redis 7 waits 5 s before a diskless full sync; a replica not yet synced can never fail over
                            "--repl-diskless-sync-delay", "0"));
                }
                final List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
                c.nodes.forEach(n -> cmd.add(n.address()));
                cmd.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
                final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                final String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("redis-cli --cluster create failed: " + out);
                }
                // wait until every node agrees the cluster is ok, then ask which nodes are masters
                final RedisClient probe = RedisClient.create();
                try {
                    for (final RedisProcess n : c.nodes) {
                        try (StatefulRedisConnection<String, String> conn = probe.connect(RedisURI.create("redis://" + n.address()))) {
                            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                            while (!conn.sync().clusterInfo().contains("cluster_state:ok") && System.nanoTime() < deadline) {
                                Thread.sleep(50);
                            }
                            // a replica must have synced once, or it refuses to fail over (replica-validity-factor)
                            while (conn.sync().info("replication").contains("role:slave")
                                    && !conn.sync().info("replication").contains("master_link_status:up")
                                    && System.nanoTime() < deadline) {
                                Thread.sleep(50);
                            }
                        }
                    }
                    try (StatefulRedisConnection<String, String> conn = probe.connect(
                            RedisURI.create("redis://" + c.nodes.getFirst().address()))) {
                        for (final String line : conn.sync().clusterNodes().split("\n")) {
                            final String[] f = line.split(" ");
                            if (f.length > 8 && f[2].contains("master")) { // a master that serves slots
                                final String address = f[1].substring(0, f[1].indexOf('@'));
                                c.nodes.stream().filter(n -> n.address().equals(address)).forEach(c.masters::add);
                            }
                        }
                    }
                } finally {
                    probe.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                }
                if (c.masters.size() != 3) {
                    throw new IOException("expected 3 masters in CLUSTER NODES, found " + c.masters.size());
                }
                run.say("Redis Cluster up: " + c.nodes.size() + " nodes, node timeout " + nodeTimeoutMs + " ms");
                return c;
            } catch (final IOException | InterruptedException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        Target target() {
            return target(null);
        }

        /**
         * A cluster client whose connections coalesce their flushes with the Netty handler ShardedRedis puts
         * in its own pipelines (io.bingfa.shard.LettuceResources): the same I/O for both sides.
         */
        Target coalescedTarget() {
            return target(DefaultClientResources.builder().nettyCustomizer(new NettyCustomizer() {
                @Override
                public void afterChannelInitialized(final Channel channel) {
                    channel.pipeline().addFirst(new FlushConsolidationHandler(256, true));
                }
            }).build());
        }

        private Target target(final ClientResources resources) {
            final RedisURI uri = RedisURI.create("redis://" + nodes.getFirst().address());
            final RedisClusterClient client = resources == null ? RedisClusterClient.create(uri)
                    : RedisClusterClient.create(resources, uri);
            client.setOptions(ClusterClientOptions.builder()
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(1))
                            .build())
                    .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                    .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1))).build());
            final StatefulRedisClusterConnection<String, String> c = client.connect();
            return new Target() {
                @Override
                public CompletionStage<?> get(final String key) {
                    return c.async().get(key);
                }

                @Override
                public CompletionStage<?> set(final String key, final String value) {
                    return c.async().set(key, value);
                }

                @Override
                public void close() {
                    c.close();
                    client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
                    if (resources != null) {
                        resources.shutdown(0, 1, TimeUnit.SECONDS);
                    }
                }
            };
        }

        @Override
        public void close() {
            nodes.forEach(RedisProcess::close);
        }
    }
}
