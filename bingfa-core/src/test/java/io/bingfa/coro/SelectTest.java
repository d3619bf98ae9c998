package io.bingfa.coro;

import static io.bingfa.coro.ChannelTest.awaitParked;
import static io.bingfa.coro.ChannelTest.shortWait;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.WaitInterruptedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectTest {

    // ---------------------------------------------------------------- picking and blocking

    @Test
    void picksTheReadyCase() {
        final Channel<String> empty = Channel.buffered(1);
        final Channel<String> ready = Channel.buffered(1);
        ready.send("v");
        final AtomicReference<String> got = new AtomicReference<>();
        final int fired = Select.of()
                .onReceive(empty, v -> got.set("wrong " + v))
                .onReceive(ready, got::set)
                .run();
        assertThat(fired).isEqualTo(1);
        assertThat(got).hasValue("v");
        assertThat(ready.size()).isZero();
    }

    @Test
    void blocksUntilACaseIsReady() throws Exception {
        final Channel<String> a = Channel.rendezvous();
        final Channel<String> b = Channel.rendezvous();
        final AtomicReference<String> got = new AtomicReference<>();
        final AtomicReference<Integer> fired = new AtomicReference<>();
        final Thread selector = Thread.ofVirtual().start(() -> fired.set(Select.of()
                .onReceive(a, v -> got.set("a:" + v))
                .onReceive(b, v -> got.set("b:" + v))
                .run()));
        awaitParked(selector);
        assertThat(fired.get()).isNull();
        b.send("hello"); // returns only once the select took it
        selector.join();
        assertThat(fired.get()).isEqualTo(1);
        assertThat(got).hasValue("b:hello");
        // the losing case's receiver node is gone
        assertThat(a.trySend("nobody")).isFalse();
    }

    @Test
    void timeoutCaseFiresWhenNothingArrives() {
        final Channel<String> ch = Channel.rendezvous();
        final AtomicBoolean timedOut = new AtomicBoolean();
        final int fired = Select.of()
                .onReceive(ch, v -> { })
                .onTimeout(Duration.ofMillis(20), () -> timedOut.set(true))
                .run();
        assertThat(fired).isEqualTo(1);
        assertThat(timedOut).isTrue();
        assertThat(ch.trySend("after")).isFalse(); // the select withdrew from the channel
    }

    @Test
    void timeoutAloneJustWaits() {
        assertThat(Select.of().onTimeout(Duration.ofMillis(5), null).run()).isZero();
        assertThat(Select.of().onTimeout(Duration.ZERO, null).run()).isZero();
    }

    @Test
    void zeroTimeoutStillTakesAReadyCase() {
        final Channel<String> ch = Channel.buffered(1);
        ch.send("x");
        assertThat(Select.of().onTimeout(Duration.ZERO, null).onReceive(ch, null).run()).isEqualTo(1);
        assertThat(ch.size()).isZero();
    }

    @Test
    void orElseRunsWhenNothingIsReadyAndNeverBlocks() {
        final Channel<String> ch = Channel.rendezvous();
        final AtomicBoolean ranDefault = new AtomicBoolean();
        final int fired = Select.of()
                .onReceive(ch, v -> { })
                .onSend(ch, "v", null)
                .orElse(() -> ranDefault.set(true))
                .run();
        assertThat(fired).isEqualTo(2);
        assertThat(ranDefault).isTrue();
        assertThat(ch.trySend("x")).isFalse(); // nothing was queued
        assertThat(Select.of().orElse(null).run()).isZero();
    }

    @Test
    void orElseIsSkippedWhenACaseIsReady() {
        final Channel<Integer> ch = Channel.buffered(1);
        ch.send(7);
        final AtomicReference<Integer> got = new AtomicReference<>();
        assertThat(Select.of().orElse(() -> got.set(-1)).onReceive(ch, got::set).run()).isEqualTo(1);
        assertThat(got).hasValue(7);
    }

    @Test
    void nullHandlersAreNoOps() {
        final Channel<String> ch = Channel.buffered(1);
        assertThat(Select.of().onSend(ch, "x", null).run()).isZero();
        assertThat(Select.of().onReceive(ch, null).run()).isZero();
        ch.close();
        assertThat(Select.of().onReceive(ch, null, null).run()).isZero();
    }

    @Test
    void sameChannelInSeveralCasesDeliversOnce() throws Exception {
        final Channel<Integer> ch = Channel.rendezvous();
        final List<Integer> got = new ArrayList<>();
        final Thread selector = Thread.ofVirtual().start(() -> Select.of()
                .onReceive(ch, got::add)
                .onReceive(ch, got::add)
                .run());
        awaitParked(selector);
        ch.send(1);
        selector.join();
        assertThat(got).containsExactly(1);
        assertThat(ch.trySend(2)).isFalse(); // the other case's node was withdrawn
    }

    @Test
    void selectDoesNotMatchItself() {
        final Channel<String> ch = Channel.rendezvous();
        final int fired = Select.of()
                .onSend(ch, "me", null)
                .onReceive(ch, v -> { })
                .onTimeout(Duration.ofMillis(5), null)
                .run();
        assertThat(fired).isEqualTo(2);
    }

    // ---------------------------------------------------------------- send cases

    @Test
    void sendCaseHandsToABlockedReceiver() throws Exception {
        final Channel<String> ch = Channel.rendezvous();
        final AtomicReference<String> got = new AtomicReference<>();
        final Thread receiver = Thread.ofVirtual().start(() -> got.set(ch.receive()));
        awaitParked(receiver);
        final AtomicBoolean sent = new AtomicBoolean();
        assertThat(Select.of().onSend(ch, "hi", () -> sent.set(true)).run()).isZero();
        receiver.join();
        assertThat(sent).isTrue();
        assertThat(got).hasValue("hi");
    }

    @Test
    void sendCaseWaitsForRoomOrAReceiver() throws Exception {
        final Channel<String> full = Channel.buffered(1);
        full.send("old");
        final Channel<String> quiet = Channel.rendezvous();
        final AtomicReference<Integer> fired = new AtomicReference<>();
        final Thread selector = Thread.ofVirtual().start(() -> fired.set(Select.of()
                .onSend(quiet, "to-quiet", null)
                .onSend(full, "new", null)
                .run()));
        awaitParked(selector);
        assertThat(full.receive()).isEqualTo("old"); // frees the slot: the select's send moves in
        selector.join();
        assertThat(fired.get()).isEqualTo(1);
        assertThat(full.receive()).isEqualTo("new");
        assertThat(quiet.tryReceive()).isEmpty(); // the other send was withdrawn, not delivered
    }

    @Test
    void twoSelectsMatchEachOther() throws Exception {
        final Channel<Integer> ch = Channel.rendezvous();
        final Channel<Integer> other = Channel.rendezvous();
        final AtomicReference<Integer> got = new AtomicReference<>();
        final Thread receiver = Thread.ofVirtual().start(() -> Select.of()
                .onReceive(other, got::set)
                .onReceive(ch, got::set)
                .run());
        awaitParked(receiver);
        assertThat(Select.of().onReceive(other, v -> { }).onSend(ch, 42, null).run()).isEqualTo(1);
        receiver.join();
        assertThat(got).hasValue(42);
    }

    // ---------------------------------------------------------------- closed channels

    @Test
    void receiveFromClosedAndDrainedChannelThrowsNamingTheCase() {
        final Channel<String> open = Channel.rendezvous();
        final Channel<String> closed = Channel.buffered(1);
        closed.send("last");
        closed.close();
        final AtomicReference<String> got = new AtomicReference<>();
        // still a value buffered: the case fires normally
        assertThat(Select.of().onReceive(open, got::set).onReceive(closed, got::set).run()).isEqualTo(1);
        assertThat(got).hasValue("last");
        assertThatThrownBy(() -> Select.of().onReceive(open, got::set).onReceive(closed, got::set).run())
                .isInstanceOf(ChannelClosedException.class)
                .hasMessageStartingWith("select case 1: receive from closed channel#");
    }

    @Test
    void onClosedFiresForAClosedAndDrainedChannel() {
        final Channel<String> ch = Channel.rendezvous();
        ch.close();
        final AtomicBoolean closedRan = new AtomicBoolean();
        final int fired = Select.of()
                .onTimeout(Duration.ofMinutes(1), null)
                .onReceive(ch, v -> { }, () -> closedRan.set(true))
                .run();
        assertThat(fired).isEqualTo(1);
        assertThat(closedRan).isTrue();
    }

    @Test
    void sendCaseOnClosedChannelThrows() {
        final Channel<String> ch = Channel.buffered(1);
        ch.close();
        assertThatThrownBy(() -> Select.of().onSend(ch, "x", null).orElse(null).run())
                .isInstanceOf(ChannelClosedException.class)
                .hasMessageStartingWith("select case 0: send on closed channel#");
    }

    @Test
    void closeWakesABlockedSelect() throws Exception {
        final Channel<String> a = Channel.rendezvous();
        final Channel<String> b = Channel.rendezvous();
        final Channel<String> c = Channel.rendezvous();
        final AtomicBoolean closedRan = new AtomicBoolean();
        final AtomicReference<Integer> fired = new AtomicReference<>();
        final Thread withHandler = Thread.ofVirtual().start(() -> fired.set(Select.of()
                .onReceive(a, v -> { })
                .onReceive(b, v -> { }, () -> closedRan.set(true))
                .run()));
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread without = Thread.ofVirtual().start(() -> {
            try {
                Select.of().onReceive(a, v -> { }).onSend(c, "x", null).run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        awaitParked(withHandler);
        awaitParked(without);
        b.close();
        c.close();
        withHandler.join();
        without.join();
        assertThat(fired.get()).isEqualTo(1);
        assertThat(closedRan).isTrue();
        assertThat(thrown.get()).isInstanceOf(ChannelClosedException.class)
                .hasMessageStartingWith("select case 1: send on closed channel#");
        assertThat(a.trySend("nobody")).isFalse(); // both selects withdrew from a
    }

    // ---------------------------------------------------------------- interrupts

    @Test
    void interruptedSelectThrowsAndWithdraws() throws Exception {
        final Channel<String> a = Channel.rendezvous();
        final Channel<String> b = Channel.buffered(1);
        b.send("full");
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final Thread selector = Thread.ofVirtual().start(() -> {
            try {
                Select.of().onReceive(a, v -> { }).onSend(b, "mine", null).run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        awaitParked(selector);
        selector.interrupt();
        selector.join();
        assertThat(thrown.get()).isInstanceOf(WaitInterruptedException.class);
        assertThat(a.trySend("x")).isFalse();
        assertThat(b.receive()).isEqualTo("full");
        assertThat(b.tryReceive()).isEmpty(); // "mine" was not sent
    }

    // ---------------------------------------------------------------- fairness

    @Test
    void twoAlwaysReadyChannelsAreChosenFairly() {
        final Channel<Integer> a = Channel.buffered(1);
        final Channel<Integer> b = Channel.buffered(1);
        a.send(0);
        b.send(1);
        final int[] counts = new int[2];
        final int rounds = 10_000;
        for (int i = 0; i < rounds; i++) {
            final int fired = Select.of().onReceive(a, a::send).onReceive(b, b::send).run(); // refill at once
            counts[fired]++;
        }
        assertThat(counts[0]).isGreaterThan(rounds * 3 / 10);
        assertThat(counts[1]).isGreaterThan(rounds * 3 / 10);
    }

    // ---------------------------------------------------------------- stress

    /**
     * N senders on 3 channels (plain sends, timed sends, and selects over send cases), M receivers
     * selecting over all 3 (some with timeouts, some interrupted at random): every value is received
     * exactly once.
     */
    @Test
    void selectingReceiversNeverLoseOrDuplicateAValue() throws Exception {
        final List<Channel<Integer>> channels = List.of(Channel.rendezvous(), Channel.buffered(2), Channel.rendezvous());
        final int senders = 6;
        final int receivers = 6;
        final int perSender = 3_000;
        final int total = senders * perSender;
        final AtomicIntegerArray seen = new AtomicIntegerArray(total);
        final List<Thread> victims = new ArrayList<>();
        try (ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor()) {
            final List<Future<?>> sending = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                final int id = s;
                sending.add(exec.submit(() -> {
                    synchronized (victims) {
                        victims.add(Thread.currentThread());
                    }
                    for (int i = 0; i < perSender; i++) {
                        final Integer value = id * perSender + i;
                        boolean sent = false;
                        while (!sent) {
                            try {
                                sent = sendOne(id, value, channels);
                            } catch (WaitInterruptedException e) {
                                Thread.interrupted(); // not sent: again
                            }
                        }
                    }
                    return null;
                }));
            }
            final List<Future<?>> receiving = new ArrayList<>();
            for (int r = 0; r < receivers; r++) {
                final boolean timed = r % 2 == 1;
                receiving.add(exec.submit(() -> {
                    synchronized (victims) {
                        victims.add(Thread.currentThread());
                    }
                    final boolean[] closed = new boolean[channels.size()];
                    int open = channels.size();
                    while (open > 0) {
                        final Select select = Select.of();
                        for (int c = 0; c < channels.size(); c++) {
                            if (!closed[c]) {
                                final int ci = c;
                                select.onReceive(channels.get(c), seen::incrementAndGet, () -> closed[ci] = true);
                            }
                        }
                        if (timed) {
                            select.onTimeout(shortWait(), null);
                        }
                        try {
                            select.run();
                        } catch (WaitInterruptedException e) {
                            Thread.interrupted(); // nothing received: again
                        }
                        open = 0;
                        for (boolean c : closed) {
                            open += c ? 0 : 1;
                        }
                    }
                    return null;
                }));
            }
            final AtomicBoolean stop = new AtomicBoolean();
            final Future<?> chaos = exec.submit(() -> {
                while (!stop.get()) {
                    final List<Thread> snapshot;
                    synchronized (victims) {
                        snapshot = List.copyOf(victims);
                    }
                    for (int i = 0; i < 3 && !snapshot.isEmpty(); i++) {
                        snapshot.get(ThreadLocalRandom.current().nextInt(snapshot.size())).interrupt();
                    }
                    Thread.sleep(0, 20_000);
                }
                return null;
            });
            for (Future<?> f : sending) {
                f.get(40, TimeUnit.SECONDS);
            }
            stop.set(true);
            chaos.get(10, TimeUnit.SECONDS);
            channels.forEach(Channel::close);
            for (Future<?> f : receiving) {
                f.get(10, TimeUnit.SECONDS);
            }
        }
        for (int i = 0; i < total; i++) {
            if (seen.get(i) != 1) {
                throw new AssertionError("value " + i + " received " + seen.get(i) + " times");
            }
        }
    }

    /** Sends {@code value} on one of the channels, in a way that depends on the sender. */
    private static boolean sendOne(final int sender, final Integer value, final List<Channel<Integer>> channels) {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        return switch (sender % 3) {
            case 0 -> {
                channels.get(random.nextInt(channels.size())).send(value);
                yield true;
            }
            case 1 -> channels.get(random.nextInt(channels.size())).send(value, shortWait());
            default -> {
                final Select select = Select.of();
                for (Channel<Integer> ch : channels) {
                    select.onSend(ch, value, null);
                }
                if (random.nextBoolean()) {
                    select.onTimeout(shortWait(), null);
                }
                yield select.run() < channels.size();
            }
        };
    }

    // ---------------------------------------------------------------- bad arguments and misuse

    @Test
    void badArgumentsAndMisuseAreRejected() {
        final Channel<String> ch = Channel.buffered(1);
        assertThatThrownBy(() -> Select.of().run()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("select has no cases");
        assertThatThrownBy(() -> Select.of().onReceive(null, v -> { })).isInstanceOf(NullPointerException.class)
                .hasMessage("channel");
        assertThatThrownBy(() -> Select.of().onReceive(null, v -> { }, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("channel");
        assertThatThrownBy(() -> Select.of().onSend(null, "x", null)).isInstanceOf(NullPointerException.class)
                .hasMessage("channel");
        assertThatThrownBy(() -> Select.of().onSend(ch, null, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("value");
        assertThatThrownBy(() -> Select.of().onTimeout(null, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("timeout");
        assertThatThrownBy(() -> Select.of().onTimeout(Duration.ofSeconds(-1), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must not be negative, was PT-1S");
        assertThatThrownBy(() -> Select.of().onTimeout(Duration.ZERO, null).onTimeout(Duration.ZERO, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a timeout case (case 0)");
        assertThatThrownBy(() -> Select.of().orElse(null).orElse(null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a default case");
        assertThatThrownBy(() -> Select.of().orElse(null).onTimeout(Duration.ZERO, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a default case");
        assertThatThrownBy(() -> Select.of().onTimeout(Duration.ZERO, null).orElse(null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a timeout case");

        final Select once = Select.of().orElse(null);
        once.run();
        assertThatThrownBy(once::run).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("select already ran");
        assertThatThrownBy(() -> once.onReceive(ch, null)).isInstanceOf(IllegalStateException.class);
        final Select empty = Select.of();
        assertThatThrownBy(empty::run).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(empty::run).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("select already ran");
    }

    @Test
    void handlerExceptionPropagatesAfterTheOperationHappened() {
        final Channel<String> ch = Channel.buffered(1);
        ch.send("taken");
        assertThatThrownBy(() -> Select.of().onReceive(ch, v -> {
            throw new IllegalStateException("handler saw " + v);
        }).run()).isInstanceOf(IllegalStateException.class).hasMessage("handler saw taken");
        assertThat(ch.size()).isZero();
    }
}
