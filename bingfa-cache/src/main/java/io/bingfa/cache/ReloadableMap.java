package io.bingfa.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * A read-only map that a Reloader replaces as a whole, shared by every process that opens the same file:
 * the seeds' pattern of a service that caches a whole collection in each of its 8 worker processes and
 * refreshes it in periodic batches, with one copy in RAM instead of eight.
 *
 * Files. The path given is a small control file (GenerationsLayout); each generation N is a complete
 * SharedMap in the file beside it, <path>.g<N>. Generation 0 is the empty map before the first reload and
 * has no file. The control file's CURRENT word names the generation readers use.
 *
 * Reading. Each process keeps the generation it reads mapped (`local`). A get is:
 *     g = local (volatile read); if (g.number != CURRENT (volatile read)) g = switchTo(CURRENT);
 *     return g.map.get(key)
 * so a reader costs two volatile loads more than SharedMap.get itself, and never takes a lock or writes a
 * shared word. A reader sees one generation per call; snapshot() pins one for a batch of calls.
 *
 * Switching (one thread per process at a time, tryLock: nobody waits for it). The thread that first sees
 * a newer CURRENT maps that generation's file, makes it `local`, and retires the old one. If the file is
 * gone already (two reloads in quick succession), it reads CURRENT again and maps the newer one. Threads
 * that find the switch lock taken keep reading the old generation, which stays mapped until it is retired.
 * A daemon thread ("bingfa-reloadable-map-watch") calls refresh() on every open map every 200 ms, so a
 * process that reads nothing still lets go of old generations.
 *
 * Reclaiming memory: close-and-retry instead of a reader count. Retiring a generation closes its
 * SharedMap (munmap) at once unless a snapshot pins it. A get that was inside the old map at that moment
 * fails with IllegalStateException: a shared FFM arena's close() completes and makes every thread still
 * accessing its memory throw (JDK 22+; never a crash). The get catches it, sees its generation retired,
 * and runs again on the new one. (HotSpot sets the interrupt flag of a thread it delivers that exception
 * to; the get clears it again unless it was set before: one read of Thread.isInterrupted per get.)
 * This costs nothing else on the read path; a per-generation reader count would
 * cost two contended atomic updates per get (measured: see the bench's notes), and Arena.ofAuto would leave
 * the unmapping to the garbage collector. Snapshots, which are few and long, use a pin count instead:
 *
 * Generation state (one long; one CAS helper):
 *     pins (low 62 bits) | RETIRED (bit 62)
 *     n        -> n + 1          snapshot(): tryPin, only while not RETIRED
 *     n + 1    -> n              Snapshot.close(): unpin; RETIRED|0 reached here closes the map
 *     n        -> RETIRED | n    retire(), once, by the switching thread; RETIRED|0 closes the map
 * Exactly one caller reaches RETIRED|0 (pins only fall once RETIRED is set), so the map is closed once.
 *
 * The file of a retired generation was already unlinked by the reloader that replaced it: Linux keeps its
 * pages while any process maps it, and frees them when the last mapping goes.
 *
 * Writing is the Reloader's job (Reloader's essay: lock, build, publish, unlink); this class only reads.
 */
/**
 * A map shared by processes that a {@link Reloader} replaces as a whole, atomically: every reader sees the
 * old generation or the new one, never a mix, and never waits for a reload.
 *
 * <pre>{@code
 * try (ReloadableMap settings = ReloadableMap.openOrCreate(Path.of("/dev/shm/settings"), SharedMapOptions.defaults());
 *      Reloader reloader = Reloader.builder(settings)
 *              .source(Sources.jdbc(url, "select name, value from settings"))
 *              .every(Duration.ofMinutes(5)).build()) {
 *     reloader.start();                        // in one process; the others only open the map
 *     byte[] v = settings.get(key);            // the current generation
 *     try (ReloadableMap.Snapshot s = settings.snapshot()) {   // several reads from one generation
 *         ... s.get(a) ... s.get(b) ...
 *     }
 * }
 * }</pre>
 */
public final class ReloadableMap implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadableMap.class);

    /** How often the watch thread lets idle processes switch to (and unmap) generations. */
    static final long WATCH_PERIOD_MILLIS = 200;
    /** How long a process keeps serving the old generation after the new one failed to map. */
    private static final long RETRY_OPEN_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "bingfa-reloadable-map-watch");
        t.setDaemon(true);
        return t;
    });

    /** The generation a closed map points at: its number matches nothing, so every read goes to switchTo. */
    private static final Generation CLOSED = new Generation(-1, null);

    private final Path file;
    private final Generations control;
    private final ReentrantLock switching = new ReentrantLock();
    private final ScheduledFuture<?> watch;
    /** The generation this process reads; replaced only by switchTo, under {@link #switching}. */
    private volatile Generation local;
    private volatile boolean closed;
    /** A generation that failed to map, and when; under {@link #switching}. */
    private long failedOpen = -1;
    private long failedOpenNanos;

    private ReloadableMap(final Path file, final Generations control) {
        this.file = file;
        this.control = control;
        this.local = new Generation(0, null);
        this.watch = WATCH.scheduleWithFixedDelay(new Watch(new WeakReference<>(this)), WATCH_PERIOD_MILLIS,
                WATCH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ opening

    /**
     * Creates the control file at {@code file}, with generation 0 (empty) current; each reload's generation is
     * a {@link SharedMap} created with {@code options}, presized to the previous generation's entries.
     *
     * @throws SharedMapExistsException if {@code file} exists
     */
    public static ReloadableMap create(final Path file, final SharedMapOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        try {
            return new ReloadableMap(file, Generations.create(file, options, 0));
        } catch (final UncheckedIOException e) {
            if (e.getCause() instanceof FileAlreadyExistsException exists) {
                throw new SharedMapExistsException(file, exists);
            }
            throw e;
        }
    }

    /**
     * Opens the map whose control file is {@code file}.
     *
     * @throws UncheckedIOException if there is no such file
     * @throws SharedMapFormatException if it is not a ReloadableMap control file
     */
    public static ReloadableMap open(final Path file) {
        Objects.requireNonNull(file, "file");
        final ReloadableMap m = new ReloadableMap(file, Generations.open(file));
        m.refresh();
        return m;
    }

    /** Opens {@code file}, or creates it with {@code options} if it does not exist (one process wins). */
    public static ReloadableMap openOrCreate(final Path file, final SharedMapOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        for (int attempt = 0; ; attempt++) {
            if (Files.exists(file)) {
                try {
                    return open(file);
                } catch (final UncheckedIOException e) {
                    if (attempt > 3 || Files.exists(file)) {
                        throw e;
                    }
                    continue; // deleted between exists() and open(): create it
                }
            }
            try {
                return create(file, options);
            } catch (final SharedMapExistsException e) {
                // another process created it first: open theirs
            }
        }
    }

    /** True when {@code file} is a ReloadableMap control file (for tools that accept either kind of file). */
    public static boolean isReloadable(final Path file) {
        Objects.requireNonNull(file, "file");
        return Generations.isControlFile(file);
    }

    /**
     * Removes the control file and every generation file of the map at {@code file}. Processes that have it
     * open keep reading the generation they have mapped until they close it.
     *
     * @return {@code true} if the control file existed
     */
    public static boolean delete(final Path file) {
        Objects.requireNonNull(file, "file");
        try {
            for (final Path g : Generations.generationFiles(file)) {
                Files.deleteIfExists(g);
            }
            return Files.deleteIfExists(file);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    // ------------------------------------------------------------------ reading

    /** The value of {@code key} in the current generation, or {@code null}. */
    public byte[] get(final byte[] key) {
        Objects.requireNonNull(key, "key");
        for (;;) {
            final Generation g = current();
            final boolean interrupted = Thread.currentThread().isInterrupted(); // see retryOrThrow
            try {
                return g.map == null ? null : g.map.get(key);
            } catch (final IllegalStateException e) {
                retryOrThrow(g, e, interrupted);
            }
        }
    }

    /**
     * Copies the value of {@code key} into {@code dst} (at its position, advancing it) if it fits.
     *
     * @return the value's length, or -1 when absent (see {@link SharedMap#get(byte[], ByteBuffer)})
     */
    public int get(final byte[] key, final ByteBuffer dst) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(dst, "dst");
        for (;;) {
            final Generation g = current();
            final boolean interrupted = Thread.currentThread().isInterrupted(); // see retryOrThrow
            try {
                return g.map == null ? -1 : g.map.get(key, dst);
            } catch (final IllegalStateException e) {
                retryOrThrow(g, e, interrupted);
            }
        }
    }

    /** True when the current generation holds {@code key}. */
    public boolean containsKey(final byte[] key) {
        Objects.requireNonNull(key, "key");
        for (;;) {
            final Generation g = current();
            final boolean interrupted = Thread.currentThread().isInterrupted(); // see retryOrThrow
            try {
                return g.map != null && g.map.containsKey(key);
            } catch (final IllegalStateException e) {
                retryOrThrow(g, e, interrupted);
            }
        }
    }

    /** The number of entries of the current generation. */
    public long size() {
        for (;;) {
            final Generation g = current();
            final boolean interrupted = Thread.currentThread().isInterrupted(); // see retryOrThrow
            try {
                return g.map == null ? 0 : g.map.size();
            } catch (final IllegalStateException e) {
                retryOrThrow(g, e, interrupted);
            }
        }
    }

    /** Calls {@code action} for every entry of one generation (pinned for the whole walk). */
    public void forEach(final BiConsumer<byte[], byte[]> action) {
        Objects.requireNonNull(action, "action");
        try (Snapshot s = snapshot()) {
            s.forEach(action);
        }
    }

    /**
     * Pins the current generation for a batch of reads that must agree with each other: until
     * {@link Snapshot#close()} it stays mapped in this process, whatever reloads happen meanwhile.
     */
    public Snapshot snapshot() {
        for (;;) {
            final Generation g = current();
            if (g.tryPin()) {
                return new Snapshot(g);
            }
            // retired between current() and the pin: the next current() is newer
        }
    }

    /** The generation this process reads now (after switching to the published one if it changed). */
    public long generation() {
        return current().number;
    }

    /**
     * Switches this process to the published generation now, releasing the old one's mapping unless a
     * snapshot pins it (reads do this by themselves; the watch thread does it every 200 ms).
     *
     * @return the generation this process reads afterwards
     */
    public long refresh() {
        return current().number;
    }

    /** The last reload's report, from whichever process ran it; empty before the first. */
    public Optional<ReloadReport> lastReport() {
        requireOpen();
        return control.lastReport();
    }

    /** Reloads that published a generation, by any process, since the file was created. */
    public long reloads() {
        requireOpen();
        return control.publishedCount();
    }

    /** Reloads that failed (the current generation kept serving), by any process. */
    public long failedReloads() {
        requireOpen();
        return control.failedCount();
    }

    /** The options each generation is created with (before presizing). */
    public SharedMapOptions options() {
        requireOpen();
        return control.options();
    }

    /** The control file. */
    public Path file() {
        return file;
    }

    /** The file of generation {@code n} ({@code <file>.g<n>}); it exists only while {@code n} is current. */
    public Path generationFile(final long n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, was " + n);
        }
        return Generations.generationFile(file, n);
    }

    /**
     * Unmaps the generation and the control file in this process. Idempotent. The files stay (see
     * {@link #delete}); open snapshots keep their generation mapped until they are closed.
     */
    @Override
    public void close() {
        switching.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            watch.cancel(false);
            final Generation last = local;
            local = CLOSED;
            last.retire();
            control.close();
        } finally {
            switching.unlock();
        }
    }

    @Override
    public String toString() {
        final Generation g = local; // racy read: only for display
        return "ReloadableMap[" + file + ", generation " + g.number + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ package-private: the Reloader's side

    Generations control() {
        requireOpen();
        return control;
    }

    // ------------------------------------------------------------------ switching

    private Generation current() {
        final Generation g = local;
        final long published;
        try {
            published = control.current();
        } catch (final IllegalStateException e) {
            throw closed ? closedException() : e; // the control file was unmapped by close()
        }
        return g.number == published ? g : switchTo(published);
    }

    private Generation switchTo(final long seen) {
        if (!switching.tryLock()) {
            // Another thread is mapping the new generation; the old one is open until it finishes.
            final Generation g = local;
            if (g == CLOSED) {
                throw closedException();
            }
            return g;
        }
        try {
            long published = seen;
            for (;;) {
                final Generation old = local;
                if (closed) {
                    throw closedException();
                }
                if (old.number >= published) {
                    return old; // another thread switched already (generations only grow)
                }
                if (published == failedOpen && System.nanoTime() - failedOpenNanos < RETRY_OPEN_NANOS) {
                    return old; // it failed to open a moment ago: keep serving the old one, try again later
                }
                final Generation next;
                try {
                    next = new Generation(published, SharedMap.open(Generations.generationFile(file, published)));
                } catch (final RuntimeException e) {
                    final long now = control.current();
                    if (now != published) {
                        published = now; // replaced and unlinked while we looked: map the newer one
                        continue;
                    }
                    if (old.number == 0) {
                        throw e; // nothing older to serve
                    }
                    failedOpen = published;
                    failedOpenNanos = System.nanoTime();
                    LOG.warn("{}: cannot map generation {}; generation {} keeps serving: {}", file, published,
                            old.number, e.toString());
                    return old;
                }
                local = next;
                old.retire();
                LOG.debug("{}: switched from generation {} to {}", file, old.number, next.number);
                return next;
            }
        } finally {
            switching.unlock();
        }
    }

    /**
     * After a read failed with {@code e}: returns to retry it if its generation was retired (and unmapped)
     * under it, else throws. HotSpot delivers the closed arena's exception like an asynchronous exception and
     * sets the reading thread's interrupt flag as it does so (seen on JDK 25 in about one close in six); a
     * reader must not come out of a reload interrupted, so the flag is cleared again unless it was set
     * before the read began. (An interrupt arriving during that one read, in the same nanoseconds as the
     * unmapping, would be lost with it.)
     */
    private void retryOrThrow(final Generation g, final IllegalStateException e, final boolean wasInterrupted) {
        if (closed) {
            throw closedException();
        }
        if (!g.isRetired()) {
            throw e; // not ours: the generation it read is still live
        }
        if (!wasInterrupted) {
            Thread.interrupted();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw closedException();
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("ReloadableMap " + file + " is closed");
    }

    // ------------------------------------------------------------------ generations in this process

    /** One generation mapped in this process, with its snapshot pins. */
    static final class Generation {
        /** Set once, by the switch that replaces this generation; no pin is taken after it. */
        static final long RETIRED = 1L << 62;
        static final long PINS = RETIRED - 1;

        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Generation.class, "state", long.class);
            } catch (final ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final long number;
        /** {@code null} for generation 0, the empty map before the first reload. */
        final SharedMap map;
        /** pins | RETIRED; see the class essay for the transitions. */
        private volatile long state;

        Generation(final long number, final SharedMap map) {
            this.number = number;
            this.map = map;
        }

        boolean tryPin() {
            for (;;) {
                final long s = state;
                if ((s & RETIRED) != 0) {
                    return false;
                }
                if (casState(s, s + 1)) {
                    return true;
                }
            }
        }

        void unpin() {
            for (;;) {
                final long s = state;
                if ((s & PINS) == 0) {
                    throw new IllegalStateException("generation " + number + " unpinned more often than pinned");
                }
                if (casState(s, s - 1)) {
                    if (s - 1 == RETIRED) {
                        release();
                    }
                    return;
                }
            }
        }

        void retire() {
            for (;;) {
                final long s = state;
                if ((s & RETIRED) != 0) {
                    return;
                }
                if (casState(s, s | RETIRED)) {
                    if (s == 0) {
                        release();
                    }
                    return;
                }
            }
        }

        boolean isRetired() {
            return (state & RETIRED) != 0;
        }

        private boolean casState(final long expected, final long next) {
            return STATE.compareAndSet(this, expected, next);
        }

        private void release() {
            if (map != null) {
                map.close();
            }
        }
    }

    /**
     * One generation pinned for a batch of reads: every call answers from the same generation, and it stays
     * mapped in this process until {@link #close()}. Not for long-lived use: a pinned generation keeps its
     * memory after newer ones replace it.
     */
    public static final class Snapshot implements AutoCloseable {
        private final Generation generation;
        /** Cleared once, by close(); read by every call (a stale true only lets a read race its own close). */
        private volatile boolean open = true;

        private Snapshot(final Generation generation) {
            this.generation = generation;
        }

        /** The generation this snapshot reads (0: the empty map before the first reload). */
        public long generation() {
            return generation.number;
        }

        /** The value of {@code key} in this generation, or {@code null}. */
        public byte[] get(final byte[] key) {
            Objects.requireNonNull(key, "key");
            requireOpen();
            return generation.map == null ? null : generation.map.get(key);
        }

        /** See {@link SharedMap#get(byte[], ByteBuffer)}. */
        public int get(final byte[] key, final ByteBuffer dst) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(dst, "dst");
            requireOpen();
            return generation.map == null ? -1 : generation.map.get(key, dst);
        }

        /** See {@link SharedMap#get(MemorySegment, MemorySegment)}: zero-copy reads for hot paths. */
        public long get(final MemorySegment key, final MemorySegment dst) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(dst, "dst");
            requireOpen();
            return generation.map == null ? -1 : generation.map.get(key, dst);
        }

        public boolean containsKey(final byte[] key) {
            Objects.requireNonNull(key, "key");
            requireOpen();
            return generation.map != null && generation.map.containsKey(key);
        }

        public long size() {
            requireOpen();
            return generation.map == null ? 0 : generation.map.size();
        }

        public void forEach(final BiConsumer<byte[], byte[]> action) {
            Objects.requireNonNull(action, "action");
            requireOpen();
            if (generation.map != null) {
                generation.map.forEach(action);
            }
        }

        /** The generation's file statistics; empty for generation 0. */
        public Optional<SharedMapStats> stats() {
            requireOpen();
            return generation.map == null ? Optional.empty() : Optional.of(generation.map.stats());
        }

        /** Unpins the generation. Idempotent. */
        @Override
        public synchronized void close() {
            if (open) {
                open = false;
                generation.unpin();
            }
        }

        private void requireOpen() {
            if (!open) {
                throw new IllegalStateException("snapshot of generation " + generation.number + " is closed");
            }
        }
    }

    /** Keeps idle processes current; holds its map weakly, and ends (by throwing) once it is gone or closed. */
    private record Watch(WeakReference<ReloadableMap> map) implements Runnable {
        @Override
        public void run() {
            final ReloadableMap m = map.get();
            if (m == null || m.closed) {
                throw new CancellationException("map closed"); // ends this periodic task
            }
            try {
                m.refresh();
            } catch (final RuntimeException e) {
                if (!m.closed) {
                    LOG.warn("{}: cannot switch to the published generation: {}", m.file, e.toString());
                }
            }
        }
    }
}
