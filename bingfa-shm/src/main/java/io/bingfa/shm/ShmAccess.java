package io.bingfa.shm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The only place where Bingfa's shared-memory code touches a {@link VarHandle}: one small accessor per
 * memory ordering, named as in JCTools' {@code package-info} so that the algorithm classes say which
 * ordering they mean in two letters.
 *
 * <pre>
 *   lv   load volatile     (getVolatile: sequentially consistent)
 *   la   load acquire      (getAcquire)
 *   lp   load plain        (get: no ordering; only for data the caller already owns or re-checks)
 *   sv   store volatile    (setVolatile: a full fence after the store; used where a Dekker-style
 *                           "publish, then look for sleepers" must not be reordered)
 *   so   store ordered     (setRelease: everything written before is visible to an acquiring reader)
 *   sp   store plain
 *   cas  compare-and-set   (volatile semantics)
 *   gaa  get-and-add       (volatile semantics)
 * </pre>
 *
 * <p>All accesses are to native, page-aligned mappings; the layout classes keep every word aligned to
 * its size, so the aligned {@link ValueLayout#JAVA_INT} / {@link ValueLayout#JAVA_LONG} handles never
 * throw for misalignment. Multi-byte values are in the platform's byte order (little-endian on x86-64
 * and aarch64, the only platforms the futex calls are wired for).
 */
final class ShmAccess {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private ShmAccess() {}

    static int lvInt(final MemorySegment s, final long offset) {
        return (int) INT.getVolatile(s, offset);
    }

    static int laInt(final MemorySegment s, final long offset) {
        return (int) INT.getAcquire(s, offset);
    }

    static int lpInt(final MemorySegment s, final long offset) {
        return (int) INT.get(s, offset);
    }

    static void svInt(final MemorySegment s, final long offset, final int value) {
        INT.setVolatile(s, offset, value);
    }

    static void soInt(final MemorySegment s, final long offset, final int value) {
        INT.setRelease(s, offset, value);
    }

    static void spInt(final MemorySegment s, final long offset, final int value) {
        INT.set(s, offset, value);
    }

    static boolean casInt(final MemorySegment s, final long offset, final int expected, final int next) {
        return INT.compareAndSet(s, offset, expected, next);
    }

    static int gaaInt(final MemorySegment s, final long offset, final int delta) {
        return (int) INT.getAndAdd(s, offset, delta);
    }

    static int gasInt(final MemorySegment s, final long offset, final int value) {
        return (int) INT.getAndSet(s, offset, value);
    }

    static long lvLong(final MemorySegment s, final long offset) {
        return (long) LONG.getVolatile(s, offset);
    }

    static long laLong(final MemorySegment s, final long offset) {
        return (long) LONG.getAcquire(s, offset);
    }

    static long lpLong(final MemorySegment s, final long offset) {
        return (long) LONG.get(s, offset);
    }

    static void svLong(final MemorySegment s, final long offset, final long value) {
        LONG.setVolatile(s, offset, value);
    }

    static void soLong(final MemorySegment s, final long offset, final long value) {
        LONG.setRelease(s, offset, value);
    }

    static void spLong(final MemorySegment s, final long offset, final long value) {
        LONG.set(s, offset, value);
    }

    static boolean casLong(final MemorySegment s, final long offset, final long expected, final long next) {
        return LONG.compareAndSet(s, offset, expected, next);
    }

    static long caeLong(final MemorySegment s, final long offset, final long expected, final long next) {
        return (long) LONG.compareAndExchange(s, offset, expected, next);
    }

    static long gaaLong(final MemorySegment s, final long offset, final long delta) {
        return (long) LONG.getAndAdd(s, offset, delta);
    }

    static long gasLong(final MemorySegment s, final long offset, final long value) {
        return (long) LONG.getAndSet(s, offset, value);
    }

    /** A full two-way fence, for the rare place where two independent accesses must not be reordered. */
    static void fullFence() {
        VarHandle.fullFence();
    }
}
