package io.bingfa.cache;

import static io.bingfa.cache.ReloadFixtures.key;
import static io.bingfa.cache.ReloadFixtures.tagOf;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** The other process of {@link ReloadProcessesTest}: a reader or a reloader of a ReloadableMap. */
public final class ReloadChild {

    private ReloadChild() {}

    public static void main(final String[] args) throws Exception {
        final Path file = Path.of(args[1]);
        switch (args[0]) {
            case "read" -> read(file, Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "reload-hang" -> reloadHang(file);
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    /** Snapshot reads of 8 keys and plain gets for {@code millis}; prints what it saw. */
    private static void read(final Path file, final int rows, final long millis) {
        try (ReloadableMap m = ReloadableMap.open(file)) {
            System.out.println("READY");
            final ThreadLocalRandom rnd = ThreadLocalRandom.current();
            final Set<Long> generations = new HashSet<>();
            long snapshots = 0;
            long mixed = 0;
            long backwards = 0;
            long last = 0;
            final long end = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < end) {
                try (ReloadableMap.Snapshot s = m.snapshot()) {
                    final long first = tagOf(s.get(key(rnd.nextInt(rows))));
                    for (int i = 0; i < 8; i++) {
                        if (tagOf(s.get(key(rnd.nextInt(rows)))) != first) {
                            mixed++;
                        }
                    }
                    generations.add(first);
                    snapshots++;
                }
                for (int i = 0; i < 20; i++) {
                    final long tag = tagOf(m.get(key(rnd.nextInt(rows))));
                    if (tag < last) {
                        backwards++;
                    }
                    last = tag;
                }
            }
            System.out.println("RESULT snapshots=" + snapshots + " mixed=" + mixed + " backwards=" + backwards
                    + " generations=" + generations.size() + " interrupted=" + Thread.currentThread().isInterrupted());
        }
    }

    /** Starts a reload whose source never finishes, after 1,000 rows; the test kills this JVM there. */
    private static void reloadHang(final Path file) {
        try (ReloadableMap m = ReloadableMap.open(file)) {
            Reloader.builder(m).source(sink -> {
                for (int i = 0; i < 1_000; i++) {
                    sink.put(key(i), ReloadFixtures.value(77, i));
                }
                System.out.println("BUILDING " + m.control().building());
                Thread.sleep(Long.MAX_VALUE);
            }).build().reloadNow();
        }
    }
}
