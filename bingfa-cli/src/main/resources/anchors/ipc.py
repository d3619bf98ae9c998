"""Anchor for `bingfa bench ipc`: multiprocessing's Queue, Pipe and Lock between processes.

Every process waits at a Barrier before the clock starts, so process start-up is not measured; all
times are time.perf_counter() (CLOCK_MONOTONIC), comparable between the processes.

  queue N P C SIZE      P producer processes put N SIZE-byte messages (in all) into one mp.Queue, C
                        consumer processes get them; the parent puts C None sentinels once the producers
                        have finished.   -> {"seconds", "per_second"}
  pipe N SIZE           one process send_bytes N messages through mp.Pipe(duplex=False), another
                        recv_bytes them.                                           -> {"seconds", "per_second"}
  latency KIND M GAP_US one process sends M perf_counter_ns() stamps, sleeping GAP_US microseconds
                        between sends, another takes each and records now - stamp; the
                        first tenth is warm-up. KIND: queue (mp.Queue.get), pipe (Connection.recv),
                        pipe-spin (busy loop on Connection.poll(), then recv),
                        pipe-hot (the same, and the sender spins between sends instead of sleeping).   -> {"p50_us", "p99_us"}
  lock N                N x (mp.Lock.acquire(); release()) in one process, uncontended.  -> {"ns_per_op"}
  handoff N             two processes pass one mp.Lock back and forth N times (a turn number under the
                        lock decides whose turn it is).                            -> {"seconds", "per_second"}
"""
import json
import multiprocessing as mp
import os
import sys
import time


def _producer(q, barrier, n, size):
    payload = b"x" * size
    barrier.wait()
    for _ in range(n):
        q.put(payload)


def _consumer(q, barrier, results):
    barrier.wait()
    count, last = 0, 0.0
    while True:
        m = q.get()
        if m is None:
            break
        count += 1
        last = time.perf_counter()
    results.put((count, last))


def queue(n, producers, consumers, size):
    q = mp.Queue()
    results = mp.Queue()
    barrier = mp.Barrier(producers + consumers + 1)
    share = n // producers
    ps = [mp.Process(target=_producer, args=(q, barrier, share, size)) for _ in range(producers)]
    cs = [mp.Process(target=_consumer, args=(q, barrier, results)) for _ in range(consumers)]
    for p in ps + cs:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    for p in ps:
        p.join()
    for _ in cs:
        q.put(None)
    got = [results.get() for _ in cs]
    for c in cs:
        c.join()
    total = sum(g[0] for g in got)
    assert total == share * producers, (total, share * producers)
    seconds = max(g[1] for g in got) - start
    return {"seconds": seconds, "per_second": total / seconds}


def _pipe_sender(conn, barrier, n, size):
    payload = b"x" * size
    barrier.wait()
    for _ in range(n):
        conn.send_bytes(payload)
    conn.send_bytes(b"")


def _pipe_receiver(conn, barrier, results):
    barrier.wait()
    count, last = 0, 0.0
    while True:
        m = conn.recv_bytes()
        if not m:
            break
        count += 1
        last = time.perf_counter()
    results.put((count, last))


def pipe(n, size):
    reader, writer = mp.Pipe(duplex=False)
    results = mp.Queue()
    barrier = mp.Barrier(3)
    s = mp.Process(target=_pipe_sender, args=(writer, barrier, n, size))
    r = mp.Process(target=_pipe_receiver, args=(reader, barrier, results))
    s.start()
    r.start()
    barrier.wait()
    start = time.perf_counter()
    count, last = results.get()
    s.join()
    r.join()
    assert count == n, (count, n)
    seconds = last - start
    return {"seconds": seconds, "per_second": n / seconds}


def _pin(cpu):
    """Pins a spinning pair like the JVM side (IpcChild.pin): sender on CPU 0, receiver on CPU 1."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {cpu})


def _stamp_sender(kind, channel, barrier, m, gap_ns):
    if kind in ("pipe-spin", "pipe-hot"):
        _pin(0)
    barrier.wait()
    send = channel.put if kind == "queue" else channel.send
    clock = time.perf_counter_ns
    gap = gap_ns / 1e9
    for _ in range(m):
        if kind == "pipe-hot":  # spins on the clock between sends, like the JVM's hot sender
            until = clock() + gap_ns
            while clock() < until:
                pass
        else:
            time.sleep(gap)
        send(clock())


def _stamp_receiver(kind, channel, barrier, m, results):
    if kind in ("pipe-spin", "pipe-hot"):
        _pin(1)
    barrier.wait()
    clock = time.perf_counter_ns
    latencies = []
    if kind == "queue":
        for _ in range(m):
            stamp = channel.get()
            latencies.append(clock() - stamp)
    elif kind == "pipe":
        for _ in range(m):
            stamp = channel.recv()
            latencies.append(clock() - stamp)
    else:
        poll = channel.poll
        for _ in range(m):
            while not poll():
                pass
            stamp = channel.recv()
            latencies.append(clock() - stamp)
    results.put(latencies)


def latency(kind, m, gap_us):
    if kind == "queue":
        send_end = recv_end = mp.Queue()
    else:
        recv_end, send_end = mp.Pipe(duplex=False)
    results = mp.Queue()
    barrier = mp.Barrier(3)
    s = mp.Process(target=_stamp_sender, args=(kind, send_end, barrier, m, gap_us * 1000))
    r = mp.Process(target=_stamp_receiver, args=(kind, recv_end, barrier, m, results))
    s.start()
    r.start()
    barrier.wait()
    latencies = results.get()
    s.join()
    r.join()
    measured = sorted(latencies[m // 10:])
    pick = lambda q: measured[min(len(measured) - 1, int(q * len(measured)))] / 1000.0
    return {"p50_us": pick(0.50), "p99_us": pick(0.99)}


def lock(n):
    l = mp.Lock()
    for _ in range(min(n, 10000)):
        l.acquire()
        l.release()
    start = time.perf_counter()
    for _ in range(n):
        l.acquire()
        l.release()
    seconds = time.perf_counter() - start
    return {"ns_per_op": seconds * 1e9 / n}


def _handoff_party(l, turn, me, barrier, n, results):
    barrier.wait()
    passes = 0
    while passes < n:
        l.acquire()
        if turn.value == me:
            turn.value = 1 - me
            passes += 1
        l.release()
    results.put(time.perf_counter())


def handoff(n):
    l = mp.Lock()
    turn = mp.RawValue("i", 0)
    results = mp.Queue()
    barrier = mp.Barrier(3)
    ps = [mp.Process(target=_handoff_party, args=(l, turn, me, barrier, n // 2, results)) for me in (0, 1)]
    for p in ps:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    end = max(results.get() for _ in ps)
    for p in ps:
        p.join()
    seconds = end - start
    return {"seconds": seconds, "per_second": (n // 2) * 2 / seconds}


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "queue":
        out = queue(int(args[0]), int(args[1]), int(args[2]), int(args[3]))
    elif mode == "pipe":
        out = pipe(int(args[0]), int(args[1]))
    elif mode == "latency":
        out = latency(args[0], int(args[1]), int(args[2]))
    elif mode == "lock":
        out = lock(int(args[0]))
    elif mode == "handoff":
        out = handoff(int(args[0]))
    else:
        raise SystemExit("unknown mode " + mode)
    print(json.dumps(out))
