package io.bingfa.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bingfa.future.Futures;
import io.bingfa.future.TaskFailedException;
import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link Pool} keeps, run unchanged against each implementation (JCTools'
 * {@code QueueSanityTest} pattern): subclasses only say how to make a pool. Tasks capture nothing but
 * serializable values and talk to the test through {@link FileSignals}, so the suite is equally valid
 * for pools whose tasks run in other processes.
 */
@Timeout(60)
public abstract class PoolContract {

    /** A new pool that runs at most {@code concurrency} tasks at once. */
    protected abstract Pool newPool(int concurrency);

    /**
     * Whether tasks beyond the pool's concurrency wait in a queue (false for a pool that starts every task
     * at once, such as {@link Pools#virtual()}); the tests about queued tasks need one.
     */
    protected boolean queuesTasks() {
        return true;
    }

    @TempDir
    Path tmp;

    private final List<Pool> pools = new ArrayList<>();

    private Pool pool(final int concurrency) {
        final Pool p = newPool(concurrency);
        pools.add(p);
        return p;
    }

    @AfterEach
    void closePools() {
        for (Pool p : pools) {
            p.shutdown(true, true);
        }
    }

    static int square(final int x) {
        return x * x;
    }

    static int failOn(final int x, final int bad) {
        if (x == bad) {
            throw new IllegalStateException("boom at " + x);
        }
        return x;
    }

    // ---------------------------------------------------------------- submit and results

    @Test
    void submitReturnsTheTaskValue() {
        final Pool p = pool(2);
        final TaskFuture<Integer> f = p.submit(() -> 6 * 7);
        assertThat(f.result(Duration.ofSeconds(30))).isEqualTo(42);
        assertThat(f.isDone()).isTrue();
        assertThat(f.isCancelled()).isFalse();
        assertThat(f.exception()).isNull();
    }

    @Test
    void submitOfARunnableCompletesWithNull() {
        final Pool p = pool(2);
        final String dir = tmp.toString();
        final TaskFuture<Void> f = p.submit(() -> FileSignals.raise(dir, "ran"));
        assertThat(f.result(Duration.ofSeconds(30))).isNull();
        assertThat(FileSignals.isRaised(dir, "ran")).isTrue();
    }

    @Test
    void aTaskExceptionReachesTheCallerAsTheCause() {
        final Pool p = pool(2);
        final TaskFuture<Integer> f = p.submit(() -> failOn(3, 3));
        assertThatThrownBy(() -> f.result(Duration.ofSeconds(30)))
                .isInstanceOf(TaskFailedException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("boom at 3");
        assertThat(f.exception()).isInstanceOf(IllegalStateException.class).hasMessage("boom at 3");
    }

    @Test
    void aCheckedExceptionIsDeliveredToo() {
        final Pool p = pool(1);
        final TaskFuture<String> f = p.submit(() -> {
            throw new java.io.IOException("disk gone");
        });
        assertThat(f.exception(Duration.ofSeconds(30))).isInstanceOf(java.io.IOException.class).hasMessage("disk gone");
    }

    @Test
    void manyTasksAllComplete() {
        final Pool p = pool(4);
        final List<TaskFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            final int x = i;
            fs.add(p.submit(() -> square(x)));
        }
        assertThat(Futures.gather(fs)).isEqualTo(IntStream.range(0, 2_000).map(PoolContract::square).boxed().toList());
    }

    @Test
    void doneCallbacksRunForPoolFutures() {
        final Pool p = pool(2);
        final CopyOnWriteArrayList<Integer> seen = new CopyOnWriteArrayList<>();
        final TaskFuture<Integer> f = p.submit(() -> 5);
        f.onDone(done -> seen.add(done.result()));
        f.result(Duration.ofSeconds(30));
        FileSignals.awaitTrue(() -> seen.size() == 1, Duration.ofSeconds(30), "callback");
        assertThat(seen).containsExactly(5);
    }

    // ---------------------------------------------------------------- map

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 100, 1000})
    void mapYieldsResultsInInputOrderForAnyChunkSize(final int chunkSize) {
        final Pool p = pool(3);
        final List<Integer> inputs = IntStream.range(0, 500).boxed().toList();
        final List<Integer> out = p.map(PoolContract::square, inputs, chunkSize, Duration.ofSeconds(30)).toList();
        assertThat(out).isEqualTo(inputs.stream().map(PoolContract::square).toList());
    }

    @Test
    void mapOfNoInputsIsEmpty() {
        final Pool p = pool(2);
        assertThat(p.map(PoolContract::square, List.<Integer>of()).toList()).isEmpty();
    }

    @Test
    void mapIsLazyAndReadsTheInputOnlyAsFarAsItsLookAhead() {
        final Pool p = pool(2);
        final AtomicInteger pulled = new AtomicInteger();
        final Iterable<Integer> endless = () -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                return pulled.incrementAndGet();
            }
        };
        final MapOptions options = MapOptions.defaults().withChunkSize(2).withLookAhead(3);
        try (Stream<Integer> s = p.map(PoolContract::square, endless, options)) {
            assertThat(s.limit(10).toList()).isEqualTo(List.of(1, 4, 9, 16, 25, 36, 49, 64, 81, 100));
        }
        // 10 results consumed = 5 chunks; at most 3 more chunks of 2 were read ahead.
        assertThat(pulled.get()).isBetween(10, 16);
    }

    @Test
    void mapThrowsAtTheFailingElementAfterTheEarlierResults() {
        final Pool p = pool(2);
        final List<Integer> got = new ArrayList<>();
        final Iterator<Integer> it = p.map((Integer x) -> failOn(x, 7), IntStream.range(0, 50).boxed().toList(),
                4, Duration.ofSeconds(30)).iterator();
        assertThatThrownBy(() -> {
            while (it.hasNext()) {
                got.add(it.next());
            }
        }).isInstanceOf(TaskFailedException.class).cause().hasMessage("boom at 7");
        assertThat(got).containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void mapTimeoutCountsFromTheCallAndCancelsTheRest() {
        final Pool p = pool(1);
        final String dir = tmp.toString();
        final Stream<Integer> s = p.map((Integer x) -> {
            FileSignals.sleepUntilRaised(dir, "release");
            return x;
        }, List.of(1, 2, 3), 1, Duration.ofMillis(200));
        try {
            assertThatThrownBy(s::toList).isInstanceOf(WaitTimeoutException.class).hasMessageContaining("did not finish");
        } finally {
            FileSignals.raise(dir, "release");
        }
    }

    @Test
    void mapUnorderedYieldsEveryResultInCompletionOrder() {
        final Pool p = pool(2);
        final String dir = tmp.toString();
        // Input 0 waits until input 1..9 have all produced their results, so it must come last.
        final List<Integer> out = p.mapUnordered((Integer x) -> {
            if (x == 0) {
                FileSignals.sleepUntilRaised(dir, "others-done");
            }
            return x;
        }, IntStream.range(0, 10).boxed().toList()).peek(x -> {
            if (x == 9) {
                FileSignals.raise(dir, "others-done");
            }
        }).collect(Collectors.toList());
        assertThat(out).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 10).boxed().toList());
        assertThat(out.getLast()).isZero();
    }

    @Test
    void mapRejectsBadArguments() {
        final Pool p = pool(1);
        assertThatThrownBy(() -> p.map(PoolContract::square, List.of(1), 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunkSize");
        assertThatThrownBy(() -> p.map(null, List.of(1))).isInstanceOf(NullPointerException.class).hasMessageContaining("fn");
        assertThatThrownBy(() -> p.map(PoolContract::square, null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("inputs");
        assertThatThrownBy(() -> p.map(PoolContract::square, List.of(1), 1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> p.submit((SerializableCallable<Object>) null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("task");
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    void aQueuedTaskIsCancelledAndNeverRuns() {
        assumeTrue(queuesTasks(), "this pool starts every task at once: nothing is ever queued");
        final Pool p = pool(1);
        final String dir = tmp.toString();
        final TaskFuture<Void> blocker = p.submit(() -> {
            FileSignals.raise(dir, "blocker-started");
            FileSignals.sleepUntilRaised(dir, "release");
        });
        FileSignals.awaitRaised(dir, "blocker-started", Duration.ofSeconds(30));
        final TaskFuture<Void> queued = p.submit(() -> FileSignals.raise(dir, "queued-ran"));
        assertThat(queued.isRunning()).isFalse();
        assertThat(queued.cancel()).isTrue();
        assertThat(queued.isCancelled()).isTrue();
        assertThat(queued.isDone()).isTrue();
        FileSignals.raise(dir, "release");
        blocker.result(Duration.ofSeconds(30));
        p.submit(() -> 1).result(Duration.ofSeconds(30)); // the queue has moved past the cancelled task
        assertThat(FileSignals.isRaised(dir, "queued-ran")).isFalse();
        assertThatThrownBy(queued::result).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancelWithoutInterruptDoesNotStopARunningTask() {
        final Pool p = pool(1);
        final String dir = tmp.toString();
        final TaskFuture<String> running = p.submit(() -> {
            FileSignals.raise(dir, "started");
            FileSignals.sleepUntilRaised(dir, "release");
            return "finished";
        });
        FileSignals.awaitRaised(dir, "started", Duration.ofSeconds(30));
        FileSignals.awaitTrue(running::isRunning, Duration.ofSeconds(30), "running state");
        assertThat(running.cancel(false)).isFalse();
        assertThat(running.isCancelled()).isFalse();
        FileSignals.raise(dir, "release");
        assertThat(running.result(Duration.ofSeconds(30))).isEqualTo("finished");
    }

    @Test
    void cancelWithInterruptStopsARunningTaskAndThePoolGoesOn() {
        final Pool p = pool(1);
        final String dir = tmp.toString();
        final TaskFuture<String> running = p.submit(() -> {
            FileSignals.raise(dir, "started");
            try {
                Thread.sleep(Duration.ofMinutes(5));
                return "slept";
            } catch (InterruptedException e) {
                FileSignals.raise(dir, "interrupted");
                throw e;
            }
        });
        FileSignals.awaitRaised(dir, "started", Duration.ofSeconds(30));
        FileSignals.awaitTrue(running::isRunning, Duration.ofSeconds(30), "running state");
        assertThat(running.cancel(true)).isTrue();
        assertThat(running.isCancelled()).isTrue();
        assertThatThrownBy(running::result).isInstanceOf(CancellationException.class);
        FileSignals.awaitRaised(dir, "interrupted", Duration.ofSeconds(30));
        // The interrupt was aimed at the cancelled task only: the next task on the same worker sleeps fine.
        final TaskFuture<String> next = p.submit(() -> {
            Thread.sleep(20);
            return "next";
        });
        assertThat(next.result(Duration.ofSeconds(30))).isEqualTo("next");
    }

    // ---------------------------------------------------------------- shutdown

    @Test
    void shutdownWithWaitReturnsAfterEveryTaskFinished() {
        final Pool p = pool(2);
        final String dir = tmp.toString();
        final List<TaskFuture<Integer>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            final int x = i;
            fs.add(p.submit(() -> {
                Thread.sleep(30);
                FileSignals.raise(dir, "done-" + x);
                return x;
            }));
        }
        p.shutdown(true, false);
        assertThat(p.isShutdown()).isTrue();
        assertThat(p.isTerminated()).isTrue();
        assertThat(fs).allMatch(TaskFuture::isDone);
        for (int i = 0; i < 6; i++) {
            assertThat(FileSignals.isRaised(dir, "done-" + i)).isTrue();
        }
    }

    @Test
    void shutdownCancellingPendingCancelsQueuedTasksButLetsTheRunningOneFinish() {
        assumeTrue(queuesTasks(), "this pool starts every task at once: nothing is ever queued");
        final Pool p = pool(1);
        final String dir = tmp.toString();
        final TaskFuture<String> running = p.submit(() -> {
            FileSignals.raise(dir, "started");
            FileSignals.sleepUntilRaised(dir, "release");
            return "done";
        });
        FileSignals.awaitRaised(dir, "started", Duration.ofSeconds(30));
        final List<TaskFuture<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            final int x = i;
            queued.add(p.submit(() -> FileSignals.raise(dir, "queued-" + x)));
        }
        p.shutdown(false, true);
        assertThat(queued).allMatch(TaskFuture::isCancelled);
        FileSignals.raise(dir, "release");
        assertThat(running.result(Duration.ofSeconds(30))).isEqualTo("done");
        assertThat(p.awaitTermination(Duration.ofSeconds(30))).isTrue();
        for (int i = 0; i < 5; i++) {
            assertThat(FileSignals.isRaised(dir, "queued-" + i)).isFalse();
        }
    }

    @Test
    void submitAfterShutdownIsRejected() {
        final Pool p = pool(1);
        p.shutdown(true, false);
        assertThatThrownBy(() -> p.submit(() -> 1)).isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("shut down");
        p.shutdown(true, false); // again: harmless
    }

    @Test
    void closeWaitsForTasksLikeAWithBlock() {
        final String dir = tmp.toString();
        final TaskFuture<Integer> f;
        try (Pool p = newPool(2)) {
            f = p.submit(() -> {
                Thread.sleep(50);
                FileSignals.raise(dir, "finished");
                return 1;
            });
        }
        assertThat(f.isDone()).isTrue();
        assertThat(FileSignals.isRaised(dir, "finished")).isTrue();
    }

    @Test
    void concurrencyIsReported() {
        assertThat(pool(3).concurrency()).isGreaterThanOrEqualTo(1);
    }
}
