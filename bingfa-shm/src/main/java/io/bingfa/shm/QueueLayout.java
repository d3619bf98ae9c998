package io.bingfa.shm;

/**
 * The layout of a {@link ShmQueue} after the segment header ({@link SegmentLayout}, kind 2): a control
 * block whose hot words each own a cache line, the process table, and the ring of records.
 *
 * <pre>
 *   offset  size   field
 *   ------  -----  -----------------------------------------------------------------
 *        0      4  magic "BFQU"
 *        4      4  layout version
 *        8      8  ring capacity in bytes (a power of two)
 *       16      4  options: bit 0 = joinable (records taken are counted for join())
 *       20      4  process table slots
 *       24      8  salt: every control word is stored XOR this random value
 *       64      8  tail: next position to claim (producers)            [own line]
 *      128      8  read cursor: next position to take (consumers)      [own line]
 *      192      8  head: first position not yet freed (sweepers)       [own line]
 *      256      4  not-empty eventcount (futex word: consumers sleep on it, see EventCount)
 *      320      4  not-full eventcount (producers sleep on it)
 *      384      4  join eventcount (join() sleeps on it)
 *      392      4  orphan epoch: +1 each time a record is re-published
 *      448      4  sweep lease: owner id of the one process freeing frames, 0 = none   [own line]
 *      512  32768  process table ({@link ProcessTableLayout}, 1024 slots)
 *    33280    cap  ring: records ({@link RecordLayout})
 * </pre>
 * Invariant: {@code head <= readCursor <= tail <= head + capacity}; every position in
 * {@code [head, tail)} belongs to exactly one record of the current lap; every 16-byte unit outside it
 * holds the free stamp of the position it will have next; only the lease holder, while it sweeps, has
 * units in {@code [head, readCursor)} that already carry their next stamp.
 */
final class QueueLayout {

    static final int MAGIC = Placement.magic("BFQU");
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long CAPACITY_OFFSET = 8;
    static final long OPTIONS_OFFSET = 16;
    static final long SLOTS_OFFSET = 20;
    static final long SALT_OFFSET = 24;
    static final long TAIL_OFFSET = 64;
    static final long READ_CURSOR_OFFSET = 128;
    static final long HEAD_OFFSET = 192;
    static final long NOT_EMPTY_OFFSET = 256;
    static final long NOT_FULL_OFFSET = 320;
    static final long JOIN_OFFSET = 384;
    static final long ORPHAN_EPOCH_OFFSET = 392;
    static final long SWEEP_LEASE_OFFSET = 448;

    static final long TABLE_OFFSET = 512;
    static final long RING_OFFSET = TABLE_OFFSET + ProcessTableLayout.BYTES;

    static final int OPTION_JOINABLE = 1;

    static final long MIN_CAPACITY = 4096;
    static final long MAX_CAPACITY = 1L << 30;

    private QueueLayout() {}

    /** Bytes after the segment header for a ring of {@code capacity} bytes. */
    static long bytes(final long capacity) {
        return RING_OFFSET + capacity;
    }
}
