package io.bingfa.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.Futures;
import io.bingfa.future.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What is particular to the in-process pools (the shared behaviour is in {@link PoolContract}). */
@Timeout(60)
class PoolsTest {

    /** Runs 40 tasks that each hold a slot for a moment and records the most that ever ran at once. */
    private static int peakConcurrency(final Pool pool) {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final List<TaskFuture<Void>> fs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            fs.add(pool.submit(() -> {
                peak.accumulateAndGet(now.incrementAndGet(), Math::max);
                Thread.sleep(10);
                now.decrementAndGet();
            }));
        }
        Futures.gather(fs);
        return peak.get();
    }

    @Test
    void threadPoolNeverRunsMoreThanItsThreads() {
        try (Pool pool = Pools.threads(3)) {
            assertThat(peakConcurrency(pool)).isBetween(1, 3);
            assertThat(pool.concurrency()).isEqualTo(3);
        }
    }

    @Test
    void boundedVirtualPoolNeverRunsMoreThanItsLimit() {
        try (Pool pool = Pools.virtual(4)) {
            assertThat(peakConcurrency(pool)).isBetween(1, 4);
        }
    }

    @Test
    void unboundedVirtualPoolRunsTenThousandBlockedTasksAtOnce() throws InterruptedException {
        final int n = 10_000;
        final CountDownLatch allStarted = new CountDownLatch(n);
        final CountDownLatch release = new CountDownLatch(1);
        try (Pool pool = Pools.virtual()) {
            final List<TaskFuture<Void>> fs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    allStarted.countDown();
                    release.await();
                }));
            }
            allStarted.await(); // only possible if all 10,000 are blocked at the same time
            release.countDown();
            Futures.gather(fs);
        }
    }

    @Test
    void virtualPoolTasksRunOnVirtualThreadsAndThreadPoolTasksDoNot() {
        try (Pool v = Pools.virtual(); Pool t = Pools.threads(1)) {
            assertThat(v.submit(() -> Thread.currentThread().isVirtual()).result()).isTrue();
            assertThat(t.submit(() -> Thread.currentThread().isVirtual()).result()).isFalse();
            assertThat(t.submit(() -> Thread.currentThread().getName()).result()).startsWith("bingfa-pool-");
        }
    }

    @Test
    void regressionInterruptOfACancelledTaskDoesNotLeakIntoTheNextTaskOnTheSameThread() throws Exception {
        try (Pool pool = Pools.threads(1)) {
            for (int round = 0; round < 50; round++) {
                final CountDownLatch started = new CountDownLatch(1);
                final TaskFuture<Void> victim = pool.submit(() -> {
                    started.countDown();
                    Thread.sleep(60_000);
                });
                started.await();
                victim.cancel(true);
                assertThat(pool.submit(() -> Thread.currentThread().isInterrupted()).result(Duration.ofSeconds(30)))
                        .as("round %d", round).isFalse();
            }
        }
    }

    @Test
    void factoriesRejectBadSizes() {
        assertThatThrownBy(() -> Pools.threads(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be at least 1, was 0");
        assertThatThrownBy(() -> Pools.virtual(-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConcurrency must be at least 1, was -2");
    }

    @Test
    void boundedVirtualPoolStartsQueuedTasksInSubmissionOrder() {
        final List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Pool pool = Pools.virtual(1)) {
            for (int i = 0; i < 100; i++) {
                final int x = i;
                pool.submit(() -> order.add(x));
            }
        }
        assertThat(order).isSorted().hasSize(100);
    }
}
