/* sysstate: see sysstate.h. */
#include "sysstate.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* /proc/vmstat is ~200 lines of ~30 bytes; leave room for new counters. */
#define VMSTAT_MAX (256 * 1024)
/* Longer names are not counters we know: such lines are skipped. */
#define VMSTAT_NAME_MAX 64

static const struct {
    const char *name;
    size_t offset;
} vmstat_fields[] = {
    { "numa_hit", offsetof(struct np_vmstat, numa_hit) },
    { "numa_miss", offsetof(struct np_vmstat, numa_miss) },
    { "numa_foreign", offsetof(struct np_vmstat, numa_foreign) },
    { "numa_interleave", offsetof(struct np_vmstat, numa_interleave) },
    { "numa_local", offsetof(struct np_vmstat, numa_local) },
    { "numa_other", offsetof(struct np_vmstat, numa_other) },
    { "numa_pte_updates", offsetof(struct np_vmstat, numa_pte_updates) },
    { "numa_huge_pte_updates", offsetof(struct np_vmstat, numa_huge_pte_updates) },
    { "numa_hint_faults", offsetof(struct np_vmstat, numa_hint_faults) },
    { "numa_hint_faults_local", offsetof(struct np_vmstat, numa_hint_faults_local) },
    { "numa_pages_migrated", offsetof(struct np_vmstat, numa_pages_migrated) },
    { "pgmigrate_success", offsetof(struct np_vmstat, pgmigrate_success) },
    { "pgmigrate_fail", offsetof(struct np_vmstat, pgmigrate_fail) },
};

static void store_counter(struct np_vmstat *st, const char *name, size_t len, uint64_t value)
{
    for (size_t i = 0; i < sizeof(vmstat_fields) / sizeof(vmstat_fields[0]); i++) {
        if (strlen(vmstat_fields[i].name) == len &&
            memcmp(vmstat_fields[i].name, name, len) == 0) {
            memcpy((char *)st + vmstat_fields[i].offset, &value, sizeof(value));
            return;
        }
    }
}

/* A text without a single "name value" line is not vmstat: -EINVAL. Lines
 * that do not parse are skipped so one odd counter cannot hide the rest. */
int np_vmstat_parse(const char *text, struct np_vmstat *ret)
{
    if (!text || !ret)
        return -EINVAL;
    struct np_vmstat st;
    memset(&st, 0, sizeof(st));
    unsigned good_lines = 0;
    const char *line = text;
    while (*line) {
        size_t line_len = strcspn(line, "\n");
        const char *next = line + line_len + (line[line_len] == '\n');
        size_t name_len = strcspn(line, " \t\n");
        const char *p = line + name_len;
        uint64_t value;
        if (name_len > 0 && name_len <= VMSTAT_NAME_MAX && (*p == ' ' || *p == '\t')) {
            np_skip_blanks(&p);
            if (np_scan_u64(&p, &value) == 0) {
                np_skip_blanks(&p);
                if (*p == '\n' || *p == '\0') {
                    store_counter(&st, line, name_len, value);
                    good_lines++;
                }
            }
        }
        line = next;
    }
    if (good_lines == 0)
        return -EINVAL;
    *ret = st;
    return 0;
}

int np_vmstat_read(const struct np_root *root, struct np_vmstat *ret)
{
    char *text;
    int r = np_read_file_alloc(root, "proc/vmstat", VMSTAT_MAX, &text, NULL);
    if (r < 0)
        return r == -E2BIG ? -EINVAL : r;
    r = np_vmstat_parse(text, ret);
    free(text);
    return r;
}

int np_numa_balancing_read(const struct np_root *root, int *ret_mode)
{
    char buf[32];
    long n = np_read_file(root, "proc/sys/kernel/numa_balancing", buf, sizeof(buf));
    if (n == -E2BIG)
        return -EINVAL;
    if (n < 0)
        return (int)n;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    long mode;
    if (np_parse_long_range(buf, 0, 3, &mode) < 0)
        return -EINVAL;
    *ret_mode = (int)mode;
    return 0;
}
