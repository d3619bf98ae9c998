package io.bingfa.cli.bench.coro;

import com.fasterxml.jackson.databind.JsonNode;
import io.bingfa.cli.bench.AnchorResult;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Measure;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.cli.bench.models.Switching;
import io.bingfa.pool.Pool;
import io.bingfa.pool.Pools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static io.bingfa.cli.bench.models.ModelsSuite.count;
import static io.bingfa.cli.bench.models.ModelsSuite.duration;

/**
 * {@code bingfa bench coro}: the coroutine goals, beside gevent and asyncio run live.
 *
 * <ol>
 *   <li>Sleepers: N coroutines that each sleep 1 s, spawned with {@code Coro.spawn} and joined with
 *       {@code Coro.joinAll}, in a child JVM ({@link SleepersChild}) whose peak RSS is read from VmHWM.
 *       1,000,000 of them against the goal (at most 3 s and 1.5 GiB; no anchor), and 100,000 of them beside
 *       gevent and asyncio doing the same with 100,000: ratios only between equal counts.
 *   <li>Hand-off: items per second from one coroutine to another through {@code Channel.rendezvous()},
 *       beside two greenlets on a {@code gevent.queue.Channel} (goal: 3x) and raw {@code greenlet.switch}.
 *   <li>Pools: no-op submit-&gt;result per second, sequential and in batches of 10,000, for
 *       {@code Pools.threads(4)} and {@code Pools.virtual()} beside {@code ThreadPoolExecutor(4)} (goal: 10x).
 * </ol>
 */
public final class CoroSuite implements Suite {

    private static final Duration ANCHOR_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(5);
    private static final double KIB_PER_MIB = 1024;

    @Override
    public String name() {
        return "coro";
    }

    @Override
    public String summary() {
        return "a million coroutines, channel hand-offs, pool round trips";
    }

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final CoroScale s = CoroScale.of(run.scale());
        final List<BenchRow> rows = new ArrayList<>();
        sleepers(run, s, rows);
        handOff(run, s, rows);
        pools(run, s, rows);
        return rows;
    }

    private static void sleepers(final SuiteRun run, final CoroScale s, final List<BenchRow> rows) {
        final String sleep = duration(s.sleep());
        final String millis = String.valueOf(s.sleep().toMillis());
        final String big = count(s.bigSleepers()) + " coroutines x sleep " + sleep + " (child JVM)";
        run.say(big);
        final JsonNode jvmBig = ChildJvm.run(SleepersChild.class, CHILD_TIMEOUT, String.valueOf(s.bigSleepers()), millis);
        rows.add(BenchRow.of(big + ": wall", jvmBig.get("seconds").asDouble(), "s", Better.LOWER)
                .withNote("goal: <= 3 s for 1,000,000; no anchor at this count; " + gc(jvmBig)));
        rows.add(rss(big, jvmBig).withNote("goal: <= 1.5 GiB (1,536 MiB) for 1,000,000; no anchor at this count"));

        final String small = count(s.sleepers()) + " coroutines x sleep " + sleep + " (child JVM)";
        run.say(small);
        final JsonNode jvm = ChildJvm.run(SleepersChild.class, CHILD_TIMEOUT, String.valueOf(s.sleepers()), millis);
        final String py = String.format(java.util.Locale.ROOT, "%.3f", s.sleep().toNanos() / 1e9);
        run.say(count(s.sleepers()) + " greenlets, then asyncio tasks");
        final AnchorResult gevent = run.python().run("sleepers.py", "gevent", ANCHOR_TIMEOUT, "gevent",
                String.valueOf(s.sleepers()), py);
        final AnchorResult asyncio = run.python().run("sleepers.py", "asyncio", ANCHOR_TIMEOUT, "asyncio",
                String.valueOf(s.sleepers()), py);
        final BenchRow wall = BenchRow.of(small + ": wall", jvm.get("seconds").asDouble(), "s", Better.LOWER)
                .withNote(gc(jvm));
        final BenchRow rss = rss(small, jvm);
        rows.add(SuiteRun.anchored(wall, gevent, "gevent: " + count(s.sleepers()) + " x spawn(gevent.sleep), joinall", "seconds"));
        rows.add(SuiteRun.anchored(wall, asyncio, "asyncio: gather of " + count(s.sleepers()) + " x asyncio.sleep", "seconds"));
        rows.add(rssAnchored(rss, gevent, "gevent: " + count(s.sleepers()) + " greenlets (VmHWM)"));
        rows.add(rssAnchored(rss, asyncio, "asyncio: " + count(s.sleepers()) + " tasks (VmHWM)"));
    }

    private static String gc(final JsonNode child) {
        return String.format(java.util.Locale.ROOT, "of which the collectors reported %.2f s (default G1 heap)",
                child.get("gc_seconds").asDouble());
    }

    private static BenchRow rss(final String what, final JsonNode child) {
        final long kib = child.get("peak_rss_kib").asLong();
        if (kib < 0) {
            return BenchRow.missing(what + ": peak RSS", "MiB", Better.LOWER, "no /proc/self/status on this OS");
        }
        return BenchRow.of(what + ": peak RSS", kib / KIB_PER_MIB, "MiB", Better.LOWER);
    }

    private static BenchRow rssAnchored(final BenchRow row, final AnchorResult py, final String anchor) {
        return switch (py) {
            case AnchorResult.Measured m -> row.withAnchor(anchor, m.number("peak_rss_kib") / KIB_PER_MIB);
            case AnchorResult.Skipped sk -> row.withAnchorSkipped(sk.reason());
        };
    }

    private static void handOff(final SuiteRun run, final CoroScale s, final List<BenchRow> rows) {
        final int n = s.handOffs();
        run.say("hand-off of " + count(n) + " items between two coroutines, JVM");
        final Switching.Run jvm = Switching.median(s.reps(), () -> Switching.channelHandOff(n));
        run.say("hand-off, gevent");
        final AnchorResult channel = run.python().run("handoff.py", "gevent", ANCHOR_TIMEOUT, "channel", String.valueOf(n));
        final AnchorResult switches = run.python().run("handoff.py", "greenlet", ANCHOR_TIMEOUT, "switch", String.valueOf(n));
        final BenchRow row = BenchRow.of("hand-off through Channel.rendezvous() between two coroutines, " + count(n) + " items",
                n / jvm.seconds(), "items/s", Better.HIGHER);
        rows.add(SuiteRun.anchored(row, channel, "gevent.queue.Channel between two greenlets", "per_second")
                .withNote("goal: >= 3x gevent"));
        rows.add(SuiteRun.anchored(row, switches, "raw greenlet.switch ping-pong", "per_second"));
    }

    private static void pools(final SuiteRun run, final CoroScale s, final List<BenchRow> rows) {
        run.say("no-op submit->result, JVM");
        final double[] threads = poolRates(() -> Pools.threads(4), s);
        final double[] virtual = poolRates(Pools::virtual, s);
        run.say("no-op submit->result, ThreadPoolExecutor(4)");
        final AnchorResult py = run.python().run("pool_roundtrip.py", "sys", ANCHOR_TIMEOUT,
                String.valueOf(s.roundTrips()), String.valueOf(s.batch()), String.valueOf(s.batchRounds()));
        final String seq = "no-op submit->result, sequential round trips: ";
        final String batch = "no-op submit->result, batches of " + count(s.batch()) + ": ";
        final String goal = "goal: >= 10x ThreadPoolExecutor(4)";
        rows.add(SuiteRun.anchored(BenchRow.of(seq + "Pools.threads(4)", threads[0], "tasks/s", Better.HIGHER),
                py, "ThreadPoolExecutor(4)", "sequential_per_s").withNote(goal));
        rows.add(SuiteRun.anchored(BenchRow.of(seq + "Pools.virtual()", virtual[0], "tasks/s", Better.HIGHER),
                py, "ThreadPoolExecutor(4)", "sequential_per_s").withNote(goal));
        rows.add(SuiteRun.anchored(BenchRow.of(batch + "Pools.threads(4)", threads[1], "tasks/s", Better.HIGHER),
                py, "ThreadPoolExecutor(4)", "batch_per_s").withNote(goal));
        rows.add(SuiteRun.anchored(BenchRow.of(batch + "Pools.virtual()", virtual[1], "tasks/s", Better.HIGHER),
                py, "ThreadPoolExecutor(4)", "batch_per_s").withNote(goal));
    }

    /** {sequential, batch} tasks per second for one pool: medians of {@code reps} after a warm-up of each. */
    private static double[] poolRates(final Supplier<Pool> pools, final CoroScale s) {
        try (Pool pool = pools.get()) {
            PoolThroughput.sequential(pool, s.roundTrips());
            PoolThroughput.batch(pool, s.batch(), 1);
            final double[] seq = new double[s.reps()];
            final double[] bat = new double[s.reps()];
            for (int i = 0; i < s.reps(); i++) {
                seq[i] = PoolThroughput.sequential(pool, s.roundTrips());
                bat[i] = PoolThroughput.batch(pool, s.batch(), s.batchRounds());
            }
            return new double[] {Measure.median(seq), Measure.median(bat)};
        }
    }
}
