package io.bingfa.future;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pending result of a task submitted to a {@link io.bingfa.pool.Pool} or spawned as a coroutine:
 * Python's {@code concurrent.futures.Future} with Java's {@link Future} contract.
 *
 * <h2>Overview</h2>
 * A future is created {@code PENDING} by whoever will run the task (a pool, {@code Coro.spawn}, a
 * process pool's dispatcher). The runner calls {@link #setRunningOrNotifyCancel(Runnable)} just before
 * starting the task, then {@link #setResult} or {@link #setException}; callers wait with
 * {@link #result(Duration)}, inspect with {@link #exception(Duration)}, cancel with
 * {@link #cancel(boolean)} and attach callbacks with {@link #onDone}.
 *
 * <h2>States and transitions</h2>
 * <pre>
 *   PENDING -----------------------------&gt; CANCELLED     cancel(any)
 *   PENDING -&gt; RUNNING                                   setRunningOrNotifyCancel(interrupter)
 *   RUNNING -&gt; INTERRUPTING -&gt; CANCELLED                 cancel(true): the interrupter runs in between
 *   PENDING | RUNNING -&gt; SUCCEEDED | FAILED              setResult / setException
 * </pre>
 * {@code cancel(false)} on a running task returns {@code false} and changes nothing (Python's
 * {@code cancel()} does the same). {@code cancel(true)} on a running task moves it to
 * {@code CANCELLED} at once, asks the runner to stop through the interrupter it registered (a thread
 * interrupt in-process; a message to the worker for a process pool), and drops whatever the task later
 * returns. A second completion is ignored and reported by the {@code boolean} the setters return.
 *
 * <h2>Waiting and callbacks</h2>
 * Completion and timed waiting are delegated to an internal {@link CompletableFuture}, which already
 * parks waiters efficiently (virtual threads included). Callbacks are kept here instead, because a
 * {@code CompletableFuture} runs its dependents in reverse order of registration and Python promises
 * registration order. Callbacks run in the thread that completes the future, or at once in the caller
 * if it is already done; one that throws is logged and the rest still run.
 *
 * <h2>Exceptions</h2>
 * {@link #result(Duration)} throws {@link TaskFailedException} (cause: what the task threw),
 * {@link CancellationException}, {@link WaitTimeoutException} or {@link WaitInterruptedException}, all
 * unchecked. The {@link Future} methods {@link #get()} keep the JDK's checked exceptions.
 */
public final class TaskFuture<T> implements Future<T> {

    private static final Logger LOG = LoggerFactory.getLogger(TaskFuture.class);

    // Lifecycle states (see the class comment for the transitions).
    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int INTERRUPTING = 2;
    private static final int CANCELLED = 3;
    private static final int SUCCEEDED = 4;
    private static final int FAILED = 5;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(TaskFuture.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = PENDING;
    /** Written by the runner before it leaves RUNNING; read only by cancel(true) after INTERRUPTING. */
    private volatile Runnable interrupter;
    private final CompletableFuture<T> completion = new CompletableFuture<>();
    /** Guarded by {@code this}; null once callbacks have been run. */
    private List<Consumer<? super TaskFuture<T>>> callbacks = new ArrayList<>(2);

    /** A new pending future, for {@link io.bingfa.pool.Pool} implementations and tests. */
    public TaskFuture() {}

    /** A future that is already done with {@code value}. */
    public static <T> TaskFuture<T> completed(final T value) {
        final TaskFuture<T> f = new TaskFuture<>();
        f.setResult(value);
        return f;
    }

    /** A future that already failed with {@code exception}. */
    public static <T> TaskFuture<T> failed(final Throwable exception) {
        final TaskFuture<T> f = new TaskFuture<>();
        f.setException(exception);
        return f;
    }

    // ---------------------------------------------------------------- memory-ordering accessors

    private int lvState() {
        return state;
    }

    private boolean casState(final int expect, final int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    // ---------------------------------------------------------------- runner side

    /**
     * Marks the future running, unless it was cancelled while queued (then returns {@code false} and the
     * runner must skip the task). {@code interrupter} is what {@code cancel(true)} calls to stop the task
     * while it runs; it may be {@code null} when the task cannot be interrupted.
     *
     * @throws IllegalStateException if the future is already running or done (a runner bug)
     */
    public boolean setRunningOrNotifyCancel(final Runnable interrupter) {
        this.interrupter = interrupter;
        if (casState(PENDING, RUNNING)) {
            return true;
        }
        final int s = lvState();
        if (s == CANCELLED) {
            return false;
        }
        throw new IllegalStateException("future is already " + stateName(s) + ": " + this);
    }

    /**
     * Completes the future with {@code value}. Returns {@code false}, changing nothing, if it was already
     * done (for instance cancelled while the task ran).
     */
    public boolean setResult(final T value) {
        if (!casState(PENDING, SUCCEEDED) && !casState(RUNNING, SUCCEEDED)) {
            return false;
        }
        completion.complete(value);
        runCallbacks();
        return true;
    }

    /**
     * Completes the future with the task's exception. Returns {@code false}, changing nothing, if it was
     * already done.
     */
    public boolean setException(final Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        if (!casState(PENDING, FAILED) && !casState(RUNNING, FAILED)) {
            return false;
        }
        completion.completeExceptionally(exception);
        runCallbacks();
        return true;
    }

    /**
     * Runs {@code task} in the calling thread as this future's task: the in-process pools and coroutines
     * use it. Skips the task if the future was cancelled while queued. If {@code cancel(true)} interrupts
     * the task, the interrupt is cleared before this returns, so that it cannot leak into the next task
     * the same thread runs.
     *
     * @return {@code true} if the task ran
     */
    public boolean run(final Callable<? extends T> task) {
        final Thread runner = Thread.currentThread();
        if (!setRunningOrNotifyCancel(runner::interrupt)) {
            return false;
        }
        try {
            setResult(task.call());
        } catch (Throwable t) {
            setException(t);
        }
        if (lvState() == INTERRUPTING || lvState() == CANCELLED) {
            // The interrupt aimed at this task may still be on its way: wait for it, then swallow it.
            while (lvState() == INTERRUPTING) {
                Thread.onSpinWait();
            }
            Thread.interrupted();
        }
        return true;
    }

    // ---------------------------------------------------------------- caller side

    /**
     * Cancels the task. A queued task is cancelled whatever {@code mayInterruptIfRunning} says. A running
     * task is cancelled only with {@code mayInterruptIfRunning}: it is then interrupted and the future is
     * cancelled at once. Returns {@code true} if the future is cancelled after this call (also when it
     * already was), {@code false} if it finished first or is running and may not be interrupted.
     */
    @Override
    public boolean cancel(final boolean mayInterruptIfRunning) {
        for (;;) {
            final int s = lvState();
            if (s == PENDING) {
                if (casState(PENDING, CANCELLED)) {
                    finishCancel();
                    return true;
                }
            } else if (s == RUNNING) {
                if (!mayInterruptIfRunning) {
                    return false;
                }
                if (casState(RUNNING, INTERRUPTING)) {
                    try {
                        final Runnable i = interrupter;
                        if (i != null) {
                            i.run();
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("interrupting the task of {} failed", this, e);
                    } finally {
                        state = CANCELLED; // sv: releases the runner's spin in run()
                    }
                    finishCancel();
                    return true;
                }
            } else {
                return s == CANCELLED || s == INTERRUPTING;
            }
        }
    }

    /** Python's {@code future.cancel()}: cancels the task only if it has not started. */
    public boolean cancel() {
        return cancel(false);
    }

    private void finishCancel() {
        completion.cancel(false);
        runCallbacks();
    }

    @Override
    public boolean isCancelled() {
        final int s = lvState();
        return s == CANCELLED || s == INTERRUPTING;
    }

    @Override
    public boolean isDone() {
        return lvState() >= INTERRUPTING;
    }

    /** {@code true} while the task runs (Python's {@code running()}). */
    public boolean isRunning() {
        return lvState() == RUNNING;
    }

    @Override
    public State state() {
        return switch (lvState()) {
            case PENDING, RUNNING -> State.RUNNING;
            case SUCCEEDED -> State.SUCCESS;
            case FAILED -> State.FAILED;
            default -> State.CANCELLED;
        };
    }

    /** Waits as long as it takes for the result. See {@link #result(Duration)}. */
    public T result() {
        return result(null);
    }

    /**
     * Waits at most {@code timeout} (null: forever) for the task and returns its value.
     *
     * @throws TaskFailedException if the task threw (the cause is what it threw)
     * @throws CancellationException if the task was cancelled
     * @throws WaitTimeoutException if the time ran out; the task goes on
     * @throws WaitInterruptedException if the waiting thread was interrupted
     */
    public T result(final Duration timeout) {
        awaitDone(timeout);
        try {
            return completion.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new TaskFailedException(e.getCause());
        }
    }

    /** Waits as long as it takes; see {@link #exception(Duration)}. */
    public Throwable exception() {
        return exception(null);
    }

    /**
     * Waits at most {@code timeout} (null: forever) and returns what the task threw, or {@code null} if
     * it returned normally.
     *
     * @throws CancellationException if the task was cancelled
     * @throws WaitTimeoutException if the time ran out
     * @throws WaitInterruptedException if the waiting thread was interrupted
     */
    public Throwable exception(final Duration timeout) {
        awaitDone(timeout);
        return switch (completion.state()) {
            case FAILED -> completion.exceptionNow();
            case CANCELLED -> throw new CancellationException("task was cancelled");
            default -> null;
        };
    }

    /** Waits for the internal completion (not just the state word, which is set a moment earlier). */
    private void awaitDone(final Duration timeout) {
        if (completion.isDone()) {
            return;
        }
        try {
            if (timeout == null) {
                completion.get();
            } else {
                completion.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        } catch (TimeoutException e) {
            throw new WaitTimeoutException("task not done after " + timeout);
        } catch (ExecutionException | CancellationException e) {
            // done: the caller reads the outcome
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        return completion.get();
    }

    @Override
    public T get(final long timeout, final TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return completion.get(timeout, unit);
    }

    /**
     * Runs {@code callback} with this future once it is done (succeeded, failed or cancelled): at once in
     * the calling thread if it already is, otherwise in the thread that completes it. Callbacks run in
     * the order they were added; one that throws is logged and does not stop the others.
     */
    public TaskFuture<T> onDone(final Consumer<? super TaskFuture<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        synchronized (this) {
            if (callbacks != null) {
                callbacks.add(callback);
                return this;
            }
        }
        invoke(callback);
        return this;
    }

    private void runCallbacks() {
        final List<Consumer<? super TaskFuture<T>>> toRun;
        synchronized (this) {
            toRun = callbacks;
            callbacks = null;
        }
        if (toRun != null) {
            for (Consumer<? super TaskFuture<T>> callback : toRun) {
                invoke(callback);
            }
        }
    }

    private void invoke(final Consumer<? super TaskFuture<T>> callback) {
        try {
            callback.accept(this);
        } catch (Throwable t) {
            LOG.error("done-callback {} of {} threw; the other callbacks still run", callback, this, t);
        }
    }

    /**
     * A {@link CompletableFuture} that completes when this does, with the same value, exception or
     * cancellation. Completing or cancelling the returned future does not affect this one.
     */
    public CompletableFuture<T> toCompletableFuture() {
        final CompletableFuture<T> mirror = new CompletableFuture<>();
        onDone(done -> {
            switch (completion.state()) {
                case SUCCESS -> mirror.complete(completion.resultNow());
                case FAILED -> mirror.completeExceptionally(completion.exceptionNow());
                default -> mirror.cancel(false);
            }
        });
        return mirror;
    }

    @Override
    public String toString() {
        final int s = lvState();
        final String detail = switch (completion.state()) {
            case SUCCESS -> "=" + completion.resultNow();
            case FAILED -> " " + completion.exceptionNow();
            default -> "";
        };
        return "TaskFuture@" + Integer.toHexString(System.identityHashCode(this)) + "[" + stateName(s) + detail + "]";
    }

    private static String stateName(final int s) {
        return switch (s) {
            case PENDING -> "pending";
            case RUNNING -> "running";
            case INTERRUPTING -> "interrupting";
            case CANCELLED -> "cancelled";
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            default -> "state " + s;
        };
    }
}
