package io.bingfa.cache;

import io.bingfa.internal.Durations;
import io.bingfa.shm.ShmMutex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * Loads a full snapshot from a Source into a new generation of a ReloadableMap and switches every reader of
 * every process to it at once. One reload (reloadNow):
 *
 *   1. lock      take the control file's reload lock (a robust ShmMutex: one reloader at a time across
 *                processes; a reloader killed while holding it is detected by the next one within 100 ms)
 *   2. clean     delete every generation file except the current one: the partial file of a reloader that
 *                died mid-build, or a file a crash left unlinked
 *   3. build     N = max(CURRENT, BUILT) + 1; BUILT := N; create <map>.gN as a SharedMap presized to
 *                the current generation's entries (+1/8), and put every row of the source into it
 *   4. publish   CURRENT := N, one volatile store. From here a reader's next get maps gN.
 *   5. unlink    delete the old generation's file. Processes still mapping it keep its pages until they
 *                switch (at their next read, or within 200 ms by ReloadableMap's watch thread); the kernel
 *                frees them when the last mapping goes.
 *   6. report    record ReloadReport(at, rows, took, generation, failure) in the control file (every process
 *                sees it: ReloadableMap.lastReport()) and here (lastReport()), then tell the listener.
 *
 * A source that throws at step 3 (an SQL error halfway, a bad CSV record) fails the reload: the partial file
 * is deleted, CURRENT is untouched, so the current generation keeps serving, and the report carries the
 * failure. A reloader killed at any step leaves either the old CURRENT (and a partial file that step 2 of
 * the next reload removes) or the new one; never a half-built generation, since readers only ever map the
 * file CURRENT names and CURRENT changes after the file is complete. Numbers are never reused, so a stale
 * reader that maps "gN" always gets generation N's content or no file.
 *
 * Life cycle (state, one CAS helper):
 *     NEW -> STARTED   start(): the first reload runs at once, then one every `every` after the previous ends
 *     NEW | STARTED -> CLOSED   close(): stops the schedule (interrupting a running reload's thread)
 * reloadNow() works in NEW and STARTED (concurrent calls queue on the reload lock).
 */
/**
 * Reloads a {@link ReloadableMap} from a {@link Source}, now or on a schedule, and reports each reload.
 *
 * <pre>{@code
 * Reloader reloader = Reloader.builder(settings)
 *         .source(Sources.jdbc("jdbc:postgresql://db/app?user=app", "select name, value from settings"))
 *         .every(Duration.ofMinutes(5))
 *         .onReport(r -> log.info("{}", r))
 *         .build()
 *         .start();
 * ReloadReport last = reloader.reloadNow();     // also by hand
 * }</pre>
 */
public final class Reloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

    private static final int NEW = 0;
    private static final int STARTED = 1;
    private static final int CLOSED = 2;

    private final ReloadableMap map;
    private final Source source;
    private final Duration every;
    private final Consumer<ReloadReport> listener;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final ScheduledExecutorService schedule;
    /** The last report of a reload run by this Reloader; written under the reload lock. */
    private volatile ReloadReport last;

    private Reloader(final Builder b) {
        this.map = b.map;
        this.source = b.source;
        this.every = b.every;
        this.listener = b.listener;
        this.schedule = b.every == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "bingfa-reloader-" + map.file().getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder for a reloader of {@code map}. */
    public static Builder builder(final ReloadableMap map) {
        return new Builder(Objects.requireNonNull(map, "map"));
    }

    /**
     * Starts the schedule: a reload now, then one every {@code every} after the previous one ends.
     *
     * @return this
     * @throws IllegalStateException if no {@code every} was given, or it was started or closed already
     */
    public Reloader start() {
        if (schedule == null) {
            throw new IllegalStateException("no schedule: build the reloader with every(Duration)");
        }
        if (!casState(NEW, STARTED)) {
            throw new IllegalStateException("reloader of " + map.file() + " was "
                    + (state.get() == CLOSED ? "closed" : "started already"));
        }
        schedule.scheduleWithFixedDelay(this::scheduledReload, 0, Durations.saturatedNanos(every),
                TimeUnit.NANOSECONDS);
        return this;
    }

    /**
     * Reloads now, in this thread: waits for a reload running in another thread or process to finish, then
     * builds and publishes a new generation. A failing source does not throw: the report says why, and the
     * current generation keeps serving.
     *
     * @throws IllegalStateException if this reloader or its map is closed
     * @throws io.bingfa.future.WaitInterruptedException if interrupted while waiting for another reload
     */
    public ReloadReport reloadNow() {
        if (state.get() == CLOSED) {
            throw new IllegalStateException("reloader of " + map.file() + " is closed");
        }
        final Generations control = map.control();
        final ReloadReport report;
        try (ShmMutex.Guard guard = control.reloadLock().lock()) {
            if (guard.ownerDied()) {
                LOG.warn("{}: the previous reloader died during a reload; removing what it left", map.file());
                guard.markConsistent();
            }
            report = reloadLocked(control);
            control.record(report);
            last = report;
        }
        map.refresh(); // this process lets go of the old generation now
        if (report.ok()) {
            LOG.info("{}: {}", map.file(), report);
        } else {
            LOG.warn("{}: {}", map.file(), report, report.failure());
        }
        if (listener != null) {
            try {
                listener.accept(report);
            } catch (final RuntimeException e) {
                LOG.warn("{}: the report listener threw", map.file(), e);
            }
        }
        return report;
    }

    /** The report of the last reload this reloader ran (see {@link ReloadableMap#lastReport()} for any). */
    public Optional<ReloadReport> lastReport() {
        return Optional.ofNullable(last);
    }

    /** The map this reloader replaces. */
    public ReloadableMap map() {
        return map;
    }

    /**
     * Stops the schedule, interrupting a reload in progress (its partial generation is removed by the next
     * reload), and waits up to 10 s for it to end. The map stays open. Idempotent.
     */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED || schedule == null) {
            return;
        }
        schedule.shutdownNow();
        try {
            if (!schedule.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("{}: a reload did not stop within 10 s of close()", map.file());
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Reloader[" + map.file() + ", " + source + (every == null ? "" : ", every " + every) + "]";
    }

    // ------------------------------------------------------------------ one reload, under the lock

    private ReloadReport reloadLocked(final Generations control) {
        final Instant at = Instant.now();
        final long t0 = System.nanoTime();
        final long current = control.current();
        removeGenerationsOtherThan(current);
        final long next = Math.max(current, control.building()) + 1;
        control.building(next);
        final Path file = map.generationFile(next);
        final long[] rows = {0};
        try {
            try (SharedMap fresh = SharedMap.create(file, presized(control.options(), map.size()))) {
                source.load((key, value) -> {
                    fresh.put(key, value);
                    rows[0]++;
                });
            }
        } catch (final Exception | Error e) { // an Error from the source is reported too; the map stays as it was
            deleteQuietly(file);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return new ReloadReport(at, rows[0], Duration.ofNanos(System.nanoTime() - t0), current, e);
        }
        control.publish(next);
        if (current > 0) {
            deleteQuietly(map.generationFile(current));
        }
        return new ReloadReport(at, rows[0], Duration.ofNanos(System.nanoTime() - t0), next, null);
    }

    /** The map's options with room for the current generation's entries and an eighth more. */
    static SharedMapOptions presized(final SharedMapOptions o, final long currentEntries) {
        final long expected = Math.max(o.expectedEntries(), Math.min(1L << 34, currentEntries + currentEntries / 8));
        return new SharedMapOptions(expected, o.averageKeySize(), o.averageValueSize(), o.maxKeySize(),
                o.maxValueSize(), o.segments());
    }

    private void removeGenerationsOtherThan(final long current) {
        for (final Path p : Generations.generationFiles(map.file())) {
            final OptionalLong n = Generations.generationOf(map.file(), p);
            if (n.isPresent() && n.getAsLong() != current) {
                LOG.info("{}: removing leftover generation file {}", map.file(), p);
                deleteQuietly(p);
            }
        }
    }

    private void deleteQuietly(final Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (final IOException e) {
            LOG.warn("{}: cannot delete {}: {}", map.file(), file, e.toString());
        }
    }

    private void scheduledReload() {
        try {
            reloadNow();
        } catch (final RuntimeException e) {
            if (state.get() != CLOSED) {
                LOG.warn("{}: scheduled reload could not run", map.file(), e);
            }
        }
    }

    private boolean casState(final int expected, final int next) {
        return state.compareAndSet(expected, next);
    }

    /** Configures a {@link Reloader}; each setting may be given once. */
    public static final class Builder {
        private final ReloadableMap map;
        private Source source;
        private Duration every;
        private Consumer<ReloadReport> listener;

        private Builder(final ReloadableMap map) {
            this.map = map;
        }

        /** Where each reload reads its snapshot (required; see {@link Sources}). */
        public Builder source(final Source source) {
            requireUnset(this.source, "source");
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** The schedule for {@link #start()}: this long between the end of one reload and the next. */
        public Builder every(final Duration every) {
            requireUnset(this.every, "every");
            Objects.requireNonNull(every, "every");
            if (every.isZero() || every.isNegative()) {
                throw new IllegalArgumentException("every must be positive, was " + every);
            }
            this.every = every;
            return this;
        }

        /** Called after every reload (ok or failed) with its report, in the reloading thread. */
        public Builder onReport(final Consumer<ReloadReport> listener) {
            requireUnset(this.listener, "onReport");
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The reloader, not started yet. */
        public Reloader build() {
            if (source == null) {
                throw new IllegalStateException("a reloader needs a source: call source(...) before build()");
            }
            return new Reloader(this);
        }

        private static void requireUnset(final Object current, final String name) {
            if (current != null) {
                throw new IllegalStateException(name + " was already set");
            }
        }
    }
}
