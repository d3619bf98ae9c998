package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void coldStarts() {
        for (TaskCodec c : new TaskCodec[] {TaskCodec.fory(), TaskCodec.fory(), TaskCodec.jdk(), TaskCodec.jdk()}) {
            for (boolean fast : new boolean[] {false, true}) {
                final long t0 = System.nanoTime();
                try (ProcessPool p = ProcessPool.builder().workers(2).codec(c).fastStart(fast).build()) {
                    assertThat(p.submit(() -> 6 * 7).result(Duration.ofSeconds(30))).isEqualTo(42);
                    System.out.println(c + " fast=" + fast + " first result after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                }
            }
        }
    }
}
