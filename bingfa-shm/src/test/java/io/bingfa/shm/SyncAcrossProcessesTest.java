package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.WaitTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Futex wait/wake, atomics, semaphore, event, condition and barrier, with real child JVMs. */
class SyncAcrossProcessesTest {

    private final String name = ShmTesting.uniqueName("sync");
    private SharedMemory shm;
    private final List<ChildJvm> children = new ArrayList<>();

    @BeforeEach
    void create() {
        shm = SharedMemory.create(name, 64 * 1024);
    }

    @AfterEach
    void close() {
        children.forEach(ChildJvm::close);
        shm.close();
        shm.unlink();
    }

    private ChildJvm child(final String command, final Object... args) {
        final String[] text = new String[args.length + 1];
        text[0] = shm.path().toString();
        for (int i = 0; i < args.length; i++) {
            text[i + 1] = String.valueOf(args[i]);
        }
        final ChildJvm c = ChildJvm.start(command, text);
        children.add(c);
        return c;
    }

    @Test
    void theKernelFutexIsUsedAndWakesASleeperOfThisJvm() throws Exception {
        assertThat(Futex.usesKernel()).as("futex downcall wired").isTrue();
        final var word = shm.segment();
        final CountDownLatch asleep = new CountDownLatch(1);
        final Thread sleeper = Thread.ofPlatform().start(() -> {
            asleep.countDown();
            while (ShmAccess.lvInt(word, 0) == 0) {
                Futex.await(word, 0, 0, Waits.FOREVER);
            }
        });
        asleep.await();
        ShmAccess.svInt(word, 0, 1);
        Futex.wake(word, 0, 1);
        sleeper.join(5_000);
        assertThat(sleeper.isAlive()).isFalse();
    }

    @Test
    void anEventSetHereWakesWaitersInOtherProcesses() {
        final ShmEvent event = ShmEvent.create(shm, 0);
        final ChildJvm a = child("event-wait", 0);
        final ChildJvm b = child("event-wait", 0);
        a.awaitLine("WAITING", Duration.ofSeconds(30));
        b.awaitLine("WAITING", Duration.ofSeconds(30));
        assertThat(event.await(Duration.ofMillis(20))).isFalse();
        event.set();
        assertThat(a.awaitLine("W", Duration.ofSeconds(30))).isEqualTo("WOKE");
        assertThat(b.awaitLine("W", Duration.ofSeconds(30))).isEqualTo("WOKE");
        assertThat(event.isSet()).isTrue();
        event.clear();
        assertThat(event.isSet()).isFalse();
    }

    @Test
    void eventSetThenClearedAtOnceStillReleasesTheWaiters() throws Exception {
        final ShmEvent event = ShmEvent.create(shm, 0);
        final AtomicInteger released = new AtomicInteger();
        final List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(Thread.ofPlatform().start(() -> {
                if (event.await(Duration.ofSeconds(20))) {
                    released.incrementAndGet();
                }
            }));
        }
        Thread.sleep(50);
        event.set();
        event.clear();
        for (final Thread t : waiters) {
            t.join();
        }
        assertThat(released).hasValue(3);
    }

    @Test
    void atomicCountersLoseNoIncrementsAcrossProcesses() {
        final SharedLong counter = SharedLong.at(shm, 0);
        final SharedInt small = SharedInt.at(shm, 8);
        final SharedArray array = SharedArray.create(shm, 64, 7);
        final int n = 100_000;
        for (int i = 0; i < 3; i++) {
            child("atomic-count", 0, n);
        }
        for (int k = 0; k < n; k++) {
            counter.incrementAndGet();
            small.incrementAndGet();
            array.incrementAndGet(k % 7);
        }
        for (final ChildJvm c : children) {
            c.awaitLine("DONE", Duration.ofSeconds(60));
        }
        assertThat(counter.get()).isEqualTo(4L * n);
        assertThat(small.get()).isEqualTo(4 * n);
        assertThat(java.util.Arrays.stream(array.toArray()).sum()).isEqualTo(4L * n);
    }

    @Test
    void aBoundedSemaphoreAdmitsAtMostItsPermitsAcrossFourProcesses() {
        final ShmSemaphore sem = ShmSemaphore.create(shm, 0, 2, true);
        final SharedLong inUse = SharedLong.at(shm, 64);
        final SharedLong maxSeen = SharedLong.at(shm, 72);
        for (int i = 0; i < 4; i++) {
            child("semaphore-work", 0, 64, 72, 150);
        }
        for (final ChildJvm c : children) {
            c.awaitLine("DONE", Duration.ofSeconds(60));
        }
        assertThat(maxSeen.get()).isBetween(1L, 2L);
        assertThat(inUse.get()).isZero();
        assertThat(sem.availablePermits()).isEqualTo(2);
        assertThatThrownBy(sem::release).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released too many times");
    }

    @Test
    void semaphoreTimeoutsAndNonBlockingAcquire() {
        final ShmSemaphore sem = ShmSemaphore.create(shm, 0, 1, false);
        assertThat(sem.tryAcquire()).isTrue();
        assertThat(sem.tryAcquire()).isFalse();
        assertThatThrownBy(() -> sem.acquire(Duration.ofMillis(20))).isInstanceOf(WaitTimeoutException.class);
        sem.release(3);
        assertThat(sem.availablePermits()).isEqualTo(3);
        assertThatThrownBy(() -> sem.release(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("permits must be at least 1, was 0");
        assertThatThrownBy(() -> ShmSemaphore.create(shm, 64, -1, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -1");
    }

    @Test
    void aBarrierTripsTogetherForFourProcessesRoundAfterRound() {
        ShmBarrier.create(shm, 0, 4);
        SharedArray.create(shm, 64, 4);
        for (int party = 0; party < 4; party++) {
            child("barrier-rounds", 0, 64, 20, party);
        }
        for (final ChildJvm c : children) {
            c.awaitLine("DONE", Duration.ofSeconds(60));
            assertThat(c.awaitExit(Duration.ofSeconds(10))).isZero();
        }
    }

    @Test
    void aBarrierTimeoutBreaksItForTheOthersUntilReset() throws Exception {
        final ShmBarrier barrier = ShmBarrier.create(shm, 0, 3);
        final AtomicReference<Throwable> other = new AtomicReference<>();
        final Thread t = Thread.ofPlatform().start(() -> {
            try {
                barrier.await(Duration.ofSeconds(20));
            } catch (Throwable e) {
                other.set(e);
            }
        });
        while (barrier.waiting() < 1) {
            Thread.sleep(1);
        }
        assertThatThrownBy(() -> barrier.await(Duration.ofMillis(50))).isInstanceOf(WaitTimeoutException.class)
                .hasMessageContaining("2 of 3 parties");
        t.join(10_000);
        assertThat(other.get()).isInstanceOf(BarrierBrokenException.class);
        assertThat(barrier.isBroken()).isTrue();
        assertThatThrownBy(() -> barrier.await(Duration.ofSeconds(1))).isInstanceOf(BarrierBrokenException.class);
        barrier.reset();
        assertThat(barrier.isBroken()).isFalse();
        final ShmBarrier one = ShmBarrier.create(shm, 64, 1);
        assertThat(one.await()).isZero();
    }

    @Test
    void resetReleasesSleepersWithBrokenBarrier() throws Exception {
        final ShmBarrier barrier = ShmBarrier.create(shm, 0, 3);
        final AtomicReference<Throwable> other = new AtomicReference<>();
        final Thread t = Thread.ofPlatform().start(() -> {
            try {
                barrier.await(Duration.ofSeconds(20));
            } catch (Throwable e) {
                other.set(e);
            }
        });
        while (barrier.waiting() < 1) {
            Thread.sleep(1);
        }
        barrier.reset();
        t.join(10_000);
        assertThat(other.get()).isInstanceOf(BarrierBrokenException.class).hasMessageContaining("reset");
        assertThat(barrier.isBroken()).isFalse();
        assertThat(barrier.waiting()).isZero();
    }

    @Test
    void aConditionHandsItemsToConsumersInOtherProcesses() {
        final ShmMutex mutex = ShmMutex.create(shm, 0, true);
        final ShmCondition cond = ShmCondition.create(shm, 64, mutex);
        final SharedLong items = SharedLong.at(shm, 128);
        final SharedLong taken = SharedLong.at(shm, 136);
        final int perConsumer = 200;
        for (int i = 0; i < 3; i++) {
            child("condition-consume", 0, 64, 128, 136, perConsumer);
        }
        for (final ChildJvm c : children) {
            c.awaitLine("READY", Duration.ofSeconds(30));
        }
        for (int i = 0; i < 3 * perConsumer; i++) {
            try (ShmMutex.Guard g = mutex.lock()) {
                assertThat(cond.waitFor(() -> items.get() < 5, Duration.ofSeconds(20))).isTrue();
                items.set(items.get() + 1);
                cond.signal();
            }
        }
        for (final ChildJvm c : children) {
            c.awaitLine("DONE", Duration.ofSeconds(60));
        }
        assertThat(taken.get()).isEqualTo(3L * perConsumer);
        assertThat(items.get()).isZero();
    }

    @Test
    void conditionRulesAndTimeouts() {
        final ShmMutex mutex = ShmMutex.create(shm, 0, true);
        final ShmCondition cond = ShmCondition.create(shm, 64, mutex);
        assertThatThrownBy(cond::signal).isInstanceOf(IllegalMonitorStateException.class);
        assertThatThrownBy(() -> cond.await(Duration.ZERO)).isInstanceOf(IllegalMonitorStateException.class);
        try (ShmMutex.Guard outer = mutex.lock(); ShmMutex.Guard inner = mutex.lock()) {
            assertThat(cond.await(Duration.ofMillis(10))).isFalse();
            assertThat(mutex.isHeldByCurrentThread()).isTrue(); // both holds restored
        }
        assertThat(mutex.isLocked()).isFalse();
        final ShmMutex other = ShmMutex.create(shm, 128, false);
        assertThatThrownBy(() -> ShmCondition.open(shm, 64, other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("belongs to the mutex at offset 0");
    }
}
