/* numamaps: see numamaps.h.
 *
 * A line is "<hex addr> <policy> [file=<path>|heap|stack] [huge] [key=N...]
 * [N<id>=<pages>...] kernelpagesize_kB=<kB>". The per-node counts come before
 * the page size, so a line is collected whole and committed at its end. */
#include "numamaps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "parse.h"

#define NUMA_MAPS_LINE_MAX (64 * 1024)
#define MAX_COUNTS_PER_LINE NP_MAX_NODES

struct node_count {
    unsigned node;
    uint64_t pages;
};

/* Everything one line says, applied to the result only if the line parses. */
struct line_info {
    struct np_mpol policy;
    bool anon;
    bool huge;
    bool has_page_kb;
    uint64_t page_kb;
    size_t ncounts;
    struct node_count *counts;   /* scratch, MAX_COUNTS_PER_LINE entries */
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int parse_count_value(const char *s, uint64_t *ret)
{
    return np_parse_u64(s, ret) < 0 ? -EINVAL : 0;
}

/* One "key=value" token (KEY and VAL already split). */
static int parse_pair(const char *key, const char *val, struct line_info *li)
{
    uint64_t v;
    if (key[0] == 'N' && key[1] >= '0' && key[1] <= '9') {
        uint64_t node;
        int r = np_parse_u64(key + 1, &node);
        if (r == -ERANGE || (r == 0 && node >= NP_MAX_NODES))
            return -ERANGE;
        if (r < 0 || parse_count_value(val, &v) < 0)
            return -EINVAL;
        if (li->ncounts >= MAX_COUNTS_PER_LINE)
            return -EINVAL;
        li->counts[li->ncounts].node = (unsigned)node;
        li->counts[li->ncounts].pages = v;
        li->ncounts++;
        return 0;
    }
    if (strcmp(key, "kernelpagesize_kB") == 0) {
        if (parse_count_value(val, &v) < 0 || v == 0)
            return -EINVAL;
        li->page_kb = v;
        li->has_page_kb = true;
        return 0;
    }
    if (strcmp(key, "anon") == 0) {
        if (parse_count_value(val, &v) < 0)
            return -EINVAL;
        li->anon = true;
        return 0;
    }
    static const char *const counters[] = {
        "dirty", "mapped", "mapmax", "swapcache", "active", "writeback",
    };
    for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
        if (strcmp(key, counters[i]) == 0)
            return parse_count_value(val, &v);
    return 0;   /* a key newer than this code */
}

/* Parses one NUL-terminated line (modified in place). 0, -EINVAL when the line
 * is malformed (skipped), -ERANGE for a node id beyond NP_MAX_NODES. */
static int parse_line(char *line, struct line_info *li)
{
    struct node_count *scratch = li->counts;
    memset(li, 0, sizeof(*li));
    li->counts = scratch;

    char *p = line;
    size_t ndigits = strspn(p, "0123456789abcdefABCDEF");
    if (ndigits == 0 || ndigits > 16 || !is_blank(p[ndigits]))
        return -EINVAL;
    p += ndigits;
    while (is_blank(*p))
        p++;
    if (!*p)
        return -EINVAL;
    const char *policy_end;
    int r = np_mpol_parse(p, &policy_end, &li->policy);
    if (r < 0)
        return r;
    p += policy_end - p;

    /* The kernel escapes blanks and '=' in file paths (\040, \075), but be
     * lenient with raw blanks: the words after "file=" up to the first
     * key=value belong to the path, except a final "huge". */
    bool in_path = false, huge_candidate = false;
    for (;;) {
        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        char *tok = p;
        while (*p && !is_blank(*p))
            p++;
        if (*p)
            *p++ = '\0';
        char *eq = strchr(tok, '=');
        if (!eq) {
            bool is_huge = strcmp(tok, "huge") == 0;
            if (in_path)
                huge_candidate = is_huge;
            else if (is_huge)
                li->huge = true;
            continue;   /* heap, stack, and words of a path */
        }
        if (in_path) {
            in_path = false;
            li->huge |= huge_candidate;
        }
        *eq = '\0';
        if (strcmp(tok, "file") == 0) {
            in_path = true;
            huge_candidate = false;
            continue;
        }
        r = parse_pair(tok, eq + 1, li);
        if (r < 0)
            return r;
    }
    if (in_path)
        li->huge |= huge_candidate;

    if (li->ncounts > 0 && !li->has_page_kb)
        return -EINVAL;
    for (size_t i = 0; i < li->ncounts; i++)
        if (li->counts[i].pages > UINT64_MAX / li->page_kb)
            return -EINVAL;
    return 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Slot of hugetlb size PAGE_KB, inserted in ascending order when new; -1
 * when NP_MAX_HUGE_SIZES sizes are already known. */
static int huge_slot(struct np_numa_maps *m, uint64_t page_kb)
{
    unsigned i;
    for (i = 0; i < m->nhuge; i++) {
        if (m->huge_page_kb[i] == page_kb)
            return (int)i;
        if (m->huge_page_kb[i] > page_kb)
            break;
    }
    if (m->nhuge >= NP_MAX_HUGE_SIZES)
        return -1;
    size_t tail = m->nhuge - i;
    memmove(&m->huge_page_kb[i + 1], &m->huge_page_kb[i], tail * sizeof(m->huge_page_kb[0]));
    m->huge_page_kb[i] = page_kb;
    for (unsigned n = 0; n < m->nslots; n++) {
        uint64_t *h = m->node[n].huge_kb;
        memmove(&h[i + 1], &h[i], tail * sizeof(h[0]));
        h[i] = 0;
    }
    m->nhuge++;
    return (int)i;
}

static int grow_nodes(struct np_numa_maps *m, unsigned nslots)
{
    if (nslots <= m->nslots)
        return 0;
    struct np_node_mem *nn = realloc(m->node, nslots * sizeof(*nn));
    if (!nn)
        return -ENOMEM;
    memset(&nn[m->nslots], 0, (nslots - m->nslots) * sizeof(*nn));
    m->node = nn;
    m->nslots = nslots;
    return 0;
}

static int commit_line(struct np_numa_maps *m, const struct line_info *li)
{
    unsigned max_node = 0;
    for (size_t i = 0; i < li->ncounts; i++)
        if (li->counts[i].node > max_node)
            max_node = li->counts[i].node;
    if (li->ncounts > 0) {
        int r = grow_nodes(m, max_node + 1);
        if (r < 0)
            return r;
    }
    int slot = 0;
    if (li->huge && li->ncounts > 0)
        slot = huge_slot(m, li->page_kb);

    uint64_t line_kb = 0;
    for (size_t i = 0; i < li->ncounts; i++)
        line_kb = add_sat(line_kb, li->counts[i].pages * li->page_kb);
    m->nmappings++;
    np_mpol_summary_add(&m->mpol, &li->policy, line_kb);
    if (slot < 0)
        return 0;   /* a fifth hugetlb size: nowhere to account it */

    for (size_t i = 0; i < li->ncounts; i++) {
        struct np_node_mem *nm = &m->node[li->counts[i].node];
        uint64_t kb = li->counts[i].pages * li->page_kb;
        uint64_t *bucket = li->huge ? &nm->huge_kb[slot] : li->anon ? &nm->anon_kb : &nm->file_kb;
        *bucket = add_sat(*bucket, kb);
        m->total_kb = add_sat(m->total_kb, kb);
    }
    return 0;
}

int np_numa_maps_parse(const char *text, size_t len, struct np_numa_maps *ret)
{
    if (!ret)
        return -EINVAL;
    memset(ret, 0, sizeof(*ret));
    if (!text)
        return -EINVAL;

    char *line = malloc(NUMA_MAPS_LINE_MAX + 1);
    struct line_info li = { .counts = malloc(MAX_COUNTS_PER_LINE * sizeof(*li.counts)) };
    int r = 0;
    if (!line || !li.counts) {
        r = -ENOMEM;
        goto out;
    }

    const char *pos = text, *end = text + len;
    while (pos < end) {
        const char *eol = memchr(pos, '\n', (size_t)(end - pos));
        const char *line_end = eol ? eol : end;
        size_t line_len = (size_t)(line_end - pos);
        const char *next = eol ? eol + 1 : end;
        if (line_len == 0 || line_len > NUMA_MAPS_LINE_MAX) {
            pos = next;
            continue;
        }
        memcpy(line, pos, line_len);
        line[line_len] = '\0';
        pos = next;

        int lr = parse_line(line, &li);
        if (lr == -ERANGE) {
            r = lr;
            break;
        }
        if (lr < 0)
            continue;   /* malformed: skip the line */
        r = commit_line(ret, &li);
        if (r < 0)
            break;
    }
out:
    free(line);
    free(li.counts);
    if (r < 0)
        np_numa_maps_clear(ret);
    return r;
}

int np_numa_maps_read(const struct np_root *root, int pid, size_t max_bytes,
                      struct np_numa_maps *ret)
{
    if (!ret)
        return -EINVAL;
    memset(ret, 0, sizeof(*ret));
    if (!root || pid <= 0)
        return -EINVAL;
    char rel[64];
    char *text;
    size_t len;
    snprintf(rel, sizeof(rel), "proc/%d/numa_maps", pid);
    int r = np_read_file_alloc(root, rel, max_bytes, &text, &len);
    if (r < 0)
        return r;
    r = np_numa_maps_parse(text, len, ret);
    free(text);
    return r;
}

void np_numa_maps_clear(struct np_numa_maps *m)
{
    if (!m)
        return;
    free(m->node);
    memset(m, 0, sizeof(*m));
}

uint64_t np_numa_maps_node_kb(const struct np_numa_maps *m, int node_id)
{
    if (!m || node_id < 0 || (unsigned)node_id >= m->nslots)
        return 0;
    const struct np_node_mem *nm = &m->node[node_id];
    uint64_t kb = add_sat(nm->anon_kb, nm->file_kb);
    for (unsigned i = 0; i < m->nhuge; i++)
        kb = add_sat(kb, nm->huge_kb[i]);
    return kb;
}

uint64_t np_numa_maps_node_huge_kb(const struct np_numa_maps *m, int node_id, uint64_t page_kb)
{
    if (!m || node_id < 0 || (unsigned)node_id >= m->nslots)
        return 0;
    for (unsigned i = 0; i < m->nhuge; i++)
        if (m->huge_page_kb[i] == page_kb)
            return m->node[node_id].huge_kb[i];
    return 0;
}

bool np_numa_maps_has_hugetlb(const struct np_numa_maps *m)
{
    for (unsigned s = 0; s < m->nhuge; s++)
        for (unsigned n = 0; n < m->nslots; n++)
            if (m->node[n].huge_kb[s])
                return true;
    return false;
}
