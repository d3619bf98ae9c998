package io.bingfa.cli.bench.echo;

import io.bingfa.cli.bench.Scale;
import java.time.Duration;
import java.util.List;

/**
 * The workload sizes of the {@code echo} suite at one {@link Scale}.
 *
 * @param sizes       message sizes in bytes
 * @param connections client connection counts
 * @param warmup      unmeasured load before each run
 * @param duration    measured time of each run
 * @param reps        runs per (server, size, connections), interleaved over the servers; the median is reported
 * @param idle        connections held for the memory measurement
 * @param settle      pause before each RSS reading (closed connections leave, the server goes quiet)
 */
public record EchoScale(List<Integer> sizes, List<Integer> connections, Duration warmup, Duration duration, int reps,
                        int idle, Duration settle) {

    public static EchoScale of(final Scale scale) {
        return switch (scale) {
            case TINY -> new EchoScale(List.of(64), List.of(10), Duration.ofMillis(100), Duration.ofMillis(300), 1, 200,
                    Duration.ofMillis(200));
            case QUICK -> new EchoScale(List.of(64, 1024), List.of(100, 1000), Duration.ofMillis(300),
                    Duration.ofMillis(600), 1, 2_000, Duration.ofMillis(300));
            case FULL -> new EchoScale(List.of(64, 1024), List.of(100, 1000), Duration.ofSeconds(1),
                    Duration.ofSeconds(3), 3, 10_000, Duration.ofSeconds(1));
        };
    }
}
