/* notify_listener: a stand-in for systemd's notification socket. Binds a
 * unix datagram socket at PATH and prints every line of every datagram it
 * receives, one per line, until a datagram holding STOPPING=1 arrives or
 * TIMEOUT seconds pass. Usage: notify_listener PATH [TIMEOUT]
 * Exit status: 0 after STOPPING=1, 1 on timeout, 2 on a setup error. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_DATAGRAM 4096   /* sd_notify messages are a few hundred bytes */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prints each line of BUF; returns 1 when one of them is STOPPING=1. */
static int print_lines(const char *buf, size_t len)
{
    int stopping = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && buf[i] != '\n')
            continue;
        if (i > start) {
            printf("%.*s\n", (int)(i - start), buf + start);
            if (i - start == 10 && memcmp(buf + start, "STOPPING=1", 10) == 0)
                stopping = 1;
        }
        start = i + 1;
    }
    fflush(stdout);
    return stopping;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s PATH [TIMEOUT]\n", argv[0]);
        return 2;
    }
    double timeout = 30;
    if (argc == 3) {
        char *end;
        errno = 0;
        timeout = strtod(argv[2], &end);
        if (errno || end == argv[2] || *end || timeout <= 0 || timeout > 3600) {
            fprintf(stderr, "notify_listener: bad timeout '%s'\n", argv[2]);
            return 2;
        }
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
        fprintf(stderr, "notify_listener: path too long\n");
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        fprintf(stderr, "notify_listener: %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    double deadline = now_s() + timeout;
    char buf[MAX_DATAGRAM];
    for (;;) {
        double left = deadline - now_s();
        if (left <= 0)
            return 1;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "notify_listener: poll: %s\n", strerror(errno));
            return 2;
        }
        if (r == 0)
            continue;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            fprintf(stderr, "notify_listener: recv: %s\n", strerror(errno));
            return 2;
        }
        if (print_lines(buf, (size_t)n))
            return 0;
    }
}
