package io.bingfa.cli.bench.coro;

import io.bingfa.cli.bench.Scale;
import java.time.Duration;

/**
 * The workload sizes of the {@code coro} suite at one {@link Scale}.
 *
 * @param bigSleepers   coroutines in the JVM-only sleepers run (the goal is stated for 1,000,000)
 * @param sleepers      coroutines in the like-for-like run beside gevent and asyncio
 * @param sleep         each sleeper's sleep
 * @param handOffs      items handed between two coroutines (JVM and gevent alike)
 * @param roundTrips    sequential submit-then-result calls
 * @param batch         tasks per batch in the batch run
 * @param batchRounds   batches in the batch run
 * @param reps          repetitions (median) of the cheap JVM runs
 */
public record CoroScale(int bigSleepers, int sleepers, Duration sleep, int handOffs, int roundTrips, int batch,
                        int batchRounds, int reps) {

    public static CoroScale of(final Scale scale) {
        return switch (scale) {
            case TINY -> new CoroScale(2_000, 1_000, Duration.ofMillis(100), 2_000, 1_000, 1_000, 2, 1);
            case QUICK -> new CoroScale(1_000_000, 100_000, Duration.ofSeconds(1), 200_000, 20_000, 10_000, 3, 3);
            case FULL -> new CoroScale(1_000_000, 100_000, Duration.ofSeconds(1), 1_000_000, 50_000, 10_000, 10, 5);
        };
    }
}
