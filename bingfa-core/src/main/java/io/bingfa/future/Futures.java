package io.bingfa.future;

import io.bingfa.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Waiting on several futures at once: Python's {@code concurrent.futures.as_completed} and {@code wait},
 * and asyncio's {@code gather}.
 *
 * <h2>Implementation notes</h2>
 * All three register a done-callback on each future that is not yet done and then wait on one object of
 * their own (a queue for {@code asCompleted}, a lock and condition for {@code waitFor} and
 * {@code gather}), so a wait on N futures costs N callbacks and no polling. Futures cannot take a
 * callback back; one registered by a wait that has since returned stays until its future completes, and
 * then does nothing of consequence. Duplicate futures in the input are counted once (Python uses a set).
 * A {@code timeout} of {@code null} means no limit; the limit counts from the call, as in Python.
 */
public final class Futures {

    private Futures() {}

    /**
     * The futures in the order they complete (already completed ones first), as they complete. The
     * returned {@link Iterable} may be iterated once; its iterator's {@code next()} blocks.
     *
     * @throws WaitTimeoutException from {@code next()} if {@code timeout} (counted from this call) passes
     *                              first; the message says how many futures are unfinished
     */
    public static <T> Iterable<TaskFuture<T>> asCompleted(final Collection<? extends TaskFuture<T>> futures,
                                                          final Duration timeout) {
        final List<TaskFuture<T>> unique = distinct(futures, "futures");
        checkTimeout(timeout);
        final long deadline = deadline(timeout);
        final LinkedBlockingQueue<TaskFuture<T>> completed = new LinkedBlockingQueue<>();
        for (TaskFuture<T> f : unique) {
            f.onDone(completed::add);
        }
        final AtomicBoolean iterated = new AtomicBoolean();
        return () -> {
            if (!iterated.compareAndSet(false, true)) {
                throw new IllegalStateException("asCompleted's result can be iterated only once");
            }
            return new Iterator<>() {
                private int yielded;

                @Override
                public boolean hasNext() {
                    return yielded < unique.size();
                }

                @Override
                public TaskFuture<T> next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException("every future has been yielded");
                    }
                    final TaskFuture<T> f;
                    try {
                        f = timeout == null ? completed.take()
                                : completed.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        throw new WaitInterruptedException(e);
                    }
                    if (f == null) {
                        throw new WaitTimeoutException((unique.size() - yielded) + " (of " + unique.size()
                                + ") futures unfinished after " + timeout);
                    }
                    yielded++;
                    return f;
                }
            };
        };
    }

    /** {@link #asCompleted(Collection, Duration)} without a time limit. */
    public static <T> Iterable<TaskFuture<T>> asCompleted(final Collection<? extends TaskFuture<T>> futures) {
        return asCompleted(futures, null);
    }

    /**
     * Waits until {@code returnWhen} is satisfied or {@code timeout} passes, and reports which futures
     * were done then. Never throws for a failed or cancelled future and never on timeout (check
     * {@link Done#notDone()}). A cancelled future does not count as an exception for
     * {@link ReturnWhen#FIRST_EXCEPTION}, as in Python.
     */
    public static <T> Done<T> waitFor(final Collection<? extends TaskFuture<T>> futures, final Duration timeout,
                                      final ReturnWhen returnWhen) {
        final List<TaskFuture<T>> unique = distinct(futures, "futures");
        checkTimeout(timeout);
        Objects.requireNonNull(returnWhen, "returnWhen");
        final Waiter waiter = new Waiter(returnWhen, unique.size());
        for (TaskFuture<T> f : unique) {
            f.onDone(waiter::onDone);
        }
        waiter.await(deadline(timeout), timeout != null);
        final Set<TaskFuture<T>> done = new LinkedHashSet<>();
        final Set<TaskFuture<T>> notDone = new LinkedHashSet<>();
        for (TaskFuture<T> f : unique) {
            (f.isDone() ? done : notDone).add(f);
        }
        return new Done<>(done, notDone);
    }

    /** {@link #waitFor(Collection, Duration, ReturnWhen)} without a time limit. */
    public static <T> Done<T> waitFor(final Collection<? extends TaskFuture<T>> futures, final ReturnWhen returnWhen) {
        return waitFor(futures, null, returnWhen);
    }

    /**
     * The results in input order once all are done (asyncio's {@code gather}). The first failure to
     * happen is thrown at once as a {@link TaskFailedException} (a cancellation as
     * {@link CancellationException}); the other futures are left running, as in asyncio.
     */
    public static <T> List<T> gather(final List<? extends TaskFuture<T>> futures) {
        final List<Outcome<T>> outcomes = gather(futures, false);
        final List<T> values = new ArrayList<>(outcomes.size());
        for (Outcome<T> o : outcomes) {
            values.add(o.getOrThrow());
        }
        return values;
    }

    /**
     * The outcomes in input order once all are done. With {@code returnExceptions}, failures and
     * cancellations are returned as {@link Outcome.Failure}s; without it, the first failure to happen is
     * thrown at once, as {@link #gather(List)} does.
     */
    public static <T> List<Outcome<T>> gather(final List<? extends TaskFuture<T>> futures, final boolean returnExceptions) {
        Objects.requireNonNull(futures, "futures");
        for (int i = 0; i < futures.size(); i++) {
            Objects.requireNonNull(futures.get(i), "futures[" + i + "]");
        }
        if (!returnExceptions) {
            waitFor(futures, null, ReturnWhen.FIRST_EXCEPTION);
            for (TaskFuture<T> f : futures) {
                if (f.isDone() && f.isCancelled()) {
                    throw new CancellationException("a gathered task was cancelled: " + f);
                }
                if (f.state() == java.util.concurrent.Future.State.FAILED) {
                    throw new TaskFailedException(f.exception());
                }
            }
        }
        final List<Outcome<T>> out = new ArrayList<>(futures.size());
        for (TaskFuture<T> f : futures) {
            out.add(outcomeOf(f));
        }
        return out;
    }

    private static <T> Outcome<T> outcomeOf(final TaskFuture<T> f) {
        try {
            return new Outcome.Value<>(f.result());
        } catch (TaskFailedException e) {
            return new Outcome.Failure<>(e.getCause());
        } catch (CancellationException e) {
            return new Outcome.Failure<>(e);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static <T> List<TaskFuture<T>> distinct(final Collection<? extends TaskFuture<T>> futures, final String name) {
        Objects.requireNonNull(futures, name);
        final Set<TaskFuture<T>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        final List<TaskFuture<T>> out = new ArrayList<>(futures.size());
        int i = 0;
        for (TaskFuture<T> f : futures) {
            Objects.requireNonNull(f, name + "[" + i + "]");
            if (seen.add(f)) {
                out.add(f);
            }
            i++;
        }
        return out;
    }

    private static void checkTimeout(final Duration timeout) {
        if (timeout != null) {
            Durations.requireNonNegative(timeout, "timeout");
        }
    }

    private static long deadline(final Duration timeout) {
        return timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
    }

    /** Counts completions for {@link #waitFor} and wakes the waiting thread when its condition holds. */
    private static final class Waiter {
        private final ReturnWhen returnWhen;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition satisfied = lock.newCondition();
        private int remaining;
        private boolean released;

        Waiter(final ReturnWhen returnWhen, final int count) {
            this.returnWhen = returnWhen;
            this.remaining = count;
            this.released = count == 0;
        }

        void onDone(final TaskFuture<?> f) {
            lock.lock();
            try {
                remaining--;
                final boolean failed = f.state() == java.util.concurrent.Future.State.FAILED;
                final boolean release = switch (returnWhen) {
                    case FIRST_COMPLETED -> true;
                    case FIRST_EXCEPTION -> failed || remaining == 0;
                    case ALL_COMPLETED -> remaining == 0;
                };
                if (release && !released) {
                    released = true;
                    satisfied.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }

        void await(final long deadline, final boolean timed) {
            lock.lock();
            try {
                while (!released) {
                    if (timed) {
                        final long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return;
                        }
                        satisfied.awaitNanos(left);
                    } else {
                        satisfied.await();
                    }
                }
            } catch (InterruptedException e) {
                throw new WaitInterruptedException(e);
            } finally {
                lock.unlock();
            }
        }
    }
}
