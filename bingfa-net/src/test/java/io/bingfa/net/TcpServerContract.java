package io.bingfa.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every server model keeps, run once per model (JCTools' QueueSanityTest pattern): the echo,
 * many clients at once, the connection limit, the idle timeout, graceful shutdown, a failing handler.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class TcpServerContract {

    private final List<TcpServer> servers = new ArrayList<>();

    abstract ServerModel model();

    TcpServer start(final ServerBuilder b) {
        final TcpServer s = b.start();
        servers.add(s);
        return s;
    }

    ServerBuilder builder() {
        return Servers.builder(model());
    }

    @AfterEach
    void closeServers() {
        servers.forEach(TcpServer::close);
    }

    static void eventually(final BooleanSupplier condition) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition still false after 10 s").isNegative();
            Thread.sleep(10);
        }
    }

    @Test
    void echoesUpperCasedByDefault() throws Exception {
        final TcpServer s = start(builder());
        assertThat(s.model()).isEqualTo(model());
        assertThat(s.port()).isPositive();
        try (TestClient c = TestClient.connect(s.address())) {
            assertThat(c.roundTrip("hello, seed 001")).isEqualTo("HELLO, SEED 001");
            assertThat(c.roundTrip("再见 bye")).isEqualTo("再见 BYE");
        }
    }

    @Test
    void servesManyClientsAtOnce() throws Exception {
        final TcpServer s = start(builder());
        final int clients = 200;
        final AtomicInteger ok = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            final int id = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try (TestClient c = TestClient.connect(s.address())) {
                    for (int r = 0; r < 20; r++) {
                        final String msg = "client-" + id + "-round-" + r;
                        if (c.roundTrip(msg).equals(msg.toUpperCase())) {
                            ok.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (final Thread t : threads) {
            t.join();
        }
        assertThat(ok).hasValue(clients * 20);
        eventually(() -> s.connections() == 0);
        assertThat(s.accepted()).isEqualTo(clients);
    }

    @Test
    void closesConnectionsBeyondTheLimitAtOnce() throws Exception {
        final TcpServer s = start(builder().maxConnections(2));
        try (TestClient a = TestClient.connect(s.address()); TestClient b = TestClient.connect(s.address())) {
            assertThat(a.roundTrip("a")).isEqualTo("A");
            assertThat(b.roundTrip("b")).isEqualTo("B");
            try (TestClient third = TestClient.connect(s.address())) {
                assertThat(third.closedByServer()).isTrue();
            }
            assertThat(s.rejected()).isEqualTo(1);
            assertThat(s.connections()).isEqualTo(2);
            assertThat(a.roundTrip("still here")).isEqualTo("STILL HERE");
        }
        eventually(() -> s.connections() == 0);
        try (TestClient again = TestClient.connect(s.address())) {
            assertThat(again.roundTrip("room again")).isEqualTo("ROOM AGAIN");
        }
    }

    @Test
    void idleTimeoutClosesAQuietConnection() throws Exception {
        final TcpServer s = start(builder().idleTimeout(Duration.ofMillis(200)));
        try (TestClient c = TestClient.connect(s.address())) {
            assertThat(c.roundTrip("then silence")).isEqualTo("THEN SILENCE");
            assertThat(c.closedByServer()).isTrue();
        }
        eventually(() -> s.connections() == 0);
        assertThat(s.isRunning()).isTrue();
    }

    @Test
    void gracefulShutdownAnswersTheRequestInFlightThenCloses() throws Exception {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final TcpServer s = start(builder().handler(msg -> {
            if (StandardCharsets.UTF_8.decode(msg.duplicate()).toString().equals("slow")) {
                entered.countDown();
                release.await();
            }
            return Handlers.upperCaseEcho().handle(msg);
        }));
        try (TestClient busy = TestClient.connect(s.address()); TestClient idle = TestClient.connect(s.address())) {
            assertThat(idle.roundTrip("idle")).isEqualTo("IDLE");
            busy.send("slow");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            s.shutdown(Duration.ofSeconds(20));
            assertThat(s.isRunning()).isFalse();
            release.countDown();
            assertThat(busy.read(4)).isEqualTo("SLOW");
            assertThat(busy.closedByServer()).isTrue();
            assertThat(idle.closedByServer()).isTrue();
            assertThat(s.awaitTermination(Duration.ofSeconds(10))).isTrue();
            assertThat(s.isTerminated()).isTrue();
            assertThatThrownBy(() -> new Socket(s.address().getAddress(), s.port()).close())
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void aFailingHandlerClosesOnlyItsConnection() throws Exception {
        final TcpServer s = start(builder().handler(msg -> {
            if (StandardCharsets.UTF_8.decode(msg.duplicate()).toString().contains("boom")) {
                throw new IllegalStateException("handler failure on purpose (test)");
            }
            return Handlers.upperCaseEcho().handle(msg);
        }));
        try (TestClient bad = TestClient.connect(s.address()); TestClient good = TestClient.connect(s.address())) {
            assertThat(good.roundTrip("before")).isEqualTo("BEFORE");
            bad.send("boom");
            assertThat(bad.closedByServer()).isTrue();
            assertThat(good.roundTrip("after")).isEqualTo("AFTER");
        }
        try (TestClient fresh = TestClient.connect(s.address())) {
            assertThat(fresh.roundTrip("new")).isEqualTo("NEW");
        }
        assertThat(s.isRunning()).isTrue();
    }

    @Test
    void aHandlerMayReplyWithABufferOfItsOwnOrNothing() throws Exception {
        final TcpServer s = start(builder().handler(msg -> msg.remaining() == 1
                ? null : ByteBuffer.wrap(("<" + msg.remaining() + ">").getBytes(StandardCharsets.UTF_8))));
        try (TestClient c = TestClient.connect(s.address())) {
            c.send("four");
            assertThat(c.read(3)).isEqualTo("<4>");
            c.send("x"); // no reply of its own; TCP may deliver it together with the next message
            c.send("ab");
            assertThat(c.read(3)).matches("<[23]>");
        }
    }

    @Test
    void closeWithoutConnectionsTerminatesAndIsIdempotent() {
        final TcpServer s = start(builder());
        s.close();
        assertThat(s.isTerminated()).isTrue();
        s.shutdown(Duration.ofSeconds(1));
        s.close();
        assertThat(s.awaitTermination(Duration.ZERO)).isTrue();
    }

    @Test
    void rejectsBadSettingsNamingThem() {
        assertThatThrownBy(() -> builder().port(70_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be between 0 and 65535, was 70000");
        assertThatThrownBy(() -> builder().maxConnections(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnections must be at least 1, was 0");
        assertThatThrownBy(() -> builder().idleTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idleTimeout must not be negative");
        assertThatThrownBy(() -> builder().port(1).port(2)).isInstanceOf(IllegalStateException.class)
                .hasMessage("port was already set");
        final TcpServer s = start(builder());
        assertThatThrownBy(() -> s.shutdown(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder().port(s.port()).start()).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("cannot listen on");
    }
}
