/* Unit tests for lib/numamaps.c: real numa_maps from this one-node host
 * (every policy form the kernel prints, an escaped path with spaces, THP) and
 * hand-made multi-node samples in tests/fixtures/numa_maps, plus the
 * procs-hostile hugetlb and bind processes. The memory-policy summary the
 * parser fills (struct np_mpol_summary, one np_mpol_summary_add per mapping)
 * is checked kind by kind; lib/mempolicy.c itself is covered by
 * test_mempolicy.c. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "numamaps.h"

#define NM_DIR  "tests/fixtures/numa_maps"
#define HOST    "tests/fixtures/procs-host"
#define HOSTILE "tests/fixtures/procs-hostile"

static int parse_fixture(const char *name, struct np_numa_maps *m)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open(NM_DIR, &root), 0);
    char *text;
    size_t len;
    ck_assert_int_eq(np_read_file_alloc(&root, name, 1 << 20, &text, &len), 0);
    np_root_close(&root);
    int r = np_numa_maps_parse(text, len, m);
    free(text);
    return r;
}

static int parse_str(const char *text, struct np_numa_maps *m)
{
    return np_numa_maps_parse(text, strlen(text), m);
}

static void assert_nodes(const struct np_nodeset *set, const char *expected)
{
    char buf[256];
    ck_assert_int_eq(np_bits_format_list(NP_NODES(set), buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, expected);
}

/* Kind I of M's policy summary is MODE on NODES, over NMAPPINGS mappings
 * holding KB. */
static void assert_kind(const struct np_numa_maps *m, unsigned i, enum np_mpol_mode mode,
                        const char *nodes, unsigned nmappings, uint64_t kb)
{
    ck_assert_uint_gt(m->mpol.nkinds, i);
    const struct np_mpol_kind *k = &m->mpol.kind[i];
    ck_assert_msg(k->pol.mode == mode, "kind %u: mode %s, expected %s", i,
                  np_mpol_mode_name(k->pol.mode), np_mpol_mode_name(mode));
    assert_nodes(&k->pol.nodes, nodes);
    ck_assert_uint_eq(k->nmappings, nmappings);
    ck_assert_uint_eq(k->kb, kb);
}

/* M's policy summary covers NMAPPINGS mappings holding KB, with NKINDS
 * deliberate kinds and OTHER_MAPPINGS/OTHER_KB beyond them, no thread part. */
static void assert_summary(const struct np_numa_maps *m, unsigned nmappings, uint64_t kb,
                           unsigned nkinds, unsigned other_mappings, uint64_t other_kb)
{
    ck_assert_uint_eq(m->mpol.nmappings, nmappings);
    ck_assert_uint_eq(m->mpol.total_kb, kb);
    ck_assert_uint_eq(m->mpol.nkinds, nkinds);
    ck_assert_uint_eq(m->mpol.other_mappings, other_mappings);
    ck_assert_uint_eq(m->mpol.other_kb, other_kb);
    ck_assert_uint_eq(m->mpol.nthreads_deliberate, 0);
}

static void assert_node(const struct np_numa_maps *m, int id, uint64_t anon_kb, uint64_t file_kb)
{
    ck_assert_uint_gt(m->nslots, (unsigned)id);
    ck_assert_uint_eq(m->node[id].anon_kb, anon_kb);
    ck_assert_uint_eq(m->node[id].file_kb, file_kb);
}

START_TEST(test_real_policies)
{
    struct np_numa_maps m;
    ck_assert_int_eq(parse_fixture("real-policies.txt", &m), 0);
    ck_assert_uint_eq(m.nmappings, 36);
    ck_assert_uint_eq(m.nslots, 1);
    ck_assert_uint_eq(m.nhuge, 0);
    assert_node(&m, 0, 4280, 1540);
    ck_assert_uint_eq(m.total_kb, 5820);
    ck_assert_uint_eq(np_numa_maps_node_kb(&m, 0), 5820);
    /* Kinds in order of first appearance, merged by identical policy (the
     * =flags do not count); "local" and "default" are no kind; the fifth
     * distinct policy (prefer (many):0) goes to other_*. */
    assert_summary(&m, 36, 5820, NP_MPOL_MAX_KINDS, 1, 8);
    assert_kind(&m, 0, NP_MPOL_BIND, "0", 3, 24);          /* =balancing, =static, plain */
    assert_kind(&m, 1, NP_MPOL_PREFERRED, "0", 2, 16);     /* =static, plain */
    assert_kind(&m, 2, NP_MPOL_INTERLEAVE, "0", 2, 16);    /* =relative, plain */
    assert_kind(&m, 3, NP_MPOL_WEIGHTED_INTERLEAVE, "0", 1, 8);
    ck_assert(!m.sampled);
    np_numa_maps_clear(&m);
    ck_assert_ptr_null(m.node);
    ck_assert_uint_eq(m.nslots, 0);
}
END_TEST

START_TEST(test_multinode)
{
    struct np_numa_maps m;
    ck_assert_int_eq(parse_fixture("multinode-4.txt", &m), 0);
    ck_assert_uint_eq(m.nmappings, 16);
    ck_assert_uint_eq(m.nslots, 4);
    ck_assert_uint_eq(m.nhuge, 2);
    ck_assert_uint_eq(m.huge_page_kb[0], 2048);
    ck_assert_uint_eq(m.huge_page_kb[1], 1048576);

    assert_node(&m, 0, 274568, 160);
    assert_node(&m, 1, 274300, 200);
    assert_node(&m, 2, 264192, 416);   /* "/srv/data/my huge file.db" is not hugetlb */
    assert_node(&m, 3, 264592, 144);
    ck_assert_uint_eq(m.node[0].huge_kb[0], 6144);
    ck_assert_uint_eq(m.node[0].huge_kb[1], 0);
    ck_assert_uint_eq(m.node[1].huge_kb[0], 0);
    ck_assert_uint_eq(m.node[1].huge_kb[1], 2097152);
    ck_assert_uint_eq(m.node[2].huge_kb[0], 8192);
    ck_assert_uint_eq(m.node[3].huge_kb[0], 14336);   /* raw-space path then "huge" */
    ck_assert_uint_eq(np_numa_maps_node_huge_kb(&m, 3, 2048), 14336);
    ck_assert_uint_eq(np_numa_maps_node_huge_kb(&m, 1, 1048576), 2097152);
    ck_assert_uint_eq(np_numa_maps_node_huge_kb(&m, 1, 2048), 0);
    ck_assert_uint_eq(np_numa_maps_node_huge_kb(&m, 1, 64), 0);

    ck_assert_uint_eq(np_numa_maps_node_kb(&m, 0), 280872);
    ck_assert_uint_eq(np_numa_maps_node_kb(&m, 1), 2371652);
    ck_assert_uint_eq(np_numa_maps_node_kb(&m, 2), 272800);
    ck_assert_uint_eq(np_numa_maps_node_kb(&m, 3), 279072);
    ck_assert_uint_eq(m.total_kb, 3204396);
    ck_assert_uint_eq(np_numa_maps_node_kb(&m, 4), 0);
    ck_assert_uint_eq(np_numa_maps_node_kb(&m, -1), 0);
    ck_assert_uint_eq(np_numa_maps_node_huge_kb(&m, 9, 2048), 0);

    /* Four kinds by first appearance, each with its resident kB (hugetlb
     * pages counted at their size); then prefer (many):0-1 (4096),
     * bind=static:0-1 (40: not the same nodes as bind:2-3),
     * interleave=relative:0-1 (24) and bind=static|balancing:1-2 (120)
     * find no free kind. local, default and the empty mapping are no kind. */
    assert_summary(&m, 16, 3204396, NP_MPOL_MAX_KINDS, 4, 4096 + 40 + 24 + 120);
    assert_kind(&m, 0, NP_MPOL_INTERLEAVE, "0-3", 1, 1048576);
    assert_kind(&m, 1, NP_MPOL_WEIGHTED_INTERLEAVE, "0-3", 1, 16384);
    assert_kind(&m, 2, NP_MPOL_BIND, "2-3", 1, 16384);
    assert_kind(&m, 3, NP_MPOL_PREFERRED, "1", 1, 2097152);
    np_numa_maps_clear(&m);
}
END_TEST

/* Each policy form alone: mode and nodes exactly, as the parser stores the
 * mapping in the summary (deliberate ones as a kind, others as no kind) and
 * as np_mpol_parse reads the policy word itself. */
START_TEST(test_policy_forms)
{
    static const struct {
        const char *policy;
        enum np_mpol_mode mode;
        const char *nodes;
    } cases[] = {
        { "default",                   NP_MPOL_DEFAULT,             "" },
        { "local",                     NP_MPOL_LOCAL,               "" },
        { "bind:0-1",                  NP_MPOL_BIND,                "0-1" },
        { "bind=static:2,5",           NP_MPOL_BIND,                "2,5" },
        { "bind=static|balancing:3",   NP_MPOL_BIND,                "3" },
        { "bind=balancing:1-2",        NP_MPOL_BIND,                "1-2" },
        { "interleave:0-3",            NP_MPOL_INTERLEAVE,          "0-3" },
        { "interleave=relative:0-1",   NP_MPOL_INTERLEAVE,          "0-1" },
        { "weighted interleave:1,3",   NP_MPOL_WEIGHTED_INTERLEAVE, "1,3" },
        { "prefer:1",                  NP_MPOL_PREFERRED,           "1" },
        { "prefer=static:6",           NP_MPOL_PREFERRED,           "6" },
        { "prefer (many):0-1",         NP_MPOL_PREFERRED_MANY,      "0-1" },
        { "prefer (many)=static:2-3",  NP_MPOL_PREFERRED_MANY,      "2-3" },
        { "bind:1023",                 NP_MPOL_BIND,                "1023" },
        { "no-such-mode:0-3",          NP_MPOL_UNKNOWN,             "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char line[256];
        struct np_numa_maps m;
        snprintf(line, sizeof(line), "7f0000000000 %s anon=2 dirty=2 N0=2 kernelpagesize_kB=4\n",
                 cases[i].policy);
        ck_assert_int_eq(parse_str(line, &m), 0);
        ck_assert_uint_eq(m.nmappings, 1);
        ck_assert_uint_eq(m.node[0].anon_kb, 8);   /* tokens after the policy still parsed */

        struct np_mpol pol;
        const char *end;
        ck_assert_int_eq(np_mpol_parse(cases[i].policy, &end, &pol), 0);
        ck_assert_msg(pol.mode == cases[i].mode, "%s: mode %s", cases[i].policy,
                      np_mpol_mode_name(pol.mode));
        assert_nodes(&pol.nodes, cases[i].nodes);
        ck_assert_ptr_eq(end, cases[i].policy + strlen(cases[i].policy));

        if (np_mpol_deliberate(&pol)) {
            assert_summary(&m, 1, 8, 1, 0, 0);
            assert_kind(&m, 0, cases[i].mode, cases[i].nodes, 1, 8);
        } else {
            ck_assert_msg(cases[i].mode == NP_MPOL_DEFAULT || cases[i].mode == NP_MPOL_LOCAL ||
                          cases[i].mode == NP_MPOL_UNKNOWN, "%s taken as incidental",
                          cases[i].policy);
            assert_summary(&m, 1, 8, 0, 0, 0);
        }
        np_numa_maps_clear(&m);
    }

    /* A policy-only line (no pages) still counts and still names its nodes. */
    struct np_numa_maps m;
    ck_assert_int_eq(parse_str("7f0000000000 interleave:4-5\n", &m), 0);
    ck_assert_uint_eq(m.nmappings, 1);
    ck_assert_uint_eq(m.nslots, 0);
    ck_assert_uint_eq(m.total_kb, 0);
    assert_summary(&m, 1, 0, 1, 0, 0);
    assert_kind(&m, 0, NP_MPOL_INTERLEAVE, "4-5", 1, 0);
    np_numa_maps_clear(&m);
}
END_TEST

START_TEST(test_malformed_lines_skipped)
{
    struct np_numa_maps m;
    ck_assert_int_eq(parse_fixture("malformed.txt", &m), 0);
    ck_assert_uint_eq(m.nmappings, 3);
    ck_assert_uint_eq(m.nslots, 3);
    assert_node(&m, 0, 16, 0);
    assert_node(&m, 1, 8, 0);
    assert_node(&m, 2, 0, 12);   /* last line has no '\n' */
    ck_assert_uint_eq(m.total_kb, 36);
    /* fancy-new-mode:0-3 is unknown, not deliberate; bind:0-zz was skipped. */
    assert_summary(&m, 3, 36, 0, 0, 0);
    np_numa_maps_clear(&m);
}
END_TEST

START_TEST(test_long_lines)
{
    struct np_numa_maps m;
    ck_assert_int_eq(parse_fixture("long-line.txt", &m), 0);
    ck_assert_uint_eq(m.nmappings, 2);   /* the 70 KiB line is skipped */
    assert_node(&m, 0, 28, 20);
    np_numa_maps_clear(&m);

    /* Exactly 64 KiB is still accepted, one byte more is not. */
    const char *head = "7f0000000000 default file=/";
    const char *tail = " mapped=3 N1=3 kernelpagesize_kB=4";
    size_t fixed = strlen(head) + strlen(tail);
    for (size_t extra = 0; extra <= 1; extra++) {
        size_t line_len = 64 * 1024 + extra;
        char *text = malloc(line_len + 2);
        ck_assert_ptr_nonnull(text);
        memcpy(text, head, strlen(head));
        memset(text + strlen(head), 'p', line_len - fixed);
        memcpy(text + line_len - strlen(tail), tail, strlen(tail));
        text[line_len] = '\n';
        text[line_len + 1] = '\0';
        ck_assert_int_eq(parse_str(text, &m), 0);
        ck_assert_uint_eq(m.nmappings, extra ? 0 : 1);
        ck_assert_uint_eq(m.total_kb, extra ? 0 : 12);
        np_numa_maps_clear(&m);
        free(text);
    }
}
END_TEST

START_TEST(test_node_range)
{
    struct np_numa_maps m;
    ck_assert_int_eq(parse_str("7f0000000000 default anon=1 N1023=1 kernelpagesize_kB=4\n", &m), 0);
    ck_assert_uint_eq(m.nslots, 1024);
    ck_assert_uint_eq(m.node[1023].anon_kb, 4);
    ck_assert_uint_eq(m.node[0].anon_kb, 0);
    ck_assert_uint_eq(np_numa_maps_node_kb(&m, 1023), 4);
    np_numa_maps_clear(&m);

    static const char *bad[] = {
        "7f0000000000 default anon=1 N0=1 kernelpagesize_kB=4\n"
        "7f0000001000 default anon=1 N1024=1 kernelpagesize_kB=4\n",
        "7f0000000000 default anon=1 N99999999999999999999999=1 kernelpagesize_kB=4\n",
        "7f0000000000 bind:1024 anon=1 N0=1 kernelpagesize_kB=4\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(parse_str(bad[i], &m), -ERANGE);
        /* Initialised and empty: safe to clear, nothing half-filled. */
        ck_assert_ptr_null(m.node);
        ck_assert_uint_eq(m.nslots, 0);
        ck_assert_uint_eq(m.nmappings, 0);
        ck_assert_uint_eq(m.total_kb, 0);
        ck_assert_uint_eq(m.mpol.nmappings, 0);
        ck_assert_uint_eq(m.mpol.nkinds, 0);
        np_numa_maps_clear(&m);
    }
}
END_TEST

START_TEST(test_huge_sizes_sorted_and_bounded)
{
    const char *text =
        "7f0000000000 default file=/anon_hugepage\\040(deleted) huge anon=1 N1=1 kernelpagesize_kB=1048576\n"
        "7f0040000000 default file=/anon_hugepage\\040(deleted) huge anon=3 N0=3 kernelpagesize_kB=64\n"
        "7f0080000000 default file=/anon_hugepage\\040(deleted) huge anon=2 N1=2 kernelpagesize_kB=2048\n"
        "7f00c0000000 default file=/anon_hugepage\\040(deleted) huge anon=1 N0=1 kernelpagesize_kB=16777216\n"
        "7f0100000000 default file=/anon_hugepage\\040(deleted) huge anon=5 N0=5 kernelpagesize_kB=32768\n"
        "7f0140000000 default file=/anon_hugepage\\040(deleted) huge anon=1 N0=1 kernelpagesize_kB=2048\n";
    struct np_numa_maps m;
    ck_assert_int_eq(parse_str(text, &m), 0);
    ck_assert_uint_eq(m.nmappings, 6);
    ck_assert_uint_eq(m.nhuge, NP_MAX_HUGE_SIZES);
    ck_assert_uint_eq(m.huge_page_kb[0], 64);
    ck_assert_uint_eq(m.huge_page_kb[1], 2048);
    ck_assert_uint_eq(m.huge_page_kb[2], 1048576);
    ck_assert_uint_eq(m.huge_page_kb[3], 16777216);
    /* Slots moved with their sizes when smaller sizes were inserted. */
    ck_assert_uint_eq(m.node[1].huge_kb[2], 1048576);
    ck_assert_uint_eq(m.node[1].huge_kb[1], 4096);
    ck_assert_uint_eq(m.node[0].huge_kb[0], 192);
    ck_assert_uint_eq(m.node[0].huge_kb[1], 2048);
    ck_assert_uint_eq(m.node[0].huge_kb[3], 16777216);
    /* The fifth size (32 MiB) had no slot: not counted anywhere. */
    ck_assert_uint_eq(np_numa_maps_node_huge_kb(&m, 0, 32768), 0);
    ck_assert_uint_eq(m.total_kb, 192 + 2048 + 16777216 + 4096 + 1048576);
    ck_assert_uint_eq(m.node[0].anon_kb, 0);
    np_numa_maps_clear(&m);
}
END_TEST

START_TEST(test_len_bound)
{
    /* LEN ends inside the second line: it has no page size there, so it is
     * skipped, and nothing past LEN is read. */
    const char *full = "7f0000000000 default anon=1 N0=1 kernelpagesize_kB=4\n"
                       "7f0000001000 default anon=5 N0=5 kernelpagesize_kB=4\n";
    size_t len = strlen(full) - 20;
    char *exact = malloc(len);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, full, len);
    struct np_numa_maps m;
    ck_assert_int_eq(np_numa_maps_parse(exact, len, &m), 0);
    ck_assert_uint_eq(m.nmappings, 1);
    ck_assert_uint_eq(m.total_kb, 4);
    np_numa_maps_clear(&m);
    free(exact);

    ck_assert_int_eq(np_numa_maps_parse("", 0, &m), 0);
    ck_assert_uint_eq(m.nmappings, 0);
    ck_assert_ptr_null(m.node);
    np_numa_maps_clear(&m);
}
END_TEST

START_TEST(test_read_hostile_processes)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open(HOSTILE, &root), 0);
    struct np_numa_maps m;

    /* hugetlb on two nodes */
    ck_assert_int_eq(np_numa_maps_read(&root, 1044, 1 << 20, &m), 0);
    ck_assert_uint_eq(m.nmappings, 5);
    ck_assert_uint_eq(m.nhuge, 1);
    ck_assert_uint_eq(m.huge_page_kb[0], 2048);
    ck_assert_uint_eq(np_numa_maps_node_huge_kb(&m, 0, 2048), 4096);
    ck_assert_uint_eq(np_numa_maps_node_huge_kb(&m, 1, 2048), 8192);
    assert_node(&m, 0, 152, 40);
    assert_node(&m, 1, 80, 0);
    ck_assert_uint_eq(m.total_kb, 12288 + 152 + 40 + 80);
    assert_summary(&m, 5, 12288 + 152 + 40 + 80, 0, 0, 0);
    np_numa_maps_clear(&m);

    /* numactl --membind=1 */
    ck_assert_int_eq(np_numa_maps_read(&root, 120, 1 << 20, &m), 0);
    ck_assert_uint_eq(m.nmappings, 6);
    /* Every mapping bind:1, the empty one included: one kind, all of it. */
    assert_summary(&m, 6, 104484, 1, 0, 0);
    assert_kind(&m, 0, NP_MPOL_BIND, "1", 6, 104484);
    assert_node(&m, 0, 0, 600);
    assert_node(&m, 1, 103620, 264);
    ck_assert_uint_eq(m.nhuge, 0);
    np_numa_maps_clear(&m);

    ck_assert_int_eq(np_numa_maps_read(&root, 1044, 100, &m), -E2BIG);
    ck_assert_ptr_null(m.node);
    ck_assert_int_eq(np_numa_maps_read(&root, 186, 1 << 20, &m), -ENOENT);
    ck_assert_uint_eq(m.nslots, 0);
    np_numa_maps_clear(&m);
    np_root_close(&root);
}
END_TEST

START_TEST(test_read_host_processes)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open(HOST, &root), 0);
    struct np_numa_maps m;
    ck_assert_int_eq(np_numa_maps_read(&root, 10261, 1 << 20, &m), 0);
    ck_assert_uint_eq(m.nmappings, 113);
    assert_node(&m, 0, 58116, 6616);
    ck_assert_uint_eq(m.total_kb, 64732);
    assert_summary(&m, 113, 64732, 0, 0, 0);
    np_numa_maps_clear(&m);

    ck_assert_int_eq(np_numa_maps_read(&root, 10260, 1 << 20, &m), 0);
    ck_assert_uint_eq(m.nmappings, 36);
    assert_node(&m, 0, 108, 1720);
    np_numa_maps_clear(&m);
    np_root_close(&root);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("numamaps");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_real_policies);
    tcase_add_test(tc, test_multinode);
    tcase_add_test(tc, test_policy_forms);
    tcase_add_test(tc, test_malformed_lines_skipped);
    tcase_add_test(tc, test_long_lines);
    tcase_add_test(tc, test_node_range);
    tcase_add_test(tc, test_huge_sizes_sorted_and_bounded);
    tcase_add_test(tc, test_len_bound);
    suite_add_tcase(s, tc);

    tc = tcase_create("read");
    tcase_add_test(tc, test_read_hostile_processes);
    tcase_add_test(tc, test_read_host_processes);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
