package io.bingfa.serve;

import io.bingfa.cache.ReloadReport;
import io.bingfa.cache.ReloadableMap;
import io.bingfa.cache.Reloader;
import io.bingfa.cache.SharedMapOptions;
import io.bingfa.cache.Sources;
import io.bingfa.process.JvmProcess;
import io.bingfa.shm.SharedMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Overview
 * --------
 * The parent JVM of `bingfa serve`: it owns everything that must exist once per host, and the worker JVMs.
 *
 * start(options):
 *   1. port: the one given, or a free one for 0 (every worker must bind the same number)
 *   2. run directory <SharedMemory.DEFAULT_DIRECTORY>/bingfa-serve-<port>, locked (FileLock on "lock"): a
 *      second `bingfa serve` on the same port would otherwise join the same SO_REUSEPORT group silently
 *   3. settings: with no --db, the embedded H2 file in the data directory, created with the sample apps
 *      (SampleSettings); the ReloadableMap "settings" and its Reloader over Sources.jdbc; the first reload
 *      runs here, before any worker starts, so no worker ever answers from an empty cache
 *   4. the board (WorkerBoard) and, with no --zk, the challenge map (LocalChallengeStore)
 *   5. the workers, JvmProcess daemons (they die with this JVM, even on its kill -9); a watcher virtual thread
 *      per slot joins its process and starts a new one when it dies (backoff 100 ms, doubling up to 5 s while
 *      a worker keeps dying within 10 s of its start)
 *   6. waits until every slot is ready, then returns (the command prints "serving on ...")
 *
 * The one reloader of the host is here (a single scheduler thread, "bingfa-serve-supervisor"):
 *   - every reloadEvery: Reloader.reloadNow()
 *   - every 20 ms: if a worker asked (board RELOAD_REQUESTED > last served), reloadNow() and publish
 *     RELOAD_DONE = the request number read before the reload started, so the asking worker's 202 comes
 *     after a reload that began after its request
 *   - every 5 s: sweep expired challenges from the local challenge map
 * Reloader's own cross-process lock would also let workers reload; one reloader per host keeps the database
 * load at one query per reload, whatever the number of workers.
 *
 * States: STARTING -> RUNNING (all workers ready) -> CLOSED (close(): watchers stop restarting, workers get
 * SIGTERM, then SIGKILL after 5 s; maps closed and the run directory removed).
 */
/** The parent of the worker JVMs: one per host and port; reloads the settings and restarts dead workers. */
public final class Supervisor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    static final String BOARD = "board";
    static final String SETTINGS = "settings";
    static final String CHALLENGES = "challenges";
    static final String LOCK = "lock";

    /** How long start() waits for every worker to accept. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration SWEEP_EVERY = Duration.ofSeconds(5);

    /** Lifecycle: STARTING -> RUNNING (every worker ready); STARTING | RUNNING -> CLOSED (close()). */
    private static final int STARTING = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    private final ServeOptions options;
    private final Path runDir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final WorkerBoard board;
    private final ReloadableMap settings;
    private final Reloader reloader;
    private final LocalChallengeStore challenges;
    private final AtomicReferenceArray<JvmProcess> workers;
    private final AtomicInteger state = new AtomicInteger(STARTING);
    private final ScheduledExecutorService scheduler;
    /** The last reload request number served; only the scheduler thread touches it. */
    private long served;

    private Supervisor(final ServeOptions options, final Path runDir, final FileChannel lockChannel,
                       final FileLock lock) {
        this.options = options;
        this.runDir = runDir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.board = WorkerBoard.create(runDir.resolve(BOARD), options.processes());
        this.settings = ReloadableMap.create(runDir.resolve(SETTINGS), SharedMapOptions.builder()
                .expectedEntries(Math.max(1_024, options.apps())).averageKeySize(12).averageValueSize(200).build());
        this.reloader = Reloader.builder(settings).source(Sources.jdbc(options.settingsUrl(), SampleSettings.QUERY))
                .build();
        this.challenges = options.zk() == null ? LocalChallengeStore.create(runDir.resolve(CHALLENGES)) : null;
        this.workers = new AtomicReferenceArray<>(options.processes());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "bingfa-serve-supervisor");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the service and returns once every worker accepts on the port.
     *
     * @throws IllegalStateException if another supervisor serves the port, the first reload fails, or the
     *                               workers do not all accept within {@link #START_TIMEOUT}
     */
    public static Supervisor start(final ServeOptions options) {
        Objects.requireNonNull(options, "options");
        final ServeOptions o = options.port() == 0 ? options.withPort(freePort(options.host())) : options;
        if (o.jdbcUrl() == null) {
            try {
                Files.createDirectories(o.dataPath());
                if (SampleSettings.create(o.settingsUrl(), o.apps())) {
                    LOG.info("created {} sample apps in {}", o.apps(), o.settingsUrl());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the data directory " + o.dataDir(), e);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create the embedded settings database " + o.settingsUrl()
                        + ": " + e.getMessage(), e);
            }
        }
        final Path runDir = SharedMemory.DEFAULT_DIRECTORY.resolve("bingfa-serve-" + o.port());
        FileChannel channel = null;
        try {
            Files.createDirectories(runDir);
            channel = FileChannel.open(runDir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock l = channel.tryLock();
            if (l == null) {
                channel.close();
                throw new IllegalStateException("port " + o.port() + " is served by another bingfa serve (" + runDir
                        + " is locked)");
            }
            clean(runDir);
            final Supervisor s = new Supervisor(o, runDir, channel, l);
            s.begin();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + runDir, e);
        }
    }

    private void begin() {
        try {
            final ReloadReport first = reloader.reloadNow();
            publish(first, 0);
            if (!first.ok()) {
                throw new IllegalStateException("the first load of the settings from " + options.settingsUrl()
                        + " failed: " + first.failure(), first.failure());
            }
            for (int k = 0; k < options.processes(); k++) {
                workers.set(k, spawn(k));
                final int slot = k;
                Thread.ofVirtual().name("bingfa-serve-watch-" + k).start(() -> watch(slot));
            }
            final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!allReady()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the workers did not all accept on port " + options.port()
                            + " within " + START_TIMEOUT.toSeconds() + " s");
                }
                Thread.sleep(20);
            }
            if (!casState(STARTING, RUNNING)) {
                throw new IllegalStateException("the supervisor of port " + options.port() + " was closed while starting");
            }
            final long every = options.reloadEvery().toMillis();
            scheduler.scheduleWithFixedDelay(this::reloadIfAsked, 20, 20, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(() -> reload(0), every, every, TimeUnit.MILLISECONDS);
            if (challenges != null) {
                scheduler.scheduleWithFixedDelay(this::sweep, SWEEP_EVERY.toMillis(), SWEEP_EVERY.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException | InterruptedException e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new io.bingfa.future.WaitInterruptedException((InterruptedException) e);
            }
            throw (RuntimeException) e;
        }
    }

    private boolean casState(final int expected, final int next) {
        return state.compareAndSet(expected, next);
    }

    private boolean allReady() {
        for (int k = 0; k < options.processes(); k++) {
            if (!board.ready(k)) {
                return false;
            }
        }
        return true;
    }

    private JvmProcess spawn(final int k) {
        return JvmProcess.builder().daemon(true).name("serve-worker-" + k)
                .jvmArgs("-Xss512k", "-XX:+UseSerialGC", "-Xmx256m")
                .start(new Worker(options, k, runDir.toString()));
    }

    /** Joins worker {@code k}'s JVM and replaces it when it dies, until close(). */
    private void watch(final int k) {
        long backoff = 100;
        while (state.get() != CLOSED) {
            final JvmProcess p = workers.get(k);
            final long started = System.nanoTime();
            p.join();
            if (state.get() == CLOSED) {
                return;
            }
            board.workerGone(k);
            LOG.warn("worker {} (pid {}) died with exit code {}; restarting it", k, p.pid(),
                    p.exitCode().orElse(-1));
            backoff = System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10) ? Math.min(backoff * 2, 5_000) : 100;
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            if (state.get() == CLOSED) {
                return;
            }
            board.restarted(k);
            workers.set(k, spawn(k));
        }
    }

    private void reloadIfAsked() {
        final long requested = board.reloadRequested();
        if (requested > served) {
            reload(requested);
        }
    }

    /** One reload in the scheduler thread; {@code request} is the worker request it serves (0: the schedule). */
    private void reload(final long request) {
        try {
            final ReloadReport r = reloader.reloadNow();
            publish(r, request);
            if (request > served) {
                served = request;
            }
        } catch (RuntimeException e) {
            LOG.error("reload failed", e);
        }
    }

    private void publish(final ReloadReport r, final long request) {
        board.reloaded(r.generation(), r.rows(), r.took().toNanos() / 1_000, r.ok(), request);
    }

    private void sweep() {
        try {
            final int n = challenges.sweep();
            if (n > 0) {
                LOG.debug("swept {} expired challenges", n);
            }
        } catch (RuntimeException e) {
            LOG.warn("sweeping expired challenges failed", e);
        }
    }

    private static int freePort(final String host) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(host, 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + host, e);
        }
    }

    /** Removes what a previous supervisor of this port left (its lock is free, so it is gone). */
    private static void clean(final Path runDir) throws IOException {
        ReloadableMap.delete(runDir.resolve(SETTINGS));
        Files.deleteIfExists(runDir.resolve(BOARD));
        Files.deleteIfExists(runDir.resolve(CHALLENGES));
    }

    // ---------------------------------------------------------------- introspection (tests, the command)

    /** The port every worker accepts on. */
    public int port() {
        return options.port();
    }

    /** The options in force (with the port chosen). */
    public ServeOptions options() {
        return options;
    }

    /** Worker slots. */
    public int workers() {
        return options.processes();
    }

    /** The pid of the JVM now in slot {@code k}. */
    public long workerPid(final int k) {
        return workers.get(k).pid();
    }

    /** True when slot {@code k}'s worker accepts. */
    public boolean workerReady(final int k) {
        return board.ready(k);
    }

    /** The settings generation the workers read. */
    public long generation() {
        return board.generation();
    }

    /** Reloads the settings now (in the scheduler thread) and returns the report. */
    public ReloadReport reloadNow() {
        try {
            return scheduler.submit(() -> {
                final ReloadReport r = reloader.reloadNow();
                publish(r, 0);
                return r;
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.bingfa.future.WaitInterruptedException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("reload failed: " + e.getCause(), e.getCause());
        }
    }

    /** The URL clients use. */
    public String url() {
        return "http://" + (options.host().contains(":") ? "[" + options.host() + "]" : options.host()) + ":" + port();
    }

    /** Stops the workers and removes the run directory. Idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(CLOSED) == CLOSED) {
            return;
        }
        scheduler.shutdownNow();
        for (int k = 0; k < workers.length(); k++) {
            final JvmProcess p = workers.get(k);
            if (p != null) {
                p.terminate();
            }
        }
        for (int k = 0; k < workers.length(); k++) {
            final JvmProcess p = workers.get(k);
            if (p != null && !p.join(Duration.ofSeconds(5))) {
                p.kill();
                p.join(Duration.ofSeconds(5));
            }
        }
        reloader.close();
        settings.close();
        if (challenges != null) {
            challenges.close();
        }
        board.close();
        try {
            clean(runDir);
            lock.release();
            lockChannel.close();
            try (Stream<Path> left = Files.list(runDir)) {
                left.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(runDir);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", runDir, e.getMessage());
        }
    }
}
