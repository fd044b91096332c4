/* Unit tests for lib/mempolicy.c: np_mpol_parse on every policy form the
 * kernel's mpol_to_str prints in numa_maps (modes, =static/relative/
 * balancing flags, node lists), unknown modes, its end pointer and errors;
 * np_mpol_format, np_mpol_mode_name and np_mpol_deliberate; the summary
 * (kinds merged by identical policy, overflow into other_*, saturating kB,
 * the thread part and np_mpol_summary_take_mappings); np_mpol_decides' share
 * rule, thread rule and exact detail strings; and
 * np_mpol_read_thread on the thread numa_maps heads in
 * tests/fixtures/mempolicy. Run from the repo root. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mempolicy.h"
#include "numamaps.h"

#define FIXTURE "tests/fixtures/mempolicy"

static void assert_nodes(const struct np_nodeset *set, const char *expected)
{
    char buf[256];
    ck_assert_int_eq(np_bits_format_list(NP_NODES(set), buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, expected);
}

static struct np_mpol pol_of(const char *text)
{
    struct np_mpol p;
    ck_assert_int_eq(np_mpol_parse(text, NULL, &p), 0);
    return p;
}

static void add(struct np_mpol_summary *s, const char *text, uint64_t kb)
{
    struct np_mpol p = pol_of(text);
    np_mpol_summary_add(s, &p, kb);
}

static void add_thread(struct np_mpol_summary *s, int tid, const char *text)
{
    struct np_mpol p = pol_of(text);
    np_mpol_summary_add_thread(s, tid, &p);
}

static void assert_kind(const struct np_mpol_summary *s, unsigned i, enum np_mpol_mode mode,
                        const char *nodes, unsigned nmappings, uint64_t kb)
{
    ck_assert_uint_gt(s->nkinds, i);
    ck_assert_msg(s->kind[i].pol.mode == mode, "kind %u: mode %s, expected %s", i,
                  np_mpol_mode_name(s->kind[i].pol.mode), np_mpol_mode_name(mode));
    assert_nodes(&s->kind[i].pol.nodes, nodes);
    ck_assert_uint_eq(s->kind[i].nmappings, nmappings);
    ck_assert_uint_eq(s->kind[i].kb, kb);
}

/* np_mpol_decides(S) is EXPECT with detail DETAIL ("" when not deciding). */
static void assert_decides(const struct np_mpol_summary *s, bool expect, const char *detail)
{
    char buf[256];
    strcpy(buf, "stale");
    ck_assert_int_eq(np_mpol_decides(s, buf, sizeof(buf)), expect);
    ck_assert_str_eq(buf, detail);
}

/* ---- parse ---- */

/* Every form mpol_to_str prints: mode, optional =flags, optional :nodes. */
START_TEST(test_parse_kernel_forms)
{
    static const struct {
        const char *text;
        enum np_mpol_mode mode;
        const char *nodes;
    } cases[] = {
        { "default",                          NP_MPOL_DEFAULT,             "" },
        { "local",                            NP_MPOL_LOCAL,               "" },
        { "prefer:1",                         NP_MPOL_PREFERRED,           "1" },
        { "prefer=static:6",                  NP_MPOL_PREFERRED,           "6" },
        { "prefer=relative:0",                NP_MPOL_PREFERRED,           "0" },
        { "prefer (many):0-1",                NP_MPOL_PREFERRED_MANY,      "0-1" },
        { "prefer (many)=static|balancing:2-3", NP_MPOL_PREFERRED_MANY,    "2-3" },
        { "bind:0-1",                         NP_MPOL_BIND,                "0-1" },
        { "bind=static:2,5",                  NP_MPOL_BIND,                "2,5" },
        { "bind=relative:0",                  NP_MPOL_BIND,                "0" },
        { "bind=static|balancing:3",          NP_MPOL_BIND,                "3" },
        { "bind=relative|balancing:0-1,3",    NP_MPOL_BIND,                "0-1,3" },
        { "bind=balancing:1-2",               NP_MPOL_BIND,                "1-2" },
        { "bind:1023",                        NP_MPOL_BIND,                "1023" },
        { "bind:0-1023",                      NP_MPOL_BIND,                "0-1023" },
        { "interleave:0-3",                   NP_MPOL_INTERLEAVE,          "0-3" },
        { "interleave=relative:0-1",          NP_MPOL_INTERLEAVE,          "0-1" },
        { "interleave=static:0,2,4-7",        NP_MPOL_INTERLEAVE,          "0,2,4-7" },
        { "weighted interleave:1,3",          NP_MPOL_WEIGHTED_INTERLEAVE, "1,3" },
        { "weighted interleave=static:0-3",   NP_MPOL_WEIGHTED_INTERLEAVE, "0-3" },
        /* A flag without nodes (an empty nodemask is printed without ':'). */
        { "bind=static",                      NP_MPOL_BIND,                "" },
        { "prefer",                           NP_MPOL_PREFERRED,           "" },
        /* Nodes on a mode that places nothing are dropped. */
        { "default:0-1",                      NP_MPOL_DEFAULT,             "" },
        { "local=static:1",                   NP_MPOL_LOCAL,               "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_mpol p;
        const char *end = NULL;
        ck_assert_msg(np_mpol_parse(cases[i].text, &end, &p) == 0, "%s", cases[i].text);
        ck_assert_msg(p.mode == cases[i].mode, "%s: mode %s", cases[i].text,
                      np_mpol_mode_name(p.mode));
        assert_nodes(&p.nodes, cases[i].nodes);
        ck_assert_ptr_eq(end, cases[i].text + strlen(cases[i].text));
    }
}
END_TEST

/* Modes this code does not know parse as NP_MPOL_UNKNOWN up to the blank. */
START_TEST(test_parse_unknown_modes)
{
    static const char *const unknown[] = {
        "no-such-mode:0-3",
        "unknown",            /* what mpol_to_str prints for a mode it cannot name */
        "fancy=static:0-1",
        "preferred:1",        /* "prefer" followed by more letters */
        "bindx:0",
        "interleaved",
        "weighted",
        "prefer(many):0-1",
        "Bind:0",
        "bind;0",
    };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        struct np_mpol p;
        const char *end = NULL;
        ck_assert_msg(np_mpol_parse(unknown[i], &end, &p) == 0, "%s", unknown[i]);
        ck_assert_msg(p.mode == NP_MPOL_UNKNOWN, "%s: mode %s", unknown[i],
                      np_mpol_mode_name(p.mode));
        assert_nodes(&p.nodes, "");
        ck_assert_ptr_eq(end, unknown[i] + strlen(unknown[i]));
        ck_assert(!np_mpol_deliberate(&p));
    }
    struct np_mpol p;
    const char *s = "fancy:0-3 anon=1", *end = NULL;
    ck_assert_int_eq(np_mpol_parse(s, &end, &p), 0);
    ck_assert_int_eq(p.mode, NP_MPOL_UNKNOWN);
    ck_assert_ptr_eq(end, s + 9);
}
END_TEST

/* The policy ends at the first blank (space, tab, CR, LF) or NUL. */
START_TEST(test_parse_end)
{
    static const struct {
        const char *text;
        size_t end;
        enum np_mpol_mode mode;
        const char *nodes;
    } cases[] = {
        { "bind:0-1 file=/x mapped=1",          8,  NP_MPOL_BIND,                "0-1" },
        { "bind=static:2,5\tanon=1",            15, NP_MPOL_BIND,                "2,5" },
        { "interleave:0-3\n",                   14, NP_MPOL_INTERLEAVE,          "0-3" },
        { "interleave:0-3\r\n",                 14, NP_MPOL_INTERLEAVE,          "0-3" },
        { "default anon=1",                     7,  NP_MPOL_DEFAULT,             "" },
        { "local\n",                            5,  NP_MPOL_LOCAL,               "" },
        { "prefer (many):0-1 heap",             17, NP_MPOL_PREFERRED_MANY,      "0-1" },
        { "weighted interleave:1,3 stack",      23, NP_MPOL_WEIGHTED_INTERLEAVE, "1,3" },
        { "bind=static anon=1",                 11, NP_MPOL_BIND,                "" },
        { "prefer (many) heap",                 13, NP_MPOL_PREFERRED_MANY,      "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_mpol p;
        const char *end = NULL;
        ck_assert_msg(np_mpol_parse(cases[i].text, &end, &p) == 0, "%s", cases[i].text);
        ck_assert_int_eq(p.mode, cases[i].mode);
        assert_nodes(&p.nodes, cases[i].nodes);
        ck_assert_ptr_eq(end, cases[i].text + cases[i].end);
    }
    /* RET_END may be NULL. */
    struct np_mpol p;
    ck_assert_int_eq(np_mpol_parse("bind:1 anon=1", NULL, &p), 0);
    ck_assert_int_eq(p.mode, NP_MPOL_BIND);
    assert_nodes(&p.nodes, "1");
}
END_TEST

START_TEST(test_parse_errors)
{
    static const struct {
        const char *text;
        int err;
    } cases[] = {
        { "",                   -EINVAL },   /* nothing to parse */
        { " bind:0",            -EINVAL },   /* starts at a blank */
        { "bind:",              -EINVAL },   /* ':' with no list */
        { "bind: anon=1",       -EINVAL },
        { "bind=static:",       -EINVAL },
        { "prefer (many):\n",   -EINVAL },
        { "bind:0-1x",          -EINVAL },   /* garbage after the list */
        { "interleave:0-3:4",   -EINVAL },
        { "bind:0;1",           -EINVAL },
        { "bind:0-zz",          -EINVAL },
        { "bind:3-1",           -EINVAL },   /* reversed range */
        { "bind:-1",            -EINVAL },
        { "bind:99999999999999999999", -EINVAL },   /* beyond u64 */
        { "bind:1024",          -ERANGE },   /* NP_MAX_NODES */
        { "interleave:0-1024",  -ERANGE },
        { "prefer=static:4096", -ERANGE },
        { "weighted interleave:0,2000", -ERANGE },
    };
    ck_assert_int_eq(NP_MAX_NODES, 1024);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_mpol p;
        memset(&p, 0xa5, sizeof(p));
        ck_assert_msg(np_mpol_parse(cases[i].text, NULL, &p) == cases[i].err, "%s: %d",
                      cases[i].text, np_mpol_parse(cases[i].text, NULL, &p));
        /* *RET is never left a half-filled deliberate policy. */
        ck_assert_msg(!np_mpol_deliberate(&p), "%s: mode %s", cases[i].text,
                      np_mpol_mode_name(p.mode));
        assert_nodes(&p.nodes, "");
    }
}
END_TEST

/* The node list is taken up to 4095 bytes (the kernel prints at most ~64);
 * a longer one is -EINVAL, not read past. */
START_TEST(test_parse_overlong_list)
{
    for (size_t len = 4095; len <= 4097; len++) {
        char *s = malloc(5 + len + 1);
        ck_assert_ptr_nonnull(s);
        memcpy(s, "bind:", 5);
        for (size_t i = 0; i < len; i++)
            s[5 + i] = i % 2 ? ',' : '1';   /* "1,1,1,...": valid at any odd length */
        s[5 + len] = '\0';
        struct np_mpol p;
        int r = np_mpol_parse(s, NULL, &p);
        if (len == 4095) {
            ck_assert_int_eq(r, 0);
            ck_assert_int_eq(p.mode, NP_MPOL_BIND);
            assert_nodes(&p.nodes, "1");
        } else {
            ck_assert_int_eq(r, -EINVAL);
        }
        free(s);
    }
}
END_TEST

/* ---- names, format, deliberate ---- */

START_TEST(test_mode_names_and_deliberate)
{
    static const struct {
        enum np_mpol_mode mode;
        const char *name;
        bool deliberate;
    } cases[] = {
        { NP_MPOL_DEFAULT,             "default",             false },
        { NP_MPOL_LOCAL,               "local",               false },
        { NP_MPOL_BIND,                "bind",                true },
        { NP_MPOL_INTERLEAVE,          "interleave",          true },
        { NP_MPOL_WEIGHTED_INTERLEAVE, "weighted-interleave", true },
        { NP_MPOL_PREFERRED,           "preferred",           true },
        { NP_MPOL_PREFERRED_MANY,      "preferred-many",      true },
        { NP_MPOL_UNKNOWN,             "unknown",             false },
        { NP_MPOL_MODE_COUNT,          "unknown",             false },
        { (enum np_mpol_mode)-1,       "unknown",             false },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_mpol p = { .mode = cases[i].mode };
        np_nodeset_set(&p.nodes, 0);
        ck_assert_str_eq(np_mpol_mode_name(cases[i].mode), cases[i].name);
        ck_assert_msg(np_mpol_deliberate(&p) == cases[i].deliberate, "%s", cases[i].name);
    }
}
END_TEST

START_TEST(test_format)
{
    static const struct {
        const char *text;
        const char *formatted;
    } cases[] = {
        { "default",                        "default" },
        { "local",                          "local" },
        { "no-such-mode:0-3",               "unknown" },
        { "bind:1",                         "bind:1" },
        { "bind=static|balancing:0-1,3",    "bind:0-1,3" },
        { "interleave:0-3",                 "interleave:0-3" },
        { "weighted interleave=static:1,3", "weighted-interleave:1,3" },
        { "prefer:1",                       "preferred:1" },
        { "prefer (many):0-1",              "preferred-many:0-1" },
        { "bind=static",                    "bind" },   /* no nodes: no ':' */
        { "bind:1023",                      "bind:1023" },
    };
    char buf[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_mpol p = pol_of(cases[i].text);
        np_mpol_format(&p, buf, sizeof(buf));
        ck_assert_str_eq(buf, cases[i].formatted);
    }

    /* Nodes on a non-deliberate mode are not printed. */
    struct np_mpol p = { .mode = NP_MPOL_LOCAL };
    np_nodeset_set(&p.nodes, 2);
    np_mpol_format(&p, buf, sizeof(buf));
    ck_assert_str_eq(buf, "local");

    /* A list too long to print whole becomes "...". */
    p.mode = NP_MPOL_INTERLEAVE;
    for (unsigned n = 0; n < NP_MAX_NODES; n += 2)
        np_nodeset_set(&p.nodes, n);
    np_mpol_format(&p, buf, sizeof(buf));
    ck_assert_str_eq(buf, "interleave:...");

    /* BUF is cut, NUL-terminated. */
    p = pol_of("interleave:0-3");
    memset(buf, 'x', sizeof(buf));
    np_mpol_format(&p, buf, 6);
    ck_assert_str_eq(buf, "inter");
    ck_assert_int_eq(buf[6], 'x');
}
END_TEST

/* ---- summary ---- */

START_TEST(test_summary_add)
{
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));

    add(&s, "default", 100);
    ck_assert_uint_eq(s.nmappings, 1);
    ck_assert_uint_eq(s.total_kb, 100);
    ck_assert_uint_eq(s.nkinds, 0);

    add(&s, "local", 50);
    add(&s, "no-such-mode:0", 25);
    ck_assert_uint_eq(s.nmappings, 3);
    ck_assert_uint_eq(s.total_kb, 175);
    ck_assert_uint_eq(s.nkinds, 0);

    /* Identical policies merge, whatever their =flags; other nodes or
     * another mode on the same nodes are new kinds. */
    add(&s, "bind:0-1", 10);
    add(&s, "bind=static:0-1", 20);
    add(&s, "bind:0", 40);
    add(&s, "interleave:0", 80);
    add(&s, "bind=balancing:0-1", 1);
    ck_assert_uint_eq(s.nmappings, 8);
    ck_assert_uint_eq(s.total_kb, 175 + 10 + 20 + 40 + 80 + 1);
    ck_assert_uint_eq(s.nkinds, 3);
    assert_kind(&s, 0, NP_MPOL_BIND, "0-1", 3, 31);
    assert_kind(&s, 1, NP_MPOL_BIND, "0", 1, 40);
    assert_kind(&s, 2, NP_MPOL_INTERLEAVE, "0", 1, 80);
    ck_assert_uint_eq(s.other_mappings, 0);

    /* The fourth kind fits, further distinct ones are counted together;
     * a known kind still merges. */
    add(&s, "prefer (many):0-1", 5);
    ck_assert_uint_eq(s.nkinds, NP_MPOL_MAX_KINDS);
    add(&s, "prefer:1", 7);
    add(&s, "weighted interleave:0-1", 9);
    add(&s, "prefer:1", 11);
    add(&s, "interleave=relative:0", 3);
    add(&s, "default", 1000);
    ck_assert_uint_eq(s.nkinds, NP_MPOL_MAX_KINDS);
    assert_kind(&s, 2, NP_MPOL_INTERLEAVE, "0", 2, 83);
    assert_kind(&s, 3, NP_MPOL_PREFERRED_MANY, "0-1", 1, 5);
    ck_assert_uint_eq(s.other_mappings, 3);
    ck_assert_uint_eq(s.other_kb, 7 + 9 + 11);
    ck_assert_uint_eq(s.nmappings, 14);
    ck_assert_uint_eq(s.total_kb, 326 + 5 + 7 + 9 + 11 + 3 + 1000);
    ck_assert_uint_eq(s.nthreads_deliberate, 0);
}
END_TEST

START_TEST(test_summary_saturates)
{
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));
    add(&s, "bind:0", UINT64_MAX - 1);
    add(&s, "bind:0", 2);
    ck_assert_uint_eq(s.total_kb, UINT64_MAX);
    assert_kind(&s, 0, NP_MPOL_BIND, "0", 2, UINT64_MAX);
    add(&s, "default", UINT64_MAX);
    ck_assert_uint_eq(s.total_kb, UINT64_MAX);

    memset(&s, 0, sizeof(s));
    add(&s, "bind:0", 1);
    add(&s, "bind:1", 1);
    add(&s, "bind:2", 1);
    add(&s, "bind:3", 1);
    add(&s, "bind:4", UINT64_MAX / 2 + 1);
    add(&s, "bind:5", UINT64_MAX / 2 + 1);
    ck_assert_uint_eq(s.other_mappings, 2);
    ck_assert_uint_eq(s.other_kb, UINT64_MAX);
    ck_assert_uint_eq(s.total_kb, UINT64_MAX);
}
END_TEST

START_TEST(test_summary_threads)
{
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));
    add_thread(&s, 11, "default");
    add_thread(&s, 12, "local");
    add_thread(&s, 13, "no-such-mode:1");
    ck_assert_uint_eq(s.nthreads_deliberate, 0);
    ck_assert_int_eq(s.thread_tid, 0);

    add_thread(&s, 14, "interleave:0-3");
    add_thread(&s, 15, "bind:1");
    add_thread(&s, 16, "default");
    add_thread(&s, 17, "prefer:0");
    ck_assert_uint_eq(s.nthreads_deliberate, 3);
    ck_assert_int_eq(s.thread_tid, 14);   /* the first one found is named */
    ck_assert_int_eq(s.thread_pol.mode, NP_MPOL_INTERLEAVE);
    assert_nodes(&s.thread_pol.nodes, "0-3");
    /* The mapping part is untouched. */
    ck_assert_uint_eq(s.nmappings, 0);
    ck_assert_uint_eq(s.nkinds, 0);
}
END_TEST

START_TEST(test_summary_take_mappings)
{
    struct np_mpol_summary to, from;
    memset(&to, 0, sizeof(to));
    memset(&from, 0, sizeof(from));
    add(&to, "interleave:0", 999);
    add_thread(&to, 21, "bind:1");
    add_thread(&to, 22, "bind:0");
    add(&from, "prefer:1", 64);
    add(&from, "default", 4032);
    add_thread(&from, 31, "interleave:0-1");   /* FROM's thread part is not taken */

    np_mpol_summary_take_mappings(&to, &from);
    ck_assert_uint_eq(to.nmappings, 2);
    ck_assert_uint_eq(to.total_kb, 4096);
    ck_assert_uint_eq(to.nkinds, 1);
    assert_kind(&to, 0, NP_MPOL_PREFERRED, "1", 1, 64);
    ck_assert_uint_eq(to.nthreads_deliberate, 2);
    ck_assert_int_eq(to.thread_tid, 21);
    ck_assert_int_eq(to.thread_pol.mode, NP_MPOL_BIND);
    assert_nodes(&to.thread_pol.nodes, "1");

    /* From a summary never read: the mapping part becomes unknown again. */
    struct np_mpol_summary none;
    memset(&none, 0, sizeof(none));
    np_mpol_summary_take_mappings(&to, &none);
    ck_assert_uint_eq(to.nmappings, 0);
    ck_assert_uint_eq(to.nkinds, 0);
    ck_assert_uint_eq(to.nthreads_deliberate, 2);
    ck_assert_int_eq(to.thread_tid, 21);
}
END_TEST

/* ---- decides ---- */

START_TEST(test_decides_nothing)
{
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));
    assert_decides(&s, false, "");
    add(&s, "default", 4096);
    add(&s, "local", 4096);
    add(&s, "no-such-mode:0-1", 4096);
    add_thread(&s, 5, "local");
    assert_decides(&s, false, "");
}
END_TEST

/* A policy counts from 1/64 of the resident memory up. */
START_TEST(test_decides_share)
{
    ck_assert_int_eq(NP_MPOL_SHARE_DIV, 64);
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));
    add(&s, "bind:1", 100);
    add(&s, "default", 6300);   /* total 6400: 100 is exactly 1/64 */
    assert_decides(&s, true, "memory policy bind:1 on 1 of 2 mappings, 100 KiB");

    memset(&s, 0, sizeof(s));
    add(&s, "bind:1", 99);
    add(&s, "default", 6301);   /* one kB below */
    assert_decides(&s, false, "");

    /* Several kinds add up: 50 + 50 of 6400 counts, 50 alone would not. */
    memset(&s, 0, sizeof(s));
    add(&s, "bind:1", 50);
    add(&s, "interleave:0-1", 50);
    add(&s, "default", 6300);
    assert_decides(&s, true, "memory policy bind:1 and others on 2 of 3 mappings, 100 KiB");

    /* A total not divisible by 64: 2 of 127 counts (128 >= 127), 1 not. */
    memset(&s, 0, sizeof(s));
    add(&s, "prefer:0", 2);
    add(&s, "default", 125);
    assert_decides(&s, true, "memory policy preferred:0 on 1 of 2 mappings, 2 KiB");
    memset(&s, 0, sizeof(s));
    add(&s, "prefer:0", 1);
    add(&s, "default", 126);
    assert_decides(&s, false, "");

    /* Nothing resident yet: a deliberate mapping counts. */
    memset(&s, 0, sizeof(s));
    add(&s, "interleave:0-3", 0);
    add(&s, "default", 0);
    assert_decides(&s, true, "memory policy interleave:0-3 on 1 of 2 mappings, 0 KiB");
    /* ... but its being empty does not count when others are resident. */
    add(&s, "default", 1);
    assert_decides(&s, false, "");
}
END_TEST

START_TEST(test_decides_thread)
{
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));
    /* A 2 MiB mbind in a 100 GiB process does not count, a thread does. */
    add(&s, "bind:0", 2048);
    add(&s, "default", 100ull * 1024 * 1024);
    assert_decides(&s, false, "");
    add_thread(&s, 4243, "prefer (many):0-1");
    assert_decides(&s, true, "memory policy preferred-many:0-1 of thread 4243");
    add_thread(&s, 4244, "bind:1");
    assert_decides(&s, true, "memory policy preferred-many:0-1 of thread 4243 (and 1 more thread)");
    add_thread(&s, 4245, "default");
    add_thread(&s, 4246, "interleave:0-3");
    assert_decides(&s, true, "memory policy preferred-many:0-1 of thread 4243 (and 2 more threads)");

    /* Mappings never read: the thread still counts. */
    memset(&s, 0, sizeof(s));
    add_thread(&s, 7, "weighted interleave:1,3");
    assert_decides(&s, true, "memory policy weighted-interleave:1,3 of thread 7");

    /* When the mappings decide, they are what the detail names. */
    add(&s, "bind:1", 4096);
    assert_decides(&s, true, "memory policy bind:1 on 1 of 1 mappings, 4 MiB");
}
END_TEST

START_TEST(test_decides_detail)
{
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));
    /* The largest kind is named (the first on a tie), the size is all
     * policy-covered memory. */
    add(&s, "bind:0", 300);
    add(&s, "interleave:0-3", 409600);
    add(&s, "interleave=static:0-3", 100);
    add(&s, "default", 1000);
    assert_decides(&s, true, "memory policy interleave:0-3 and others on 3 of 4 mappings, 400 MiB");

    memset(&s, 0, sizeof(s));
    add(&s, "prefer:2", 5000);
    add(&s, "bind:0-1", 5000);
    assert_decides(&s, true, "memory policy preferred:2 and others on 2 of 2 mappings, 10 MiB");

    /* Kinds full plus others: "and others", the others' mappings and kB in. */
    memset(&s, 0, sizeof(s));
    add(&s, "bind:0", 1024);
    add(&s, "bind:1", 1024);
    add(&s, "bind:2", 4096);
    add(&s, "bind:3", 1024);
    add(&s, "bind:4", 1024);
    add(&s, "bind:5", 1024);
    assert_decides(&s, true, "memory policy bind:2 and others on 6 of 6 mappings, 9 MiB");

    /* Only the fifth and later kinds hold memory: no kind is named, since
     * the one that would be holds none of it. */
    memset(&s, 0, sizeof(s));
    add(&s, "bind:0", 0);
    add(&s, "bind:1", 0);
    add(&s, "bind:2", 0);
    add(&s, "bind:3", 0);
    add(&s, "interleave:0-3", 8192);
    assert_decides(&s, true, "memory policies of more than 4 kinds on 5 of 5 mappings, 8 MiB");

    /* kB, MiB below 10 GiB, GiB from 10 GiB. */
    static const struct {
        uint64_t kb;
        const char *size;
    } sizes[] = {
        { 1023, "1023 KiB" },
        { 1024, "1 MiB" },
        { 1535, "1 MiB" },
        { 1537, "2 MiB" },
        { 10ull * 1024 * 1024 - 1024, "10239 MiB" },
        { 10ull * 1024 * 1024, "10 GiB" },
        { 1024ull * 1024 * 1024, "1024 GiB" },
    };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char want[128];
        memset(&s, 0, sizeof(s));
        add(&s, "bind:1", sizes[i].kb);
        snprintf(want, sizeof(want), "memory policy bind:1 on 1 of 1 mappings, %s", sizes[i].size);
        assert_decides(&s, true, want);
    }

    /* DETAIL may be NULL or short. */
    ck_assert(np_mpol_decides(&s, NULL, 0));
    char small[10];
    memset(small, 'x', sizeof(small));
    ck_assert(np_mpol_decides(&s, small, sizeof(small)));
    ck_assert_str_eq(small, "memory po");
    memset(&s, 0, sizeof(s));
    add_thread(&s, 3, "bind:0");
    memset(small, 'x', sizeof(small));
    ck_assert(np_mpol_decides(&s, small, sizeof(small)));
    ck_assert_str_eq(small, "memory po");
}
END_TEST

/* kB * 64 would wrap past 2^58 kB: the rule must not. */
START_TEST(test_decides_huge_numbers)
{
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));
    add(&s, "bind:0", 1ull << 58);                  /* * 64 wraps to 0 */
    add(&s, "default", UINT64_MAX - (1ull << 58));
    ck_assert_uint_eq(s.total_kb, UINT64_MAX);
    assert_decides(&s, true, "memory policy bind:0 on 1 of 2 mappings, 274877906944 GiB");

    /* Just below 1/64 of UINT64_MAX does not count. */
    memset(&s, 0, sizeof(s));
    add(&s, "bind:0", UINT64_MAX / 64 - 1);
    add(&s, "default", UINT64_MAX - (UINT64_MAX / 64 - 1));
    ck_assert_uint_eq(s.total_kb, UINT64_MAX);
    assert_decides(&s, false, "");

    /* Kinds whose sum saturates. */
    memset(&s, 0, sizeof(s));
    add(&s, "bind:0", UINT64_MAX / 2 + 1);
    add(&s, "bind:1", UINT64_MAX / 2 + 1);
    add(&s, "bind:2", UINT64_MAX);
    assert_decides(&s, true,
                   "memory policy bind:2 and others on 3 of 3 mappings, 17592186044416 GiB");
}
END_TEST

/* ---- read_thread ---- */

START_TEST(test_read_thread)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open(FIXTURE, &root), 0);
    static const struct {
        int tid;
        int ret;
        enum np_mpol_mode mode;
        const char *nodes;
    } cases[] = {
        { 300, 0,        NP_MPOL_DEFAULT,             "" },
        { 301, 0,        NP_MPOL_INTERLEAVE,          "0-3" },
        { 302, 0,        NP_MPOL_PREFERRED,           "1" },
        { 303, -ENODATA, 0,                           "" },      /* empty file */
        { 304, -EINVAL,  0,                           "" },      /* no address first */
        { 305, 0,        NP_MPOL_BIND,                "0-1" },   /* 217-byte first line */
        { 306, 0,        NP_MPOL_WEIGHTED_INTERLEAVE, "1,3" },
        { 307, 0,        NP_MPOL_DEFAULT,             "" },      /* only the first line counts */
        { 308, -EINVAL,  0,                           "" },      /* bind:0-zz */
        { 309, -ERANGE,  0,                           "" },      /* interleave:0,1024 */
        { 310, 0,        NP_MPOL_PREFERRED_MANY,      "0-1" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_mpol p;
        memset(&p, 0xa5, sizeof(p));
        int r = np_mpol_read_thread(&root, 300, cases[i].tid, &p);
        ck_assert_msg(r == cases[i].ret, "tid %d: %d", cases[i].tid, r);
        if (r == 0) {
            ck_assert_msg(p.mode == cases[i].mode, "tid %d: mode %s", cases[i].tid,
                          np_mpol_mode_name(p.mode));
            assert_nodes(&p.nodes, cases[i].nodes);
        }
    }
    struct np_mpol p;
    ck_assert_int_eq(np_mpol_read_thread(&root, 300, 399, &p), -ENOENT);   /* thread gone */
    ck_assert_int_eq(np_mpol_read_thread(&root, 301, 301, &p), -ENOENT);   /* process gone */
    np_root_close(&root);
}
END_TEST

/* The summary a daemon builds for a process from its threads' heads. */
START_TEST(test_read_threads_into_summary)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open(FIXTURE, &root), 0);
    struct np_mpol_summary s;
    memset(&s, 0, sizeof(s));
    add(&s, "default", 1 << 20);
    for (int tid = 300; tid <= 310; tid++) {
        struct np_mpol p;
        if (np_mpol_read_thread(&root, 300, tid, &p) == 0)
            np_mpol_summary_add_thread(&s, tid, &p);
    }
    /* 301 interleave, 302 prefer, 305 bind, 306 weighted, 310 prefer (many). */
    ck_assert_uint_eq(s.nthreads_deliberate, 5);
    assert_decides(&s, true, "memory policy interleave:0-3 of thread 301 (and 4 more threads)");
    np_root_close(&root);
}
END_TEST

/* What the 4-node guest's kernel (Debian 6.1) printed for the mempolicy
 * scenario's processes (tests/fixtures/mempolicy-guest, lines copied from
 * the scenario's log): numactl --interleave=all (197), numactl
 * --preferred=1 (238), an mbind()ed interleave buffer beside default
 * memory (283), and a thread's own set_mempolicy (340, thread 357). */
START_TEST(test_guest_policy_lines)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open("tests/fixtures/mempolicy-guest", &root), 0);
    static const struct {
        int pid;
        const char *detail;
    } procs[] = {
        { 197, "memory policy interleave:0-3 on 3 of 3 mappings, 12 KiB" },
        { 238, "memory policy preferred:1 on 3 of 3 mappings, 12 KiB" },
        { 283, "memory policy interleave:0-3 on 1 of 2 mappings, 200 MiB" },
    };
    for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
        struct np_numa_maps m;
        ck_assert_int_eq(np_numa_maps_read(&root, procs[i].pid, 1 << 20, &m), 0);
        char detail[256];
        ck_assert(np_mpol_decides(&m.mpol, detail, sizeof(detail)));
        ck_assert_str_eq(detail, procs[i].detail);
        np_numa_maps_clear(&m);
    }
    struct np_mpol pol;
    ck_assert_int_eq(np_mpol_read_thread(&root, 340, 357, &pol), 0);
    ck_assert_int_eq(pol.mode, NP_MPOL_INTERLEAVE);
    assert_nodes(&pol.nodes, "0-3");
    ck_assert_int_eq(np_mpol_read_thread(&root, 340, 358, &pol), 0);
    ck_assert_int_eq(pol.mode, NP_MPOL_DEFAULT);
    ck_assert_int_eq(np_mpol_read_thread(&root, 340, 340, &pol), 0);
    ck_assert_int_eq(pol.mode, NP_MPOL_DEFAULT);
    np_root_close(&root);
}
END_TEST

static Suite *mempolicy_suite(void)
{
    Suite *s = suite_create("mempolicy");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_kernel_forms);
    tcase_add_test(tc, test_parse_unknown_modes);
    tcase_add_test(tc, test_parse_end);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_parse_overlong_list);
    tcase_add_test(tc, test_mode_names_and_deliberate);
    tcase_add_test(tc, test_format);
    suite_add_tcase(s, tc);

    tc = tcase_create("summary");
    tcase_add_test(tc, test_summary_add);
    tcase_add_test(tc, test_summary_saturates);
    tcase_add_test(tc, test_summary_threads);
    tcase_add_test(tc, test_summary_take_mappings);
    tcase_add_test(tc, test_decides_nothing);
    tcase_add_test(tc, test_decides_share);
    tcase_add_test(tc, test_decides_thread);
    tcase_add_test(tc, test_decides_detail);
    tcase_add_test(tc, test_decides_huge_numbers);
    suite_add_tcase(s, tc);

    tc = tcase_create("read");
    tcase_add_test(tc, test_read_thread);
    tcase_add_test(tc, test_read_threads_into_summary);
    tcase_add_test(tc, test_guest_policy_lines);
    suite_add_tcase(s, tc);
    return s;
}


int main(void)
{
    SRunner *sr = srunner_create(mempolicy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
