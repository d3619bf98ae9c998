package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ShmQueue with real child JVMs: many producers and consumers, and processes killed halfway. */
class QueueAcrossProcessesTest {

    private final String name = ShmTesting.uniqueName("mpq");
    private final String seenName = ShmTesting.uniqueName("seen");
    private final List<ChildJvm> children = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        children.forEach(ChildJvm::close);
        for (final AutoCloseable c : open) {
            c.close();
        }
        SharedMemory.unlink(name);
        SharedMemory.unlink(seenName);
    }

    private ChildJvm child(final String command, final Object... args) {
        final String[] text = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            text[i] = String.valueOf(args[i]);
        }
        final ChildJvm c = ChildJvm.start(command, text);
        children.add(c);
        return c;
    }

    private <T extends AutoCloseable> T keep(final T resource) {
        open.add(resource);
        return resource;
    }

    @Test
    void producersTimesConsumersInSeparateJvmsLoseAndDuplicateNothing() {
        final ShmQueue<byte[]> q = keep(ShmQueue.create(name, 16 * 1024, ShmCodec.bytes())); // wraps hundreds of times
        final int producers = 3;
        final int perProducer = 15_000;
        final SharedMemory seenMemory = keep(SharedMemory.create(seenName, 64 + SharedArray.bytes(producers * perProducer)));
        final SharedLong taken = SharedLong.at(seenMemory, 0);
        final SharedArray seen = SharedArray.create(seenMemory, 64, producers * perProducer);
        for (int c = 0; c < 2; c++) {
            child("queue-consume", q.path(), seenMemory.path(), producers * perProducer, perProducer);
        }
        for (int p = 1; p < producers; p++) {
            child("queue-produce", q.path(), p, perProducer, 200);
        }
        for (int s = 0; s < perProducer; s++) { // producer 0 is this JVM
            q.put(QueueMessages.encode(0, s, (s * 13) % 201), Duration.ofSeconds(30));
        }
        for (final ChildJvm c : children) {
            c.awaitLine("DONE", Duration.ofSeconds(90));
            assertThat(c.awaitExit(Duration.ofSeconds(10))).as(c.transcript()).isZero();
        }
        assertThat(taken.get()).isEqualTo((long) producers * perProducer);
        final long[] marks = seen.toArray();
        for (int i = 0; i < marks.length; i++) {
            assertThat(marks[i]).as("message %d (producer %d, sequence %d)", i, i / perProducer, i % perProducer)
                    .isEqualTo(1L);
        }
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void aProducerKilledMidWriteLosesOnlyItsUnfinishedRecordAndConsumersGoOn() {
        final ShmQueue<String> q = keep(ShmQueue.create(name, 4096, ShmCodec.utf8()));
        q.put("before");
        final ChildJvm producer = child("queue-pause-put", q.path(), "half-written");
        producer.awaitLine("PAUSED producer-mid-write", Duration.ofSeconds(30));
        q.put("after"); // claimed behind the dead producer's frame
        producer.kill();
        assertThat(q.get(Duration.ofSeconds(5))).isEqualTo("before");
        assertThat(q.get(Duration.ofSeconds(5))).isEqualTo("after"); // waits one liveness period, then skips
        assertThat(q.tryGet()).isEmpty();
        // The ring keeps working across many wraps.
        for (int i = 0; i < 2_000; i++) {
            q.put("m" + i);
            assertThat(q.get()).isEqualTo("m" + i);
        }
    }

    @Test
    void aConsumerKilledMidReadHasItsRecordDeliveredAgain() {
        assertRedeliveredAfterConsumerDiesAt("consumer-mid-read");
    }

    @Test
    void aConsumerKilledBetweenTakingAndMarkingHasItsRecordDeliveredAgain() {
        assertRedeliveredAfterConsumerDiesAt("consumer-before-mark");
    }

    private void assertRedeliveredAfterConsumerDiesAt(final String point) {
        final ShmQueue<String> q = keep(ShmQueue.create(name, 4096, ShmCodec.utf8()));
        q.put("first");
        q.put("second");
        final ChildJvm consumer = child("queue-pause-get", q.path(), point);
        consumer.awaitLine("PAUSED " + point, Duration.ofSeconds(30));
        consumer.kill();
        final Set<String> got = new HashSet<>();
        got.add(q.get(Duration.ofSeconds(5)));
        got.add(q.get(Duration.ofSeconds(5))); // "first" comes back after one or two liveness periods
        assertThat(got).containsExactlyInAnyOrder("first", "second");
        assertThat(q.tryGet()).isEmpty();
        // The head moved past the orphan: the whole ring is usable again.
        final String big = "x".repeat(1000);
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 3; i++) {
                assertThat(q.tryPut(big)).as("round %d put %d", round, i).isTrue();
            }
            for (int i = 0; i < 3; i++) {
                assertThat(q.get()).isEqualTo(big);
            }
        }
    }

    @Test
    void aSweeperKilledInTheMiddleOfABatchHasItsSweepTakenOver() {
        final ShmQueue<String> q = keep(ShmQueue.create(name, 4096, ShmCodec.utf8()));
        final String item = "y".repeat(200);
        while (q.tryPut(item)) {
            // fill the ring
        }
        while (q.tryGet().isPresent()) {
            // consume everything: the frames are CONSUMED, not yet freed
        }
        final ChildJvm sweeper = child("queue-pause-sweep", q.path());
        sweeper.awaitLine("PAUSED sweeper-mid-batch", Duration.ofSeconds(30));
        sweeper.kill();
        q.put("next", Duration.ofSeconds(5)); // takes the dead sweeper's lease after a liveness period
        assertThat(q.get(Duration.ofSeconds(1))).isEqualTo("next");
        for (int round = 0; round < 100; round++) {
            while (q.tryPut(item)) {
                // fill
            }
            int n = 0;
            while (q.tryGet().isPresent()) {
                n++;
            }
            assertThat(n).as("round %d", round).isGreaterThan(10);
        }
    }

    @Test
    void aRestartedProcessReclaimsTheSlotOfADeadOne() {
        final ShmQueue<String> q = keep(ShmQueue.create(name, 4096, ShmCodec.utf8()));
        final ChildJvm consumer = child("queue-pause-get", q.path(), "consumer-mid-read");
        q.put("only");
        consumer.awaitLine("PAUSED", Duration.ofSeconds(30));
        assertThat(q.attachedProcesses()).isEqualTo(2);
        consumer.kill();
        assertThat(q.attachedProcesses()).isEqualTo(1);
        try (ShmQueue<String> again = ShmQueue.open(name, ShmCodec.utf8())) { // opening runs recovery
            assertThat(again.get(Duration.ofSeconds(5))).isEqualTo("only");
        }
    }
}
