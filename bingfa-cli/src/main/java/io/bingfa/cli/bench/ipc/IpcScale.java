package io.bingfa.cli.bench.ipc;

import io.bingfa.cli.bench.Scale;

/**
 * The workload sizes of the {@code ipc} suite at one {@link Scale}. Rates compare across different
 * message counts (each side runs long enough to be past its start-up); the counts are in the row names.
 *
 * @param jvmMessages      64-byte messages through ShmQueue / Pipe per throughput run
 * @param pythonMessages   the same through multiprocessing's Queue / Pipe (about 0.4 M/s at best)
 * @param blockingMessages time-stamped messages per blocking latency run (the first tenth is warm-up)
 * @param spinningMessages time-stamped messages per spinning latency run
 * @param blockingGapMicros gap between two latency messages for blocking receivers: long enough that the
 *                          receiver is asleep in the kernel when the next one comes
 * @param spinningGapMicros gap for spinning receivers
 * @param lockOps          lock+unlock pairs for the uncontended timing
 * @param handOffs         lock hand-offs between two processes (JVM)
 * @param pythonHandOffs   the same for multiprocessing.Lock
 * @param warmUp           messages (or lock passes) of each child JVM's private warm-up before it is timed
 * @param reps             runs of each Bingfa throughput experiment (the median is reported; the machine is
 *                         shared, and one run can land on a core another process is using)
 */
public record IpcScale(int jvmMessages, int pythonMessages, int blockingMessages, int spinningMessages, int blockingGapMicros,
                       int spinningGapMicros, int lockOps, int handOffs, int pythonHandOffs, int warmUp, int reps) {

    public static IpcScale of(final Scale scale) {
        return switch (scale) {
            case TINY -> new IpcScale(20_000, 2_000, 200, 200, 200, 50, 100_000, 2_000, 200, 2_000, 1);
            case QUICK -> new IpcScale(3_000_000, 300_000, 2_000, 5_000, 1_000, 100, 10_000_000, 200_000, 40_000,
                    100_000, 1);
            case FULL -> new IpcScale(10_000_000, 1_000_000, 5_000, 50_000, 1_000, 100, 100_000_000, 1_000_000, 100_000,
                    100_000, 3);
        };
    }
}
