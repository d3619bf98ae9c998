package io.bingfa.cli.bench.echo;

import io.bingfa.cli.Main;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Measure;
import io.bingfa.cli.bench.PythonAnchors;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.net.ServerModel;
import io.bingfa.net.load.EchoLoad;
import io.bingfa.net.load.IdleConnections;
import io.bingfa.net.load.LoadReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import static io.bingfa.cli.bench.models.ModelsSuite.count;

/**
 * {@code bingfa bench echo}: seed 001's upper-casing echo server in Bingfa's three models beside four Python
 * servers run live, all driven by the same load generator ({@link EchoLoad}, closed-loop clients on virtual
 * threads in this JVM) on the same machine in the same invocation.
 *
 * <h2>The servers</h2>
 * Every server is a child process, so that its RSS is its own: {@code bingfa echo --model M --port 0} in a
 * child JVM (same java, same class path, default heap) for Bingfa's thread, virtual and loop models, and
 * {@code anchors/echo_servers.py STYLE 0} for gevent's {@code StreamServer}, asyncio's echo
 * {@code Protocol}, Tornado's {@code TCPServer} and the seed's threaded server. All of them read at most
 * 1,024 bytes at a time, reply with the bytes upper-cased (checked by the generator on every reply) and
 * listen with a backlog of 1,024.
 *
 * <h2>Order</h2>
 * All seven servers are started at once (in parallel: JVM start-up is slow on a busy machine) and measured
 * one at a time while the others sit idle: first the memory per connection on the fresh processes, then
 * throughput and latency.
 *
 * <h2>Throughput and latency</h2>
 * For each message size and connection count, each server gets a warm-up and then a measured window;
 * the repetitions go round all servers before the next one starts (so that a slow minute of the shared
 * machine hurts everyone alike), and the median of the repetitions is reported. Rows: each Bingfa model's
 * messages per second beside gevent (goal for the virtual model: at least 3x), the best Bingfa model beside
 * asyncio, Tornado and the seed's threaded server, the best blocking model (thread or virtual) beside
 * Bingfa's own loop (goal: within 1.5x, a ratio of at least 0.67), each model's p99 beside gevent's, and
 * each model's server CPU time per message beside gevent's (user + system time of the server process over
 * the whole run, from {@code /proc/PID/stat}, divided by every round trip of the run): on a machine shared
 * with other work, rates mostly measure how long each hand-off waits for a core, while CPU per message
 * measures the server's own work.
 *
 * <h2>Memory per connection</h2>
 * Each fresh server gets a warm-up (1,000 connections opened, served and closed), then its VmRSS
 * is read, N connections are opened (each proven served by one round trip) and held idle, and VmRSS is read
 * again one second later: (after - before) / N. Goal: each Bingfa model at most gevent's. Holding 10,000
 * connections takes 10,000 descriptors in this JVM and 10,000 in the server: {@code ulimit -n} must allow
 * it (a failure is reported in the row's note).
 */
public final class EchoSuite implements Suite {

    private static final String SCRIPT = "echo_servers.py";
    private static final int SERVER_MAX_CONNECTIONS = 20_000;
    private static final int MEMORY_WARMUP_CONNECTIONS = 1_000;

    /** One server of the bench. {@code module} is the Python module it needs, null for Bingfa's. */
    record Contender(String key, String label, String module, ServerModel model) {
        boolean python() {
            return model == null;
        }
    }

    static final Contender GEVENT = new Contender("gevent", "gevent StreamServer", "gevent", null);
    static final Contender ASYNCIO = new Contender("asyncio", "asyncio echo Protocol", "asyncio", null);
    static final Contender TORNADO = new Contender("tornado", "Tornado TCPServer", "tornado", null);
    static final Contender THREADED_PY = new Contender("threaded", "the seed's threaded Python server", "sys", null);
    static final Contender THREAD = new Contender("thread", "Bingfa thread", null, ServerModel.THREAD);
    static final Contender VIRTUAL = new Contender("virtual", "Bingfa virtual", null, ServerModel.VIRTUAL);
    static final Contender LOOP = new Contender("loop", "Bingfa loop", null, ServerModel.LOOP);
    static final List<Contender> ALL = List.of(GEVENT, ASYNCIO, TORNADO, THREADED_PY, THREAD, VIRTUAL, LOOP);
    static final List<Contender> BINGFA = List.of(THREAD, VIRTUAL, LOOP);

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public String summary() {
        return "echo servers: thread, virtual, loop vs gevent, asyncio, Tornado";
    }

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final EchoScale s = EchoScale.of(run.scale());
        final List<BenchRow> rows = new ArrayList<>();
        final Map<Contender, Started> servers = startAll(run);
        try {
            final List<BenchRow> memory = new ArrayList<>();
            memory(run, s, servers, memory);
            throughput(run, s, servers, rows);
            rows.addAll(memory);
        } finally {
            servers.values().stream().map(Started::server).filter(x -> x != null).forEach(ServerUnderTest::close);
        }
        return rows;
    }

    /** Every contender's server, started in parallel. */
    private static Map<Contender, Started> startAll(final SuiteRun run) {
        run.say("starting " + ALL.size() + " servers: " + String.join(", ", ALL.stream().map(Contender::label).toList()));
        final Map<Contender, java.util.concurrent.CompletableFuture<Started>> futures = new LinkedHashMap<>();
        for (final Contender c : ALL) {
            final java.util.concurrent.CompletableFuture<Started> f = new java.util.concurrent.CompletableFuture<>();
            Thread.ofVirtual().name("bingfa-echo-start-" + c.key()).start(() -> {
                try {
                    f.complete(start(run, c));
                } catch (RuntimeException e) {
                    f.complete(new Started(null, e.toString()));
                }
            });
            futures.put(c, f);
        }
        final Map<Contender, Started> out = new LinkedHashMap<>();
        futures.forEach((c, f) -> out.put(c, f.join()));
        out.forEach((c, st) -> run.say("  " + c.label() + ": " + (st.server() != null ? "pid " + st.server().pid() + " on "
                + st.server().address() : st.failure())));
        return out;
    }

    // ---- starting servers

    /** The server of {@code c}, or why it cannot run here. */
    private static Started start(final SuiteRun run, final Contender c) {
        final List<String> command;
        if (c.python()) {
            final Optional<Path> python = run.python().interpreterFor(c.module());
            if (python.isEmpty()) {
                return new Started(null, PythonAnchors.missingReason(c.module()));
            }
            command = List.of(python.get().toString(), run.python().script(SCRIPT).toString(), c.key(), "0");
        } else {
            command = List.of(javaBinary(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "echo",
                    "--model", c.model().word(), "--port", "0", "--max-connections", String.valueOf(SERVER_MAX_CONNECTIONS));
        }
        try {
            return new Started(ServerUnderTest.start(c.label(), command), null);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            return new Started(null, e.getMessage());
        }
    }

    /** A started server, or the reason it did not start. */
    private record Started(ServerUnderTest server, String failure) {}

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    // ---- throughput and latency

    /** A load run's key: message size and connections. */
    private record Shape(int size, int connections) {
        String label() {
            return "echo " + count(size) + " B x " + count(connections) + " connections";
        }
    }

    /** What one server gave for one shape over the repetitions, or why it gave nothing. */
    private record Outcome(List<Run> runs, String failure) {
        boolean empty() {
            return runs.isEmpty();
        }

        double median(final ToDoubleFunction<LoadReport> f) {
            return Measure.median(runs.stream().map(Run::report).mapToDouble(f).toArray());
        }

        /** The median server CPU per message in microseconds, or -1 if it could not be read. */
        double cpuMicros() {
            final double m = Measure.median(runs.stream().mapToDouble(Run::cpuMicros).toArray());
            return m < 0 ? -1 : m;
        }

        /** The median CPU per message of server and load generator together (microseconds), or -1. */
        double totalCpuMicros() {
            final double m = Measure.median(runs.stream()
                    .mapToDouble(r -> r.cpuMicros() < 0 || r.loadCpuMicros() < 0 ? -1 : r.cpuMicros() + r.loadCpuMicros())
                    .toArray());
            return m < 0 ? -1 : m;
        }

        int errors() {
            return runs.stream().map(Run::report).mapToInt(LoadReport::errors).sum();
        }
    }

    /**
     * One load run, the server CPU it cost per round trip and the load generator's (this JVM's) CPU per round
     * trip (microseconds; negative if unknown).
     */
    private record Run(LoadReport report, double cpuMicros, double loadCpuMicros) {}

    /** CPU microseconds per message between two CPU-time readings (ns), or -1 if either is unknown. */
    private static double microsPerMessage(final long beforeNanos, final long afterNanos, final long messages) {
        return beforeNanos < 0 || afterNanos < 0 || messages == 0 ? -1 : (afterNanos - beforeNanos) / 1e3 / messages;
    }

    /** This JVM's CPU time in nanoseconds (the load generator runs here), or -1. */
    private static long ownCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof final com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    private static void throughput(final SuiteRun run, final EchoScale s, final Map<Contender, Started> servers,
                                   final List<BenchRow> rows) {
        final List<Shape> shapes = new ArrayList<>();
        for (final int size : s.sizes()) {
            for (final int conns : s.connections()) {
                shapes.add(new Shape(size, conns));
            }
        }
        final Map<Contender, Map<Shape, List<Run>>> runs = new LinkedHashMap<>();
        final Map<Contender, String> failures = new LinkedHashMap<>();
        for (final Contender c : ALL) {
            runs.put(c, new LinkedHashMap<>());
            if (servers.get(c).failure() != null) {
                failures.put(c, servers.get(c).failure());
            }
        }
        for (int rep = 0; rep < s.reps(); rep++) {
            for (final Shape shape : shapes) {
                for (final Contender c : ALL) {
                    final ServerUnderTest server = servers.get(c).server();
                    if (server == null || failures.containsKey(c)) {
                        continue;
                    }
                    run.say(shape.label() + ", " + c.label() + (s.reps() > 1 ? ", run " + (rep + 1) + " of " + s.reps() : ""));
                    final long cpuBefore = server.cpuNanos();
                    final long loadBefore = ownCpuNanos();
                    final LoadReport r = EchoLoad.to(server.address()).connections(shape.connections()).size(shape.size())
                            .warmup(s.warmup()).duration(s.duration()).run();
                    final long cpuAfter = server.cpuNanos();
                    final long loadAfter = ownCpuNanos();
                    if (!server.isAlive()) {
                        failures.put(c, c.label() + " died under load: " + server.stderrTail());
                        continue;
                    }
                    final double cpu = microsPerMessage(cpuBefore, cpuAfter, r.allMessages());
                    final double load = microsPerMessage(loadBefore, loadAfter, r.allMessages());
                    runs.get(c).computeIfAbsent(shape, k -> new ArrayList<>()).add(new Run(r, cpu, load));
                    run.say(String.format(Locale.ROOT, "  %s; CPU per message: server %.1f us, load generator %.1f us",
                            r.summary(), cpu, load));
                }
            }
        }
        for (final Shape shape : shapes) {
            final Map<Contender, Outcome> o = new LinkedHashMap<>();
            for (final Contender c : ALL) {
                o.put(c, new Outcome(runs.get(c).getOrDefault(shape, List.of()), failures.get(c)));
            }
            shapeRows(shape, o, rows);
        }
    }

    private static void shapeRows(final Shape shape, final Map<Contender, Outcome> o, final List<BenchRow> rows) {
        final String p = shape.label() + ": ";
        for (final Contender c : BINGFA) {
            final BenchRow row = rate(p + c.label() + " msgs/s", o.get(c));
            rows.add(anchor(row, o.get(GEVENT), GEVENT, LoadReport::perSecond,
                    c == VIRTUAL ? "goal: >= 3x gevent" : null));
        }
        final Contender best = best(o);
        if (best != null) {
            final BenchRow row = rate(p + "best of Bingfa (" + best.key() + ") msgs/s", o.get(best));
            for (final Contender py : List.of(ASYNCIO, TORNADO, THREADED_PY)) {
                rows.add(anchor(row, o.get(py), py, LoadReport::perSecond, null));
            }
            final Contender blocking = rateOf(o.get(THREAD)) >= rateOf(o.get(VIRTUAL)) ? THREAD : VIRTUAL;
            rows.add(anchor(rate(p + "best blocking model (" + blocking.key() + ") msgs/s", o.get(blocking)),
                    o.get(LOOP), LOOP, LoadReport::perSecond, "goal: within 1.5x of the event loop (ratio >= 0.67)"));
        }
        for (final Contender c : BINGFA) {
            final Outcome mine = o.get(c);
            final BenchRow row = mine.empty()
                    ? BenchRow.missing(p + c.label() + " p99", "ms", Better.LOWER, mine.failure())
                    : BenchRow.of(p + c.label() + " p99", mine.median(LoadReport::p99Micros) / 1e3, "ms", Better.LOWER);
            rows.add(anchor(row, o.get(GEVENT), GEVENT, r -> r.p99Micros() / 1e3, null));
        }
        final Outcome gevent = o.get(GEVENT);
        for (final Contender c : BINGFA) {
            final Outcome mine = o.get(c);
            final String name = p + c.label() + " server CPU per message";
            final BenchRow row = mine.empty() || mine.cpuMicros() < 0
                    ? BenchRow.missing(name, "us", Better.LOWER, mine.empty() ? mine.failure() : "no /proc/PID/stat")
                    : BenchRow.of(name, mine.cpuMicros(), "us", Better.LOWER);
            rows.add(gevent.empty() || gevent.cpuMicros() < 0
                    ? row.withAnchorSkipped(gevent.failure() != null ? gevent.failure() : "no CPU time for gevent")
                    : row.withAnchor(GEVENT.label(), gevent.cpuMicros()));
        }
        budgetRows(p, o, rows);
    }

    /**
     * What the 3x-gevent goal asks of the machine: at 3x gevent's rate, the cores have {@code cores / rate}
     * seconds of CPU per message for the server and the load generator together. A row per Bingfa model
     * compares what the two spent per message in this run with that budget; above it (ratio > 1), no server
     * of that model's cost reaches 3x gevent here while this load generator shares the cores.
     */
    private static void budgetRows(final String p, final Map<Contender, Outcome> o, final List<BenchRow> rows) {
        final Outcome gevent = o.get(GEVENT);
        final int cores = Runtime.getRuntime().availableProcessors();
        for (final Contender c : BINGFA) {
            final Outcome mine = o.get(c);
            final String name = p + c.label() + " server + load generator CPU per message";
            BenchRow row = mine.empty() || mine.totalCpuMicros() < 0
                    ? BenchRow.missing(name, "us", Better.LOWER, mine.empty() ? mine.failure() : "no CPU times")
                    : BenchRow.of(name, mine.totalCpuMicros(), "us", Better.LOWER);
            row = gevent.empty() ? row.withAnchorSkipped(gevent.failure() != null ? gevent.failure() : "gevent did not run")
                    : row.withAnchor("CPU budget per message at 3x gevent's rate on " + cores + " cores",
                            cores * 1e6 / (3 * gevent.median(LoadReport::perSecond)));
            rows.add(row.withNote("the 3x-gevent goal needs ratio <= 1 (the load generator shares the cores)"));
        }
    }

    private static double rateOf(final Outcome o) {
        return o.empty() ? -1 : o.median(LoadReport::perSecond);
    }

    private static Contender best(final Map<Contender, Outcome> o) {
        Contender best = null;
        for (final Contender c : BINGFA) {
            if (!o.get(c).empty() && (best == null || rateOf(o.get(c)) > rateOf(o.get(best)))) {
                best = c;
            }
        }
        return best;
    }

    private static BenchRow rate(final String name, final Outcome mine) {
        if (mine.empty()) {
            return BenchRow.missing(name, "msgs/s", Better.HIGHER, mine.failure());
        }
        final BenchRow row = BenchRow.of(name, mine.median(LoadReport::perSecond), "msgs/s", Better.HIGHER);
        return mine.errors() == 0 ? row : row.withNote(mine.errors() + " client errors");
    }

    private static BenchRow anchor(final BenchRow row, final Outcome anchor, final Contender who,
                                   final ToDoubleFunction<LoadReport> f, final String goal) {
        final BenchRow base = goal == null ? row : row.withNote(goal);
        if (anchor.empty()) {
            return base.withAnchorSkipped(anchor.failure() == null ? who.label() + " gave no result" : anchor.failure());
        }
        final BenchRow r = base.withAnchor(who.label(), anchor.median(f));
        return anchor.errors() == 0 ? r : r.withNote(who.label() + ": " + anchor.errors() + " client errors");
    }

    // ---- memory per idle connection

    private static void memory(final SuiteRun run, final EchoScale s, final Map<Contender, Started> servers,
                               final List<BenchRow> rows) {
        final Map<Contender, Double> kib = new LinkedHashMap<>();
        final Map<Contender, String> why = new LinkedHashMap<>();
        for (final Contender c : ALL) {
            run.say(count(s.idle()) + " idle connections, " + c.label());
            final Started st = servers.get(c);
            if (st.server() == null) {
                why.put(c, st.failure());
                continue;
            }
            try {
                final ServerUnderTest server = st.server();
                if (server.rssKib() < 0) {
                    why.put(c, "no /proc/PID/status on this OS");
                    continue;
                }
                try (IdleConnections warm = IdleConnections.open(server.address(), Math.min(MEMORY_WARMUP_CONNECTIONS, s.idle()))) {
                    run.say("  warm-up: " + count(warm.size()) + " connections opened and served");
                }
                Thread.sleep(s.settle());
                final long before = server.rssKib();
                try (IdleConnections held = IdleConnections.open(server.address(), s.idle())) {
                    Thread.sleep(s.settle());
                    final long after = server.rssKib();
                    final double per = (after - before) / (double) held.size();
                    run.say(String.format(Locale.ROOT, "  RSS %,d KiB -> %,d KiB: %.2f KiB per connection", before, after, per));
                    kib.put(c, per);
                }
            } catch (IOException | RuntimeException e) {
                why.put(c, "could not hold " + count(s.idle()) + " connections: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        final String p = count(s.idle()) + " idle connections: ";
        for (final Contender c : BINGFA) {
            rows.add(memoryAnchor(memoryRow(p + c.label() + " RSS per connection", kib.get(c), why.get(c)),
                    GEVENT, kib, why, "goal: <= gevent"));
        }
        Contender best = null;
        for (final Contender c : BINGFA) {
            if (kib.containsKey(c) && (best == null || kib.get(c) < kib.get(best))) {
                best = c;
            }
        }
        if (best != null) {
            final BenchRow row = memoryRow(p + "leanest Bingfa (" + best.key() + ") RSS per connection", kib.get(best), null);
            for (final Contender py : List.of(ASYNCIO, TORNADO, THREADED_PY)) {
                rows.add(memoryAnchor(row, py, kib, why, null));
            }
        }
    }

    private static BenchRow memoryRow(final String name, final Double kib, final String why) {
        return kib == null ? BenchRow.missing(name, "KiB", Better.LOWER, why) : BenchRow.of(name, kib, "KiB", Better.LOWER);
    }

    private static BenchRow memoryAnchor(final BenchRow row, final Contender who, final Map<Contender, Double> kib,
                                         final Map<Contender, String> why, final String goal) {
        final BenchRow base = goal == null ? row : row.withNote(goal);
        final Double v = kib.get(who);
        return v == null ? base.withAnchorSkipped(why.getOrDefault(who, who.label() + " gave no result"))
                : base.withAnchor(who.label(), v);
    }
}
