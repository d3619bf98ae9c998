package io.bingfa.coro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.WaitInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelTest {

    private static final Duration SHORT = Duration.ofMillis(20);

    // ---------------------------------------------------------------- rendezvous and buffer

    @Test
    void rendezvousHandsOffValuesInSendOrder() throws Exception {
        final Channel<Integer> ch = Channel.rendezvous();
        final Thread producer = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 1_000; i++) {
                ch.send(i);
            }
        });
        for (int i = 0; i < 1_000; i++) {
            assertThat(ch.receive()).isEqualTo(i);
        }
        producer.join();
        assertThat(ch.capacity()).isZero();
        assertThat(ch.size()).isZero();
    }

    @Test
    void rendezvousSendWaitsForAReceiver() throws Exception {
        final Channel<String> ch = Channel.rendezvous();
        assertThat(ch.trySend("nobody listens")).isFalse();
        assertThat(ch.send("nobody listens", SHORT)).isFalse();
        assertThat(ch.tryReceive()).isEmpty();

        final AtomicBoolean sent = new AtomicBoolean();
        final Thread sender = Thread.ofVirtual().start(() -> {
            ch.send("hello");
            sent.set(true);
        });
        awaitParked(sender);
        assertThat(sent).isFalse();
        assertThat(ch.receive()).isEqualTo("hello");
        sender.join();
        assertThat(sent).isTrue();
    }

    @Test
    void trySendReachesABlockedReceiver() throws Exception {
        final Channel<String> ch = Channel.rendezvous();
        final AtomicReference<String> got = new AtomicReference<>();
        final Thread receiver = Thread.ofVirtual().start(() -> got.set(ch.receive()));
        awaitParked(receiver);
        assertThat(ch.trySend("x")).isTrue();
        receiver.join();
        assertThat(got).hasValue("x");
    }

    @Test
    void bufferedChannelHoldsUpToCapacity() {
        final Channel<String> ch = Channel.buffered(2);
        assertThat(ch.capacity()).isEqualTo(2);
        assertThat(ch.trySend("a")).isTrue();
        assertThat(ch.trySend("b")).isTrue();
        assertThat(ch.trySend("c")).isFalse();
        assertThat(ch.send("c", SHORT)).isFalse();
        assertThat(ch.size()).isEqualTo(2);
        assertThat(ch.receive()).isEqualTo("a");
        assertThat(ch.trySend("c")).isTrue();
        assertThat(ch.receive()).isEqualTo("b");
        assertThat(ch.tryReceive()).contains("c");
        assertThat(ch.tryReceive()).isEmpty();
        assertThat(ch.receive(SHORT)).isEmpty();
        assertThat(ch.size()).isZero();
    }

    @Test
    void blockedSendersOfAFullBufferFollowInFifoOrder() throws Exception {
        final Channel<Integer> ch = Channel.buffered(1);
        ch.send(0);
        final List<Thread> senders = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            final int value = i;
            final Thread t = Thread.ofVirtual().start(() -> ch.send(value));
            awaitParked(t); // queue them in a known order
            senders.add(t);
        }
        for (int i = 0; i <= 3; i++) {
            assertThat(ch.receive()).isEqualTo(i);
        }
        for (Thread t : senders) {
            t.join();
        }
        assertThat(ch.size()).isZero();
    }

    @Test
    void timedOutSendIsNotDelivered() {
        final Channel<String> ch = Channel.rendezvous();
        assertThat(ch.send("late", Duration.ofMillis(5))).isFalse();
        assertThat(ch.tryReceive()).isEmpty();
        final Channel<String> full = Channel.buffered(1);
        full.send("first");
        assertThat(full.send("late", Duration.ofMillis(5))).isFalse();
        assertThat(full.receive()).isEqualTo("first");
        assertThat(full.tryReceive()).isEmpty();
    }

    @Test
    void timedOutReceiverDoesNotSwallowALaterValue() {
        final Channel<String> ch = Channel.rendezvous();
        assertThat(ch.receive(Duration.ofMillis(5))).isEmpty();
        // the withdrawn receiver must be gone: nobody can take this now
        assertThat(ch.trySend("v")).isFalse();
    }

    // ---------------------------------------------------------------- many threads, exactly once

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {0, 1, 16})
    void manyProducersAndConsumersReceiveEveryValueExactlyOnce(final int capacity) throws Exception {
        exactlyOnce(capacity, 8, 8, 5_000, Mode.PLAIN, true);
    }

    @Test
    void platformThreadsReceiveEveryValueExactlyOnce() throws Exception {
        exactlyOnce(0, 3, 3, 3_000, Mode.PLAIN, false);
        exactlyOnce(2, 3, 3, 3_000, Mode.TIMEOUTS, false);
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {0, 4})
    void everyValueExactlyOnceWithTimeoutsMixedIn(final int capacity) throws Exception {
        exactlyOnce(capacity, 6, 6, 3_000, Mode.TIMEOUTS, true);
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {0, 4})
    void everyValueExactlyOnceWithInterruptsMixedIn(final int capacity) throws Exception {
        exactlyOnce(capacity, 6, 6, 3_000, Mode.INTERRUPTS, true);
    }

    private enum Mode { PLAIN, TIMEOUTS, INTERRUPTS }

    /**
     * {@code producers} threads each send {@code perProducer} distinct values, {@code consumers} threads
     * receive until the channel is closed; every value must arrive exactly once. With TIMEOUTS, both sides
     * use very short timed operations and retry; with INTERRUPTS, a chaos thread interrupts everyone at
     * random and both sides retry what was interrupted (an interrupted send was not sent). Virtual threads,
     * or platform threads (which spin differently before parking).
     */
    private static void exactlyOnce(final int capacity, final int producers, final int consumers,
                                    final int perProducer, final Mode mode, final boolean virtual) throws Exception {
        final Channel<Integer> ch = capacity == 0 ? Channel.rendezvous() : Channel.buffered(capacity);
        final int total = producers * perProducer;
        final AtomicIntegerArray seen = new AtomicIntegerArray(total);
                try (ExecutorService exec = virtual ? Executors.newVirtualThreadPerTaskExecutor() : Executors.newCachedThreadPool()) {
            final List<Thread> threads = new ArrayList<>();
            final List<Future<?>> producing = new ArrayList<>();
            final List<Future<?>> consuming = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                final int base = p * perProducer;
                producing.add(exec.submit(() -> {
                    register(threads);
                    for (int i = 0; i < perProducer; i++) {
                        final Integer value = base + i;
                        boolean sent = false;
                        while (!sent) {
                            try {
                                sent = mode == Mode.TIMEOUTS ? ch.send(value, shortWait()) : sendTrue(ch, value);
                            } catch (WaitInterruptedException e) {
                                Thread.interrupted(); // not sent: try again
                            }
                        }
                    }
                    return null;
                }));
            }
            for (int c = 0; c < consumers; c++) {
                consuming.add(exec.submit(() -> {
                    register(threads);
                    for (;;) {
                        try {
                            final Optional<Integer> v = mode == Mode.TIMEOUTS
                                    ? ch.receive(shortWait()) : Optional.of(ch.receive());
                            v.ifPresent(x -> seen.incrementAndGet(x));
                        } catch (WaitInterruptedException e) {
                            Thread.interrupted(); // nothing received: try again
                        } catch (ChannelClosedException e) {
                            return null;
                        }
                    }
                }));
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final Future<?> chaos = exec.submit(() -> {
                while (mode == Mode.INTERRUPTS && !stop.get()) {
                    final List<Thread> snapshot;
                    synchronized (threads) {
                        snapshot = List.copyOf(threads);
                    }
                    for (int i = 0; i < 3 && !snapshot.isEmpty(); i++) {
                        snapshot.get(ThreadLocalRandom.current().nextInt(snapshot.size())).interrupt();
                    }
                    Thread.sleep(0, 20_000);
                }
                return null;
            });
            for (Future<?> f : producing) {
                f.get(40, TimeUnit.SECONDS);
            }
            stop.set(true);
            chaos.get(10, TimeUnit.SECONDS);
            ch.close();
            for (Future<?> f : consuming) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        for (int i = 0; i < total; i++) {
            if (seen.get(i) != 1) {
                throw new AssertionError("value " + i + " received " + seen.get(i) + " times");
            }
        }
    }

    private static boolean sendTrue(final Channel<Integer> ch, final Integer value) {
        ch.send(value);
        return true;
    }

    private static void register(final List<Thread> threads) {
        synchronized (threads) {
            threads.add(Thread.currentThread());
        }
    }

    // ---------------------------------------------------------------- close

    @Test
    void closeLetsBufferedValuesDrainThenReceiversThrow() {
        final Channel<Integer> ch = Channel.buffered(3);
        ch.send(1);
        ch.send(2);
        ch.close();
        ch.close(); // idempotent
        assertThat(ch.isClosed()).isTrue();
        assertThatThrownBy(() -> ch.send(3)).isInstanceOf(ChannelClosedException.class)
                .hasMessageStartingWith("send on closed channel#");
        assertThatThrownBy(() -> ch.trySend(3)).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> ch.send(3, SHORT)).isInstanceOf(ChannelClosedException.class);
        assertThat(ch.receive()).isEqualTo(1);
        assertThat(ch.tryReceive()).contains(2);
        assertThatThrownBy(ch::receive).isInstanceOf(ChannelClosedException.class)
                .hasMessageStartingWith("receive from closed channel#");
        assertThatThrownBy(ch::tryReceive).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(() -> ch.receive(SHORT)).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void closeWakesABlockedSender() throws Exception {
        final Channel<String> ch = Channel.rendezvous();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread sender = Thread.ofVirtual().start(() -> {
            try {
                ch.send("never");
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        awaitParked(sender);
        ch.close();
        sender.join();
        assertThat(thrown.get()).isInstanceOf(ChannelClosedException.class);
        assertThatThrownBy(ch::receive).isInstanceOf(ChannelClosedException.class); // the value was not sent
    }

    @Test
    void closeWakesAFullBuffersSenderButKeepsTheBufferedValues() throws Exception {
        final Channel<String> ch = Channel.buffered(1);
        ch.send("kept");
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread sender = Thread.ofPlatform().start(() -> {
            try {
                ch.send("dropped", Duration.ofMinutes(1));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        awaitParked(sender);
        ch.close();
        sender.join();
        assertThat(thrown.get()).isInstanceOf(ChannelClosedException.class);
        assertThat(ch.receive()).isEqualTo("kept");
        assertThatThrownBy(ch::receive).isInstanceOf(ChannelClosedException.class);
    }

    @Test
    void closeWakesAllBlockedReceivers() throws Exception {
        final Channel<String> ch = Channel.buffered(2);
        final List<Thread> receivers = new ArrayList<>();
        final List<Throwable> thrown = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            final boolean timed = i % 2 == 0;
            receivers.add(Thread.ofVirtual().start(() -> {
                try {
                    if (timed) {
                        ch.receive(Duration.ofMinutes(1));
                    } else {
                        ch.receive();
                    }
                } catch (Throwable t) {
                    synchronized (thrown) {
                        thrown.add(t);
                    }
                }
            }));
        }
        for (Thread t : receivers) {
            awaitParked(t);
        }
        ch.close();
        for (Thread t : receivers) {
            t.join();
        }
        assertThat(thrown).hasSize(4).allMatch(t -> t instanceof ChannelClosedException);
    }

    @Test
    void iteratorReceivesUntilClosedAndDrained() throws Exception {
        final Channel<Integer> ch = Channel.buffered(4);
        final Thread producer = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 100; i++) {
                ch.send(i);
            }
            ch.close();
        });
        final List<Integer> got = new ArrayList<>();
        for (int v : ch) {
            got.add(v);
        }
        producer.join();
        assertThat(got).hasSize(100).isSorted();
        final Iterator<Integer> it = ch.iterator();
        assertThat(it.hasNext()).isFalse();
        assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }

    // ---------------------------------------------------------------- interrupts

    @Test
    void interruptedReceiverThrowsAndLeavesNoStaleWaiter() throws Exception {
        final Channel<String> ch = Channel.rendezvous();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final AtomicBoolean stillInterrupted = new AtomicBoolean();
        final Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                ch.receive();
            } catch (Throwable t) {
                thrown.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        awaitParked(receiver);
        receiver.interrupt();
        receiver.join();
        assertThat(thrown.get()).isInstanceOf(WaitInterruptedException.class);
        assertThat(stillInterrupted).isTrue();
        assertThat(ch.trySend("lost?")).isFalse();
    }

    @Test
    void interruptedSenderThrowsAndItsValueIsNotSent() throws Exception {
        final Channel<String> ch = Channel.rendezvous();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread sender = Thread.ofVirtual().start(() -> {
            try {
                ch.send("withdrawn");
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        awaitParked(sender);
        sender.interrupt();
        sender.join();
        assertThat(thrown.get()).isInstanceOf(WaitInterruptedException.class);
        assertThat(ch.tryReceive()).isEmpty();
    }

    @Test
    void alreadyInterruptedThreadThrowsOnlyWhenItWouldBlock() {
        final Channel<String> ch = Channel.buffered(1);
        Thread.currentThread().interrupt();
        try {
            assertThat(ch.trySend("a")).isTrue();
            assertThatThrownBy(() -> ch.send("b")).isInstanceOf(WaitInterruptedException.class);
            assertThat(ch.receive()).isEqualTo("a");
            assertThatThrownBy(ch::receive).isInstanceOf(WaitInterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    // ---------------------------------------------------------------- races on one waiter

    /**
     * A blocked receiver is interrupted just as a value is offered to it: either it got the value (and the
     * offer reported delivery) or it threw and the offer failed; never both, never neither.
     */
    @Test
    void interruptRacingAHandOffToAReceiverEitherDeliversOrWithdraws() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            final Channel<Integer> ch = Channel.rendezvous();
            final AtomicReference<Object> outcome = new AtomicReference<>();
            final Thread receiver = Thread.ofVirtual().start(() -> {
                try {
                    outcome.set(ch.receive());
                } catch (WaitInterruptedException e) {
                    outcome.set(e);
                }
            });
            spinRandomly();
            final boolean delivered;
            if (i % 2 == 0) {
                receiver.interrupt();
                delivered = ch.trySend(i);
            } else {
                delivered = ch.trySend(i);
                receiver.interrupt();
            }
            if (!delivered) {
                receiver.interrupt(); // a receiver that was not blocked yet must still end
            }
            receiver.join();
            if (delivered) {
                assertThat(outcome.get()).as("round %d", i).isEqualTo(i);
            } else {
                assertThat(outcome.get()).as("round %d", i).isInstanceOf(WaitInterruptedException.class);
            }
        }
    }

    /** The same race on the sending side: a sender whose value was taken must not report failure. */
    @Test
    void interruptRacingAHandOffFromASenderEitherDeliversOrWithdraws() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            final Channel<Integer> ch = Channel.rendezvous();
            final AtomicReference<Object> outcome = new AtomicReference<>();
            final int value = i;
            final Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    ch.send(value);
                    outcome.set("sent");
                } catch (WaitInterruptedException e) {
                    outcome.set(e);
                }
            });
            spinRandomly();
            sender.interrupt();
            final Optional<Integer> got = ch.tryReceive();
            sender.interrupt();
            sender.join();
            if (got.isPresent()) {
                assertThat(got).contains(i);
                assertThat(outcome.get()).as("round %d", i).isEqualTo("sent");
            } else {
                assertThat(outcome.get()).as("round %d", i).isInstanceOf(WaitInterruptedException.class);
            }
        }
    }

    /** A sender's timeout racing a receiver: a value taken counts as sent, one not taken is not sent. */
    @Test
    void timeoutRacingAHandOffCountsTheValueExactlyOnce() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            final Channel<Integer> ch = Channel.rendezvous();
            final AtomicBoolean sent = new AtomicBoolean();
            final int value = i;
            final Thread sender = Thread.ofVirtual().start(() -> sent.set(ch.send(value, shortWait())));
            spinRandomly();
            final Optional<Integer> got = ch.tryReceive();
            sender.join();
            assertThat(got.isPresent()).as("round %d", i).isEqualTo(sent.get());
            assertThat(ch.tryReceive()).isEmpty();
        }
    }

    private static void spinRandomly() {
        final int spins = ThreadLocalRandom.current().nextInt(20_000);
        for (int s = 0; s < spins; s++) {
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------- bad arguments

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        assertThatThrownBy(() -> Channel.buffered(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be at least 1, was 0");
        assertThatThrownBy(() -> Channel.buffered(-3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity must be at least 1, was -3");
        final Channel<String> ch = Channel.buffered(1);
        assertThatThrownBy(() -> ch.send(null)).isInstanceOf(NullPointerException.class).hasMessage("value");
        assertThatThrownBy(() -> ch.trySend(null)).isInstanceOf(NullPointerException.class).hasMessage("value");
        assertThatThrownBy(() -> ch.send(null, SHORT)).isInstanceOf(NullPointerException.class).hasMessage("value");
        assertThatThrownBy(() -> ch.send("x", null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
        assertThatThrownBy(() -> ch.receive(null)).isInstanceOf(NullPointerException.class).hasMessage("timeout");
        assertThatThrownBy(() -> ch.send("x", Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> ch.receive(Duration.ofSeconds(-2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must not be negative, was PT-2S");
        assertThat(ch.size()).isZero(); // nothing was sent by the failed calls
    }

    @Test
    void hugeTimeoutsDoNotOverflow() {
        final Channel<String> ch = Channel.buffered(1);
        ch.send("x");
        assertThat(ch.receive(Duration.ofSeconds(Long.MAX_VALUE))).contains("x");
        assertThat(ch.send("y", Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
    }

    @Test
    void toStringShowsKindFillAndState() {
        final Channel<String> ch = Channel.buffered(2);
        ch.send("a");
        assertThat(ch.toString()).matches("channel#\\d+\\[buffered 1/2]");
        ch.close();
        assertThat(ch.toString()).endsWith(", closed]");
        assertThat(Channel.rendezvous().toString()).matches("channel#\\d+\\[rendezvous]");
    }

    // ---------------------------------------------------------------- helpers

    /** A random wait of 1 to 30 microseconds: short enough that timeouts race with hand-offs. */
    static Duration shortWait() {
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(1_000, 30_000));
    }

    /** Waits until {@code t} is parked (or done), that is, blocked in a channel operation. */
    static void awaitParked(final Thread t) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (;;) {
            final Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.TERMINATED) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(t + " did not block, state " + s);
            }
            Thread.sleep(1);
        }
    }

}
