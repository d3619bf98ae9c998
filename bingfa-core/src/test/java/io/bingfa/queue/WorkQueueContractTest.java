package io.bingfa.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link WorkQueue} contract, run against every factory of {@link Queues}: bounds and timeouts,
 * non-blocking calls, shutdown, interrupts, bad arguments, and many producers and consumers on virtual
 * threads.
 */
class WorkQueueContractTest {

    private static final Duration LONG = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(50);

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("fifo", (IntFunction<WorkQueue<Integer>>) Queues::fifo),
                Arguments.of("lifo", (IntFunction<WorkQueue<Integer>>) Queues::lifo),
                Arguments.of("priority", (IntFunction<WorkQueue<Integer>>) Queues::priority),
                Arguments.of("joinable", (IntFunction<WorkQueue<Integer>>) Queues::joinable));
    }

    /** Runs {@code task} in a new virtual thread; the future holds what it returned or threw. */
    private static <T> Started<T> start(final Callable<T> task) {
        final TaskFuture<T> future = new TaskFuture<>();
        final Thread thread = Thread.ofVirtual().start(() -> future.run(task));
        return new Started<>(thread, future);
    }

    record Started<T>(Thread thread, TaskFuture<T> future) {
        /** Waits (at most 10 s, then fails) until the thread is parked: blocked in the queue. */
        Started<T> awaitBlocked() {
            final long deadline = System.nanoTime() + LONG.toNanos();
            while (true) {
                final Thread.State s = thread.getState();
                if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                    return this;
                }
                assertThat(future.isDone()).as("thread finished instead of blocking: %s", future).isFalse();
                assertThat(System.nanoTime() - deadline).as("thread never blocked").isNegative();
                Thread.onSpinWait();
                Thread.yield();
            }
        }

        Throwable failure() {
            return future.exception(LONG);
        }
    }

    // ---------------------------------------------------------------- bounds and timeouts

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void putBlocksWhileFullUntilAGetMakesRoom(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(2);
        q.put(1);
        q.put(2);
        assertThat(q.isFull()).isTrue();
        final Started<Void> putter = WorkQueueContractTest.<Void>start(() -> {
            q.put(3);
            return null;
        }).awaitBlocked();
        assertThat(q.size()).isEqualTo(2);
        q.get();
        assertThat(putter.failure()).isNull();
        assertThat(q.size()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void getBlocksWhileEmptyUntilAPut(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        final Started<Integer> getter = start(q::get).awaitBlocked();
        q.put(42);
        assertThat(getter.future().result(LONG)).isEqualTo(42);
        assertThat(q.isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void timedPutOnAFullQueueThrowsQueueFull(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(1);
        q.put(1);
        assertThatThrownBy(() -> q.put(2, SHORT)).isInstanceOf(QueueFullException.class).hasMessageContaining("full");
        assertThatThrownBy(() -> q.put(2, Duration.ZERO)).isInstanceOf(QueueFullException.class);
        assertThat(q.size()).isEqualTo(1);
        q.get();
        q.put(2, SHORT);
        assertThat(q.get()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void timedGetOnAnEmptyQueueThrowsQueueEmpty(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        assertThatThrownBy(() -> q.get(SHORT)).isInstanceOf(QueueEmptyException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> q.get(Duration.ZERO)).isInstanceOf(QueueEmptyException.class);
        q.put(7);
        assertThat(q.get(SHORT)).isEqualTo(7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void timedGetReturnsAnItemPutWhileItWaits(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        final Started<Integer> getter = start(() -> q.get(LONG)).awaitBlocked();
        q.put(5);
        assertThat(getter.future().result(LONG)).isEqualTo(5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void tryPutAndTryGetNeverWait(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(2);
        assertThat(q.tryGet()).isEmpty();
        assertThat(q.tryPut(1)).isTrue();
        assertThat(q.tryPut(2)).isTrue();
        assertThat(q.tryPut(3)).isFalse();
        assertThat(q.size()).isEqualTo(2);
        assertThat(q.tryGet()).isPresent();
        assertThat(q.tryGet()).isPresent();
        assertThat(q.tryGet()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void tryCallsWorkWithTheInterruptFlagSet(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(1);
        Thread.currentThread().interrupt();
        try {
            assertThat(q.tryPut(1)).isTrue();
            assertThat(q.tryGet()).contains(1);
        } finally {
            assertThat(Thread.interrupted()).isTrue();
        }
    }

    // ---------------------------------------------------------------- interrupts

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void interruptedGetThrowsWaitInterruptedAndKeepsTheFlag(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        final Started<Boolean> getter = start(() -> {
            try {
                q.get();
                return false;
            } catch (WaitInterruptedException e) {
                return Thread.currentThread().isInterrupted();
            }
        }).awaitBlocked();
        getter.thread().interrupt();
        assertThat(getter.future().result(LONG)).as("interrupt flag set again").isTrue();
        q.put(1);
        assertThat(q.size()).as("the interrupted get took nothing").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void interruptedPutThrowsWaitInterruptedAndAddsNothing(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(1);
        q.put(1);
        final Started<Void> putter = WorkQueueContractTest.<Void>start(() -> {
            q.put(2, LONG);
            return null;
        }).awaitBlocked();
        putter.thread().interrupt();
        assertThat(putter.failure()).isInstanceOf(WaitInterruptedException.class);
        assertThat(q.size()).isEqualTo(1);
        assertThat(q.get()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- shutdown

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void shutdownWakesABlockedGet(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        final Started<Integer> getter = start(q::get).awaitBlocked();
        final Started<Integer> timedGetter = start(() -> q.get(Duration.ofMinutes(5))).awaitBlocked();
        q.shutdown(false);
        assertThat(getter.failure()).isInstanceOf(QueueShutDownException.class);
        assertThat(timedGetter.failure()).isInstanceOf(QueueShutDownException.class);
        assertThat(q.isShutdown()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void shutdownWakesABlockedPut(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(1);
        q.put(1);
        final Started<Void> putter = WorkQueueContractTest.<Void>start(() -> {
            q.put(2);
            return null;
        }).awaitBlocked();
        q.shutdown(false);
        assertThat(putter.failure()).isInstanceOf(QueueShutDownException.class);
        assertThat(q.get()).as("the queued item survives a non-immediate shutdown").isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void nonImmediateShutdownLetsGetsDrainThenThrows(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        q.put(1);
        q.put(2);
        q.shutdown(false);
        assertThatThrownBy(() -> q.put(3)).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(() -> q.tryPut(3)).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(() -> q.put(3, SHORT)).isInstanceOf(QueueShutDownException.class);
        final List<Integer> got = new ArrayList<>();
        got.add(q.get());
        got.add(q.tryGet().orElseThrow());
        assertThat(got).containsExactlyInAnyOrder(1, 2);
        assertThatThrownBy(q::get).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(() -> q.get(SHORT)).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(q::tryGet).isInstanceOf(QueueShutDownException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void immediateShutdownDiscardsTheItems(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        q.put(1);
        q.put(2);
        q.shutdown(true);
        assertThat(q.size()).isZero();
        assertThatThrownBy(q::get).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(q::tryGet).isInstanceOf(QueueShutDownException.class);
        assertThatThrownBy(() -> q.put(3)).isInstanceOf(QueueShutDownException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void immediateShutdownAfterAGentleOneStillDiscards(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        q.put(1);
        q.shutdown(false);
        q.shutdown(false);
        assertThat(q.size()).isEqualTo(1);
        q.shutdown(true);
        assertThat(q.size()).isZero();
    }

    // ---------------------------------------------------------------- bad arguments

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void nullItemsAreRejectedNamingTheArgument(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(1);
        assertThatThrownBy(() -> q.put(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("item");
        assertThatThrownBy(() -> q.put(null, SHORT)).isInstanceOf(NullPointerException.class).hasMessageContaining("item");
        assertThatThrownBy(() -> q.tryPut(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("item");
        assertThat(q.isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void badTimeoutsAreRejectedNamingTheArgument(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(1);
        assertThatThrownBy(() -> q.put(1, null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> q.get(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> q.put(1, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("-0.001");
        assertThatThrownBy(() -> q.get(Duration.ofSeconds(-2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("-2");
        assertThat(q.isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void hugeTimeoutsDoNotOverflow(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(1);
        q.put(1, Duration.ofSeconds(Long.MAX_VALUE));
        assertThat(q.get(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(1);
    }

    // ---------------------------------------------------------------- many producers, many consumers

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void everyItemIsReceivedExactlyOnceByManyConsumers(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final int producers = 4;
        final int consumers = 4;
        final int perProducer = 5_000;
        final WorkQueue<Integer> q = factory.apply(16);
        final ConcurrentHashMap<Integer, AtomicInteger> seen = new ConcurrentHashMap<>();
        final List<Started<Void>> producing = new ArrayList<>();
        final List<Started<Integer>> consuming = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            final boolean timed = c % 2 == 0; // half use get(timeout), half get()
            consuming.add(start(() -> {
                int count = 0;
                try {
                    for (;;) {
                        final Integer item = timed ? q.get(LONG) : q.get();
                        seen.computeIfAbsent(item, k -> new AtomicInteger()).incrementAndGet();
                        count++;
                    }
                } catch (QueueShutDownException done) {
                    return count;
                }
            }));
        }
        for (int p = 0; p < producers; p++) {
            final int base = p * perProducer;
            final boolean polite = p % 2 == 0; // half use put(), half spin on tryPut()
            producing.add(start(() -> {
                for (int i = 0; i < perProducer; i++) {
                    if (polite) {
                        q.put(base + i);
                    } else {
                        while (!q.tryPut(base + i)) {
                            Thread.yield();
                        }
                    }
                }
                return null;
            }));
        }
        for (Started<Void> producer : producing) {
            assertThat(producer.failure()).isNull();
        }
        q.shutdown(false);
        int received = 0;
        for (Started<Integer> consumer : consuming) {
            received += consumer.future().result(LONG);
        }
        assertThat(received).isEqualTo(producers * perProducer);
        assertThat(seen).hasSize(producers * perProducer);
        assertThat(seen.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        assertThat(q.isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void tryGetAfterShutdownWithItemsReturnsThem(final String kind, final IntFunction<WorkQueue<Integer>> factory) {
        final WorkQueue<Integer> q = factory.apply(0);
        q.put(9);
        q.shutdown(false);
        assertThat(q.tryGet()).isEqualTo(Optional.of(9));
    }
}
