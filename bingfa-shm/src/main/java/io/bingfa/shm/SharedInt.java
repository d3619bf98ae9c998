package io.bingfa.shm;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * A 32-bit number in shared memory that every process mapping it updates atomically: Python's
 * {@code multiprocessing.Value('i', 0)} without the lock, because a hardware atomic needs none.
 *
 * <pre>{@code
 * SharedInt hits = SharedInt.at(shm, 0);   // any JVM that maps shm, same offset: the same number
 * hits.incrementAndGet();
 * }</pre>
 *
 * <h2>Layout</h2>
 * Four bytes at an offset that is a multiple of 4, in the platform's byte order, no header: a value is
 * a word, not a structure (use {@link SharedArray} for a self-describing block). Every method is one
 * atomic instruction (or a compare-and-set loop for {@link #updateAndGet}) with volatile semantics, so a
 * value written by one process is seen by the others in program order. A 4-byte aligned word never
 * straddles a cache line, which is what makes the access atomic across processes.
 */
public final class SharedInt {

    private final SharedMemory shm;
    private final MemorySegment memory;

    private SharedInt(final SharedMemory shm, final MemorySegment memory) {
        this.shm = shm;
        this.memory = memory;
    }

    /**
     * The number at {@code offset} (a multiple of 4) of {@code shm}'s memory. Nothing is written: a
     * fresh segment holds zeros.
     *
     * @throws IllegalArgumentException if the offset is not aligned or the word does not fit
     */
    public static SharedInt at(final SharedMemory shm, final long offset) {
        return new SharedInt(shm, Placement.slice(shm, offset, Integer.BYTES, Integer.BYTES, "a SharedInt"));
    }

    public int get() {
        return ShmAccess.lvInt(memory, 0);
    }

    public void set(final int value) {
        ShmAccess.svInt(memory, 0, value);
    }

    public int getAndSet(final int value) {
        return ShmAccess.gasInt(memory, 0, value);
    }

    public boolean compareAndSet(final int expected, final int value) {
        return ShmAccess.casInt(memory, 0, expected, value);
    }

    public int getAndAdd(final int delta) {
        return ShmAccess.gaaInt(memory, 0, delta);
    }

    public int addAndGet(final int delta) {
        return ShmAccess.gaaInt(memory, 0, delta) + delta;
    }

    public int incrementAndGet() {
        return addAndGet(1);
    }

    public int decrementAndGet() {
        return addAndGet(-1);
    }

    /** Applies {@code update} atomically (retried while other processes change the value); returns the new value. */
    public int updateAndGet(final IntUnaryOperator update) {
        Objects.requireNonNull(update, "update");
        for (;;) {
            final int current = get();
            final int next = update.applyAsInt(current);
            if (compareAndSet(current, next)) {
                return next;
            }
        }
    }

    @Override
    public String toString() {
        return "SharedInt[" + shm.name() + "@" + (memory.address() - shm.segment().address()) + " = " + get() + "]";
    }
}
