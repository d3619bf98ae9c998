package io.bingfa.net.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.process.ProcessPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crawls spread over real worker JVMs, including one killed with kill -9 in the middle. */
class ProcessCrawlerTest {

    private static CrawlTarget target;
    private static ProcessPool pool;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        target = CrawlTarget.builder().hosts(8).latency(Duration.ofMillis(10)).start();
        pool = ProcessPool.builder().workers(2).eagerStart(true).build();
    }

    @AfterAll
    static void stop() {
        pool.close();
        target.close();
    }

    private static List<String> urls(final String prefix, final int n) {
        return IntStream.range(0, n).mapToObj(i -> target.url(i, "/" + prefix + "/" + i).toString()).toList();
    }

    private static CrawlSettings settings() {
        return Crawler.builder().concurrency(64).perHostConcurrency(16)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50)).settings();
    }

    @Test
    void everyUrlComesBackExactlyOnceFromTheWorkers() {
        final List<String> urls = new ArrayList<>(urls("multi", 200));
        urls.add("not a url");
        final List<CrawlResult> results = new ArrayList<>();
        final CrawlSummary s = ProcessCrawler.crawl(pool, settings(), 25, urls.iterator(), results::add);
        assertThat(s.urls()).isEqualTo(201);
        assertThat(s.ok()).isEqualTo(200);
        assertThat(results).extracting(CrawlResult::url).containsExactlyInAnyOrderElementsOf(urls);
        assertThat(results).filteredOn(r -> r.url().equals("not a url")).singleElement()
                .satisfies(r -> assertThat(r.error()).startsWith("bad URL"));
    }

    @Test
    void aWorkerKilledMidCrawlStillYieldsEveryUrlExactlyOnceInTheOutput() throws IOException {
        final List<String> urls = urls("kill", 400);
        final Path urlFile = Files.write(dir.resolve("urls.txt"), urls);
        final Path out = dir.resolve("out.jsonl");
        final AtomicInteger seen = new AtomicInteger();
        final AtomicBoolean killed = new AtomicBoolean();
        final List<Long> before = new ArrayList<>();
        final List<Long> after = new ArrayList<>();
        CrawlJob.run(urlFile, out, false, settings(), pool, new CrawlJob.Listener() {
            @Override
            public void result(final CrawlResult r) {
                if (seen.incrementAndGet() == 100 && killed.compareAndSet(false, true)) {
                    before.addAll(pool.workerPids());
                    ProcessHandle.of(before.getFirst()).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
                }
            }
        });
        after.addAll(pool.workerPids());
        assertThat(killed).isTrue();
        assertThat(after).doesNotContain(before.getFirst()); // the pool replaced the killed worker
        final List<String> lines = Files.readAllLines(out);
        assertThat(lines.stream().map(l -> CrawlJsonl.fromJson(l).url()).toList())
                .containsExactlyInAnyOrderElementsOf(urls);
        assertThat(lines.stream().map(CrawlJsonl::fromJson)).allSatisfy(r -> assertThat(r.ok()).isTrue());
    }
}
