package io.bingfa.cache;

/**
 * The first bytes of a SharedMap file: the file header (page 0) and one header per segment after it.
 * Everything else in the file is a region ({@link RegionLayout}).
 *
 * <h2>File header (4096 bytes)</h2>
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |              magic "BFSHMAP1" (written last, release)         |    0
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                       layout version                          |    8
 *   +---------------------------------------------------------------+
 *   |          meta bytes (this header + segment headers)           |   12
 *   +---------------------------------------------------------------+
 *   |                     segment count S                           |   16
 *   +---------------------------------------------------------------+
 *   |            chunk order (log2 of the chunk size C)             |   20
 *   +---------------------------------------------------------------+
 *   |                     max key length                            |   24
 *   +---------------------------------------------------------------+
 *   |                     max value length                          |   28
 *   +---------------------------------------------------------------+
 *   |                creator pid (64 bits)                          |   32
 *   +---------------------------------------------------------------+
 *   |                creation time, epoch ms (64 bits)              |   40
 *   +---------------------------------------------------------------+
 *   |                expected entries (64 bits)                     |   48
 *   +---------------------------------------------------------------+
 *   |       region count: regions published (volatile)              |   56
 *   +---------------------------------------------------------------+
 *   |       growths: regions added after creation                   |   60
 *   +---------------------------------------------------------------+
 *   |       creator host name, UTF-8, NUL padded (64 bytes)         |   64
 *   +---------------------------------------------------------------+
 *   |       pool lock: an io.bingfa.shm.ShmMutex (64 bytes)         |  128
 *   +---------------------------------------------------------------+
 *   |       free chunk stack head: block ref, 0 = empty             |  192
 *   +---------------------------------------------------------------+
 *   |       bump: next never-used chunk, block ref (0 = none)       |  200
 *   +---------------------------------------------------------------+
 *   |       free chunks on the stack (count)                        |  208
 *   +---------------------------------------------------------------+
 *   |       region table: 64 x (file offset, length), 16 bytes each |  512
 *   +---------------------------------------------------------------+
 * </pre>
 *
 * <h2>Segment header (512 bytes each, from byte 4096)</h2>
 * <pre>
 *   +---------------------------------------------------------------+
 *   |       segment lock: an io.bingfa.shm.ShmMutex (64 bytes)      |    0
 *   +---------------------------------------------------------------+
 *   |       epoch: +1 before any block or table is freed (readers)  |   64
 *   +---------------------------------------------------------------+
 *   |       table word: table ref (40 bits) | chunks (24 bits)      |   72
 *   +---------------------------------------------------------------+
 *   |       entries                                                 |   80
 *   +---------------------------------------------------------------+
 *   |       tombstones                                              |   88
 *   +---------------------------------------------------------------+
 *   |       bytes in allocated entry blocks                         |   96
 *   +---------------------------------------------------------------+
 *   |       data chunks owned                                       |  104
 *   +---------------------------------------------------------------+
 *   |       recoveries (segment rebuilt after a writer died)        |  112
 *   +---------------------------------------------------------------+
 *   |       free list heads, orders 4..30, 8 bytes each             |  128
 *   +---------------------------------------------------------------+
 *   |       free block counts, orders 4..30, 4 bytes each           |  352
 *   +---------------------------------------------------------------+
 * </pre>
 * The pool fields and the region table change only under the pool lock, a segment's fields only under its
 * segment lock; readers read the epoch, the table word and the region count and nothing else here.
 */
final class MapLayout {

    /** "BFSHMAP1" in ASCII, first character in the lowest byte. */
    static final long MAGIC = 0x3150414d48534642L;
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 8;
    static final long META_BYTES_OFFSET = 12;
    static final long SEGMENTS_OFFSET = 16;
    static final long CHUNK_ORDER_OFFSET = 20;
    static final long MAX_KEY_OFFSET = 24;
    static final long MAX_VALUE_OFFSET = 28;
    static final long CREATOR_PID_OFFSET = 32;
    static final long CREATED_MILLIS_OFFSET = 40;
    static final long EXPECTED_ENTRIES_OFFSET = 48;
    static final long REGION_COUNT_OFFSET = 56;
    static final long GROWTHS_OFFSET = 60;
    static final long HOST_OFFSET = 64;
    static final int HOST_BYTES = 64;
    static final long POOL_LOCK_OFFSET = 128;
    static final long FREE_CHUNK_HEAD_OFFSET = 192;
    static final long BUMP_OFFSET = 200;
    static final long FREE_CHUNKS_OFFSET = 208;
    static final long REGION_TABLE_OFFSET = 512;
    static final int REGION_ENTRY_BYTES = 16;
    static final int MAX_REGIONS = 64;

    static final int FILE_HEADER_BYTES = 4096;

    static final int SEGMENT_HEADER_BYTES = 512;
    static final long SEG_LOCK = 0;
    static final long SEG_EPOCH = 64;
    static final long SEG_TABLE = 72;
    static final long SEG_ENTRIES = 80;
    static final long SEG_TOMBSTONES = 88;
    static final long SEG_BYTES_USED = 96;
    static final long SEG_DATA_CHUNKS = 104;
    static final long SEG_RECOVERIES = 112;
    static final long SEG_FREE_HEADS = 128;
    static final long SEG_FREE_COUNTS = 352;

    /** Smallest and largest buddy orders the segment header has room for. */
    static final int MIN_ORDER = 4;
    static final int MAX_ORDER = 30;

    static final int MAX_SEGMENTS = 4096;

    private MapLayout() {}

    /** Offset of segment {@code s}'s header in the file. */
    static long segmentOffset(final int s) {
        return FILE_HEADER_BYTES + (long) s * SEGMENT_HEADER_BYTES;
    }

    /** Bytes of the file header plus segment headers, rounded up to a page. */
    static long metaBytes(final int segments) {
        return roundUp(FILE_HEADER_BYTES + (long) segments * SEGMENT_HEADER_BYTES, 4096);
    }

    static long regionEntryOffset(final int region) {
        return REGION_TABLE_OFFSET + (long) region * REGION_ENTRY_BYTES;
    }

    static long freeHeadOffset(final int order) {
        return SEG_FREE_HEADS + (long) (order - MIN_ORDER) * Long.BYTES;
    }

    static long freeCountOffset(final int order) {
        return SEG_FREE_COUNTS + (long) (order - MIN_ORDER) * Integer.BYTES;
    }

    static long roundUp(final long value, final long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
