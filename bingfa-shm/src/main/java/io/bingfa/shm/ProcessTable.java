package io.bingfa.shm;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * The attached-process table of a queue (layout and protocol in {@link ProcessTableLayout}): gives this
 * handle an owner id, tells whether another owner id is still alive, and keeps the per-process counters
 * that {@link ShmJoinableQueue#join()} sums.
 *
 * <p>Any thread may call any method. Liveness answers for a dead owner are final (its slot generation
 * moved on or its process is gone); answers for a live one are snapshots.
 */
final class ProcessTable {

    private final MemorySegment table;
    private final int slots;

    ProcessTable(final MemorySegment table, final int slots) {
        this.table = table;
        this.slots = slots;
    }

    /**
     * Takes a free slot, or the slot of a dead process, for this JVM; returns the owner id.
     *
     * @throws IllegalStateException if every slot belongs to a live process
     */
    int attach() {
        final long me = ProcessIdentity.CURRENT;
        final long pid = ProcessIdentity.CURRENT_PID;
        for (int slot = 0; slot < slots; slot++) {
            final long base = ProcessTableLayout.slotOffset(slot);
            final long word = lvWord(base);
            final long occupant = ProcessTableLayout.pidOfWord(word);
            if (occupant != 0L) {
                final long token = lvToken(base);
                // The dead token goes first: between our word CAS and our token store, a checker must
                // see "attaching" (token 0), not a dead token that would make it reclaim us in turn.
                if (isAlive(occupant, token) || !ShmAccess.casLong(table, base + ProcessTableLayout.TOKEN_OFFSET, token, 0L)) {
                    continue;
                }
            }
            final long generation = ProcessTableLayout.generationOfWord(word) + 1;
            if (ShmAccess.casLong(table, base + ProcessTableLayout.WORD_OFFSET, word,
                    ProcessTableLayout.word(generation, pid))) {
                zeroCounters(base); // the slot is ours; a join() summing meanwhile only waits longer
                ShmAccess.svLong(table, base + ProcessTableLayout.TOKEN_OFFSET, me);
                return ProcessTableLayout.ownerId(slot, generation);
            }
        }
        throw new IllegalStateException("all " + slots + " process slots of the queue are held by live processes");
    }

    /** Gives the slot of {@code ownerId} back (a clean close); its counters are forgotten. */
    void detach(final int ownerId) {
        final long base = ProcessTableLayout.slotOffset(ProcessTableLayout.slotOf(ownerId));
        final long word = lvWord(base);
        if ((ProcessTableLayout.generationOfWord(word) & ProcessTableLayout.GENERATION_MASK)
                != ProcessTableLayout.generationOf(ownerId)) {
            return; // reclaimed by someone who thought we were dead: not ours any more
        }
        ShmAccess.svLong(table, base + ProcessTableLayout.TOKEN_OFFSET, 0L);
        zeroCounters(base);
        ShmAccess.casLong(table, base + ProcessTableLayout.WORD_OFFSET, word,
                ProcessTableLayout.word(ProcessTableLayout.generationOfWord(word), 0L));
    }

    /** {@code false} once the process behind {@code ownerId} has detached or died. */
    boolean isAlive(final int ownerId) {
        final long base = ProcessTableLayout.slotOffset(ProcessTableLayout.slotOf(ownerId));
        final long word = lvWord(base);
        if ((ProcessTableLayout.generationOfWord(word) & ProcessTableLayout.GENERATION_MASK)
                != ProcessTableLayout.generationOf(ownerId)) {
            return false;
        }
        final long pid = ProcessTableLayout.pidOfWord(word);
        return pid != 0L && isAlive(pid, lvToken(base));
    }

    /** A per-scan cache of {@link #isAlive(int)}: a scan asks about the same few owners many times. */
    Map<Integer, Boolean> newLivenessCache() {
        return new HashMap<>();
    }

    boolean isAlive(final int ownerId, final Map<Integer, Boolean> cache) {
        return cache.computeIfAbsent(ownerId, this::isAlive);
    }

    /** Counts one record taken by {@code ownerId}'s process (joinable queues). */
    void countTaken(final int ownerId) {
        ShmAccess.gaaLong(table, counterOffset(ownerId, ProcessTableLayout.TAKEN_OFFSET), 1L);
    }

    /**
     * Counts one {@code taskDone()} by {@code ownerId}'s process.
     *
     * @throws IllegalStateException if this process would have marked more records done than it took
     */
    void countDone(final int ownerId) {
        final long taken = counterOffset(ownerId, ProcessTableLayout.TAKEN_OFFSET);
        final long done = counterOffset(ownerId, ProcessTableLayout.DONE_OFFSET);
        for (;;) {
            final long d = ShmAccess.lvLong(table, done);
            if (d >= ShmAccess.lvLong(table, taken)) {
                throw new IllegalStateException("taskDone() called more times than this process took items");
            }
            if (ShmAccess.casLong(table, done, d, d + 1)) {
                return;
            }
        }
    }

    /** Records taken and not yet marked done, summed over live processes (dead ones are written off). */
    long unfinishedOfLiveProcesses() {
        long sum = 0;
        for (int slot = 0; slot < slots; slot++) {
            final long base = ProcessTableLayout.slotOffset(slot);
            final long word = lvWord(base);
            final long pid = ProcessTableLayout.pidOfWord(word);
            if (pid == 0L) {
                continue;
            }
            final long open = ShmAccess.lvLong(table, base + ProcessTableLayout.TAKEN_OFFSET)
                    - ShmAccess.lvLong(table, base + ProcessTableLayout.DONE_OFFSET);
            if (open != 0 && isAlive(pid, lvToken(base))) {
                sum += open;
            }
        }
        return sum;
    }

    /** Distinct live processes with a handle attached (a snapshot; reads /proc, so not for hot paths). */
    int attachedProcesses() {
        final java.util.Set<Long> pids = new java.util.HashSet<>();
        for (int slot = 0; slot < slots; slot++) {
            final long base = ProcessTableLayout.slotOffset(slot);
            final long pid = ProcessTableLayout.pidOfWord(lvWord(base));
            if (pid != 0L && !pids.contains(pid) && isAlive(pid, lvToken(base))) {
                pids.add(pid);
            }
        }
        return pids.size();
    }

    private static boolean isAlive(final long pid, final long token) {
        if (token != 0L) {
            return ProcessIdentity.isAlive(token);
        }
        if (pid == ProcessIdentity.CURRENT_PID) {
            return true;
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) // attaching: the pid is all there is
                && !ProcessIdentity.isZombie(pid);
    }

    private long counterOffset(final int ownerId, final long field) {
        return ProcessTableLayout.slotOffset(ProcessTableLayout.slotOf(ownerId)) + field;
    }

    private void zeroCounters(final long base) {
        ShmAccess.svLong(table, base + ProcessTableLayout.TAKEN_OFFSET, 0L);
        ShmAccess.svLong(table, base + ProcessTableLayout.DONE_OFFSET, 0L);
    }

    private long lvWord(final long base) {
        return ShmAccess.lvLong(table, base + ProcessTableLayout.WORD_OFFSET);
    }

    private long lvToken(final long base) {
        return ShmAccess.lvLong(table, base + ProcessTableLayout.TOKEN_OFFSET);
    }
}
