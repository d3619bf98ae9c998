package io.bingfa.cli.bench.pool;

import io.bingfa.cli.bench.AnchorResult;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Measure;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.future.TaskFuture;
import io.bingfa.process.ProcessPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static io.bingfa.cli.bench.models.ModelsSuite.count;

/**
 * {@code bingfa bench pool}: the process pool beside Python's {@code ProcessPoolExecutor(2)} (fork) run live
 * on the same shapes of task, and beside a raw Unix-socket ping-pong between two JVMs (the limit for a
 * round trip) measured in the same run.
 *
 * <ol>
 *   <li>no-op submit-&gt;result throughput, batches submitted then all results taken (goal: 5x Python), with
 *       the default {@code prefetch(1)}, with {@code prefetch(2)} (Python's pipelining: one call more
 *       queued than workers) and with {@code prefetch(4)};
 *   <li>sequential round trip (goal: at most 1.5x the raw ping-pong);
 *   <li>{@code map} with chunks of 256 (goal: at least Python's);
 *   <li>cold start: a pool of 2 built, to its first result (goal: at most 100 ms; Python fork and spawn);
 *   <li>recovery: a worker killed with SIGKILL, then the next task done (goal: at most 250 ms). Python's pool
 *       is broken for good by the kill: its number is catching BrokenProcessPool and building a new pool.
 * </ol>
 * All JVM pools use the defaults except where a row says otherwise; numbers are medians of several runs.
 */
public final class PoolSuite implements Suite {

    private static final Duration ANCHOR_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String PY = "ProcessPoolExecutor(2), fork";

    @Override
    public String name() {
        return "pool";
    }

    @Override
    public String summary() {
        return "process pool round trips, throughput, map, cold start, recovery";
    }

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final PoolScale s = PoolScale.of(run.scale());
        final List<BenchRow> rows = new ArrayList<>();
        run.say("Python " + PY + " (anchor)");
        final AnchorResult py = run.python().run("process_pool.py", "sys", ANCHOR_TIMEOUT,
                String.valueOf(s.roundTrips()), String.valueOf(s.batch()), String.valueOf(s.rounds()),
                String.valueOf(s.mapItems()), String.valueOf(s.chunk()), String.valueOf(s.starts()));

        run.say("raw Unix-socket ping-pong between two JVMs, " + count(s.roundTrips()) + " round trips");
        final double pingPong = Measure.median(IntStream.range(0, s.reps())
                .mapToDouble(i -> PingPong.roundTripMicros(s.roundTrips())).toArray());
        run.say("raw Unix-socket ping-pong between two JVMs, this side polling, " + count(s.roundTrips()) + " round trips");
        final double pollingPingPong = Measure.median(IntStream.range(0, s.reps())
                .mapToDouble(i -> PingPong.roundTripMicros(s.roundTrips(), true)).toArray());

        run.say("ProcessPool(2): sequential round trips, batches, map");
        final double[] defaults = warmRates(ProcessPool.builder().workers(2).build(), s, true);
        run.say("ProcessPool(2).prefetch(2): batches");
        final double[] two = warmRates(ProcessPool.builder().workers(2).prefetch(2).build(), s, false);
        run.say("ProcessPool(2).prefetch(4): batches");
        final double[] prefetch = warmRates(ProcessPool.builder().workers(2).prefetch(4).build(), s, false);

        final String seq = "sequential submit->result round trip, ProcessPool(2)";
        rows.add(BenchRow.of(seq, defaults[0], "us", Better.LOWER)
                .withAnchor("raw Unix-socket ping-pong, two JVMs (same run)", pingPong)
                .withNote("goal: <= 1.5x the raw ping-pong"));
        rows.add(BenchRow.of(seq, defaults[0], "us", Better.LOWER)
                .withAnchor("raw ping-pong, this side polling (same run)", pollingPingPong)
                .withNote("the same hand-offs as the pool's spinning caller, without the pool"));
        rows.add(SuiteRun.anchored(BenchRow.of(seq, defaults[0], "us", Better.LOWER), py, PY, "sequential_us"));
        rows.add(BenchRow.of("raw Unix-socket ping-pong, two JVMs, 16 bytes", pingPong, "us", Better.LOWER)
                .withNote("the limit for any round trip between two processes here, both sides blocking"));
        rows.add(BenchRow.of("raw Unix-socket ping-pong, two JVMs, 16 bytes, this side polling", pollingPingPong, "us",
                Better.LOWER).withNote("non-blocking reads in a busy loop; the echo side blocks: no wake-up on this side"));
        final String batch = "no-op submit->result, batches of " + count(s.batch()) + ": ";
        rows.add(SuiteRun.anchored(BenchRow.of(batch + "ProcessPool(2), default prefetch(1)", defaults[1], "tasks/s",
                Better.HIGHER), py, PY, "batch_per_s").withNote("goal: >= 5x Python"));
        rows.add(SuiteRun.anchored(BenchRow.of(batch + "ProcessPool(2).prefetch(2)", two[1], "tasks/s", Better.HIGHER),
                py, PY, "batch_per_s").withNote("goal: >= 5x Python; Python's own pipelining depth"));
        rows.add(SuiteRun.anchored(BenchRow.of(batch + "ProcessPool(2).prefetch(4)", prefetch[1], "tasks/s", Better.HIGHER),
                py, PY, "batch_per_s").withNote("goal: >= 5x Python"));
        rows.add(SuiteRun.anchored(BenchRow.of("map(x -> x + 1) over " + count(s.mapItems()) + " inputs, chunks of "
                + s.chunk() + ", ProcessPool(2)", defaults[2], "items/s", Better.HIGHER), py, PY + ", chunksize=" + s.chunk(),
                "map_per_s").withNote("goal: >= Python"));

        final String cp = classPathSummary();
        run.say("cold start: pool of 2 to its first result, " + s.starts() + " pools; workers' class path: " + cp);
        final double cold = Measure.median(IntStream.range(0, s.starts()).mapToDouble(i -> coldStartMillis(null)).toArray());
        final BenchRow coldRow = BenchRow.of("cold start: ProcessPool(2).aotCache(false) built, to its first result", cold, "ms", Better.LOWER)
                .withNote("goal: <= 100 ms; workers' class path: " + cp + "; see docs/bench/process-startup.txt");
        rows.add(SuiteRun.anchored(coldRow, py, "ProcessPoolExecutor(2), fork", "cold_fork_ms"));
        rows.add(SuiteRun.anchored(coldRow, py, "ProcessPoolExecutor(2), spawn", "cold_spawn_ms"));
        run.say("floor: a bare JVM with the workers' options and class path, started and exited, " + s.starts() + " times");
        final double bare = Measure.median(IntStream.range(0, s.starts()).mapToDouble(i -> bareJvmMillis(null)).toArray());
        rows.add(BenchRow.of("floor: bare JVM, workers' options and class path, start to exit (no pool, no task)", bare,
                "ms", Better.LOWER).withNote("the limit for a cold start without an AOT cache in this run"));
        final Path empty = emptyMainJar();
        if (empty != null) {
            final double emptyMs = Measure.median(IntStream.range(0, s.starts())
                    .mapToDouble(i -> jvmMillis(null, empty.toString(), EMPTY_MAIN)).toArray());
            rows.add(BenchRow.of("floor: bare JVM, workers' options, an empty main in a one-class jar", emptyMs, "ms",
                    Better.LOWER).withNote("the JVM alone on this machine, whatever the class path"));
        }
        final Path aot = aotCache();
        if (aot != null) {
            run.say("cold start with an AOT cache (recorded first, untimed)");
            coldStartMillis(aot); // the first worker records the cache when it exits
            final double coldAot = Measure.median(IntStream.range(0, s.starts()).mapToDouble(i -> coldStartMillis(aot)).toArray());
            final BenchRow aotRow = BenchRow.of("cold start: ProcessPool(2).aotCache(file), to its first result", coldAot,
                    "ms", Better.LOWER).withNote("goal: <= 100 ms; the cache was recorded by an earlier pool");
            rows.add(SuiteRun.anchored(aotRow, py, "ProcessPoolExecutor(2), fork", "cold_fork_ms"));
            rows.add(SuiteRun.anchored(aotRow, py, "ProcessPoolExecutor(2), spawn", "cold_spawn_ms"));
            final double bareAot = Measure.median(IntStream.range(0, s.starts()).mapToDouble(i -> bareJvmMillis(aot)).toArray());
            rows.add(BenchRow.of("floor: bare JVM as above, with the workers' AOT cache, start to exit", bareAot,
                    "ms", Better.LOWER).withNote("the limit for a cold start with the AOT cache in this run"));
            try {
                Files.deleteIfExists(aot);
                Files.deleteIfExists(aot.getParent());
            } catch (java.io.IOException e) {
                run.say("could not delete " + aot + ": " + e);
            }
        }

        run.say("recovery: a worker killed, then the next task");
        final double[] recovery = recoveryMillis(s.reps());
        rows.add(SuiteRun.anchored(BenchRow.of("recovery: worker killed (SIGKILL), next task done, ProcessPool(2)",
                recovery[0], "ms", Better.LOWER), py, "Python: BrokenProcessPool, then a new pool and its first task",
                "recovery_ms").withNote("goal: <= 250 ms; the other worker takes the task, a replacement starts"));
        rows.add(BenchRow.of("recovery: the only worker killed, replacement JVM started, next task done, ProcessPool(1)",
                recovery[1], "ms", Better.LOWER).withNote("includes a worker JVM's cold start"));
        return rows;
    }

    /** {sequential µs, batch tasks/s, map items/s} on a warmed pool (medians), closing the pool. */
    private static double[] warmRates(final ProcessPool pool, final PoolScale s, final boolean all) {
        try (pool) {
            sequential(pool, s.roundTrips());
            batch(pool, s.batch(), 2);
            if (all) {
                map(pool, s.mapItems() / 4, s.chunk());
            }
            final double[] seq = new double[s.reps()];
            final double[] bat = new double[s.reps()];
            final double[] map = new double[s.reps()];
            for (int i = 0; i < s.reps(); i++) {
                bat[i] = batch(pool, s.batch(), s.rounds());
                if (all) {
                    seq[i] = sequential(pool, s.roundTrips());
                    map[i] = map(pool, s.mapItems(), s.chunk());
                }
            }
            return new double[] {all ? Measure.median(seq) : 0, Measure.median(bat), all ? Measure.median(map) : 0};
        }
    }

    private static double sequential(final ProcessPool pool, final int n) {
        final double seconds = Measure.seconds(() -> {
            for (int i = 0; i < n; i++) {
                pool.submit(() -> null).result(WAIT);
            }
        });
        return seconds * 1e6 / n;
    }

    private static double batch(final ProcessPool pool, final int batch, final int rounds) {
        final double seconds = Measure.seconds(() -> {
            for (int r = 0; r < rounds; r++) {
                final List<TaskFuture<Object>> fs = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    fs.add(pool.submit(() -> null));
                }
                for (TaskFuture<Object> f : fs) {
                    f.result(WAIT);
                }
            }
        });
        return batch * (double) rounds / seconds;
    }

    static int inc(final int x) {
        return x + 1;
    }

    private static double map(final ProcessPool pool, final int items, final int chunk) {
        final long[] sum = new long[1];
        final double seconds = Measure.seconds(() -> sum[0] = pool.map(PoolSuite::inc,
                () -> IntStream.range(0, items).boxed().iterator(), chunk, WAIT).mapToLong(Integer::longValue).sum());
        if (sum[0] != (long) items * (items + 1) / 2) {
            throw new IllegalStateException("map lost items: sum " + sum[0]);
        }
        return items / seconds;
    }

    /**
     * A fresh file for an AOT cache, or null when this JVM's class path is not one self-contained jar (a
     * cache needs jars, and a test run's class path holds directories).
     */
    private static Path aotCache() {
        final String cp = System.getProperty("java.class.path");
        if (cp.contains(java.io.File.pathSeparator) || !cp.endsWith(".jar")) {
            return null;
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(cp)) {
            if (jar.getManifest() == null || jar.getManifest().getMainAttributes().getValue("Class-Path") != null) {
                return null; // e.g. Surefire's booter jar, which points at directories
            }
        } catch (java.io.IOException e) {
            return null;
        }
        try {
            final Path dir = Files.createTempDirectory("bingfa-bench-aot");
            return dir.resolve("worker.aot");
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static double coldStartMillis(final Path aot) {
        final long t0 = System.nanoTime();
        final ProcessPool.Builder b = ProcessPool.builder().workers(2);
        if (aot != null) {
            b.aotCache(aot);
        } else {
            b.aotCache(false); // the plain row: no cache at all, not even the automatic one
        }
        try (ProcessPool pool = b.build()) {
            pool.submit(() -> null).result(WAIT);
            return (System.nanoTime() - t0) / 1e6;
        }
    }

    /**
     * The floor under any cold start: a JVM with the options a worker gets (ProcessPool's WorkerCommand) and
     * this JVM's class path, running the worker's main class, which exits at once when started by hand.
     */
    private static double bareJvmMillis(final Path aot) {
        return jvmMillis(aot, System.getProperty("java.class.path"), "io.bingfa.process.WorkerMain");
    }

    private static final String EMPTY_MAIN = "BingfaEmptyMain";

    /**
     * A jar holding one class whose main returns at once (made with the JDK's class-file API), for the
     * JVM's own start-up floor; null if it cannot be written.
     */
    private static Path emptyMainJar() {
        try {
            final byte[] bytes = java.lang.classfile.ClassFile.of().build(java.lang.constant.ClassDesc.of(EMPTY_MAIN),
                    c -> c.withFlags(java.lang.classfile.ClassFile.ACC_PUBLIC)
                            .withMethodBody("main", java.lang.constant.MethodTypeDesc.ofDescriptor("([Ljava/lang/String;)V"),
                                    java.lang.classfile.ClassFile.ACC_PUBLIC | java.lang.classfile.ClassFile.ACC_STATIC,
                                    b -> b.return_()));
            final Path jar = Files.createTempFile("bingfa-empty-main", ".jar");
            jar.toFile().deleteOnExit();
            try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
                out.putNextEntry(new java.util.jar.JarEntry(EMPTY_MAIN + ".class"));
                out.write(bytes);
                out.closeEntry();
            }
            return jar;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** "N jar(s), M MB" (or the entry itself when there is one) for this JVM's class path, which workers inherit. */
    static String classPathSummary() {
        final String[] entries = System.getProperty("java.class.path").split(java.io.File.pathSeparator);
        long bytes = 0;
        for (String e : entries) {
            try {
                bytes += Files.size(Path.of(e));
            } catch (java.io.IOException | RuntimeException ex) {
                // a directory or a missing entry: counted as empty
            }
        }
        final String size = String.format(java.util.Locale.ROOT, "%.0f MB", bytes / 1e6);
        return entries.length == 1 ? Path.of(entries[0]).getFileName() + " (one jar, " + size + ")"
                : entries.length + " entries, " + size;
    }

    private static double jvmMillis(final Path aot, final String classpath, final String mainClass) {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError",
                "-XX:+DisplayVMOutputToStderr", "-XX:+UseSerialGC", "-XX:-UsePerfData"));
        if (aot != null) {
            cmd.addAll(List.of("-Xlog:aot=off", "-Xlog:cds=off", "-XX:AOTCache=" + aot));
        }
        cmd.addAll(List.of("-cp", classpath, mainClass));
        final long t0 = System.nanoTime();
        try {
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot start " + cmd.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    /** {ms with a second worker alive, ms with the only worker killed}: medians of {@code reps}. */
    private static double[] recoveryMillis(final int reps) {
        final double[] two = new double[reps];
        final double[] one = new double[reps];
        for (int workers = 1; workers <= 2; workers++) {
            try (ProcessPool pool = ProcessPool.builder().workers(workers).eagerStart(true).build()) {
                for (int i = 0; i < reps; i++) {
                    while (pool.workerPids().size() < workers) {
                        pool.submit(() -> null).result(WAIT); // all workers up before the kill
                    }
                    batch(pool, 2_000, 1); // and warm: a survivor that never ran a task measures its own start
                    final long victim = pool.submit(() -> ProcessHandle.current().pid()).result(WAIT);
                    final long t0 = System.nanoTime();
                    ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
                    TaskFuture<Object> f;
                    do { // the first may be sent to the dying worker before its death is seen: it fails, try again
                        f = pool.submit(() -> null);
                    } while (f.exception(WAIT) != null);
                    (workers == 2 ? two : one)[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        return new double[] {Measure.median(two), Measure.median(one)};
    }
}
