"""Anchor for `bingfa bench crawl`: the same URLs, the same target, the same concurrency, with aiohttp.

CONCURRENCY worker coroutines take URLs from one shared iterator (so at most CONCURRENCY requests are in
flight), through one ClientSession whose connector allows CONCURRENCY connections and PER_HOST per host.
A warm-up of min(N, 2 x CONCURRENCY) requests to /warm/ paths comes first, as on the JVM side.
Usage: crawl_aiohttp.py URLS_FILE CONCURRENCY PER_HOST   ->   {"seconds": s, "urls": n, "ok": k, "per_second": r}
"""
import asyncio
import json
import sys
import time

import aiohttp


async def crawl(session, urls, concurrency):
    it = iter(urls)
    ok = 0

    async def worker():
        nonlocal ok
        for url in it:
            try:
                async with session.get(url) as r:
                    await r.read()
                    ok += r.status == 200
            except Exception:  # counted as not ok, like the JVM side's error results
                pass

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok


async def main(path, concurrency, per_host):
    with open(path) as f:
        urls = [line.strip() for line in f if line.strip()]
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=per_host)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        warm = [u.replace("/page/", "/warm/") for u in urls[: 2 * concurrency]]
        await crawl(session, warm, concurrency)
        start = time.perf_counter()
        ok = await crawl(session, urls, concurrency)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "urls": len(urls), "ok": ok, "per_second": len(urls) / seconds}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))))
