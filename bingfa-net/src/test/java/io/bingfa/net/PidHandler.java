package io.bingfa.net;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Replies with the server's pid as 10 digits, whatever it receives: which process answered. Serializable. */
final class PidHandler implements MessageHandler, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    @Override
    public ByteBuffer handle(final ByteBuffer received) {
        return ByteBuffer.wrap(String.format("%010d", ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII));
    }

    static long ask(final java.net.InetSocketAddress address) throws java.io.IOException {
        try (TestClient c = TestClient.connect(address)) {
            c.send("?");
            return Long.parseLong(c.read(10));
        }
    }
}
