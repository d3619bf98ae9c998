package io.bingfa.cache;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The memory-ordering vocabulary of the shared map, named once (JCTools' convention): {@code lv}/{@code sv}
 * volatile load/store, {@code la} acquire load, {@code so} release ("ordered") store, {@code lp}/{@code sp}
 * plain, {@code cas}, {@code gaa} get-and-add. Algorithm code calls these and never a raw {@link VarHandle}.
 * (bingfa-shm keeps its own twin package-private; this one also reads unaligned key words and byte arrays.)
 */
final class MapAccess {

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle ARRAY_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private MapAccess() {}

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

    static long gaaLong(final MemorySegment s, final long offset, final long delta) {
        return (long) LONG.getAndAdd(s, offset, delta);
    }

    static int lvInt(final MemorySegment s, final long offset) {
        return (int) INT.getVolatile(s, offset);
    }

    static int lpInt(final MemorySegment s, final long offset) {
        return (int) INT.get(s, offset);
    }

    static void svInt(final MemorySegment s, final long offset, final int value) {
        INT.setVolatile(s, offset, value);
    }

    static void spInt(final MemorySegment s, final long offset, final int value) {
        INT.set(s, offset, value);
    }

    /** An unaligned word of key bytes, in native order (the same order as {@link #arrayLong}). */
    static long keyLong(final MemorySegment s, final long offset) {
        return s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    /** A word of a byte array at any index, in native order. */
    static long arrayLong(final byte[] a, final int index) {
        return (long) ARRAY_LONG.get(a, index);
    }

    /** Orders the plain reads of a seqlock-style read before the re-check of the version that validates them. */
    static void loadLoadFence() {
        VarHandle.loadLoadFence();
    }
}
