package io.bingfa.cli.tour;

import java.time.Duration;

/**
 * The tour's workload sizes. {@link #STANDARD} runs the seeds' own counts where the JVM can afford them
 * (4 x 10^8 CPU steps, 10^8 generator items, 2 s + 1 s eat/play) and scales down what only waits or
 * what would take minutes (IO sleeps of 1 s instead of 5 s; 10^6 coroutine hand-offs, reported scaled to
 * 10^8). The real crawl ({@code http*}) is the crawl bench's quick size cut to about a second: 5,000 URLs at
 * 200 ms with 1,000 in flight. {@link #TINY} is for tests.
 */
record TourScale(long cpuSteps, Duration ioSleep, long generatorItems, long handOffs, Duration eat, Duration play,
                 int crawlUrls, Duration crawlLatency, int crawlCoroUrls, int httpUrls, int httpConcurrency,
                 Duration httpLatency) {

    /** The seed's counts: 10^8 per CPU task, 10^8 generator items, sleeps of 5 s. */
    static final long SEED_ITEMS = 100_000_000L;
    static final Duration SEED_IO_SLEEP = Duration.ofSeconds(5);

    static final TourScale STANDARD = new TourScale(SEED_ITEMS, Duration.ofSeconds(1), SEED_ITEMS, 1_000_000,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 100, Duration.ofMillis(20), 100_000, 5_000, 1_000,
            Duration.ofMillis(200));

    static final TourScale TINY = new TourScale(100_000, Duration.ofMillis(20), 100_000, 2_000,
            Duration.ofMillis(100), Duration.ofMillis(50), 10, Duration.ofMillis(5), 200, 200, 50,
            Duration.ofMillis(20));
}
