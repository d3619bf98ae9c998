package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.pool.FileSignals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class JvmProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void runsTheTargetInAnotherJvmAndExitsWithZero() {
        final String dir = tmp.toString();
        final long me = ProcessHandle.current().pid();
        final JvmProcess p = JvmProcess.start(() -> FileSignals.raise(dir, "ran-in-" + ProcessHandle.current().pid()));
        assertThat(p.pid()).isNotEqualTo(me);
        assertThat(p.join(WAIT)).isTrue();
        assertThat(p.isAlive()).isFalse();
        assertThat(p.exitCode()).hasValue(0);
        assertThat(FileSignals.isRaised(dir, "ran-in-" + p.pid())).isTrue();
    }

    @Test
    void aTargetThatThrowsExitsWithOne() {
        final JvmProcess p = JvmProcess.start(() -> {
            throw new IllegalStateException("target failed on purpose");
        });
        p.join();
        assertThat(p.exitCode()).hasValue(1);
    }

    @Test
    void joinTimesOutTerminateAndKillEndIt() {
        final JvmProcess p = JvmProcess.start(() -> Thread.sleep(Duration.ofMinutes(5)));
        assertThat(p.exitCode()).isEmpty();
        assertThat(p.join(Duration.ofMillis(100))).isFalse();
        assertThat(p.isAlive()).isTrue();
        p.terminate();
        assertThat(p.join(WAIT)).isTrue();
        assertThat(p.exitCode()).hasValue(143);

        final JvmProcess q = JvmProcess.builder().name("stubborn").start(() -> Thread.sleep(Duration.ofMinutes(5)));
        q.kill();
        q.join();
        assertThat(q.exitCode()).hasValue(137);
        assertThat(q.toString()).contains("stubborn").contains("exit code 137");
    }

    @Test
    void anUnserializableTargetIsRejectedBeforeAnyProcessStarts() {
        final Thread t = new Thread(() -> { });
        assertThatThrownBy(() -> JvmProcess.builder().codec(TaskCodec.jdk()).start(() -> t.getName()))
                .isInstanceOf(TaskSerializationException.class).hasMessageContaining("java.lang.Thread");
    }

    @Test
    void aDaemonProcessEndsWhenItsParentIsKilledWithSigkill() throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process parent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DaemonParent.class.getName()).redirectErrorStream(true).start();
        final long child;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PID ")) {
                System.out.println("parent: " + line);
            }
            assertThat(line).isNotNull();
            child = Long.parseLong(line.substring(4));
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).hasValue(true);
            parent.destroyForcibly();
            parent.waitFor();
        }
        FileSignals.awaitTrue(() -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true), Duration.ofSeconds(10),
                "daemon child " + child + " to exit");
    }
}
