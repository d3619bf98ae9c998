package io.bingfa.cli.net;

import io.bingfa.cli.DurationConverter;
import io.bingfa.net.ServerBuilder;
import io.bingfa.net.ServerModel;
import io.bingfa.net.ServerProcesses;
import io.bingfa.net.Servers;
import io.bingfa.net.TcpServer;
import io.bingfa.process.JvmProcess;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bingfa echo --model thread|virtual|loop [--port P] [--processes N]}: seed 001's upper-casing echo
 * server in one of the three models, until Ctrl-C / SIGTERM (which drain it with a grace). With
 * {@code --processes N} (N &gt; 1) this JVM starts N child JVMs that share the port with SO_REUSEPORT, the
 * seeds' "multiple processes + coroutines"; the children die with this JVM, even by {@code kill -9}.
 *
 * <p>The first line on standard output is {@code bingfa echo: MODEL model listening on HOST:PORT ...}: the
 * {@code echo} bench reads the port from it.
 */
@Command(name = "echo", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
        description = {"Seed 001's upper-casing echo server in one of three models: thread, virtual, loop.",
                "It answers conn.send(msg.upper()). thread: a platform thread per connection (the seed's threaded",
                "server); virtual: a virtual thread per connection (gevent's StreamServer); loop: one selector",
                "loop (Tornado's IOLoop).",
                "Runs until Ctrl-C / SIGTERM, then drains for --grace."})
public final class EchoCommand implements Callable<Integer> {

    // picocli injects the spec and the options after construction, so the fields cannot be final.
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "virtual", paramLabel = "MODEL",
            description = "thread, virtual or loop (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--port", defaultValue = "8081", description = "port; 0 for a free one (default ${DEFAULT-VALUE}, the seed's)")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface)")
    String bind;

    @Option(names = "--processes", defaultValue = "1", paramLabel = "N",
            description = "JVMs sharing the port with SO_REUSEPORT (default ${DEFAULT-VALUE}: this JVM alone)")
    int processes;

    @Option(names = "--max-connections", defaultValue = "" + ServerBuilder.DEFAULT_MAX_CONNECTIONS, paramLabel = "N",
            description = "open connections per process; beyond it a new one is closed at once (default ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(names = "--idle-timeout", defaultValue = "0", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "close a connection with nothing to read for this long; 0 for never (default ${DEFAULT-VALUE})")
    Duration idleTimeout;

    @Option(names = "--backlog", defaultValue = "" + ServerBuilder.DEFAULT_BACKLOG, description = "listen backlog (default ${DEFAULT-VALUE})")
    int backlog;

    @Option(names = "--buffer-size", defaultValue = "" + ServerBuilder.DEFAULT_BUFFER_SIZE, paramLabel = "BYTES",
            description = "bytes per read, as the seed's recv(1024) (default ${DEFAULT-VALUE})")
    int bufferSize;

    @Option(names = "--reuse-port", description = "SO_REUSEPORT on a single process too (always on with --processes N > 1)")
    boolean reusePort;

    @Option(names = "--grace", defaultValue = "5s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "on Ctrl-C / SIGTERM, how long in-flight requests may take (default ${DEFAULT-VALUE})")
    Duration grace;

    @Override
    public Integer call() {
        final ServerBuilder builder;
        try {
            builder = Servers.builder(ServerModel.of(model)).port(port).bindAddress(bind).maxConnections(maxConnections)
                    .idleTimeout(idleTimeout).backlog(backlog).bufferSize(bufferSize);
            if (processes < 1) {
                throw new IllegalArgumentException("processes must be at least 1, was " + processes);
            }
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative, was " + grace);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final String limits = "max " + maxConnections + " connections" + (processes > 1 ? " each" : "")
                + (idleTimeout.isZero() ? "" : ", idle timeout " + idleTimeout.toMillis() + " ms");
        if (processes == 1) {
            final TcpServer server = builder.reusePort(reusePort).start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.shutdown(grace);
                server.awaitTermination(grace.plusSeconds(1));
            }, "bingfa-echo-stop"));
            out.println("bingfa echo: " + server.model() + " model listening on " + hostPort(server.address())
                    + " (" + limits + ", pid " + ProcessHandle.current().pid() + "); Ctrl-C to stop");
            out.flush();
            server.awaitTermination();
            return 0;
        }
        final ServerProcesses group = builder.startProcesses(processes);
        Runtime.getRuntime().addShutdownHook(new Thread(group::close, "bingfa-echo-stop"));
        out.println("bingfa echo: " + group.model() + " model listening on " + hostPort(group.address()) + " in "
                + processes + " processes (pids " + group.processes().stream().map(p -> String.valueOf(p.pid()))
                .collect(Collectors.joining(", ")) + "; " + limits + "); Ctrl-C to stop");
        out.flush();
        group.processes().forEach(JvmProcess::join);
        return 0;
    }

    private static String hostPort(final java.net.InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
