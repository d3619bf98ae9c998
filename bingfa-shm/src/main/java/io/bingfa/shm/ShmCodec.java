package io.bingfa.shm;

/**
 * How {@link ShmQueue} and {@link Pipe} turn values into the bytes of a record and back. Each record
 * carries the codec's {@link #type()}, so a reader whose codec does not match fails with a clear message
 * instead of decoding garbage. Bingfa's codecs use types 1 to 15; choose 16 or more for your own (the
 * process pool's Fory codec can plug in here).
 *
 * <pre>{@code
 * ShmQueue<byte[]> raw  = ShmQueue.create("raw", 1 << 20, ShmCodec.bytes());
 * ShmQueue<String> text = ShmQueue.create("text", 1 << 20, ShmCodec.utf8());
 * ShmQueue<Job> jobs    = ShmQueue.create("jobs", 1 << 20, ShmCodec.javaSerialization(Job.class));
 * }</pre>
 *
 * @param <T> the value type
 */
public interface ShmCodec<T> {

    /** The record type written with every value; 1 to 15 are Bingfa's, 0 is reserved. */
    int type();

    /** The bytes of {@code value}; the queue copies them, so the array may be reused afterwards. */
    byte[] encode(T value);

    /** The value of {@code bytes} (an array the codec may keep). */
    T decode(byte[] bytes);

    /** Raw bytes, as they are (type 1). */
    static ShmCodec<byte[]> bytes() {
        return BuiltinCodecs.BYTES;
    }

    /** Strings as UTF-8 (type 2). */
    static ShmCodec<String> utf8() {
        return BuiltinCodecs.UTF8;
    }

    /**
     * JDK serialization (type 3), Python's pickle in role: any {@link java.io.Serializable} value of
     * {@code type} (use {@code Object.class} for anything), at the JDK's speed and size. Every process
     * that maps the queue can write records, so only share queues with processes you trust, as with
     * pickle.
     */
    static <T> ShmCodec<T> javaSerialization(final Class<T> type) {
        return new BuiltinCodecs.JavaSerialization<>(java.util.Objects.requireNonNull(type, "type"));
    }
}
