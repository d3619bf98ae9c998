package io.bingfa.shm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.future.WaitTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipeTest {

    private final String name = ShmTesting.uniqueName("pipe");
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        children.forEach(ChildJvm::close);
        SharedMemory.unlink(name);
    }

    @Test
    void bothDirectionsCarryMessagesInOrder() {
        try (Pipe<String> a = Pipe.create(name, 4096, ShmCodec.utf8()); Pipe<String> b = Pipe.open(name, ShmCodec.utf8())) {
            assertThat(a.end()).isZero();
            assertThat(b.end()).isEqualTo(1);
            for (int i = 0; i < 5_000; i++) { // many wraps of a 4 KiB ring, with padding
                a.send("a" + i + "x".repeat(i % 300));
                b.send("b" + i);
                assertThat(b.recv()).isEqualTo("a" + i + "x".repeat(i % 300));
                assertThat(a.recv(Duration.ofSeconds(1))).isEqualTo("b" + i);
            }
            assertThat(a.tryRecv()).isEmpty();
            assertThat(a.poll(Duration.ofMillis(10))).isFalse();
            b.send("ready");
            assertThat(a.poll(Duration.ZERO)).isTrue();
            assertThatThrownBy(() -> b.recv(Duration.ofMillis(10))).isInstanceOf(WaitTimeoutException.class);
        }
    }

    @Test
    void aFullPipeBlocksTheSenderAndAClosedPeerEndsTheReceiver() {
        final Pipe<byte[]> a = Pipe.create(name, 4096, ShmCodec.bytes());
        final Pipe<byte[]> b = Pipe.open(name, ShmCodec.bytes());
        for (int i = 0; i < 4; i++) {
            assertThat(a.trySend(new byte[1000])).isTrue();
        }
        assertThat(a.trySend(new byte[1000])).isFalse();
        assertThatThrownBy(() -> a.send(new byte[1000], Duration.ofMillis(20))).isInstanceOf(WaitTimeoutException.class);
        a.send(new byte[8]);
        a.close();
        for (int i = 0; i < 4; i++) {
            assertThat(b.recv()).hasSize(1000); // what is left is still delivered
        }
        assertThat(b.recv()).hasSize(8);
        assertThatThrownBy(b::recv).isInstanceOf(PipeClosedException.class).hasMessageContaining("nothing is left");
        assertThatThrownBy(() -> b.send(new byte[1])).isInstanceOf(PipeClosedException.class);
        b.close();
    }

    @Test
    void anEndIsHeldByOneLiveProcessAndMessagesAreValidated() {
        try (Pipe<String> a = Pipe.create(name, 4096, ShmCodec.utf8())) {
            assertThatThrownBy(() -> Pipe.open(a.path(), 0, ShmCodec.utf8())).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("end 0").hasMessageContaining("in use by pid " + ProcessHandle.current().pid());
            assertThatThrownBy(() -> Pipe.open(a.path(), 2, ShmCodec.utf8())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("end must be 0 or 1, was 2");
            assertThatThrownBy(() -> a.send("x".repeat(5000))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("message must encode to at most 4088 bytes for this pipe, was 5000");
            assertThatThrownBy(() -> Pipe.create(name + "-tiny", 10, ShmCodec.utf8()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 10");
        }
    }

    @Test
    void aChildJvmEchoesThroughThePipe() {
        try (Pipe<String> a = Pipe.create(name, 1 << 16, ShmCodec.utf8())) {
            final ChildJvm echo = ChildJvm.start("pipe-echo", a.path().toString());
            children.add(echo);
            echo.awaitLine("READY", Duration.ofSeconds(30));
            for (int i = 0; i < 1_000; i++) {
                a.send("hello " + i);
                assertThat(a.recv(Duration.ofSeconds(10))).isEqualTo("HELLO " + i);
            }
            a.send("bye");
            echo.awaitLine("DONE", Duration.ofSeconds(10));
            assertThatThrownBy(() -> a.recv(Duration.ofSeconds(10))).isInstanceOf(PipeClosedException.class);
        }
    }

    @Test
    void aSenderKilledMidMessageIsSeenAsEndOfFileAfterItsCompleteMessages() {
        try (Pipe<String> a = Pipe.create(name, 4096, ShmCodec.utf8())) {
            final ChildJvm sender = ChildJvm.start("pipe-pause-send", a.path().toString());
            children.add(sender);
            sender.awaitLine("PAUSED pipe-mid-write", Duration.ofSeconds(30));
            sender.kill();
            assertThat(a.recv(Duration.ofSeconds(5))).isEqualTo("complete");
            assertThatThrownBy(() -> a.recv(Duration.ofSeconds(5))).isInstanceOf(PipeClosedException.class);
            try (Pipe<String> again = Pipe.open(a.path(), 1, ShmCodec.utf8())) { // the dead end can be taken over
                again.send("new sender");
                assertThat(a.recv(Duration.ofSeconds(5))).isEqualTo("new sender");
            }
        }
    }
}
