package io.bingfa.shard;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.resource.ClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * The client half of the seeds' scheme: Redis nodes listed in ZooKeeper (Membership, a CuratorCache), keys
 * placed on a ketama ring (HashRing), each value written to its node and to the next distinct node(s), and
 * a failed read answered at once by the copy.
 *
 * Connections. One Lettuce connection per node, asynchronous: every command is handed to the socket as
 * soon as it is issued, so concurrent callers are pipelined per node for free; mget/mset send one
 * MGET/MSET per node. The flushes of one burst are coalesced into one socket write per node (Netty's
 * FlushConsolidationHandler; see LettuceResources: without it every command, and every replica copy, was
 * a system call on both ends, the pipelined gap to Redis Cluster). Disconnected connections reject
 * commands at once (REJECT_COMMANDS) instead of buffering them, so a dead node costs an error, not a
 * timeout.
 *
 * View = (current ring, previous rings). The current ring holds the ZooKeeper members minus the nodes this
 * client marked down. Any change of that set makes a new ring; the old one goes to the front of
 * `previous` and a background migration starts.
 *
 * Node states, per client (map `down`, address -> registration version when marked):
 *   UP   -> DOWN  on a connection error or timeout of any command (before ZooKeeper notices, which can
 *                 take the agent's ping interval, or a session timeout if the agent's host died)
 *   DOWN -> UP    when ZooKeeper shows a new registration of it (its agent emptied it first: consistent), or
 *                 when its registration never changed and it answered `readmitAfterPings` probes in a row
 *   a node absent from ZooKeeper is simply not in the ring.
 *
 * Reads (get, exists, mget, call): the current owners in order; an error or timeout moves to the next
 * owner at once. If the first answering owner says "missing" while previous rings exist, the key's
 * previous owners are asked too; a value found there is returned and copied to the current owners (read
 * repair: DUMP + PTTL, RESTORE without REPLACE, so a newer write is never overwritten).
 *
 * Writes (set, del, expire, mset): to every current owner at once. AckPolicy.ALL completes when all have
 * answered; an owner that fails is marked down and the write is sent to the ring's next owner instead
 * (up to three rounds), so an acknowledged write has min(replicationFactor, live nodes) copies.
 * PRIMARY_THEN_ASYNC completes with the primary (or the owner that replaced it). del also deletes the key
 * on its previous owners, or a fallback read would bring it back.
 *
 * incr/decrBy: INCRBY on the primary only, then the resulting value is copied to the replicas with
 * SET key value KEEPTTL (awaited under ALL). If the primary fails during INCRBY the call fails with a
 * ShardException and is NOT retried on the replica: INCRBY may have been applied (at most once).
 * expire and incr first pull the key from a previous owner if it has not been migrated yet.
 *
 * Migration (one background thread): for every live node of the previous rings, SCAN its keys; a key
 * whose current owners include nodes that were not its owners in any previous ring is copied to them
 * (DUMP/PTTL -> RESTORE without REPLACE); a node that is no longer an owner then loses its copy (so that a
 * later ring change cannot make a stale copy primary). When every node was scanned without error, the
 * previous rings are dropped and reads stop falling back.
 *
 * Consistency given (also docs/design-shard.md):
 *  - Under ALL, an acknowledged write is on min(replicationFactor, live nodes) nodes; with the default
 *    factor 2 it survives any single node's death, and a read after the write's acknowledgement returns
 *    it (read-your-writes, monotonic per key from one client) as long as at most one owner is lost.
 *  - Between clients: each applies writes on the primary first in its own order; two clients writing one
 *    key at once may leave the primary and the replica with different last values until the next write
 *    (no consensus; last writer per node wins). This is the seeds' scheme, not linearizable.
 *  - Membership changes: reads of moved keys fall back to previous owners until migrated; a DEL racing
 *    a migration copy can be undone by that copy (window: one key's DUMP/RESTORE).
 *  - A node that left and comes back is emptied by its agent first; a node that only this client marked
 *    down and that answers again is readmitted as it is (see RedisAgent for why that is the rare case).
 *  - Clients see membership changes within ZooKeeper's notification delay of each other; in that window
 *    two clients may place a key differently (reads still fall back; a write may land on the old owner
 *    only and be found there by the fallback).
 */
/** Redis sharded on the client: ZooKeeper membership, ketama ring, a copy on the ring's next node(s). */
public final class ShardedRedis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedRedis.class);
    private static final int MAX_PREVIOUS_RINGS = 8;
    private static final int WRITE_ROUNDS = 3;
    private static final int MIGRATION_PAGE = 100;
    private static final long MIGRATION_PAUSE_MS = 5;

    /** How many times a miss is re-read because the ring changed under it. */
    private static final int MAX_VIEW_RETRIES = 3;

    /** The placement that requests use: the current ring and the rings still being migrated away from. */
    private record View(HashRing current, List<HashRing> previous, Set<String> fresh, long generation) {
    }

    private final int replicationFactor;
    private final AckPolicy ack;
    private final int virtualNodes;
    private final int maxValueBytes;
    private final int readmitAfterPings;
    private final ClientResources resources;
    private final RedisClient client;
    private final Membership membership;
    private final ScheduledExecutorService background;
    private final Map<String, CompletableFuture<StatefulRedisConnection<String, String>>> connections =
            new ConcurrentHashMap<>();
    private final Map<String, Long> down = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> goodProbes = new ConcurrentHashMap<>();
    private final AtomicLong nodeDownEvents = new AtomicLong();
    private final AtomicLong fallbackReads = new AtomicLong();
    private final AtomicLong repairs = new AtomicLong();
    private final Object viewLock = new Object();
    private volatile Map<String, Membership.Member> members = Map.of();
    private volatile View view = new View(HashRing.of(Map.of(), 1), List.of(), Set.of(), 0);
    private volatile boolean closed;
    private boolean migrationScheduled; // guarded by viewLock

    private ShardedRedis(final Builder b) {
        this.replicationFactor = b.replicationFactor;
        this.ack = b.ack;
        this.virtualNodes = b.virtualNodes;
        this.maxValueBytes = b.maxValueBytes;
        this.readmitAfterPings = b.readmitAfterPings;
        this.resources = LettuceResources.create();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(b.commandTimeout).build())
                .timeoutOptions(TimeoutOptions.enabled(b.commandTimeout)).build());
        this.background = Executors.newScheduledThreadPool(1, r -> {
            final Thread t = new Thread(r, "bingfa-sharded-redis");
            t.setDaemon(true);
            return t;
        });
        if (b.staticNodes != null) {
            this.membership = null;
            final Map<String, Membership.Member> m = new LinkedHashMap<>();
            b.staticNodes.forEach((address, weight) -> m.put(address, new Membership.Member(
                    new NodeInfo(address, weight, NodeInfo.HEALTH_OK), 0)));
            onMembership(m);
            requireOneLiveNode(String.join(",", b.staticNodes.keySet()));
        } else {
            this.membership = new Membership(b.zkConnect, b.curator, b.path, b.sessionTimeout);
            final String where = b.zkConnect != null ? b.zkConnect : "the given Curator client";
            try {
                membership.start(this::onMembership, b.connectTimeout, where);
            } catch (final RuntimeException e) {
                shutdownClients();
                throw e;
            }
            // agents may be registering while this client starts: give them a moment
            final long deadline = System.nanoTime() + Math.min(b.connectTimeout.toNanos(), 2_000_000_000L);
            while (members.isEmpty() && System.nanoTime() < deadline) {
                onMembership(membership.members());
                try {
                    Thread.sleep(50);
                } catch (final InterruptedException e) {
                    close();
                    throw new io.bingfa.future.WaitInterruptedException(e);
                }
            }
            if (members.isEmpty()) {
                close();
                throw new ShardException("no Redis node is registered under '" + b.path + "' on ZooKeeper '" + where
                        + "' (is a `bingfa shard agent` running for each Redis?)");
            }
            requireOneLiveNode(where + b.path);
        }
        background.scheduleWithFixedDelay(this::probeDownNodes, b.probeInterval.toMillis(), b.probeInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Connects with the defaults: membership from ZooKeeper {@code zkConnect} under {@code path}. */
    public static ShardedRedis connect(final String zkConnect, final String path) {
        return builder().zk(zkConnect).path(path).build();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- commands

    /** GET: the value, or null if the key is missing. */
    public String get(final String key) {
        return await(getAsync(key), "GET", key);
    }

    /** GET, asynchronously. */
    public CompletableFuture<String> getAsync(final String key) {
        checkKey(key);
        return read(key, c -> c.get(key), v -> v != null);
    }

    /** SET with no expiry. */
    public void set(final String key, final String value) {
        await(setAsync(key, value, null), "SET", key);
    }

    /** SET with an expiry ({@code ttl} positive, millisecond precision). */
    public void set(final String key, final String value, final Duration ttl) {
        await(setAsync(key, value, positive(ttl, "ttl")), "SET", key);
    }

    /** SET, asynchronously; {@code ttl} may be null (no expiry). */
    public CompletableFuture<Void> setAsync(final String key, final String value, final Duration ttl) {
        checkKey(key);
        checkValue(key, value);
        final SetArgs args = ttl == null ? null : SetArgs.Builder.px(positive(ttl, "ttl").toMillis());
        return write(key, c -> args == null ? c.set(key, value) : c.set(key, value, args), false)
                .thenApply(r -> null);
    }

    /** DEL: true if the key existed (on its primary). */
    public boolean del(final String key) {
        return await(delAsync(key), "DEL", key);
    }

    /** DEL, asynchronously. */
    public CompletableFuture<Boolean> delAsync(final String key) {
        checkKey(key);
        return write(key, c -> c.del(key), true).thenApply(n -> n != null && n > 0);
    }

    /** EXISTS: true if the key exists. */
    public boolean exists(final String key) {
        checkKey(key);
        return await(read(key, c -> c.exists(key), n -> n != null && n > 0), "EXISTS", key) > 0;
    }

    /** EXPIRE (millisecond precision): true if the key existed. */
    public boolean expire(final String key, final Duration ttl) {
        checkKey(key);
        final long ms = positive(ttl, "ttl").toMillis();
        return await(pullIfMoved(key).thenCompose(x -> write(key, c -> c.pexpire(key, ms), false)), "PEXPIRE", key)
                == Boolean.TRUE;
    }

    /** INCR. */
    public long incr(final String key) {
        return incrBy(key, 1);
    }

    /** DECRBY. */
    public long decrBy(final String key, final long amount) {
        return incrBy(key, -amount);
    }

    /** INCRBY on the primary; the result is copied to the replicas with SET KEEPTTL (see class notes). */
    public long incrBy(final String key, final long amount) {
        return await(incrByAsync(key, amount), "INCRBY", key);
    }

    /** INCRBY, asynchronously. */
    public CompletableFuture<Long> incrByAsync(final String key, final long amount) {
        checkKey(key);
        return pullIfMoved(key).thenCompose(x -> {
            final List<String> owners = ownersOrFail(view.current, key, "INCRBY");
            final String primary = owners.getFirst();
            return onNode(primary, c -> c.incrby(key, amount)).thenCompose(value -> {
                final List<CompletableFuture<?>> copies = new ArrayList<>();
                for (final String replica : owners.subList(1, owners.size())) {
                    copies.add(onNode(replica, c -> c.set(key, Long.toString(value), SetArgs.Builder.keepttl())));
                }
                final CompletableFuture<Void> all = CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new));
                if (ack == AckPolicy.PRIMARY_THEN_ASYNC) {
                    return CompletableFuture.completedFuture(value);
                }
                // a failed copy marked its node down; the migration gives the key its second copy again
                return all.handle((v, e) -> value);
            });
        });
    }

    /** MGET: values in the order of the keys (null for missing); one MGET per node, then per-key fallback. */
    public List<String> mget(final List<String> keys) {
        Objects.requireNonNull(keys, "keys");
        keys.forEach(ShardedRedis::checkKey);
        final View v = view;
        final Map<String, List<Integer>> byNode = new LinkedHashMap<>();
        // the per-key fallback re-reads misses when the view changed meanwhile (see read())
        for (int i = 0; i < keys.size(); i++) {
            final List<String> owners = ownersOrFail(v.current, keys.get(i), "MGET");
            byNode.computeIfAbsent(owners.getFirst(), n -> new ArrayList<>()).add(i);
        }
        final String[] result = new String[keys.size()];
        final Map<String, CompletableFuture<List<KeyValue<String, String>>>> replies = new LinkedHashMap<>();
        byNode.forEach((node, idx) -> {
            final String[] ks = idx.stream().map(keys::get).toArray(String[]::new);
            replies.put(node, onNode(node, c -> c.mget(ks)));
        });
        final List<CompletableFuture<String>> fallbacks = new ArrayList<>();
        final List<Integer> fallbackIdx = new ArrayList<>();
        byNode.forEach((node, idx) -> {
            List<KeyValue<String, String>> kv = null;
            try {
                kv = replies.get(node).get();
            } catch (final ExecutionException e) {
                LOG.debug("MGET on {} failed: {}", node, e.getCause().toString());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new io.bingfa.future.WaitInterruptedException(e);
            }
            for (int j = 0; j < idx.size(); j++) {
                final String value = kv == null ? null : kv.get(j).getValueOrElse(null);
                if (value != null) {
                    result[idx.get(j)] = value;
                } else if (kv == null || !v.previous.isEmpty() || view.generation != v.generation) {
                    fallbackIdx.add(idx.get(j));
                    fallbacks.add(getAsync(keys.get(idx.get(j))));
                }
            }
        });
        for (int j = 0; j < fallbacks.size(); j++) {
            result[fallbackIdx.get(j)] = await(fallbacks.get(j), "MGET", keys.get(fallbackIdx.get(j)));
        }
        return java.util.Arrays.asList(result);
    }

    /** MSET: one MSET per owner node (each key goes to all its owners); a failed node's keys are re-sent singly. */
    public void mset(final Map<String, String> values) {
        Objects.requireNonNull(values, "values");
        values.forEach((k, val) -> {
            checkKey(k);
            checkValue(k, val);
        });
        final View v = view;
        final Map<String, Map<String, String>> byNode = new LinkedHashMap<>();
        values.forEach((k, val) -> {
            final List<String> owners = ownersOrFail(v.current, k, "MSET");
            for (final String owner : owners) {
                byNode.computeIfAbsent(owner, n -> new LinkedHashMap<>()).put(k, val);
            }
        });
        final Map<String, CompletableFuture<String>> replies = new LinkedHashMap<>();
        byNode.forEach((node, kv) -> replies.put(node, onNode(node, c -> c.mset(kv))));
        final List<CompletableFuture<Void>> retries = new ArrayList<>();
        final Set<String> retried = new LinkedHashSet<>();
        replies.forEach((node, f) -> {
            try {
                f.get();
            } catch (final ExecutionException e) {
                for (final Map.Entry<String, String> kv : byNode.get(node).entrySet()) {
                    if (retried.add(kv.getKey())) {
                        retries.add(setAsync(kv.getKey(), kv.getValue(), null));
                    }
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new io.bingfa.future.WaitInterruptedException(e);
            }
        });
        for (final CompletableFuture<Void> r : retries) {
            await(r, "MSET", "(" + retried.size() + " keys re-sent singly)");
        }
    }

    /**
     * The escape hatch: any command on the key's primary (falling over to the next owner on a node error),
     * NOT replicated. The reply as a list (one element for a single reply). Example:
     * {@code call("q", "LPUSH", "q", "job")}.
     */
    public List<Object> call(final String key, final String command, final String... args) {
        checkKey(key);
        Objects.requireNonNull(command, "command");
        if (command.isBlank()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        final ProtocolKeyword type = protocolKeyword(command);
        final CommandArgs<String, String> cargs = new CommandArgs<>(StringCodec.UTF8);
        for (final String a : args) {
            cargs.add(Objects.requireNonNull(a, "args"));
        }
        return await(read(key, c -> c.dispatch(type, new NestedMultiOutput<>(StringCodec.UTF8), cargs), r -> true),
                command, key);
    }

    // ---------------------------------------------------------------- introspection

    /** The current ring (live members minus nodes this client marked down). */
    public HashRing ring() {
        return view.current;
    }

    /** How many rings are still being migrated away from (0 when placement is settled). */
    public int pendingMigrations() {
        return view.previous.size();
    }

    /** The nodes this client currently treats as down. */
    public Set<String> downNodes() {
        return Set.copyOf(down.keySet());
    }

    /** Counters: nodes marked down, reads answered by a previous owner, keys copied by read repair or migration. */
    public Map<String, Long> stats() {
        return Map.of("nodeDownEvents", nodeDownEvents.get(), "fallbackReads", fallbackReads.get(),
                "repairs", repairs.get());
    }

    /** Closes the connections and the ZooKeeper client. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        background.shutdownNow();
        if (membership != null) {
            membership.close();
        }
        shutdownClients();
    }

    // ---------------------------------------------------------------- reads and writes

    private <T> CompletableFuture<T> read(final String key,
            final Function<RedisAsyncCommands<String, String>, CompletionStage<T>> cmd,
            final java.util.function.Predicate<T> found) {
        return read(key, cmd, found, 0);
    }

    /*
     * A miss read under a view that has since been replaced is asked again under the new one. The race it
     * closes: a read sent to a key's old owner under the old ring, answered after the migration (which only
     * starts once the new view is published) copied the key away and deleted the old copy. The miss then
     * happens-after the new view's publication, so the re-read sees it and asks the new owners. The same
     * holds within one view while a migration runs: the new owner was asked before the copy arrived, the
     * old owner after the copy's DEL; the copy was complete before that DEL, so one more round finds it.
     */
    private <T> CompletableFuture<T> read(final String key,
            final Function<RedisAsyncCommands<String, String>, CompletionStage<T>> cmd,
            final java.util.function.Predicate<T> found, final int attempt) {
        final View v = view;
        final List<String> owners = ownersOrFail(v.current, key, "read");
        final CompletableFuture<T> result = new CompletableFuture<>();
        readFrom(key, owners, 0, cmd, found, v, result, null);
        return result.thenCompose(value -> !found.test(value) && attempt < MAX_VIEW_RETRIES
                && (view.generation != v.generation || !v.previous.isEmpty())
                ? read(key, cmd, found, attempt + 1)
                : CompletableFuture.completedFuture(value));
    }

    private <T> void readFrom(final String key, final List<String> nodes, final int i,
            final Function<RedisAsyncCommands<String, String>, CompletionStage<T>> cmd,
            final java.util.function.Predicate<T> found, final View v, final CompletableFuture<T> result,
            final Throwable lastError) {
        if (i >= nodes.size()) {
            result.completeExceptionally(new ShardException("no owner of key '" + key + "' answered; tried " + nodes,
                    lastError));
            return;
        }
        final String node = nodes.get(i);
        onNode(node, cmd).whenComplete((value, error) -> {
            if (error != null) {
                if (isNodeError(error)) {
                    readFrom(key, nodes, i + 1, cmd, found, v, result, error); // the copy, at once
                } else {
                    result.completeExceptionally(unwrap(error));
                }
            } else if (found.test(value) || v.previous.isEmpty()) {
                result.complete(value);
            } else {
                readPrevious(key, new LinkedHashSet<>(nodes.subList(0, i + 1)), v, cmd, found, value, result);
            }
        });
    }

    /** The key is missing on its current owner and a ring change is pending: ask the previous owners. */
    private <T> void readPrevious(final String key, final Set<String> asked, final View v,
            final Function<RedisAsyncCommands<String, String>, CompletionStage<T>> cmd,
            final java.util.function.Predicate<T> found, final T missing, final CompletableFuture<T> result) {
        final List<String> candidates = new ArrayList<>();
        // the current replicas first: the primary may be a node that (re)joined empty
        for (final String n : v.current.owners(key, replicationFactor, down::containsKey)) {
            if (!asked.contains(n)) {
                candidates.add(n);
            }
        }
        for (final HashRing ring : v.previous) {
            for (final String n : ring.owners(key, replicationFactor, down::containsKey)) {
                if (!asked.contains(n) && !candidates.contains(n) && members.containsKey(n)) {
                    candidates.add(n);
                }
            }
        }
        tryPrevious(key, candidates, 0, cmd, found, missing, v, result);
    }

    private <T> void tryPrevious(final String key, final List<String> candidates, final int i,
            final Function<RedisAsyncCommands<String, String>, CompletionStage<T>> cmd,
            final java.util.function.Predicate<T> found, final T missing, final View v,
            final CompletableFuture<T> result) {
        if (i >= candidates.size()) {
            result.complete(missing);
            return;
        }
        final String node = candidates.get(i);
        onNode(node, cmd).whenComplete((value, error) -> {
            if (error == null && found.test(value)) {
                fallbackReads.incrementAndGet();
                result.complete(value);
                copyKey(node, key, v.current.owners(key, replicationFactor, down::containsKey));
            } else {
                tryPrevious(key, candidates, i + 1, cmd, found, missing, v, result);
            }
        });
    }

    /** Before a read-modify command: if placement is changing, copy the key from a previous owner first. */
    private CompletableFuture<Void> pullIfMoved(final String key) {
        final View v = view;
        if (v.previous.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return read(key, c -> c.exists(key), n -> n != null && n > 0).handle((n, e) -> null);
    }

    /**
     * Sends a write to every current owner; under ALL waits for all, re-sending to replacement owners when
     * one fails. Completes with the primary's (or first replacement's) reply.
     */
    private <T> CompletableFuture<T> write(final String key,
            final Function<RedisAsyncCommands<String, String>, CompletionStage<T>> cmd, final boolean alsoPrevious) {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final View v = view;
        final Set<String> done = ConcurrentHashMap.newKeySet();
        writeRound(key, cmd, 1, done, result, null);
        if (alsoPrevious) {
            for (final HashRing ring : v.previous) {
                for (final String n : ring.owners(key, replicationFactor, down::containsKey)) {
                    if (members.containsKey(n) && !v.current.owners(key, replicationFactor).contains(n)) {
                        onNode(n, cmd);
                    }
                }
            }
        }
        return result;
    }

    private <T> void writeRound(final String key, final Function<RedisAsyncCommands<String, String>, CompletionStage<T>> cmd,
            final int round, final Set<String> done, final CompletableFuture<T> result, final T firstReply) {
        final List<String> owners = view.current.owners(key, replicationFactor, down::containsKey);
        if (owners.isEmpty()) {
            result.completeExceptionally(new ShardException("no live Redis node for key '" + key + "'"));
            return;
        }
        final List<String> todo = owners.stream().filter(n -> !done.contains(n)).toList();
        if (todo.isEmpty()) {
            result.complete(firstReply);
            return;
        }
        final List<CompletableFuture<T>> sent = new ArrayList<>();
        for (final String n : todo) {
            sent.add(onNode(n, cmd).thenApply(r -> {
                done.add(n);
                return r;
            }));
        }
        final CompletableFuture<T> primaryOrFirst = sent.getFirst();
        if (ack == AckPolicy.PRIMARY_THEN_ASYNC) {
            primaryOrFirst.whenComplete((r, e) -> {
                if (e == null) {
                    result.complete(firstReply != null ? firstReply : r);
                } else if (isNodeError(e) && round < WRITE_ROUNDS) {
                    writeRound(key, cmd, round + 1, done, result, firstReply);
                } else {
                    result.completeExceptionally(writeFailure(key, todo, e));
                }
            });
            return;
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((ignored, e) -> {
            final T reply = firstReply != null || primaryOrFirst.isCompletedExceptionally()
                    ? firstReply : primaryOrFirst.getNow(null);
            if (e == null) {
                result.complete(reply);
            } else if (isNodeError(e) && round < WRITE_ROUNDS) {
                writeRound(key, cmd, round + 1, done, result, reply);
            } else {
                result.completeExceptionally(writeFailure(key, todo, e));
            }
        });
    }

    private static ShardException writeFailure(final String key, final List<String> nodes, final Throwable e) {
        return new ShardException("write of key '" + key + "' failed on " + nodes + ": " + unwrap(e).getMessage(),
                unwrap(e));
    }

    /** Copies one key from {@code from} to the {@code to} nodes that lack it (DUMP/PTTL, RESTORE w/o REPLACE). */
    private CompletableFuture<Boolean> copyKey(final String from, final String key, final List<String> to) {
        final CompletableFuture<byte[]> dump = onNode(from, c -> c.dump(key));
        final CompletableFuture<Long> pttl = onNode(from, c -> c.pttl(key));
        return dump.thenCombine(pttl, (bytes, ttl) -> new Object[] {bytes, ttl}).thenCompose(pair -> {
            final byte[] bytes = (byte[]) pair[0];
            final long ttl = (Long) pair[1];
            if (bytes == null || ttl == -2) {
                return CompletableFuture.completedFuture(true); // gone meanwhile: nothing to copy
            }
            final List<CompletableFuture<?>> restores = new ArrayList<>();
            for (final String n : to) {
                if (!n.equals(from)) {
                    restores.add(onNode(n, c -> c.restore(key, bytes, RestoreArgs.Builder.ttl(Math.max(ttl, 0))))
                            .handle((r, e) -> {
                                if (e == null) {
                                    repairs.incrementAndGet();
                                    return true;
                                }
                                if (unwrap(e).getMessage() != null && unwrap(e).getMessage().contains("BUSYKEY")) {
                                    return true; // a newer value is there already
                                }
                                throw new CompletionException(unwrap(e));
                            }));
                }
            }
            return CompletableFuture.allOf(restores.toArray(CompletableFuture[]::new)).thenApply(x -> true);
        });
    }

    // ---------------------------------------------------------------- membership, down nodes, migration

    private void onMembership(final Map<String, Membership.Member> latest) {
        if (latest.isEmpty() && !members.isEmpty()) {
            LOG.warn("ZooKeeper lists no Redis node; keeping the last membership {}", members.keySet());
            return;
        }
        final Set<String> reRegistered = new LinkedHashSet<>();
        members.forEach((address, old) -> {
            final Membership.Member now = latest.get(address);
            if (now != null && now.version() != old.version()) {
                reRegistered.add(address); // left and came back between two listings: emptied by its agent
            }
        });
        members = Map.copyOf(latest);
        for (final Map.Entry<String, Long> d : down.entrySet()) {
            final Membership.Member m = latest.get(d.getKey());
            if (m != null && m.version() != d.getValue()) {
                down.remove(d.getKey()); // registered again by its agent, which emptied it: consistent
                LOG.info("node {} registered again; back in the ring", d.getKey());
            }
        }
        rebuild(reRegistered);
    }

    private void markDown(final String node) {
        final Membership.Member m = members.get(node);
        if (m != null && down.putIfAbsent(node, m.version()) == null) {
            nodeDownEvents.incrementAndGet();
            goodProbes.remove(node);
            LOG.warn("node {} marked down after an error", node);
            rebuild(Set.of());
        }
    }

    /**
     * Recomputes the ring; {@code reRegistered} are members whose registration changed (they joined again,
     * empty) although the placement may not have.
     */
    private void rebuild(final Set<String> reRegistered) {
        synchronized (viewLock) {
            final Map<String, Integer> weights = new HashMap<>();
            members.forEach((address, m) -> {
                if (!down.containsKey(address)) {
                    weights.put(address, m.info().weight());
                }
            });
            final View v = view;
            final HashRing next = HashRing.of(weights, virtualNodes);
            final Set<String> fresh = new LinkedHashSet<>(v.fresh);
            fresh.addAll(reRegistered);
            for (final String n : next.nodes()) {
                if (!v.current.nodeSet().contains(n)) {
                    fresh.add(n); // joined, or came back: it may lack (or hold stale copies of) its keys
                }
            }
            fresh.retainAll(next.nodeSet());
            if (v.current.isEmpty()) {
                fresh.clear(); // the first membership: nothing to migrate from, nobody is "fresh"
            }
            if (next.samePlacement(v.current) && reRegistered.isEmpty()) {
                return;
            }
            final List<HashRing> previous = new ArrayList<>();
            if (!v.current.isEmpty()) {
                previous.add(v.current);
            }
            for (final HashRing r : v.previous) {
                if (previous.size() < MAX_PREVIOUS_RINGS && !r.samePlacement(v.current)) {
                    previous.add(r);
                }
            }
            view = new View(next, List.copyOf(previous), Set.copyOf(fresh), v.generation + 1);
            LOG.info("ring generation {}: {} (migrating away from {} ring(s))", v.generation + 1, next.nodeSet(),
                    previous.size());
            if (!previous.isEmpty() && !migrationScheduled && !closed) {
                migrationScheduled = true;
                background.execute(this::migrate);
            }
        }
    }

    private void probeDownNodes() {
        for (final String node : down.keySet()) {
            if (!members.containsKey(node)) {
                continue; // gone from ZooKeeper: comes back through a new registration only
            }
            onNode(node, RedisAsyncCommands::ping).whenComplete((pong, e) -> {
                final AtomicInteger good = goodProbes.computeIfAbsent(node, n -> new AtomicInteger());
                if (e == null && "PONG".equals(pong)) {
                    if (good.incrementAndGet() >= readmitAfterPings && down.remove(node) != null) {
                        LOG.info("node {} answers again; back in the ring", node);
                        goodProbes.remove(node);
                        rebuild(Set.of());
                    }
                } else {
                    good.set(0);
                }
            });
        }
    }

    /** Background: copy moved keys to their new owners, then drop the previous rings. */
    private void migrate() {
        final View v = view;
        boolean clean = true;
        final Set<String> sources = new LinkedHashSet<>();
        for (final HashRing r : v.previous) {
            sources.addAll(r.nodes());
        }
        sources.addAll(v.current.nodes());
        for (final String node : sources) {
            if (closed || view.generation != v.generation) {
                break;
            }
            if (!members.containsKey(node) || down.containsKey(node)) {
                continue;
            }
            try {
                migrateNode(node, v);
            } catch (final RuntimeException | ExecutionException e) {
                clean = false;
                LOG.debug("migration from {} incomplete: {}", node, e.toString());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        synchronized (viewLock) {
            if (view.generation == v.generation && clean) {
                view = new View(v.current, List.of(), Set.of(), v.generation);
                migrationScheduled = false;
                LOG.info("ring generation {}: migration done", v.generation);
            } else if (!closed) {
                background.schedule(this::migrate, view.generation == v.generation ? 500 : 0, TimeUnit.MILLISECONDS);
            } else {
                migrationScheduled = false;
            }
        }
    }

    private void migrateNode(final String node, final View v) throws ExecutionException, InterruptedException {
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            final ScanCursor at = cursor;
            final KeyScanCursor<String> page = onNode(node, c -> c.scan(at, ScanArgs.Builder.limit(MIGRATION_PAGE))).get();
            final List<CompletableFuture<?>> copies = new ArrayList<>();
            for (final String key : page.getKeys()) {
                final List<String> now = v.current.owners(key, replicationFactor);
                final Set<String> before = new LinkedHashSet<>();
                for (final HashRing r : v.previous) {
                    before.addAll(r.owners(key, replicationFactor));
                }
                before.removeAll(v.fresh); // a node that (re)joined empty owned nothing before
                final List<String> targets = now.stream().filter(n -> !before.contains(n) && !n.equals(node)).toList();
                if (targets.isEmpty() && now.contains(node)) {
                    continue;
                }
                CompletableFuture<?> copy = copyKey(node, key, targets);
                if (!now.contains(node) && before.contains(node)) {
                    copy = copy.thenCompose(ok -> onNode(node, c -> c.del(key))); // no stale copy left behind
                }
                copies.add(copy);
            }
            CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new)).get();
            cursor = page;
            if (!copies.isEmpty()) {
                Thread.sleep(MIGRATION_PAUSE_MS); // background work: leave the nodes (and cores) to requests
            }
        } while (!cursor.isFinished() && !closed && view.generation == v.generation);
    }

    // ---------------------------------------------------------------- connections

    private <T> CompletableFuture<T> onNode(final String node,
            final Function<RedisAsyncCommands<String, String>, ? extends CompletionStage<T>> cmd) {
        final CompletableFuture<StatefulRedisConnection<String, String>> conn = connection(node);
        if (conn.isDone() && !conn.isCompletedExceptionally()) {
            // the common case: one future per command (Lettuce's own), plus the down-marking stage
            return cmd.apply(conn.join().async()).toCompletableFuture().whenComplete((r, e) -> {
                if (e != null && isNodeError(e)) {
                    markDown(node);
                }
            });
        }
        final CompletableFuture<T> result = new CompletableFuture<>();
        conn.thenCompose(c -> cmd.apply(c.async())).whenComplete((r, e) -> {
            if (e != null) {
                if (isNodeError(e)) {
                    markDown(node);
                }
                result.completeExceptionally(unwrap(e));
            } else {
                result.complete(r);
            }
        });
        return result;
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connection(final String node) {
        final CompletableFuture<StatefulRedisConnection<String, String>> existing = connections.get(node);
        if (existing != null && !existing.isCompletedExceptionally()) {
            return existing;
        }
        final CompletableFuture<StatefulRedisConnection<String, String>> fresh = new CompletableFuture<>();
        final CompletableFuture<StatefulRedisConnection<String, String>> raced = existing == null
                ? connections.putIfAbsent(node, fresh)
                : (connections.replace(node, existing, fresh) ? null : connections.get(node));
        if (raced != null) {
            return raced;
        }
        client.connectAsync(StringCodec.UTF8, RedisURI.create("redis://" + node)).whenComplete((c, e) -> {
            if (e != null) {
                fresh.completeExceptionally(e);
            } else {
                fresh.complete(c);
            }
        });
        return fresh;
    }

    private void requireOneLiveNode(final String where) {
        final List<String> tried = new ArrayList<>(members.keySet());
        for (final String node : tried) {
            try {
                if ("PONG".equals(onNode(node, RedisAsyncCommands::ping).get())) {
                    return;
                }
            } catch (final ExecutionException e) {
                LOG.debug("{} does not answer: {}", node, e.getCause().toString());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new ShardException("no live Redis node at '" + where + "': none of " + tried + " answered PING");
    }

    private void shutdownClients() {
        for (final CompletableFuture<StatefulRedisConnection<String, String>> c : connections.values()) {
            c.thenAccept(StatefulRedisConnection::close);
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        try {
            resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS); // ours: RedisClient leaves them
        } catch (final ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debug("Lettuce resources did not shut down cleanly: {}", e.toString());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- helpers

    private List<String> ownersOrFail(final HashRing ring, final String key, final String command) {
        final List<String> owners = ring.owners(key, replicationFactor, down::containsKey);
        if (owners.isEmpty()) {
            throw new ShardException(command + " of key '" + key + "': no live Redis node (members "
                    + members.keySet() + ", marked down " + down.keySet() + ")");
        }
        return owners;
    }

    private static boolean isNodeError(final Throwable e) {
        final Throwable t = unwrap(e);
        return !(t instanceof RedisCommandExecutionException) && !(t instanceof IllegalArgumentException);
    }

    private static Throwable unwrap(final Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static <T> T await(final CompletableFuture<T> f, final String command, final String key) {
        try {
            return f.get();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.bingfa.future.WaitInterruptedException(e);
        } catch (final ExecutionException e) {
            final Throwable t = unwrap(e);
            if (t instanceof ShardException s) {
                throw s;
            }
            if (t instanceof RuntimeException r && !(t instanceof io.lettuce.core.RedisException)) {
                throw r;
            }
            throw new ShardException(command + " of key '" + key + "' failed: " + t.getMessage(), t);
        }
    }

    private static ProtocolKeyword protocolKeyword(final String command) {
        final String upper = command.toUpperCase(Locale.ROOT);
        try {
            return CommandType.valueOf(upper);
        } catch (final IllegalArgumentException e) {
            final byte[] bytes = upper.getBytes(StandardCharsets.US_ASCII);
            return new ProtocolKeyword() {
                @Override
                public byte[] getBytes() {
                    return bytes;
                }

                @Override
                public String toString() {
                    return upper;
                }
            };
        }
    }

    static void checkKey(final String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
    }

    private void checkValue(final String key, final String value) {
        Objects.requireNonNull(value, "value");
        // a UTF-8 byte count is at most 3 x the char count: skip the encoding for small values
        if ((long) value.length() * 3 > maxValueBytes) {
            final int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxValueBytes) {
                throw new IllegalArgumentException("value of key '" + key + "' is " + bytes
                        + " bytes, over the limit of " + maxValueBytes + " (maxValueBytes)");
            }
        }
    }

    static Duration positive(final Duration d, final String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    static String checkPath(final String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
            throw new IllegalArgumentException("path must be an absolute ZooKeeper path like /bingfa/redis, was '"
                    + path + "'");
        }
        return path;
    }

    /** Configures a {@link ShardedRedis}; membership from ZooKeeper ({@code zk} or {@code curator}, with {@code path}) or fixed ({@code nodes}). */
    public static final class Builder {
        private String zkConnect;
        private CuratorFramework curator;
        private String path;
        private Map<String, Integer> staticNodes;
        private int replicationFactor = 2;
        private AckPolicy ack = AckPolicy.ALL;
        private int virtualNodes = HashRing.DEFAULT_VIRTUAL_NODES;
        private int maxValueBytes = 1 << 20;
        private int readmitAfterPings = 3;
        private Duration commandTimeout = Duration.ofSeconds(1);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration sessionTimeout = Duration.ofSeconds(10);
        private Duration probeInterval = Duration.ofMillis(200);
        private final Set<String> given = new LinkedHashSet<>();

        private Builder() {
        }

        private void once(final String setting) {
            if (!given.add(setting)) {
                throw new IllegalStateException(setting + " was already set");
            }
        }

        /** The ZooKeeper connection string. */
        public Builder zk(final String connect) {
            once("zk");
            Objects.requireNonNull(connect, "zk");
            if (connect.isBlank()) {
                throw new IllegalArgumentException("zk connection string is empty");
            }
            this.zkConnect = connect;
            return this;
        }

        /** A started Curator client to read membership with (not closed by ShardedRedis). */
        public Builder curator(final CuratorFramework client) {
            once("curator");
            this.curator = Objects.requireNonNull(client, "curator");
            return this;
        }

        /** The membership path, e.g. /bingfa/redis. */
        public Builder path(final String p) {
            once("path");
            this.path = checkPath(p);
            return this;
        }

        /** Fixed membership, no ZooKeeper: "host:port" or "host:port=weight" entries. */
        public Builder nodes(final Collection<String> addresses) {
            once("nodes");
            Objects.requireNonNull(addresses, "nodes");
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("nodes must not be empty");
            }
            final Map<String, Integer> m = new LinkedHashMap<>();
            for (final String a : addresses) {
                Objects.requireNonNull(a, "nodes: an address is null");
                final int eq = a.indexOf('=');
                final String address = eq < 0 ? a : a.substring(0, eq);
                NodeInfo.parseAddress(address, "node");
                final int w;
                try {
                    w = eq < 0 ? 1 : Integer.parseInt(a.substring(eq + 1));
                } catch (final NumberFormatException e) {
                    throw new IllegalArgumentException("node weight is not a number in '" + a + "'", e);
                }
                m.put(address, new NodeInfo(address, w, NodeInfo.HEALTH_OK).weight());
            }
            this.staticNodes = m;
            return this;
        }

        /** Copies per key, primary included (default 2). */
        public Builder replicationFactor(final int n) {
            once("replicationFactor");
            if (n < 1) {
                throw new IllegalArgumentException("replicationFactor must be at least 1, was " + n);
            }
            this.replicationFactor = n;
            return this;
        }

        /** When writes are acknowledged (default ALL). */
        public Builder ack(final AckPolicy policy) {
            once("ack");
            this.ack = Objects.requireNonNull(policy, "ack");
            return this;
        }

        /** Ring points per unit of weight (default {@link HashRing#DEFAULT_VIRTUAL_NODES}). */
        public Builder virtualNodes(final int n) {
            once("virtualNodes");
            if (n < 1) {
                throw new IllegalArgumentException("virtualNodes must be at least 1, was " + n);
            }
            this.virtualNodes = n;
            return this;
        }

        /** Largest value accepted, in UTF-8 bytes (default 1 MiB). */
        public Builder maxValueBytes(final int n) {
            once("maxValueBytes");
            if (n < 1) {
                throw new IllegalArgumentException("maxValueBytes must be at least 1, was " + n);
            }
            this.maxValueBytes = n;
            return this;
        }

        /** Per-command timeout; a timed-out read goes to the copy (default 1 s). */
        public Builder commandTimeout(final Duration d) {
            once("commandTimeout");
            this.commandTimeout = positive(d, "commandTimeout");
            return this;
        }

        /** How long build() waits for ZooKeeper and the first listing (default 10 s). */
        public Builder connectTimeout(final Duration d) {
            once("connectTimeout");
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** ZooKeeper session timeout of the client's own Curator client (default 10 s). */
        public Builder sessionTimeout(final Duration d) {
            once("sessionTimeout");
            this.sessionTimeout = positive(d, "sessionTimeout");
            return this;
        }

        /** How often down nodes still listed in ZooKeeper are pinged (default 200 ms). */
        public Builder probeInterval(final Duration d) {
            once("probeInterval");
            this.probeInterval = positive(d, "probeInterval");
            return this;
        }

        /** Good pings in a row before such a node is used again (default 3). */
        public Builder readmitAfterPings(final int n) {
            once("readmitAfterPings");
            if (n < 1) {
                throw new IllegalArgumentException("readmitAfterPings must be at least 1, was " + n);
            }
            this.readmitAfterPings = n;
            return this;
        }

        /** Builds and connects: waits for the membership and for one node that answers PING. */
        public ShardedRedis build() {
            final boolean fromZk = zkConnect != null || curator != null;
            if (fromZk == (staticNodes != null)) {
                throw new IllegalStateException("give either zk(connect)/curator(client) with path, or nodes(...)");
            }
            if (zkConnect != null && curator != null) {
                throw new IllegalStateException("zk(connect) and curator(client) conflict: give one");
            }
            if (fromZk && path == null) {
                throw new IllegalStateException("path is required with ZooKeeper membership");
            }
            return new ShardedRedis(this);
        }
    }
}
