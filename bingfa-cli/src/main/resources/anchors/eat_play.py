"""Anchor for `bingfa bench models`: the seed's gevent eat/play (eat sleeps EAT s, play sleeps PLAY s).

MODE gevent:    gevent.sleep, which the hub sees: both finish after about max(EAT, PLAY).
MODE unpatched: time.sleep without monkey-patching: it blocks the hub, about EAT + PLAY.
MODE patched:   monkey.patch_all() first, then time.sleep: about max(EAT, PLAY) again.
Usage: eat_play.py MODE EAT PLAY   ->   {"seconds": s}
"""
import sys

if sys.argv[1] == "patched":
    from gevent import monkey
    monkey.patch_all()

import json
import time

import gevent


def main(mode, eat_s, play_s):
    sleep = gevent.sleep if mode == "gevent" else time.sleep

    def eat():
        sleep(eat_s)

    def play():
        sleep(play_s)

    start = time.perf_counter()
    g1 = gevent.spawn(eat)
    g2 = gevent.spawn(play)
    gevent.joinall([g1, g2])
    return time.perf_counter() - start


if __name__ == "__main__":
    print(json.dumps({"seconds": main(sys.argv[1], float(sys.argv[2]), float(sys.argv[3]))}))
