package io.bingfa.cli.bench.ipc;

import io.bingfa.shm.CpuAffinity;
import io.bingfa.shm.Pipe;
import io.bingfa.shm.SharedInt;
import io.bingfa.shm.SharedLong;
import io.bingfa.shm.SharedMemory;
import io.bingfa.shm.ShmCodec;
import io.bingfa.shm.ShmEvent;
import io.bingfa.shm.ShmMutex;
import io.bingfa.shm.ShmQueue;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * One process of an {@code ipc} experiment. Every role attaches to the shared structures, warms its code
 * path up on a private queue or lock, prints {@code READY}, waits for the "go" event in the control
 * memory (offset 0), runs, and prints one JSON line. Times are {@link System#nanoTime()}, which on Linux
 * is {@code CLOCK_MONOTONIC}: the same clock in every process.
 *
 * <pre>
 *   produce     CTL QUEUE N SIZE      put N SIZE-byte messages                      {"done": true}
 *   consume     CTL QUEUE             get until an empty message                    {"count", "last_ns"}
 *   pipe-send   CTL PIPE N SIZE       end 0: send N messages, then an empty one     {"done": true}
 *   pipe-recv   CTL PIPE              end 1: receive until the empty message        {"count", "last_ns"}
 *   stamp-send  CTL KIND PATH M GAP MODE  send M time stamps GAP us apart (sleeping; spinning if MODE is hot) {"done": true}
 *   stamp-recv  CTL KIND PATH M MODE  take M stamps (MODE block, spin or hot)       {"p50_us", "p99_us"}
 *   handoff     CTL N ME              pass the lock at 64 back and forth N/2 times  {"end_ns"}
 * </pre>
 * KIND is {@code queue}, {@code pipe}, or {@code raw} (stamps only: no queue, two shared words, the JVM's floor). Exit code 1 and a message on stderr when anything fails.
 */
public final class IpcChild {

    /** Offsets in the control memory. */
    static final long GO = 0;
    static final long HANDOFF_MUTEX = 64;
    static final long HANDOFF_TURN = 128;
    /** The CPUs of the latency sender and receiver (when the machine has both). */
    static final int SENDER_CPU = 0;
    static final int RECEIVER_CPU = 1;
    static final long CONTROL_BYTES = 4096;

    private static final Duration GO_TIMEOUT = Duration.ofMinutes(2);
    /** System property: messages (or lock passes) of each role's private warm-up (the suite sets it per scale). */
    static final String WARM_UP_PROPERTY = "bingfa.bench.ipc.warmUp";
    private static final int WARM_UP = Integer.getInteger(WARM_UP_PROPERTY, 100_000);

    private IpcChild() {}

    public static void main(final String[] args) {
        try (SharedMemory control = SharedMemory.open(Path.of(args[1]))) {
            final ShmEvent go = ShmEvent.open(control, GO);
            final String out = switch (args[0]) {
                case "produce" -> produce(go, Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                case "consume" -> consume(go, Path.of(args[2]));
                case "pipe-send" -> pipeSend(go, Path.of(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
                case "pipe-recv" -> pipeRecv(go, Path.of(args[2]));
                case "stamp-send" -> stampSend(go, args[2], Path.of(args[3]), Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]), !args[6].equals("block"), args[6].equals("hot"));
                case "stamp-recv" -> stampRecv(go, args[2], Path.of(args[3]), Integer.parseInt(args[4]),
                        !args[5].equals("block"));
                case "handoff" -> handOff(go, control, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                default -> throw new IllegalArgumentException("unknown role " + args[0]);
            };
            System.out.println(out);
            System.out.flush();
        } catch (Throwable t) {
            System.err.println("IpcChild " + String.join(" ", args) + ": " + t);
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void ready(final ShmEvent go) {
        System.out.println("READY");
        System.out.flush();
        if (!go.await(GO_TIMEOUT)) {
            throw new IllegalStateException("no go signal within " + GO_TIMEOUT);
        }
    }

    private static String produce(final ShmEvent go, final Path queue, final int n, final int size) {
        warmQueue(size);
        try (ShmQueue<byte[]> q = ShmQueue.open(queue, ShmCodec.bytes())) {
            final byte[] message = new byte[size];
            ready(go);
            for (int i = 0; i < n; i++) {
                q.put(message);
            }
        }
        return "{\"done\": true}";
    }

    private static String consume(final ShmEvent go, final Path queue) {
        warmQueue(64);
        try (ShmQueue<byte[]> q = ShmQueue.open(queue, ShmCodec.bytes())) {
            ready(go);
            long count = 0;
            long last = 0;
            for (byte[] m = q.get(); m.length != 0; m = q.get()) {
                count++;
                last = System.nanoTime();
            }
            return String.format(Locale.ROOT, "{\"count\": %d, \"last_ns\": %d}", count, last);
        }
    }

    private static String pipeSend(final ShmEvent go, final Path pipe, final int n, final int size) {
        warmPipe(size);
        try (Pipe<byte[]> end = Pipe.open(pipe, 0, ShmCodec.bytes())) {
            final byte[] message = new byte[size];
            ready(go);
            for (int i = 0; i < n; i++) {
                end.send(message);
            }
            end.send(new byte[0]); // closing now is fine: the reader still gets everything before end-of-file
        }
        return "{\"done\": true}";
    }

    private static String pipeRecv(final ShmEvent go, final Path pipe) {
        warmPipe(64);
        try (Pipe<byte[]> end = Pipe.open(pipe, 1, ShmCodec.bytes())) {
            ready(go);
            long count = 0;
            long last = 0;
            for (byte[] m = end.recv(); m.length != 0; m = end.recv()) {
                count++;
                last = System.nanoTime();
            }
            return String.format(Locale.ROOT, "{\"count\": %d, \"last_ns\": %d}", count, last);
        }
    }

    /** The raw floor's words in its segment: the message count, and the stamp on another cache line. */
    private static final long RAW_COUNT = 0;
    private static final long RAW_STAMP = 64;

    /**
     * Sends {@code m} stamps {@code gapMicros} apart. Between two stamps the sender sleeps ({@code parkNanos}),
     * or, when {@code hot}, spins on the clock until the next send time, so that its core never halts. Kind
     * {@code raw}: no queue, a stamp and a count in two shared words (the JVM's floor).
     */
    private static String stampSend(final ShmEvent go, final String kind, final Path path, final int m, final int gapMicros,
                                    final boolean spin, final boolean hot) {
        final long gap = gapMicros * 1_000L;
        final ByteBuffer stamp = ByteBuffer.allocate(Long.BYTES);
        if (spin) {
            pin(SENDER_CPU);
        }
        warm(kind, Long.BYTES);
        if (kind.equals("raw")) {
            try (SharedMemory shm = SharedMemory.open(path)) {
                final SharedLong count = SharedLong.at(shm, RAW_COUNT);
                final SharedLong sent = SharedLong.at(shm, RAW_STAMP);
                ready(go);
                for (int i = 1; i <= m; i++) {
                    pause(gap, hot);
                    sent.set(System.nanoTime());
                    count.set(i);
                }
            }
        } else if (kind.equals("queue")) {
            try (ShmQueue<byte[]> q = ShmQueue.open(path, ShmCodec.bytes())) {
                ready(go);
                for (int i = 0; i < m; i++) {
                    pause(gap, hot);
                    q.put(stamp.putLong(0, System.nanoTime()).array());
                }
            }
        } else {
            try (Pipe<byte[]> end = Pipe.open(path, 0, ShmCodec.bytes())) {
                ready(go);
                for (int i = 0; i < m; i++) {
                    pause(gap, hot);
                    end.send(stamp.putLong(0, System.nanoTime()).array());
                }
            }
        }
        return "{\"done\": true}";
    }

    /** Sleeps {@code nanos} (the receiver keeps a core to itself), or spins for them when {@code hot}. */
    private static void pause(final long nanos, final boolean hot) {
        if (!hot) {
            LockSupport.parkNanos(nanos);
            return;
        }
        final long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static String stampRecv(final ShmEvent go, final String kind, final Path path, final int m, final boolean spin) {
        final long[] latencies = new long[m];
        if (spin) {
            pin(RECEIVER_CPU);
        }
        warm(kind, Long.BYTES);
        int taken = m;
        if (kind.equals("raw")) {
            try (SharedMemory shm = SharedMemory.open(path)) {
                final SharedLong count = SharedLong.at(shm, RAW_COUNT);
                final SharedLong sent = SharedLong.at(shm, RAW_STAMP);
                ready(go);
                long seen = 0;
                taken = 0;
                while (seen < m) { // stamps can coalesce if this side is late: count by value
                    long now;
                    while ((now = count.get()) == seen) {
                        Thread.onSpinWait();
                    }
                    seen = now;
                    latencies[taken++] = System.nanoTime() - sent.get();
                }
            }
        } else if (kind.equals("queue")) {
            try (ShmQueue<byte[]> q = ShmQueue.open(path, ShmCodec.bytes())) {
                ready(go);
                for (int i = 0; i < m; i++) {
                    byte[] b;
                    if (spin) {
                        Optional<byte[]> got = q.tryGet();
                        while (got.isEmpty()) {
                            Thread.onSpinWait();
                            got = q.tryGet();
                        }
                        b = got.get();
                    } else {
                        b = q.get();
                    }
                    latencies[i] = System.nanoTime() - ByteBuffer.wrap(b).getLong();
                }
            }
        } else {
            try (Pipe<byte[]> end = Pipe.open(path, 1, ShmCodec.bytes())) {
                ready(go);
                for (int i = 0; i < m; i++) {
                    byte[] b;
                    if (spin) {
                        Optional<byte[]> got = end.tryRecv();
                        while (got.isEmpty()) {
                            Thread.onSpinWait();
                            got = end.tryRecv();
                        }
                        b = got.get();
                    } else {
                        b = end.recv();
                    }
                    latencies[i] = System.nanoTime() - ByteBuffer.wrap(b).getLong();
                }
            }
        }
        final long[] measured = Arrays.copyOfRange(latencies, taken / 10, taken);
        Arrays.sort(measured);
        return String.format(Locale.ROOT, "{\"p50_us\": %.3f, \"p99_us\": %.3f}",
                percentile(measured, 0.50) / 1e3, percentile(measured, 0.99) / 1e3);
    }

    /**
     * Pins a spinning receiver and its sender to different CPUs (the spinner's core is its own), as a spinning
     * consumer is deployed; the Python anchor pins its spinning pair the same way. Without it the scheduler
     * sometimes wakes the sender on the spinner's core and the stamp waits for a preemption. Blocking pairs are
     * not pinned: a sleeping receiver pinned to its own core is woken by an inter-processor interrupt to a
     * halted virtual CPU, which costs this machine about 40 us (measured with the C futex probe).
     */
    private static void pin(final int cpu) {
        if (CpuAffinity.cpus() > Math.max(SENDER_CPU, RECEIVER_CPU)) {
            CpuAffinity.pin(cpu);
        }
    }

    static long percentile(final long[] sorted, final double q) {
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))];
    }

    private static String handOff(final ShmEvent go, final SharedMemory control, final int n, final int me) {
        final ShmMutex lock = ShmMutex.open(control, HANDOFF_MUTEX);
        final SharedInt turn = SharedInt.at(control, HANDOFF_TURN);
        warmLock();
        ready(go);
        pingPong(lock, turn, me, n / 2, false);
        return String.format(Locale.ROOT, "{\"end_ns\": %d}", System.nanoTime());
    }

    /**
     * JIT warm-up on a private queue, with a producer thread and this thread consuming, so that the
     * blocking and waking paths are compiled too, not only the uncontended ones.
     */
    private static void warmQueue(final int size) {
        final String name = "bingfa-bench-warm-" + ProcessHandle.current().pid();
        try (ShmQueue<byte[]> q = ShmQueue.create(name, 1 << 14, ShmCodec.bytes());
             ShmQueue<byte[]> other = ShmQueue.open(name, ShmCodec.bytes())) {
            final byte[] message = new byte[size];
            final Thread producer = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < WARM_UP; i++) {
                    other.put(message);
                }
            });
            for (int i = 0; i < WARM_UP; i++) {
                if ((i & 1) == 0) {
                    q.get();
                } else {
                    Optional<byte[]> m = q.tryGet();
                    while (m.isEmpty()) {
                        Thread.onSpinWait();
                        m = q.tryGet();
                    }
                }
            }
            join(producer);
        } finally {
            SharedMemory.unlink(name);
        }
    }

    private static void warm(final String kind, final int size) {
        if (kind.equals("raw")) {
            return; // two plain words: nothing to compile that matters
        }
        if (kind.equals("queue")) {
            warmQueue(size);
        } else {
            warmPipe(size);
        }
    }

    /** JIT warm-up of send and recv (blocking and not) on a private pipe, sender in another thread. */
    private static void warmPipe(final int size) {
        final String name = "bingfa-bench-warm-pipe-" + ProcessHandle.current().pid();
        try (Pipe<byte[]> a = Pipe.create(name, 1 << 14, ShmCodec.bytes()); Pipe<byte[]> b = Pipe.open(name, ShmCodec.bytes())) {
            final byte[] message = new byte[size];
            final Thread sender = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < WARM_UP; i++) {
                    a.send(message);
                }
            });
            for (int i = 0; i < WARM_UP; i++) {
                if ((i & 1) == 0) {
                    b.recv();
                } else {
                    Optional<byte[]> m = b.tryRecv();
                    while (m.isEmpty()) {
                        Thread.onSpinWait();
                        m = b.tryRecv();
                    }
                }
            }
            join(sender);
        } finally {
            SharedMemory.unlink(name);
        }
    }

    /** JIT warm-up of the lock: two threads pass a private mutex back and forth (the contended paths). */
    private static void warmLock() {
        final String name = "bingfa-bench-warm-" + ProcessHandle.current().pid();
        try (SharedMemory shm = SharedMemory.create(name, 4096)) {
            final ShmMutex lock = ShmMutex.create(shm, 0, false);
            final SharedInt turn = SharedInt.at(shm, 64);
            final Thread other = Thread.ofPlatform().start(() -> pingPong(lock, turn, 1, WARM_UP / 2, true));
            pingPong(lock, turn, 0, WARM_UP / 2, true);
            join(other);
        } finally {
            SharedMemory.unlink(name);
        }
    }

    /**
     * Takes {@code lock} until it has flipped {@code turn} from {@code me} to the other party {@code passes} times.
     * With {@code yielding}, a thread that finds it is not its turn yields its core: the warm-up runs two such
     * threads in each of two JVMs at once, four busy pollers on two cores, and without the yield the thread
     * whose turn it is may wait for a scheduler time slice (milliseconds) at every pass (a warm-up once took
     * minutes that way). The measured hand-off has one thread per process and never yields.
     */
    private static void pingPong(final ShmMutex lock, final SharedInt turn, final int me, final int passes,
                                 final boolean yielding) {
        int done = 0;
        while (done < passes) {
            boolean mine;
            try (ShmMutex.Guard _ = lock.lock()) {
                mine = turn.get() == me;
                if (mine) {
                    turn.set(1 - me);
                    done++;
                }
            }
            if (!mine && yielding) {
                Thread.yield();
            }
        }
    }

    private static void join(final Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during warm-up", e);
        }
    }
}
