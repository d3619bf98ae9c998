package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void oneTask() {
        final long t0 = System.nanoTime();
        try (ProcessPool p = ProcessPool.builder().workers(2).build()) {
            assertThat(p.submit(() -> 6 * 7).result(Duration.ofSeconds(30))).isEqualTo(42);
            System.out.println("first result after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            p.submit(() -> { System.out.println("hello from worker"); org.slf4j.LoggerFactory.getLogger("w").warn("warn from worker"); }).result();
            for (int r = 0; r < 4; r++) {
            final long t1 = System.nanoTime();
            for (int i = 0; i < 5000; i++) p.submit(() -> 1).result();
            System.out.println("rtt " + (System.nanoTime() - t1) / 5000 / 1000 + " us");
            final long t2 = System.nanoTime();
            final java.util.List<io.bingfa.future.TaskFuture<Integer>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 20000; i++) fs.add(p.submit(() -> 1));
            for (var f : fs) f.result();
            System.out.println("throughput " + 20000L * 1_000_000_000 / (System.nanoTime() - t2) + " /s");
            }
        }
        System.out.println("closed after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
