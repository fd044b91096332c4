/* fsroot: every read of /proc and /sys goes through one root directory.
 *
 * The daemon opens "/" and tests open a fixture tree captured from a real
 * machine; the rest of lib/ never names an absolute path, so the same code
 * runs against both (like hwloc's HWLOC_FSROOT or lscpu --sysroot). */
#ifndef NP_FSROOT_H
#define NP_FSROOT_H

#include <stddef.h>
#include <stdbool.h>
#include <dirent.h>

struct np_root {
    int dirfd;             /* O_PATH|O_DIRECTORY fd of the root, owned here */
    bool is_live;          /* true only for "/": acting on real processes is allowed */
    char path[256];        /* for messages */
};

/* Opens PATH ("/" for the live system) as a root. Returns 0 or -errno. */
int np_root_open(const char *path, struct np_root *ret);
void np_root_close(struct np_root *root);

/* Reads the file REL (relative to the root, no leading '/') into BUF, at most
 * BUFSZ-1 bytes, NUL-terminated. Returns the length read, -E2BIG when the file
 * did not fit (BUF then holds the first BUFSZ-1 bytes), or -errno (-ENOENT
 * and -ESRCH mean the process or file is gone). */
long np_read_file(const struct np_root *root, const char *rel, char *buf, size_t bufsz);

/* Reads the head of REL into BUF with one read() (NUL-terminated), for
 * seq_file files whose every record costs the kernel work: numa_maps
 * prints, and walks, only the mappings that fill the bytes asked for.
 * Returns the length read or -errno. */
long np_read_head(const struct np_root *root, const char *rel, char *buf, size_t bufsz);

/* Reads REL into a malloc'd, NUL-terminated buffer of at most MAX bytes of
 * content. Returns 0 and sets *ret_buf and *ret_len, -E2BIG when larger than
 * MAX (nothing returned), or -errno. */
int np_read_file_alloc(const struct np_root *root, const char *rel, size_t max,
                       char **ret_buf, size_t *ret_len);

/* Writes DATA to an existing file REL (sysfs/cgroupfs style, no O_CREAT).
 * Returns 0 or -errno. */
int np_write_file(const struct np_root *root, const char *rel, const char *data);

/* Opens directory REL for iteration. Returns 0 or -errno; close with closedir. */
int np_open_dir(const struct np_root *root, const char *rel, DIR **ret);

/* readlink of REL into BUF (NUL-terminated). Returns length or -errno. */
long np_read_link(const struct np_root *root, const char *rel, char *buf, size_t bufsz);

#endif
