package io.bingfa.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SO_REUSEPORT: two servers (of different models, even) on one port, and the kernel gives each a share. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReusePortTest {

    @Test
    void twoServersOnOnePortBothAccept() throws Exception {
        try (TcpServer first = Servers.virtual().reusePort(true).start();
             TcpServer second = Servers.loop().reusePort(true).port(first.port()).start()) {
            assertThat(second.port()).isEqualTo(first.port());
            // The kernel hashes each connection's 4-tuple to one listener: 64 connections all to one of two
            // listeners would be a 1 in 2^63 event.
            for (int i = 0; i < 64; i++) {
                try (TestClient c = TestClient.connect(first.address())) {
                    assertThat(c.roundTrip("share " + i)).isEqualTo("SHARE " + i);
                }
            }
            assertThat(first.accepted()).isPositive();
            assertThat(second.accepted()).isPositive();
            assertThat(first.accepted() + second.accepted()).isEqualTo(64);
        }
    }

    @Test
    void whenOneServerStopsTheOtherTakesEveryConnection() throws Exception {
        try (TcpServer first = Servers.threaded().reusePort(true).start();
             TcpServer second = Servers.virtual().reusePort(true).port(first.port()).start()) {
            first.shutdown(Duration.ZERO);
            assertThat(first.awaitTermination(Duration.ofSeconds(10))).isTrue();
            for (int i = 0; i < 32; i++) {
                try (TestClient c = TestClient.connect(second.address())) {
                    assertThat(c.roundTrip("left " + i)).isEqualTo("LEFT " + i);
                }
            }
            assertThat(second.accepted()).isEqualTo(32);
        }
    }
}
