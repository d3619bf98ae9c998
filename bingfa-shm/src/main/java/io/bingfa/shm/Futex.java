package io.bingfa.shm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kernel sleeping on a 32-bit word of shared memory: Linux's {@code futex(2)}, called through a
 * Foreign Function &amp; Memory downcall to libc's {@code syscall}. No JNI, no {@code Unsafe}.
 *
 * <h2>Overview</h2>
 * {@code FUTEX_WAIT(addr, expected, timeout)} puts the thread to sleep if, and only if, the word at
 * {@code addr} still holds {@code expected} when the kernel looks (atomically with queueing the sleeper);
 * {@code FUTEX_WAKE(addr, n)} wakes up to {@code n} sleepers of that word. The futexes are <em>shared</em>
 * (no {@code FUTEX_PRIVATE_FLAG}): the kernel keys them by the mapped file and offset, so threads of
 * different processes that map the same file wait on the same queue. Every algorithm in this package uses
 * the same pattern:
 * <pre>
 *   waiter:  s = lv(word); [announce yourself: waiters++]; re-check the condition; await(word, s, t)
 *   waker:   change the state; if (waiters &gt; 0) { word++; wake(word, n) }
 * </pre>
 * A wake between the waiter's read and its sleep changes the word, so the kernel refuses to sleep
 * ({@code EAGAIN}): no lost wake-up.
 *
 * <h2>Bounded sleeps</h2>
 * {@link #await} never sleeps longer than {@link #MAX_SLEEP_NANOS}. A thread in a futex syscall does not
 * see {@link Thread#interrupt()}, and a waiter must look now and then whether the process it waits for is
 * still alive; so every wait is a loop of short sleeps, and callers re-check their condition, the
 * interrupt flag and their deadline on each return. Returns are therefore allowed to be spurious.
 *
 * <h2>Virtual threads and other platforms</h2>
 * A virtual thread in a native call holds its carrier thread for the whole call. A virtual thread
 * therefore does not enter the kernel here: it parks for a short slice ({@link #POLL_NANOS}) and the
 * caller re-checks, which frees the carrier at the price of wake-up latency. The same polling is used on
 * platforms where the syscall is not wired (anything but Linux on x86-64 or aarch64) or when the
 * syscall is refused (a seccomp filter): correct, only slower to wake.
 */
final class Futex {

    private static final Logger LOG = LoggerFactory.getLogger(Futex.class);

    /** The longest single sleep: the interrupt and owner-liveness latency of every wait. */
    static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** How long a polling waiter (virtual thread, no futex) parks before it looks again. */
    static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int ETIMEDOUT = 110;

    private static final long SYS_FUTEX = syscallNumber();
    private static final MethodHandle SYSCALL = SYS_FUTEX < 0 ? null : downcall();
    private static final MemoryLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** struct timespec { long tv_sec; long tv_nsec; } then the errno capture area. */
    private static final long TIMESPEC_BYTES = 16;

    /** Per platform thread: a timespec and an errno capture area (virtual threads never use it). */
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(TIMESPEC_BYTES + CAPTURE_LAYOUT.byteSize(), 8));

    /** Cleared when the kernel refuses the call; from then on every wait polls. */
    private static volatile boolean kernelWaits = SYSCALL != null;

    private Futex() {}

    /** {@code true} if waits sleep in the kernel (as opposed to polling). */
    static boolean usesKernel() {
        return kernelWaits;
    }

    /**
     * Sleeps while the int at {@code offset} of {@code memory} holds {@code expected}, at most
     * {@code nanos} and at most {@link #MAX_SLEEP_NANOS}. May return early for any reason; the caller
     * re-checks. {@code memory} must be a mapping of a shared file.
     */
    static void await(final MemorySegment memory, final long offset, final int expected, final long nanos) {
        if (nanos <= 0L) {
            return;
        }
        if (!kernelWaits || Thread.currentThread().isVirtual()) {
            if (ShmAccess.lvInt(memory, offset) == expected) {
                LockSupport.parkNanos(Math.min(nanos, POLL_NANOS));
            }
            return;
        }
        final long slice = Math.min(nanos, MAX_SLEEP_NANOS);
        final MemorySegment scratch = SCRATCH.get();
        scratch.set(ValueLayout.JAVA_LONG, 0, slice / 1_000_000_000L);
        scratch.set(ValueLayout.JAVA_LONG, 8, slice % 1_000_000_000L);
        final MemorySegment capture = scratch.asSlice(TIMESPEC_BYTES, CAPTURE_LAYOUT.byteSize());
        final long rc = invoke(capture, memory.asSlice(offset, 4), FUTEX_WAIT, expected, scratch.asSlice(0, TIMESPEC_BYTES));
        if (rc < 0) {
            final int errno = (int) ERRNO.get(capture, 0L);
            if (errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT) {
                refuse("FUTEX_WAIT", errno);
            }
        }
    }

    /** Wakes up to {@code count} threads sleeping on the int at {@code offset}; returns how many woke. */
    static int wake(final MemorySegment memory, final long offset, final int count) {
        if (!kernelWaits) {
            return 0; // pollers look by themselves
        }
        final MemorySegment scratch = Thread.currentThread().isVirtual()
                ? Arena.ofAuto().allocate(TIMESPEC_BYTES + CAPTURE_LAYOUT.byteSize(), 8) // rare: wakes from a virtual thread
                : SCRATCH.get();
        final MemorySegment capture = scratch.asSlice(TIMESPEC_BYTES, CAPTURE_LAYOUT.byteSize());
        final long rc = invoke(capture, memory.asSlice(offset, 4), FUTEX_WAKE, count, MemorySegment.NULL);
        if (rc < 0) {
            refuse("FUTEX_WAKE", (int) ERRNO.get(capture, 0L));
            return 0;
        }
        return (int) rc;
    }

    private static long invoke(final MemorySegment capture, final MemorySegment word, final int op,
                               final int value, final MemorySegment timeout) {
        try {
            return (long) SYSCALL.invokeExact(capture, SYS_FUTEX, word, (long) op, (long) value, timeout,
                    MemorySegment.NULL, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("futex syscall failed to run", t);
        }
    }

    private static void refuse(final String op, final int errno) {
        if (kernelWaits) {
            kernelWaits = false;
            LOG.warn("{} failed with errno {}; shared-memory waits fall back to polling", op, errno);
        }
    }

    private static long syscallNumber() {
        final String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        final String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return -1;
        }
        return switch (arch) {
            case "amd64", "x86_64" -> 202;
            case "aarch64", "arm64" -> 98;
            default -> -1;
        };
    }

    /**
     * {@code long syscall(long number, ...)}: variadic, so every argument after the number is passed
     * as a full register (C's default argument promotions would not widen an int on its own, and
     * glibc's {@code syscall} reads six {@code long}s).
     *
     * <p>{@code downcallHandle} is a restricted method: calling native code is the point of this class, and
     * native access is granted by the launcher and the CLI manifest ({@code Enable-Native-Access}). The
     * lint category says exactly that, so it is acknowledged here and nowhere else.
     */
    @SuppressWarnings("restricted")
    private static MethodHandle downcall() {
        final Linker linker = Linker.nativeLinker();
        final Optional<MemorySegment> symbol = linker.defaultLookup().find("syscall")
                .or(() -> SymbolLookup.loaderLookup().find("syscall"));
        if (symbol.isEmpty()) {
            LOG.warn("libc's syscall() not found; shared-memory waits poll");
            return null;
        }
        final FunctionDescriptor fd = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG,   // number
                ValueLayout.ADDRESS,     // uaddr
                ValueLayout.JAVA_LONG,   // futex_op
                ValueLayout.JAVA_LONG,   // val
                ValueLayout.ADDRESS,     // timeout
                ValueLayout.ADDRESS,     // uaddr2
                ValueLayout.JAVA_LONG);  // val3
        try {
            return linker.downcallHandle(symbol.get(), fd,
                    Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        } catch (IllegalCallerException e) {
            LOG.warn("native access is not enabled (--enable-native-access=ALL-UNNAMED or the manifest's "
                    + "Enable-Native-Access); shared-memory waits poll", e);
            return null;
        }
    }
}
