package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.queue.QueueEmptyException;
import io.bingfa.queue.QueueFullException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ShmQueue in one JVM: the contract, wrap-around, codecs, and many threads at once. */
class ShmQueueTest {

    private final String name = ShmTesting.uniqueName("queue");
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (final AutoCloseable c : open) {
            c.close();
        }
        SharedMemory.unlink(name);
    }

    private <T> ShmQueue<T> create(final long capacity, final ShmCodec<T> codec) {
        final ShmQueue<T> q = ShmQueue.create(name, capacity, codec);
        open.add(q);
        return q;
    }

    private <T> ShmQueue<T> reopen(final ShmCodec<T> codec) {
        final ShmQueue<T> q = ShmQueue.open(name, codec);
        open.add(q);
        return q;
    }

    @Test
    void itemsComeOutInOrderThroughAnotherHandle() {
        final ShmQueue<String> q = create(4096, ShmCodec.utf8());
        final ShmQueue<String> other = reopen(ShmCodec.utf8());
        assertThat(q.isEmpty()).isTrue();
        q.put("一");
        q.put("two");
        q.put("", Duration.ofSeconds(1));
        assertThat(other.size()).isEqualTo(3);
        assertThat(other.get()).isEqualTo("一");
        assertThat(other.get(Duration.ofSeconds(1))).isEqualTo("two");
        assertThat(other.tryGet()).contains("");
        assertThat(other.tryGet()).isEmpty();
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.attachedProcesses()).isEqualTo(1);
    }

    @Test
    void fullAndEmptyAreReportedAsInPython() {
        final ShmQueue<byte[]> q = create(4096, ShmCodec.bytes());
        assertThat(q.capacity()).isEqualTo(4096);
        final byte[] kb = new byte[1008]; // 1024-byte frames
        for (int i = 0; i < 4; i++) {
            assertThat(q.tryPut(kb)).isTrue();
        }
        assertThat(q.tryPut(new byte[1])).isFalse();
        assertThatThrownBy(() -> q.put(new byte[1], Duration.ofMillis(20))).isInstanceOf(QueueFullException.class)
                .hasMessageContaining("had no room (4096 bytes)");
        assertThat(q.get()).hasSize(1008);
        assertThat(q.tryPut(new byte[1])).isTrue(); // room again (the put swept the consumed frame)
        while (q.tryGet().isPresent()) {
            // drain
        }
        assertThatThrownBy(() -> q.get(Duration.ofMillis(20))).isInstanceOf(QueueEmptyException.class);
        assertThatThrownBy(() -> q.put(new byte[4096])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("item must encode to at most 4080 bytes for this queue, was 4096");
        assertThatThrownBy(() -> q.put(null)).isInstanceOf(NullPointerException.class).hasMessage("item");
        assertThatThrownBy(() -> q.get(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must not be negative");
    }

    @Test
    void capacityIsValidatedAndRoundedUpToAPowerOfTwo() {
        assertThatThrownBy(() -> ShmQueue.create(name, 100, ShmCodec.bytes())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacityBytes must be between 4096 and 1073741824, was 100");
        assertThat(create(5000, ShmCodec.bytes()).capacity()).isEqualTo(8192);
    }

    @Test
    void variableSizesWrapAroundTheRingManyTimes() {
        final ShmQueue<byte[]> q = create(4096, ShmCodec.bytes());
        final Random random = new Random(42);
        final List<byte[]> inFlight = new ArrayList<>();
        long puts = 0;
        long gets = 0;
        for (int round = 0; round < 20_000; round++) {
            if (random.nextInt(3) != 0) {
                final byte[] b = new byte[random.nextInt(700)];
                random.nextBytes(b);
                if (q.tryPut(b)) {
                    inFlight.add(b);
                    puts++;
                }
            } else {
                final Optional<byte[]> got = q.tryGet();
                if (got.isPresent()) {
                    assertThat(got.get()).isEqualTo(inFlight.removeFirst());
                    gets++;
                } else {
                    assertThat(inFlight).isEmpty();
                }
            }
        }
        assertThat(puts).isGreaterThan(5_000);
        assertThat(gets).isGreaterThan(5_000);
    }

    @Test
    void javaObjectsGoThroughSerialization() {
        record Job(String name, int size) implements Serializable { }
        final ShmQueue<Job> q = create(8192, ShmCodec.javaSerialization(Job.class));
        q.put(new Job("resize", 3));
        assertThat(q.get()).isEqualTo(new Job("resize", 3));
        final ShmQueue<Object> any = reopen(ShmCodec.javaSerialization(Object.class));
        assertThatThrownBy(() -> any.put(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be Serializable");
        any.put(List.of(1, 2));
        assertThat(any.get()).isEqualTo(List.of(1, 2));
    }

    @Test
    void aRecordOfAnotherCodecIsRefusedClearly() {
        final ShmQueue<String> text = create(4096, ShmCodec.utf8());
        final ShmQueue<byte[]> raw = reopen(ShmCodec.bytes());
        text.put("hello");
        assertThatThrownBy(raw::get).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("record of type 2").hasMessageContaining("codec of type 1");
        assertThat(raw.isEmpty()).isTrue(); // consumed
    }

    @Test
    void aQueueIsNotRawMemoryNorAPipeNorAJoinableQueue() {
        create(4096, ShmCodec.bytes());
        assertThatThrownBy(() -> SharedMemory.open(name)).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("holds a queue (ShmQueue), not raw shared memory");
        assertThatThrownBy(() -> ShmJoinableQueue.open(name, ShmCodec.bytes())).isInstanceOf(SegmentFormatException.class)
                .hasMessageContaining("not a joinable one");
        try (SharedMemory raw = SharedMemory.create(name + "-raw", 64)) {
            assertThatThrownBy(() -> ShmQueue.open(name + "-raw", ShmCodec.bytes()))
                    .isInstanceOf(SegmentFormatException.class).hasMessageContaining("holds raw shared memory");
        } finally {
            SharedMemory.unlink(name + "-raw");
        }
    }

    @Test
    void aBlockedGetIsInterruptibleAndABlockedPutWakesWhenRoomAppears() throws Exception {
        final ShmQueue<byte[]> q = create(4096, ShmCodec.bytes());
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread getter = Thread.ofPlatform().start(() -> {
            try {
                q.get();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        Thread.sleep(30);
        getter.interrupt();
        getter.join(5_000);
        assertThat(failure.get()).isInstanceOf(WaitInterruptedException.class);

        for (int i = 0; i < 4; i++) {
            q.put(new byte[1008]);
        }
        final Thread putter = Thread.ofPlatform().start(() -> q.put(new byte[8]));
        Thread.sleep(30);
        assertThat(putter.isAlive()).isTrue();
        q.get();
        putter.join(5_000);
        assertThat(putter.isAlive()).isFalse();
    }

    @Test
    void manyProducersAndConsumersInOneJvmLoseAndDuplicateNothing() throws Exception {
        final ShmQueue<byte[]> q = create(16 * 1024, ShmCodec.bytes());
        final int producers = 3;
        final int consumers = 3;
        final int perProducer = 30_000;
        final AtomicIntegerArray seen = new AtomicIntegerArray(producers * perProducer);
        final AtomicLong taken = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            final int id = p;
            final ShmQueue<byte[]> handle = p == 0 ? q : reopen(ShmCodec.bytes());
            threads.add(Thread.ofPlatform().start(() -> {
                for (int s = 0; s < perProducer; s++) {
                    handle.put(QueueMessages.encode(id, s, s % 97));
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            final ShmQueue<byte[]> handle = reopen(ShmCodec.bytes());
            threads.add(Thread.ofPlatform().start(() -> {
                while (taken.get() < (long) producers * perProducer) {
                    final Optional<byte[]> m = Optional.ofNullable(pollBriefly(handle));
                    m.ifPresent(bytes -> {
                        final int at = QueueMessages.decode(bytes, perProducer);
                        seen.incrementAndGet(at);
                        taken.incrementAndGet();
                    });
                }
            }));
        }
        for (final Thread t : threads) {
            t.join(30_000);
            if (t.isAlive()) {
                final StringBuilder missing = new StringBuilder();
                for (int i = 0; i < seen.length() && missing.length() < 300; i++) {
                    if (seen.get(i) != 1) {
                        missing.append(i).append('x').append(seen.get(i)).append(' ');
                    }
                }
                throw new AssertionError("stuck after " + taken + " messages; missing " + missing + "; ring " + q.describe());
            }
        }
        for (int i = 0; i < seen.length(); i++) {
            assertThat(seen.get(i)).as("message %d", i).isEqualTo(1);
        }
        assertThat(q.isEmpty()).isTrue();
    }

    private static byte[] pollBriefly(final ShmQueue<byte[]> q) {
        try {
            return q.get(Duration.ofMillis(20));
        } catch (QueueEmptyException e) {
            return null;
        }
    }
}
