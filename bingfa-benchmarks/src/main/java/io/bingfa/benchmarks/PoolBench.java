package io.bingfa.benchmarks;

import io.bingfa.future.TaskFuture;
import io.bingfa.pool.Pool;
import io.bingfa.pool.Pools;
import io.bingfa.pool.SerializableCallable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a pool costs per task when the task does nothing: the submit, the hand-off to a worker, the
 * completion of the {@link TaskFuture} and the wake-up of the caller.
 *
 * <ul>
 *   <li>{@code roundTrip}: submit one no-op and wait for its result, so every task pays a full
 *       caller -&gt; worker -&gt; caller wake-up (the latency of one call).</li>
 *   <li>{@code batch1000}: submit 1000 no-ops, then collect the 1000 results; reported per task, so
 *       it shows the throughput when the caller does not wait on each one.</li>
 * </ul>
 * {@code pool}: {@code threads2} is {@code Pools.threads(2)} (platform threads), {@code virtual} is
 * {@code Pools.virtual()} (one virtual thread per task).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PoolBench {

    private static final int BATCH = 1000;
    private static final SerializableCallable<Integer> NO_OP = () -> 1;

    @Param({"threads2", "virtual"})
    public String pool;

    private Pool executor;

    @Setup(Level.Trial)
    public void open() {
        executor = switch (pool) {
            case "threads2" -> Pools.threads(2);
            case "virtual" -> Pools.virtual();
            default -> throw new IllegalArgumentException("pool must be threads2 or virtual, was " + pool);
        };
    }

    @TearDown(Level.Trial)
    public void close() {
        executor.close();
    }

    @Benchmark
    public Integer roundTrip() {
        return executor.submit(NO_OP).result();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void batch1000(final Blackhole blackhole) {
        final List<TaskFuture<Integer>> futures = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            futures.add(executor.submit(NO_OP));
        }
        for (final TaskFuture<Integer> future : futures) {
            blackhole.consume(future.result());
        }
    }
}
