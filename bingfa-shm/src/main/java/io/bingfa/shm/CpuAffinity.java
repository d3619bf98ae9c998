package io.bingfa.shm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * Pins the calling platform thread to one CPU: Linux's {@code sched_setaffinity(0, ...)} through a
 * Foreign Function &amp; Memory downcall (what OpenHFT's Java-Thread-Affinity does through JNA, or Python's
 * {@code os.sched_setaffinity(0, {cpu})} for a whole process).
 *
 * <h2>Why a spinning consumer wants it</h2>
 * A consumer that spins ({@link ShmQueue#tryGet()} in a loop) owns a core. When the producer wakes from a
 * sleep, the scheduler may put it on the spinner's core: then the record is written while the spinner is
 * preempted, and the spinner sees it only after the producer sleeps again. On the 2-core machine of the
 * benchmarks that moved a bare shared-memory stamp from 0.25 us (pinned) to 10 us (not pinned) at the median.
 * Pinning the spinner to one core and the producer to another removes that. It changes nothing for correctness:
 * every structure of this package works with or without pinning.
 *
 * <p>Only the calling thread is pinned (pid 0 in the call means "this thread"); the JVM's compiler and
 * collector threads keep the whole machine. Linux only; elsewhere {@link #pin} returns {@code false}.
 */
public final class CpuAffinity {

    private static final long MASK_BYTES = 128; // cpu_set_t: 1024 CPUs
    private static final MethodHandle SET = downcall();
    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private CpuAffinity() {}

    /**
     * Pins the calling thread to {@code cpu}. Returns {@code false} where affinity is not supported (not
     * Linux, native access not enabled, a virtual thread, whose carrier changes).
     *
     * @throws IllegalArgumentException if {@code cpu} is negative or not below {@link #cpus()}
     * @throws IllegalStateException if the kernel refuses (errno named; for example a CPU outside this
     *         process's cpuset)
     */
    public static boolean pin(final int cpu) {
        final int cpus = cpus();
        if (cpu < 0 || cpu >= cpus) {
            throw new IllegalArgumentException("cpu must be in [0, " + cpus + "), got " + cpu);
        }
        if (SET == null || Thread.currentThread().isVirtual()) {
            return false;
        }
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            final MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            final int rc = (int) SET.invokeExact(capture, 0, MASK_BYTES, mask);
            if (rc != 0) {
                throw new IllegalStateException("sched_setaffinity(cpu " + cpu + ") failed with errno "
                        + (int) ERRNO.get(capture, 0L));
            }
            return true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("sched_setaffinity failed to run", t);
        }
    }

    /** The CPUs of this machine ({@link Runtime#availableProcessors()} as the JVM sees them). */
    public static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** {@code true} if {@link #pin} can pin a platform thread here. */
    public static boolean supported() {
        return SET != null;
    }

    /** {@code int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask)}; null if unavailable. */
    @SuppressWarnings("restricted")
    private static MethodHandle downcall() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        final Linker linker = Linker.nativeLinker();
        final Optional<MemorySegment> symbol = linker.defaultLookup().find("sched_setaffinity");
        if (symbol.isEmpty()) {
            return null;
        }
        try {
            return linker.downcallHandle(symbol.get(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                            ValueLayout.ADDRESS),
                    Linker.Option.captureCallState("errno"));
        } catch (IllegalCallerException e) {
            return null; // native access not enabled: no pinning, nothing else changes
        }
    }
}
