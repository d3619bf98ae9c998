package io.bingfa.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.TaskFailedException;
import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class CoroTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted(); // a failed assertion must not leave the flag to the next test
    }

    // ---------------------------------------------------------------- spawn

    @Test
    void spawnReturnsTheValue() {
        assertThat(Coro.spawn(() -> 42).result()).isEqualTo(42);
    }

    @Test
    void spawnRunsANamedVirtualThread() {
        final Thread t = Coro.spawn(Thread::currentThread).result();
        assertThat(t.isVirtual()).isTrue();
        assertThat(t.getName()).startsWith("bingfa-coro-");
    }

    @Test
    void spawnReportsTheFailure() {
        final IOException boom = new IOException("boom");
        final TaskFuture<Object> f = Coro.spawn(() -> {
            throw boom;
        });
        assertThatThrownBy(f::result).isInstanceOf(TaskFailedException.class).hasCause(boom);
        assertThat(f.exception()).isSameAs(boom);
    }

    @Test
    void spawnRunnableCompletesWithNull() {
        final AtomicBoolean ran = new AtomicBoolean();
        final TaskFuture<Void> f = Coro.spawn(() -> ran.set(true));
        assertThat(f.result()).isNull();
        assertThat(ran).isTrue();
    }

    /** The seed's gevent example: eat sleeps 2 s, play 1 s, and both are done after about 2 s, not 3. */
    @Test
    void seedEatAndPlayRunConcurrently() {
        final List<String> printed = Collections.synchronizedList(new ArrayList<>());
        final TaskFuture<Void> g1 = Coro.spawn(() -> {
            printed.add("egon eat 1");
            Coro.sleep(Duration.ofMillis(200));
            printed.add("egon eat 2");
        });
        final TaskFuture<Void> g2 = Coro.spawn(() -> {
            printed.add("egon play 1");
            Coro.sleep(Duration.ofMillis(100));
            printed.add("egon play 2");
        });
        assertThat(Coro.joinAll(List.of(g1, g2), null)).isTrue();
        printed.add("主");
        assertThat(printed).containsExactlyInAnyOrder("egon eat 1", "egon eat 2", "egon play 1", "egon play 2", "主");
        assertThat(printed.indexOf("egon eat 1")).isLessThan(printed.indexOf("egon eat 2"));
        assertThat(printed.indexOf("egon play 1")).isLessThan(printed.indexOf("egon play 2"));
        assertThat(printed.getLast()).isEqualTo("主");
    }

    @Test
    void hundredThousandCoroutinesComplete() {
        final int n = 100_000;
        final AtomicLong sum = new AtomicLong();
        final List<TaskFuture<Void>> fs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            final int v = i;
            fs.add(Coro.spawn(() -> {
                sum.addAndGet(v);
            }));
        }
        assertThat(Coro.joinAll(fs, null)).isTrue();
        assertThat(sum.get()).isEqualTo((long) n * (n - 1) / 2);
        assertThat(fs).allMatch(f -> f.state() == java.util.concurrent.Future.State.SUCCESS);
    }

    // ---------------------------------------------------------------- spawnLater

    @Test
    void spawnLaterRunsOnlyAfterTheDelay() throws Exception {
        final Duration delay = Duration.ofMillis(300);
        final CountDownLatch ran = new CountDownLatch(1);
        final long start = System.nanoTime();
        final TaskFuture<Long> f = Coro.spawnLater(delay, () -> {
            ran.countDown();
            return System.nanoTime();
        });
        assertThat(ran.await(100, TimeUnit.MILLISECONDS)).as("ran before its delay").isFalse();
        assertThat(f.isDone()).isFalse();
        final long ranAt = f.result();
        assertThat(ranAt - start).isGreaterThanOrEqualTo(delay.toNanos());
    }

    @Test
    void spawnLaterWithZeroDelayRuns() {
        assertThat(Coro.spawnLater(Duration.ZERO, () -> "now").result()).isEqualTo("now");
        assertThat(Coro.spawnLater(Duration.ZERO, () -> {}).result()).isNull();
    }

    @Test
    void cancelledSpawnLaterNeverRuns() {
        final AtomicBoolean ran = new AtomicBoolean();
        final TaskFuture<Void> f = Coro.spawnLater(Duration.ofMillis(100), () -> ran.set(true));
        assertThat(f.cancel(false)).isTrue();
        assertThat(f.isCancelled()).isTrue();
        Coro.sleep(Duration.ofMillis(400)); // well past the delay: it would have run by now
        assertThat(ran).isFalse();
    }

    /**
     * Regression: a cancelled spawnLater must free its waiting virtual thread at once, not keep it (and
     * everything its body holds) parked until the delay ends.
     */
    @Test
    void cancelledSpawnLaterReleasesItsSleeper() {
        final WeakReference<Object> payload = spawnLaterHoldingPayload();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (payload.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Coro.sleep(Duration.ofMillis(20));
        }
        assertThat(payload.get()).as("body of a cancelled spawnLater is still reachable").isNull();
    }

    private static WeakReference<Object> spawnLaterHoldingPayload() {
        final Object payload = new Object();
        final TaskFuture<Object> f = Coro.spawnLater(Duration.ofHours(1), () -> payload);
        f.cancel(true);
        return new WeakReference<>(payload);
    }

    // ---------------------------------------------------------------- joinAll and killAll

    @Test
    void joinAllReturnsTrueWhenAllAreDoneWhateverTheirOutcome() {
        final TaskFuture<Object> failing = Coro.spawn(() -> {
            throw new IllegalStateException("boom");
        });
        final TaskFuture<Void> cancelled = Coro.spawnLater(LONG, () -> {});
        cancelled.cancel(false);
        final List<TaskFuture<?>> all = List.of(Coro.spawn(() -> 1), failing, cancelled);
        assertThat(Coro.joinAll(all, Duration.ofSeconds(10))).isTrue();
        assertThat(Coro.joinAll(all, null)).isTrue();
        assertThat(all).allMatch(TaskFuture::isDone);
    }

    @Test
    void joinAllReturnsFalseWhenTheTimeRunsOut() {
        final CountDownLatch release = new CountDownLatch(1);
        final TaskFuture<Boolean> blocked = Coro.spawn(() -> release.await(1, TimeUnit.MINUTES));
        final TaskFuture<Integer> quick = Coro.spawn(() -> 1);
        assertThat(Coro.joinAll(List.of(quick, blocked), Duration.ofMillis(100))).isFalse();
        assertThat(blocked.isDone()).as("joinAll does not cancel").isFalse();
        assertThat(Coro.joinAll(List.of(quick, blocked), Duration.ZERO)).isFalse();
        release.countDown();
        assertThat(Coro.joinAll(List.of(quick, blocked), null)).isTrue();
        assertThat(Coro.joinAll(List.of(), Duration.ZERO)).isTrue();
    }

    @Test
    void joinAllThrowsWhenTheWaiterIsInterrupted() {
        final TaskFuture<Void> sleeper = Coro.spawnLater(LONG, () -> {});
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Coro.joinAll(List.of(sleeper), null)).isInstanceOf(WaitInterruptedException.class);
        assertThat(Thread.interrupted()).as("interrupt flag set again").isTrue();
        sleeper.cancel(false);
    }

    @Test
    void killAllInterruptsSleepers() throws Exception {
        final int n = 3;
        final CountDownLatch sleeping = new CountDownLatch(n);
        final CountDownLatch interrupted = new CountDownLatch(n);
        final List<TaskFuture<Void>> sleepers = IntStream.range(0, n).mapToObj(i -> Coro.spawn(() -> {
            sleeping.countDown();
            try {
                Coro.sleep(LONG);
            } catch (WaitInterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        })).toList();
        assertThat(sleeping.await(10, TimeUnit.SECONDS)).isTrue();
        Coro.killAll(sleepers);
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("every sleeper saw the interrupt").isTrue();
        assertThat(sleepers).allMatch(TaskFuture::isCancelled);
        assertThatThrownBy(() -> sleepers.get(0).result()).isInstanceOf(CancellationException.class);
    }

    // ---------------------------------------------------------------- sleep

    @Test
    void sleepThrowsWaitInterruptedAndKeepsTheFlag() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> Coro.sleep(LONG)).isInstanceOf(WaitInterruptedException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void sleepZeroYields() {
        Coro.sleep(Duration.ZERO);
        assertThat(Coro.spawn(() -> {
            Coro.sleep(Duration.ZERO);
            return "yielded";
        }).result()).isEqualTo("yielded");
    }

    // ---------------------------------------------------------------- withTimeout

    @Test
    void withTimeoutReturnsTheValue() {
        assertThat(Coro.withTimeout(Duration.ofSeconds(10), () -> "done")).isEqualTo("done");
        assertThat(Coro.withTimeout(null, () -> "no limit")).isEqualTo("no limit");
    }

    @Test
    void withTimeoutRunsTheBodyInAChildVirtualThread() {
        final Thread caller = Thread.currentThread();
        final Thread runner = Coro.withTimeout(Duration.ofSeconds(10), Thread::currentThread);
        assertThat(runner).isNotSameAs(caller);
        assertThat(runner.isVirtual()).isTrue();
    }

    @Test
    void withTimeoutInterruptsTheChildWhenTimeRunsOut() throws Exception {
        final CountDownLatch childSawInterrupt = new CountDownLatch(1);
        assertThatThrownBy(() -> Coro.withTimeout(Duration.ofMillis(100), () -> {
            try {
                Coro.sleep(LONG);
                return "slept";
            } catch (WaitInterruptedException e) {
                childSawInterrupt.countDown();
                throw e;
            }
        })).isInstanceOf(WaitTimeoutException.class).hasMessageContaining("PT0.1S");
        assertThat(childSawInterrupt.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void withTimeoutRethrowsUncheckedUnchanged() {
        final IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(10), () -> {
            throw boom;
        })).isSameAs(boom);
        final AssertionError error = new AssertionError("error");
        assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(10), () -> {
            throw error;
        })).isSameAs(error);
    }

    @Test
    void withTimeoutWrapsChecked() {
        final IOException boom = new IOException("boom");
        assertThatThrownBy(() -> Coro.withTimeout(Duration.ofSeconds(10), () -> {
            throw boom;
        })).isInstanceOf(TaskFailedException.class).hasCause(boom);
    }

    @Test
    void withTimeoutCancelsTheChildWhenTheCallerIsInterrupted() throws Exception {
        final CountDownLatch childSawInterrupt = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);
        final AtomicReference<Thread> callerThread = new AtomicReference<>();
        final TaskFuture<Throwable> caller = Coro.spawn(() -> {
            callerThread.set(Thread.currentThread());
            try {
                Coro.withTimeout(LONG, () -> {
                    started.countDown();
                    try {
                        Coro.sleep(LONG);
                    } catch (WaitInterruptedException e) {
                        childSawInterrupt.countDown();
                    }
                    return null;
                });
                return null;
            } catch (WaitInterruptedException e) {
                return e;
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(caller.isDone()).isFalse();
        // interrupt the caller's thread rather than cancel its future, so that we can read what it caught
        callerThread.get().interrupt();
        assertThat(caller.result()).isInstanceOf(WaitInterruptedException.class);
        assertThat(childSawInterrupt.await(10, TimeUnit.SECONDS)).isTrue();
    }

    // ---------------------------------------------------------------- argument checks

    @Test
    void argumentsAreValidated() {
        final Duration negative = Duration.ofMillis(-1);
        assertThatThrownBy(() -> Coro.spawn((java.util.concurrent.Callable<Object>) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("body");
        assertThatThrownBy(() -> Coro.spawnLater(negative, () -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> Coro.spawnLater(null, () -> 1)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delay");
        assertThatThrownBy(() -> Coro.sleep(negative)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("d must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> Coro.joinAll(List.of(), negative)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> Coro.joinAll(null, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("tasks");
        assertThatThrownBy(() -> Coro.killAll(Arrays.asList(TaskFuture.completed(1), null)))
                .isInstanceOf(NullPointerException.class).hasMessage("tasks must not contain null, found at index 1");
        assertThatThrownBy(() -> Coro.withTimeout(negative, () -> 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must not be negative, was PT-0.001S");
    }
}
