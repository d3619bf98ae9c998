package io.bingfa.serve;

import io.bingfa.shard.RedisAgent;
import io.bingfa.shard.RedisProcess;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * Three real redis-servers, each registered under {@code path} of ZooKeeper {@code zk} by a RedisAgent (its own
 * Curator client, short session); closed before ZooKeeper stops (no reconnect noise).
 */
final class RedisShards implements AutoCloseable {
    final List<RedisProcess> redis = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();

    RedisShards(final String zk, final String path) throws Exception {
        final List<RedisAgent> agents = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            final RedisProcess r = RedisProcess.startNew();
            redis.add(r);
            closing.add(0, r);
            final CuratorFramework c = CuratorFrameworkFactory.builder().connectString(zk)
                    .sessionTimeoutMs(4_000).connectionTimeoutMs(4_000).retryPolicy(new RetryOneTime(100)).build();
            c.start();
            closing.add(0, c);
            final RedisAgent a = RedisAgent.builder().redis(r.address()).curator(c).path(path)
                    .pingInterval(java.time.Duration.ofMillis(100)).pingTimeout(java.time.Duration.ofMillis(300))
                    .build().start();
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
