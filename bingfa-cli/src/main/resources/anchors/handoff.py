"""Anchor for `bingfa bench coro`: passing N items between two greenlets.

MODE channel: a producer greenlet puts 0..N-1 into a gevent.queue.Channel (rendezvous), a consumer
              greenlet takes them; items per second.
MODE switch:  raw greenlet.switch ping-pong: one item = a switch there and a switch back.
Usage: handoff.py MODE N   ->   {"seconds": s, "per_second": r}
"""
import json
import sys
import time


def channel(n):
    import gevent
    from gevent.queue import Channel
    ch = Channel()
    total = [0]

    def produce():
        for i in range(n):
            ch.put(i)

    def consume():
        s = 0
        for _ in range(n):
            s += ch.get()
        total[0] = s

    start = time.perf_counter()
    gevent.joinall([gevent.spawn(produce), gevent.spawn(consume)])
    seconds = time.perf_counter() - start
    assert total[0] == n * (n - 1) // 2
    return seconds


def switch(n):
    from greenlet import greenlet, getcurrent
    main = getcurrent()

    def pong(value):
        while True:
            value = main.switch(value + 1)

    other = greenlet(pong)
    start = time.perf_counter()
    value = 0
    for _ in range(n):
        value = other.switch(value)
    seconds = time.perf_counter() - start
    assert value == n
    return seconds


if __name__ == "__main__":
    mode, n = sys.argv[1], int(sys.argv[2])
    seconds = channel(n) if mode == "channel" else switch(n)
    print(json.dumps({"seconds": seconds, "per_second": n / seconds}))
