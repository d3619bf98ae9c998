package io.bingfa.process;

/**
 * Turns tasks, their results and their exceptions into bytes and back, in the parent and in the workers.
 *
 * <p>Two codecs come with Bingfa: {@link #fory()} (Apache Fory: fast, compact, handles serializable
 * lambdas, records, collections and exceptions) and {@link #jdk()} (the JDK's own serialization: slower and
 * larger, but it needs no extra JVM flag and follows every {@code writeObject} rule to the letter). A
 * custom codec must be a public class with a public no-argument constructor: the worker JVM creates its own
 * instance by that name.
 *
 * <p>Implementations must be thread-safe. {@link #encode} throws an unchecked exception when the object
 * cannot be serialized; the pool then fails only the task concerned, with a {@link TaskSerializationException}
 * naming the class.
 */
public interface TaskCodec {

    byte[] encode(Object value);

    Object decode(byte[] bytes);

    /**
     * Apache Fory in Java mode, classes not registered, references tracked. The JVM that uses it needs
     * {@code --sun-misc-unsafe-memory-access=allow} on JDK 24 and later, otherwise the JDK prints a warning
     * about {@code sun.misc.Unsafe} the first time it is used; worker JVMs always get that flag.
     */
    static TaskCodec fory() {
        return ForyCodec.INSTANCE;
    }

    /** The JDK's {@link java.io.ObjectOutputStream} serialization. */
    static TaskCodec jdk() {
        return JdkCodec.INSTANCE;
    }

    /**
     * What a {@link ProcessPool} uses unless told otherwise: {@link #fory()} when this JVM was started with
     * {@code --sun-misc-unsafe-memory-access=allow} (so that Fory prints nothing), {@link #jdk()} otherwise.
     */
    static TaskCodec defaultCodec() {
        return ForyCodec.unsafeMemoryAccessAllowed() ? fory() : jdk();
    }
}
