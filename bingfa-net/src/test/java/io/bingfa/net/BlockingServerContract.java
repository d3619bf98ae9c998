package io.bingfa.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the two blocking models add to the contract: a {@link ConnectionHandler}, and the forced close. */
abstract class BlockingServerContract extends TcpServerContract {

    @Test
    void aConnectionHandlerOwnsTheConnection() throws Exception {
        final TcpServer s = start(builder().connectionHandler(conn -> {
            final byte[] b = new byte[64];
            int n;
            int count = 0;
            while ((n = conn.read(b)) > 0) {
                count++;
                final byte[] reply = (count + ":" + new String(b, 0, n, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                conn.write(reply, 0, reply.length);
            }
        }));
        try (TestClient c = TestClient.connect(s.address())) {
            assertThat(c.roundTrip("a")).isEqualTo("1:a".substring(0, 1));
            assertThat(c.read(2)).isEqualTo(":a");
            assertThat(c.roundTrip("bc")).isEqualTo("2:");
            assertThat(c.read(2)).isEqualTo("bc");
        }
    }

    @Test
    void whatIsStillBusyAfterTheGraceIsClosedForcibly() throws Exception {
        final CountDownLatch entered = new CountDownLatch(1);
        final TcpServer s = start(builder().connectionHandler(conn -> {
            conn.read(new byte[16]);
            entered.countDown();
            Thread.sleep(Duration.ofMinutes(5)); // a stuck handler: only the interrupt ends it
        }));
        try (TestClient c = TestClient.connect(s.address())) {
            c.send("stuck");
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            s.shutdown(Duration.ofMillis(200));
            assertThat(c.closedByServer()).isTrue();
            assertThat(s.awaitTermination(Duration.ofSeconds(10))).isTrue();
        }
    }
}
