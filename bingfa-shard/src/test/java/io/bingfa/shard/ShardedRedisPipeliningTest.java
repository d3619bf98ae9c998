package io.bingfa.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipelined path: a burst of commands leaves in few socket writes (coalesced flushes), in order, and
 * the Lettuce threads a ShardedRedis owns end with it. Three real redis-servers, fixed membership.
 */
class ShardedRedisPipeliningTest {

    private static final int BURST = 2_000;

    private static final List<RedisProcess> REDIS = new ArrayList<>();
    private static RedisClient direct;

    @BeforeAll
    static void start() throws Exception {
        for (int i = 0; i < 3; i++) {
            REDIS.add(RedisProcess.startNew());
        }
        direct = RedisClient.create();
    }

    @AfterAll
    static void stop() {
        if (direct != null) {
            direct.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
        REDIS.forEach(RedisProcess::close);
    }

    private static List<String> addresses() {
        return REDIS.stream().map(RedisProcess::address).toList();
    }

    /** Redis's own count of read events it processed (INFO stats total_reads_processed). */
    private static long readsProcessed(final String address) {
        try (StatefulRedisConnection<String, String> c = direct.connect(RedisURI.create("redis://" + address))) {
            for (final String line : c.sync().info("stats").split("\r?\n")) {
                if (line.startsWith("total_reads_processed:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        }
        throw new AssertionError("INFO stats of " + address + " has no total_reads_processed");
    }

    @Test
    void aBurstOfCommandsReachesRedisInFewReadsAndInOrder() {
        try (ShardedRedis s = ShardedRedis.builder().nodes(addresses()).replicationFactor(1).build()) {
            final String node = s.ring().primary("{burst}"); // every key below shares this tag, so this node
            s.set("{burst}:trigger", "go");
            final long before = readsProcessed(node);
            // issued from the reply's completion, i.e. on the connection's event loop while it reads: the
            // flushes of the whole burst are held back and leave together
            final List<CompletableFuture<Void>> sent = s.getAsync("{burst}:trigger").thenApply(go -> {
                final List<CompletableFuture<Void>> fs = new ArrayList<>();
                for (int i = 0; i < BURST; i++) {
                    fs.add(s.setAsync("{burst}:" + (i % 100), "v" + i, null));
                }
                return fs;
            }).join();
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
            final long reads = readsProcessed(node) - before;
            // one read per command (plus the GET and this INFO) without coalescing; a few dozen with it
            assertThat(reads).as("reads Redis processed for %d commands", BURST).isLessThan(BURST / 10);
            for (int k = 0; k < 100; k++) {
                assertThat(s.get("{burst}:" + k)).as("last write of key %d wins", k).isEqualTo("v" + (BURST - 100 + k));
            }
        }
    }

    @Test
    void pipelinedWritesUnderAckAllAreOnBothNodesWhenAcknowledged() {
        try (ShardedRedis s = ShardedRedis.builder().nodes(addresses()).ack(AckPolicy.ALL).build()) {
            final List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                fs.add(s.setAsync("pipelined:" + i, "v" + i, null));
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).join();
            for (int i = 0; i < BURST; i += 97) {
                final String key = "pipelined:" + i;
                for (final String owner : s.ring().owners(key, 2)) {
                    try (StatefulRedisConnection<String, String> c = direct.connect(RedisURI.create("redis://" + owner))) {
                        assertThat(c.sync().get(key)).as("%s on %s", key, owner).isEqualTo("v" + i);
                    }
                }
            }
        }
    }

    @Test
    void closeEndsTheLettuceThreadsItStarted() throws Exception {
        final Set<Thread> before = lettuceThreads();
        final Set<Thread> started;
        try (ShardedRedis s = ShardedRedis.builder().nodes(addresses()).build()) {
            s.set("threads", "1");
            started = lettuceThreads();
            started.removeAll(before);
            assertThat(started).as("event loops of this client").isNotEmpty();
        }
        ShardFixture.awaitTrue(() -> started.stream().noneMatch(Thread::isAlive), "its Lettuce threads ended");
    }

    private static Set<Thread> lettuceThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(LettuceResources.THREAD_PREFIX)).collect(Collectors.toSet());
    }
}
