package io.bingfa.cli.crawl;

import io.bingfa.cli.DurationConverter;
import io.bingfa.net.crawl.CrawlTarget;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bingfa crawl-target}: a local server of slow "sites" ({@link CrawlTarget}) so that a crawl of 100,000
 * URLs at 200 ms can be run for real. Prints {@code {"ports":[...]}} on standard output when it listens, then
 * serves until stopped.
 */
@Command(name = "crawl-target", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
        description = {"A local HTTP server that answers every request after a latency: slow sites to crawl.",
                "Each host is a port of 127.0.0.1. Paths: /status/CODE, /redirect/N, /loop, /fail/N/KEY,",
                "/throttle/N/KEY, /slow/MS, /bytes/N, /drop, /robots.txt; anything else is a small page.",
                "--write-urls writes N URLs spread over the hosts. Runs until stopped (Ctrl-C)."})
public final class CrawlTargetCommand implements Callable<Integer> {

    // picocli injects these after construction, so they cannot be final.
    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8800",
            description = "first port; hosts listen on P, P+1, ... (0: free ports) (default: ${DEFAULT-VALUE})")
    private int port;

    @Option(names = "--hosts", paramLabel = "N", defaultValue = "1", description = "hosts (ports) (default: ${DEFAULT-VALUE})")
    private int hosts;

    @Option(names = "--latency", paramLabel = "DURATION", defaultValue = "200ms", converter = DurationConverter.class,
            description = "time before each answer (default: ${DEFAULT-VALUE})")
    private Duration latency;

    @Option(names = "--error-rate", paramLabel = "R", defaultValue = "0",
            description = "share of pages answered 500, 0..1 (default: ${DEFAULT-VALUE})")
    private double errorRate;

    @Option(names = "--robots", paramLabel = "FILE", description = "serve FILE as /robots.txt on every host")
    private Path robots;

    @Option(names = "--write-urls", paramLabel = "FILE", description = "write --urls URLs over the hosts to FILE")
    private Path writeUrls;

    @Option(names = "--urls", paramLabel = "N", defaultValue = "100000",
            description = "how many URLs --write-urls writes (default: ${DEFAULT-VALUE})")
    private long urlCount;

    @Override
    public Integer call() throws InterruptedException {
        final CrawlTarget.Builder b = CrawlTarget.builder();
        try {
            b.port(port).hosts(hosts).latency(latency).errorRate(errorRate);
            if (robots != null) {
                b.robots(Files.readString(robots, StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read --robots " + robots + ": " + e.getMessage(), e);
        }
        final CrawlTarget target = b.start();
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            target.close();
            stopped.countDown();
        }, "bingfa-crawl-target-stop"));
        if (writeUrls != null) {
            writeUrls(target);
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.println("{\"ports\":" + target.ports() + "}");
        out.flush();
        final PrintWriter err = spec.commandLine().getErr();
        err.println("bingfa crawl-target: " + hosts + " host(s) on 127.0.0.1 ports " + target.ports().getFirst()
                + (hosts > 1 ? ".." + target.ports().getLast() : "") + ", latency " + latency.toMillis()
                + " ms (Ctrl-C to stop)");
        err.flush();
        stopped.await();
        return 0;
    }

    private void writeUrls(final CrawlTarget target) {
        if (urlCount < 0) {
            throw new ParameterException(spec.commandLine(), "--urls must not be negative, was " + urlCount);
        }
        try {
            Files.writeString(writeUrls, LongStream.range(0, urlCount)
                    .mapToObj(i -> target.url((int) (i % hosts), "/page/" + i).toString())
                    .collect(Collectors.joining("\n", "", urlCount > 0 ? "\n" : "")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + writeUrls, e);
        }
    }
}
