"""The seeds' verification service written the seeds' way: Tornado, one process per core, Redis for state.

The Python anchor of `bingfa bench serve`. It speaks the HTTP contract of `bingfa serve`
(docs: the serve spec) for the routes a load generator and the contract test use:

    GET  /v1/settings/{app}   the app's settings JSON as stored (404 for an unknown app)
    POST /v1/challenges       {"app": A} -> 201 {"id", "app", "question", "expires_in"}; the answer is the
                              question reversed; the challenge lives in Redis with the app's ttl_seconds
    POST /v1/verify           {"id", "answer"} -> consumes the challenge (GETDEL): 200 {"ok": true} or
                              {"ok": false, "reason": "wrong answer"}; 404 for an unknown or used id
    GET  /v1/stats/{app}      {"app", "challenges", "success", "failure"} from a Redis hash per app
    GET  /health              {"status": "ok", "worker", "pid", "generation"}

Two ways to find an app's settings (--settings):

    dict  the fix the seeds describe before their shared cache: every process keeps the whole apps table in a
          dict, loaded from PostgreSQL at start and reloaded every --refresh-every seconds (in a thread, then
          swapped in), so the request path never touches the database;
    db    the "before" picture: one PostgreSQL query (psycopg2, autocommit) per request that needs settings.

Processes: the listening socket is bound once, then tornado.process.fork_processes(N) forks the workers,
which share it (Tornado's multi-process pattern); PostgreSQL and Redis connections are made after the fork.
When every worker is ready it writes one byte to a pipe; a small reporter process forked before the workers
reads N bytes and prints `serving on http://127.0.0.1:PORT (N workers)`, the same line `bingfa serve` prints.
Workers exit by themselves when the parent dies (they check getppid every second), so killing the parent
never leaves orphans serving the port.

Failing loudly: anything wrong at start-up (no database, no table, no Redis) is printed to stderr and the
process exits non-zero; the bench turns that into a skipped anchor with the reason.
"""

import argparse
import gc
import json
import os
import random
import secrets
import sys
import time

import psycopg2
import redis
import tornado.httpserver
import tornado.ioloop
import tornado.netutil
import tornado.process
import tornado.web

MAX_BODY = 16 * 1024


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on the ready line)")
    p.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    p.add_argument("--dsn", required=True, help="psycopg2 connection string of the database holding `apps`")
    p.add_argument("--redis", required=True, help="host:port of the Redis holding challenges and counters")
    p.add_argument("--settings", choices=("dict", "db"), default="dict")
    p.add_argument("--refresh-every", type=float, default=60.0, help="seconds between reloads (dict mode)")
    args = p.parse_args()
    if args.processes < 1:
        p.error("--processes must be at least 1, was %d" % args.processes)
    if args.refresh_every <= 0:
        p.error("--refresh-every must be positive, was %s" % args.refresh_every)
    return args


def fail(message):
    sys.stderr.write("serve_tornado: %s\n" % message)
    sys.stderr.flush()
    os._exit(1)


def freeze():
    # The well-known fix for a big long-lived cache in CPython: move it out of the cyclic collector's reach, so
    # that full collections do not walk 100,000 settings dicts while requests wait (a stronger anchor).
    gc.collect()
    gc.freeze()


class Settings:
    """Where a worker finds an app's settings: raw JSON text and the parsed dict, or None."""

    def __init__(self, dsn, mode, refresh_every):
        self.dsn = dsn
        self.mode = mode
        self.refresh_every = refresh_every
        self.generation = 0
        self.apps = {}
        self.conn = psycopg2.connect(dsn)
        self.conn.autocommit = True  # one transaction per query: nothing left idle in a transaction
        if mode == "dict":
            self.apps = self._load()
            self.generation = 1
            freeze()

    def _load(self):
        # A reload uses its own connection: it runs in a thread while the request path may use self.conn.
        conn = psycopg2.connect(self.dsn)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("select app_id, settings from apps")
                apps = {}
                for app_id, text in cur:
                    apps[app_id] = (text, json.loads(text))
                return apps
        finally:
            conn.close()

    async def refresh(self):
        apps = await tornado.ioloop.IOLoop.current().run_in_executor(None, self._load)
        self.apps = apps  # one reference swap: requests see the old dict or the new one, never a mix
        self.generation += 1
        freeze()

    def get(self, app):
        if self.mode == "dict":
            return self.apps.get(app)
        with self.conn.cursor() as cur:
            cur.execute("select settings from apps where app_id = %s", (app,))
            row = cur.fetchone()
        return None if row is None else (row[0], json.loads(row[0]))


class Base(tornado.web.RequestHandler):
    def initialize(self, settings, store, worker):
        self.apps = settings
        self.store = store
        self.worker = worker

    def set_default_headers(self):
        self.set_header("Content-Type", "application/json; charset=utf-8")

    def error(self, status, message):
        self.set_status(status)
        self.finish(json.dumps({"error": message}))

    def json_body(self):
        try:
            body = json.loads(self.request.body or b"")
        except ValueError as e:
            self.error(400, "body is not JSON: %s" % e)
            return None
        if not isinstance(body, dict):
            self.error(400, "body must be a JSON object, was %s" % type(body).__name__)
            return None
        return body

    def write_error(self, status_code, **kwargs):
        self.finish(json.dumps({"error": self._reason}))


class SettingsHandler(Base):
    def get(self, app):
        found = self.apps.get(app)
        if found is None:
            return self.error(404, "no such app: %s" % app)
        self.finish(found[0])


class ChallengeHandler(Base):
    def post(self):
        body = self.json_body()
        if body is None:
            return
        app = body.get("app")
        if not isinstance(app, str):
            return self.error(400, "body must have a string \"app\", was %s" % json.dumps(app))
        found = self.apps.get(app)
        if found is None:
            return self.error(404, "no such app: %s" % app)
        s = found[1]
        code = "".join(random.choices(s["alphabet"], k=s["length"]))
        cid = secrets.token_hex(16)
        ttl = s["ttl_seconds"]
        pipe = self.store.pipeline(transaction=False)  # one round trip for both commands
        pipe.set("chal:" + cid, app + " " + code[::-1], ex=ttl)
        pipe.hincrby("stats:" + app, "challenges", 1)
        pipe.execute()
        self.set_status(201)
        self.finish(json.dumps({"id": cid, "app": app, "question": code, "expires_in": ttl}))


class VerifyHandler(Base):
    def post(self):
        body = self.json_body()
        if body is None:
            return
        cid, answer = body.get("id"), body.get("answer")
        if not isinstance(cid, str) or not isinstance(answer, str):
            return self.error(400, "body must have string \"id\" and \"answer\"")
        stored = self.store.getdel("chal:" + cid)  # atomic: a second verify of the same id finds nothing
        if stored is None:
            return self.error(404, "unknown or expired challenge: %s" % cid)
        app, expected = stored.decode().split(" ", 1)
        ok = answer == expected
        self.store.hincrby("stats:" + app, "success" if ok else "failure", 1)
        self.finish('{"ok":true}' if ok else '{"ok":false,"reason":"wrong answer"}')


class StatsHandler(Base):
    def get(self, app):
        if self.apps.get(app) is None:
            return self.error(404, "no such app: %s" % app)
        h = self.store.hgetall("stats:" + app)
        n = lambda k: int(h.get(k, 0))
        self.finish(json.dumps({"app": app, "challenges": n(b"challenges"), "success": n(b"success"),
                                "failure": n(b"failure")}))


class HealthHandler(Base):
    def get(self):
        self.finish(json.dumps({"status": "ok", "worker": self.worker, "pid": os.getpid(),
                                "generation": self.apps.generation}))


class NotFound(Base):
    def prepare(self):
        self.error(404, "no such route: %s %s" % (self.request.method, self.request.path))


def worker_main(args, sockets, ready_fd, worker, parent):
    try:
        settings = Settings(args.dsn, args.settings, args.refresh_every)
        host, port = args.redis.rsplit(":", 1)
        store = redis.Redis(host=host, port=int(port))
        store.ping()
    except Exception as e:  # start-up must fail loudly, with what went wrong
        fail("worker %d cannot start: %s: %s" % (worker, type(e).__name__, e))
    deps = dict(settings=settings, store=store, worker=worker)
    app = tornado.web.Application([
        (r"/v1/settings/([^/]+)", SettingsHandler, deps),
        (r"/v1/challenges", ChallengeHandler, deps),
        (r"/v1/verify", VerifyHandler, deps),
        (r"/v1/stats/([^/]+)", StatsHandler, deps),
        (r"/health", HealthHandler, deps),
    ], default_handler_class=NotFound, default_handler_args=deps)
    server = tornado.httpserver.HTTPServer(app, max_body_size=MAX_BODY)
    server.add_sockets(sockets)
    loop = tornado.ioloop.IOLoop.current()

    def orphaned():
        if os.getppid() != parent:
            os._exit(0)

    tornado.ioloop.PeriodicCallback(orphaned, 1000).start()
    if args.settings == "dict":
        tornado.ioloop.PeriodicCallback(settings.refresh, args.refresh_every * 1000).start()
    loop.add_callback(lambda: (os.write(ready_fd, b"r"), os.close(ready_fd)))
    loop.start()


def reporter(read_fd, port, n):
    got = 0
    while got < n:
        chunk = os.read(read_fd, n - got)
        if not chunk:
            fail("only %d of %d workers became ready" % (got, n))
        got += len(chunk)
    sys.stdout.write("serving on http://127.0.0.1:%d (%d workers)\n" % (port, n))
    sys.stdout.flush()
    os._exit(0)


def main():
    args = parse_args()
    sockets = tornado.netutil.bind_sockets(args.port, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    read_fd, write_fd = os.pipe()
    if os.fork() == 0:
        os.close(write_fd)
        reporter(read_fd, port, args.processes)
    os.close(read_fd)
    parent = os.getpid()
    # The parent stays here restarting nobody (max_restarts=0): a worker that dies makes the whole service exit.
    worker = tornado.process.fork_processes(args.processes, max_restarts=0)
    worker_main(args, sockets, write_fd, worker, parent)


if __name__ == "__main__":
    main()
