package io.bingfa.shm;

/**
 * One record (frame) of a {@link ShmQueue} ring: a 16-byte header and the payload, padded to a multiple
 * of 16 bytes. Records start at 16-byte positions; a position is a byte count that only grows (it never
 * wraps), and the record's bytes are at {@code position & (capacity - 1)} in the ring.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |               control word (64 bits, see below)               |  0
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                  payload length in bytes                      |  8
 *   +---------------------------------------------------------------+
 *   |              type (the codec's id; 0 = padding)               | 12
 *   +---------------------------------------------------------------+
 *   |                 payload ... (padded to 16)                    | 16
 *   +---------------------------------------------------------------+
 *
 *   control word, as a long (bit 63 left):
 *   +-------+----------------------------+----------------------------------+
 *   | state |   frame length / 16 (28 b) |   owner id (32 b)                |
 *   +-------+----------------------------+----------------------------------+
 *    63   60 59                        32 31                               0
 *
 *   state FREE (0): the other 60 bits are the free stamp, position &gt;&gt;&gt; 4 of the position this
 *   16-byte unit will have next; any other state: frame length and owner as drawn.
 * </pre>
 *
 * <h2>States and transitions</h2>
 * <pre>
 *   FREE(stamp p)  -&gt; CLAIMED(me)     producer, CAS, only if the stamp is exactly p (its tail position)
 *   CLAIMED(me)    -&gt; PUBLISHED       producer, volatile store, after writing length, type and payload
 *   CLAIMED(dead)  -&gt; ABANDONED       anyone, CAS, once the owner is dead: the record is dropped
 *   FREE(stamp p)  -&gt; PADDING         producer, CAS: the rest of the ring before a wrap
 *   PUBLISHED      -&gt; READING(me)     consumer, CAS
 *   ORPHANED       -&gt; READING(me)     consumer, CAS: a record whose first reader died, delivered again
 *   READING(me)    -&gt; CONSUMED        consumer, volatile store, after copying the payload out
 *   READING(dead)  -&gt; ORPHANED        anyone, CAS, once the reader is dead
 *   CONSUMED, ABANDONED, PADDING
 *                  -&gt; FREE(p + cap)   the sweeper (one at a time, under the sweep lease), plain stores:
 *                                     body units first, header last, then the head moves past the frame
 * </pre>
 * Every state that a process can be killed in names its owner (an id from the {@link ProcessTableLayout}),
 * so another process can tell a slow owner from a dead one. (PUBLISHED behind the read cursor is the one
 * ownerless in-between state: a consumer moved the cursor and has not marked the frame READING yet; see
 * {@link Ring} for how a consumer that dies there is recognised.)
 *
 * <h2>Salt</h2>
 * Control words are stored XOR a random 64-bit salt chosen when the queue is created (in
 * {@link QueueLayout}). A thread with a stale position may read a word that now lies inside another
 * record's payload; the salt makes it as good as impossible for payload bytes to equal the exact stamp or
 * control word a compare-and-set expects, whatever the application puts in its messages.
 */
final class RecordLayout {

    static final int FREE = 0;
    static final int CLAIMED = 1;
    static final int PUBLISHED = 2;
    static final int READING = 3;
    static final int CONSUMED = 4;
    static final int ABANDONED = 5;
    static final int PADDING = 6;
    static final int ORPHANED = 7;

    static final int HEADER_BYTES = 16;
    static final int ALIGNMENT = 16;

    static final long LENGTH_OFFSET = 8;
    static final long TYPE_OFFSET = 12;

    /** Type of a padding frame (never delivered); codecs use other numbers. */
    static final int TYPE_PADDING = 0;

    private static final int STATE_SHIFT = 60;
    private static final int UNITS_SHIFT = 32;
    private static final long UNITS_MASK = 0x0FFF_FFFFL;

    private RecordLayout() {}

    static long control(final int state, final long frameBytes, final int owner) {
        return ((long) state << STATE_SHIFT) | ((frameBytes >>> 4) << UNITS_SHIFT) | (owner & 0xFFFF_FFFFL);
    }

    /** The control word of a free unit that will next be at {@code position}. */
    static long freeStamp(final long position) {
        return position >>> 4;
    }

    static int state(final long control) {
        return (int) (control >>> STATE_SHIFT);
    }

    static long frameBytes(final long control) {
        return ((control >>> UNITS_SHIFT) & UNITS_MASK) << 4;
    }

    static int owner(final long control) {
        return (int) control;
    }

    /** Header plus payload, rounded up to {@link #ALIGNMENT}. */
    static long frameBytesFor(final int payloadLength) {
        return (HEADER_BYTES + (long) payloadLength + ALIGNMENT - 1) & -ALIGNMENT;
    }

    static String stateName(final int state) {
        return switch (state) {
            case FREE -> "FREE";
            case CLAIMED -> "CLAIMED";
            case PUBLISHED -> "PUBLISHED";
            case READING -> "READING";
            case CONSUMED -> "CONSUMED";
            case ABANDONED -> "ABANDONED";
            case PADDING -> "PADDING";
            case ORPHANED -> "ORPHANED";
            default -> "state " + state;
        };
    }
}
