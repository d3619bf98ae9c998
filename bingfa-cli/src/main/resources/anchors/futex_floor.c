/*
 * The kernel's floor for a blocking one-way hand-off between two processes on this machine: a parent
 * writes a time stamp into shared memory, bumps a 32-bit word and calls FUTEX_WAKE; a forked child
 * sleeping in FUTEX_WAIT on that word wakes, reads the clock and records the difference. No queue, no
 * JVM, no Python: what any blocking receiver (ShmQueue.get, mp.Queue.get) pays at least.
 *
 * With MODE spin, the child spins on the word instead of sleeping (the floor of a spinning receiver: one
 * cache line moving between two cores), the parent on CPU 0 and the child on CPU 1 as the JVM's spinning
 * pair is pinned; with MODE hot the parent also spins on the clock between stamps instead of sleeping.
 *
 * Usage: futex_floor M GAP_US [futex|spin|hot]   prints {"p50_us": ..., "p99_us": ...}; the first tenth is
 * warm-up.
 * Built and run by `bingfa bench ipc` when a C compiler (cc) is installed.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    const long x = *(const long *) a, y = *(const long *) b;
    return x < y ? -1 : x > y;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set); /* best effort, like IpcChild.pin */
}

int main(int argc, char **argv) {
    const char *mode = argc == 4 ? argv[3] : "futex";
    const int spin = strcmp(mode, "spin") == 0 || strcmp(mode, "hot") == 0;
    const int hot = strcmp(mode, "hot") == 0;
    if (argc < 3 || argc > 4 || atoi(argv[1]) < 10 || atol(argv[2]) < 1
            || (!spin && strcmp(mode, "futex") != 0)) {
        fprintf(stderr, "usage: futex_floor M GAP_US [futex|spin|hot] (M >= 10, GAP_US >= 1)\n");
        return 2;
    }
    const int cpus = (int) sysconf(_SC_NPROCESSORS_ONLN);
    const int m = atoi(argv[1]);
    const long gap_ns = atol(argv[2]) * 1000L;
    int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (word == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    long *stamp = (long *) (word + 16);       /* another cache line than the word */
    long *results = (long *) (word + 512);    /* p50 and p99, written by the child */
    const pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        if (spin && cpus > 1) {
            pin(1);
        }
        long *lat = malloc(sizeof(long) * m);
        int seen = 0, taken = 0;
        while (seen < m) {                    /* stamps can coalesce if the child is late: count by value */
            while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == seen) {
                if (spin) {
                    __builtin_ia32_pause();
                } else {
                    syscall(SYS_futex, word, FUTEX_WAIT, seen, NULL, NULL, 0);
                }
            }
            seen = __atomic_load_n(word, __ATOMIC_ACQUIRE);
            lat[taken++] = now_ns() - __atomic_load_n(stamp, __ATOMIC_ACQUIRE);
        }
        const int skip = taken / 10, n = taken - skip;
        qsort(lat + skip, n, sizeof(long), by_value);
        results[0] = lat[skip + n / 2];
        results[1] = lat[skip + (int) (n * 0.99)];
        _exit(0);
    }
    if (spin && cpus > 1) {
        pin(0);
    }
    usleep(50000);                            /* let the child reach its first wait */
    for (int i = 1; i <= m; i++) {
        if (hot) {
            const long until = now_ns() + gap_ns;
            while (now_ns() < until) {
                __builtin_ia32_pause();
            }
        } else {
            const struct timespec gap = {gap_ns / 1000000000L, gap_ns % 1000000000L};
            nanosleep(&gap, NULL);
        }
        __atomic_store_n(stamp, now_ns(), __ATOMIC_RELEASE);
        __atomic_store_n(word, i, __ATOMIC_RELEASE);
        if (!spin) {
            syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
        }
    }
    int status;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "futex_floor: the child failed\n");
        return 1;
    }
    printf("{\"p50_us\": %.3f, \"p99_us\": %.3f}\n", results[0] / 1e3, results[1] / 1e3);
    return 0;
}
