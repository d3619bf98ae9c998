package io.bingfa.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.shm.ShmCodec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SharedMapTest {

    private final MapFiles files = new MapFiles();

    @AfterEach
    void cleanUp() {
        files.close();
    }

    private static byte[] b(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private SharedMap small() {
        return SharedMap.create(files.next("small"), SharedMapOptions.builder().expectedEntries(1000).build());
    }

    @Test
    void putGetRemoveRoundTrip() {
        try (SharedMap map = small()) {
            assertThat(map.get(b("a"))).isNull();
            map.put(b("a"), b("alpha"));
            map.put(b("b"), b(""));
            assertThat(map.get(b("a"))).isEqualTo(b("alpha"));
            assertThat(map.get(b("b"))).isEmpty();
            assertThat(map.containsKey(b("a"))).isTrue();
            assertThat(map.containsKey(b("c"))).isFalse();
            assertThat(map.size()).isEqualTo(2);
            map.put(b("a"), b("alpha, longer this time, to need another block order"));
            assertThat(map.get(b("a"))).isEqualTo(b("alpha, longer this time, to need another block order"));
            assertThat(map.size()).isEqualTo(2);
            assertThat(map.remove(b("a"))).isTrue();
            assertThat(map.remove(b("a"))).isFalse();
            assertThat(map.get(b("a"))).isNull();
            assertThat(map.size()).isEqualTo(1);
        }
    }

    @Test
    void getIntoByteBufferCopiesAtPositionAndReportsShortBuffers() {
        try (SharedMap map = small()) {
            map.put(b("k"), b("value"));
            final ByteBuffer heap = ByteBuffer.allocate(16);
            heap.position(3);
            assertThat(map.get(b("k"), heap)).isEqualTo(5);
            assertThat(heap.position()).isEqualTo(8);
            assertThat(new String(heap.array(), 3, 5, StandardCharsets.UTF_8)).isEqualTo("value");
            final ByteBuffer tiny = ByteBuffer.allocate(2);
            assertThat(map.get(b("k"), tiny)).isEqualTo(5);
            assertThat(tiny.position()).isZero();
            final ByteBuffer direct = ByteBuffer.allocateDirect(8);
            assertThat(map.get(b("k"), direct)).isEqualTo(5);
            direct.flip();
            final byte[] out = new byte[5];
            direct.get(out);
            assertThat(out).isEqualTo(b("value"));
            assertThat(map.get(b("missing"), heap)).isEqualTo(-1);
        }
    }

    @Test
    void memorySegmentKeysAndValuesMatchByteArrays() {
        try (SharedMap map = small(); Arena arena = Arena.ofConfined()) {
            final MemorySegment key = arena.allocateFrom("segment-key-longer-than-eight", StandardCharsets.UTF_8);
            final MemorySegment keyNoNul = key.asSlice(0, key.byteSize() - 1);
            map.put(keyNoNul, MemorySegment.ofArray(b("v1")));
            assertThat(map.get(b("segment-key-longer-than-eight"))).isEqualTo(b("v1"));
            map.put(b("segment-key-longer-than-eight"), b("v2"));
            final MemorySegment dst = arena.allocate(10);
            assertThat(map.get(keyNoNul, dst)).isEqualTo(2);
            assertThat(dst.asSlice(0, 2).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(b("v2"));
            assertThat(map.get(MemorySegment.ofArray(b("nope")), dst)).isEqualTo(-1);
        }
    }

    @Test
    void putIfAbsentReplaceAndUpdate() {
        try (SharedMap map = small()) {
            assertThat(map.putIfAbsent(b("k"), b("1"))).isTrue();
            assertThat(map.putIfAbsent(b("k"), b("2"))).isFalse();
            assertThat(map.get(b("k"))).isEqualTo(b("1"));
            assertThat(map.replace(b("k"), b("2"), b("3"))).isFalse();
            assertThat(map.replace(b("k"), b("1"), b("3"))).isTrue();
            assertThat(map.get(b("k"))).isEqualTo(b("3"));
            assertThat(map.replace(b("absent"), b("x"))).isFalse();
            assertThat(map.update(b("n"), old -> old == null ? b("1") : b(new String(old) + "1"))).isEqualTo(b("1"));
            assertThat(map.update(b("n"), old -> b(new String(old) + "1"))).isEqualTo(b("11"));
            assertThat(map.update(b("n"), old -> null)).isNull();
            assertThat(map.containsKey(b("n"))).isFalse();
            assertThatThrownBy(() -> map.update(b("k"), old -> {
                throw new IllegalStateException("boom");
            })).hasMessage("boom");
            map.put(b("k"), b("still writable: the lock was released"));
        }
    }

    @Test
    void invalidArgumentsNameTheArgumentAndValue() {
        try (SharedMap map = small()) {
            assertThatThrownBy(() -> map.put(new byte[0], b("v"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("key length must be 1 to 1024 bytes, was 0");
            assertThatThrownBy(() -> map.get(new byte[1025])).hasMessage("key length must be 1 to 1024 bytes, was 1025");
            assertThatThrownBy(() -> map.put(b("k"), new byte[map.maxValueSize() + 1]))
                    .hasMessage("value length must be at most 32768 bytes, was 32769");
            assertThatThrownBy(() -> map.put(null, b("v"))).isInstanceOf(NullPointerException.class).hasMessage("key");
            assertThatThrownBy(() -> SharedMapOptions.builder().expectedEntries(0).build())
                    .hasMessage("expectedEntries must be 1 to 2^34, was 0");
            assertThatThrownBy(() -> SharedMapOptions.builder().segments(3).segments(4))
                    .isInstanceOf(IllegalStateException.class).hasMessage("segments was already set");
        }
    }

    @Test
    void matchesAHashMapModelUnderRandomOperations() {
        try (SharedMap map = small()) {
            final Map<String, byte[]> model = new HashMap<>();
            final Random random = new Random(42);
            for (int op = 0; op < 100_000; op++) {
                final String k = "key" + random.nextInt(5000);
                final int what = random.nextInt(10);
                if (what < 5) {
                    final byte[] v = new byte[random.nextInt(300)];
                    random.nextBytes(v);
                    map.put(b(k), v);
                    model.put(k, v);
                } else if (what < 8) {
                    assertThat(map.remove(b(k))).isEqualTo(model.remove(k) != null);
                } else {
                    assertThat(map.get(b(k))).isEqualTo(model.get(k));
                }
            }
            assertThat(map.size()).isEqualTo(model.size());
            final Map<String, byte[]> seen = new HashMap<>();
            map.forEach((k, v) -> assertThat(seen.put(new String(k, StandardCharsets.UTF_8), v)).isNull());
            assertThat(seen).containsOnlyKeys(model.keySet());
            model.forEach((k, v) -> assertThat(seen.get(k)).isEqualTo(v));
        }
    }

    @Test
    void growsPastTheExpectedSizeByAddingRegions() {
        try (SharedMap map = SharedMap.create(files.next("grow"),
                SharedMapOptions.builder().expectedEntries(100).averageValueSize(16).segments(2).build())) {
            final long before = map.stats().fileBytes();
            for (int i = 0; i < 100_000; i++) {
                map.put(b("k" + i), b("value-" + i));
            }
            final SharedMapStats stats = map.stats();
            assertThat(stats.regions()).isGreaterThan(1);
            assertThat(stats.fileBytes()).isGreaterThan(before);
            assertThat(stats.entries()).isEqualTo(100_000);
            for (int i = 0; i < 100_000; i += 997) {
                assertThat(map.get(b("k" + i))).isEqualTo(b("value-" + i));
            }
        }
    }

    @Test
    void churnOfRemovesAndInsertsKeepsCapacity() {
        try (SharedMap map = SharedMap.create(files.next("churn"),
                SharedMapOptions.builder().expectedEntries(20_000).averageValueSize(100).build())) {
            final Random random = new Random(7);
            final int[] live = new int[20_000];
            for (int i = 0; i < live.length; i++) {
                live[i] = i;
                map.put(b("k" + i), new byte[50 + random.nextInt(200)]);
            }
            final SharedMapStats filled = map.stats();
            int next = live.length;
            for (int round = 0; round < 200_000; round++) {
                final int victim = random.nextInt(live.length);
                assertThat(map.remove(b("k" + live[victim]))).isTrue();
                live[victim] = next++;
                map.put(b("k" + live[victim]), new byte[50 + random.nextInt(200)]);
            }
            final SharedMapStats stats = map.stats();
            assertThat(stats.entries()).isEqualTo(20_000);
            assertThat(stats.fileBytes()).as("churn must not grow the file: %s then %s", filled, stats)
                    .isEqualTo(filled.fileBytes());
            assertThat(stats.regions()).isEqualTo(filled.regions());
        }
    }

    @Test
    void statsReportUseAndFreeBlocks() {
        try (SharedMap map = small()) {
            for (int i = 0; i < 1000; i++) {
                map.put(b("k" + i), new byte[100]);
            }
            final SharedMapStats s = map.stats();
            assertThat(s.entries()).isEqualTo(1000);
            assertThat(s.bytesUsed()).isEqualTo(1000 * 128L);
            assertThat(s.freeBlocksPerOrder()).hasSize(16 - 4 + 1);
            assertThat(s.fragmentation()).isBetween(0.0, 1.0);
            assertThat(s.fileBytes()).isGreaterThan(s.bytesUsed());
        }
    }

    @Test
    void typedViewEncodesThroughCodecs() {
        try (SharedMap map = small()) {
            final TypedSharedMap<String, String> typed = map.typed(ShmCodec.utf8(), ShmCodec.utf8());
            typed.put("名字", "冰法");
            assertThat(typed.get("名字")).isEqualTo("冰法");
            assertThat(typed.putIfAbsent("名字", "x")).isFalse();
            assertThat(typed.replace("名字", "冰法", "bingfa")).isTrue();
            assertThat(typed.update("n", old -> old == null ? "1" : old + "1")).isEqualTo("1");
            final Map<String, String> all = new HashMap<>();
            typed.forEach(all::put);
            assertThat(all).containsExactlyInAnyOrderEntriesOf(Map.of("名字", "bingfa", "n", "1"));
            assertThat(typed.remove("n")).isTrue();
        }
    }

    @Test
    void reopenedFileKeepsItsEntriesAndCreateRefusesAnExistingFile() {
        final java.nio.file.Path path = files.next("reopen");
        try (SharedMap map = SharedMap.create(path, SharedMapOptions.defaults())) {
            map.put(b("k"), b("v"));
        }
        try (SharedMap map = SharedMap.open(path)) {
            assertThat(map.get(b("k"))).isEqualTo(b("v"));
            assertThat(map.creator()).startsWith("pid " + ProcessHandle.current().pid());
        }
        assertThatThrownBy(() -> SharedMap.create(path, SharedMapOptions.defaults()))
                .isInstanceOf(SharedMapExistsException.class).hasMessageContaining(path.toString());
        try (SharedMap map = SharedMap.openOrCreate(path, SharedMapOptions.defaults())) {
            assertThat(map.get(b("k"))).isEqualTo(b("v"));
        }
    }

    @Test
    void gcManagedMapWorksAndCloseIsIdempotent() {
        final SharedMap map = SharedMap.create(files.next("gc"), SharedMapOptions.defaults(), SharedMap.Unmap.BY_GC);
        map.put(b("k"), b("v"));
        assertThat(map.get(b("k"))).isEqualTo(b("v"));
        map.close();
        map.close();
    }
}
