package io.bingfa.net.crawl;

import io.bingfa.future.TaskFuture;
import io.bingfa.future.WaitInterruptedException;
import io.bingfa.pool.Pool;
import io.bingfa.process.WorkerDiedException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crawl spread over the worker JVMs of a {@link Pool} (in practice {@code io.bingfa.process.ProcessPool}):
 * the seed's "multi-process + coroutines", one {@link Crawler} on virtual threads in each worker.
 *
 * <pre>{@code
 * try (ProcessPool pool = ProcessPool.builder().workers(2).build()) {
 *     ProcessCrawler.crawl(pool, settings, 0, urls, writer::write);
 * }
 * }</pre>
 *
 * <h2>Algorithm</h2>
 * The parent reads the URL iterator, answers bad URLs itself, and deals the others into {@code 4 * workers}
 * partitions by host ({@code hash(host:port)}). A partition's URLs are cut into chunks; a chunk is one pool task,
 * {@code () -> crawlChunk(settings, urls)}, which runs in a worker on that JVM's own {@link Crawler} (kept for
 * the worker's life, so its connections are reused by the next chunk) with {@code concurrency / workers}
 * requests at once, and returns the chunk's results in one list. The parent hands each list to the sink, on
 * its own thread, one result at a time.
 *
 * <h2>Why partitions: the per-host limit holds over all workers</h2>
 * At most one chunk of a partition is submitted at a time, and a host belongs to one partition, so at any
 * moment at most one worker crawls a given host, under the full {@code perHostConcurrency}. (Splitting the limit
 * between workers instead would break it whenever it is smaller than the number of workers.) The price: a crawl
 * of very few hosts uses few workers, which the per-host limit would hold back anyway.
 *
 * <h2>A worker that dies</h2>
 * A chunk is all or nothing: its results reach the parent only when the task returns. If the worker dies
 * ({@code kill -9}, out of memory), the pool fails the task and starts a replacement; the chunk goes back to the
 * front of its partition and is crawled again from the start, so every URL still produces exactly one result
 * (the dead worker's requests were made, but their results were never delivered). A chunk whose worker dies
 * {@value #DEATHS_BEFORE_SPLIT} times in a row is split in halves, so that a URL that kills its worker is
 * narrowed down to a chunk of one, which then gets an error result ("the worker died ...") instead of
 * killing workers forever. Any other failure of a task (a bug, a serialization error) ends the crawl with it.
 *
 * <h2>No prefetch</h2>
 * Use the pool without {@code prefetch(n > 1)}. Task frames (a chunk of URLs) and result frames (a chunk of
 * results) are both large here; with prefetch the pool's reader thread may be writing a prefetched task to a
 * worker whose main thread is writing its result back, both socket buffers full, each side waiting for the other
 * to read: seen as a hang with chunks of 10,000 URLs (a ProcessPool issue, reported). Without prefetch a worker
 * gets its next chunk only after its result was read, and the round trip is nothing next to a chunk's crawl.
 *
 * <h2>Flow control</h2>
 * The parent stops reading input while {@code 2 * partitions * chunkSize} URLs wait in partitions, so memory is
 * bounded whatever the input's length; chunks in the pool are bounded by the number of partitions.
 */
public final class ProcessCrawler {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessCrawler.class);
    static final int DEATHS_BEFORE_SPLIT = 2;
    private static final int PARTITIONS_PER_WORKER = 4;
    private static final int MAX_CHUNK = 10_000;

    /** Each worker JVM's crawlers, by settings: built by the first chunk, reused by the next ones. */
    private static final Map<CrawlSettings, Crawler> WORKER_CRAWLERS = new ConcurrentHashMap<>();

    private ProcessCrawler() {}

    /**
     * Crawls {@code urls} on {@code pool}'s workers with {@code settings} (its concurrency is the whole crawl's,
     * shared between the workers; its per-host limit holds over all of them) and hands every result to
     * {@code sink} on the calling thread. {@code chunkSize} is URLs per task, or 0 for twice a worker's
     * concurrency (at most {@value #MAX_CHUNK}).
     */
    public static CrawlSummary crawl(final Pool pool, final CrawlSettings settings, final int chunkSize,
            final Iterator<String> urls, final Consumer<? super CrawlResult> sink) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(urls, "urls");
        Objects.requireNonNull(sink, "sink");
        if (chunkSize < 0) {
            throw new IllegalArgumentException("chunkSize must be at least 1 (or 0 for the default), was " + chunkSize);
        }
        final int workers = pool.concurrency() == Integer.MAX_VALUE ? 1 : Math.max(1, pool.concurrency());
        final CrawlSettings perWorker = settings.withConcurrency(
                Math.max(1, (settings.concurrency() + workers - 1) / workers));
        final int chunk = chunkSize > 0 ? chunkSize : Math.min(MAX_CHUNK, 2 * perWorker.concurrency());
        return new Run(pool, perWorker, chunk, workers * PARTITIONS_PER_WORKER, sink).run(urls);
    }

    /** The task body, in a worker JVM: crawls {@code urls} and returns every result. */
    static List<CrawlResult> crawlChunk(final CrawlSettings settings, final List<String> urls) {
        final Crawler crawler = WORKER_CRAWLERS.computeIfAbsent(settings, Crawler::create);
        final List<CrawlResult> results = new ArrayList<>(urls.size());
        crawler.crawl(urls.iterator(), results::add); // the sink is called one result at a time
        return results;
    }

    /** A chunk of one partition and how many workers died running it. */
    private record Chunk(int partition, ArrayList<String> urls, int deaths) {}

    /** A finished task, as the parent's queue sees it. */
    private record Finished(Chunk chunk, TaskFuture<List<CrawlResult>> future) {}

    /** One call of {@link #crawl}: all state is confined to the calling thread, except the completion queue. */
    private static final class Run {
        private final Pool pool;
        private final CrawlSettings settings;
        private final int chunkSize;
        private final Consumer<? super CrawlResult> sink;
        private final List<ArrayList<String>> buffers = new ArrayList<>();
        private final List<ArrayDeque<Chunk>> ready = new ArrayList<>();
        private final boolean[] busy;
        private final LinkedBlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
        private final List<TaskFuture<List<CrawlResult>>> running = new ArrayList<>();
        private final long maxWaiting;
        private long waiting; // URLs in buffers and ready chunks
        private long results;
        private long ok;

        Run(final Pool pool, final CrawlSettings settings, final int chunkSize, final int partitions,
                final Consumer<? super CrawlResult> sink) {
            this.pool = pool;
            this.settings = settings;
            this.chunkSize = chunkSize;
            this.sink = sink;
            this.busy = new boolean[partitions];
            this.maxWaiting = 2L * partitions * chunkSize;
            for (int i = 0; i < partitions; i++) {
                buffers.add(new ArrayList<>());
                ready.add(new ArrayDeque<>());
            }
        }

        CrawlSummary run(final Iterator<String> urls) {
            final long start = System.nanoTime();
            boolean inputDone = false;
            try {
                while (true) {
                    while (!inputDone && waiting < maxWaiting) {
                        if (!urls.hasNext()) {
                            inputDone = true;
                            for (int p = 0; p < buffers.size(); p++) {
                                seal(p);
                            }
                            break;
                        }
                        take(Objects.requireNonNull(urls.next(), "urls must not yield null"));
                    }
                    submitReady();
                    if (running.isEmpty()) {
                        if (inputDone) {
                            break;
                        }
                        continue; // nothing running yet: read more input first
                    }
                    handle(finished.take());
                }
            } catch (InterruptedException e) {
                cancelRunning();
                throw new WaitInterruptedException(e);
            } catch (RuntimeException | Error e) {
                cancelRunning();
                throw e;
            }
            return new CrawlSummary(results, ok, Duration.ofNanos(System.nanoTime() - start));
        }

        private void take(final String url) {
            final URI uri;
            try {
                uri = Crawler.parse(url);
            } catch (IllegalArgumentException e) {
                deliver(CrawlResult.rejected(url, "bad URL: " + e.getMessage(), 0));
                return;
            }
            final int p = Math.floorMod((uri.getHost().toLowerCase(Locale.ROOT) + ":" + uri.getPort()).hashCode(),
                    buffers.size());
            buffers.get(p).add(url);
            waiting++;
            if (buffers.get(p).size() >= chunkSize) {
                seal(p);
            }
        }

        private void seal(final int p) {
            if (!buffers.get(p).isEmpty()) {
                ready.get(p).addLast(new Chunk(p, buffers.get(p), 0));
                buffers.set(p, new ArrayList<>());
            }
        }

        private void submitReady() {
            for (int p = 0; p < ready.size(); p++) {
                if (!busy[p] && !ready.get(p).isEmpty()) {
                    submit(ready.get(p).pollFirst());
                }
            }
        }

        private void submit(final Chunk c) {
            final CrawlSettings s = settings;
            final ArrayList<String> list = c.urls;
            busy[c.partition] = true;
            waiting -= list.size();
            final TaskFuture<List<CrawlResult>> f = pool.submit(() -> crawlChunk(s, list));
            running.add(f);
            f.onDone(done -> finished.add(new Finished(c, done)));
        }

        private void handle(final Finished done) {
            running.remove(done.future);
            final Chunk c = done.chunk;
            busy[c.partition] = false;
            final TaskFuture<List<CrawlResult>> f = done.future;
            if (f.isCancelled()) {
                throw new IllegalStateException("a crawl chunk was cancelled from outside the crawl");
            }
            final Throwable failure = f.state() == Future.State.FAILED ? f.exceptionNow() : null;
            if (failure == null) {
                for (final CrawlResult r : f.resultNow()) {
                    deliver(r);
                }
                return;
            }
            if (!workerDied(failure)) {
                throw new IllegalStateException("a crawl chunk failed: " + failure, failure);
            }
            final int deaths = c.deaths + 1;
            LOG.warn("a worker died crawling a chunk of {} URLs ({} time(s)); crawling it again", c.urls.size(),
                    deaths);
            final ArrayDeque<Chunk> q = ready.get(c.partition);
            waiting += c.urls.size();
            if (deaths < DEATHS_BEFORE_SPLIT) {
                q.addFirst(new Chunk(c.partition, c.urls, deaths));
            } else if (c.urls.size() > 1) {
                final int half = c.urls.size() / 2;
                q.addFirst(new Chunk(c.partition, new ArrayList<>(c.urls.subList(half, c.urls.size())), 0));
                q.addFirst(new Chunk(c.partition, new ArrayList<>(c.urls.subList(0, half)), 0));
            } else {
                waiting -= 1;
                deliver(CrawlResult.rejected(c.urls.getFirst(), "the worker died " + deaths
                        + " times crawling this URL: " + failure.getMessage(), 0));
            }
        }

        private static boolean workerDied(final Throwable t) {
            for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
                if (x instanceof WorkerDiedException) {
                    return true;
                }
            }
            return false;
        }

        private void deliver(final CrawlResult r) {
            sink.accept(r);
            results++;
            ok += r.ok() ? 1 : 0;
        }

        private void cancelRunning() {
            for (final TaskFuture<List<CrawlResult>> f : running) {
                f.cancel(true);
            }
        }
    }
}
