package io.bingfa.serve;

import io.bingfa.internal.Durations;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code bingfa serve} was asked for; travels to every worker JVM (hence serializable, with the data
 * directory as a string).
 *
 * @param host        the address the workers bind (default 127.0.0.1)
 * @param port        the one port all workers accept on (SO_REUSEPORT); 0 picks a free one
 * @param processes   how many worker JVMs (at least 1)
 * @param jdbcUrl     the settings database, or null for the embedded H2 file in the data directory
 * @param zk          the ZooKeeper connect string of the Redis shards, or null for host-local challenges
 * @param zkPath      the membership path under {@code zk}
 * @param apps        how many sample apps the embedded database is created with
 * @param reloadEvery how often the settings are reloaded from the database (positive)
 * @param dataDir     where the embedded database and the shared maps live
 */
public record ServeOptions(String host, int port, int processes, String jdbcUrl, String zk, String zkPath, int apps,
                           Duration reloadEvery, String dataDir) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** The ZooKeeper path of the Redis membership by default. */
    public static final String DEFAULT_ZK_PATH = "/bingfa/shard";
    /** The sample apps of the embedded database by default. */
    public static final int DEFAULT_APPS = 100_000;

    public ServeOptions {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, was '" + host + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (processes < 1 || processes > 256) {
            throw new IllegalArgumentException("processes must be between 1 and 256, was " + processes);
        }
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:, was '" + jdbcUrl + "'");
        }
        if (zk != null && zk.isBlank()) {
            throw new IllegalArgumentException("zk must not be blank, was '" + zk + "'");
        }
        Objects.requireNonNull(zkPath, "zkPath");
        if (!zkPath.startsWith("/")) {
            throw new IllegalArgumentException("zkPath must start with /, was '" + zkPath + "'");
        }
        if (apps < 1) {
            throw new IllegalArgumentException("apps must be at least 1, was " + apps);
        }
        Durations.requireNonNegative(reloadEvery, "reloadEvery");
        if (reloadEvery.isZero()) {
            throw new IllegalArgumentException("reloadEvery must be positive, was " + reloadEvery);
        }
        Objects.requireNonNull(dataDir, "dataDir");
    }

    /** The defaults of the command line, with {@code dataDir}. */
    public static ServeOptions defaults(final Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        return new ServeOptions("127.0.0.1", 8080, Runtime.getRuntime().availableProcessors(), null, null,
                DEFAULT_ZK_PATH, DEFAULT_APPS, Duration.ofSeconds(60), dataDir.toAbsolutePath().toString());
    }

    public ServeOptions withPort(final int p) {
        return new ServeOptions(host, p, processes, jdbcUrl, zk, zkPath, apps, reloadEvery, dataDir);
    }

    public ServeOptions withProcesses(final int n) {
        return new ServeOptions(host, port, n, jdbcUrl, zk, zkPath, apps, reloadEvery, dataDir);
    }

    public ServeOptions withDatabase(final String url) {
        return new ServeOptions(host, port, processes, url, zk, zkPath, apps, reloadEvery, dataDir);
    }

    public ServeOptions withZooKeeper(final String connect, final String path) {
        return new ServeOptions(host, port, processes, jdbcUrl, connect, path, apps, reloadEvery, dataDir);
    }

    public ServeOptions withApps(final int n) {
        return new ServeOptions(host, port, processes, jdbcUrl, zk, zkPath, n, reloadEvery, dataDir);
    }

    public ServeOptions withReloadEvery(final Duration d) {
        return new ServeOptions(host, port, processes, jdbcUrl, zk, zkPath, apps, d, dataDir);
    }

    public ServeOptions withHost(final String h) {
        return new ServeOptions(h, port, processes, jdbcUrl, zk, zkPath, apps, reloadEvery, dataDir);
    }

    /** The data directory as a path. */
    public Path dataPath() {
        return Path.of(dataDir);
    }

    /** The JDBC URL the settings come from: {@code jdbcUrl}, or the embedded H2 file. */
    public String settingsUrl() {
        return jdbcUrl != null ? jdbcUrl : SampleSettings.embeddedUrl(dataPath());
    }
}
