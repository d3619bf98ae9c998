package io.bingfa.cli.shard;

import io.bingfa.shard.RedisAgent;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bingfa shard ...}: the many-hosts tier's programs. */
@Command(name = "shard", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
        description = "Redis sharded on the client with ZooKeeper membership (bingfa-shard).",
        subcommands = {ShardCommand.Agent.class})
public final class ShardCommand implements Runnable {

    // picocli injects the spec after construction, so the field cannot be final.
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing command: agent");
    }

    /** {@code bingfa shard agent --redis HOST:PORT --zk CONNECT --path P}: registers one Redis while it answers. */
    @Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"Holds an ephemeral znode PATH/HOST:PORT (address, weight, health) for a Redis it pings;",
                    "removes it when the Redis stops answering, creates it again after a session loss.",
                    "Runs until stopped (Ctrl-C / SIGTERM)."})
    static final class Agent implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        // picocli injects options after construction, so the fields cannot be final.
        @Option(names = "--redis", required = true, paramLabel = "HOST:PORT", description = "the Redis to ping")
        String redis;

        @Option(names = "--zk", required = true, paramLabel = "CONNECT", description = "ZooKeeper connection string")
        String zk;

        @Option(names = "--path", required = true, paramLabel = "P", description = "membership path, e.g. /bingfa/redis")
        String path;

        @Option(names = "--weight", defaultValue = "1", description = "weight on the ring (default ${DEFAULT-VALUE})")
        int weight;

        @Option(names = "--ping-ms", defaultValue = "250", description = "ping interval in ms (default ${DEFAULT-VALUE})")
        long pingMs;

        @Option(names = "--keep-data", description = "do not FLUSHALL the Redis before (re)registering it")
        boolean keepData;

        @Override
        public Integer call() throws InterruptedException {
            final RedisAgent agent;
            try {
                agent = RedisAgent.builder().redis(redis).zk(zk).path(path).weight(weight)
                        .pingInterval(Duration.ofMillis(pingMs)).flushOnJoin(!keepData).build();
            } catch (final IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            final CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                agent.close();
                stopped.countDown();
            }, "bingfa-shard-agent-stop"));
            agent.start();
            System.err.println("bingfa shard agent: " + redis + " -> " + zk + " "
                    + agent.znode() + " (Ctrl-C to stop)");
            stopped.await();
            return 0;
        }
    }
}
