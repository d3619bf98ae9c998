package io.bingfa.cache;

import io.bingfa.shm.ShmCodec;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * A {@link SharedMap} seen through two {@link ShmCodec}s: keys and values are encoded on the way in and
 * decoded on the way out (only their bytes are stored). Equal keys must encode to equal bytes. Created by
 * {@link SharedMap#typed}; shares the map's file and lifecycle.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TypedSharedMap<K, V> {

    private final SharedMap map;
    private final ShmCodec<K> keys;
    private final ShmCodec<V> values;

    TypedSharedMap(final SharedMap map, final ShmCodec<K> keys, final ShmCodec<V> values) {
        this.map = map;
        this.keys = keys;
        this.values = values;
    }

    /** The value of {@code key}, or {@code null} when absent. */
    public V get(final K key) {
        final byte[] v = map.get(encodeKey(key));
        return v == null ? null : values.decode(v);
    }

    public boolean containsKey(final K key) {
        return map.containsKey(encodeKey(key));
    }

    public void put(final K key, final V value) {
        map.put(encodeKey(key), encodeValue(value));
    }

    public boolean putIfAbsent(final K key, final V value) {
        return map.putIfAbsent(encodeKey(key), encodeValue(value));
    }

    /** Replaces the value if it currently encodes to the same bytes as {@code expected}. */
    public boolean replace(final K key, final V expected, final V value) {
        return map.replace(encodeKey(key), encodeValue(expected), encodeValue(value));
    }

    public boolean remove(final K key) {
        return map.remove(encodeKey(key));
    }

    /** Atomic read-modify-write (see {@link SharedMap#update}); {@code fn} gets null when absent, returns null to remove. */
    public V update(final K key, final UnaryOperator<V> fn) {
        Objects.requireNonNull(fn, "fn");
        final byte[] next = map.update(encodeKey(key), old -> {
            final V v = fn.apply(old == null ? null : values.decode(old));
            return v == null ? null : encodeValue(v);
        });
        return next == null ? null : values.decode(next);
    }

    public void forEach(final BiConsumer<? super K, ? super V> action) {
        Objects.requireNonNull(action, "action");
        map.forEach((k, v) -> action.accept(keys.decode(k), values.decode(v)));
    }

    public long size() {
        return map.size();
    }

    /** The untyped map underneath. */
    public SharedMap untyped() {
        return map;
    }

    private byte[] encodeKey(final K key) {
        return keys.encode(Objects.requireNonNull(key, "key"));
    }

    private byte[] encodeValue(final V value) {
        return values.encode(Objects.requireNonNull(value, "value"));
    }
}
