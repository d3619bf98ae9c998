package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host-local challenge store: expiry in the value, sweeping, one taker per challenge, counters. */
class LocalChallengeStoreTest {

    @TempDir
    Path dir;

    @Test
    void anExpiredChallengeIsAbsentAndSweptAway() {
        final AtomicLong now = new AtomicLong(1_000_000);
        final Path file = dir.resolve("challenges");
        try (LocalChallengeStore creator = LocalChallengeStore.create(file);
             LocalChallengeStore store = LocalChallengeStore.open(file, now::get)) {
            store.put("a".repeat(32), "app-1\nCBA", Duration.ofSeconds(5));
            store.put("b".repeat(32), "app-1\nFED", Duration.ofSeconds(5));
            store.put("c".repeat(32), "app-1\nIHG", Duration.ofSeconds(60));
            now.addAndGet(4_999);
            assertThat(store.take("a".repeat(32))).isEqualTo("app-1\nCBA");
            now.addAndGet(1);
            assertThat(store.take("b".repeat(32))).as("expired at its deadline").isNull();
            store.put("d".repeat(32), "app-1\nJ", Duration.ofSeconds(1));
            now.addAndGet(1_000);
            assertThat(store.sweep()).isEqualTo(1); // d; b was removed by its take
            assertThat(store.size()).isEqualTo(1);
            assertThat(store.take("c".repeat(32))).isEqualTo("app-1\nIHG");
        }
    }

    @Test
    void ofManyConcurrentTakersExactlyOneGetsTheChallenge() throws Exception {
        final Path file = dir.resolve("challenges");
        try (LocalChallengeStore creator = LocalChallengeStore.create(file)) {
            final List<LocalChallengeStore> views = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                views.add(LocalChallengeStore.open(file)); // separate mappings, as separate workers have
            }
            for (int round = 0; round < 200; round++) {
                final String id = String.format("%032x", round);
                creator.put(id, "app-2\nX", Duration.ofMinutes(1));
                final AtomicInteger winners = new AtomicInteger();
                final CountDownLatch go = new CountDownLatch(1);
                final List<Thread> takers = new ArrayList<>();
                for (final LocalChallengeStore v : views) {
                    takers.add(Thread.ofPlatform().start(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (v.take(id) != null) {
                            winners.incrementAndGet();
                        }
                    }));
                }
                go.countDown();
                for (final Thread t : takers) {
                    t.join();
                }
                assertThat(winners.get()).as("round " + round).isEqualTo(1);
            }
            views.forEach(LocalChallengeStore::close);
        }
    }

    @Test
    void countersAreSharedAndLoseNoIncrement() throws Exception {
        final Path file = dir.resolve("challenges");
        try (LocalChallengeStore a = LocalChallengeStore.create(file); LocalChallengeStore b = LocalChallengeStore.open(file)) {
            final List<Thread> threads = new ArrayList<>();
            for (final LocalChallengeStore s : List.of(a, b, a, b)) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 1_000; i++) {
                        s.count("app-3", ChallengeStore.Counter.SUCCESS);
                    }
                }));
            }
            for (final Thread t : threads) {
                t.join();
            }
            b.count("app-3", ChallengeStore.Counter.ISSUED);
            assertThat(a.counts("app-3")).containsExactly(1, 4_000, 0);
            assertThat(a.counts("app-4")).containsExactly(0, 0, 0);
        }
    }
}
