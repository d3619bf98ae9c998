package io.bingfa.cli.bench.models;

import io.bingfa.cli.bench.Measure;
import io.bingfa.future.TaskFuture;
import io.bingfa.pool.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The seed's CPU-bound test: four tasks of pure arithmetic, run one after the other, on four platform
 * threads and on four virtual threads.
 *
 * <p>The seed's loop ({@code res *= i} with {@code res = 0}) is one the JIT would delete, so each task runs
 * a 31-bit linear congruential generator, {@code x = (x * 1103515245 + 12345) & 0x7FFFFFFF}, seeded with
 * its task number + 1, and returns {@code x}; every result is summed into a checksum, so the loop has an
 * observable result and each step depends on the one before (no vectorizing, no closed form). The Python
 * anchor ({@code anchors/cpu_bound.py}) runs the very same generator and must print the same checksum.
 */
public final class CpuBound {

    /** The seed's four tasks. */
    public static final int TASKS = 4;

    private CpuBound() {}

    /** A timed run: wall seconds and the sum of the tasks' results. */
    public record Run(double seconds, long checksum) {}

    /** {@code steps} steps of the generator from {@code seed}; the last value. */
    public static long lcg(final long seed, final long steps) {
        long x = seed;
        for (long i = 0; i < steps; i++) {
            x = (x * 1103515245L + 12345L) & 0x7FFFFFFFL;
        }
        return x;
    }

    /** The tasks one after the other on the calling thread. */
    public static Run serial(final int tasks, final long steps) {
        final long[] sum = new long[1];
        final double s = Measure.seconds(() -> {
            long total = 0;
            for (int t = 0; t < tasks; t++) {
                total += lcg(t + 1, steps);
            }
            sum[0] = total;
        });
        return new Run(s, sum[0]);
    }

    /** The tasks submitted to a fresh pool from {@code pools} (created and closed inside the timing). */
    public static Run pooled(final Supplier<Pool> pools, final int tasks, final long steps) {
        final long[] sum = new long[1];
        final double s = Measure.seconds(() -> {
            try (Pool pool = pools.get()) {
                final List<TaskFuture<Long>> futures = new ArrayList<>(tasks);
                for (int t = 0; t < tasks; t++) {
                    final long seed = t + 1;
                    futures.add(pool.submit(() -> lcg(seed, steps)));
                }
                long total = 0;
                for (final TaskFuture<Long> f : futures) {
                    total += f.result();
                }
                sum[0] = total;
            }
        });
        return new Run(s, sum[0]);
    }

    /** Median of {@code reps} runs of {@code run}, after one untimed run that lets the JIT compile the loop. */
    public static Run median(final int reps, final Supplier<Run> run) {
        run.get();
        final double[] times = new double[reps];
        long checksum = 0;
        for (int i = 0; i < reps; i++) {
            final Run r = run.get();
            times[i] = r.seconds();
            checksum = r.checksum();
        }
        return new Run(Measure.median(times), checksum);
    }
}
