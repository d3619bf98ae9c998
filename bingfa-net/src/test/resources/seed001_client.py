# The multi-threaded client of seed 001 (多线程客户端), ported to Python 3 for the tests of bingfa-net.
#
# Changes from the seed, and only these: the host and port come from the command line instead of the
# seed's ('127.0.0.1', 8081); each thread stops after ROUNDS round trips instead of looping forever (the
# seed's `while True` never reaches its own client.close()); currentThread() is current_thread() (the
# camel-case alias is deprecated in Python 3.10); the thread count is an argument (the seed starts 5).
import socket
import sys
from threading import current_thread, Thread

HOST = sys.argv[1]
PORT = int(sys.argv[2])
THREADS = int(sys.argv[3]) if len(sys.argv) > 3 else 5
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 10


def task():
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.connect((HOST, PORT))
    for _ in range(ROUNDS):
        msg = f'{current_thread().name}'
        client.send(msg.encode('utf-8'))
        feedback = client.recv(1024)
        print(feedback.decode('utf-8'), flush=True)

    client.close()


if __name__ == '__main__':
    threads = []
    for i in range(THREADS):
        t = Thread(target=task)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
