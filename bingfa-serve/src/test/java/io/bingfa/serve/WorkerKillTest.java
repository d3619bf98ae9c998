package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a worker JVM under load: the others keep serving, the supervisor starts a new one in its slot. */
class WorkerKillTest {

    @TempDir
    Path data;

    @Test
    void aKilledWorkerIsReplacedAndTheOthersKeepServing() throws Exception {
        try (Supervisor serve = Supervisor.start(ServeOptions.defaults(data).withPort(0).withProcesses(2)
                .withApps(1_000).withReloadEvery(Duration.ofMinutes(10)));
             ServeClient client = new ServeClient(serve.url())) {
            final long victim = serve.workerPid(0);
            final Load load = new Load(serve.url(), 4, 1_000, true);
            try {
                ServeClient.eventually(() -> load.ok.sum() > 200, "load is answered");
                new ProcessBuilder("kill", "-9", Long.toString(victim)).inheritIO().start().waitFor();
                final long okAtKill = load.ok.sum();
                ServeClient.eventually(() -> load.ok.sum() > okAtKill + 200, "the other worker keeps answering");
                ServeClient.eventually(() -> serve.workerPid(0) != victim && serve.workerReady(0),
                        "a new worker in slot 0");
                final long okAtRestart = load.ok.sum();
                ServeClient.eventually(() -> load.ok.sum() > okAtRestart + 200, "answers after the restart");
            } finally {
                load.close();
            }
            assertThat(ProcessHandle.of(victim).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(load.answersWithStatusAtLeast(500)).as("5xx answers; statuses %s", load.statuses).isZero();
            assertThat(load.unexpected).isEmpty();
            final var slot = client.get("/api/dashboard").json().get("workers").get(0);
            assertThat(slot.get("restarts").asLong()).isEqualTo(1);
            assertThat(slot.get("pid").asLong()).isEqualTo(serve.workerPid(0));
            assertThat(client.get("/metrics").body()).contains("bingfa_worker_restarts_total{worker=\"0\"} 1.0");
        }
    }
}
