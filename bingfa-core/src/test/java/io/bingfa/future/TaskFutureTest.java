package io.bingfa.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class TaskFutureTest {

    @Test
    void aNewFutureIsPendingAndThenSucceeds() {
        final TaskFuture<String> f = new TaskFuture<>();
        assertThat(f.isDone()).isFalse();
        assertThat(f.isRunning()).isFalse();
        assertThat(f.state()).isEqualTo(Future.State.RUNNING);
        assertThat(f.setRunningOrNotifyCancel(null)).isTrue();
        assertThat(f.isRunning()).isTrue();
        assertThat(f.setResult("ok")).isTrue();
        assertThat(f.result()).isEqualTo("ok");
        assertThat(f.resultNow()).isEqualTo("ok");
        assertThat(f.state()).isEqualTo(Future.State.SUCCESS);
        assertThat(f.setResult("again")).isFalse();
        assertThat(f.setException(new RuntimeException())).isFalse();
        assertThat(f.result()).isEqualTo("ok");
        assertThat(f).hasToString(f.toString()).asString().contains("succeeded=ok");
    }

    @Test
    void aFailureIsWrappedOnceWithTheOriginalAsCause() {
        final IllegalArgumentException boom = new IllegalArgumentException("boom");
        final TaskFuture<String> f = TaskFuture.failed(boom);
        assertThatThrownBy(f::result).isInstanceOf(TaskFailedException.class).hasCause(boom);
        assertThat(f.exception()).isSameAs(boom);
        assertThat(f.state()).isEqualTo(Future.State.FAILED);
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCause(boom);
    }

    @Test
    void resultWithATimeoutThrowsWaitTimeoutAndLeavesTheFutureAlone() {
        final TaskFuture<String> f = new TaskFuture<>();
        assertThatThrownBy(() -> f.result(Duration.ofMillis(20))).isInstanceOf(WaitTimeoutException.class)
                .hasMessageContaining("PT0.02S");
        assertThatThrownBy(() -> f.exception(Duration.ZERO)).isInstanceOf(WaitTimeoutException.class);
        assertThatThrownBy(() -> f.get(1, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(f.isDone()).isFalse();
        f.setResult("late");
        assertThat(f.result(Duration.ZERO)).isEqualTo("late");
    }

    @Test
    void aWaiterIsWokenByCompletionFromAnotherThread() throws Exception {
        final TaskFuture<Integer> f = new TaskFuture<>();
        final CompletableFuture<Integer> got = CompletableFuture.supplyAsync(f::result);
        Thread.ofVirtual().start(() -> f.setResult(7)).join();
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void interruptingAWaiterThrowsWaitInterruptedAndKeepsTheFlag() throws Exception {
        final TaskFuture<Integer> f = new TaskFuture<>();
        final CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        final CompletableFuture<Boolean> flag = new CompletableFuture<>();
        final Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                f.result();
            } catch (Throwable t) {
                thrown.complete(t);
                flag.complete(Thread.currentThread().isInterrupted());
            }
        });
        while (waiter.getState() != Thread.State.WAITING) {
            Thread.sleep(1);
        }
        waiter.interrupt();
        assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(WaitInterruptedException.class)
                .hasCauseInstanceOf(InterruptedException.class);
        assertThat(flag.get()).isTrue();
    }

    @Test
    void cancellingAPendingFutureWorksWhateverTheFlag() {
        final TaskFuture<String> f = new TaskFuture<>();
        assertThat(f.cancel()).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(f.isDone()).isTrue();
        assertThat(f.cancel(true)).as("cancelling again still reports cancelled").isTrue();
        assertThat(f.setRunningOrNotifyCancel(null)).as("the runner must skip it").isFalse();
        assertThat(f.setResult("x")).isFalse();
        assertThatThrownBy(f::result).isInstanceOf(CancellationException.class);
        assertThatThrownBy(f::exception).isInstanceOf(CancellationException.class);
        assertThat(f.state()).isEqualTo(Future.State.CANCELLED);
    }

    @Test
    void cancellingARunningFutureNeedsMayInterrupt() {
        final TaskFuture<String> f = new TaskFuture<>();
        final List<String> interrupts = new CopyOnWriteArrayList<>();
        f.setRunningOrNotifyCancel(() -> interrupts.add("interrupt"));
        assertThat(f.cancel(false)).isFalse();
        assertThat(f.isCancelled()).isFalse();
        assertThat(interrupts).isEmpty();
        assertThat(f.cancel(true)).isTrue();
        assertThat(interrupts).containsExactly("interrupt");
        assertThat(f.isCancelled()).isTrue();
        assertThat(f.setResult("too late")).isFalse();
        assertThatThrownBy(f::result).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancellingADoneFutureFails() {
        assertThat(TaskFuture.completed(1).cancel(true)).isFalse();
        assertThat(TaskFuture.failed(new RuntimeException()).cancel(true)).isFalse();
    }

    @Test
    void runSkipsATaskCancelledWhileQueued() {
        final TaskFuture<String> f = new TaskFuture<>();
        f.cancel();
        final List<String> ran = new CopyOnWriteArrayList<>();
        assertThat(f.run(() -> {
            ran.add("ran");
            return "x";
        })).isFalse();
        assertThat(ran).isEmpty();
    }

    @Test
    void runningTwiceIsARunnerBug() {
        final TaskFuture<String> f = new TaskFuture<>();
        f.setRunningOrNotifyCancel(null);
        assertThatThrownBy(() -> f.setRunningOrNotifyCancel(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already running");
    }

    @Test
    void callbacksRunInTheOrderAddedAndAFailingOneDoesNotStopTheOthers() {
        final TaskFuture<String> f = new TaskFuture<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            final int n = i;
            f.onDone(done -> {
                calls.add("cb" + n + ":" + done.result());
                if (n == 2) {
                    throw new IllegalStateException("callback 2 is broken (expected in this test)");
                }
            });
        }
        assertThat(calls).isEmpty();
        f.setResult("v");
        assertThat(calls).containsExactly("cb0:v", "cb1:v", "cb2:v", "cb3:v", "cb4:v");
    }

    @Test
    void aCallbackAddedAfterCompletionRunsAtOnceInTheCaller() {
        final TaskFuture<String> f = TaskFuture.completed("v");
        final List<Thread> ranOn = new CopyOnWriteArrayList<>();
        f.onDone(done -> ranOn.add(Thread.currentThread()));
        assertThat(ranOn).containsExactly(Thread.currentThread());
    }

    @Test
    void callbacksSeeCancellationToo() {
        final TaskFuture<String> f = new TaskFuture<>();
        final List<Boolean> cancelled = new CopyOnWriteArrayList<>();
        f.onDone(done -> cancelled.add(done.isCancelled()));
        f.cancel();
        assertThat(cancelled).containsExactly(true);
    }

    @Test
    void callbacksRunInTheCompletingThread() throws Exception {
        final TaskFuture<String> f = new TaskFuture<>();
        final CompletableFuture<Thread> ranOn = new CompletableFuture<>();
        f.onDone(done -> ranOn.complete(Thread.currentThread()));
        final Thread completer = Thread.ofVirtual().start(() -> f.setResult("x"));
        completer.join();
        assertThat(ranOn.get()).isSameAs(completer);
    }

    @Test
    void toCompletableFutureMirrorsTheOutcomeButCannotChangeIt() throws Exception {
        final TaskFuture<String> f = new TaskFuture<>();
        final CompletableFuture<String> cf = f.toCompletableFuture();
        final CompletableFuture<Integer> length = cf.thenApply(String::length);
        assertThat(cf.isDone()).isFalse();
        f.setResult("hello");
        assertThat(length.get()).isEqualTo(5);

        final TaskFuture<String> g = new TaskFuture<>();
        g.toCompletableFuture().complete("forged");
        assertThat(g.isDone()).isFalse();
        g.cancel();
        assertThat(g.toCompletableFuture().isCancelled()).isTrue();
    }

    @Test
    void aCheckedTaskExceptionIsWrappedAndKept() {
        final TaskFuture<String> f = new TaskFuture<>();
        f.run(() -> {
            throw new java.io.IOException("io");
        });
        assertThat(f.exception()).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(f::result).isInstanceOf(TaskFailedException.class).hasMessageContaining("io")
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    void cancelWithInterruptReachesTheRunningThreadAndItsInterruptDoesNotSurviveRun() throws Exception {
        final TaskFuture<String> f = new TaskFuture<>();
        final CountDownLatch started = new CountDownLatch(1);
        final CompletableFuture<Boolean> interruptedAfterRun = new CompletableFuture<>();
        final CompletableFuture<Boolean> sawInterrupt = new CompletableFuture<>();
        final Thread runner = Thread.ofPlatform().start(() -> {
            f.run(() -> {
                started.countDown();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    sawInterrupt.complete(true);
                    throw e;
                }
                return "slept";
            });
            interruptedAfterRun.complete(Thread.currentThread().isInterrupted());
        });
        started.await();
        assertThat(f.cancel(true)).isTrue();
        assertThat(sawInterrupt.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(interruptedAfterRun.get(10, TimeUnit.SECONDS)).isFalse();
        runner.join();
        assertThatThrownBy(f::result).isInstanceOf(CancellationException.class);
    }

    @Test
    void everyWaiterWakesOnCompletionEvenAfterOthersTimedOutOrWereInterrupted() throws Exception {
        final TaskFuture<Integer> f = new TaskFuture<>();
        final List<Thread> quitters = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) { // these give up and must unlink themselves without losing the rest
            final boolean timed = i % 2 == 0;
            quitters.add(Thread.ofVirtual().start(() -> {
                try {
                    f.result(timed ? Duration.ofMillis(5) : null);
                } catch (WaitTimeoutException | WaitInterruptedException expected) {
                    // gave up
                }
            }));
        }
        final List<CompletableFuture<Integer>> got = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            final CompletableFuture<Integer> g = new CompletableFuture<>();
            got.add(g);
            final boolean platform = i % 10 == 0;
            (platform ? Thread.ofPlatform() : Thread.ofVirtual()).start(() -> g.complete(f.result()));
        }
        for (int i = 1; i < quitters.size(); i += 2) {
            quitters.get(i).interrupt();
        }
        for (Thread t : quitters) {
            t.join();
        }
        f.setResult(42);
        for (CompletableFuture<Integer> g : got) {
            assertThat(g.get(10, TimeUnit.SECONDS)).isEqualTo(42);
        }
    }

    @Test
    void resultNowAndExceptionNowFollowTheJdkContract() {
        assertThat(TaskFuture.completed("x").resultNow()).isEqualTo("x");
        assertThatThrownBy(() -> new TaskFuture<String>().resultNow()).isInstanceOf(IllegalStateException.class);
        final RuntimeException boom = new RuntimeException("boom");
        assertThat(TaskFuture.failed(boom).exceptionNow()).isSameAs(boom);
        assertThatThrownBy(() -> TaskFuture.completed("x").exceptionNow()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSpinningFutureIsCompletedFromAnotherThreadWhileItsWaiterSpins() throws Exception {
        final TaskFuture<String> f = TaskFuture.spinning(Duration.ofMillis(50));
        final Thread completer = new Thread(() -> f.setResult("done"));
        completer.start();
        assertThat(f.result(Duration.ofSeconds(10))).isEqualTo("done");
        completer.join();
    }

    @Test
    void aSpinningFutureWhoseSpinEndsParksAndIsStillWoken() throws Exception {
        final TaskFuture<String> f = TaskFuture.spinning(Duration.ofNanos(1));
        final CountDownLatch waiting = new CountDownLatch(1);
        final CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            return f.result();
        });
        waiting.await();
        Thread.sleep(50); // long past the spin: the waiter is parked (or about to be)
        f.setResult("late");
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo("late");
    }

    @Test
    void aTimedWaitOnASpinningFutureTimesOutEvenWhenTheTimeoutIsShorterThanTheSpin() {
        final TaskFuture<String> f = TaskFuture.spinning(Duration.ofMillis(500));
        assertThatThrownBy(() -> f.result(Duration.ofMillis(5))).isInstanceOf(WaitTimeoutException.class);
        assertThatThrownBy(() -> f.result(Duration.ZERO)).isInstanceOf(WaitTimeoutException.class);
    }

    @Test
    void aSpinningWaiterCanBeInterrupted() throws Exception {
        final TaskFuture<String> f = TaskFuture.spinning(Duration.ofSeconds(1));
        final CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        final Thread waiter = new Thread(() -> {
            try {
                f.result();
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        waiter.start();
        waiter.interrupt();
        assertThat(thrown.get(10, TimeUnit.SECONDS)).isInstanceOf(WaitInterruptedException.class);
    }

    @Test
    void spinningValidatesItsDuration() {
        assertThatThrownBy(() -> TaskFuture.spinning(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("spin");
        assertThatThrownBy(() -> TaskFuture.spinning(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spin must be between 0 and 1 s, was PT-0.000000001S");
        assertThatThrownBy(() -> TaskFuture.spinning(Duration.ofSeconds(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spin must be between 0 and 1 s, was PT2S");
        assertThat(TaskFuture.spinning(Duration.ZERO).isDone()).isFalse();
    }

    /** A helper whose help() may complete the future itself, as a process pool's caller reading its answer. */
    private static final class RecordingHelper implements TaskFuture.SpinHelper {
        final java.util.concurrent.atomic.AtomicInteger helps = new java.util.concurrent.atomic.AtomicInteger();
        final List<Boolean> stops = new CopyOnWriteArrayList<>();
        volatile TaskFuture<String> future;
        volatile int completeAt = -1;

        @Override
        public void help() {
            if (helps.incrementAndGet() == completeAt) {
                future.setResult("read by the waiter");
            }
        }

        @Override
        public void stopped(final boolean done) {
            stops.add(done);
        }
    }

    @Test
    void aSpinningWaiterRunsItsHelperEachRoundAndSaysOnceThatItStoppedDone() {
        final RecordingHelper helper = new RecordingHelper();
        helper.completeAt = 10;
        helper.future = TaskFuture.spinning(Duration.ofSeconds(1), helper);
        assertThat(helper.future.result(Duration.ofSeconds(10))).isEqualTo("read by the waiter");
        assertThat(helper.helps.get()).isEqualTo(10);
        assertThat(helper.stops).containsExactly(true);
    }

    @Test
    void aHelperIsToldWhenTheSpinEndsWithoutTheAnswerAndTheWaiterStillGetsIt() {
        final RecordingHelper helper = new RecordingHelper();
        helper.future = TaskFuture.spinning(Duration.ofNanos(50_000), helper);
        Thread.ofPlatform().start(() -> {
            while (helper.stops.isEmpty()) { // complete only once the waiter gave up spinning
                Thread.onSpinWait();
            }
            helper.future.setResult("late");
        });
        assertThat(helper.future.result(Duration.ofSeconds(10))).isEqualTo("late");
        assertThat(helper.helps.get()).isPositive();
        assertThat(helper.stops).containsExactly(false);
    }

    @Test
    void aSpinningFutureRejectsANullHelper() {
        assertThatThrownBy(() -> TaskFuture.spinning(Duration.ofNanos(1), null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("helper");
    }
}
