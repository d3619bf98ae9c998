package io.bingfa.cli.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ServiceProcess: the ready line, loud failures, and stopping a whole process tree (real processes, sh). */
class ServiceProcessTest {

    @Test
    void readyLineGivesTheBaseUrlAndWorkers() throws Exception {
        try (ServiceProcess s = ServiceProcess.start("sh", List.of("sh", "-c",
                "echo starting; echo 'serving on http://127.0.0.1:4321 (3 workers)'; exec sleep 60"),
                Duration.ofSeconds(20))) {
            assertThat(s.base()).isEqualTo(URI.create("http://127.0.0.1:4321"));
            assertThat(s.workers()).isEqualTo(3);
            assertThat(s.alive()).isTrue();
            assertThat(s.outputTail()).contains("starting");
        }
    }

    @Test
    void aServiceThatExitsBeforeServingFailsWithItsOutput() {
        assertThatThrownBy(() -> ServiceProcess.start("sh", List.of("sh", "-c", "echo 'no table apps' >&2; exit 3"),
                Duration.ofSeconds(20)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("no table apps");
    }

    @Test
    void aServiceThatNeverGetsReadyIsKilledAfterTheTimeout() throws Exception {
        final List<ProcessHandle> before = ProcessHandle.current().children().toList();
        assertThatThrownBy(() -> ServiceProcess.start("sh", List.of("sh", "-c", "echo waiting; exec sleep 60"),
                Duration.ofSeconds(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no 'serving on' line within 1 s")
                .hasMessageContaining("waiting");
        assertThat(ProcessHandle.current().children().filter(p -> !before.contains(p))
                .filter(ProcessHandle::isAlive).toList()).isEmpty();
    }

    @Test
    void closeStopsTheParentAndEveryWorkerItStarted() throws Exception {
        final List<ProcessHandle> workers;
        try (ServiceProcess s = ServiceProcess.start("sh", List.of("sh", "-c",
                "sleep 60 & sleep 60 & echo 'serving on http://127.0.0.1:1 (2 workers)'; wait"),
                Duration.ofSeconds(20))) {
            final ProcessHandle parent = ProcessHandle.current().children()
                    .filter(p -> p.info().commandLine().orElse("").contains("serving on http://127.0.0.1:1 "))
                    .findFirst().orElseThrow();
            workers = parent.children().toList();
            assertThat(workers).hasSize(2);
        }
        for (final ProcessHandle w : workers) {
            w.onExit().get(10, TimeUnit.SECONDS); // eventually gone: close() waited for them
            assertThat(w.isAlive()).isFalse();
        }
    }
}
