package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bounded multi-producer, multi-consumer ring of variable-length records behind {@link ShmQueue}:
 * any number of threads in any number of JVMs put and take, and the death of any of them at any
 * instruction neither loses an acknowledged record nor wedges the others.
 *
 * <h2>Overview</h2>
 * The ring is {@code capacity} bytes (a power of two) of 16-byte-aligned frames ({@link RecordLayout}),
 * addressed by ever-growing 64-bit positions (never wrapping, so there is no ABA on them). Three cursors
 * live in the control block ({@link QueueLayout}), each on its own cache line:
 * <pre>
 *     head              readCursor                   tail               head + capacity
 *      |  CONSUMED, READING, |  PUBLISHED, CLAIMED      |   free units          |
 *      |  ABANDONED, PADDING |  (not yet taken)         |   (stamped)           |
 * </pre>
 * <ul>
 *   <li><b>Claim (producer).</b> Read {@code tail = t}; if the frame does not fit before
 *       {@code head + capacity}, sweep, then wait. If it would run past the end of the ring, first claim
 *       the rest of the ring as a PADDING frame. Claim with one CAS on the frame's control word, from
 *       exactly the <em>free stamp</em> of position t to {@code CLAIMED(length, me)}, then CAS tail
 *       {@code t -> t + frame} (anyone who sees a claimed frame at the tail helps move it, so a producer
 *       that dies right after its claim does not stop the tail).</li>
 *   <li><b>Publish.</b> Write length, type and payload, then a volatile store of
 *       {@code PUBLISHED}, then signal the not-empty eventcount (see Blocking).</li>
 *   <li><b>Take (consumer).</b> At {@code readCursor = r < tail}, read the frame's control word; if it is
 *       PUBLISHED, CAS readCursor {@code r -> r + frame} (this is the claim: one winner), then CAS the
 *       control word {@code PUBLISHED -> READING(me)}. Frames already taken, consumed, abandoned or padding
 *       are skipped by the same cursor CAS. A CLAIMED frame at readCursor is waited for: records are taken
 *       in claim order (FIFO across all producers, as far as claim order is an order).</li>
 *   <li><b>Release.</b> Copy the payload out, then a volatile store of {@code CONSUMED}, then signal the
 *       not-full eventcount.</li>
 *   <li><b>Sweep (producers, when short of room).</b> One process at a time, holding the sweep lease (a
 *       word holding its owner id, taken by CAS), walks from the head over finished frames (CONSUMED,
 *       ABANDONED, PADDING) up to the first unfinished one or the read cursor, stamps every unit of each
 *       frame with the free stamp of its next lap ({@code position + capacity}; body units first, the
 *       header last), then moves the head past the whole batch with one volatile store. A batch of
 *       hundreds of frames costs one CAS. A holder that dies leaves the lease to be taken over by the next
 *       one that finds it dead; frames it stamped but did not pass the head over are recognised by their
 *       next-lap stamps (a stamped prefix always ends at an unstamped header) and passed over.</li>
 * </ul>
 *
 * <h2>Why free stamps, and why every CAS is validated by a cursor</h2>
 * A thread may read a cursor, be descheduled, and come back after the ring has moved on: the word at its
 * stale position may then be a frame of a later lap, or bytes in the middle of someone's payload. So no
 * CAS on a control word may rest on a stale position:
 * <ul>
 *   <li>a producer claims only from the exact <em>free stamp</em> of its tail position: the stamp names
 *       the position, so it matches one position ever (zeroed memory would not: a stale producer could
 *       claim a zero a lap later, or inside a payload);</li>
 *   <li>a consumer claims by CAS on the read cursor itself: if {@code readCursor} was {@code r} from its
 *       read to its CAS, the frame at {@code r} was still there and the control word it read was real;
 *       only the winner then marks the frame READING;</li>
 *   <li>the sweeper makes no CAS on control words at all: only the lease holder moves the head, so
 *       nothing below the read cursor changes under it but the finished frames it owns;</li>
 *   <li>scans (recovery, orphans, size, join) re-read the head after each control word; while
 *       {@code head <= p} the unit at {@code p} cannot be reused, and the frames they act on (CLAIMED,
 *       READING, PUBLISHED, ORPHANED) keep the head behind them.</li>
 * </ul>
 * What remains is a word that changed to <em>exactly</em> the expected value between a check and a CAS;
 * the salt in every stored control word ({@link RecordLayout}) leaves that to payloads that guess a
 * random 64-bit value.
 *
 * <h2>Death of a process (the robustness contract)</h2>
 * Every state a process can die in names its owner id ({@link ProcessTable}). Waiters run a recovery scan
 * of {@code [head, tail)} every {@link Waits#LIVENESS_CHECK_NANOS} (and every handle once when it opens):
 * <ul>
 *   <li>A producer killed <b>mid-write</b> (CLAIMED, dead owner): the frame becomes ABANDONED and is
 *       skipped and freed. The record is <b>dropped</b>: its {@code put} never returned, so nothing was
 *       acknowledged; consumers behind it wait at most one liveness period.</li>
 *   <li>A consumer killed <b>mid-read</b> (READING, dead owner): the frame becomes ORPHANED, the orphan
 *       epoch moves, and the next consumer that notices takes it: the record is <b>delivered again</b>,
 *       possibly out of order. Its {@code get} never returned, so it reaches the application exactly once.
 *       A consumer killed between its cursor CAS and its READING mark leaves a PUBLISHED frame behind the
 *       cursor, with no owner; a recovery scan that finds the same frame still so on its next pass (one
 *       liveness period later) orphans it. A live consumer that was merely that slow then fails its
 *       READING CAS and takes another record, so nothing is delivered twice (a taker stalled that long is
 *       a GC pause or a stopped process; the record then reaches another consumer first, out of order).
 *       (A consumer killed after its
 *       CONSUMED store but before {@code get} returned loses that record: a window of a few instructions,
 *       after the copy.)</li>
 *   <li>A sweeper killed anywhere: the lease names it, the next sweeper that finds it dead takes the
 *       lease and sweeps again from the head (stamping is idempotent).</li>
 *   <li>A process killed between a CAS on a cursor and its next step: the cursors are helped along by
 *       whoever sees the next frame's state.</li>
 * </ul>
 *
 * <h2>Blocking</h2>
 * Producers and consumers first poll (an adaptive spin), then sleep on the not-full / not-empty
 * {@link EventCount} words: announce (set the waiters bit), re-check, sleep. Publish and release are
 * volatile stores followed by {@link EventCount#signalAll}, which costs one read unless someone sleeps;
 * then the first notifier wakes all sleepers and the next ones pay nothing until a waiter sleeps again.
 * Sleeps are bounded, and a waiter that slept a liveness period without news runs the recovery scan.
 *
 * <h2>Threads</h2>
 * One {@code Ring} per {@link ShmQueue} handle, used by any number of threads of this JVM. The plain
 * fields (cached cursors, seen orphan epoch) are racy hints: a stale value only costs a re-read.
 */
final class Ring {

    private static final Logger LOG = LoggerFactory.getLogger(Ring.class);

    /** No position: no room, nothing to take, or the time ran out. */
    static final long NONE = -1L;

    /** Test hook: called at named points so that a test JVM can be killed there. Null in production. */
    interface TestHook {
        void at(String point);
    }

    /** Set only by test programs, before any queue is used; read plainly on the put and take paths. */
    static TestHook testHook;

    /** Reads a taken record; must copy what it needs before returning. */
    interface Reader<T> {
        T read(MemorySegment ring, long offset, int length, int type);
    }

    private final SharedMemory shm;
    private final MemorySegment control;
    private final MemorySegment ring;
    private final long capacity;
    private final long mask;
    private final long salt;
    private final ProcessTable table;
    private final int me;
    private final boolean joinable;
    private final AdaptiveSpin producerSpin = new AdaptiveSpin();
    private final AdaptiveSpin consumerSpin = new AdaptiveSpin();

    /** Racy hint: a head value read earlier; head only grows, so a stale value only under-reports room. */
    private long headCache;
    /** Racy hint: a tail value read earlier; tail only grows, so {@code r < tailCache} proves {@code r < tail}. */
    private long tailCache;
    /** Racy hint: the orphan epoch this handle last scanned for orphans at. */
    private int orphanEpochSeen;
    /**
     * PUBLISHED frames behind the read cursor seen by the previous recovery pass (position -&gt; control);
     * replaced by each pass, which runs in one thread at a time per waiter; a racy publication only
     * delays an orphaning by one pass.
     */
    private Map<Long, Long> unmarkedTakes = Map.of();

    Ring(final SharedMemory shm, final MemorySegment queue, final ProcessTable table, final int me) {
        this.shm = shm;
        this.control = queue;
        this.capacity = ShmAccess.lpLong(queue, QueueLayout.CAPACITY_OFFSET);
        this.mask = capacity - 1;
        this.salt = ShmAccess.lpLong(queue, QueueLayout.SALT_OFFSET);
        this.ring = queue.asSlice(QueueLayout.RING_OFFSET, capacity);
        this.table = table;
        this.me = me;
        this.joinable = (ShmAccess.lpInt(queue, QueueLayout.OPTIONS_OFFSET) & QueueLayout.OPTION_JOINABLE) != 0;
        this.orphanEpochSeen = lvOrphanEpoch() - 1; // scan once on the first take
    }

    /** Writes the initial layout of an empty ring: every unit stamped for lap 0. */
    static void format(final MemorySegment queue, final long capacity, final boolean joinable, final long salt) {
        ShmAccess.spLong(queue, QueueLayout.CAPACITY_OFFSET, capacity);
        ShmAccess.spInt(queue, QueueLayout.OPTIONS_OFFSET, joinable ? QueueLayout.OPTION_JOINABLE : 0);
        ShmAccess.spInt(queue, QueueLayout.SLOTS_OFFSET, ProcessTableLayout.SLOTS);
        ShmAccess.spLong(queue, QueueLayout.SALT_OFFSET, salt);
        final MemorySegment ring = queue.asSlice(QueueLayout.RING_OFFSET, capacity);
        for (long u = 0; u < capacity; u += RecordLayout.ALIGNMENT) {
            ShmAccess.spLong(ring, u, RecordLayout.freeStamp(u) ^ salt);
        }
    }

    long capacity() {
        return capacity;
    }

    /** The largest payload one record may carry. */
    long maxPayload() {
        return capacity - RecordLayout.HEADER_BYTES;
    }

    // =================================================================== producing

    /**
     * Appends one record, waiting at most {@code nanos} for room.
     *
     * @return {@code false} if there was no room in time
     */
    boolean offer(final byte[] payload, final int type, final long nanos) {
        final long frame = RecordLayout.frameBytesFor(payload.length);
        long p = tryClaim(frame);
        if (p == NONE) {
            if (nanos == 0L) {
                return false;
            }
            p = claimSlowly(frame, nanos);
            if (p == NONE) {
                return false;
            }
        }
        final long at = p & mask;
        ShmAccess.spInt(ring, at + RecordLayout.LENGTH_OFFSET, payload.length);
        ShmAccess.spInt(ring, at + RecordLayout.TYPE_OFFSET, type);
        final TestHook hook = testHook;
        if (hook != null) {
            MemorySegment.copy(payload, 0, ring, ValueLayout.JAVA_BYTE, at + RecordLayout.HEADER_BYTES, payload.length / 2);
            hook.at("producer-mid-write");
        }
        MemorySegment.copy(payload, 0, ring, ValueLayout.JAVA_BYTE, at + RecordLayout.HEADER_BYTES, payload.length);
        svControl(p, RecordLayout.control(RecordLayout.PUBLISHED, frame, me)); // volatile: before the waiter check
        EventCount.signalAll(control, QueueLayout.NOT_EMPTY_OFFSET);
        return true;
    }

    /** Claims {@code frame} bytes at the tail now, or returns {@link #NONE} if there is no room (after a sweep). */
    private long tryClaim(final long frame) {
        boolean swept = false;
        for (;;) {
            final long t = lvTail();
            final long offset = t & mask;
            final long pad = offset + frame > capacity ? capacity - offset : 0L;
            final long need = pad == 0L ? frame : pad;
            if (t + need - headCache > capacity) { // racy read: a stale head only under-reports room
                headCache = lvHead();
                if (t + need - headCache > capacity) {
                    if (swept) {
                        return NONE;
                    }
                    sweep();
                    swept = true;
                    headCache = lvHead();
                    continue;
                }
            }
            final long c = lvControl(t);
            if (c == RecordLayout.freeStamp(t)) {
                final int state = pad == 0L ? RecordLayout.CLAIMED : RecordLayout.PADDING;
                if (casControl(t, c, RecordLayout.control(state, need, me))) {
                    casTail(t, t + need);
                    if (pad == 0L) {
                        return t;
                    }
                }
            } else if (RecordLayout.state(c) != RecordLayout.FREE && lvTail() == t) {
                casTail(t, t + RecordLayout.frameBytes(c)); // a claimed frame at the tail: help its producer
            }
            // else: t was stale; read the tail again
        }
    }

    private long claimSlowly(final long frame, final long nanos) {
        final int budget = producerSpin.limit();
        for (int i = 0; i < budget; i++) {
            Thread.onSpinWait();
            final long p = tryClaim(frame);
            if (p != NONE) {
                producerSpin.succeeded();
                return p;
            }
        }
        producerSpin.failed();
        final long deadline = Waits.deadline(nanos);
        long nextRecovery = System.nanoTime() + Waits.LIVENESS_CHECK_NANOS;
        for (;;) {
            final int epoch = EventCount.prepare(control, QueueLayout.NOT_FULL_OFFSET);
            final long p = tryClaim(frame);
            if (p != NONE) {
                return p;
            }
            if (Thread.interrupted()) {
                throw new WaitInterruptedException(new InterruptedException());
            }
            final long now = System.nanoTime();
            if (now - nextRecovery >= 0L) {
                recover();
                nextRecovery = now + Waits.LIVENESS_CHECK_NANOS;
                continue;
            }
            final long remaining = Waits.remaining(deadline);
            if (remaining <= 0L) {
                return NONE;
            }
            Futex.await(control, QueueLayout.NOT_FULL_OFFSET, epoch, Math.min(remaining, nextRecovery - now));
        }
    }

    // =================================================================== consuming

    /**
     * Takes one record, waiting at most {@code nanos}; {@code reader} copies it out, then the frame is
     * released (also when {@code reader} throws).
     *
     * @return what {@code reader} returned, or {@code null} if nothing came in time
     */
    <T> T poll(final Reader<T> reader, final long nanos) {
        long p = tryTake();
        if (p == NONE) {
            if (nanos == 0L) {
                return null;
            }
            p = takeSlowly(nanos);
            if (p == NONE) {
                return null;
            }
        }
        final long at = p & mask;
        final long frame = RecordLayout.frameBytes(lvControl(p)); // ours: READING(me)
        final TestHook hook = testHook;
        if (hook != null) {
            hook.at("consumer-mid-read");
        }
        boolean read = false;
        try {
            final T value = reader.read(ring, at + RecordLayout.HEADER_BYTES,
                    ShmAccess.lpInt(ring, at + RecordLayout.LENGTH_OFFSET),
                    ShmAccess.lpInt(ring, at + RecordLayout.TYPE_OFFSET));
            read = true;
            return value;
        } finally {
            if (read && joinable) {
                table.countTaken(me); // before CONSUMED: join() must never see the record gone and not counted
            }
            svControl(p, RecordLayout.control(RecordLayout.CONSUMED, frame, me)); // volatile: before the check
            EventCount.signalAll(control, QueueLayout.NOT_FULL_OFFSET);
        }
    }

    /** Takes the next record for this handle now (READING(me)), or returns {@link #NONE}. */
    private long tryTake() {
        if (lvOrphanEpoch() != orphanEpochSeen) { // racy read of our own hint: at worst one extra scan
            final long orphan = takeOrphan();
            if (orphan != NONE) {
                return orphan;
            }
        }
        for (;;) {
            final long r = lvReadCursor();
            if (r >= tailCache) { // racy read: tail only grows, so r < tailCache proves r < tail
                tailCache = lvTail();
                if (r >= tailCache) {
                    return NONE;
                }
            }
            final long c = lvControl(r); // real only if readCursor is still r when we CAS it (class comment)
            switch (RecordLayout.state(c)) {
                case RecordLayout.PUBLISHED -> {
                    if (casReadCursor(r, r + RecordLayout.frameBytes(c))) {
                        final TestHook hook = testHook;
                        if (hook != null) {
                            hook.at("consumer-before-mark");
                        }
                        if (casControl(r, c, RecordLayout.control(RecordLayout.READING, RecordLayout.frameBytes(c), me))) {
                            return r;
                        }
                    }
                    // lost the cursor, or were so slow that recovery orphaned the frame: take another
                }
                case RecordLayout.CLAIMED -> {
                    if (lvReadCursor() == r) {
                        return NONE; // its producer is still writing: records are taken in claim order
                    }
                }
                case RecordLayout.READING, RecordLayout.CONSUMED, RecordLayout.ABANDONED, RecordLayout.PADDING,
                     RecordLayout.ORPHANED -> casReadCursor(r, r + RecordLayout.frameBytes(c));
                default -> {
                    // FREE: r was stale (the record was taken and freed meanwhile); read again
                }
            }
        }
    }

    private long takeSlowly(final long nanos) {
        final int budget = consumerSpin.limit();
        for (int i = 0; i < budget; i++) {
            Thread.onSpinWait();
            final long p = tryTake();
            if (p != NONE) {
                consumerSpin.succeeded();
                return p;
            }
        }
        consumerSpin.failed();
        final long deadline = Waits.deadline(nanos);
        long nextRecovery = System.nanoTime() + Waits.LIVENESS_CHECK_NANOS;
        for (;;) {
            final int epoch = EventCount.prepare(control, QueueLayout.NOT_EMPTY_OFFSET);
            final long p = tryTake();
            if (p != NONE) {
                return p;
            }
            if (Thread.interrupted()) {
                throw new WaitInterruptedException(new InterruptedException());
            }
            final long now = System.nanoTime();
            if (now - nextRecovery >= 0L) {
                recover();
                nextRecovery = now + Waits.LIVENESS_CHECK_NANOS;
                continue;
            }
            final long remaining = Waits.remaining(deadline);
            if (remaining <= 0L) {
                return NONE;
            }
            Futex.await(control, QueueLayout.NOT_EMPTY_OFFSET, epoch, Math.min(remaining, nextRecovery - now));
        }
    }

    /** Takes an ORPHANED record behind the read cursor, if the orphan epoch says there may be one. */
    private long takeOrphan() {
        final int epoch = lvOrphanEpoch();
        long p = lvHead();
        while (p < lvReadCursor()) {
            final long c = lvControl(p);
            if (lvHead() > p) { // the unit may have been freed and reused after we read it: start again
                p = lvHead();
                continue;
            }
            if (RecordLayout.state(c) == RecordLayout.ORPHANED
                    && casControl(p, c, RecordLayout.control(RecordLayout.READING, RecordLayout.frameBytes(c), me))) {
                return p;
            }
            final long frame = RecordLayout.frameBytes(c);
            if (RecordLayout.state(c) == RecordLayout.FREE || frame == 0L) {
                p = restartAtHead(); // a sweeper is between its stamps and its head store: look again
                continue;
            }
            p += frame;
        }
        orphanEpochSeen = epoch;
        return NONE;
    }

    // =================================================================== freeing

    /**
     * Moves the head past every finished frame it can, if this handle gets the sweep lease (otherwise
     * another sweeper is at work and this returns at once); any thread may call it at any time.
     */
    void sweep() {
        if (!ShmAccess.casInt(control, QueueLayout.SWEEP_LEASE_OFFSET, 0, me)) {
            return;
        }
        try {
            for (;;) {
                final long h = lvHead(); // only the lease holder moves it
                final long r = lvReadCursor();
                long p = h;
                while (p < r) {
                    final long c = lvControl(p);
                    final int state = RecordLayout.state(c);
                    if (state == RecordLayout.CONSUMED || state == RecordLayout.ABANDONED
                            || state == RecordLayout.PADDING) {
                        stampForNextLap(p, RecordLayout.frameBytes(c));
                        p += RecordLayout.frameBytes(c);
                        final TestHook hook = testHook;
                        if (hook != null) {
                            hook.at("sweeper-mid-batch");
                        }
                    } else if (c == RecordLayout.freeStamp(p + capacity)) {
                        p += RecordLayout.ALIGNMENT; // stamped by a sweeper that died before moving the head
                    } else {
                        break; // PUBLISHED, READING, ORPHANED (CLAIMED cannot be below the read cursor)
                    }
                }
                if (p == h) {
                    return;
                }
                ShmAccess.svLong(control, QueueLayout.HEAD_OFFSET, p); // publishes the stamps before it
            }
        } finally {
            ShmAccess.svInt(control, QueueLayout.SWEEP_LEASE_OFFSET, 0);
        }
    }

    /** Stamps a finished frame for its next lap: body units first, the header last (see the class comment). */
    private void stampForNextLap(final long p, final long frame) {
        for (long u = p + frame - RecordLayout.ALIGNMENT; u > p; u -= RecordLayout.ALIGNMENT) {
            spControl(u, RecordLayout.freeStamp(u + capacity));
        }
        spControl(p, RecordLayout.freeStamp(p + capacity));
    }

    /** Frees the sweep lease if its holder is dead; for slow paths (reads /proc). */
    private void breakDeadLease(final Map<Integer, Boolean> alive) {
        final int holder = ShmAccess.lvInt(control, QueueLayout.SWEEP_LEASE_OFFSET);
        if (holder != 0 && !table.isAlive(holder, alive)
                && ShmAccess.casInt(control, QueueLayout.SWEEP_LEASE_OFFSET, holder, 0)) {
            LOG.warn("{}: a process died while freeing records; its sweep is taken over", shm.path());
        }
    }

    /**
     * For scans that met a free unit inside {@code [head, tail)}: only a sweeper that has stamped frames
     * and not yet moved the head leaves one there. Sweep (or wait for the sweeper; take its lease if it is
     * dead) and start from the head.
     */
    private long restartAtHead() {
        final long h = lvHead();
        sweep();
        if (lvHead() == h) {
            breakDeadLease(table.newLivenessCache());
            Thread.yield();
        }
        return lvHead();
    }

    // =================================================================== recovery

    /**
     * Scans {@code [head, tail)} for frames whose owner died: CLAIMED ones are abandoned, READING ones
     * orphaned (and consumers woken to take them), then sweeps. Costs a read of {@code /proc} per distinct
     * owner in the ring; run on slow paths only.
     */
    void recover() {
        final Map<Integer, Boolean> alive = table.newLivenessCache();
        final Map<Long, Long> previousUnmarked = unmarkedTakes;
        final Map<Long, Long> unmarked = new java.util.HashMap<>();
        int orphaned = 0;
        long p = lvHead();
        while (p < lvTail()) {
            final long c = lvControl(p);
            if (lvHead() > p) {
                p = lvHead();
                continue;
            }
            final int state = RecordLayout.state(c);
            final long frame = RecordLayout.frameBytes(c);
            if (state == RecordLayout.FREE || frame == 0L) {
                break; // a sweeper between its stamps and its head store: enough for this round
            }
            if (state == RecordLayout.CLAIMED && !table.isAlive(RecordLayout.owner(c), alive)
                    && casControl(p, c, RecordLayout.control(RecordLayout.ABANDONED, frame, 0))) {
                LOG.warn("{}: a producer died writing the record at position {}; the record is dropped",
                        shm.path(), p);
            } else if (state == RecordLayout.READING && !table.isAlive(RecordLayout.owner(c), alive)
                    && casControl(p, c, RecordLayout.control(RecordLayout.ORPHANED, frame, 0))) {
                orphaned++;
                LOG.warn("{}: a consumer died reading the record at position {}; it will be delivered again",
                        shm.path(), p);
            } else if (state == RecordLayout.PUBLISHED && p < lvReadCursor()) {
                // Taken (the cursor moved past it) but not marked READING: its taker is between two CASes,
                // or died there. Still so one pass later: orphan it (a slow taker then fails its mark).
                if (previousUnmarked.getOrDefault(p, 0L) == c
                        && casControl(p, c, RecordLayout.control(RecordLayout.ORPHANED, frame, 0))) {
                    orphaned++;
                    LOG.warn("{}: a consumer died taking the record at position {}; it will be delivered again",
                            shm.path(), p);
                } else {
                    unmarked.put(p, c);
                }
            }
            p += frame;
        }
        unmarkedTakes = unmarked;
        if (orphaned > 0) {
            ShmAccess.gaaInt(control, QueueLayout.ORPHAN_EPOCH_OFFSET, 1);
            EventCount.signalAll(control, QueueLayout.NOT_EMPTY_OFFSET);
        }
        breakDeadLease(alive);
        sweep();
        EventCount.signalAll(control, QueueLayout.NOT_FULL_OFFSET);
    }

    // =================================================================== queries

    /**
     * Records put and not yet taken (PUBLISHED, CLAIMED, ORPHANED) and, with {@code counting} false,
     * stops at the first one: a scan of {@code [head, tail)}, for size() and join().
     */
    int pending(final boolean counting) {
        int n = 0;
        long p = lvHead();
        while (p < lvTail()) {
            final long c = lvControl(p);
            if (lvHead() > p) {
                p = lvHead();
                continue;
            }
            final int state = RecordLayout.state(c);
            final long frame = RecordLayout.frameBytes(c);
            if (state == RecordLayout.FREE || frame == 0L) {
                p = restartAtHead();
                continue;
            }
            if (state == RecordLayout.PUBLISHED || state == RecordLayout.CLAIMED || state == RecordLayout.ORPHANED
                    || (!counting && state == RecordLayout.READING)) {
                n++;
                if (!counting) {
                    return n;
                }
            }
            p += frame;
        }
        return n;
    }

    /** {@code true} if no record waits to be taken now (a snapshot). */
    boolean isEmpty() {
        return lvReadCursor() >= lvTail() && pending(true) == 0;
    }

    /** The cursors and the frames in {@code [head, tail)}, for diagnostics and test failures. */
    String describe() {
        final StringBuilder b = new StringBuilder();
        final long h = lvHead();
        final long r = lvReadCursor();
        final long t = lvTail();
        b.append("head=").append(h).append(" read=").append(r).append(" tail=").append(t).append(" [");
        long p = h;
        for (int n = 0; p < t && n < 64; n++) {
            final long c = lvControl(p);
            b.append(p).append(':').append(RecordLayout.stateName(RecordLayout.state(c)));
            final long frame = RecordLayout.state(c) == RecordLayout.FREE ? 0 : RecordLayout.frameBytes(c);
            b.append('/').append(frame).append(' ');
            if (frame == 0) {
                b.append("stamp=").append(c << 4);
                break;
            }
            p += frame;
        }
        return b.append(']').toString();
    }

    // =================================================================== join support

    /** Wakes join() waiters (after a taskDone). */
    void wakeJoiners() {
        EventCount.signalAll(control, QueueLayout.JOIN_OFFSET);
    }

    /** Waits until {@code done} holds or {@code nanos} pass; re-runs recovery every liveness period. */
    boolean awaitJoin(final java.util.function.BooleanSupplier done, final long nanos) {
        final long deadline = Waits.deadline(nanos);
        for (;;) {
            final int epoch = EventCount.prepare(control, QueueLayout.JOIN_OFFSET);
            if (done.getAsBoolean()) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new WaitInterruptedException(new InterruptedException());
            }
            final long remaining = Waits.remaining(deadline);
            if (remaining <= 0L) {
                return false;
            }
            Futex.await(control, QueueLayout.JOIN_OFFSET, epoch, Math.min(remaining, Waits.LIVENESS_CHECK_NANOS));
            if (ShmAccess.lvInt(control, QueueLayout.JOIN_OFFSET) == epoch) {
                recover(); // nothing happened for a while: someone may have died
            }
        }
    }

    // =================================================================== accessors (see ShmAccess)

    private long lvTail() {
        return ShmAccess.lvLong(control, QueueLayout.TAIL_OFFSET);
    }

    private void casTail(final long expected, final long next) {
        ShmAccess.casLong(control, QueueLayout.TAIL_OFFSET, expected, next);
    }

    long lvReadCursor() {
        return ShmAccess.lvLong(control, QueueLayout.READ_CURSOR_OFFSET);
    }

    private boolean casReadCursor(final long expected, final long next) {
        return ShmAccess.casLong(control, QueueLayout.READ_CURSOR_OFFSET, expected, next);
    }

    private long lvHead() {
        return ShmAccess.lvLong(control, QueueLayout.HEAD_OFFSET);
    }

    private int lvOrphanEpoch() {
        return ShmAccess.lvInt(control, QueueLayout.ORPHAN_EPOCH_OFFSET);
    }

    private long lvControl(final long position) {
        return ShmAccess.lvLong(ring, position & mask) ^ salt;
    }

    private void svControl(final long position, final long value) {
        ShmAccess.svLong(ring, position & mask, value ^ salt);
    }

    private void spControl(final long position, final long value) {
        ShmAccess.spLong(ring, position & mask, value ^ salt);
    }

    private boolean casControl(final long position, final long expected, final long next) {
        return ShmAccess.casLong(ring, position & mask, expected ^ salt, next ^ salt);
    }
}
