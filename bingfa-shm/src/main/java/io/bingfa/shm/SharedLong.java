package io.bingfa.shm;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.LongUnaryOperator;

/**
 * A 64-bit number in shared memory that every process mapping it updates atomically: Python's
 * {@code multiprocessing.Value('q', 0)} without the lock, because a hardware atomic needs none.
 *
 * <pre>{@code
 * SharedLong hits = SharedLong.at(shm, 0);   // any JVM that maps shm, same offset: the same number
 * hits.incrementAndGet();
 * }</pre>
 *
 * <h2>Layout</h2>
 * Eight bytes at an offset that is a multiple of 8, in the platform's byte order, no header: a value is
 * a word, not a structure (use {@link SharedArray} for a self-describing block). Every method is one
 * atomic instruction (or a compare-and-set loop for {@link #updateAndGet}) with volatile semantics, so a
 * value written by one process is seen by the others in program order. An 8-byte aligned word never
 * straddles a cache line, which is what makes the access atomic across processes.
 */
public final class SharedLong {

    private final SharedMemory shm;
    private final MemorySegment memory;

    private SharedLong(final SharedMemory shm, final MemorySegment memory) {
        this.shm = shm;
        this.memory = memory;
    }

    /**
     * The number at {@code offset} (a multiple of 8) of {@code shm}'s memory. Nothing is written: a
     * fresh segment holds zeros.
     *
     * @throws IllegalArgumentException if the offset is not aligned or the word does not fit
     */
    public static SharedLong at(final SharedMemory shm, final long offset) {
        return new SharedLong(shm, Placement.slice(shm, offset, Long.BYTES, Long.BYTES, "a SharedLong"));
    }

    public long get() {
        return ShmAccess.lvLong(memory, 0);
    }

    public void set(final long value) {
        ShmAccess.svLong(memory, 0, value);
    }

    public long getAndSet(final long value) {
        return ShmAccess.gasLong(memory, 0, value);
    }

    public boolean compareAndSet(final long expected, final long value) {
        return ShmAccess.casLong(memory, 0, expected, value);
    }

    public long getAndAdd(final long delta) {
        return ShmAccess.gaaLong(memory, 0, delta);
    }

    public long addAndGet(final long delta) {
        return ShmAccess.gaaLong(memory, 0, delta) + delta;
    }

    public long incrementAndGet() {
        return addAndGet(1);
    }

    public long decrementAndGet() {
        return addAndGet(-1);
    }

    /** Applies {@code update} atomically (retried while other processes change the value); returns the new value. */
    public long updateAndGet(final LongUnaryOperator update) {
        Objects.requireNonNull(update, "update");
        for (;;) {
            final long current = get();
            final long next = update.applyAsLong(current);
            if (compareAndSet(current, next)) {
                return next;
            }
        }
    }

    @Override
    public String toString() {
        return "SharedLong[" + shm.name() + "@" + (memory.address() - shm.segment().address()) + " = " + get() + "]";
    }
}
