package io.bingfa.cli.bench;

import java.util.Arrays;

/** Wall-clock timing of a piece of work, once or as the median of several repetitions. */
public final class Measure {

    private Measure() {}

    /** Work that may throw; a checked exception fails the bench with its cause. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /** The wall time of one run of {@code work}, in seconds. */
    public static double seconds(final Work work) {
        final long start = System.nanoTime();
        try {
            work.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bench interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("bench work failed: " + e, e);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** The median wall time of {@code reps} runs of {@code work}, in seconds. */
    public static double medianSeconds(final int reps, final Work work) {
        if (reps < 1) {
            throw new IllegalArgumentException("reps must be at least 1, was " + reps);
        }
        final double[] times = new double[reps];
        for (int i = 0; i < reps; i++) {
            times[i] = seconds(work);
        }
        return median(times);
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    public static double median(final double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("values must not be empty");
        }
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
