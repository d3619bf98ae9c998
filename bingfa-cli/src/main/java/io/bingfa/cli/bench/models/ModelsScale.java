package io.bingfa.cli.bench.models;

import io.bingfa.cli.bench.Scale;
import java.time.Duration;

/**
 * The workload sizes of the {@code models} suite at one {@link Scale}. Python runs the like-for-like
 * experiments with the very same counts; the seed-scale CPU run (4 x 10^8, the seed's own count) is
 * JVM-only, because Python needs minutes for it.
 *
 * @param cpuSteps       LCG steps per task in the like-for-like CPU-bound run (Python: about 0.2 us/step)
 * @param cpuSeedSteps   LCG steps per task in the JVM-only run at the seed's count; 0 skips it
 * @param ioSleep        each IO-bound task's sleep (the seed: 5 s)
 * @param generatorItems items through the generator and the loops (the seed: 10^8)
 * @param handOffs       items handed between two coroutines through a channel
 * @param eat            the eat task's sleep (the seed: 2 s)
 * @param play           the play task's sleep (the seed: 1 s)
 * @param crawlUrls      simulated URLs in the serial and 10-thread crawls
 * @param crawlLatency   each simulated URL's wait
 * @param crawlCoroUrls  simulated URLs in the one-coroutine-per-URL crawl
 * @param jvmReps        repetitions (median) of the cheap JVM runs
 * @param pythonReps     repetitions (median) inside the CPU-bound Python anchor
 */
public record ModelsScale(long cpuSteps, long cpuSeedSteps, Duration ioSleep, long generatorItems, long handOffs,
                          Duration eat, Duration play, int crawlUrls, Duration crawlLatency, int crawlCoroUrls,
                          int jvmReps, int pythonReps) {

    /** The seed's CPU-bound count per task. */
    public static final long SEED_CPU_STEPS = 100_000_000L;

    public static ModelsScale of(final Scale scale) {
        return switch (scale) {
            case TINY -> new ModelsScale(20_000, 0, Duration.ofMillis(20), 20_000, 2_000,
                    Duration.ofMillis(100), Duration.ofMillis(50), 10, Duration.ofMillis(5), 200, 1, 1);
            case QUICK -> new ModelsScale(1_000_000, SEED_CPU_STEPS, Duration.ofMillis(500), 2_000_000, 200_000,
                    Duration.ofSeconds(1), Duration.ofMillis(500), 50, Duration.ofMillis(20), 10_000, 5, 1);
            case FULL -> new ModelsScale(2_500_000, SEED_CPU_STEPS, Duration.ofSeconds(1), 10_000_000, 1_000_000,
                    Duration.ofSeconds(2), Duration.ofSeconds(1), 100, Duration.ofMillis(20), 100_000, 7, 3);
        };
    }
}
