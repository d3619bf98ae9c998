package io.bingfa.cache;

/**
 * A region: a stretch of the file, a whole number of chunks of {@code C = 2^chunkOrder} bytes, added at
 * creation (region 0) and at each growth. Offsets inside a region are relative to its start, so chunk
 * {@code k} starts at {@code k * C} and the buddy of a block is found by flipping one offset bit.
 *
 * <pre>
 *   region start
 *   +---------------------------------------------------------------+
 *   |  magic "BFRG" | region index | chunk count | meta chunks       |  0   (4 ints)
 *   +---------------------------------------------------------------+
 *   |  chunk map: one int per chunk (its state, below)              | 64
 *   |  ...                                                          |
 *   +----------- padded to the end of the meta chunks --------------+
 *   |  chunk m   (m = meta chunks)                                  |  m * C
 *   |  chunk m+1 ...                                                |
 *   +---------------------------------------------------------------+
 * </pre>
 *
 * <h2>Chunk states</h2>
 * <pre>
 *   FREE (0)            on the pool's free stack, or above the bump pointer (never used yet)
 *   META (-1)           the region header and chunk map
 *   DATA | s            entry blocks of segment s (its buddy allocator splits it)
 *   TABLE | s           part of a hash table run of segment s
 *
 *   FREE -&gt; DATA|s      the pool hands segment s a chunk          (segment lock + pool lock)
 *   FREE -&gt; TABLE|s     the pool hands segment s a table run      (segment lock + pool lock)
 *   DATA|s, TABLE|s -&gt; FREE   returned to the pool               (segment lock + pool lock)
 * </pre>
 * The map is the truth a recovery rebuilds from: a segment's chunks are exactly those marked with its
 * number, whatever its free lists said when its writer died.
 */
final class RegionLayout {

    static final int MAGIC = 0x47524642; // "BFRG"
    static final long MAGIC_OFFSET = 0;
    static final long INDEX_OFFSET = 4;
    static final long CHUNKS_OFFSET = 8;
    static final long META_CHUNKS_OFFSET = 12;
    static final long CHUNK_MAP_OFFSET = 64;

    static final int FREE = 0;
    static final int META = -1;
    static final int DATA = 1 << 24;
    static final int TABLE = 2 << 24;
    static final int KIND_MASK = 0xFF << 24;
    static final int SEGMENT_MASK = (1 << 24) - 1;

    private RegionLayout() {}

    static long chunkStateOffset(final long chunk) {
        return CHUNK_MAP_OFFSET + chunk * Integer.BYTES;
    }

    /** How many chunks of {@code 2^chunkOrder} bytes the header of a region of {@code chunks} chunks takes. */
    static int metaChunks(final long chunks, final int chunkOrder) {
        final long bytes = CHUNK_MAP_OFFSET + chunks * Integer.BYTES;
        return (int) ((bytes + (1L << chunkOrder) - 1) >>> chunkOrder);
    }
}
