/* libFuzzer target: the memory-policy word parser (np_mpol_parse, on a
 * NUL-terminated copy of the input) and the numa_maps parser that calls it
 * for every line (np_numa_maps_parse, on the raw bytes, which must not be
 * read past their length), with the summary and np_mpol_decides on what
 * they produce. Both read text a process's mappings shape. Built and run by
 * tests/fuzz/run.sh. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mempolicy.h"
#include "numamaps.h"

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void check_detail(const struct np_mpol_summary *s)
{
    char detail[256];
    bool d = np_mpol_decides(s, detail, sizeof(detail));
    if (!memchr(detail, '\0', sizeof(detail)) || (!d && detail[0]) || (d && !detail[0]))
        abort();
    char again[256];   /* the same summary, the same words */
    if (np_mpol_decides(s, again, sizeof(again)) != d || strcmp(again, detail) != 0)
        abort();
}

static void check_policy(const char *s)
{
    struct np_mpol p;
    const char *end = NULL;
    int r = np_mpol_parse(s, &end, &p);
    if (r == 0) {
        if (!end || end < s || end > s + strlen(s) || (*end && !is_blank(*end)))
            abort();
        if ((unsigned)p.mode >= NP_MPOL_MODE_COUNT)
            abort();
        if (!np_mpol_deliberate(&p) && !np_bits_empty(NP_NODES(&p.nodes)))
            abort();
        char buf[256];
        np_mpol_format(&p, buf, sizeof(buf));
        const char *name = np_mpol_mode_name(p.mode);
        if (strncmp(buf, name, strlen(name)) != 0)
            abort();
        struct np_mpol_summary sum;
        memset(&sum, 0, sizeof(sum));
        np_mpol_summary_add(&sum, &p, UINT64_MAX);
        np_mpol_summary_add_thread(&sum, 1, &p);
        if (np_mpol_decides(&sum, NULL, 0) != np_mpol_deliberate(&p))
            abort();
        check_detail(&sum);
    } else if (r != -EINVAL && r != -ERANGE) {
        abort();
    } else if (np_mpol_deliberate(&p)) {
        abort();   /* never a half-filled policy on error */
    }
}

static void check_numa_maps(const uint8_t *data, size_t size)
{
    struct np_numa_maps m;
    int r = np_numa_maps_parse((const char *)data, size, &m);
    if (r < 0) {
        if ((r != -ERANGE && r != -ENOMEM) || m.node || m.nslots || m.nmappings ||
            m.mpol.nmappings)
            abort();
        return;
    }
    const struct np_mpol_summary *s = &m.mpol;
    if (s->nmappings != m.nmappings)
        abort();
    if (s->total_kb < m.total_kb)   /* a fifth hugetlb size is in the summary only */
        abort();
    if (s->nkinds > NP_MPOL_MAX_KINDS || (s->other_mappings && s->nkinds < NP_MPOL_MAX_KINDS))
        abort();
    uint64_t covered = s->other_mappings;
    for (unsigned i = 0; i < s->nkinds; i++) {
        const struct np_mpol_kind *k = &s->kind[i];
        if (!np_mpol_deliberate(&k->pol) || k->nmappings == 0 || k->kb > s->total_kb)
            abort();
        for (unsigned j = 0; j < i; j++)
            if (s->kind[j].pol.mode == k->pol.mode &&
                np_bits_equal(s->kind[j].pol.nodes.w, k->pol.nodes.w, NP_MAX_NODES))
                abort();   /* identical policies must have merged */
        covered += k->nmappings;
    }
    if (covered > s->nmappings || s->other_kb > s->total_kb || s->nthreads_deliberate)
        abort();
    check_detail(s);
    np_numa_maps_clear(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    check_policy(copy);
    /* A policy as the parser meets it: after a line's address. */
    const char *sp = memchr(copy, ' ', size);
    if (sp)
        check_policy(sp + 1);
    free(copy);
    check_numa_maps(data, size);
    return 0;
}
