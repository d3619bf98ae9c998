package io.bingfa.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** kill -9 of writer JVMs in the middle of their puts, again and again. */
class SharedMapCrashTest {

    /**
     * How many writer JVMs to kill: the 100 (about 25 s on two quiet cores: each child JVM costs half
     * a CPU-second to start); -Dbingfa.cache.kills=N for a longer or shorter run.
     */
    private static final int KILLS = Integer.getInteger("bingfa.cache.kills", 100);
    private static final int PARALLEL = 4;

    private final MapFiles files = new MapFiles();

    @AfterEach
    void cleanUp() {
        files.close();
    }

    @Test
    void killingWritersMidPutLeavesNoHeldLockAndAConsistentMap() throws Exception {
        final Path path = files.next("crash");
        // few segments and a small start: kills land inside puts, table rebuilds, chunk takes and growths
        try (SharedMap map = SharedMap.create(path, SharedMapOptions.builder().expectedEntries(2000).segments(4).build())) {
            final Random random = new Random(3);
            final Deque<MapChildJvm> running = new ArrayDeque<>();
            int started = 0;
            int killed = 0;
            try {
                while (killed < KILLS) {
                    while (running.size() < PARALLEL && started < KILLS) {
                        running.add(MapChildJvm.start("hammer", path.toString(), "2"));
                        started++;
                    }
                    final MapChildJvm victim = running.poll();
                    victim.awaitLine("READY", Duration.ofSeconds(60));
                    Thread.sleep(random.nextInt(40));
                    victim.kill();
                    killed++;
                }
            } finally {
                for (final MapChildJvm child : running) {
                    child.close();
                }
            }
            // every segment's lock: taken over from a dead owner if needed, the segment repaired
            assertThat(map.verify()).isEmpty();
            assertThat(map.lockedSegments()).as("locks still held after the kills").isZero();
            final AtomicLong entries = new AtomicLong();
            map.forEach((k, v) -> {
                assertThat(CheckedValues.isIntact(k, v)).as("value of %s", new String(k)).isTrue();
                entries.incrementAndGet();
            });
            assertThat(map.size()).isEqualTo(entries.get());
            final SharedMapStats stats = map.stats();
            assertThat(stats.recoveries()).as("some kill should have hit a writer inside a segment lock").isPositive();
            for (int i = 0; i < 5000; i++) { // and the map keeps working
                final byte[] k = MapChild.key("after-" + i);
                map.put(k, k);
            }
            assertThat(map.verify()).isEmpty();
            System.out.println("kills=" + killed + " " + stats);
        }
    }
}
