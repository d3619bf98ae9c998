package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedMemoryTest {

    @TempDir
    Path dir;

    private final String name = ShmTesting.uniqueName("segment");

    @AfterEach
    void unlink() {
        SharedMemory.unlink(name);
    }

    @Test
    void createdMemoryIsZeroedAlignedAndSeenByAnotherMapping() {
        try (SharedMemory a = SharedMemory.create(name, 4096); SharedMemory b = SharedMemory.open(name)) {
            assertThat(a.size()).isEqualTo(4096);
            assertThat(b.size()).isEqualTo(4096);
            assertThat(a.segment().address() % 64).isZero();
            assertThat(a.path()).isEqualTo(SharedMemory.DEFAULT_DIRECTORY.resolve(name));
            assertThat(a.name()).isEqualTo(name);
            assertThat(a.segment().get(ValueLayout.JAVA_LONG, 4088)).isZero();
            a.segment().set(ValueLayout.JAVA_LONG, 4088, 42L);
            assertThat(b.segment().get(ValueLayout.JAVA_LONG, 4088)).isEqualTo(42L);
        }
    }

    @Test
    void closeUnmapsOnlyHereAndUnlinkRemovesTheNameButNotLiveMappings() {
        final SharedMemory a = SharedMemory.create(name, 64);
        final SharedMemory b = SharedMemory.open(name);
        a.close();
        a.close(); // idempotent
        assertThat(a.isOpen()).isFalse();
        assertThatThrownBy(() -> a.segment().get(ValueLayout.JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
        b.unlink();
        assertThat(Files.exists(b.path())).isFalse();
        b.segment().set(ValueLayout.JAVA_INT, 0, 7); // still mapped
        assertThat(b.segment().get(ValueLayout.JAVA_INT, 0)).isEqualTo(7);
        b.close();
        assertThatThrownBy(() -> SharedMemory.open(name))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("no shared memory");
    }

    @Test
    void createRefusesAnExistingName() {
        try (SharedMemory a = SharedMemory.create(name, 64)) {
            assertThatThrownBy(() -> SharedMemory.create(name, 64))
                    .isInstanceOf(UncheckedIOException.class).hasMessageContaining("already exists");
        }
    }

    @Test
    void badNamesAreRefusedWithTheName() {
        for (final String bad : new String[] {"", ".hidden", "a/b", "with space", "../etc", "x".repeat(201), "é"}) {
            assertThatThrownBy(() -> SharedMemory.create(bad, 64))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("name must be 1 to 200 characters")
                    .hasMessageContaining("was \"" + bad + "\"");
        }
        assertThatThrownBy(() -> SharedMemory.open((String) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("name");
    }

    @Test
    void badSizesAreRefusedWithTheSize() {
        assertThatThrownBy(() -> SharedMemory.create(name, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("size must be between 1 and 1099511627776 bytes, was 0");
        assertThatThrownBy(() -> SharedMemory.create(name, -5)).hasMessageContaining("was -5");
        assertThatThrownBy(() -> SharedMemory.create(name, SharedMemory.MAX_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedMemory.create(name, SharedMemory.MAX_SIZE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the free space");
        assertThat(Files.exists(SharedMemory.pathOf(name))).isFalse();
    }

    @Test
    void aForeignFileIsRefusedWithItsMagic() throws IOException {
        final Path file = dir.resolve("foreign");
        Files.writeString(file, "#!/bin/sh\necho this is not shared memory, but long enough to have a header"
                + " ".repeat(200));
        assertThatThrownBy(() -> SharedMemory.open(file))
                .isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("is not Bingfa shared memory")
                .hasMessageContaining("'#!/bin/s'")
                .hasMessageContaining("'BINGFA-S'");
    }

    @Test
    void aShortFileIsRefused() throws IOException {
        final Path file = dir.resolve("short");
        Files.write(file, new byte[] {'B', 'I', 'N', 'G'});
        assertThatThrownBy(() -> SharedMemory.open(file))
                .isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("is 4 bytes long, too short");
    }

    @Test
    void anotherVersionIsRefusedNamingBoth() throws IOException {
        final Path file = dir.resolve("v2");
        SharedMemory.create(file, 256).close();
        patchInt(file, SegmentLayout.VERSION_OFFSET, 2);
        assertThatThrownBy(() -> SharedMemory.open(file))
                .isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("layout version 2; this Bingfa reads version 1");
    }

    @Test
    void aTruncatedFileIsRefused() throws IOException {
        final Path file = dir.resolve("truncated");
        SharedMemory.create(file, 4096).close();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(1024);
        }
        assertThatThrownBy(() -> SharedMemory.open(file))
                .isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("corrupt or truncated")
                .hasMessageContaining("records " + (4096 + SegmentLayout.HEADER_SIZE) + " bytes");
    }

    @Test
    void aFileWhoseCreatorDiedBeforeTheMagicIsRefusedAfterTheGrace() throws IOException {
        final Path file = dir.resolve("unfinished");
        Files.write(file, new byte[512]);
        assertThatThrownBy(() -> SharedMemory.open(file))
                .isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("creator died before finishing it");
    }

    @Test
    void aStructureOpenedWhereThereIsNoneIsRefusedWithItsOffset() {
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            ShmMutex.create(shm, 0, false);
            assertThatThrownBy(() -> ShmMutex.open(shm, 64))
                    .isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("no ShmMutex at offset 64")
                    .hasMessageContaining("never created there");
            assertThatThrownBy(() -> ShmSemaphore.open(shm, 0))
                    .isInstanceOf(SegmentFormatException.class)
                    .hasMessageContaining("found magic 'BFMX' instead of 'BFSM'");
            assertThatThrownBy(() -> ShmMutex.create(shm, 4, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("offset must be a non-negative multiple of 8 for a ShmMutex, was 4");
            assertThatThrownBy(() -> ShmMutex.create(shm, 4096 - 32, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a ShmMutex needs 64 bytes at offset 4064 but " + name + " has 4096");
            assertThatThrownBy(() -> SharedArray.create(shm, 128, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("length must be between 1 and "
                            + SharedArray.MAX_LENGTH + ", was 0");
        }
    }

    private static void patchInt(final Path file, final long offset, final int value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(value).flip();
            ch.write(b, offset);
        }
    }
}
