package io.bingfa.shm;

import java.time.Instant;
import java.util.Optional;

/**
 * Who a process is, in one {@code long}, so that an owner can be recorded with a single atomic store or
 * compare-and-set in shared memory, and later be checked for life by another process.
 *
 * <h2>The token</h2>
 * <pre>
 *    63                              32 31                               0
 *   +----------------------------------+----------------------------------+
 *   |            process id            |  start time, epoch ms, low 32 b  |
 *   +----------------------------------+----------------------------------+
 * </pre>
 * A pid alone is not an identity: Linux hands out pids again (here {@code pid_max} is 32768), so a lock
 * whose owner died an hour ago could look owned by whatever process has that pid now, and nobody would
 * ever take it. The start time defeats that: a process that got the pid again started later. The low 32
 * bits of the start time in milliseconds repeat every 49.7 days, so a false "alive" needs a reused pid
 * whose process started an exact multiple of 49.7 days (to the millisecond) after the dead one: not a
 * case this code defends against. The JDK derives {@link ProcessHandle.Info#startInstant()} from the boot
 * time and the start ticks in {@code /proc/PID/stat}, so every JVM on the host computes the same value for
 * the same process. Token 0 is never a live process (no pid 0 outside the kernel), so 0 means "nobody".
 *
 * <h2>Liveness</h2>
 * {@link #isAlive(long)} is {@code false} only when it is certain: no process has that pid, the process
 * with that pid is a zombie (read from {@code /proc/PID/stat}: the JDK calls zombies alive) or started at
 * another time. It is {@code true} when the start time cannot be
 * read (another user's process under a restrictive {@code hidepid} mount): a lock then waits for a process
 * that may be a stranger, the safe side of the choice. It costs a read of {@code /proc} and belongs only on
 * slow paths (a waiter that has slept for a check interval).
 *
 * <p>Limits: all processes must share a pid namespace (containers with their own pid namespace that share
 * {@code /dev/shm} would see each other's pids as foreign).
 */
final class ProcessIdentity {

    /** This JVM's token, computed once. */
    static final long CURRENT = computeCurrent();

    /** This JVM's pid. */
    static final long CURRENT_PID = ProcessHandle.current().pid();

    private ProcessIdentity() {}

    /** The token of a process from its pid and start instant (absent: 0 in the start field). */
    static long token(final long pid, final Optional<Instant> start) {
        final long startBits = start.map(i -> i.toEpochMilli() & 0xFFFF_FFFFL).orElse(0L);
        return (pid << 32) | startBits;
    }

    /** The pid recorded in {@code token}. */
    static long pid(final long token) {
        return token >>> 32;
    }

    /** {@code true} if {@code token} is this JVM. */
    static boolean isCurrent(final long token) {
        return token == CURRENT;
    }

    /**
     * {@code false} only if the process of {@code token} is certainly gone (see the class comment); a
     * token of this JVM is always alive. Token 0 (nobody) is not alive.
     */
    static boolean isAlive(final long token) {
        if (token == 0L) {
            return false;
        }
        if (token == CURRENT) {
            return true;
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid(token));
        if (handle.isEmpty() || !handle.get().isAlive() || isZombie(pid(token))) {
            return false;
        }
        final int startBits = (int) token;
        if (startBits == 0) {
            return true; // recorded without a start time: the pid is all we can go by
        }
        final Optional<Instant> start = handle.get().info().startInstant();
        if (start.isEmpty()) {
            return true; // unreadable: see "Liveness" in the class comment
        }
        return (int) start.get().toEpochMilli() == startBits;
    }

    /**
     * {@code true} if {@code /proc/PID/stat} says the process has exited and waits to be reaped (state Z or
     * X). The JDK's {@link ProcessHandle#isAlive()} counts such a zombie as alive, and a killed lock owner
     * stays a zombie for as long as its parent does not wait for it, which may be forever.
     */
    static boolean isZombie(final long pid) {
        try {
            final String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            final int end = stat.lastIndexOf(')'); // the command name may itself contain ') '
            if (end < 0 || end + 2 >= stat.length()) {
                return false;
            }
            final char state = stat.charAt(end + 2);
            return state == 'Z' || state == 'X';
        } catch (java.io.IOException | RuntimeException e) {
            return false; // no /proc (not Linux) or the process is gone already: decided elsewhere
        }
    }

    /** "pid 1234" for messages and logs. */
    static String describe(final long token) {
        return token == 0L ? "nobody" : "pid " + pid(token);
    }

    private static long computeCurrent() {
        final ProcessHandle self = ProcessHandle.current();
        final long t = token(self.pid(), self.info().startInstant());
        if (t == 0L) {
            throw new IllegalStateException("this process has pid 0; shared-memory owners cannot be recorded");
        }
        return t;
    }
}
