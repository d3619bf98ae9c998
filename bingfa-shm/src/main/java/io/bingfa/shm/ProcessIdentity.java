package io.bingfa.shm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * <p>On Linux that read is one: {@code /proc/PID/stat} holds both the state (zombie or not) and the start
 * time in clock ticks after boot, from which the start instant follows as the JDK computes it (boot time
 * from {@code btime} in {@code /proc/stat}, 100 ticks per second). The JDK's own route
 * ({@link ProcessHandle#of}, {@code isAlive}, {@code info()}) reads half a dozen {@code /proc} files and
 * cost 100-200 us per check here against 17-35 us, and a pipe's sender pays one check per liveness period
 * on its send path. The one-read route is used only if it gives this JVM's own start instant exactly as the
 * JDK does (checked once); otherwise every check takes the JDK's route.
 *
 * <p>Limits: all processes must share a pid namespace (containers with their own pid namespace that share
 * {@code /dev/shm} would see each other's pids as foreign).
 */
final class ProcessIdentity {

    /** This JVM's token, computed once. */
    static final long CURRENT = computeCurrent();

    /** This JVM's pid. */
    static final long CURRENT_PID = ProcessHandle.current().pid();

    /** Clock ticks per second of {@code /proc/PID/stat}'s start time (Linux's USER_HZ). */
    private static final long TICKS_PER_SECOND = 100;
    /** Boot time in epoch ms from {@code /proc/stat}, or -1 where the one-read route does not agree with the JDK. */
    private static final long BOOT_MILLIS = bootMillisIfConsistent();

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
        if (BOOT_MILLIS >= 0L) {
            final int verdict = aliveFromStat(token);
            if (verdict != UNKNOWN) {
                return verdict == ALIVE;
            }
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

    private static final int DEAD = 0;
    private static final int ALIVE = 1;
    private static final int UNKNOWN = 2;

    /** One read of {@code /proc/PID/stat}: DEAD, ALIVE, or UNKNOWN when it cannot be read or parsed. */
    private static int aliveFromStat(final long token) {
        final String[] fields = statFields(pid(token));
        if (fields == null) {
            return DEAD; // no such pid
        }
        if (fields.length < 20) {
            return UNKNOWN;
        }
        final char state = fields[0].isEmpty() ? '?' : fields[0].charAt(0);
        if (state == 'Z' || state == 'X') {
            return DEAD;
        }
        final int startBits = (int) token;
        if (startBits == 0) {
            return ALIVE; // recorded without a start time: the pid is all we can go by
        }
        try {
            final long ticks = Long.parseLong(fields[19]);
            return (int) startMillis(BOOT_MILLIS, ticks) == startBits ? ALIVE : DEAD;
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    /**
     * The fields of {@code /proc/PID/stat} after the command name: [0] is the state (field 3 of proc(5)),
     * [19] the start time in ticks (field 22). {@code null} if there is no such process; an empty array if
     * the file cannot be read for another reason.
     */
    private static String[] statFields(final long pid) {
        try {
            final String stat = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")),
                    StandardCharsets.US_ASCII);
            final int end = stat.lastIndexOf(')'); // the command name may itself contain ') '
            if (end < 0 || end + 2 >= stat.length()) {
                return new String[0];
            }
            return stat.substring(end + 2).strip().split(" ");
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return new String[0];
        }
    }

    /** The JDK's start instant (ProcessHandleImpl on Linux): boot time plus ticks at 100 per second, in ms. */
    private static long startMillis(final long bootMillis, final long ticks) {
        return bootMillis + ticks * 1000L / TICKS_PER_SECOND;
    }

    /** Boot time from {@code /proc/stat}, if it gives this JVM's start instant exactly as the JDK does; else -1. */
    private static long bootMillisIfConsistent() {
        try {
            long boot = -1L;
            for (final String line : Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("btime ")) {
                    boot = Long.parseLong(line.substring(6).strip()) * 1000L;
                }
            }
            final String[] own = statFields(CURRENT_PID);
            final Optional<Instant> jdk = ProcessHandle.current().info().startInstant();
            if (boot < 0L || own == null || own.length < 20 || jdk.isEmpty()) {
                return -1L;
            }
            return startMillis(boot, Long.parseLong(own[19])) == jdk.get().toEpochMilli() ? boot : -1L;
        } catch (IOException | RuntimeException e) {
            return -1L; // not Linux, or /proc unlike proc(5): the JDK's route
        }
    }

    /** {@code true} if liveness checks take the one-read route (for tests). */
    static boolean fastChecks() {
        return BOOT_MILLIS >= 0L;
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
