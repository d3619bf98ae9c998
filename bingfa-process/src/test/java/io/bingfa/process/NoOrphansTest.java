package io.bingfa.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.pool.FileSignals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A parent JVM killed with kill -9 leaves no worker behind. */
@Timeout(60)
class NoOrphansTest {

    @Test
    void killingTheParentWithSigkillEndsEveryWorker() throws Exception {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process parent = new ProcessBuilder(java, "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), OrphanParent.class.getName())
                .redirectErrorStream(true).start();
        final List<Long> pids;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("PIDS ")) {
                System.out.println("parent: " + line);
            }
            assertThat(line).as("the parent's PIDS line").isNotNull();
            pids = Arrays.stream(line.substring(5).split(" ")).map(Long::parseLong).toList();
            assertThat(pids).hasSize(2).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            parent.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            parent.waitFor();
        }
        FileSignals.awaitTrue(() -> pids.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)),
                Duration.ofSeconds(10), "the workers " + pids + " to exit after their parent was killed");
    }
}
