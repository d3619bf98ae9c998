package io.bingfa.benchmarks;

import io.bingfa.shm.SharedMemory;
import io.bingfa.shm.ShmCodec;
import io.bingfa.shm.ShmQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * {@link ShmQueue} offer/poll of 64-byte records ({@code ShmCodec.bytes()}, so each side also copies the
 * record to or from a Java array).
 *
 * <ul>
 *   <li>{@code offerPoll}: one thread, a put then a get: the cost of the ring's algorithm with every
 *       cache line local (no other core involved).</li>
 *   <li>{@code handOff} group: one producer thread and one consumer thread in this JVM, each on its own
 *       handle, so every record's cache lines travel between two cores as they do between two
 *       processes. Each call spins ({@code tryPut} / {@code tryGet}) until it succeeds or JMH ends the
 *       iteration ({@link Control#stopMeasurement}), so a score counts records moved.</li>
 * </ul>
 * Between processes (the real use) see {@code bingfa bench ipc}.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ShmQueueBench {

    @Param({"65536", "1048576"})
    public int capacity;

    private final String name = "bingfa-jmh-queue-" + ProcessHandle.current().pid();
    private final byte[] record = new byte[64];
    private ShmQueue<byte[]> producer;
    private ShmQueue<byte[]> consumer;

    @Setup(Level.Trial)
    public void open() {
        producer = ShmQueue.create(name, capacity, ShmCodec.bytes());
        consumer = ShmQueue.open(name, ShmCodec.bytes());
    }

    @TearDown(Level.Trial)
    public void close() {
        producer.close();
        consumer.close();
        SharedMemory.unlink(name);
    }

    @Benchmark
    @Group("offerPoll")
    public byte[] offerPoll() {
        producer.tryPut(record);
        return consumer.tryGet().orElseThrow();
    }

    @Benchmark
    @Group("handOff")
    @GroupThreads(1)
    public boolean put(final Control control) {
        while (!producer.tryPut(record)) {
            if (control.stopMeasurement) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Benchmark
    @Group("handOff")
    @GroupThreads(1)
    public byte[] get(final Control control) {
        for (;;) {
            final java.util.Optional<byte[]> got = consumer.tryGet();
            if (got.isPresent() || control.stopMeasurement) {
                return got.orElse(null);
            }
            Thread.onSpinWait();
        }
    }
}
