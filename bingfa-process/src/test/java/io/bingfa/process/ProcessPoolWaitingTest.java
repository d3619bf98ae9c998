package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import io.bingfa.pool.FileSignals;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How callers wait for results: a task that has the pool to itself gets a spinning future (its caller
 * spins briefly, reading its worker's socket itself meanwhile: leader/follower), and a reader writes small
 * prefetched tasks to its worker itself. Both must keep every guarantee of the plain path: a worker's death
 * fails exactly its tasks, whoever waits, and whoever reads.
 */
@Timeout(60)
class ProcessPoolWaitingTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void aCallerWaitingAloneOnATaskSeesItsWorkerDieAndTheOtherWaitersAreUntouched() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            for (int i = 0; i < 200; i++) {
                assertThat(pool.submit(() -> 7).result(WAIT)).isEqualTo(7); // sequential: spinning futures
            }
            final String dir = tmp.toString();
            final TaskFuture<String> victim = pool.submit(() -> {
                ProcessPoolFaultTest.raisePidAndSleep(dir);
                return "unreachable";
            });
            // A second caller waits on a task of the other worker, from a thread of its own.
            final TaskFuture<Integer> other = pool.submit(() -> {
                Thread.sleep(300);
                return 42;
            });
            final CompletableFuture<Integer> otherResult = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> otherResult.complete(other.result(WAIT)));
            final long pid = ProcessPoolFaultTest.awaitPid(dir);
            final CompletableFuture<Throwable> victimOutcome = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> victimOutcome.complete(victim.exception(WAIT)));
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            assertThat(victimOutcome.get()).isInstanceOf(WorkerDiedException.class).hasMessageContaining("pid " + pid);
            assertThat(otherResult.get()).isEqualTo(42);
            assertThat(pool.submit(() -> 8).result(WAIT)).isEqualTo(8);
        }
    }

    @Test
    void aWorkerDyingWithNobodyWaitingStillFailsItsTasksAndIsReplaced() {
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            final String dir = tmp.toString();
            final TaskFuture<String> victim = pool.submit(() -> {
                ProcessPoolFaultTest.raisePidAndSleep(dir);
                return "unreachable";
            });
            final long pid = ProcessPoolFaultTest.awaitPid(dir);
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            FileSignals.awaitTrue(victim::isDone, WAIT, "the victim's future failed without a waiter");
            assertThat(victim.exceptionNow()).isInstanceOf(WorkerDiedException.class);
            assertThat(pool.submit(() -> 9).result(WAIT)).isEqualTo(9);
        }
    }

    @Test
    void manySmallPrefetchedTasksWrittenByTheReaderAllComplete() {
        try (ProcessPool pool = ProcessPool.builder().workers(2).prefetch(8).build()) {
            for (int round = 0; round < 3; round++) {
                final List<TaskFuture<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < 5_000; i++) {
                    final int x = i;
                    fs.add(pool.submit(() -> x + 1));
                }
                long sum = 0;
                for (TaskFuture<Integer> f : fs) {
                    sum += f.result(WAIT);
                }
                assertThat(sum).isEqualTo(5_000L * 5_001 / 2);
            }
        }
    }

    @Test
    void aWorkerDeathIsReportedEvenWhileTheCommonForkJoinPoolIsBlocked() throws Exception {
        // Regression: the exit handler hung off Process.onExit(), which hops through the common pool; with
        // every thread of that pool blocked in result() (CompletableFuture.supplyAsync runs there on JDK 25,
        // whatever the parallelism), a killed worker's task was not failed until they gave up.
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            final String dir = tmp.toString();
            final TaskFuture<String> victim = pool.submit(() -> {
                ProcessPoolFaultTest.raisePidAndSleep(dir);
                return "unreachable";
            });
            final int threads = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1;
            final List<CompletableFuture<Throwable>> blocked = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                blocked.add(CompletableFuture.supplyAsync(() -> victim.exception(WAIT)));
            }
            final long pid = ProcessPoolFaultTest.awaitPid(dir);
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            for (CompletableFuture<Throwable> b : blocked) {
                assertThat(b.get()).isInstanceOf(WorkerDiedException.class).hasMessageContaining("pid " + pid);
            }
        }
    }

    @Test
    void aCallerInterruptedWhileItReadsItsOwnAnswersLeavesTheConnectionWorking() throws Exception {
        // A caller that spins on its result polls its worker's socket itself. An interrupt of a thread in a
        // blocking channel read would close the channel (and so end the worker): the polls must not block.
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            final long pid = pool.submit(() -> ProcessHandle.current().pid()).result(WAIT);
            final Thread caller = Thread.currentThread();
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread interrupter = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    caller.interrupt();
                    LockSupport.parkNanos(20_000);
                }
            });
            int interrupted = 0;
            int answered = 0;
            try {
                for (int i = 0; i < 2_000; i++) {
                    try {
                        assertThat(pool.submit(() -> 5).result(WAIT)).isEqualTo(5);
                        answered++;
                    } catch (WaitInterruptedException e) {
                        interrupted++;
                    }
                }
            } finally {
                stop.set(true);
                while (interrupter.isAlive()) {
                    try {
                        interrupter.join();
                    } catch (InterruptedException e) {
                        // one of its last interrupts
                    }
                }
                Thread.interrupted();
            }
            assertThat(interrupted + answered).isEqualTo(2_000);
            assertThat(interrupted).isPositive();
            // The same worker still answers: its connection never broke, and nothing is stuck behind it.
            assertThat(pool.submit(() -> ProcessHandle.current().pid()).result(WAIT)).isEqualTo(pid);
        }
    }

    @Test
    void aLongTaskAfterManyShortOnesIsAnsweredOnceItsCallerStopsReadingForItself() {
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            for (int i = 0; i < 500; i++) {
                assertThat(pool.submit(() -> 1).result(WAIT)).isEqualTo(1); // the caller reads its answers
            }
            // Longer than the caller's spin: it parks, and the worker's reader thread must take over.
            assertThat(pool.submit(() -> {
                Thread.sleep(300);
                return "late";
            }).result(WAIT)).isEqualTo("late");
            // And a task that nobody waits for at all is still answered.
            final TaskFuture<Integer> unwatched = pool.submit(() -> 2);
            FileSignals.awaitTrue(unwatched::isDone, WAIT, "a task nobody waits for completed");
            assertThat(unwatched.resultNow()).isEqualTo(2);
        }
    }
}
