package io.bingfa.cli.bench.map;

import io.bingfa.cache.SharedMap;
import io.bingfa.cache.SharedMapOptions;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Bingfa's SharedMap; reads with {@code get(MemorySegment, MemorySegment)} into a reused native buffer. */
final class BingfaStore implements Store {

    private static final ValueLayout.OfLong KEY = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final SharedMap map;
    private final Path file;
    private final MemorySegment key = Arena.ofAuto().allocate(8);
    private final MemorySegment dst;
    private final byte[] keyBytes = new byte[8];

    BingfaStore(final Path file, final boolean create, final long n, final int valueSize) {
        this.file = file;
        this.map = create ? SharedMap.create(file, SharedMapOptions.builder().expectedEntries(n).averageKeySize(8)
                .averageValueSize(valueSize).maxValueSize(Math.max(valueSize, 1024)).build()) : SharedMap.open(file);
        this.dst = Arena.ofAuto().allocate(Math.max(valueSize, 1024));
    }

    @Override
    public void put(final long i, final byte[] value) {
        java.nio.ByteBuffer.wrap(keyBytes).putLong(0, i);
        map.put(keyBytes, value);
    }

    @Override
    public int get(final long i) {
        key.set(KEY, 0, i);
        return (int) map.get(key, dst);
    }

    @Override
    public long fileBytes() throws IOException {
        return Store.allocatedBytes(file);
    }

    @Override
    public void close() {
        map.close();
    }
}
