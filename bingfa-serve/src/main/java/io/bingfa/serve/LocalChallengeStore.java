package io.bingfa.serve;

import io.bingfa.cache.SharedMap;
import io.bingfa.cache.SharedMapOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/*
 * Overview
 * --------
 * Challenges and counters of one host in a SharedMap (bingfa-cache: mapped, buddy-allocated, shared by the
 * worker JVMs), for `bingfa serve` without --zk: every worker sees every challenge, whichever worker issued it.
 *
 * Records (keys are UTF-8):
 *   "ch:<id>"          -> [expires at, epoch millis: 8 bytes big-endian][record: UTF-8]
 *   "n:<app>:<c|s|f>"  -> [count: 8 bytes big-endian]
 *
 * Expiry: the deadline travels in the value. An entry past it is treated as absent by take() (which removes
 * it all the same), and sweep() (the supervisor, every few seconds) removes the expired entries nobody asked
 * for, so abandoned challenges do not pile up. The map grows past its expected size; its file is in
 * /dev/shm, so abandoned challenges cost RAM until swept.
 *
 * Atomicity: take() and count() are SharedMap.update() calls, which run their function under the key's
 * segment lock against every process: of two verifies of one id, exactly one sees the record; no increment
 * is lost. put() is a plain put: ids are 128-bit random and never reused.
 */
/** Challenges and counters in a {@link SharedMap} shared by the workers of one host; expiry in the values. */
final class LocalChallengeStore implements ChallengeStore {

    private static final int DEADLINE_BYTES = Long.BYTES;

    private final SharedMap map;
    private final LongSupplier clock;

    private LocalChallengeStore(final SharedMap map, final LongSupplier clock) {
        this.map = map;
        this.clock = clock;
    }

    /** The options the supervisor creates the map with: a million 40-byte keys, 50-byte values to start with. */
    static SharedMapOptions options() {
        return SharedMapOptions.builder().expectedEntries(1 << 20).averageKeySize(40).averageValueSize(50)
                .maxKeySize(128).maxValueSize(1024).build();
    }

    /** Creates the map file (the supervisor, once per host). */
    static LocalChallengeStore create(final Path file) {
        return new LocalChallengeStore(SharedMap.create(file, options()), System::currentTimeMillis);
    }

    /** Opens the map the supervisor created (a worker). */
    static LocalChallengeStore open(final Path file) {
        return open(file, System::currentTimeMillis);
    }

    /** Opens with a clock of epoch milliseconds (tests move time). */
    static LocalChallengeStore open(final Path file, final LongSupplier clock) {
        Objects.requireNonNull(clock, "clock");
        return new LocalChallengeStore(SharedMap.open(file), clock);
    }

    private static byte[] challengeKey(final String id) {
        return ("ch:" + id).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] counterKey(final String app, final Counter counter) {
        return ("n:" + app + ":" + counter.suffix).getBytes(StandardCharsets.UTF_8);
    }

    /** The first 8 bytes, big-endian: a challenge's deadline or a counter. */
    private static long firstLong(final byte[] value) {
        return ByteBuffer.wrap(value).getLong(0);
    }

    private static byte[] longBytes(final long v) {
        return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
    }

    @Override
    public void put(final String id, final String record, final Duration ttl) {
        final byte[] r = record.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer value = ByteBuffer.allocate(DEADLINE_BYTES + r.length);
        value.putLong(clock.getAsLong() + ttl.toMillis()).put(r);
        map.put(challengeKey(id), value.array());
    }

    @Override
    public String take(final String id) {
        final byte[][] taken = new byte[1][];
        map.update(challengeKey(id), current -> {
            taken[0] = current;
            return null; // consumed (or absent: removing nothing)
        });
        final byte[] value = taken[0];
        if (value == null || value.length < DEADLINE_BYTES || firstLong(value) <= clock.getAsLong()) {
            return null;
        }
        return new String(value, DEADLINE_BYTES, value.length - DEADLINE_BYTES, StandardCharsets.UTF_8);
    }

    @Override
    public void count(final String app, final Counter counter) {
        map.update(counterKey(app, counter), current -> longBytes(current == null ? 1 : firstLong(current) + 1));
    }

    @Override
    public long[] counts(final String app) {
        final Counter[] all = Counter.values();
        final long[] counts = new long[all.length];
        for (int i = 0; i < all.length; i++) {
            final byte[] v = map.get(counterKey(app, all[i]));
            counts[i] = v == null ? 0 : firstLong(v);
        }
        return counts;
    }

    /** Removes the challenges past their deadline; returns how many. */
    int sweep() {
        final long now = clock.getAsLong();
        final List<byte[]> expired = new ArrayList<>();
        map.forEach((key, value) -> {
            if (key.length > 3 && key[0] == 'c' && key[1] == 'h' && key[2] == ':' && firstLong(value) <= now) {
                expired.add(key);
            }
        });
        int removed = 0;
        for (final byte[] key : expired) {
            final boolean[] gone = new boolean[1];
            map.update(key, current -> {
                if (current != null && firstLong(current) <= now) {
                    gone[0] = true;
                    return null;
                }
                return current; // taken or never expired meanwhile: leave it
            });
            removed += gone[0] ? 1 : 0;
        }
        return removed;
    }

    /** Entries in the map (challenges and counters). */
    long size() {
        return map.size();
    }

    @Override
    public boolean waitsOnNetwork() {
        return false;
    }

    @Override
    public Map<String, Object> describe() {
        final Map<String, Object> d = new LinkedHashMap<>();
        d.put("mode", "local");
        d.put("entries", map.size());
        return d;
    }

    @Override
    public void close() {
        map.close();
    }
}
