package io.bingfa.shm;

import java.lang.foreign.MemorySegment;

/**
 * A fixed-length array of 64-bit numbers in shared memory, each element updated atomically: Python's
 * {@code multiprocessing.Array('q', n)} without the lock.
 *
 * <pre>{@code
 * SharedArray hist = SharedArray.create(shm, 0, 16);     // one process creates
 * SharedArray same = SharedArray.open(shm, 0);           // the others open: length comes from memory
 * same.incrementAndGet(3);
 * long[] snapshot = hist.toArray();
 * }</pre>
 *
 * <h2>Overview</h2>
 * Layout in {@link ArrayLayout}: magic, version and length, then the elements. Every element operation is
 * atomic on its own; {@link #toArray()} reads the elements one by one, so a snapshot taken while other
 * processes write is not atomic as a whole (guard the array with a {@link ShmMutex} when it must be).
 * Element type is fixed to {@code long}: Python's typecodes exist to pick a C type; a JVM reads ints,
 * doubles ({@link Double#doubleToRawLongBits}) or flags from a long as cheaply.
 */
public final class SharedArray {

    /** The largest length {@link #create} accepts (so that indexes stay {@code int}). */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private final SharedMemory shm;
    private final MemorySegment memory;
    private final int length;
    private final long offset;

    private SharedArray(final SharedMemory shm, final MemorySegment memory, final int length, final long offset) {
        this.shm = shm;
        this.memory = memory;
        this.length = length;
        this.offset = offset;
    }

    /**
     * Creates an array of {@code length} zeros at {@code offset} (a multiple of 8) of {@code shm}'s memory,
     * overwriting what was there.
     *
     * @throws IllegalArgumentException if the length is not 1 to {@link #MAX_LENGTH}, or it does not fit
     */
    public static SharedArray create(final SharedMemory shm, final long offset, final int length) {
        if (length < 1 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("length must be between 1 and " + MAX_LENGTH + ", was " + length);
        }
        final MemorySegment memory = Placement.slice(shm, offset, ArrayLayout.bytes(length), Long.BYTES, "a SharedArray");
        ShmAccess.svInt(memory, ArrayLayout.MAGIC_OFFSET, 0); // a reader must not accept a half-made array
        memory.asSlice(ArrayLayout.HEADER_BYTES).fill((byte) 0);
        ShmAccess.spInt(memory, ArrayLayout.VERSION_OFFSET, ArrayLayout.VERSION);
        ShmAccess.spLong(memory, ArrayLayout.LENGTH_OFFSET, length);
        ShmAccess.soInt(memory, ArrayLayout.MAGIC_OFFSET, ArrayLayout.MAGIC);
        return new SharedArray(shm, memory, length, offset);
    }

    /**
     * Opens the array that {@link #create} made at {@code offset}.
     *
     * @throws SegmentFormatException if there is no array of this layout version there
     */
    public static SharedArray open(final SharedMemory shm, final long offset) {
        final MemorySegment header = Placement.slice(shm, offset, ArrayLayout.HEADER_BYTES, Long.BYTES, "a SharedArray");
        Placement.checkMagic(header, ArrayLayout.MAGIC_OFFSET, ArrayLayout.MAGIC, ArrayLayout.VERSION_OFFSET,
                ArrayLayout.VERSION, "SharedArray", shm, offset);
        final long length = ShmAccess.lpLong(header, ArrayLayout.LENGTH_OFFSET);
        if (length < 1 || length > MAX_LENGTH || ArrayLayout.bytes(length) > shm.size() - offset) {
            throw new SegmentFormatException("SharedArray at offset " + offset + " of " + shm.path()
                    + " records length " + length + ", which does not fit in " + shm.size() + " bytes");
        }
        final MemorySegment memory = Placement.slice(shm, offset, ArrayLayout.bytes(length), Long.BYTES, "a SharedArray");
        return new SharedArray(shm, memory, (int) length, offset);
    }

    /** Bytes that an array of {@code length} elements occupies (header included). */
    public static long bytes(final int length) {
        return ArrayLayout.bytes(length);
    }

    public int length() {
        return length;
    }

    public long get(final int index) {
        return ShmAccess.lvLong(memory, at(index));
    }

    public void set(final int index, final long value) {
        ShmAccess.svLong(memory, at(index), value);
    }

    public long getAndSet(final int index, final long value) {
        return ShmAccess.gasLong(memory, at(index), value);
    }

    public boolean compareAndSet(final int index, final long expected, final long value) {
        return ShmAccess.casLong(memory, at(index), expected, value);
    }

    public long getAndAdd(final int index, final long delta) {
        return ShmAccess.gaaLong(memory, at(index), delta);
    }

    public long addAndGet(final int index, final long delta) {
        return ShmAccess.gaaLong(memory, at(index), delta) + delta;
    }

    public long incrementAndGet(final int index) {
        return addAndGet(index, 1);
    }

    /** The elements, each read atomically (the whole is not a single atomic snapshot). */
    public long[] toArray() {
        final long[] copy = new long[length];
        for (int i = 0; i < length; i++) {
            copy[i] = ShmAccess.lvLong(memory, ArrayLayout.elementOffset(i));
        }
        return copy;
    }

    private long at(final int index) {
        if (index < 0 || index >= length) {
            throw new IndexOutOfBoundsException("index must be between 0 and " + (length - 1) + ", was " + index);
        }
        return ArrayLayout.elementOffset(index);
    }

    @Override
    public String toString() {
        return "SharedArray[" + shm.name() + "@" + offset + ", length " + length + "]";
    }
}
