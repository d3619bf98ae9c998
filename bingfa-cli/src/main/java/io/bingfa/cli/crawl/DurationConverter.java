package io.bingfa.cli.crawl;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads {@code 200ms}, {@code 2s}, {@code 1.5s}, {@code 3m} or an ISO-8601 duration ({@code PT2S}). */
public final class DurationConverter implements ITypeConverter<Duration> {

    @Override
    public Duration convert(final String value) {
        return parse(value);
    }

    /** The duration {@code value} names; a picocli conversion error naming it otherwise. */
    public static Duration parse(final String value) {
        final String v = value.strip().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            final String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}};
            for (final String[] u : units) {
                if (v.endsWith(u[0])) {
                    final double n = Double.parseDouble(v.substring(0, v.length() - u[0].length()).strip());
                    if (n < 0 || Double.isNaN(n) || Double.isInfinite(n)) {
                        break;
                    }
                    return Duration.ofNanos(Math.round(n * Long.parseLong(u[1]) * 1_000_000));
                }
            }
        } catch (RuntimeException e) {
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 200ms, 2s, 1m)");
        }
        throw new TypeConversionException("'" + value + "' is not a duration (e.g. 200ms, 2s, 1m)");
    }
}
