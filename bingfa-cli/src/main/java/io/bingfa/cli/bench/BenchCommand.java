package io.bingfa.cli.bench;

import io.bingfa.cli.bench.coro.CoroSuite;
import io.bingfa.cli.bench.echo.EchoSuite;
import io.bingfa.cli.bench.crawl.CrawlSuite;
import io.bingfa.cli.bench.ipc.IpcSuite;
import io.bingfa.cli.bench.map.MapSuite;
import io.bingfa.cli.bench.models.ModelsSuite;
import io.bingfa.cli.bench.pool.PoolSuite;
import io.bingfa.cli.bench.serve.ServeChart;
import io.bingfa.cli.bench.serve.ServeSuite;
import io.bingfa.cli.bench.shard.ShardSuite;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bingfa bench SUITE [--quick] [--json FILE]}: each suite is a subcommand; any other word in the
 * SUITE position lands in {@link #words} and is answered with a usage error (exit code 2) that lists the
 * suites. {@link #configure} makes unknown options positional for this command only, so that
 * {@code bench nosuch --quick} still reports the unknown suite rather than the option.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = io.bingfa.cli.Main.Version.class,
        description = "Runs a bench suite: a table of Bingfa's numbers beside Python anchors measured in the same run.",
        subcommands = {BenchCommand.Models.class, BenchCommand.Coro.class, BenchCommand.PoolBench.class,
                BenchCommand.Ipc.class, BenchCommand.Shard.class, BenchCommand.MapBench.class, BenchCommand.Echo.class,
                BenchCommand.Crawl.class, BenchCommand.Serve.class})
public final class BenchCommand implements Runnable {

    /** The suites, in the order the help and the error list them. */
    public static final List<Suite> SUITES = List.of(new ModelsSuite(), new CoroSuite(), new PoolSuite(), new IpcSuite(),
            new ShardSuite(), new MapSuite(), new EchoSuite(), new CrawlSuite(), new ServeSuite());

    // picocli injects these after construction, so they cannot be final.
    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "SUITE", description = "a suite: one of the commands below")
    private List<String> words;

    /** Applies the parser settings this command needs; {@link io.bingfa.cli.Main#commandLine()} calls it. */
    public static void configure(final CommandLine bench) {
        bench.getCommandSpec().parser().unmatchedOptionsArePositionalParams(true);
    }

    @Override
    public void run() {
        final String suites = SUITES.stream().map(s -> s.name() + " (" + s.summary() + ")")
                .collect(Collectors.joining(", "));
        if (words == null || words.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing suite. Suites: " + suites);
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Unknown suite '" + words.getFirst() + "'. Suites: " + suites);
    }

    /** The body shared by every suite's subcommand. */
    abstract static class SuiteCommand implements Callable<Integer> {
        // picocli injects these after construction, so they cannot be final.
        @Mixin
        BenchOptions options;

        @Spec
        CommandSpec spec;

        abstract Suite suite();

        @Override
        public Integer call() {
            BenchRunner.run(suite(), options, spec.commandLine().getOut(), spec.commandLine().getErr());
            return 0;
        }
    }

    /** The registered suite called {@code name}. */
    static Suite named(final String name) {
        return SUITES.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no suite " + name));
    }

    @Command(name = "models", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"The seeds' experiments, JVM beside the same experiment in Python run live.",
                    "CPU-bound and IO-bound tasks (serial, threads, virtual threads; Python threads and processes),",
                    "generator switching, gevent's eat/play, and the crawler arithmetic (2,000,000 URLs x 2 s)."})
    static final class Models extends SuiteCommand {
        @Override
        Suite suite() {
            return named("models");
        }
    }

    @Command(name = "coro", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"Coroutines at scale, beside gevent and asyncio run live.",
                    "1,000,000 sleeping tasks (wall time, peak RSS), channel hand-offs per second,",
                    "no-op submit->result throughput of Pools.threads(4) and Pools.virtual() vs ThreadPoolExecutor(4)."})
    static final class Coro extends SuiteCommand {
        @Override
        Suite suite() {
            return named("coro");
        }
    }

    @Command(name = "pool", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"The process pool beside Python's ProcessPoolExecutor(2) (fork) run live.",
                    "Round trips (and a raw Unix-socket ping-pong between two JVMs), no-op throughput,",
                    "map with chunks of 256, cold start of a pool of 2, recovery after a worker is killed."})
    static final class PoolBench extends SuiteCommand {
        @Override
        Suite suite() {
            return named("pool");
        }
    }

    @Command(name = "shard", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"ShardedRedis (3 nodes) beside one Redis and a Redis Cluster",
                    "(3 masters + 3 replicas, redis-cli --cluster create), all on loopback:",
                    "throughput with and without pipelining (50/50, 90/10); a master killed",
                    "under load (failed requests, seconds until errors stop, p99 spike);",
                    "key spread of 1,000,000 keys."})
    static final class Shard extends SuiteCommand {
        @Override
        Suite suite() {
            return named("shard");
        }
    }

    @Command(name = "ipc", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"Shared memory between processes (bingfa-shm), beside Python's multiprocessing run live.",
                    "ShmQueue and Pipe throughput (64-byte messages, 1->1 and 2->2 processes), one-way latency p50/p99",
                    "with blocking and spinning receivers, ShmMutex lock+unlock and a lock hand-off between processes."})
    static final class Ipc extends SuiteCommand {
        @Override
        Suite suite() {
            return named("ipc");
        }
    }

    @Command(name = "map", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"SharedMap beside Chronicle Map and LMDB (child JVMs with their flags), Caffeine and Redis",
                    "for context: 1,000,000 entries of 8-byte keys with 100-byte and 1 KiB values;",
                    "random get latency and throughput (1 thread, 2 processes), put throughput, file bytes per",
                    "entry; reload of 1,000,000 rows from PostgreSQL and readers' p99 during it."})
    static final class MapBench extends SuiteCommand {
        @Override
        Suite suite() {
            return named("map");
        }
    }

    @Command(name = "echo", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"Seed 001's upper-casing echo server: Bingfa's thread, virtual-thread and selector-loop models",
                    "beside gevent's StreamServer, asyncio, Tornado and the seed's threaded server, run live as child",
                    "processes and driven by one load generator: msgs/s and p99 for 64 B and 1 KiB messages over 100 and",
                    "1,000 connections, and RSS per idle connection with 10,000 held (2,000 with --quick)."})
    static final class Echo extends SuiteCommand {
        @Override
        Suite suite() {
            return named("echo");
        }
    }

    @Command(name = "crawl", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"The seeds' crawler for real: a crawl-target child JVM plays slow sites on loopback,",
                    "and N URLs (100,000 x 200 ms, concurrency 10,000; --quick: 20,000, concurrency 2,000) are crawled",
                    "in one JVM, over 2 worker JVMs, and by Python's aiohttp run live; requests per second, and the",
                    "one-JVM rate carried over to 2,000,000 URLs x 2 s."})
    static final class Crawl extends SuiteCommand {
        @Override
        Suite suite() {
            return named("crawl");
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = io.bingfa.cli.Main.Version.class,
            description = {"bingfa serve (the seeds' verification service) under wrk on loopback, beside the same",
                    "service written the seeds' way in Python (Tornado, one process per core, settings in a dict",
                    "refreshed from PostgreSQL, counters in Redis) and the 'before' picture (PostgreSQL per request):",
                    "settings reads/s and p99, challenge+verify pairs/s, database queries per request.",
                    "Needs wrk, PostgreSQL and redis-server; the anchors need python3-tornado, -psycopg2, -redis."})
    static final class Serve extends SuiteCommand {
        // picocli injects options after construction, so the field cannot be final.
        @Option(names = "--chart", paramLabel = "PNG", description = "Also draw the throughput rows as a bar chart (PNG).")
        Path chart;

        @Override
        Suite suite() {
            return named("serve");
        }

        @Override
        public Integer call() {
            final BenchReport report = BenchRunner.run(suite(), options, spec.commandLine().getOut(),
                    spec.commandLine().getErr());
            if (chart != null) {
                ServeChart.write(report, chart);
                spec.commandLine().getOut().println("wrote " + chart);
                spec.commandLine().getOut().flush();
            }
            return 0;
        }
    }
}
