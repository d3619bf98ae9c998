package io.bingfa.cli.bench.pool;

import io.bingfa.process.ProcessPool;
import io.bingfa.process.TaskCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What JVM options buy a worker's cold start: a pool of 2 built, its first result received, per variant
 * (medians of {@code REPS} pools). Run on the CLI's shaded jar, a class path of one jar, as an application
 * would have it (class-data sharing and AOT caches need jars, not directories):
 * <pre>
 *   java --sun-misc-unsafe-memory-access=allow -cp bingfa-cli/target/bingfa.jar \
 *        io.bingfa.cli.bench.pool.StartupMeasure [reps]
 * </pre>
 * The numbers are committed in {@code docs/bench/process-startup.txt}.
 */
public final class StartupMeasure {

    private StartupMeasure() {}

    record Variant(String name, TaskCodec codec, List<String> jvmArgs) {}

    public static void main(final String[] args) throws Exception {
        final int reps = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        final Path aot = Files.createTempDirectory("bingfa-aot").resolve("worker.aot");
        // Training run for the AOT cache (JDK 25, JEP 514/515): one worker runs tasks, exits, writes the cache.
        try (ProcessPool train = ProcessPool.builder().workers(1).codec(TaskCodec.fory())
                .jvmArgs("-XX:AOTCacheOutput=" + aot, "-Xlog:aot=off", "-Xlog:cds=off").build()) {
            for (int i = 0; i < 200; i++) {
                final int x = i;
                train.submit(() -> x * 2).result();
            }
            train.map((Integer x) -> x + 1, List.of(1, 2, 3), 2, null).toList();
        }
        System.out.printf(Locale.ROOT, "AOT cache %s: %s%n", aot, Files.exists(aot) ? Files.size(aot) / 1024 / 1024 + " MiB" : "missing");
        final String aotCache = "-XX:AOTCache=" + aot;
        final List<Variant> variants = List.of(
                new Variant("defaults (Serial GC, CDS on), JDK codec for first tasks", TaskCodec.fory(), List.of()),
                new Variant("codec JDK only", TaskCodec.jdk(), List.of()),
                new Variant("-Xshare:off (no CDS)", TaskCodec.fory(), List.of("-Xshare:off")),
                new Variant("-XX:+UseG1GC instead of Serial", TaskCodec.fory(), List.of("-XX:+UseG1GC")),
                new Variant("-XX:TieredStopAtLevel=1", TaskCodec.fory(), List.of("-XX:TieredStopAtLevel=1")),
                new Variant("AOT cache", TaskCodec.fory(), List.of(aotCache, "-Xlog:aot=off", "-Xlog:cds=off")),
                new Variant("AOT cache + TieredStopAtLevel=1", TaskCodec.fory(),
                        List.of(aotCache, "-Xlog:aot=off", "-Xlog:cds=off", "-XX:TieredStopAtLevel=1")),
                new Variant("AOT cache, codec JDK only", TaskCodec.jdk(), List.of(aotCache, "-Xlog:aot=off", "-Xlog:cds=off")));
        // One untimed pool first: this JVM's own class loading is not the worker's start-up.
        coldStart(variants.getFirst());
        System.out.printf(Locale.ROOT, "%-60s %12s %12s %12s%n", "variant (pool of 2, build -> first result)", "median ms", "min ms", "then 1000 RTT us");
        for (Variant v : variants) {
            final double[] ms = new double[reps];
            double rtt = 0;
            for (int i = 0; i < reps; i++) {
                final double[] r = coldStart(v);
                ms[i] = r[0];
                rtt = r[1];
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "%-60s %12.0f %12.0f %12.1f%n", v.name(), ms[reps / 2], ms[0], rtt);
        }
    }

    /** {ms to the first result, mean µs of the next 1,000 sequential round trips}. */
    private static double[] coldStart(final Variant v) {
        final long t0 = System.nanoTime();
        try (ProcessPool pool = ProcessPool.builder().workers(2).codec(v.codec()).jvmArgs(new ArrayList<>(v.jvmArgs())).build()) {
            pool.submit(() -> 1).result(Duration.ofSeconds(60));
            final double ms = (System.nanoTime() - t0) / 1e6;
            final long t1 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                pool.submit(() -> 1).result();
            }
            return new double[] {ms, (System.nanoTime() - t1) / 1e3 / 1000};
        }
    }
}
