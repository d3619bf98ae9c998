package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What the settings fast path accepts, and that everything else is left to Jetty (SettingsHead's Overview). */
class SettingsHeadTest {

    private static final String PLAIN = "GET /v1/settings/app-000042 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

    private static ByteBuffer bytes(final String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int parse(final String s) {
        return new SettingsHead().parse(bytes(s));
    }

    @Test
    void aPlainReadIsAcceptedWithItsLengthAndApp() {
        final SettingsHead head = new SettingsHead();
        final ByteBuffer in = bytes(PLAIN);
        assertThat(head.parse(in)).isEqualTo(PLAIN.length());
        assertThat(head.app(in)).isEqualTo("app-000042");
        assertThat(head.close()).isFalse();
        assertThat(in.position()).as("parse reads without consuming").isZero();
    }

    @Test
    void theHeadersOfCommonClientsAreAccepted() {
        // curl, Java's HttpClient (HTTP/1.1), Python requests, a browser-like set
        for (final String fields : new String[] {
            "Host: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n",
            "Host: [::1]:8080\r\nUser-Agent: Java-http-client/25\r\n",
            "Host: example.com\r\nUser-Agent: python-requests/2.31\r\nAccept-Encoding: gzip, deflate\r\n"
                    + "Accept: */*\r\nConnection: keep-alive\r\n",
            "host:x\r\naccept-language: zh-CN,zh;q=0.9\r\ncookie: a=b; c=d\r\nX-Empty:\r\nX-Tab:\tv\t\r\n"}) {
            final String head = "GET /v1/settings/app-1 HTTP/1.1\r\n" + fields + "\r\n";
            assertThat(parse(head)).as(fields).isEqualTo(head.length());
        }
    }

    @Test
    void connectionCloseIsReportedAndKeepAliveIsNot() {
        for (final String value : new String[] {"close", "Close", " keep-alive , close ", "CLOSE,keep-alive"}) {
            final SettingsHead head = new SettingsHead();
            final String s = "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nConnection:" + value + "\r\n\r\n";
            assertThat(head.parse(bytes(s))).as(value).isEqualTo(s.length());
            assertThat(head.close()).as(value).isTrue();
        }
        final SettingsHead head = new SettingsHead();
        final String s = "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nConnection: Keep-Alive\r\n\r\n";
        assertThat(head.parse(bytes(s))).isEqualTo(s.length());
        assertThat(head.close()).isFalse();
    }

    @Test
    void everyProperPrefixOfAHeadIsIncomplete() {
        final String s = "GET /v1/settings/app-1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: */*\r\n\r\n";
        for (int n = 0; n < s.length(); n++) {
            assertThat(parse(s.substring(0, n))).as("first %d bytes", n).isEqualTo(SettingsHead.INCOMPLETE);
        }
        assertThat(parse(s)).isEqualTo(s.length());
    }

    @Test
    void pipelinedHeadsAreReadOneAtATime() {
        final SettingsHead head = new SettingsHead();
        final String second = "GET /v1/settings/b HTTP/1.1\r\nHost: x\r\n\r\n";
        final ByteBuffer in = bytes(PLAIN + second);
        assertThat(head.parse(in)).isEqualTo(PLAIN.length());
        in.position(PLAIN.length());
        assertThat(head.parse(in)).isEqualTo(second.length());
        assertThat(head.app(in)).isEqualTo("b");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // not a settings read, or not in the one form the fast path answers
        "POST /v1/settings/a HTTP/1.1\r\nHost: x\r\n\r\n",
        "HEAD /v1/settings/a HTTP/1.1\r\nHost: x\r\n\r\n",
        "get /v1/settings/a HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET http://x/v1/settings/a HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/a HTTP/1.0\r\nHost: x\r\n\r\n",
        "GET /v1/settings/a HTTP/2.0\r\nHost: x\r\n\r\n",
        "GET /v1/settings/a  HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/a/b HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/ HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/. HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/.. HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/a#f HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/settings/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\nHost: x\r\n\r\n", // 33 characters
        // Host: exactly one, of host characters
        "GET /v1/settings/a HTTP/1.1\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: \r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x y\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: user@x\r\n\r\n",
        // framing, expectations and upgrades are Jetty's
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nConnection: close, te\r\n\r\n",
        // syntax: anything doubtful
        "GET /v1/settings/a HTTP/1.1\r\nHost : x\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\nHost: x\n\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\nAccept: */*\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nX-A: caf\u00e9\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nX(A): v\r\n\r\n",
        "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\n\rX\r\n",
        " GET /v1/settings/a HTTP/1.1\r\nHost: x\r\n\r\n",
    })
    void everythingElseIsJettys(final String head) {
        assertThat(parse(head)).isEqualTo(SettingsHead.NOT_MINE);
    }

    @Test
    void aHeadLongerThanJettysLimitIsJettysSoThatItAnswers431() {
        final String start = "GET /v1/settings/a HTTP/1.1\r\nHost: x\r\nX-Pad: ";
        final String fits = start + "p".repeat(SettingsHead.MAX_HEAD - start.length() - 4) + "\r\n\r\n";
        assertThat(fits).hasSize(SettingsHead.MAX_HEAD);
        assertThat(parse(fits)).isEqualTo(SettingsHead.MAX_HEAD);
        final String over = start + "p".repeat(SettingsHead.MAX_HEAD - start.length() - 3) + "\r\n\r\n";
        assertThat(parse(over)).isEqualTo(SettingsHead.NOT_MINE);
        // and an unfinished head is given up as soon as the limit is reached, not left waiting
        assertThat(parse(start + "p".repeat(SettingsHead.MAX_HEAD))).isEqualTo(SettingsHead.NOT_MINE);
        assertThat(parse(start + "p".repeat(SettingsHead.MAX_HEAD - start.length() - 1)))
                .isEqualTo(SettingsHead.INCOMPLETE);
    }

    @Test
    void appIdsOfEveryAllowedCharacterAndTheLongestAreAccepted() {
        for (final String app : new String[] {"a", "A.Z_0-9", "...", "x".repeat(Api.MAX_APP_ID)}) {
            final SettingsHead head = new SettingsHead();
            final ByteBuffer in = bytes("GET /v1/settings/" + app + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(head.parse(in)).as(app).isPositive();
            assertThat(head.app(in)).isEqualTo(app);
            assertThat(Api.isAppId(app)).as("the same ids as the route").isTrue();
        }
    }
}
