package io.bingfa.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Out of file-system space: a real 4 MiB tmpfs mounted for the test (we run as root; the test is skipped
 * where mount(8) is not permitted).
 */
class SharedMapDiskFullTest {

    private static int run(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @Test
    void aFullFileSystemFailsThePutWithANamedExceptionAndLeavesTheMapUsable() throws Exception {
        final Path mount = Files.createTempDirectory("bingfa-full-");
        assumeThat(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString()))
                .as("mount -t tmpfs permitted").isZero();
        try {
            final Path path = mount.resolve("full.map");
            try (SharedMap map = SharedMap.create(path, SharedMapOptions.builder().expectedEntries(100).segments(2).build())) {
                int stored = 0;
                SharedMapFullException full = null;
                for (int i = 0; i < 1_000_000 && full == null; i++) {
                    try {
                        map.put(MapChild.key("k" + i), new byte[200]);
                        stored++;
                    } catch (SharedMapFullException e) {
                        full = e;
                    }
                }
                assertThat(full).isNotNull();
                assertThat(full.file()).isEqualTo(path);
                assertThat(full.bytesRequested()).isPositive();
                assertThat(full).hasMessageContaining(path.toString()).hasMessageContaining("cannot grow by")
                        .hasMessageContaining("the file system is full");
                assertThat(map.size()).isEqualTo(stored);
                assertThat(map.verify()).isEmpty();
                assertThat(map.lockedSegments()).isZero();
                // still usable: reads, removes, puts into the space removes freed, overwrites
                assertThat(map.get(MapChild.key("k0"))).hasSize(200);
                for (int i = 0; i < stored / 2; i++) {
                    assertThat(map.remove(MapChild.key("k" + i))).isTrue();
                }
                for (int i = stored / 2; i < stored; i += 7) { // overwrites: a fresh block, then the old one freed
                    map.put(MapChild.key("k" + i), new byte[150]);
                }
                // the freed blocks belong to the keys' own segments: the same keys fit again
                for (int i = 0; i < stored / 2; i++) {
                    map.put(MapChild.key("k" + i), new byte[200]);
                }
                assertThat(map.size()).isEqualTo(stored);
                assertThat(map.verify()).isEmpty();
                assertThat(Files.size(path)).isLessThanOrEqualTo(4L << 20);
            }
        } finally {
            run("umount", mount.toString());
            Files.deleteIfExists(mount);
        }
    }
}
