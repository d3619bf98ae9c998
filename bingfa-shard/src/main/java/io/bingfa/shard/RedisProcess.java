package io.bingfa.shard;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A local redis-server on a free loopback port, for tests, the bench and demos (not for production): {@code --save "" --appendonly no}.
 * {@link #kill()} is kill -9 (SIGKILL through Process.destroyForcibly on Linux); {@link #start()} after it
 * starts an empty server on the same port.
 */
public final class RedisProcess implements AutoCloseable {

    /** The redis-server binary: $BINGFA_REDIS_SERVER, else redis-server on the PATH. */
    public static final String BINARY = System.getenv().getOrDefault("BINGFA_REDIS_SERVER", "redis-server");

    private final int port;
    private final String[] extra;
    private final Path dir;
    private Process process;

    private RedisProcess(final int port, final String... extra) throws IOException {
        this.port = port;
        this.extra = extra;
        this.dir = Files.createTempDirectory("bingfa-redis-" + port);
    }

    /** Starts one on a free port. */
    public static RedisProcess startNew(final String... extra) throws IOException {
        final RedisProcess r = new RedisProcess(freePort(), extra);
        r.start();
        return r;
    }

    /** True if a redis-server binary can be run. */
    public static boolean available() {
        try {
            final Process p = new ProcessBuilder(BINARY, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (final IOException e) {
            return false;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** host:port. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** Starts (or restarts, empty) the server and waits until it accepts connections. */
    public synchronized void start() throws IOException {
        final java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(BINARY, "--port",
                Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
                dir.toString(), "--protected-mode", "no"));
        cmd.addAll(java.util.List.of(extra));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (final IOException e) {
                if (!process.isAlive()) {
                    throw new IOException("redis-server on port " + port + " exited: "
                            + Files.readString(dir.resolve("redis.log")));
                }
                try {
                    Thread.sleep(20);
                } catch (final InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", ie);
                }
            }
        }
        throw new IOException("redis-server on port " + port + " did not accept connections within 20 s");
    }

    /** kill -9, and wait until the process is gone. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True while the process runs. */
    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        kill();
    }

    /** A free loopback port (bound once and released; a tiny race with other programs is accepted). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
