package io.bingfa.cache;

import io.bingfa.shm.ShmAccess;
import io.bingfa.shm.ShmMutex;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file-wide pool of chunks (the largest buddy blocks, {@code C} bytes), from which segments take
 * chunks for entry blocks and runs of contiguous chunks for their hash tables, and to which they give
 * whole chunks back. One pool lock (a robust {@link ShmMutex} in the file header) guards it.
 *
 * <h2>Algorithm</h2>
 * Free chunks are a stack linked through their first 8 bytes, head in the file header. Chunks never used
 * yet are above the <em>bump</em> reference in the newest region. A single chunk comes from the stack, else
 * from the bump; a table run (contiguous) always from the bump, because the stack's chunks are scattered.
 * A table run is first looked for among free chunks below the bump (a scan of the chunk maps, then the
 * stack is rebuilt from them: tables are rebuilt rarely and cost far more than the scan). When the newest
 * region has too few chunks left, {@link MapFile#growLocked} appends a region, the
 * leftover chunks of the old one go onto the stack, and the bump moves to the new region. Returned table
 * runs go onto the stack chunk by chunk and serve later as entry chunks, so churn loses nothing.
 *
 * <h2>Crashes</h2>
 * Every chunk's state is in its region's chunk map ({@link RegionLayout}), written before the chunk is
 * handed out and before it is pushed. A process that dies holding the pool lock may leave the stack
 * half-linked; the next holder sees {@code ownerDied()} and rebuilds the stack from the map (every
 * {@code FREE} chunk below the bump), which is the truth. Chunks a dead segment writer had taken are marked
 * with its segment and recovered by that segment's rebuild ({@link Segment}).
 *
 * <h2>Who calls</h2>
 * Segments, with their own segment lock held (lock order: segment, then pool); the creator, before the
 * file is published, calls the {@code Locked} methods without the lock.
 */
final class ChunkPool {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkPool.class);

    private final MapFile file;
    private final MemorySegment meta;
    private final ShmMutex lock;

    ChunkPool(final MapFile file) {
        this.file = file;
        this.meta = file.meta();
        this.lock = file.poolLock();
    }

    /** Hands segment {@code s} one chunk for entry blocks, marked {@code DATA | s}. */
    long takeChunk(final int s) {
        try (ShmMutex.Guard g = lock.lock()) {
            repairIfNeeded(g);
            final long head = lpFreeHead();
            final long ref;
            if (head != 0L) {
                ref = head;
                spFreeHead(ShmAccess.lpLong(file.region(BlockLayout.region(head)), BlockLayout.offset(head)));
                spFreeChunks(lpFreeChunks() - 1);
            } else {
                ref = bumpLocked(1);
            }
            mark(ref, 1, RegionLayout.DATA | s);
            return ref;
        }
    }

    /** Hands segment {@code s} a run of {@code chunks} contiguous chunks for a hash table. */
    long takeTableRun(final int s, final long chunks) {
        try (ShmMutex.Guard g = lock.lock()) {
            repairIfNeeded(g);
            return takeTableRunLocked(s, chunks);
        }
    }

    long takeTableRunLocked(final int s, final long chunks) {
        final long reused = findFreeRunLocked(chunks);
        final long ref = reused != 0L ? reused : bumpLocked(chunks);
        mark(ref, chunks, RegionLayout.TABLE | s);
        if (reused != 0L) {
            rebuildStackLocked(); // the run's chunks were scattered over the stack
        }
        return ref;
    }

    /**
     * A run of {@code chunks} contiguous free chunks below the bump (returned tables and entry chunks), or
     * 0: without this, every table rebuild would take fresh chunks and churn would grow the file.
     */
    private long findFreeRunLocked(final long chunks) {
        if (lpFreeChunks() < chunks) {
            return 0L;
        }
        final long bump = ShmAccess.lpLong(meta, MapLayout.BUMP_OFFSET);
        final int regions = file.regionCount();
        for (int r = 0; r < regions; r++) {
            final long end = r == BlockLayout.region(bump) ? BlockLayout.offset(bump) >>> file.chunkOrder : file.regionChunks(r);
            long runStart = -1;
            for (long c = file.metaChunks(r); c < end; c++) {
                if (file.chunkState(r, c) != RegionLayout.FREE) {
                    runStart = -1;
                } else {
                    if (runStart < 0) {
                        runStart = c;
                    }
                    if (c - runStart + 1 == chunks) {
                        return BlockLayout.ref(r, runStart << file.chunkOrder);
                    }
                }
            }
        }
        return 0L;
    }

    /** Takes back {@code chunks} contiguous chunks starting at {@code ref}. */
    void release(final long ref, final long chunks) {
        try (ShmMutex.Guard g = lock.lock()) {
            repairIfNeeded(g);
            for (long c = 0; c < chunks; c++) {
                pushLocked(ref + ((c << file.chunkOrder) >>> BlockLayout.UNIT_SHIFT));
            }
        }
    }

    /** Chunks on the stack plus chunks never used. */
    long freeChunks() {
        final long bump = ShmAccess.lvLong(meta, MapLayout.BUMP_OFFSET); // racy read: a statistic
        final int r = BlockLayout.region(bump);
        final long virgin = bump == 0L ? 0 : file.regionChunks(r) - (BlockLayout.offset(bump) >>> file.chunkOrder);
        return ShmAccess.lvLong(meta, MapLayout.FREE_CHUNKS_OFFSET) + virgin; // racy read: a statistic
    }

    /** The creator: the bump starts after the meta chunks of region {@code r}. */
    void startBump(final int r) {
        ShmAccess.spLong(meta, MapLayout.BUMP_OFFSET, BlockLayout.ref(r, (long) file.metaChunks(r) << file.chunkOrder));
    }

    // ------------------------------------------------------------------ internals (pool lock held)

    private long bumpLocked(final long chunks) {
        long bump = ShmAccess.lpLong(meta, MapLayout.BUMP_OFFSET);
        int r = BlockLayout.region(bump);
        long next = BlockLayout.offset(bump) >>> file.chunkOrder;
        if (next + chunks > file.regionChunks(r)) {
            final int grown = file.growLocked(chunks);
            for (long c = next; c < file.regionChunks(r); c++) { // the old region's unused tail
                pushLocked(BlockLayout.ref(r, c << file.chunkOrder));
            }
            r = grown;
            next = file.metaChunks(r);
            bump = BlockLayout.ref(r, next << file.chunkOrder);
        }
        ShmAccess.svLong(meta, MapLayout.BUMP_OFFSET, BlockLayout.ref(r, (next + chunks) << file.chunkOrder));
        return bump;
    }

    private void pushLocked(final long ref) {
        mark(ref, 1, RegionLayout.FREE);
        ShmAccess.spLong(file.region(BlockLayout.region(ref)), BlockLayout.offset(ref), lpFreeHead());
        spFreeHead(ref);
        spFreeChunks(lpFreeChunks() + 1);
    }

    private void mark(final long ref, final long chunks, final int state) {
        final int r = BlockLayout.region(ref);
        final long first = BlockLayout.offset(ref) >>> file.chunkOrder;
        for (long c = first; c < first + chunks; c++) {
            file.setChunkState(r, c, state);
        }
    }

    private void repairIfNeeded(final ShmMutex.Guard g) {
        if (!g.ownerDied()) {
            return;
        }
        final long pushed = rebuildStackLocked();
        LOG.warn("shared map {}: a process died holding the pool lock; free chunk stack rebuilt ({} chunks)",
                file.path, pushed);
        g.markConsistent();
    }

    /** Rebuilds the free stack from the chunk maps: every {@code FREE} chunk below the bump. */
    private long rebuildStackLocked() {
        final long bump = ShmAccess.lpLong(meta, MapLayout.BUMP_OFFSET);
        spFreeHead(0L);
        spFreeChunks(0L);
        long pushed = 0;
        final int regions = file.regionCount();
        for (int r = 0; r < regions; r++) {
            final long chunks = file.regionChunks(r);
            final long end = r == BlockLayout.region(bump) ? BlockLayout.offset(bump) >>> file.chunkOrder : chunks;
            for (long c = file.metaChunks(r); c < end; c++) {
                if (file.chunkState(r, c) == RegionLayout.FREE) {
                    pushLocked(BlockLayout.ref(r, c << file.chunkOrder));
                    pushed++;
                }
            }
        }
        return pushed;
    }

    private long lpFreeHead() {
        return ShmAccess.lpLong(meta, MapLayout.FREE_CHUNK_HEAD_OFFSET);
    }

    private void spFreeHead(final long ref) {
        ShmAccess.spLong(meta, MapLayout.FREE_CHUNK_HEAD_OFFSET, ref);
    }

    private long lpFreeChunks() {
        return ShmAccess.lpLong(meta, MapLayout.FREE_CHUNKS_OFFSET);
    }

    private void spFreeChunks(final long n) {
        ShmAccess.spLong(meta, MapLayout.FREE_CHUNKS_OFFSET, n);
    }
}
