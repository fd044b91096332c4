/* churner: process churn for the pidreuse scenario.
 *
 * churner RATE SECONDS KB
 *
 * Forks RATE children a second for SECONDS; each touches KB KiB of fresh
 * memory and exits at once. Children are not waited for (SA_NOCLDWAIT), so
 * their PIDs come back as soon as the kernel allows: with kernel.pid_max
 * lowered, the same numbers are handed out again and again. Prints
 *   churner: forked N in S s (R/s), pid wraps W, fork errors E
 * where a wrap is a fork whose PID is lower than the one before. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: churner RATE SECONDS KB\n");
        return 2;
    }
    double rate = strtod(argv[1], NULL), secs = strtod(argv[2], NULL);
    long kb = strtol(argv[3], NULL, 10);
    if (!(rate > 0) || !(secs > 0) || kb < 0) {
        fprintf(stderr, "churner: RATE and SECONDS must be > 0, KB >= 0\n");
        return 2;
    }
    struct sigaction sa = {.sa_handler = SIG_IGN, .sa_flags = SA_NOCLDWAIT};
    sigaction(SIGCHLD, &sa, NULL);
    double start = now_s(), end = start + secs;
    long forked = 0, wraps = 0, errors = 0;
    pid_t last = 0;
    while (now_s() < end) {
        /* Catch up to RATE since the start, then sleep a little. */
        long due = (long)((now_s() - start) * rate);
        while (forked < due && now_s() < end) {
            pid_t p = fork();
            if (p == 0) {
                char *m = kb ? malloc((size_t)kb * 1024) : NULL;
                if (m)
                    memset(m, 1, (size_t)kb * 1024);
                _exit(0);
            }
            if (p < 0) {
                errors++;
                if (errno == EAGAIN) {
                    usleep(1000);
                    continue;
                }
                break;
            }
            if (p < last)
                wraps++;
            last = p;
            forked++;
        }
        usleep(2000);
    }
    double took = now_s() - start;
    printf("churner: forked %ld in %.1f s (%.0f/s), pid wraps %ld, fork errors %ld\n", forked, took,
           forked / took, wraps, errors);
    return 0;
}
