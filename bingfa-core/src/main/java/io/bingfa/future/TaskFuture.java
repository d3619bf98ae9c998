package io.bingfa.future;

import io.bingfa.internal.Durations;
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
import java.util.concurrent.locks.LockSupport;
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
 *   PENDING | RUNNING -&gt; COMPLETING -&gt; SUCCEEDED | FAILED   setResult / setException
 * </pre>
 * {@code COMPLETING} and {@code INTERRUPTING} are transient: they exist so that the outcome (or the
 * interrupt) is in place before the final state is published, and a reader that meets them waits a
 * moment for the final state. {@link #isDone()} is true from {@code COMPLETING} on.
 * {@code cancel(false)} on a running task returns {@code false} and changes nothing (Python's
 * {@code cancel()} does the same). {@code cancel(true)} on a running task moves it to
 * {@code CANCELLED} at once, asks the runner to stop through the interrupter it registered (a thread
 * interrupt in-process; a message to the worker for a process pool), and drops whatever the task later
 * returns. A second completion is ignored and reported by the {@code boolean} the setters return.
 *
 * <h2>Waiting and callbacks</h2>
 * Waiting threads push a node on a Treiber stack and park; completion swaps the stack out and unparks
 * every node's thread ({@code FutureTask}'s scheme). A platform thread spins briefly before it parks,
 * because a task on another core often finishes within the microseconds that a park and unpark cost; a
 * virtual thread never spins (it would hold its carrier). A future made by {@link #spinning(Duration)}
 * spins by the clock instead, up to the given time, and calls {@link Thread#yield()} every 64 rounds:
 * on a machine of few cores the thread that will complete the future may be queued on the spinner's own
 * core, and without the yield it would wait for the spinner's time slice to end (measured on 2 vCPUs: a
 * process pool's round trip had a p90 of 150 µs with a pure spin, 30 µs with the yield). Such a future
 * may also carry a {@link SpinHelper}, which the waiter calls in every round instead of pausing: a process
 * pool's caller polls its worker's socket there and reads its answer itself. A timed-out or interrupted waiter unlinks its
 * node. A future holds no other object until someone waits or adds a callback: millions of coroutines
 * each have one, so its footprint is the state, the outcome and the interrupter.
 * Callbacks are kept in registration order (a {@link CompletableFuture} runs its dependents in reverse
 * order; Python promises registration order). They run in the thread that completes the future, or at
 * once in the caller if it is already done; one that throws is logged and the rest still run.
 *
 * <h2>Exceptions</h2>
 * {@link #result(Duration)} throws {@link TaskFailedException} (cause: what the task threw),
 * {@link CancellationException}, {@link WaitTimeoutException} or {@link WaitInterruptedException}, all
 * unchecked. The {@link Future} methods {@link #get()} keep the JDK's checked exceptions.
 */
public final class TaskFuture<T> implements Future<T> {

    private static final Logger LOG = LoggerFactory.getLogger(TaskFuture.class);

    // Lifecycle states, in this order (see the class comment for the transitions).
    private static final int PENDING = 0;
    private static final int RUNNING = 1;
    private static final int COMPLETING = 2;
    private static final int INTERRUPTING = 3;
    private static final int CANCELLED = 4;
    private static final int SUCCEEDED = 5;
    private static final int FAILED = 6;

    /** onSpinWait rounds a platform thread spends before it parks (a few microseconds). */
    private static final int SPINS = 256;

    private static final VarHandle STATE;
    private static final VarHandle WAITERS;

    static {
        try {
            final MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(TaskFuture.class, "state", int.class);
            WAITERS = l.findVarHandle(TaskFuture.class, "waiters", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state = PENDING;
    /** The value (SUCCEEDED) or the exception (FAILED); written before the final state is published. */
    private Object outcome;
    /** The running thread (in-process) or a Runnable that stops the task; written before RUNNING. */
    private volatile Object interrupter;
    /** Threads waiting for completion: a Treiber stack, emptied by {@link #finish()}. */
    private volatile Waiter waiters;
    /** Guarded by {@code this}; created by the first {@link #onDone}. */
    private List<Consumer<? super TaskFuture<T>>> callbacks;
    /** Guarded by {@code this}; true once the callbacks were taken to be run. */
    private boolean callbacksRan;
    /**
     * How a platform-thread waiter spins before it parks: null for the default ({@link #SPINS} rounds), or
     * by the clock with an optional helper ({@link #spinning}). A reference, the size of the int it
     * replaced, so that the object does not grow.
     */
    private final Spin spin;

    /** A spinning future's policy: spin up to {@code nanos}, calling {@code helper} (may be null) each round. */
    private record Spin(long nanos, SpinHelper helper) {}

    /**
     * Work that a waiter of a {@link #spinning(Duration, SpinHelper) spinning} future does while it spins:
     * typically a non-blocking poll of the channel its answer will come on, so that the waiting thread
     * reads the answer itself instead of being handed it by another thread (a process pool's
     * leader/follower read). Both methods run in the waiting thread.
     */
    public interface SpinHelper {
        /** One attempt to make progress, called every spin round; must never block. */
        void help();

        /**
         * The waiter stopped spinning, after at least one {@link #help()}: {@code done} if the future is
         * done, false if the waiter is about to park, or gives up (timed out or interrupted).
         */
        void stopped(boolean done);
    }

    /** A parked waiter; {@code thread} is cleared when it stops waiting. */
    private static final class Waiter {
        volatile Thread thread;
        volatile Waiter next;

        Waiter(final Thread thread) {
            this.thread = thread;
        }
    }

    /** A new pending future, for {@link io.bingfa.pool.Pool} implementations and tests. */
    public TaskFuture() {
        this.spin = null;
    }

    private TaskFuture(final Spin spin) {
        this.spin = spin;
    }

    /**
     * A new pending future whose platform-thread waiters spin for up to {@code spin} before they park, for
     * runners whose answer usually arrives within tens of microseconds from another thread (a process
     * pool's round trip): on a machine where waking a parked thread costs as much as the whole round trip,
     * a waiter that is still spinning when the answer lands saves that wake. The spin is bounded, so a long
     * task costs its waiter {@code spin} of CPU time once; virtual threads never spin.
     *
     * @throws IllegalArgumentException if {@code spin} is negative or longer than one second
     */
    public static <T> TaskFuture<T> spinning(final Duration spin) {
        return new TaskFuture<>(new Spin(spinNanos(spin), null));
    }

    /**
     * As {@link #spinning(Duration)}, and a platform-thread waiter calls {@code helper} in every round of
     * its spin, then tells it when it stops spinning (see {@link SpinHelper}).
     *
     * @throws IllegalArgumentException if {@code spin} is negative or longer than one second
     */
    public static <T> TaskFuture<T> spinning(final Duration spin, final SpinHelper helper) {
        Objects.requireNonNull(helper, "helper");
        return new TaskFuture<>(new Spin(spinNanos(spin), helper));
    }

    private static long spinNanos(final Duration spin) {
        Objects.requireNonNull(spin, "spin");
        if (spin.isNegative() || spin.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("spin must be between 0 and 1 s, was " + spin);
        }
        return spin.toNanos();
    }

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

    private void svState(final int s) {
        state = s;
    }

    private boolean casState(final int expect, final int update) {
        return STATE.compareAndSet(this, expect, update);
    }

    private boolean casWaiters(final Waiter expect, final Waiter update) {
        return WAITERS.compareAndSet(this, expect, update);
    }

    /** The final state, waiting out the transient COMPLETING (a few instructions long). */
    private int finalState() {
        int s;
        while ((s = lvState()) == COMPLETING) {
            Thread.onSpinWait();
        }
        return s == INTERRUPTING ? CANCELLED : s;
    }

    @SuppressWarnings("unchecked") // outcome holds a T whenever the state is SUCCEEDED
    private T value() {
        return (T) outcome;
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
        return startRunning(interrupter);
    }

    private boolean startRunning(final Object stopper) {
        this.interrupter = stopper;
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
        return complete(SUCCEEDED, value);
    }

    /**
     * Completes the future with the task's exception. Returns {@code false}, changing nothing, if it was
     * already done.
     */
    public boolean setException(final Throwable exception) {
        Objects.requireNonNull(exception, "exception");
        return complete(FAILED, exception);
    }

    private boolean complete(final int finalState, final Object result) {
        for (;;) {
            final int s = lvState();
            if (s != PENDING && s != RUNNING) {
                return false;
            }
            if (casState(s, COMPLETING)) {
                break;
            }
        }
        outcome = result;
        svState(finalState); // publishes outcome
        finish();
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
        if (!startRunning(Thread.currentThread())) {
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
                    finish();
                    return true;
                }
            } else if (s == RUNNING) {
                if (!mayInterruptIfRunning) {
                    return false;
                }
                if (casState(RUNNING, INTERRUPTING)) {
                    try {
                        final Object i = interrupter;
                        if (i instanceof Thread t) {
                            t.interrupt();
                        } else if (i instanceof Runnable r) {
                            r.run();
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("interrupting the task of {} failed", this, e);
                    } finally {
                        svState(CANCELLED); // releases the runner's spin in run()
                    }
                    finish();
                    return true;
                }
            } else if (s == COMPLETING) {
                Thread.onSpinWait(); // about to be SUCCEEDED or FAILED
            } else {
                return s == CANCELLED || s == INTERRUPTING;
            }
        }
    }

    /** Python's {@code future.cancel()}: cancels the task only if it has not started. */
    public boolean cancel() {
        return cancel(false);
    }

    @Override
    public boolean isCancelled() {
        final int s = lvState();
        return s == CANCELLED || s == INTERRUPTING;
    }

    @Override
    public boolean isDone() {
        return lvState() >= COMPLETING;
    }

    /** {@code true} while the task runs (Python's {@code running()}). */
    public boolean isRunning() {
        return lvState() == RUNNING;
    }

    @Override
    public State state() {
        return switch (lvState()) {
            case PENDING, RUNNING -> State.RUNNING;
            default -> switch (finalState()) {
                case SUCCEEDED -> State.SUCCESS;
                case FAILED -> State.FAILED;
                default -> State.CANCELLED;
            };
        };
    }

    @Override
    public T resultNow() {
        return switch (isDone() ? finalState() : RUNNING) {
            case SUCCEEDED -> value();
            case FAILED -> throw new IllegalStateException("task failed", (Throwable) outcome);
            case CANCELLED -> throw new IllegalStateException("task was cancelled");
            default -> throw new IllegalStateException("task has not completed");
        };
    }

    @Override
    public Throwable exceptionNow() {
        return switch (isDone() ? finalState() : RUNNING) {
            case FAILED -> (Throwable) outcome;
            case SUCCEEDED -> throw new IllegalStateException("task completed with a result");
            case CANCELLED -> throw new IllegalStateException("task was cancelled");
            default -> throw new IllegalStateException("task has not completed");
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
        return switch (awaitUnchecked(timeout)) {
            case SUCCEEDED -> value();
            case FAILED -> throw new TaskFailedException((Throwable) outcome);
            default -> throw new CancellationException("task was cancelled");
        };
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
        return switch (awaitUnchecked(timeout)) {
            case SUCCEEDED -> null;
            case FAILED -> (Throwable) outcome;
            default -> throw new CancellationException("task was cancelled");
        };
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        return report(awaitDone(false, 0));
    }

    @Override
    public T get(final long timeout, final TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        final int s = awaitDone(true, unit.toNanos(timeout));
        if (s < CANCELLED) {
            throw new TimeoutException("task not done after " + timeout + " " + unit);
        }
        return report(s);
    }

    private T report(final int finalState) throws ExecutionException {
        return switch (finalState) {
            case SUCCEEDED -> value();
            case FAILED -> throw new ExecutionException((Throwable) outcome);
            default -> throw new CancellationException("task was cancelled");
        };
    }

    /** Waits with Bingfa's unchecked exceptions; returns the final state. */
    private int awaitUnchecked(final Duration timeout) {
        final int s;
        try {
            s = timeout == null ? awaitDone(false, 0) : awaitDone(true, Math.max(0, Durations.saturatedNanos(timeout)));
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
        if (s < CANCELLED) {
            throw new WaitTimeoutException("task not done after " + timeout);
        }
        return s;
    }

    /**
     * Waits until the future reaches a final state, or until {@code nanos} pass if {@code timed}.
     * Returns the final state (CANCELLED, SUCCEEDED, FAILED), or a state below CANCELLED on timeout.
     */
    private int awaitDone(final boolean timed, final long nanos) throws InterruptedException {
        final long deadline = timed ? System.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 2) : 0L;
        Waiter node = null;
        boolean queued = false;
        final boolean maySpin = !Thread.currentThread().isVirtual() && !(timed && nanos <= 0);
        int spins = maySpin ? SPINS : 0;
        // A spinning future spins by the clock rather than by rounds; the clock is read every 64 rounds.
        final Spin policy = spin;
        final long spinUntil = maySpin && policy != null && policy.nanos() > 0
                ? System.nanoTime() + (timed ? Math.min(policy.nanos(), nanos) : policy.nanos()) : 0L;
        SpinHelper helper = null;
        if (spinUntil != 0L) {
            spins = Integer.MAX_VALUE;
            helper = policy.helper();
        }
        boolean helped = false;
        for (;;) {
            final int s = lvState();
            if (s >= COMPLETING) {
                if (node != null) {
                    node.thread = null;
                }
                if (helped) {
                    helper.stopped(true);
                }
                return finalState();
            }
            if (Thread.interrupted()) {
                removeWaiter(node);
                if (helped) {
                    helper.stopped(false);
                }
                throw new InterruptedException();
            }
            if (spins > 0) {
                spins--;
                if (helper != null) {
                    helped = true;
                    helper.help();
                } else {
                    Thread.onSpinWait();
                }
                if (spinUntil != 0L && (spins & 63) == 0) {
                    if (System.nanoTime() - spinUntil >= 0) {
                        spins = 0;
                    } else {
                        Thread.yield(); // the thread that will complete us may be queued on this very core
                    }
                }
                if (spins == 0 && helped) {
                    helped = false;
                    helper.stopped(lvState() >= COMPLETING);
                }
            } else if (node == null) {
                if (timed && nanos <= 0) {
                    return s;
                }
                node = new Waiter(Thread.currentThread());
            } else if (!queued) {
                final Waiter head = waiters;
                node.next = head;
                queued = casWaiters(head, node);
            } else if (timed) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    removeWaiter(node);
                    return lvState() >= COMPLETING ? finalState() : s;
                }
                LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
        }
    }

    /** Unlinks a waiter that gave up (timed out or interrupted), and any other such node met on the way. */
    private void removeWaiter(final Waiter node) {
        if (node == null) {
            return;
        }
        node.thread = null;
        retry:
        for (;;) {
            Waiter pred = null;
            Waiter q = waiters;
            while (q != null) {
                final Waiter succ = q.next;
                if (q.thread != null) {
                    pred = q;
                } else if (pred != null) {
                    pred.next = succ;
                    if (pred.thread == null) { // pred gave up too meanwhile: start over
                        continue retry;
                    }
                } else if (!casWaiters(q, succ)) {
                    continue retry;
                }
                q = succ;
            }
            return;
        }
    }

    /** Wakes every waiter and runs the callbacks; called once, by whoever set the final state. */
    private void finish() {
        for (Waiter q; (q = waiters) != null; ) {
            if (casWaiters(q, null)) {
                while (q != null) {
                    final Thread t = q.thread;
                    if (t != null) {
                        q.thread = null;
                        LockSupport.unpark(t);
                    }
                    q = q.next;
                }
                break;
            }
        }
        runCallbacks();
    }

    /**
     * Runs {@code callback} with this future once it is done (succeeded, failed or cancelled): at once in
     * the calling thread if it already is, otherwise in the thread that completes it. Callbacks run in
     * the order they were added; one that throws is logged and does not stop the others.
     */
    public TaskFuture<T> onDone(final Consumer<? super TaskFuture<T>> callback) {
        Objects.requireNonNull(callback, "callback");
        synchronized (this) {
            if (!callbacksRan) {
                if (callbacks == null) {
                    callbacks = new ArrayList<>(2);
                }
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
            callbacksRan = true;
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
            switch (finalState()) {
                case SUCCEEDED -> mirror.complete(value());
                case FAILED -> mirror.completeExceptionally((Throwable) outcome);
                default -> mirror.cancel(false);
            }
        });
        return mirror;
    }

    @Override
    public String toString() {
        final int s = isDone() ? finalState() : lvState();
        final String detail = switch (s) {
            case SUCCEEDED -> "=" + outcome;
            case FAILED -> " " + outcome;
            default -> "";
        };
        return "TaskFuture@" + Integer.toHexString(System.identityHashCode(this)) + "[" + stateName(s) + detail + "]";
    }

    private static String stateName(final int s) {
        return switch (s) {
            case PENDING -> "pending";
            case RUNNING -> "running";
            case COMPLETING -> "completing";
            case INTERRUPTING -> "interrupting";
            case CANCELLED -> "cancelled";
            case SUCCEEDED -> "succeeded";
            case FAILED -> "failed";
            default -> "state " + s;
        };
    }
}
