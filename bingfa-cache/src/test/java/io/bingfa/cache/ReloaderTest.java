package io.bingfa.cache;

import static io.bingfa.cache.ReloadFixtures.key;
import static io.bingfa.cache.ReloadFixtures.small;
import static io.bingfa.cache.ReloadFixtures.tagOf;
import static io.bingfa.cache.ReloadFixtures.tagged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.pool.FileSignals;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReloaderTest {

    private final ReloadFixtures files = new ReloadFixtures();

    @AfterEach
    void cleanUp() {
        files.close();
    }

    @Test
    void theScheduleRunsAndReportsEachReload() {
        try (ReloadableMap m = ReloadableMap.create(files.next("schedule"), small())) {
            final List<ReloadReport> reports = new CopyOnWriteArrayList<>();
            try (Reloader r = Reloader.builder(m).source(tagged(m, 50)).every(Duration.ofMillis(50))
                    .onReport(reports::add).build()) {
                assertThat(r.start()).isSameAs(r);
                FileSignals.awaitTrue(() -> reports.size() >= 3, Duration.ofSeconds(10), "three scheduled reloads");
                assertThat(r.lastReport()).isPresent();
                assertThatThrownBy(r::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("started");
            }
            final ReloadReport first = reports.getFirst();
            assertThat(first.ok()).isTrue();
            assertThat(first.rows()).isEqualTo(50);
            assertThat(first.generation()).isEqualTo(1);
            assertThat(first.took()).isPositive();
            assertThat(first.at()).isNotNull();
            assertThat(reports.get(2).generation()).isEqualTo(3);
            assertThat(m.lastReport()).get().extracting(ReloadReport::rows).isEqualTo(50L);
            final long after = m.generation();
            assertThat(m.reloads()).isGreaterThanOrEqualTo(3).isEqualTo(after);
        }
    }

    @Test
    void aFailingSourceLeavesTheCurrentGenerationServingAndReportsTheFailure() {
        final Path file = files.next("failing");
        try (ReloadableMap m = ReloadableMap.create(file, small())) {
            Reloader.builder(m).source(tagged(m, 100)).build().reloadNow();
            final Reloader broken = Reloader.builder(m).source(sink -> {
                for (int i = 0; i < 60; i++) {
                    sink.put(key(i), ReloadFixtures.value(99, i));
                }
                throw new IllegalStateException("the database went away at row 60");
            }).build();
            final ReloadReport report = broken.reloadNow();
            assertThat(report.ok()).isFalse();
            assertThat(report.failure()).hasMessage("the database went away at row 60");
            assertThat(report.rows()).isEqualTo(60);
            assertThat(report.generation()).isEqualTo(1);
            assertThat(broken.lastReport()).contains(report);
            assertThat(m.generation()).isEqualTo(1);
            assertThat(tagOf(m.get(key(70)))).isEqualTo(1);
            assertThat(m.size()).isEqualTo(100);
            assertThat(Generations.generationFiles(file)).containsExactly(m.generationFile(1));
            assertThat(m.failedReloads()).isEqualTo(1);
            // another process sees the failure's text
            try (ReloadableMap other = ReloadableMap.open(file)) {
                assertThat(other.lastReport()).get().satisfies(r -> {
                    assertThat(r.ok()).isFalse();
                    assertThat(r.failure()).isInstanceOf(ReloadFailedException.class)
                            .hasMessageContaining("the database went away at row 60");
                });
            }
            // the next good reload skips the failed number: numbers are never reused
            assertThat(Reloader.builder(m).source(tagged(m, 5)).build().reloadNow().generation()).isEqualTo(3);
        }
    }

    @Test
    void theNewGenerationIsPresizedFromTheCurrentOne() {
        final SharedMapOptions o = small();
        assertThat(Reloader.presized(o, 0)).isEqualTo(o);
        assertThat(Reloader.presized(o, 80_000).expectedEntries()).isEqualTo(90_000);
        assertThat(Reloader.presized(o, 80_000).maxValueSize()).isEqualTo(o.maxValueSize());
    }

    @Test
    void anIteratorSourceServesOneReloadAndSaysSoOnTheSecond() {
        try (ReloadableMap m = ReloadableMap.create(files.next("iterator"), small())) {
            final Reloader r = Reloader.builder(m).source(Sources.of(List.of(
                    Map.entry(key(1), "a".getBytes(StandardCharsets.UTF_8)),
                    Map.entry(key(2), "b".getBytes(StandardCharsets.UTF_8))).iterator())).build();
            assertThat(r.reloadNow().rows()).isEqualTo(2);
            final ReloadReport second = r.reloadNow();
            assertThat(second.ok()).isFalse();
            assertThat(second.failure()).hasMessageContaining("Sources.of(Iterable)");
            assertThat(m.get(key(2))).isEqualTo("b".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aLeftoverPartialGenerationIsRemovedByTheNextReload() throws Exception {
        final Path file = files.next("leftover");
        try (ReloadableMap m = ReloadableMap.create(file, small())) {
            final Reloader r = Reloader.builder(m).source(tagged(m, 10)).build();
            r.reloadNow();
            final Path partial = m.generationFile(7);
            Files.writeString(partial, "half a map");
            r.reloadNow();
            assertThat(partial).doesNotExist();
            assertThat(Generations.generationFiles(file)).containsExactly(m.generationFile(2));
        }
    }

    @Test
    void theBuilderAndTheLifeCycleCheckTheirArguments() {
        try (ReloadableMap m = ReloadableMap.create(files.next("builder"), small())) {
            assertThatThrownBy(() -> Reloader.builder(null)).isInstanceOf(NullPointerException.class).hasMessage("map");
            assertThatThrownBy(() -> Reloader.builder(m).build()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("source");
            assertThatThrownBy(() -> Reloader.builder(m).every(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("every must be positive, was PT0S");
            assertThatThrownBy(() -> Reloader.builder(m).source(Sources.of(List.of())).source(Sources.of(List.of())))
                    .isInstanceOf(IllegalStateException.class).hasMessage("source was already set");
            final Reloader unscheduled = Reloader.builder(m).source(Sources.of(List.of())).build();
            assertThatThrownBy(unscheduled::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("every(Duration)");
            unscheduled.close();
            assertThatThrownBy(unscheduled::reloadNow).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }
}
