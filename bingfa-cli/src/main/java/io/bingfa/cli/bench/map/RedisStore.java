package io.bingfa.cli.bench.map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis on loopback through Lettuce: gets are synchronous (one round trip each: the latency a cache client
 * sees); puts are pipelined (Lettuce's async API, flushed every {@value #PIPELINE} commands).
 */
final class RedisStore implements Store {

    static final int PIPELINE = 256;

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final List<RedisFuture<String>> pending = new ArrayList<>();

    RedisStore(final String address) {
        this.client = RedisClient.create(RedisURI.create("redis://" + address));
        this.connection = client.connect(ByteArrayCodec.INSTANCE);
        this.connection.setTimeout(Duration.ofSeconds(30));
    }

    private static byte[] key(final long i) {
        return java.nio.ByteBuffer.allocate(8).putLong(0, i).array();
    }

    @Override
    public void put(final long i, final byte[] value) {
        pending.add(connection.async().set(key(i), value.clone()));
        if (pending.size() == PIPELINE) {
            flush();
        }
    }

    @Override
    public void flush() {
        for (final RedisFuture<String> f : pending) {
            try {
                f.get();
            } catch (final Exception e) {
                throw new IllegalStateException("redis SET failed", e);
            }
        }
        pending.clear();
    }

    @Override
    public int get(final long i) {
        final byte[] v = connection.sync().get(key(i));
        return v == null ? -1 : v.length;
    }

    @Override
    public long fileBytes() {
        return -1;
    }

    @Override
    public void close() {
        flush();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
