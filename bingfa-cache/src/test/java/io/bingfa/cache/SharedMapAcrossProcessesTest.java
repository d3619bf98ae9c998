package io.bingfa.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real child JVMs reading and writing one map file. */
class SharedMapAcrossProcessesTest {

    private final MapFiles files = new MapFiles();

    @AfterEach
    void cleanUp() {
        files.close();
    }

    @Test
    void fourWriterJvmsEndMatchingTheModelAndNeverReadATornValue() throws Exception {
        final Path path = files.next("four");
        final int ops = 25_000;
        // sized far too small on purpose: the writers grow the file and rebuild tables while the others read
        try (SharedMap map = SharedMap.create(path, SharedMapOptions.builder().expectedEntries(500).segments(4).build())) {
            final List<MapChildJvm> children = new ArrayList<>();
            try {
                for (int id = 0; id < 4; id++) {
                    children.add(MapChildJvm.start("writer", path.toString(), Integer.toString(id), Integer.toString(ops)));
                }
                for (final MapChildJvm child : children) {
                    final String done = child.awaitLine("DONE", Duration.ofSeconds(60));
                    assertThat(done).as("torn reads in a writer JVM").startsWith("DONE torn=0 ");
                    assertThat(child.awaitExit(Duration.ofSeconds(10))).isZero();
                }
            } finally {
                for (final MapChildJvm child : children) {
                    child.close();
                }
            }
            final Map<String, byte[]> model = new HashMap<>();
            for (int id = 0; id < 4; id++) {
                MapChild.writerOps(id, ops, new MapChild.WriterSink() {
                    @Override
                    public void put(final byte[] key, final byte[] value) {
                        model.put(new String(key, StandardCharsets.UTF_8), value);
                    }

                    @Override
                    public void remove(final byte[] key) {
                        model.remove(new String(key, StandardCharsets.UTF_8));
                    }
                });
            }
            final Map<String, byte[]> actual = new HashMap<>();
            map.forEach((k, v) -> actual.put(new String(k, StandardCharsets.UTF_8), v));
            assertThat(actual.keySet()).isEqualTo(model.keySet());
            model.forEach((k, v) -> assertThat(actual.get(k)).as(k).isEqualTo(v));
            assertThat(map.size()).isEqualTo(model.size());
            assertThat(map.verify()).isEmpty();
            assertThat(map.stats().regions()).as("the writers grew the file").isGreaterThan(1);
        }
    }

    @Test
    void aReaderJvmSeesRegionsAddedByAnotherProcess() throws Exception {
        final Path path = files.next("growth");
        final int count = 60_000;
        try (SharedMap map = SharedMap.create(path, SharedMapOptions.builder().expectedEntries(100).segments(2).build());
             MapChildJvm reader = MapChildJvm.start("growreader", path.toString(), Integer.toString(count))) {
            assertThat(reader.awaitLine("READY", Duration.ofSeconds(30))).isEqualTo("READY regions=1");
            for (int i = 0; i < count; i++) {
                map.put(MapChild.key("g-" + i), MapChild.key("value-" + i));
            }
            map.put(MapChild.key("done"), new byte[0]);
            assertThat(map.stats().regions()).isGreaterThan(1);
            assertThat(reader.awaitLine("OK", Duration.ofSeconds(30))).startsWith("OK " + count + " regions=")
                    .isNotEqualTo("OK " + count + " regions=1");
        }
    }
}
