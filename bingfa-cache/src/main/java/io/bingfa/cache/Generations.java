package io.bingfa.cache;

import io.bingfa.shm.SegmentFormatException;
import io.bingfa.shm.SharedLong;
import io.bingfa.shm.SharedMemory;
import io.bingfa.shm.ShmMutex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/*
 * The control file of a ReloadableMap, mapped in one process: typed access to GenerationsLayout's words.
 *
 * Who calls what: ReloadableMap reads current() on every get (one volatile load), the Reloader does
 * everything else under lockReloads(). Creation writes every field, then the magic with a release store;
 * open() waits up to CREATION_GRACE for the magic so that a process opening a file a moment after its creator
 * made it does not fail.
 */
/** The control file of a {@link ReloadableMap} mapped in this process (see {@link GenerationsLayout}). */
final class Generations implements AutoCloseable {

    private static final long CREATION_GRACE_MILLIS = 2_000;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final VarHandle MAGIC_HANDLE = ValueLayout.JAVA_LONG.varHandle();

    private final SharedMemory shm;
    private final MemorySegment memory;
    private final SharedLong current;
    private final SharedLong building;
    private final SharedLong published;
    private final SharedLong failed;
    private final SharedLong reportSequence;
    private final ShmMutex reloadLock;

    private Generations(final SharedMemory shm, final ShmMutex reloadLock) {
        this.shm = shm;
        this.memory = shm.segment();
        this.current = SharedLong.at(shm, GenerationsLayout.CURRENT_OFFSET);
        this.building = SharedLong.at(shm, GenerationsLayout.BUILDING_OFFSET);
        this.published = SharedLong.at(shm, GenerationsLayout.PUBLISHED_COUNT_OFFSET);
        this.failed = SharedLong.at(shm, GenerationsLayout.FAILED_COUNT_OFFSET);
        this.reportSequence = SharedLong.at(shm, GenerationsLayout.REPORT_SEQUENCE_OFFSET);
        this.reloadLock = reloadLock;
    }

    /** Creates the control file naming {@code firstGeneration} as current (its file must be complete). */
    static Generations create(final Path file, final SharedMapOptions options, final long firstGeneration) {
        final SharedMemory shm = SharedMemory.create(file, GenerationsLayout.BYTES);
        try {
            final MemorySegment m = shm.segment();
            m.set(INT, GenerationsLayout.VERSION_OFFSET, GenerationsLayout.VERSION);
            m.set(LONG, GenerationsLayout.EXPECTED_ENTRIES_OFFSET, options.expectedEntries());
            m.set(INT, GenerationsLayout.AVERAGE_KEY_SIZE_OFFSET, options.averageKeySize());
            m.set(INT, GenerationsLayout.AVERAGE_VALUE_SIZE_OFFSET, options.averageValueSize());
            m.set(INT, GenerationsLayout.MAX_KEY_SIZE_OFFSET, options.maxKeySize());
            m.set(INT, GenerationsLayout.MAX_VALUE_SIZE_OFFSET, options.maxValueSize());
            m.set(INT, GenerationsLayout.SEGMENTS_OFFSET, options.segments());
            final ShmMutex lock = ShmMutex.create(shm, GenerationsLayout.LOCK_OFFSET, false);
            final Generations g = new Generations(shm, lock);
            g.current.set(firstGeneration);
            soMagic(m, GenerationsLayout.MAGIC); // last: publishes the rest
            return g;
        } catch (final RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /** Maps an existing control file, waiting briefly for a creator that has not finished it yet. */
    static Generations open(final Path file) {
        final SharedMemory shm = SharedMemory.open(file);
        try {
            if (shm.size() < GenerationsLayout.BYTES) {
                throw new SharedMapFormatException(file + " is not a ReloadableMap control file: "
                        + shm.size() + " bytes, too short for its " + GenerationsLayout.BYTES + "-byte layout");
            }
            final MemorySegment m = shm.segment();
            final long deadline = System.currentTimeMillis() + CREATION_GRACE_MILLIS;
            long magic;
            while ((magic = laMagic(m)) == 0 && System.currentTimeMillis() < deadline) {
                Thread.onSpinWait();
                Thread.yield();
            }
            if (magic != GenerationsLayout.MAGIC) {
                throw new SharedMapFormatException(file + " is not a ReloadableMap control file (magic "
                        + Long.toHexString(magic) + ", expected " + Long.toHexString(GenerationsLayout.MAGIC) + ")");
            }
            final int version = m.get(INT, GenerationsLayout.VERSION_OFFSET);
            if (version != GenerationsLayout.VERSION) {
                throw new SharedMapFormatException(file + " was written with ReloadableMap layout version "
                        + version + "; this Bingfa reads version " + GenerationsLayout.VERSION);
            }
            return new Generations(shm, ShmMutex.open(shm, GenerationsLayout.LOCK_OFFSET));
        } catch (final RuntimeException e) {
            shm.close();
            throw e;
        }
    }

    /** True when {@code file} is a finished ReloadableMap control file (false for anything else). */
    static boolean isControlFile(final Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (SharedMemory shm = SharedMemory.open(file)) {
            return shm.size() >= GenerationsLayout.BYTES && laMagic(shm.segment()) == GenerationsLayout.MAGIC;
        } catch (final SegmentFormatException | UncheckedIOException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ the words

    /** The published generation: one volatile load, the whole cost of a reader's check. */
    long current() {
        return current.get();
    }

    /** Publishes generation {@code n}: one volatile store. Under the reload lock. */
    void publish(final long n) {
        current.set(n);
    }

    long building() {
        return building.get();
    }

    void building(final long n) {
        building.set(n);
    }

    long publishedCount() {
        return published.get();
    }

    long failedCount() {
        return failed.get();
    }

    ShmMutex reloadLock() {
        return reloadLock;
    }

    /** The options the map was created with (each reload presizes from them and the current size). */
    SharedMapOptions options() {
        return new SharedMapOptions(memory.get(LONG, GenerationsLayout.EXPECTED_ENTRIES_OFFSET),
                memory.get(INT, GenerationsLayout.AVERAGE_KEY_SIZE_OFFSET),
                memory.get(INT, GenerationsLayout.AVERAGE_VALUE_SIZE_OFFSET),
                memory.get(INT, GenerationsLayout.MAX_KEY_SIZE_OFFSET),
                memory.get(INT, GenerationsLayout.MAX_VALUE_SIZE_OFFSET),
                memory.get(INT, GenerationsLayout.SEGMENTS_OFFSET));
    }

    // ------------------------------------------------------------------ the report (seqlock)

    /** Records {@code report} for every process and counts it. Under the reload lock (one writer). */
    void record(final ReloadReport report) {
        final long seq = reportSequence.get();
        reportSequence.set(seq + 1); // odd: readers retry
        VarHandle.storeStoreFence(); // the field writes below may not move before the odd sequence
        memory.set(LONG, GenerationsLayout.REPORT_AT_OFFSET, report.at().toEpochMilli());
        memory.set(LONG, GenerationsLayout.REPORT_ROWS_OFFSET, report.rows());
        memory.set(LONG, GenerationsLayout.REPORT_TOOK_OFFSET, report.took().toNanos());
        memory.set(LONG, GenerationsLayout.REPORT_GENERATION_OFFSET, report.generation());
        final byte[] message = report.failure() == null ? new byte[0] : truncatedUtf8(String.valueOf(report.failure()));
        memory.set(INT, GenerationsLayout.REPORT_FAILED_OFFSET, report.ok() ? 0 : 1);
        memory.set(INT, GenerationsLayout.REPORT_MESSAGE_LENGTH_OFFSET, message.length);
        MemorySegment.copy(message, 0, memory, ValueLayout.JAVA_BYTE, GenerationsLayout.REPORT_MESSAGE_OFFSET,
                message.length);
        reportSequence.set(seq + 2); // even again: the report is whole
        (report.ok() ? published : failed).incrementAndGet();
    }

    /** The last recorded report, read consistently without the lock; empty before the first reload. */
    Optional<ReloadReport> lastReport() {
        for (;;) {
            final long before = reportSequence.get();
            if (before == 0) {
                return Optional.empty();
            }
            if ((before & 1) != 0) {
                Thread.onSpinWait(); // a writer is inside; it finishes in microseconds
                continue;
            }
            // Plain reads between two volatile reads of the sequence: a torn copy is detected and retried.
            final long at = memory.get(LONG, GenerationsLayout.REPORT_AT_OFFSET);
            final long rows = memory.get(LONG, GenerationsLayout.REPORT_ROWS_OFFSET);
            final long took = memory.get(LONG, GenerationsLayout.REPORT_TOOK_OFFSET);
            final long generation = memory.get(LONG, GenerationsLayout.REPORT_GENERATION_OFFSET);
            final boolean bad = memory.get(INT, GenerationsLayout.REPORT_FAILED_OFFSET) != 0;
            final int length = Math.clamp(memory.get(INT, GenerationsLayout.REPORT_MESSAGE_LENGTH_OFFSET), 0,
                    GenerationsLayout.REPORT_MESSAGE_MAX);
            final byte[] message = new byte[length];
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, GenerationsLayout.REPORT_MESSAGE_OFFSET, message, 0,
                    length);
            VarHandle.loadLoadFence(); // the field reads above may not move after the second sequence read
            if (reportSequence.get() == before) {
                final ReloadFailedException failure = bad
                        ? new ReloadFailedException(new String(message, StandardCharsets.UTF_8)) : null;
                return Optional.of(new ReloadReport(Instant.ofEpochMilli(at), rows, Duration.ofNanos(took),
                        generation, failure));
            }
        }
    }

    // ------------------------------------------------------------------ files

    Path file() {
        return shm.path();
    }

    /** {@code <control>.g<n>}. */
    static Path generationFile(final Path control, final long n) {
        return control.resolveSibling(control.getFileName() + GenerationsLayout.GENERATION_SUFFIX + n);
    }

    /** The number of a generation file of {@code control}, or empty for any other file. */
    static OptionalLong generationOf(final Path control, final Path candidate) {
        final String prefix = control.getFileName() + GenerationsLayout.GENERATION_SUFFIX;
        final String name = candidate.getFileName().toString();
        if (!name.startsWith(prefix) || name.length() == prefix.length() || name.length() - prefix.length() > 18) {
            return OptionalLong.empty();
        }
        for (int i = prefix.length(); i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.of(Long.parseLong(name.substring(prefix.length())));
    }

    /** Every generation file of {@code control} that exists now. */
    static List<Path> generationFiles(final Path control) {
        final List<Path> files = new ArrayList<>();
        final Path dir = control.toAbsolutePath().getParent();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(dir,
                control.getFileName() + GenerationsLayout.GENERATION_SUFFIX + "*")) {
            for (final Path p : all) {
                if (generationOf(control, p).isPresent()) {
                    files.add(p);
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot list the generation files of " + control, e);
        }
        return files;
    }

    @Override
    public void close() {
        shm.close();
    }

    // ------------------------------------------------------------------ accessors

    private static long laMagic(final MemorySegment m) {
        return (long) MAGIC_HANDLE.getAcquire(m, GenerationsLayout.MAGIC_OFFSET);
    }

    private static void soMagic(final MemorySegment m, final long magic) {
        MAGIC_HANDLE.setRelease(m, GenerationsLayout.MAGIC_OFFSET, magic);
    }

    private static byte[] truncatedUtf8(final String s) {
        final byte[] all = s.getBytes(StandardCharsets.UTF_8);
        if (all.length <= GenerationsLayout.REPORT_MESSAGE_MAX) {
            return all;
        }
        int end = GenerationsLayout.REPORT_MESSAGE_MAX;
        while (end > 0 && (all[end] & 0xC0) == 0x80) { // do not cut a character in two
            end--;
        }
        return java.util.Arrays.copyOf(all, end);
    }
}
