package io.bingfa.cli.bench.coro;

import io.bingfa.cli.bench.Measure;
import io.bingfa.future.TaskFuture;
import io.bingfa.pool.Pool;
import io.bingfa.pool.SerializableCallable;
import java.util.ArrayList;
import java.util.List;

/**
 * No-op tasks through a {@link Pool}: the cost of submit, run and result with no work in between, as a
 * sequential round trip (submit one, wait for it, repeat) and as a batch (submit many, then take every
 * result). The Python anchor does the same with {@code ThreadPoolExecutor(4)}.
 */
final class PoolThroughput {

    private static final SerializableCallable<Object> NOOP = () -> null;

    private PoolThroughput() {}

    /** Round trips per second over {@code n} sequential submit-then-result calls. */
    static double sequential(final Pool pool, final int n) {
        final double s = Measure.seconds(() -> {
            for (int i = 0; i < n; i++) {
                pool.submit(NOOP).result();
            }
        });
        return n / s;
    }

    /** Tasks per second over {@code rounds} batches of {@code batch} submits followed by every result. */
    static double batch(final Pool pool, final int batch, final int rounds) {
        final double s = Measure.seconds(() -> {
            for (int r = 0; r < rounds; r++) {
                final List<TaskFuture<Object>> futures = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    futures.add(pool.submit(NOOP));
                }
                for (final TaskFuture<Object> f : futures) {
                    f.result();
                }
            }
        });
        return (double) batch * rounds / s;
    }
}
