package io.bingfa.cli.bench.crawl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cli.bench.AnchorResult;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Scale;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.cli.bench.models.Crawler;
import io.bingfa.net.crawl.CrawlSettings;
import io.bingfa.net.crawl.CrawlSummary;
import io.bingfa.net.crawl.ProcessCrawler;
import io.bingfa.process.ProcessPool;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * {@code bingfa bench crawl}: the seeds' crawler for real. A {@code bingfa crawl-target} child JVM plays
 * {@code hosts} slow sites on loopback (every answer after {@code latency}); N URLs spread over them are crawled
 * <ol>
 *   <li>by one {@link io.bingfa.net.crawl.Crawler} in this JVM (virtual threads) with the JDK HttpClient, and
 *       again with Bingfa's socket transport, concurrency C;
 *   <li>by {@link ProcessCrawler} over a {@link ProcessPool} of 2 worker JVMs (sockets), concurrency C in all;
 *   <li>by Python's aiohttp (asyncio) with C worker coroutines and a connector limited to C connections,
 *       {@code anchors/crawl_aiohttp.py}, the anchor, on the same URLs and target in the same run.
 * </ol>
 * Rows are requests per second (each run once, after a warm-up crawl of 2C URLs for the JVM sides); then the
 * one-JVM run is carried over to the seeds' 2,000,000 URLs x 2 s with the model of
 * {@link io.bingfa.cli.bench.models.Crawler#extrapolate} (rounds of C concurrent waits plus the measured per-URL
 * cost). Everything shares the machine's cores: the target, the crawler and the anchor (run one after the other).
 */
public final class CrawlSuite implements Suite {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Workload of one scale. */
    record Load(int urls, int concurrency, Duration latency, int hosts, int perHost) {
        static Load of(final Scale s) {
            return switch (s) {
                case TINY -> new Load(400, 50, Duration.ofMillis(20), 4, 20);
                case QUICK -> new Load(20_000, 2_000, Duration.ofMillis(200), 16, 200);
                case FULL -> new Load(100_000, 10_000, Duration.ofMillis(200), 64, 200);
            };
        }
    }

    @Override
    public String name() {
        return "crawl";
    }

    @Override
    public String summary() {
        return "crawl a local slow target (100,000 URLs x 200 ms, concurrency 10,000) vs aiohttp";
    }

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final Load load = Load.of(run.scale());
        final List<BenchRow> rows = new ArrayList<>();
        final String what = String.format(Locale.ROOT, "%,d URLs x %d ms, concurrency %,d, %d hosts, per host %d",
                load.urls, load.latency.toMillis(), load.concurrency, load.hosts, load.perHost);
        run.say("starting crawl-target (" + load.hosts + " hosts, " + load.latency.toMillis() + " ms)");
        final Process target = startTarget(load);
        try {
            final List<Integer> ports = ports(target);
            final List<String> urls = IntStream.range(0, load.urls)
                    .mapToObj(i -> "http://127.0.0.1:" + ports.get(i % ports.size()) + "/page/" + i).toList();
            final List<String> warmUp = IntStream.range(0, Math.min(load.urls, 2 * load.concurrency))
                    .mapToObj(i -> "http://127.0.0.1:" + ports.get(i % ports.size()) + "/warm/" + i).toList();
            final Path urlFile = Files.createTempFile("bingfa-crawl-urls", ".txt");
            try {
                Files.write(urlFile, urls);
                final CrawlSettings client = settings(load, io.bingfa.net.crawl.Crawler.Transport.HTTP_CLIENT);
                final CrawlSettings sockets = settings(load, io.bingfa.net.crawl.Crawler.Transport.SOCKETS);

                run.say("one JVM, HttpClient: " + what);
                crawlHere(client, warmUp);
                final CrawlSummary viaClient = crawlHere(client, urls);

                run.say("one JVM, sockets: " + what);
                crawlHere(sockets, warmUp);
                final CrawlSummary one = crawlHere(sockets, urls);

                run.say("2 worker JVMs, sockets: " + what);
                final CrawlSummary two;
                try (ProcessPool pool = ProcessPool.builder().workers(2).eagerStart(true).build()) {
                    ProcessCrawler.crawl(pool, sockets, 0, warmUp.iterator(), r -> { });
                    two = ProcessCrawler.crawl(pool, sockets, 0, urls.iterator(), r -> { });
                }

                run.say("anchor: aiohttp, " + what);
                final AnchorResult py = run.python().run("crawl_aiohttp.py", "aiohttp",
                        Duration.ofSeconds(Math.max(120, load.urls / 100)), urlFile.toString(),
                        String.valueOf(load.concurrency), String.valueOf(load.perHost));

                final String anchor = "Python aiohttp, " + load.concurrency + " coroutines";
                rows.add(SuiteRun.anchored(checked(BenchRow.of("crawl, one JVM, virtual threads + JDK HttpClient, "
                        + what, viaClient.perSecond(), "req/s", Better.HIGHER), viaClient, load), py, anchor,
                        "per_second"));
                rows.add(SuiteRun.anchored(checked(BenchRow.of("crawl, one JVM, virtual threads + Bingfa sockets "
                        + "(--transport sockets), " + what, one.perSecond(), "req/s", Better.HIGHER), one, load), py,
                        anchor, "per_second").withNote("goal: at least 5x aiohttp"));
                rows.add(SuiteRun.anchored(checked(BenchRow.of("crawl, 2 worker JVMs (ProcessCrawler), sockets, "
                        + what, two.perSecond(), "req/s", Better.HIGHER), two, load), py, anchor, "per_second"));
                final double seconds = one.elapsed().toNanos() / 1e9;
                final double seed = Crawler.extrapolate(seconds, load.urls, load.latency, load.concurrency);
                BenchRow extrapolated = BenchRow.of("2,000,000 URLs x 2 s at concurrency " + String.format(Locale.ROOT,
                        "%,d", load.concurrency) + ", extrapolated from the one-JVM sockets run", seed, "s", Better.LOWER);
                if (py instanceof AnchorResult.Measured m) {
                    extrapolated = extrapolated.withAnchor("the same from the aiohttp run", Crawler.extrapolate(
                            m.number("seconds"), load.urls, load.latency, load.concurrency));
                } else if (py instanceof AnchorResult.Skipped s) {
                    extrapolated = extrapolated.withAnchorSkipped(s.reason());
                }
                rows.add(extrapolated.withNote(String.format(Locale.ROOT, "the seed: 46.3 days serial, 4.63 days on "
                        + "10 threads; here %.1f min (rounds of %,d waits of 2 s plus the measured %.0f us per URL)",
                        seed / 60, load.concurrency, perUrlMicros(seconds, load))));
            } finally {
                Files.deleteIfExists(urlFile);
            }
        } catch (IOException e) {
            rows.add(BenchRow.missing("crawl suite", "-", Better.HIGHER, "could not run: " + e.getMessage()));
        } finally {
            target.destroy();
        }
        return rows;
    }

    private static double perUrlMicros(final double seconds, final Load load) {
        final long rounds = (load.urls + load.concurrency - 1) / load.concurrency;
        return Math.max(0, seconds - rounds * load.latency.toNanos() / 1e9) / load.urls * 1e6;
    }

    /** {@code row} with a note if some URLs failed (the rate then means less). */
    private static BenchRow checked(final BenchRow row, final CrawlSummary s, final Load load) {
        return s.ok() == load.urls ? row : row.withNote(String.format(Locale.ROOT, "%,d of %,d URLs failed",
                load.urls - s.ok(), load.urls));
    }

    private static CrawlSettings settings(final Load load, final io.bingfa.net.crawl.Crawler.Transport transport) {
        return io.bingfa.net.crawl.Crawler.builder().concurrency(load.concurrency).perHostConcurrency(load.perHost)
                .retries(0).transport(transport).settings();
    }

    private static CrawlSummary crawlHere(final CrawlSettings settings, final List<String> urls) {
        try (io.bingfa.net.crawl.Crawler crawler = io.bingfa.net.crawl.Crawler.create(settings)) {
            return crawler.crawl(urls.iterator(), r -> { });
        }
    }

    /** {@code bingfa crawl-target} in a child JVM made like this one. */
    private static Process startTarget(final Load load) {
        final List<String> cmd = List.of(ProcessHandle.current().info().command()
                        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "-cp", System.getProperty("java.class.path"), io.bingfa.cli.Main.class.getName(), "crawl-target",
                "--port", "0", "--hosts", String.valueOf(load.hosts), "--latency", load.latency.toMillis() + "ms");
        try {
            return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /** The ports the target printed as its first line, {@code {"ports":[...]}}. */
    private static List<Integer> ports(final Process target) throws IOException {
        final BufferedReader in = new BufferedReader(new InputStreamReader(target.getInputStream(),
                StandardCharsets.UTF_8));
        final String line = in.readLine();
        if (line == null) {
            throw new IOException("crawl-target exited before listening");
        }
        final JsonNode ports = JSON.readTree(line).get("ports");
        final List<Integer> out = new ArrayList<>();
        ports.forEach(p -> out.add(p.asInt()));
        return out;
    }
}
