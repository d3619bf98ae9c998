"""Anchor for `bingfa bench models`: the seed's generator switching test, with N instead of 100000000.

func2 drives a generator with next() N times (two switches per item: into the generator and back);
the serial version runs the two loops one after the other (2N iterations).
Usage: generator.py N   ->   {"yield_s": s, "serial_s": s, "ns_per_yield": ns, "ns_per_iteration": ns}
"""
import json
import sys
import time


def gen():
    while True:
        1000000 + 1
        yield


def switching(n):
    g = gen()
    for i in range(n):
        i + 1
        next(g)


def loop(n):
    for i in range(n):
        i + 1


if __name__ == "__main__":
    n = int(sys.argv[1])
    start = time.perf_counter()
    switching(n)
    yield_s = time.perf_counter() - start
    start = time.perf_counter()
    loop(n)
    loop(n)
    serial_s = time.perf_counter() - start
    print(json.dumps({"yield_s": yield_s, "serial_s": serial_s,
                      "ns_per_yield": yield_s / n * 1e9, "ns_per_iteration": serial_s / (2 * n) * 1e9}))
