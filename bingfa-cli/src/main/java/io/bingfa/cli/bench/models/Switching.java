package io.bingfa.cli.bench.models;

import io.bingfa.cli.bench.Measure;
import io.bingfa.coro.Channel;
import io.bingfa.coro.Coro;
import io.bingfa.future.TaskFuture;
import java.time.Duration;
import java.util.List;
import java.util.PrimitiveIterator;

/**
 * The seed's "coroutines by yield" test: {@code func2} drives a generator with {@code next()} N times
 * (28.5 s for 10^8 in the seed), against the same two loops run one after the other (17.1 s).
 *
 * <p>Three JVM versions, each reported per item so that different N compare:
 * <ul>
 *   <li>{@link #iterator}: the like-for-like of a Python generator, a hand-written
 *       {@link PrimitiveIterator.OfLong} (a generator is a state machine; so is this). The JIT inlines it.
 *   <li>{@link #loops}: the serial version, two plain loops.
 *   <li>{@link #channelHandOff}: a real switch between two coroutines, each item handed from a producer
 *       virtual thread to a consumer through {@link Channel#rendezvous()}: both park and unpark per item, so
 *       this is the price of a coroutine switch on the JVM, which a Python generator's {@code yield} does
 *       not pay. It is reported as it is, even when slower than the yield.
 * </ul>
 * Every version sums what it computes and returns the sum, so the JIT cannot drop the work.
 */
public final class Switching {

    private Switching() {}

    /** A timed run: wall seconds for {@code n} items and the sum the work produced. */
    public record Run(long n, double seconds, long checksum) {
        /** Nanoseconds per item. */
        public double nanosPerItem() {
            return seconds / n * 1e9;
        }
    }

    /** The seed's {@code func1}: {@code while True: 1000000 + 1; yield}. */
    private static final class Func1 implements PrimitiveIterator.OfLong {
        private long value;

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public long nextLong() {
            value += 1_000_000 + 1;
            return value;
        }
    }

    /** The seed's {@code func2} with an iterator as the generator: {@code n} calls of {@code next()}. */
    public static Run iterator(final long n) {
        final long[] sum = new long[1];
        final double s = Measure.seconds(() -> {
            final PrimitiveIterator.OfLong g = new Func1();
            long acc = 0;
            for (long i = 0; i < n; i++) {
                acc += i + 1;
                acc ^= g.nextLong();
            }
            sum[0] = acc;
        });
        return new Run(n, s, sum[0]);
    }

    /** The seed's serial version: two loops of {@code n} iterations; per item is per iteration (2n of them). */
    public static Run loops(final long n) {
        final long[] sum = new long[1];
        final double s = Measure.seconds(() -> sum[0] = loop(n) + loop(n));
        return new Run(2 * n, s, sum[0]);
    }

    private static long loop(final long n) {
        long acc = 0;
        for (long i = 0; i < n; i++) {
            acc += i + 1;
        }
        return acc;
    }

    /** {@code n} items from a producer coroutine to a consumer coroutine through a rendezvous channel. */
    public static Run channelHandOff(final long n) {
        final long[] sum = new long[1];
        final double s = Measure.seconds(() -> {
            final Channel<Long> channel = Channel.rendezvous();
            final TaskFuture<Void> producer = Coro.spawn(() -> {
                for (long i = 0; i < n; i++) {
                    channel.send(i);
                }
            });
            final TaskFuture<Long> consumer = Coro.spawn(() -> {
                long acc = 0;
                for (long i = 0; i < n; i++) {
                    acc += channel.receive();
                }
                return acc;
            });
            if (!Coro.joinAll(List.of(producer, consumer), Duration.ofMinutes(5))) {
                throw new IllegalStateException("channel hand-off of " + n + " items did not finish in 5 minutes");
            }
            producer.result();
            sum[0] = consumer.result();
        });
        if (sum[0] != n * (n - 1) / 2) {
            throw new IllegalStateException("channel hand-off lost items: sum " + sum[0] + ", expected " + n * (n - 1) / 2);
        }
        return new Run(n, s, sum[0]);
    }

    /** The median of {@code reps} runs, after one untimed warm-up run that lets the JIT compile the loop. */
    public static Run median(final int reps, final java.util.function.Supplier<Run> run) {
        run.get();
        final double[] times = new double[reps];
        Run last = null;
        for (int i = 0; i < reps; i++) {
            last = run.get();
            times[i] = last.seconds();
        }
        return new Run(last.n(), Measure.median(times), last.checksum());
    }
}
