package io.bingfa.cache;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

/**
 * The program the multi-process tests run in child JVMs. Commands:
 * <ul>
 *   <li>{@code writer FILE ID OPS}: {@link #writerOps} puts and removes on keys {@code w<ID>-<n>} (its own
 *       keys, so the parent can replay the model), reading everyone's keys in between and counting torn
 *       values; prints {@code DONE torn=<t> reads=<r>}.</li>
 *   <li>{@code hammer FILE THREADS}: writes forever (for kill -9); prints {@code READY} once writing.</li>
 *   <li>{@code growreader FILE COUNT}: prints {@code READY}, waits for key {@code done}, then checks
 *       {@code g-0 .. g-COUNT-1}; prints {@code OK <n>} or {@code BAD <key>}.</li>
 * </ul>
 */
public final class MapChild {

    static final int WRITER_KEYS = 2000;

    private MapChild() {}

    public static void main(final String[] args) throws Exception {
        final Path file = Path.of(args[1]);
        switch (args[0]) {
            case "writer" -> writer(file, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "hammer" -> hammer(file, Integer.parseInt(args[2]));
            case "growreader" -> growReader(file, Integer.parseInt(args[2]));
            case "warmup" -> warmUp(file);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    static byte[] key(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The operations of writer {@code id}: the parent calls it too, to replay the model. */
    static void writerOps(final int id, final int ops, final WriterSink sink) {
        final Random random = new Random(1000 + id);
        for (int op = 0; op < ops; op++) {
            final byte[] k = key("w" + id + "-" + random.nextInt(WRITER_KEYS));
            if (random.nextInt(4) == 0) {
                sink.remove(k);
            } else {
                sink.put(k, CheckedValues.make(k, random, 300));
            }
        }
    }

    interface WriterSink {
        void put(byte[] key, byte[] value);

        void remove(byte[] key);
    }

    private static void writer(final Path file, final int id, final int ops) {
        try (SharedMap map = SharedMap.open(file)) {
            final Random reads = new Random(id);
            final ByteBuffer buffer = ByteBuffer.allocate(400);
            final long[] torn = {0};
            final long[] count = {0};
            writerOps(id, ops, new WriterSink() {
                @Override
                public void put(final byte[] key, final byte[] value) {
                    map.put(key, value);
                    readSome();
                }

                @Override
                public void remove(final byte[] key) {
                    map.remove(key);
                    readSome();
                }

                private void readSome() {
                    for (int i = 0; i < 2; i++) {
                        final byte[] k = key("w" + reads.nextInt(4) + "-" + reads.nextInt(WRITER_KEYS));
                        buffer.clear();
                        final int n = map.get(k, buffer);
                        count[0]++;
                        if (n >= 0 && !CheckedValues.isIntact(k, java.util.Arrays.copyOf(buffer.array(), n))) {
                            torn[0]++;
                        }
                    }
                }
            });
            System.out.println("DONE torn=" + torn[0] + " reads=" + count[0]);
        }
    }

    private static void hammer(final Path file, final int threads) throws InterruptedException {
        final SharedMap map = SharedMap.open(file);
        for (int t = 0; t < threads; t++) {
            final int seed = t;
            Thread.ofPlatform().daemon().start(() -> {
                final Random random = new Random(System.nanoTime() + seed);
                for (long n = 0;; n++) {
                    final byte[] k = key("h-" + random.nextInt(3000));
                    if (random.nextInt(5) == 0) {
                        map.remove(k);
                    } else {
                        map.put(k, CheckedValues.make(k, random, 600));
                    }
                    if (n == 200 && seed == 0) {
                        System.out.println("READY");
                    }
                }
            });
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Opens the map, writes and reads a little, exits normally (so the JVM writes its class-data archive). */
    private static void warmUp(final Path file) {
        try (SharedMap map = SharedMap.open(file)) {
            final Random random = new Random();
            for (int i = 0; i < 100; i++) {
                final byte[] k = key("warm-" + i);
                map.put(k, CheckedValues.make(k, random, 100));
                map.get(k);
                map.remove(k);
            }
        }
        System.out.println("WARM");
    }

    private static void growReader(final Path file, final int count) throws InterruptedException {
        try (SharedMap map = SharedMap.open(file)) {
            System.out.println("READY regions=" + map.stats().regions());
            while (!map.containsKey(key("done"))) {
                Thread.sleep(5);
            }
            for (int i = 0; i < count; i++) {
                final byte[] v = map.get(key("g-" + i));
                if (v == null || !new String(v, StandardCharsets.UTF_8).equals("value-" + i)) {
                    System.out.println("BAD g-" + i);
                    return;
                }
            }
            System.out.println("OK " + count + " regions=" + map.stats().regions());
        }
    }
}
