package io.bingfa.cli.bench.map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/** Caffeine on the heap of one process: a get returns a reference to the stored array (no copy). */
final class CaffeineStore implements Store {

    private final Cache<Long, byte[]> cache;

    CaffeineStore(final long n) {
        this.cache = Caffeine.newBuilder().initialCapacity((int) Math.min(Integer.MAX_VALUE, n)).build();
    }

    @Override
    public void put(final long i, final byte[] value) {
        cache.put(i, value.clone()); // the caller reuses its array
    }

    @Override
    public int get(final long i) {
        final byte[] v = cache.getIfPresent(i);
        return v == null ? -1 : v.length;
    }

    @Override
    public long fileBytes() {
        return -1;
    }

    @Override
    public void close() {
        cache.invalidateAll();
    }
}
