package io.bingfa.future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FuturesTest {

    private static <T> List<TaskFuture<T>> pending(final int n) {
        final List<TaskFuture<T>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(new TaskFuture<>());
        }
        return fs;
    }

    private static void later(final Runnable r) {
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
            r.run();
        });
    }

    // ---------------------------------------------------------------- asCompleted

    @Test
    void asCompletedYieldsInCompletionOrderDoneOnesFirst() {
        final List<TaskFuture<String>> fs = pending(4);
        fs.get(2).setResult("c");
        final Iterator<TaskFuture<String>> it = Futures.asCompleted(fs, Duration.ofSeconds(10)).iterator();
        assertThat(it.next()).isSameAs(fs.get(2));
        later(() -> fs.get(3).setResult("d"));
        assertThat(it.next()).isSameAs(fs.get(3));
        fs.get(0).setException(new RuntimeException("a failed"));
        assertThat(it.next()).isSameAs(fs.get(0));
        fs.get(1).cancel();
        assertThat(it.next()).isSameAs(fs.get(1));
        assertThat(it.hasNext()).isFalse();
    }

    @Test
    void asCompletedCountsDuplicatesOnce() {
        final TaskFuture<Integer> f = TaskFuture.completed(1);
        final List<TaskFuture<Integer>> got = new ArrayList<>();
        Futures.asCompleted(List.of(f, f, f)).forEach(got::add);
        assertThat(got).containsExactly(f);
    }

    @Test
    void asCompletedTimesOutSayingHowManyAreUnfinished() {
        final List<TaskFuture<String>> fs = pending(3);
        fs.get(0).setResult("a");
        final Iterator<TaskFuture<String>> it = Futures.asCompleted(fs, Duration.ofMillis(50)).iterator();
        it.next();
        assertThatThrownBy(it::next).isInstanceOf(WaitTimeoutException.class)
                .hasMessageStartingWith("2 (of 3) futures unfinished");
    }

    @Test
    void asCompletedCanBeIteratedOnce() {
        final Iterable<TaskFuture<Integer>> it = Futures.asCompleted(List.of(TaskFuture.completed(1)));
        it.iterator();
        assertThatThrownBy(it::iterator).isInstanceOf(IllegalStateException.class);
    }

    // ---------------------------------------------------------------- waitFor

    @Test
    void waitForAllCompleted() {
        final List<TaskFuture<Integer>> fs = pending(3);
        later(() -> fs.forEach(f -> f.setResult(1)));
        final Done<Integer> d = Futures.waitFor(fs, Duration.ofSeconds(10), ReturnWhen.ALL_COMPLETED);
        assertThat(d.done()).containsExactlyInAnyOrderElementsOf(fs);
        assertThat(d.notDone()).isEmpty();
    }

    @Test
    void waitForFirstCompletedReturnsAsSoonAsOneIsDone() {
        final List<TaskFuture<Integer>> fs = pending(3);
        later(() -> fs.get(1).cancel());
        final Done<Integer> d = Futures.waitFor(fs, ReturnWhen.FIRST_COMPLETED);
        assertThat(d.done()).containsExactly(fs.get(1));
        assertThat(d.notDone()).containsExactlyInAnyOrder(fs.get(0), fs.get(2));
    }

    @Test
    void waitForFirstExceptionReturnsOnAFailureButNotOnASuccessOrCancellation() {
        final List<TaskFuture<Integer>> fs = pending(4);
        fs.get(0).setResult(1);
        fs.get(1).cancel();
        later(() -> fs.get(2).setException(new IllegalStateException("x")));
        final Done<Integer> d = Futures.waitFor(fs, Duration.ofSeconds(10), ReturnWhen.FIRST_EXCEPTION);
        assertThat(d.done()).containsExactlyInAnyOrder(fs.get(0), fs.get(1), fs.get(2));
        assertThat(d.notDone()).containsExactly(fs.get(3));
    }

    @Test
    void waitForFirstExceptionWithoutAnyFailureWaitsForAll() {
        final List<TaskFuture<Integer>> fs = pending(2);
        fs.get(0).setResult(1);
        later(() -> fs.get(1).setResult(2));
        final Done<Integer> d = Futures.waitFor(fs, Duration.ofSeconds(10), ReturnWhen.FIRST_EXCEPTION);
        assertThat(d.notDone()).isEmpty();
    }

    @Test
    void waitForTimesOutWithoutThrowing() {
        final List<TaskFuture<Integer>> fs = pending(2);
        fs.get(0).setResult(1);
        for (ReturnWhen when : new ReturnWhen[] {ReturnWhen.ALL_COMPLETED, ReturnWhen.FIRST_EXCEPTION}) {
            final Done<Integer> d = Futures.waitFor(fs, Duration.ofMillis(30), when);
            assertThat(d.done()).containsExactly(fs.get(0));
            assertThat(d.notDone()).containsExactly(fs.get(1));
        }
    }

    @Test
    void waitForOfNothingReturnsAtOnce() {
        final Done<Object> d = Futures.waitFor(List.of(), ReturnWhen.FIRST_COMPLETED);
        assertThat(d.done()).isEmpty();
        assertThat(d.notDone()).isEmpty();
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> Futures.waitFor(null, ReturnWhen.ALL_COMPLETED))
                .isInstanceOf(NullPointerException.class).hasMessage("futures");
        assertThatThrownBy(() -> Futures.waitFor(List.of(new TaskFuture<>()), null))
                .isInstanceOf(NullPointerException.class).hasMessage("returnWhen");
        final List<TaskFuture<Object>> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> Futures.asCompleted(withNull)).isInstanceOf(NullPointerException.class)
                .hasMessage("futures[0]");
        assertThatThrownBy(() -> Futures.asCompleted(List.of(), Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }

    // ---------------------------------------------------------------- gather

    @Test
    void gatherReturnsValuesInInputOrder() {
        final List<TaskFuture<String>> fs = pending(3);
        later(() -> {
            fs.get(2).setResult("c");
            fs.get(0).setResult("a");
            fs.get(1).setResult("b");
        });
        assertThat(Futures.gather(fs)).containsExactly("a", "b", "c");
    }

    @Test
    void gatherThrowsTheFirstFailureAtOnceAndLeavesTheOthersRunning() {
        final List<TaskFuture<String>> fs = pending(3);
        later(() -> fs.get(1).setException(new IllegalStateException("second failed")));
        assertThatThrownBy(() -> Futures.gather(fs)).isInstanceOf(TaskFailedException.class)
                .hasCauseInstanceOf(IllegalStateException.class).hasRootCauseMessage("second failed");
        assertThat(fs.get(0).isDone()).isFalse();
        assertThat(fs.get(2).isDone()).isFalse();
    }

    @Test
    void gatherWithReturnExceptionsCollectsEveryOutcome() {
        final List<TaskFuture<String>> fs = pending(3);
        final IllegalStateException boom = new IllegalStateException("boom");
        fs.get(0).setResult("a");
        fs.get(1).setException(boom);
        fs.get(2).cancel();
        final List<Outcome<String>> out = Futures.gather(fs, true);
        assertThat(out.get(0)).isEqualTo(new Outcome.Value<>("a"));
        assertThat(out.get(1)).isEqualTo(new Outcome.Failure<String>(boom));
        assertThat(out.get(2)).isInstanceOfSatisfying(Outcome.Failure.class,
                f -> assertThat(f.exception()).isInstanceOf(CancellationException.class));
        assertThatThrownBy(() -> out.get(1).getOrThrow()).isInstanceOf(TaskFailedException.class).hasCause(boom);
    }

    @Test
    void gatherWithoutReturnExceptionsReportsACancellation() {
        final List<TaskFuture<String>> fs = pending(2);
        fs.get(0).setResult("a");
        fs.get(1).cancel();
        assertThatThrownBy(() -> Futures.gather(fs, false)).isInstanceOf(CancellationException.class);
    }
}
