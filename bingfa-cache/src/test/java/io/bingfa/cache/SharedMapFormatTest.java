package io.bingfa.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Wrong, foreign, truncated and corrupted files are refused with a message naming the file and the fault. */
class SharedMapFormatTest {

    private final MapFiles files = new MapFiles();

    @AfterEach
    void cleanUp() {
        files.close();
    }

    private Path filledMap() {
        final Path path = files.next("format");
        try (SharedMap map = SharedMap.create(path, SharedMapOptions.builder().expectedEntries(100).build())) {
            map.put(MapChild.key("k"), MapChild.key("v"));
        }
        return path;
    }

    @Test
    void foreignFileIsRejected() throws Exception {
        final Path path = files.next("foreign");
        Files.writeString(path, "#!/bin/sh\necho this is a shell script, not a map\n".repeat(200));
        assertThatThrownBy(() -> SharedMap.open(path)).isInstanceOf(SharedMapFormatException.class)
                .hasMessageContaining(path.toString()).hasMessageContaining("is not a Bingfa shared map")
                .hasMessageContaining("#!/bin/s");
    }

    @Test
    void fileTruncatedInsideTheHeaderIsRejected() throws Exception {
        final Path path = filledMap();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(1000);
        }
        assertThatThrownBy(() -> SharedMap.open(path)).isInstanceOf(SharedMapFormatException.class)
                .hasMessageContaining(path + " is truncated or not a shared map: 1000 bytes");
    }

    @Test
    void fileTruncatedInsideARegionIsRejected() throws Exception {
        final Path path = filledMap();
        final long size = Files.size(path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        assertThatThrownBy(() -> SharedMap.open(path)).isInstanceOf(SharedMapFormatException.class)
                .hasMessage(path + " is truncated: its header records regions up to byte " + size + ", the file has "
                        + size / 2 + " bytes");
    }

    @Test
    void otherLayoutVersionIsRejected() throws Exception {
        final Path path = filledMap();
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.getChannel().write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 99), MapLayout.VERSION_OFFSET);
        }
        assertThatThrownBy(() -> SharedMap.open(path)).isInstanceOf(SharedMapFormatException.class)
                .hasMessage(path + " is a shared map of layout version 99; this Bingfa reads version 1");
    }

    @Test
    void corruptedSegmentCountIsRejected() throws Exception {
        final Path path = filledMap();
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.getChannel().write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 1 << 20), MapLayout.SEGMENTS_OFFSET);
        }
        assertThatThrownBy(() -> SharedMap.open(path)).isInstanceOf(SharedMapFormatException.class)
                .hasMessageContaining(path + " is corrupt: its header records 1048576 segments");
    }

    @Test
    void fileWhoseCreatorDiedBeforeTheMagicIsRejectedAfterAGracePeriod() throws Exception {
        final Path path = filledMap();
        try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
            f.getChannel().write(ByteBuffer.allocate(8), MapLayout.MAGIC_OFFSET);
        }
        assertThatThrownBy(() -> SharedMap.open(path)).isInstanceOf(SharedMapFormatException.class)
                .hasMessageContaining("has no shared-map magic");
    }

    @Test
    void intactFileStillOpens() {
        final Path path = filledMap();
        try (SharedMap map = SharedMap.open(path)) {
            assertThat(map.get(MapChild.key("k"))).isEqualTo(MapChild.key("v"));
            assertThat(map.verify()).isEmpty();
        }
    }
}
