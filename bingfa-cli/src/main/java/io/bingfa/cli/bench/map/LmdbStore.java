package io.bingfa.cli.bench.map;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * LMDB through lmdbjava with direct buffers (zero copy: the value is a view of the map). Puts commit every
 * {@value #BATCH} puts; reads share a read transaction renewed every {@value #READS_PER_TXN} gets (a
 * transaction per get would cost LMDB a reader-slot round trip each; a never-renewed one pins old pages).
 */
final class LmdbStore implements Store {

    static final int BATCH = 10_000;
    static final int READS_PER_TXN = 100;

    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> db;
    private final Path dir;
    private final ByteBuffer key = ByteBuffer.allocateDirect(8);
    private final ByteBuffer value;
    private Txn<ByteBuffer> write;
    private Txn<ByteBuffer> read;
    private int reads;
    /** Sum of touched bytes, kept so the read cannot be optimised away. */
    long touched;

    LmdbStore(final Path dir, final long n, final int valueSize) {
        this.dir = dir;
        final File d = dir.toFile();
        d.mkdirs();
        final long mapSize = Math.max(64L << 20, n * (valueSize + 64L) * 2);
        this.env = Env.create().setMapSize(mapSize).setMaxDbs(1).setMaxReaders(64)
                .open(d, EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOMETASYNC, EnvFlags.MDB_NORDAHEAD);
        this.db = env.openDbi("bench", DbiFlags.MDB_CREATE);
        this.value = ByteBuffer.allocateDirect(Math.max(valueSize, 1024));
    }

    @Override
    public void put(final long i, final byte[] v) {
        if (write == null) {
            write = env.txnWrite();
        }
        key.clear();
        key.putLong(0, i);
        value.clear();
        value.put(v).flip();
        db.put(write, key, value);
    }

    @Override
    public void flush() {
        if (write != null) {
            write.commit();
            write.close();
            write = null;
        }
    }

    @Override
    public int get(final long i) {
        if (read == null) {
            read = env.txnRead();
        } else if (++reads == READS_PER_TXN) {
            reads = 0;
            read.reset();
            read.renew();
        }
        key.clear();
        key.putLong(0, i);
        final ByteBuffer v = db.get(read, key);
        if (v == null) {
            return -1;
        }
        touched += v.get(v.limit() - 1); // a view of the map: read a byte so the page is really touched
        return v.remaining();
    }

    @Override
    public long fileBytes() throws IOException {
        return Store.allocatedBytes(dir.resolve("data.mdb"));
    }

    @Override
    public void close() {
        flush();
        if (read != null) {
            read.close();
        }
        env.close();
    }
}
