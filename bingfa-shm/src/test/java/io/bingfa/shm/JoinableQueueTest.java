package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JoinableQueueTest {

    private final String name = ShmTesting.uniqueName("joinable");
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        children.forEach(ChildJvm::close);
        SharedMemory.unlink(name);
    }

    @Test
    void joinWaitsForTaskDoneInThisJvm() throws Exception {
        try (ShmJoinableQueue<String> q = ShmJoinableQueue.create(name, 4096, ShmCodec.utf8())) {
            assertThat(q.join(Duration.ZERO)).isTrue();
            q.put("a");
            q.put("b");
            assertThat(q.unfinishedTasks()).isEqualTo(2);
            assertThat(q.join(Duration.ofMillis(20))).isFalse();
            q.get();
            q.taskDone();
            q.get();
            assertThat(q.join(Duration.ofMillis(20))).isFalse(); // taken, not done
            final Thread joiner = Thread.ofPlatform().start(q::join);
            Thread.sleep(20);
            q.taskDone();
            joiner.join(5_000);
            assertThat(joiner.isAlive()).isFalse();
            assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("more times than this process took items");
        }
    }

    @Test
    void joinReturnsWhenWorkersInOtherJvmsMarkedEverythingDone() {
        try (ShmJoinableQueue<String> q = ShmJoinableQueue.create(name, 64 * 1024, ShmCodec.utf8())) {
            for (int i = 0; i < 2; i++) {
                children.add(ChildJvm.start("joinable-work", q.path().toString()));
            }
            for (final ChildJvm c : children) {
                c.awaitLine("READY", Duration.ofSeconds(30));
            }
            for (int i = 0; i < 300; i++) {
                q.put("job " + i);
            }
            assertThat(q.join(Duration.ofSeconds(60))).isTrue();
            assertThat(q.unfinishedTasks()).isZero();
            int total = 0;
            for (final ChildJvm c : children) {
                total += Integer.parseInt(c.awaitLine("DONE", Duration.ofSeconds(30)).substring(5));
            }
            assertThat(total).isEqualTo(300);
        }
    }

    @Test
    void aWorkerKilledWhileHandlingAnItemIsWrittenOffSoJoinDoesNotHangForever() {
        try (ShmJoinableQueue<String> q = ShmJoinableQueue.create(name, 4096, ShmCodec.utf8())) {
            q.put("doomed");
            final ChildJvm worker = ChildJvm.start("joinable-take-and-hang", q.path().toString());
            children.add(worker);
            assertThat(worker.awaitLine("TOOK", Duration.ofSeconds(30))).isEqualTo("TOOK doomed");
            assertThat(q.join(Duration.ofMillis(300))).isFalse(); // taken, not done, worker alive
            worker.kill();
            assertThat(q.join(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aPlainQueueIsNotOpenedAsJoinable() {
        try (ShmQueue<String> q = ShmQueue.create(name, 4096, ShmCodec.utf8())) {
            assertThatThrownBy(() -> ShmJoinableQueue.open(name, ShmCodec.utf8()))
                    .isInstanceOf(SegmentFormatException.class);
        }
    }
}
