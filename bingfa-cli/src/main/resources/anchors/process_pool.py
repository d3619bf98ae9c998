"""Anchor for `bingfa bench pool`: the same shapes of task through ProcessPoolExecutor(2).

Usage: process_pool.py ROUNDTRIPS BATCH BATCH_ROUNDS MAP_ITEMS CHUNK STARTS
Prints one JSON line:
  sequential_us      mean microseconds of one submit(noop).result() round trip (fork, 2 workers)
  batch_per_s        no-op tasks per second, BATCH submitted then all results taken, BATCH_ROUNDS times
  map_per_s          items per second through pool.map(inc, range(MAP_ITEMS), chunksize=CHUNK)
  cold_fork_ms       median ms from ProcessPoolExecutor(2, fork) to its first result (STARTS pools)
  cold_spawn_ms      the same with the spawn start method
  recovery_ms        a worker killed with SIGKILL: ms until a task is done again, which in Python means
                     catching BrokenProcessPool and building a new pool (the old one is unusable)
"""
import json
import multiprocessing as mp
import os
import signal
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool


def noop():
    return None


def inc(x):
    return x + 1


def pid():
    return os.getpid()


def cold_start(method, starts):
    times = []
    for _ in range(starts):
        t0 = time.perf_counter()
        with ProcessPoolExecutor(2, mp_context=mp.get_context(method)) as pool:
            pool.submit(noop).result()
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def recovery(ctx):
    pool = ProcessPoolExecutor(2, mp_context=ctx)
    victim = pool.submit(pid).result()
    t0 = time.perf_counter()
    os.kill(victim, signal.SIGKILL)
    while True:
        try:
            pool.submit(noop).result()
            break
        except BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            pool = ProcessPoolExecutor(2, mp_context=ctx)
    ms = (time.perf_counter() - t0) * 1000
    pool.shutdown()
    return ms


if __name__ == "__main__":
    roundtrips, batch, rounds, items, chunk, starts = (int(a) for a in sys.argv[1:7])
    ctx = mp.get_context("fork")
    out = {}
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        for _ in range(min(roundtrips, 1000)):
            pool.submit(noop).result()
        t0 = time.perf_counter()
        for _ in range(roundtrips):
            pool.submit(noop).result()
        out["sequential_us"] = (time.perf_counter() - t0) / roundtrips * 1e6
        t0 = time.perf_counter()
        for _ in range(rounds):
            futures = [pool.submit(noop) for _ in range(batch)]
            for f in futures:
                f.result()
        out["batch_per_s"] = batch * rounds / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        total = sum(pool.map(inc, range(items), chunksize=chunk))
        out["map_per_s"] = items / (time.perf_counter() - t0)
        assert total == items * (items + 1) // 2
    out["cold_fork_ms"] = cold_start("fork", starts)
    out["cold_spawn_ms"] = cold_start("spawn", starts)
    out["recovery_ms"] = statistics.median(recovery(ctx) for _ in range(3))
    print(json.dumps(out))
