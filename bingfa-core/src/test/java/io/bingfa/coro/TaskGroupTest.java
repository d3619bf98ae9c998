package io.bingfa.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.bingfa.future.TaskFailedException;
import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class TaskGroupTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    /** A child that sleeps "forever", counts down {@code started}, and {@code interrupted} when woken. */
    private static Runnable sleeper(final CountDownLatch started, final CountDownLatch interrupted) {
        return () -> {
            started.countDown();
            try {
                Coro.sleep(LONG);
            } catch (WaitInterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        };
    }

    @Test
    void allChildrenSucceed() {
        final List<TaskFuture<Integer>> fs = new ArrayList<>();
        try (TaskGroup g = TaskGroup.open()) {
            for (int i = 0; i < 10; i++) {
                final int v = i;
                fs.add(g.spawn(() -> {
                    Coro.sleep(Duration.ofMillis(10));
                    return v * v;
                }));
            }
        }
        assertThat(fs).allMatch(TaskFuture::isDone);
        assertThat(fs.stream().map(TaskFuture::resultNow)).containsExactly(0, 1, 4, 9, 16, 25, 36, 49, 64, 81);
    }

    @Test
    void closeWaitsForEveryChild() {
        final AtomicInteger finished = new AtomicInteger();
        try (TaskGroup g = TaskGroup.open()) {
            for (int i = 0; i < 5; i++) {
                g.spawn(() -> {
                    Coro.sleep(Duration.ofMillis(50));
                    finished.incrementAndGet();
                });
            }
        }
        assertThat(finished).hasValue(5);
    }

    @Test
    void emptyGroupClosesAtOnce() {
        TaskGroup.open().close();
    }

    @Test
    void oneFailureCancelsTheOthersAndCloseReportsIt() throws Exception {
        final CountDownLatch started = new CountDownLatch(3);
        final CountDownLatch interrupted = new CountDownLatch(3);
        final IllegalStateException first = new IllegalStateException("first");
        final IOException second = new IOException("clean-up failed after the interrupt");
        final TaskFuture<Void> quiet1;
        final TaskFuture<Void> quiet2;
        final TaskFuture<Void> failing;
        final TaskFuture<Void> noisy;
        final TaskGroup g = TaskGroup.open();
        quiet1 = g.spawn(sleeper(started, interrupted));
        quiet2 = g.spawn(sleeper(started, interrupted));
        noisy = g.spawn(() -> {
            started.countDown();
            try {
                Coro.sleep(LONG);
                return null;
            } catch (WaitInterruptedException e) {
                interrupted.countDown();
                throw second; // a real failure, although this child was cancelled
            }
        });
        failing = g.spawn(() -> {
            started.await();
            throw first;
        });
        // The sleepers are interrupted promptly, before the owner even calls close().
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("sleepers interrupted").isTrue();
        final TaskFailedException e = catchThrowableOfType(TaskFailedException.class, g::close);
        assertThat(e).hasCause(first);
        assertThat(e.getSuppressed()).containsExactly(second);
        assertThat(failing.exception()).isSameAs(first);
        assertThat(quiet1.isCancelled()).isTrue();
        assertThat(quiet2.isCancelled()).isTrue();
        assertThat(noisy.isCancelled()).isTrue();
    }

    @Test
    void failureUnderTryWithResourcesSurfacesFromClose() {
        final IllegalArgumentException boom = new IllegalArgumentException("boom");
        assertThatThrownBy(() -> {
            try (TaskGroup g = TaskGroup.open()) {
                g.spawn(() -> Coro.sleep(LONG));
                g.spawn(() -> {
                    throw boom;
                });
            }
        }).isInstanceOf(TaskFailedException.class).hasCause(boom).hasMessageContaining("boom");
    }

    @Test
    void childrenEndingWithTheirCancellationAreNotFailures() throws Exception {
        final CountDownLatch started = new CountDownLatch(3);
        final CountDownLatch interrupted = new CountDownLatch(3);
        final List<TaskFuture<?>> fs = new ArrayList<>();
        try (TaskGroup g = TaskGroup.open()) {
            fs.add(g.spawn(sleeper(started, interrupted))); // WaitInterruptedException
            fs.add(g.spawn(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw e; // the checked InterruptedException
                }
                return null;
            }));
            fs.add(g.spawn(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    throw new java.util.concurrent.CancellationException("stopping");
                }
            }));
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            g.cancelAll();
        }
        assertThat(interrupted.getCount()).isZero();
        assertThat(fs).allMatch(TaskFuture::isCancelled);
    }

    @Test
    void cancelAllInterruptsEveryChildAndCloseDoesNotThrow() throws Exception {
        final CountDownLatch started = new CountDownLatch(3);
        final CountDownLatch interrupted = new CountDownLatch(3);
        final List<TaskFuture<Void>> fs = new ArrayList<>();
        try (TaskGroup g = TaskGroup.open()) {
            for (int i = 0; i < 3; i++) {
                fs.add(g.spawn(sleeper(started, interrupted)));
            }
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            g.cancelAll();
            assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(fs).allMatch(TaskFuture::isCancelled);
    }

    @Test
    void childSpawnedAfterCancelAllNeverRuns() {
        final AtomicBoolean ran = new AtomicBoolean();
        final TaskFuture<Void> late;
        try (TaskGroup g = TaskGroup.open()) {
            g.cancelAll();
            late = g.spawn(() -> ran.set(true));
        }
        assertThat(late.isCancelled()).isTrue();
        assertThat(ran).isFalse();
    }

    @Test
    void spawnAfterCloseThrows() {
        final TaskGroup g = TaskGroup.open();
        g.spawn(() -> 1);
        g.close();
        assertThatThrownBy(() -> g.spawn(() -> 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        g.close(); // a second close does nothing
    }

    @Test
    void childrenMaySpawnSiblingsWhileTheOwnerCloses() {
        final AtomicInteger ran = new AtomicInteger();
        final AtomicReference<TaskFuture<Integer>> sibling = new AtomicReference<>();
        try (TaskGroup g = TaskGroup.open()) {
            g.spawn(() -> {
                Coro.sleep(Duration.ofMillis(50)); // the owner is most likely in close() by now
                sibling.set(g.spawn(() -> {
                    Coro.sleep(Duration.ofMillis(50));
                    return ran.incrementAndGet();
                }));
            });
        }
        assertThat(sibling.get().isDone()).as("no child outlives close()").isTrue();
        assertThat(ran).hasValue(1);
    }

    @Test
    void closeFromAChildIsAFailureNotADeadlock() {
        final TaskGroup g = TaskGroup.open();
        final TaskFuture<Void> child = g.spawn(g::close);
        final TaskFailedException e = catchThrowableOfType(TaskFailedException.class, g::close);
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessageContaining("wait for itself");
        assertThat(child.exception()).isSameAs(e.getCause());
    }

    @Test
    void interruptedOwnerCancelsWaitsAndThrows() throws Exception {
        final CountDownLatch started = new CountDownLatch(2);
        final CountDownLatch interrupted = new CountDownLatch(2);
        final AtomicInteger stillRunning = new AtomicInteger();
        final AtomicReference<Thread> owner = new AtomicReference<>();
        final TaskFuture<Throwable> ownerTask = Coro.spawn(() -> {
            owner.set(Thread.currentThread());
            final TaskGroup g = TaskGroup.open();
            for (int i = 0; i < 2; i++) {
                g.spawn(() -> {
                    stillRunning.incrementAndGet();
                    try {
                        sleeper(started, interrupted).run();
                    } finally {
                        Thread.interrupted(); // WaitInterruptedException set the flag again
                        Coro.sleep(Duration.ofMillis(50)); // unwinding takes a while; close must wait
                        stillRunning.decrementAndGet();
                    }
                });
            }
            try {
                g.close();
                return null;
            } catch (WaitInterruptedException e) {
                assertThat(Thread.currentThread().isInterrupted()).as("flag set again").isTrue();
                assertThat(stillRunning).as("children were waited for").hasValue(0);
                return e;
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        owner.get().interrupt();
        assertThat(ownerTask.result()).isInstanceOf(WaitInterruptedException.class);
        assertThat(interrupted.getCount()).isZero();
    }

    @Test
    void nestedGroupsCancelGrandchildren() throws Exception {
        final CountDownLatch started = new CountDownLatch(2);
        final CountDownLatch interrupted = new CountDownLatch(2);
        final IllegalStateException boom = new IllegalStateException("outer child failed");
        final TaskFuture<Void> inner;
        final TaskGroup outer = TaskGroup.open();
        inner = outer.spawn(() -> {
            try (TaskGroup g = TaskGroup.open()) {
                g.spawn(sleeper(started, interrupted));
                g.spawn(sleeper(started, interrupted));
            }
        });
        outer.spawn(() -> {
            started.await();
            throw boom;
        });
        final TaskFailedException e = catchThrowableOfType(TaskFailedException.class, outer::close);
        assertThat(e).hasCause(boom);
        assertThat(e.getSuppressed()).as("the inner group's interrupted close is a cancellation").isEmpty();
        assertThat(interrupted.getCount()).as("grandchildren interrupted before outer close returned").isZero();
        assertThat(inner.isCancelled()).isTrue();
    }

    @Test
    void nestedGroupFailurePropagatesToTheOuterGroup() {
        final IOException boom = new IOException("grandchild failed");
        final TaskGroup outer = TaskGroup.open();
        outer.spawn(() -> {
            try (TaskGroup inner = TaskGroup.open()) {
                inner.spawn(() -> {
                    throw boom;
                });
            }
        });
        final TaskFailedException e = catchThrowableOfType(TaskFailedException.class, outer::close);
        assertThat(e.getCause()).isInstanceOf(TaskFailedException.class).hasCause(boom);
    }

    @Test
    void childrenRunInNamedVirtualThreads() {
        final TaskFuture<Thread> f;
        try (TaskGroup g = TaskGroup.open()) {
            f = g.spawn(Thread::currentThread);
        }
        assertThat(f.resultNow().isVirtual()).isTrue();
        assertThat(f.resultNow().getName()).startsWith("bingfa-coro-");
    }

    @Test
    void nullBodyIsRejected() {
        try (TaskGroup g = TaskGroup.open()) {
            assertThatThrownBy(() -> g.spawn((Runnable) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("body");
        }
    }
}
