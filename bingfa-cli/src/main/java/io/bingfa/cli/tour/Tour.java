package io.bingfa.cli.tour;

import io.bingfa.cli.bench.TextTable;
import io.bingfa.cli.bench.models.CpuBound;
import io.bingfa.cli.bench.models.Crawler;
import io.bingfa.cli.bench.models.EatPlay;
import io.bingfa.cli.bench.models.IoBound;
import io.bingfa.cli.bench.models.ModelsSuite;
import io.bingfa.cli.bench.models.Switching;
import io.bingfa.net.crawl.CrawlSummary;
import io.bingfa.net.crawl.CrawlTarget;
import io.bingfa.pool.Pools;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.bingfa.cli.bench.models.ModelsSuite.count;
import static io.bingfa.cli.bench.models.ModelsSuite.duration;

/**
 * The tour: the {@code models} suite's experiments (the same classes, not a copy) run once at
 * {@link TourScale}, beside the seeds' Python numbers quoted from the articles. No Python is needed.
 * {@link #run} measures and returns the table rows and the conclusions; {@link TourCommand} prints them and
 * {@link TourReport} writes the HTML page.
 */
final class Tour {

    /** The column header the brief fixes. */
    static final String SEED_COLUMN = "seed (Python)";
    static final String BINGFA_COLUMN = "Bingfa (JVM, measured now)";

    // The seeds' numbers, quoted (Python, the authors' machines).
    static final double SEED_CPU_THREADS = 17.39;
    static final double SEED_CPU_PROCESSES = 6.48;
    static final double SEED_IO_THREADS = 5.00;
    static final double SEED_IO_PROCESSES = 5.16;
    static final double SEED_YIELD = 28.5;
    static final double SEED_SERIAL_LOOPS = 17.1;
    static final double SEED_EAT_PLAY_UNPATCHED = 3.0;
    static final double SEED_EAT_PLAY_PATCHED = 2.0;
    static final double SEED_CRAWL_SERIAL_DAYS = 46.3;
    static final double SEED_CRAWL_THREADS_DAYS = 4.63;

    private Tour() {}

    /** What the tour measured: the table and the plain-language conclusions. */
    record Result(List<TourRow> rows, List<String> conclusions, int cores) {}

    static Result run(final TourScale s, final PrintWriter progress) {
        final List<TourRow> rows = new ArrayList<>();
        final List<String> conclusions = new ArrayList<>();
        final int cores = Runtime.getRuntime().availableProcessors();
        final int tasks = CpuBound.TASKS;

        // CPU-bound: the seed's four loops of 10^8.
        final String cpu = "CPU-bound, 4 tasks x " + count(s.cpuSteps()) + " steps";
        say(progress, cpu);
        // Medians of three: the tour is often run on a machine that is busy with something else.
        CpuBound.serial(tasks, Math.min(s.cpuSteps(), 1_000_000));
        final double cpuSerial = CpuBound.median(3, () -> CpuBound.serial(tasks, s.cpuSteps())).seconds();
        final double cpuThreads = CpuBound.median(3, () -> CpuBound.pooled(() -> Pools.threads(tasks), tasks, s.cpuSteps())).seconds();
        final double cpuVirtual = CpuBound.median(3, () -> CpuBound.pooled(Pools::virtual, tasks, s.cpuSteps())).seconds();
        final double cpuProcesses = CpuBound.median(3, () -> CpuBound.pooled(ModelsSuite::processes, tasks, s.cpuSteps())).seconds();
        final String cpuNote = s.cpuSteps() == TourScale.SEED_ITEMS ? "" : " (seed: 10^8)";
        rows.add(TourRow.text(cpu + cpuNote + ": serial", secs(cpuSerial), "—"));
        rows.add(TourRow.charted(cpu + cpuNote + ": 4 threads", secs(cpuThreads) + "  Pools.threads(4)",
                secs(SEED_CPU_THREADS) + "  4 threads", "CPU, 4 threads", cpuThreads, SEED_CPU_THREADS));
        rows.add(TourRow.text(cpu + cpuNote + ": 4 virtual threads", secs(cpuVirtual) + "  Pools.virtual()", "—"));
        rows.add(TourRow.charted(cpu + cpuNote + ": 4 processes", secs(cpuProcesses) + "  ProcessPool(4)",
                secs(SEED_CPU_PROCESSES) + "  4 processes", "CPU, 4 processes", cpuProcesses, SEED_CPU_PROCESSES));

        // IO-bound: four sleeps, 1 s each instead of the seed's 5 s.
        final String io = "IO-bound, 4 tasks x sleep " + duration(s.ioSleep()) + " (seed: 5 s)";
        say(progress, io);
        final double ioSerial = IoBound.serial(tasks, s.ioSleep());
        final double ioThreads = IoBound.pooled(() -> Pools.threads(tasks), tasks, s.ioSleep());
        final double ioVirtual = IoBound.pooled(Pools::virtual, tasks, s.ioSleep());
        final double ioProcesses = IoBound.pooled(ModelsSuite::processes, tasks, s.ioSleep());
        final double ioScale = TourScale.SEED_IO_SLEEP.toNanos() / (double) s.ioSleep().toNanos();
        rows.add(TourRow.text(io + ": serial", secs(ioSerial), "—"));
        rows.add(TourRow.charted(io + ": 4 threads", secs(ioThreads) + "  Pools.threads(4)",
                secs(SEED_IO_THREADS) + "  4 threads", "IO, 4 threads (Bingfa x" + (ioScale == Math.rint(ioScale) ? String.valueOf((long) ioScale)
                        : TextTable.number(ioScale)) + ")",
                ioThreads * ioScale, SEED_IO_THREADS));
        rows.add(TourRow.text(io + ": 4 virtual threads", secs(ioVirtual) + "  Pools.virtual()", "—"));
        rows.add(TourRow.text(io + ": 4 processes", secs(ioProcesses) + "  ProcessPool(4)",
                secs(SEED_IO_PROCESSES) + "  4 processes"));

        // Switching: the seed's generator against two plain loops; and a real coroutine switch.
        final long n = s.generatorItems();
        say(progress, "switching, " + count(n) + " items");
        final Switching.Run iterator = Switching.median(3, () -> Switching.iterator(n));
        final Switching.Run loops = Switching.median(3, () -> Switching.loops(n));
        final Switching.Run handOff = Switching.median(3, () -> Switching.channelHandOff(s.handOffs()));
        final double handOffAtN = handOff.nanosPerItem() * n / 1e9;
        rows.add(TourRow.charted("switching: generator, " + count(n) + " x next()",
                secs(iterator.seconds()) + "  Iterator", secs(SEED_YIELD) + "  yield", "generator, 10^8 next()",
                iterator.seconds() * TourScale.SEED_ITEMS / n, SEED_YIELD));
        rows.add(TourRow.charted("switching: serial loops, 2 x " + count(n),
                secs(loops.seconds()), secs(SEED_SERIAL_LOOPS), "serial loops, 2 x 10^8",
                loops.seconds() * TourScale.SEED_ITEMS / n, SEED_SERIAL_LOOPS));
        rows.add(TourRow.text("switching: coroutine hand-off via Channel, " + count(n) + " items (measured "
                        + count(s.handOffs()) + ", scaled x" + count(n / s.handOffs()) + ")",
                secs(handOffAtN) + "  " + TextTable.number(handOff.nanosPerItem()) + " ns/item",
                secs(SEED_YIELD) + "  yield"));

        // eat/play: 2 s + 1 s, overlapping.
        final String eatPlay = "eat/play, sleep " + duration(s.eat()) + " + " + duration(s.play());
        say(progress, eatPlay);
        final double coro = EatPlay.coroSleep(s.eat(), s.play());
        final double plain = EatPlay.threadSleep(s.eat(), s.play());
        rows.add(TourRow.charted(eatPlay + ": Coro.spawn + Coro.sleep", secs(coro),
                "about 2 s  gevent.sleep / patched", "eat/play, gevent.sleep", coro, SEED_EAT_PLAY_PATCHED));
        rows.add(TourRow.charted(eatPlay + ": Coro.spawn + Thread.sleep, no patching", secs(plain),
                secs(SEED_EAT_PLAY_UNPATCHED) + "  time.sleep unpatched", "eat/play, plain sleep", plain,
                SEED_EAT_PLAY_UNPATCHED));

        // Crawler arithmetic.
        final int urls = s.crawlUrls();
        final String from = " (from " + urls + " URLs x " + duration(s.crawlLatency()) + ")";
        say(progress, "crawler" + from);
        final double serial = Crawler.days(Crawler.extrapolate(Crawler.serial(urls, s.crawlLatency()), urls,
                s.crawlLatency(), 1));
        final double threads = Crawler.days(Crawler.extrapolate(Crawler.threads(Crawler.SEED_THREADS, urls,
                s.crawlLatency()), urls, s.crawlLatency(), Crawler.SEED_THREADS));
        final double perUrl = Crawler.extrapolate(Crawler.coroutines(s.crawlCoroUrls(), s.crawlLatency()),
                s.crawlCoroUrls(), s.crawlLatency(), Crawler.ONE_PER_URL);
        rows.add(TourRow.text("crawler, 2,000,000 URLs x 2 s: serial" + from, days(serial),
                days(SEED_CRAWL_SERIAL_DAYS)));
        rows.add(TourRow.text("crawler, 2,000,000 URLs x 2 s: 10 threads" + from, days(threads),
                days(SEED_CRAWL_THREADS_DAYS)));
        rows.add(TourRow.text("crawler, 2,000,000 URLs x 2 s: a coroutine per URL (from " + count(s.crawlCoroUrls())
                + " URLs)", secs(perUrl), "—  (\"even better\", no number)"));

        // The same crawler for real: HTTP to a local slow target.
        final int hosts = 8;
        final String real = String.format(Locale.ROOT, "crawler, real HTTP: %,d URLs x %s on a local target, %,d in "
                + "flight", s.httpUrls(), duration(s.httpLatency()), s.httpConcurrency());
        say(progress, real);
        final CrawlSummary crawled = realCrawl(s, hosts);
        final double crawlSeconds = crawled.elapsed().toNanos() / 1e9;
        final double atSeed = Crawler.extrapolate(crawlSeconds, s.httpUrls(), s.httpLatency(), s.httpConcurrency());
        rows.add(TourRow.text(real, String.format(Locale.ROOT, "%,.0f req/s (%s); 2,000,000 x 2 s at %,d in flight: %s",
                crawled.perSecond(), secs(crawlSeconds), s.httpConcurrency(), TextTable.quantity(atSeed / 60, "min")),
                "—  (46.3 days serial, 4.63 days on 10 threads)"));

        final double speedUp = cpuSerial / cpuThreads;
        final double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        conclusions.add(String.format(Locale.ROOT,
                "CPU-bound: no GIL. Four platform threads took %s against %s serial on %d cores (%sx%s); the seed's "
                        + "Python threads took 17.39 s, slower than its processes (6.48 s), because of the GIL.",
                secs(cpuThreads), secs(cpuSerial), cores, TextTable.number(speedUp),
                speedUp >= 1.3 || cores < 2 ? ""
                        : String.format(Locale.ROOT, ": this run found no idle core, load average %.1f; on an idle "
                                + "machine the threads run in parallel", load)));
        conclusions.add(String.format(Locale.ROOT,
                "IO-bound: threads and virtual threads both. Four sleeps of %s took %s on 4 threads and %s on "
                        + "virtual threads (%s one after the other). A virtual thread parks on any blocking call: "
                        + "eat/play with plain Thread.sleep took %s, no monkey-patching.",
                duration(s.ioSleep()), secs(ioThreads), secs(ioVirtual), secs(ioSerial), secs(plain)));
        conclusions.add(String.format(Locale.ROOT,
                "Switching is not free, on either side: a JIT-compiled generator costs %s ns per item, but a real "
                        + "coroutine switch (a hand-off between two virtual threads) costs %s ns. Coroutines are "
                        + "for waiting, not for cutting computation into pieces: the seed's lesson holds.",
                TextTable.number(iterator.nanosPerItem()), TextTable.number(handOff.nanosPerItem())));
        conclusions.add(String.format(Locale.ROOT,
                "Crawler: 2,000,000 URLs x 2 s take %s serially and %s on 10 threads, as the seed computed; with "
                        + "a coroutine per URL, about %s. Over real sockets to a local target, %,d URLs of %s "
                        + "took %s (%,.0f req/s, %s URLs failed): 2,000,000 x 2 s at %,d in flight would take %s min.",
                days(serial), days(threads), secs(perUrl), s.httpUrls(), duration(s.httpLatency()),
                secs(crawlSeconds), crawled.perSecond(), crawled.failed(), s.httpConcurrency(),
                TextTable.number(atSeed / 60)));
        conclusions.add(String.format(Locale.ROOT,
                "Processes are for isolation, not speed, on the JVM: four worker JVMs took %s on the CPU-bound tasks "
                        + "(threads: %s) and %s on the sleeps, start-up included. Use them for a crash, a leak or a "
                        + "hang that must be killed, or a separate heap; the ProcessPool is behind the same Pool "
                        + "interface, so moving work there is a one-line change.",
                secs(cpuProcesses), secs(cpuThreads), secs(ioProcesses)));
        return new Result(List.copyOf(rows), List.copyOf(conclusions), cores);
    }

    /** {@code s.httpUrls()} URLs over {@code hosts} hosts of an in-process {@link CrawlTarget}, socket transport. */
    private static CrawlSummary realCrawl(final TourScale s, final int hosts) {
        try (CrawlTarget target = CrawlTarget.builder().hosts(hosts).latency(s.httpLatency()).start();
             io.bingfa.net.crawl.Crawler crawler = io.bingfa.net.crawl.Crawler.builder()
                     .concurrency(s.httpConcurrency()).perHostConcurrency(s.httpConcurrency() / hosts).retries(0)
                     .transport(io.bingfa.net.crawl.Crawler.Transport.SOCKETS).build()) {
            final List<String> urls = java.util.stream.IntStream.range(0, s.httpUrls())
                    .mapToObj(i -> target.url(i, "/page/" + i).toString()).toList();
            return crawler.crawl(urls.iterator(), r -> { });
        }
    }

    private static void say(final PrintWriter progress, final String what) {
        progress.println("tour: " + what);
        progress.flush();
    }

    static String secs(final double seconds) {
        return TextTable.quantity(seconds, "s");
    }

    static String days(final double days) {
        return TextTable.quantity(days, "days");
    }
}
