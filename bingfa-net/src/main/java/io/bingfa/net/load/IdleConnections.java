package io.bingfa.net.load;

import io.bingfa.future.WaitInterruptedException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code n} connections to an echo server, each proven served by one round trip and then left idle: what
 * the {@code echo} bench holds open while it reads the server's RSS. Opened by up to
 * {@value #PARALLEL} virtual threads at once (a burst of 10,000 SYNs would overflow any backlog).
 * Closing closes every connection.
 */
public final class IdleConnections implements AutoCloseable {

    private static final int PARALLEL = 64;
    private static final int TIMEOUT_MILLIS = 30_000;

    private final List<Socket> sockets;

    private IdleConnections(final List<Socket> sockets) {
        this.sockets = sockets;
    }

    /**
     * Opens {@code n} loopback connections to {@code target}; each sends 16 bytes and reads 16 back.
     *
     * @throws IOException naming the first connection that failed (the others are closed)
     */
    public static IdleConnections open(final InetSocketAddress target, final int n) throws IOException {
        Objects.requireNonNull(target, "target");
        EchoLoad.to(target); // the same loopback check
        if (n < 1 || n > EchoLoad.MAX_CONNECTIONS) {
            throw new IllegalArgumentException("n must be between 1 and " + EchoLoad.MAX_CONNECTIONS + ", was " + n);
        }
        final List<Socket> open = Collections.synchronizedList(new ArrayList<>(n));
        final Semaphore permits = new Semaphore(PARALLEL);
        final AtomicReference<IOException> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>(n);
        final byte[] hello = Reply.payload(16);
        try {
            for (int i = 0; i < n && failure.get() == null; i++) {
                permits.acquire();
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        open.add(connect(target, hello));
                    } catch (IOException e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        permits.release();
                    }
                }));
            }
            for (final Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            new IdleConnections(List.copyOf(open)).close();
            throw new WaitInterruptedException(e);
        }
        final IdleConnections result = new IdleConnections(List.copyOf(open));
        if (failure.get() != null) {
            result.close();
            throw new IOException("could not hold " + n + " connections to " + target + " (" + open.size()
                    + " were open): " + failure.get().getMessage(), failure.get());
        }
        return result;
    }

    private static Socket connect(final InetSocketAddress target, final byte[] hello) throws IOException {
        final Socket s = new Socket();
        try {
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.connect(target, TIMEOUT_MILLIS);
            s.getOutputStream().write(hello);
            final InputStream in = s.getInputStream();
            int got = 0;
            final byte[] buf = new byte[hello.length];
            while (got < hello.length) {
                final int r = in.read(buf, got, buf.length - got);
                if (r < 0) {
                    throw new EOFException("the server closed the connection before it answered");
                }
                got += r;
            }
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Connections held. */
    public int size() {
        return sockets.size();
    }

    /** Closes every connection. */
    @Override
    public void close() {
        for (final Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing: nothing left to do
            }
        }
    }
}
