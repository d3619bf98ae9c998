package io.bingfa.cli.bench.pool;

import io.bingfa.process.JvmProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The limit for a process pool's round trip: 16 bytes there and back over a Unix domain socket between
 * this JVM and a child JVM that echoes them ({@link JvmProcess}), blocking reads and writes, nothing else.
 */
final class PingPong {

    private static final int MESSAGE = 16;

    private PingPong() {}

    /** Mean microseconds of one round trip, after {@code n} untimed ones; both sides block in their reads. */
    static double roundTripMicros(final int n) {
        return roundTripMicros(n, false);
    }

    /**
     * As {@link #roundTripMicros(int)}; with {@code polling}, this side reads without blocking, in a busy
     * loop (the echo child still blocks): the hand-offs of a process pool whose caller spins on its answer
     * and polls the socket itself, so the parent side never sleeps and is never woken.
     */
    static double roundTripMicros(final int n, final boolean polling) {
        try {
            final Path dir = Files.createTempDirectory("bingfa-pingpong");
            final Path socket = dir.resolve("echo.sock");
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                final String path = socket.toString();
                final JvmProcess child = JvmProcess.builder().daemon(true).start(() -> echo(path));
                try (SocketChannel ch = server.accept()) {
                    ch.configureBlocking(!polling);
                    final ByteBuffer b = ByteBuffer.allocateDirect(MESSAGE);
                    pingPong(ch, b, n);
                    final long t0 = System.nanoTime();
                    pingPong(ch, b, n);
                    return (System.nanoTime() - t0) / 1e3 / n;
                } finally {
                    child.kill();
                    child.join();
                }
            } finally {
                Files.deleteIfExists(socket);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("ping-pong failed", e);
        }
    }

    private static void pingPong(final SocketChannel ch, final ByteBuffer b, final int n) throws IOException {
        for (int i = 0; i < n; i++) {
            b.clear();
            b.putLong(i).putLong(i).flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            b.clear();
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    throw new IOException("echo child closed the socket");
                }
                // non-blocking (polling): a read of 0 bytes simply goes round again
            }
        }
    }

    /** The child's side: echoes every 16 bytes until the parent closes the socket. */
    static void echo(final String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(path));
            final ByteBuffer b = ByteBuffer.allocateDirect(MESSAGE);
            while (true) {
                b.clear();
                while (b.hasRemaining()) {
                    if (ch.read(b) < 0) {
                        return;
                    }
                }
                b.flip();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        }
    }
}
