/* act: error classes, the placement steps (CPUs, then memory) and the maps
 * walk shared with pagesample. The actuators themselves are in act_real.c
 * and act_recording.c. */
#include "act.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "parse.h"
#include "topology.h"

/* max_threads 0 means "no limit given": still bounded. */
#define NP_ACT_DEFAULT_MAX_THREADS 65536
/* A proc/PID/maps larger than this is not walked (max_map_count is 65530). */
#define NP_ACT_MAPS_MAX ((size_t)4 << 20)
/* Pages per move_pages call on the event loop (2 MiB), and a mover
 * thread's first batch. */
#define NP_ACT_BATCH 512
/* A mover thread's batch doubles while one takes less than half of
 * NP_ACT_BATCH_TARGET_NS (a rate limit's waits included) and halves when
 * one takes more than twice it (1/16 s, 1/4 s), between NP_ACT_BATCH and
 * this (32 MiB).
 * Each moving call pays a fixed cost besides the copy: the kernel drains
 * every CPU's page lists and waits for an RCU grace period
 * (lru_cache_disable in 6.1), dear when every CPU is busy. Three 300 MiB
 * copies to three busy one-CPU nodes took 10-18 s each in 2 MiB batches
 * in the guest and 5-10 s in 8 MiB ones. Sized by time, a cancel or a
 * rate limit still acts within about a quarter of a second whatever the
 * copy speed (a 1/2 s bound let a cancel in the guest take 0.67 s). */
#define NP_ACT_BATCH_MAX 8192
#define NP_ACT_BATCH_TARGET_NS 125000000u
/* Pages examined per call, whatever the budget: ~250 ms of queries. */
#define NP_ACT_MAX_EXAMINE ((uint64_t)1 << 20)
/* A move off the loop larger than this goes in batches: at the slowest
 * copy rate measured in the guest (15 MB/s) about half a second. */
#define NP_ACT_ONE_CALL_MAX_KB ((uint64_t)8 << 10)
/* What the batches of a move leave behind (file pages, by the caller's
 * estimate) under this and under 1% of the move is not swept up by a
 * whole-process migrate_pages (see np_act_apply_memory's use). */
#define NP_ACT_SWEEP_MIN_KB ((uint64_t)8 << 10)
/* The unit memory is spread in: a transparent huge page on x86-64. */
#define NP_ACT_BLOCK_BYTES ((uint64_t)2 << 20)

enum np_act_class np_act_classify(int negative_errno)
{
    switch (negative_errno) {
    case 0:
        return NP_ACT_OK;
    case -ESRCH:
    case -ENOENT:
        return NP_ACT_GONE;
    case -EPERM:
    case -EACCES:
        return NP_ACT_PERMISSION;
    case -ENOMEM:
    case -ENOSPC:
        return NP_ACT_CAPACITY;
    case -ECANCELED:
        return NP_ACT_CANCELLED;
    case -EINVAL:
    case -ERANGE:
    case -EOVERFLOW:
        return NP_ACT_INVALID;
    default:
        return NP_ACT_TRANSIENT;
    }
}

const char *np_act_class_name(enum np_act_class c)
{
    switch (c) {
    case NP_ACT_OK:         return "ok";
    case NP_ACT_GONE:       return "gone";
    case NP_ACT_PERMISSION: return "permission";
    case NP_ACT_CAPACITY:   return "capacity";
    case NP_ACT_TRANSIENT:  return "transient";
    case NP_ACT_INVALID:    return "invalid";
    case NP_ACT_CANCELLED:  return "cancelled";
    }
    return "unknown";
}

void np_actuator_free(struct np_actuator *a)
{
    if (!a || !a->ops)
        return;
    if (a->ops->free)
        a->ops->free(a->ctx);
    a->ops = NULL;
    a->ctx = NULL;
}

/* ---- proc/PID/maps ---- */

static int scan_hex(const char **p, uint64_t *ret)
{
    const char *s = *p;
    uint64_t v = 0;
    int digits = 0;
    for (;; s++, digits++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (*s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (*s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            break;
        if (v >> 60)
            return -ERANGE;
        v = v << 4 | d;
    }
    if (!digits)
        return -EINVAL;
    *p = s;
    *ret = v;
    return 0;
}

static bool skip_field(const char **p)
{
    const char *s = *p;
    np_skip_blanks(&s);
    if (!*s || *s == '\n')
        return false;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n')
        s++;
    *p = s;
    return true;
}

static bool is_special_mapping(const char *name, size_t len)
{
    static const char *const skip[] = { "[vsyscall]", "[vdso]", "[vvar" };
    for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
        size_t n = strlen(skip[i]);
        if (len >= n && memcmp(name, skip[i], n) == 0)
            return true;
    }
    return false;
}

/* Parses "start-end perms offset dev inode [name]" at LINE (ending at '\n'
 * or NUL). True for a well-formed writable private mapping; RET_HUGETLB
 * (may be NULL) tells a private hugetlb mapping (MAP_HUGETLB, named
 * "/anon_hugepage" by the kernel). */
static bool parse_maps_line(const char *line, uint64_t *ret_start, uint64_t *ret_end,
                            bool *ret_hugetlb)
{
    const char *p = line;
    uint64_t start, end;
    if (scan_hex(&p, &start) < 0 || *p++ != '-' || scan_hex(&p, &end) < 0 || end <= start)
        return false;
    if (*p != ' ')
        return false;
    np_skip_blanks(&p);
    const char *perms = p;
    if (strspn(perms, "rwxps-") != 4 || (perms[4] != ' ' && perms[4] != '\t'))
        return false;
    if (perms[1] != 'w' || perms[3] != 'p')
        return false;
    p = perms + 4;
    for (int i = 0; i < 3; i++)          /* offset, dev, inode */
        if (!skip_field(&p))
            return false;
    np_skip_blanks(&p);
    size_t name_len = strcspn(p, "\n");
    if (is_special_mapping(p, name_len))
        return false;
    static const char huge_name[] = "/anon_hugepage";
    if (ret_hugetlb)
        *ret_hugetlb = name_len >= sizeof(huge_name) - 1 &&
                       memcmp(p, huge_name, sizeof(huge_name) - 1) == 0;
    *ret_start = start;
    *ret_end = end;
    return true;
}

int np_maps_next_writable_private(const char **cursor, uint64_t *start, uint64_t *end)
{
    return np_maps_next_writable_private_kind(cursor, start, end, NULL);
}

int np_maps_next_writable_private_kind(const char **cursor, uint64_t *start, uint64_t *end,
                                       bool *hugetlb)
{
    const char *p = *cursor;
    while (p && *p) {
        const char *line = p;
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : line + strlen(line);
        if (parse_maps_line(line, start, end, hugetlb)) {
            *cursor = p;
            return 1;
        }
    }
    *cursor = p;
    return 0;
}

/* ---- threads ---- */

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The leader (TID == PID) and the other TIDs listed in proc/PID/task, at
 * most MAX in all, the others sorted. The leader is always first: where the
 * listing is cut short, the thread that owns the process goes first.
 * *RET is malloc'd. 0 or -errno. */
static int list_threads(const struct np_root *root, int pid, size_t max,
                        int **ret, size_t *ret_n)
{
    char rel[64];
    snprintf(rel, sizeof(rel), "proc/%d/task", pid);
    DIR *d;
    int r = np_open_dir(root, rel, &d);
    if (r < 0)
        return r;
    size_t n = 0, cap = 64;
    int *tids = malloc(cap * sizeof(*tids));
    if (!tids) {
        closedir(d);
        return -ENOMEM;
    }
    tids[n++] = pid;
    struct dirent *de;
    while (n < max && (errno = 0, de = readdir(d))) {
        long tid;
        if (np_parse_long_range(de->d_name, 1, INT32_MAX, &tid) < 0 || tid == pid)
            continue;
        if (n == cap) {
            int *nt = realloc(tids, cap * 2 * sizeof(*nt));
            if (!nt) {
                r = -ENOMEM;
                break;
            }
            tids = nt;
            cap *= 2;
        }
        tids[n++] = (int)tid;
    }
    if (r == 0 && n < max && errno != 0)
        r = -errno;      /* readdir failed: the task directory went away */
    closedir(d);
    if (r < 0) {
        free(tids);
        return r;
    }
    qsort(tids + 1, n - 1, sizeof(*tids), cmp_int);
    *ret = tids;
    *ret_n = n;
    return 0;
}

static bool contains_tid(const int *sorted, size_t n, int tid)
{
    return bsearch(&tid, sorted, n, sizeof(*sorted), cmp_int) != NULL;
}

static int fail(struct np_act_result *res, const char *step, int err)
{
    res->error = err;
    res->cls = np_act_classify(err);
    snprintf(res->step, sizeof(res->step), "%s", step);
    return err;
}

const struct np_cpuset *np_placement_thread_cpus(const struct np_placement *pl, int tid)
{
    for (unsigned k = 0; pl->thread_cpus && k < pl->nthread_cpus; k++)
        if (pl->thread_cpus[k].tid == tid)
            return &pl->thread_cpus[k].cpus;
    return &pl->cpus;
}

/* Sets PL's CPUs on the threads in TIDS (leader first); a vanished thread
 * is counted, a vanished leader is the process gone. */
static int set_threads(const struct np_actuator *a, const struct np_placement *pl,
                       const int *tids, size_t n, struct np_act_result *res)
{
    int pid = pl->pid;
    for (size_t i = 0; i < n; i++) {
        int r = a->ops->set_affinity(a->ctx, tids[i], np_placement_thread_cpus(pl, tids[i]));
        if (r == 0) {
            res->threads_set++;
        } else if (np_act_classify(r) == NP_ACT_GONE && tids[i] != pid) {
            res->threads_gone++;
        } else {
            return fail(res, "affinity", r);
        }
    }
    return 0;
}

static int apply_threads(const struct np_actuator *a, const struct np_root *root,
                         const struct np_placement *pl, struct np_act_result *res)
{
    size_t max = pl->max_threads ? pl->max_threads : NP_ACT_DEFAULT_MAX_THREADS;
    int r = a->ops->get_affinity(a->ctx, pl->pid, &res->original);
    if (r < 0)
        return fail(res, "affinity", r);
    res->have_original = true;

    int *tids;
    size_t n;
    r = list_threads(root, pl->pid, max, &tids, &n);
    if (r < 0)
        return fail(res, "affinity", r);
    r = set_threads(a, pl, tids, n, res);
    if (r == 0 && n < max) {
        /* A thread created during the pass by a not-yet-moved thread inherited
         * the old affinity: one more look catches those. */
        int *again;
        size_t m;
        qsort(tids, n, sizeof(*tids), cmp_int);
        if (list_threads(root, pl->pid, max, &again, &m) == 0) {
            size_t k = 0;
            for (size_t i = 0; i < m && n + k < max; i++)
                if (!contains_tid(tids, n, again[i]))
                    again[k++] = again[i];
            r = set_threads(a, pl, again, k, res);
            free(again);
        }
    }
    free(tids);
    return r;
}

/* "/a/b" or "a/b", no "." or ".." component, not the root cgroup. */
static bool valid_cgroup(const char *cg)
{
    while (*cg == '/')
        cg++;
    if (!*cg || strlen(cg) >= 4096)
        return false;
    for (const char *c = cg; *c;) {
        size_t len = strcspn(c, "/");
        if ((len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c += len;
        while (*c == '/')
            c++;
    }
    return true;
}

static int write_cgroup_set(const struct np_actuator *a, const char *cgroup, const char *file,
                            const uint64_t *w, unsigned nbits, struct np_act_result *res)
{
    char value[32768];
    int r = np_bits_format_list(w, nbits, value, sizeof(value));
    if (r < 0)
        return fail(res, "cgroup", r);
    r = a->ops->write_cgroup(a->ctx, cgroup, file, value);
    return r < 0 ? fail(res, "cgroup", r) : 0;
}

/* ---- memory ---- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t np_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Marks a kernel call as begun (or, with BEGIN false, ended) for a watcher. */
static void call_mark(const struct np_act_control *ctl, bool begin)
{
    if (ctl && ctl->call_started_ns)
        atomic_store(ctl->call_started_ns, begin ? np_monotonic_ns() : 0);
}

/* A move a mover thread runs: only its caller can cancel it, and it may
 * take its time (the loop's moves are kept short instead). */
static bool on_mover_thread(const struct np_act_control *ctl)
{
    return ctl && ctl->cancel;
}

static bool cancelled(const struct np_act_control *ctl)
{
    return ctl && ctl->cancel && atomic_load(ctl->cancel);
}

/* A wait for a bucket sleeps in slices this long, so a cancel is seen. */
#define NP_ACT_PACE_SLICE_NS 50000000u

/* Books KB on P (np_pacer_take) and sleeps until it is paid. 0, or
 * -ECANCELED. */
static int wait_for_pacer(const struct np_act_control *ctl, struct np_pacer *p, uint64_t kb)
{
    uint64_t now = np_monotonic_ns();
    uint64_t until = now + np_pacer_take(p, kb, now);
    while (now < until) {
        if (cancelled(ctl))
            return -ECANCELED;
        uint64_t ns = until - now < NP_ACT_PACE_SLICE_NS ? until - now : NP_ACT_PACE_SLICE_NS;
        struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
        nanosleep(&ts, NULL);
        now = np_monotonic_ns();
    }
    return cancelled(ctl) ? -ECANCELED : 0;
}

/* The shared rate: every copy together. */
static int pace(const struct np_act_control *ctl, uint64_t kb)
{
    if (!ctl || !ctl->pacer)
        return 0;
    return wait_for_pacer(ctl, ctl->pacer, kb);
}

/* NODE's own rate, when it has one. Booked after the shared one: the time
 * spent waiting for that refilled this bucket too, so the wait is the
 * longer of the two, not their sum. */
static int pace_node(const struct np_act_control *ctl, int node, uint64_t kb)
{
    if (!ctl || !ctl->node_pacers || node < 0 || node >= NP_MAX_NODES)
        return 0;
    struct np_pacer *p = &ctl->node_pacers[node];
    return np_pacer_rate_kb_s(p) > 0 ? wait_for_pacer(ctl, p, kb) : 0;
}

struct mover {
    const struct np_actuator *a;
    const struct np_root *root;
    const struct np_act_control *ctl;
    bool recheck_rooms;
    unsigned headroom_pct;
    bool target_filled;             /* a live room cut a target's share */
    int pid;
    const struct np_nodeset *from;
    int targets[NP_MAX_NODES];
    unsigned ntargets, next_target;
    uint64_t room_pages[NP_MAX_NODES];  /* per target (same index), UINT64_MAX = no limit */
    uint64_t huge_kb;                   /* page size of its private hugetlb, 0 unknown */
    uint64_t huge_room_kb[NP_MAX_NODES];/* per target: its free hugepages, UINT64_MAX unread */
    bool range_huge;                    /* the range being fed is private hugetlb */
    bool block_huge;                    /* the current block is (part of) a huge page */
    bool block_skipped;                 /* ... for which no target had a free hugepage */
    int capacity_error;                 /* a target answered ENOMEM/ENOSPC */
    uintptr_t block;                /* 2 MiB block of the last page moved */
    bool have_block;
    uint64_t page_size;
    uint64_t block_pages;           /* pages in a 2 MiB block */
    uint64_t budget_pages, moved_pages;
    uint64_t examine_left;
    bool left_behind;               /* a page on FROM was seen and not moved */
    unsigned batch_pages;           /* this batch's size (NP_ACT_BATCH_MAX at most) */
    void *pages[NP_ACT_BATCH_MAX];
    int status[NP_ACT_BATCH_MAX];
    int nodes[NP_ACT_BATCH_MAX];
    bool page_huge[NP_ACT_BATCH_MAX];
    unsigned npages;
    /* One target's share of a batch (see move_to_target). */
    void *sub_pages[NP_ACT_BATCH_MAX];
    int sub_nodes[NP_ACT_BATCH_MAX];
    int sub_status[NP_ACT_BATCH_MAX];
};

/* The next batch's size on a mover thread, from how long the last one
 * took (NP_ACT_BATCH_MAX's comment). */
static void size_next_batch(struct mover *m, uint64_t took_ns)
{
    if (!on_mover_thread(m->ctl))
        return;
    if (took_ns < NP_ACT_BATCH_TARGET_NS / 2 && m->batch_pages < NP_ACT_BATCH_MAX)
        m->batch_pages *= 2;
    else if (took_ns > 2 * (uint64_t)NP_ACT_BATCH_TARGET_NS && m->batch_pages > NP_ACT_BATCH)
        m->batch_pages /= 2;
}

static void drop_target(struct mover *m, int node)
{
    for (unsigned t = 0; t < m->ntargets; t++)
        if (m->targets[t] == node) {
            m->targets[t] = m->targets[--m->ntargets];
            m->room_pages[t] = m->room_pages[m->ntargets];
            m->huge_room_kb[t] = m->huge_room_kb[m->ntargets];
            if (m->ntargets)
                m->next_target %= m->ntargets;
            else
                m->next_target = 0;
            return;
        }
}

/* Moves the pages of the first K in M->pages that M->nodes sends to NODE.
 * 0, or -errno of the call (-ENOMEM/-ENOSPC: NODE is full). A page the
 * kernel answers ENOMEM/ENOSPC for also makes it -ENOMEM/-ENOSPC. */
static int move_to_target(struct mover *m, int node, unsigned k)
{
    unsigned n = 0;
    for (unsigned i = 0; i < k; i++)
        if (m->nodes[i] == node) {
            m->sub_pages[n] = m->pages[i];
            m->sub_nodes[n] = node;
            /* A page the kernel did not get to keeps this. */
            m->sub_status[n] = -EAGAIN;
            n++;
        }
    int paced = pace_node(m->ctl, node, (uint64_t)n * m->page_size / 1024);
    if (paced < 0) {
        m->left_behind = true;
        return paced;
    }
    call_mark(m->ctl, true);
    int r = m->a->ops->move_pages(m->a->ctx, m->pid, n, m->sub_pages, m->sub_nodes,
                                  m->sub_status);
    call_mark(m->ctl, false);
    if (r < 0)
        return r;
    int full = 0;
    unsigned unsure = 0;
    for (unsigned i = 0; i < n; i++) {
        if (m->sub_status[i] == node) {
            m->moved_pages++;
        } else if (m->sub_status[i] == -ENOMEM || m->sub_status[i] == -ENOSPC) {
            m->left_behind = true;
            full = m->sub_status[i];
        } else {
            /* The kernel moves a huge page whole when it meets its first
             * 4 KiB page; each later page of it in the same call answers
             * an error (its head is already isolated) although it moved
             * with it. Counted as left behind, every 300 MiB move ended
             * "partial" and walked the whole process again next cycle
             * (seen in the guest). Where such a page is now is asked
             * below. */
            m->sub_pages[unsure++] = m->sub_pages[i];
        }
    }
    if (unsure) {
        call_mark(m->ctl, true);
        r = m->a->ops->move_pages(m->a->ctx, m->pid, unsure, m->sub_pages, NULL, m->sub_status);
        call_mark(m->ctl, false);
        for (unsigned i = 0; i < unsure; i++) {
            if (r == 0 && m->sub_status[i] == node)
                m->moved_pages++;
            else
                m->left_behind = true;
        }
    }
    if (m->ctl && m->ctl->done_kb)
        atomic_store(m->ctl->done_kb, m->moved_pages * m->page_size / 1024);
    return full;
}

/* Each target's room as it is now (see np_placement.recheck_rooms): the
 * smaller of what is left of the plan's and the node's live room. A read
 * that fails keeps the plan's figure. */
static void mover_recheck_rooms(struct mover *m)
{
    if (!m->recheck_rooms)
        return;
    for (unsigned t = 0; t < m->ntargets; t++) {
        uint64_t kb;
        if (np_node_read_room_kb(m->root, m->targets[t], m->headroom_pct, &kb) < 0)
            continue;
        uint64_t live = kb * 1024 / m->page_size;
        if (live < m->room_pages[t]) {
            if (live < m->block_pages && m->room_pages[t] >= m->block_pages)
                m->target_filled = true;
            m->room_pages[t] = live;
        }
    }
    for (unsigned t = 0; m->huge_kb && t < m->ntargets; t++) {
        uint64_t kb;
        if (np_node_read_free_huge_kb(m->root, m->targets[t], m->huge_kb, &kb) == 0 &&
            kb < m->huge_room_kb[t])
            m->huge_room_kb[t] = kb;
    }
}

/* Rotates to the first target, from the next one on, whose ROOM (per
 * target) holds NEED; false when none does (none is dropped). */
static bool rotate_to_room(struct mover *m, const uint64_t *room, uint64_t need)
{
    for (unsigned tries = 0; tries < m->ntargets; tries++) {
        if (room[m->next_target] >= need)
            return true;
        m->next_target = (m->next_target + 1) % m->ntargets;
    }
    return false;
}

/* A target with free memory for a whole ordinary block (none is dropped:
 * it may still take huge pages). */
static bool pick_room_target(struct mover *m)
{
    return rotate_to_room(m, m->room_pages, m->block_pages);
}

/* A target with a free hugepage for the huge page starting a block, from
 * the next one in the rotation on: booked there and true, or false when
 * no target has one (the page stays; the others still take ordinary
 * pages). */
static bool pick_huge_target(struct mover *m)
{
    if (!rotate_to_room(m, m->huge_room_kb, m->huge_kb)) {
        m->target_filled = true;
        return false;
    }
    uint64_t *room = &m->huge_room_kb[m->next_target];
    if (*room != UINT64_MAX)
        *room -= m->huge_kb;
    return true;
}

/* Bytes of the block a page belongs to: 2 MiB (a transparent huge page),
 * or its hugetlb page when that is larger (HUGE: it lies in a private
 * hugetlb mapping of page size HUGE_KB). */
static uint64_t block_bytes(bool huge, uint64_t huge_kb)
{
    uint64_t bytes = huge_kb * 1024;
    /* Page sizes are powers of two; anything else is not trusted. */
    if (!huge || bytes <= NP_ACT_BLOCK_BYTES || (bytes & (bytes - 1)))
        return NP_ACT_BLOCK_BYTES;
    return bytes;
}

static int mover_flush_batch(struct mover *m, unsigned n);

/* Queries the batch, moves the pages found on FROM, and sizes the next
 * batch. 0, 1 when the budget is used up, or -errno. */
static int mover_flush(struct mover *m)
{
    unsigned n = m->npages;
    m->npages = 0;
    if (!n)
        return 0;
    uint64_t start = np_monotonic_ns();
    int r = mover_flush_batch(m, n);
    size_next_batch(m, np_monotonic_ns() - start);
    return r;
}

static int mover_flush_batch(struct mover *m, unsigned n)
{
    mover_recheck_rooms(m);
    if (!m->ntargets)   /* all full: an error if the kernel said so, else done (partial) */
        return m->capacity_error ? m->capacity_error : 1;
    if (cancelled(m->ctl)) {
        m->left_behind = true;
        return -ECANCELED;
    }
    call_mark(m->ctl, true);
    int r = m->a->ops->move_pages(m->a->ctx, m->pid, n, m->pages, NULL, m->status);
    call_mark(m->ctl, false);
    if (r < 0)
        return r;
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++) {
        int node = m->status[i];
        if (node < 0 || !np_nodeset_test(m->from, (unsigned)node))
            continue;
        if (m->moved_pages + k >= m->budget_pages) {
            m->left_behind = true;
            continue;
        }
        m->pages[k] = m->pages[i];
        /* Spread by 2 MiB block, not by page: every 4 KiB page of a
         * transparent huge page must ask for the same node, or the whole
         * huge page migrates back and forth once per page (seen in the
         * guest: millions of migrations, no net movement). The next block
         * met takes the next target; a function of the address would alias
         * with an interleaved layout (every block left on one node had the
         * same parity, and all went to one target until it was full). */
        /* A private hugetlb page of known size is its own block (a 1 GiB
         * page is not cut into 2 MiB blocks for different targets), and
         * takes a free hugepage, not free memory. */
        bool huge = m->page_huge[i] && m->huge_kb;
        uintptr_t block = (uintptr_t)m->pages[i] / block_bytes(huge, m->huge_kb);
        if (!m->have_block || block != m->block || huge != m->block_huge) {
            m->block = block;
            m->block_huge = huge;
            m->have_block = true;
            m->next_target = (m->next_target + 1) % m->ntargets;
            /* A target whose room (free memory above the headroom) cannot
             * take a whole block leaves the rotation: filling it to the
             * brim would push it into reclaim, and the planner promised the
             * headroom; a block cut short would split its huge page over
             * two nodes. */
            m->block_skipped = false;
            if (huge)
                m->block_skipped = !pick_huge_target(m);
            else if (m->huge_kb)
                /* Its huge pages need no free memory: a target short of it
                 * stays in the rotation for them. */
                m->block_skipped = !pick_room_target(m);
            else
                while (m->ntargets && m->room_pages[m->next_target] < m->block_pages)
                    drop_target(m, m->targets[m->next_target]);
        }
        if (m->block_skipped) {
            m->left_behind = true;
            continue;
        }
        /* Only after a target was dropped for ENOMEM mid-block can the one
         * taking over lack room. */
        while (!huge && m->ntargets && m->room_pages[m->next_target] == 0)
            drop_target(m, m->targets[m->next_target]);
        if (!m->ntargets) {
            m->left_behind = true;
            break;
        }
        if (!huge)
            m->room_pages[m->next_target]--;
        m->nodes[k] = m->targets[m->next_target];
        k++;
    }
    if (!k)
        return m->moved_pages >= m->budget_pages;
    r = pace(m->ctl, (uint64_t)k * m->page_size / 1024);
    if (r < 0) {
        m->left_behind = true;
        return r;
    }
    /* One call per target node: when one page cannot be allocated the
     * kernel fails the whole call with ENOMEM (or stops there and returns
     * how many pages it left), which names no node. Per target, the full
     * one is known and dropped while the others take the rest (seen in the
     * guest: a two-node move failed whole once one target filled). */
    int capacity_error = 0;
    for (unsigned first = 0; first < k; first++) {
        int node = m->nodes[first];
        bool done_before = false;
        for (unsigned j = 0; j < first && !done_before; j++)
            done_before = m->nodes[j] == node;
        if (done_before)
            continue;
        r = move_to_target(m, node, k);
        if (r == -ENOMEM || r == -ENOSPC) {
            capacity_error = r;
            m->capacity_error = r;
            m->left_behind = true;
            drop_target(m, node);
        } else if (r < 0) {
            return r;
        }
    }
    /* Every target is full: further batches would fail the same way. A
     * full one among several is dropped and the others take the rest (a
     * target that already held part of the process fills first). */
    if (capacity_error && m->ntargets == 0)
        return capacity_error;
    return m->moved_pages >= m->budget_pages;
}

/* Feeds pages [START, END) to the mover. 0, 1 when done, or -errno. */
static int mover_range(struct mover *m, uint64_t start, uint64_t end)
{
    for (uint64_t addr = start; addr < end; addr += m->page_size) {
        if (!m->examine_left) {
            m->left_behind = true;   /* unexamined memory may still be remote */
            return 1;
        }
        /* A batch ends at a 2 MiB block boundary when the next block would
         * not fit: asking for part of a transparent huge page moves all of
         * it, so a batch cut mid-block moves (and costs) more than it asks
         * for, and the rate limit books less than was copied (seen: 1.21x
         * the limit over a 10 s window in the guest). */
        if (m->npages && addr % NP_ACT_BLOCK_BYTES == 0 &&
            m->npages + m->block_pages > m->batch_pages) {
            int r = mover_flush(m);
            if (r != 0)
                return r;
        }
        m->examine_left--;
        m->page_huge[m->npages] = m->range_huge;
        m->pages[m->npages++] = (void *)(uintptr_t)addr;
        if (m->npages == m->batch_pages) {
            int r = mover_flush(m);
            if (r != 0)
                return r;
        }
    }
    return 0;
}

/* The page index SKIP (counted over the writable private mappings of MAPS)
 * moved back to the start of its 2 MiB block (of its huge page, HUGE_KB,
 * in a private hugetlb mapping when that is larger), or of its mapping if
 * that begins inside the block: a walk that started mid-block would meet
 * the block's first part again at the end, as a new block with another
 * target, and split its huge page over two nodes. */
static uint64_t block_start(const char *maps, uint64_t page_size, uint64_t huge_kb, uint64_t skip)
{
    uint64_t offset = 0, start, end;
    const char *cur = maps;
    bool hugetlb = false;
    while (np_maps_next_writable_private_kind(&cur, &start, &end, &hugetlb)) {
        uint64_t len = (end - start) / page_size;
        if (skip < offset + len) {
            uint64_t addr = start + (skip - offset) * page_size;
            uint64_t aligned = addr & ~(block_bytes(hugetlb, huge_kb) - 1);
            if (aligned < start)
                aligned = start;
            return skip - (addr - aligned) / page_size;
        }
        offset += len;
    }
    return skip;
}

/* Moves up to BUDGET_KB of the pages on PL->from to PL->mems with batched
 * move_pages over the writable private mappings. The walk starts at a
 * varying point and wraps, so memory beyond one call's examination cap is
 * reached in later cycles even though nothing is remembered between calls. */
static int move_batched(const struct np_actuator *a, const struct np_root *root,
                        const struct np_placement *pl, const struct np_nodeset *from,
                        const struct np_act_control *ctl, struct np_act_result *res)
{
    char rel[64];
    snprintf(rel, sizeof(rel), "proc/%d/maps", pl->pid);
    char *maps;
    int r = np_read_file_alloc(root, rel, NP_ACT_MAPS_MAX, &maps, NULL);
    if (r < 0)
        return fail(res, "migrate", r);

    struct mover *m = calloc(1, sizeof(*m));
    if (!m) {
        free(maps);
        return fail(res, "migrate", -ENOMEM);
    }
    m->a = a;
    m->root = root;
    m->recheck_rooms = pl->recheck_rooms;
    m->headroom_pct = pl->headroom_pct;
    m->ctl = ctl;
    m->pid = pl->pid;
    m->from = from;
    for (int n = np_bits_next(NP_NODES(&pl->mems), 0); n >= 0;
         n = np_bits_next(NP_NODES(&pl->mems), (unsigned)n + 1))
        m->targets[m->ntargets++] = n;
    long ps = sysconf(_SC_PAGESIZE);
    m->page_size = ps > 0 ? (uint64_t)ps : 4096;
    m->block_pages = NP_ACT_BLOCK_BYTES / m->page_size ? NP_ACT_BLOCK_BYTES / m->page_size : 1;
    m->huge_kb = pl->huge_page_kb;
    for (unsigned t = 0; t < m->ntargets; t++) {
        m->huge_room_kb[t] = UINT64_MAX;
        m->room_pages[t] = UINT64_MAX;
        for (unsigned k = 0; k < pl->nrooms && k < NP_MAX_ROOMS; k++)
            if (pl->rooms[k].node == m->targets[t])
                m->room_pages[t] = pl->rooms[k].kb * 1024 / m->page_size;
    }
    m->budget_pages = pl->budget_kb * 1024 / m->page_size;
    if (!m->budget_pages)
        m->budget_pages = 1;
    m->examine_left = m->budget_pages > NP_ACT_MAX_EXAMINE / 4 ? NP_ACT_MAX_EXAMINE
                                                              : m->budget_pages * 4;
    if (m->examine_left < NP_ACT_BATCH)
        m->examine_left = NP_ACT_BATCH;
    /* The caps keep the event loop's share short; a mover thread (it can
     * be cancelled) is given the whole move and walks the whole process,
     * bounded by its maps: a budget equal to the estimate made a move that
     * met it exactly look cut short. */
    if (on_mover_thread(ctl))
        m->examine_left = m->budget_pages = UINT64_MAX;
    m->batch_pages = NP_ACT_BATCH;

    uint64_t total_pages = 0, start, end;
    const char *cur = maps;
    while (np_maps_next_writable_private(&cur, &start, &end))
        total_pages += (end - start) / m->page_size;

    r = 0;
    if (total_pages) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t seed = ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec) ^
                        ((uint64_t)pl->pid << 32);
        uint64_t skip = block_start(maps, m->page_size, m->huge_kb, splitmix64(&seed) % total_pages);
        /* Pass 0 walks from page SKIP to the end, pass 1 the pages before it. */
        for (int pass = 0; pass < 2 && r == 0; pass++) {
            uint64_t offset = 0;
            cur = maps;
            while (r == 0 && np_maps_next_writable_private_kind(&cur, &start, &end,
                                                                &m->range_huge)) {
                uint64_t len = (end - start) / m->page_size;
                uint64_t lo = 0, hi = len;    /* pages of this range in this pass */
                if (pass == 0)
                    lo = skip > offset ? (skip - offset < len ? skip - offset : len) : 0;
                else
                    hi = skip > offset ? (skip - offset < len ? skip - offset : len) : 0;
                offset += len;
                if (lo < hi)
                    r = mover_range(m, start + lo * m->page_size, start + hi * m->page_size);
            }
        }
        if (r >= 0) {
            int f = mover_flush(m);    /* the last, partly filled batch */
            r = f < 0 ? f : r | f;
        }
    }
    res->moved_kb = m->moved_pages * m->page_size / 1024;
    /* Stopped early (budget or cap): what was not looked at may be remote. */
    res->partial = m->left_behind || r == 1;
    res->target_filled = m->target_filled;
    free(m);
    free(maps);
    return r < 0 ? fail(res, "migrate", r) : 0;
}

/* One paced, watched migrate_pages of PID's pages on FROM to TO, KB being
 * the caller's estimate of them: 0 with *RET_MOVED_KB (KB less the pages
 * the kernel left), or a negative errno. */
static int migrate_paced(const struct np_actuator *a, int pid, const struct np_nodeset *from,
                         const struct np_nodeset *to, uint64_t kb,
                         const struct np_act_control *ctl, uint64_t *ret_moved_kb)
{
    int r = pace(ctl, kb);
    unsigned ntargets = np_nodeset_count(to);
    for (int n = np_bits_next(NP_NODES(to), 0); r == 0 && n >= 0; n = np_bits_next(NP_NODES(to), (unsigned)n + 1))
        r = pace_node(ctl, n, ntargets ? kb / ntargets : kb);   /* the call spreads KB over TO */
    if (r < 0)
        return r;
    call_mark(ctl, true);
    long left = a->ops->migrate_pages(a->ctx, pid, from, to);
    call_mark(ctl, false);
    if (left < 0)
        return (int)left;
    long ps = sysconf(_SC_PAGESIZE);
    uint64_t left_kb = (uint64_t)left * (ps > 0 ? (uint64_t)ps : 4096) / 1024;
    *ret_moved_kb = left_kb < kb ? kb - left_kb : 0;
    return 0;
}

/* A multi-node target by whole source nodes: each source (largest first)
 * goes to the target with the most room left, if it fits there with a
 * margin for the estimate (2% and 2 MiB). Fills PAIR_TO (target per
 * source) and returns true when every source found one. */
static bool plan_node_pairs(const struct np_placement *pl, int *pair_to)
{
    if (pl->nsources == 0 || pl->nsources > NP_MAX_ROOMS)
        return false;
    uint64_t room[NP_MAX_ROOMS];
    int target[NP_MAX_ROOMS];
    unsigned ntargets = 0;
    for (int n = np_bits_next(NP_NODES(&pl->mems), 0); n >= 0 && ntargets < NP_MAX_ROOMS;
         n = np_bits_next(NP_NODES(&pl->mems), (unsigned)n + 1)) {
        target[ntargets] = n;
        room[ntargets] = UINT64_MAX;
        for (unsigned k = 0; k < pl->nrooms; k++)
            if (pl->rooms[k].node == n)
                room[ntargets] = pl->rooms[k].kb;
        ntargets++;
    }
    bool placed[NP_MAX_ROOMS] = {false};
    for (unsigned round = 0; round < pl->nsources; round++) {
        unsigned s = pl->nsources;
        for (unsigned i = 0; i < pl->nsources; i++)
            if (!placed[i] && (s == pl->nsources || pl->sources[i].kb > pl->sources[s].kb))
                s = i;
        unsigned best = ntargets;
        for (unsigned t = 0; t < ntargets; t++)
            if (best == ntargets || room[t] > room[best])
                best = t;
        uint64_t need = pl->sources[s].kb + pl->sources[s].kb / 50 + 2048;
        if (best == ntargets || room[best] < need)
            return false;
        room[best] -= need;
        pair_to[s] = target[best];
        placed[s] = true;
    }
    return true;
}

/* Moves each source node whole to its planned target (plan_node_pairs):
 * one migrate_pages per pair, paced and cancellable between calls. 0 or a
 * negative errno in RES. */
static int move_node_pairs(const struct np_actuator *a, const struct np_placement *pl,
                           const int *pair_to, const struct np_act_control *ctl,
                           struct np_act_result *res)
{
    uint64_t moved = 0;
    for (unsigned s = 0; s < pl->nsources; s++) {
        struct np_nodeset from, to;
        np_nodeset_zero(&from);
        np_nodeset_zero(&to);
        np_nodeset_set(&from, (unsigned)pl->sources[s].node);
        np_nodeset_set(&to, (unsigned)pair_to[s]);
        uint64_t kb = 0;
        int r = migrate_paced(a, pl->pid, &from, &to, pl->sources[s].kb, ctl, &kb);
        if (r < 0) {
            res->moved_kb = moved;
            res->partial = r == -ECANCELED;
            return fail(res, "migrate", r);
        }
        moved += kb;
        if (ctl && ctl->done_kb)
            atomic_store(ctl->done_kb, moved);
    }
    res->moved_kb = moved;
    res->partial = false;   /* pages migrate_pages left are not a budget matter */
    return 0;
}

int np_act_apply_memory(const struct np_actuator *a, const struct np_root *root,
                        const struct np_placement *pl, const struct np_act_control *ctl,
                        struct np_act_result *res)
{
    if (cancelled(ctl))
        return fail(res, "migrate", -ECANCELED);
    struct np_nodeset from = pl->from;
    for (unsigned i = 0; i < NP_MAX_NODES / 64; i++)
        from.w[i] &= ~pl->mems.w[i];       /* moving a node onto itself is a no-op */
    if (pl->budget_kb == 0) {
        /* The cycle's budget is spent: CPUs now, memory in a later cycle. */
        res->partial = pl->remote_kb > 0 && !np_bits_empty(NP_NODES(&from));
        return 0;
    }
    /* migrate_pages pairs source and target nodes by position (the first
     * source node's pages all go to the first target), so a process spread
     * over several target nodes would overfill one of them: move its pages
     * one by one, spread over the targets, instead. */
    bool spread = np_nodeset_count(&pl->mems) > 1 && !pl->cgroup;
    /* Under a rate limit a move bigger than a second's worth goes in
     * batches, each paced: one migrate_pages call would copy it all at the
     * kernel's speed after one long wait. */
    double rate_kb_s = ctl && ctl->pacer ? np_pacer_rate_kb_s(ctl->pacer) : 0.0;
    bool paced_batches = rate_kb_s > 0 && !pl->cgroup && (double)pl->remote_kb > rate_kb_s;
    /* On a mover thread (CTL can cancel) a move of more than a few
     * batches goes in batches too: one migrate_pages call of 300 MiB ran
     * 20 s in the guest with its progress at 0 and no way to stop it. */
    bool watched_batches = on_mover_thread(ctl) && !pl->cgroup &&
                           pl->remote_kb > NP_ACT_ONE_CALL_MAX_KB;
    bool batches = pl->remote_kb > pl->budget_kb || spread || paced_batches || watched_batches;
    if (np_bits_empty(NP_NODES(&from)) && batches)
        return 0;
    /* Several targets, each whole source node fitting one: a migrate_pages
     * per node pair is exact and runs at the kernel's full speed, where the
     * page-by-page spread ran at 0.44x a single-target move in the guest. */
    int pair_to[NP_MAX_ROOMS];
    if (spread && pl->remote_kb <= pl->budget_kb && plan_node_pairs(pl, pair_to)) {
        bool small_calls = true;
        for (unsigned s = 0; s < pl->nsources; s++)
            if (rate_kb_s > 0 && (double)pl->sources[s].kb > rate_kb_s)
                small_calls = false;
        if (small_calls)
            return move_node_pairs(a, pl, pair_to, ctl, res);
    }
    if (batches) {
        int r = move_batched(a, root, pl, &from, ctl, res);
        if (r < 0 || res->partial || spread || pl->remote_kb > pl->budget_kb)
            return r;
        /* The walk covered the writable private mappings; what else is on
         * FROM (file pages, shared mappings such as a SysV hugetlb buffer)
         * goes with one migrate_pages, as a move in one call would have
         * taken it. That call walks the whole process again however little
         * it finds: for the 1.4-1.5 MiB of file pages left by three 300 MiB
         * walks in the guest it took 0.2, 4.2 and 10.1 s of a mover thread
         * on the busy target CPU, the process local meanwhile and the move
         * shown in flight. Under 1% of the move and under 8 MiB by the
         * caller's estimate, it is skipped (the process ends at least 99%
         * local on that account). */
        uint64_t left_kb = pl->remote_kb > res->moved_kb ? pl->remote_kb - res->moved_kb : 0;
        if (left_kb < NP_ACT_SWEEP_MIN_KB && left_kb * 100 < pl->remote_kb)
            return 0;
        uint64_t swept_kb = 0;
        r = migrate_paced(a, pl->pid, &from, &pl->mems, left_kb, ctl, &swept_kb);
        if (r < 0)
            return fail(res, "migrate", r);
        res->moved_kb += swept_kb;
        if (ctl && ctl->done_kb)
            atomic_store(ctl->done_kb, res->moved_kb);
        return 0;
    }
    if (pl->cgroup) {
        /* cgroup v2 migrates the tasks' memory when cpuset.mems changes. */
        int r = write_cgroup_set(a, pl->cgroup, "cpuset.mems", NP_NODES(&pl->mems), res);
        if (r == 0)
            res->moved_kb = pl->remote_kb;
        return r;
    }
    if (np_bits_empty(NP_NODES(&from)))
        return 0;
    /* One call, paced as a whole: at most a second's worth at the rate
     * (more goes in batches above), or the cycle's budget without one. */
    int r = migrate_paced(a, pl->pid, &from, &pl->mems, pl->remote_kb, ctl, &res->moved_kb);
    if (r < 0)
        return fail(res, "migrate", r);
    if (ctl && ctl->done_kb)
        atomic_store(ctl->done_kb, res->moved_kb);
    /* Pages migrate_pages could not move (shared with other processes,
     * pinned, busy) are not a budget matter: retrying them every cycle only
     * walks the whole address space again. They count as done. */
    res->partial = false;
    return 0;
}

int np_act_apply(const struct np_actuator *a, const struct np_root *root,
                 const struct np_placement *pl, struct np_act_result *ret)
{
    memset(ret, 0, sizeof(*ret));
    if (!a || !a->ops || !root || !pl || pl->pid <= 0 || np_cpuset_count(&pl->cpus) == 0 ||
        (pl->move_memory && np_nodeset_count(&pl->mems) == 0))
        return fail(ret, "affinity", -EINVAL);

    int r;
    struct np_placement by_threads;
    if (pl->cgroup && pl->nthread_cpus)
        return fail(ret, "cgroup", -EINVAL);   /* a cpuset cannot place threads apart */
    if (pl->cgroup) {
        if (!valid_cgroup(pl->cgroup))
            return fail(ret, "cgroup", -EINVAL);
        ret->used_cgroup = true;
        r = write_cgroup_set(a, pl->cgroup, "cpuset.cpus", NP_CPUS(&pl->cpus), ret);
        if (r == -EROFS) {
            /* Nothing was changed; the same placement without the group. */
            by_threads = *pl;
            by_threads.cgroup = NULL;
            pl = &by_threads;
            memset(ret, 0, sizeof(*ret));
            ret->cgroup_error = -EROFS;
            r = apply_threads(a, root, pl, ret);
        }
    } else {
        r = apply_threads(a, root, pl, ret);
    }
    if (r < 0)
        return r;
    if (pl->move_memory)
        return np_act_apply_memory(a, root, pl, NULL, ret);
    return 0;
}

int np_act_restore(const struct np_actuator *a, const struct np_root *root, int pid,
                   const struct np_cpuset *original, size_t max_threads)
{
    if (!a || !a->ops || !root || !original || pid <= 0 || np_cpuset_count(original) == 0)
        return -EINVAL;
    int *tids;
    size_t n;
    int r = list_threads(root, pid, max_threads ? max_threads : NP_ACT_DEFAULT_MAX_THREADS,
                         &tids, &n);
    if (r < 0)
        return np_act_classify(r) == NP_ACT_GONE ? 0 : r;
    int first_error = 0;
    /* Keep going after a failure: every thread put back is one less pinned. */
    for (size_t i = 0; i < n; i++) {
        r = a->ops->set_affinity(a->ctx, tids[i], original);
        if (r < 0 && np_act_classify(r) != NP_ACT_GONE && !first_error)
            first_error = r;
    }
    free(tids);
    return first_error;
}
