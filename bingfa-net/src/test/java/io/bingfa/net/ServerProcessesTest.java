package io.bingfa.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bingfa.process.JvmProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * N JVMs on one port with SO_REUSEPORT ({@code bingfa echo --processes N}): both children serve, a child
 * killed with SIGKILL leaves the other serving every new connection, and the children die with their parent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerProcessesTest {

    @TempDir
    Path dir;

    @Test
    void twoProcessesServeOnePortAndAKilledOneLeavesTheOtherServing() throws Exception {
        try (ServerProcesses group = Servers.virtual(new PidHandler()).startProcesses(2)) {
            assertThat(group.processes()).hasSize(2);
            assertThat(group.alive()).isEqualTo(2);
            final Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 64 && pids.size() < 2; i++) {
                pids.add(PidHandler.ask(group.address()));
            }
            final Set<Long> children = new HashSet<>(group.processes().stream().map(JvmProcess::pid).toList());
            assertThat(pids).isEqualTo(children);

            final JvmProcess victim = group.processes().getFirst();
            final JvmProcess survivor = group.processes().getLast();
            victim.kill();
            assertThat(victim.join(Duration.ofSeconds(10))).isTrue();
            for (int i = 0; i < 32; i++) {
                assertThat(PidHandler.ask(group.address())).isEqualTo(survivor.pid());
            }
            assertThat(group.alive()).isEqualTo(1);
        }
    }

    @Test
    void closeStopsEveryChild() {
        final ServerProcesses group = Servers.loop().startProcesses(2);
        group.close();
        assertThat(group.alive()).isZero();
        assertThat(group.processes()).allSatisfy(p -> assertThat(p.exitCode()).isPresent());
    }

    @Test
    void theChildrenDieWithTheirParentEvenByKill9() throws Exception {
        final String pidsFile = dir.resolve("pids").toString();
        final JvmProcess parent = JvmProcess.start(() -> {
            final ServerProcesses group = Servers.virtual().startProcesses(2);
            final StringBuilder pids = new StringBuilder();
            for (final JvmProcess p : group.processes()) {
                pids.append(p.pid()).append('\n');
            }
            Files.writeString(Path.of(pidsFile + ".tmp"), pids);
            Files.move(Path.of(pidsFile + ".tmp"), Path.of(pidsFile));
            Thread.sleep(Duration.ofMinutes(5));
        });
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (!Files.exists(Path.of(pidsFile))) {
                assertThat(System.nanoTime() - deadline).as("children started").isNegative();
                assertThat(parent.isAlive()).isTrue();
                Thread.sleep(20);
            }
            final List<Long> pids = Files.readAllLines(Path.of(pidsFile)).stream().map(Long::parseLong).toList();
            assertThat(pids).hasSize(2).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
            parent.kill();
            for (final long pid : pids) {
                final var h = ProcessHandle.of(pid);
                if (h.isPresent()) {
                    assertThat(h.get().onExit().get(20, TimeUnit.SECONDS).isAlive()).isFalse();
                }
            }
        } finally {
            parent.kill();
        }
    }

    @Test
    void refusesAHandlerThatCannotTravel() {
        assertThatThrownBy(() -> Servers.virtual(msg -> msg).startProcesses(2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("handler must be Serializable");
        assertThatThrownBy(() -> Servers.virtual().startProcesses(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("processes must be at least 1, was 0");
    }
}
