package io.bingfa.cli.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.cli.CliRun;
import io.bingfa.cli.Main;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code bingfa echo} as a user runs it (a real JVM of its own) and {@code bingfa echo-load} in-process. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EchoCommandTest {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern PIDS = Pattern.compile("pids ([0-9, ]+);");

    private static Process cli(final String... args) throws IOException {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(Arrays.asList(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private static String roundTrip(final int port, final String text) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            final OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            final InputStream in = s.getInputStream();
            final byte[] b = in.readNBytes(text.length());
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    @Test
    void servesUntilSigtermThenExitsCleanly() throws Exception {
        final Process p = cli("echo", "--model", "loop", "--port", "0");
        try {
            final BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            final String line = r.readLine();
            assertThat(line).startsWith("bingfa echo: loop model listening on 127.0.0.1:");
            final Matcher m = LISTENING.matcher(line);
            assertThat(m.find()).isTrue();
            assertThat(roundTrip(Integer.parseInt(m.group(1)), "from the cli")).isEqualTo("FROM THE CLI");
            p.destroy(); // SIGTERM: the shutdown hook drains the server
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(143);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void twoProcessesShareThePortAndOneKilledLeavesTheOtherServing() throws Exception {
        final Process p = cli("echo", "--model", "virtual", "--port", "0", "--processes", "2");
        try {
            final BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            final String line = r.readLine();
            assertThat(line).contains("in 2 processes");
            final Matcher port = LISTENING.matcher(line);
            final Matcher pids = PIDS.matcher(line);
            assertThat(port.find()).isTrue();
            assertThat(pids.find()).isTrue();
            final int serverPort = Integer.parseInt(port.group(1));
            final Set<Long> children = new HashSet<>();
            for (final String pid : pids.group(1).split(",\\s*")) {
                children.add(Long.parseLong(pid.strip()));
            }
            assertThat(children).hasSize(2);
            final ProcessHandle victim = ProcessHandle.of(children.iterator().next()).orElseThrow();
            victim.destroyForcibly();
            victim.onExit().get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 20; i++) {
                assertThat(roundTrip(serverPort, "still served " + i)).isEqualTo("STILL SERVED " + i);
            }
            p.destroyForcibly(); // kill -9 of the parent: the other child must follow
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            for (final long pid : children) {
                final var h = ProcessHandle.of(pid);
                if (h.isPresent()) {
                    h.get().onExit().get(20, TimeUnit.SECONDS);
                }
            }
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aBadModelIsAUsageError() {
        final CliRun run = CliRun.of("echo", "--model", "fork");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("model must be one of thread, virtual, loop, was 'fork'");
    }

    @Test
    void echoLoadAgainstAServerInThisJvm() {
        final CliRun run = CliRun.of("echo-load", "--model", "loop", "--connections", "5", "--duration", "300ms",
                "--warmup", "0", "--size", "32");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("loop server in this JVM: 5 connections x 32 B", "msgs/s", "0 errors");
    }

    @Test
    void echoLoadIsForLoopbackOnly() {
        final CliRun run = CliRun.of("echo-load", "--host", "192.0.2.1", "--port", "7");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("must be a loopback address");
    }
}
