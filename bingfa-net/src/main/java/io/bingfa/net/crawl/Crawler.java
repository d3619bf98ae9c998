package io.bingfa.net.crawl;

import io.bingfa.future.WaitInterruptedException;
import io.bingfa.internal.Durations;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Fetches many URLs at once on virtual threads with the JDK's {@link HttpClient}: the seeds' crawler
 * (2,000,000 URLs that each wait 2 s) without a thread pool to size and without an event loop to write.
 *
 * <pre>{@code
 * try (Crawler crawler = Crawler.builder().concurrency(1_000).perHostConcurrency(8).retries(3).build()) {
 *     crawler.crawl(Files.lines(urls).iterator(), result -> out.println(result));
 * }
 * }</pre>
 *
 * <h2>One URL</h2>
 * A URL that does not parse as an absolute {@code http}/{@code https} URL with a host becomes a result with an
 * error ("bad URL: ...") and is never requested. Otherwise, if robots.txt is respected, the host's robots.txt is
 * fetched once (the first URL of a host fetches it, the others wait for it) and consulted ({@link RobotsTxt}).
 * Then the URL is requested; the answer's body is counted, not kept. A 5xx, a 429 or an I/O error (refused,
 * reset, timed out) is retried up to {@code retries} times after an exponential back-off with jitter
 * ({@code base * 2^(n-1)}, capped at {@code backoffMax}, then drawn from its upper half), and after at least
 * the answer's {@code Retry-After} (seconds or an HTTP date, honoured up to 5 minutes). A 3xx with a
 * {@code Location} is followed, each hop a request of its own (with its own robots check, limits and retries),
 * until {@code maxRedirects} hops or until a URL repeats (a loop): both end the URL with an error. A final
 * answer of any other status is a result without an error (a 404 is an answer); a 5xx or 429 that outlived its
 * retries is an error.
 *
 * <h2>Limits: admission, host, then a global slot</h2>
 * Three semaphores, always taken in this order and released in reverse, so they cannot deadlock:
 * <ol>
 *   <li>admission, per {@link #crawl} call: at most {@code 4 * concurrency} URLs taken from the iterator and not
 *       yet finished. It bounds memory whatever the input's length.
 *   <li>the host's: at most {@code perHostConcurrency} requests (robots.txt included) to one
 *       {@code scheme://host:port} at once.
 *   <li>the crawler's: at most {@code concurrency} requests at once, over every call.
 * </ol>
 * Only a request holds the last two, never a back-off sleep or a wait for robots.txt. Taking the host's
 * permit before a global one means that URLs of a busy host wait without taking a slot away from other hosts:
 * a run of URLs of one host in the input costs at most the admission window, not the crawl's whole concurrency.
 *
 * <h2>Threads and transports</h2>
 * Each admitted URL runs on its own virtual thread, which makes its requests through the crawler's transport:
 * <ul>
 *   <li>{@link Transport#HTTP_CLIENT} (the default): the JDK's {@link java.net.http.HttpClient}, several of them,
 *       the thread waiting on {@code sendAsync} with its own time-out ({@link HttpClientTransport});
 *   <li>{@link Transport#SOCKETS}: a small HTTP/1.1 client on blocking sockets, written here
 *       ({@link SocketTransport}): the virtual thread itself writes the request and reads the answer, and
 *       keep-alive connections wait in a per-host pool. Hand-written because it costs about a fifth of the CPU
 *       per request (measured on this 2-core machine, 100,000 URLs at concurrency 10,000: about 80 us against
 *       360 us), which is the whole difference between "a second of waiting" and "CPU-bound" at these rates;
 *       it does less (no HTTP/2, no proxies, no compression, no cookies), which a crawler that only counts bytes
 *       does not need.
 * </ul>
 * HTTP/1.1 only: one connection per concurrent request, so the fd limit ({@code ulimit -n}) must exceed the
 * concurrency.
 *
 * <h2>Results</h2>
 * {@link #crawl} calls the sink once per URL, in completion order, one call at a time (under a lock), from the
 * URLs' virtual threads. It returns when every admitted URL is done. If the sink or the iterator throws, no more
 * URLs are admitted, those in flight are interrupted (and produce no result), and the exception is rethrown.
 * Interrupting the calling thread does the same and throws {@link WaitInterruptedException}.
 *
 * <h2>States</h2>
 * <pre>
 *   OPEN -&gt; CLOSED   close(): the HTTP clients are shut down (requests in flight fail), crawls are refused
 * </pre>
 * The per-host semaphores and robots.txt answers are kept for the crawler's life (a few hundred bytes per host).
 */
public final class Crawler implements AutoCloseable {

    private static final int ADMISSION_PER_SLOT = 4;
    private static final int MAX_ROBOTS_HOPS = 5;
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    // Crawler states; transitions in the class comment.
    private static final int OPEN = 0;
    private static final int CLOSED = 1;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Crawler.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final CrawlSettings settings;
    private final CrawlTransport transport;
    private final Semaphore slots;
    private final ConcurrentHashMap<String, Semaphore> hostSlots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<RobotsTxt>> robots = new ConcurrentHashMap<>();

    private volatile int state = OPEN;

    private Crawler(final CrawlSettings settings) {
        this.settings = settings;
        this.slots = new Semaphore(settings.concurrency());
        this.transport = settings.transport() == Transport.SOCKETS ? new SocketTransport(settings)
                : new HttpClientTransport(settings);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How requests are sent; see "Threads and transports" in the class comment. */
    public enum Transport {
        /** The JDK's {@code java.net.http.HttpClient} (the default). */
        HTTP_CLIENT,
        /** Bingfa's own HTTP/1.1 client on blocking sockets: about a fifth of the CPU per request. */
        SOCKETS
    }

    /** A crawler with {@code settings} (for example a worker's copy of another crawler's). */
    public static Crawler create(final CrawlSettings settings) {
        return new Crawler(Objects.requireNonNull(settings, "settings"));
    }

    public CrawlSettings settings() {
        return settings;
    }

    private boolean casState(final int expected, final int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    private void requireOpen() {
        if (state != OPEN) {
            throw new IllegalStateException("the crawler is closed");
        }
    }

    // ---------------------------------------------------------------- public crawling API

    /**
     * Crawls every URL of {@code urls}, handing each result to {@code sink}; returns when all are done. See the
     * class comment for the order, the threads and what an exception or an interrupt does.
     */
    public CrawlSummary crawl(final Iterator<String> urls, final Consumer<? super CrawlResult> sink) {
        Objects.requireNonNull(urls, "urls");
        Objects.requireNonNull(sink, "sink");
        requireOpen();
        final long start = System.nanoTime();
        final Semaphore admitted = new Semaphore((int) Math.min(Integer.MAX_VALUE,
                (long) ADMISSION_PER_SLOT * settings.concurrency()));
        final ReentrantLock sinkLock = new ReentrantLock();
        final long[] counts = new long[2]; // guarded by sinkLock: results, ok
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean interrupted = false;
        try (ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                while (failure.get() == null && urls.hasNext()) {
                    final String url = Objects.requireNonNull(urls.next(), "urls must not yield null");
                    admitted.acquire();
                    tasks.execute(() -> {
                        try {
                            final CrawlResult r = fetchOne(url);
                            sinkLock.lock();
                            try {
                                if (failure.get() == null) {
                                    sink.accept(r);
                                    counts[0]++;
                                    counts[1] += r.ok() ? 1 : 0;
                                }
                            } finally {
                                sinkLock.unlock();
                            }
                        } catch (InterruptedException e) {
                            // the crawl is being abandoned: this URL produces no result
                        } catch (RuntimeException | Error e) {
                            failure.compareAndSet(null, e);
                        } finally {
                            admitted.release();
                        }
                    });
                }
            } catch (InterruptedException e) {
                interrupted = true;
                tasks.shutdownNow();
            } catch (RuntimeException | Error e) {
                failure.compareAndSet(null, e);
            }
            if (failure.get() != null) {
                tasks.shutdownNow();
            }
        }
        if (failure.get() instanceof RuntimeException e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        if (interrupted || Thread.currentThread().isInterrupted()) {
            throw new WaitInterruptedException(new InterruptedException("crawl interrupted"));
        }
        sinkLock.lock();
        try {
            return new CrawlSummary(counts[0], counts[1], Duration.ofNanos(System.nanoTime() - start));
        } finally {
            sinkLock.unlock();
        }
    }

    /** {@link #crawl(Iterator, Consumer)} over a stream (closed when the crawl ends). */
    public CrawlSummary crawl(final Stream<String> urls, final Consumer<? super CrawlResult> sink) {
        Objects.requireNonNull(urls, "urls");
        try (urls) {
            return crawl(urls.iterator(), sink);
        }
    }

    /**
     * The results of crawling {@code urls}, lazily, in completion order; the crawl runs on a background
     * virtual thread and stays at most about {@code concurrency} results ahead of the consumer. Closing the
     * stream (try-with-resources) abandons the URLs not yet done.
     */
    public Stream<CrawlResult> stream(final Iterator<String> urls) {
        Objects.requireNonNull(urls, "urls");
        requireOpen();
        final Object end = new Object();
        final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(Math.max(16, settings.concurrency()));
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread producer = Thread.ofVirtual().name("bingfa-crawl-stream").start(() -> {
            try {
                crawl(urls, r -> {
                    try {
                        queue.put(r);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new WaitInterruptedException(e);
                    }
                });
            } catch (RuntimeException | Error e) {
                failure.set(e);
            } finally {
                try {
                    queue.put(end);
                } catch (InterruptedException e) {
                    // the consumer closed the stream: nobody waits for the end
                }
            }
        });
        final Iterator<CrawlResult> it = new Iterator<>() {
            private Object next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = queue.take();
                    } catch (InterruptedException e) {
                        throw new WaitInterruptedException(e);
                    }
                }
                if (next == end) {
                    final Throwable t = failure.get();
                    if (t instanceof RuntimeException r) {
                        throw r;
                    }
                    if (t instanceof Error r) {
                        throw r;
                    }
                    return false;
                }
                return true;
            }

            @Override
            public CrawlResult next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                final CrawlResult r = (CrawlResult) next;
                next = null;
                return r;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(producer::interrupt);
    }

    /** Crawls one URL on the calling thread, under the same limits as a crawl. */
    public CrawlResult fetch(final String url) {
        Objects.requireNonNull(url, "url");
        requireOpen();
        try {
            return fetchOne(url);
        } catch (InterruptedException e) {
            throw new WaitInterruptedException(e);
        }
    }

    /** Aborts requests in flight and releases the HTTP clients. Calling it again does nothing. */
    @Override
    public void close() {
        if (!casState(OPEN, CLOSED)) {
            return;
        }
        transport.close();
    }

    @Override
    public String toString() {
        return "Crawler[" + settings + ", " + (state == OPEN ? "open" : "closed") + "]";
    }

    // ---------------------------------------------------------------- one URL

    private CrawlResult fetchOne(final String url) throws InterruptedException {
        final long start = System.nanoTime();
        final URI first;
        try {
            first = parse(url);
        } catch (IllegalArgumentException e) {
            return CrawlResult.rejected(url, "bad URL: " + e.getMessage(), 0);
        }
        final int[] attempts = {0};
        final Set<URI> visited = new HashSet<>();
        visited.add(first);
        URI uri = first;
        int hops = 0;
        while (true) {
            if (settings.respectRobots() && !robotsFor(uri).allows(pathAndQuery(uri))) {
                return new CrawlResult(url, 0, 0, millisSince(start), "disallowed by robots.txt: " + uri,
                        attempts[0], uri.toString());
            }
            final Answer a = requestWithRetries(uri, attempts, false);
            if (a.error() == null && isRedirect(a.status()) && settings.followRedirects() && a.location() != null) {
                final URI next;
                try {
                    next = parse(uri.resolve(a.location()).toString());
                } catch (IllegalArgumentException e) {
                    return result(url, start, a, attempts, uri, "bad redirect Location '" + a.location() + "': "
                            + e.getMessage());
                }
                if (hops >= settings.maxRedirects()) {
                    return result(url, start, a, attempts, uri, "more than " + settings.maxRedirects()
                            + " redirects");
                }
                if (!visited.add(next)) {
                    return result(url, start, a, attempts, uri, "redirect loop: " + uri + " -> " + next);
                }
                hops++;
                uri = next;
                continue;
            }
            return result(url, start, a, attempts, uri, a.error());
        }
    }

    private static CrawlResult result(final String url, final long start, final Answer a, final int[] attempts,
            final URI at, final String error) {
        return new CrawlResult(url, a.status(), a.bytes(), millisSince(start), error, attempts[0], at.toString());
    }

    private static long millisSince(final long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static boolean isRedirect(final int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** An absolute http(s) URI with a host, or an IllegalArgumentException saying why not. */
    static URI parse(final String url) {
        final String s = url.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        final URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        final String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("scheme must be http or https, was "
                    + (scheme == null ? "none" : scheme));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in '" + s + "'");
        }
        return uri;
    }

    static String origin(final URI uri) {
        final String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        final int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static String pathAndQuery(final URI uri) {
        final String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    // ---------------------------------------------------------------- robots.txt

    private RobotsTxt robotsFor(final URI uri) throws InterruptedException {
        final String origin = origin(uri);
        while (true) {
            final CompletableFuture<RobotsTxt> mine = new CompletableFuture<>();
            final CompletableFuture<RobotsTxt> theirs = robots.putIfAbsent(origin, mine);
            if (theirs == null) {
                try {
                    final RobotsTxt r = fetchRobots(URI.create(origin + "/robots.txt"));
                    mine.complete(r);
                    return r;
                } catch (InterruptedException | RuntimeException | Error e) {
                    robots.remove(origin, mine); // the next URL of this host tries again
                    mine.completeExceptionally(e);
                    throw e;
                }
            }
            try {
                return theirs.get();
            } catch (ExecutionException e) {
                // the fetcher was interrupted or failed and removed its entry: try again
            }
        }
    }

    private RobotsTxt fetchRobots(final URI robotsUri) throws InterruptedException {
        URI uri = robotsUri;
        for (int hop = 0; hop <= MAX_ROBOTS_HOPS; hop++) {
            final Answer a = requestWithRetries(uri, new int[1], true);
            if (a.error() != null || a.status() >= 500 || a.status() == 429) {
                return RobotsTxt.DISALLOW_ALL;
            }
            if (isRedirect(a.status()) && a.location() != null) {
                try {
                    uri = parse(uri.resolve(a.location()).toString());
                } catch (IllegalArgumentException e) {
                    return RobotsTxt.ALLOW_ALL; // a redirect to nowhere: as if there were no file
                }
                continue;
            }
            if (a.status() >= 200 && a.status() < 300) {
                return RobotsTxt.parse(a.body(), settings.userAgent());
            }
            return RobotsTxt.ALLOW_ALL; // 4xx (and anything else): no robots.txt
        }
        return RobotsTxt.ALLOW_ALL; // RFC 9309: after 5 hops, as if 404
    }

    // ---------------------------------------------------------------- requests

    private Answer requestWithRetries(final URI uri, final int[] attempts, final boolean keepBody)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            attempts[0]++;
            final Answer a = request(uri, keepBody);
            if (!a.retryable()) {
                return a;
            }
            if (attempt > settings.retries()) {
                final String why = a.error() != null ? a.error() : "HTTP " + a.status();
                return new Answer(a.status(), a.bytes(), a.location(), a.retryAfter(), a.body(),
                        attempt == 1 ? why : why + " (gave up after " + attempt + " attempts)");
            }
            final long wait = Math.max(backoffMillis(attempt),
                    a.retryAfter() == null ? 0 : a.retryAfter().toMillis());
            Thread.sleep(wait);
        }
    }

    /** Equal jitter: half of {@code min(max, base * 2^(attempt-1))}, plus a random part of the other half. */
    private long backoffMillis(final int attempt) {
        final long base = settings.backoffBase().toMillis();
        final long cap = settings.backoffMax().toMillis();
        final long exp = attempt - 1 >= 62 || base << (attempt - 1) >>> (attempt - 1) != base
                ? cap : Math.min(cap, base << (attempt - 1));
        final long half = exp / 2;
        return half + ThreadLocalRandom.current().nextLong(exp - half + 1);
    }

    private Answer request(final URI uri, final boolean keepBody) throws InterruptedException {
        final Semaphore host = hostSlots.computeIfAbsent(origin(uri),
                k -> new Semaphore(settings.perHostConcurrency()));
        host.acquire();
        try {
            slots.acquire();
            try {
                return send(uri, keepBody);
            } finally {
                slots.release();
            }
        } finally {
            host.release();
        }
    }

    private Answer send(final URI uri, final boolean keepBody) throws InterruptedException {
        return transport.send(uri, keepBody);
    }

    /** {@code Retry-After} as seconds or an HTTP date, capped at 5 minutes; null if absent or unreadable. */
    static Duration retryAfter(final String value) {
        return Answer.retryAfter(value);
    }

    // ---------------------------------------------------------------- builder

    /** Settings of a {@link Crawler}; each may be set once. */
    public static final class Builder {
        private final Set<String> set = new HashSet<>();
        private int concurrency = 100;
        private int perHostConcurrency = 8;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int retries = 2;
        private Duration backoffBase = Duration.ofMillis(500);
        private Duration backoffMax = Duration.ofSeconds(30);
        private boolean followRedirects = true;
        private int maxRedirects = 5;
        private boolean respectRobots;
        private String userAgent = "bingfa-crawler/0.1";
        private Transport transport = Transport.HTTP_CLIENT;

        private Builder() {}

        private void once(final String name) {
            if (!set.add(name)) {
                throw new IllegalStateException(name + " was already set");
            }
        }

        /** Requests in flight at once, over all hosts (default 100). */
        public Builder concurrency(final int requests) {
            once("concurrency");
            if (requests < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, was " + requests);
            }
            this.concurrency = requests;
            return this;
        }

        /** Requests in flight at once to one {@code scheme://host:port}, robots.txt included (default 8). */
        public Builder perHostConcurrency(final int requests) {
            once("perHostConcurrency");
            if (requests < 1) {
                throw new IllegalArgumentException("perHostConcurrency must be at least 1, was " + requests);
            }
            this.perHostConcurrency = requests;
            return this;
        }

        /** Limit on opening a connection (default 10 s). */
        public Builder connectTimeout(final Duration timeout) {
            once("connectTimeout");
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Limit on one request, from sending it to the last body byte (default 30 s). */
        public Builder requestTimeout(final Duration timeout) {
            once("requestTimeout");
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Retries after a 5xx, a 429 or an I/O error (default 2; 0 for none). */
        public Builder retries(final int retries) {
            once("retries");
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative, was " + retries);
            }
            this.retries = retries;
            return this;
        }

        /** Back-off before retry n is drawn from [d/2, d], d = min(max, base * 2^(n-1)) (default 500 ms, 30 s). */
        public Builder backoff(final Duration base, final Duration max) {
            once("backoff");
            this.backoffBase = Durations.requireNonNegative(base, "base");
            this.backoffMax = Durations.requireNonNegative(max, "max");
            if (max.compareTo(base) < 0) {
                throw new IllegalArgumentException("max must be at least base (" + base + "), was " + max);
            }
            return this;
        }

        /** Whether 3xx answers are followed (default true), and for how many hops at most (default 5). */
        public Builder followRedirects(final boolean follow, final int maxHops) {
            once("followRedirects");
            if (maxHops < 0) {
                throw new IllegalArgumentException("maxHops must not be negative, was " + maxHops);
            }
            this.followRedirects = follow;
            this.maxRedirects = maxHops;
            return this;
        }

        /** Whether robots.txt is fetched and obeyed (default false). */
        public Builder respectRobots(final boolean respect) {
            once("respectRobots");
            this.respectRobots = respect;
            return this;
        }

        /** The User-Agent header, also the name looked up in robots.txt (default "bingfa-crawler/0.1"). */
        public Builder userAgent(final String userAgent) {
            once("userAgent");
            this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
            return this;
        }

        /** How requests are sent (default {@link Transport#HTTP_CLIENT}). */
        public Builder transport(final Transport how) {
            once("transport");
            this.transport = Objects.requireNonNull(how, "how");
            return this;
        }

        /** These settings as a value, without building a crawler. */
        public CrawlSettings settings() {
            return new CrawlSettings(concurrency, perHostConcurrency, connectTimeout, requestTimeout, retries,
                    backoffBase, backoffMax, followRedirects, maxRedirects, respectRobots, userAgent, transport);
        }

        public Crawler build() {
            return new Crawler(settings());
        }
    }
}
