package io.bingfa.net.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.net.Handlers;
import io.bingfa.net.ServerModel;
import io.bingfa.net.Servers;
import io.bingfa.net.TcpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The load generator against each model, its reply check, its bounds, and the idle connections. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoLoadTest {

    @ParameterizedTest
    @EnumSource(ServerModel.class)
    void measuresRoundTripsWithoutErrors(final ServerModel model) {
        try (TcpServer s = Servers.builder(model).start()) {
            final LoadReport r = EchoLoad.to(s.address()).connections(20).size(100)
                    .warmup(Duration.ofMillis(200)).duration(Duration.ofMillis(500)).run();
            assertThat(r.errors()).as(r.summary()).isZero();
            assertThat(r.messages()).isPositive();
            assertThat(r.perSecond()).isPositive();
            assertThat(r.p50Micros()).isPositive().isLessThanOrEqualTo(r.p99Micros());
            assertThat(r.p99Micros()).isLessThanOrEqualTo(r.p999Micros());
            assertThat(r.summary()).contains("20 connections x 100 B");
        }
    }

    @Test
    void aWrongReplyIsAnError() {
        try (TcpServer s = Servers.virtual(Handlers.echo()).start()) {
            final LoadReport r = EchoLoad.to(s.address()).connections(3).warmup(Duration.ZERO)
                    .duration(Duration.ofMillis(200)).run(); // expects upper case, gets the payload back as is
            assertThat(r.errors()).isEqualTo(3);
            assertThat(r.firstError()).contains("wrong reply");
            final LoadReport same = EchoLoad.to(s.address()).connections(3).reply(Reply.SAME).warmup(Duration.ZERO)
                    .duration(Duration.ofMillis(200)).run();
            assertThat(same.errors()).isZero();
        }
    }

    @Test
    void aServerThatIsNotThereIsAnErrorPerConnection() throws Exception {
        final int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        final LoadReport r = EchoLoad.to(new InetSocketAddress("127.0.0.1", port)).connections(4)
                .warmup(Duration.ZERO).duration(Duration.ofMillis(100)).run();
        assertThat(r.errors()).isEqualTo(4);
        assertThat(r.messages()).isZero();
    }

    @Test
    void loopbackOnlyAndBounded() {
        assertThatThrownBy(() -> EchoLoad.to(new InetSocketAddress("192.0.2.1", 80)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be a loopback address");
        final EchoLoad load = EchoLoad.to(new InetSocketAddress("127.0.0.1", 1));
        assertThatThrownBy(() -> load.connections(0)).hasMessage("connections must be between 1 and 20000, was 0");
        assertThatThrownBy(() -> load.size(0)).hasMessage("size must be between 1 and 1048576, was 0");
        assertThatThrownBy(() -> load.duration(Duration.ZERO)).hasMessageContaining("duration must be positive");
        assertThatThrownBy(() -> load.duration(Duration.ofMinutes(11)).run())
                .hasMessageContaining("warmup + duration must be at most");
    }

    @ParameterizedTest
    @EnumSource(ServerModel.class)
    void idleConnectionsAreHeldAndServed(final ServerModel model) throws Exception {
        try (TcpServer s = Servers.builder(model).start()) {
            try (IdleConnections idle = IdleConnections.open(s.address(), 500)) {
                assertThat(idle.size()).isEqualTo(500);
                assertThat(s.connections()).isEqualTo(500);
            }
        }
    }
}
