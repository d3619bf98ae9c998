package io.bingfa.cli.bench.serve;

import io.bingfa.cache.testing.LocalPostgres;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.CAnchors;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.PythonAnchors;
import io.bingfa.cli.bench.Scale;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.shard.RedisProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/*
 * `bingfa bench serve`: the seeds' verification service (issue 8) under wrk on loopback, Bingfa's `bingfa serve`
 * beside the same service written the seeds' way in Python, all started here in the same invocation.
 *
 * Set-up, once: a LocalPostgres (a real throwaway PostgreSQL) holding the contract's `apps` table (100,000 apps;
 * --quick 10,000; tests 1,000) in one database per system, so that each system's queries are counted apart; one
 * redis-server for the Python services; a ZooKeeper and 3 registered redis-servers for --zk (ShardCluster).
 *
 * Systems, all started up front (an idle one costs nothing but its periodic reload) and measured in turn, never
 * two at once (they share two cores with wrk):
 *   BINGFA          bingfa serve --db <JDBC URL> --processes <cores>: a child JVM of this one (same java, same
 *                   class path) that starts its workers; settings in the cross-process cache, challenges and
 *                   counters in the host-local SharedMap.
 *   BINGFA_ZK       the same with --zk: challenges and counters in ShardedRedis (replication factor 2).
 *   TORNADO_DICT    anchors/serve_tornado.py --settings dict: Tornado, fork_processes(<cores>), settings in a
 *                   per-process dict reloaded from PostgreSQL every 60 s, challenges and counters in Redis
 *                   through redis-py. The fix the seeds describe, minus the shared cache.
 *   TORNADO_DB      the same script with --settings db: one PostgreSQL query per request that needs settings,
 *                   the "before" picture.
 *   FLOOR           anchors/http_floor.c, compiled with cc here: <cores> forked C processes on one listening
 *                   socket answering every request with one read and one write of a fixed answer (no parsing,
 *                   no lookup). Settings runs only. What any server could reach on this machine beside wrk: the
 *                   rows give Tornado's rate and Bingfa's as shares of it, so that a ratio goal can be read
 *                   against what the cores allow in the same minutes.
 *
 * Warm-up, per system after its start: settings reads, then pairs, each in chunks (5 s; --quick 2 s) until a
 * chunk's rate is within 15% of the one before (the JVM's JIT needs 30-60 s on a busy two-core machine; Python
 * settles at once), at most 60 s (--quick 20 s) per workload.
 *
 * Measuring: REPETITIONS (3; --quick 1) times: the measured settings run of every system in turn (wrk with
 * settings.lua: GET /v1/settings/app-NNNNNN of random apps), then the measured pairs run of every system in
 * turn (pairs.lua: each connection alternates POST /v1/challenges and POST /v1/verify with the question
 * reversed). Interleaving the systems spreads the noise of a shared machine over all of them. A row comparing
 * two systems shows the repetition whose ratio is the median of the repetitions' ratios (both values from that
 * repetition); a row of one system shows the median of its repetitions. In the first repetition each database's transaction counter
 * (AppsDatabase.transactions: pg_stat_database, the server's own count) is read before the settings runs,
 * between them and the pairs runs, and after, each time after waiting for PostgreSQL to publish its backends'
 * counts (up to 10 s after they go idle, see AppsDatabase); the difference divided by the requests wrk reports
 * is "db queries per request" (the window also holds the other systems' runs, during which this one idles).
 *
 * Failures are loud and local: a system that does not start (no python3-tornado, a crash, no ready line) or a
 * wrk run that fails marks that system failed with the reason; its rows say so (BenchRow.missing for Bingfa,
 * withAnchorSkipped for an anchor) and the other systems are still measured.
 *
 * Rows (names in the constants below; ServeChart reads the throughput rows back by name).
 */
/** {@code bingfa bench serve}: Bingfa's verification service vs the seeds' Tornado service, under wrk. */
public final class ServeSuite implements Suite {

    /** Row: settings reads per second (Bingfa's value; the anchor says which Python service). */
    public static final String SETTINGS_RPS = "settings reads/s (GET /v1/settings/{app}, random apps)";
    /** Row: challenge+verify pairs per second. */
    public static final String PAIRS_PER_SECOND = "challenge+verify pairs/s";
    /** Between a row's name and the Bingfa system it measures, when that is not plain {@code bingfa serve}. */
    public static final String SYSTEM_SEPARATOR = " -- ";

    private static final int SHARDS = 3;
    static final String TORNADO_DICT = "Tornado x%d, dict + Redis (the seeds' fix)";
    static final String TORNADO_DB = "Tornado x%d, PostgreSQL per request (before)";
    static final String BINGFA = "bingfa serve x%d";
    static final String BINGFA_ZK = "bingfa serve x%d --zk (ShardedRedis, " + SHARDS + " redis-servers, rf 2)";
    static final String FLOOR = "floor: C epoll server x%d, one read + one write, fixed answer";

    private static final int WRK_THREADS = 2;
    private static final int WRK_CONNECTIONS = 64;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String NOT_COUNTED = "database queries are counted at --quick and full scale only";

    /** How big this run is: apps, measured repetitions, run length, warm-up chunk and cap, counting queries. */
    private record Plan(int apps, int repetitions, Duration run, Duration warmUpChunk, Duration maxWarmUp,
            boolean countsQueries) {
        static Plan of(final Scale scale) {
            return switch (scale) {
                case TINY -> new Plan(1_000, 1, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), false);
                case QUICK -> new Plan(10_000, 1, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(20), true);
                case FULL -> new Plan(100_000, 3, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(60), true);
            };
        }
    }

    /** A warm-up chunk's rate within this share of the previous one's counts as settled. */
    private static final double SETTLED = 0.15;

    /** One repetition's figures for one system. */
    record Figures(double settingsPerSecond, double settingsP50Ms, double settingsP99Ms, double settingsDbPerRequest,
            double settingsFailures, double pairsPerSecond, double pairsP99Ms, double okPercent,
            double pairsDbPerRequest, double pairsFailures) {

        /** The median of each figure over {@code rounds} (each figure on its own). */
        static Figures median(final List<Figures> rounds) {
            return new Figures(med(rounds, Figures::settingsPerSecond), med(rounds, Figures::settingsP50Ms),
                    med(rounds, Figures::settingsP99Ms), med(rounds, Figures::settingsDbPerRequest),
                    med(rounds, Figures::settingsFailures), med(rounds, Figures::pairsPerSecond),
                    med(rounds, Figures::pairsP99Ms), med(rounds, Figures::okPercent),
                    med(rounds, Figures::pairsDbPerRequest), med(rounds, Figures::pairsFailures));
        }

        /** The median of the rounds that measured {@code f} (NaN: not measured that round), NaN if none did. */
        private static double med(final List<Figures> rounds, final ToDoubleFunction<Figures> f) {
            final double[] v = rounds.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
            if (v.length == 0) {
                return Double.NaN;
            }
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    /** A system under test: how to start it, or why it cannot start at all. */
    private interface Launcher {
        ServiceProcess start() throws IOException, InterruptedException;
    }

    /** {@code db} is null and {@code settingsOnly} true for the floor, which has no database and no pairs. */
    private record Service(String label, Optional<String> unavailable, AppsDatabase db, Launcher launcher,
            boolean settingsOnly) {
        Service(final String label, final Optional<String> unavailable, final AppsDatabase db, final Launcher launcher) {
            this(label, unavailable, db, launcher, false);
        }
    }

    /** What became of one system over the whole run. */
    private sealed interface Outcome {
        /** Every repetition's figures, in order; {@code figures()} is the median of each figure on its own. */
        record Measured(List<Figures> repetitions) implements Outcome {
            public Measured {
                repetitions = List.copyOf(repetitions);
            }

            Figures figures() {
                return Figures.median(repetitions);
            }
        }

        record Failed(String reason) implements Outcome {
        }
    }

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "bingfa serve vs the seeds' Tornado service under wrk: settings reads, challenge+verify pairs, db queries";
    }

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final Optional<String> missing = missingTools();
        if (missing.isPresent()) {
            return List.of(BenchRow.missing("serve suite", "-", Better.HIGHER, missing.get()));
        }
        final Plan plan = Plan.of(run.scale());
        final int cores = Runtime.getRuntime().availableProcessors();
        Path work = null;
        try {
            work = Files.createTempDirectory("bingfa-bench-serve");
            run.say("starting PostgreSQL and filling apps with " + plan.apps() + " apps");
            try (LocalPostgres pg = LocalPostgres.start(); RedisProcess redis = RedisProcess.startNew();
                 Shards shards = Shards.start(run)) {
                final Wrk wrk = Wrk.in(work);
                final List<Service> systems = systems(run, cores, pg, plan.apps(), redis, shards, work);
                final Map<String, Outcome> outcomes = measureAll(run, plan, wrk, systems);
                return rows(cores, plan, outcomes);
            }
        } catch (final IOException | SQLException | RuntimeException e) {
            return List.of(BenchRow.missing("serve suite", "-", Better.HIGHER,
                    "could not set up the bench: " + e.getClass().getSimpleName() + ": " + e.getMessage()));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(BenchRow.missing("serve suite", "-", Better.HIGHER, "interrupted"));
        } finally {
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** Why the suite cannot run here at all: wrk, PostgreSQL or redis-server missing. */
    private static Optional<String> missingTools() {
        if (Wrk.binary().isEmpty()) {
            return Optional.of("wrk is not installed (Debian: apt-get install wrk)");
        }
        if (!LocalPostgres.available()) {
            return Optional.of("PostgreSQL is not installed (Debian: apt-get install postgresql)");
        }
        if (!RedisProcess.available()) {
            return Optional.of("redis-server is not installed (Debian: apt-get install redis-server)");
        }
        return Optional.empty();
    }

    private static List<Service> systems(final SuiteRun run, final int cores, final LocalPostgres pg, final int apps,
            final RedisProcess redis, final Shards shards, final Path work) throws IOException, SQLException {
        final List<Service> systems = new ArrayList<>();
        final AppsDatabase bingfaDb = AppsDatabase.create(pg, "bingfa", apps);
        final Path data = Files.createDirectories(work.resolve("bingfa-serve-data"));
        systems.add(new Service(label(BINGFA, cores), Optional.empty(), bingfaDb, () -> ServiceProcess.start(
                "bingfa-serve", bingfaServe(List.of("--port", "0", "--processes", Integer.toString(cores),
                        "--db", bingfaDb.jdbcUrl(), "--data-dir", data.toString())), START_TIMEOUT)));
        final AppsDatabase zkDb = AppsDatabase.create(pg, "bingfa_zk", apps);
        final Path zkData = Files.createDirectories(work.resolve("bingfa-serve-zk-data"));
        systems.add(new Service(label(BINGFA_ZK, cores), shards.unavailable(), zkDb, () -> ServiceProcess.start(
                "bingfa-serve-zk", bingfaServe(List.of("--port", "0", "--processes", Integer.toString(cores),
                        "--db", zkDb.jdbcUrl(), "--zk", shards.cluster().orElseThrow().connect(),
                        "--data-dir", zkData.toString())), START_TIMEOUT)));
        final Optional<Path> python = tornadoPython(run.python());
        final Optional<String> noPython = python.isPresent() ? Optional.empty() : Optional.of(missingPython(run.python()));
        for (final String mode : List.of("dict", "db")) {
            final AppsDatabase db = AppsDatabase.create(pg, "tornado_" + mode, apps);
            systems.add(new Service(label(mode.equals("dict") ? TORNADO_DICT : TORNADO_DB, cores), noPython, db,
                    () -> ServiceProcess.start("tornado-" + mode, List.of(python.orElseThrow().toString(),
                            run.python().script("serve_tornado.py").toString(), "--processes", Integer.toString(cores),
                            "--dsn", db.libpqDsn(), "--redis", redis.address(), "--settings", mode), START_TIMEOUT)));
        }
        final Path floorDir = Files.createDirectories(work.resolve("http-floor"));
        final Optional<String> noFloor = CAnchors.compile("http_floor", floorDir);
        systems.add(new Service(label(FLOOR, cores), noFloor, null, () -> ServiceProcess.start("http-floor",
                List.of(floorDir.resolve("http_floor").toString(), Integer.toString(cores)), START_TIMEOUT), true));
        return systems;
    }

    /** The shard cluster for {@code --zk}, or why there is none; closing it closes the cluster. */
    private record Shards(Optional<ShardCluster> cluster, Optional<String> unavailable) implements AutoCloseable {
        static Shards start(final SuiteRun run) throws InterruptedException {
            run.say("starting ZooKeeper and " + SHARDS + " redis-servers for bingfa serve --zk");
            try {
                return new Shards(Optional.of(ShardCluster.start(SHARDS)), Optional.empty());
            } catch (final IOException | RuntimeException e) {
                return new Shards(Optional.empty(), Optional.of("no shard cluster: " + e.getMessage()));
            }
        }

        @Override
        public void close() {
            cluster.ifPresent(ShardCluster::close);
        }
    }

    /** The command running {@code bingfa serve ARGS} in a JVM like this one (same java, same class path). */
    static List<String> bingfaServe(final List<String> args) {
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command()
                        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), "io.bingfa.cli.Main", "serve"));
        command.addAll(args);
        return command;
    }

    /** The Python modules the anchor service imports, with the Debian packages that provide them. */
    private static final Map<String, String> PYTHON_MODULES = Map.of(
            "tornado", "python3-tornado", "psycopg2", "python3-psycopg2", "redis", "python3-redis");

    /** The first interpreter that can import tornado, psycopg2 and redis. */
    static Optional<Path> tornadoPython(final PythonAnchors python) {
        final Optional<Path> first = python.interpreterFor("tornado");
        if (first.isEmpty()) {
            return first;
        }
        for (final String module : PYTHON_MODULES.keySet()) {
            if (!python.interpreterFor(module).equals(first)) {
                return Optional.empty();
            }
        }
        return first;
    }

    private static String missingPython(final PythonAnchors python) {
        final List<String> missing = PYTHON_MODULES.entrySet().stream()
                .filter(e -> python.interpreterFor(e.getKey()).isEmpty()).map(Map.Entry::getValue).sorted().toList();
        return missing.isEmpty() ? "no single python3 imports tornado, psycopg2 and redis"
                : String.join(", ", missing) + " missing";
    }

    private static String label(final String pattern, final int cores) {
        return String.format(Locale.ROOT, pattern, cores);
    }

    // ---------------------------------------------------------------- measuring

    private static Map<String, Outcome> measureAll(final SuiteRun run, final Plan plan, final Wrk wrk,
            final List<Service> systems) throws InterruptedException {
        final Map<String, String> failed = new LinkedHashMap<>();
        final Map<String, ServiceProcess> running = new LinkedHashMap<>();
        final Map<String, List<Figures>> repetitions = new LinkedHashMap<>();
        final String apps = Integer.toString(plan.apps());
        try {
            for (final Service s : systems) {
                if (s.unavailable().isPresent()) {
                    failed.put(s.label(), s.unavailable().get());
                    continue;
                }
                run.say(s.label() + ": starting and warming up");
                try {
                    final ServiceProcess service = s.launcher().start();
                    running.put(s.label(), service);
                    final double settingsWarm = warmUp(plan, wrk, service, "settings.lua", apps);
                    final double pairsWarm = s.settingsOnly() ? 0 : warmUp(plan, wrk, service, "pairs.lua", apps);
                    run.say(String.format(Locale.ROOT, "  %s, warm after %.0f s of settings reads and %.0f s of pairs",
                            service, settingsWarm, pairsWarm));
                    repetitions.put(s.label(), new ArrayList<>());
                } catch (final IOException | RuntimeException e) {
                    fail(run, failed, running, s, e);
                }
            }
            for (int r = 1; r <= plan.repetitions(); r++) {
                final boolean count = plan.countsQueries() && r == 1;
                final Map<String, Long> t0 = count ? transactionsWhenSettled(run, systems, running, failed) : Map.of();
                final Map<String, WrkResult> settings = runAll(run, r, plan, wrk, systems, running, failed, "settings.lua");
                final Map<String, Long> t1 = count ? transactionsWhenSettled(run, systems, running, failed) : Map.of();
                final Map<String, WrkResult> pairs = runAll(run, r, plan, wrk, systems, running, failed, "pairs.lua");
                final Map<String, Long> t2 = count ? transactionsWhenSettled(run, systems, running, failed) : Map.of();
                for (final Service s : systems) {
                    if (!running.containsKey(s.label())) {
                        continue;
                    }
                    try {
                        final Figures f = figures(settings.get(s.label()), pairs.get(s.label()), t0.get(s.label()),
                                t1.get(s.label()), t2.get(s.label()), running.get(s.label()));
                        repetitions.get(s.label()).add(f);
                        run.say(String.format(Locale.ROOT, "  %d/%d %s: settings %.0f req/s p99 %.2f ms, %.3f db/req; "
                                        + "pairs %.0f/s, ok %.1f%%, %.3f db/req", r, plan.repetitions(), s.label(),
                                f.settingsPerSecond(), f.settingsP99Ms(), f.settingsDbPerRequest(),
                                f.pairsPerSecond(), f.okPercent(), f.pairsDbPerRequest()));
                    } catch (final IOException | RuntimeException e) {
                        fail(run, failed, running, s, e);
                    }
                }
            }
        } finally {
            running.values().forEach(ServiceProcess::close);
        }
        final Map<String, Outcome> outcomes = new LinkedHashMap<>();
        for (final Service s : systems) {
            final String reason = failed.get(s.label());
            outcomes.put(s.label(), reason != null ? new Outcome.Failed(reason)
                    : new Outcome.Measured(repetitions.get(s.label())));
        }
        return outcomes;
    }

    /** Marks {@code s} failed with the reason and stops it. */
    private static void fail(final SuiteRun run, final Map<String, String> failed,
            final Map<String, ServiceProcess> running, final Service s, final Exception e) {
        run.say("  " + s.label() + " failed: " + e.getMessage());
        failed.put(s.label(), oneLine(e.getMessage()));
        final ServiceProcess p = running.remove(s.label());
        if (p != null) {
            p.close();
        }
    }

    /** One measured wrk run of {@code script} against every running system, in turn. */
    private static Map<String, WrkResult> runAll(final SuiteRun run, final int repetition, final Plan plan,
            final Wrk wrk, final List<Service> systems, final Map<String, ServiceProcess> running,
            final Map<String, String> failed, final String script) throws InterruptedException {
        final Map<String, WrkResult> results = new LinkedHashMap<>();
        for (final Service s : systems) {
            final ServiceProcess service = running.get(s.label());
            if (service == null || (s.settingsOnly() && !script.equals("settings.lua"))) {
                continue;
            }
            run.say("  " + repetition + "/" + plan.repetitions() + " " + script + ": " + s.label());
            try {
                results.put(s.label(), wrk.run(service.base(), script, WRK_THREADS, WRK_CONNECTIONS, plan.run(),
                        Integer.toString(plan.apps())));
            } catch (final IOException | RuntimeException e) {
                fail(run, failed, running, s, e);
            }
        }
        return results;
    }

    /**
     * Runs {@code script} in chunks until two chunks in a row are each within {@link #SETTLED} of the chunk before
     * (at least three chunks: a JIT that is still compiling can give two close chunks on its way up) or the
     * plan's cap is reached; returns the seconds spent.
     */
    private static double warmUp(final Plan plan, final Wrk wrk, final ServiceProcess service, final String script,
            final String apps) throws IOException, InterruptedException {
        final long cap = plan.maxWarmUp().toMillis();
        long spent = 0;
        double previous = -1;
        int settledInARow = 0;
        while (spent < cap) {
            final double rate = wrk.run(service.base(), script, WRK_THREADS, WRK_CONNECTIONS, plan.warmUpChunk(), apps)
                    .requestsPerSecond();
            spent += plan.warmUpChunk().toMillis();
            settledInARow = previous > 0 && Math.abs(rate - previous) <= SETTLED * previous ? settledInARow + 1 : 0;
            if (settledInARow == 2) {
                break;
            }
            previous = rate;
        }
        return spent / 1000.0;
    }

    /**
     * One repetition's figures from its two wrk runs ({@code pairs} null for a settings-only system: its pair
     * figures are NaN) and, if counted, the transaction counts around them.
     */
    private static Figures figures(final WrkResult settings, final WrkResult pairs, final Long t0, final Long t1,
            final Long t2, final ServiceProcess service) throws IOException {
        if (!service.alive()) {
            throw new IOException(service + " died during the run: " + service.outputTail());
        }
        if (settings.requests() == 0 || (pairs != null && pairs.requests() == 0)) {
            throw new IOException("wrk completed no request against " + service + ": " + service.outputTail());
        }
        if (pairs == null) {
            final double nan = Double.NaN;
            return new Figures(settings.requestsPerSecond(), settings.p50Ms(), settings.p99Ms(), nan,
                    settings.failures(), nan, nan, nan, nan, nan);
        }
        final boolean counted = t0 != null && t1 != null && t2 != null;
        final long ok = pairs.counter("pairs.ok");
        final long wrong = pairs.counter("pairs.wrong");
        final long verifies = ok + wrong + pairs.counter("pairs.missing");
        return new Figures(settings.requestsPerSecond(), settings.p50Ms(), settings.p99Ms(),
                counted ? (double) (t1 - t0) / settings.requests() : Double.NaN, settings.failures(),
                (ok + wrong) / pairs.seconds(), pairs.p99Ms(), verifies == 0 ? 0 : 100.0 * ok / verifies,
                counted ? (double) (t2 - t1) / pairs.requests() : Double.NaN,
                pairs.socketErrors() + pairs.counter("pairs.errors") + pairs.counter("pairs.missing"));
    }

    /** Each running system's transaction count once PostgreSQL has published every backend's counts. */
    private static Map<String, Long> transactionsWhenSettled(final SuiteRun run, final List<Service> systems,
            final Map<String, ServiceProcess> running, final Map<String, String> failed) throws InterruptedException {
        run.say("  waiting " + AppsDatabase.STATS_DELAY_MILLIS / 1000 + " s for PostgreSQL's statistics, then counting");
        Thread.sleep(AppsDatabase.STATS_DELAY_MILLIS);
        final Map<String, Long> counts = new LinkedHashMap<>();
        for (final Service s : systems) {
            if (running.containsKey(s.label()) && s.db() != null) {
                try {
                    counts.put(s.label(), s.db().transactions());
                } catch (final SQLException e) {
                    fail(run, failed, running, s, e);
                }
            }
        }
        return counts;
    }

    // ---------------------------------------------------------------- rows

    private static List<BenchRow> rows(final int cores, final Plan plan, final Map<String, Outcome> outcomes) {
        final String bingfa = label(BINGFA, cores);
        final String dict = label(TORNADO_DICT, cores);
        final String db = label(TORNADO_DB, cores);
        final Outcome b = outcomes.get(bingfa);
        final String scale = String.format(Locale.ROOT, "%,d apps, wrk -t%d -c%d, %d s runs; the repetition with the "
                        + "median ratio of %d side by side",
                plan.apps(), WRK_THREADS, WRK_CONNECTIONS, plan.run().toSeconds(), plan.repetitions());
        final List<BenchRow> rows = new ArrayList<>();
        rows.add(row(SETTINGS_RPS, "req/s", Better.HIGHER, b, outcomes.get(dict), dict, Figures::settingsPerSecond,
                "goal: at least 10x; " + scale));
        rows.add(row(SETTINGS_RPS, "req/s", Better.HIGHER, b, outcomes.get(db), db, Figures::settingsPerSecond, null));
        final String floor = label(FLOOR, cores);
        rows.add(row(SETTINGS_RPS + SYSTEM_SEPARATOR + floor, "req/s", Better.HIGHER, outcomes.get(floor),
                outcomes.get(dict), dict, Figures::settingsPerSecond, "the most any server could reach here beside "
                        + "wrk on the same cores (no parsing, no lookup): the 10x goal needs 10x / this ratio of it"));
        rows.add(row("bingfa serve's settings reads/s as a share of the floor's", "req/s", Better.HIGHER, b,
                outcomes.get(floor), floor, Figures::settingsPerSecond, null));
        rows.add(row("settings reads p99 latency", "ms", Better.LOWER, b, outcomes.get(dict), dict,
                Figures::settingsP99Ms, "goal: lower than Tornado's"));
        rows.add(row("settings reads p99 latency", "ms", Better.LOWER, b, outcomes.get(db), db, Figures::settingsP99Ms, null));
        rows.add(row("settings reads p50 latency", "ms", Better.LOWER, b, outcomes.get(dict), dict,
                Figures::settingsP50Ms, null));
        rows.add(row(PAIRS_PER_SECOND, "pairs/s", Better.HIGHER, b, outcomes.get(dict), dict, Figures::pairsPerSecond,
                "goal: at least 5x"));
        rows.add(row(PAIRS_PER_SECOND, "pairs/s", Better.HIGHER, b, outcomes.get(db), db, Figures::pairsPerSecond, null));
        rows.add(row("challenge+verify requests p99 latency", "ms", Better.LOWER, b, outcomes.get(dict), dict,
                Figures::pairsP99Ms, null));
        rows.add(row("verify answered ok:true (answer = question reversed)", "%", Better.HIGHER, b, outcomes.get(dict),
                dict, Figures::okPercent, "expected 100%"));
        rows.add(row("db queries per settings read (pg_stat_database transactions / requests)", "queries",
                Better.LOWER, b, outcomes.get(dict), dict, Figures::settingsDbPerRequest, "goal: 0 on the request path; "
                        + "what is not 0 is the periodic reload (every 60 s) inside the counting window"));
        rows.add(row("db queries per settings read (pg_stat_database transactions / requests)", "queries",
                Better.LOWER, b, outcomes.get(db), db, Figures::settingsDbPerRequest, null));
        rows.add(row("db queries per challenge or verify request", "queries", Better.LOWER, b, outcomes.get(db), db,
                Figures::pairsDbPerRequest, "goal: 0"));
        final String zk = label(BINGFA_ZK, cores);
        final Outcome z = outcomes.get(zk);
        rows.add(row(SETTINGS_RPS + SYSTEM_SEPARATOR + zk, "req/s", Better.HIGHER, z, outcomes.get(dict), dict,
                Figures::settingsPerSecond, null));
        rows.add(row(PAIRS_PER_SECOND + SYSTEM_SEPARATOR + zk, "pairs/s", Better.HIGHER, z, outcomes.get(dict), dict,
                Figures::pairsPerSecond, "goal: at least 5x"));
        rows.add(row("challenge+verify requests p99 latency" + SYSTEM_SEPARATOR + zk, "ms", Better.LOWER, z,
                outcomes.get(dict), dict, Figures::pairsP99Ms, null));
        rows.add(row("verify answered ok:true" + SYSTEM_SEPARATOR + zk, "%", Better.HIGHER, z, outcomes.get(dict),
                dict, Figures::okPercent, "expected 100%"));
        rows.add(row("db queries per challenge or verify request" + SYSTEM_SEPARATOR + zk, "queries", Better.LOWER, z,
                outcomes.get(db), db, Figures::pairsDbPerRequest, "goal: 0"));
        rows.add(failures(bingfa, b, "settings + pairs runs"));
        rows.add(failures(zk, z, "settings + pairs runs"));
        rows.add(failures(dict, outcomes.get(dict), "settings + pairs runs"));
        rows.add(failures(db, outcomes.get(db), "settings + pairs runs"));
        rows.add(failures(floor, outcomes.get(floor), "settings runs"));
        return rows;
    }

    /** {@code name, Bingfa} beside {@code anchorName}, whichever of them failed said so. */
    private static BenchRow row(final String name, final String unit, final Better better, final Outcome bingfa,
            final Outcome anchor, final String anchorName, final ToDoubleFunction<Figures> figure, final String note) {
        if (bingfa instanceof Outcome.Measured b && anchor instanceof Outcome.Measured a) {
            return sideBySide(name, unit, better, b, a, anchorName, figure, note);
        }
        BenchRow row = switch (bingfa) {
            case Outcome.Measured m when Double.isNaN(figure.applyAsDouble(m.figures())) ->
                    BenchRow.missing(name, unit, better, NOT_COUNTED);
            case Outcome.Measured m -> BenchRow.of(name, figure.applyAsDouble(m.figures()), unit, better);
            case Outcome.Failed f -> BenchRow.missing(name, unit, better, "failed: " + f.reason());
        };
        if (note != null) {
            row = row.withNote(note);
        }
        return switch (anchor) {
            case Outcome.Measured m when Double.isNaN(figure.applyAsDouble(m.figures())) ->
                    row.withAnchorSkipped(NOT_COUNTED);
            case Outcome.Measured m -> row.withAnchor(anchorName, figure.applyAsDouble(m.figures()));
            case Outcome.Failed f -> row.withAnchorSkipped(anchorName + ": " + f.reason());
        };
    }

    /**
     * Both sides measured: the repetition whose Bingfa / anchor ratio is the median of the repetitions' ratios,
     * both values from that repetition (ratios of runs made side by side, not a ratio of two separate medians:
     * on a shared machine a noisy minute hits both sides of one repetition).
     */
    private static BenchRow sideBySide(final String name, final String unit, final Better better,
            final Outcome.Measured bingfa, final Outcome.Measured anchor, final String anchorName,
            final ToDoubleFunction<Figures> figure, final String note) {
        final List<double[]> pairs = new ArrayList<>(); // {bingfa, anchor} per repetition measured on both sides
        for (int r = 0; r < Math.min(bingfa.repetitions().size(), anchor.repetitions().size()); r++) {
            final double b = figure.applyAsDouble(bingfa.repetitions().get(r));
            final double a = figure.applyAsDouble(anchor.repetitions().get(r));
            if (!Double.isNaN(b) && !Double.isNaN(a)) {
                pairs.add(new double[] {b, a});
            }
        }
        if (pairs.isEmpty()) {
            final BenchRow missing = BenchRow.missing(name, unit, better, NOT_COUNTED);
            return (note == null ? missing : missing.withNote(note)).withAnchorSkipped(NOT_COUNTED);
        }
        pairs.sort(Comparator.comparingDouble(p -> p[1] == 0 ? (p[0] == 0 ? 1 : Double.MAX_VALUE) : p[0] / p[1]));
        final double[] median = pairs.get((pairs.size() - 1) / 2);
        final BenchRow row = BenchRow.of(name, median[0], unit, better);
        return (note == null ? row : row.withNote(note)).withAnchor(anchorName, median[1]);
    }

    /** Failed requests (non-2xx, socket errors, unparsable answers) of one system's {@code runs}, median round. */
    private static BenchRow failures(final String system, final Outcome outcome, final String runs) {
        final String name = "failed requests, " + system + " (" + runs + ")";
        return switch (outcome) {
            case Outcome.Measured m -> BenchRow.of(name, m.figures().settingsFailures()
                            + (Double.isNaN(m.figures().pairsFailures()) ? 0 : m.figures().pairsFailures()),
                    "requests", Better.LOWER).withNote("expected 0; a verify of a challenge still in flight when wrk "
                    + "stops is not counted");
            case Outcome.Failed f -> BenchRow.missing(name, "requests", Better.LOWER, f.reason());
        };
    }

    private static String oneLine(final String text) {
        if (text == null) {
            return "(no message)";
        }
        final String flat = text.lines().findFirst().orElse("").replaceAll("\\s+", " ").strip();
        return flat.length() <= 240 ? flat : flat.substring(0, 240) + " ...";
    }

    private static void deleteTree(final Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
