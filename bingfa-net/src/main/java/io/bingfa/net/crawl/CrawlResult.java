package io.bingfa.net.crawl;

import java.io.Serializable;
import java.util.Objects;

/**
 * What crawling one URL gave: one line of the crawl's JSONL output ({@link CrawlJsonl}).
 *
 * @param url      the URL exactly as it was given (the key a resumed crawl skips by)
 * @param status   the HTTP status of the last response, or 0 if none arrived (bad URL, connection error,
 *                 time-out, robots.txt)
 * @param bytes    body bytes of the last response
 * @param millis   wall time from the first attempt to the end, back-offs and redirects included
 * @param error    why the URL could not be fetched, or null if a final response arrived (a 404 is not an error;
 *                 a 503 that outlived every retry is)
 * @param attempts HTTP requests made for this URL (redirect hops and retries included, robots.txt not)
 * @param finalUrl the URL this URL's crawl ended at (differs from {@code url} after redirects), or null for a bad URL
 */
public record CrawlResult(String url, int status, long bytes, long millis, String error, int attempts, String finalUrl)
        implements Serializable {

    public CrawlResult {
        Objects.requireNonNull(url, "url");
        if (status < 0 || bytes < 0 || millis < 0 || attempts < 0) {
            throw new IllegalArgumentException("status, bytes, millis and attempts must not be negative, were "
                    + status + ", " + bytes + ", " + millis + ", " + attempts);
        }
    }

    /** A URL that was never requested: bad syntax, or disallowed by robots.txt. */
    static CrawlResult rejected(final String url, final String error, final long millis) {
        return new CrawlResult(url, 0, 0, millis, error, 0, null);
    }

    /** True if a final response arrived ({@link #error()} is null). */
    public boolean ok() {
        return error == null;
    }
}
