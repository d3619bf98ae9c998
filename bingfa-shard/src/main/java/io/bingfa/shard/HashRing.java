package io.bingfa.shard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/*
 * Overview
 * --------
 * An immutable ketama-style consistent-hash ring (libketama, Twemproxy's "ketama" distribution, Jedis's
 * removed ShardedJedis). Every node owns {@code virtualNodes * weight} points on a 32-bit circle; a key
 * belongs to the node of the first point at or after the key's hash (wrapping past 2^32 - 1 to the start).
 *
 * Points. As in libketama, one MD5 digest of "address-i" yields four points (bytes 0-3, 4-7, 8-11, 12-15,
 * each read little-endian as an unsigned 32-bit number), so a node with n points hashes ceil(n / 4)
 * strings. Points are sorted by (hash, node index): two nodes colliding on one point are ordered by their
 * address, so every client that builds a ring from the same membership builds the same ring.
 *
 * Keys. A key hashes through the first four bytes of its MD5 (libketama's key hash). If the key holds a
 * hash tag, a "{...}" with at least one character between the first '{' and the next '}', only the tag is
 * hashed: "{user:7}.name" and "{user:7}.cart" share a node, Redis Cluster's rule.
 *
 * Replicas. {@link #owners} walks clockwise from the key's point and collects the next distinct nodes,
 * skipping nodes the caller says are down: the first is the primary, the next ones hold the copies. A
 * node that leaves moves only its own ranges to the next node; a node that joins takes ranges only from
 * the nodes right after its points. That is the whole reason for the ring.
 *
 * Default count. docs/design-shard.md keeps the measured spread (standard deviation of the per-node key
 * count for 1,000,000 keys over 3, 5 and 10 nodes, for several counts); {@link #DEFAULT_VIRTUAL_NODES}
 * is chosen from that table.
 *
 * Threads. Immutable after construction; any thread may call any method. MessageDigest is not
 * thread-safe, so each thread keeps its own through a ThreadLocal.
 */
/** A ketama-style consistent-hash ring over node addresses, weight-aware, with hash tags. */
public final class HashRing {

    /** Points per unit of weight when none is given; chosen from the spread table in docs/design-shard.md. */
    public static final int DEFAULT_VIRTUAL_NODES = 320;

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(HashRing::newMd5);

    private final List<String> nodes;
    private final Map<String, Integer> weights;
    private final int virtualNodes;
    private final long[] points;
    private final int[] owners;

    private HashRing(final Map<String, Integer> weights, final int virtualNodes) {
        this.weights = Collections.unmodifiableMap(new TreeMap<>(weights));
        this.nodes = List.copyOf(this.weights.keySet());
        this.virtualNodes = virtualNodes;
        int total = 0;
        for (final String node : nodes) {
            total += virtualNodes * this.weights.get(node);
        }
        final long[] packed = new long[total];
        int n = 0;
        for (int index = 0; index < nodes.size(); index++) {
            final String node = nodes.get(index);
            final int count = virtualNodes * this.weights.get(node);
            for (int group = 0; n < packed.length && group * 4 < count; group++) {
                final byte[] digest = md5(node + "-" + group);
                for (int part = 0; part < 4 && group * 4 + part < count; part++) {
                    // bits 31-62: the point; bits 0-30: the node index, the tie-breaker in the (signed) sort
                    packed[n++] = (unsigned32(digest, part * 4) << 31) | index;
                }
            }
        }
        Arrays.sort(packed);
        this.points = new long[total];
        this.owners = new int[total];
        for (int i = 0; i < total; i++) {
            points[i] = packed[i] >>> 31;
            owners[i] = (int) (packed[i] & 0x7fff_ffffL);
        }
    }

    /**
     * Builds a ring with {@code virtualNodes} points per unit of weight.
     *
     * @param weights node address to weight (at least 1); may be empty (then {@link #owners} returns none)
     * @param virtualNodes points per unit of weight, at least 1
     */
    public static HashRing of(final Map<String, Integer> weights, final int virtualNodes) {
        Objects.requireNonNull(weights, "weights");
        if (virtualNodes < 1) {
            throw new IllegalArgumentException("virtualNodes must be at least 1, was " + virtualNodes);
        }
        for (final Map.Entry<String, Integer> e : weights.entrySet()) {
            Objects.requireNonNull(e.getKey(), "weights: a node address is null");
            if (e.getKey().isEmpty()) {
                throw new IllegalArgumentException("weights: a node address is empty");
            }
            if (e.getValue() == null || e.getValue() < 1) {
                throw new IllegalArgumentException("weight of node '" + e.getKey() + "' must be at least 1, was "
                        + e.getValue());
            }
            if ((long) e.getValue() * virtualNodes > 1_000_000) {
                throw new IllegalArgumentException("weight " + e.getValue() + " x virtualNodes " + virtualNodes
                        + " of node '" + e.getKey() + "' exceeds 1,000,000 points");
            }
        }
        return new HashRing(weights, virtualNodes);
    }

    /** Builds a ring with {@link #DEFAULT_VIRTUAL_NODES} points per unit of weight. */
    public static HashRing of(final Map<String, Integer> weights) {
        return of(weights, DEFAULT_VIRTUAL_NODES);
    }

    /** The node addresses, sorted. */
    public List<String> nodes() {
        return nodes;
    }

    /** Node address to weight. */
    public Map<String, Integer> weights() {
        return weights;
    }

    /** Points per unit of weight. */
    public int virtualNodes() {
        return virtualNodes;
    }

    /** True if the ring has no node. */
    public boolean isEmpty() {
        return nodes.isEmpty();
    }

    /** The key's primary node, or null on an empty ring. */
    public String primary(final String key) {
        if (points.length == 0) {
            return null;
        }
        return nodes.get(owners[firstPointAtOrAfter(hash(key))]);
    }

    /** The key's first {@code count} distinct nodes clockwise: the primary, then its replicas. */
    public List<String> owners(final String key, final int count) {
        return owners(key, count, node -> false);
    }

    /**
     * The key's first {@code count} distinct nodes clockwise that {@code skip} does not reject (fewer if the
     * ring has fewer such nodes): the primary, then the nodes that hold its copies.
     */
    public List<String> owners(final String key, final int count, final Predicate<String> skip) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        if (points.length == 0) {
            return List.of();
        }
        final int want = Math.min(count, nodes.size());
        final List<String> found = new ArrayList<>(want);
        final boolean[] seen = new boolean[nodes.size()];
        int distinctSeen = 0;
        final int start = firstPointAtOrAfter(hash(key));
        for (int step = 0; step < points.length && found.size() < want && distinctSeen < seen.length; step++) {
            final int owner = owners[(start + step) % points.length];
            if (!seen[owner]) {
                seen[owner] = true;
                distinctSeen++;
                final String node = nodes.get(owner);
                if (!skip.test(node)) {
                    found.add(node);
                }
            }
        }
        return found;
    }

    /** True if both rings have the same nodes, weights and point count (so they place every key alike). */
    public boolean samePlacement(final HashRing other) {
        return other != null && virtualNodes == other.virtualNodes && weights.equals(other.weights);
    }

    /** The part of the key that is hashed: the hash tag's content if it has one, else the whole key. */
    public static String hashTag(final String key) {
        final int open = key.indexOf('{');
        if (open >= 0) {
            final int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                return key.substring(open + 1, close);
            }
        }
        return key;
    }

    /** The key's point on the circle: the first four bytes of MD5(hash tag), little-endian, unsigned. */
    public static long hash(final String key) {
        return unsigned32(md5(hashTag(key)), 0);
    }

    /** Number of keys per node for the given keys; for spread measurements. */
    public Map<String, Long> spread(final Iterable<String> keys) {
        final long[] counts = new long[nodes.size()];
        for (final String key : keys) {
            if (points.length > 0) {
                counts[owners[firstPointAtOrAfter(hash(key))]]++;
            }
        }
        final Map<String, Long> result = new TreeMap<>();
        for (int i = 0; i < counts.length; i++) {
            result.put(nodes.get(i), counts[i]);
        }
        return result;
    }

    /** Membership as a set, for comparisons. */
    public Set<String> nodeSet() {
        return weights.keySet();
    }

    @Override
    public String toString() {
        return "HashRing" + weights + " x " + virtualNodes;
    }

    private int firstPointAtOrAfter(final long hash) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (points[mid] < hash) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == points.length ? 0 : lo;
    }

    private static long unsigned32(final byte[] b, final int at) {
        return ((b[at + 3] & 0xffL) << 24) | ((b[at + 2] & 0xffL) << 16) | ((b[at + 1] & 0xffL) << 8) | (b[at] & 0xffL);
    }

    private static byte[] md5(final String s) {
        final MessageDigest md = MD5.get();
        md.reset();
        return md.digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5 MessageDigest", e);
        }
    }
}
