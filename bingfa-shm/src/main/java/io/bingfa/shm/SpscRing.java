package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.BooleanSupplier;

/**
 * One direction of a {@link Pipe}: a single-producer, single-consumer ring of variable-length frames
 * (Lamport's queue; layout in {@link PipeLayout}).
 *
 * <h2>Overview</h2>
 * The producer owns the tail, the consumer owns the head; each only reads the other's cursor. The
 * producer writes a frame (and, when it would run past the end of the ring, a padding marker first),
 * then publishes it with a volatile store of the new tail; the consumer reads frames below the tail and
 * frees them with a volatile store of the new head. No CAS: with one writer per word there is nothing to
 * race for. The "one" is per process: {@link Pipe} serialises the threads of its JVM with a lock.
 *
 * <h2>Death of a process</h2>
 * A producer killed mid-write never moved the tail: the half frame is invisible and is overwritten by the
 * next writer of that end. A consumer killed mid-read never moved the head: the frame is read again by
 * whoever attaches the end next (at least once; a pipe has one reader, so there is nobody else to hand
 * it to). A waiting side checks every liveness period whether the other end is gone ({@code peerGone}).
 *
 * <h2>Blocking</h2>
 * As in {@link Ring}: spin, then announce, re-check and sleep on an {@link EventCount}; the other side
 * signals it after its volatile cursor store (a read, unless someone sleeps).
 */
final class SpscRing {

    /** Test hook: called at named points so that a test JVM can be killed there. Null in production. */
    static Ring.TestHook testHook;

    private final MemorySegment channel;
    private final MemorySegment ring;
    private final long capacity;
    private final long mask;
    private final AdaptiveSpin spin = new AdaptiveSpin();

    /** Producer side only (under the send lock): the head as last read. */
    private long headCache;
    /** Consumer side only (under the receive lock): the tail as last read. */
    private long tailCache;

    SpscRing(final MemorySegment channel, final MemorySegment ring) {
        this.channel = channel;
        this.ring = ring;
        this.capacity = ring.byteSize();
        this.mask = capacity - 1;
    }

    long maxPayload() {
        return capacity - PipeLayout.FRAME_HEADER;
    }

    /**
     * Writes one frame, waiting at most {@code nanos} for room.
     *
     * @return {@code false} if there was no room in time
     * @throws PipeClosedException if {@code peerGone} says the reader is gone while we wait
     */
    boolean offer(final byte[] payload, final int type, final long nanos, final BooleanSupplier peerGone) {
        final long frame = PipeLayout.frameBytes(payload.length);
        final long t = ShmAccess.lpLong(channel, PipeLayout.TAIL); // ours
        final long offset = t & mask;
        final long pad = offset + frame > capacity ? capacity - offset : 0L;
        final long need = pad + frame;
        if (!awaitRoom(t + need - capacity, nanos, peerGone)) {
            return false;
        }
        if (pad != 0L) {
            ShmAccess.spInt(ring, offset, PipeLayout.PADDING);
        }
        final long at = (t + pad) & mask;
        ShmAccess.spInt(ring, at, payload.length);
        ShmAccess.spInt(ring, at + 4, type);
        final Ring.TestHook hook = testHook;
        if (hook != null) {
            MemorySegment.copy(payload, 0, ring, ValueLayout.JAVA_BYTE, at + PipeLayout.FRAME_HEADER, payload.length / 2);
            hook.at("pipe-mid-write");
        }
        MemorySegment.copy(payload, 0, ring, ValueLayout.JAVA_BYTE, at + PipeLayout.FRAME_HEADER, payload.length);
        ShmAccess.svLong(channel, PipeLayout.TAIL, t + need); // volatile: before the waiter check
        EventCount.signalAll(channel, PipeLayout.DATA_EVENTS);
        return true;
    }

    /** Waits until the head reaches {@code minHead} (room for the frame). */
    private boolean awaitRoom(final long minHead, final long nanos, final BooleanSupplier peerGone) {
        if (headCache >= minHead) {
            return true;
        }
        headCache = ShmAccess.lvLong(channel, PipeLayout.HEAD);
        if (headCache >= minHead || nanos == 0L) {
            return headCache >= minHead;
        }
        return await(() -> (headCache = ShmAccess.lvLong(channel, PipeLayout.HEAD)) >= minHead, nanos,
                PipeLayout.SPACE_EVENTS, peerGone, true);
    }

    /**
     * Reads one frame, waiting at most {@code nanos}.
     *
     * @return what {@code reader} returned, or {@code null} if nothing came in time
     * @throws PipeClosedException if the ring is empty and {@code peerGone} says the writer is gone
     */
    <T> T poll(final Ring.Reader<T> reader, final long nanos, final BooleanSupplier peerGone) {
        long h = ShmAccess.lpLong(channel, PipeLayout.HEAD); // ours
        if (!awaitData(h, nanos, peerGone)) {
            return null;
        }
        int length = ShmAccess.lpInt(ring, h & mask);
        if (length == PipeLayout.PADDING) {
            h += capacity - (h & mask); // the producer wrote the frame after the padding in the same step
            length = ShmAccess.lpInt(ring, h & mask);
        }
        final long at = h & mask;
        final T value = reader.read(ring, at + PipeLayout.FRAME_HEADER, length, ShmAccess.lpInt(ring, at + 4));
        ShmAccess.svLong(channel, PipeLayout.HEAD, h + PipeLayout.frameBytes(length)); // volatile: before the check
        EventCount.signalAll(channel, PipeLayout.SPACE_EVENTS);
        return value;
    }

    /** {@code true} if a frame is ready now. */
    boolean hasData() {
        final long h = ShmAccess.lpLong(channel, PipeLayout.HEAD);
        return h < tailCache || h < (tailCache = ShmAccess.lvLong(channel, PipeLayout.TAIL));
    }

    private boolean awaitData(final long h, final long nanos, final BooleanSupplier peerGone) {
        if (h < tailCache) {
            return true;
        }
        tailCache = ShmAccess.lvLong(channel, PipeLayout.TAIL); // acquires the frames below it
        if (h < tailCache) {
            return true;
        }
        if (nanos == 0L) {
            if (peerGone.getAsBoolean() && !hasData()) {
                throw new PipeClosedException("the other end of the pipe is closed and nothing is left to read");
            }
            return false;
        }
        return await(() -> h < (tailCache = ShmAccess.lvLong(channel, PipeLayout.TAIL)), nanos,
                PipeLayout.DATA_EVENTS, peerGone, false);
    }

    /** Spin, then sleep on the eventcount {@code events} until {@code ready}; checks {@code peerGone} every liveness period. */
    private boolean await(final BooleanSupplier ready, final long nanos, final long events,
                          final BooleanSupplier peerGone, final boolean sending) {
        final int budget = spin.limit();
        for (int i = 0; i < budget; i++) {
            Thread.onSpinWait();
            if (ready.getAsBoolean()) {
                spin.succeeded();
                return true;
            }
        }
        spin.failed();
        final long deadline = Waits.deadline(nanos);
        long nextCheck = System.nanoTime();
        for (;;) {
            final int epoch = EventCount.prepare(channel, events);
            if (ready.getAsBoolean()) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new WaitInterruptedException(new InterruptedException());
            }
            final long now = System.nanoTime();
            if (now - nextCheck >= 0L) {
                nextCheck = now + Waits.LIVENESS_CHECK_NANOS;
                if (peerGone.getAsBoolean() && !ready.getAsBoolean()) {
                    throw new PipeClosedException(sending
                            ? "the other end of the pipe is closed: nobody will read what is sent"
                            : "the other end of the pipe is closed and nothing is left to read");
                }
            }
            final long remaining = Waits.remaining(deadline);
            if (remaining <= 0L) {
                return false;
            }
            Futex.await(channel, events, epoch, Math.min(remaining, nextCheck - now));
        }
    }
}
