package io.bingfa.net.crawl;

import io.bingfa.pool.Pool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A crawl from a URL file to a JSONL file: what {@code bingfa crawl URLS_FILE} runs.
 *
 * <h2>Steps</h2>
 * <ol>
 *   <li>The URL file is read lazily, one URL per line; blank lines and lines starting with {@code #} are skipped,
 *       the rest are stripped and kept as they are (a bad one becomes an error result, not an abort).
 *   <li>With {@code resume}, the URLs already in the output ({@link CrawlJsonl#resume}) are skipped. Either way a
 *       URL is crawled once per run even if the file lists it twice: the set of URLs seen is kept in memory
 *       (about 100 bytes per URL: 200 MB for the seeds' 2,000,000).
 *   <li>The rest are crawled by a {@link Crawler} in this JVM ({@code pool} null) or by {@link ProcessCrawler} on
 *       {@code pool}'s workers, and every result is appended to the output by this thread, then shown to the
 *       listener.
 * </ol>
 * Before crawling, the URL file is counted once (a fast pass) so that the listener knows the total.
 */
public final class CrawlJob {

    private CrawlJob() {}

    /**
     * Told what the job does, one call at a time: from the calling thread with a pool, from the crawl's
     * virtual threads (under the crawl's lock) without one.
     */
    public interface Listener {
        /** Before the first result: URLs to crawl in this run, and URLs skipped because the output has them. */
        default void started(final long toCrawl, final long skipped) {}

        /** After {@code r} was appended to the output. */
        default void result(final CrawlResult r) {}
    }

    /** Crawls the URLs of {@code urlsFile} into {@code output}; see the class comment. */
    public static CrawlSummary run(final Path urlsFile, final Path output, final boolean resume,
            final CrawlSettings settings, final Pool pool, final Listener listener) {
        Objects.requireNonNull(urlsFile, "urlsFile");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(listener, "listener");
        if (!Files.isReadable(urlsFile)) {
            throw new IllegalArgumentException("urlsFile must be a readable file, was " + urlsFile);
        }
        final Set<String> seen = resume ? CrawlJsonl.resume(output) : new HashSet<>();
        long skipped = 0;
        long toCrawl = 0;
        try (Stream<String> lines = urls(urlsFile)) {
            for (final Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                final String url = it.next();
                if (seen.contains(url)) {
                    skipped++;
                } else {
                    toCrawl++; // a URL listed twice is counted twice here, crawled once
                }
            }
        }
        listener.started(toCrawl, skipped);
        try (Stream<String> lines = urls(urlsFile); CrawlJsonl.Writer out = CrawlJsonl.Writer.append(output)) {
            final Iterator<String> fresh = new Unseen(lines.iterator(), seen);
            final Consumer<CrawlResult> sink = r -> {
                out.write(r);
                listener.result(r);
            };
            if (pool == null) {
                try (Crawler crawler = Crawler.create(settings)) {
                    return crawler.crawl(fresh, sink); // calls the sink one result at a time
                }
            }
            return ProcessCrawler.crawl(pool, settings, 0, fresh, sink);
        }
    }

    /** The URLs of {@code file}: stripped lines, without blank lines and {@code #} comments. */
    public static Stream<String> urls(final Path file) {
        try {
            return Files.lines(file, StandardCharsets.UTF_8).map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Skips URLs in {@code seen}, adding each one it yields. */
    private static final class Unseen implements Iterator<String> {
        private final Iterator<String> in;
        private final Set<String> seen;
        private String next;

        Unseen(final Iterator<String> in, final Set<String> seen) {
            this.in = in;
            this.seen = seen;
        }

        @Override
        public boolean hasNext() {
            while (next == null && in.hasNext()) {
                final String u = in.next();
                if (seen.add(u)) {
                    next = u;
                }
            }
            return next != null;
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            final String u = next;
            next = null;
            return u;
        }
    }
}
