package io.bingfa.coro;

import io.bingfa.future.TaskFailedException;
import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedByInterruptException;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Structured coroutines: asyncio's {@code TaskGroup} (and trio's nursery) on virtual threads, without
 * the preview {@code StructuredTaskScope}.
 * <pre>{@code
 *   try (TaskGroup g = TaskGroup.open()) {
 *       TaskFuture<User> user = g.spawn(() -> loadUser(id));
 *       TaskFuture<List<Order>> orders = g.spawn(() -> loadOrders(id));
 *   }   // both done here; if one failed, the other was cancelled and close() threw
 * }</pre>
 *
 * <h2>Overview</h2>
 * {@link #spawn} starts each child in its own virtual thread, which inherits the spawner's
 * {@link Context}. {@link #close()} waits until every child <em>thread</em> has ended, not merely until
 * every future is done ({@code cancel(true)} makes a future done at once while its body is still
 * unwinding), so no child outlives {@code close()}. The first child to fail cancels all the others with an
 * interrupt, at once, from its own thread; {@code close()} then throws {@link TaskFailedException} whose
 * cause is that first failure, with every later real failure attached as suppressed.
 *
 * <h2>What is a failure</h2>
 * A child fails when its body throws and its future was not cancelled. A cancelled child that ends by
 * throwing the cancellation ({@link InterruptedException}, {@link WaitInterruptedException},
 * {@link CancellationException}, {@link ClosedByInterruptException}) merely obeyed; one that throws
 * anything else (say, its clean-up broke) has failed for real, and its exception is reported although its
 * future shows it cancelled, as asyncio collects every exception except {@code CancelledError}. Each child
 * therefore remembers what its body threw, since a cancelled {@link TaskFuture} drops it. The failure is
 * recorded by the child's thread once its future is done, the first one by CAS.
 *
 * <h2>The control word</h2>
 * One {@code long}, changed only by {@link #casCtl}, in the manner of {@code ThreadPoolExecutor.ctl}:
 * <pre>
 *   bit 34     CLOSED      close() has finished waiting; spawn() throws IllegalStateException
 *   bit 33     CLOSING     close() is waiting
 *   bit 32     CANCELLED   cancelAll() or a child failed; new children are cancelled before they start
 *   bits 0-31  live        children whose thread has not ended yet
 * </pre>
 * Transitions: {@code open -> CANCELLED} on {@link #cancelAll()} or the first failure; {@code -> CLOSING}
 * when {@code close()} starts; {@code CLOSING -> CLOSED} only by a CAS that also sees {@code live == 0}.
 * {@code spawn} counts its child in the same word by CAS, refusing if {@code CLOSED} is set, so a spawn
 * either lands before the group is closed (and {@code close()} waits for it) or fails; there is no window
 * in which a child could start after {@code close()} returned. Children may spawn siblings while
 * {@code close()} waits, as in asyncio.
 *
 * <h2>Cancelling</h2>
 * {@code cancelAll} sets {@code CANCELLED} and then cancels every future in {@code children}; {@code spawn}
 * puts its child in {@code children} and then reads {@code CANCELLED}. Whichever of the two comes second
 * in the synchronization order sees the other's write, so no child escapes a cancel. Cancellation is
 * sticky (trio's cancel scope): once cancelled, a group runs no new child.
 *
 * <h2>Who calls what</h2>
 * The owner opens the group, spawns, and closes it, once, from one thread; children may spawn into the
 * group and call {@code cancelAll}; a child that calls {@code close()} gets {@link IllegalStateException}
 * (it would wait for itself), which fails the child unless it catches it. When the owner's block throws, try-with-resources still calls
 * {@code close()}, which cannot see that exception and so waits for the children without cancelling
 * them; call {@link #cancelAll()} in a {@code catch} block when the block's failure should stop them.
 */
public final class TaskGroup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TaskGroup.class);

    private static final long LIVE_MASK = 0xFFFF_FFFFL;
    private static final long CANCELLED = 1L << 32;
    private static final long CLOSING = 1L << 33;
    private static final long CLOSED = 1L << 34;

    private static final VarHandle CTL;

    static {
        try {
            CTL = MethodHandles.lookup().findVarHandle(TaskGroup.class, "ctl", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile long ctl;
    /** The owner waiting in close(); written just after CLOSING is set, read by the last child to end. */
    private volatile Thread closer;
    /** The child threads that have not ended, with their futures; a thread is a key before it starts. */
    private final ConcurrentHashMap<Thread, TaskFuture<?>> children = new ConcurrentHashMap<>();
    /** Set once, by the child whose failure cancels the group; close() reads both after live reached 0. */
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final Queue<Throwable> laterFailures = new ConcurrentLinkedQueue<>();

    private TaskGroup() {}

    /** A new, empty group; close it with try-with-resources. */
    public static TaskGroup open() {
        return new TaskGroup();
    }

    // ---------------------------------------------------------------- memory-ordering accessors

    private long lvCtl() {
        return ctl;
    }

    private boolean casCtl(final long expect, final long update) {
        return CTL.compareAndSet(this, expect, update);
    }

    /** Sets {@code bits} (a flag, not the count); returns the word as it was. */
    private long setBits(final long bits) {
        for (;;) {
            final long c = lvCtl();
            if ((c & bits) == bits || casCtl(c, c | bits)) {
                return c;
            }
        }
    }

    /** Adds {@code delta} to the live count; returns the new word. */
    private long addLive(final long delta) {
        for (;;) {
            final long c = lvCtl();
            if (casCtl(c, c + delta)) {
                return c + delta;
            }
        }
    }

    private static long live(final long c) {
        return c & LIVE_MASK;
    }

    // ---------------------------------------------------------------- spawning

    /**
     * Starts {@code body} as a child of this group in a new virtual thread that inherits the caller's
     * {@link Context}. If the group is cancelled (by {@link #cancelAll()} or a failed child) the returned
     * future is already cancelled and the body never runs.
     *
     * @throws IllegalStateException if {@link #close()} has returned
     */
    public <T> TaskFuture<T> spawn(final Callable<T> body) {
        Objects.requireNonNull(body, "body");
        for (;;) {
            final long c = lvCtl();
            if ((c & CLOSED) != 0) {
                throw new IllegalStateException("task group is closed: cannot spawn new children");
            }
            if (live(c) == LIVE_MASK) {
                throw new IllegalStateException("task group has " + LIVE_MASK + " live children already");
            }
            if (casCtl(c, c + 1)) {
                break;
            }
        }
        final Child<T> child = new Child<>(body);
        final TaskFuture<T> future = child.future;
        final Thread thread = Coro.newThread(Context.current(), child);
        children.put(thread, future);
        if ((lvCtl() & CANCELLED) != 0) { // read after the put: see "Cancelling" in the class comment
            future.cancel(false);
        }
        try {
            thread.start(); // a cancelled future makes the body a no-op; the thread still ends via childEnded
        } catch (RuntimeException | Error e) {
            children.remove(thread);
            future.cancel(false);
            finishChild();
            throw e;
        }
        return future;
    }

    /** Starts {@code body} as a child; see {@link #spawn(Callable)}. */
    public TaskFuture<Void> spawn(final Runnable body) {
        Objects.requireNonNull(body, "body");
        return spawn(Executors.<Void>callable(body, null));
    }

    /**
     * One child's body, run in its own thread. It remembers what the body threw, because a future that
     * was cancelled drops it and the group must still tell a cancelled child's real failure apart from
     * the interrupt it was sent.
     */
    private final class Child<T> implements Runnable {
        final TaskFuture<T> future = new TaskFuture<>();
        private final Callable<T> body;
        /** Written and read only by the child's own thread. */
        private Throwable thrown;

        Child(final Callable<T> body) {
            this.body = body;
        }

        @Override
        public void run() {
            try {
                future.run(this::callBody);
            } finally {
                childEnded(this);
            }
        }

        private T callBody() throws Exception {
            try {
                return body.call();
            } catch (Throwable t) {
                thrown = t;
                throw t;
            }
        }

        /**
         * What counts as this child's failure: what it threw if its future failed, or, when it was
         * cancelled, what it threw unless that was the cancellation itself (asyncio likewise collects
         * every exception but {@code CancelledError}); {@code null} if none.
         */
        Throwable failure() {
            if (thrown == null) {
                return null;
            }
            return future.state() == Future.State.FAILED || !isCancellation(thrown) ? thrown : null;
        }
    }

    /** The exceptions by which a body reports that it stopped because it was interrupted or cancelled. */
    private static boolean isCancellation(final Throwable t) {
        return t instanceof InterruptedException
                || t instanceof WaitInterruptedException
                || t instanceof CancellationException
                || t instanceof ClosedByInterruptException;
    }

    /** Runs in the child's thread after its body: records a failure, then leaves the group. */
    private void childEnded(final Child<?> child) {
        final Throwable failure = child.failure();
        if (failure != null) {
            failed(failure);
        }
        children.remove(Thread.currentThread());
        finishChild();
    }

    private void failed(final Throwable failure) {
        if (!firstFailure.compareAndSet(null, failure)) {
            laterFailures.add(failure);
            return;
        }
        LOG.debug("{}: a child failed, cancelling the others", this, failure);
        cancelAll();
    }

    private void finishChild() {
        final long c = addLive(-1);
        if (live(c) == 0 && (c & CLOSING) != 0) {
            final Thread owner = closer; // racy read: if still null, the owner has yet to read ctl and sees live == 0
            if (owner != null) {
                LockSupport.unpark(owner);
            }
        }
    }

    // ---------------------------------------------------------------- cancelling and closing

    /**
     * Cancels every child with an interrupt, and every child spawned from now on before it starts. A
     * cancelled child is not a failure. Does not wait; {@link #close()} does.
     */
    public void cancelAll() {
        setBits(CANCELLED);
        for (final TaskFuture<?> f : children.values()) {
            f.cancel(true);
        }
    }

    /**
     * Waits until every child has ended. If a child failed, the others were cancelled at the first
     * failure, and this throws {@link TaskFailedException}: the cause is the first failure, later real
     * failures are suppressed exceptions. Calling it again after it returned does nothing.
     *
     * @throws TaskFailedException if a child failed
     * @throws WaitInterruptedException if the calling thread is interrupted while waiting: the children
     *         are then cancelled and waited for (their failures are attached as suppressed) before this is
     *         thrown, with the thread's interrupt flag set again
     * @throws IllegalStateException if called from a child of this group, or while another thread is
     *         already in {@code close()}
     */
    @Override
    public void close() {
        final Thread me = Thread.currentThread();
        if (children.containsKey(me)) {
            throw new IllegalStateException("close() called from a child of this task group: it would wait for itself");
        }
        final long before = setBits(CLOSING);
        if ((before & CLOSED) != 0) {
            return;
        }
        if ((before & CLOSING) != 0) {
            throw new IllegalStateException("close() is already running in another thread");
        }
        closer = me; // after CLOSING: a child that ends before this sees null, and awaitChildren re-reads ctl
        final boolean interrupted = awaitChildren();
        final Throwable first = firstFailure.get();
        if (interrupted) {
            final WaitInterruptedException e = new WaitInterruptedException(
                    new InterruptedException("interrupted while closing " + this));
            if (first != null) {
                e.addSuppressed(first);
            }
            laterFailures.forEach(e::addSuppressed);
            throw e;
        }
        if (first != null) {
            final TaskFailedException e = new TaskFailedException("a child of the task group failed: " + first, first);
            laterFailures.forEach(e::addSuppressed);
            throw e;
        }
    }

    /**
     * Parks until {@code live == 0}, then sets {@code CLOSED}. On an interrupt, cancels the children and
     * keeps waiting; returns whether the owner was interrupted (its flag is then clear).
     */
    private boolean awaitChildren() {
        boolean interrupted = false;
        for (;;) {
            final long c = lvCtl();
            if (live(c) == 0) {
                if (casCtl(c, c | CLOSED)) {
                    return interrupted;
                }
                continue; // a child spawned a sibling, or a flag changed
            }
            LockSupport.park(this);
            if (Thread.interrupted() && !interrupted) {
                interrupted = true;
                cancelAll();
            }
        }
    }

    @Override
    public String toString() {
        final long c = lvCtl(); // racy read: a snapshot for humans
        final String s = (c & CLOSED) != 0 ? "closed" : (c & CLOSING) != 0 ? "closing" : "open";
        return "TaskGroup@" + Integer.toHexString(System.identityHashCode(this))
                + "[" + s + ((c & CANCELLED) != 0 ? ", cancelled" : "") + ", live=" + live(c) + "]";
    }
}
