package io.bingfa.cli.net;

import io.bingfa.cli.DurationConverter;
import io.bingfa.net.ServerModel;
import io.bingfa.net.Servers;
import io.bingfa.net.TcpServer;
import io.bingfa.net.load.EchoLoad;
import io.bingfa.net.load.LoadReport;
import io.bingfa.net.load.Reply;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bingfa echo-load --connections C --duration D --size B [--port P]}: the {@code echo} bench's load
 * generator on its own. Without {@code --port} it starts a server of {@code --model} in this JVM and loads
 * that. Exit code 1 if any connection failed.
 */
@Command(name = "echo-load", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
        description = {"Loads an echo server on this machine and prints msgs/s and latency percentiles.",
                "C connections on virtual threads, each sending a B-byte message and waiting for the",
                "(upper-cased) echo, for D after a warm-up.",
                "Prints messages per second and round-trip percentiles. Loopback only."})
public final class EchoLoadCommand implements Callable<Integer> {

    // picocli injects the spec and the options after construction, so the fields cannot be final.
    @Spec
    CommandSpec spec;

    @Option(names = "--connections", defaultValue = "100", paramLabel = "C", description = "client connections (default ${DEFAULT-VALUE})")
    int connections;

    @Option(names = "--duration", defaultValue = "5s", paramLabel = "D", converter = DurationConverter.class,
            description = "measured time (default ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "1s", paramLabel = "W", converter = DurationConverter.class,
            description = "unmeasured load first (default ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "--size", defaultValue = "64", paramLabel = "B", description = "bytes per message (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "a loopback address (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", paramLabel = "P", description = "the server's port; without it, a server of --model is started here")
    Integer port;

    @Option(names = "--model", defaultValue = "virtual", paramLabel = "MODEL",
            description = "without --port: the model of the server started here (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--reply", defaultValue = "upper", paramLabel = "KIND",
            description = "what a correct reply is: upper (the seed's msg.upper()), same, any (default ${DEFAULT-VALUE})")
    String reply;

    @Override
    public Integer call() {
        final EchoLoad load;
        final TcpServer server;
        try {
            final InetAddress address = InetAddress.getByName(host);
            final Reply kind = Reply.of(reply);
            if (port == null) {
                server = Servers.builder(ServerModel.of(model)).bindAddress(address)
                        .maxConnections(Math.max(connections, 1)).start();
            } else {
                server = null;
            }
            final int target = server != null ? server.port() : port;
            if (target < 1 || target > 65_535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, was " + target);
            }
            load = EchoLoad.to(new InetSocketAddress(address, target)).connections(connections).size(size)
                    .duration(duration).warmup(warmup).reply(kind);
        } catch (IllegalArgumentException | UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        final PrintWriter out = spec.commandLine().getOut();
        try {
            final LoadReport r;
            try {
                r = load.run();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            out.println("bingfa echo-load: " + (server != null ? server.model() + " server in this JVM" : host + ":" + port)
                    + ": " + r.summary());
            out.flush();
            return r.errors() == 0 ? 0 : 1;
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }
}
