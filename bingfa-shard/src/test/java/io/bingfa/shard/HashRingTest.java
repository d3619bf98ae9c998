package io.bingfa.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

class HashRingTest {

    private static Map<String, Integer> nodes(final int n) {
        final Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("10.0.0." + (i + 1) + ":6379", 1);
        }
        return m;
    }

    private static List<String> keys(final int n) {
        return new AbstractList<>() {
            @Override public String get(final int i) { return "key:" + i; }
            @Override public int size() { return n; }
        };
    }

    /** Relative standard deviation (percent of the mean) of the per-node key count. */
    static double relativeStdDev(final Map<String, Long> counts) {
        final double mean = counts.values().stream().mapToLong(Long::longValue).average().orElse(0);
        final double var = counts.values().stream().mapToDouble(c -> (c - mean) * (c - mean)).sum() / counts.size();
        return 100 * Math.sqrt(var) / mean;
    }

    @Test
    void ownersAreDistinctAndStartWithThePrimary() {
        final HashRing ring = HashRing.of(nodes(5));
        for (final String key : keys(1000)) {
            final List<String> owners = ring.owners(key, 3);
            assertThat(owners).hasSize(3).doesNotHaveDuplicates();
            assertThat(owners.getFirst()).isEqualTo(ring.primary(key));
        }
        assertThat(ring.owners("k", 9)).hasSize(5);
    }

    @Test
    void skippingADownNodeMakesTheReplicaThePrimary() {
        final HashRing ring = HashRing.of(nodes(5));
        for (final String key : keys(1000)) {
            final List<String> owners = ring.owners(key, 2);
            assertThat(ring.owners(key, 2, owners.getFirst()::equals).getFirst()).isEqualTo(owners.get(1));
        }
    }

    @Test
    void hashTagsPlaceKeysTogether() {
        final HashRing ring = HashRing.of(nodes(10));
        assertThat(HashRing.hashTag("{user:7}.name")).isEqualTo("user:7");
        assertThat(HashRing.hashTag("a{}b")).isEqualTo("a{}b");
        assertThat(HashRing.hashTag("a{b")).isEqualTo("a{b");
        for (int i = 0; i < 100; i++) {
            assertThat(ring.primary("{user:" + i + "}.name")).isEqualTo(ring.primary("{user:" + i + "}.cart"));
        }
    }

    @Test
    void aJoiningNodeTakesKeysOnlyFromOthersAndMovesAboutItsShare() {
        final Map<String, Integer> four = nodes(4);
        final Map<String, Integer> five = nodes(5);
        final HashRing before = HashRing.of(four);
        final HashRing after = HashRing.of(five);
        int moved = 0;
        for (final String key : keys(100_000)) {
            final String a = before.primary(key);
            final String b = after.primary(key);
            if (!a.equals(b)) {
                moved++;
                assertThat(b).isEqualTo("10.0.0.5:6379");
            }
        }
        assertThat(moved).isBetween(15_000, 25_000);
    }

    @Test
    void weightDoublesTheShare() {
        final Map<String, Integer> w = new HashMap<>(nodes(3));
        w.put("10.0.0.1:6379", 2);
        final Map<String, Long> spread = HashRing.of(w).spread(keys(200_000));
        assertThat(spread.get("10.0.0.1:6379")).isBetween(85_000L, 115_000L);
    }

    @Test
    void sameMembershipSameRingInAnyInsertionOrder() {
        final Map<String, Integer> a = new LinkedHashMap<>();
        a.put("x:1", 1); a.put("y:2", 3);
        final Map<String, Integer> b = new LinkedHashMap<>();
        b.put("y:2", 3); b.put("x:1", 1);
        for (final String key : keys(1000)) {
            assertThat(HashRing.of(a).owners(key, 2)).isEqualTo(HashRing.of(b).owners(key, 2));
        }
    }

    @Test
    void defaultSpreadIsWithinTenPercentOverThreeNodes() {
        assertThat(relativeStdDev(HashRing.of(nodes(3)).spread(keys(100_000)))).isLessThan(10);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> HashRing.of(nodes(3), 0)).hasMessageContaining("virtualNodes must be at least 1, was 0");
        assertThatThrownBy(() -> HashRing.of(Map.of("a:1", 0))).hasMessageContaining("weight of node 'a:1'");
        assertThatThrownBy(() -> HashRing.of(nodes(3)).owners("k", 0)).hasMessageContaining("count");
        assertThat(HashRing.of(Map.of()).owners("k", 2)).isEmpty();
        assertThat(HashRing.of(Map.of()).primary("k")).isNull();
    }

    /** Prints the spread table of docs/design-shard.md: -Dbingfa.spread=true. */
    @Test
    @EnabledIfSystemProperty(named = "bingfa.spread", matches = "true")
    void printSpreadTable() {
        final int[] counts = {1, 10, 40, 100, 160, 320, 640, 1000};
        System.out.println("| virtual nodes | 3 nodes | 5 nodes | 10 nodes | build 10 nodes (ms) |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (final int v : counts) {
            final StringBuilder row = new StringBuilder("| " + v + " |");
            for (final int n : new int[] {3, 5, 10}) {
                final Map<String, Long> spread = HashRing.of(nodes(n), v).spread(keys(1_000_000));
                final double rel = relativeStdDev(spread);
                row.append(String.format(" %,.0f (%.2f %%) |", rel * 1_000_000 / n / 100, rel));
            }
            final long t0 = System.nanoTime();
            HashRing.of(nodes(10), v);
            row.append(String.format(" %.2f |", (System.nanoTime() - t0) / 1e6));
            System.out.println(row);
        }
    }
}
