package io.bingfa.coro;

import io.bingfa.internal.Durations;
import io.bingfa.future.TaskFailedException;
import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Coroutines: gevent's module functions ({@code spawn}, {@code spawn_later}, {@code joinall},
 * {@code killall}, {@code sleep}) and asyncio's {@code wait_for}, on virtual threads.
 *
 * <h2>Overview</h2>
 * A Bingfa coroutine is a virtual thread running one body, with a {@link TaskFuture} for its result.
 * {@link #spawn} starts the thread at once and returns the future; the future is what gevent calls the
 * greenlet ({@code g.join()} is {@code f.result()}, {@code g.value} is {@code f.resultNow()},
 * {@code g.kill()} is {@code f.cancel(true)}). The body runs through {@link TaskFuture#run}, which skips a
 * body cancelled before its thread got to it and keeps a cancelling interrupt from leaking out of it.
 *
 * <h2>Virtual threads are the coroutines</h2>
 * A greenlet switches only where gevent can see it (its own {@code sleep}, or the standard library after
 * {@code monkey.patch_all()}); a blocking call that gevent does not know stops every greenlet of the
 * thread. A virtual thread parks wherever the JDK blocks: {@link Thread#sleep}, sockets, files, locks,
 * {@code synchronized} (since JDK 24, JEP 491), queues. Nothing has to be patched, and {@link #sleep} is
 * only {@code Thread.sleep} with Bingfa's unchecked interrupt. Two differences matter when porting:
 * <ul>
 *   <li>Virtual threads run in parallel on all cores (there is no GIL and no single hub thread), so state
 *       that greenlets could share without a lock needs the usual Java care: immutable values, concurrent
 *       collections, locks. {@code CoroTest} shows the seed's shared-global example losing values.</li>
 *   <li>A coroutine is stopped by interruption ({@code cancel(true)}, {@link #killAll}), the JVM's
 *       {@code GreenletExit}: every blocking call throws at once, and a body that computes without
 *       blocking keeps going until it checks {@link Thread#isInterrupted()}.</li>
 * </ul>
 *
 * <h2>Thread-local and context data</h2>
 * Each coroutine is its own thread, so a {@link ThreadLocal} is per coroutine: Python's
 * {@code threading.local} and werkzeug's {@code Local} keyed by {@code greenlet.getcurrent} are both a
 * plain {@code ThreadLocal} here. A {@code ThreadLocal} is not passed to spawned children; a
 * {@link Context} is: every spawn captures {@link Context#current()} in the spawner and binds it again in
 * the child, because a {@link ScopedValue} binding is inherited automatically only by the subtasks of a
 * {@code StructuredTaskScope}, which is a preview API in JDK 25.
 *
 * <h2>spawnLater</h2>
 * {@link #spawnLater} starts the virtual thread at once and lets it wait out the delay on a latch that
 * the future's cancellation opens; then the same thread runs the body. A parked virtual thread costs a few
 * hundred bytes and the JDK already keeps the timer that wakes it, whereas a shared
 * {@code ScheduledExecutorService} would add a platform thread that lives as long as the JVM, a second
 * queue of timers, and a hand-off to yet another virtual thread (a body must not block the timer thread).
 * Cancelling before the delay ends opens the latch, so the sleeper exits at once and never runs the body.
 *
 * <h2>Structured or not</h2>
 * {@code spawn} is unstructured, like gevent's: the coroutine lives on after the spawner returns, and an
 * exception that nobody asks the future for is never seen. Use {@link TaskGroup} (asyncio's
 * {@code TaskGroup}) when children must not outlive their owner and a failure must cancel the rest.
 * {@link #withTimeout} is structured in the other direction: its body is a child that is interrupted when
 * time runs out.
 */
public final class Coro {

    /** Safe for concurrent use: the builder's factory numbers threads with an atomic counter. */
    private static final ThreadFactory THREADS = Thread.ofVirtual().name("bingfa-coro-", 1).factory();

    private Coro() {}

    /**
     * Starts {@code body} in a new virtual thread now (gevent's {@code spawn}, asyncio's
     * {@code create_task}). The body inherits the caller's {@link Context}.
     */
    public static <T> TaskFuture<T> spawn(final Callable<T> body) {
        Objects.requireNonNull(body, "body");
        final TaskFuture<T> future = new TaskFuture<>();
        start(Context.current(), () -> future.run(body));
        return future;
    }

    /** Starts {@code body} in a new virtual thread now; see {@link #spawn(Callable)}. */
    public static TaskFuture<Void> spawn(final Runnable body) {
        Objects.requireNonNull(body, "body");
        return spawn(Executors.<Void>callable(body, null));
    }

    /**
     * Runs {@code body} in a new virtual thread once {@code delay} has passed (gevent's
     * {@code spawn_later}, {@code threading.Timer}). The body inherits the caller's {@link Context}.
     * Cancelling the future before the delay ends means the body never runs, and the waiting virtual
     * thread ends at once.
     *
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public static <T> TaskFuture<T> spawnLater(final Duration delay, final Callable<T> body) {
        Durations.requireNonNegative(delay, "delay");
        Objects.requireNonNull(body, "body");
        final TaskFuture<T> future = new TaskFuture<>();
        // Only cancellation can complete a future whose body has not started, so this opens on cancel.
        final CountDownLatch cancelled = new CountDownLatch(1);
        future.onDone(f -> cancelled.countDown());
        start(Context.current(), () -> {
            if (waitOutDelay(delay, cancelled)) {
                future.run(body);
            } else {
                future.cancel(false); // a no-op when cancel() opened the latch; see waitOutDelay
            }
        });
        return future;
    }

    /** Runs {@code body} once {@code delay} has passed; see {@link #spawnLater(Duration, Callable)}. */
    public static TaskFuture<Void> spawnLater(final Duration delay, final Runnable body) {
        Objects.requireNonNull(body, "body");
        return spawnLater(delay, Executors.<Void>callable(body, null));
    }

    /**
     * {@code true} once {@code delay} has passed, {@code false} if {@code cancelled} opened first. Nothing
     * but a cancel of the future should interrupt this anonymous thread; if something does, the delayed
     * body is given up as if cancelled.
     */
    private static boolean waitOutDelay(final Duration delay, final CountDownLatch cancelled) {
        try {
            return !cancelled.await(delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            return false;
        }
    }

    /**
     * Waits until every future in {@code tasks} is done, or until {@code timeout} (null: no limit) has
     * passed (gevent's {@code joinall}). A failed or cancelled task counts as done; nothing is thrown for
     * it, and nothing is cancelled when time runs out.
     *
     * @return {@code true} if all are done
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws WaitInterruptedException if the calling thread is interrupted while waiting
     */
    public static boolean joinAll(final Collection<? extends Future<?>> tasks, final Duration timeout) {
        final List<Future<?>> futures = requireElements(tasks);
        if (timeout != null) {
            Durations.requireNonNegative(timeout, "timeout");
        }
        final long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        for (final Future<?> f : futures) {
            try {
                if (timeout == null) {
                    f.get();
                } else {
                    f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (ExecutionException | CancellationException e) {
                // done: joinAll reports completion, not outcome
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                throw new WaitInterruptedException(e);
            }
        }
        return true;
    }

    /**
     * Cancels every future in {@code tasks} with {@code cancel(true)}, so that running bodies are
     * interrupted (gevent's {@code killall}). Does not wait: a cancelled future is done at once, while its
     * body may take a moment to unwind from the interrupt.
     */
    public static void killAll(final Collection<? extends Future<?>> tasks) {
        for (final Future<?> f : requireElements(tasks)) {
            f.cancel(true);
        }
    }

    /**
     * Parks the calling (virtual) thread for {@code d} (gevent's {@code sleep}); {@code Duration.ZERO}
     * just lets other virtual threads run, like {@code gevent.sleep(0)}.
     *
     * @throws IllegalArgumentException if {@code d} is negative
     * @throws WaitInterruptedException if the thread is interrupted (its interrupt flag is set again)
     */
    public static void sleep(final Duration d) {
        Durations.requireNonNegative(d, "d");
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    /**
     * Runs {@code body} in a child virtual thread that inherits the caller's {@link Context}, and waits at
     * most {@code timeout} (null: no limit) for it (asyncio's {@code wait_for}). When time runs out the
     * child is cancelled with an interrupt and {@link WaitTimeoutException} is thrown at once, without
     * waiting for the child to unwind (a body that ignores interrupts would otherwise defeat the timeout).
     * If the child finishes in the instant between the timeout and the cancel, its outcome is returned.
     *
     * @throws WaitTimeoutException if {@code body} did not finish in time
     * @throws RuntimeException whatever unchecked exception {@code body} threw, unchanged (likewise an
     *         {@link Error})
     * @throws TaskFailedException if {@code body} threw a checked exception (the cause)
     * @throws WaitInterruptedException if the calling thread was interrupted; the child is cancelled
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public static <T> T withTimeout(final Duration timeout, final Callable<T> body) {
        if (timeout != null) {
            Durations.requireNonNegative(timeout, "timeout");
        }
        Objects.requireNonNull(body, "body");
        final TaskFuture<T> child = spawn(body);
        try {
            return unwrap(child, timeout);
        } catch (WaitTimeoutException e) {
            if (child.cancel(true)) {
                throw new WaitTimeoutException("body did not finish within " + timeout);
            }
            return unwrap(child, null); // finished just now, cannot block
        } catch (WaitInterruptedException e) {
            child.cancel(true);
            throw e;
        }
    }

    /** The child's value; its unchecked exception unchanged, a checked one wrapped. */
    private static <T> T unwrap(final TaskFuture<T> child, final Duration timeout) {
        try {
            return child.result(timeout);
        } catch (TaskFailedException e) {
            switch (e.getCause()) {
                case RuntimeException unchecked -> throw unchecked;
                case Error error -> throw error;
                case null, default -> throw e;
            }
        }
    }

    // ---------------------------------------------------------------- shared with TaskGroup

    /** Starts a coroutine that binds {@code context} and runs {@code body}. */
    static void start(final Context context, final Runnable body) {
        newThread(context, body).start();
    }

    /** An unstarted coroutine thread that binds {@code context} and runs {@code body}. */
    static Thread newThread(final Context context, final Runnable body) {
        return THREADS.newThread(() -> context.enter(body));
    }

    private static List<Future<?>> requireElements(final Collection<? extends Future<?>> tasks) {
        Objects.requireNonNull(tasks, "tasks");
        final List<Future<?>> copy = new ArrayList<>(tasks);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i) == null) {
                throw new NullPointerException("tasks must not contain null, found at index " + i);
            }
        }
        return copy;
    }
}
