/*
 * The floor of `bingfa bench serve`: the least an HTTP/1.1 keep-alive server can do per request on loopback.
 *
 *   http_floor PROCESSES
 *
 * Binds 127.0.0.1 on a free port, forks PROCESSES workers that share the listening socket (Tornado's
 * fork_processes model; each worker dies with the parent), and prints the contract's ready line
 *   serving on http://127.0.0.1:PORT (N workers)
 * Each worker: one epoll loop; per readable connection one read(2), then for every complete request in it
 * (a head ending in CRLF CRLF; GET requests carry no body) one write(2) of the same fixed answer: 200, a JSON
 * body the size of a generated app's settings. No parsing, no routing, no lookup, no allocation: what is
 * left is the kernel's loopback TCP and the wake-ups, which every server of the suite pays as well.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FD 65536

static const char BODY[] =
    "{\"app\":\"app-000001\",\"length\":5,\"alphabet\":\"ABCDEFGHJKLMNPQRSTUVWXYZ23456789\",\"ttl_seconds\":300,"
    "\"max_attempts\":1,\"theme\":\"green\",\"owner\":\"customer-1\",\"callback\":\"https://customer-1.example.com/verified\"}";

/* per connection: how many characters of "\r\n\r\n" the bytes read so far end with */
static unsigned char matched[MAX_FD];

static void work(int listener) {
    char answer[1024];
    const int n = snprintf(answer, sizeof answer,
                           "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                           strlen(BODY), BODY);
    const int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listener};
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) != 0) {
        perror("http_floor: epoll");
        exit(1);
    }
    struct epoll_event ready[256];
    char buf[16384];
    const int one = 1;
    for (;;) {
        const int k = epoll_wait(ep, ready, 256, -1);
        for (int i = 0; i < k; i++) {
            const int fd = ready[i].data.fd;
            if (fd == listener) {
                int c;
                while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAX_FD) {
                        close(c);
                        continue;
                    }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    matched[c] = 0;
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            const ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) {
                if (r == 0 || errno != EAGAIN) {
                    close(fd);
                }
                continue;
            }
            int requests = 0;
            unsigned char m = matched[fd];
            for (ssize_t j = 0; j < r; j++) {
                const char want = (m % 2 == 0) ? '\r' : '\n';
                m = buf[j] == want ? m + 1 : (buf[j] == '\r' ? 1 : 0);
                if (m == 4) {
                    requests++;
                    m = 0;
                }
            }
            matched[fd] = m;
            for (int q = 0; q < requests; q++) {
                if (write(fd, answer, n) < 0) {
                    break;
                }
            }
        }
    }
}

int main(int argc, char **argv) {
    const int processes = argc > 1 ? atoi(argv[1]) : 0;
    if (processes < 1) {
        fprintf(stderr, "usage: http_floor PROCESSES (at least 1)\n");
        return 2;
    }
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(listener, (struct sockaddr *)&a, sizeof a) != 0 || listen(listener, 4096) != 0
        || getsockname(listener, (struct sockaddr *)&a, &len) != 0) {
        perror("http_floor: bind");
        return 1;
    }
    const pid_t parent = getpid();
    for (int p = 0; p < processes; p++) {
        const pid_t child = fork();
        if (child == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent) {
                return 0;
            }
            work(listener);
        }
        if (child < 0) {
            perror("http_floor: fork");
            return 1;
        }
    }
    printf("serving on http://127.0.0.1:%d (%d workers)\n", ntohs(a.sin_port), processes);
    fflush(stdout);
    while (wait(NULL) > 0) {
    }
    return 0;
}
