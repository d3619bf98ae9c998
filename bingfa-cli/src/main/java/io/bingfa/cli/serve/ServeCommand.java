package io.bingfa.cli.serve;

import io.bingfa.cli.DurationConverter;
import io.bingfa.serve.ServeOptions;
import io.bingfa.serve.Supervisor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code bingfa serve}: the seeds' verification service. A supervisor (this JVM) and {@code --processes}
 * worker JVMs on one port; see {@link Supervisor} and docs/design-serve.md.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
        description = {"The seeds' verification service, with a live dashboard at / and metrics.",
                "Worker JVMs on one port (SO_REUSEPORT). A plain settings read is answered on the selector thread "
                        + "that read it, before any HTTP engine; any other request that never waits by Jetty on "
                        + "that thread (as a Tornado coroutine runs on its IOLoop); one that may wait (Redis with "
                        + "--zk, reload, metrics) on a virtual thread of its own. App settings in a shared "
                        + "reloadable cache, challenges in a host-local shared map or in sharded Redis (--zk).",
                "Routes: GET /v1/settings/{app}, POST /v1/challenges, POST /v1/verify, GET /v1/stats/{app}, "
                        + "GET /health, GET /metrics, POST /admin/reload, GET / (dashboard).",
                "Prints 'serving on URL (N workers)' once every worker accepts; runs until Ctrl-C."})
public final class ServeCommand implements Callable<Integer> {

    // picocli injects the spec and the options after construction, so the fields cannot be final.
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "the port (default ${DEFAULT-VALUE}; 0: a free one)")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "the address to bind (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--processes", paramLabel = "N", description = "worker JVMs (default: cores, here ${sys:bingfa.cores})")
    Integer processes;

    @Option(names = "--db", paramLabel = "JDBC_URL",
            description = "the settings database (table apps); default: an embedded H2 file in the data directory")
    String db;

    @Option(names = "--zk", paramLabel = "CONNECT",
            description = "ZooKeeper of the Redis shards for challenges; default: a shared map on this host")
    String zk;

    @Option(names = "--zk-path", defaultValue = ServeOptions.DEFAULT_ZK_PATH,
            description = "membership path of the Redis shards (default ${DEFAULT-VALUE})")
    String zkPath;

    @Option(names = "--apps", defaultValue = "100000", description = "sample apps of the embedded database (default ${DEFAULT-VALUE})")
    int apps;

    @Option(names = "--reload-every", defaultValue = "60s", paramLabel = "DURATION",
            description = "settings reload period: 500ms, 60s, 5m, 1h or ISO-8601 (default ${DEFAULT-VALUE})")
    String reloadEvery;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "where the embedded database lives (default: ~/.cache/bingfa/serve)")
    Path dataDir;

    static {
        System.setProperty("bingfa.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public Integer call() throws InterruptedException {
        final ServeOptions options;
        try {
            final Path dir = dataDir != null ? dataDir
                    : Path.of(System.getProperty("user.home"), ".cache", "bingfa", "serve");
            options = ServeOptions.defaults(dir).withHost(host).withPort(port)
                    .withProcesses(processes != null ? processes : Runtime.getRuntime().availableProcessors())
                    .withDatabase(db).withZooKeeper(zk, zkPath).withApps(apps).withReloadEvery(duration(reloadEvery));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        final Supervisor supervisor = Supervisor.start(options);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.close();
            stopped.countDown();
        }, "bingfa-serve-stop"));
        spec.commandLine().getOut().println("serving on " + supervisor.url() + " (" + supervisor.workers() + " workers)");
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /** 500ms, 60s, 5m, 1h, or an ISO-8601 duration (PT1M): {@link DurationConverter}'s syntax. */
    static Duration duration(final String text) {
        try {
            return DurationConverter.parse(text);
        } catch (final TypeConversionException e) {
            throw new IllegalArgumentException("reload-every must be like 500ms, 60s, 5m, 1h or PT1M, was '" + text
                    + "'", e);
        }
    }
}
