package io.bingfa.cli.bench.models;

import io.bingfa.cli.bench.Measure;
import io.bingfa.future.TaskFuture;
import io.bingfa.pool.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The seed's IO-bound test: four tasks that only wait ({@code time.sleep(5)} there, {@link Thread#sleep}
 * here), one after the other, on platform threads and on virtual threads. A virtual thread that sleeps
 * parks and frees its carrier, with no monkey-patching.
 */
public final class IoBound {

    private IoBound() {}

    /** The tasks one after the other: about {@code tasks * sleep}. */
    public static double serial(final int tasks, final Duration sleep) {
        return Measure.seconds(() -> {
            for (int t = 0; t < tasks; t++) {
                Thread.sleep(sleep);
            }
        });
    }

    /** The tasks submitted to a fresh pool from {@code pools}: about {@code sleep} when they all fit. */
    public static double pooled(final Supplier<Pool> pools, final int tasks, final Duration sleep) {
        return Measure.seconds(() -> {
            try (Pool pool = pools.get()) {
                final List<TaskFuture<Void>> futures = new ArrayList<>(tasks);
                for (int t = 0; t < tasks; t++) {
                    futures.add(pool.submit(() -> Thread.sleep(sleep)));
                }
                for (final TaskFuture<Void> f : futures) {
                    f.result();
                }
            }
        });
    }
}
