package io.bingfa.net.crawl;

import io.bingfa.internal.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link Crawler}'s settings as one serializable value, so that a worker JVM can build the same crawler
 * ({@link ProcessCrawler}). Made by {@link Crawler.Builder}; every field is described there.
 */
public record CrawlSettings(int concurrency, int perHostConcurrency, Duration connectTimeout, Duration requestTimeout,
        int retries, Duration backoffBase, Duration backoffMax, boolean followRedirects, int maxRedirects,
        boolean respectRobots, String userAgent, Crawler.Transport transport) implements Serializable {

    public CrawlSettings {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, was " + concurrency);
        }
        if (perHostConcurrency < 1) {
            throw new IllegalArgumentException("perHostConcurrency must be at least 1, was " + perHostConcurrency);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        if (retries < 0) {
            throw new IllegalArgumentException("retries must not be negative, was " + retries);
        }
        Durations.requireNonNegative(backoffBase, "backoffBase");
        Durations.requireNonNegative(backoffMax, "backoffMax");
        if (backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoffMax must be at least backoffBase (" + backoffBase + "), was "
                    + backoffMax);
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must not be negative, was " + maxRedirects);
        }
        Objects.requireNonNull(userAgent, "userAgent");
        if (userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("userAgent must be printable and not blank, was '" + userAgent + "'");
        }
        Objects.requireNonNull(transport, "transport");
    }

    private static void requirePositive(final Duration d, final String name) {
        Durations.requireNonNegative(d, name);
        if (d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** The same settings with another total concurrency (a worker's share of the whole crawl's). */
    public CrawlSettings withConcurrency(final int newConcurrency) {
        return new CrawlSettings(newConcurrency, perHostConcurrency, connectTimeout, requestTimeout, retries,
                backoffBase, backoffMax, followRedirects, maxRedirects, respectRobots, userAgent, transport);
    }

    /** The same settings with another per-host limit. */
    public CrawlSettings withPerHostConcurrency(final int newPerHost) {
        return new CrawlSettings(concurrency, newPerHost, connectTimeout, requestTimeout, retries,
                backoffBase, backoffMax, followRedirects, maxRedirects, respectRobots, userAgent, transport);
    }
}
