"""Anchor for `bingfa bench models`: the crawler arithmetic's small run, N 'URLs' that each wait LATENCY s.

MODE serial: one after the other.  MODE threads: a ThreadPoolExecutor(WORKERS).  MODE gevent: one
greenlet per URL (gevent.sleep).  The bench extrapolates the time to 2,000,000 URLs x 2 s itself.
Usage: crawler.py MODE N LATENCY WORKERS   ->   {"seconds": s}
"""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def main(mode, n, latency, workers):
    start = time.perf_counter()
    if mode == "serial":
        for _ in range(n):
            time.sleep(latency)
    elif mode == "threads":
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda _: time.sleep(latency), range(n)))
    elif mode == "gevent":
        import gevent
        gevent.joinall([gevent.spawn(gevent.sleep, latency) for _ in range(n)])
    else:
        sys.exit("unknown mode " + mode)
    return time.perf_counter() - start


if __name__ == "__main__":
    print(json.dumps({"seconds": main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))}))
