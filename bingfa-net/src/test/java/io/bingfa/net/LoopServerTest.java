package io.bingfa.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The contract on the selector loop: Tornado's IOLoop. */
class LoopServerTest extends TcpServerContract {
    @Override
    ServerModel model() {
        return ServerModel.LOOP;
    }

    @Test
    void refusesABlockingConnectionHandler() {
        assertThatThrownBy(() -> Servers.loop().connectionHandler(conn -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the loop model takes a MessageHandler only");
    }

    @Test
    void aReplyTheSocketCannotTakeAtOnceIsWrittenLater() throws Exception {
        final byte[] big = new byte[8 << 20];
        final TcpServer s = start(builder().handler(msg -> java.nio.ByteBuffer.wrap(big)));
        try (TestClient c = TestClient.connect(s.address())) {
            c.send("x");
            assertThat(c.read(big.length)).hasSize(big.length);
            c.send("y");
            assertThat(c.read(big.length)).hasSize(big.length);
        }
    }
}
