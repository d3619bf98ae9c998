package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.future.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Frames larger than both socket buffers, in both directions at once. */
@Timeout(120)
class ProcessPoolLargeFramesTest {

    static byte[] echoBig(final byte[] in) {
        final byte[] out = in.clone();
        out[0] ^= 1;
        return out;
    }

    @Test
    void prefetchWithLargeTasksAndLargeResultsDoesNotDeadlock() throws Exception {
        // Regression: the pool's reader thread wrote a prefetched 4 MiB task to a worker that was writing its
        // 4 MiB result back; each side waited for the other to read, and the crawl bench hung.
        final int n = 12;
        final byte[] big = new byte[4 << 20];
        try (ProcessPool pool = ProcessPool.builder().workers(1).prefetch(3).build()) {
            final List<TaskFuture<byte[]>> fs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                final byte[] in = big.clone();
                in[0] = (byte) i;
                fs.add(pool.submit(() -> echoBig(in)));
            }
            for (int i = 0; i < n; i++) {
                final byte[] out = fs.get(i).result(Duration.ofSeconds(90));
                assertThat(out).hasSize(big.length);
                assertThat(out[0]).isEqualTo((byte) (i ^ 1));
            }
        }
    }
}
