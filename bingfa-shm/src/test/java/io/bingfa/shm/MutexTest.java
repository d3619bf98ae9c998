package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.future.WaitTimeoutException;
import io.bingfa.pool.FileSignals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MutexTest {

    private static final long MUTEX = 0;
    private static final long DATA = 64;
    private static final long COUNTER = 128;

    private final String name = ShmTesting.uniqueName("mutex");
    private SharedMemory shm;

    @BeforeEach
    void create() {
        shm = SharedMemory.create(name, 4096);
    }

    @AfterEach
    void close() {
        shm.close();
        shm.unlink();
    }

    @Test
    void lockUnlockTryLockAndQueries() throws Exception {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, false);
        assertThat(m.isLocked()).isFalse();
        try (ShmMutex.Guard g = m.lock()) {
            assertThat(g.ownerDied()).isFalse();
            assertThat(m.isLocked()).isTrue();
            assertThat(m.isHeldByCurrentThread()).isTrue();
            assertThat(m.ownerPid()).isEqualTo(ProcessHandle.current().pid());
            final AtomicReference<Object> other = new AtomicReference<>();
            final Thread t = Thread.ofPlatform().start(() -> {
                other.set(m.tryLock().isPresent());
                try {
                    m.lock(Duration.ofMillis(30));
                    other.set("locked?!");
                } catch (WaitTimeoutException e) {
                    other.set(e);
                }
            });
            t.join();
            assertThat(other.get()).isInstanceOf(WaitTimeoutException.class);
            assertThat(((Exception) other.get()).getMessage()).contains("still held by pid " + ProcessHandle.current().pid());
        }
        assertThat(m.isLocked()).isFalse();
        assertThat(m.tryLock()).isPresent().get().satisfies(ShmMutex.Guard::close);
    }

    @Test
    void aNonReentrantMutexRefusesASecondLockByItsHolder() {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, false);
        try (ShmMutex.Guard g = m.lock()) {
            assertThatThrownBy(m::lock).isInstanceOf(IllegalStateException.class).hasMessageContaining("not reentrant");
        }
    }

    @Test
    void aReentrantMutexCountsHolds() throws Exception {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, true);
        final ShmMutex.Guard outer = m.lock();
        final ShmMutex.Guard inner = m.lock();
        inner.close();
        assertThat(m.isLocked()).isTrue();
        final Thread t = Thread.ofPlatform().start(() -> assertThat(m.tryLock()).isEmpty());
        t.join();
        outer.close();
        assertThat(m.isLocked()).isFalse();
        assertThat(ShmMutex.open(shm, MUTEX).isReentrant()).isTrue();
    }

    @Test
    void unlockByAThreadThatDoesNotHoldItIsRefused() throws Exception {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, false);
        assertThatThrownBy(m::unlock).isInstanceOf(IllegalMonitorStateException.class);
        try (ShmMutex.Guard g = m.lock()) {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread t = Thread.ofPlatform().start(() -> {
                try {
                    m.unlock();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.join();
            assertThat(failure.get()).isInstanceOf(IllegalMonitorStateException.class);
            assertThat(m.isHeldByCurrentThread()).isTrue();
        }
    }

    @Test
    void aWaiterIsInterruptible() throws Exception {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, false);
        try (ShmMutex.Guard g = m.lock()) {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final CountDownLatch started = new CountDownLatch(1);
            final Thread t = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    m.lock();
                } catch (Throwable e) {
                    failure.set(e);
                    assertThat(Thread.currentThread().isInterrupted()).isTrue();
                }
            });
            started.await();
            Thread.sleep(20);
            t.interrupt();
            t.join(5_000);
            assertThat(failure.get()).isInstanceOf(WaitInterruptedException.class);
        }
    }

    @Test
    void threadsOfOneJvmExcludeEachOther() throws Exception {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, false);
        final SharedLong counter = SharedLong.at(shm, COUNTER);
        final List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int k = 0; k < 20_000; k++) {
                    try (ShmMutex.Guard g = m.lock()) {
                        counter.set(counter.get() + 1);
                    }
                }
            }));
        }
        for (int i = 0; i < 2; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                for (int k = 0; k < 2_000; k++) {
                    try (ShmMutex.Guard g = m.lock()) {
                        counter.set(counter.get() + 1);
                    }
                }
            }));
        }
        for (final Thread t : threads) {
            t.join();
        }
        assertThat(counter.get()).isEqualTo(4 * 20_000 + 2 * 2_000);
    }

    @Test
    void processesExcludeEachOther() {
        ShmMutex.create(shm, MUTEX, false);
        final SharedLong counter = SharedLong.at(shm, COUNTER);
        final List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start("lock-count", shm.path().toString(), "" + MUTEX, "" + COUNTER, "20000"));
            }
            final ShmMutex m = ShmMutex.open(shm, MUTEX);
            for (int k = 0; k < 20_000; k++) {
                try (ShmMutex.Guard g = m.lock()) {
                    counter.set(counter.get() + 1);
                }
            }
            for (final ChildJvm c : children) {
                c.awaitLine("DONE", Duration.ofSeconds(60));
                assertThat(c.awaitExit(Duration.ofSeconds(10))).isZero();
            }
            assertThat(counter.get()).isEqualTo(4 * 20_000);
            assertThat(m.isLocked()).isFalse();
        } finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void killingTheOwnerMidCriticalSectionGivesTheNextAcquirerOwnerDied() {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, false);
        final SharedLong data = SharedLong.at(shm, DATA);
        data.set(10);
        try (ChildJvm owner = ChildJvm.start("lock-and-hang", shm.path().toString(), "" + MUTEX, "" + DATA)) {
            owner.awaitLine("LOCKED", Duration.ofSeconds(30));
            assertThat(m.ownerPid()).isEqualTo(owner.pid());
            assertThat(data.get()).isEqualTo(-1); // half-updated
            // A waiter is already asleep when the owner dies.
            final AtomicReference<Object> got = new AtomicReference<>();
            final Thread waiter = Thread.ofPlatform().start(() -> {
                try (ShmMutex.Guard g = m.lock(Duration.ofSeconds(20))) {
                    got.set(g.ownerDied());
                    if (g.ownerDied()) {
                        data.set(10); // repair
                        g.markConsistent();
                    }
                } catch (Throwable e) {
                    got.set(e);
                }
            });
            owner.kill();
            try {
                waiter.join(30_000);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertThat(got.get()).isEqualTo(Boolean.TRUE);
        }
        assertThat(data.get()).isEqualTo(10);
        assertThat(m.recoveries()).isEqualTo(1);
        assertThat(m.ownerDied()).isFalse();
        try (ShmMutex.Guard g = m.lock(Duration.ofSeconds(1))) {
            assertThat(g.ownerDied()).isFalse();
        }
    }

    @Test
    void aKilledOwnerThatNobodyReapedIsDeadAlthoughItsPidStillExists() {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, false);
        try (ChildJvm shell = ChildJvm.startUnreaped("lock-and-hang", shm.path().toString(), "" + MUTEX, "" + DATA)) {
            final long pid = Long.parseLong(shell.awaitLine("CHILD", Duration.ofSeconds(30)).substring(6).strip());
            shell.awaitLine("LOCKED", Duration.ofSeconds(30));
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            FileSignals.awaitTrue(() -> ProcessIdentity.isZombie(pid), Duration.ofSeconds(10), "pid " + pid + " a zombie");
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the JDK calls a zombie alive").contains(true);
            try (ShmMutex.Guard g = m.lock(Duration.ofSeconds(10))) {
                assertThat(g.ownerDied()).isTrue();
            }
        }
    }

    @Test
    void aLockAbandonedByADeadOwnerIsTakenByALaterAcquirerAndStaysInconsistentUntilMarked() {
        final ShmMutex m = ShmMutex.create(shm, MUTEX, true);
        try (ChildJvm owner = ChildJvm.start("lock-and-hang", shm.path().toString(), "" + MUTEX, "" + DATA)) {
            owner.awaitLine("LOCKED", Duration.ofSeconds(30));
            owner.kill(); // nobody waits at this moment
        }
        assertThat(m.isLocked()).isTrue();
        assertThat(m.tryLock()).isEmpty(); // tryLock never checks liveness
        try (ShmMutex.Guard g = m.lock(Duration.ofSeconds(10))) {
            assertThat(g.ownerDied()).isTrue();
            // not marked consistent: the next holder must hear about it too
        }
        try (ShmMutex.Guard g = m.lock(Duration.ofSeconds(1))) {
            assertThat(g.ownerDied()).isTrue();
            g.markConsistent();
        }
        try (ShmMutex.Guard g = m.lock(Duration.ofSeconds(1))) {
            assertThat(g.ownerDied()).isFalse();
            assertThat(m.ownerDied()).isFalse();
        }
    }
}
