package io.bingfa.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named block of memory that several JVMs (and threads) map at once: Python's
 * {@code multiprocessing.shared_memory.SharedMemory}. The memory is a file under {@code /dev/shm} (a
 * RAM file system, so nothing reaches a disk) or under any path you give, mapped with
 * {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)}.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("orders", 1 << 20)) {     // /dev/shm/orders, 1 MiB
 *     SharedLong counter = SharedLong.at(shm, 0);
 *     ShmMutex lock = ShmMutex.create(shm, 64, false);
 *     ...                                                             // another JVM: SharedMemory.open("orders")
 * } // unmapped; the file stays until unlink()
 * }</pre>
 *
 * <h2>Overview</h2>
 * The file starts with a 128-byte header ({@link SegmentLayout}: magic, version, kind, sizes, creator);
 * {@link #segment()} is the memory after it, {@link #size()} bytes, 64-byte aligned and zeroed on creation.
 * {@link #open(String)} checks the header and refuses, with a {@link SegmentFormatException} naming the
 * file, anything that is not a finished Bingfa segment of this kind and version. The same class maps the
 * files of {@link ShmQueue} and {@link Pipe}, whose own layouts start where the header ends.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *   create(name, size)  -&gt; MAPPED     the file exists; fails if it already does (Python: FileExistsError)
 *   open(name)          -&gt; MAPPED     the file must exist and be valid (Python: FileNotFoundError)
 *   MAPPED -&gt; CLOSED    close(): unmaps in this JVM; other mappings and the file are untouched
 *   unlink()            removes the name; mappings stay valid until closed (POSIX shm_unlink)
 * </pre>
 * Any thread may use the memory; {@link #close()} while another thread still reads or writes it makes that
 * thread's access fail with {@link IllegalStateException} (the FFM shared arena's rule), never crash.
 * Forgetting {@code close()} keeps the mapping until the JVM exits; forgetting {@code unlink()} keeps the
 * file (and its RAM) until someone removes it or the machine restarts, exactly as in Python.
 *
 * <h2>Names and sizes</h2>
 * A name is 1 to 200 characters from {@code [A-Za-z0-9._-]}, not starting with a dot; it names the file
 * {@code /dev/shm/NAME} (or {@code java.io.tmpdir} where there is no {@code /dev/shm}). Sizes are 1 byte to
 * 1 TiB, and creation refuses a size beyond the free space of the file system: touching a page of a
 * tmpfs file that cannot be backed would kill the process with {@code SIGBUS}.
 */
public final class SharedMemory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedMemory.class);

    /** Where named segments live: {@code /dev/shm} when it exists, else {@code java.io.tmpdir}. */
    public static final Path DEFAULT_DIRECTORY = defaultDirectory();
    /** The largest size {@link #create(String, long)} accepts. */
    public static final long MAX_SIZE = 1L << 40;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

    private final Path path;
    private final int kind;
    /** The arena this object maps and closes; {@code null} for a {@link #view}, whose memory it does not own. */
    private final Arena arena;
    private final MemorySegment whole;
    private final MemorySegment user;

    private SharedMemory(final Path path, final int kind, final Arena arena, final MemorySegment whole) {
        this.path = path;
        this.kind = kind;
        this.arena = arena;
        this.whole = whole;
        this.user = whole.asSlice(SegmentLayout.HEADER_SIZE);
    }

    private SharedMemory(final Path path, final MemorySegment memory) {
        this.path = path;
        this.kind = 0;
        this.arena = null;
        this.whole = memory;
        this.user = memory;
    }

    // ------------------------------------------------------------------ public entry points

    /**
     * Creates {@code /dev/shm/NAME} with {@code size} usable bytes, all zero.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the name or size is invalid (see the class comment)
     * @throws UncheckedIOException if the file exists already or cannot be created
     */
    public static SharedMemory create(final String name, final long size) {
        return create(pathOf(name), size);
    }

    /** Creates shared memory in the file {@code file} (any file system; tmpfs keeps it in RAM). */
    public static SharedMemory create(final Path file, final long size) {
        Objects.requireNonNull(file, "file");
        checkSize(size);
        return create(file, size, SegmentLayout.KIND_MEMORY, user -> { });
    }

    /**
     * Maps the existing shared memory {@code /dev/shm/NAME}.
     *
     * @throws NullPointerException if {@code name} is null
     * @throws IllegalArgumentException if the name is invalid
     * @throws UncheckedIOException if there is no such file
     * @throws SegmentFormatException if the file is not Bingfa shared memory of this version
     */
    public static SharedMemory open(final String name) {
        return open(pathOf(name));
    }

    /** Maps the existing shared memory in {@code file}. */
    public static SharedMemory open(final Path file) {
        Objects.requireNonNull(file, "file");
        return open(file, SegmentLayout.KIND_MEMORY);
    }

    /**
     * Removes {@code /dev/shm/NAME} without opening it (for instance a file that fails to open).
     *
     * @return {@code true} if there was a file to remove
     */
    public static boolean unlink(final String name) {
        return delete(pathOf(name));
    }

    /** The file {@code name} maps to: {@code DEFAULT_DIRECTORY/name}, after validating the name. */
    public static Path pathOf(final String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1 to 200 characters of [A-Za-z0-9._-], not starting "
                    + "with '.', was \"" + name + "\"");
        }
        return DEFAULT_DIRECTORY.resolve(name);
    }

    /** The usable memory (after the header): {@link #size()} bytes, 64-byte aligned. */
    public MemorySegment segment() {
        return user;
    }

    /** The number of usable bytes. */
    public long size() {
        return user.byteSize();
    }

    /**
     * A view of memory that another structure mapped from {@code file} in its own format (for instance the
     * lock table of {@code io.bingfa.cache.SharedMap}), so that {@link ShmMutex} and the other shared
     * structures can be placed in it: {@link #segment()} is all of {@code memory} (no Bingfa header), and
     * {@link #close()} does nothing (the owner of the mapping unmaps it).
     *
     * @throws NullPointerException if an argument is null
     */
    public static SharedMemory view(final Path file, final MemorySegment memory) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(memory, "memory");
        return new SharedMemory(file, memory);
    }

    /** The file name (the last element of {@link #path()}). */
    public String name() {
        return path.getFileName().toString();
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** {@code true} until {@link #close()}. */
    public boolean isOpen() {
        return user.scope().isAlive();
    }

    /** Removes the file; mappings (this one included) stay usable until closed. */
    public void unlink() {
        delete(path);
    }

    /**
     * Unmaps the memory in this JVM. Idempotent. Every {@link SharedLong}, lock or queue on this memory
     * becomes unusable in this JVM (their accesses throw {@link IllegalStateException}).
     */
    @Override
    public void close() {
        if (arena == null) {
            return; // a view: the owner of the mapping unmaps it
        }
        for (int attempt = 0; arena.scope().isAlive(); attempt++) {
            try {
                arena.close();
            } catch (IllegalStateException e) {
                // A thread of this JVM is inside a futex call on this memory (at most Futex.MAX_SLEEP_NANOS).
                if (attempt >= 100) {
                    throw new IllegalStateException("cannot unmap " + path + ": still in use by a waiting thread", e);
                }
                sleepBriefly();
            }
        }
    }

    @Override
    public String toString() {
        return "SharedMemory[" + path + ", " + size() + " bytes" + (isOpen() ? "" : ", closed") + "]";
    }

    // ------------------------------------------------------------------ package-private: other kinds

    /** Initialises a new kind-specific layout in the user area, before the magic is written. */
    @FunctionalInterface
    interface Initializer {
        void initialize(MemorySegment user);
    }

    /** The whole mapping, header included (for layouts that check the segment header). */
    MemorySegment whole() {
        return whole;
    }

    int kind() {
        return kind;
    }

    static SharedMemory create(final Path file, final long userSize, final int kind, final Initializer init) {
        final long fileSize = SegmentLayout.HEADER_SIZE + userSize;
        checkFreeSpace(file, fileSize);
        final FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException("shared memory " + file + " already exists; open it, or unlink it first", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create shared memory " + file + ": " + e.getMessage(), e);
        }
        final Arena arena = Arena.ofShared();
        boolean done = false;
        try (channel) {
            channel.write(ByteBuffer.wrap(new byte[1]), fileSize - 1); // sets the size; tmpfs stays sparse
            final MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, fileSize, arena);
            ShmAccess.spInt(whole, SegmentLayout.VERSION_OFFSET, SegmentLayout.VERSION);
            ShmAccess.spInt(whole, SegmentLayout.KIND_OFFSET, kind);
            ShmAccess.spInt(whole, SegmentLayout.HEADER_SIZE_OFFSET, SegmentLayout.HEADER_SIZE);
            ShmAccess.spLong(whole, SegmentLayout.FILE_SIZE_OFFSET, fileSize);
            ShmAccess.spLong(whole, SegmentLayout.CREATOR_OFFSET, ProcessIdentity.CURRENT);
            ShmAccess.spLong(whole, SegmentLayout.CREATED_MILLIS_OFFSET, System.currentTimeMillis());
            init.initialize(whole.asSlice(SegmentLayout.HEADER_SIZE));
            ShmAccess.soLong(whole, SegmentLayout.MAGIC_OFFSET, SegmentLayout.MAGIC); // last: publishes it all
            done = true;
            LOG.debug("created {} ({} bytes, {})", file, fileSize, SegmentLayout.kindName(kind));
            return new SharedMemory(file, kind, arena, whole);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot size or map shared memory " + file + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                arena.close();
                delete(file);
            }
        }
    }

    static SharedMemory open(final Path file, final int expectedKind) {
        final FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no shared memory " + file + " (create it first)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shared memory " + file + ": " + e.getMessage(), e);
        }
        try (channel) {
            final long deadline = System.currentTimeMillis() + SegmentLayout.CREATION_GRACE_MILLIS;
            for (;;) {
                final long size = channel.size();
                if (size >= SegmentLayout.HEADER_SIZE) {
                    final SharedMemory mapped = mapIfReady(file, channel, size, expectedKind);
                    if (mapped != null) {
                        return mapped;
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    if (size < SegmentLayout.HEADER_SIZE) {
                        throw new SegmentFormatException(file + " is " + size + " bytes long, too short for Bingfa "
                                + "shared memory (the header alone is " + SegmentLayout.HEADER_SIZE + " bytes)");
                    }
                    throw new SegmentFormatException(file + " has no Bingfa magic: either its creator died before "
                            + "finishing it, or it is not Bingfa shared memory (first 8 bytes are zero)");
                }
                sleepBriefly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map shared memory " + file + ": " + e.getMessage(), e);
        }
    }

    /** Maps and validates; {@code null} while the creator has not written the magic yet. */
    private static SharedMemory mapIfReady(final Path file, final FileChannel channel, final long size,
                                           final int expectedKind) throws IOException {
        final Arena arena = Arena.ofShared();
        boolean keep = false;
        try {
            final MemorySegment whole = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            final long magic = ShmAccess.laLong(whole, SegmentLayout.MAGIC_OFFSET);
            if (magic == 0L) {
                return null;
            }
            if (magic != SegmentLayout.MAGIC) {
                throw new SegmentFormatException(file + " is not Bingfa shared memory: it starts with "
                        + SegmentLayout.describeMagic(magic) + " instead of the magic "
                        + SegmentLayout.describeMagic(SegmentLayout.MAGIC));
            }
            final int version = ShmAccess.lpInt(whole, SegmentLayout.VERSION_OFFSET);
            if (version != SegmentLayout.VERSION) {
                throw new SegmentFormatException(file + " was written with layout version " + version
                        + "; this Bingfa reads version " + SegmentLayout.VERSION);
            }
            final int headerSize = ShmAccess.lpInt(whole, SegmentLayout.HEADER_SIZE_OFFSET);
            final long recorded = ShmAccess.lpLong(whole, SegmentLayout.FILE_SIZE_OFFSET);
            if (headerSize != SegmentLayout.HEADER_SIZE || recorded != size) {
                throw new SegmentFormatException(file + " is corrupt or truncated: its header records " + recorded
                        + " bytes (header " + headerSize + "), the file has " + size);
            }
            final int kind = ShmAccess.lpInt(whole, SegmentLayout.KIND_OFFSET);
            if (kind != expectedKind) {
                throw new SegmentFormatException(file + " holds " + SegmentLayout.kindName(kind) + ", not "
                        + SegmentLayout.kindName(expectedKind));
            }
            keep = true;
            return new SharedMemory(file, kind, arena, whole);
        } finally {
            if (!keep) {
                arena.close();
            }
        }
    }

    static void checkSize(final long size) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between 1 and " + MAX_SIZE + " bytes, was " + size);
        }
    }

    private static void checkFreeSpace(final Path file, final long bytes) {
        final Path dir = file.toAbsolutePath().getParent();
        try {
            final long free = Files.getFileStore(dir).getUsableSpace();
            if (bytes > free) {
                throw new IllegalArgumentException("size " + bytes + " exceeds the free space of " + dir + " ("
                        + free + " bytes); a tmpfs page that cannot be backed kills the process with SIGBUS");
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("cannot create shared memory " + file + ": no directory " + dir, e);
        } catch (IOException e) {
            LOG.debug("cannot read the free space of {}: {}", dir, e.toString());
        }
    }

    private static boolean delete(final Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unlink " + file + ": " + e.getMessage(), e);
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            throw new io.bingfa.future.WaitInterruptedException(e);
        }
    }

    private static Path defaultDirectory() {
        final Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
