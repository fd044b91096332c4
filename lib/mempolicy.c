/* mempolicy: see mempolicy.h. */
#include "mempolicy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NODE_LIST_MAX 4096   /* the kernel cuts a policy at 64 bytes; be generous */
#define THREAD_HEAD_BYTES 128 /* one numa_maps line's worth: the policy is its second word */

static const struct {
    const char *printed;           /* as numa_maps prints it */
    enum np_mpol_mode mode;
} printed_modes[] = {
    /* Longer names first: "prefer (many)" must not match as "prefer". */
    { "prefer (many)",       NP_MPOL_PREFERRED_MANY },
    { "weighted interleave", NP_MPOL_WEIGHTED_INTERLEAVE },
    { "interleave",          NP_MPOL_INTERLEAVE },
    { "prefer",              NP_MPOL_PREFERRED },
    { "bind",                NP_MPOL_BIND },
    { "local",               NP_MPOL_LOCAL },
    { "default",             NP_MPOL_DEFAULT },
};
#define NPRINTED (sizeof(printed_modes) / sizeof(printed_modes[0]))

static const char *const mode_names[NP_MPOL_MODE_COUNT] = {
    [NP_MPOL_DEFAULT] = "default",
    [NP_MPOL_LOCAL] = "local",
    [NP_MPOL_BIND] = "bind",
    [NP_MPOL_INTERLEAVE] = "interleave",
    [NP_MPOL_WEIGHTED_INTERLEAVE] = "weighted-interleave",
    [NP_MPOL_PREFERRED] = "preferred",
    [NP_MPOL_PREFERRED_MANY] = "preferred-many",
    [NP_MPOL_UNKNOWN] = "unknown",
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int np_mpol_parse(const char *s, const char **ret_end, struct np_mpol *ret)
{
    memset(ret, 0, sizeof(*ret));
    const char *p = s;
    size_t i, n = 0;
    for (i = 0; i < NPRINTED; i++) {
        n = strlen(printed_modes[i].printed);
        if (strncmp(p, printed_modes[i].printed, n) == 0 &&
            (p[n] == '\0' || p[n] == '=' || p[n] == ':' || is_blank(p[n])))
            break;
    }
    if (i == NPRINTED) {
        ret->mode = NP_MPOL_UNKNOWN;
        while (*p && !is_blank(*p))
            p++;
        if (ret_end)
            *ret_end = p;
        return p == s ? -EINVAL : 0;
    }
    p += n;
    if (*p == '=') {   /* static, relative, balancing: no effect on where memory goes */
        while (*p && *p != ':' && !is_blank(*p))
            p++;
    }
    struct np_nodeset nodes;
    np_nodeset_zero(&nodes);
    if (*p == ':') {
        p++;
        char list[NODE_LIST_MAX];
        size_t len = 0;
        while (p[len] && !is_blank(p[len]))
            len++;
        if (len == 0 || len >= sizeof(list))
            return -EINVAL;
        memcpy(list, p, len);
        list[len] = '\0';
        int r = np_bits_parse_list(NP_NODES(&nodes), list);
        if (r < 0)
            return r;
        p += len;
    }
    if (*p && !is_blank(*p))
        return -EINVAL;
    ret->mode = printed_modes[i].mode;
    if (np_mpol_deliberate(ret))
        ret->nodes = nodes;
    if (ret_end)
        *ret_end = p;
    return 0;
}

bool np_mpol_deliberate(const struct np_mpol *p)
{
    switch (p->mode) {
    case NP_MPOL_BIND:
    case NP_MPOL_INTERLEAVE:
    case NP_MPOL_WEIGHTED_INTERLEAVE:
    case NP_MPOL_PREFERRED:
    case NP_MPOL_PREFERRED_MANY:
        return true;
    default:
        return false;
    }
}

const char *np_mpol_mode_name(enum np_mpol_mode m)
{
    return (unsigned)m < NP_MPOL_MODE_COUNT ? mode_names[m] : "unknown";
}

void np_mpol_format(const struct np_mpol *p, char *buf, size_t bufsz)
{
    char nodes[128] = "";
    if (np_mpol_deliberate(p) &&
        np_bits_format_list(NP_NODES(&p->nodes), nodes, sizeof(nodes)) < 0)
        snprintf(nodes, sizeof(nodes), "...");
    snprintf(buf, bufsz, "%s%s%s", np_mpol_mode_name(p->mode), nodes[0] ? ":" : "", nodes);
}

static bool same_policy(const struct np_mpol *a, const struct np_mpol *b)
{
    return a->mode == b->mode && np_bits_equal(a->nodes.w, b->nodes.w, NP_MAX_NODES);
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void np_mpol_summary_add(struct np_mpol_summary *s, const struct np_mpol *p, uint64_t kb)
{
    s->nmappings++;
    s->total_kb = add_sat(s->total_kb, kb);
    if (!np_mpol_deliberate(p))
        return;
    for (unsigned i = 0; i < s->nkinds; i++) {
        if (same_policy(&s->kind[i].pol, p)) {
            s->kind[i].nmappings++;
            s->kind[i].kb = add_sat(s->kind[i].kb, kb);
            return;
        }
    }
    if (s->nkinds < NP_MPOL_MAX_KINDS) {
        struct np_mpol_kind *k = &s->kind[s->nkinds++];
        k->pol = *p;
        k->nmappings = 1;
        k->kb = kb;
        return;
    }
    s->other_mappings++;
    s->other_kb = add_sat(s->other_kb, kb);
}

void np_mpol_summary_add_thread(struct np_mpol_summary *s, int tid, const struct np_mpol *p)
{
    if (!np_mpol_deliberate(p))
        return;
    if (s->nthreads_deliberate++ == 0) {
        s->thread_tid = tid;
        s->thread_pol = *p;
    }
}

void np_mpol_summary_take_mappings(struct np_mpol_summary *to, const struct np_mpol_summary *from)
{
    unsigned nthreads = to->nthreads_deliberate;
    int tid = to->thread_tid;
    struct np_mpol pol = to->thread_pol;
    *to = *from;
    to->nthreads_deliberate = nthreads;
    to->thread_tid = tid;
    to->thread_pol = pol;
}

static void format_kb(uint64_t kb, char *buf, size_t sz)
{
    if (kb >= 10 * 1024 * 1024)
        snprintf(buf, sz, "%.0f GiB", (double)kb / (1024.0 * 1024.0));
    else if (kb >= 1024)
        snprintf(buf, sz, "%.0f MiB", (double)kb / 1024.0);
    else
        snprintf(buf, sz, "%llu KiB", (unsigned long long)kb);
}

bool np_mpol_decides(const struct np_mpol_summary *s, char *detail, size_t detailsz)
{
    if (detail && detailsz)
        detail[0] = '\0';
    uint64_t policy_kb = s->other_kb;
    unsigned policy_mappings = s->other_mappings, largest = 0;
    for (unsigned i = 0; i < s->nkinds; i++) {
        policy_kb = add_sat(policy_kb, s->kind[i].kb);
        policy_mappings += s->kind[i].nmappings;
        if (s->kind[i].kb > s->kind[largest].kb)
            largest = i;
    }
    /* Also true with no resident memory to weigh (0 >= 0). kb * DIV
     * overflows only past 2^58 kB: saturate rather than wrap. */
    bool meaningful = policy_mappings > 0 &&
                      (policy_kb >= UINT64_MAX / NP_MPOL_SHARE_DIV ||
                       policy_kb * NP_MPOL_SHARE_DIV >= s->total_kb);
    char pol[160], size[32];
    if (meaningful) {
        /* Name the kind holding most; past NP_MPOL_MAX_KINDS the rest are
         * counted together and may hold more than any kind named. */
        char named[200];
        if (s->nkinds > 0 && s->kind[largest].kb >= s->other_kb) {
            np_mpol_format(&s->kind[largest].pol, pol, sizeof(pol));
            snprintf(named, sizeof(named), "policy %s%s", pol,
                     s->nkinds > 1 || s->other_mappings ? " and others" : "");
        } else
            snprintf(named, sizeof(named), "policies of more than %d kinds", NP_MPOL_MAX_KINDS);
        format_kb(policy_kb, size, sizeof(size));
        if (detail)
            snprintf(detail, detailsz, "memory %s on %u of %u mappings, %s", named,
                     policy_mappings, s->nmappings, size);
        return true;
    }
    if (s->nthreads_deliberate > 0) {
        np_mpol_format(&s->thread_pol, pol, sizeof(pol));
        if (detail) {
            if (s->nthreads_deliberate > 1)
                snprintf(detail, detailsz, "memory policy %s of thread %d (and %u more %s)",
                         pol, s->thread_tid, s->nthreads_deliberate - 1,
                         s->nthreads_deliberate == 2 ? "thread" : "threads");
            else
                snprintf(detail, detailsz, "memory policy %s of thread %d", pol, s->thread_tid);
        }
        return true;
    }
    return false;
}

int np_mpol_read_thread(const struct np_root *root, int pid, int tid, struct np_mpol *ret)
{
    char rel[64], head[THREAD_HEAD_BYTES + 1];
    snprintf(rel, sizeof(rel), "proc/%d/task/%d/numa_maps", pid, tid);
    long n = np_read_head(root, rel, head, sizeof(head));
    if (n < 0)
        return (int)n;
    if (n == 0)
        return -ENODATA;   /* a process with no mappings left (exiting) */
    const char *p = head;
    size_t ndigits = strspn(p, "0123456789abcdefABCDEF");
    if (ndigits == 0 || ndigits > 16 || !(p[ndigits] == ' ' || p[ndigits] == '\t'))
        return -EINVAL;
    p += ndigits;
    while (*p == ' ' || *p == '\t')
        p++;
    /* The head may end inside the policy only if the line was cut short
     * at THREAD_HEAD_BYTES: a policy is at most 64 bytes, so it is whole. */
    return np_mpol_parse(p, NULL, ret);
}
