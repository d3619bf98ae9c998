package io.bingfa.cli.bench.pool;

import io.bingfa.cli.bench.Scale;

/**
 * The workload sizes of the {@code pool} suite at one {@link Scale}.
 *
 * @param roundTrips sequential submit-then-result calls (and ping-pongs)
 * @param batch      tasks per batch in the throughput run
 * @param rounds     batches in the throughput run
 * @param mapItems   inputs of the chunked map
 * @param chunk      map chunk size (the 256)
 * @param starts     pools built for the cold-start median
 * @param reps       repetitions (median) of the JVM runs
 */
public record PoolScale(int roundTrips, int batch, int rounds, int mapItems, int chunk, int starts, int reps) {

    public static PoolScale of(final Scale scale) {
        return switch (scale) {
            case TINY -> new PoolScale(500, 1_000, 1, 20_000, 256, 1, 1);
            case QUICK -> new PoolScale(5_000, 10_000, 2, 1_000_000, 256, 3, 3);
            case FULL -> new PoolScale(20_000, 10_000, 5, 4_000_000, 256, 7, 5);
        };
    }
}
