package io.bingfa.cli.bench.map;

import java.io.IOException;
import java.nio.file.Path;
import net.openhft.chronicle.map.ChronicleMap;

/** Chronicle Map persisted to a file (shared by processes); reads with {@code getUsing} into a reused array. */
final class ChronicleStore implements Store {

    private final ChronicleMap<Long, byte[]> map;
    private final Path file;
    private byte[] using;

    ChronicleStore(final Path file, final long n, final int valueSize) throws IOException {
        this.file = file;
        this.using = new byte[valueSize];
        this.map = ChronicleMap.of(Long.class, byte[].class)
                .name("bingfa-bench")
                .entries(n)
                .averageValueSize(valueSize)
                .createPersistedTo(file.toFile()); // opens the file when another process made it
    }

    @Override
    public void put(final long i, final byte[] value) {
        map.put(i, value);
    }

    @Override
    public int get(final long i) {
        final byte[] v = map.getUsing(i, using);
        if (v == null) {
            return -1;
        }
        using = v;
        return v.length;
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
