/* fsroot: see fsroot.h. */
#include "fsroot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int np_root_open(const char *path, struct np_root *ret)
{
    if (!path || !*path)
        return -EINVAL;
    if (strlen(path) >= sizeof(ret->path))
        return -ENAMETOOLONG;
    int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    char real[4096];
    ret->is_live = realpath(path, real) && strcmp(real, "/") == 0;
    ret->dirfd = fd;
    snprintf(ret->path, sizeof(ret->path), "%s", path);
    return 0;
}

void np_root_close(struct np_root *root)
{
    if (root && root->dirfd >= 0) {
        close(root->dirfd);
        root->dirfd = -1;
    }
}

static int open_rel(const struct np_root *root, const char *rel, int flags)
{
    while (*rel == '/')   /* a leading '/' would escape the root */
        rel++;
    int fd = openat(root->dirfd, rel, flags | O_CLOEXEC | O_NOCTTY);
    return fd < 0 ? -errno : fd;
}

/* Reads until EOF or the buffer is full; /proc files may return short reads. */
static long read_all(int fd, char *buf, size_t cap, bool *ret_more)
{
    size_t len = 0;
    *ret_more = false;
    while (len < cap) {
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return (long)len;
        len += (size_t)n;
    }
    char probe;
    ssize_t n;
    do
        n = read(fd, &probe, 1);
    while (n < 0 && errno == EINTR);
    *ret_more = n > 0;
    return (long)len;
}

long np_read_file(const struct np_root *root, const char *rel, char *buf, size_t bufsz)
{
    if (bufsz == 0)
        return -EINVAL;
    int fd = open_rel(root, rel, O_RDONLY);
    if (fd < 0)
        return fd;
    bool more;
    long n = read_all(fd, buf, bufsz - 1, &more);
    close(fd);
    if (n < 0) {
        buf[0] = '\0';
        return n;
    }
    buf[n] = '\0';
    return more ? -E2BIG : n;
}

long np_read_head(const struct np_root *root, const char *rel, char *buf, size_t bufsz)
{
    if (bufsz < 2)
        return -EINVAL;
    int fd = open_rel(root, rel, O_RDONLY);
    if (fd < 0)
        return fd;
    ssize_t n;
    do
        n = read(fd, buf, bufsz - 1);
    while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    if (n < 0) {
        buf[0] = '\0';
        return -saved;
    }
    buf[n] = '\0';
    return (long)n;
}

int np_read_file_alloc(const struct np_root *root, const char *rel, size_t max,
                       char **ret_buf, size_t *ret_len)
{
    int fd = open_rel(root, rel, O_RDONLY);
    if (fd < 0)
        return fd;
    size_t cap = max < 16384 ? max : 16384, len = 0;
    char *buf = malloc(cap + 1);
    int r = 0;
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    for (;;) {
        if (len == cap) {
            if (cap >= max) {
                char probe;
                ssize_t n;
                do
                    n = read(fd, &probe, 1);
                while (n < 0 && errno == EINTR);
                if (n > 0)
                    r = -E2BIG;
                else if (n < 0)
                    r = -errno;
                break;
            }
            size_t ncap = cap * 2 > max ? max : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                r = -ENOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = -errno;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (r < 0) {
        free(buf);
        return r;
    }
    buf[len] = '\0';
    *ret_buf = buf;
    if (ret_len)
        *ret_len = len;
    return 0;
}

int np_write_file(const struct np_root *root, const char *rel, const char *data)
{
    int fd = open_rel(root, rel, O_WRONLY);
    if (fd < 0)
        return fd;
    size_t len = strlen(data);
    ssize_t n;
    do
        n = write(fd, data, len);
    while (n < 0 && errno == EINTR);
    int r = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    return r;
}

int np_open_dir(const struct np_root *root, const char *rel, DIR **ret)
{
    int fd = open_rel(root, *rel ? rel : ".", O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return fd;
    DIR *d = fdopendir(fd);
    if (!d) {
        int r = -errno;
        close(fd);
        return r;
    }
    *ret = d;
    return 0;
}

long np_read_link(const struct np_root *root, const char *rel, char *buf, size_t bufsz)
{
    while (*rel == '/')
        rel++;
    if (bufsz == 0)
        return -EINVAL;
    ssize_t n = readlinkat(root->dirfd, rel, buf, bufsz - 1);
    if (n < 0)
        return -errno;
    buf[n] = '\0';
    return (size_t)n == bufsz - 1 ? -E2BIG : n;
}
