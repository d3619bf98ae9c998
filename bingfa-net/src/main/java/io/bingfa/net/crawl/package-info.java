/**
 * The crawler: {@link io.bingfa.net.crawl.Crawler} (virtual threads; per-host limits, retries with back-off,
 * redirects, robots.txt), {@link io.bingfa.net.crawl.ProcessCrawler} (the same over worker JVMs),
 * {@link io.bingfa.net.crawl.CrawlJob} and {@link io.bingfa.net.crawl.CrawlJsonl} (a URL file to resumable
 * JSONL), and {@link io.bingfa.net.crawl.CrawlTarget} (a local server of slow sites to crawl).
 */
package io.bingfa.net.crawl;
