package io.bingfa.cli.bench.models;

import io.bingfa.cli.bench.Measure;
import io.bingfa.coro.Coro;
import io.bingfa.future.TaskFuture;
import io.bingfa.pool.Pool;
import io.bingfa.pool.Pools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's crawler arithmetic: 2,000,000 URLs at 2 s each take 46.3 days one after the other and
 * 4.63 days on 10 threads. Here a small run is measured (N simulated URLs, each a {@link Coro#sleep} of
 * some latency) serially, on {@code Pools.threads(10)} and with one coroutine per URL, and each
 * measurement is extrapolated to the seed's numbers with one model:
 *
 * <pre>
 *   time(N, L, k) = ceil(N / k) * L  +  N * c          k workers (1 serial, 10 threads, N coroutines)
 *   c = max(0, measured - ceil(N / k) * L) / N          the per-URL overhead seen in the small run
 *   extrapolated = ceil(2,000,000 / k) * 2 s + 2,000,000 * c
 * </pre>
 * For one coroutine per URL, {@code k} is the number of URLs itself ({@link #ONE_PER_URL}): all wait at once.
 */
public final class Crawler {

    /** The seed's URL count. */
    public static final long SEED_URLS = 2_000_000;
    /** The seed's wait per request. */
    public static final Duration SEED_LATENCY = Duration.ofSeconds(2);
    /** The seed's thread count. */
    public static final int SEED_THREADS = 10;
    /** {@link #extrapolate}'s worker count for one coroutine per URL: every URL waits at once. */
    public static final long ONE_PER_URL = Long.MAX_VALUE;
    private static final double SECONDS_PER_DAY = 86_400;

    private Crawler() {}

    /** Crawling {@code urls} URLs of {@code latency} each, one after the other: seconds. */
    public static double serial(final int urls, final Duration latency) {
        return Measure.seconds(() -> {
            for (int i = 0; i < urls; i++) {
                Coro.sleep(latency);
            }
        });
    }

    /** The same on {@code Pools.threads(threads)}: seconds. */
    public static double threads(final int threads, final int urls, final Duration latency) {
        return Measure.seconds(() -> {
            try (Pool pool = Pools.threads(threads)) {
                final List<TaskFuture<Void>> futures = new ArrayList<>(urls);
                for (int i = 0; i < urls; i++) {
                    futures.add(pool.submit(() -> Coro.sleep(latency)));
                }
                for (final TaskFuture<Void> f : futures) {
                    f.result();
                }
            }
        });
    }

    /** The same with one coroutine per URL ({@code Coro.spawn}, then {@code Coro.joinAll}): seconds. */
    public static double coroutines(final int urls, final Duration latency) {
        return Measure.seconds(() -> {
            final List<TaskFuture<Void>> futures = new ArrayList<>(urls);
            for (int i = 0; i < urls; i++) {
                futures.add(Coro.spawn(() -> Coro.sleep(latency)));
            }
            if (!Coro.joinAll(futures, latency.multipliedBy(10).plusSeconds(60))) {
                throw new IllegalStateException(urls + " coroutines did not finish");
            }
        });
    }

    /**
     * {@code measured} seconds for {@code urls} URLs of {@code latency} on {@code workers} workers
     * ({@link #ONE_PER_URL} for a coroutine per URL), carried over to the seed's 2,000,000 URLs of 2 s with
     * the model of the class comment: seconds.
     */
    public static double extrapolate(final double measured, final int urls, final Duration latency, final long workers) {
        if (urls < 1 || workers < 1) {
            throw new IllegalArgumentException("urls and workers must be at least 1, were " + urls + " and " + workers);
        }
        final long rounds = rounds(urls, workers);
        final double perUrl = Math.max(0, measured - rounds * (latency.toNanos() / 1e9)) / urls;
        return rounds(SEED_URLS, workers) * (SEED_LATENCY.toNanos() / 1e9) + SEED_URLS * perUrl;
    }

    /** How many latencies {@code urls} URLs wait one after the other on {@code workers} workers. */
    private static long rounds(final long urls, final long workers) {
        return workers >= urls ? 1 : (urls + workers - 1) / workers;
    }

    /** Seconds as days. */
    public static double days(final double seconds) {
        return seconds / SECONDS_PER_DAY;
    }
}
