package io.bingfa.shm;

import java.nio.ByteOrder;

/**
 * The 64-byte block of a {@link ShmBarrier}. Its state is one 64-bit word, changed only by
 * compare-and-set; its low half is the futex word that waiters sleep on.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                        magic "BFBR"                           |  0
 *   +---------------------------------------------------------------+
 *   |                        layout version                         |  4
 *   +---------------------------------------------------------------+
 *   |                 state word (64 bits), see below               |  8
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                 parties (1 .. 32767)                          | 16
 *   +---------------------------------------------------------------+
 *   |          sleepers: waiters announced (may overcount)          | 20
 *   +---------------------------------------------------------------+
 *   |                     reserved up to byte 63                    | 24
 *   +---------------------------------------------------------------+
 *
 *   state word, as a long (bit 63 left):
 *   +-+---------------+----------------+-+--------------------------------+
 *   |R| reset gen 15b | arrived 16 b   |B|   generation (31 bits)         |
 *   +-+---------------+----------------+-+--------------------------------+
 *    63 62         48  47            32  31 30                           0
 *   low 32 bits (B and generation): the futex word; it changes on every release, break and reset.
 *   B: this generation is broken (a waiter timed out or was interrupted, or abort()).
 *   R + reset gen: set by reset(): the low 15 bits of the generation that reset() ended while in use,
 *   so that its sleepers, waking later into a newer generation, know they were reset, not released.
 * </pre>
 */
final class BarrierLayout {

    static final int MAGIC = Placement.magic("BFBR");
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long STATE_OFFSET = 8;
    /** The low 32 bits of the state word, whichever the byte order. */
    static final long FUTEX_OFFSET = STATE_OFFSET + (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4);
    static final long PARTIES_OFFSET = 16;
    static final long SLEEPERS_OFFSET = 20;

    static final int MAX_PARTIES = 32767;
    static final int BYTES = 64;

    static final long GENERATION_MASK = 0x7FFF_FFFFL;
    static final long BROKEN = 1L << 31;
    static final int ARRIVED_SHIFT = 32;
    static final long ARRIVED_ONE = 1L << ARRIVED_SHIFT;
    static final long ARRIVED_MASK = 0xFFFFL << ARRIVED_SHIFT;
    static final int RESET_SHIFT = 48;
    static final long RESET_VALID = 0x8000L;

    private BarrierLayout() {}

    static int generation(final long state) {
        return (int) (state & GENERATION_MASK);
    }

    static boolean isBroken(final long state) {
        return (state & BROKEN) != 0;
    }

    static int arrived(final long state) {
        return (int) ((state & ARRIVED_MASK) >>> ARRIVED_SHIFT);
    }

    static long resetTag(final long state) {
        return state >>> RESET_SHIFT;
    }

    /** The reset tag that marks {@code generation} as ended by reset(). */
    static long resetTagFor(final int generation) {
        return RESET_VALID | (generation & 0x7FFFL);
    }

    /** The state of a fresh generation {@code generation + 1}: nobody arrived, not broken. */
    static long nextGeneration(final long state, final long resetTag) {
        return (resetTag << RESET_SHIFT) | ((generation(state) + 1L) & GENERATION_MASK);
    }

    /** The futex word of {@code state}. */
    static int futexWord(final long state) {
        return (int) state;
    }
}
