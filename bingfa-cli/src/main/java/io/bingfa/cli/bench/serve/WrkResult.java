package io.bingfa.cli.bench.serve;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one wrk run reported, parsed from its text output ({@code wrk --latency ...}):
 *
 * <pre>
 *   6260 requests in 3.01s, 2.11MB read          -> requests, seconds
 *   Socket errors: connect 0, read 0, write 0, timeout 12   (only when there were some)
 *   Non-2xx or 3xx responses: 5                              (only when there were some)
 * Requests/sec:   2076.71                         -> requestsPerSecond
 *   Latency Distribution
 *      50%   16.41ms                              -> p50Ms  (wrk's units: us, ms, s, m, h)
 *      99%   88.26ms                              -> p99Ms
 * bingfa-pairs: challenges=2095 ok=2067 ...       -> counters (lines our Lua scripts print in done())
 * </pre>
 *
 * {@link #parse} fails loudly (IllegalArgumentException naming the missing line) rather than returning
 * zeros: a changed wrk output format must not turn into a benchmark figure.
 */
public record WrkResult(long requests, double seconds, double requestsPerSecond, double p50Ms, double p99Ms,
        long non2xx, long socketErrors, Map<String, Long> counters) {

    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m|h)\\b");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^\\s+(50|99)(?:\\.0+)?%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern COUNTER_LINE = Pattern.compile("(?m)^bingfa-(\\w+):(.*)$");
    private static final Pattern COUNTER = Pattern.compile("(\\w+)=(\\d+)");

    public WrkResult {
        Objects.requireNonNull(counters, "counters");
        counters = Map.copyOf(counters);
    }

    /** Parses wrk's output; throws IllegalArgumentException naming what is missing. */
    public static WrkResult parse(final String output) {
        Objects.requireNonNull(output, "output");
        final Matcher total = find(TOTAL, output, "'N requests in T' line");
        final Matcher rate = find(RATE, output, "'Requests/sec:' line");
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        final Matcher pm = PERCENTILE.matcher(output);
        while (pm.find()) {
            final double ms = millis(Double.parseDouble(pm.group(2)), pm.group(3));
            if (pm.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        if (Double.isNaN(p50) || Double.isNaN(p99)) {
            throw new IllegalArgumentException("wrk output has no 50% and 99% lines under 'Latency Distribution' "
                    + "(was --latency given?): " + output);
        }
        final Matcher non2xx = NON_2XX.matcher(output);
        final Matcher socket = SOCKET_ERRORS.matcher(output);
        long socketErrors = 0;
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(socket.group(g));
            }
        }
        final Map<String, Long> counters = new LinkedHashMap<>();
        final Matcher lines = COUNTER_LINE.matcher(output);
        while (lines.find()) {
            final Matcher c = COUNTER.matcher(lines.group(2));
            while (c.find()) {
                counters.put(lines.group(1) + "." + c.group(1), Long.parseLong(c.group(2)));
            }
        }
        return new WrkResult(Long.parseLong(total.group(1)),
                millis(Double.parseDouble(total.group(2)), total.group(3)) / 1000.0,
                Double.parseDouble(rate.group(1)), p50, p99,
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0, socketErrors, counters);
    }

    /** The counter {@code script.name} (e.g. {@code pairs.ok}) a Lua script printed; throws if it did not. */
    public long counter(final String name) {
        final Long v = counters.get(name);
        if (v == null) {
            throw new IllegalStateException("the wrk script printed no counter " + name + "; it printed " + counters);
        }
        return v;
    }

    /** Requests that did not get a 2xx/3xx answer or hit a socket error. */
    public long failures() {
        return non2xx + socketErrors;
    }

    private static Matcher find(final Pattern p, final String output, final String what) {
        final Matcher m = p.matcher(output);
        if (!m.find()) {
            throw new IllegalArgumentException("wrk output has no " + what + ": " + output);
        }
        return m;
    }

    private static double millis(final double value, final String unit) {
        return switch (unit) {
            case "us" -> value / 1000.0;
            case "ms" -> value;
            case "s" -> value * 1000.0;
            case "m" -> value * 60_000.0;
            case "h" -> value * 3_600_000.0;
            default -> throw new IllegalArgumentException("unit must be one of wrk's us, ms, s, m, h; was " + unit);
        };
    }
}
