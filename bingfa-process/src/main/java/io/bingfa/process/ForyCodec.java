package io.bingfa.process;

import java.lang.management.ManagementFactory;
import org.apache.fory.Fory;
import org.apache.fory.ThreadSafeFory;
import org.apache.fory.config.CompatibleMode;
import org.apache.fory.config.Language;

/**
 * {@link TaskCodec#fory()}: Apache Fory in Java mode.
 *
 * <p>Classes need no registration (the parent and the workers share a class path, and tasks are arbitrary
 * user lambdas); references are tracked so that shared and cyclic object graphs survive. Fory serializes
 * lambdas through their {@code SerializedLambda} form, records through their canonical constructors and
 * exceptions (stack trace and cause included) through their JDK serialization hooks. One
 * {@link ThreadSafeFory} (a pool of Fory instances, one per thread at a time) is built lazily per JVM: it
 * costs a few hundred milliseconds of class loading, which the worker pays while it connects and which an
 * AOT cache cuts (see {@code docs/bench/process-startup.txt}).
 */
public final class ForyCodec implements TaskCodec {

    static final ForyCodec INSTANCE = new ForyCodec();

    /** For the worker, which creates its codec by class name; use {@link TaskCodec#fory()}. */
    public ForyCodec() {}

    /** Built on first use: the holder idiom keeps {@link TaskCodec#jdk()} users from paying for Fory. */
    private static final class Holder {
        static final ThreadSafeFory FORY = Fory.builder()
                .withLanguage(Language.JAVA)
                .requireClassRegistration(false)
                .suppressClassRegistrationWarnings(true)
                .withRefTracking(true)
                .withCompatibleMode(CompatibleMode.SCHEMA_CONSISTENT)
                .withAsyncCompilation(false)
                .buildThreadSafeFory();
    }

    private static volatile boolean warm;

    /**
     * Builds Fory in the background (once per JVM) and runs {@code then} when it is ready; until then
     * {@link Payloads} sends JDK-serialized payloads, so nobody waits for it.
     */
    static void warmUp(final Runnable then) {
        if (warm) {
            then.run();
            return;
        }
        final Thread t = new Thread(() -> {
            // Class initialization runs once; concurrent callers wait for it, then find it done.
            final ThreadSafeFory f = Holder.FORY;
            f.deserialize(f.serialize(new Object[] {1, "x", new java.util.ArrayList<>(java.util.List.of(2L))}));
            warm = true;
            then.run();
        }, "bingfa-fory-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Whether Fory is built in this JVM (see {@link Payloads}). */
    static boolean isWarm() {
        return warm;
    }

    @Override
    public byte[] encode(final Object value) {
        return Holder.FORY.serialize(value);
    }

    @Override
    public Object decode(final byte[] bytes) {
        return Holder.FORY.deserialize(bytes);
    }

    /** Whether this JVM runs with {@code --sun-misc-unsafe-memory-access=allow}, i.e. Fory will print nothing. */
    static boolean unsafeMemoryAccessAllowed() {
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.equals("--sun-misc-unsafe-memory-access=allow")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "TaskCodec.fory()";
    }
}
