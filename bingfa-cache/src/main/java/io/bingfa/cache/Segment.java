package io.bingfa.cache;

import io.bingfa.shm.ShmAccess;
import io.bingfa.shm.ShmMutex;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lock segment of a {@link SharedMap}: an open-addressing hash table of 8-byte slots, a
 * {@link BuddyAllocator} for its entry blocks, and a robust {@link ShmMutex} that every writer takes.
 *
 * <h2>The index</h2>
 * Linear probing over a table of {@code chunks * C / 8} slots, a run of contiguous chunks; the home slot
 * is {@code (low32(hash) * capacity) >>> 32} (Lemire's fast range, so the capacity need not be a power of
 * two and the table can be sized close to its target load). A slot holds 24 more hash bits (the tag) and
 * the block reference, so a probe reads an entry block only when 24 bits already match: a miss costs one
 * or two cache lines of slots. Removal writes a tombstone (one store; probes continue past it), or empties
 * the slot, and the tombstones before it, when the next slot is empty (no probe can need them then).
 * Linear probing was chosen over buckets or cuckoo hashing because every change is then a single 8-byte
 * store that a lock-free reader sees either before or after, never half-done. When entries plus
 * tombstones pass 7/8 of the slots, the table is rebuilt copy-on-write into a fresh run sized for a load
 * of 1/2 and published by one store of the table word; the old run goes back to the pool.
 *
 * <h2>Readers (no lock)</h2>
 * An entry block is never changed once published: an overwrite writes a new block and swaps the slot.
 * Memory a reader may be looking at changes only when it is freed (a block, or an old table), and a writer
 * increments the segment's <em>epoch</em> (a full fence) before freeing anything. A reader reads the epoch
 * (acquire), the table word, the slots (acquire) and the block, copies the value into the caller's
 * buffer, then reads the epoch again: the same value proves the copy came from memory nobody reused, so no
 * value is ever torn. Otherwise it retries; after {@value #OPTIMISTIC_ATTEMPTS} failed attempts it reads
 * under the lock. A reader never waits for a writer (there is no "write in progress" state), so a writer
 * killed mid-put cannot stall readers. Reads of possibly reused memory are bounds-checked so garbage
 * never throws, only fails validation.
 *
 * <h2>Writers (segment lock)</h2>
 * <pre>
 *   insert:    allocate block, write header+key+value, store slot (release)          [count++]
 *   overwrite: allocate, write, store slot (release), epoch++, free old block
 *   remove:    store tombstone/empty (release), epoch++, free block                   [count--]
 *   resize:    take run, fill it, store table word (release), epoch++, release old run
 * </pre>
 * Every step that readers can see is one 8-byte store, so the table is consistent at every instant, and
 * a writer killed at any point leaves it so. What it can leave behind is allocator state: lists half
 * linked, a block allocated and never published, a block unlinked and never freed, an unpublished table
 * run. The lock tells the next holder ({@link ShmMutex.Guard#ownerDied()}), which calls
 * {@link #recover}: bump the epoch, release table runs marked for this segment other than the live one,
 * recount entries, tombstones and bytes from the table, and rebuild the free lists from the blocks the
 * table references ({@link BuddyAllocator#rebuild}). This replaces an undo log: the table is the commit
 * record. Lock order: segment, then pool.
 */
final class Segment {

    private static final Logger LOG = LoggerFactory.getLogger(Segment.class);

    static final int OPTIMISTIC_ATTEMPTS = 64;
    /** A table is rebuilt when entries plus tombstones exceed 7/8 of its slots... */
    private static final double MAX_LOAD = 0.875;
    /** ...into a table where the entries fill half of the slots. */
    private static final double REBUILD_LOAD = 0.5;
    /** Internal results of an optimistic read. */
    static final long ABSENT = 0L;
    static final long INVALID = -1L;

    private final MapFile file;
    private final ChunkPool pool;
    private final int index;
    private final MemorySegment header;
    private final ShmMutex lock;
    private final BuddyAllocator allocator;
    private final int slotsPerChunkShift;
    private final int maxValue;

    Segment(final MapFile file, final ChunkPool pool, final int index) {
        this.file = file;
        this.pool = pool;
        this.index = index;
        this.header = file.segmentHeader(index);
        this.lock = file.segmentLock(index);
        this.allocator = new BuddyAllocator(file, pool, header, index);
        this.slotsPerChunkShift = file.chunkOrder - 3;
        this.maxValue = file.maxValueSize;
    }

    // ================================================================== lock-free reads

    long lvEpoch() {
        return ShmAccess.laLong(header, MapLayout.SEG_EPOCH);
    }

    /**
     * Probes for a key given as an array ({@code arrayKey}) or a segment ({@code segmentKey}, the other
     * null): the entry block's reference, {@link #ABSENT}, or {@link #INVALID} when the memory read cannot
     * be trusted. The caller validates the epoch.
     */
    long probe(final long hash, final byte[] arrayKey, final MemorySegment segmentKey, final int keyLength) {
        final long word = ShmAccess.laLong(header, MapLayout.SEG_TABLE); // racy read: validated by the epoch
        final long tableRef = BlockLayout.tableRef(word);
        final long capacity = BlockLayout.tableChunks(word) << slotsPerChunkShift;
        final MemorySegment table = file.region(BlockLayout.region(tableRef));
        if (table == null || capacity == 0) {
            return INVALID;
        }
        final long base = BlockLayout.offset(tableRef);
        final int tag = (int) (hash >>> 32) & BlockLayout.TAG_MASK;
        long i = ((hash & 0xFFFF_FFFFL) * capacity) >>> 32;
        for (long n = 0; n < capacity; n++) {
            final long slot = ShmAccess.laLong(table, base + (i << 3));
            if (slot == BlockLayout.EMPTY) {
                return ABSENT;
            }
            if (BlockLayout.slotTag(slot) == tag && BlockLayout.isLive(slot)) {
                final long ref = BlockLayout.slotRef(slot);
                final MemorySegment region = file.region(BlockLayout.region(ref));
                if (region == null) {
                    return INVALID;
                }
                final long offset = BlockLayout.offset(ref);
                if (offset + BlockLayout.HEADER_BYTES + keyLength > region.byteSize()) {
                    return INVALID;
                }
                final long h = ShmAccess.lpLong(region, offset);
                if (BlockLayout.isUsed(h) && BlockLayout.keyLength(h) == keyLength
                        && (arrayKey != null ? KeyHash.equals(region, offset + BlockLayout.HEADER_BYTES, arrayKey)
                                : KeyHash.equals(region, offset + BlockLayout.HEADER_BYTES, segmentKey))) {
                    return ref;
                }
            }
            if (++i == capacity) {
                i = 0;
            }
        }
        return ABSENT;
    }

    /**
     * The value length of the entry block {@code ref}, or -1 if its header cannot be trusted (checked
     * against the region's bounds so that a reused block never makes a copy throw).
     */
    int valueLength(final long ref) {
        final MemorySegment region = file.region(BlockLayout.region(ref));
        final long offset = BlockLayout.offset(ref);
        final long h = ShmAccess.lpLong(region, offset);
        final int length = BlockLayout.valueLength(h);
        if (!BlockLayout.isUsed(h) || length < 0 || length > maxValue
                || offset + BlockLayout.HEADER_BYTES + BlockLayout.keyLength(h) + length > region.byteSize()) {
            return -1;
        }
        return length;
    }

    /** Where the value of the entry block {@code ref} starts in its region. */
    long valueOffset(final long ref) {
        final MemorySegment region = file.region(BlockLayout.region(ref));
        final long offset = BlockLayout.offset(ref);
        return offset + BlockLayout.HEADER_BYTES + BlockLayout.keyLength(ShmAccess.lpLong(region, offset));
    }

    MemorySegment regionOf(final long ref) {
        return file.region(BlockLayout.region(ref));
    }

    // ================================================================== locked operations

    /** What {@link #write} does. */
    enum Mode { PUT, IF_ABSENT, REPLACE }

    /**
     * Writes {@code key -> value} under the lock. PUT always; IF_ABSENT only when absent; REPLACE only when
     * present and (if {@code expected} is not null) holding exactly {@code expected}.
     *
     * @return {@code true} if it wrote
     */
    boolean write(final long hash, final MemorySegment key, final MemorySegment value, final Mode mode,
                  final MemorySegment expected) {
        try (ShmMutex.Guard _ = lockSegment()) {
            final long i = locate(hash, key);
            if (i >= 0) {
                if (mode == Mode.IF_ABSENT) {
                    return false;
                }
                if (expected != null && !valueEquals(slotAt(i), expected)) {
                    return false;
                }
                overwrite(i, hash, key, value);
                return true;
            }
            if (mode == Mode.REPLACE) {
                return false;
            }
            insert(hash, key, value);
            return true;
        }
    }

    boolean remove(final long hash, final MemorySegment key) {
        try (ShmMutex.Guard _ = lockSegment()) {
            final long i = locate(hash, key);
            if (i < 0) {
                return false;
            }
            removeAt(i);
            return true;
        }
    }

    byte[] update(final long hash, final MemorySegment key, final UnaryOperator<byte[]> fn, final int maxKey) {
        try (ShmMutex.Guard _ = lockSegment()) {
            final long i = locate(hash, key);
            final byte[] current = i >= 0 ? copyValue(BlockLayout.slotRef(slotAt(i))) : null;
            final byte[] next = fn.apply(current);
            if (next == null) {
                if (i >= 0) {
                    removeAt(i);
                }
                return null;
            }
            if (next.length > maxValue) {
                throw new IllegalArgumentException("value length must be at most " + maxValue + " bytes, the update "
                        + "function returned " + next.length);
            }
            final MemorySegment value = MemorySegment.ofArray(next);
            if (i >= 0) {
                overwrite(i, hash, key, value);
            } else {
                insert(hash, key, value);
            }
            return next;
        }
    }

    /** A read under the lock, for readers that kept failing validation. */
    byte[] lockedGet(final long hash, final MemorySegment key) {
        try (ShmMutex.Guard _ = lockSegment()) {
            final long i = locate(hash, key);
            return i < 0 ? null : copyValue(BlockLayout.slotRef(slotAt(i)));
        }
    }

    /** Copies every entry of this segment, under the lock (a consistent snapshot of the segment). */
    List<Map.Entry<byte[], byte[]>> snapshot() {
        try (ShmMutex.Guard _ = lockSegment()) {
            final long word = ShmAccess.lpLong(header, MapLayout.SEG_TABLE);
            final MemorySegment table = file.region(BlockLayout.region(BlockLayout.tableRef(word)));
            final long base = BlockLayout.offset(BlockLayout.tableRef(word));
            final long capacity = BlockLayout.tableChunks(word) << slotsPerChunkShift;
            final List<Map.Entry<byte[], byte[]>> entries = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8,
                    ShmAccess.lpLong(header, MapLayout.SEG_ENTRIES)));
            for (long i = 0; i < capacity; i++) {
                final long slot = ShmAccess.lpLong(table, base + (i << 3));
                if (BlockLayout.isLive(slot)) {
                    final long ref = BlockLayout.slotRef(slot);
                    final MemorySegment region = file.region(BlockLayout.region(ref));
                    final long offset = BlockLayout.offset(ref);
                    final int keyLength = BlockLayout.keyLength(ShmAccess.lpLong(region, offset));
                    final byte[] k = region.asSlice(offset + BlockLayout.HEADER_BYTES, keyLength).toArray(ValueLayout.JAVA_BYTE);
                    entries.add(Map.entry(k, copyValue(ref)));
                }
            }
            return entries;
        }
    }

    // ------------------------------------------------------------------ locked internals

    private ShmMutex.Guard lockSegment() {
        final ShmMutex.Guard g = lock.lock();
        if (g.ownerDied()) {
            try {
                recover();
            } catch (RuntimeException | Error e) {
                g.close();
                throw e;
            }
            g.markConsistent();
        }
        return g;
    }

    /** The slot index holding {@code key}, or -1. Lock held. */
    private long locate(final long hash, final MemorySegment key) {
        final long word = ShmAccess.lpLong(header, MapLayout.SEG_TABLE);
        final MemorySegment table = file.region(BlockLayout.region(BlockLayout.tableRef(word)));
        final long base = BlockLayout.offset(BlockLayout.tableRef(word));
        final long capacity = BlockLayout.tableChunks(word) << slotsPerChunkShift;
        final int tag = (int) (hash >>> 32) & BlockLayout.TAG_MASK;
        final int keyLength = (int) key.byteSize();
        long i = ((hash & 0xFFFF_FFFFL) * capacity) >>> 32;
        for (long n = 0; n < capacity; n++) {
            final long slot = ShmAccess.lpLong(table, base + (i << 3));
            if (slot == BlockLayout.EMPTY) {
                return -1;
            }
            if (BlockLayout.slotTag(slot) == tag && BlockLayout.isLive(slot)) {
                final long ref = BlockLayout.slotRef(slot);
                final MemorySegment region = file.region(BlockLayout.region(ref));
                final long offset = BlockLayout.offset(ref);
                final long h = ShmAccess.lpLong(region, offset);
                if (BlockLayout.keyLength(h) == keyLength && KeyHash.equals(region, offset + BlockLayout.HEADER_BYTES, key)) {
                    return i;
                }
            }
            if (++i == capacity) {
                i = 0;
            }
        }
        return -1;
    }

    private MemorySegment table() {
        return file.region(BlockLayout.region(BlockLayout.tableRef(ShmAccess.lpLong(header, MapLayout.SEG_TABLE))));
    }

    private long tableBase() {
        return BlockLayout.offset(BlockLayout.tableRef(ShmAccess.lpLong(header, MapLayout.SEG_TABLE)));
    }

    private long capacity() {
        return BlockLayout.tableChunks(ShmAccess.lpLong(header, MapLayout.SEG_TABLE)) << slotsPerChunkShift;
    }

    private long slotAt(final long i) {
        return ShmAccess.lpLong(table(), tableBase() + (i << 3));
    }

    private void storeSlot(final long i, final long slot) {
        ShmAccess.soLong(table(), tableBase() + (i << 3), slot);
    }

    private void overwrite(final long i, final long hash, final MemorySegment key, final MemorySegment value) {
        final long old = BlockLayout.slotRef(slotAt(i));
        final long ref = writeBlock(key, value);
        storeSlot(i, BlockLayout.slot((int) (hash >>> 32) & BlockLayout.TAG_MASK, ref));
        bumpEpoch();
        freeBlock(old);
    }

    private void insert(final long hash, final MemorySegment key, final MemorySegment value) {
        ensureRoom();
        final long ref = writeBlock(key, value);
        final long capacity = capacity();
        long i = ((hash & 0xFFFF_FFFFL) * capacity) >>> 32;
        long slot = slotAt(i);
        while (BlockLayout.isLive(slot)) {
            if (++i == capacity) {
                i = 0;
            }
            slot = slotAt(i);
        }
        storeSlot(i, BlockLayout.slot((int) (hash >>> 32) & BlockLayout.TAG_MASK, ref));
        addTo(MapLayout.SEG_ENTRIES, 1);
        if (slot == BlockLayout.TOMBSTONE) {
            addTo(MapLayout.SEG_TOMBSTONES, -1);
        }
    }

    private void removeAt(final long i) {
        final long ref = BlockLayout.slotRef(slotAt(i));
        final long capacity = capacity();
        if (slotAt(i + 1 == capacity ? 0 : i + 1) == BlockLayout.EMPTY) {
            storeSlot(i, BlockLayout.EMPTY); // no probe passes this slot: see the class comment
            long j = i == 0 ? capacity - 1 : i - 1;
            while (slotAt(j) == BlockLayout.TOMBSTONE) {
                storeSlot(j, BlockLayout.EMPTY);
                addTo(MapLayout.SEG_TOMBSTONES, -1);
                j = j == 0 ? capacity - 1 : j - 1;
            }
        } else {
            storeSlot(i, BlockLayout.TOMBSTONE);
            addTo(MapLayout.SEG_TOMBSTONES, 1);
        }
        addTo(MapLayout.SEG_ENTRIES, -1);
        bumpEpoch();
        freeBlock(ref);
    }

    /** Allocates and fills an entry block; nothing is published yet. */
    private long writeBlock(final MemorySegment key, final MemorySegment value) {
        final int keyLength = (int) key.byteSize();
        final int valueLength = (int) value.byteSize();
        final int order = BlockLayout.orderFor(keyLength, valueLength);
        final long ref = allocator.allocate(order);
        final MemorySegment region = file.region(BlockLayout.region(ref));
        final long offset = BlockLayout.offset(ref);
        ShmAccess.spLong(region, offset, BlockLayout.usedHeader(order, keyLength, valueLength));
        MemorySegment.copy(key, 0, region, offset + BlockLayout.HEADER_BYTES, keyLength);
        MemorySegment.copy(value, 0, region, offset + BlockLayout.HEADER_BYTES + keyLength, valueLength);
        addTo(MapLayout.SEG_BYTES_USED, 1L << order);
        return ref;
    }

    private void freeBlock(final long ref) {
        final int order = BlockLayout.order(ShmAccess.lpLong(file.region(BlockLayout.region(ref)), BlockLayout.offset(ref)));
        addTo(MapLayout.SEG_BYTES_USED, -(1L << order));
        allocator.free(ref, order);
    }

    private void ensureRoom() {
        final long capacity = capacity();
        final long entries = ShmAccess.lpLong(header, MapLayout.SEG_ENTRIES);
        final long used = entries + ShmAccess.lpLong(header, MapLayout.SEG_TOMBSTONES) + 1;
        if (used <= (long) (capacity * MAX_LOAD)) {
            return;
        }
        final long slotsPerChunk = 1L << slotsPerChunkShift;
        final long chunks = Math.max(1, (long) Math.ceil((entries + 1) / REBUILD_LOAD / slotsPerChunk));
        if (chunks > BlockLayout.MAX_TABLE_CHUNKS || (chunks << slotsPerChunkShift) > (1L << 31)) {
            throw new SharedMapFullException(file.path, chunks << file.chunkOrder, "segment " + index
                    + " would need a hash table of more than 2^31 slots; create the map with more segments", null);
        }
        try {
            rebuildTable(chunks);
        } catch (SharedMapFullException e) {
            if (used >= capacity - 1) {
                throw e; // a table must keep one empty slot, so that every probe ends
            }
            // no room for a fresh table: keep filling this one past its target load; reads only probe longer
            LOG.debug("shared map {} segment {}: table rebuild deferred, no space: {}", file.path, index, e.getMessage());
        }
    }

    /** Copies the live slots into a fresh run of {@code chunks} chunks and publishes it. */
    private void rebuildTable(final long chunks) {
        final long oldWord = ShmAccess.lpLong(header, MapLayout.SEG_TABLE);
        final MemorySegment oldTable = table();
        final long oldBase = tableBase();
        final long oldCapacity = capacity();
        final long run = pool.takeTableRun(index, chunks);
        final MemorySegment table = file.region(BlockLayout.region(run));
        final long base = BlockLayout.offset(run);
        final long capacity = chunks << slotsPerChunkShift;
        table.asSlice(base, capacity << 3).fill((byte) 0);
        for (long i = 0; i < oldCapacity; i++) {
            final long slot = ShmAccess.lpLong(oldTable, oldBase + (i << 3));
            if (!BlockLayout.isLive(slot)) {
                continue;
            }
            final long ref = BlockLayout.slotRef(slot);
            final MemorySegment region = file.region(BlockLayout.region(ref));
            final long offset = BlockLayout.offset(ref);
            final long hash = KeyHash.hash(region, offset + BlockLayout.HEADER_BYTES,
                    BlockLayout.keyLength(ShmAccess.lpLong(region, offset)));
            long j = ((hash & 0xFFFF_FFFFL) * capacity) >>> 32;
            while (ShmAccess.lpLong(table, base + (j << 3)) != BlockLayout.EMPTY) {
                if (++j == capacity) {
                    j = 0;
                }
            }
            ShmAccess.spLong(table, base + (j << 3), slot);
        }
        ShmAccess.soLong(header, MapLayout.SEG_TABLE, BlockLayout.tableWord(run, chunks));
        ShmAccess.spLong(header, MapLayout.SEG_TOMBSTONES, 0L);
        bumpEpoch();
        pool.release(BlockLayout.tableRef(oldWord), BlockLayout.tableChunks(oldWord));
    }

    private boolean valueEquals(final long slot, final MemorySegment expected) {
        final long ref = BlockLayout.slotRef(slot);
        final MemorySegment region = file.region(BlockLayout.region(ref));
        final int length = BlockLayout.valueLength(ShmAccess.lpLong(region, BlockLayout.offset(ref)));
        final long at = valueOffset(ref);
        return length == expected.byteSize()
                && MemorySegment.mismatch(region, at, at + length, expected, 0, length) < 0;
    }

    private byte[] copyValue(final long ref) {
        final MemorySegment region = file.region(BlockLayout.region(ref));
        final int length = BlockLayout.valueLength(ShmAccess.lpLong(region, BlockLayout.offset(ref)));
        final byte[] out = new byte[length];
        MemorySegment.copy(region, ValueLayout.JAVA_BYTE, valueOffset(ref), out, 0, length);
        return out;
    }

    /** Copies the value of {@code ref} into {@code dst} at its position, without moving the position. */
    static void copyInto(final MemorySegment region, final long from, final ByteBuffer dst, final int length) {
        if (dst.hasArray()) {
            MemorySegment.copy(region, ValueLayout.JAVA_BYTE, from, dst.array(), dst.arrayOffset() + dst.position(), length);
        } else {
            MemorySegment.copy(region, from, MemorySegment.ofBuffer(dst), 0, length);
        }
    }

    private void bumpEpoch() {
        ShmAccess.gaaLong(header, MapLayout.SEG_EPOCH, 1); // a full fence: frees come after, readers see it
    }

    private void addTo(final long field, final long delta) {
        ShmAccess.svLong(header, field, ShmAccess.lpLong(header, field) + delta); // only the lock holder writes
    }

    // ------------------------------------------------------------------ recovery

    /** Rebuilds this segment's bookkeeping after a writer died holding its lock (see the class comment). */
    void recover() {
        bumpEpoch();
        final long word = ShmAccess.lpLong(header, MapLayout.SEG_TABLE);
        final long tableRef = BlockLayout.tableRef(word);
        final long tableChunks = BlockLayout.tableChunks(word);
        final int tableRegion = BlockLayout.region(tableRef);
        final long firstTableChunk = BlockLayout.offset(tableRef) >>> file.chunkOrder;
        final int regions = file.regionCount();
        for (int r = 0; r < regions; r++) {
            final long n = file.regionChunks(r);
            for (long c = file.metaChunks(r); c < n; c++) {
                final boolean live = r == tableRegion && c >= firstTableChunk && c < firstTableChunk + tableChunks;
                if (!live && file.chunkState(r, c) == (RegionLayout.TABLE | index)) {
                    pool.release(BlockLayout.ref(r, c << file.chunkOrder), 1); // an unpublished table run
                }
            }
        }
        final MemorySegment table = table();
        final long base = tableBase();
        final long capacity = capacity();
        long entries = 0;
        long tombstones = 0;
        long bytes = 0;
        long[] live = new long[1024];
        int[] orders = new int[1024];
        for (long i = 0; i < capacity; i++) {
            final long slot = ShmAccess.lpLong(table, base + (i << 3));
            if (slot == BlockLayout.TOMBSTONE) {
                tombstones++;
            } else if (BlockLayout.isLive(slot)) {
                final long ref = BlockLayout.slotRef(slot);
                final long h = ShmAccess.lpLong(file.region(BlockLayout.region(ref)), BlockLayout.offset(ref));
                if (!BlockLayout.isUsed(h)) {
                    LOG.error("shared map {} segment {}: slot {} points to a block without an entry header; dropped",
                            file.path, index, i);
                    ShmAccess.soLong(table, base + (i << 3), BlockLayout.TOMBSTONE);
                    tombstones++;
                    continue;
                }
                if (entries == live.length) {
                    live = java.util.Arrays.copyOf(live, live.length * 2);
                    orders = java.util.Arrays.copyOf(orders, orders.length * 2);
                }
                live[(int) entries] = ref;
                orders[(int) entries] = BlockLayout.order(h);
                entries++;
                bytes += 1L << BlockLayout.order(h);
            }
        }
        allocator.rebuild(live, orders, (int) entries);
        ShmAccess.svLong(header, MapLayout.SEG_ENTRIES, entries);
        ShmAccess.svLong(header, MapLayout.SEG_TOMBSTONES, tombstones);
        ShmAccess.svLong(header, MapLayout.SEG_BYTES_USED, bytes);
        addTo(MapLayout.SEG_RECOVERIES, 1);
        LOG.warn("shared map {}: a writer died holding segment {}; rebuilt it ({} entries)", file.path, index, entries);
    }

    // ------------------------------------------------------------------ checking

    /**
     * Checks this segment's invariants under its lock (repairing first if a writer died): every live slot
     * points to an entry block of this segment that its own key finds, the counters match the table, the
     * free lists are well linked, and entry blocks plus free blocks cover the data chunks exactly.
     *
     * @return the problems found, empty when consistent
     */
    List<String> verify() {
        final List<String> problems = new ArrayList<>();
        try (ShmMutex.Guard _ = lockSegment()) {
            final MemorySegment table = table();
            final long base = tableBase();
            final long capacity = capacity();
            long entries = 0;
            long tombstones = 0;
            long used = 0;
            for (long i = 0; i < capacity; i++) {
                final long slot = ShmAccess.lpLong(table, base + (i << 3));
                if (slot == BlockLayout.TOMBSTONE) {
                    tombstones++;
                } else if (BlockLayout.isLive(slot)) {
                    entries++;
                    final long ref = BlockLayout.slotRef(slot);
                    final MemorySegment region = file.region(BlockLayout.region(ref));
                    final long offset = BlockLayout.offset(ref);
                    final long h = ShmAccess.lpLong(region, offset);
                    if (!BlockLayout.isUsed(h)) {
                        problems.add("segment " + index + " slot " + i + ": block without an entry header");
                        continue;
                    }
                    used += 1L << BlockLayout.order(h);
                    final MemorySegment key = region.asSlice(offset + BlockLayout.HEADER_BYTES, BlockLayout.keyLength(h));
                    final long hash = KeyHash.hash(key, 0, (int) key.byteSize());
                    if (locate(hash, key) != i) {
                        problems.add("segment " + index + " slot " + i + ": its key does not find it");
                    }
                    if (file.chunkState(BlockLayout.region(ref), offset >>> file.chunkOrder) != (RegionLayout.DATA | index)) {
                        problems.add("segment " + index + " slot " + i + ": block in a chunk not owned by the segment");
                    }
                }
            }
            if (entries != ShmAccess.lpLong(header, MapLayout.SEG_ENTRIES)
                    || tombstones != ShmAccess.lpLong(header, MapLayout.SEG_TOMBSTONES)
                    || used != ShmAccess.lpLong(header, MapLayout.SEG_BYTES_USED)) {
                problems.add("segment " + index + ": counters (entries, tombstones, bytes) "
                        + ShmAccess.lpLong(header, MapLayout.SEG_ENTRIES) + ", " + ShmAccess.lpLong(header, MapLayout.SEG_TOMBSTONES)
                        + ", " + ShmAccess.lpLong(header, MapLayout.SEG_BYTES_USED) + " but the table has " + entries + ", "
                        + tombstones + ", " + used);
            }
            long free = 0;
            for (int k = MapLayout.MIN_ORDER; k <= file.chunkOrder; k++) {
                long prev = 0L;
                int n = 0;
                for (long b = ShmAccess.lpLong(header, MapLayout.freeHeadOffset(k)); b != 0L && n <= 1 << 26; n++) {
                    final MemorySegment region = file.region(BlockLayout.region(b));
                    final long h = ShmAccess.lpLong(region, BlockLayout.offset(b));
                    if (!BlockLayout.isFree(h) || BlockLayout.order(h) != k || BlockLayout.freePrev(h) != prev) {
                        problems.add("segment " + index + ": free list " + k + " broken at block " + b);
                        break;
                    }
                    free += 1L << k;
                    prev = b;
                    b = ShmAccess.lpLong(region, BlockLayout.offset(b) + BlockLayout.NEXT_OFFSET);
                }
                if (n != ShmAccess.lpInt(header, MapLayout.freeCountOffset(k))) {
                    problems.add("segment " + index + ": free list " + k + " has " + n + " blocks, its count says "
                            + ShmAccess.lpInt(header, MapLayout.freeCountOffset(k)));
                }
            }
            final long chunks = ShmAccess.lpLong(header, MapLayout.SEG_DATA_CHUNKS);
            if (used + free != chunks << file.chunkOrder) {
                problems.add("segment " + index + ": " + used + " used + " + free + " free bytes, but " + chunks
                        + " data chunks hold " + (chunks << file.chunkOrder));
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ statistics (racy reads)

    long entries() {
        return ShmAccess.lvLong(header, MapLayout.SEG_ENTRIES); // racy read: a snapshot
    }

    long tombstones() {
        return ShmAccess.lvLong(header, MapLayout.SEG_TOMBSTONES); // racy read: a snapshot
    }

    long bytesUsed() {
        return ShmAccess.lvLong(header, MapLayout.SEG_BYTES_USED); // racy read: a snapshot
    }

    long dataChunks() {
        return ShmAccess.lvLong(header, MapLayout.SEG_DATA_CHUNKS); // racy read: a snapshot
    }

    long recoveries() {
        return ShmAccess.lvLong(header, MapLayout.SEG_RECOVERIES); // racy read: a snapshot
    }

    long tableChunks() {
        return BlockLayout.tableChunks(ShmAccess.lvLong(header, MapLayout.SEG_TABLE)); // racy read: a snapshot
    }

    int freeBlocks(final int order) {
        return allocator.freeBlocks(order);
    }

    boolean isLocked() {
        return lock.isLocked();
    }
}
