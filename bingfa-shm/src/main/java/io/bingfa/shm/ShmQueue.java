package io.bingfa.shm;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.queue.QueueEmptyException;
import io.bingfa.queue.QueueFullException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A bounded queue in shared memory that threads of any number of JVMs put to and get from: Python's
 * {@code multiprocessing.Queue}, without the feeder thread and pipe: a put is a copy into shared memory.
 *
 * <pre>{@code
 * // process A
 * try (ShmQueue<String> q = ShmQueue.create("jobs", 1 << 20, ShmCodec.utf8())) {
 *     q.put("resize /img/1.png");
 * }
 * // process B
 * try (ShmQueue<String> q = ShmQueue.open("jobs", ShmCodec.utf8())) {
 *     String job = q.get(Duration.ofSeconds(5));      // QueueEmptyException after 5 s
 * }
 * }</pre>
 *
 * <h2>Overview</h2>
 * The queue is a file ({@link SharedMemory}, kind "queue") holding a control block, a table of attached
 * processes and a ring of variable-length records ({@link QueueLayout}); the algorithm, and what happens
 * when a producer or consumer is killed halfway, is the essay of {@link Ring}. The capacity is in bytes:
 * each record takes its encoded length plus a 16-byte header, rounded up to 16; a put waits while the
 * ring has no room for it. Values go through a {@link ShmCodec} (raw bytes, UTF-8, JDK serialization or
 * your own); every record carries the codec's type, and a get that meets another type throws
 * {@link IllegalStateException} (the record is consumed).
 *
 * <h2>Python -&gt; Bingfa</h2>
 * <pre>
 *   q = mp.Queue(maxsize)             ShmQueue.create(name, capacityBytes, codec) / open(name, codec)
 *   q.put(x) / q.put(x, timeout=t)    put(x) / put(x, t)     QueueFullException when t runs out
 *   q.put_nowait(x)                   tryPut(x)              false if full
 *   q.get() / q.get(timeout=t)        get() / get(t)         QueueEmptyException when t runs out
 *   q.get_nowait()                    tryGet()               Optional.empty() if empty
 *   q.qsize() / q.empty()             size() / isEmpty()     snapshots
 *   q.close()                         close()                this handle; unlink() removes the queue
 * </pre>
 *
 * <h2>Lifecycle</h2>
 * {@code create} makes the file (failing if it exists), {@code open} maps an existing one; each handle
 * takes a slot in the process table, which {@link #close()} gives back. Close a handle only when no thread
 * of this JVM uses it any more. {@link #unlink()} removes the file; handles already open keep working.
 *
 * <h2>Threads</h2>
 * Any number of threads may share one handle; handles of one JVM and of other JVMs are equal peers.
 * Interrupted waits throw {@link WaitInterruptedException} (seen within one futex sleep slice, 50 ms).
 *
 * @param <T> the value type
 */
public sealed class ShmQueue<T> implements AutoCloseable permits ShmJoinableQueue {

    /** Salts for new queues' control words (see {@link RecordLayout}); unpredictable, not secret. */
    private static final java.security.SecureRandom SALTS = new java.security.SecureRandom();

    private final SharedMemory shm;
    private final ShmCodec<T> codec;
    private final ProcessTable table;
    private final int owner;
    final Ring ring;
    private final Ring.Reader<T> decoder;

    ShmQueue(final SharedMemory shm, final ShmCodec<T> codec) {
        this.shm = shm;
        this.codec = codec;
        final MemorySegment queue = shm.segment();
        this.table = new ProcessTable(queue.asSlice(QueueLayout.TABLE_OFFSET, ProcessTableLayout.BYTES),
                ShmAccess.lpInt(queue, QueueLayout.SLOTS_OFFSET));
        try {
            this.owner = table.attach();
        } catch (RuntimeException e) {
            shm.close();
            throw e;
        }
        this.ring = new Ring(shm, queue, table, owner);
        this.decoder = this::decode;
    }

    // ------------------------------------------------------------------ creating and opening

    /**
     * Creates the queue {@code /dev/shm/NAME} with a ring of {@code capacityBytes} (rounded up to a power of
     * two, 4 KiB to 1 GiB).
     *
     * @throws IllegalArgumentException if the name or capacity is invalid
     * @throws java.io.UncheckedIOException if the file exists already or cannot be created
     */
    public static <T> ShmQueue<T> create(final String name, final long capacityBytes, final ShmCodec<T> codec) {
        return create(SharedMemory.pathOf(name), capacityBytes, codec);
    }

    /** Creates the queue in {@code file}. */
    public static <T> ShmQueue<T> create(final Path file, final long capacityBytes, final ShmCodec<T> codec) {
        return new ShmQueue<>(createFile(file, capacityBytes, codec, false), codec);
    }

    /**
     * Opens the queue {@code /dev/shm/NAME}.
     *
     * @throws java.io.UncheckedIOException if there is no such file
     * @throws SegmentFormatException if the file is not a queue of this layout version
     */
    public static <T> ShmQueue<T> open(final String name, final ShmCodec<T> codec) {
        return open(SharedMemory.pathOf(name), codec);
    }

    /** Opens the queue in {@code file}. */
    public static <T> ShmQueue<T> open(final Path file, final ShmCodec<T> codec) {
        return new ShmQueue<>(openFile(file, codec), codec).recovered();
    }

    static SharedMemory createFile(final Path file, final long capacityBytes, final ShmCodec<?> codec,
                                   final boolean joinable) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(codec, "codec");
        if (capacityBytes < QueueLayout.MIN_CAPACITY || capacityBytes > QueueLayout.MAX_CAPACITY) {
            throw new IllegalArgumentException("capacityBytes must be between " + QueueLayout.MIN_CAPACITY + " and "
                    + QueueLayout.MAX_CAPACITY + ", was " + capacityBytes);
        }
        final long capacity = Long.highestOneBit(capacityBytes - 1) << 1;
        return SharedMemory.create(file, QueueLayout.bytes(capacity), SegmentLayout.KIND_QUEUE, queue -> {
            ShmAccess.spInt(queue, QueueLayout.VERSION_OFFSET, QueueLayout.VERSION);
            Ring.format(queue, capacity, joinable, SALTS.nextLong());
            ShmAccess.spInt(queue, QueueLayout.MAGIC_OFFSET, QueueLayout.MAGIC);
        });
    }

    static SharedMemory openFile(final Path file, final ShmCodec<?> codec) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(codec, "codec");
        final SharedMemory shm = SharedMemory.open(file, SegmentLayout.KIND_QUEUE);
        try {
            final MemorySegment queue = shm.segment();
            Placement.checkMagic(queue, QueueLayout.MAGIC_OFFSET, QueueLayout.MAGIC, QueueLayout.VERSION_OFFSET,
                    QueueLayout.VERSION, "ShmQueue", shm, 0);
            final long capacity = ShmAccess.lpLong(queue, QueueLayout.CAPACITY_OFFSET);
            if (Long.bitCount(capacity) != 1 || capacity < QueueLayout.MIN_CAPACITY || capacity > QueueLayout.MAX_CAPACITY
                    || QueueLayout.bytes(capacity) != shm.size()
                    || ShmAccess.lpInt(queue, QueueLayout.SLOTS_OFFSET) != ProcessTableLayout.SLOTS) {
                throw new SegmentFormatException(file + " is a corrupt queue: capacity " + capacity + " for "
                        + shm.size() + " bytes");
            }
            return shm;
        } catch (RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /** Run once by a new handle: a restarted process finds what its predecessors left behind. */
    final ShmQueue<T> recovered() {
        ring.recover();
        return this;
    }

    // ------------------------------------------------------------------ put

    /**
     * Adds {@code item}, waiting as long as it takes for room.
     *
     * @throws NullPointerException if {@code item} is null
     * @throws IllegalArgumentException if the encoded item is larger than {@link #maxRecordBytes()}
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public void put(final T item) {
        offer(item, Waits.FOREVER);
    }

    /**
     * Adds {@code item}, waiting at most {@code timeout} for room.
     *
     * @throws QueueFullException if there was no room in time
     */
    public void put(final T item, final Duration timeout) {
        if (!offer(item, Waits.toNanos(timeout))) {
            throw new QueueFullException("queue " + shm.name() + " had no room (" + ring.capacity()
                    + " bytes) within " + timeout);
        }
    }

    /** Adds {@code item} if there is room now; never waits. */
    public boolean tryPut(final T item) {
        return offer(item, 0L);
    }

    boolean offer(final T item, final long nanos) {
        Objects.requireNonNull(item, "item");
        final byte[] bytes = codec.encode(item);
        if (bytes.length > ring.maxPayload()) {
            throw new IllegalArgumentException("item must encode to at most " + ring.maxPayload()
                    + " bytes for this queue, was " + bytes.length);
        }
        return ring.offer(bytes, codec.type(), nanos);
    }

    // ------------------------------------------------------------------ get

    /**
     * Removes and returns the next item, waiting as long as it takes.
     *
     * @throws IllegalStateException if the record was written with another codec (it is consumed)
     * @throws WaitInterruptedException if the thread is interrupted while it waits
     */
    public T get() {
        return ring.poll(decoder, Waits.FOREVER);
    }

    /**
     * Removes and returns the next item, waiting at most {@code timeout}.
     *
     * @throws QueueEmptyException if nothing came in time
     */
    public T get(final Duration timeout) {
        final T item = ring.poll(decoder, Waits.toNanos(timeout));
        if (item == null) {
            throw new QueueEmptyException("queue " + shm.name() + " stayed empty for " + timeout);
        }
        return item;
    }

    /** Removes and returns the next item if there is one now; never waits. */
    public Optional<T> tryGet() {
        return Optional.ofNullable(ring.poll(decoder, 0L));
    }

    private T decode(final MemorySegment memory, final long offset, final int length, final int type) {
        if (type != codec.type()) {
            throw new IllegalStateException("a record of type " + type + " in queue " + shm.name()
                    + " cannot be read with a codec of type " + codec.type() + " (" + codec + ")");
        }
        final byte[] bytes = new byte[length];
        MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, offset, bytes, 0, length);
        return codec.decode(bytes);
    }

    // ------------------------------------------------------------------ queries and lifecycle

    /** Items waiting to be taken now (Python's {@code qsize()}): a snapshot, from a scan of the ring. */
    public int size() {
        return ring.pending(true);
    }

    /** {@code true} if no item waits to be taken now (a snapshot). */
    public boolean isEmpty() {
        return ring.isEmpty();
    }

    /** The ring's size in bytes (a power of two). */
    public long capacity() {
        return ring.capacity();
    }

    /** The largest encoded item a put accepts. */
    public long maxRecordBytes() {
        return ring.maxPayload();
    }

    /** Live processes attached to this queue (reads {@code /proc}; for diagnostics). */
    public int attachedProcesses() {
        return table.attachedProcesses();
    }

    public String name() {
        return shm.name();
    }

    public Path path() {
        return shm.path();
    }

    final ProcessTable table() {
        return table;
    }

    final int owner() {
        return owner;
    }

    /** Removes the file; open handles keep working until closed. */
    public void unlink() {
        shm.unlink();
    }

    /** Gives this handle's process slot back and unmaps the queue in this JVM. Idempotent. */
    @Override
    public void close() {
        if (shm.isOpen()) {
            table.detach(owner);
            shm.close();
        }
    }

    /** The ring's cursors and frames, for diagnostics. */
    String describe() {
        return ring.describe();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + shm.path() + ", " + ring.capacity() + " bytes]";
    }
}
