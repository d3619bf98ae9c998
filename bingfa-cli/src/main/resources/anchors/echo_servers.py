"""Anchor servers for `bingfa bench echo`: seed 001's upper-casing echo in four Python styles.

    python3 echo_servers.py STYLE PORT

STYLE is one of
  threaded  the seed's server: a Thread per connection running talk(conn) (recv(1024), send(msg.upper()))
  gevent    gevent.server.StreamServer with the same talk() (seed 001's "socket server, single-thread
            concurrency" written the way gevent's own docs write it)
  asyncio   asyncio's echo Protocol (the documentation's "TCP Echo Server"), data.upper()
  tornado   tornado.tcpserver.TCPServer.handle_stream: read_bytes(1024, partial=True), write(data.upper())

Every server listens on 127.0.0.1:PORT (0 = a free port) with a backlog of 1024 (the seed's listen(5) would
make 1,000 clients wait for SYN retries: a measurement of the backlog, not of the server), reads at most
1024 bytes at a time like the seed, and prints one line "STYLE listening on 127.0.0.1:PORT pid PID" once it
accepts. It runs until killed. The only change to the seed's talk() is sendall() for send(): a short send
would break the echo under load.
"""
import os
import socket
import sys

BACKLOG = 1024
HOST = "127.0.0.1"


def ready(style, port):
    print(f"{style} listening on {HOST}:{port} pid {os.getpid()}", flush=True)


def talk(conn):
    while True:
        try:
            msg = conn.recv(1024)
            if len(msg) == 0:
                break
            conn.sendall(msg.upper())
        except (ConnectionResetError, BrokenPipeError):
            break
    conn.close()


def listener(port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((HOST, port))
    server.listen(BACKLOG)
    return server


def threaded(port):
    from threading import Thread
    server = listener(port)
    ready("threaded", server.getsockname()[1])
    while True:
        conn, _ = server.accept()
        Thread(target=talk, args=(conn,), daemon=True).start()


def run_gevent(port):
    from gevent import monkey
    monkey.patch_all()
    from gevent.server import StreamServer

    def handle(sock, _address):
        talk(sock)

    server = StreamServer(listener(port), handle)
    server.start()
    ready("gevent", server.server_port)
    server.serve_forever()


def run_asyncio(port):
    import asyncio

    class Echo(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data):
            self.transport.write(data.upper())

    async def main():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Echo, sock=listener(port))
        ready("asyncio", server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def run_tornado(port):
    from tornado.ioloop import IOLoop
    from tornado.iostream import StreamClosedError
    from tornado.tcpserver import TCPServer

    class Echo(TCPServer):
        async def handle_stream(self, stream, _address):
            try:
                while True:
                    data = await stream.read_bytes(1024, partial=True)
                    await stream.write(data.upper())
            except StreamClosedError:
                pass

    sock = listener(port)
    sock.setblocking(False)
    server = Echo()
    server.add_sockets([sock])
    ready("tornado", sock.getsockname()[1])
    IOLoop.current().start()


if __name__ == "__main__":
    style, port = sys.argv[1], int(sys.argv[2])
    {"threaded": threaded, "gevent": run_gevent, "asyncio": run_asyncio, "tornado": run_tornado}[style](port)
