package io.bingfa.pool;

import io.bingfa.future.Outcome;
import io.bingfa.future.TaskFailedException;
import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The lazy iterators behind {@link Pool#map} and {@link Pool#mapUnordered}.
 *
 * <h2>Implementation notes</h2>
 * Both read the input in the consumer's thread and keep at most {@code lookAhead} chunks submitted and
 * not yet consumed: {@code map} holds them in a FIFO of futures and waits on the head (so results come
 * in input order); {@code mapUnordered} lets each future's done-callback put it on a completion queue and
 * takes from that. After each chunk is taken, one more is submitted, so the input is read only as fast
 * as results are consumed (Python 3.14's {@code buffersize}; before 3.14, {@code Executor.map} read all of
 * its input at once, gh-74028). The deadline is fixed when {@code map} is called, as in Python. On a task
 * failure, a timeout or {@link Stream#close()}, every chunk still outstanding is cancelled (queued ones
 * never start; running ones finish, as in Python).
 */
final class MapIterators {

    private MapIterators() {}

    static <T, R> Stream<R> ordered(final Pool pool, final SerializableFunction<? super T, ? extends R> fn,
                                    final Iterable<? extends T> inputs, final MapOptions options) {
        final Source<T, R> source = new Source<>(pool, fn, inputs, options);
        return stream(new Ordered<>(source));
    }

    static <T, R> Stream<R> unordered(final Pool pool, final SerializableFunction<? super T, ? extends R> fn,
                                      final Iterable<? extends T> inputs, final MapOptions options) {
        final Source<T, R> source = new Source<>(pool, fn, inputs, options);
        return stream(new Unordered<>(source));
    }

    private static <R> Stream<R> stream(final ResultIterator<R> it) {
        it.start();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
                .onClose(it::cancelOutstanding);
    }

    /** The input side shared by both iterators: validation, chunking, deadline. */
    private static final class Source<T, R> {
        final Pool pool;
        final SerializableFunction<? super T, ? extends R> fn;
        final Iterator<? extends T> inputs;
        final int chunkSize;
        final int lookAhead;
        final Duration timeout;
        final long deadline; // System.nanoTime() value; meaningful only if timeout != null

        Source(final Pool pool, final SerializableFunction<? super T, ? extends R> fn,
               final Iterable<? extends T> inputs, final MapOptions options) {
            this.pool = Objects.requireNonNull(pool, "pool");
            this.fn = Objects.requireNonNull(fn, "fn");
            this.inputs = Objects.requireNonNull(inputs, "inputs").iterator();
            Objects.requireNonNull(options, "options");
            this.chunkSize = options.chunkSize();
            this.lookAhead = options.lookAheadFor(pool.concurrency());
            this.timeout = options.timeout();
            this.deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        }

        /** The next chunk's future, or null when the input is exhausted. */
        TaskFuture<List<Outcome<R>>> submitNext() {
            if (!inputs.hasNext()) {
                return null;
            }
            final List<T> chunk = new ArrayList<>(Math.min(chunkSize, 1024));
            while (chunk.size() < chunkSize && inputs.hasNext()) {
                chunk.add(inputs.next());
            }
            return pool.submit(new ChunkTask<T, R>(fn, chunk));
        }

        /** Nanoseconds left before the deadline (Long.MAX_VALUE without a timeout). */
        long remainingNanos() {
            return timeout == null ? Long.MAX_VALUE : deadline - System.nanoTime();
        }

        WaitTimeoutException timedOut(final int outstanding) {
            return new WaitTimeoutException("map did not finish within " + timeout + "; "
                    + outstanding + " chunk(s) of up to " + chunkSize + " input(s) outstanding were cancelled");
        }
    }

    private abstract static class ResultIterator<R> implements Iterator<R> {
        private Iterator<Outcome<R>> current = Collections.emptyIterator();
        private boolean finished;

        abstract void start();

        /** The next chunk's results, waiting for them; null if no chunk is outstanding. */
        abstract List<Outcome<R>> nextChunk();

        abstract void cancelOutstanding();

        @Override
        public final boolean hasNext() {
            while (!current.hasNext()) {
                if (finished) {
                    return false;
                }
                final List<Outcome<R>> chunk = nextChunk();
                if (chunk == null) {
                    finished = true;
                    return false;
                }
                current = chunk.iterator();
            }
            return true;
        }

        @Override
        public final R next() {
            if (!hasNext()) {
                throw new NoSuchElementException("map has no more results");
            }
            return switch (current.next()) {
                case Outcome.Value<R> v -> v.value();
                case Outcome.Failure<R> f -> {
                    finished = true;
                    current = Collections.emptyIterator();
                    cancelOutstanding();
                    throw new TaskFailedException(f.exception());
                }
            };
        }

        /** Takes a chunk's results from its done future, turning a cancellation or failure into an exception. */
        final List<Outcome<R>> resultsOf(final TaskFuture<List<Outcome<R>>> f) {
            try {
                return f.result(Duration.ZERO);
            } catch (RuntimeException e) {
                finished = true;
                cancelOutstanding();
                throw e;
            }
        }

        final RuntimeException fail(final RuntimeException e) {
            finished = true;
            cancelOutstanding();
            return e;
        }
    }

    /** Results in input order: wait on the oldest outstanding chunk. */
    private static final class Ordered<T, R> extends ResultIterator<R> {
        private final Source<T, R> source;
        private final ArrayDeque<TaskFuture<List<Outcome<R>>>> outstanding = new ArrayDeque<>();

        Ordered(final Source<T, R> source) {
            this.source = source;
        }

        @Override
        void start() {
            fill();
        }

        private void fill() {
            while (outstanding.size() < source.lookAhead) {
                final TaskFuture<List<Outcome<R>>> f = source.submitNext();
                if (f == null) {
                    return;
                }
                outstanding.add(f);
            }
        }

        @Override
        List<Outcome<R>> nextChunk() {
            final TaskFuture<List<Outcome<R>>> head = outstanding.peek();
            if (head == null) {
                return null;
            }
            final long left = source.remainingNanos();
            try {
                head.result(left == Long.MAX_VALUE ? null : Duration.ofNanos(Math.max(0, left)));
            } catch (WaitTimeoutException e) {
                throw fail(source.timedOut(outstanding.size()));
            } catch (WaitInterruptedException e) {
                throw fail(e);
            } catch (RuntimeException e) {
                // failed or cancelled: resultsOf reports it below
            }
            outstanding.poll();
            fill();
            return resultsOf(head);
        }

        @Override
        void cancelOutstanding() {
            TaskFuture<List<Outcome<R>>> f;
            while ((f = outstanding.poll()) != null) {
                f.cancel(false);
            }
        }
    }

    /** Results in completion order: take from a queue fed by done-callbacks. */
    private static final class Unordered<T, R> extends ResultIterator<R> {
        private final Source<T, R> source;
        private final LinkedBlockingQueue<TaskFuture<List<Outcome<R>>>> completed = new LinkedBlockingQueue<>();
        private final Set<TaskFuture<List<Outcome<R>>>> outstanding = new HashSet<>();

        Unordered(final Source<T, R> source) {
            this.source = source;
        }

        @Override
        void start() {
            fill();
        }

        private void fill() {
            while (outstanding.size() < source.lookAhead) {
                final TaskFuture<List<Outcome<R>>> f = source.submitNext();
                if (f == null) {
                    return;
                }
                outstanding.add(f);
                f.onDone(completed::add);
            }
        }

        @Override
        List<Outcome<R>> nextChunk() {
            if (outstanding.isEmpty()) {
                return null;
            }
            final TaskFuture<List<Outcome<R>>> done;
            try {
                final long left = source.remainingNanos();
                done = left == Long.MAX_VALUE ? completed.take() : completed.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                throw fail(new WaitInterruptedException(e));
            }
            if (done == null) {
                throw fail(source.timedOut(outstanding.size()));
            }
            outstanding.remove(done);
            fill();
            return resultsOf(done);
        }

        @Override
        void cancelOutstanding() {
            for (TaskFuture<List<Outcome<R>>> f : outstanding) {
                f.cancel(false);
            }
            outstanding.clear();
        }
    }
}
