package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a duplex pipe between two processes in shared memory: Python's
 * {@code multiprocessing.Pipe()} and its {@code Connection}s. What one end sends, the other receives, in
 * order, in both directions at once.
 *
 * <pre>{@code
 * // process A                                            // process B
 * Pipe<String> a = Pipe.create("chat", 1 << 16,           Pipe<String> b = Pipe.open("chat", ShmCodec.utf8());
 *                              ShmCodec.utf8());           String m = b.recv();             // "ping"
 * a.send("ping");                                          b.send(m + "/pong");
 * a.recv(Duration.ofSeconds(1));     // "ping/pong"        b.close();   // a.recv() now ends with PipeClosedException
 * }</pre>
 *
 * <h2>Overview</h2>
 * The pipe is a file ({@link SharedMemory}, kind "pipe") with two ends and two single-producer,
 * single-consumer rings ({@link PipeLayout}, algorithm in {@link SpscRing}); end 0 writes channel 0 and
 * reads channel 1, end 1 the other way round. {@link #create} attaches end 0, {@link #open(String, ShmCodec)}
 * end 1. Each end records the token (pid and start time) of the process attached to it, so an end can be
 * attached by one live process at a time, can be re-attached after its process died, and each side can
 * tell when the other is gone.
 *
 * <h2>End of file</h2>
 * Once the other end was attached and then closed, or its process died: {@link #recv()} returns what is
 * left, then throws {@link PipeClosedException} (Python's {@code EOFError}); {@link #send} throws it too
 * (Python's {@code BrokenPipeError}). Before the other end was ever attached, sends are kept (up to the
 * ring's capacity) and receives wait.
 *
 * <h2>Death of a process</h2>
 * A sender killed in the middle of a message never published it: the reader never sees half a message. A
 * reader killed in the middle of a message never freed it: whoever attaches that end next reads it again.
 *
 * <h2>Threads</h2>
 * Threads of one JVM may share an end; a lock per direction keeps each ring single-producer and
 * single-consumer, as the algorithm needs (Python's {@code Connection} is not thread-safe at all).
 *
 * <h2>Python -&gt; Bingfa</h2>
 * <pre>
 *   a, b = mp.Pipe()                  a = Pipe.create(name, capacity, codec); b = Pipe.open(name, codec)
 *   conn.send(obj) / conn.recv()      send(x) / recv()       recv(t): WaitTimeoutException
 *   conn.poll(timeout)                poll(t)                true if a message is ready
 *   conn.send_bytes(b)                a Pipe&lt;byte[]&gt; with ShmCodec.bytes()
 *   EOFError / BrokenPipeError        PipeClosedException
 * </pre>
 *
 * @param <T> the message type
 */
public final class Pipe<T> implements AutoCloseable {

    private final SharedMemory shm;
    private final ShmCodec<T> codec;
    private final int end;
    private final MemorySegment mine;
    private final MemorySegment peer;
    private final SpscRing outgoing;
    private final SpscRing incoming;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock recvLock = new ReentrantLock();
    private final Ring.Reader<T> decoder = this::decode;
    private final java.util.function.BooleanSupplier peerGone = this::peerGone;

    /** Racy hint: when the peer was last found alive (nanoTime); checking costs a read of /proc. */
    private long peerSeenAliveAt;

    private Pipe(final SharedMemory shm, final ShmCodec<T> codec, final int end) {
        this.shm = shm;
        this.codec = codec;
        this.end = end;
        final MemorySegment pipe = shm.segment();
        final long capacity = ShmAccess.lpLong(pipe, PipeLayout.CAPACITY_OFFSET);
        this.mine = pipe.asSlice(PipeLayout.endOffset(end), PipeLayout.END_BYTES);
        this.peer = pipe.asSlice(PipeLayout.endOffset(1 - end), PipeLayout.END_BYTES);
        this.outgoing = new SpscRing(pipe.asSlice(PipeLayout.channelOffset(end), PipeLayout.CHANNEL_BYTES),
                pipe.asSlice(PipeLayout.ringOffset(end, capacity), capacity));
        this.incoming = new SpscRing(pipe.asSlice(PipeLayout.channelOffset(1 - end), PipeLayout.CHANNEL_BYTES),
                pipe.asSlice(PipeLayout.ringOffset(1 - end, capacity), capacity));
        this.peerSeenAliveAt = System.nanoTime() - Waits.LIVENESS_CHECK_NANOS;
    }

    // ------------------------------------------------------------------ creating and opening

    /**
     * Creates the pipe {@code /dev/shm/NAME}, each direction a ring of {@code capacityBytes} (rounded up to
     * a power of two, 4 KiB to 1 GiB), and attaches its end 0.
     */
    public static <T> Pipe<T> create(final String name, final long capacityBytes, final ShmCodec<T> codec) {
        return create(SharedMemory.pathOf(name), capacityBytes, codec);
    }

    public static <T> Pipe<T> create(final Path file, final long capacityBytes, final ShmCodec<T> codec) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(codec, "codec");
        if (capacityBytes < PipeLayout.MIN_CAPACITY || capacityBytes > PipeLayout.MAX_CAPACITY) {
            throw new IllegalArgumentException("capacityBytes must be between " + PipeLayout.MIN_CAPACITY + " and "
                    + PipeLayout.MAX_CAPACITY + ", was " + capacityBytes);
        }
        final long capacity = Long.highestOneBit(capacityBytes - 1) << 1;
        final SharedMemory shm = SharedMemory.create(file, PipeLayout.bytes(capacity), SegmentLayout.KIND_PIPE, pipe -> {
            ShmAccess.spInt(pipe, PipeLayout.VERSION_OFFSET, PipeLayout.VERSION);
            ShmAccess.spLong(pipe, PipeLayout.CAPACITY_OFFSET, capacity);
            ShmAccess.spInt(pipe, PipeLayout.MAGIC_OFFSET, PipeLayout.MAGIC);
        });
        return attach(shm, codec, 0);
    }

    /** Opens the pipe {@code /dev/shm/NAME} and attaches its end 1 (the end {@link #create} did not take). */
    public static <T> Pipe<T> open(final String name, final ShmCodec<T> codec) {
        return open(SharedMemory.pathOf(name), 1, codec);
    }

    public static <T> Pipe<T> open(final Path file, final ShmCodec<T> codec) {
        return open(file, 1, codec);
    }

    /**
     * Opens the pipe in {@code file} and attaches end {@code end} (0 or 1), for instance to take over the
     * end of a process that died.
     *
     * @throws IllegalStateException if a live process holds that end
     * @throws SegmentFormatException if the file is not a pipe of this layout version
     */
    public static <T> Pipe<T> open(final Path file, final int end, final ShmCodec<T> codec) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(codec, "codec");
        if (end != 0 && end != 1) {
            throw new IllegalArgumentException("end must be 0 or 1, was " + end);
        }
        final SharedMemory shm = SharedMemory.open(file, SegmentLayout.KIND_PIPE);
        try {
            final MemorySegment pipe = shm.segment();
            Placement.checkMagic(pipe, PipeLayout.MAGIC_OFFSET, PipeLayout.MAGIC, PipeLayout.VERSION_OFFSET,
                    PipeLayout.VERSION, "Pipe", shm, 0);
            final long capacity = ShmAccess.lpLong(pipe, PipeLayout.CAPACITY_OFFSET);
            if (Long.bitCount(capacity) != 1 || PipeLayout.bytes(capacity) != shm.size()) {
                throw new SegmentFormatException(file + " is a corrupt pipe: capacity " + capacity + " for "
                        + shm.size() + " bytes");
            }
            return attach(shm, codec, end);
        } catch (RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    private static <T> Pipe<T> attach(final SharedMemory shm, final ShmCodec<T> codec, final int end) {
        final MemorySegment slot = shm.segment().asSlice(PipeLayout.endOffset(end), PipeLayout.END_BYTES);
        for (;;) {
            final long holder = ShmAccess.lvLong(slot, PipeLayout.END_TOKEN);
            if (holder != 0L && ProcessIdentity.isAlive(holder)) {
                shm.close();
                throw new IllegalStateException("end " + end + " of pipe " + shm.path() + " is in use by "
                        + ProcessIdentity.describe(holder));
            }
            if (ShmAccess.casLong(slot, PipeLayout.END_TOKEN, holder, ProcessIdentity.CURRENT)) {
                ShmAccess.svInt(slot, PipeLayout.END_EVER_ATTACHED, 1);
                return new Pipe<>(shm, codec, end);
            }
        }
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends {@code message}, waiting as long as it takes for room.
     *
     * @throws PipeClosedException if the other end is closed or dead
     * @throws IllegalArgumentException if the encoded message is larger than the ring
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public void send(final T message) {
        offer(message, Waits.FOREVER);
    }

    /**
     * Sends {@code message}, waiting at most {@code timeout} for room.
     *
     * @throws WaitTimeoutException if there was no room in time
     */
    public void send(final T message, final Duration timeout) {
        if (!offer(message, Waits.toNanos(timeout))) {
            throw new WaitTimeoutException("pipe " + shm.name() + " had no room within " + timeout);
        }
    }

    /** Sends {@code message} if there is room now; never waits. */
    public boolean trySend(final T message) {
        return offer(message, 0L);
    }

    private boolean offer(final T message, final long nanos) {
        Objects.requireNonNull(message, "message");
        final byte[] bytes = codec.encode(message);
        if (bytes.length > outgoing.maxPayload()) {
            throw new IllegalArgumentException("message must encode to at most " + outgoing.maxPayload()
                    + " bytes for this pipe, was " + bytes.length);
        }
        if (peerGone()) {
            throw new PipeClosedException("the other end of pipe " + shm.name() + " is closed: nobody will read this");
        }
        lock(sendLock);
        try {
            return outgoing.offer(bytes, codec.type(), nanos, peerGone);
        } finally {
            sendLock.unlock();
        }
    }

    // ------------------------------------------------------------------ receiving

    /**
     * Receives the next message, waiting as long as it takes.
     *
     * @throws PipeClosedException if nothing is left and the other end is closed or dead
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public T recv() {
        return poll(Waits.FOREVER);
    }

    /**
     * Receives the next message, waiting at most {@code timeout}.
     *
     * @throws WaitTimeoutException if nothing came in time
     */
    public T recv(final Duration timeout) {
        final T message = poll(Waits.toNanos(timeout));
        if (message == null) {
            throw new WaitTimeoutException("nothing came through pipe " + shm.name() + " within " + timeout);
        }
        return message;
    }

    /** Receives the next message if one is ready now; never waits. */
    public Optional<T> tryRecv() {
        return Optional.ofNullable(poll(0L));
    }

    /**
     * Waits at most {@code timeout} until a message is ready (Python's {@code poll(timeout)}).
     *
     * @return {@code true} if {@link #recv()} would return at once
     */
    public boolean poll(final Duration timeout) {
        final long deadline = Waits.deadline(Waits.toNanos(timeout));
        while (!incoming.hasData()) {
            if (Thread.interrupted()) {
                throw new WaitInterruptedException(new InterruptedException());
            }
            final long remaining = Waits.remaining(deadline);
            if (remaining <= 0L || peerGone()) {
                return incoming.hasData();
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(remaining, Futex.POLL_NANOS));
        }
        return true;
    }

    private T poll(final long nanos) {
        lock(recvLock);
        try {
            return incoming.poll(decoder, nanos, peerGone);
        } finally {
            recvLock.unlock();
        }
    }

    private T decode(final MemorySegment memory, final long offset, final int length, final int type) {
        if (type != codec.type()) {
            throw new IllegalStateException("a message of type " + type + " in pipe " + shm.name()
                    + " cannot be read with a codec of type " + codec.type() + " (" + codec + ")");
        }
        final byte[] bytes = new byte[length];
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
        return codec.decode(bytes);
    }

    // ------------------------------------------------------------------ the other end and lifecycle

    /**
     * {@code true} once the other end was attached and is now closed or its process dead. A live peer is
     * re-checked at most once per liveness period (the check reads {@code /proc}).
     */
    private boolean peerGone() {
        if (ShmAccess.lvInt(peer, PipeLayout.END_EVER_ATTACHED) == 0) {
            return false;
        }
        final long token = ShmAccess.lvLong(peer, PipeLayout.END_TOKEN);
        if (token == 0L) {
            return true;
        }
        final long now = System.nanoTime();
        if (now - peerSeenAliveAt < Waits.LIVENESS_CHECK_NANOS) { // racy read: a stale time only re-checks sooner
            return false;
        }
        if (ProcessIdentity.isAlive(token)) {
            peerSeenAliveAt = now;
            return false;
        }
        return true;
    }

    /** This end: 0 (the creator's) or 1. */
    public int end() {
        return end;
    }

    public String name() {
        return shm.name();
    }

    public Path path() {
        return shm.path();
    }

    /** Removes the file; attached ends keep working until closed. */
    public void unlink() {
        shm.unlink();
    }

    /** Detaches this end (the other side sees end-of-file once it has read what is left) and unmaps. */
    @Override
    public void close() {
        if (shm.isOpen()) {
            ShmAccess.casLong(mine, PipeLayout.END_TOKEN, ProcessIdentity.CURRENT, 0L);
            shm.close();
        }
    }

    @Override
    public String toString() {
        return "Pipe[" + shm.path() + ", end " + end + "]";
    }

    private static void lock(final ReentrantLock lock) {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }
}
