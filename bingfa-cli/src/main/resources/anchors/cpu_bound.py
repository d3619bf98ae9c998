"""Anchor for `bingfa bench models`: the seed's CPU-bound test (4 tasks), as serial, threads and processes.

Each task runs the same 31-bit LCG as the JVM side (x = (x * 1103515245 + 12345) & 0x7FFFFFFF, seeded
with task number + 1) and returns x, so both sides do the same work and print the same checksum.
Usage: cpu_bound.py TASKS STEPS REPS   ->   {"serial": s, "threads": s, "processes": s, "checksum": n}
"""
import json
import multiprocessing
import statistics
import sys
import threading
import time


def lcg(seed, steps):
    x = seed
    for _ in range(steps):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    return x


def serial(tasks, steps):
    return [lcg(i + 1, steps) for i in range(tasks)]


def threads(tasks, steps):
    out = [None] * tasks

    def run(i):
        out[i] = lcg(i + 1, steps)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(tasks)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def processes(tasks, steps):
    with multiprocessing.Pool(tasks) as pool:
        return pool.starmap(lcg, [(i + 1, steps) for i in range(tasks)])


def timed(fn, tasks, steps, reps):
    times, result = [], None
    for _ in range(reps):
        start = time.perf_counter()
        result = fn(tasks, steps)
        times.append(time.perf_counter() - start)
    return statistics.median(times), sum(result)


if __name__ == "__main__":
    tasks, steps, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    out = {}
    sums = set()
    for name, fn in (("serial", serial), ("threads", threads), ("processes", processes)):
        out[name], checksum = timed(fn, tasks, steps, reps)
        sums.add(checksum)
    if len(sums) != 1:
        sys.exit("checksums differ between modes: %s" % sums)
    out["checksum"] = sums.pop()
    print(json.dumps(out))
