/* pagesample: see pagesample.h. */
#include "pagesample.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NP_SAMPLE_MAPS_MAX ((size_t)4 << 20)
#define NP_SAMPLE_MAX_PAGES 65536u   /* +-0.4 points already; more only costs */
#define NP_SAMPLE_BATCH 256u

/* xorshift64*: small, fast and good enough for picking pages. */
static uint64_t xorshift64s(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545f4914f6cdd1d);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Queries the N pages in PAGES and adds the resident ones to HITS. */
static int query(const struct np_actuator *a, int pid, void **pages, unsigned n,
                 uint64_t *hits, int *max_node)
{
    int status[NP_SAMPLE_BATCH];
    int r = a->ops->move_pages(a->ctx, pid, n, pages, NULL, status);
    if (r < 0)
        return r;
    for (unsigned i = 0; i < n; i++) {
        /* Negative: not resident (-ENOENT) or unmapped since (-EFAULT). */
        if (status[i] < 0 || status[i] >= NP_MAX_NODES)
            continue;
        hits[status[i]]++;
        if (status[i] > *max_node)
            *max_node = status[i];
    }
    return 0;
}

int np_pagesample(const struct np_actuator *a, const struct np_root *root, int pid,
                  unsigned npages, uint64_t seed, uint64_t resident_kb,
                  struct np_numa_maps *ret)
{
    memset(ret, 0, sizeof(*ret));
    if (!a || !a->ops || !root || pid <= 0 || npages == 0)
        return -EINVAL;
    if (npages > NP_SAMPLE_MAX_PAGES)
        npages = NP_SAMPLE_MAX_PAGES;
    long ps = sysconf(_SC_PAGESIZE);
    uint64_t page_size = ps > 0 ? (uint64_t)ps : 4096;

    char rel[64];
    snprintf(rel, sizeof(rel), "proc/%d/maps", pid);
    char *maps;
    int r = np_read_file_alloc(root, rel, NP_SAMPLE_MAPS_MAX, &maps, NULL);
    if (r < 0)
        return r;

    uint64_t total_pages = 0, start, end;
    unsigned nmappings = 0;
    const char *cur = maps;
    while (np_maps_next_writable_private(&cur, &start, &end)) {
        total_pages += (end - start) / page_size;
        nmappings++;
    }
    uint64_t *picks = NULL, *hits = NULL;
    if (!total_pages) {
        r = -ENODATA;
        goto out;
    }
    picks = malloc(npages * sizeof(*picks));
    hits = calloc(NP_MAX_NODES, sizeof(*hits));
    if (!picks || !hits) {
        r = -ENOMEM;
        goto out;
    }
    /* xorshift's state must not be zero; mix the seed so nearby seeds differ. */
    uint64_t state = (seed ^ UINT64_C(0x9e3779b97f4a7c15)) | 1;
    for (unsigned i = 0; i < npages; i++)
        picks[i] = xorshift64s(&state) % total_pages;
    /* In address order the kernel walks the page tables forward. */
    qsort(picks, npages, sizeof(*picks), cmp_u64);

    void *batch[NP_SAMPLE_BATCH];
    unsigned nbatch = 0, next = 0;
    int max_node = -1;
    uint64_t offset = 0;
    cur = maps;
    while (r == 0 && next < npages && np_maps_next_writable_private(&cur, &start, &end)) {
        uint64_t len = (end - start) / page_size;
        while (r == 0 && next < npages && picks[next] < offset + len) {
            batch[nbatch++] = (void *)(uintptr_t)(start + (picks[next] - offset) * page_size);
            next++;
            if (nbatch == NP_SAMPLE_BATCH) {
                r = query(a, pid, batch, nbatch, hits, &max_node);
                nbatch = 0;
            }
        }
        offset += len;
    }
    if (r == 0 && nbatch)
        r = query(a, pid, batch, nbatch, hits, &max_node);
    if (r < 0)
        goto out;
    if (max_node < 0) {
        r = -ENODATA;
        goto out;
    }

    uint64_t total_hits = 0;
    for (int n = 0; n <= max_node; n++)
        total_hits += hits[n];
    ret->node = calloc((size_t)max_node + 1, sizeof(*ret->node));
    if (!ret->node) {
        r = -ENOMEM;
        goto out;
    }
    ret->nslots = (unsigned)max_node + 1;
    for (int n = 0; n <= max_node; n++) {
        /* resident_kb * hits / total_hits without overflowing. */
        uint64_t kb = resident_kb / total_hits * hits[n] +
                      resident_kb % total_hits * hits[n] / total_hits;
        ret->node[n].anon_kb = kb;
        ret->total_kb += kb;
    }
    ret->nmappings = nmappings;
    ret->sampled = true;
out:
    free(hits);
    free(picks);
    free(maps);
    return r;
}
