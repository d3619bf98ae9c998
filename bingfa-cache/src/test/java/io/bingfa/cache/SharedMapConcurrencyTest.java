package io.bingfa.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Threads of one JVM: lock-free readers against overwriting, removing and growing writers. */
class SharedMapConcurrencyTest {

    private final MapFiles files = new MapFiles();

    @AfterEach
    void cleanUp() {
        files.close();
    }

    @Test
    void readersNeverSeeATornValueWhileWritersOverwriteRemoveAndGrow() throws Exception {
        // tiny start: tables rebuild and regions are added while the readers run
        try (SharedMap map = SharedMap.create(files.next("torn"), SharedMapOptions.builder().expectedEntries(50).segments(2).build())) {
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong reads = new AtomicLong();
            final AtomicLong hits = new AtomicLong();
            final AtomicLong torn = new AtomicLong();
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                final int seed = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    final Random random = new Random(seed);
                    int grow = 0;
                    while (!stop.get()) {
                        final byte[] k = MapChild.key("t-" + random.nextInt(500));
                        if (random.nextInt(6) == 0) {
                            map.remove(k);
                        } else {
                            map.put(k, CheckedValues.make(k, random, 700));
                        }
                        if (grow < 30_000) {
                            final byte[] g = MapChild.key("grow-" + seed + "-" + grow++);
                            map.put(g, CheckedValues.make(g, random, 40));
                        }
                    }
                }));
            }
            for (int r = 0; r < 2; r++) {
                final int seed = 100 + r;
                threads.add(Thread.ofPlatform().start(() -> {
                    final Random random = new Random(seed);
                    final ByteBuffer buffer = ByteBuffer.allocateDirect(800);
                    while (!stop.get()) {
                        final byte[] k = MapChild.key("t-" + random.nextInt(500));
                        final byte[] v;
                        if (random.nextBoolean()) {
                            v = map.get(k);
                        } else {
                            buffer.clear();
                            final int n = map.get(k, buffer);
                            v = n < 0 ? null : new byte[n];
                            if (v != null) {
                                buffer.flip();
                                buffer.get(v);
                            }
                        }
                        reads.incrementAndGet();
                        if (v != null) {
                            hits.incrementAndGet();
                            if (!CheckedValues.isIntact(k, v)) {
                                torn.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            Thread.sleep(3000);
            stop.set(true);
            for (final Thread t : threads) {
                t.join();
            }
            assertThat(torn.get()).as("torn values among %d hits", hits.get()).isZero();
            assertThat(hits.get()).isPositive();
            assertThat(map.stats().regions()).isGreaterThan(1);
            assertThat(map.verify()).isEmpty();
        }
    }
}
