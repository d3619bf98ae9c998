package io.bingfa.cache;

import static io.bingfa.cache.ReloadFixtures.key;
import static io.bingfa.cache.ReloadFixtures.mappingsOf;
import static io.bingfa.cache.ReloadFixtures.small;
import static io.bingfa.cache.ReloadFixtures.tagOf;
import static io.bingfa.cache.ReloadFixtures.tagged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.pool.FileSignals;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReloadableMapTest {

    private final ReloadFixtures files = new ReloadFixtures();

    @AfterEach
    void cleanUp() {
        files.close();
    }

    @Test
    void isEmptyGenerationZeroUntilTheFirstReload() {
        try (ReloadableMap m = ReloadableMap.create(files.next("empty"), small())) {
            assertThat(m.generation()).isZero();
            assertThat(m.get(key(1))).isNull();
            assertThat(m.get(key(1), ByteBuffer.allocate(8))).isEqualTo(-1);
            assertThat(m.containsKey(key(1))).isFalse();
            assertThat(m.size()).isZero();
            assertThat(m.lastReport()).isEmpty();
            try (ReloadableMap.Snapshot s = m.snapshot()) {
                assertThat(s.generation()).isZero();
                assertThat(s.get(key(1))).isNull();
                assertThat(s.stats()).isEmpty();
            }
        }
    }

    @Test
    void aReloadReplacesTheWholeContentAndAnotherHandleSeesItToo() {
        final Path file = files.next("replace");
        try (ReloadableMap m = ReloadableMap.create(file, small());
                ReloadableMap other = ReloadableMap.open(file)) {
            final Reloader r = Reloader.builder(m).source(tagged(m, 100)).build();
            assertThat(r.reloadNow().generation()).isEqualTo(1);
            assertThat(tagOf(other.get(key(7)))).isEqualTo(1);
            final Reloader smaller = Reloader.builder(m).source(Sources.of(List.of(
                    Map.entry(key(1), "only".getBytes())))).build();
            final ReloadReport second = smaller.reloadNow();
            assertThat(second.ok()).isTrue();
            assertThat(second.rows()).isEqualTo(1);
            assertThat(other.size()).isEqualTo(1);
            assertThat(other.get(key(7))).isNull();
            assertThat(other.get(key(1))).isEqualTo("only".getBytes());
            assertThat(other.generation()).isEqualTo(2);
            assertThat(other.lastReport()).get().satisfies(rep -> {
                assertThat(rep.generation()).isEqualTo(2);
                assertThat(rep.rows()).isEqualTo(1);
                assertThat(rep.ok()).isTrue();
            });
            assertThat(other.reloads()).isEqualTo(2);
            assertThat(other.failedReloads()).isZero();
            assertThat(Generations.generationFiles(file)).containsExactly(m.generationFile(2));
        }
    }

    @Test
    void snapshotsSeeOneGenerationWhileReloadsRunAndReadsNeverFail() throws Exception {
        final int rows = 2_000;
        try (ReloadableMap m = ReloadableMap.create(files.next("snapshots"), small())) {
            final Reloader r = Reloader.builder(m).source(tagged(m, rows)).build();
            r.reloadNow();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong mixed = new AtomicLong();
            final AtomicLong snapshots = new AtomicLong();
            final AtomicLong backwards = new AtomicLong();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    final ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long seen = 0;
                    try {
                        while (!stop.get()) {
                            try (ReloadableMap.Snapshot s = m.snapshot()) {
                                final long first = tagOf(s.get(key(rnd.nextInt(rows))));
                                for (int i = 0; i < 8; i++) {
                                    if (tagOf(s.get(key(rnd.nextInt(rows)))) != first) {
                                        mixed.incrementAndGet();
                                    }
                                }
                                assertThat(first).isEqualTo(s.generation());
                                snapshots.incrementAndGet();
                            }
                            for (int i = 0; i < 50; i++) {
                                final long tag = tagOf(m.get(key(rnd.nextInt(rows))));
                                if (tag < seen) {
                                    backwards.incrementAndGet();
                                }
                                seen = tag;
                            }
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            throw new AssertionError("a reader came out of the reloads interrupted");
                        }
                    } catch (final Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (int i = 0; i < 15; i++) {
                assertThat(r.reloadNow().ok()).isTrue();
            }
            stop.set(true);
            for (final Thread t : readers) {
                t.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(mixed.get()).isZero();
            assertThat(backwards.get()).isZero();
            assertThat(snapshots.get()).isPositive();
            assertThat(m.generation()).isEqualTo(16);
        }
    }

    @Test
    void readersKeepCompletingGetsWhileAReloadIsInProgress() throws Exception {
        try (ReloadableMap m = ReloadableMap.create(files.next("nonblocking"), small())) {
            Reloader.builder(m).source(tagged(m, 100)).build().reloadNow();
            final CountDownLatch building = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            final Reloader slow = Reloader.builder(m).source(sink -> {
                sink.put(key(1), ReloadFixtures.value(9, 1));
                building.countDown();
                release.await();
            }).build();
            final Thread reloading = Thread.ofPlatform().start(slow::reloadNow);
            building.await();
            // The reload holds the lock and is half-way: gets still answer, from generation 1.
            final AtomicLong done = new AtomicLong();
            final Thread reader = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 100_000; i++) {
                    assertThat(tagOf(m.get(key(i % 100)))).isEqualTo(1);
                    done.incrementAndGet();
                }
            });
            reader.join(Duration.ofSeconds(20));
            assertThat(done.get()).isEqualTo(100_000);
            assertThat(reloading.isAlive()).isTrue();
            release.countDown();
            reloading.join();
            assertThat(m.generation()).isEqualTo(2);
            assertThat(m.size()).isEqualTo(1);
        }
    }

    @Test
    void theOldGenerationIsUnlinkedAndUnmappedOnceNothingUsesIt() {
        try (ReloadableMap m = ReloadableMap.create(files.next("reclaim"), small())) {
            final Reloader r = Reloader.builder(m).source(tagged(m, 100)).build();
            r.reloadNow();
            final Path g1 = m.generationFile(1);
            assertThat(mappingsOf(g1)).isNotEmpty();
            final ReloadableMap.Snapshot pinned = m.snapshot();
            r.reloadNow();
            assertThat(g1).doesNotExist();
            assertThat(mappingsOf(g1)).as("pinned by a snapshot").isNotEmpty();
            assertThat(tagOf(pinned.get(key(5)))).isEqualTo(1);
            assertThat(tagOf(m.get(key(5)))).isEqualTo(2);
            pinned.close();
            assertThat(mappingsOf(g1)).isEmpty();
            assertThatThrownBy(() -> pinned.get(key(5))).isInstanceOf(IllegalStateException.class);
            r.reloadNow();
            assertThat(m.generationFile(2)).doesNotExist();
            assertThat(mappingsOf(m.generationFile(2))).isEmpty();
        }
    }

    @Test
    void anIdleProcessLetsGoOfTheOldGenerationByItself() {
        final Path file = files.next("idle");
        try (ReloadableMap writer = ReloadableMap.create(file, small());
                ReloadableMap idle = ReloadableMap.open(file)) {
            final Reloader r = Reloader.builder(writer).source(tagged(writer, 10)).build();
            r.reloadNow();
            assertThat(idle.generation()).isEqualTo(1);
            writer.close();
            final ReloadableMap again = ReloadableMap.open(file);
            try (again) {
                Reloader.builder(again).source(tagged(again, 10)).build().reloadNow();
                again.close();
                // nobody in this JVM reads `idle` now: its watch thread switches it and unmaps generation 1
                FileSignals.awaitTrue(() -> mappingsOf(writer.generationFile(1)).isEmpty(), Duration.ofSeconds(10),
                        "the idle handle to unmap generation 1");
            }
        }
    }

    @Test
    void regressionRetiredGenerationUnderAReadDoesNotLeaveTheReaderInterrupted() throws Exception {
        try (ReloadableMap m = ReloadableMap.create(files.next("interrupt"), small())) {
            final Reloader r = Reloader.builder(m).source(tagged(m, 500)).build();
            r.reloadNow();
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicLong interrupted = new AtomicLong();
            final Thread reader = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    m.get(key(ThreadLocalRandom.current().nextInt(500)));
                    if (Thread.interrupted()) {
                        interrupted.incrementAndGet();
                    }
                }
            });
            for (int i = 0; i < 30; i++) {
                r.reloadNow();
            }
            stop.set(true);
            reader.join();
            assertThat(interrupted.get()).isZero();
        }
    }

    @Test
    void aGenuineInterruptSurvivesReads() {
        try (ReloadableMap m = ReloadableMap.create(files.next("genuine"), small())) {
            Reloader.builder(m).source(tagged(m, 10)).build().reloadNow();
            Thread.currentThread().interrupt();
            try {
                assertThat(m.get(key(1))).isNotNull();
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void closedMapsRefuseReadsAndFilesAreRecognised() {
        final Path file = files.next("closed");
        final ReloadableMap m = ReloadableMap.create(file, small());
        Reloader.builder(m).source(tagged(m, 10)).build().reloadNow();
        m.close();
        m.close();
        assertThatThrownBy(() -> m.get(key(1))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(m::snapshot).isInstanceOf(IllegalStateException.class);
        assertThat(ReloadableMap.isReloadable(file)).isTrue();
        assertThat(ReloadableMap.isReloadable(m.generationFile(1))).isFalse();
        assertThatThrownBy(() -> ReloadableMap.open(m.generationFile(1))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> ReloadableMap.create(file, small())).isInstanceOf(SharedMapExistsException.class);
        try (ReloadableMap again = ReloadableMap.openOrCreate(file, small())) {
            assertThat(again.generation()).isEqualTo(1);
            assertThat(again.options()).isEqualTo(small());
        }
        assertThat(ReloadableMap.delete(file)).isTrue();
        assertThat(file).doesNotExist();
        assertThat(m.generationFile(1)).doesNotExist();
        try (ReloadableMap fresh = ReloadableMap.openOrCreate(file, small())) {
            assertThat(fresh.generation()).isZero();
        }
    }

    @Test
    void argumentsAreChecked() throws Exception {
        try (ReloadableMap m = ReloadableMap.create(files.next("args"), small())) {
            assertThatThrownBy(() -> m.get(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
            assertThatThrownBy(() -> m.generationFile(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("n must be at least 1, was 0");
            assertThatThrownBy(() -> ReloadableMap.create(null, small())).isInstanceOf(NullPointerException.class);
        }
        final Path notOurs = files.next("plain");
        Files.writeString(notOurs, "hello");
        assertThat(ReloadableMap.isReloadable(notOurs)).isFalse();
    }
}
