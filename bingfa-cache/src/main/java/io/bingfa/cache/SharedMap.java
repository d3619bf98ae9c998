package io.bingfa.cache;

import io.bingfa.shm.ShmAccess;
import io.bingfa.shm.ShmCodec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * A hash map of byte strings in one memory-mapped file, read and written by the threads of many processes
 * at once: the cross-process cache of the seed's service (its 8 workers shared one copy of a MongoDB
 * collection), in the role of Chronicle Map or LMDB on the JVM. Readers take no lock and never see a torn
 * value; writers lock one segment with a robust lock, so a process killed mid-put leaves neither a held
 * lock nor a broken entry; the file grows instead of failing at a size limit.
 *
 * <pre>{@code
 * try (SharedMap map = SharedMap.openOrCreate(SharedMap.defaultDirectory().resolve("users.map"),
 *         SharedMapOptions.builder().expectedEntries(1_000_000).averageValueSize(100).build())) {
 *     map.put(key, value);                       // any process that opened the file sees it
 *     int n = map.get(key, buffer);              // zero-copy into the caller's buffer, no allocation
 *     map.update(key, old -> merge(old));        // atomic under the segment lock
 * }
 * }</pre>
 *
 * <h2>Overview</h2>
 * The file ({@link MapLayout}, {@link RegionLayout}, {@link BlockLayout}) holds a header, {@code S}
 * segment headers and regions of chunks. A key's 64-bit hash ({@link KeyHash}) picks its {@link Segment}
 * (a lock, a linear-probing table of 8-byte slots, a {@link BuddyAllocator}); an entry is one buddy block
 * holding an 8-byte header, the key and the value, so a 100-byte value with an 8-byte key takes a
 * 128-byte block and an 8-byte slot at most 80% full. Chunks come from the file-wide {@link ChunkPool};
 * when it runs dry the file gets a new region ({@link MapFile}), which other processes map when they first
 * meet a reference into it. The segment classes describe the read protocol (epoch-validated, lock-free)
 * and the write protocol (one 8-byte store publishes, the table is the commit record, a dead writer's
 * segment is rebuilt by the next lock holder).
 *
 * <h2>Fixing what Chronicle Map's users complain of</h2>
 * <ul>
 *   <li>Sizing: the expected size only sizes the first region; tables rebuild larger and the file grows
 *       by regions (up to 64, each at least an eighth of the map), no "extra tier" limit.</li>
 *   <li>Churn: freed blocks merge with their buddies, tables drop tombstones when they rebuild, and whole
 *       free chunks return to the pool for any segment: capacity is not lost.</li>
 *   <li>Crashed lock holders: the segment locks are {@link io.bingfa.shm.ShmMutex}es (owner pid and start
 *       time; a waiter takes over from a dead owner within 100 ms) and the next holder repairs the segment
 *       online.</li>
 *   <li>JDK upgrades: only the public FFM API ({@link MemorySegment}, {@link java.lang.invoke.VarHandle}).</li>
 * </ul>
 *
 * <h2>Lifecycle and threads</h2>
 * <pre>
 *   create / open / openOrCreate -&gt; OPEN -&gt; close() -&gt; CLOSED (unmapped in this JVM; the file stays)
 * </pre>
 * Every method may be called from any thread of any process that opened the file. Closing while other
 * threads of this JVM still use the map makes their calls fail with {@link IllegalStateException} (the
 * FFM shared arena's rule), never crash; {@link Unmap#BY_GC} leaves unmapping to the garbage collector
 * instead, for maps handed to code whose last use cannot be known (a reloaded generation). Keys are 1 to
 * {@code maxKeySize} bytes (at most {@value SharedMapOptions#MAX_KEY_SIZE}), values 0 to
 * {@code maxValueSize}; the update function runs under the segment lock and must not call the map.
 */
public final class SharedMap implements AutoCloseable {

    /** Who unmaps the file's memory in this JVM. */
    public enum Unmap {
        /** {@link #close()} unmaps at once (a shared arena). */
        ON_CLOSE,
        /** The memory is unmapped when the map becomes unreachable (an automatic arena); close() only closes the file. */
        BY_GC
    }

    private final MapFile file;
    private final Segment[] segments;
    private final int segmentCount;
    private final int maxKey;
    private final int maxValue;

    private SharedMap(final MapFile file) {
        this.file = file;
        this.segmentCount = file.segments;
        this.maxKey = file.maxKeySize;
        this.maxValue = file.maxValueSize;
        final ChunkPool pool = new ChunkPool(file);
        this.segments = new Segment[segmentCount];
        for (int s = 0; s < segmentCount; s++) {
            segments[s] = new Segment(file, pool, s);
        }
    }

    // ================================================================== opening

    /**
     * Creates the map file {@code file}.
     *
     * @throws SharedMapExistsException if the file exists
     * @throws SharedMapFullException if the file system has no room for the initial size
     */
    public static SharedMap create(final Path file, final SharedMapOptions options) {
        return create(file, options, Unmap.ON_CLOSE);
    }

    public static SharedMap create(final Path file, final SharedMapOptions options, final Unmap unmap) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(unmap, "unmap");
        return new SharedMap(MapFile.create(file, options, unmap == Unmap.BY_GC));
    }

    /**
     * Maps the existing map file {@code file} (waiting up to 2 s for a concurrent creator to finish it).
     *
     * @throws SharedMapFormatException if it is not a shared map of this version, or truncated or corrupt
     * @throws java.io.UncheckedIOException if it does not exist or cannot be read
     */
    public static SharedMap open(final Path file) {
        return open(file, Unmap.ON_CLOSE);
    }

    public static SharedMap open(final Path file, final Unmap unmap) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(unmap, "unmap");
        return new SharedMap(MapFile.open(file, unmap == Unmap.BY_GC));
    }

    /** Opens {@code file}, creating it with {@code options} if it does not exist (one creator wins a race). */
    public static SharedMap openOrCreate(final Path file, final SharedMapOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        if (!Files.exists(file)) {
            try {
                return create(file, options);
            } catch (SharedMapExistsException e) {
                // another process created it first: open theirs
            }
        }
        return open(file);
    }

    /** Where map files go by default: {@code /dev/shm} (RAM) when it exists, else {@code java.io.tmpdir}. */
    public static Path defaultDirectory() {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    // ================================================================== reads (lock-free)

    /** The value of {@code key}, a fresh array, or {@code null} when absent. */
    public byte[] get(final byte[] key) {
        checkKey(key);
        final long hash = KeyHash.hash(key);
        final Segment segment = segmentFor(hash);
        for (int attempt = 0; attempt < Segment.OPTIMISTIC_ATTEMPTS; attempt++) {
            final long epoch = segment.lvEpoch();
            final long ref = segment.probe(hash, key, null, key.length);
            byte[] out = null;
            if (ref > 0) {
                final int length = segment.valueLength(ref);
                if (length >= 0) {
                    out = new byte[length];
                    MemorySegment.copy(segment.regionOf(ref), ValueLayout.JAVA_BYTE, segment.valueOffset(ref), out, 0, length);
                }
            }
            ShmAccess.loadLoadFence();
            if (segment.lvEpoch() == epoch && ref != Segment.INVALID && (ref == Segment.ABSENT || out != null)) {
                return out;
            }
        }
        return segment.lockedGet(hash, MemorySegment.ofArray(key));
    }

    /**
     * Copies the value of {@code key} into {@code dst} at its position and advances the position; nothing
     * is allocated. Returns the value's length, or -1 when absent; when {@code dst.remaining()} is less than
     * the length, copies nothing and returns the length (so the caller can retry with a larger buffer).
     */
    public int get(final byte[] key, final ByteBuffer dst) {
        checkKey(key);
        Objects.requireNonNull(dst, "dst");
        final long hash = KeyHash.hash(key);
        final Segment segment = segmentFor(hash);
        for (int attempt = 0; attempt < Segment.OPTIMISTIC_ATTEMPTS; attempt++) {
            final long epoch = segment.lvEpoch();
            final long ref = segment.probe(hash, key, null, key.length);
            int length = -1;
            if (ref > 0) {
                length = segment.valueLength(ref);
                if (length >= 0 && length <= dst.remaining()) {
                    Segment.copyInto(segment.regionOf(ref), segment.valueOffset(ref), dst, length);
                }
            }
            ShmAccess.loadLoadFence();
            if (segment.lvEpoch() == epoch && ref != Segment.INVALID && (ref == Segment.ABSENT || length >= 0)) {
                if (ref == Segment.ABSENT) {
                    return -1;
                }
                if (length <= dst.remaining()) {
                    dst.position(dst.position() + length);
                }
                return length;
            }
        }
        final byte[] value = segment.lockedGet(hash, MemorySegment.ofArray(key));
        if (value == null) {
            return -1;
        }
        if (value.length <= dst.remaining()) {
            dst.put(value);
        }
        return value.length;
    }

    /**
     * Copies the value of the key held in {@code key} into {@code dst} from offset 0. Returns the value's
     * length or -1 when absent; when {@code dst} is smaller than the value, copies nothing and returns the
     * length.
     */
    public long get(final MemorySegment key, final MemorySegment dst) {
        checkKey(key);
        Objects.requireNonNull(dst, "dst");
        final int keyLength = (int) key.byteSize();
        final long hash = KeyHash.hash(key, 0, keyLength);
        final Segment segment = segmentFor(hash);
        for (int attempt = 0; attempt < Segment.OPTIMISTIC_ATTEMPTS; attempt++) {
            final long epoch = segment.lvEpoch();
            final long ref = segment.probe(hash, null, key, keyLength);
            int length = -1;
            if (ref > 0) {
                length = segment.valueLength(ref);
                if (length >= 0 && length <= dst.byteSize()) {
                    MemorySegment.copy(segment.regionOf(ref), segment.valueOffset(ref), dst, 0, length);
                }
            }
            ShmAccess.loadLoadFence();
            if (segment.lvEpoch() == epoch && ref != Segment.INVALID && (ref == Segment.ABSENT || length >= 0)) {
                return ref == Segment.ABSENT ? -1 : length;
            }
        }
        final byte[] value = segment.lockedGet(hash, key);
        if (value == null) {
            return -1;
        }
        if (value.length <= dst.byteSize()) {
            MemorySegment.copy(MemorySegment.ofArray(value), 0, dst, 0, value.length);
        }
        return value.length;
    }

    public boolean containsKey(final byte[] key) {
        checkKey(key);
        final long hash = KeyHash.hash(key);
        final Segment segment = segmentFor(hash);
        for (int attempt = 0; attempt < Segment.OPTIMISTIC_ATTEMPTS; attempt++) {
            final long epoch = segment.lvEpoch();
            final long ref = segment.probe(hash, key, null, key.length);
            ShmAccess.loadLoadFence();
            if (segment.lvEpoch() == epoch && ref != Segment.INVALID) {
                return ref != Segment.ABSENT;
            }
        }
        return segment.lockedGet(hash, MemorySegment.ofArray(key)) != null;
    }

    // ================================================================== writes (segment lock)

    /** Maps {@code key} to {@code value}, replacing any value. */
    public void put(final byte[] key, final byte[] value) {
        checkKey(key);
        checkValue(value, "value");
        final long hash = KeyHash.hash(key);
        segmentFor(hash).write(hash, MemorySegment.ofArray(key), MemorySegment.ofArray(value), Segment.Mode.PUT, null);
    }

    /** Maps the key bytes in {@code key} to the value bytes in {@code value} (both copied). */
    public void put(final MemorySegment key, final MemorySegment value) {
        checkKey(key);
        Objects.requireNonNull(value, "value");
        if (value.byteSize() > maxValue) {
            throw new IllegalArgumentException("value length must be at most " + maxValue + " bytes, was " + value.byteSize());
        }
        final long hash = KeyHash.hash(key, 0, (int) key.byteSize());
        segmentFor(hash).write(hash, key, value, Segment.Mode.PUT, null);
    }

    /** Maps {@code key} to {@code value} unless it is present; {@code true} when it inserted. */
    public boolean putIfAbsent(final byte[] key, final byte[] value) {
        checkKey(key);
        checkValue(value, "value");
        final long hash = KeyHash.hash(key);
        return segmentFor(hash).write(hash, MemorySegment.ofArray(key), MemorySegment.ofArray(value), Segment.Mode.IF_ABSENT, null);
    }

    /** Replaces the value of {@code key} by {@code value} if it is exactly {@code expected}; {@code true} if it did. */
    public boolean replace(final byte[] key, final byte[] expected, final byte[] value) {
        checkKey(key);
        checkValue(expected, "expected");
        checkValue(value, "value");
        final long hash = KeyHash.hash(key);
        return segmentFor(hash).write(hash, MemorySegment.ofArray(key), MemorySegment.ofArray(value), Segment.Mode.REPLACE,
                MemorySegment.ofArray(expected));
    }

    /** Replaces the value of {@code key} if it is present; {@code true} if it did. */
    public boolean replace(final byte[] key, final byte[] value) {
        checkKey(key);
        checkValue(value, "value");
        final long hash = KeyHash.hash(key);
        return segmentFor(hash).write(hash, MemorySegment.ofArray(key), MemorySegment.ofArray(value), Segment.Mode.REPLACE, null);
    }

    /** Removes {@code key}; {@code true} if it was present. */
    public boolean remove(final byte[] key) {
        checkKey(key);
        final long hash = KeyHash.hash(key);
        return segmentFor(hash).remove(hash, MemorySegment.ofArray(key));
    }

    /**
     * Atomically (under the key's segment lock, against every process) replaces the value of {@code key} by
     * {@code fn(current)}; {@code fn} gets {@code null} when absent, and returning {@code null} removes the
     * key. Returns the new value. {@code fn} must be quick and must not call this map.
     */
    public byte[] update(final byte[] key, final UnaryOperator<byte[]> fn) {
        checkKey(key);
        Objects.requireNonNull(fn, "fn");
        final long hash = KeyHash.hash(key);
        return segmentFor(hash).update(hash, MemorySegment.ofArray(key), fn, maxKey);
    }

    // ================================================================== whole-map views

    /** Entries in the map (a sum of per-segment counts, exact when no writer runs). */
    public long size() {
        long n = 0;
        for (final Segment s : segments) {
            n += s.entries();
        }
        return n;
    }

    /**
     * Calls {@code action} with a copy of every entry, segment by segment: each segment's entries are a
     * consistent snapshot taken under its lock, the map as a whole is weakly consistent (like
     * {@link java.util.concurrent.ConcurrentHashMap}). The action runs without any lock held.
     */
    public void forEach(final BiConsumer<byte[], byte[]> action) {
        Objects.requireNonNull(action, "action");
        for (final Segment s : segments) {
            for (final Map.Entry<byte[], byte[]> e : s.snapshot()) {
                action.accept(e.getKey(), e.getValue());
            }
        }
    }

    /** How the map uses its file (see {@link SharedMapStats}). */
    public SharedMapStats stats() {
        final int minOrder = MapLayout.MIN_ORDER;
        final int chunkOrder = file.chunkOrder;
        final long[] free = new long[chunkOrder - minOrder + 1];
        long entries = 0;
        long bytesUsed = 0;
        long tableChunks = 0;
        long dataChunks = 0;
        long tombstones = 0;
        long recoveries = 0;
        for (final Segment s : segments) {
            entries += s.entries();
            bytesUsed += s.bytesUsed();
            tableChunks += s.tableChunks();
            dataChunks += s.dataChunks();
            tombstones += s.tombstones();
            recoveries += s.recoveries();
            for (int k = minOrder; k <= chunkOrder; k++) {
                free[k - minOrder] += s.freeBlocks(k);
            }
        }
        long segmentFree = 0;
        for (int k = minOrder; k <= chunkOrder; k++) {
            segmentFree += free[k - minOrder] << k;
        }
        final long wholeChunksFree = free[chunkOrder - minOrder] << chunkOrder;
        final long poolFree = new ChunkPool(file).freeChunks() << chunkOrder;
        final double fragmentation = dataChunks == 0 ? 0.0
                : (double) Math.max(0, segmentFree - wholeChunksFree) / ((double) dataChunks * file.chunkBytes);
        final List<Long> perOrder = new ArrayList<>(free.length);
        for (final long f : free) {
            perOrder.add(f);
        }
        return new SharedMapStats(entries, bytesUsed, tableChunks << chunkOrder, file.fileBytes(), segmentFree + poolFree,
                fragmentation, perOrder, minOrder, file.chunkBytes, segmentCount, file.regionCount(), tombstones,
                recoveries);
    }

    /** A typed view: keys and values go through the codecs (only their bytes are stored, not the codec type). */
    public <K, V> TypedSharedMap<K, V> typed(final ShmCodec<K> keys, final ShmCodec<V> values) {
        return new TypedSharedMap<>(this, Objects.requireNonNull(keys, "keys"), Objects.requireNonNull(values, "values"));
    }

    /** The map's file. */
    public Path file() {
        return file.path;
    }

    /** The longest key this map accepts. */
    public int maxKeySize() {
        return maxKey;
    }

    /** The longest value this map accepts. */
    public int maxValueSize() {
        return maxValue;
    }

    /** Who created the file, where and when ("pid 123 on host at 2025-...Z"). */
    public String creator() {
        return file.creator();
    }

    /**
     * Unmaps the file in this JVM (with {@link Unmap#BY_GC}: closes the file and leaves unmapping to the
     * GC). Idempotent; the file and other processes' mappings stay.
     */
    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "SharedMap[" + file.path + ", " + size() + " entries" + (file.isOpen() ? "" : ", closed") + "]";
    }

    // ================================================================== internals

    private Segment segmentFor(final long hash) {
        return segments[(int) (((hash >>> 32) * segmentCount) >>> 32)];
    }

    private void checkKey(final byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length == 0 || key.length > maxKey) {
            throw new IllegalArgumentException("key length must be 1 to " + maxKey + " bytes, was " + key.length);
        }
    }

    private void checkKey(final MemorySegment key) {
        Objects.requireNonNull(key, "key");
        if (key.byteSize() == 0 || key.byteSize() > maxKey) {
            throw new IllegalArgumentException("key length must be 1 to " + maxKey + " bytes, was " + key.byteSize());
        }
    }

    private void checkValue(final byte[] value, final String name) {
        Objects.requireNonNull(value, name);
        if (value.length > maxValue) {
            throw new IllegalArgumentException(name + " length must be at most " + maxValue + " bytes, was " + value.length);
        }
    }

    /**
     * Checks the map's invariants segment by segment, under each segment's lock (repairing a segment whose
     * writer died first): the index finds every entry, the counters match, the buddy allocator's free
     * lists are well linked and, with the entries, cover the segment's chunks exactly.
     *
     * @return the problems found; empty when the map is consistent
     */
    public List<String> verify() {
        final List<String> problems = new ArrayList<>();
        for (final Segment s : segments) {
            problems.addAll(s.verify());
        }
        return problems;
    }

    /** Segments whose lock some thread of some process holds now (a snapshot; 0 when the map is idle). */
    public int lockedSegments() {
        int n = 0;
        for (final Segment s : segments) {
            if (s.isLocked()) {
                n++;
            }
        }
        return n;
    }

}
