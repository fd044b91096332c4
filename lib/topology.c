/* topology: see topology.h. */
#include "topology.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define NODE_DIR "sys/devices/system/node"
#define CPU_ONLINE "sys/devices/system/cpu/online"

/* A cpulist of NP_MAX_CPUS CPUs written one by one ("0,2,4,...") is under
 * 48 KiB; meminfo files are a few KiB. Anything larger is not sysfs. */
#define LIST_MAX      (64 * 1024)
#define MEMINFO_MAX   (64 * 1024)
/* The kernel prints at most 4 chars per node in a distance row (it
 * BUILD_BUG_ONs MAX_NUMNODES * 4 > PAGE_SIZE). */
#define DISTANCE_MAX  (NP_MAX_NODES * 4 + 64)
/* hugepages/ holds one directory per huge page size; bound the scan. */
#define HUGE_DIR_ENTRIES_MAX 64
/* "hugepages-16777216kB" is 20 chars; longer names are not pools. */
#define POOL_NAME_MAX 40
#define SLIT_MIN 1
#define SLIT_MAX 255

/* Memory figures of one node, staged so a failed refresh changes nothing. */
struct node_memory {
    uint64_t mem_total_kb, mem_free_kb, file_pages_kb, inactive_file_kb;
    unsigned nhuge;
    struct np_hugepool huge[NP_MAX_HUGE_SIZES];
};

static int list_error(int r)
{
    /* An id beyond our limits is as unusable as a syntax error. */
    return r == -ERANGE ? -EINVAL : r;
}

static int read_cpu_list(const struct np_root *root, const char *rel, struct np_cpuset *ret)
{
    char *text;
    int r = np_read_file_alloc(root, rel, LIST_MAX, &text, NULL);
    if (r < 0)
        return r == -E2BIG ? -EINVAL : r;
    r = list_error(np_bits_parse_list(NP_CPUS(ret), text));
    free(text);
    return r;
}

static int read_node_list(const struct np_root *root, const char *rel, struct np_nodeset *ret)
{
    char *text;
    int r = np_read_file_alloc(root, rel, LIST_MAX, &text, NULL);
    if (r < 0)
        return r == -E2BIG ? -EINVAL : r;
    r = list_error(np_bits_parse_list(NP_NODES(ret), text));
    free(text);
    return r;
}

/* A sysfs attribute holding one unsigned number and a newline. */
static int read_u64_file(const struct np_root *root, const char *rel, uint64_t *ret)
{
    char buf[64];
    long n = np_read_file(root, rel, buf, sizeof(buf));
    if (n < 0)
        return n == -E2BIG ? -EINVAL : (int)n;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return np_parse_u64(buf, ret) < 0 ? -EINVAL : 0;
}

/* Value of KEY in a meminfo-style line set: "KEY:   123 kB" or "KEY: 123". */
static int meminfo_value(const char *text, const char *key, bool required, uint64_t *ret)
{
    const char *v = np_find_key(text, key);
    if (!v) {
        *ret = 0;
        return required ? -EINVAL : 0;
    }
    if (np_scan_u64(&v, ret) < 0)
        return -EINVAL;
    np_skip_blanks(&v);
    if (strncmp(v, "kB", 2) == 0)
        v += 2;
    np_skip_blanks(&v);
    return *v == '\n' || *v == '\0' ? 0 : -EINVAL;
}

/* nodeN/meminfo lines read "Node N Key:   value kB". Strips the prefix into a
 * copy so np_find_key() can work on it, and refuses lines of another node. */
static int strip_node_prefix(const char *text, int node_id, char **ret)
{
    char prefix[32];
    int plen = snprintf(prefix, sizeof(prefix), "Node %d ", node_id);
    char *out = malloc(strlen(text) + 1);
    if (!out)
        return -ENOMEM;
    char *o = out;
    const char *line = text;
    while (*line) {
        size_t len = strcspn(line, "\n");
        if (len > 0) {
            if (len < (size_t)plen || strncmp(line, prefix, (size_t)plen) != 0) {
                free(out);
                return -EINVAL;
            }
            memcpy(o, line + plen, len - (size_t)plen);
            o += len - (size_t)plen;
            *o++ = '\n';
        }
        line += len;
        if (*line == '\n')
            line++;
    }
    *o = '\0';
    *ret = out;
    return 0;
}

static int parse_meminfo_fields(const char *text, struct node_memory *m)
{
    int r;
    if ((r = meminfo_value(text, "MemTotal", true, &m->mem_total_kb)) < 0 ||
        (r = meminfo_value(text, "MemFree", true, &m->mem_free_kb)) < 0 ||
        (r = meminfo_value(text, "Inactive(file)", true, &m->inactive_file_kb)) < 0)
        return r;
    if (m->mem_free_kb > m->mem_total_kb)
        return -EINVAL;
    return 0;
}

static int read_node_meminfo(const struct np_root *root, int node_id, struct node_memory *m)
{
    char rel[96], *text, *stripped;
    snprintf(rel, sizeof(rel), NODE_DIR "/node%d/meminfo", node_id);
    int r = np_read_file_alloc(root, rel, MEMINFO_MAX, &text, NULL);
    if (r < 0)
        return r == -E2BIG ? -EINVAL : r;
    r = strip_node_prefix(text, node_id, &stripped);
    free(text);
    if (r < 0)
        return r;
    r = parse_meminfo_fields(stripped, m);
    if (r == 0)
        r = meminfo_value(stripped, "FilePages", true, &m->file_pages_kb);
    free(stripped);
    return r;
}

/* Keeps POOLS sorted by page size; when more sizes exist than fit, the
 * smallest ones are kept (the common 2 MiB/1 GiB pair always fits). */
static void insert_pool(struct np_hugepool *pools, unsigned *npools, const struct np_hugepool *p)
{
    unsigned pos = 0;
    while (pos < *npools && pools[pos].page_kb < p->page_kb)
        pos++;
    if (pos < *npools && pools[pos].page_kb == p->page_kb)
        return;
    if (pos == NP_MAX_HUGE_SIZES)
        return;
    unsigned last = *npools < NP_MAX_HUGE_SIZES ? *npools : NP_MAX_HUGE_SIZES - 1;
    memmove(&pools[pos + 1], &pools[pos], (last - pos) * sizeof(*pools));
    pools[pos] = *p;
    if (*npools < NP_MAX_HUGE_SIZES)
        (*npools)++;
}

/* "hugepages-2048kB" -> 2048; 0 for names that are not a pool. */
static uint64_t pool_dir_size(const char *name)
{
    static const char prefix[] = "hugepages-";
    if (strlen(name) > POOL_NAME_MAX)
        return 0;
    if (strncmp(name, prefix, sizeof(prefix) - 1) != 0)
        return 0;
    const char *p = name + sizeof(prefix) - 1;
    uint64_t kb;
    if (np_scan_u64(&p, &kb) < 0 || strcmp(p, "kB") != 0)
        return 0;
    return kb;
}

static int read_node_hugepages(const struct np_root *root, int node_id, struct node_memory *m)
{
    char dir_rel[96];
    snprintf(dir_rel, sizeof(dir_rel), NODE_DIR "/node%d/hugepages", node_id);
    m->nhuge = 0;
    DIR *dir;
    int r = np_open_dir(root, dir_rel, &dir);
    if (r == -ENOENT)
        return 0;   /* kernel built without hugetlbfs */
    if (r < 0)
        return r;
    struct dirent *de;
    unsigned seen = 0;
    while ((de = readdir(dir)) && seen++ < HUGE_DIR_ENTRIES_MAX) {
        struct np_hugepool pool = { .page_kb = pool_dir_size(de->d_name) };
        if (pool.page_kb == 0)
            continue;
        char rel[192];
        snprintf(rel, sizeof(rel), "%s/%.*s/nr_hugepages", dir_rel, POOL_NAME_MAX, de->d_name);
        r = read_u64_file(root, rel, &pool.total);
        if (r < 0)
            break;
        snprintf(rel, sizeof(rel), "%s/%.*s/free_hugepages", dir_rel, POOL_NAME_MAX, de->d_name);
        r = read_u64_file(root, rel, &pool.free);
        if (r < 0)
            break;
        insert_pool(m->huge, &m->nhuge, &pool);
    }
    closedir(dir);
    return r < 0 ? r : 0;
}

/* Without NUMA the whole machine is node 0: memory and the default huge page
 * pool come from proc/meminfo. It has no FilePages line; the kernel's
 * FilePages equals Cached + Buffers + SwapCached. */
static int read_proc_meminfo(const struct np_root *root, struct node_memory *m)
{
    char *text;
    int r = np_read_file_alloc(root, "proc/meminfo", MEMINFO_MAX, &text, NULL);
    if (r < 0)
        return r == -E2BIG ? -EINVAL : r;
    uint64_t cached = 0, buffers = 0, swap_cached = 0, huge_total = 0, huge_free = 0, huge_kb = 0;
    r = parse_meminfo_fields(text, m);
    if (r == 0)
        r = meminfo_value(text, "Cached", true, &cached);
    if (r == 0)
        r = meminfo_value(text, "Buffers", false, &buffers);
    if (r == 0)
        r = meminfo_value(text, "SwapCached", false, &swap_cached);
    if (r == 0)
        r = meminfo_value(text, "Hugepagesize", false, &huge_kb);
    if (r == 0)
        r = meminfo_value(text, "HugePages_Total", huge_kb > 0, &huge_total);
    if (r == 0)
        r = meminfo_value(text, "HugePages_Free", huge_kb > 0, &huge_free);
    free(text);
    if (r < 0)
        return r;
    if (cached > UINT64_MAX - buffers - swap_cached || buffers > UINT64_MAX - swap_cached)
        return -EINVAL;
    m->file_pages_kb = cached + buffers + swap_cached;
    m->nhuge = 0;
    if (huge_kb > 0) {
        m->huge[0] = (struct np_hugepool){ .page_kb = huge_kb, .total = huge_total,
                                           .free = huge_free };
        m->nhuge = 1;
    }
    return 0;
}

static void apply_memory(struct np_node *n, const struct node_memory *m)
{
    n->mem_total_kb = m->mem_total_kb;
    n->mem_free_kb = m->mem_free_kb;
    n->file_pages_kb = m->file_pages_kb;
    n->inactive_file_kb = m->inactive_file_kb;
    n->nhuge = m->nhuge;
    memcpy(n->huge, m->huge, sizeof(n->huge));
}

static int node_dir_exists(const struct np_root *root)
{
    DIR *dir;
    int r = np_open_dir(root, NODE_DIR, &dir);
    if (r < 0)
        return r == -ENOENT ? 0 : r;
    closedir(dir);
    return 1;
}

/* Reads every node's memory into STAGED (nnodes entries). */
static int read_all_memory(const struct np_root *root, const struct np_topology *topo,
                           bool numa, struct node_memory *staged)
{
    if (!numa)
        return read_proc_meminfo(root, &staged[0]);
    for (unsigned i = 0; i < topo->nnodes; i++) {
        int r = read_node_meminfo(root, topo->nodes[i].id, &staged[i]);
        if (r == 0)
            r = read_node_hugepages(root, topo->nodes[i].id, &staged[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

/* The kernel prints nodeN/distance with for_each_online_node(), so the k-th
 * number is the distance to the k-th online node in ascending id order, not
 * to node id k (drivers/base/node.c node_read_distance). Checked on the
 * development host only as far as a one-node machine allows ("10" for node0
 * with online "0"); sparse fixtures follow the kernel source. */
static int read_distance_row(const struct np_root *root, int node_id, unsigned nnodes, int *row)
{
    char rel[96];
    char *text;
    snprintf(rel, sizeof(rel), NODE_DIR "/node%d/distance", node_id);
    int r = np_read_file_alloc(root, rel, DISTANCE_MAX, &text, NULL);
    if (r < 0)
        return r == -E2BIG ? -EINVAL : r;
    const char *p = text;
    unsigned count = 0;
    r = 0;
    for (;;) {
        np_skip_blanks(&p);
        if (*p == '\n' || *p == '\0')
            break;
        uint64_t d;
        if (count == nnodes || np_scan_u64(&p, &d) < 0 || d < SLIT_MIN || d > SLIT_MAX ||
            (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\0')) {
            r = -EINVAL;
            break;
        }
        row[count++] = (int)d;
    }
    if (r == 0) {
        if (*p == '\n')
            p++;
        if (*p != '\0' || count != nnodes)
            r = -EINVAL;
    }
    free(text);
    return r;
}

static struct np_topology *topology_alloc(unsigned nnodes)
{
    struct np_topology *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->nnodes = nnodes;
    t->nodes = calloc(nnodes, sizeof(*t->nodes));
    t->distance = calloc((size_t)nnodes * nnodes, sizeof(*t->distance));
    t->cpu_node_index = malloc(NP_MAX_CPUS * sizeof(*t->cpu_node_index));
    if (!t->nodes || !t->distance || !t->cpu_node_index)
        return np_topology_free(t);
    for (unsigned c = 0; c < NP_MAX_CPUS; c++)
        t->cpu_node_index[c] = -1;
    return t;
}

/* Fills ids, CPUs and distances of a NUMA machine. */
static int read_numa_layout(const struct np_root *root, struct np_topology *t,
                            const struct np_nodeset *online_nodes,
                            const struct np_cpuset *online_cpus)
{
    unsigned idx = 0;
    for (int id = np_bits_next(NP_NODES(online_nodes), 0); id >= 0;
         id = np_bits_next(NP_NODES(online_nodes), (unsigned)id + 1)) {
        struct np_node *n = &t->nodes[idx];
        char rel[96];
        n->id = id;
        snprintf(rel, sizeof(rel), NODE_DIR "/node%d/cpulist", id);
        int r = read_cpu_list(root, rel, &n->cpus);
        if (r < 0)
            return r;
        /* A CPU the node lists but that is offline cannot run anything. */
        for (unsigned w = 0; w < NP_MAX_CPUS / 64; w++)
            n->cpus.w[w] &= online_cpus->w[w];
        n->ncpus = np_cpuset_count(&n->cpus);
        for (int c = np_bits_next(NP_CPUS(&n->cpus), 0); c >= 0;
             c = np_bits_next(NP_CPUS(&n->cpus), (unsigned)c + 1)) {
            if (t->cpu_node_index[c] >= 0)
                return -EINVAL;     /* one CPU in two nodes */
            t->cpu_node_index[c] = (short)idx;
        }
        r = read_distance_row(root, id, t->nnodes, &t->distance[(size_t)idx * t->nnodes]);
        if (r < 0)
            return r;
        t->max_node_id = id;
        idx++;
    }
    return 0;
}

int np_topology_read(const struct np_root *root, struct np_topology **ret)
{
    struct np_cpuset *online_cpus = malloc(sizeof(*online_cpus));
    struct np_nodeset online_nodes;
    struct np_topology *t = NULL;
    struct node_memory *staged = NULL;
    if (!online_cpus)
        return -ENOMEM;
    int r = read_cpu_list(root, CPU_ONLINE, online_cpus);
    if (r < 0)
        goto out;
    int numa = node_dir_exists(root);
    if (numa < 0) {
        r = numa;
        goto out;
    }
    np_nodeset_zero(&online_nodes);
    if (numa) {
        r = read_node_list(root, NODE_DIR "/online", &online_nodes);
        if (r < 0)
            goto out;
    } else {
        np_nodeset_set(&online_nodes, 0);
    }
    unsigned nnodes = np_nodeset_count(&online_nodes);
    if (nnodes == 0) {
        r = -EINVAL;
        goto out;
    }
    t = topology_alloc(nnodes);
    staged = calloc(nnodes, sizeof(*staged));
    if (!t || !staged) {
        r = -ENOMEM;
        goto out;
    }
    t->ncpus_online = np_cpuset_count(online_cpus);
    if (numa) {
        r = read_numa_layout(root, t, &online_nodes, online_cpus);
    } else {
        t->nodes[0].id = 0;
        t->nodes[0].cpus = *online_cpus;
        t->nodes[0].ncpus = t->ncpus_online;
        for (int c = np_bits_next(NP_CPUS(online_cpus), 0); c >= 0;
             c = np_bits_next(NP_CPUS(online_cpus), (unsigned)c + 1))
            t->cpu_node_index[c] = 0;
        t->distance[0] = 10;
        t->max_node_id = 0;
    }
    if (r < 0)
        goto out;
    r = read_all_memory(root, t, numa, staged);
    if (r < 0)
        goto out;
    for (unsigned i = 0; i < nnodes; i++)
        apply_memory(&t->nodes[i], &staged[i]);
    *ret = t;
    t = NULL;
out:
    np_topology_free(t);
    free(staged);
    free(online_cpus);
    return r;
}

int np_topology_refresh_memory(const struct np_root *root, struct np_topology *topo)
{
    if (!topo || topo->nnodes == 0)
        return -EINVAL;
    int numa = node_dir_exists(root);
    if (numa < 0)
        return numa;
    /* A topology read without NUMA has one node; with NUMA now present the
     * caller must re-read it (the signature changed too). */
    if (!numa && (topo->nnodes != 1 || topo->nodes[0].id != 0))
        return -ENOENT;
    struct node_memory *staged = calloc(topo->nnodes, sizeof(*staged));
    if (!staged)
        return -ENOMEM;
    int r = read_all_memory(root, topo, numa, staged);
    if (r == 0)
        for (unsigned i = 0; i < topo->nnodes; i++)
            apply_memory(&topo->nodes[i], &staged[i]);
    free(staged);
    return r;
}

struct np_topology *np_topology_free(struct np_topology *topo)
{
    if (topo) {
        free(topo->nodes);
        free(topo->distance);
        free(topo->cpu_node_index);
        free(topo);
    }
    return NULL;
}

int np_topology_index(const struct np_topology *topo, int node_id)
{
    if (!topo)
        return -ENOENT;
    unsigned lo = 0, hi = topo->nnodes;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (topo->nodes[mid].id == node_id)
            return (int)mid;
        if (topo->nodes[mid].id < node_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -ENOENT;
}

int np_topology_distance(const struct np_topology *topo, unsigned from_idx, unsigned to_idx)
{
    if (!topo || from_idx >= topo->nnodes || to_idx >= topo->nnodes)
        return -EINVAL;
    return topo->distance[(size_t)from_idx * topo->nnodes + to_idx];
}

int np_topology_cpu_node(const struct np_topology *topo, int cpu)
{
    if (!topo || cpu < 0 || cpu >= NP_MAX_CPUS)
        return -1;
    return topo->cpu_node_index[cpu];
}

uint64_t np_node_usable_kb(const struct np_node *n)
{
    if (n->inactive_file_kb > UINT64_MAX - n->mem_free_kb)
        return UINT64_MAX;
    return n->mem_free_kb + n->inactive_file_kb;
}

uint64_t np_node_room_kb(const struct np_node *n, unsigned headroom_pct)
{
    /* total/100*pct + total%100*pct/100 == total*pct/100 without overflow */
    uint64_t keep = n->mem_total_kb / 100 * headroom_pct +
                    n->mem_total_kb % 100 * headroom_pct / 100;
    uint64_t usable = np_node_usable_kb(n);
    return usable > keep ? usable - keep : 0;
}

int np_node_read_room_kb(const struct np_root *root, int node_id, unsigned headroom_pct, uint64_t *ret)
{
    struct node_memory m;
    memset(&m, 0, sizeof(m));
    int r = read_node_meminfo(root, node_id, &m);
    if (r < 0)
        return r;
    struct np_node n;
    memset(&n, 0, sizeof(n));
    n.mem_total_kb = m.mem_total_kb;
    n.mem_free_kb = m.mem_free_kb;
    n.inactive_file_kb = m.inactive_file_kb;
    *ret = np_node_room_kb(&n, headroom_pct);
    return 0;
}

int np_node_read_free_huge_kb(const struct np_root *root, int node_id, uint64_t page_kb,
                              uint64_t *ret)
{
    if (node_id < 0 || page_kb == 0)
        return -EINVAL;
    char rel[160];
    snprintf(rel, sizeof(rel), "sys/devices/system/node/node%d/hugepages/hugepages-%llukB/free_hugepages",
             node_id, (unsigned long long)page_kb);
    uint64_t pages;
    int r = read_u64_file(root, rel, &pages);
    if (r < 0)
        return r;
    *ret = pages > UINT64_MAX / page_kb ? UINT64_MAX : pages * page_kb;
    return 0;
}

const struct np_hugepool *np_node_hugepool(const struct np_node *n, uint64_t page_kb)
{
    for (unsigned i = 0; i < n->nhuge && i < NP_MAX_HUGE_SIZES; i++)
        if (n->huge[i].page_kb == page_kb)
            return &n->huge[i];
    return NULL;
}

/* Copies the trimmed content of REL; an absent node/online (NUMA off) is "". */
static int read_trimmed(const struct np_root *root, const char *rel, bool may_miss,
                        char *buf, size_t bufsz)
{
    long n = np_read_file(root, rel, buf, bufsz);
    if (n == -ENOENT && may_miss) {
        buf[0] = '\0';
        return 0;
    }
    if (n < 0)
        return (int)n;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

int np_topology_signature(const struct np_root *root, char *buf, size_t bufsz)
{
    char cpus[4096], nodes[4096];
    int r = read_trimmed(root, CPU_ONLINE, false, cpus, sizeof(cpus));
    if (r < 0)
        return r;
    r = read_trimmed(root, NODE_DIR "/online", true, nodes, sizeof(nodes));
    if (r < 0)
        return r;
    if (bufsz == 0)
        return -E2BIG;
    int len = snprintf(buf, bufsz, "cpus=%s nodes=%s", cpus, nodes);
    return len < 0 ? -EINVAL : (size_t)len >= bufsz ? -E2BIG : 0;
}
