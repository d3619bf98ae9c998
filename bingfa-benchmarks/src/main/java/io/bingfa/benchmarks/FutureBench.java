package io.bingfa.benchmarks;

import io.bingfa.future.TaskFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The single-threaded cost of a {@link TaskFuture}: what every pool and coroutine pays per task on top
 * of the hand-off.
 *
 * <ul>
 *   <li>{@code createCompleteResult}: new future, {@code setResult}, {@code result()}.</li>
 *   <li>{@code runInline}: new future, {@code run(callable)} (the runners' path: the running state, the
 *       interrupter, the completion), {@code result()}.</li>
 *   <li>{@code onDoneBeforeCompletion}: a callback registered while pending, run by {@code setResult}.</li>
 *   <li>{@code onDoneAfterCompletion}: a callback on a done future, run at once by {@code onDone}.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FutureBench {

    private static final Integer VALUE = 1;
    private static final Callable<Integer> TASK = () -> VALUE;

    private int callbacksRun;
    private final Consumer<TaskFuture<Integer>> callback = f -> callbacksRun++;

    @Benchmark
    public Integer createCompleteResult() {
        final TaskFuture<Integer> future = new TaskFuture<>();
        future.setResult(VALUE);
        return future.result();
    }

    @Benchmark
    public Integer runInline() {
        final TaskFuture<Integer> future = new TaskFuture<>();
        future.run(TASK);
        return future.result();
    }

    @Benchmark
    public void onDoneBeforeCompletion(final Blackhole blackhole) {
        final TaskFuture<Integer> future = new TaskFuture<>();
        future.onDone(callback);
        future.setResult(VALUE);
        blackhole.consume(callbacksRun);
    }

    @Benchmark
    public void onDoneAfterCompletion(final Blackhole blackhole) {
        final TaskFuture<Integer> future = TaskFuture.completed(VALUE);
        future.onDone(callback);
        blackhole.consume(callbacksRun);
    }
}
