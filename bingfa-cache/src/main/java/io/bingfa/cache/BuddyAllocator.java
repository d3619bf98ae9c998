package io.bingfa.cache;

import io.bingfa.shm.ShmAccess;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The buddy allocator of one segment: entry blocks of {@code 2^k} bytes, {@code 4 <= k <= chunkOrder},
 * carved out of the chunks the segment took from the {@link ChunkPool}.
 *
 * <h2>Algorithm (Knuth's buddy system, TAOCP vol. 1, 2.5)</h2>
 * A free list per order, doubly linked through the free blocks themselves ({@link BlockLayout}), heads
 * and counts in the segment header. {@link #allocate}: take a block from the smallest non-empty list of
 * order {@code >= k}, splitting it in halves and pushing each upper half on the list one order down until
 * it has order {@code k}; with every list empty, take a fresh chunk from the pool first. {@link #free}:
 * while the buddy (the block whose offset differs in bit {@code k} only; chunks are aligned to their size
 * inside a region, so flipping the bit never leaves the chunk) is free with the same order, unlink it and
 * merge; push the result. A fully merged chunk goes back to the pool when the segment already holds a
 * spare one, so remove/insert churn moves space between segments instead of stranding it.
 *
 * <p>Telling a free buddy from a used one needs no bitmap: the first word of every block that starts at a
 * given offset is a header, {@code 0xB5} for an entry block (written in the same critical section as the
 * allocation) and {@code 0xF7} plus the order for a free block. The aligned region {@code [b, b + 2^k)} is
 * either one free block of order {@code k} (header says so), or split, and then its first leaf's header
 * says used or a smaller order; it cannot be inside a larger block, which would contain the block being
 * freed too.
 *
 * <h2>Concurrency and crashes</h2>
 * Only the holder of the segment lock calls this class. Readers never follow free-list links. A writer that
 * dies mid-split or mid-merge leaves the lists inconsistent; the next lock holder calls {@link #rebuild}
 * with the blocks the hash table references: every other byte of the segment's chunks is free, and the
 * lists are recomputed by descending each chunk's buddy tree (a subtree with no live block is one free
 * block). Blocks a dead writer had allocated but not published are reclaimed that way.
 */
final class BuddyAllocator {

    private final MapFile file;
    private final ChunkPool pool;
    private final MemorySegment header;
    private final int segment;
    private final int chunkOrder;

    BuddyAllocator(final MapFile file, final ChunkPool pool, final MemorySegment header, final int segment) {
        this.file = file;
        this.pool = pool;
        this.header = header;
        this.segment = segment;
        this.chunkOrder = file.chunkOrder;
    }

    /**
     * A block of {@code 2^order} bytes; its header is the caller's to write, before it releases the lock.
     *
     * @throws SharedMapFullException if a chunk was needed and the file cannot grow
     */
    long allocate(final int order) {
        int k = order;
        long block = 0L;
        while (k <= chunkOrder) {
            block = lpHead(k);
            if (block != 0L) {
                unlink(block, k);
                break;
            }
            k++;
        }
        if (block == 0L) {
            block = pool.takeChunk(segment);
            ShmAccess.spLong(header, MapLayout.SEG_DATA_CHUNKS, ShmAccess.lpLong(header, MapLayout.SEG_DATA_CHUNKS) + 1);
            k = chunkOrder;
        }
        while (k > order) {
            k--;
            push(block + (1L << (k - BlockLayout.UNIT_SHIFT)), k);
        }
        return block;
    }

    /** Frees the block {@code ref} of {@code 2^order} bytes, merging it with free buddies. */
    void free(final long ref, final int order) {
        long block = ref;
        int k = order;
        while (k < chunkOrder) {
            final long buddy = block ^ (1L << (k - BlockLayout.UNIT_SHIFT));
            final long h = ShmAccess.lpLong(file.region(BlockLayout.region(buddy)), BlockLayout.offset(buddy));
            if (!BlockLayout.isFree(h) || BlockLayout.order(h) != k) {
                break;
            }
            unlink(buddy, k);
            block = Math.min(block, buddy);
            k++;
        }
        if (k == chunkOrder && lpCount(chunkOrder) > 0) {
            ShmAccess.spLong(header, MapLayout.SEG_DATA_CHUNKS, ShmAccess.lpLong(header, MapLayout.SEG_DATA_CHUNKS) - 1);
            pool.release(block, 1);
            return;
        }
        push(block, k);
    }

    /** Free blocks of order {@code k}. */
    int freeBlocks(final int k) {
        return ShmAccess.lvInt(header, MapLayout.freeCountOffset(k)); // racy read when called for stats
    }

    /**
     * Recomputes the free lists from scratch: {@code live} holds the references of every entry block the
     * table points to and {@code liveOrders} their orders (same index). Segment lock held.
     */
    void rebuild(final long[] live, final int[] liveOrders, final int liveCount) {
        for (int k = MapLayout.MIN_ORDER; k <= MapLayout.MAX_ORDER; k++) {
            ShmAccess.spLong(header, MapLayout.freeHeadOffset(k), 0L);
            ShmAccess.spInt(header, MapLayout.freeCountOffset(k), 0);
        }
        final long[] packed = new long[liveCount];
        for (int i = 0; i < liveCount; i++) {
            packed[i] = live[i];
        }
        Arrays.sort(packed);
        final java.util.Map<Long, Integer> orderOf = new java.util.HashMap<>(liveCount * 2);
        for (int i = 0; i < liveCount; i++) {
            orderOf.put(live[i], liveOrders[i]);
        }
        long chunks = 0;
        final int regions = file.regionCount();
        for (int r = 0; r < regions; r++) {
            final long n = file.regionChunks(r);
            for (long c = file.metaChunks(r); c < n; c++) {
                if (file.chunkState(r, c) == (RegionLayout.DATA | segment)) {
                    chunks++;
                    final long start = BlockLayout.ref(r, c << chunkOrder);
                    descend(start, chunkOrder, packed, orderOf);
                }
            }
        }
        ShmAccess.spLong(header, MapLayout.SEG_DATA_CHUNKS, chunks);
    }

    /** Pushes the free parts of the buddy subtree {@code [start, start + 2^k)}. */
    private void descend(final long start, final int k, final long[] sortedLive, final java.util.Map<Long, Integer> orderOf) {
        final long end = start + (1L << (k - BlockLayout.UNIT_SHIFT));
        int i = Arrays.binarySearch(sortedLive, start);
        if (i < 0) {
            i = -i - 1;
        }
        if (i >= sortedLive.length || sortedLive[i] >= end) {
            push(start, k); // no live block inside
            return;
        }
        if (sortedLive[i] == start && orderOf.get(start) == k) {
            return; // exactly one live block
        }
        descend(start, k - 1, sortedLive, orderOf);
        descend(start + (1L << (k - 1 - BlockLayout.UNIT_SHIFT)), k - 1, sortedLive, orderOf);
    }

    // ------------------------------------------------------------------ free lists

    private void push(final long block, final int k) {
        final MemorySegment region = file.region(BlockLayout.region(block));
        final long offset = BlockLayout.offset(block);
        final long head = lpHead(k);
        ShmAccess.spLong(region, offset, BlockLayout.freeHeader(k, 0L));
        ShmAccess.spLong(region, offset + BlockLayout.NEXT_OFFSET, head);
        if (head != 0L) {
            final MemorySegment headRegion = file.region(BlockLayout.region(head));
            final long headOffset = BlockLayout.offset(head);
            ShmAccess.spLong(headRegion, headOffset, BlockLayout.freeHeader(k, block));
        }
        ShmAccess.spLong(header, MapLayout.freeHeadOffset(k), block);
        ShmAccess.spInt(header, MapLayout.freeCountOffset(k), lpCount(k) + 1);
    }

    private void unlink(final long block, final int k) {
        final MemorySegment region = file.region(BlockLayout.region(block));
        final long offset = BlockLayout.offset(block);
        final long prev = BlockLayout.freePrev(ShmAccess.lpLong(region, offset));
        final long next = ShmAccess.lpLong(region, offset + BlockLayout.NEXT_OFFSET);
        if (prev != 0L) {
            ShmAccess.spLong(file.region(BlockLayout.region(prev)), BlockLayout.offset(prev) + BlockLayout.NEXT_OFFSET, next);
        } else {
            ShmAccess.spLong(header, MapLayout.freeHeadOffset(k), next);
        }
        if (next != 0L) {
            ShmAccess.spLong(file.region(BlockLayout.region(next)), BlockLayout.offset(next), BlockLayout.freeHeader(k, prev));
        }
        ShmAccess.spLong(region, offset, 0L); // no longer a free block (the caller writes its next header)
        ShmAccess.spInt(header, MapLayout.freeCountOffset(k), lpCount(k) - 1);
    }

    private long lpHead(final int k) {
        return ShmAccess.lpLong(header, MapLayout.freeHeadOffset(k));
    }

    private int lpCount(final int k) {
        return ShmAccess.lpInt(header, MapLayout.freeCountOffset(k));
    }
}
