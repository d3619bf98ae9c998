package io.bingfa.benchmarks;

import io.bingfa.queue.QueueEmptyException;
import io.bingfa.queue.QueueFullException;
import io.bingfa.queue.Queues;
import io.bingfa.queue.WorkQueue;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

/**
 * Hand-off through a bounded FIFO between one producer thread and one consumer thread:
 * {@code Queues.fifo(capacity)} against {@link ArrayBlockingQueue} (the JDK queue with the same design:
 * one lock, two conditions).
 *
 * <p>Both sides use the timed, blocking calls ({@code put(item, timeout)} / {@code get(timeout)} and
 * {@code offer(item, timeout, unit)} / {@code poll(timeout, unit)}) in a loop that checks JMH's
 * {@link Control#stopMeasurement}: at the end of an iteration one side stops first, and a side blocked
 * without a timeout would then wait forever. The timeouts only run out in that window, so the
 * exceptions Bingfa throws for them are not part of the measurement. The score of each group member is
 * its own operations; the group's total counts every put and every get.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QueueBench {

    private static final Duration POLL = Duration.ofMillis(10);
    private static final Integer ITEM = 42;

    @Param({"16", "1024"})
    public int capacity;

    private WorkQueue<Integer> bingfa;
    private ArrayBlockingQueue<Integer> jdk;

    @Setup(Level.Iteration)
    public void open() {
        bingfa = Queues.fifo(capacity);
        jdk = new ArrayBlockingQueue<>(capacity);
    }

    @Benchmark
    @Group("bingfaFifo")
    @GroupThreads(1)
    public void bingfaPut(final Control control) {
        while (!control.stopMeasurement) {
            try {
                bingfa.put(ITEM, POLL);
                return;
            } catch (QueueFullException endOfIteration) {
                // the consumer has stopped: look at the flag again
            }
        }
    }

    @Benchmark
    @Group("bingfaFifo")
    @GroupThreads(1)
    public Integer bingfaGet(final Control control) {
        while (!control.stopMeasurement) {
            try {
                return bingfa.get(POLL);
            } catch (QueueEmptyException endOfIteration) {
                // the producer has stopped: look at the flag again
            }
        }
        return null;
    }

    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public boolean jdkPut(final Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            if (jdk.offer(ITEM, POLL.toNanos(), TimeUnit.NANOSECONDS)) {
                return true;
            }
        }
        return false;
    }

    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public Integer jdkGet(final Control control) throws InterruptedException {
        while (!control.stopMeasurement) {
            final Integer item = jdk.poll(POLL.toNanos(), TimeUnit.NANOSECONDS);
            if (item != null) {
                return item;
            }
        }
        return null;
    }
}
