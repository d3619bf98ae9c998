package io.bingfa.cli.bench.ipc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bingfa.cli.bench.AnchorResult;
import io.bingfa.cli.bench.CAnchors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The machine's floor for a blocking one-way hand-off: {@code anchors/futex_floor.c} (a parent wakes a forked
 * child sleeping in {@code FUTEX_WAIT}; no queue, no JVM), compiled with the system's {@code cc} into a
 * temporary directory and run in the same invocation as the JVM rows. Without a C compiler the row is
 * skipped with that reason. It answers "how much of the blocking latency is the kernel's and the
 * hypervisor's wake-up, and how much is ours".
 */
final class FutexFloor {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 120;

    private FutexFloor() {}

    /**
     * Runs {@code m} stamps {@code gapMicros} apart; p50_us and p99_us, or why it could not run. {@code mode}:
     * {@code futex} (the receiver sleeps in FUTEX_WAIT), {@code spin} (it spins on the word: one cache line
     * moving between two pinned cores), {@code hot} (spin, and the sender spins between stamps too).
     */
    static AnchorResult measure(final int m, final int gapMicros, final String mode) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("bingfa-futex-floor");
            final Optional<String> notBuilt = CAnchors.compile("futex_floor", dir);
            if (notBuilt.isPresent()) {
                return new AnchorResult.Skipped(notBuilt.get());
            }
            final Path binary = dir.resolve("futex_floor");
            final Run floor = run(List.of(binary.toString(), String.valueOf(m), String.valueOf(gapMicros), mode));
            if (floor.exit() != 0) {
                return new AnchorResult.Skipped("futex_floor failed: " + floor.output().strip());
            }
            return new AnchorResult.Measured(JSON.readTree(floor.output().strip().lines().reduce((a, b) -> b)
                    .orElse("{}")));
        } catch (IOException e) {
            return new AnchorResult.Skipped("futex floor: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new AnchorResult.Skipped("futex floor interrupted");
        } finally {
            if (dir != null) {
                deleteQuietly(dir);
            }
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run run(final List<String> command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Run(-1, command.getFirst() + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void deleteQuietly(final Path dir) {
        try (var files = Files.list(dir)) {
            for (final Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
