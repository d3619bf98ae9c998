package io.bingfa.cli.bench.map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cache.ReloadReport;
import io.bingfa.cache.ReloadableMap;
import io.bingfa.cache.Reloader;
import io.bingfa.cache.SharedMapOptions;
import io.bingfa.cache.Sources;
import io.bingfa.cache.testing.LocalPostgres;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.shard.RedisProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bingfa bench map}: SharedMap beside Chronicle Map and LMDB (each in its own child JVM with the flags
 * it needs), with Caffeine (on-heap, one process) and Redis on loopback (Lettuce: synchronous gets, pipelined
 * sets) for context. One data set per value size, in the same invocation: n entries (1,000,000; 100,000 with
 * --quick) of 8-byte keys and 100-byte values (lmdbjava's benchmark shape), then 1 KiB values.
 *
 * <ol>
 *   <li>Random get: median and p99 of single timed gets, throughput of 1 thread, and of 2 processes reading
 *       the same file at once (Bingfa, Chronicle Map, LMDB).</li>
 *   <li>Put throughput: loading the n entries into an empty store (LMDB commits every 10,000 puts).</li>
 *   <li>File bytes per entry (allocated tmpfs blocks of the store's file after the load).</li>
 *   <li>Reload of n rows from PostgreSQL (LocalPostgres) into a ReloadableMap: its duration, beside streaming
 *       the same query into nothing; and the p99 of a reader process's gets during the reload beside its p99
 *       outside it.</li>
 * </ol>
 * Files live under /dev/shm and are deleted after each store. Everything shares the machine's cores.
 */
public final class MapSuite implements Suite {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SYSTEMS = List.of("bingfa", "chronicle", "lmdb", "caffeine", "redis");
    /** The stores, then the memory floors ({@link FloorStore}) that the get rows are also compared with. */
    private static final List<String> MEASURED = Stream.concat(SYSTEMS.stream(), Stream.of("floor2", "floor1")).toList();
    private static final List<String> SHARED = List.of("bingfa", "chronicle", "lmdb");
    private static final Map<String, String> NAMES = Map.of("bingfa", "Bingfa SharedMap", "chronicle",
            "Chronicle Map 2026.1", "lmdb", "LMDB (lmdbjava 0.9.1)", "caffeine", "Caffeine 3.2 (on-heap, 1 process)",
            "redis", "Redis on loopback (Lettuce)", "floor2", "floor: index slot, then value block (2 dependent reads)",
            "floor1", "floor: one random value read");

    /** Chronicle Map's documented JVM flags for Java 17+, and JDK 24+'s Unsafe switch. */
    static final List<String> CHRONICLE_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");
    /** lmdbjava reads direct buffers' addresses through Unsafe and reflection. */
    static final List<String> LMDB_FLAGS = List.of(
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    @Override
    public String name() {
        return "map";
    }

    @Override
    public String summary() {
        return "SharedMap vs Chronicle Map, LMDB (+ Caffeine, Redis): get, put, bytes/entry, reload from PostgreSQL";
    }

    private record Scale(long n, long millis, int samples) {}

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final Scale s = switch (run.scale()) {
            case TINY -> new Scale(10_000, 200, 20_000);
            case QUICK -> new Scale(100_000, 600, 200_000);
            case FULL -> new Scale(1_000_000, 2_000, 1_000_000);
        };
        final List<BenchRow> rows = new ArrayList<>();
        RedisProcess redis = null;
        try {
            if (RedisProcess.available()) {
                redis = RedisProcess.startNew("--save", "", "--appendonly", "no");
            }
            for (final int valueSize : new int[] {100, 1024}) {
                rows.addAll(valueSize(run, s, valueSize, redis));
            }
        } catch (final IOException e) {
            rows.add(BenchRow.missing("map suite", "-", Better.HIGHER, "could not start redis-server: " + e.getMessage()));
        } finally {
            if (redis != null) {
                redis.close();
            }
        }
        rows.addAll(reload(run, s));
        return rows;
    }

    // ---------------------------------------------------------------- stores side by side

    private record Result(JsonNode single, double twoProcesses, String error) {}

    private List<BenchRow> valueSize(final SuiteRun run, final Scale s, final int valueSize, final RedisProcess redis) {
        final Map<String, Result> results = new LinkedHashMap<>();
        for (final String system : MEASURED) {
            if (system.equals("redis") && redis == null) {
                results.put(system, new Result(null, 0, "redis-server is not installed"));
                continue;
            }
            run.say(system + ": " + s.n() + " entries of 8+" + valueSize + " bytes");
            results.put(system, measure(system, s, valueSize, redis == null ? "" : redis.address()));
            if (system.equals("redis")) {
                flushRedis(redis);
            }
        }
        final String shape = String.format("%,d x (8 B key + %d B value)", s.n(), valueSize);
        final List<BenchRow> rows = new ArrayList<>();
        final Result bingfa = results.get("bingfa");
        if (bingfa.error() != null) {
            rows.add(BenchRow.missing("SharedMap, " + shape, "-", Better.HIGHER, "failed: " + bingfa.error()));
            return rows;
        }
        final double raw = 8 + valueSize;
        rows.addAll(compare("random get, 1 thread, median latency, " + shape, "ns", Better.LOWER,
                bingfa.single().get("p50_ns").asDouble(), results, r -> r.single().get("p50_ns").asDouble(), MEASURED,
                "goal: at most 250 ns"));
        rows.addAll(compare("random get, 1 thread, p99 latency, " + shape, "ns", Better.LOWER,
                bingfa.single().get("p99_ns").asDouble(), results, r -> r.single().get("p99_ns").asDouble(), MEASURED,
                null));
        rows.addAll(compare("random get throughput, 1 thread, " + shape, "gets/s", Better.HIGHER,
                bingfa.single().get("gets_per_s").asDouble(), results, r -> r.single().get("gets_per_s").asDouble(),
                MEASURED, "goal: at least 1.5x Chronicle Map and 1.5x LMDB"));
        rows.addAll(compare("random get throughput, 2 processes on one file, " + shape, "gets/s", Better.HIGHER,
                bingfa.twoProcesses(), results, Result::twoProcesses, SHARED,
                "goal: at least 1.5x Chronicle Map and 1.5x LMDB"));
        rows.addAll(compare("put throughput (load into an empty store), " + shape, "puts/s", Better.HIGHER,
                bingfa.single().get("puts_per_s").asDouble(), results, r -> r.single().get("puts_per_s").asDouble(),
                SYSTEMS, "goal: at least Chronicle Map's"));
        rows.addAll(compare("file bytes per entry, " + shape, "B", Better.LOWER,
                bingfa.single().get("file_bytes").asDouble() / s.n(), results,
                r -> r.single().get("file_bytes").asDouble() / s.n(), SHARED,
                valueSize == 100 ? "goal: at most 1.3x the raw " + (int) raw + " B" : null));
        rows.add(BenchRow.of("SharedMap file bytes per entry / raw key+value bytes, " + shape,
                bingfa.single().get("file_bytes").asDouble() / s.n() / raw, "x", Better.LOWER)
                .withNote(valueSize == 100 ? "goal: at most 1.3" : "context"));
        return rows;
    }

    private interface Field {
        double of(Result r);
    }

    private static List<BenchRow> compare(final String what, final String unit, final Better better, final double value,
            final Map<String, Result> results, final Field field, final List<String> anchors, final String goal) {
        final List<BenchRow> rows = new ArrayList<>();
        for (final String a : anchors) {
            if (a.equals("bingfa")) {
                continue;
            }
            BenchRow row = BenchRow.of("SharedMap " + what + " (vs " + NAMES.get(a) + ")", value, unit, better);
            final Result r = results.get(a);
            row = r == null || r.error() != null ? row.withAnchorSkipped(r == null ? "not run" : r.error())
                    : row.withAnchor(NAMES.get(a), field.of(r));
            if (goal != null && (a.equals("chronicle") || a.equals("lmdb"))) {
                row = row.withNote(goal);
            }
            if (a.equals("caffeine") || a.equals("redis")) {
                row = row.withNote("context");
            }
            if (a.startsWith("floor")) {
                row = row.withNote("the machine's floor in this run: a file of the same shape read with nothing a map"
                        + " must check (FloorStore)");
            }
            rows.add(row);
        }
        return rows;
    }

    private Result measure(final String system, final Scale s, final int valueSize, final String redis) {
        final Path path = system.equals("lmdb") ? Path.of("/dev/shm", "bingfa-bench-lmdb-" + ProcessHandle.current().pid())
                : Path.of("/dev/shm", "bingfa-bench-" + system + "-" + ProcessHandle.current().pid() + ".map");
        deleteTree(path);
        final List<String> args = List.of(system, path.toString(), Long.toString(s.n()), Integer.toString(valueSize),
                Long.toString(s.millis()), Integer.toString(s.samples()), redis);
        final Duration limit = Duration.ofMinutes(10);
        try (Child main = Child.start(flags(system), heap(system, s.n(), valueSize), prepend("main", args))) {
            final JsonNode single = JSON.readTree(main.awaitLine("SINGLE ", limit).substring(7));
            main.awaitLine("READY", limit);
            double two = 0;
            if (SHARED.contains(system)) {
                try (Child reader = Child.start(flags(system), "-Xmx512m", prepend("reader", args))) {
                    reader.awaitLine("READY", limit);
                    main.send("go");
                    reader.send("go");
                    two = JSON.readTree(main.awaitLine("MULTI ", limit).substring(6)).get("gets_per_s").asDouble()
                            + JSON.readTree(reader.awaitLine("MULTI ", limit).substring(6)).get("gets_per_s").asDouble();
                    reader.send("end");
                }
            }
            main.send("end");
            return new Result(single, two, null);
        } catch (final RuntimeException | IOException e) {
            return new Result(null, 0, oneLine(e.getMessage()));
        } finally {
            deleteTree(path);
        }
    }

    private static List<String> flags(final String system) {
        return switch (system) {
            case "chronicle" -> CHRONICLE_FLAGS;
            case "lmdb" -> LMDB_FLAGS;
            default -> List.of();
        };
    }

    private static String heap(final String system, final long n, final int valueSize) {
        if (system.equals("caffeine")) {
            return "-Xmx" + Math.max(512, n * (valueSize + 120) * 2 / (1 << 20)) + "m";
        }
        return "-Xmx512m";
    }

    private static List<String> prepend(final String first, final List<String> rest) {
        final List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static void flushRedis(final RedisProcess redis) {
        try {
            new ProcessBuilder("redis-cli", "-p", Integer.toString(redis.port()), "flushall").redirectErrorStream(true)
                    .start().waitFor(30, TimeUnit.SECONDS);
        } catch (final IOException e) {
            // the next run's keys overwrite these anyway
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- reload from PostgreSQL

    private List<BenchRow> reload(final SuiteRun run, final Scale s) {
        final List<BenchRow> rows = new ArrayList<>();
        final String what = String.format("%,d rows (8 B key, 100 B value)", s.n());
        if (!LocalPostgres.available()) {
            rows.add(BenchRow.missing("reload of " + what + " from PostgreSQL", "s", Better.LOWER,
                    "PostgreSQL is not installed (.ci/run installs it)"));
            return rows;
        }
        final Path file = Path.of("/dev/shm", "bingfa-bench-reload-" + ProcessHandle.current().pid());
        ReloadableMap.delete(file);
        run.say("reload: starting PostgreSQL and inserting " + s.n() + " rows");
        try (LocalPostgres pg = LocalPostgres.start()) {
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement st = c.createStatement()) {
                st.execute("create table kv(k bytea primary key, v text not null)");
                st.execute("insert into kv select int8send(g), repeat('v', 92) || lpad(g::text, 8, '0') "
                        + "from generate_series(0, " + (s.n() - 1) + ") g");
                st.execute("vacuum analyze kv");
            }
            final String query = "select k, v from kv";
            final double streamOnly = io.bingfa.cli.bench.Measure.seconds(() ->
                    Sources.jdbc(pg.jdbcUrl(), query).load((k, v) -> { }));
            try (ReloadableMap m = ReloadableMap.create(file, SharedMapOptions.builder().expectedEntries(s.n())
                    .averageKeySize(8).averageValueSize(100).build())) {
                final Reloader reloader = Reloader.builder(m).source(Sources.jdbc(pg.jdbcUrl(), query)).build();
                final ReloadReport first = reloader.reloadNow();
                if (!first.ok()) {
                    throw new IllegalStateException("first reload failed: " + first.failure());
                }
                run.say("reload: first (into an empty map) " + first.took().toMillis() + " ms; now with a reader process");
                try (Child reader = Child.start(List.of(), "-Xmx512m", List.of("reload-reader", "bingfa",
                        file.toString(), Long.toString(s.n()), "100", "0", "0"))) {
                    reader.awaitLine("READY", Duration.ofMinutes(2));
                    Thread.sleep(1_500);
                    final long start = System.nanoTime();
                    final ReloadReport r = reloader.reloadNow();
                    final long end = System.nanoTime();
                    Thread.sleep(1_000);
                    reader.send("window " + start + " " + end);
                    final JsonNode j = JSON.readTree(reader.awaitLine("RELOAD ", Duration.ofMinutes(2)).substring(7));
                    if (!r.ok()) {
                        throw new IllegalStateException("reload failed: " + r.failure());
                    }
                    rows.add(BenchRow.of("reload of " + what + " from PostgreSQL into a ReloadableMap", r.took().toNanos() / 1e9,
                            "s", Better.LOWER).withAnchor("the same query streamed into nothing (JDBC, fetch size 10,000)",
                            streamOnly).withNote("goal: within 5 s; the first reload, into an empty map, took "
                            + String.format("%.2f s", first.took().toNanos() / 1e9)));
                    rows.add(BenchRow.of("reader process's p99 get during that reload", j.get("inside_p99_ns").asDouble(),
                            "ns", Better.LOWER).withAnchor("its p99 outside the reload", j.get("outside_p99_ns").asDouble())
                            .withNote("goal: within 2x; " + j.get("inside_gets").asLong() + " gets inside, "
                                    + j.get("misses").asLong() + " misses (must be 0)"));
                    rows.add(BenchRow.of("reader process's median get during that reload", j.get("inside_p50_ns").asDouble(),
                            "ns", Better.LOWER).withAnchor("its median outside the reload", j.get("outside_p50_ns").asDouble()));
                }
            }
        } catch (final IOException | java.sql.SQLException | RuntimeException e) {
            rows.add(BenchRow.missing("reload of " + what + " from PostgreSQL", "s", Better.LOWER,
                    "failed: " + oneLine(e.toString())));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ReloadableMap.delete(file);
        }
        return rows;
    }

    // ---------------------------------------------------------------- child JVMs

    private static String oneLine(final String s) {
        final String t = s == null ? "unknown error" : s.replaceAll("\\s+", " ").strip();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    private static void deleteTree(final Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (final IOException e) {
            // best effort: /dev/shm is cleaned on reboot
        }
    }

    /** A {@link MapChild} JVM: lines in over stdin, lines out over stdout. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final PrintWriter in;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> transcript = java.util.Collections.synchronizedList(new ArrayList<>());

        private Child(final Process process) {
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        transcript.add(l);
                        lines.add(l);
                    }
                } catch (final IOException e) {
                    // the child ended
                }
                lines.add("\u0000EOF");
            });
        }

        static Child start(final List<String> flags, final String heap, final List<String> args) throws IOException {
            final List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add(heap);
            cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
            cmd.addAll(flags);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(MapChild.class.getName());
            cmd.addAll(args);
            return new Child(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }

        String awaitLine(final String prefix, final Duration limit) {
            final long deadline = System.nanoTime() + limit.toNanos();
            try {
                for (;;) {
                    final String l = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (l == null) {
                        throw new IllegalStateException("no '" + prefix + "' within " + limit + ": " + tail());
                    }
                    if (l.equals("\u0000EOF")) {
                        throw new IllegalStateException("child exited: " + tail());
                    }
                    if (l.startsWith(prefix)) {
                        return l;
                    }
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        void send(final String line) {
            in.println(line);
        }

        private String tail() {
            synchronized (transcript) {
                return String.join(" | ", transcript.subList(Math.max(0, transcript.size() - 6), transcript.size()));
            }
        }

        @Override
        public void close() {
            in.close();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (final InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
