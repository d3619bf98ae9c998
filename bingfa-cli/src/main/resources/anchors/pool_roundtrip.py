"""Anchor for `bingfa bench coro`: no-op tasks through ThreadPoolExecutor(4).

sequential: submit one no-op, wait for its result, SEQUENTIAL times.
batch:      submit BATCH no-ops, then take every result; repeated ROUNDS times.
Usage: pool_roundtrip.py SEQUENTIAL BATCH ROUNDS   ->   {"sequential_per_s": r, "batch_per_s": r}
"""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def noop():
    return None


if __name__ == "__main__":
    sequential, batch, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    with ThreadPoolExecutor(4) as pool:
        for _ in range(min(sequential, 1000)):  # start the four threads before timing
            pool.submit(noop).result()
        start = time.perf_counter()
        for _ in range(sequential):
            pool.submit(noop).result()
        seq_s = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(rounds):
            futures = [pool.submit(noop) for _ in range(batch)]
            for f in futures:
                f.result()
        batch_s = time.perf_counter() - start
    print(json.dumps({"sequential_per_s": sequential / seq_s, "batch_per_s": batch * rounds / batch_s}))
