package io.bingfa.net.crawl;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * {@link Crawler.Transport#SOCKETS}: a small HTTP/1.1 client on blocking sockets, run by the crawler's virtual
 * threads themselves (a blocked virtual thread parks on the JDK's poller, not on a carrier thread).
 *
 * <h2>One request</h2>
 * Take an idle connection of the URL's {@code scheme://host:port} from its pool, or connect (TLS with host-name
 * verification and SNI for https). Write {@code GET path HTTP/1.1} with Host, User-Agent, Accept; read the status
 * line (skipping 1xx), the headers, and the body by Content-Length, by chunks, or to end-of-stream; count the body's
 * bytes (keep them too for robots.txt, up to {@value #MAX_KEPT_BODY} bytes). Every read has the time left until the
 * request's deadline as its socket time-out, so {@code requestTimeout} bounds the whole request.
 *
 * <h2>Keep-alive</h2>
 * A connection goes back to its host's pool (a LIFO deque) if the body was delimited and neither side said
 * {@code Connection: close}; at most {@code concurrency} connections wait idle over all hosts, the rest are
 * closed. A pooled connection the server has closed in the meantime fails on its first read with end-of-stream
 * or a reset, before any byte of an answer: the request is then sent once more on a new connection (a GET may be
 * repeated). Anything else is an error answer, never an exception.
 *
 * <h2>Threads</h2>
 * Any number of virtual threads call {@link #send} at once; a connection belongs to one of them at a time (taken
 * from the pool, or new). {@link #close} closes every connection, idle or in use: blocked reads fail at once.
 */
final class SocketTransport implements CrawlTransport {

    static final int MAX_KEPT_BODY = 512 * 1024;
    private static final int MAX_HEADER_LINE = 16 * 1024;

    private final CrawlSettings settings;
    private final ConcurrentHashMap<String, ConcurrentLinkedDeque<Conn>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    /** Every open connection, idle or in use, so that close() can abort them. */
    private final Set<Conn> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    SocketTransport(final CrawlSettings settings) {
        this.settings = settings;
    }

    /** One connection and its buffered input. */
    private static final class Conn {
        final Socket socket;
        final OutputStream out;
        final Input in;

        Conn(final Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.in = new Input(socket.getInputStream());
        }
    }

    /** The connection failed before any byte of an answer: a pooled one the server had closed. */
    private static final class Stale extends IOException {
        private static final long serialVersionUID = 1L;

        Stale(final IOException cause) {
            super(cause);
        }
    }

    @Override
    public Answer send(final URI uri, final boolean keepBody) throws InterruptedException {
        final long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        final String key = Crawler.origin(uri);
        Conn c = takeIdle(key);
        boolean reused = c != null;
        while (true) {
            try {
                if (c == null) {
                    c = connect(uri, deadline);
                    reused = false;
                }
                final Answer a = exchange(c, uri, keepBody, deadline, reused);
                c = null; // exchange pooled or closed it
                return a;
            } catch (Stale e) {
                discard(c);
                c = null;
                if (!reused) {
                    return failed(e.getCause());
                }
                reused = false; // once more, on a new connection
            } catch (IOException e) {
                discard(c);
                if (Thread.interrupted()) {
                    throw new InterruptedException("interrupted during a request to " + uri);
                }
                return failed(e);
            }
        }
    }

    private Answer failed(final Throwable e) {
        if (e instanceof SocketTimeoutException) {
            return Answer.failed("timed out after " + settings.requestTimeout().toMillis() + " ms");
        }
        final String name = e.getClass().getSimpleName();
        return Answer.failed(e.getMessage() == null ? name : name + ": " + e.getMessage());
    }

    private Conn takeIdle(final String key) {
        final ConcurrentLinkedDeque<Conn> q = idle.get(key);
        final Conn c = q == null ? null : q.pollLast();
        if (c != null) {
            idleCount.decrementAndGet();
        }
        return c;
    }

    private void release(final String key, final Conn c) {
        if (closed || idleCount.incrementAndGet() > settings.concurrency()) {
            idleCount.decrementAndGet();
            discard(c);
            return;
        }
        idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).addLast(c);
        if (closed) { // close() may have swept the pools before this connection arrived
            discard(c);
        }
    }

    private void discard(final Conn c) {
        if (c == null) {
            return;
        }
        open.remove(c);
        try {
            c.socket.close();
        } catch (IOException e) {
            // closing a broken connection: nothing more to do
        }
    }

    private Conn connect(final URI uri, final long deadline) throws IOException {
        final boolean tls = uri.getScheme().equalsIgnoreCase("https");
        final int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
        final String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        final Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), (int) Math.min(settings.connectTimeout().toMillis(),
                    remainingMillis(deadline)));
            Socket s = plain;
            if (tls) {
                final SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(plain, host, port, true);
                final SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
                ssl.setSoTimeout(remainingMillis(deadline));
                ssl.startHandshake();
                s = ssl;
            }
            final Conn c = new Conn(s);
            open.add(c);
            if (closed) {
                discard(c);
                throw new IOException("the crawler is closed");
            }
            return c;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static int remainingMillis(final long deadline) throws SocketTimeoutException {
        final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SocketTimeoutException("request deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private Answer exchange(final Conn c, final URI uri, final boolean keepBody, final long deadline,
            final boolean reused) throws IOException {
        final String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        final String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        final String hostHeader = uri.getPort() >= 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
        final byte[] request = ("GET " + target + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: "
                + settings.userAgent() + "\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        final Input in = c.in;
        try {
            c.out.write(request);
            c.out.flush();
            in.more(c.socket, deadline); // the first bytes of the answer, or the sign of a stale connection
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            if (reused) {
                throw new Stale(e);
            }
            throw e;
        }
        int status;
        String statusLine;
        do {
            statusLine = in.line(c.socket, deadline);
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
                throw new IOException("not an HTTP/1.x status line: '" + abbreviate(statusLine) + "'");
            }
            try {
                status = Integer.parseInt(statusLine.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("bad status in '" + abbreviate(statusLine) + "'", e);
            }
            if (status >= 100 && status < 200) {
                while (!in.line(c.socket, deadline).isEmpty()) {
                    // the headers of an interim answer
                }
            }
        } while (status >= 100 && status < 200);
        boolean close = statusLine.startsWith("HTTP/1.0");
        long length = -1;
        boolean chunked = false;
        String location = null;
        String retryAfter = null;
        for (String h = in.line(c.socket, deadline); !h.isEmpty(); h = in.line(c.socket, deadline)) {
            final int colon = h.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            final String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            final String value = h.substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad Content-Length '" + abbreviate(value) + "'", e);
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close")
                        || (close && !value.equalsIgnoreCase("keep-alive"));
                case "location" -> location = value;
                case "retry-after" -> retryAfter = value;
                default -> { }
            }
        }
        final ByteArrayOutputStream kept = keepBody ? new ByteArrayOutputStream() : null;
        final long bytes;
        boolean delimited = true;
        if (status == 204 || status == 304) {
            bytes = 0;
        } else if (chunked) {
            long total = 0;
            while (true) {
                final String sizeLine = in.line(c.socket, deadline);
                final int semi = sizeLine.indexOf(';');
                final long size;
                try {
                    size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size '" + abbreviate(sizeLine) + "'", e);
                }
                if (size == 0) {
                    while (!in.line(c.socket, deadline).isEmpty()) {
                        // trailers
                    }
                    break;
                }
                in.body(c.socket, deadline, size, kept);
                total += size;
                in.line(c.socket, deadline); // the CRLF after the chunk
            }
            bytes = total;
        } else if (length >= 0) {
            in.body(c.socket, deadline, length, kept);
            bytes = length;
        } else {
            bytes = in.body(c.socket, deadline, Long.MAX_VALUE, kept); // to end-of-stream
            delimited = false;
        }
        if (close || !delimited) {
            discard(c);
        } else {
            release(Crawler.origin(uri), c);
        }
        return new Answer(status, bytes, location, Answer.retryAfter(retryAfter),
                kept == null ? null : kept.toString(StandardCharsets.UTF_8), null);
    }

    private static String abbreviate(final String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    @Override
    public void close() {
        closed = true;
        for (final Conn c : open) {
            discard(c);
        }
        idle.clear();
    }

    /** A buffered reader of bytes and lines with a per-read deadline; one owner at a time. */
    private static final class Input {
        private final InputStream in;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int lim;

        Input(final InputStream in) {
            this.in = in;
        }

        /** Reads more bytes; EOFException at end-of-stream. */
        void fill() throws IOException {
            final int n = in.read(buf, lim, buf.length - lim);
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
            lim += n;
        }

        private void more(final Socket s, final long deadline) throws IOException {
            if (pos == lim) {
                pos = 0;
                lim = 0;
            } else if (lim == buf.length) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            }
            s.setSoTimeout(remainingMillis(deadline));
            fill();
        }

        /** One line without its CRLF (or LF). */
        String line(final Socket s, final long deadline) throws IOException {
            final StringBuilder sb = new StringBuilder(64);
            while (true) {
                while (pos < lim) {
                    final byte b = buf[pos++];
                    if (b == '\n') {
                        final int n = sb.length();
                        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                    }
                    if (sb.length() >= MAX_HEADER_LINE) {
                        throw new IOException("a header line longer than " + MAX_HEADER_LINE + " bytes");
                    }
                    sb.append((char) (b & 0xff));
                }
                more(s, deadline);
            }
        }

        /**
         * Reads {@code n} body bytes (or to end-of-stream if {@code n} is {@link Long#MAX_VALUE}), keeping up to
         * {@value SocketTransport#MAX_KEPT_BODY} of them in {@code kept} if it is not null; returns the count.
         */
        long body(final Socket s, final long deadline, final long n, final ByteArrayOutputStream kept)
                throws IOException {
            long left = n;
            long read = 0;
            while (left > 0) {
                if (pos == lim) {
                    try {
                        more(s, deadline);
                    } catch (EOFException e) {
                        if (n == Long.MAX_VALUE) {
                            return read;
                        }
                        throw e;
                    }
                }
                final int take = (int) Math.min(left, lim - pos);
                if (kept != null && kept.size() < MAX_KEPT_BODY) {
                    kept.write(buf, pos, Math.min(take, MAX_KEPT_BODY - kept.size()));
                }
                pos += take;
                left -= take;
                read += take;
            }
            return read;
        }
    }
}
