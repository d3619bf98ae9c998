package io.bingfa.shm;

/**
 * The 64-byte block of a {@link ShmCondition}.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                        magic "BFCV"                           |  0
 *   +---------------------------------------------------------------+
 *   |                        layout version                         |  4
 *   +---------------------------------------------------------------+
 *   |     sequence: +1 per notify (the futex word, wrapping)        |  8
 *   +---------------------------------------------------------------+
 *   |          sleepers: waiters announced (may overcount)          | 12
 *   +---------------------------------------------------------------+
 *   |      offset of its ShmMutex in the same memory (64 bits)      | 16
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                     reserved up to byte 63                    | 24
 *   +---------------------------------------------------------------+
 * </pre>
 * The mutex offset binds the condition to one lock: opening it with another mutex fails.
 */
final class ConditionLayout {

    static final int MAGIC = Placement.magic("BFCV");
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long SEQUENCE_OFFSET = 8;
    static final long SLEEPERS_OFFSET = 12;
    static final long MUTEX_OFFSET_OFFSET = 16;

    static final int BYTES = 64;

    private ConditionLayout() {}
}
