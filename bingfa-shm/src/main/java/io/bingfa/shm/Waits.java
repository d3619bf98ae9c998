package io.bingfa.shm;

import io.bingfa.internal.Durations;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Timeouts and the owner-liveness period shared by the blocking structures of this package.
 */
final class Waits {

    /** A wait without a time limit (also what a timeout beyond 292 years saturates to). */
    static final long FOREVER = Long.MAX_VALUE;

    /**
     * How often a waiter that got no wake-up checks whether the process it waits for is alive: the
     * longest a dead lock owner, a dead producer in the middle of a record, or a dead reader delays the
     * others. Reading {@code /proc} costs tens of microseconds, so not on every spin.
     */
    static final long LIVENESS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private Waits() {}

    /** Validates {@code timeout} (non-null, not negative) and returns it in nanoseconds, saturated. */
    static long toNanos(final Duration timeout) {
        return Durations.saturatedNanos(Durations.requireNonNegative(timeout, "timeout"));
    }

    /** The deadline for a wait of {@code nanos} started now; {@link #FOREVER} stays forever. */
    static long deadline(final long nanos) {
        if (nanos == FOREVER) {
            return FOREVER;
        }
        final long now = System.nanoTime();
        final long d = now + nanos;
        return d - now < 0 ? FOREVER : d; // overflow: as good as forever
    }

    /** Nanoseconds left until {@code deadline} (may be zero or negative); forever stays forever. */
    static long remaining(final long deadline) {
        return deadline == FOREVER ? FOREVER : deadline - System.nanoTime();
    }
}
