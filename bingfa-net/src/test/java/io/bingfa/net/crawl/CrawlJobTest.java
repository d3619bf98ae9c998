package io.bingfa.net.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrawlJobTest {

    @TempDir
    Path dir;

    private static final CrawlJob.Listener QUIET = new CrawlJob.Listener() { };

    @Test
    void resumeSkipsTheUrlsAlreadyInTheOutputAndAppendsTheRest() throws IOException {
        try (CrawlTarget target = CrawlTarget.builder().hosts(2).latency(Duration.ofMillis(2)).start()) {
            final List<String> first = IntStream.range(0, 50).mapToObj(i -> target.url(i, "/a/" + i).toString()).toList();
            final List<String> second = IntStream.range(0, 30).mapToObj(i -> target.url(i, "/b/" + i).toString()).toList();
            final Path urls = dir.resolve("urls.txt");
            final List<String> file = new ArrayList<>(List.of("# a comment", "", "this is no URL"));
            file.addAll(first);
            file.add(first.getFirst()); // listed twice: crawled once
            Files.write(urls, file);
            final Path out = dir.resolve("out.jsonl");
            final CrawlSettings s = Crawler.builder().concurrency(10).settings();

            final CrawlSummary one = CrawlJob.run(urls, out, false, s, null, QUIET);
            assertThat(one.urls()).isEqualTo(51);
            assertThat(target.stats().requests()).isEqualTo(50);

            Files.write(urls, second, StandardOpenOption.APPEND);
            final long[] plan = new long[2];
            final CrawlSummary two = CrawlJob.run(urls, out, true, s, null, new CrawlJob.Listener() {
                @Override
                public void started(final long toCrawl, final long skipped) {
                    plan[0] = toCrawl;
                    plan[1] = skipped;
                }
            });
            assertThat(two.urls()).isEqualTo(30);
            assertThat(plan).containsExactly(30, 52);
            assertThat(target.stats().requests()).isEqualTo(80); // nothing of the first run was fetched again

            final List<String> all = new ArrayList<>(first);
            all.addAll(second);
            all.add("this is no URL");
            assertThat(Files.readAllLines(out).stream().map(l -> CrawlJsonl.fromJson(l).url()).toList())
                    .containsExactlyInAnyOrderElementsOf(all);
        }
    }
}
