package io.bingfa.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/** {@link Event}: Python's {@code threading.Event}. */
class EventTest {

    private static final Duration LONG = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(50);

    private record Waiter<T>(Thread thread, TaskFuture<T> future) {}

    private static <T> Waiter<T> start(final Callable<T> task) {
        final TaskFuture<T> future = new TaskFuture<>();
        return new Waiter<>(Thread.ofVirtual().start(() -> future.run(task)), future);
    }

    /** Waits (at most 10 s, then fails) until {@code thread} is parked. */
    private static void awaitBlocked(final Thread thread) {
        final long deadline = System.nanoTime() + LONG.toNanos();
        while (thread.getState() != Thread.State.WAITING && thread.getState() != Thread.State.TIMED_WAITING) {
            assertThat(thread.isAlive()).as("thread ended instead of blocking").isTrue();
            assertThat(System.nanoTime() - deadline).as("thread never blocked").isNegative();
            Thread.yield();
        }
    }

    @Test
    void aNewEventIsClearAndATimedWaitRunsOut() {
        final Event event = new Event();
        assertThat(event.isSet()).isFalse();
        assertThat(event.await(SHORT)).isFalse();
        assertThat(event.await(Duration.ZERO)).isFalse();
    }

    @Test
    void setRaisesTheFlagAndWaitsReturnAtOnce() {
        final Event event = new Event();
        event.set();
        event.set(); // harmless
        assertThat(event.isSet()).isTrue();
        event.await();
        assertThat(event.await(Duration.ZERO)).isTrue();
        assertThat(event.toString()).contains("set");
    }

    @Test
    void clearLowersTheFlag() {
        final Event event = new Event();
        event.set();
        event.clear();
        assertThat(event.isSet()).isFalse();
        assertThat(event.await(SHORT)).isFalse();
        event.set();
        assertThat(event.await(SHORT)).isTrue();
    }

    @Test
    void setWakesEveryWaiter() {
        final Event event = new Event();
        final List<Waiter<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            final boolean timed = i % 2 == 0;
            waiters.add(start(() -> {
                if (timed) {
                    return event.await(Duration.ofMinutes(5));
                }
                event.await();
                return true;
            }));
        }
        for (Waiter<Boolean> w : waiters) {
            awaitBlocked(w.thread());
        }
        event.set();
        for (Waiter<Boolean> w : waiters) {
            assertThat(w.future().result(LONG)).isTrue();
        }
    }

    @Test
    void setFollowedAtOnceByClearStillWakesEveryoneWaitingAtTheSet() {
        final Event event = new Event();
        final List<Waiter<Boolean>> waiters = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            final boolean timed = i % 2 == 0;
            waiters.add(start(() -> {
                if (timed) {
                    return event.await(Duration.ofMinutes(5));
                }
                event.await();
                return true;
            }));
        }
        for (Waiter<Boolean> w : waiters) {
            awaitBlocked(w.thread());
        }
        event.set();
        event.clear(); // before any waiter could re-acquire the lock and look at the flag
        for (Waiter<Boolean> w : waiters) {
            assertThat(w.future().result(LONG)).as("a waiter missed the pulse").isTrue();
        }
        assertThat(event.isSet()).isFalse();
        assertThat(event.await(SHORT)).as("later waits block again").isFalse();
    }

    @Test
    void interruptedWaitThrowsWaitInterruptedAndKeepsTheFlag() {
        final Event event = new Event();
        final Waiter<Boolean> untimed = start(() -> {
            try {
                event.await();
                return false;
            } catch (WaitInterruptedException e) {
                return Thread.currentThread().isInterrupted();
            }
        });
        final Waiter<Boolean> timed = start(() -> {
            try {
                event.await(LONG);
                return false;
            } catch (WaitInterruptedException e) {
                return Thread.currentThread().isInterrupted();
            }
        });
        awaitBlocked(untimed.thread());
        awaitBlocked(timed.thread());
        untimed.thread().interrupt();
        timed.thread().interrupt();
        assertThat(untimed.future().result(LONG)).isTrue();
        assertThat(timed.future().result(LONG)).isTrue();
    }

    @Test
    void badTimeoutsAreRejectedNamingTheArgument() {
        final Event event = new Event();
        assertThatThrownBy(() -> event.await(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> event.await(Duration.ofSeconds(-3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("-3");
    }

    @Test
    void hugeTimeoutsDoNotOverflow() {
        final Event event = new Event();
        event.set();
        assertThat(event.await(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
        event.clear();
        final Waiter<Boolean> waiter = start(() -> event.await(Duration.ofSeconds(Long.MAX_VALUE)));
        awaitBlocked(waiter.thread());
        event.set();
        assertThat(waiter.future().result(LONG)).isTrue();
    }
}
