package io.bingfa.cache;

import static io.bingfa.cache.ReloadFixtures.key;
import static io.bingfa.cache.ReloadFixtures.small;
import static io.bingfa.cache.ReloadFixtures.tagOf;
import static io.bingfa.cache.ReloadFixtures.tagged;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Readers and reloaders in other JVMs: whole generations across processes, and a reloader killed with -9. */
class ReloadProcessesTest {

    private final ReloadFixtures files = new ReloadFixtures();

    @AfterEach
    void cleanUp() {
        files.close();
    }

    @Test
    void aReaderInAnotherJvmSeesWholeGenerationsOnlyWhileReloadsRun() throws Exception {
        final int rows = 3_000;
        final Path file = files.next("xjvm");
        try (ReloadableMap m = ReloadableMap.create(file, small())) {
            final Reloader r = Reloader.builder(m).source(tagged(m, rows)).build();
            r.reloadNow();
            try (Child reader = Child.start("read", file.toString(), Integer.toString(rows), "3000")) {
                reader.awaitLine("READY", Duration.ofSeconds(30));
                int reloads = 0;
                String result = null;
                while (result == null) {
                    assertThat(r.reloadNow().ok()).isTrue();
                    reloads++;
                    result = reader.pollLine("RESULT");
                }
                assertThat(result).contains(" mixed=0 ", " backwards=0 ", "interrupted=false");
                final int generations = Integer.parseInt(result.replaceAll(".*generations=(\\d+).*", "$1"));
                assertThat(generations).as("generations the reader saw, of %d reloads", reloads).isGreaterThan(1);
                assertThat(reader.awaitExit(Duration.ofSeconds(20))).isZero();
            }
        }
    }

    @Test
    void aReloaderKilledMidBuildLeavesTheCurrentGenerationServingAndTheNextReloadCleansUp() throws Exception {
        final Path file = files.next("kill9");
        try (ReloadableMap m = ReloadableMap.create(file, small())) {
            final Reloader r = Reloader.builder(m).source(tagged(m, 100)).build();
            r.reloadNow();
            try (Child reloader = Child.start("reload-hang", file.toString())) {
                final String building = reloader.awaitLine("BUILDING", Duration.ofSeconds(30));
                assertThat(building).isEqualTo("BUILDING 2");
                assertThat(m.generationFile(2)).exists();
                reloader.kill();
            }
            assertThat(m.generation()).isEqualTo(1);
            assertThat(tagOf(m.get(key(5)))).isEqualTo(1);
            final ReloadReport next = r.reloadNow(); // takes over the dead reloader's lock
            assertThat(next.ok()).isTrue();
            assertThat(next.generation()).isEqualTo(3);
            assertThat(tagOf(m.get(key(5)))).isEqualTo(3);
            assertThat(Generations.generationFiles(file)).containsExactly(m.generationFile(3));
        }
    }

    /** A child JVM running {@link ReloadChild}; its stdout lines can be awaited. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> transcript = java.util.Collections.synchronizedList(new ArrayList<>());

        private Child(final Process process) {
            this.process = process;
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l = in.readLine(); l != null; l = in.readLine()) {
                        transcript.add(l);
                        lines.add(l);
                    }
                } catch (final IOException e) {
                    // killed: the pipe closed
                }
            });
        }

        static Child start(final String... args) throws IOException {
            final List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-Xmx96m", "-XX:+UseSerialGC",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    ReloadChild.class.getName()));
            cmd.addAll(List.of(args));
            return new Child(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }

        String awaitLine(final String prefix, final Duration limit) throws InterruptedException {
            final long deadline = System.nanoTime() + limit.toNanos();
            for (;;) {
                final String l = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    throw new AssertionError("no line starting with " + prefix + " within " + limit + ": " + transcript);
                }
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
        }

        /** A line starting with {@code prefix} printed so far, or null (other lines are dropped). */
        String pollLine(final String prefix) {
            for (String l = lines.poll(); l != null; l = lines.poll()) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            if (!process.isAlive() && lines.isEmpty()) {
                throw new AssertionError("child exited with " + process.exitValue() + ": " + transcript);
            }
            return null;
        }

        int awaitExit(final Duration limit) throws InterruptedException {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child did not exit: " + transcript);
            }
            return process.exitValue();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly(); // SIGKILL
            process.waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                kill();
            }
        }
    }
}
