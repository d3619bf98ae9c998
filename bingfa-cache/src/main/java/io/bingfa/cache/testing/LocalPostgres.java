package io.bingfa.cache.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/*
 * A throwaway PostgreSQL server for tests, the bench and demos, in the spirit of Curator's TestingServer:
 * a real `postgres` binary (Debian's package) running a fresh cluster in a temporary directory on a free
 * loopback port, with trust authentication for the user "bingfa", fsync off, and no unix socket outside its
 * own directory. It is not a way to run PostgreSQL in production.
 *
 * Finding the binaries: $BINGFA_PG_BIN (a directory holding initdb and postgres), else the newest
 * /usr/lib/postgresql/<version>/bin (Debian and Ubuntu), else initdb on the PATH.
 *
 * Running as root: PostgreSQL refuses to run as root, so when this JVM is root the data directory is given
 * to the "postgres" system user (the package creates it) and both initdb and postgres run through
 * `setpriv --reuid postgres --regid postgres --init-groups`, which execs the binary in place: the Process we
 * hold is postgres itself, so close() and the shutdown hook stop the real server, not a wrapper.
 *
 * Life cycle: start() runs initdb (about 1 s), starts postgres, and waits until its log says it accepts
 * connections and its TCP port answers. close() asks for PostgreSQL's "fast shutdown" (SIGINT; Process.destroy
 * would send SIGTERM, its "smart shutdown", which waits for every client to leave), falls back to SIGKILL
 * after 10 s, then deletes the directory. A JVM killed with -9 leaves the server running; its directory is
 * under java.io.tmpdir and named bingfa-pg-*.
 */
/** A throwaway local PostgreSQL server (a real {@code postgres} process) on a free loopback port. */
public final class LocalPostgres implements AutoCloseable {

    /** Environment variable naming a directory that holds {@code initdb}, {@code postgres} and {@code pg_ctl}. */
    public static final String BIN_ENV = "BINGFA_PG_BIN";
    /** The database user created by initdb (trust authentication on loopback). */
    public static final String USER = "bingfa";

    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Path bin;
    private final Path dir;
    private final int port;
    private final Process process;
    private final Thread hook;

    private LocalPostgres(final Path bin, final Path dir, final int port, final Process process) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.hook = new Thread(process::destroyForcibly, "bingfa-pg-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The directory holding the PostgreSQL binaries, if any is installed. */
    public static Optional<Path> binaries() {
        final String env = System.getenv(BIN_ENV);
        if (env != null && !env.isBlank()) {
            final Path p = Path.of(env);
            return Files.isExecutable(p.resolve("postgres")) ? Optional.of(p) : Optional.empty();
        }
        final Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                final Optional<Path> newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("postgres")))
                        .max(Comparator.comparingInt(LocalPostgres::majorVersion));
                if (newest.isPresent()) {
                    return newest;
                }
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot list " + debian, e);
            }
        }
        final String path = System.getenv().getOrDefault("PATH", "");
        for (final String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "initdb")) && Files.isExecutable(Path.of(d, "postgres"))) {
                return Optional.of(Path.of(d));
            }
        }
        return Optional.empty();
    }

    /** True when PostgreSQL's binaries are installed. */
    public static boolean available() {
        return binaries().isPresent();
    }

    /**
     * Creates a fresh cluster in a temporary directory and starts it on a free loopback port.
     *
     * @throws IllegalStateException when PostgreSQL is not installed (the message says how to install it)
     * @throws IOException when initdb or postgres fails (the message carries their output)
     */
    public static LocalPostgres start() throws IOException {
        final Path bin = binaries().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL is not installed: no postgres under $" + BIN_ENV
                        + ", /usr/lib/postgresql/*/bin or the PATH (Debian: apt-get install postgresql)"));
        final Path dir = Files.createTempDirectory("bingfa-pg-");
        final Path data = dir.resolve("data");
        final boolean root = isRoot();
        if (root) {
            giveToPostgresUser(dir);
        }
        final Path initLog = dir.resolve("initdb.log");
        final Process init = new ProcessBuilder(asPostgres(root, List.of(bin.resolve("initdb").toString(),
                "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")))
                .redirectErrorStream(true).redirectOutput(initLog.toFile()).start();
        try {
            if (!init.waitFor(120, TimeUnit.SECONDS) || init.exitValue() != 0) {
                init.destroyForcibly();
                throw new IOException("initdb failed in " + data + ": " + Files.readString(initLog));
            }
        } catch (final InterruptedException e) {
            init.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for initdb", e);
        }
        final int port = freePort();
        final Path log = dir.resolve("postgres.log");
        final Process pg = new ProcessBuilder(asPostgres(root, List.of(bin.resolve("postgres").toString(),
                "-D", data.toString(), "-p", Integer.toString(port), "-h", "127.0.0.1", "-k", dir.toString(),
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=200", "-c", "shared_buffers=128MB")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            if (!pg.isAlive()) {
                throw new IOException("postgres exited with " + pg.exitValue() + ": " + Files.readString(log));
            }
            if (accepts(port) && Files.readString(log).contains("ready to accept connections")) {
                return new LocalPostgres(bin, dir, port, pg);
            }
            try {
                Thread.sleep(50);
            } catch (final InterruptedException e) {
                pg.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for postgres", e);
            }
        }
        pg.destroyForcibly();
        throw new IOException("postgres did not accept connections on port " + port + " within 60 s: "
                + Files.readString(log));
    }

    /** The JDBC URL of the {@code postgres} database as user {@value #USER}. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** The JDBC URL of {@code database} as user {@value #USER}. */
    public String jdbcUrl(final String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + USER;
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The user to connect as. */
    public String user() {
        return USER;
    }

    /** The server's process id. */
    public long pid() {
        return process.pid();
    }

    /** The server's log so far. */
    public String log() {
        try {
            return Files.readString(dir.resolve("postgres.log"));
        } catch (final IOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server (fast shutdown, then SIGKILL after 10 s) and deletes its directory. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
        // SIGINT is PostgreSQL's "fast shutdown"; ProcessHandle cannot send it, so kill(1) does.
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor(5, TimeUnit.SECONDS);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (final IOException e) {
            process.destroyForcibly();
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(dir);
    }

    @Override
    public String toString() {
        return "LocalPostgres[" + jdbcUrl() + ", bin=" + bin + ", dir=" + dir + "]";
    }

    private static int majorVersion(final Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\..*", ""));
        } catch (final NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isRoot() {
        try {
            final Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (final IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static List<String> asPostgres(final boolean root, final List<String> command) {
        if (!root) {
            return command;
        }
        final List<String> c = new ArrayList<>(List.of("setpriv", "--reuid", "postgres", "--regid", "postgres",
                "--init-groups", "--"));
        c.addAll(command);
        return c;
    }

    private static void giveToPostgresUser(final Path dir) throws IOException {
        final UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        final UserPrincipal user;
        final GroupPrincipal group;
        try {
            user = users.lookupPrincipalByName("postgres");
            group = users.lookupPrincipalByGroupName("postgres");
        } catch (final IOException e) {
            throw new IOException("running as root, PostgreSQL needs the system user 'postgres' (Debian's "
                    + "postgresql package creates it), and there is none", e);
        }
        final PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    private static boolean accepts(final int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (final IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(final Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            // Best effort: a leftover directory under the temp dir is harmless.
        }
    }
}
