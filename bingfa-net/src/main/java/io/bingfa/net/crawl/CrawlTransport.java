package io.bingfa.net.crawl;

import java.net.URI;

/**
 * How a {@link Crawler} sends one GET: {@link HttpClientTransport} (the JDK's HttpClient) or
 * {@link SocketTransport} (blocking sockets on the calling virtual thread). Called with the crawler's host and
 * global permits held; must honour the settings' time-outs and answer {@link Answer#failed} rather than throw.
 */
interface CrawlTransport extends AutoCloseable {

    /** One GET of {@code uri}; the body is counted, and kept too when {@code keepBody}. */
    Answer send(URI uri, boolean keepBody) throws InterruptedException;

    /** Aborts requests in flight and releases connections. */
    @Override
    void close();
}
