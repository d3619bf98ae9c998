package io.bingfa.shm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The only place where Bingfa's shared-memory code (this module and bingfa-cache's SharedMap) touches a
 * {@link VarHandle}: one small accessor per
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
 * and aarch64, the only platforms the futex calls are wired for). Public for the other Bingfa modules that
 * build on shared memory; not meant for applications.
 */
public final class ShmAccess {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private ShmAccess() {}

    public static int lvInt(final MemorySegment s, final long offset) {
        return (int) INT.getVolatile(s, offset);
    }

    public static int laInt(final MemorySegment s, final long offset) {
        return (int) INT.getAcquire(s, offset);
    }

    public static int lpInt(final MemorySegment s, final long offset) {
        return (int) INT.get(s, offset);
    }

    public static void svInt(final MemorySegment s, final long offset, final int value) {
        INT.setVolatile(s, offset, value);
    }

    public static void soInt(final MemorySegment s, final long offset, final int value) {
        INT.setRelease(s, offset, value);
    }

    public static void spInt(final MemorySegment s, final long offset, final int value) {
        INT.set(s, offset, value);
    }

    public static boolean casInt(final MemorySegment s, final long offset, final int expected, final int next) {
        return INT.compareAndSet(s, offset, expected, next);
    }

    public static int gaaInt(final MemorySegment s, final long offset, final int delta) {
        return (int) INT.getAndAdd(s, offset, delta);
    }

    public static int gasInt(final MemorySegment s, final long offset, final int value) {
        return (int) INT.getAndSet(s, offset, value);
    }

    public static long lvLong(final MemorySegment s, final long offset) {
        return (long) LONG.getVolatile(s, offset);
    }

    public static long laLong(final MemorySegment s, final long offset) {
        return (long) LONG.getAcquire(s, offset);
    }

    public static long lpLong(final MemorySegment s, final long offset) {
        return (long) LONG.get(s, offset);
    }

    public static void svLong(final MemorySegment s, final long offset, final long value) {
        LONG.setVolatile(s, offset, value);
    }

    public static void soLong(final MemorySegment s, final long offset, final long value) {
        LONG.setRelease(s, offset, value);
    }

    public static void spLong(final MemorySegment s, final long offset, final long value) {
        LONG.set(s, offset, value);
    }

    public static boolean casLong(final MemorySegment s, final long offset, final long expected, final long next) {
        return LONG.compareAndSet(s, offset, expected, next);
    }

    public static long caeLong(final MemorySegment s, final long offset, final long expected, final long next) {
        return (long) LONG.compareAndExchange(s, offset, expected, next);
    }

    public static long gaaLong(final MemorySegment s, final long offset, final long delta) {
        return (long) LONG.getAndAdd(s, offset, delta);
    }

    public static long gasLong(final MemorySegment s, final long offset, final long value) {
        return (long) LONG.getAndSet(s, offset, value);
    }

    /** A full two-way fence, for the rare place where two independent accesses must not be reordered. */
    public static void fullFence() {
        VarHandle.fullFence();
    }

    /** An unaligned word of key bytes, in native order (the same order as {@link #arrayLong}). */
    public static long keyLong(final MemorySegment s, final long offset) {
        return s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    /** A word of a byte array at any index, in native order. */
    public static long arrayLong(final byte[] a, final int index) {
        return (long) ARRAY_LONG.get(a, index);
    }

    /** Orders the plain reads of a seqlock-style read before the re-check of the version that validates them. */
    public static void loadLoadFence() {
        VarHandle.loadLoadFence();
    }
}
