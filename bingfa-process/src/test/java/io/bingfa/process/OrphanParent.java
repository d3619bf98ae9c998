package io.bingfa.process;

import java.time.Duration;

/**
 * The parent JVM of {@link NoOrphansTest}: starts a pool, gives each worker a long task, prints the
 * workers' pids and waits to be killed.
 */
public final class OrphanParent {

    private OrphanParent() {}

    public static void main(final String[] args) throws Exception {
        final ProcessPool pool = ProcessPool.builder().workers(2).eagerStart(true).build();
        for (int i = 0; i < 2; i++) {
            pool.submit(() -> {
                Thread.sleep(Duration.ofMinutes(5));
                return 0;
            });
        }
        while (pool.workerPids().size() < 2) {
            Thread.sleep(10);
        }
        System.out.println("PIDS " + pool.workerPids().stream().map(String::valueOf).reduce((a, b) -> a + " " + b).orElseThrow());
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5));
    }
}
