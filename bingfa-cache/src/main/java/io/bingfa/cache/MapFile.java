package io.bingfa.cache;

import io.bingfa.shm.SegmentFormatException;
import io.bingfa.shm.SharedMemory;
import io.bingfa.shm.ShmAccess;
import io.bingfa.shm.ShmMutex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mapped file of a {@link SharedMap}: creating and validating it, mapping its regions (lazily, when a
 * reference into a region this JVM has not mapped yet shows up), and appending regions when the map grows.
 *
 * <h2>Overview</h2>
 * The file is the meta area ({@link MapLayout}: file header and segment headers), mapped once at open, then
 * regions ({@link RegionLayout}), each mapped as its own {@link MemorySegment} in this object's arena. A
 * region never moves or shrinks once published, so a mapping stays valid for the life of the map; growth
 * appends a region (zero-filled through the channel first, so that a full file system is an
 * {@link IOException} here, never a {@code SIGBUS} later on a page that tmpfs cannot back), writes its
 * table entry and then publishes it by a volatile store of the region count. Another process learns of the
 * region when it meets a reference into it, and maps it then.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *   create: CREATE_NEW, zero-fill, map, write header, locks, region 0, tables; magic last (release)
 *   open:   wait up to 2 s for the magic (a creator may still be filling), validate, map
 *   OPEN -&gt; CLOSED  close(): unmaps (shared arena) or leaves unmapping to the GC (automatic arena)
 * </pre>
 * {@link #growLocked} runs only under the pool lock ({@link ChunkPool}).
 */
final class MapFile {

    private static final Logger LOG = LoggerFactory.getLogger(MapFile.class);
    private static final long CREATION_GRACE_MILLIS = 2_000;
    private static final int ZERO_BUFFER_BYTES = 1 << 20;

    final Path path;
    final int segments;
    final int chunkOrder;
    final long chunkBytes;
    final int maxKeySize;
    final int maxValueSize;
    final long metaBytes;

    private final FileChannel channel;
    private final Arena arena;
    private final boolean gcManaged;
    private final MemorySegment meta;
    private final SharedMemory metaView;
    /** Regions mapped in this JVM; an element is written once (under this object's monitor), then read racily. */
    private final MemorySegment[] regions = new MemorySegment[MapLayout.MAX_REGIONS];

    private MapFile(final Path path, final FileChannel channel, final Arena arena, final boolean gcManaged,
                    final MemorySegment meta) {
        this.path = path;
        this.channel = channel;
        this.arena = arena;
        this.gcManaged = gcManaged;
        this.meta = meta;
        this.metaView = SharedMemory.view(path, meta);
        this.segments = ShmAccess.lpInt(meta, MapLayout.SEGMENTS_OFFSET);
        this.chunkOrder = ShmAccess.lpInt(meta, MapLayout.CHUNK_ORDER_OFFSET);
        this.chunkBytes = 1L << chunkOrder;
        this.maxKeySize = ShmAccess.lpInt(meta, MapLayout.MAX_KEY_OFFSET);
        this.maxValueSize = ShmAccess.lpInt(meta, MapLayout.MAX_VALUE_OFFSET);
        this.metaBytes = MapLayout.metaBytes(segments);
    }

    // ------------------------------------------------------------------ creating

    /** The initial layout computed from the options. */
    record Plan(int segments, int chunkOrder, long tableChunks, long region0Chunks) {

        static final double TARGET_LOAD = 0.8;

        static Plan of(final SharedMapOptions o) {
            final int chunkOrder = o.chunkOrder();
            final long slotsPerChunk = (1L << chunkOrder) / Long.BYTES;
            final long expected = o.expectedEntries();
            final int segments = o.segments() != 0 ? o.segments()
                    : Math.clamp(ceilDiv(expected, (long) (slotsPerChunk * TARGET_LOAD * 4)), 16, 1024);
            final long perSegment = ceilDiv(expected, segments);
            final long tableChunks = Math.max(1, (long) Math.ceil(perSegment / TARGET_LOAD / slotsPerChunk));
            final long blockBytes = 1L << BlockLayout.orderFor(o.averageKeySize(), o.averageValueSize());
            final long dataChunks = Math.max(segments,
                    ceilDiv(expected * blockBytes, 1L << chunkOrder) + (segments * 3L + 3) / 4);
            final long body = (long) segments * tableChunks + dataChunks;
            long total = body + 1;
            while (total - RegionLayout.metaChunks(total, chunkOrder) < body) {
                total++;
            }
            return new Plan(segments, chunkOrder, tableChunks, total);
        }
    }

    static MapFile create(final Path path, final SharedMapOptions options, final boolean gcManaged) {
        final Plan plan = Plan.of(options);
        final long metaBytes = MapLayout.metaBytes(plan.segments());
        final long regionBytes = plan.region0Chunks() << plan.chunkOrder();
        final FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new SharedMapExistsException(path, e);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("cannot create shared map " + path + ": no such directory", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create shared map " + path + ": " + e.getMessage(), e);
        }
        final Arena arena = gcManaged ? Arena.ofAuto() : Arena.ofShared();
        boolean done = false;
        try {
            try {
                zeroFill(channel, 0, metaBytes + regionBytes);
            } catch (IOException e) {
                throw new SharedMapFullException(path, metaBytes + regionBytes, "the file system is full ("
                        + e.getMessage() + ")", e);
            }
            final MemorySegment meta = channel.map(FileChannel.MapMode.READ_WRITE, 0, metaBytes, arena);
            ShmAccess.spInt(meta, MapLayout.VERSION_OFFSET, MapLayout.VERSION);
            ShmAccess.spInt(meta, MapLayout.META_BYTES_OFFSET, (int) metaBytes);
            ShmAccess.spInt(meta, MapLayout.SEGMENTS_OFFSET, plan.segments());
            ShmAccess.spInt(meta, MapLayout.CHUNK_ORDER_OFFSET, plan.chunkOrder());
            ShmAccess.spInt(meta, MapLayout.MAX_KEY_OFFSET, options.maxKeySize());
            ShmAccess.spInt(meta, MapLayout.MAX_VALUE_OFFSET, options.maxValueSize());
            ShmAccess.spLong(meta, MapLayout.CREATOR_PID_OFFSET, ProcessHandle.current().pid());
            ShmAccess.spLong(meta, MapLayout.CREATED_MILLIS_OFFSET, System.currentTimeMillis());
            ShmAccess.spLong(meta, MapLayout.EXPECTED_ENTRIES_OFFSET, options.expectedEntries());
            final byte[] host = hostName().getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(MemorySegment.ofArray(host), 0, meta, MapLayout.HOST_OFFSET,
                    Math.min(host.length, MapLayout.HOST_BYTES - 1));
            final MapFile file = new MapFile(path, channel, arena, gcManaged, meta);
            ShmMutex.create(file.metaView, MapLayout.POOL_LOCK_OFFSET, false);
            for (int s = 0; s < plan.segments(); s++) {
                ShmMutex.create(file.metaView, MapLayout.segmentOffset(s) + MapLayout.SEG_LOCK, false);
            }
            file.initRegion(0, metaBytes, regionBytes);
            ShmAccess.svInt(meta, MapLayout.REGION_COUNT_OFFSET, 1);
            final ChunkPool pool = new ChunkPool(file);
            pool.startBump(0);
            for (int s = 0; s < plan.segments(); s++) {
                final long table = pool.takeTableRunLocked(s, plan.tableChunks());
                ShmAccess.spLong(meta, MapLayout.segmentOffset(s) + MapLayout.SEG_TABLE,
                        BlockLayout.tableWord(table, plan.tableChunks()));
            }
            ShmAccess.soLong(meta, MapLayout.MAGIC_OFFSET, MapLayout.MAGIC); // last: publishes it all
            done = true;
            LOG.debug("created shared map {}: {} segments, chunk {} bytes, {} bytes", path, plan.segments(),
                    1L << plan.chunkOrder(), metaBytes + regionBytes);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map shared map " + path + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                closeQuietly(channel, arena, gcManaged);
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    LOG.warn("cannot delete the half-created shared map {}: {}", path, e.toString());
                }
            }
        }
    }

    // ------------------------------------------------------------------ opening

    static MapFile open(final Path path, final boolean gcManaged) {
        final FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("no shared map " + path + " (create it first)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open shared map " + path + ": " + e.getMessage(), e);
        }
        final Arena arena = gcManaged ? Arena.ofAuto() : Arena.ofShared();
        boolean done = false;
        try {
            final MemorySegment meta = mapMeta(path, channel, arena);
            final MapFile file = new MapFile(path, channel, arena, gcManaged, meta);
            file.validate();
            done = true;
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map shared map " + path + ": " + e.getMessage(), e);
        } finally {
            if (!done) {
                closeQuietly(channel, arena, gcManaged);
            }
        }
    }

    /** Waits for the magic (a concurrent creator), checks it and the version, and maps the meta area. */
    private static MemorySegment mapMeta(final Path path, final FileChannel channel, final Arena arena) throws IOException {
        final long deadline = System.currentTimeMillis() + CREATION_GRACE_MILLIS;
        for (;;) {
            final long size = channel.size();
            if (size >= MapLayout.FILE_HEADER_BYTES) {
                final ByteBuffer head = ByteBuffer.allocate(MapLayout.FILE_HEADER_BYTES).order(java.nio.ByteOrder.nativeOrder());
                channel.read(head, 0);
                final long magic = head.getLong(0);
                if (magic != 0L) {
                    if (magic != MapLayout.MAGIC) {
                        throw new SharedMapFormatException(path + " is not a Bingfa shared map: it starts with "
                                + describe(head) + " instead of \"BFSHMAP1\"");
                    }
                    final int version = head.getInt((int) MapLayout.VERSION_OFFSET);
                    if (version != MapLayout.VERSION) {
                        throw new SharedMapFormatException(path + " is a shared map of layout version " + version
                                + "; this Bingfa reads version " + MapLayout.VERSION);
                    }
                    final int segments = head.getInt((int) MapLayout.SEGMENTS_OFFSET);
                    final int metaBytes = head.getInt((int) MapLayout.META_BYTES_OFFSET);
                    if (segments < 1 || segments > MapLayout.MAX_SEGMENTS || metaBytes != MapLayout.metaBytes(segments)) {
                        throw new SharedMapFormatException(path + " is corrupt: its header records " + segments
                                + " segments and " + metaBytes + " header bytes");
                    }
                    if (size < metaBytes) {
                        throw new SharedMapFormatException(path + " is truncated: " + size + " bytes, its headers alone "
                                + "take " + metaBytes);
                    }
                    return channel.map(FileChannel.MapMode.READ_WRITE, 0, metaBytes, arena);
                }
            }
            if (System.currentTimeMillis() > deadline) {
                if (size < MapLayout.FILE_HEADER_BYTES) {
                    throw new SharedMapFormatException(path + " is truncated or not a shared map: " + size
                            + " bytes, shorter than the " + MapLayout.FILE_HEADER_BYTES + "-byte header");
                }
                throw new SharedMapFormatException(path + " has no shared-map magic (its first 8 bytes are zero): "
                        + "its creator died before finishing it, or it is not a shared map");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new io.bingfa.future.WaitInterruptedException(e);
            }
        }
    }

    private void validate() throws IOException {
        if (chunkOrder < 16 || chunkOrder > MapLayout.MAX_ORDER || maxKeySize < 1 || maxKeySize > SharedMapOptions.MAX_KEY_SIZE
                || maxValueSize < 0 || BlockLayout.orderFor(maxKeySize, maxValueSize) > chunkOrder) {
            throw new SharedMapFormatException(path + " is corrupt: chunk order " + chunkOrder + ", max key "
                    + maxKeySize + ", max value " + maxValueSize);
        }
        final int count = regionCount();
        if (count < 1 || count > MapLayout.MAX_REGIONS) {
            throw new SharedMapFormatException(path + " is corrupt: region count " + count);
        }
        final long end = regionOffset(count - 1) + regionLength(count - 1);
        final long size = channel.size();
        if (size < end) {
            throw new SharedMapFormatException(path + " is truncated: its header records regions up to byte " + end
                    + ", the file has " + size + " bytes");
        }
        try {
            ShmMutex.open(metaView, MapLayout.POOL_LOCK_OFFSET);
            for (int s = 0; s < segments; s++) {
                ShmMutex.open(metaView, MapLayout.segmentOffset(s) + MapLayout.SEG_LOCK);
            }
        } catch (SegmentFormatException e) {
            throw new SharedMapFormatException(path + " is corrupt: " + e.getMessage());
        }
        region(0);
    }

    // ------------------------------------------------------------------ regions

    int regionCount() {
        return ShmAccess.lvInt(meta, MapLayout.REGION_COUNT_OFFSET);
    }

    long regionOffset(final int r) {
        return ShmAccess.lpLong(meta, MapLayout.regionEntryOffset(r));
    }

    long regionLength(final int r) {
        return ShmAccess.lpLong(meta, MapLayout.regionEntryOffset(r) + Long.BYTES);
    }

    /** Chunks in region {@code r}. */
    long regionChunks(final int r) {
        return regionLength(r) >>> chunkOrder;
    }

    /** The bytes after the last published region: where the next region starts. */
    long end() {
        final int count = regionCount();
        return regionOffset(count - 1) + regionLength(count - 1);
    }

    /**
     * Region {@code r}, mapped on first use; {@code null} if it is not published (a reader that followed a
     * reference read from memory a writer was changing: its validation fails and it retries).
     */
    MemorySegment region(final int r) {
        final MemorySegment mapped = regions[r & (MapLayout.MAX_REGIONS - 1)]; // racy read: a MemorySegment is immutable, safely published through its final fields
        return mapped != null ? mapped : mapRegion(r);
    }

    private synchronized MemorySegment mapRegion(final int r) {
        if (r < 0 || r >= MapLayout.MAX_REGIONS || r >= regionCount()) {
            return null;
        }
        if (regions[r] != null) {
            return regions[r];
        }
        final long offset = regionOffset(r);
        final long length = regionLength(r);
        try {
            final MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, offset, length, arena);
            if (ShmAccess.lpInt(mapped, RegionLayout.MAGIC_OFFSET) != RegionLayout.MAGIC
                    || ShmAccess.lpInt(mapped, RegionLayout.INDEX_OFFSET) != r) {
                throw new SharedMapFormatException(path + " is corrupt: region " + r + " at byte " + offset
                        + " has no region header");
            }
            regions[r] = mapped;
            return mapped;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map region " + r + " of shared map " + path + " (bytes " + offset
                    + " to " + (offset + length) + "): " + e.getMessage(), e);
        }
    }

    /** Writes region {@code r}'s header and chunk map (its memory is zero) and its table entry; does not publish it. */
    private void initRegion(final int r, final long offset, final long length) throws IOException {
        final MemorySegment mapped = channel.map(FileChannel.MapMode.READ_WRITE, offset, length, arena);
        final long chunks = length >>> chunkOrder;
        final int metaChunks = RegionLayout.metaChunks(chunks, chunkOrder);
        ShmAccess.spInt(mapped, RegionLayout.INDEX_OFFSET, r);
        ShmAccess.spInt(mapped, RegionLayout.CHUNKS_OFFSET, (int) chunks);
        ShmAccess.spInt(mapped, RegionLayout.META_CHUNKS_OFFSET, metaChunks);
        for (int c = 0; c < metaChunks; c++) {
            ShmAccess.spInt(mapped, RegionLayout.chunkStateOffset(c), RegionLayout.META);
        }
        ShmAccess.spInt(mapped, RegionLayout.MAGIC_OFFSET, RegionLayout.MAGIC);
        ShmAccess.spLong(meta, MapLayout.regionEntryOffset(r), offset);
        ShmAccess.spLong(meta, MapLayout.regionEntryOffset(r) + Long.BYTES, length);
        regions[r] = mapped;
    }

    /** Meta chunks at the start of region {@code r}. */
    int metaChunks(final int r) {
        return ShmAccess.lpInt(region(r), RegionLayout.META_CHUNKS_OFFSET);
    }

    /**
     * Appends a region of at least {@code minChunks} usable chunks (more when the map is large: an eighth of
     * it) and publishes it. Pool lock held.
     *
     * @return the new region's index
     * @throws SharedMapFullException if the file system has no room or the region table is full
     */
    int growLocked(final long minChunks) {
        final int r = regionCount();
        long total = 0;
        for (int i = 0; i < r; i++) {
            total += regionChunks(i);
        }
        long chunks = Math.max(minChunks + 1, Math.max(total / 8, 16));
        while (chunks - RegionLayout.metaChunks(chunks, chunkOrder) < minChunks) {
            chunks++;
        }
        final long length = chunks << chunkOrder;
        if (r >= MapLayout.MAX_REGIONS) {
            throw new SharedMapFullException(path, length, "it has reached its limit of " + MapLayout.MAX_REGIONS
                    + " regions (create it with a larger expectedEntries)", null);
        }
        final long offset = end();
        try {
            channel.truncate(offset); // drops the tail of a growth whose grower died
            zeroFill(channel, offset, length);
        } catch (IOException e) {
            try {
                channel.truncate(offset);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new SharedMapFullException(path, length, "the file system is full (" + e.getMessage() + ")", e);
        }
        try {
            initRegion(r, offset, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map the new region of shared map " + path + ": " + e.getMessage(), e);
        }
        ShmAccess.svInt(meta, MapLayout.REGION_COUNT_OFFSET, r + 1);
        ShmAccess.svInt(meta, MapLayout.GROWTHS_OFFSET, ShmAccess.lpInt(meta, MapLayout.GROWTHS_OFFSET) + 1);
        LOG.debug("shared map {} grew by region {}: {} bytes at byte {}", path, r, length, offset);
        return r;
    }

    private static void zeroFill(final FileChannel channel, final long from, final long length) throws IOException {
        final ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_BUFFER_BYTES, length));
        long position = from;
        final long end = from + length;
        while (position < end) {
            zeros.clear();
            zeros.limit((int) Math.min(zeros.capacity(), end - position));
            position += channel.write(zeros, position);
        }
    }

    // ------------------------------------------------------------------ chunk map

    int chunkState(final int r, final long chunk) {
        return ShmAccess.lvInt(region(r), RegionLayout.chunkStateOffset(chunk));
    }

    void setChunkState(final int r, final long chunk, final int state) {
        ShmAccess.svInt(region(r), RegionLayout.chunkStateOffset(chunk), state);
    }

    // ------------------------------------------------------------------ accessors

    MemorySegment meta() {
        return meta;
    }

    ShmMutex poolLock() {
        return ShmMutex.open(metaView, MapLayout.POOL_LOCK_OFFSET);
    }

    ShmMutex segmentLock(final int s) {
        return ShmMutex.open(metaView, MapLayout.segmentOffset(s) + MapLayout.SEG_LOCK);
    }

    MemorySegment segmentHeader(final int s) {
        return meta.asSlice(MapLayout.segmentOffset(s), MapLayout.SEGMENT_HEADER_BYTES);
    }

    long fileBytes() {
        return end();
    }

    String creator() {
        final byte[] host = meta.asSlice(MapLayout.HOST_OFFSET, MapLayout.HOST_BYTES).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < host.length && host[n] != 0) {
            n++;
        }
        return "pid " + ShmAccess.lpLong(meta, MapLayout.CREATOR_PID_OFFSET) + " on "
                + new String(host, 0, n, StandardCharsets.UTF_8) + " at "
                + java.time.Instant.ofEpochMilli(ShmAccess.lpLong(meta, MapLayout.CREATED_MILLIS_OFFSET));
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    void close() {
        closeQuietly(channel, arena, gcManaged);
    }

    private static void closeQuietly(final FileChannel channel, final Arena arena, final boolean gcManaged) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing a shared map channel: {}", e.toString());
        }
        if (!gcManaged && arena.scope().isAlive()) {
            arena.close();
        }
    }

    private static String describe(final ByteBuffer head) {
        final StringBuilder text = new StringBuilder("\"");
        for (int i = 0; i < 8; i++) {
            final int c = head.get(i) & 0xFF;
            text.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return text.append('"').toString();
    }

    private static String hostName() {
        try { // /proc first: InetAddress.getLocalHost() may wait for a DNS timeout
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException | RuntimeException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException again) {
                return "unknown-host";
            }
        }
    }

    static long ceilDiv(final long a, final long b) {
        return (a + b - 1) / b;
    }
}
