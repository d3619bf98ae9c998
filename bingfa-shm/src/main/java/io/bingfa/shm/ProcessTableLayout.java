package io.bingfa.shm;

/**
 * The table of processes attached to a {@link ShmQueue}: one 32-byte slot per attached handle. Records
 * name their owner by a 32-bit owner id, {@code slot | generation << 10}, instead of a pid: it fits beside
 * the state and the frame length in one control word, so claiming a record and recording its owner is a
 * single compare-and-set.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |     slot word: generation (high 32) | pid (low 32), 0 = free  |  0   CAS word
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |   process token (pid | start time); 0 while being attached    |  8
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |      records taken (joinable queues: for join accounting)     | 16
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |           taskDone() calls (joinable queues)                  | 24
 *   |                                                               |
 *   +---------------------------------------------------------------+
 * </pre>
 *
 * <h2>Attaching and reclaiming</h2>
 * <pre>
 *   free (pid 0)        -&gt; (gen+1, me)   attach: CAS the slot word, then store the token
 *   (gen, dead pid)     -&gt; (gen+1, me)   attach over a dead process: first CAS its token to 0 (only
 *                                         one reclaimer wins), zero the counters, then CAS the word
 *   (gen, me)           -&gt; (gen, 0)      detach (close): token := 0, counters := 0, then the word
 * </pre>
 * An owner id is alive while its slot still has the same generation and a live process: a reclaimed slot
 * has a new generation, so records of the dead owner are recognised as dead forever after, and pid reuse
 * cannot revive them (the token carries the start time). A token of 0 with a pid means "attaching":
 * alive if the pid is; a process killed in that window leaks the slot only while its pid stays in use.
 */
final class ProcessTableLayout {

    static final int SLOT_BYTES = 32;
    static final int SLOTS = 1024;
    static final int SLOT_BITS = 10;
    static final int GENERATION_MASK = (1 << (32 - SLOT_BITS)) - 1;

    static final long WORD_OFFSET = 0;
    static final long TOKEN_OFFSET = 8;
    static final long TAKEN_OFFSET = 16;
    static final long DONE_OFFSET = 24;

    static final int BYTES = SLOTS * SLOT_BYTES;

    private ProcessTableLayout() {}

    static long slotOffset(final int slot) {
        return (long) slot * SLOT_BYTES;
    }

    static int ownerId(final int slot, final long generation) {
        return slot | (int) ((generation & GENERATION_MASK) << SLOT_BITS);
    }

    static int slotOf(final int ownerId) {
        return ownerId & (SLOTS - 1);
    }

    static int generationOf(final int ownerId) {
        return ownerId >>> SLOT_BITS;
    }

    static long word(final long generation, final long pid) {
        return (generation << 32) | (pid & 0xFFFF_FFFFL);
    }

    static long generationOfWord(final long word) {
        return word >>> 32;
    }

    static long pidOfWord(final long word) {
        return word & 0xFFFF_FFFFL;
    }
}
