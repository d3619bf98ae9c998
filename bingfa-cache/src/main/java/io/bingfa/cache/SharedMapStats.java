package io.bingfa.cache;

import java.util.List;

/**
 * A snapshot of a {@link SharedMap}'s use of its file (fields read without locks: consistent per segment
 * only approximately, exact when no writer runs).
 *
 * @param entries live entries
 * @param bytesUsed bytes of the entry blocks holding them (header, key, value, power-of-two rounding)
 * @param tableBytes bytes of the segments' hash tables
 * @param fileBytes the file's length (all regions plus the headers)
 * @param freeBytes bytes free for entries: free blocks inside segments plus unused chunks in the pool
 * @param fragmentation the share of the segments' data chunks that is free but cut into blocks smaller
 *     than a chunk (0 = every data chunk is full or whole; high values with many free bytes mean the buddy
 *     allocator cannot coalesce)
 * @param freeBlocksPerOrder free blocks in segments, index 0 = order {@code minOrder} (16 bytes)
 * @param minOrder the order of index 0 of {@code freeBlocksPerOrder}
 * @param chunkBytes the chunk size (the largest block)
 * @param segments lock segments
 * @param regions mapped regions of the file (1 + growths)
 * @param tombstones removed slots not yet cleaned by a table rebuild
 * @param recoveries segment rebuilds after a writer died holding a lock
 */
public record SharedMapStats(long entries, long bytesUsed, long tableBytes, long fileBytes, long freeBytes,
                             double fragmentation, List<Long> freeBlocksPerOrder, int minOrder, long chunkBytes,
                             int segments, int regions, long tombstones, long recoveries) {

    public SharedMapStats {
        freeBlocksPerOrder = List.copyOf(freeBlocksPerOrder);
    }

    /** File bytes per live entry ({@code NaN} when empty). */
    public double fileBytesPerEntry() {
        return entries == 0 ? Double.NaN : (double) fileBytes / entries;
    }
}
