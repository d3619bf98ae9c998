package io.bingfa.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line's one duration syntax: {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m}, {@code 1h}, a bare
 * number of seconds ({@code 1.5}), or ISO-8601 ({@code PT5S}).
 */
public final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    @Override
    public Duration convert(final String value) {
        return parse(value);
    }

    /** The duration {@code value} names; a picocli conversion error naming it otherwise. */
    public static Duration parse(final String value) {
        final String v = value.strip().toLowerCase(Locale.ROOT);
        final Matcher m = SIMPLE.matcher(v);
        if (m.matches()) {
            final double n = Double.parseDouble(m.group(1));
            final String unit = m.group(2) == null ? "s" : m.group(2);
            final double nanosPerUnit = switch (unit) {
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            return Duration.ofNanos(Math.round(n * nanosPerUnit));
        }
        try {
            return Duration.parse(value.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 5s, 2m, PT5S)");
        }
    }
}
