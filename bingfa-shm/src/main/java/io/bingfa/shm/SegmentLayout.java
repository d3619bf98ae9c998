package io.bingfa.shm;

/**
 * The header at the start of every file that {@link SharedMemory} maps: the file format's identity card.
 * Every structure Bingfa keeps in shared memory (raw memory, a queue, a pipe) lives after it.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                 magic "BINGFA-S" (8 ASCII bytes)              |  0
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                        layout version                         |  8
 *   +---------------------------------------------------------------+
 *   |                 kind (1 memory, 2 queue, 3 pipe)              | 12
 *   +---------------------------------------------------------------+
 *   |                    header size (128 bytes)                    | 16
 *   +---------------------------------------------------------------+
 *   |                           reserved                            | 20
 *   +---------------------------------------------------------------+
 *   |                  file size in bytes (64 bits)                 | 24
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |           creator: process token (pid | start time)           | 32
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                created at, epoch milliseconds                 | 40
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                   reserved up to byte 127                     | 48
 *   +---------------------------------------------------------------+
 *   |           the kind's own layout, 64-byte aligned              | 128
 *   |                             ...                               |
 * </pre>
 *
 * <h2>Creation protocol</h2>
 * The creator makes the file with {@code O_CREAT|O_EXCL} (so two creators cannot both win), sizes it,
 * maps it, writes every field but the magic, initialises the kind's own layout, and writes the magic last
 * with a release store. An opener reads the magic with an acquire load: once it sees the magic, it sees a
 * complete header and structure. A zero magic means "still being created" for a short while (openers wait
 * {@link #CREATION_GRACE_MILLIS}) and "creator died while creating" after that.
 *
 * <h2>Versions</h2>
 * {@link #VERSION} changes whenever any Bingfa layout changes incompatibly (this header, or a structure's
 * own layout that has no version of its own). An opener refuses any other version with a message naming
 * both. Multi-byte fields are in the platform's byte order.
 */
final class SegmentLayout {

    /** "BINGFA-S" read as a little-endian long. */
    static final long MAGIC = 0x532D_4146_474E_4942L;
    static final int VERSION = 1;

    static final int KIND_MEMORY = 1;
    static final int KIND_QUEUE = 2;
    static final int KIND_PIPE = 3;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 8;
    static final long KIND_OFFSET = 12;
    static final long HEADER_SIZE_OFFSET = 16;
    static final long FILE_SIZE_OFFSET = 24;
    static final long CREATOR_OFFSET = 32;
    static final long CREATED_MILLIS_OFFSET = 40;

    /** Size of this header; the kind's layout starts here (64-byte aligned). */
    static final int HEADER_SIZE = 128;

    /** How long an opener waits for a segment whose magic is not written yet. */
    static final long CREATION_GRACE_MILLIS = 2_000;

    private SegmentLayout() {}

    /** A kind's name for messages. */
    static String kindName(final int kind) {
        return switch (kind) {
            case KIND_MEMORY -> "raw shared memory (SharedMemory)";
            case KIND_QUEUE -> "a queue (ShmQueue)";
            case KIND_PIPE -> "a pipe (Pipe)";
            default -> "an unknown kind " + kind;
        };
    }

    /** The magic as text, or hex when it is not printable: for "found ... instead" messages. */
    static String describeMagic(final long magic) {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            final int c = (int) (magic >>> (8 * i)) & 0xFF;
            if (c < 0x20 || c > 0x7E) {
                return String.format("0x%016x", magic);
            }
            text.append((char) c);
        }
        return "'" + text + "'";
    }
}
