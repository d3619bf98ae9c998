package io.bingfa.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bingfa.cli.bench.models.Crawler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CrawlerExtrapolationTest {

    private static final Duration L = Duration.ofMillis(20);

    @Test
    void aPerfectSerialRunGivesTheSeedsFortySixDays() {
        final double days = Crawler.days(Crawler.extrapolate(100 * 0.020, 100, L, 1));
        assertThat(days).isCloseTo(46.296, within(0.001));
    }

    @Test
    void aPerfectTenThreadRunGivesTheSeedsFourPointSixThreeDays() {
        final double days = Crawler.days(Crawler.extrapolate(10 * 0.020, 100, L, 10));
        assertThat(days).isCloseTo(4.6296, within(0.0001));
    }

    @Test
    void oneCoroutinePerUrlIsOneLatencyPlusThePerUrlOverhead() {
        // 10,000 URLs took 20 ms + 10 ms: 1 us of overhead per URL, so 2 s + 2,000,000 us.
        final double seconds = Crawler.extrapolate(0.030, 10_000, L, Crawler.ONE_PER_URL);
        assertThat(seconds).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void moreWorkersThanUrlsInTheSmallRunStillExtrapolateByTheWorkerCount() {
        // Regression: 10 URLs on 10 threads is one round, but 2,000,000 URLs on 10 threads are 200,000 rounds.
        final double days = Crawler.days(Crawler.extrapolate(0.005, 10, Duration.ofMillis(5), 10));
        assertThat(days).isCloseTo(4.6296, within(0.0001));
    }
}
