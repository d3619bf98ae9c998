package io.bingfa.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A blocking test client: a round trip of a string, and "did the server close this connection". */
final class TestClient implements AutoCloseable {

    private final Socket socket;

    private TestClient(final Socket socket) {
        this.socket = socket;
    }

    static TestClient connect(final InetSocketAddress address) throws IOException {
        final Socket s = new Socket();
        s.setSoTimeout(10_000);
        s.connect(address, 10_000);
        return new TestClient(s);
    }

    void send(final String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads exactly {@code n} bytes. */
    String read(final int n) throws IOException {
        final byte[] b = new byte[n];
        final InputStream in = socket.getInputStream();
        int off = 0;
        while (off < n) {
            final int r = in.read(b, off, n - off);
            if (r < 0) {
                throw new EOFException("end of stream after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    String roundTrip(final String text) throws IOException {
        send(text);
        return read(text.getBytes(StandardCharsets.UTF_8).length);
    }

    /** True if the server closed the connection (end of stream or reset) within 10 s. */
    boolean closedByServer() throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
