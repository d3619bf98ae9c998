package io.bingfa.shm;

/**
 * The 64-byte lock word block of a {@link ShmMutex}, one cache line.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                        magic "BFMX"                           |  0
 *   +---------------------------------------------------------------+
 *   |                        layout version                         |  4
 *   +---------------------------------------------------------------+
 *   |   owner: process token (pid | start time), 0 = unlocked       |  8   CAS word
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |        owner thread id (meaningful inside the owner JVM)      | 16
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                   hold count (reentrant)                      | 24
 *   +---------------------------------------------------------------+
 *   |          sleepers: 0 none, 1 maybe (the futex word)           | 28
 *   +---------------------------------------------------------------+
 *   |                 options: bit 0 = reentrant                    | 32
 *   +---------------------------------------------------------------+
 *   |        state: bit 0 = inconsistent (an owner died holding)    | 36
 *   +---------------------------------------------------------------+
 *   |          recoveries: times taken from a dead owner            | 40
 *   +---------------------------------------------------------------+
 *   |                     reserved up to byte 63                    | 44
 *   +---------------------------------------------------------------+
 * </pre>
 * Only the owner writes the thread id and the hold count, and only while it holds the lock; the owner
 * token is written only by compare-and-set (acquire, take-over from a dead owner) and by the owner's
 * releasing volatile store.
 */
final class MutexLayout {

    static final int MAGIC = Placement.magic("BFMX");
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long OWNER_OFFSET = 8;
    static final long OWNER_THREAD_OFFSET = 16;
    static final long HOLDS_OFFSET = 24;
    static final long SLEEPERS_OFFSET = 28;
    static final long OPTIONS_OFFSET = 32;
    static final long STATE_OFFSET = 36;
    static final long RECOVERIES_OFFSET = 40;

    static final int OPTION_REENTRANT = 1;
    static final int STATE_INCONSISTENT = 1;

    static final int BYTES = 64;

    private MutexLayout() {}
}
