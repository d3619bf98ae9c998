package io.bingfa.shm;

/**
 * The 64-byte block of a {@link ShmSemaphore}.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                        magic "BFSM"                           |  0
 *   +---------------------------------------------------------------+
 *   |                        layout version                         |  4
 *   +---------------------------------------------------------------+
 *   |            permits available (the futex word, &gt;= 0)         |  8
 *   +---------------------------------------------------------------+
 *   |        bound: most permits (Integer.MAX_VALUE: unbounded)     | 12
 *   +---------------------------------------------------------------+
 *   |          sleepers: waiters announced (may overcount)          | 16
 *   +---------------------------------------------------------------+
 *   |                     reserved up to byte 63                    | 20
 *   +---------------------------------------------------------------+
 * </pre>
 */
final class SemaphoreLayout {

    static final int MAGIC = Placement.magic("BFSM");
    static final int VERSION = 1;

    static final long MAGIC_OFFSET = 0;
    static final long VERSION_OFFSET = 4;
    static final long PERMITS_OFFSET = 8;
    static final long BOUND_OFFSET = 12;
    static final long SLEEPERS_OFFSET = 16;

    static final int UNBOUNDED = Integer.MAX_VALUE;
    static final int BYTES = 64;

    private SemaphoreLayout() {}
}
