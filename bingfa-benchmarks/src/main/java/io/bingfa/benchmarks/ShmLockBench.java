package io.bingfa.benchmarks;

import io.bingfa.shm.SharedMemory;
import io.bingfa.shm.ShmMutex;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Uncontended lock+unlock: the robust, process-shared {@link ShmMutex} (a CAS of the owner token, the
 * owner thread and hold count, a volatile release store and a look at the sleepers flag) against
 * {@link ReentrantLock} (a CAS and a release). One thread; the score is the cost of the pair.
 * The bench suite {@code bingfa bench ipc} reports the same number beside {@code multiprocessing.Lock}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ShmLockBench {

    private final String name = "bingfa-jmh-lock-" + ProcessHandle.current().pid();
    private SharedMemory shm;
    private ShmMutex mutex;
    private ShmMutex reentrantMutex;
    private final ReentrantLock jdk = new ReentrantLock();

    @Setup(Level.Trial)
    public void open() {
        shm = SharedMemory.create(name, 4096);
        mutex = ShmMutex.create(shm, 0, false);
        reentrantMutex = ShmMutex.create(shm, 64, true);
    }

    @TearDown(Level.Trial)
    public void close() {
        shm.close();
        shm.unlink();
    }

    @Benchmark
    public void shmMutex() {
        mutex.lock().close();
    }

    @Benchmark
    public void shmMutexReentrant() {
        reentrantMutex.lock().close();
    }

    @Benchmark
    public void shmMutexTryLock() {
        mutex.tryLock().ifPresent(ShmMutex.Guard::close);
    }

    @Benchmark
    public void reentrantLock() {
        jdk.lock();
        jdk.unlock();
    }
}
