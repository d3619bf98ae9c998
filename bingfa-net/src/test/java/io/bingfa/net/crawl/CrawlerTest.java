package io.bingfa.net.crawl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The crawler against a real {@link CrawlTarget} on loopback: one contract, run once per transport
 * ({@link CrawlerHttpClientTest}, {@link CrawlerSocketsTest}).
 */
abstract class CrawlerTest {

    /** The transport under test. */
    abstract Crawler.Transport transport();

    private static CrawlTarget target;

    @BeforeAll
    static void start() {
        target = CrawlTarget.builder().hosts(4).latency(Duration.ofMillis(5)).start();
    }

    @AfterAll
    static void stop() {
        target.close();
    }

    private Crawler.Builder quick() {
        return Crawler.builder().backoff(Duration.ofMillis(5), Duration.ofMillis(50)).transport(transport());
    }

    private static List<CrawlResult> crawl(final Crawler crawler, final List<String> urls) {
        final List<CrawlResult> out = Collections.synchronizedList(new ArrayList<>());
        crawler.crawl(urls.iterator(), out::add);
        return out;
    }

    private static String url(final int host, final String path) {
        return target.url(host, path).toString();
    }

    @Test
    void fetchesManyUrlsOncePerUrl() {
        final List<String> urls = IntStream.range(0, 2_000).mapToObj(i -> url(i, "/page/" + i)).toList();
        try (Crawler crawler = quick().concurrency(200).perHostConcurrency(100).build()) {
            final List<CrawlResult> results = crawl(crawler, urls);
            assertThat(results).hasSize(urls.size());
            assertThat(results).extracting(CrawlResult::url).containsExactlyInAnyOrderElementsOf(urls);
            assertThat(results).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.error()).isNull();
                assertThat(r.bytes()).isPositive();
                assertThat(r.attempts()).isEqualTo(1);
                assertThat(r.finalUrl()).isEqualTo(r.url());
            });
        }
    }

    @Test
    void perHostLimitIsNeverExceededOnTheServersSide() {
        try (CrawlTarget slow = CrawlTarget.builder().hosts(3).latency(Duration.ofMillis(20)).start();
             Crawler crawler = quick().concurrency(100).perHostConcurrency(3).build()) {
            final List<String> urls = IntStream.range(0, 300).mapToObj(i -> slow.url(i, "/p/" + i).toString()).toList();
            assertThat(crawl(crawler, urls)).hasSize(300).allSatisfy(r -> assertThat(r.ok()).isTrue());
            assertThat(slow.stats().requests()).isEqualTo(300);
            assertThat(slow.stats().hosts()).allSatisfy(h -> assertThat(h.maxInFlight()).isBetween(1, 3));
        }
    }

    @Test
    void globalConcurrencyIsNeverExceeded() {
        try (CrawlTarget slow = CrawlTarget.builder().hosts(4).latency(Duration.ofMillis(20)).start();
             Crawler crawler = quick().concurrency(2).perHostConcurrency(10).build()) {
            final List<String> urls = IntStream.range(0, 40).mapToObj(i -> slow.url(i, "/p/" + i).toString()).toList();
            assertThat(crawl(crawler, urls)).hasSize(40);
            assertThat(slow.stats().maxInFlight()).isBetween(1, 2);
        }
    }

    @Test
    void aTimeoutIsRecordedAsAnError() {
        try (Crawler crawler = quick().requestTimeout(Duration.ofMillis(200)).retries(0).build()) {
            final CrawlResult r = crawler.fetch(url(0, "/slow/5000/x"));
            assertThat(r.status()).isZero();
            assertThat(r.error()).contains("timed out after 200 ms");
            assertThat(r.attempts()).isEqualTo(1);
        }
    }

    @Test
    void retriesWithBackoffUntilTheServerAnswers() {
        try (Crawler crawler = quick().retries(3).build()) {
            final CrawlResult r = crawler.fetch(url(1, "/fail/2/retry-until-ok"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.error()).isNull();
            assertThat(r.attempts()).isEqualTo(3);
        }
    }

    @Test
    void givesUpAfterTheLastRetry() {
        try (Crawler crawler = quick().retries(2).build()) {
            final CrawlResult r = crawler.fetch(url(1, "/fail/9/give-up"));
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.error()).isEqualTo("HTTP 503 (gave up after 3 attempts)");
            assertThat(r.attempts()).isEqualTo(3);
        }
    }

    @Test
    void aDroppedConnectionIsRetriedAsAnIoError() {
        try (Crawler crawler = quick().retries(1).build()) {
            final CrawlResult r = crawler.fetch(url(2, "/drop/x"));
            assertThat(r.status()).isZero();
            assertThat(r.error()).contains("gave up after 2 attempts");
            assertThat(r.attempts()).isEqualTo(2);
        }
    }

    @Test
    void retryAfterOf429IsHonoured() {
        try (Crawler crawler = quick().retries(1).build()) {
            final CrawlResult r = crawler.fetch(url(3, "/throttle/1/honour"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(r.millis()).isGreaterThanOrEqualTo(1_000); // Retry-After: 1, a lower bound, never flaky
        }
    }

    @Test
    void redirectsAreFollowed() {
        try (Crawler crawler = quick().build()) {
            final CrawlResult r = crawler.fetch(url(0, "/redirect/3/here"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.attempts()).isEqualTo(4);
            assertThat(r.finalUrl()).isEqualTo(url(0, "/redirect/0/here"));
        }
    }

    @Test
    void tooManyRedirectsStop() {
        try (Crawler crawler = quick().followRedirects(true, 2).build()) {
            final CrawlResult r = crawler.fetch(url(0, "/redirect/5/far"));
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.error()).isEqualTo("more than 2 redirects");
            assertThat(r.attempts()).isEqualTo(3);
        }
    }

    @Test
    void aRedirectLoopIsStopped() {
        try (Crawler crawler = quick().followRedirects(true, 50).build()) {
            final CrawlResult r = crawler.fetch(url(0, "/loop/round"));
            assertThat(r.error()).startsWith("redirect loop");
            assertThat(r.attempts()).isEqualTo(1);
        }
    }

    @Test
    void redirectsAreNotFollowedWhenTurnedOff() {
        try (Crawler crawler = quick().followRedirects(false, 0).build()) {
            final CrawlResult r = crawler.fetch(url(0, "/redirect/1/x"));
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.error()).isNull();
        }
    }

    @Test
    void robotsTxtIsRespectedWhenAsked() {
        try (CrawlTarget withRobots = CrawlTarget.builder().latency(Duration.ofMillis(1))
                .robots("User-agent: *\nDisallow: /private\n").start()) {
            final List<String> urls = List.of(withRobots.url(0, "/private/a").toString(),
                    withRobots.url(0, "/public/b").toString(), withRobots.url(0, "/private").toString());
            try (Crawler crawler = quick().respectRobots(true).build()) {
                final List<CrawlResult> results = crawl(crawler, urls);
                assertThat(results).filteredOn(r -> r.url().contains("/private"))
                        .hasSize(2).allSatisfy(r -> assertThat(r.error()).startsWith("disallowed by robots.txt"));
                assertThat(results).filteredOn(r -> r.url().contains("/public")).singleElement()
                        .satisfies(r -> assertThat(r.status()).isEqualTo(200));
                assertThat(withRobots.stats().requests()).isEqualTo(2); // robots.txt once, /public/b once
            }
            try (Crawler ignoring = quick().build()) {
                assertThat(crawl(ignoring, urls)).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
            }
        }
    }

    @Test
    void anUnreachableRobotsTxtDisallowsTheHost() {
        try (Crawler crawler = quick().respectRobots(true).retries(0).build()) {
            // port 1 on loopback: connection refused
            final CrawlResult r = crawler.fetch("http://127.0.0.1:1/page");
            assertThat(r.error()).startsWith("disallowed by robots.txt");
        }
    }

    @Test
    void badUrlsGiveAClearPerLineErrorAndTheCrawlGoesOn() {
        final List<String> urls = List.of("not a url", "ftp://example.com/x", "http://", "http://exa mple.com/",
                "", url(0, "/fine"));
        try (Crawler crawler = quick().build()) {
            final List<CrawlResult> results = crawl(crawler, urls);
            assertThat(results).hasSize(6);
            assertThat(results).filteredOn(r -> !r.url().equals(url(0, "/fine"))).allSatisfy(r -> {
                assertThat(r.error()).startsWith("bad URL: ");
                assertThat(r.attempts()).isZero();
                assertThat(r.finalUrl()).isNull();
            });
            assertThat(results).filteredOn(r -> r.url().equals(url(0, "/fine"))).singleElement()
                    .satisfies(r -> assertThat(r.ok()).isTrue());
            assertThat(results).filteredOn(r -> r.url().startsWith("ftp")).singleElement()
                    .satisfies(r -> assertThat(r.error()).isEqualTo("bad URL: scheme must be http or https, was ftp"));
        }
    }

    @Test
    void theStreamingApiYieldsEveryResult() {
        final List<String> urls = IntStream.range(0, 300).mapToObj(i -> url(i, "/s/" + i)).toList();
        try (Crawler crawler = quick().concurrency(50).build();
             Stream<CrawlResult> results = crawler.stream(urls.iterator())) {
            assertThat(results.map(CrawlResult::url).toList()).containsExactlyInAnyOrderElementsOf(urls);
        }
    }

    @Test
    void aThrowingSinkEndsTheCrawlWithItsException() {
        final List<String> urls = IntStream.range(0, 500).mapToObj(i -> url(i, "/t/" + i)).toList();
        try (Crawler crawler = quick().concurrency(20).build()) {
            assertThatThrownBy(() -> crawler.crawl(urls.iterator(), r -> {
                throw new IllegalStateException("sink broke");
            })).isInstanceOf(IllegalStateException.class).hasMessage("sink broke");
        }
    }

    @Test
    void aClosedCrawlerRefusesToCrawl() {
        final Crawler crawler = quick().build();
        crawler.close();
        assertThatThrownBy(() -> crawler.fetch(url(0, "/x"))).isInstanceOf(IllegalStateException.class)
                .hasMessage("the crawler is closed");
    }

    @Test
    void builderNamesTheBadArgument() {
        assertThatThrownBy(() -> Crawler.builder().concurrency(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("concurrency must be at least 1, was 0");
        assertThatThrownBy(() -> Crawler.builder().perHostConcurrency(-2))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("perHostConcurrency must be at least 1, was -2");
        assertThatThrownBy(() -> Crawler.builder().requestTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("requestTimeout must be positive, was PT0S");
        assertThatThrownBy(() -> Crawler.builder().retries(1).retries(2))
                .isInstanceOf(IllegalStateException.class).hasMessage("retries was already set");
        assertThatThrownBy(() -> Crawler.builder().userAgent(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("userAgent");
    }

    @Test
    void retryAfterReadsSecondsAndDates() {
        assertThat(Crawler.retryAfter("3")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Crawler.retryAfter("99999")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Crawler.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
        assertThat(Crawler.retryAfter("soon")).isNull();
        assertThat(Crawler.retryAfter(null)).isNull();
    }
}
