package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.Futures;
import io.bingfa.future.TaskFuture;
import io.bingfa.pool.FileSignals;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Settings and lifecycle of the process pool, each on a small pool of its own. */
@Timeout(60)
class ProcessPoolLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    static void failingInitializer() {
        throw new IllegalStateException("no database in this worker", new java.io.IOException("connection refused"));
    }

    @Test
    void aFailingInitializerBreaksThePoolClearlyInsteadOfHanging() {
        final ProcessPool pool = ProcessPool.builder().workers(2).initializer(ProcessPoolLifecycleTest::failingInitializer).build();
        try {
            final TaskFuture<Integer> f = pool.submit(() -> 1);
            final Throwable e = f.exception(WAIT);
            assertThat(e).isInstanceOf(BrokenPoolException.class).hasMessageContaining("initializer failed")
                    .hasMessageContaining("no database in this worker");
            assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("no database in this worker");
            assertThat(e.getCause().getCause()).hasMessage("connection refused");
            assertThatThrownBy(() -> pool.submit(() -> 2)).isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("pool is broken").hasCauseInstanceOf(BrokenPoolException.class);
        } finally {
            pool.close();
        }
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void theInitializerRunsOncePerWorkerBeforeItsTasks() {
        final String dir = tmp.toString();
        try (ProcessPool pool = ProcessPool.builder().workers(1)
                .initializer(() -> System.setProperty("initialized-by", "initializer")).build()) {
            assertThat(pool.submit(() -> System.getProperty("initialized-by")).result(WAIT)).isEqualTo("initializer");
        }
        assertThat(FileSignals.isRaised(dir, "nothing")).isFalse();
    }

    @Test
    void aJvmThatCannotStartBreaksThePoolWithItsErrorMessage() {
        try (ProcessPool pool = ProcessPool.builder().workers(1).jvmArgs("-XX:+NoSuchJvmOption").build()) {
            final Throwable e = pool.submit(() -> 1).exception(WAIT);
            assertThat(e).isInstanceOf(BrokenPoolException.class).hasMessageContaining("died before they were ready")
                    .hasMessageContaining("NoSuchJvmOption");
        }
    }

    @Test
    void maxTasksPerWorkerRecyclesWorkersUnderLoadWithoutLosingTasks() {
        try (ProcessPool pool = ProcessPool.builder().workers(2).maxTasksPerWorker(5).build()) {
            final List<TaskFuture<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                fs.add(pool.submit(() -> ProcessHandle.current().pid()));
            }
            final List<Long> pids = Futures.gather(fs);
            final Set<Long> distinct = new HashSet<>(pids);
            assertThat(distinct).hasSizeGreaterThanOrEqualTo(6);
            for (long pid : distinct) {
                assertThat(pids.stream().filter(p -> p == pid).count()).isLessThanOrEqualTo(5);
            }
        }
    }

    @Test
    void settingsReachTheWorkers() {
        try (ProcessPool pool = ProcessPool.builder().workers(1)
                .systemProperty("bingfa.test.answer", "42")
                .environment("BINGFA_TEST_ENV", "from-the-parent")
                .jvmArgs("-Xmx96m").build()) {
            assertThat(pool.submit(() -> System.getProperty("bingfa.test.answer")).result(WAIT)).isEqualTo("42");
            assertThat(pool.submit(() -> System.getenv("BINGFA_TEST_ENV")).result(WAIT)).isEqualTo("from-the-parent");
            assertThat(pool.submit(() -> Runtime.getRuntime().maxMemory()).result(WAIT)).isLessThanOrEqualTo(96L << 20);
        }
    }

    @Test
    void eagerStartStartsEveryWorkerAndIdleWorkersAreReaped() {
        try (ProcessPool pool = ProcessPool.builder().workers(2).eagerStart(true)
                .idleTimeout(Duration.ofMillis(300)).build()) {
            FileSignals.awaitTrue(() -> pool.workerPids().size() == 2, WAIT, "two workers started");
            FileSignals.awaitTrue(() -> pool.workerPids().isEmpty(), WAIT, "idle workers reaped");
            assertThat(pool.submit(() -> 7).result(WAIT)).isEqualTo(7); // started again on demand
        }
    }

    @Test
    void terminateWorkersFailsRunningTasksCancelsQueuedOnesAndLeavesNoProcess() {
        final String dir = tmp.toString();
        final ProcessPool pool = ProcessPool.builder().workers(1).build();
        final TaskFuture<Void> running = pool.submit(() -> {
            FileSignals.raise(dir, "started");
            Thread.sleep(Duration.ofMinutes(5));
        });
        FileSignals.awaitRaised(dir, "started", WAIT);
        final TaskFuture<Integer> queued = pool.submit(() -> 1);
        final List<Long> pids = pool.workerPids();
        pool.terminateWorkers();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(queued.isCancelled()).isTrue();
        assertThat(running.exception(WAIT)).isInstanceOf(WorkerDiedException.class)
                .hasMessageContaining("terminateWorkers()").hasMessageContaining("SIGTERM");
        assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
    }

    @Test
    void killWorkersUsesSigkill() {
        final String dir = tmp.toString();
        final ProcessPool pool = ProcessPool.builder().workers(1).build();
        final TaskFuture<Void> running = pool.submit(() -> {
            FileSignals.raise(dir, "started");
            Thread.sleep(Duration.ofMinutes(5));
        });
        FileSignals.awaitRaised(dir, "started", WAIT);
        pool.killWorkers();
        assertThat(running.exception(WAIT)).isInstanceOf(WorkerDiedException.class).hasMessageContaining("SIGKILL");
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void aPrefetchedTaskThatIsCancelledNeverRunsAndOneBehindADeadWorkerRunsElsewhere() {
        final String dir = tmp.toString();
        try (ProcessPool pool = ProcessPool.builder().workers(1).prefetch(3).build()) {
            final TaskFuture<Long> blocker = pool.submit(() -> {
                FileSignals.raise(dir, "pid-" + ProcessHandle.current().pid());
                FileSignals.sleepUntilRaised(dir, "release");
                return ProcessHandle.current().pid();
            });
            final TaskFuture<Void> cancelled = pool.submit(() -> FileSignals.raise(dir, "cancelled-ran"));
            final TaskFuture<Long> survivor = pool.submit(() -> ProcessHandle.current().pid());
            FileSignals.awaitTrue(blocker::isRunning, WAIT, "blocker running");
            assertThat(cancelled.isRunning()).isFalse();
            assertThat(cancelled.cancel()).isTrue();
            // Kill the worker holding all three: the blocker fails, the prefetched survivor runs on the replacement.
            final long pid = pool.workerPids().getFirst();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            assertThat(blocker.exception(WAIT)).isInstanceOf(WorkerDiedException.class);
            assertThat(survivor.result(WAIT)).isNotEqualTo(pid);
            FileSignals.raise(dir, "release");
            assertThat(pool.submit(() -> 1).result(WAIT)).isEqualTo(1);
            assertThat(FileSignals.isRaised(dir, "cancelled-ran")).isFalse();
        }
    }

    @Test
    void aPrefetchedTaskCancelledWhileItsWorkerIsBusyIsSkippedByTheWorker() {
        final String dir = tmp.toString();
        try (ProcessPool pool = ProcessPool.builder().workers(1).prefetch(2).build()) {
            final TaskFuture<Integer> blocker = pool.submit(() -> {
                FileSignals.raise(dir, "started");
                FileSignals.sleepUntilRaised(dir, "release");
                return 1;
            });
            FileSignals.awaitRaised(dir, "started", WAIT);
            final TaskFuture<Void> prefetched = pool.submit(() -> FileSignals.raise(dir, "prefetched-ran"));
            assertThat(prefetched.cancel()).isTrue();
            FileSignals.raise(dir, "release");
            assertThat(blocker.result(WAIT)).isEqualTo(1);
            assertThat(pool.submit(() -> 2).result(WAIT)).isEqualTo(2);
            assertThat(FileSignals.isRaised(dir, "prefetched-ran")).isFalse();
        }
    }

    @Test
    void theBuilderRejectsBadAndRepeatedSettings() {
        assertThatThrownBy(() -> ProcessPool.builder().workers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workers must be at least 1, was 0");
        assertThatThrownBy(() -> ProcessPool.builder().workers(2).workers(3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("workers was already set");
        assertThatThrownBy(() -> ProcessPool.builder().taskTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("taskTimeout must be positive");
        assertThatThrownBy(() -> ProcessPool.builder().maxTasksPerWorker(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTasksPerWorker");
        assertThatThrownBy(() -> ProcessPool.builder().initializer(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("initializer");
        assertThatThrownBy(() -> ProcessPool.builder().classpath(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classpath");
    }

    @Test
    void bothCodecsCarryLambdasRecordsAndCollections() {
        record Point(int x, String label) implements java.io.Serializable {}
        for (TaskCodec codec : List.of(TaskCodec.jdk(), TaskCodec.fory())) {
            try (ProcessPool pool = ProcessPool.builder().workers(1).codec(codec).build()) {
                final Point p = new Point(3, "three");
                assertThat(pool.submit(() -> new Point(p.x() * 2, p.label() + "!")).result(WAIT))
                        .isEqualTo(new Point(6, "three!"));
                assertThat(pool.map((Integer x) -> List.of(x, x * x), List.of(1, 2, 3), 2, WAIT).toList())
                        .isEqualTo(List.of(List.of(1, 1), List.of(2, 4), List.of(3, 9)));
            }
        }
    }
}
