package io.bingfa.cli.bench.ipc;

import com.fasterxml.jackson.databind.JsonNode;
import io.bingfa.cli.bench.AnchorResult;
import io.bingfa.cli.bench.BenchRow;
import io.bingfa.cli.bench.Better;
import io.bingfa.cli.bench.Suite;
import io.bingfa.cli.bench.SuiteRun;
import io.bingfa.shm.Pipe;
import io.bingfa.shm.SharedMemory;
import io.bingfa.shm.ShmCodec;
import io.bingfa.shm.ShmEvent;
import io.bingfa.shm.ShmMutex;
import io.bingfa.shm.ShmQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.bingfa.cli.bench.models.ModelsSuite.count;

/**
 * {@code bingfa bench ipc}: shared memory between processes ({@code bingfa-shm}) beside Python's
 * {@code multiprocessing} run live. Every Bingfa side runs in separate child JVMs ({@link IpcChild}),
 * every Python side in separate processes ({@code anchors/ipc.py}); both wait at a start signal, so
 * process start-up is not measured.
 *
 * <ol>
 *   <li>Throughput, 64-byte messages: {@code ShmQueue} 1 producer -&gt; 1 consumer and 2 -&gt; 2 beside
 *       {@code multiprocessing.Queue} (goal: 20x), and {@code Pipe} beside {@code mp.Pipe}'s
 *       {@code send_bytes/recv_bytes}.</li>
 *   <li>One-way latency p50 and p99 of time stamps sent with a sleep in between: blocking receivers ({@code ShmQueue.get},
 *       {@code Pipe.recv} beside {@code mp.Queue.get}, {@code Connection.recv}; goal p50 &lt;= 5 us) with a gap
 *       long enough that the receiver sleeps in the kernel, and spinning receivers ({@code tryGet} in a
 *       loop beside a {@code Connection.poll()} loop; goal p50 &lt;= 1 us).</li>
 *   <li>Locks: uncontended {@code ShmMutex} lock+unlock (goal &lt;= 50 ns) beside {@code mp.Lock}
 *       acquire+release, and the rate at which two processes pass one lock back and forth.</li>
 * </ol>
 */
public final class IpcSuite implements Suite {

    private static final Duration ANCHOR_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(5);
    private static final int SIZE = 64;
    private static final long QUEUE_CAPACITY = 1 << 20;

    @Override
    public String name() {
        return "ipc";
    }

    @Override
    public String summary() {
        return "shared-memory queue, pipe and lock between processes vs multiprocessing";
    }

    @Override
    public List<BenchRow> run(final SuiteRun run) {
        final IpcScale s = IpcScale.of(run.scale());
        final List<BenchRow> rows = new ArrayList<>();
        final String prefix = "bingfa-bench-ipc-" + ProcessHandle.current().pid();
        final Path controlPath = SharedMemory.pathOf(prefix + "-control");
        try (SharedMemory control = SharedMemory.create(controlPath, IpcChild.CONTROL_BYTES)) {
            final Experiments e = new Experiments(run, s, control, prefix, rows);
            e.throughput();
            e.latency();
            e.locks();
        } finally {
            SharedMemory.unlink(controlPath.getFileName().toString());
        }
        return rows;
    }

    /** The experiments of one run, sharing the control memory (go event, hand-off lock). */
    private record Experiments(SuiteRun run, IpcScale s, SharedMemory control, String prefix, List<BenchRow> rows) {

        void throughput() {
            final int n = s.jvmMessages();
            final String py = count(s.pythonMessages());
            for (final int[] shape : new int[][] {{1, 1}, {2, 2}}) {
                final int producers = shape[0];
                final int consumers = shape[1];
                final String what = producers + " -> " + consumers;
                run.say("ShmQueue " + what + ", " + count(n) + " x " + SIZE + " B" + times());
                final double rate = median(() -> queueRate(producers, consumers, n));
                run.say("multiprocessing.Queue " + what + ", " + py + " messages");
                final AnchorResult anchor = run.python().run("ipc.py", "sys", ANCHOR_TIMEOUT, "queue",
                        String.valueOf(s.pythonMessages()), String.valueOf(producers), String.valueOf(consumers),
                        String.valueOf(SIZE));
                rows.add(SuiteRun.anchored(BenchRow.of("ShmQueue " + what + " processes, " + SIZE + "-byte messages ("
                                + count(n) + medianOf() + ")", rate, "msgs/s", Better.HIGHER),
                        anchor, "multiprocessing.Queue " + what + " (" + py + ")", "per_second")
                        .withNote("goal: >= 20x multiprocessing.Queue"));
            }
            run.say("Pipe 1 -> 1, " + count(n) + " x " + SIZE + " B" + times());
            final double rate = median(() -> pipeRate(n));
            run.say("multiprocessing.Pipe, " + py + " messages");
            final AnchorResult anchor = run.python().run("ipc.py", "sys", ANCHOR_TIMEOUT, "pipe",
                    String.valueOf(s.pythonMessages()), String.valueOf(SIZE));
            rows.add(SuiteRun.anchored(BenchRow.of("Pipe 1 -> 1 process, " + SIZE + "-byte messages (" + count(n)
                            + medianOf() + ")",
                    rate, "msgs/s", Better.HIGHER), anchor, "mp.Pipe send_bytes/recv_bytes (" + py + ")", "per_second"));
        }

        /** The median of {@code s.reps()} runs of {@code experiment}. */
        private double median(final java.util.function.DoubleSupplier experiment) {
            final double[] runs = new double[s.reps()];
            for (int i = 0; i < runs.length; i++) {
                runs[i] = experiment.getAsDouble();
            }
            return io.bingfa.cli.bench.Measure.median(runs);
        }

        private String times() {
            return s.reps() == 1 ? "" : ", " + s.reps() + " runs";
        }

        private String medianOf() {
            return s.reps() == 1 ? "" : ", median of " + s.reps() + " runs";
        }

        private double queueRate(final int producers, final int consumers, final int n) {
            final String name = prefix + "-queue";
            try (ShmQueue<byte[]> q = ShmQueue.create(name, QUEUE_CAPACITY, ShmCodec.bytes());
                 IpcChildren producing = new IpcChildren(s.warmUp()); IpcChildren consuming = new IpcChildren(s.warmUp())) {
                final ShmEvent go = ShmEvent.create(control, IpcChild.GO);
                for (int i = 0; i < consumers; i++) {
                    consuming.start("consume", control.path().toString(), q.path().toString());
                }
                for (int i = 0; i < producers; i++) {
                    producing.start("produce", control.path().toString(), q.path().toString(),
                            String.valueOf(n / producers), String.valueOf(SIZE));
                }
                producing.awaitReady(CHILD_TIMEOUT);
                consuming.awaitReady(CHILD_TIMEOUT);
                final long start = System.nanoTime();
                go.set();
                producing.results(CHILD_TIMEOUT);
                for (int i = 0; i < consumers; i++) {
                    q.put(new byte[0]);
                }
                long count = 0;
                long last = start;
                for (final JsonNode r : consuming.results(CHILD_TIMEOUT)) {
                    count += r.get("count").asLong();
                    last = Math.max(last, r.get("last_ns").asLong());
                }
                check(count == (long) (n / producers) * producers, "consumers took " + count + " messages");
                return count / ((last - start) / 1e9);
            } finally {
                SharedMemory.unlink(name);
            }
        }

        private double pipeRate(final int n) {
            final String name = prefix + "-pipe";
            try (IpcChildren children = new IpcChildren(s.warmUp())) {
                Pipe.create(name, QUEUE_CAPACITY, ShmCodec.bytes()).close(); // the children attach both ends
                final ShmEvent go = ShmEvent.create(control, IpcChild.GO);
                final Path path = SharedMemory.pathOf(name);
                children.start("pipe-recv", control.path().toString(), path.toString());
                children.start("pipe-send", control.path().toString(), path.toString(), String.valueOf(n),
                        String.valueOf(SIZE));
                children.awaitReady(CHILD_TIMEOUT);
                final long start = System.nanoTime();
                go.set();
                final JsonNode r = children.results(CHILD_TIMEOUT).getFirst();
                check(r.get("count").asLong() == n, "the reader got " + r.get("count") + " messages");
                return n / ((r.get("last_ns").asLong() - start) / 1e9);
            } finally {
                SharedMemory.unlink(name);
            }
        }

        void latency() {
            final String block = "sent " + s.blockingGapMicros() + " us apart";
            final String spin = "sent " + s.spinningGapMicros() + " us apart";
            latencyRows("ShmQueue.get() (blocking)", "queue", "block", s.blockingMessages(), s.blockingGapMicros(),
                    "mp.Queue.get()", "queue", "goal: p50 <= 5 us", block);
            floorRow("ShmQueue.get() (blocking), " + block, "futex", s.blockingMessages(), s.blockingGapMicros(),
                    "raw futex wake, two C processes, no queue (this machine's floor)",
                    "how much of the blocking latency is the kernel's wake-up");
            latencyRows("Pipe.recv() (blocking)", "pipe", "block", s.blockingMessages(), s.blockingGapMicros(),
                    "mp.Pipe Connection.recv()", "pipe", null, block);
            latencyRows("ShmQueue.tryGet() in a loop (spinning)", "queue", "spin", s.spinningMessages(),
                    s.spinningGapMicros(), "mp.Pipe Connection.poll() loop", "pipe-spin", "goal: p50 <= 1 us", spin);
            floorRow("ShmQueue.tryGet() in a loop (spinning), " + spin, "spin", s.spinningMessages(),
                    s.spinningGapMicros(), "two C processes, the receiver spinning on one word (this machine's floor)",
                    "how much of the spinning latency is cache lines moving between the cores");
            jvmFloorRow("ShmQueue.tryGet() in a loop (spinning), " + spin, "spin");
            latencyRows("ShmQueue.tryGet() in a loop (spinning), sender spinning between sends", "queue", "hot",
                    s.spinningMessages(), s.spinningGapMicros(), "mp.Pipe Connection.poll() loop, sender spinning",
                    "pipe-hot", "goal: p50 <= 1 us; neither core ever halts (no wake-up after a sleep on the send path)",
                    spin);
            floorRow("ShmQueue.tryGet() in a loop (spinning), sender spinning between sends, " + spin, "hot",
                    s.spinningMessages(), s.spinningGapMicros(),
                    "two C processes, both spinning, one word between them (this machine's floor)",
                    "how much of the spinning latency is cache lines moving between the cores");
            jvmFloorRow("ShmQueue.tryGet() in a loop (spinning), sender spinning between sends, " + spin, "hot");
            latencyRows("Pipe.tryRecv() in a loop (spinning)", "pipe", "spin", s.spinningMessages(),
                    s.spinningGapMicros(), "mp.Pipe Connection.poll() loop", "pipe-spin",
                    "goal: p50 <= 1 us; a single-producer ring, the same shape as the anchor's pipe", spin);
        }

        /**
         * A p50 row just measured, {@code what} (its name after "one-way latency p50, "), beside the machine's
         * floor for the same hand-off: {@code anchors/futex_floor.c} in {@code mode} with the same gap. The
         * blocking goal (5 us) is below the futex floor on this virtual machine.
         */
        private void floorRow(final String what, final String mode, final int m, final int gapMicros,
                              final String floorName, final String note) {
            run.say("latency: " + floorName);
            final AnchorResult floor = FutexFloor.measure(m, gapMicros, mode);
            final BenchRow measured = p50Row(what);
            rows.add(SuiteRun.anchored(BenchRow.of(measured.name(), measured.value(), "us", Better.LOWER), floor,
                    floorName, "p50_us").withNote(note));
        }

        /**
         * The p50 row {@code what} beside the same hand-off between two JVMs with no queue at all: a stamp and a
         * count in two plain shared words ({@code IpcChild} kind {@code raw}), the receiver spinning, pinned as the
         * queue's pair is. It separates what the JVM pays around the hand-off (waking from {@code parkNanos}, the
         * clock) from what the queue adds.
         */
        private void jvmFloorRow(final String what, final String mode) {
            run.say("latency: two JVMs, two shared words, no queue (" + mode + ")");
            final JsonNode raw = stamps("raw", mode, s.spinningMessages(), s.spinningGapMicros());
            final BenchRow measured = p50Row(what);
            rows.add(BenchRow.of(measured.name(), measured.value(), "us", Better.LOWER)
                    .withAnchor("two JVMs, two shared words, no queue (the JVM's floor here)", raw.get("p50_us").asDouble())
                    .withNote("how much of the spinning latency is the queue's own work"));
        }

        /** The p50 latency row already measured for {@code what} (its name after "one-way latency p50, "). */
        private BenchRow p50Row(final String what) {
            final String name = "one-way latency p50, " + what;
            return rows.stream().filter(r -> r.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no row named " + name));
        }

        private void latencyRows(final String what, final String kind, final String mode, final int m,
                                 final int gapMicros, final String anchorName, final String anchorKind,
                                 final String goal, final String gap) {
            run.say("latency: " + what + ", " + count(m) + " stamps " + gap);
            final JsonNode jvm = stamps(kind, mode, m, gapMicros);
            run.say("latency: " + anchorName);
            final AnchorResult anchor = run.python().run("ipc.py", "sys", ANCHOR_TIMEOUT, "latency", anchorKind,
                    String.valueOf(m), String.valueOf(gapMicros));
            for (final String p : new String[] {"p50", "p99"}) {
                BenchRow row = SuiteRun.anchored(BenchRow.of("one-way latency " + p + ", " + what + ", " + gap,
                        jvm.get(p + "_us").asDouble(), "us", Better.LOWER), anchor, anchorName, p + "_us");
                if (goal != null && p.equals("p50")) {
                    row = row.withNote(goal);
                }
                rows.add(row);
            }
        }

        private JsonNode stamps(final String kind, final String mode, final int m, final int gapMicros) {
            final String name = prefix + "-stamps";
            try (IpcChildren children = new IpcChildren(s.warmUp())) {
                if (kind.equals("raw")) {
                    SharedMemory.create(name, 4096).close();
                } else if (kind.equals("queue")) {
                    ShmQueue.create(name, QUEUE_CAPACITY, ShmCodec.bytes()).close();
                } else {
                    Pipe.create(name, QUEUE_CAPACITY, ShmCodec.bytes()).close();
                }
                final ShmEvent go = ShmEvent.create(control, IpcChild.GO);
                final String path = SharedMemory.pathOf(name).toString();
                children.start("stamp-recv", control.path().toString(), kind, path, String.valueOf(m), mode);
                children.start("stamp-send", control.path().toString(), kind, path, String.valueOf(m),
                        String.valueOf(gapMicros), mode);
                children.awaitReady(CHILD_TIMEOUT);
                go.set();
                return children.results(CHILD_TIMEOUT).getFirst();
            } finally {
                SharedMemory.unlink(name);
            }
        }

        void locks() {
            run.say("ShmMutex lock+unlock, uncontended, " + count(s.lockOps()) + " times");
            final double ns = uncontendedLockNanos(s.lockOps());
            final AnchorResult lock = run.python().run("ipc.py", "sys", ANCHOR_TIMEOUT, "lock",
                    String.valueOf(Math.max(1, s.lockOps() / 20)));
            rows.add(SuiteRun.anchored(BenchRow.of("ShmMutex lock+unlock, uncontended", ns, "ns", Better.LOWER),
                    lock, "mp.Lock acquire+release", "ns_per_op").withNote("goal: <= 50 ns"));

            run.say("ShmMutex hand-off between 2 processes, " + count(s.handOffs()) + " times");
            final double rate = handOffRate(s.handOffs());
            run.say("mp.Lock hand-off, " + count(s.pythonHandOffs()) + " times");
            final AnchorResult handoff = run.python().run("ipc.py", "sys", ANCHOR_TIMEOUT, "handoff",
                    String.valueOf(s.pythonHandOffs()));
            rows.add(SuiteRun.anchored(BenchRow.of("ShmMutex passed back and forth between 2 processes ("
                            + count(s.handOffs()) + ")", rate, "hand-offs/s", Better.HIGHER),
                    handoff, "mp.Lock + RawValue turn (" + count(s.pythonHandOffs()) + ")", "per_second"));
        }

        private double uncontendedLockNanos(final int ops) {
            final ShmMutex lock = ShmMutex.create(control, IpcChild.HANDOFF_MUTEX, false);
            for (int i = 0; i < Math.min(ops, 2_000_000); i++) { // warm-up: compiled before it is timed
                try (ShmMutex.Guard _ = lock.lock()) {
                    Thread.onSpinWait();
                }
            }
            final long start = System.nanoTime();
            for (int i = 0; i < ops; i++) {
                lock.lock().close();
            }
            return (System.nanoTime() - start) / (double) ops;
        }

        private double handOffRate(final int n) {
            ShmMutex.create(control, IpcChild.HANDOFF_MUTEX, false);
            io.bingfa.shm.SharedInt.at(control, IpcChild.HANDOFF_TURN).set(0);
            try (IpcChildren children = new IpcChildren(s.warmUp())) {
                final ShmEvent go = ShmEvent.create(control, IpcChild.GO);
                for (int me = 0; me < 2; me++) {
                    children.start("handoff", control.path().toString(), String.valueOf(n), String.valueOf(me));
                }
                children.awaitReady(CHILD_TIMEOUT);
                final long start = System.nanoTime();
                go.set();
                long end = start;
                for (final JsonNode r : children.results(CHILD_TIMEOUT)) {
                    end = Math.max(end, r.get("end_ns").asLong());
                }
                return (n / 2 * 2) / ((end - start) / 1e9);
            }
        }

        private static void check(final boolean condition, final String what) {
            if (!condition) {
                throw new IllegalStateException("ipc bench: " + what);
            }
        }
    }
}
