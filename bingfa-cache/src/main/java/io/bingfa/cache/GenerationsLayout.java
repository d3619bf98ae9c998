package io.bingfa.cache;

/**
 * The control file of a {@link ReloadableMap}: a Bingfa shared-memory segment (its own 128-byte header, then
 * this layout) that names the generation readers must use, serialises reloaders, and keeps the last reload's
 * report for every process to see. The generations themselves are whole {@link SharedMap} files beside it,
 * {@code <control>.g<N>}.
 *
 * <h2>Layout (1024 bytes after the segment header)</h2>
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |          magic "BFGENS01" (written last, release)             |    0
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                       layout version                          |    8
 *   +---------------------------------------------------------------+
 *   |       generation options: expected entries (64 bits)          |   16
 *   +---------------------------------------------------------------+
 *   |  avg key size  | avg value size | max key size | max value size |   24..39 (4 x 32 bits)
 *   +---------------------------------------------------------------+
 *   |                     segments (0 = automatic)                  |   40
 *   +---------------------------------------------------------------+
 *   |       CURRENT generation N (volatile; readers read only this) |   64  own cache line
 *   +---------------------------------------------------------------+
 *   |       reload lock: an io.bingfa.shm.ShmMutex (64 bytes)       |  128
 *   +---------------------------------------------------------------+
 *   |       BUILT: the last number handed to a build, under the lock  |  192
 *   +---------------------------------------------------------------+
 *   |       reloads that published a generation (count)             |  200
 *   +---------------------------------------------------------------+
 *   |       reloads that failed (count)                             |  208
 *   +---------------------------------------------------------------+
 *   |       report sequence (seqlock: odd while being written)      |  256
 *   +---------------------------------------------------------------+
 *   |       report: start, epoch ms                                 |  264
 *   +---------------------------------------------------------------+
 *   |       report: rows loaded                                     |  272
 *   +---------------------------------------------------------------+
 *   |       report: duration, ns                                    |  280
 *   +---------------------------------------------------------------+
 *   |       report: generation serving afterwards                   |  288
 *   +---------------------------------------------------------------+
 *   |  report: failed (0/1)          |  failure message length      |  296
 *   +---------------------------------------------------------------+
 *   |       failure message, UTF-8 (up to 464 bytes)                |  304..767
 *   +---------------------------------------------------------------+
 * </pre>
 * CURRENT changes by one volatile store, after generation N's file is complete; it only grows, and a number
 * is never reused (BUILT remembers the numbers of failed builds too), so a file name read from it can only
 * ever name that one generation's content. BUILT, the counters and the report change only under the reload
 * lock; the report is read without it, through its sequence word.
 */
final class GenerationsLayout {

    /** "BFGENS01" in ASCII, first character in the lowest byte. */
    static final long MAGIC = 0x3130534E45474642L;
    static final int VERSION = 1;
    static final long BYTES = 1024;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 8;
    static final long EXPECTED_ENTRIES_OFFSET = 16;
    static final long AVERAGE_KEY_SIZE_OFFSET = 24;
    static final long AVERAGE_VALUE_SIZE_OFFSET = 28;
    static final long MAX_KEY_SIZE_OFFSET = 32;
    static final long MAX_VALUE_SIZE_OFFSET = 36;
    static final long SEGMENTS_OFFSET = 40;
    static final long CURRENT_OFFSET = 64;
    static final long LOCK_OFFSET = 128;
    static final long BUILDING_OFFSET = 192;
    static final long PUBLISHED_COUNT_OFFSET = 200;
    static final long FAILED_COUNT_OFFSET = 208;
    static final long REPORT_SEQUENCE_OFFSET = 256;
    static final long REPORT_AT_OFFSET = 264;
    static final long REPORT_ROWS_OFFSET = 272;
    static final long REPORT_TOOK_OFFSET = 280;
    static final long REPORT_GENERATION_OFFSET = 288;
    static final long REPORT_FAILED_OFFSET = 296;
    static final long REPORT_MESSAGE_LENGTH_OFFSET = 300;
    static final long REPORT_MESSAGE_OFFSET = 304;
    static final int REPORT_MESSAGE_MAX = 464;

    /** The suffix of generation files: {@code <control>.g<N>}. */
    static final String GENERATION_SUFFIX = ".g";

    private GenerationsLayout() {}
}
