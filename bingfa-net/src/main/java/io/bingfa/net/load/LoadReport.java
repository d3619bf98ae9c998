package io.bingfa.net.load;

import java.util.Locale;

/**
 * What one run of {@link EchoLoad} measured. Latencies are round trips (write the message, read the whole
 * reply) in microseconds, from the histogram of the measured window; the warm-up is left out of all of it.
 *
 * @param connections     client connections
 * @param size            bytes per message
 * @param seconds         length of the measured window
 * @param messages        round trips completed in the window
 * @param perSecond       {@code messages / seconds}
 * @param p50Micros       median round trip
 * @param p99Micros       99th percentile
 * @param p999Micros      99.9th percentile
 * @param maxMicros       slowest round trip
 * @param errors          connections that failed (refused, reset, closed early, a wrong reply)
 * @param firstError      the first failure, or null
 * @param allMessages     round trips completed in the whole run, warm-up and stop included (for costs per
 *                        message measured around the whole run, such as the server's CPU time)
 */
public record LoadReport(int connections, int size, double seconds, long messages, double perSecond,
                         double p50Micros, double p99Micros, double p999Micros, double maxMicros,
                         int errors, String firstError, long allMessages) {

    /** One line for people: {@code 100 connections x 64 B: 85,000 msgs/s, p50 1.1 ms, p99 3.2 ms, ...}. */
    public String summary() {
        return String.format(Locale.ROOT, "%,d connections x %,d B for %.1f s: %,.0f msgs/s, p50 %s, p99 %s, p99.9 %s, max %s, "
                        + "%d errors%s", connections, size, seconds, perSecond, micros(p50Micros), micros(p99Micros),
                micros(p999Micros), micros(maxMicros), errors, firstError == null ? "" : " (first: " + firstError + ")");
    }

    private static String micros(final double us) {
        return us >= 1000 ? String.format(Locale.ROOT, "%.2f ms", us / 1000) : String.format(Locale.ROOT, "%.0f us", us);
    }
}
