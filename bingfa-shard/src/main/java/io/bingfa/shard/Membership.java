package io.bingfa.shard;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * The live Redis nodes as ZooKeeper lists them: a CuratorCache on PATH; every child PATH/HOST:PORT is one
 * node (NodeInfo text). On every cache event the whole child set is re-read from the cache and handed to
 * the listener as address -> Member; the member's version is the znode's czxid, so a node that left and
 * registered again (its agent emptied it first) is told apart from one that never left.
 *
 * While ZooKeeper is unreachable the cache keeps its last contents and sends no events: clients keep
 * serving on their last membership. Who calls: ShardedRedis (listener on Curator's event thread).
 */
/** ZooKeeper membership through Curator's CuratorCache. */
final class Membership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    /** One registered node and the version (czxid) of its registration. */
    record Member(NodeInfo info, long version) {
    }

    private final CuratorFramework zk;
    private final boolean ownsZk;
    private final String path;
    private final CuratorCache cache;

    Membership(final String connect, final CuratorFramework client, final String path, final Duration sessionTimeout) {
        if (client != null) {
            this.zk = client;
            this.ownsZk = false;
        } else {
            this.zk = CuratorFrameworkFactory.builder().connectString(connect)
                    .sessionTimeoutMs((int) sessionTimeout.toMillis()).connectionTimeoutMs(5_000)
                    .retryPolicy(new ExponentialBackoffRetry(100, 5, 2_000)).build();
            this.ownsZk = true;
        }
        this.path = path;
        this.cache = CuratorCache.build(zk, path);
    }

    /** Starts the cache and waits until ZooKeeper answered and the first listing arrived. */
    void start(final Consumer<Map<String, Member>> listener, final Duration timeout, final String connectText) {
        if (ownsZk) {
            zk.start();
        }
        try {
            if (!zk.blockUntilConnected((int) timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new ShardException("no ZooKeeper server answered at '" + connectText + "' within "
                        + timeout.toMillis() + " ms");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new ShardException("interrupted while connecting to ZooKeeper at '" + connectText + "'", e);
        }
        final CountDownLatch initialized = new CountDownLatch(1);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> {
                    if (initialized.getCount() == 0) {
                        listener.accept(members());
                    }
                })
                .forInitialized(() -> {
                    initialized.countDown();
                    listener.accept(members());
                })
                .build());
        cache.start();
        try {
            if (!initialized.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new ShardException("ZooKeeper at '" + connectText + "' did not list " + path + " within "
                        + timeout.toMillis() + " ms");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new ShardException("interrupted while reading " + path + " from ZooKeeper", e);
        }
    }

    /** The current children of the path, as the cache holds them. */
    Map<String, Member> members() {
        final Map<String, Member> result = new TreeMap<>();
        final String prefix = path + "/";
        cache.stream().forEach(child -> addMember(result, prefix, child));
        return result;
    }

    private static void addMember(final Map<String, Member> result, final String prefix, final ChildData child) {
        final String p = child.getPath();
        if (!p.startsWith(prefix) || p.indexOf('/', prefix.length()) >= 0) {
            return; // the parent itself or a grandchild: not a node
        }
        final String name = p.substring(prefix.length());
        try {
            final NodeInfo info = NodeInfo.decode(name, child.getData());
            if (NodeInfo.HEALTH_OK.equals(info.health())) {
                result.put(info.address(), new Member(info, child.getStat() == null ? 0 : child.getStat().getCzxid()));
            }
        } catch (final IllegalArgumentException e) {
            LOG.warn("ignoring znode {}: {}", p, e.getMessage());
        }
    }

    @Override
    public void close() {
        cache.close();
        if (ownsZk) {
            zk.close();
        }
    }
}
