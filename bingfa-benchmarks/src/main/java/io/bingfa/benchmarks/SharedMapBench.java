package io.bingfa.benchmarks;

import io.bingfa.cache.SharedMap;
import io.bingfa.cache.SharedMapOptions;
import io.bingfa.cache.SharedMapStats;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SharedMap} with 1,000,000 entries of 8-byte keys: random hits with {@code get(key, buffer)} (no
 * allocation) and {@code get(key)} (a copy), and random overwrites with {@code put}, one thread. The
 * anchors (Chronicle Map, LMDB) run in the {@code bingfa bench map} suite, side by side; this bench is the
 * map's own regression guard. The setup prints the file bytes per entry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class SharedMapBench {

    private static final int ENTRIES = 1_000_000;

    @Param({"100", "1024"})
    public int valueSize;

    private Path path;
    private SharedMap map;
    private byte[][] keys;
    private byte[] value;
    private ByteBuffer buffer;
    private long rng = 0x9E3779B97F4A7C15L;
    /** A same-process reference measured in the same run: a HashMap of the same entries on the heap. */
    private java.util.HashMap<Long, byte[]> heap;

    @Setup(Level.Trial)
    public void fill() throws Exception {
        path = SharedMap.defaultDirectory().resolve("bingfa-jmh-map-" + ProcessHandle.current().pid());
        Files.deleteIfExists(path);
        map = SharedMap.create(path, SharedMapOptions.builder().expectedEntries(ENTRIES).averageKeySize(8)
                .averageValueSize(valueSize).build());
        keys = new byte[ENTRIES][];
        value = new byte[valueSize];
        for (int i = 0; i < ENTRIES; i++) {
            keys[i] = ByteBuffer.allocate(8).putLong(0, i * 0x9E3779B97F4A7C15L).array();
            value[0] = (byte) i;
            map.put(keys[i], value);
        }
        buffer = ByteBuffer.allocate(valueSize);
        heap = new java.util.HashMap<>(2 * ENTRIES);
        for (int i = 0; i < ENTRIES; i++) {
            heap.put(i * 0x9E3779B97F4A7C15L, value.clone());
        }
        final SharedMapStats s = map.stats();
        System.out.printf("%nSharedMap %d entries, %d-byte values: file %d bytes = %.1f bytes/entry = %.3f x raw "
                        + "key+value; blocks %d bytes, tables %d bytes, regions %d, segments %d%n",
                s.entries(), valueSize, s.fileBytes(), s.fileBytesPerEntry(), s.fileBytesPerEntry() / (8.0 + valueSize),
                s.bytesUsed(), s.tableBytes(), s.regions(), s.segments());
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        map.close();
        Files.deleteIfExists(path);
    }

    private int nextIndex() {
        long x = rng;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        rng = x;
        return (int) ((x >>> 1) % ENTRIES);
    }

    @Benchmark
    public int getIntoBuffer() {
        buffer.clear();
        return map.get(keys[nextIndex()], buffer);
    }

    /** Reference: java.util.HashMap on the heap, copying the value into the same buffer. */
    @Benchmark
    public int heapHashMapGet() {
        final byte[] v = heap.get(nextIndex() * 0x9E3779B97F4A7C15L);
        buffer.clear();
        buffer.put(v);
        return v.length;
    }

    @Benchmark
    public byte[] getCopy() {
        return map.get(keys[nextIndex()]);
    }

    @Benchmark
    public void put() {
        map.put(keys[nextIndex()], value);
    }
}
