package io.bingfa.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The C floors of the bench suites ({@code anchors/NAME.c} on the class path), compiled with the system's
 * {@code cc -O2} at run time, so that a floor is measured by the same machine, in the same invocation, as the rows
 * it is compared with. A suite without a C compiler skips its floor rows with the reason this returns.
 */
public final class CAnchors {

    private static final long COMPILE_SECONDS = 60;

    private CAnchors() {}

    /**
     * Compiles {@code anchors/NAME.c} into the executable {@code dir/NAME}; empty when it is there, otherwise why
     * not (no source on the class path, no {@code cc}, a compile error, a time-out, an interrupt).
     */
    public static Optional<String> compile(final String name, final Path dir) throws IOException {
        final Path source = dir.resolve(name + ".c");
        try (InputStream in = CAnchors.class.getResourceAsStream("/anchors/" + name + ".c")) {
            if (in == null) {
                return Optional.of("anchors/" + name + ".c is not on the class path");
            }
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        final Process cc;
        try {
            cc = new ProcessBuilder("cc", "-O2", "-o", dir.resolve(name).toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (final IOException e) {
            return Optional.of("no C compiler (cc) to build " + name + ": " + e.getMessage());
        }
        final String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!cc.waitFor(COMPILE_SECONDS, TimeUnit.SECONDS)) {
                cc.destroyForcibly();
                return Optional.of("cc did not compile " + name + ".c within " + COMPILE_SECONDS + " s");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            cc.destroyForcibly();
            return Optional.of("interrupted while compiling " + name + ".c");
        }
        return cc.exitValue() == 0 ? Optional.empty() : Optional.of("cc failed on " + name + ".c: " + output);
    }
}
