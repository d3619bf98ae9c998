package io.bingfa.cli.bench.map;

import io.bingfa.cache.ReloadableMap;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One store's side of the map suite, in its own JVM (so each store runs with the flags it needs and none
 * shares a heap or JIT profile with another). Roles:
 * <ul>
 *   <li>{@code main}: create the store, load n entries (put rate), file bytes, get latency of each of
 *       {@code samples} random gets (median, p99), one thread's get throughput; prints {@code SINGLE {json}},
 *       then {@code READY}, and on the line {@code go} measures throughput again beside the reader process
 *       ({@code MULTI {json}}); {@code end} ends it.</li>
 *   <li>{@code reader}: open the store another process loaded, warm up, {@code READY}, {@code go}: throughput.</li>
 *   <li>{@code reload-reader}: random gets on a ReloadableMap, each timed into 10 ms windows, until a line
 *       {@code window START END} (System.nanoTime, the same clock in every process on Linux) arrives; prints
 *       p50/p99 inside that interval and outside it.</li>
 * </ul>
 * Arguments: role system path n valueSize millis samples [redisAddress].
 */
public final class MapChild {

    private MapChild() {}

    public static void main(final String[] args) throws Exception {
        final String role = args[0];
        final String system = args[1];
        final Path path = Path.of(args[2]);
        final long n = Long.parseLong(args[3]);
        final int valueSize = Integer.parseInt(args[4]);
        final long millis = Long.parseLong(args[5]);
        final int samples = Integer.parseInt(args[6]);
        final String redis = args.length > 7 ? args[7] : "";
        final BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (role.equals("reload-reader")) {
            reloadReader(path, n, stdin);
            return;
        }
        try (Store store = open(system, path, role.equals("main"), n, valueSize, redis)) {
            if (role.equals("main")) {
                final byte[] value = new byte[valueSize];
                Arrays.fill(value, (byte) 'v');
                final long t0 = System.nanoTime();
                for (long i = 0; i < n; i++) {
                    ByteBuffer.wrap(value).putLong(0, i);
                    store.put(i, value);
                    if ((i + 1) % LmdbStore.BATCH == 0) {
                        store.flush();
                    }
                }
                store.flush();
                final double putSeconds = (System.nanoTime() - t0) / 1e9;
                final long fileBytes = store.fileBytes();
                warmUp(store, n, system.equals("redis") ? 2_000 : Math.max(samples, 300_000));
                final long[] lat = latencies(store, n, system.equals("redis") ? Math.min(samples / 20, 20_000) : samples);
                final double getsPerSecond = throughput(store, n, millis);
                System.out.println("SINGLE " + String.format(Locale.ROOT,
                        "{\"puts_per_s\":%.1f,\"file_bytes\":%d,\"p50_ns\":%d,\"p99_ns\":%d,\"gets_per_s\":%.1f}",
                        n / putSeconds, fileBytes, lat[lat.length / 2], lat[(int) (lat.length * 0.99)], getsPerSecond));
            } else {
                warmUp(store, n, Math.max(samples, 300_000));
            }
            System.out.println("READY");
            System.out.flush();
            for (String line; (line = stdin.readLine()) != null; ) {
                if (line.equals("go")) {
                    System.out.println("MULTI " + String.format(Locale.ROOT, "{\"gets_per_s\":%.1f}",
                            throughput(store, n, millis)));
                    System.out.flush();
                } else if (line.equals("end")) {
                    break;
                }
            }
        }
    }

    static Store open(final String system, final Path path, final boolean create, final long n, final int valueSize,
            final String redis) throws IOException {
        return switch (system) {
            case "bingfa" -> new BingfaStore(path, create, n, valueSize);
            case "chronicle" -> new ChronicleStore(path, n, valueSize);
            case "lmdb" -> new LmdbStore(path, n, valueSize);
            case "caffeine" -> new CaffeineStore(n);
            case "redis" -> new RedisStore(redis);
            case "floor2" -> new FloorStore(path, true, n, valueSize);
            case "floor1" -> new FloorStore(path, false, n, valueSize);
            default -> throw new IllegalArgumentException("system must be bingfa, chronicle, lmdb, caffeine, redis, floor2"
                    + " or floor1, was "
                    + system);
        };
    }

    private static void warmUp(final Store store, final long n, final int gets) {
        final SplittableRandom rnd = new SplittableRandom(7);
        long sum = 0;
        for (int i = 0; i < gets; i++) {
            sum += store.get(rnd.nextLong(n));
        }
        if (sum == 42) {
            System.out.println("(keeps the loop)");
        }
    }

    /** Each get timed on its own (System.nanoTime around it, about 20 ns of the number), sorted. */
    private static long[] latencies(final Store store, final long n, final int samples) {
        final SplittableRandom rnd = new SplittableRandom(11);
        final long[] lat = new long[samples];
        for (int i = 0; i < samples; i++) {
            final long k = rnd.nextLong(n);
            final long t0 = System.nanoTime();
            final int len = store.get(k);
            lat[i] = System.nanoTime() - t0;
            if (len < 0) {
                throw new IllegalStateException("key " + k + " is missing");
            }
        }
        Arrays.sort(lat);
        return lat;
    }

    private static double throughput(final Store store, final long n, final long millis) {
        final SplittableRandom rnd = new SplittableRandom(System.nanoTime());
        final long t0 = System.nanoTime();
        final long end = t0 + millis * 1_000_000;
        long ops = 0;
        long now;
        do {
            for (int i = 0; i < 1024; i++) {
                store.get(rnd.nextLong(n));
            }
            ops += 1024;
        } while ((now = System.nanoTime()) < end);
        return ops / ((now - t0) / 1e9);
    }

    // ------------------------------------------------------------------ readers during a reload

    private static final long WINDOW_NANOS = 10_000_000;
    private static final int LINEAR = 256;
    private static final int BUCKETS = LINEAR + 40;

    private static int bucket(final long ns) {
        return ns < LINEAR * 8 ? (int) (ns >> 3) : Math.min(BUCKETS - 1, LINEAR + (63 - Long.numberOfLeadingZeros(ns)) - 11);
    }

    private static long upperBound(final int bucket) {
        return bucket < LINEAR ? (bucket + 1L) * 8 : 1L << (bucket - LINEAR + 12);
    }

    private static void reloadReader(final Path path, final long n, final BufferedReader stdin) throws IOException {
        final int maxWindows = 12_000; // two minutes
        final long[][] windows = new long[maxWindows][];
        final String[] window = new String[1];
        final Thread control = Thread.ofPlatform().daemon().start(() -> {
            try {
                window[0] = stdin.readLine();
            } catch (final IOException e) {
                window[0] = "";
            }
        });
        try (ReloadableMap m = ReloadableMap.open(path)) {
            final byte[] key = new byte[8];
            final SplittableRandom rnd = new SplittableRandom(3);
            for (int i = 0; i < 2_000_000; i++) {
                ByteBuffer.wrap(key).putLong(0, rnd.nextLong(n));
                m.get(key);
            }
            System.out.println("READY");
            System.out.flush();
            final long origin = System.nanoTime();
            long misses = 0;
            while (control.isAlive()) {
                for (int i = 0; i < 256; i++) {
                    ByteBuffer.wrap(key).putLong(0, rnd.nextLong(n));
                    final long t0 = System.nanoTime();
                    final byte[] v = m.get(key);
                    final long t1 = System.nanoTime();
                    if (v == null) {
                        misses++;
                    }
                    final int w = (int) Math.min(maxWindows - 1, (t0 - origin) / WINDOW_NANOS);
                    long[] h = windows[w];
                    if (h == null) {
                        h = windows[w] = new long[BUCKETS];
                    }
                    h[bucket(t1 - t0)]++;
                }
            }
            final String[] f = window[0].split(" ");
            final long start = Long.parseLong(f[1]);
            final long end = Long.parseLong(f[2]);
            final long[] inside = new long[BUCKETS];
            final long[] outside = new long[BUCKETS];
            for (int w = 0; w < maxWindows; w++) {
                if (windows[w] == null) {
                    continue;
                }
                final long ws = origin + w * WINDOW_NANOS;
                final long[] target = ws + WINDOW_NANOS > start && ws < end ? inside : outside;
                for (int b = 0; b < BUCKETS; b++) {
                    target[b] += windows[w][b];
                }
            }
            System.out.println("RELOAD " + String.format(Locale.ROOT,
                    "{\"inside_p50_ns\":%d,\"inside_p99_ns\":%d,\"outside_p50_ns\":%d,\"outside_p99_ns\":%d,"
                            + "\"inside_gets\":%d,\"outside_gets\":%d,\"misses\":%d}",
                    percentile(inside, 0.5), percentile(inside, 0.99), percentile(outside, 0.5),
                    percentile(outside, 0.99), Arrays.stream(inside).sum(), Arrays.stream(outside).sum(), misses));
            System.out.flush();
        }
    }

    private static long percentile(final long[] histogram, final double q) {
        final long total = Arrays.stream(histogram).sum();
        long seen = 0;
        for (int b = 0; b < histogram.length; b++) {
            seen += histogram[b];
            if (seen >= Math.ceil(total * q) && total > 0) {
                return upperBound(b);
            }
        }
        return -1;
    }
}
