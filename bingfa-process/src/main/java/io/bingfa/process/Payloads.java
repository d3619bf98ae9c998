package io.bingfa.process;

/**
 * Tagged payloads: every task, result and exception travels as one tag byte and the bytes of the codec
 * that the tag names, either the pool's codec or JDK serialization.
 *
 * <p>Why two: Apache Fory is the faster codec once it runs, but building it in a fresh JVM loads and
 * generates hundreds of classes (about half a second without an AOT cache, see
 * {@code docs/bench/process-startup.txt}), while JDK serialization is ready at once. So each side uses
 * JDK serialization until its own Fory is warm (built in the background from the moment the JVM starts;
 * a worker says CODEC_READY when it is), and Fory from then on. A cold pool answers its first tasks
 * without waiting for Fory, and a warm one pays nothing. The tags make the choice per message, so
 * correctness never depends on it: a payload is always decoded with the codec that made it.
 *
 * <p>If the preferred codec cannot serialize a value, the other one is tried before giving up (a lambda
 * that captures a non-{@code Serializable} object still travels by Fory); the preferred codec's error is
 * the one reported.
 */
final class Payloads {

    static final byte JDK = 0;
    static final byte POOL = 1;

    private Payloads() {}

    /** Whether {@code codec} is ready to use in this JVM without a long first-use delay. */
    static boolean warm(final TaskCodec codec) {
        return !(codec instanceof ForyCodec) || ForyCodec.isWarm();
    }

    /**
     * {@code value} encoded with the pool's codec when {@code poolPreferred}, with JDK serialization
     * otherwise (falling back to the other codec when the first fails).
     *
     * @throws RuntimeException the preferred codec's failure, when neither can serialize the value
     */
    static byte[] encode(final TaskCodec pool, final Object value, final boolean poolPreferred) {
        if (pool instanceof JdkCodec) {
            return tag(POOL, pool.encode(value));
        }
        final TaskCodec first = poolPreferred ? pool : TaskCodec.jdk();
        final TaskCodec second = poolPreferred ? TaskCodec.jdk() : pool;
        try {
            return tag(poolPreferred ? POOL : JDK, first.encode(value));
        } catch (RuntimeException | LinkageError e) {
            try {
                return tag(poolPreferred ? JDK : POOL, second.encode(value));
            } catch (RuntimeException | LinkageError ignored) {
                throw e;
            }
        }
    }

    static Object decode(final TaskCodec pool, final byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("empty payload");
        }
        final byte[] body = java.util.Arrays.copyOfRange(payload, 1, payload.length);
        return switch (payload[0]) {
            case POOL -> pool.decode(body);
            case JDK -> TaskCodec.jdk().decode(body);
            default -> throw new IllegalArgumentException("unknown codec tag " + payload[0]);
        };
    }

    /** Whether {@code payload} was made by the pool's codec. */
    static boolean isPool(final byte[] payload) {
        return payload.length > 0 && payload[0] == POOL;
    }

    private static byte[] tag(final byte tag, final byte[] bytes) {
        final byte[] out = new byte[bytes.length + 1];
        out[0] = tag;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }
}
