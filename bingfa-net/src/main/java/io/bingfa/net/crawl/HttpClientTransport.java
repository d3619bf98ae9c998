package io.bingfa.net.crawl;

import io.bingfa.internal.Durations;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Crawler.Transport#HTTP_CLIENT}: the JDK's {@link HttpClient}, HTTP/1.1, redirects not followed (the
 * crawler follows them itself, hop by hop).
 *
 * <h2>Several clients</h2>
 * One {@code HttpClient} per {@value #CONNECTIONS_PER_CLIENT} of concurrency. A client keeps its idle
 * connections in lists that it scans and sorts linearly, which at 10,000 keep-alive connections in one client
 * cost more CPU than the requests themselves (measured: 1,700 against 3,500 requests per second, 100,000 URLs at
 * concurrency 10,000 on this 2-core machine). A host's requests go to the client its hash picks (to a few
 * neighbours round-robin if its own limit exceeds {@value #CONNECTIONS_PER_CLIENT}), because idle connections of
 * one client serve only that client: spreading every host over every client filled the fd limit with idle
 * connections (20,000 fds at concurrency 10,000 over 16 hosts).
 *
 * <h2>Time-outs</h2>
 * The calling virtual thread waits in {@code future.get(requestTimeout)} on {@code sendAsync} and cancels the
 * exchange when the time is up, rather than {@code HttpRequest.timeout}: the client's own timer list cost a
 * visible share of the CPU in a profile at these rates.
 */
final class HttpClientTransport implements CrawlTransport {

    /** Concurrency served by one HttpClient (see "Several clients"). */
    static final int CONNECTIONS_PER_CLIENT = 256;

    private final CrawlSettings settings;
    private final ExecutorService clientExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<HttpClient> clients;
    private final AtomicLong nextClient = new AtomicLong();
    /** Clients one host's requests are spread over: one per {@value #CONNECTIONS_PER_CLIENT} of its limit. */
    private final int spread;

    HttpClientTransport(final CrawlSettings settings) {
        this.settings = settings;
        final int n = Math.min(64, (settings.concurrency() + CONNECTIONS_PER_CLIENT - 1) / CONNECTIONS_PER_CLIENT);
        final List<HttpClient> made = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            made.add(HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(settings.connectTimeout())
                    .executor(clientExecutor)
                    .build());
        }
        this.clients = List.copyOf(made);
        this.spread = Math.min(n, (Math.min(settings.perHostConcurrency(), settings.concurrency())
                + CONNECTIONS_PER_CLIENT - 1) / CONNECTIONS_PER_CLIENT);
    }

    @Override
    public void close() {
        for (final HttpClient c : clients) {
            c.shutdownNow();
        }
        clientExecutor.shutdownNow();
    }

    /**
     * The host's client: {@code hash(origin)} picks the first of the {@code spread} clients a host may use, and
     * round-robin picks among them, so a host's idle connections sit in few pools (each pool's connections are
     * usable by its own requests only: spreading every host over every client multiplies the idle connections
     * until the fd limit is hit).
     */
    private HttpClient clientFor(final URI uri) {
        final int n = clients.size();
        final int first = Math.floorMod(Crawler.origin(uri).hashCode(), n);
        final int offset = spread == 1 ? 0 : (int) Math.floorMod(nextClient.getAndIncrement(), (long) spread);
        return clients.get((first + offset) % n);
    }

    @Override
    public Answer send(final URI uri, final boolean keepBody) throws InterruptedException {
        final HttpRequest request;
        try {
            request = HttpRequest.newBuilder(uri).GET().header("User-Agent", settings.userAgent()).build();
        } catch (IllegalArgumentException e) {
            return Answer.failed("bad URL: " + e.getMessage());
        }
        final HttpClient client = clientFor(uri);
        if (keepBody) {
            final CompletableFuture<HttpResponse<String>> f;
            try {
                f = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
            } catch (IllegalArgumentException e) {
                return Answer.failed("bad URL: " + e.getMessage());
            }
            final Object r = await(f);
            if (r instanceof String error) {
                return Answer.failed(error);
            }
            @SuppressWarnings("unchecked")
            final HttpResponse<String> response = (HttpResponse<String>) r;
            return answer(response, response.body().length(), response.body());
        }
        final CompletableFuture<HttpResponse<Long>> f;
        try {
            f = client.sendAsync(request, info -> HttpResponse.BodySubscribers.fromSubscriber(new ByteCounter(),
                    ByteCounter::count));
        } catch (IllegalArgumentException e) {
            return Answer.failed("bad URL: " + e.getMessage());
        }
        final Object r = await(f);
        if (r instanceof String error) {
            return Answer.failed(error);
        }
        @SuppressWarnings("unchecked")
        final HttpResponse<Long> response = (HttpResponse<Long>) r;
        return answer(response, response.body(), null);
    }

    /** The response, or a String saying why there is none. */
    private Object await(final CompletableFuture<? extends HttpResponse<?>> f) throws InterruptedException {
        try {
            return f.get(Durations.saturatedNanos(settings.requestTimeout()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return "timed out after " + settings.requestTimeout().toMillis() + " ms";
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            return describe(e.getCause());
        }
    }

    private static String describe(final Throwable t) {
        if (t instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root && root instanceof IOException
                && root.getMessage() == null) {
            root = root.getCause();
        }
        final String name = root.getClass().getSimpleName();
        return root.getMessage() == null ? name : name + ": " + root.getMessage();
    }

    private static Answer answer(final HttpResponse<?> r, final long bytes, final String body) {
        return new Answer(r.statusCode(), bytes, r.headers().firstValue("location").orElse(null),
                Answer.retryAfter(r.headers().firstValue("retry-after").orElse(null)), body, null);
    }

    /** Counts a body's bytes without keeping them. */
    private static final class ByteCounter implements Flow.Subscriber<List<ByteBuffer>> {
        // Written and read by the client's delivery thread; count() runs after onComplete on the same chain.
        private long count;

        @Override
        public void onSubscribe(final Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(final List<ByteBuffer> buffers) {
            for (final ByteBuffer b : buffers) {
                count += b.remaining();
            }
        }

        @Override
        public void onError(final Throwable t) {
            // the response future fails with t
        }

        @Override
        public void onComplete() {
            // count() is called by the finisher
        }

        long count() {
            return count;
        }
    }
}
