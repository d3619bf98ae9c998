package io.bingfa.shm;

/**
 * The 64-byte block of a {@link ShmEvent}.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                        magic "BFEV"                           |  0
 *   +---------------------------------------------------------------+
 *   |                        layout version                         |  4
 *   +-+-------------------------------------------------------------+
 *   |S|          generation (31 bits; the futex word is all 32)     |  8
 *   +-+-------------------------------------------------------------+
 *   |          sleepers: waiters announced (may overcount)          | 12
 *   +---------------------------------------------------------------+
 *   |                     reserved up to byte 63                    | 16
 *   +---------------------------------------------------------------+
 * </pre>
 * S (bit 0 of the word, drawn first) is the flag; the generation in bits 1..31 counts CLEAR -&gt; SET
 * transitions, wrapping.
 */
final class EventLayout {

    static final int MAGIC = Placement.magic("BFEV");
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long STATE_OFFSET = 8;
    static final long SLEEPERS_OFFSET = 12;

    static final int SET_BIT = 1;
    /** Adding this to the state word moves to the next generation. */
    static final int GENERATION_ONE = 2;

    static final int BYTES = 64;

    private EventLayout() {}

    static boolean isSet(final int state) {
        return (state & SET_BIT) != 0;
    }

    static int generation(final int state) {
        return state >>> 1;
    }
}
