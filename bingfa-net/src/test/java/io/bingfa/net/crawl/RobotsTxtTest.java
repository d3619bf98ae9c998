package io.bingfa.net.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RobotsTxtTest {

    private static final String TEXT = """
            # comment
            User-agent: *
            Disallow: /private
            Allow: /private/open
            Disallow: /*.pdf$

            User-agent: Bingfa-Crawler
            User-agent: other
            Disallow: /only-for-bingfa
            """;

    @Test
    void theStarGroupAppliesToAnUnnamedAgent() {
        final RobotsTxt r = RobotsTxt.parse(TEXT, "somebot/1.0");
        assertThat(r.allows("/")).isTrue();
        assertThat(r.allows("/private/x")).isFalse();
        assertThat(r.allows("/private/open/x")).isTrue(); // the longer Allow wins
        assertThat(r.allows("/doc.pdf")).isFalse();
        assertThat(r.allows("/doc.pdf?x=1")).isTrue(); // $ anchors the end
        assertThat(r.allows("/only-for-bingfa")).isTrue();
    }

    @Test
    void aNamedGroupReplacesTheStarGroup() {
        final RobotsTxt r = RobotsTxt.parse(TEXT, "bingfa-crawler/0.1");
        assertThat(r.allows("/only-for-bingfa/x")).isFalse();
        assertThat(r.allows("/private/x")).isTrue();
    }

    @Test
    void anEmptyDisallowAllowsEverything() {
        assertThat(RobotsTxt.parse("User-agent: *\nDisallow:\n", "x").allows("/a")).isTrue();
    }

    @Test
    void robotsTxtItselfIsAlwaysAllowed() {
        assertThat(RobotsTxt.parse("User-agent: *\nDisallow: /\n", "x").allows("/robots.txt")).isTrue();
        assertThat(RobotsTxt.DISALLOW_ALL.allows("/robots.txt")).isTrue();
        assertThat(RobotsTxt.DISALLOW_ALL.allows("/a")).isFalse();
    }

    @Test
    void anEqualLengthAllowWinsATie() {
        final RobotsTxt r = RobotsTxt.parse("User-agent: *\nDisallow: /page\nAllow: /page\n", "x");
        assertThat(r.allows("/page")).isTrue();
    }
}
