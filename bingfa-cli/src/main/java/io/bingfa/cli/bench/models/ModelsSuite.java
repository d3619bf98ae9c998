package io.bingfa.cli.bench.models;

import io.bingfa.cli.bench.AnchorResult;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.pool.Pool;
import io.bingfa.pool.Pools;
import io.bingfa.process.ProcessPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bingfa bench models}: the seeds' experiments on the JVM, each beside the same experiment in
 * Python run live with the same counts.
 *
 * <ol>
 *   <li>CPU-bound, 4 tasks ({@link CpuBound}): serial, {@code Pools.threads(4)}, {@code Pools.virtual()};
 *       Python serial, 4 threads, 4 processes. Then the JVM alone at the seed's own count (4 x 10^8).
 *   <li>IO-bound, 4 sleeping tasks ({@link IoBound}): the same columns.
 *   <li>Switching ({@link Switching}): iterator generator, plain loops, channel hand-off between two
 *       coroutines; Python generator and loops. Per item, in nanoseconds.
 *   <li>eat/play ({@link EatPlay}): {@code Coro.spawn} with {@code Coro.sleep} and with plain
 *       {@code Thread.sleep}; gevent with {@code gevent.sleep}, monkey-patched and unpatched {@code time.sleep}.
 *   <li>Crawler arithmetic ({@link Crawler}): a small run extrapolated to 2,000,000 URLs x 2 s, beside
 *       Python's small run extrapolated the same way and the seed's 46.3 / 4.63 days.
 * </ol>
 * Bingfa's process rows run the same tasks on a {@code ProcessPool} of four worker JVMs, started inside the
 * timing as Python's processes are.
 */
public final class ModelsSuite implements Suite {

    /** The note beside Bingfa's process rows. */
    public static final String PROCESS_POOL_NOTE = "includes starting 4 worker JVMs (cold), as Python's includes its forks";

    private static final Duration ANCHOR_TIMEOUT = Duration.ofMinutes(5);

    @Override
    public String name() {
        return "models";
    }

    @Override
    public String summary() {
        return "the seeds' CPU/IO/coroutine experiments";
    }

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final ModelsScale s = ModelsScale.of(run.scale());
        final List<BenchRow> rows = new ArrayList<>();
        cpu(run, s, rows);
        io(run, s, rows);
        switching(run, s, rows);
        eatPlay(run, s, rows);
        crawler(run, s, rows);
        return rows;
    }

    private static void cpu(final SuiteRun run, final ModelsScale s, final List<BenchRow> rows) {
        final int tasks = CpuBound.TASKS;
        final long steps = s.cpuSteps();
        final String what = "cpu " + tasks + " tasks x " + count(steps) + " LCG steps: ";
        run.say(what + "JVM");
        final CpuBound.Run serial = CpuBound.median(s.jvmReps(), () -> CpuBound.serial(tasks, steps));
        final CpuBound.Run threads = CpuBound.median(s.jvmReps(), () -> CpuBound.pooled(() -> Pools.threads(tasks), tasks, steps));
        final CpuBound.Run virtual = CpuBound.median(s.jvmReps(), () -> CpuBound.pooled(Pools::virtual, tasks, steps));
        run.say(what + "Python");
        final AnchorResult py = run.python().run("cpu_bound.py", "sys", ANCHOR_TIMEOUT,
                String.valueOf(tasks), String.valueOf(steps), String.valueOf(s.pythonReps()));
        String checksumNote = null;
        if (py instanceof AnchorResult.Measured m && (long) m.number("checksum") != serial.checksum()) {
            checksumNote = "WARNING: Python's checksum " + (long) m.number("checksum") + " differs from the JVM's "
                    + serial.checksum();
        }
        BenchRow serialRow = SuiteRun.anchored(BenchRow.of(what + "serial", serial.seconds(), "s", Better.LOWER),
                py, "python serial", "serial");
        if (checksumNote != null) {
            serialRow = serialRow.withNote(checksumNote);
        }
        rows.add(serialRow);
        rows.add(SuiteRun.anchored(BenchRow.of(what + "Pools.threads(4)", threads.seconds(), "s", Better.LOWER),
                py, "python 4 threads", "threads"));
        rows.add(SuiteRun.anchored(BenchRow.of(what + "Pools.virtual()", virtual.seconds(), "s", Better.LOWER),
                py, "python 4 threads", "threads"));
        run.say(what + "ProcessPool(4)");
        final CpuBound.Run procs = CpuBound.median(s.jvmReps(), () -> CpuBound.pooled(ModelsSuite::processes, tasks, steps));
        rows.add(processRow(what + "ProcessPool(4)", procs.seconds(), py, "python 4 processes (multiprocessing)", "processes"));
        if (s.cpuSeedSteps() > 0) {
            final long seed = s.cpuSeedSteps();
            final String at = "cpu " + tasks + " tasks x " + count(seed) + " steps (seed's count): ";
            run.say(at + "JVM");
            final CpuBound.Run sSerial = CpuBound.median(1, () -> CpuBound.serial(tasks, seed));
            final CpuBound.Run sThreads = CpuBound.median(1, () -> CpuBound.pooled(() -> Pools.threads(tasks), tasks, seed));
            final CpuBound.Run sVirtual = CpuBound.median(1, () -> CpuBound.pooled(Pools::virtual, tasks, seed));
            final String note = "no live anchor at this count; seed (Python, res*=i): 4 threads 17.39 s, 4 processes 6.48 s";
            rows.add(BenchRow.of(at + "serial", sSerial.seconds(), "s", Better.LOWER).withNote(note));
            rows.add(BenchRow.of(at + "Pools.threads(4)", sThreads.seconds(), "s", Better.LOWER));
            rows.add(BenchRow.of(at + "Pools.virtual()", sVirtual.seconds(), "s", Better.LOWER));
        }
    }

    private static void io(final SuiteRun run, final ModelsScale s, final List<BenchRow> rows) {
        final int tasks = CpuBound.TASKS;
        final Duration sleep = s.ioSleep();
        final String what = "io " + tasks + " tasks x sleep " + duration(sleep) + ": ";
        run.say(what + "JVM");
        final double serial = IoBound.serial(tasks, sleep);
        final double threads = IoBound.pooled(() -> Pools.threads(tasks), tasks, sleep);
        final double virtual = IoBound.pooled(Pools::virtual, tasks, sleep);
        run.say(what + "Python");
        final AnchorResult py = run.python().run("io_bound.py", "sys", ANCHOR_TIMEOUT,
                String.valueOf(tasks), seconds(sleep));
        rows.add(SuiteRun.anchored(BenchRow.of(what + "serial", serial, "s", Better.LOWER), py, "python serial", "serial"));
        rows.add(SuiteRun.anchored(BenchRow.of(what + "Pools.threads(4)", threads, "s", Better.LOWER),
                py, "python 4 threads", "threads"));
        rows.add(SuiteRun.anchored(BenchRow.of(what + "Pools.virtual()", virtual, "s", Better.LOWER),
                py, "python 4 threads", "threads"));
        run.say(what + "ProcessPool(4)");
        final double procs = IoBound.pooled(ModelsSuite::processes, tasks, sleep);
        rows.add(processRow(what + "ProcessPool(4)", procs, py, "python 4 processes (multiprocessing)", "processes"));
    }

    private static void switching(final SuiteRun run, final ModelsScale s, final List<BenchRow> rows) {
        final long n = s.generatorItems();
        run.say("switching: " + count(n) + " generator items, " + count(s.handOffs()) + " hand-offs, JVM");
        final Switching.Run iterator = Switching.median(s.jvmReps(), () -> Switching.iterator(n));
        final Switching.Run loops = Switching.median(s.jvmReps(), () -> Switching.loops(n));
        final Switching.Run handOff = Switching.median(Math.min(3, s.jvmReps()), () -> Switching.channelHandOff(s.handOffs()));
        run.say("switching: Python");
        final AnchorResult py = run.python().run("generator.py", "sys", ANCHOR_TIMEOUT, String.valueOf(n));
        rows.add(SuiteRun.anchored(BenchRow.of("switch: generator as Iterator, " + count(n) + " next()",
                iterator.nanosPerItem(), "ns/item", Better.LOWER), py, "python generator next()", "ns_per_yield"));
        rows.add(SuiteRun.anchored(BenchRow.of("switch: serial loops, 2 x " + count(n) + " iterations",
                loops.nanosPerItem(), "ns/item", Better.LOWER), py, "python serial loops", "ns_per_iteration"));
        rows.add(SuiteRun.anchored(BenchRow.of("switch: coroutine hand-off via Channel.rendezvous(), " + count(s.handOffs())
                        + " items", handOff.nanosPerItem(), "ns/item", Better.LOWER), py, "python generator next()",
                "ns_per_yield")
                .withNote("a real park/unpark of two virtual threads per item, which a generator's yield does not do"));
    }

    private static void eatPlay(final SuiteRun run, final ModelsScale s, final List<BenchRow> rows) {
        final Duration eat = s.eat();
        final Duration play = s.play();
        final String what = "eat/play (sleep " + duration(eat) + " + " + duration(play) + "): ";
        run.say(what + "JVM");
        final double coro = EatPlay.coroSleep(eat, play);
        final double thread = EatPlay.threadSleep(eat, play);
        run.say(what + "Python");
        final AnchorResult gevent = run.python().run("eat_play.py", "gevent", ANCHOR_TIMEOUT, "gevent",
                seconds(eat), seconds(play));
        final AnchorResult patched = run.python().run("eat_play.py", "gevent", ANCHOR_TIMEOUT, "patched",
                seconds(eat), seconds(play));
        final AnchorResult unpatched = run.python().run("eat_play.py", "gevent", ANCHOR_TIMEOUT, "unpatched",
                seconds(eat), seconds(play));
        rows.add(SuiteRun.anchored(BenchRow.of(what + "Coro.spawn + Coro.sleep", coro, "s", Better.LOWER),
                gevent, "gevent.spawn + gevent.sleep", "seconds"));
        BenchRow plain = SuiteRun.anchored(
                BenchRow.of(what + "Coro.spawn + Thread.sleep, no patching", thread, "s", Better.LOWER),
                patched, "gevent + monkey.patch_all() + time.sleep", "seconds");
        if (unpatched instanceof AnchorResult.Measured m) {
            plain = plain.withNote("gevent with time.sleep unpatched: " + String.format(Locale.ROOT, "%.2f s", m.number("seconds"))
                    + " (the seed: 3.0 s for 2 s + 1 s)");
        }
        rows.add(plain);
    }

    private static void crawler(final SuiteRun run, final ModelsScale s, final List<BenchRow> rows) {
        final int urls = s.crawlUrls();
        final int coroUrls = s.crawlCoroUrls();
        final Duration latency = s.crawlLatency();
        final int threads = Crawler.SEED_THREADS;
        run.say("crawler: " + urls + " / " + coroUrls + " URLs x " + duration(latency) + ", JVM");
        final double serial = Crawler.serial(urls, latency);
        final double pooled = Crawler.threads(threads, urls, latency);
        final double coro = Crawler.coroutines(coroUrls, latency);
        run.say("crawler: Python");
        final String l = seconds(latency);
        final AnchorResult pySerial = run.python().run("crawler.py", "sys", ANCHOR_TIMEOUT, "serial",
                String.valueOf(urls), l, String.valueOf(threads));
        final AnchorResult pyThreads = run.python().run("crawler.py", "sys", ANCHOR_TIMEOUT, "threads",
                String.valueOf(urls), l, String.valueOf(threads));
        final AnchorResult pyGevent = run.python().run("crawler.py", "gevent", ANCHOR_TIMEOUT, "gevent",
                String.valueOf(coroUrls), l, String.valueOf(threads));
        final String from = " (from " + urls + " URLs x " + duration(latency) + ")";
        rows.add(extrapolated(BenchRow.of("crawl 2,000,000 URLs x 2 s: serial" + from,
                Crawler.days(Crawler.extrapolate(serial, urls, latency, 1)), "days", Better.LOWER),
                pySerial, "python serial", urls, latency, 1, true).withNote("seed: 46.3 days"));
        rows.add(extrapolated(BenchRow.of("crawl 2,000,000 URLs x 2 s: Pools.threads(10)" + from,
                Crawler.days(Crawler.extrapolate(pooled, urls, latency, threads)), "days", Better.LOWER),
                pyThreads, "python ThreadPoolExecutor(10)", urls, latency, threads, true).withNote("seed: 4.63 days"));
        rows.add(extrapolated(BenchRow.of("crawl 2,000,000 URLs x 2 s: one coroutine per URL (from " + count(coroUrls)
                        + " URLs x " + duration(latency) + ")",
                Crawler.extrapolate(coro, coroUrls, latency, Crawler.ONE_PER_URL), "s", Better.LOWER),
                pyGevent, "gevent, one greenlet per URL", coroUrls, latency, Crawler.ONE_PER_URL, false)
                .withNote("model: 2 s + 2,000,000 x the per-URL overhead of the small run; seed: no number"));
    }

    private static BenchRow extrapolated(final BenchRow row, final AnchorResult py, final String anchor, final int urls,
                                         final Duration latency, final long workers, final boolean inDays) {
        return switch (py) {
            case AnchorResult.Measured m -> {
                final double x = Crawler.extrapolate(m.number("seconds"), urls, latency, workers);
                yield row.withAnchor(anchor, inDays ? Crawler.days(x) : x);
            }
            case AnchorResult.Skipped sk -> row.withAnchorSkipped(sk.reason());
        };
    }

    private static BenchRow processRow(final String name, final double seconds, final AnchorResult py, final String anchor,
                                       final String field) {
        final BenchRow row = BenchRow.of(name, seconds, "s", Better.LOWER).withNote(PROCESS_POOL_NOTE);
        return SuiteRun.anchored(row, py, anchor, field);
    }

    /** A pool of four worker JVMs, as the seed's four processes; built and closed inside the timing. */
    public static Pool processes() {
        return ProcessPool.builder().workers(CpuBound.TASKS).build();
    }

    /** {@code 1,000,000}. */
    public static String count(final long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code "0.5 s"} or {@code "20 ms"}. */
    public static String duration(final Duration d) {
        final long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms >= 1000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : ms + " ms";
    }

    /** Seconds as the Python scripts take them: {@code "0.02"}. */
    private static String seconds(final Duration d) {
        return String.format(Locale.ROOT, "%.3f", d.toNanos() / 1e9);
    }
}
