package io.bingfa.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The one place where Bingfa's public entry points check a {@link Duration} argument and turn it into
 * nanoseconds for a wait. Not API: the package is internal to Bingfa's modules.
 */
public final class Durations {

    private Durations() {}

    /**
     * Returns {@code d} if it is not negative.
     *
     * @throws NullPointerException naming {@code name} if {@code d} is null
     * @throws IllegalArgumentException naming {@code name} and the value if {@code d} is negative
     */
    public static Duration requireNonNegative(final Duration d, final String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
        return d;
    }

    /** {@code d} in nanoseconds, saturated at {@link Long#MAX_VALUE} instead of overflowing. */
    public static long saturatedNanos(final Duration d) {
        return TimeUnit.NANOSECONDS.convert(d);
    }
}
