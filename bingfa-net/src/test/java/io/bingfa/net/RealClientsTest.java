package io.bingfa.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clients that no one here wrote, against each model: OpenBSD {@code nc}, {@code socat}, and the seed's own
 * multi-threaded Python client (ported to Python 3: {@code seed001_client.py}). Each is skipped, not failed,
 * when its program is missing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RealClientsTest {

    @TempDir
    Path dir;

    private static boolean onPath(final String program) {
        for (final String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code command} with {@code input} on its stdin; its stdout once it exits (within 30 s). */
    private static String run(final String input, final String... command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        final byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s exited", List.of(command)).isTrue();
        assertThat(p.exitValue()).as("exit code of %s", List.of(command)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    /** OpenBSD's nc (Debian's netcat-openbsd) has -N; the traditional one does not. */
    private static boolean openBsdNetcat() throws IOException, InterruptedException {
        if (!onPath("nc")) {
            return false;
        }
        final Process p = new ProcessBuilder("nc", "-h").redirectErrorStream(true).start();
        final String help;
        try (InputStream in = p.getInputStream()) {
            help = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        p.waitFor(10, TimeUnit.SECONDS);
        return help.contains("-N");
    }

    @ParameterizedTest
    @EnumSource(ServerModel.class)
    void netcat(final ServerModel model) throws Exception {
        assumeTrue(openBsdNetcat(), "OpenBSD nc (netcat-openbsd) missing");
        try (TcpServer s = Servers.builder(model).start()) {
            // -N: shut the socket down for writing at end of input, so the server sees EOF and closes.
            final String out = run("hello from netcat\n", "nc", "-N", "127.0.0.1", String.valueOf(s.port()));
            assertThat(out).isEqualTo("HELLO FROM NETCAT\n");
        }
    }

    @ParameterizedTest
    @EnumSource(ServerModel.class)
    void socat(final ServerModel model) throws Exception {
        assumeTrue(onPath("socat"), "socat missing");
        try (TcpServer s = Servers.builder(model).start()) {
            final String out = run("hello from socat\n", "socat", "-t", "5", "-", "TCP:127.0.0.1:" + s.port());
            assertThat(out).isEqualTo("HELLO FROM SOCAT\n");
        }
    }

    @ParameterizedTest
    @EnumSource(ServerModel.class)
    void theSeedsOwnPythonClient(final ServerModel model) throws Exception {
        assumeTrue(onPath("python3"), "python3 missing");
        final Path script = dir.resolve("seed001_client.py");
        try (InputStream in = RealClientsTest.class.getResourceAsStream("/seed001_client.py")) {
            Files.copy(in, script);
        }
        try (TcpServer s = Servers.builder(model).start()) {
            final String out = run("", "python3", script.toString(), "127.0.0.1", String.valueOf(s.port()), "5", "20");
            // The seed's threads send their names ("Thread-1", or "Thread-1 (task)" since Python 3.10) and print
            // the replies; print() writes the text and the newline separately, so lines of different threads may
            // run together: count the names in the whole output instead of lines.
            final String joined = out.replace("\n", "");
            assertThat(joined).matches("(THREAD-\\d+( \\(TASK\\))?)+");
            final List<String> names = java.util.regex.Pattern.compile("THREAD-\\d+").matcher(joined).results()
                    .map(java.util.regex.MatchResult::group).toList();
            assertThat(names).hasSize(5 * 20);
            assertThat(names.stream().distinct().count()).isEqualTo(5);
            assertThat(s.accepted()).isEqualTo(5);
        }
    }
}
