package io.bingfa.shm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The codecs behind {@link ShmCodec}'s factories. */
final class BuiltinCodecs {

    static final ShmCodec<byte[]> BYTES = new Bytes();
    static final ShmCodec<String> UTF8 = new Utf8();

    private BuiltinCodecs() {}

    record Bytes() implements ShmCodec<byte[]> {
        @Override
        public int type() {
            return 1;
        }

        @Override
        public byte[] encode(final byte[] value) {
            return Objects.requireNonNull(value, "value");
        }

        @Override
        public byte[] decode(final byte[] bytes) {
            return bytes;
        }
    }

    record Utf8() implements ShmCodec<String> {
        @Override
        public int type() {
            return 2;
        }

        @Override
        public byte[] encode(final String value) {
            return Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(final byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    record JavaSerialization<T>(Class<T> valueType) implements ShmCodec<T> {
        @Override
        public int type() {
            return 3;
        }

        @Override
        public byte[] encode(final T value) {
            Objects.requireNonNull(value, "value");
            if (!(value instanceof Serializable)) {
                throw new IllegalArgumentException("value must be Serializable for JDK serialization, was a "
                        + value.getClass().getName());
            }
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serialize a " + value.getClass().getName(), e);
            }
            return bytes.toByteArray();
        }

        @Override
        public T decode(final byte[] bytes) {
            final Object value;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
                value = in.readObject();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot deserialize a record of " + bytes.length + " bytes", e);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("a record names a class this JVM does not have: " + e.getMessage(), e);
            }
            if (!valueType.isInstance(value)) {
                throw new ClassCastException("a record holds a " + value.getClass().getName() + ", not a "
                        + valueType.getName());
            }
            return valueType.cast(value);
        }
    }
}
