package io.bingfa.net.crawl;

import java.time.Duration;
import java.util.Objects;

/**
 * What a whole crawl did.
 *
 * @param urls    results delivered
 * @param ok      results without an error
 * @param elapsed wall time of the crawl
 */
public record CrawlSummary(long urls, long ok, Duration elapsed) {

    public CrawlSummary {
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Results with an error. */
    public long failed() {
        return urls - ok;
    }

    /** Results per second (0 for an empty crawl). */
    public double perSecond() {
        final double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : urls / s;
    }
}
