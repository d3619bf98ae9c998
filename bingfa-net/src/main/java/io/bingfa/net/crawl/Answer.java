package io.bingfa.net.crawl;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * One HTTP response as the {@link Crawler} needs it, or why there was none ({@code error}); what a
 * {@link CrawlTransport} returns. {@code body} is kept only when asked for (robots.txt).
 */
record Answer(int status, long bytes, String location, Duration retryAfter, String body, String error) {

    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    static Answer failed(final String error) {
        return new Answer(0, 0, null, null, null, error);
    }

    /** A 5xx, a 429 or no response at all. */
    boolean retryable() {
        return error != null || status == 429 || (status >= 500 && status <= 599);
    }

    /** {@code Retry-After} as seconds or an HTTP date, capped at 5 minutes; null if absent or unreadable. */
    static Duration retryAfter(final String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        final String v = value.strip();
        try {
            final long seconds = Long.parseLong(v);
            return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds()));
        } catch (NumberFormatException e) {
            try {
                final Duration d = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
