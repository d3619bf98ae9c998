package io.bingfa.net.crawl;

/** {@link CrawlerTest} with {@link Crawler.Transport#SOCKETS}. */
class CrawlerSocketsTest extends CrawlerTest {
    @Override
    Crawler.Transport transport() {
        return Crawler.Transport.SOCKETS;
    }
}
