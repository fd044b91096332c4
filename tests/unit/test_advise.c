/* Unit tests for lib/advise.c on the engine-4node and slit-8node fixture
 * topologies. Run from the repo root.
 *
 * engine-4node: nodes 0-3 with 2 CPUs and 4 GiB each; nodes 0-2 have
 * 3136 MiB usable (MemFree + Inactive(file)), node 3 only 214 MiB, and the
 * 5% headroom is 204.8 MiB; distances 0-1 and 2-3 are 21, the rest 31.
 * slit-8node: 8 nodes of 4 CPUs and 32 GiB, usable memory falling from
 * node 0 to node 7; distance 16 or 22 between nodes. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "advise.h"

static const struct np_advise_params params = {.mem_headroom_pct = 5, .max_node_cpu_load = 1.0};

static struct np_topology *read_fixture(const char *dir)
{
    struct np_root root;
    struct np_topology *t = NULL;
    ck_assert_int_eq(np_root_open(dir, &root), 0);
    ck_assert_int_eq(np_topology_read(&root, &t), 0);
    np_root_close(&root);
    return t;
}

/* Runs np_advise and returns the node list text in a static buffer. */
static const char *advise(const struct np_topology *t, const double *load,
                          const struct np_advise_reservation *res, size_t nres, unsigned ncpus,
                          uint64_t mb, enum np_advise_fit *fit)
{
    static char buf[128];
    struct np_nodeset set;
    ck_assert_int_eq(np_advise(t, load, load ? t->nnodes : 0, res, nres, &params, ncpus, mb, &set, fit), 0);
    ck_assert_int_eq(np_bits_format_list(NP_NODES(&set), buf, sizeof(buf)), 0);
    return buf;
}

static struct np_advise_reservation reservation(const char *nodes, unsigned ncpus, uint64_t kb)
{
    struct np_advise_reservation r;
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(np_bits_parse_list(NP_NODES(&r.nodes), nodes), 0);
    r.ncpus = ncpus;
    r.kb = kb;
    return r;
}

START_TEST(idle_machine_lowest_node)
{
    struct np_topology *t = read_fixture("tests/fixtures/engine-4node");
    enum np_advise_fit fit;
    ck_assert_str_eq(advise(t, NULL, NULL, 0, 1, 100, &fit), "0");
    ck_assert_int_eq(fit, NP_ADVISE_FITS);
    /* Unknown load (NLOAD not matching) counts as idle too. */
    double load[4] = {2, 2, 2, 2};
    struct np_nodeset set;
    ck_assert_int_eq(np_advise(t, load, 3, NULL, 0, &params, 1, 100, &set, &fit), 0);
    ck_assert(np_nodeset_test(&set, 0) && np_nodeset_count(&set) == 1);
    np_topology_free(t);
}
END_TEST

START_TEST(load_moves_the_answer)
{
    struct np_topology *t = read_fixture("tests/fixtures/engine-4node");
    enum np_advise_fit fit;
    double full0[4] = {2, 0, 0, 0};
    ck_assert_str_eq(advise(t, full0, NULL, 0, 1, 100, &fit), "1");
    /* Node 3 has the most CPU room but only 9 MiB above the headroom. */
    double mixed[4] = {1.5, 1.0, 0.5, 0};
    ck_assert_str_eq(advise(t, mixed, NULL, 0, 1, 100, &fit), "2");
    ck_assert_int_eq(fit, NP_ADVISE_FITS);
    /* Without memory, node 3 wins on CPU room. */
    ck_assert_str_eq(advise(t, mixed, NULL, 0, 1, 0, &fit), "3");
    np_topology_free(t);
}
END_TEST

START_TEST(smallest_nearest_set)
{
    struct np_topology *t = read_fixture("tests/fixtures/engine-4node");
    enum np_advise_fit fit;
    /* 3 CPUs need two nodes: {0,1} and {2,3} both leave 1 CPU, {0,1} more memory. */
    ck_assert_str_eq(advise(t, NULL, NULL, 0, 3, 100, &fit), "0-1");
    ck_assert_str_eq(advise(t, NULL, NULL, 0, 3, 4000, &fit), "0-1");
    /* 6000 MiB: no pair holds it; {0,1,2} does, {2,3,0} does not (node 3 is full). */
    ck_assert_str_eq(advise(t, NULL, NULL, 0, 3, 6000, &fit), "0-2");
    ck_assert_int_eq(fit, NP_ADVISE_FITS);
    /* The nearest partner, not the emptiest: with node 1 busy, 4 CPUs go to 2-3. */
    double busy1[4] = {0, 1, 0, 0};
    ck_assert_str_eq(advise(t, busy1, NULL, 0, 4, 100, &fit), "2-3");
    np_topology_free(t);
}
END_TEST

START_TEST(fallbacks)
{
    struct np_topology *t = read_fixture("tests/fixtures/engine-4node");
    enum np_advise_fit fit;
    /* 16 CPUs fit nowhere: the least loaded single node that has the memory. */
    double load[4] = {1, 0, 0.5, 0};
    ck_assert_str_eq(advise(t, load, NULL, 0, 16, 100, &fit), "1");
    ck_assert_int_eq(fit, NP_ADVISE_MEMORY_ONLY);
    /* 3 CPUs on a busy machine: pairs have the memory but no room. */
    double busy[4] = {2, 1.5, 2, 2};
    ck_assert_str_eq(advise(t, busy, NULL, 0, 3, 4000, &fit), "0-1");
    ck_assert_int_eq(fit, NP_ADVISE_MEMORY_ONLY);
    /* More memory than the machine has: all nodes. */
    ck_assert_str_eq(advise(t, NULL, NULL, 0, 1, 20000, &fit), "0-3");
    ck_assert_int_eq(fit, NP_ADVISE_ALL_NODES);
    np_topology_free(t);
}
END_TEST

START_TEST(reservations_spread_requests)
{
    struct np_topology *t = read_fixture("tests/fixtures/engine-4node");
    enum np_advise_fit fit;
    struct np_advise_reservation res[3];
    res[0] = reservation("0", 2, 0);
    ck_assert_str_eq(advise(t, NULL, res, 1, 1, 100, &fit), "1");
    res[1] = reservation("1", 2, 0);
    ck_assert_str_eq(advise(t, NULL, res, 2, 1, 100, &fit), "2");
    /* Memory of a two-node reservation is split evenly: 2.5 GiB each on 0 and 1. */
    res[0] = reservation("0-1", 0, 5ULL * 1024 * 1024);
    double load2[4] = {0, 0, 1, 0};
    ck_assert_str_eq(advise(t, load2, res, 1, 1, 1000, &fit), "2");   /* 371 MiB left on 0 and 1 */
    ck_assert_str_eq(advise(t, load2, res, 1, 1, 300, &fit), "0");
    /* CPUs of a reservation follow each node's CPU count: 1 each here. */
    res[0] = reservation("0-1", 2, 0);
    ck_assert_str_eq(advise(t, NULL, res, 1, 2, 100, &fit), "2");
    /* A reservation on nodes that went away is ignored. */
    res[0] = reservation("7", 8, 0);
    ck_assert_str_eq(advise(t, NULL, res, 1, 1, 100, &fit), "0");
    np_topology_free(t);
}
END_TEST

START_TEST(slit_8node)
{
    struct np_topology *t = read_fixture("tests/fixtures/slit-8node");
    ck_assert_uint_eq(t->nnodes, 8);
    enum np_advise_fit fit;
    ck_assert_str_eq(advise(t, NULL, NULL, 0, 4, 1024, &fit), "0");
    /* Pairs are a node and its nearest (distance 16, lower id first); equal
     * CPU room, so the pair with the most memory: 0 and 1. */
    ck_assert_str_eq(advise(t, NULL, NULL, 0, 6, 100, &fit), "0-1");
    /* Node 0 full: the pairs without it are {3,1}, {5,1}, {7,1}; 1+3 has the most memory. */
    double load[8] = {4, 0, 0, 0, 0, 0, 0, 0};
    ck_assert_str_eq(advise(t, load, NULL, 0, 6, 100, &fit), "1,3");
    /* 12 CPUs: node 0's three nearest (1, 2, 4 at 16). */
    ck_assert_str_eq(advise(t, NULL, NULL, 0, 12, 100, &fit), "0-2");
    ck_assert_int_eq(fit, NP_ADVISE_FITS);
    np_topology_free(t);
}
END_TEST

START_TEST(bad_input)
{
    struct np_topology *t = read_fixture("tests/fixtures/engine-4node");
    struct np_nodeset set;
    enum np_advise_fit fit;
    ck_assert_int_eq(np_advise(t, NULL, 0, NULL, 0, &params, 0, 100, &set, &fit), -EINVAL);
    ck_assert_int_eq(np_advise(NULL, NULL, 0, NULL, 0, &params, 1, 100, &set, &fit), -EINVAL);
    np_topology_free(t);
}
END_TEST

START_TEST(parse_grammar)
{
    unsigned n = 99;
    uint64_t mb = 99;
    ck_assert_int_eq(np_advise_parse("4", &n, &mb), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(mb, 0);
    ck_assert_int_eq(np_advise_parse("4:2048", &n, &mb), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(mb, 2048);
    ck_assert_int_eq(np_advise_parse("8192:0", &n, &mb), 0);
    n = 7;
    mb = 7;
    ck_assert_int_eq(np_advise_parse("0", &n, &mb), -ERANGE);
    ck_assert_int_eq(np_advise_parse("8193", &n, &mb), -ERANGE);
    ck_assert_int_eq(np_advise_parse("1:1099511627777", &n, &mb), -ERANGE);
    ck_assert_int_eq(np_advise_parse("", &n, &mb), -EINVAL);
    ck_assert_int_eq(np_advise_parse("4:", &n, &mb), -EINVAL);
    ck_assert_int_eq(np_advise_parse(":4", &n, &mb), -EINVAL);
    ck_assert_int_eq(np_advise_parse("4:2048x", &n, &mb), -EINVAL);
    ck_assert_int_eq(np_advise_parse("4:2:1", &n, &mb), -EINVAL);
    ck_assert_int_eq(np_advise_parse("-4", &n, &mb), -EINVAL);
    ck_assert_int_eq(np_advise_parse(NULL, &n, &mb), -EINVAL);
    ck_assert_uint_eq(n, 7);
    ck_assert_uint_eq(mb, 7);
    ck_assert_str_eq(np_advise_fit_name(NP_ADVISE_MEMORY_ONLY), "memory-only");
}
END_TEST

static Suite *advise_suite(void)
{
    Suite *s = suite_create("advise");
    TCase *tc = tcase_create("advise");
    tcase_add_test(tc, idle_machine_lowest_node);
    tcase_add_test(tc, load_moves_the_answer);
    tcase_add_test(tc, smallest_nearest_set);
    tcase_add_test(tc, fallbacks);
    tcase_add_test(tc, reservations_spread_requests);
    tcase_add_test(tc, slit_8node);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, parse_grammar);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(advise_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
