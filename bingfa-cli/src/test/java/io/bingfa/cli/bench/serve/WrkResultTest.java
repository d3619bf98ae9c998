package io.bingfa.cli.bench.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WrkResultTest {

    /** Captured from wrk 4.1.0 (Debian) with pairs.lua against the Tornado anchor, errors added by hand. */
    private static final String PAIRS = """
            Running 3s test @ http://127.0.0.1:42561
              2 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    32.19ms   39.34ms 272.72ms   90.51%
                Req/Sec   689.05    516.95     2.33k    75.00%
              Latency Distribution
                 50%   20.75ms
                 75%   33.29ms
                 90%   68.28ms
                 99%  225.73ms
              4162 requests in 3.05s, 856.92KB read
              Socket errors: connect 0, read 2, write 0, timeout 3
              Non-2xx or 3xx responses: 7
            Requests/sec:   1362.47
            Transfer/sec:    280.52KB
            bingfa-pairs: challenges=2095 ok=2067 wrong=1 missing=4 errors=0
            """;

    /** Captured from wrk 4.1.0 with settings.lua against a fast service: microsecond and second units. */
    private static final String SETTINGS = """
            Running 10s test @ http://127.0.0.1:40001
              2 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   812.33us    1.02ms  31.50ms   93.12%
                Req/Sec    40.12k     3.01k   45.90k    71.00%
              Latency Distribution
                 50%  612.00us
                 75%  900.10us
                 90%    1.50ms
                 99%    1.20s
              798765 requests in 1.00m, 210.11MB read
            Requests/sec:  79876.50
            Transfer/sec:     21.01MB
            bingfa-settings: threads=2 apps=100000
            """;

    @Test
    void parsesTotalsPercentilesErrorsAndScriptCounters() {
        final WrkResult r = WrkResult.parse(PAIRS);
        assertThat(r.requests()).isEqualTo(4162);
        assertThat(r.seconds()).isCloseTo(3.05, within(1e-9));
        assertThat(r.requestsPerSecond()).isCloseTo(1362.47, within(1e-9));
        assertThat(r.p50Ms()).isCloseTo(20.75, within(1e-9));
        assertThat(r.p99Ms()).isCloseTo(225.73, within(1e-9));
        assertThat(r.non2xx()).isEqualTo(7);
        assertThat(r.socketErrors()).isEqualTo(5);
        assertThat(r.failures()).isEqualTo(12);
        assertThat(r.counter("pairs.challenges")).isEqualTo(2095);
        assertThat(r.counter("pairs.ok")).isEqualTo(2067);
        assertThat(r.counter("pairs.wrong")).isEqualTo(1);
        assertThat(r.counter("pairs.missing")).isEqualTo(4);
        assertThat(r.counter("pairs.errors")).isZero();
    }

    @Test
    void convertsWrkTimeUnitsToMilliseconds() {
        final WrkResult r = WrkResult.parse(SETTINGS);
        assertThat(r.p50Ms()).isCloseTo(0.612, within(1e-9));
        assertThat(r.p99Ms()).isCloseTo(1200.0, within(1e-9));
        assertThat(r.seconds()).isCloseTo(60.0, within(1e-9));
        assertThat(r.requests()).isEqualTo(798765);
        assertThat(r.failures()).isZero();
        assertThat(r.counter("settings.apps")).isEqualTo(100000);
    }

    @Test
    void outputWithoutLatencyDistributionIsRejectedWithTheReason() {
        final String noLatency = SETTINGS.replaceAll("(?s)  Latency Distribution.*?99%[^\\n]*\\n", "");
        assertThatThrownBy(() -> WrkResult.parse(noLatency))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--latency");
    }

    @Test
    void outputWithoutTotalsIsRejectedWithTheReason() {
        assertThatThrownBy(() -> WrkResult.parse("unable to connect to 127.0.0.1:1 Connection refused"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requests in");
    }

    @Test
    void aCounterTheScriptDidNotPrintIsAnError() {
        assertThatThrownBy(() -> WrkResult.parse(SETTINGS).counter("pairs.ok"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("pairs.ok");
    }
}
