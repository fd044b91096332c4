/* ledger: see ledger.h. Open addressing on pid with linear probing and
 * backward-shift deletion, so lookups stay O(1) at 10,000+ processes. */
#include "ledger.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct np_ledger {
    size_t cap;            /* power of two, >= 2 x max_entries */
    size_t count, max_entries;
    struct np_ledger_entry **slots;
};

static size_t slot_of(const struct np_ledger *l, int pid)
{
    uint32_t h = (uint32_t)pid * 2654435761u;   /* Knuth's multiplicative hash */
    return h & (l->cap - 1);
}

struct np_ledger *np_ledger_new(size_t max_entries)
{
    if (max_entries == 0 || max_entries > (1u << 24))
        return NULL;
    struct np_ledger *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->cap = 16;
    while (l->cap < 2 * max_entries)
        l->cap <<= 1;
    l->max_entries = max_entries;
    l->slots = calloc(l->cap, sizeof(*l->slots));
    if (!l->slots) {
        free(l);
        return NULL;
    }
    return l;
}

/* Frees what E owns and zeroes it (E itself stays). */
static void entry_forget(struct np_ledger_entry *e)
{
    free(e->placement);
    free(e->thread_ticks);
    np_evidence_clear(e->evidence);
    free(e->evidence);
    memset(e, 0, sizeof(*e));
}

static void entry_free(struct np_ledger_entry *e)
{
    if (e) {
        entry_forget(e);
        free(e);
    }
}

struct np_ledger *np_ledger_free(struct np_ledger *l)
{
    if (!l)
        return NULL;
    for (size_t i = 0; i < l->cap; i++)
        entry_free(l->slots[i]);
    free(l->slots);
    free(l);
    return NULL;
}

static size_t find_slot(const struct np_ledger *l, int pid)
{
    size_t i = slot_of(l, pid);
    while (l->slots[i] && l->slots[i]->pid != pid)
        i = (i + 1) & (l->cap - 1);
    return i;
}

static void remove_at(struct np_ledger *l, size_t i)
{
    entry_free(l->slots[i]);
    l->slots[i] = NULL;
    l->count--;
    /* Shift later members of the probe run back so lookups never stop early. */
    size_t j = i;
    for (;;) {
        j = (j + 1) & (l->cap - 1);
        if (!l->slots[j])
            return;
        size_t home = slot_of(l, l->slots[j]->pid);
        bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            l->slots[i] = l->slots[j];
            l->slots[j] = NULL;
            i = j;
        }
    }
}

struct np_ledger_entry *np_ledger_find_pid(struct np_ledger *l, int pid)
{
    return l->slots[find_slot(l, pid)];
}

struct np_ledger_entry *np_ledger_get(struct np_ledger *l, int pid, uint64_t start_time,
                                      bool create)
{
    size_t i = find_slot(l, pid);
    struct np_ledger_entry *e = l->slots[i];
    if (e && e->start_time == start_time)
        return e;
    if (!create)
        return NULL;
    if (e) {
        /* The PID was reused: the old process is gone, forget all of it
         * (its evidence too: found leaking by make check-asan). */
        entry_forget(e);
    } else {
        if (l->count >= l->max_entries)
            return NULL;
        e = calloc(1, sizeof(*e));
        if (!e)
            return NULL;
        l->slots[i] = e;
        l->count++;
    }
    e->pid = pid;
    e->start_time = start_time;
    return e;
}

struct np_ledger_placement *np_ledger_placement(struct np_ledger_entry *e)
{
    if (!e->placement)
        e->placement = calloc(1, sizeof(*e->placement));
    return e->placement;
}

size_t np_ledger_sweep(struct np_ledger *l, uint32_t cycle)
{
    size_t dropped = 0;
    for (size_t i = 0; i < l->cap;) {
        if (l->slots[i] && l->slots[i]->seen_cycle != cycle) {
            remove_at(l, i);   /* may pull a later entry into slot i: look again */
            dropped++;
        } else {
            i++;
        }
    }
    return dropped;
}

size_t np_ledger_count(const struct np_ledger *l) { return l->count; }

struct np_ledger_entry *np_ledger_next(struct np_ledger *l, size_t *cursor)
{
    while (*cursor < l->cap) {
        struct np_ledger_entry *e = l->slots[(*cursor)++];
        if (e)
            return e;
    }
    return NULL;
}
