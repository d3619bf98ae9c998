"""Anchor for `bingfa bench coro`: N tasks that each sleep SLEEP s, all at once; wall time and peak RSS.

MODE gevent:  gevent.joinall([gevent.spawn(gevent.sleep, SLEEP) for N]).
MODE asyncio: asyncio.gather(*(asyncio.sleep(SLEEP) for N)).
Peak RSS is VmHWM from /proc/self/status (KiB), read at the end; resource.getrusage's ru_maxrss only where
there is no /proc: Linux carries ru_maxrss over execve, so a Python started by a JVM would report the
JVM's resident size at the moment it was spawned.
Usage: sleepers.py MODE N SLEEP   ->   {"seconds": s, "peak_rss_kib": k}
"""
import json
import resource
import sys
import time


def with_gevent(n, sleep):
    import gevent
    start = time.perf_counter()
    gevent.joinall([gevent.spawn(gevent.sleep, sleep) for _ in range(n)])
    return time.perf_counter() - start


def with_asyncio(n, sleep):
    import asyncio

    async def main():
        await asyncio.gather(*(asyncio.sleep(sleep) for _ in range(n)))

    start = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - start


def peak_rss_kib():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    mode, n, sleep = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    seconds = with_gevent(n, sleep) if mode == "gevent" else with_asyncio(n, sleep)
    print(json.dumps({"seconds": seconds, "peak_rss_kib": peak_rss_kib()}))
