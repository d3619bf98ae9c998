package io.bingfa.cli.bench.models;

import io.bingfa.cli.bench.Measure;
import io.bingfa.coro.Coro;
import io.bingfa.future.TaskFuture;
import java.time.Duration;
import java.util.List;

/**
 * The seed's gevent example: {@code eat} sleeps 2 s, {@code play} sleeps 1 s, both spawned, both joined;
 * about 2 s in all because the sleeps overlap. In gevent only {@code gevent.sleep} (or a monkey-patched
 * {@code time.sleep}) yields to the hub; unpatched, the seed measured 3.0 s. On the JVM any blocking call
 * in a virtual thread parks it, so {@link Coro#sleep} and plain {@link Thread#sleep} both overlap.
 */
public final class EatPlay {

    private EatPlay() {}

    /** {@code Coro.spawn} twice with {@link Coro#sleep}, then {@code Coro.joinAll}: seconds. */
    public static double coroSleep(final Duration eat, final Duration play) {
        return run(() -> Coro.sleep(eat), () -> Coro.sleep(play), eat.plus(play));
    }

    /** The same with plain {@link Thread#sleep} in the coroutines (gevent needs monkey-patching for this). */
    public static double threadSleep(final Duration eat, final Duration play) {
        return run(() -> sleep(eat), () -> sleep(play), eat.plus(play));
    }

    private static void sleep(final Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            throw new io.bingfa.future.WaitInterruptedException(e);
        }
    }

    private static double run(final Runnable eat, final Runnable play, final Duration both) {
        return Measure.seconds(() -> {
            final TaskFuture<Void> g1 = Coro.spawn(eat);
            final TaskFuture<Void> g2 = Coro.spawn(play);
            if (!Coro.joinAll(List.of(g1, g2), both.multipliedBy(10))) {
                throw new IllegalStateException("eat/play did not finish in " + both.multipliedBy(10));
            }
            g1.result();
            g2.result();
        });
    }
}
