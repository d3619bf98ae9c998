package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.future.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many tasks, random failures, random worker kills: every future completes with its result or its error. */
@Timeout(120)
class ProcessPoolStressTest {

    static int work(final int i) throws InterruptedException {
        if (i % 97 == 0) {
            throw new IllegalStateException("planned failure " + i);
        }
        if (i % 10 == 0) {
            Thread.sleep(1);
        }
        return i * 2;
    }

    @Test
    void tenThousandTasksWithRandomFailuresAndRandomWorkerKillsAllComplete() throws Exception {
        final int n = 10_000;
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicInteger kills = new AtomicInteger();
        try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
            final List<TaskFuture<Integer>> fs = new ArrayList<>(n);
            final Thread killer = Thread.ofVirtual().start(() -> {
                while (!done.get() && kills.get() < 12) {
                    try {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(100, 300));
                    } catch (InterruptedException e) {
                        return;
                    }
                    // Kill serving workers, not ones still starting (that would cost no task at all).
                    final java.time.Instant ripe = java.time.Instant.now().minusMillis(400);
                    final List<Long> pids = pool.workerPids().stream().filter(pid -> ProcessHandle.of(pid)
                            .flatMap(h -> h.info().startInstant()).map(t -> t.isBefore(ripe)).orElse(false)).toList();
                    if (!pids.isEmpty()) {
                        final long pid = pids.get(ThreadLocalRandom.current().nextInt(pids.size()));
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                        kills.incrementAndGet();
                    }
                }
            });
            for (int i = 0; i < n; i++) {
                final int x = i;
                fs.add(pool.submit(() -> work(x)));
            }
            int ok = 0;
            int planned = 0;
            int died = 0;
            for (int i = 0; i < n; i++) {
                final Throwable e = fs.get(i).exception(Duration.ofSeconds(60));
                if (e == null) {
                    assertThat(fs.get(i).result()).isEqualTo(i * 2);
                    ok++;
                } else if (e instanceof WorkerDiedException) {
                    died++;
                } else {
                    assertThat(e).isInstanceOf(IllegalStateException.class).hasMessage("planned failure " + i);
                    planned++;
                }
            }
            done.set(true);
            killer.join();
            System.out.printf("%d ok, %d planned failures, %d lost to %d worker kills%n", ok, planned, died, kills.get());
            assertThat(ok + planned + died).isEqualTo(n);
            assertThat(died).isLessThanOrEqualTo(kills.get()); // only the task each killed worker was running
            assertThat(pool.submit(() -> 1).result(Duration.ofSeconds(30))).isEqualTo(1);
        }
    }
}
