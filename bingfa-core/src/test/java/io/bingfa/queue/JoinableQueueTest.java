package io.bingfa.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code taskDone()} and {@code join()}: Python's {@code Queue.task_done()} / {@code Queue.join()}. */
class JoinableQueueTest {

    private static final Duration LONG = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(50);

    private static <T> TaskFuture<T> startVirtual(final Callable<T> task, final List<Thread> threads) {
        final TaskFuture<T> future = new TaskFuture<>();
        threads.add(Thread.ofVirtual().start(() -> future.run(task)));
        return future;
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
    void joinReturnsAtOnceWhenNothingWasPut() {
        final JoinableQueue<String> q = Queues.joinable();
        q.join();
        assertThat(q.join(Duration.ZERO)).isTrue();
        assertThat(q.unfinishedTasks()).isZero();
    }

    @Test
    void joinWaitsUntilEveryItemIsMarkedDone() {
        final JoinableQueue<String> q = Queues.joinable(10);
        q.put("first");
        q.put("second");
        assertThat(q.unfinishedTasks()).isEqualTo(2);
        final List<Thread> threads = new ArrayList<>();
        final TaskFuture<Void> joiner = startVirtual(() -> {
            q.join();
            return null;
        }, threads);
        awaitBlocked(threads.getFirst());

        q.get();
        q.get();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.join(SHORT)).as("taken is not done").isFalse();
        assertThat(joiner.isDone()).isFalse();

        q.taskDone();
        assertThat(q.join(SHORT)).isFalse();
        assertThat(joiner.isDone()).isFalse();

        q.taskDone();
        assertThat(joiner.exception(LONG)).isNull();
        assertThat(q.join(Duration.ZERO)).isTrue();
        assertThat(q.unfinishedTasks()).isZero();
    }

    @Test
    void joinWithWorkersSeesEveryJobRun() {
        final JoinableQueue<Integer> q = Queues.joinable(8);
        final AtomicInteger ran = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        final List<TaskFuture<Void>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(startVirtual(() -> {
                try {
                    for (;;) {
                        q.get();
                        try {
                            ran.incrementAndGet();
                        } finally {
                            q.taskDone();
                        }
                    }
                } catch (QueueShutDownException done) {
                    return null;
                }
            }, threads));
        }
        for (int i = 0; i < 1_000; i++) {
            q.put(i);
        }
        q.join();
        assertThat(ran.get()).isEqualTo(1_000);
        q.shutdown(false);
        for (TaskFuture<Void> worker : workers) {
            assertThat(worker.exception(LONG)).isNull();
        }
    }

    @Test
    void taskDoneCalledTooManyTimesThrowsIllegalState() {
        final JoinableQueue<String> q = Queues.joinable();
        assertThatThrownBy(q::taskDone)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("taskDone() called more times than items were put");
        q.put("only");
        q.get();
        q.taskDone();
        assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
        assertThat(q.unfinishedTasks()).isZero();
    }

    @Test
    void immediateShutdownReleasesJoinForDiscardedItems() {
        final JoinableQueue<String> q = Queues.joinable();
        q.put("a");
        q.put("b");
        q.put("c");
        final List<Thread> threads = new ArrayList<>();
        final TaskFuture<Void> joiner = startVirtual(() -> {
            q.join();
            return null;
        }, threads);
        awaitBlocked(threads.getFirst());
        q.shutdown(true);
        assertThat(joiner.exception(LONG)).isNull();
        assertThat(q.unfinishedTasks()).isZero();
    }

    @Test
    void immediateShutdownStillWaitsForItemsAConsumerHolds() {
        final JoinableQueue<String> q = Queues.joinable();
        q.put("held");
        q.put("discarded");
        assertThat(q.get()).isEqualTo("held");
        q.shutdown(true);
        assertThat(q.unfinishedTasks()).isEqualTo(1);
        assertThat(q.join(SHORT)).as("the held item is not done yet").isFalse();
        q.taskDone();
        assertThat(q.join(LONG)).isTrue();
    }

    @Test
    void gentleShutdownDoesNotReleaseJoin() {
        final JoinableQueue<String> q = Queues.joinable();
        q.put("a");
        q.shutdown(false);
        assertThat(q.join(SHORT)).isFalse();
        q.get();
        q.taskDone();
        assertThat(q.join(LONG)).isTrue();
    }

    @Test
    void immediateShutdownAfterEarlyTaskDoneDoesNotGoNegative() {
        final JoinableQueue<String> q = Queues.joinable();
        q.put("a");
        q.put("b");
        q.taskDone(); // misuse that Python allows too: done before taken
        q.taskDone();
        q.shutdown(true);
        assertThat(q.unfinishedTasks()).isZero();
        assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void interruptedJoinThrowsWaitInterrupted() {
        final JoinableQueue<String> q = Queues.joinable();
        q.put("a");
        final List<Thread> threads = new ArrayList<>();
        final TaskFuture<Boolean> joiner = startVirtual(() -> {
            try {
                q.join(LONG);
                return false;
            } catch (WaitInterruptedException e) {
                return Thread.currentThread().isInterrupted();
            }
        }, threads);
        awaitBlocked(threads.getFirst());
        threads.getFirst().interrupt();
        assertThat(joiner.result(LONG)).isTrue();
    }

    @Test
    void badJoinTimeoutsAreRejectedNamingTheArgument() {
        final JoinableQueue<String> q = Queues.joinable();
        assertThatThrownBy(() -> q.join(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> q.join(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("-1");
    }
}
