package io.bingfa.cache;

/**
 * Entry blocks, free blocks, block references and hash-table slots.
 *
 * <h2>Block reference (40 bits)</h2>
 * <pre>
 *    39      34 33                                                  0
 *   +----------+-----------------------------------------------------+
 *   |  region  |   offset in the region / 16 (blocks are 16-aligned) |
 *   +----------+-----------------------------------------------------+
 * </pre>
 * Reference 0 is "none" (offset 0 of a region is its header, never a block); 1 is the tombstone.
 *
 * <h2>Hash-table slot (8 bytes, one atomic store publishes an entry)</h2>
 * <pre>
 *    63                        40 39                                0
 *   +----------------------------+-----------------------------------+
 *   |  tag: 24 more hash bits    |          block reference          |
 *   +----------------------------+-----------------------------------+
 *   0 = empty, 1 = tombstone (a removed entry; probes continue past it)
 * </pre>
 *
 * <h2>Entry block (2^order bytes, order &gt;= 4): header, key, value together</h2>
 * <pre>
 *    63      56 55      48 47             32 31                     0
 *   +----------+----------+-----------------+------------------------+
 *   | 0xB5 used|  order   |   key length    |      value length      |  word 0
 *   +----------+----------+-----------------+------------------------+
 *   |  key bytes, then value bytes, then unused up to 2^order        |  8
 *   +---------------------------------------------------------------+
 * </pre>
 * A published entry block is never written again: an overwrite writes a fresh block and swaps the slot.
 *
 * <h2>Free block (on its segment's free list for its order)</h2>
 * <pre>
 *   +----------+----------+----------+-------------------------------+
 *   | 0xF7 free|  order   | reserved |   previous free block (ref)   |  word 0
 *   +----------+----------+----------+-------------------------------+
 *   |                next free block (ref), 0 = end                  |  word 1
 *   +---------------------------------------------------------------+
 * </pre>
 */
final class BlockLayout {

    static final int UNIT_SHIFT = 4;
    static final int REGION_SHIFT = 34;
    static final long OFFSET_MASK = (1L << REGION_SHIFT) - 1;
    static final long REF_MASK = (1L << 40) - 1;
    static final int TAG_SHIFT = 40;
    static final int TAG_MASK = (1 << 24) - 1;

    static final long EMPTY = 0L;
    static final long TOMBSTONE = 1L;

    static final int HEADER_BYTES = 8;
    static final long USED = 0xB5L;
    static final long FREE = 0xF7L;
    static final long NEXT_OFFSET = 8;

    static final int TABLE_CHUNKS_SHIFT = 40;
    static final long MAX_TABLE_CHUNKS = (1L << 24) - 1;

    private BlockLayout() {}

    static long ref(final int region, final long offset) {
        return ((long) region << REGION_SHIFT) | (offset >>> UNIT_SHIFT);
    }

    static int region(final long ref) {
        return (int) (ref >>> REGION_SHIFT);
    }

    static long offset(final long ref) {
        return (ref & OFFSET_MASK) << UNIT_SHIFT;
    }

    static long slot(final int tag, final long ref) {
        return ((long) tag << TAG_SHIFT) | ref;
    }

    static long slotRef(final long slot) {
        return slot & REF_MASK;
    }

    static int slotTag(final long slot) {
        return (int) (slot >>> TAG_SHIFT);
    }

    /** A slot holding an entry (neither empty nor a tombstone). */
    static boolean isLive(final long slot) {
        return (slot & REF_MASK) > TOMBSTONE;
    }

    static long usedHeader(final int order, final int keyLength, final int valueLength) {
        return (USED << 56) | ((long) order << 48) | ((long) keyLength << 32) | (valueLength & 0xFFFF_FFFFL);
    }

    static boolean isUsed(final long header) {
        return header >>> 56 == USED;
    }

    static boolean isFree(final long header) {
        return header >>> 56 == FREE;
    }

    static int order(final long header) {
        return (int) (header >>> 48) & 0xFF;
    }

    static int keyLength(final long header) {
        return (int) (header >>> 32) & 0xFFFF;
    }

    static int valueLength(final long header) {
        return (int) header;
    }

    static long freeHeader(final int order, final long prevRef) {
        return (FREE << 56) | ((long) order << 48) | prevRef;
    }

    static long freePrev(final long header) {
        return header & REF_MASK;
    }

    /** The order of the smallest block holding an entry of these lengths. */
    static int orderFor(final int keyLength, final int valueLength) {
        final long bytes = (long) HEADER_BYTES + keyLength + valueLength;
        return Math.max(MapLayout.MIN_ORDER, 64 - Long.numberOfLeadingZeros(bytes - 1));
    }

    static long tableWord(final long ref, final long chunks) {
        return (chunks << TABLE_CHUNKS_SHIFT) | ref;
    }

    static long tableRef(final long word) {
        return word & REF_MASK;
    }

    static long tableChunks(final long word) {
        return word >>> TABLE_CHUNKS_SHIFT;
    }
}
