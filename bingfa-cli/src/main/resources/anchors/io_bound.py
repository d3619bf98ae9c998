"""Anchor for `bingfa bench models`: the seed's IO-bound test, TASKS tasks that each time.sleep(SLEEP).

Usage: io_bound.py TASKS SLEEP_SECONDS   ->   {"serial": s, "threads": s, "processes": s}
"""
import json
import multiprocessing
import sys
import threading
import time


def run_all(starter, tasks, sleep):
    start = time.perf_counter()
    workers = [starter(target=time.sleep, args=(sleep,)) for _ in range(tasks)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start


if __name__ == "__main__":
    tasks, sleep = int(sys.argv[1]), float(sys.argv[2])
    start = time.perf_counter()
    for _ in range(tasks):
        time.sleep(sleep)
    serial = time.perf_counter() - start
    print(json.dumps({"serial": serial,
                      "threads": run_all(threading.Thread, tasks, sleep),
                      "processes": run_all(multiprocessing.Process, tasks, sleep)}))
