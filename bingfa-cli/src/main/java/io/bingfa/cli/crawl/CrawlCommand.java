package io.bingfa.cli.crawl;

import io.bingfa.cli.DurationConverter;
import io.bingfa.net.crawl.CrawlJob;
import io.bingfa.net.crawl.CrawlSettings;
import io.bingfa.net.crawl.CrawlSummary;
import io.bingfa.net.crawl.Crawler;
import io.bingfa.process.ProcessPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bingfa crawl URLS_FILE}: fetches every URL of a file (one per line) and writes one JSON line per URL
 * (url, status, bytes, ms, error, attempts, final_url), in this JVM on virtual threads or spread over worker
 * JVMs ({@code --processes}); {@code --resume} continues from the output file. The work is
 * {@link CrawlJob}'s; this class parses options and draws the progress bar.
 */
@Command(name = "crawl", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
        description = {"The seeds' crawler: fetches every URL of a file and writes one JSON line per URL.",
                "URLS_FILE: one URL per line, # comments. Each line: url, status, bytes, ms, error, attempts, final_url. Virtual threads and the JDK HttpClient;",
                "per-host limits, time-outs, retries with back-off (5xx, 429 with Retry-After, I/O errors),",
                "redirects, optional robots.txt. --resume skips the URLs already in the output."})
public final class CrawlCommand implements Callable<Integer> {

    // picocli injects these after construction, so they cannot be final.
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URLS_FILE", description = "the URLs, one per line")
    private Path urls;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "crawl.jsonl",
            description = "JSONL output (default: ${DEFAULT-VALUE})")
    private Path output;

    @Option(names = "--processes", paramLabel = "P", defaultValue = "0",
            description = "worker JVMs to spread the crawl over; 0 (default) crawls in this JVM")
    private int processes;

    @Option(names = "--concurrency", paramLabel = "C", defaultValue = "1000",
            description = "requests in flight at once, over all workers (default: ${DEFAULT-VALUE})")
    private int concurrency;

    @Option(names = "--per-host", paramLabel = "N", defaultValue = "8",
            description = "requests in flight at once to one host:port (default: ${DEFAULT-VALUE})")
    private int perHost;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "limit on one request (default: ${DEFAULT-VALUE})")
    private Duration timeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            converter = DurationConverter.class, description = "limit on connecting (default: ${DEFAULT-VALUE})")
    private Duration connectTimeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "2",
            description = "retries after 5xx, 429 or an I/O error (default: ${DEFAULT-VALUE})")
    private int retries;

    @Option(names = "--backoff", paramLabel = "DURATION", defaultValue = "500ms", converter = DurationConverter.class,
            description = "first back-off, doubled each retry, with jitter (default: ${DEFAULT-VALUE})")
    private Duration backoff;

    @Option(names = "--max-backoff", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "longest back-off (default: ${DEFAULT-VALUE})")
    private Duration maxBackoff;

    @Option(names = "--max-redirects", paramLabel = "N", defaultValue = "5",
            description = "redirect hops to follow (default: ${DEFAULT-VALUE}); 0 does not follow")
    private int maxRedirects;

    @Option(names = "--robots", description = "fetch robots.txt once per host and obey it")
    private boolean robots;

    @Option(names = "--user-agent", paramLabel = "UA", defaultValue = "bingfa-crawler/0.1",
            description = "User-Agent header and robots.txt name (default: ${DEFAULT-VALUE})")
    private String userAgent;

    @Option(names = "--transport", paramLabel = "T", defaultValue = "httpclient", converter = TransportConverter.class,
            description = "httpclient (the JDK's HttpClient, default) or sockets (Bingfa's HTTP/1.1 client on "
                    + "blocking sockets: about a fifth of the CPU per request)")
    private Crawler.Transport transport;

    @Option(names = "--resume", description = "skip the URLs already in the output and append the rest")
    private boolean resume;

    @Option(names = "--overwrite", description = "replace an existing output file")
    private boolean overwrite;

    @Option(names = "--no-progress", description = "no progress bar (it is also off when stderr is not a terminal)")
    private boolean noProgress;

    @Override
    public Integer call() {
        final PrintWriter err = spec.commandLine().getErr();
        if (processes < 0) {
            throw new ParameterException(spec.commandLine(), "--processes must be at least 0, was " + processes);
        }
        if (resume && overwrite) {
            throw new ParameterException(spec.commandLine(), "--resume and --overwrite exclude each other");
        }
        if (!Files.isReadable(urls)) {
            throw new ParameterException(spec.commandLine(), "URLS_FILE must be a readable file, was " + urls);
        }
        final CrawlSettings settings;
        try {
            settings = Crawler.builder().concurrency(concurrency).perHostConcurrency(perHost)
                    .requestTimeout(timeout).connectTimeout(connectTimeout).retries(retries)
                    .backoff(backoff, maxBackoff).followRedirects(maxRedirects > 0, maxRedirects)
                    .respectRobots(robots).userAgent(userAgent).transport(transport).settings();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        prepareOutput();
        warnAboutFileDescriptors(err);
        final ProgressBar bar = new ProgressBar(err, !noProgress && System.console() != null);
        final CrawlSummary s;
        if (processes == 0) {
            s = CrawlJob.run(urls, output, resume, settings, null, bar);
        } else {
            try (ProcessPool pool = ProcessPool.builder().workers(processes).eagerStart(true).build()) {
                s = CrawlJob.run(urls, output, resume, settings, pool, bar);
            }
        }
        bar.finish();
        err.printf(Locale.ROOT, "crawled %,d URLs in %.2f s (%,.0f/s): %,d answered, %,d errors -> %s%n", s.urls(),
                s.elapsed().toNanos() / 1e9, s.perSecond(), s.ok(), s.failed(), output);
        err.flush();
        return 0;
    }

    /** {@code httpclient} or {@code sockets}. */
    static final class TransportConverter implements picocli.CommandLine.ITypeConverter<Crawler.Transport> {
        @Override
        public Crawler.Transport convert(final String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "httpclient", "http_client" -> Crawler.Transport.HTTP_CLIENT;
                case "sockets" -> Crawler.Transport.SOCKETS;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "transport must be httpclient or sockets, was '" + value + "'");
            };
        }
    }

    private void prepareOutput() {
        try {
            if (Files.exists(output) && Files.size(output) > 0 && !resume) {
                if (!overwrite) {
                    throw new ParameterException(spec.commandLine(), "output " + output
                            + " exists: use --resume to continue it or --overwrite to replace it");
                }
                Files.delete(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + output, e);
        }
    }

    /** One connection per request in flight: say so if the fd limit is below what the crawl needs. */
    private void warnAboutFileDescriptors(final PrintWriter err) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            final long perJvm = processes == 0 ? concurrency : (concurrency + processes - 1) / processes;
            if (os.getMaxFileDescriptorCount() < perJvm + 256) {
                err.printf(Locale.ROOT, "warning: the open-file limit is %,d and each crawling JVM may hold %,d "
                        + "connections; raise it (ulimit -n) or lower --concurrency%n",
                        os.getMaxFileDescriptorCount(), perJvm + 256);
                err.flush();
            }
        }
    }
}
