package io.bingfa.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Api.isAppId, the hand-written check on every settings read, accepts exactly what the contract's pattern does. */
class AppIdTest {

    private static final Pattern CONTRACT = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    @Test
    void acceptsExactlyOneTo32CharactersOfLettersDigitsDotUnderscoreAndDash() {
        for (final String id : new String[] {"app-000042", "a", "A.b_c-9", "x".repeat(32)}) {
            assertThat(Api.isAppId(id)).as(id).isTrue();
        }
        for (final String id : new String[] {"", "x".repeat(33), "a b", "a/b", "a%20b", "é", "a\u0000", "app:1",
                "a\nb", "[a]", "a+b", "ａ"}) {
            assertThat(Api.isAppId(id)).as(id).isFalse();
        }
    }

    @Test
    void agreesWithTheContractsPatternOnEveryOneAndTwoCharacterAsciiString() {
        for (char a = 0; a < 128; a++) {
            final String one = String.valueOf(a);
            assertThat(Api.isAppId(one)).as("%d", (int) a).isEqualTo(CONTRACT.matcher(one).matches());
            for (char b = 0; b < 128; b++) {
                final String two = one + b;
                assertThat(Api.isAppId(two)).as("%d %d", (int) a, (int) b).isEqualTo(CONTRACT.matcher(two).matches());
            }
        }
    }
}
