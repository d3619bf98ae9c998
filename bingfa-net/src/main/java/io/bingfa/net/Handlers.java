package io.bingfa.net;

import java.nio.ByteBuffer;
import java.util.Objects;

/** Ready-made handlers: the seed's upper-casing echo (the servers' default) and a plain echo. */
public final class Handlers {

    private Handlers() {}

    /**
     * The seed's {@code conn.send(msg.upper())}: replies with the received bytes, ASCII {@code a-z} upper-cased
     * in place (other bytes unchanged, so multi-byte UTF-8 passes through intact). Serializable, so that
     * {@link ServerBuilder#startProcesses(int)} can ship it to child JVMs. Allocates nothing.
     */
    public static MessageHandler upperCaseEcho() {
        return UpperCaseEcho.INSTANCE;
    }

    /** Replies with exactly the received bytes. Serializable. */
    public static MessageHandler echo() {
        return PlainEcho.INSTANCE;
    }

    /**
     * {@code handler} run over a blocking connection: read up to {@code bufferSize} bytes, hand them to the
     * handler, write its reply, until {@link Connection#read} says -1. This is how the blocking models run
     * a {@link MessageHandler}.
     */
    public static ConnectionHandler perMessage(final MessageHandler handler, final int bufferSize) {
        Objects.requireNonNull(handler, "handler");
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be at least 1, was " + bufferSize);
        }
        return connection -> {
            final byte[] bytes = new byte[bufferSize];
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (true) {
                final int n = connection.read(bytes, 0, bytes.length);
                if (n < 0) {
                    return;
                }
                buffer.clear().limit(n);
                final ByteBuffer reply = handler.handle(buffer);
                if (reply != null && reply.hasRemaining()) {
                    connection.write(reply);
                }
            }
        };
    }

    /** Upper-cases ASCII letters between position and limit, in place; the position is unchanged. */
    static void upperCaseAscii(final ByteBuffer b) {
        if (b.hasArray()) {
            final byte[] a = b.array();
            final int end = b.arrayOffset() + b.limit();
            for (int i = b.arrayOffset() + b.position(); i < end; i++) {
                final byte c = a[i];
                if (c >= 'a' && c <= 'z') {
                    a[i] = (byte) (c - ('a' - 'A'));
                }
            }
            return;
        }
        for (int i = b.position(); i < b.limit(); i++) {
            final byte c = b.get(i);
            if (c >= 'a' && c <= 'z') {
                b.put(i, (byte) (c - ('a' - 'A')));
            }
        }
    }

    /** An enum singleton: serializable (every enum is), and still the one instance after deserialization. */
    private enum UpperCaseEcho implements MessageHandler {
        INSTANCE;

        @Override
        public ByteBuffer handle(final ByteBuffer received) {
            upperCaseAscii(received);
            return received;
        }

        @Override
        public String toString() {
            return "upper-case echo";
        }
    }

    private enum PlainEcho implements MessageHandler {
        INSTANCE;

        @Override
        public ByteBuffer handle(final ByteBuffer received) {
            return received;
        }

        @Override
        public String toString() {
            return "echo";
        }
    }
}
