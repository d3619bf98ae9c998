package io.bingfa.net.crawl;

/** {@link CrawlerTest} with {@link Crawler.Transport#HTTP_CLIENT}. */
class CrawlerHttpClientTest extends CrawlerTest {
    @Override
    Crawler.Transport transport() {
        return Crawler.Transport.HTTP_CLIENT;
    }
}
