package io.bingfa.cli.bench.coro;

import io.bingfa.coro.Coro;
import io.bingfa.future.TaskFuture;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The child JVM of the {@code coro} suite's sleepers experiment, so that its peak RSS is its own: spawns
 * N coroutines that each {@code Coro.sleep} for the given time, joins them with {@code Coro.joinAll},
 * and prints one JSON line {@code {"seconds": wall, "peak_rss_kib": VmHWM, "gc_seconds": collector time}}
 * (VmHWM from {@code /proc/self/status}, -1 where there is none). Parked virtual threads are heap objects
 * (their stacks are stack chunks that every collection must visit), so the collector's share of the wall
 * time is printed too.
 *
 * <p>Usage: {@code java -cp CP io.bingfa.cli.bench.coro.SleepersChild TASKS SLEEP_MILLIS}
 */
public final class SleepersChild {

    private SleepersChild() {}

    public static void main(final String[] args) {
        if (args.length != 2) {
            System.err.println("usage: SleepersChild TASKS SLEEP_MILLIS");
            System.exit(2);
        }
        final int tasks = Integer.parseInt(args[0]);
        final Duration sleep = Duration.ofMillis(Long.parseLong(args[1]));
        // One coroutine before the clock starts loads the classes, as Python's "import gevent" does.
        Coro.joinAll(List.of(Coro.spawn(() -> Coro.sleep(Duration.ZERO))), Duration.ofMinutes(1));
        final long start = System.nanoTime();
        final List<TaskFuture<Void>> futures = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            futures.add(Coro.spawn(() -> Coro.sleep(sleep)));
        }
        if (!Coro.joinAll(futures, sleep.plusMinutes(5))) {
            System.err.println(tasks + " coroutines did not finish within " + sleep.plusMinutes(5));
            System.exit(1);
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        for (final TaskFuture<Void> f : futures) {
            f.result();
        }
        System.out.println(String.format(Locale.ROOT, "{\"seconds\": %.6f, \"peak_rss_kib\": %d, \"gc_seconds\": %.3f}",
                seconds, peakRssKib(), gcSeconds()));
    }

    /** Time the collectors report having spent (pauses, and for some collectors concurrent work), in seconds. */
    static double gcSeconds() {
        long millis = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            millis += Math.max(0, gc.getCollectionTime());
        }
        return millis / 1e3;
    }

    /** VmHWM of this process in KiB, or -1 where {@code /proc/self/status} has none. */
    static long peakRssKib() {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
