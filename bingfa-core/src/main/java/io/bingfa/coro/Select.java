package io.bingfa.coro;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Go's {@code select}: waits until one of several channel operations can go ahead, performs exactly that
 * one and runs its handler. One-shot: build it, {@link #run()} it once.
 *
 * <pre>{@code
 * int fired = Select.of()
 *         .onReceive(orders, o -> handle(o))
 *         .onReceive(quit, q -> stop(), () -> stop())       // also fires once quit is closed and drained
 *         .onSend(results, nextResult, () -> advance())
 *         .onTimeout(Duration.ofSeconds(1), () -> tick())    // or .orElse(...): Go's default, never blocks
 *         .run();                                            // index of the case that fired, in order added
 * }</pre>
 *
 * <h2>Algorithm (Go's {@code selectgo})</h2>
 * <ol>
 *   <li><b>Lock</b> every channel of the select, each once, in increasing {@code Channel.id} order: the
 *       one global order, so two selects over the same channels cannot deadlock. (Plain sends and
 *       receives only ever hold one channel lock.)</li>
 *   <li><b>Poll</b> the channel cases in a fresh random permutation; the first that can go ahead without
 *       waiting is performed under the locks (value handed over or buffered, blocked counterpart
 *       claimed). Each ready case is first in a random permutation with equal probability, so when
 *       several are ready the choice is uniform and no channel starves. A send on a closed channel, or
 *       a receive without closed handler on a closed, drained one, throws when its turn comes in that
 *       order (Go panics, or returns the zero value).</li>
 *   <li>If none is ready: with {@link #orElse} unlock and run the default; otherwise create one
 *       {@code ChannelWaiter} and queue one {@code ChannelNode} per case, all sharing it, then unlock
 *       and wait. Holding all the locks while queuing means no counterpart can see a half-queued
 *       select.</li>
 *   <li><b>Wake</b>: a counterpart on any of the channels claims the shared waiter for its node with one
 *       CAS ({@code WAITING -> CLAIMED}), after handing over the value (or marking the node closed). Its
 *       rivals on the other channels then fail their CAS on this waiter and skip those nodes as stale.
 *       On timeout or interrupt the select's own CAS ({@code WAITING -> CANCELLED}) withdraws it, unless
 *       a counterpart won first, which then counts: a value is never lost or taken twice.</li>
 *   <li><b>Clean up</b>: the select unlinks its remaining nodes, locking one channel at a time, then runs
 *       the winning case's handler (or the timeout handler) in the calling thread.</li>
 * </ol>
 *
 * <h2>States</h2>
 * {@code BUILDING -> RAN} on the first {@link #run()}; builder methods and a second {@code run()} then
 * throw {@link IllegalStateException}. A {@code Select} is meant for the one thread that builds and runs
 * it; it is not thread-safe.
 *
 * <p>Handlers may be {@code null} (nothing to run). A handler that throws makes {@link #run()} throw the
 * same; the operation has happened by then.
 */
public final class Select {

    /**
     * A virtual thread's spins before parking in a select: the minimum of a channel's adaptive budget
     * (see {@code ChannelWaiter}), as a select has no single channel to learn from.
     */
    private static final int SPINS = ChannelWaiter.MIN_SPINS;

    private final List<SelectCase<?>> cases = new ArrayList<>(4);
    /** Case indices count every case added, timeout and default included. */
    private int nextIndex;
    private int timeoutIndex = -1;
    private long timeoutNanos;
    private Runnable onTimeout;
    private int defaultIndex = -1;
    private Runnable orElse;
    private boolean ran;

    private Select() {}

    /** A new, empty select. */
    public static Select of() {
        return new Select();
    }

    /**
     * Adds a case that receives a value from {@code channel} and passes it to {@code handler}. If the
     * channel is closed and drained when this case is picked, {@link #run()} throws
     * {@link ChannelClosedException}.
     *
     * @throws NullPointerException if {@code channel} is null
     */
    public <T> Select onReceive(final Channel<T> channel, final Consumer<? super T> handler) {
        Objects.requireNonNull(channel, "channel");
        requireBuilding();
        cases.add(SelectCase.receive(nextIndex++, channel, handler, false, null));
        return this;
    }

    /**
     * Adds a case that receives a value from {@code channel} and passes it to {@code handler}, or, once
     * the channel is closed and drained, is ready too and runs {@code onClosed} (Go's
     * {@code case v, ok := <-ch} with {@code ok == false}).
     *
     * @throws NullPointerException if {@code channel} is null
     */
    public <T> Select onReceive(final Channel<T> channel, final Consumer<? super T> handler, final Runnable onClosed) {
        Objects.requireNonNull(channel, "channel");
        requireBuilding();
        cases.add(SelectCase.receive(nextIndex++, channel, handler, true, onClosed));
        return this;
    }

    /**
     * Adds a case that sends {@code value} on {@code channel} and then runs {@code handler}. If the channel
     * is closed when this case is picked, {@link #run()} throws {@link ChannelClosedException}.
     *
     * @throws NullPointerException if {@code channel} or {@code value} is null
     */
    public <T> Select onSend(final Channel<T> channel, final T value, final Runnable handler) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(value, "value");
        requireBuilding();
        cases.add(SelectCase.send(nextIndex++, channel, value, handler));
        return this;
    }

    /**
     * Adds a case that fires if no other case is ready within {@code timeout} of {@link #run()} starting.
     * At most one per select, and not together with {@link #orElse}.
     *
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws IllegalStateException if a timeout or a default case was already added
     */
    public Select onTimeout(final Duration timeout, final Runnable handler) {
        final long nanos = ChannelWaiter.timeoutNanos(timeout);
        requireBuilding();
        if (timeoutIndex >= 0) {
            throw new IllegalStateException("select already has a timeout case (case " + timeoutIndex + ")");
        }
        if (defaultIndex >= 0) {
            throw new IllegalStateException("select already has a default case (case " + defaultIndex
                    + "): it never waits, so a timeout makes no sense");
        }
        timeoutIndex = nextIndex++;
        timeoutNanos = nanos;
        onTimeout = handler;
        return this;
    }

    /**
     * Adds Go's {@code default} case: if no other case is ready at once, {@link #run()} runs
     * {@code handler} instead of waiting. At most one per select, and not together with
     * {@link #onTimeout}.
     *
     * @throws IllegalStateException if a default or a timeout case was already added
     */
    public Select orElse(final Runnable handler) {
        requireBuilding();
        if (defaultIndex >= 0) {
            throw new IllegalStateException("select already has a default case (case " + defaultIndex + ")");
        }
        if (timeoutIndex >= 0) {
            throw new IllegalStateException("select already has a timeout case (case " + timeoutIndex
                    + "): a default case never waits, so it cannot have both");
        }
        defaultIndex = nextIndex++;
        orElse = handler;
        return this;
    }

    /**
     * Waits until one case can go ahead, performs it, runs its handler in this thread and returns its
     * index (cases are numbered from 0 in the order they were added, timeout and default cases included).
     * When several are ready, one is picked uniformly at random.
     *
     * @throws IllegalStateException if the select has no case at all, or already ran
     * @throws ChannelClosedException if the case picked sends on a closed channel, or receives, without a
     *     closed handler, from a closed and drained one; the message names the case's index
     * @throws io.bingfa.future.WaitInterruptedException if the thread is interrupted while waiting; no case
     *     fired
     */
    public int run() {
        requireBuilding();
        ran = true;
        if (cases.isEmpty() && timeoutIndex < 0 && defaultIndex < 0) {
            throw new IllegalStateException("select has no cases: add onReceive, onSend, onTimeout or orElse");
        }
        final boolean timed = timeoutIndex >= 0;
        final long deadline = timed ? System.nanoTime() + timeoutNanos : 0L;
        final Channel<?>[] channels = lockOrder();
        final SelectCase<?> fired;
        final ChannelWaiter waiter;
        lockAll(channels);
        try {
            fired = poll();
            if (fired != null || defaultIndex >= 0 || (timed && timeoutNanos == 0)) {
                waiter = null; // no waiting
            } else if (Thread.currentThread().isInterrupted()) {
                throw ChannelWaiter.interrupted("select");
            } else {
                waiter = new ChannelWaiter();
                for (SelectCase<?> c : cases) {
                    c.enqueueLocked(waiter);
                }
            }
        } finally {
            unlockAll(channels);
        }
        if (fired != null) {
            fired.complete();
            return fired.index;
        }
        if (waiter == null) {
            return runHandler(defaultIndex >= 0 ? orElse : onTimeout, defaultIndex >= 0 ? defaultIndex : timeoutIndex);
        }
        final int outcome = waiter.await(timed, deadline, SPINS);
        final ChannelNode<?> winner = outcome == ChannelWaiter.CLAIMED ? waiter.winner() : null;
        SelectCase<?> won = null;
        for (SelectCase<?> c : cases) {
            if (winner != null && c.owns(winner)) {
                won = c; // already dequeued by the counterpart that claimed it
            } else {
                c.withdraw();
            }
        }
        if (outcome == ChannelWaiter.TIMED_OUT) {
            return runHandler(onTimeout, timeoutIndex);
        }
        if (outcome == ChannelWaiter.INTERRUPTED) {
            throw ChannelWaiter.interrupted("select");
        }
        if (won == null) { // cannot happen: only this select's nodes were ever queued with its waiter
            throw new IllegalStateException("select woken by a node of none of its cases");
        }
        won.completeFromWait();
        return won.index;
    }

    /** Poll pass: the first ready case in a random permutation, performed; {@code null} if none is ready. */
    private SelectCase<?> poll() {
        final int n = cases.size();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            final SelectCase<?> only = cases.get(0);
            return only.tryFireLocked() ? only : null;
        }
        final int[] order = new int[n];
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            final int j = random.nextInt(i + 1); // inside-out Fisher-Yates
            order[i] = order[j];
            order[j] = i;
        }
        for (int i : order) {
            final SelectCase<?> c = cases.get(i);
            if (c.tryFireLocked()) {
                return c;
            }
        }
        return null;
    }

    /** The distinct channels of the cases, in the global lock order. */
    private Channel<?>[] lockOrder() {
        final Channel<?>[] all = new Channel<?>[cases.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = cases.get(i).channel;
        }
        Arrays.sort(all, Comparator.comparingLong(Channel::id));
        int distinct = 0;
        for (Channel<?> ch : all) {
            if (distinct == 0 || all[distinct - 1] != ch) {
                all[distinct++] = ch;
            }
        }
        return Arrays.copyOf(all, distinct);
    }

    private static void lockAll(final Channel<?>[] channels) {
        for (Channel<?> ch : channels) {
            ch.lock();
        }
    }

    private static void unlockAll(final Channel<?>[] channels) {
        for (int i = channels.length - 1; i >= 0; i--) {
            channels[i].unlock();
        }
    }

    private static int runHandler(final Runnable handler, final int index) {
        if (handler != null) {
            handler.run();
        }
        return index;
    }

    private void requireBuilding() {
        if (ran) {
            throw new IllegalStateException("select already ran; build a new one with Select.of()");
        }
    }
}
