package io.bingfa.cli.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import io.bingfa.cli.CliRun;
import io.bingfa.net.crawl.CrawlJsonl;
import io.bingfa.net.crawl.CrawlTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bingfa crawl} end to end against a real target: a crawl, a resume, and the usage errors. */
class CrawlCommandTest {

    @TempDir
    Path dir;

    @Test
    void crawlsAFileThenResumesItWithoutFetchingAnythingTwice() throws Exception {
        try (CrawlTarget target = CrawlTarget.builder().hosts(2).latency(Duration.ofMillis(2)).start()) {
            final Path urls = dir.resolve("urls.txt");
            final Path out = dir.resolve("out.jsonl");
            Files.write(urls, IntStream.range(0, 40).mapToObj(i -> target.url(i, "/a/" + i).toString()).toList());
            for (final String transport : List.of("httpclient", "sockets")) {
                Files.deleteIfExists(out);
                final CliRun first = CliRun.of("crawl", urls.toString(), "-o", out.toString(), "--concurrency", "8",
                        "--transport", transport, "--no-progress");
                assertThat(first.exitCode()).as(first.err()).isZero();
                assertThat(first.err()).contains("crawled 40 URLs", "40 answered, 0 errors");
                assertThat(Files.readAllLines(out)).hasSize(40);
            }
            Files.write(urls, List.of(target.url(0, "/b/1").toString(), "nonsense"), StandardOpenOption.APPEND);
            final CliRun again = CliRun.of("crawl", urls.toString(), "-o", out.toString(), "--resume", "--no-progress");
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.err()).contains("resuming: 40 URLs already in the output, 2 to crawl",
                    "1 answered, 1 errors");
            assertThat(Files.readAllLines(out)).hasSize(42);
            assertThat(target.stats().requests()).isEqualTo(81);
            assertThat(Files.readAllLines(out).stream().map(CrawlJsonl::fromJson)
                    .filter(r -> r.url().equals("nonsense")).findFirst().orElseThrow().error()).startsWith("bad URL");
        }
    }

    @Test
    void anExistingOutputIsNeitherResumedNorReplacedWithoutBeingAsked() throws Exception {
        final Path urls = Files.writeString(dir.resolve("u.txt"), "http://127.0.0.1:1/x\n");
        final Path out = Files.writeString(dir.resolve("o.jsonl"), "{\"url\":\"http://127.0.0.1:1/x\"}\n");
        final CliRun run = CliRun.of("crawl", urls.toString(), "-o", out.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("exists: use --resume to continue it or --overwrite to replace it");
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(CliRun.of("crawl", "/nonexistent/urls.txt").err()).contains("URLS_FILE must be a readable file");
        final CliRun transport = CliRun.of("crawl", "x", "--transport", "carrier-pigeon");
        assertThat(transport.exitCode()).isEqualTo(2);
        assertThat(transport.err()).contains("transport must be httpclient or sockets, was 'carrier-pigeon'");
        assertThat(CliRun.of("crawl-target", "--latency", "soon").err()).contains("'soon' is not a duration");
    }
}
