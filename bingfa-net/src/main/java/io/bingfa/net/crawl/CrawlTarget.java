package io.bingfa.net.crawl;

import io.bingfa.internal.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local HTTP/1.1 server that plays slow web sites, so that a crawl of 100,000 URLs at 200 ms each can be run
 * for real on one machine ({@code bingfa crawl-target}), and so that the {@link Crawler}'s tests have real
 * sockets to fail on.
 *
 * <h2>Hosts</h2>
 * The target listens on {@code hosts} ports of {@code 127.0.0.1}; each port is one "host" (a crawler keys its
 * per-host limits and robots.txt by {@code host:port}, as RFC 9309 does). Ports rather than loopback aliases
 * ({@code 127.0.0.2}, ...) or {@code hostN.localhost} names: the first would need a wildcard bind and the second a
 * resolver that knows the {@code .localhost} zone, which glibc does not. Many ports also widen the ephemeral
 * port budget: each (client address, server port) pair has its own ~28,000 client ports, and a crawl at a
 * concurrency of 10,000 with keep-alive needs 10,000 of them at once.
 *
 * <h2>What it answers</h2>
 * Every answer comes after the latency (the {@code /slow} path's own, or the target's), counted from the moment
 * the request was read:
 * <pre>
 *   /robots.txt              the configured robots.txt, or 404 if there is none
 *   /status/CODE[/...]       status CODE
 *   /redirect/N[/...]        302 to /redirect/N-1/..., and /redirect/0/... is 200: N hops
 *   /loop[/...]              302 to the same path: a redirect loop
 *   /fail/N/KEY              503 for the first N requests of this exact path, then 200
 *   /throttle/N/KEY          429 with "Retry-After: 1" for the first N requests of this path, then 200
 *   /slow/MS[/...]           200 after MS milliseconds instead of the target's latency
 *   /bytes/N[/...]           200 with a body of N bytes
 *   /drop[/...]              the connection is closed without an answer
 *   anything else            200 with a small body, or 500 for a share {@code errorRate} of the requests
 * </pre>
 * Per host it counts requests and the requests read but not yet answered (in flight), and keeps the largest
 * in-flight count seen: the tests check a crawler's per-host limit on the server's side of the socket.
 *
 * <h2>How: one selector loop per core, a deadline queue per loop</h2>
 * Each loop thread owns some of the listening sockets and every connection accepted on them. A request read in
 * full becomes a {@code Pending} answer in the loop's priority queue ordered by deadline; the loop selects with a
 * time-out that ends at the earliest deadline, then writes every answer that is due. A connection holds one
 * request at a time (bytes of a pipelined next request wait in its buffer until the answer is out); keep-alive
 * is the default, "Connection: close" and HTTP/1.0 close after the answer. So 10,000 slow requests cost 10,000
 * queue entries and sockets, not 10,000 threads or timers. Hand-written rather than the JDK's
 * {@code com.sun.net.httpserver.HttpServer}: on this 2-core machine that server with a virtual-thread executor
 * answered about 3,000 requests per second to {@code wrk} at 1,000 connections and 200 ms (the ideal is 5,000)
 * and closed connections under load, so the crawl it was meant to show would have measured the server.
 *
 * <h2>States</h2>
 * <pre>
 *   RUNNING -&gt; CLOSED   close(): the loops stop, every socket is closed
 * </pre>
 * Only the loop threads touch connections and queues; {@link #stats()} reads atomic counters.
 */
public final class CrawlTarget implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CrawlTarget.class);
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final byte[] BODY = "bingfa crawl target: a small page\n".getBytes(StandardCharsets.US_ASCII);

    private final Builder config;
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final List<HostCounters> hosts = new ArrayList<>();
    private final List<Loop> loops = new ArrayList<>();
    /** Requests seen per path, for /fail and /throttle (any loop may update it). */
    private final Map<String, AtomicInteger> seenByPath = new ConcurrentHashMap<>();
    // Over all hosts; atomics because every loop updates them.
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile boolean closed;

    private CrawlTarget(final Builder config) throws IOException {
        this.config = config;
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        try {
            for (int i = 0; i < config.hosts; i++) {
                final ServerSocketChannel server = ServerSocketChannel.open();
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                server.bind(new InetSocketAddress(loopback, config.port == 0 ? 0 : config.port + i), config.backlog);
                server.configureBlocking(false);
                servers.add(server);
                hosts.add(new HostCounters(((InetSocketAddress) server.getLocalAddress()).getPort()));
            }
            final int loopCount = Math.min(config.hosts, Math.max(1, config.loops));
            for (int i = 0; i < loopCount; i++) {
                loops.add(new Loop(i));
            }
            for (int i = 0; i < servers.size(); i++) {
                loops.get(i % loopCount).adopt(servers.get(i), hosts.get(i));
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly();
            throw e;
        }
        for (final Loop loop : loops) {
            loop.thread.start();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The listening ports, one per host, in host order. */
    public List<Integer> ports() {
        return hosts.stream().map(h -> h.port).toList();
    }

    /** {@code http://127.0.0.1:PORT/PATH} on host {@code host} (taken modulo the number of hosts). */
    public URI url(final int host, final String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/', was " + path);
        }
        return URI.create("http://127.0.0.1:" + hosts.get(Math.floorMod(host, hosts.size())).port + path);
    }

    /** Counters per host, as of now. */
    public Stats stats() {
        return new Stats(hosts.stream().map(h -> new HostStats(h.port, h.requests.get(), h.inFlight.get(),
                h.maxInFlight.get())).toList(), maxInFlight.get());
    }

    /**
     * What the target has seen: one entry per host, in host order, and the largest number of requests in flight
     * over all hosts at once.
     */
    public record Stats(List<HostStats> hosts, int maxInFlight) {
        public Stats {
            hosts = List.copyOf(hosts);
        }

        /** Requests answered or in flight, over all hosts. */
        public long requests() {
            return hosts.stream().mapToLong(HostStats::requests).sum();
        }

        /** The largest in-flight count any one host saw. */
        public int maxInFlightPerHost() {
            return hosts.stream().mapToInt(HostStats::maxInFlight).max().orElse(0);
        }
    }

    /**
     * One host's counters.
     *
     * @param requests    requests read in full
     * @param inFlight    requests read and not yet answered
     * @param maxInFlight the largest {@code inFlight} seen
     */
    public record HostStats(int port, long requests, int inFlight, int maxInFlight) {}

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (final Loop loop : loops) {
            loop.selector.wakeup();
        }
        for (final Loop loop : loops) {
            try {
                loop.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        closeQuietly();
    }

    private void closeQuietly() {
        for (final ServerSocketChannel s : servers) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("closing {}", s, e);
            }
        }
        for (final Loop loop : loops) {
            loop.closeAll();
        }
    }

    @Override
    public String toString() {
        return "CrawlTarget[ports=" + ports() + ", latency=" + config.latency + "]";
    }

    // ---------------------------------------------------------------- the loops

    private final class HostCounters {
        final int port;
        // Atomics: written by the host's loop, read by stats() from any thread.
        final AtomicLong requests = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();

        HostCounters(final int port) {
            this.port = port;
        }

        void started() {
            requests.incrementAndGet();
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            CrawlTarget.this.maxInFlight.accumulateAndGet(CrawlTarget.this.inFlight.incrementAndGet(), Math::max);
        }

        void finished() {
            inFlight.decrementAndGet();
            CrawlTarget.this.inFlight.decrementAndGet();
        }
    }

    /** One accepted connection; touched only by its loop's thread. */
    private static final class Connection {
        final SocketChannel channel;
        final HostCounters host;
        ByteBuffer in = ByteBuffer.allocate(1024);
        ByteBuffer out;
        boolean awaitingAnswer;
        /** True from reading a request until its answer starts to go out (or the connection drops). */
        boolean counted;
        boolean closeAfterWrite;

        Connection(final SocketChannel channel, final HostCounters host) {
            this.channel = channel;
            this.host = host;
        }
    }

    /** An answer waiting for its deadline; {@code response} null means "drop the connection". */
    private record Pending(long deadline, long seq, Connection connection, ByteBuffer response, boolean close) {}

    private final class Loop implements Runnable {
        final Selector selector;
        final Thread thread;
        final PriorityQueue<Pending> due = new PriorityQueue<>((a, b) -> a.deadline != b.deadline
                ? Long.compare(a.deadline, b.deadline) : Long.compare(a.seq, b.seq));
        long seq;

        Loop(final int index) throws IOException {
            this.selector = Selector.open();
            this.thread = new Thread(this, "bingfa-crawl-target-" + index);
            thread.setDaemon(true);
        }

        void adopt(final ServerSocketChannel server, final HostCounters host) throws IOException {
            server.register(selector, SelectionKey.OP_ACCEPT, host);
        }

        @Override
        public void run() {
            try {
                while (!closed) {
                    final Pending head = due.peek();
                    if (head == null) {
                        selector.select();
                    } else {
                        final long waitMs = (head.deadline - System.nanoTime() + 999_999) / 1_000_000;
                        if (waitMs > 0) {
                            selector.select(waitMs);
                        } else {
                            selector.selectNow();
                        }
                    }
                    for (final SelectionKey key : selector.selectedKeys()) {
                        handle(key);
                    }
                    selector.selectedKeys().clear();
                    answerDue();
                }
            } catch (IOException | ClosedSelectorException e) {
                if (!closed) {
                    LOG.error("crawl target loop stopped", e);
                }
            } finally {
                closeAll();
            }
        }

        void closeAll() {
            try {
                for (final SelectionKey key : selector.keys()) {
                    try {
                        key.channel().close();
                    } catch (IOException e) {
                        LOG.debug("closing {}", key.channel(), e);
                    }
                }
                selector.close();
            } catch (IOException | ClosedSelectorException e) {
                LOG.debug("closing the selector", e);
            }
        }

        private void handle(final SelectionKey key) {
            if (!key.isValid()) {
                return;
            }
            try {
                if (key.isAcceptable()) {
                    accept(key);
                    return;
                }
                final Connection c = (Connection) key.attachment();
                if (key.isWritable()) {
                    write(key, c);
                }
                if (key.isValid() && key.isReadable()) {
                    read(key, c);
                }
            } catch (IOException e) {
                drop(key);
            }
        }

        private void accept(final SelectionKey key) throws IOException {
            final ServerSocketChannel server = (ServerSocketChannel) key.channel();
            final HostCounters host = (HostCounters) key.attachment();
            SocketChannel ch;
            while ((ch = server.accept()) != null) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.register(selector, SelectionKey.OP_READ, new Connection(ch, host));
            }
        }

        private void read(final SelectionKey key, final Connection c) throws IOException {
            if (!c.in.hasRemaining()) {
                if (c.in.capacity() >= MAX_HEADER_BYTES) {
                    drop(key); // headers too large: not a crawler's request
                    return;
                }
                final ByteBuffer bigger = ByteBuffer.allocate(c.in.capacity() * 2);
                c.in.flip();
                bigger.put(c.in);
                c.in = bigger;
            }
            final int n = c.channel.read(c.in);
            if (n < 0) {
                drop(key);
                return;
            }
            parse(key, c);
        }

        /** If no answer is pending and a whole request is buffered, schedules its answer. */
        private void parse(final SelectionKey key, final Connection c) {
            if (c.awaitingAnswer) {
                return;
            }
            final int end = headerEnd(c.in);
            if (end < 0) {
                return;
            }
            final String head = new String(c.in.array(), 0, end, StandardCharsets.ISO_8859_1);
            final Request request = Request.parse(head);
            final int total = end + 4 + request.contentLength;
            if (c.in.position() < total) {
                return; // the body is not all here yet
            }
            // drop the request's bytes, keep any pipelined request after it
            c.in.flip();
            c.in.position(total);
            c.in.compact();
            c.awaitingAnswer = true;
            c.counted = true;
            c.host.started();
            schedule(c, request);
        }

        private void schedule(final Connection c, final Request request) {
            long latencyNanos = config.latency.toNanos();
            final String[] parts = request.path.split("/", 4); // "", first, second, rest
            final String first = parts.length > 1 ? parts[1] : "";
            int status = 200;
            byte[] body = BODY;
            String location = null;
            String retryAfter = null;
            boolean drop = false;
            if (request.bad) {
                status = 400;
            } else if (request.path.equals("/robots.txt")) {
                if (config.robots == null) {
                    status = 404;
                } else {
                    body = config.robots.getBytes(StandardCharsets.UTF_8);
                }
            } else if (parts.length > 2 && isNumber(parts[2])) {
                final int n = (int) Math.min(Integer.MAX_VALUE, Long.parseLong(parts[2]));
                final String rest = parts.length > 3 ? "/" + parts[3] : "";
                switch (first) {
                    case "status" -> status = n >= 100 && n <= 999 ? n : 400;
                    case "redirect" -> {
                        if (n > 0) {
                            status = 302;
                            location = "/redirect/" + (n - 1) + rest;
                        }
                    }
                    case "fail" -> {
                        if (seen(request.path) <= n) {
                            status = 503;
                        }
                    }
                    case "throttle" -> {
                        if (seen(request.path) <= n) {
                            status = 429;
                            retryAfter = "1";
                        }
                    }
                    case "slow" -> latencyNanos = n * 1_000_000L;
                    case "bytes" -> body = new byte[Math.min(n, 64 * 1024 * 1024)];
                    default -> status = errorOr200();
                }
            } else if (first.equals("loop")) {
                status = 302;
                location = request.path;
            } else if (first.equals("drop")) {
                drop = true;
            } else {
                status = errorOr200();
            }
            if (status != 200) {
                body = ("status " + status + "\n").getBytes(StandardCharsets.US_ASCII);
            }
            final boolean close = request.close;
            final ByteBuffer response = drop ? null : response(status, body, location, retryAfter, close);
            due.add(new Pending(System.nanoTime() + latencyNanos, seq++, c, response, close));
        }

        private int errorOr200() {
            return config.errorRate > 0 && ThreadLocalRandom.current().nextDouble() < config.errorRate ? 500 : 200;
        }

        private int seen(final String path) {
            return seenByPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        }

        private void answerDue() {
            final long now = System.nanoTime();
            while (!due.isEmpty() && due.peek().deadline - now <= 0) {
                final Pending p = due.poll();
                final Connection c = p.connection;
                final SelectionKey key = c.channel.keyFor(selector);
                if (key == null || !key.isValid()) {
                    continue; // the client went away while it waited; drop() already counted it
                }
                if (p.response == null) {
                    drop(key);
                    continue;
                }
                // Counted as answered before the write: once the bytes are out, the client may send its next
                // request (to any loop) before this thread gets to count anything.
                c.counted = false;
                c.host.finished();
                c.out = p.response;
                c.closeAfterWrite = p.close;
                try {
                    write(key, c);
                } catch (IOException e) {
                    drop(key);
                }
            }
        }

        private void write(final SelectionKey key, final Connection c) throws IOException {
            if (c.out == null) {
                key.interestOps(SelectionKey.OP_READ);
                return;
            }
            c.channel.write(c.out);
            if (c.out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            c.out = null;
            c.awaitingAnswer = false;
            if (c.closeAfterWrite) {
                key.cancel();
                c.channel.close();
                return;
            }
            key.interestOps(SelectionKey.OP_READ);
            parse(key, c); // a pipelined request may be waiting in the buffer
        }

        private void drop(final SelectionKey key) {
            key.cancel();
            final Object a = key.attachment();
            if (a instanceof Connection c && c.counted) {
                c.counted = false;
                c.host.finished();
            }
            try {
                key.channel().close();
            } catch (IOException e) {
                LOG.debug("closing {}", key.channel(), e);
            }
        }
    }

    private static boolean isNumber(final String s) {
        if (s.isEmpty() || s.length() > 9) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Index of the "\r\n\r\n" that ends the headers in {@code buf[0, position)}, or -1. */
    private static int headerEnd(final ByteBuffer buf) {
        final byte[] a = buf.array();
        for (int i = 0, n = buf.position() - 3; i < n; i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static ByteBuffer response(final int status, final byte[] body, final String location,
            final String retryAfter, final boolean close) {
        final StringBuilder h = new StringBuilder(160);
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        h.append("Content-Type: text/plain\r\nContent-Length: ").append(body.length).append("\r\n");
        if (location != null) {
            h.append("Location: ").append(location).append("\r\n");
        }
        if (retryAfter != null) {
            h.append("Retry-After: ").append(retryAfter).append("\r\n");
        }
        if (close) {
            h.append("Connection: close\r\n");
        }
        h.append("\r\n");
        final byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
    }

    private static String reason(final int status) {
        return switch (status) {
            case 200 -> "OK";
            case 302 -> "Found";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /** The parts of a request head the target looks at. */
    private record Request(String path, boolean close, int contentLength, boolean bad) {
        static Request parse(final String head) {
            final String[] lines = head.split("\r\n");
            final String[] requestLine = lines[0].split(" ");
            if (requestLine.length != 3 || !requestLine[1].startsWith("/")) {
                return new Request("/", true, 0, true);
            }
            boolean close = requestLine[2].equals("HTTP/1.0");
            int contentLength = 0;
            for (int i = 1; i < lines.length; i++) {
                final int colon = lines[i].indexOf(':');
                if (colon < 0) {
                    continue;
                }
                final String name = lines[i].substring(0, colon).trim();
                final String value = lines[i].substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Connection")) {
                    close = value.equalsIgnoreCase("close") || (close && !value.equalsIgnoreCase("keep-alive"));
                } else if (name.equalsIgnoreCase("Content-Length") && isNumber(value)) {
                    contentLength = Integer.parseInt(value);
                }
            }
            final int query = requestLine[1].indexOf('?');
            return new Request(query < 0 ? requestLine[1] : requestLine[1].substring(0, query), close, contentLength,
                    false);
        }
    }

    // ---------------------------------------------------------------- builder

    /** Settings of a {@link CrawlTarget}; each may be set once. */
    public static final class Builder {
        private final java.util.Set<String> set = new java.util.HashSet<>();
        private int port;
        private int hosts = 1;
        private Duration latency = Duration.ofMillis(200);
        private double errorRate;
        private String robots;
        private int backlog = 16_384;
        private int loops = Runtime.getRuntime().availableProcessors();

        private Builder() {}

        private void once(final String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        /** First port; hosts listen on {@code port, port + 1, ...}. 0 (the default) picks free ports. */
        public Builder port(final int port) {
            once("port");
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /** Number of hosts (listening ports), default 1. */
        public Builder hosts(final int hosts) {
            once("hosts");
            if (hosts < 1 || hosts > 1024) {
                throw new IllegalArgumentException("hosts must be between 1 and 1024, was " + hosts);
            }
            this.hosts = hosts;
            return this;
        }

        /** Time between reading a request and answering it, default 200 ms. */
        public Builder latency(final Duration latency) {
            once("latency");
            this.latency = Durations.requireNonNegative(latency, "latency");
            return this;
        }

        /** Share of plain requests answered 500, between 0 (the default) and 1. */
        public Builder errorRate(final double rate) {
            once("errorRate");
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("errorRate must be between 0 and 1, was " + rate);
            }
            this.errorRate = rate;
            return this;
        }

        /** The body of {@code /robots.txt} on every host; without it, {@code /robots.txt} is 404. */
        public Builder robots(final String robotsTxt) {
            once("robots");
            this.robots = Objects.requireNonNull(robotsTxt, "robotsTxt");
            return this;
        }

        /** Listen backlog of each port, default 16384 (the kernel caps it at net.core.somaxconn). */
        public Builder backlog(final int backlog) {
            once("backlog");
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, was " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** Selector threads, default the number of cores (never more than the hosts). */
        public Builder loops(final int loops) {
            once("loops");
            if (loops < 1) {
                throw new IllegalArgumentException("loops must be at least 1, was " + loops);
            }
            this.loops = loops;
            return this;
        }

        /** Binds the ports and starts answering. */
        public CrawlTarget start() {
            try {
                return new CrawlTarget(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on 127.0.0.1" + (port == 0 ? "" : ":" + port), e);
            }
        }
    }
}
