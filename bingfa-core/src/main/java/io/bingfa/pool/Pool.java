package io.bingfa.pool;

import io.bingfa.future.TaskFuture;
import java.time.Duration;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Runs tasks somewhere else and hands back {@link TaskFuture}s: Python's {@code concurrent.futures.Executor}
 * ({@code ThreadPoolExecutor}, {@code ProcessPoolExecutor}) and gevent's {@code Pool}, in one interface.
 *
 * <p>Implementations: {@link Pools#threads(int)} (platform threads), {@link Pools#virtual()} and
 * {@link Pools#virtual(int)} (one virtual thread per task), and the process pool of {@code bingfa-process}
 * (worker JVMs). Nothing here assumes the task runs in this JVM: tasks and map functions are
 * {@linkplain SerializableCallable serializable functional types}, results travel back through futures,
 * and no thread identity, thread-local or shared mutable state is part of the contract.
 *
 * <h2>Lifecycle</h2>
 * <pre>
 *   RUNNING -&gt; SHUTDOWN     shutdown(wait, cancelPending): no new tasks; queued ones run unless cancelled
 *   SHUTDOWN -&gt; TERMINATED  the last task finished
 * </pre>
 * {@link #close()} is {@code shutdown(true, false)}, so try-with-resources waits for every task, as
 * Python's {@code with ThreadPoolExecutor() as pool:} does. Submitting after shutdown throws
 * {@link java.util.concurrent.RejectedExecutionException}.
 *
 * <h2>map</h2>
 * {@link #map} is lazy: it submits at most {@link MapOptions#lookAhead()} chunks ahead of the consumer
 * (Python 3.14's {@code buffersize}) and yields results in input order; {@link #mapUnordered} yields them
 * as they complete ({@code multiprocessing.Pool.imap_unordered}). If a task throws, the stream throws
 * {@link io.bingfa.future.TaskFailedException} at that element and the chunks still queued are cancelled;
 * if the timeout passes, it throws {@link io.bingfa.future.WaitTimeoutException} and does the same.
 * Closing the stream early also cancels what is queued.
 */
public interface Pool extends AutoCloseable {

    /** Submits a task that returns a value. */
    <T> TaskFuture<T> submit(SerializableCallable<T> task);

    /** Submits a task without a result; the future completes with {@code null}. */
    default TaskFuture<Void> submit(final SerializableRunnable task) {
        Objects.requireNonNull(task, "task");
        return submit(new RunnableTask(task));
    }

    /**
     * The most tasks this pool runs at once ({@link Integer#MAX_VALUE} if there is no limit). Used to
     * size {@link #map}'s default look-ahead.
     */
    int concurrency();

    /** {@code fn} over {@code inputs}, one input per task, results in input order. */
    default <T, R> Stream<R> map(final SerializableFunction<? super T, ? extends R> fn, final Iterable<? extends T> inputs) {
        return map(fn, inputs, MapOptions.defaults());
    }

    /** Python's {@code executor.map(fn, inputs, timeout=timeout, chunksize=chunkSize)}. */
    default <T, R> Stream<R> map(final SerializableFunction<? super T, ? extends R> fn, final Iterable<? extends T> inputs,
                                 final int chunkSize, final Duration timeout) {
        return map(fn, inputs, MapOptions.defaults().withChunkSize(chunkSize).withTimeout(timeout));
    }

    /** {@code fn} over {@code inputs} in input order, paced by {@code options}. */
    default <T, R> Stream<R> map(final SerializableFunction<? super T, ? extends R> fn, final Iterable<? extends T> inputs,
                                 final MapOptions options) {
        return MapIterators.ordered(this, fn, inputs, options);
    }

    /** {@code fn} over {@code inputs}, results as they complete. */
    default <T, R> Stream<R> mapUnordered(final SerializableFunction<? super T, ? extends R> fn,
                                          final Iterable<? extends T> inputs) {
        return mapUnordered(fn, inputs, MapOptions.defaults());
    }

    /** {@code fn} over {@code inputs}, results as they complete, paced by {@code options}. */
    default <T, R> Stream<R> mapUnordered(final SerializableFunction<? super T, ? extends R> fn,
                                          final Iterable<? extends T> inputs, final MapOptions options) {
        return MapIterators.unordered(this, fn, inputs, options);
    }

    /**
     * Stops accepting tasks. With {@code cancelPending}, tasks not yet started are cancelled (Python's
     * {@code cancel_futures=True}); running ones always finish. With {@code wait}, returns only when every
     * task that will run has finished. Calling it again is harmless.
     */
    void shutdown(boolean wait, boolean cancelPending);

    /** Waits up to {@code timeout} for the pool to terminate after {@link #shutdown}; true if it did. */
    boolean awaitTermination(Duration timeout);

    boolean isShutdown();

    boolean isTerminated();

    /** {@code shutdown(true, false)}. */
    @Override
    default void close() {
        shutdown(true, false);
    }
}
