package io.bingfa.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;

/** {@link TaskCodec#jdk()}: Java serialization, with the context class loader for lookups. */
public final class JdkCodec implements TaskCodec {

    static final JdkCodec INSTANCE = new JdkCodec();

    /** For the worker, which creates its codec by class name; use {@link TaskCodec#jdk()}. */
    public JdkCodec() {}

    @Override
    public byte[] encode(final Object value) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e.toString(), e);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object decode(final byte[] bytes) {
        try (ObjectInputStream in = new ContextObjectInputStream(bytes)) {
            return in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e.toString(), e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("class not found: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TaskCodec.jdk()";
    }

    /** Resolves classes with the thread's context class loader, as a container would need. */
    private static final class ContextObjectInputStream extends ObjectInputStream {
        ContextObjectInputStream(final byte[] bytes) throws IOException {
            super(new ByteArrayInputStream(bytes));
        }

        @Override
        protected Class<?> resolveClass(final java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            final ClassLoader cl = Thread.currentThread().getContextClassLoader();
            if (cl != null) {
                try {
                    return Class.forName(desc.getName(), false, cl);
                } catch (ClassNotFoundException e) {
                    // fall back to the default lookup, which also handles primitive types
                }
            }
            return super.resolveClass(desc);
        }
    }
}
