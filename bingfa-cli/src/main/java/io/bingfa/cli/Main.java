package io.bingfa.cli;

import io.bingfa.cli.bench.BenchCommand;
import io.bingfa.cli.cache.CacheCommand;
import io.bingfa.cli.serve.ServeCommand;
import io.bingfa.cli.shard.ShardCommand;
import io.bingfa.cli.tour.TourCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code bingfa} program: a picocli command whose subcommands are the programs of the design
 * ({@code tour}, {@code bench SUITE}). Exit codes are picocli's: 0 success, 1 a failure while running,
 * 2 bad usage (unknown command, suite or option, a bad value).
 *
 * <p>{@link #commandLine()} builds the whole tree; {@code main} executes it and exits with its code, and
 * tests call {@code commandLine().setOut(..).setErr(..).execute(args)} to see what a user would see.
 */
@Command(name = "bingfa",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Bingfa (并发): concurrency for the JVM. The seeds' experiments, measured on this machine.",
        subcommands = {TourCommand.class, BenchCommand.class, ShardCommand.class, CacheCommand.class,
                ServeCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    // picocli injects the spec after construction, so the field cannot be final.
    @Spec
    private CommandSpec spec;

    public static void main(final String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** The full command tree, ready to {@link CommandLine#execute execute}. */
    public static CommandLine commandLine() {
        final CommandLine cl = new CommandLine(new Main());
        BenchCommand.configure(cl.getSubcommands().get("bench"));
        return cl;
    }

    /** {@code bingfa} alone: a usage error that shows the commands. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: tour or bench");
    }

    /** {@code --version}: the project version baked into the jar at build time, and the running JVM. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bingfa " + projectVersion(), "java " + Runtime.version()};
        }
    }

    /** The version Maven filtered into {@code version.properties}, or "unknown" outside a build. */
    public static String projectVersion() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            final Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read version.properties", e);
        }
    }
}
