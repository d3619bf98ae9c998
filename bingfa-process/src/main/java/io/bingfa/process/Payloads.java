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
 *
 * <p><b>Stateless lambdas.</b> A lambda that captures nothing (a hidden lambda class without instance
 * fields) has no state: every instance of its class is interchangeable and serializes to the same bytes.
 * So, with the two built-in codecs, its bytes are made once per class and reused, and its tag carries the
 * {@link #STATELESS} flag, which lets the receiving side decode those bytes once and hand out the same
 * instance each time (a bounded cache keyed by the bytes). A task such as {@code () -> compute()} then
 * costs neither side a serialization per call: the decode of a lambda (a {@code SerializedLambda} resolved
 * through its capturing class) is the largest part of a small task's work in a worker.
 */
final class Payloads {

    static final byte JDK = 0;
    static final byte POOL = 1;
    /** Flag on the tag: the object is stateless, the same bytes always decode to an interchangeable object. */
    static final byte STATELESS = 0x10;
    /** Decoded stateless objects kept at most (a bound against a stream of distinct lambda classes). */
    private static final int DECODED_MAX = 1024;

    /** Whether instances of a class carry no state at all: a lambda class that captures nothing. */
    private static final ClassValue<Boolean> STATELESS_CLASS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(final Class<?> type) {
            if (!type.isHidden() || !type.isSynthetic() || !type.getName().contains("$$Lambda")
                    || type.getSuperclass() != Object.class) {
                return false;
            }
            for (java.lang.reflect.Field f : type.getDeclaredFields()) {
                if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    return false; // a captured value
                }
            }
            return true;
        }
    };

    /** The instance whose class's bytes a {@link ClassValue} below is computing, in this thread. */
    private static final ThreadLocal<Object> BEING_ENCODED = new ThreadLocal<>();

    /** A stateless class's bytes, per built-in codec (computed once; an encoding failure is not cached). */
    private static final ClassValue<byte[]> FORY_BYTES = new ClassValue<>() {
        @Override
        protected byte[] computeValue(final Class<?> type) {
            return TaskCodec.fory().encode(BEING_ENCODED.get());
        }
    };
    private static final ClassValue<byte[]> JDK_BYTES = new ClassValue<>() {
        @Override
        protected byte[] computeValue(final Class<?> type) {
            return TaskCodec.jdk().encode(BEING_ENCODED.get());
        }
    };

    /** Stateless objects by their tagged bytes and the codec that decoded them. */
    private static final java.util.concurrent.ConcurrentHashMap<Key, Object> DECODED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A payload's bytes as a map key, with the codec that decodes them. */
    private record Key(TaskCodec codec, byte[] bytes, int hash) {
        Key(final TaskCodec codec, final byte[] bytes) {
            this(codec, bytes, 31 * System.identityHashCode(codec) + java.util.Arrays.hashCode(bytes));
        }

        @Override
        public boolean equals(final Object o) {
            return o instanceof Key k && k.codec == codec && java.util.Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** Whether {@code value}'s bytes may be cached and shared: a stateless object and a built-in codec. */
    private static boolean cacheable(final TaskCodec codec, final Object value) {
        return value != null && (codec == ForyCodec.INSTANCE || codec == JdkCodec.INSTANCE)
                && STATELESS_CLASS.get(value.getClass());
    }

    /** {@code codec.encode(value)}, from the per-class cache when {@code stateless} (see {@link #cacheable}). */
    private static byte[] bodyOf(final TaskCodec codec, final Object value, final boolean stateless) {
        if (!stateless) {
            return codec.encode(value);
        }
        BEING_ENCODED.set(value);
        try {
            return (codec == ForyCodec.INSTANCE ? FORY_BYTES : JDK_BYTES).get(value.getClass());
        } finally {
            BEING_ENCODED.remove();
        }
    }

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
            return encodeWith(pool, POOL, value);
        }
        final TaskCodec first = poolPreferred ? pool : TaskCodec.jdk();
        final TaskCodec second = poolPreferred ? TaskCodec.jdk() : pool;
        try {
            return encodeWith(first, poolPreferred ? POOL : JDK, value);
        } catch (RuntimeException | LinkageError e) {
            try {
                return encodeWith(second, poolPreferred ? JDK : POOL, value);
            } catch (RuntimeException | LinkageError ignored) {
                throw e;
            }
        }
    }

    private static byte[] encodeWith(final TaskCodec codec, final byte tag, final Object value) {
        final boolean stateless = cacheable(codec, value);
        return tag(stateless ? tag | STATELESS : tag, bodyOf(codec, value, stateless));
    }

    static Object decode(final TaskCodec pool, final byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("empty payload");
        }
        final TaskCodec codec = switch (payload[0] & ~STATELESS) {
            case POOL -> pool;
            case JDK -> TaskCodec.jdk();
            default -> throw new IllegalArgumentException("unknown codec tag " + payload[0]);
        };
        if ((payload[0] & STATELESS) == 0) {
            return codec.decode(java.util.Arrays.copyOfRange(payload, 1, payload.length));
        }
        final Key key = new Key(codec, payload);
        final Object known = DECODED.get(key);
        if (known != null) {
            return known;
        }
        final Object decoded = codec.decode(java.util.Arrays.copyOfRange(payload, 1, payload.length));
        if (DECODED.size() < DECODED_MAX) {
            DECODED.putIfAbsent(key, decoded);
        }
        return decoded;
    }

    /** Whether {@code payload} was made by the pool's codec. */
    static boolean isPool(final byte[] payload) {
        return payload.length > 0 && (payload[0] & ~STATELESS) == POOL;
    }

    private static byte[] tag(final int tag, final byte[] bytes) {
        final byte[] out = new byte[bytes.length + 1];
        out[0] = (byte) tag;
        System.arraycopy(bytes, 0, out, 1, bytes.length);
        return out;
    }
}
