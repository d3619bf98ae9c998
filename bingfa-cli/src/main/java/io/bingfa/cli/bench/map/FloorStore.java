package io.bingfa.cli.bench.map;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Not a store: the memory floor under every store of the suite, measured in the same run. A file under
 * /dev/shm laid out like SharedMap's (an index of 8-byte slots at a load of 1/2, then one power-of-two block
 * per entry holding a 16-byte header, the key and the value), read without anything a real map must do: no
 * hashing beyond one multiply, no probing, no key comparison, no validation, no lock or version check.
 *
 * <ul>
 *   <li>{@code floor2}: read the key's index slot, then copy the value out of the block it names: the two
 *       dependent random reads that any map with a separate index and value blocks (SharedMap, Chronicle
 *       Map's entry space, LMDB's B-tree leaves) cannot avoid.</li>
 *   <li>{@code floor1}: copy the value out of block {@code key}: one random read, the floor of any layout at
 *       all whose values do not fit in the caches (an array indexed by the key).</li>
 * </ul>
 * A get copies the value into a reused native buffer, as {@link BingfaStore} does. Keys are 0..n-1 read in
 * random order by the suite, so block {@code key} is a random place in the file.
 */
final class FloorStore implements Store {

    private static final long HEADER = 16;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    private final boolean dependent;
    private final Path file;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment map;
    private final long slots;
    private final long blockSize;
    private final long dataStart;
    private final int valueSize;
    private final MemorySegment dst;

    FloorStore(final Path file, final boolean dependent, final long n, final int valueSize) throws IOException {
        this.dependent = dependent;
        this.file = file;
        this.valueSize = valueSize;
        this.slots = 2 * n;
        this.blockSize = Long.highestOneBit(HEADER + 8 + valueSize - 1) << 1;
        this.dataStart = slots * 8;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            this.map = ch.map(FileChannel.MapMode.READ_WRITE, 0, dataStart + n * blockSize, arena);
        }
        this.dst = Arena.ofAuto().allocate(valueSize);
    }

    private long slotOf(final long i) {
        return Math.unsignedMultiplyHigh(i * GOLDEN, slots);
    }

    @Override
    public void put(final long i, final byte[] value) {
        final long block = dataStart + i * blockSize;
        map.set(ValueLayout.JAVA_LONG, block, value.length);
        map.set(ValueLayout.JAVA_LONG_UNALIGNED, block + HEADER, i);
        MemorySegment.copy(value, 0, map, ValueLayout.JAVA_BYTE, block + HEADER + 8, value.length);
        map.set(ValueLayout.JAVA_LONG, slotOf(i) * 8, block); // a colliding key's slot is overwritten: still two reads
    }

    @Override
    public int get(final long i) {
        final long block = dependent ? map.get(ValueLayout.JAVA_LONG, slotOf(i) * 8) : dataStart + i * blockSize;
        MemorySegment.copy(map, block + HEADER + 8, dst, 0, valueSize);
        return valueSize;
    }

    @Override
    public long fileBytes() throws IOException {
        return Store.allocatedBytes(file);
    }

    @Override
    public void close() {
        arena.close();
    }
}
