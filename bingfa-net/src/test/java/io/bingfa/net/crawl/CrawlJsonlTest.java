package io.bingfa.net.crawl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrawlJsonlTest {

    @TempDir
    Path dir;

    @Test
    void aResultRoundTripsThroughOneLine() {
        final CrawlResult r = new CrawlResult("http://a/\"x\"", 503, 12, 340, "HTTP 503 (gave up after 3 attempts)", 3,
                "http://a/y");
        final String line = CrawlJsonl.toJson(r);
        assertThat(line).doesNotContain("\n").startsWith("{\"url\":").contains("\"ms\":340", "\"final_url\":");
        assertThat(CrawlJsonl.fromJson(line)).isEqualTo(r);
        final CrawlResult bad = CrawlResult.rejected("nope", "bad URL: empty", 0);
        assertThat(CrawlJsonl.fromJson(CrawlJsonl.toJson(bad))).isEqualTo(bad);
    }

    @Test
    void resumeReturnsTheUrlsAlreadyWritten() {
        final Path out = dir.resolve("out.jsonl");
        try (CrawlJsonl.Writer w = CrawlJsonl.Writer.append(out)) {
            w.write(new CrawlResult("http://a/1", 200, 1, 1, null, 1, "http://a/1"));
            w.write(new CrawlResult("http://a/2", 0, 0, 1, "timed out after 1 ms", 1, "http://a/2"));
        }
        assertThat(CrawlJsonl.resume(out)).containsExactlyInAnyOrder("http://a/1", "http://a/2");
        assertThat(CrawlJsonl.resume(dir.resolve("missing.jsonl"))).isEmpty();
    }

    @Test
    void aTornLastLineIsCutOffSoItsUrlIsCrawledAgain() throws IOException {
        final Path out = dir.resolve("torn.jsonl");
        final String whole = CrawlJsonl.toJson(new CrawlResult("http://a/1", 200, 1, 1, null, 1, "http://a/1"));
        Files.writeString(out, whole + "\n{\"url\":\"http://a/2\",\"sta", StandardCharsets.UTF_8);
        assertThat(CrawlJsonl.resume(out)).containsExactly("http://a/1");
        assertThat(Files.readString(out)).isEqualTo(whole + "\n");
    }

    @Test
    void aWholeLastLineWithoutItsNewlineIsKept() throws IOException {
        final Path out = dir.resolve("nonl.jsonl");
        final String whole = CrawlJsonl.toJson(new CrawlResult("http://a/1", 200, 1, 1, null, 1, "http://a/1"));
        Files.writeString(out, whole, StandardCharsets.UTF_8);
        assertThat(CrawlJsonl.resume(out)).containsExactly("http://a/1");
        assertThat(Files.readString(out)).isEqualTo(whole + "\n");
    }

    @Test
    void aFileThatIsNotACrawlsOutputIsRefused() throws IOException {
        final Path out = dir.resolve("other.txt");
        Files.writeString(out, "hello\nworld\n");
        assertThatThrownBy(() -> CrawlJsonl.resume(out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 1");
    }
}
