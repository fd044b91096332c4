/* Unit tests for lib/topology.c on the fixture trees in tests/fixtures and on
 * malformed trees built in a temporary directory. Run from the repo root. */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "topology.h"

#define FIX "tests/fixtures/"
#define NODE "sys/devices/system/node/"
#define GIB_KB 1048576ULL

static struct np_topology *read_fixture(const char *dir)
{
    struct np_root root;
    struct np_topology *t = NULL;
    ck_assert_int_eq(np_root_open(dir, &root), 0);
    ck_assert_int_eq(np_topology_read(&root, &t), 0);
    ck_assert_ptr_nonnull(t);
    np_root_close(&root);
    return t;
}

static void assert_pool(const struct np_node *n, uint64_t page_kb, uint64_t total, uint64_t free_pages)
{
    const struct np_hugepool *p = np_node_hugepool(n, page_kb);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->page_kb, page_kb);
    ck_assert_uint_eq(p->total, total);
    ck_assert_uint_eq(p->free, free_pages);
}

/* ---- temporary trees ---- */

struct tree {
    char path[64];
    struct np_root root;
    bool root_open;
};

static void tree_init(struct tree *t)
{
    snprintf(t->path, sizeof(t->path), "/tmp/np-topology-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->path));
    t->root_open = false;
}

static void mkdir_parents(const char *path)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(buf, 0755) < 0)
            ck_assert_int_eq(errno, EEXIST);
        *s = '/';
    }
}

static void tree_write(struct tree *t, const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", t->path, rel);
    mkdir_parents(path);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(content, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

static void tree_remove(struct tree *t, const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", t->path, rel);
    ck_assert_int_eq(unlink(path), 0);
}

static const struct np_root *tree_root(struct tree *t)
{
    if (!t->root_open) {
        ck_assert_int_eq(np_root_open(t->path, &t->root), 0);
        t->root_open = true;
    }
    return &t->root;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void tree_destroy(struct tree *t)
{
    if (t->root_open)
        np_root_close(&t->root);
    nftw(t->path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *node_meminfo(int id, unsigned long total, unsigned long free_kb,
                          unsigned long file_pages, unsigned long inactive_file)
{
    static char buf[1024];
    snprintf(buf, sizeof(buf),
             "Node %d MemTotal:       %8lu kB\n"
             "Node %d MemFree:        %8lu kB\n"
             "Node %d MemUsed:        %8lu kB\n"
             "Node %d Inactive(file): %8lu kB\n"
             "Node %d FilePages:      %8lu kB\n"
             "Node %d HugePages_Total:     0\n",
             id, total, id, free_kb, id, total - free_kb, id, inactive_file, id, file_pages, id);
    return buf;
}

/* A valid two-node machine (nodes 0 and 1, CPUs 0-1 and 2-3) that each
 * malformed-input test breaks in one place. */
static void tree_two_nodes(struct tree *t)
{
    tree_init(t);
    tree_write(t, "sys/devices/system/cpu/online", "0-3\n");
    tree_write(t, NODE "online", "0-1\n");
    tree_write(t, NODE "node0/cpulist", "0-1\n");
    tree_write(t, NODE "node1/cpulist", "2-3\n");
    tree_write(t, NODE "node0/distance", "10 20\n");
    tree_write(t, NODE "node1/distance", "20 10\n");
    tree_write(t, NODE "node0/meminfo", node_meminfo(0, 4194304, 1048576, 524288, 262144));
    tree_write(t, NODE "node1/meminfo", node_meminfo(1, 4194304, 2097152, 131072, 65536));
    tree_write(t, NODE "node0/hugepages/hugepages-2048kB/nr_hugepages", "16\n");
    tree_write(t, NODE "node0/hugepages/hugepages-2048kB/free_hugepages", "8\n");
}

static int read_tree(struct tree *t, struct np_topology **ret)
{
    return np_topology_read(tree_root(t), ret);
}

/* Reads a tree expected to fail with WANT, and checks *ret stays untouched. */
static void assert_read_fails(struct tree *t, int want)
{
    struct np_topology *sentinel = (struct np_topology *)&sentinel;
    struct np_topology *got = sentinel;
    ck_assert_int_eq(read_tree(t, &got), want);
    ck_assert_ptr_eq(got, sentinel);
}

/* ---- fixtures ---- */

START_TEST(test_host_1node)
{
    struct np_topology *t = read_fixture(FIX "host-1node");
    ck_assert_uint_eq(t->nnodes, 1);
    ck_assert_int_eq(t->max_node_id, 0);
    ck_assert_uint_eq(t->ncpus_online, 2);
    const struct np_node *n = &t->nodes[0];
    ck_assert_int_eq(n->id, 0);
    ck_assert_uint_eq(n->ncpus, 2);
    ck_assert(np_cpuset_test(&n->cpus, 0));
    ck_assert(np_cpuset_test(&n->cpus, 1));
    ck_assert(!np_cpuset_test(&n->cpus, 2));
    ck_assert_int_eq(np_topology_distance(t, 0, 0), 10);
    ck_assert_uint_eq(n->mem_total_kb, 5466324);
    ck_assert_uint_eq(n->mem_free_kb, 4873852);
    ck_assert_uint_eq(n->file_pages_kb, 404240);
    ck_assert_uint_eq(n->inactive_file_kb, 274148);
    ck_assert_uint_eq(np_node_usable_kb(n), 4873852 + 274148);
    ck_assert_uint_eq(n->nhuge, 2);
    ck_assert_uint_eq(n->huge[0].page_kb, 2048);
    ck_assert_uint_eq(n->huge[1].page_kb, GIB_KB);
    assert_pool(n, 2048, 0, 0);
    assert_pool(n, GIB_KB, 0, 0);
    ck_assert_ptr_null(np_node_hugepool(n, 64));
    ck_assert_int_eq(np_topology_cpu_node(t, 0), 0);
    ck_assert_int_eq(np_topology_cpu_node(t, 1), 0);
    ck_assert_int_eq(np_topology_cpu_node(t, 2), -1);
    ck_assert_int_eq(np_topology_index(t, 0), 0);
    ck_assert_int_eq(np_topology_index(t, 1), -ENOENT);
    np_topology_free(t);
}
END_TEST

START_TEST(test_sparse_2node)
{
    struct np_topology *t = read_fixture(FIX "sparse-2node");
    ck_assert_uint_eq(t->nnodes, 2);
    ck_assert_int_eq(t->nodes[0].id, 0);
    ck_assert_int_eq(t->nodes[1].id, 2);
    ck_assert_int_eq(t->max_node_id, 2);
    ck_assert_uint_eq(t->ncpus_online, 4);
    ck_assert_int_eq(np_topology_index(t, 0), 0);
    ck_assert_int_eq(np_topology_index(t, 1), -ENOENT);
    ck_assert_int_eq(np_topology_index(t, 2), 1);
    ck_assert_int_eq(np_topology_index(t, 3), -ENOENT);
    ck_assert_int_eq(np_topology_index(t, -1), -ENOENT);
    /* The row of node 2 is "20 10": entry k is the k-th online node. */
    ck_assert_int_eq(np_topology_distance(t, 0, 0), 10);
    ck_assert_int_eq(np_topology_distance(t, 0, 1), 20);
    ck_assert_int_eq(np_topology_distance(t, 1, 0), 20);
    ck_assert_int_eq(np_topology_distance(t, 1, 1), 10);
    ck_assert_int_eq(np_topology_distance(t, 2, 0), -EINVAL);
    for (int c = 0; c < 4; c++)
        ck_assert_int_eq(np_topology_cpu_node(t, c), c / 2);
    ck_assert_int_eq(np_topology_cpu_node(t, 4), -1);
    ck_assert_uint_eq(t->nodes[0].ncpus, 2);
    ck_assert_uint_eq(t->nodes[1].ncpus, 2);
    ck_assert(np_cpuset_test(&t->nodes[1].cpus, 2));
    ck_assert(np_cpuset_test(&t->nodes[1].cpus, 3));
    ck_assert(!np_cpuset_test(&t->nodes[1].cpus, 0));

    ck_assert_uint_eq(t->nodes[0].mem_total_kb, 8257536);
    ck_assert_uint_eq(t->nodes[0].mem_free_kb, 3145728);
    ck_assert_uint_eq(t->nodes[0].inactive_file_kb, 786432);
    ck_assert_uint_eq(t->nodes[0].file_pages_kb, 2375680);
    ck_assert_uint_eq(np_node_usable_kb(&t->nodes[0]), 3932160);
    ck_assert_uint_eq(t->nodes[1].mem_total_kb, 8388608);
    ck_assert_uint_eq(t->nodes[1].mem_free_kb, 6291456);
    ck_assert_uint_eq(t->nodes[1].inactive_file_kb, 196608);
    ck_assert_uint_eq(t->nodes[1].file_pages_kb, 593920);
    ck_assert_uint_eq(np_node_usable_kb(&t->nodes[1]), 6488064);

    ck_assert_uint_eq(t->nodes[0].nhuge, 1);
    ck_assert_uint_eq(t->nodes[1].nhuge, 1);
    assert_pool(&t->nodes[0], 2048, 512, 384);
    assert_pool(&t->nodes[1], 2048, 512, 512);
    ck_assert_ptr_null(np_node_hugepool(&t->nodes[0], GIB_KB));
    np_topology_free(t);
}
END_TEST

START_TEST(test_cpuless_3node)
{
    struct np_topology *t = read_fixture(FIX "cpuless-3node");
    ck_assert_uint_eq(t->nnodes, 3);
    ck_assert_int_eq(t->max_node_id, 2);
    /* CPU 7 is listed by node 1 but offline. */
    ck_assert_uint_eq(t->ncpus_online, 7);
    ck_assert_uint_eq(t->nodes[0].ncpus, 4);
    ck_assert_uint_eq(t->nodes[1].ncpus, 3);
    ck_assert(!np_cpuset_test(&t->nodes[1].cpus, 7));
    ck_assert_uint_eq(t->nodes[2].ncpus, 0);
    ck_assert_uint_eq(np_cpuset_count(&t->nodes[2].cpus), 0);
    for (int c = 0; c < 4; c++)
        ck_assert_int_eq(np_topology_cpu_node(t, c), 0);
    for (int c = 4; c < 7; c++)
        ck_assert_int_eq(np_topology_cpu_node(t, c), 1);
    ck_assert_int_eq(np_topology_cpu_node(t, 7), -1);

    static const int want[3][3] = { { 10, 21, 30 }, { 21, 10, 30 }, { 30, 30, 10 } };
    for (unsigned i = 0; i < 3; i++)
        for (unsigned j = 0; j < 3; j++)
            ck_assert_int_eq(np_topology_distance(t, i, j), want[i][j]);

    const struct np_node *cxl = &t->nodes[2];
    ck_assert_int_eq(cxl->id, 2);
    ck_assert_uint_eq(cxl->mem_total_kb, 32 * GIB_KB);
    ck_assert_uint_eq(cxl->mem_free_kb, 33030144);
    ck_assert_uint_eq(cxl->inactive_file_kb, 98304);
    ck_assert_uint_eq(cxl->file_pages_kb, 65536 + 98304);
    ck_assert_uint_eq(np_node_usable_kb(cxl), 33030144 + 98304);

    ck_assert_uint_eq(t->nodes[0].mem_total_kb, 16 * GIB_KB - 262144);
    ck_assert_uint_eq(t->nodes[0].mem_free_kb, 9437184);
    ck_assert_uint_eq(t->nodes[1].mem_free_kb, 12582912);

    for (unsigned i = 0; i < 3; i++) {
        ck_assert_uint_eq(t->nodes[i].nhuge, 2);
        ck_assert_uint_eq(t->nodes[i].huge[0].page_kb, 2048);
        ck_assert_uint_eq(t->nodes[i].huge[1].page_kb, GIB_KB);
    }
    assert_pool(&t->nodes[0], 2048, 1024, 1000);
    assert_pool(&t->nodes[0], GIB_KB, 2, 1);
    assert_pool(&t->nodes[1], 2048, 1024, 1024);
    assert_pool(&t->nodes[1], GIB_KB, 0, 0);
    assert_pool(&t->nodes[2], 2048, 0, 0);
    np_topology_free(t);
}
END_TEST

START_TEST(test_slit_8node)
{
    static const int slit[8][8] = {
        { 10, 16, 16, 22, 16, 22, 16, 22 },
        { 16, 10, 22, 16, 22, 16, 22, 16 },
        { 16, 22, 10, 16, 16, 22, 16, 22 },
        { 22, 16, 16, 10, 22, 16, 22, 16 },
        { 16, 22, 16, 22, 10, 16, 16, 22 },
        { 22, 16, 22, 16, 16, 10, 22, 16 },
        { 16, 22, 16, 22, 16, 22, 10, 16 },
        { 22, 16, 22, 16, 22, 16, 16, 10 },
    };
    struct np_topology *t = read_fixture(FIX "slit-8node");
    ck_assert_uint_eq(t->nnodes, 8);
    ck_assert_int_eq(t->max_node_id, 7);
    ck_assert_uint_eq(t->ncpus_online, 32);
    for (unsigned i = 0; i < 8; i++) {
        const struct np_node *n = &t->nodes[i];
        ck_assert_int_eq(n->id, (int)i);
        ck_assert_int_eq(np_topology_index(t, (int)i), (int)i);
        ck_assert_uint_eq(n->ncpus, 4);
        for (unsigned j = 0; j < 8; j++) {
            ck_assert_int_eq(np_topology_distance(t, i, j), slit[i][j]);
            ck_assert_int_eq(np_topology_distance(t, i, j), np_topology_distance(t, j, i));
        }
        ck_assert_uint_eq(n->mem_total_kb, 32 * GIB_KB - (i == 0 ? 131072 : 0));
        ck_assert_uint_eq(n->mem_free_kb, 20 * GIB_KB - i * GIB_KB);
        ck_assert_uint_eq(n->inactive_file_kb, 1572864 + i * 4096);
        ck_assert_uint_eq(n->nhuge, 2);
        ck_assert_uint_eq(n->huge[0].page_kb, 2048);
        ck_assert_uint_eq(n->huge[1].page_kb, GIB_KB);
        assert_pool(n, 2048, 1024, 1024 - 64 * i);
        assert_pool(n, GIB_KB, 2, i % 3 == 0 ? 1 : 2);
    }
    for (int c = 0; c < 32; c++)
        ck_assert_int_eq(np_topology_cpu_node(t, c), c / 4);
    ck_assert_int_eq(np_topology_cpu_node(t, 32), -1);
    ck_assert_int_eq(np_topology_cpu_node(t, -1), -1);
    ck_assert_int_eq(np_topology_cpu_node(t, NP_MAX_CPUS), -1);
    ck_assert_int_eq(np_topology_index(t, 8), -ENOENT);
    np_topology_free(t);
}
END_TEST

/* A capture of the VM harness's 4-node guest (tests/vm/capture.sh): 1 CPU
 * and ~1.5 GiB per node, distances 10/21/31 in two pairs, 64 x 2 MiB
 * hugepages reserved on node 2. */
START_TEST(test_guest_4node)
{
    static const int dist[4][4] = {
        { 10, 21, 31, 31 }, { 21, 10, 31, 31 }, { 31, 31, 10, 21 }, { 31, 31, 21, 10 },
    };
    static const uint64_t total_kb[4] = { 1481156, 1502592, 1547864, 1545028 };
    struct np_topology *t = read_fixture(FIX "guest-4node");
    ck_assert_uint_eq(t->nnodes, 4);
    ck_assert_uint_eq(t->ncpus_online, 4);
    for (unsigned i = 0; i < 4; i++) {
        const struct np_node *n = &t->nodes[i];
        ck_assert_int_eq(n->id, (int)i);
        ck_assert_uint_eq(n->ncpus, 1);
        ck_assert_int_eq(np_topology_cpu_node(t, (int)i), (int)i);
        ck_assert_uint_eq(n->mem_total_kb, total_kb[i]);
        ck_assert(n->mem_free_kb > 0 && n->mem_free_kb < n->mem_total_kb);
        for (unsigned j = 0; j < 4; j++)
            ck_assert_int_eq(np_topology_distance(t, i, j), dist[i][j]);
        assert_pool(n, 2048, i == 2 ? 64 : 0, i == 2 ? 64 : 0);
    }
    np_topology_free(t);
}
END_TEST

START_TEST(test_nonuma)
{
    struct np_topology *t = read_fixture(FIX "nonuma");
    ck_assert_uint_eq(t->nnodes, 1);
    ck_assert_int_eq(t->nodes[0].id, 0);
    ck_assert_int_eq(t->max_node_id, 0);
    ck_assert_uint_eq(t->ncpus_online, 4);
    ck_assert_uint_eq(t->nodes[0].ncpus, 4);
    for (int c = 0; c < 4; c++)
        ck_assert_int_eq(np_topology_cpu_node(t, c), 0);
    ck_assert_int_eq(np_topology_cpu_node(t, 4), -1);
    ck_assert_int_eq(np_topology_distance(t, 0, 0), 10);
    const struct np_node *n = &t->nodes[0];
    ck_assert_uint_eq(n->mem_total_kb, 8148308);
    ck_assert_uint_eq(n->mem_free_kb, 5242880);
    ck_assert_uint_eq(n->inactive_file_kb, 655360);
    /* Cached + Buffers + SwapCached */
    ck_assert_uint_eq(n->file_pages_kb, 1310720 + 65536 + 1024);
    ck_assert_uint_eq(np_node_usable_kb(n), 5242880 + 655360);
    ck_assert_uint_eq(n->nhuge, 1);
    assert_pool(n, 2048, 128, 96);
    np_topology_free(t);
}
END_TEST

START_TEST(test_signature)
{
    static const struct { const char *dir, *want; } cases[] = {
        { FIX "host-1node", "cpus=0-1 nodes=0" },
        { FIX "sparse-2node", "cpus=0-3 nodes=0,2" },
        { FIX "cpuless-3node", "cpus=0-6 nodes=0-2" },
        { FIX "nonuma", "cpus=0-3 nodes=" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_root root;
        char buf[128];
        ck_assert_int_eq(np_root_open(cases[i].dir, &root), 0);
        ck_assert_int_eq(np_topology_signature(&root, buf, sizeof(buf)), 0);
        ck_assert_str_eq(buf, cases[i].want);
        ck_assert_int_eq(np_topology_signature(&root, buf, 8), -E2BIG);
        np_root_close(&root);
    }
    struct tree t;
    tree_init(&t);
    char buf[128];
    ck_assert_int_eq(np_topology_signature(tree_root(&t), buf, sizeof(buf)), -ENOENT);
    tree_destroy(&t);
}
END_TEST

/* ---- refresh ---- */

START_TEST(test_refresh_memory)
{
    struct tree t;
    tree_two_nodes(&t);
    struct np_topology *topo = NULL;
    ck_assert_int_eq(read_tree(&t, &topo), 0);
    ck_assert_uint_eq(topo->nodes[0].mem_free_kb, 1048576);
    assert_pool(&topo->nodes[0], 2048, 16, 8);
    ck_assert_uint_eq(topo->nodes[1].nhuge, 0);

    tree_write(&t, NODE "node0/meminfo", node_meminfo(0, 4194304, 524288, 600000, 300000));
    tree_write(&t, NODE "node0/hugepages/hugepages-2048kB/free_hugepages", "3\n");
    tree_write(&t, NODE "node1/hugepages/hugepages-1048576kB/nr_hugepages", "4\n");
    tree_write(&t, NODE "node1/hugepages/hugepages-1048576kB/free_hugepages", "4\n");
    /* Refresh must not look at CPUs or distances. */
    tree_write(&t, NODE "node0/distance", "garbage\n");
    ck_assert_int_eq(np_topology_refresh_memory(tree_root(&t), topo), 0);
    ck_assert_uint_eq(topo->nodes[0].mem_free_kb, 524288);
    ck_assert_uint_eq(topo->nodes[0].file_pages_kb, 600000);
    ck_assert_uint_eq(topo->nodes[0].inactive_file_kb, 300000);
    ck_assert_uint_eq(np_node_usable_kb(&topo->nodes[0]), 824288);
    assert_pool(&topo->nodes[0], 2048, 16, 3);
    assert_pool(&topo->nodes[1], GIB_KB, 4, 4);
    ck_assert_int_eq(np_topology_distance(topo, 0, 1), 20);

    /* A failed refresh (node 1 meminfo gone) leaves every node as it was. */
    tree_write(&t, NODE "node0/meminfo", node_meminfo(0, 4194304, 4096, 1, 1));
    tree_remove(&t, NODE "node1/meminfo");
    ck_assert_int_eq(np_topology_refresh_memory(tree_root(&t), topo), -ENOENT);
    ck_assert_uint_eq(topo->nodes[0].mem_free_kb, 524288);
    ck_assert_uint_eq(topo->nodes[1].mem_free_kb, 2097152);
    np_topology_free(topo);
    tree_destroy(&t);
}
END_TEST

START_TEST(test_refresh_nonuma)
{
    struct tree t;
    tree_init(&t);
    tree_write(&t, "sys/devices/system/cpu/online", "0\n");
    tree_write(&t, "proc/meminfo",
               "MemTotal:        1000000 kB\nMemFree:          500000 kB\n"
               "Cached:           100000 kB\nInactive(file):    40000 kB\n");
    struct np_topology *topo = NULL;
    ck_assert_int_eq(read_tree(&t, &topo), 0);
    ck_assert_uint_eq(topo->nodes[0].mem_free_kb, 500000);
    ck_assert_uint_eq(topo->nodes[0].file_pages_kb, 100000);
    ck_assert_uint_eq(topo->nodes[0].nhuge, 0);
    tree_write(&t, "proc/meminfo",
               "MemTotal:        1000000 kB\nMemFree:          250000 kB\n"
               "Cached:           100000 kB\nInactive(file):    60000 kB\n"
               "HugePages_Total:       4\nHugePages_Free:        2\nHugepagesize:    1048576 kB\n");
    ck_assert_int_eq(np_topology_refresh_memory(tree_root(&t), topo), 0);
    ck_assert_uint_eq(np_node_usable_kb(&topo->nodes[0]), 310000);
    assert_pool(&topo->nodes[0], GIB_KB, 4, 2);
    np_topology_free(topo);
    tree_destroy(&t);
}
END_TEST

/* ---- unusual but valid input ---- */

START_TEST(test_unordered_large_ids)
{
    struct tree t;
    tree_init(&t);
    tree_write(&t, "sys/devices/system/cpu/online", "0-1,5\n");
    tree_write(&t, NODE "online", "1023,3\n");
    tree_write(&t, NODE "node3/cpulist", "5\n");
    tree_write(&t, NODE "node1023/cpulist", "0-1\n");
    /* Rows follow ascending ids: node 3 first, then node 1023. */
    tree_write(&t, NODE "node3/distance", "10 40\n");
    tree_write(&t, NODE "node1023/distance", "41 10\n");
    tree_write(&t, NODE "node3/meminfo", node_meminfo(3, 1000, 100, 10, 5));
    tree_write(&t, NODE "node1023/meminfo", node_meminfo(1023, 2000, 200, 20, 7));
    struct np_topology *topo = NULL;
    ck_assert_int_eq(read_tree(&t, &topo), 0);
    ck_assert_uint_eq(topo->nnodes, 2);
    ck_assert_int_eq(topo->nodes[0].id, 3);
    ck_assert_int_eq(topo->nodes[1].id, 1023);
    ck_assert_int_eq(topo->max_node_id, 1023);
    ck_assert_int_eq(np_topology_index(topo, 1023), 1);
    ck_assert_int_eq(np_topology_index(topo, 3), 0);
    ck_assert_int_eq(np_topology_distance(topo, 0, 1), 40);
    ck_assert_int_eq(np_topology_distance(topo, 1, 0), 41);
    ck_assert_int_eq(np_topology_cpu_node(topo, 5), 0);
    ck_assert_int_eq(np_topology_cpu_node(topo, 0), 1);
    ck_assert_uint_eq(topo->nodes[1].mem_total_kb, 2000);
    ck_assert_uint_eq(np_node_usable_kb(&topo->nodes[1]), 207);
    ck_assert_uint_eq(topo->nodes[0].nhuge, 0);
    np_topology_free(topo);
    tree_destroy(&t);
}
END_TEST

START_TEST(test_many_hugepage_sizes)
{
    struct tree t;
    tree_two_nodes(&t);
    /* Five sizes (arm64 with 64K pages has several) and a non-pool entry:
     * the four smallest are kept, sorted. */
    static const char *sizes[] = { "16777216", "64", "524288", "2048", "32768" };
    for (size_t i = 0; i < 5; i++) {
        char rel[160];
        snprintf(rel, sizeof(rel), NODE "node1/hugepages/hugepages-%skB/nr_hugepages", sizes[i]);
        tree_write(&t, rel, "7\n");
        snprintf(rel, sizeof(rel), NODE "node1/hugepages/hugepages-%skB/free_hugepages", sizes[i]);
        tree_write(&t, rel, "5\n");
    }
    tree_write(&t, NODE "node1/hugepages/README", "not a pool\n");
    struct np_topology *topo = NULL;
    ck_assert_int_eq(read_tree(&t, &topo), 0);
    const struct np_node *n = &topo->nodes[1];
    ck_assert_uint_eq(n->nhuge, NP_MAX_HUGE_SIZES);
    ck_assert_uint_eq(n->huge[0].page_kb, 64);
    ck_assert_uint_eq(n->huge[1].page_kb, 2048);
    ck_assert_uint_eq(n->huge[2].page_kb, 32768);
    ck_assert_uint_eq(n->huge[3].page_kb, 524288);
    ck_assert_ptr_null(np_node_hugepool(n, 16777216));
    assert_pool(n, 32768, 7, 5);
    np_topology_free(topo);
    tree_destroy(&t);
}
END_TEST

START_TEST(test_usable_saturates)
{
    struct np_node n = { .mem_free_kb = UINT64_MAX - 5, .inactive_file_kb = 10 };
    ck_assert_uint_eq(np_node_usable_kb(&n), UINT64_MAX);
}
END_TEST

/* ---- malformed input ---- */

static const struct {
    const char *rel, *content;  /* content NULL: remove the file */
    int want;
} bad_cases[] = {
    { NODE "node0/distance", "10 20 30\n", -EINVAL },        /* row longer than nnodes */
    { NODE "node1/distance", "20\n", -EINVAL },              /* row shorter */
    { NODE "node0/distance", "\n", -EINVAL },
    { NODE "node0/distance", "10 0\n", -EINVAL },            /* SLIT values are 1..255 */
    { NODE "node0/distance", "10 256\n", -EINVAL },
    { NODE "node0/distance", "10 2x\n", -EINVAL },
    { NODE "node0/distance", "10 -20\n", -EINVAL },
    { NODE "node0/distance", "10 20\n30\n", -EINVAL },
    { NODE "node0/distance", NULL, -ENOENT },
    { NODE "node0/cpulist", "0-x\n", -EINVAL },              /* garbage */
    { NODE "node0/cpulist", "3-1\n", -EINVAL },
    { NODE "node0/cpulist", "8192\n", -EINVAL },             /* beyond NP_MAX_CPUS */
    { NODE "node0/cpulist", "0-2\n", -EINVAL },              /* CPU 2 also in node 1 */
    { NODE "node1/cpulist", NULL, -ENOENT },
    { NODE "online", "\n", -EINVAL },                        /* no node online */
    { NODE "online", "0-1,1024\n", -EINVAL },                /* beyond NP_MAX_NODES */
    { NODE "online", "zero\n", -EINVAL },
    { NODE "online", "0-2\n", -EINVAL },                     /* rows of 2 for 3 nodes */
    { NODE "online", NULL, -ENOENT },
    { NODE "node0/meminfo", NULL, -ENOENT },                 /* missing meminfo */
    { NODE "node0/meminfo", "", -EINVAL },
    { NODE "node0/meminfo", "Node 0 MemTotal: 100 kB\nNode 0 Inactive(file): 1 kB\n"
                            "Node 0 FilePages: 1 kB\n", -EINVAL },  /* no MemFree */
    { NODE "node0/meminfo", "Node 0 MemTotal: 100 kB\nNode 0 MemFree: 200 kB\n"
                            "Node 0 Inactive(file): 1 kB\nNode 0 FilePages: 1 kB\n", -EINVAL },
    { NODE "node0/meminfo", "Node 1 MemTotal: 100 kB\nNode 1 MemFree: 50 kB\n"
                            "Node 1 Inactive(file): 1 kB\nNode 1 FilePages: 1 kB\n", -EINVAL },
    { NODE "node0/meminfo", "Node 0 MemTotal: 100 kB\nNode 0 MemFree: lots kB\n"
                            "Node 0 Inactive(file): 1 kB\nNode 0 FilePages: 1 kB\n", -EINVAL },
    { NODE "node0/meminfo", "Node 0 MemTotal: 100 kB\nNode 0 MemFree: 50 MB\n"
                            "Node 0 Inactive(file): 1 kB\nNode 0 FilePages: 1 kB\n", -EINVAL },
    { NODE "node0/meminfo", "Node 0 MemTotal: 99999999999999999999999 kB\n", -EINVAL },
    { NODE "node0/hugepages/hugepages-2048kB/nr_hugepages", "many\n", -EINVAL },
    { NODE "node0/hugepages/hugepages-2048kB/free_hugepages", "-1\n", -EINVAL },
    { NODE "node0/hugepages/hugepages-2048kB/free_hugepages", NULL, -ENOENT },
    { "sys/devices/system/cpu/online", NULL, -ENOENT },
    { "sys/devices/system/cpu/online", "0-3,junk\n", -EINVAL },
};

START_TEST(test_malformed)
{
    struct tree t;
    tree_two_nodes(&t);
    struct np_topology *topo = NULL;
    ck_assert_int_eq(read_tree(&t, &topo), 0);   /* the base tree is valid */
    np_topology_free(topo);
    tree_destroy(&t);

    tree_two_nodes(&t);
    if (bad_cases[_i].content)
        tree_write(&t, bad_cases[_i].rel, bad_cases[_i].content);
    else
        tree_remove(&t, bad_cases[_i].rel);
    assert_read_fails(&t, bad_cases[_i].want);
    tree_destroy(&t);
}
END_TEST

START_TEST(test_malformed_huge_distance_file)
{
    /* More numbers than any kernel prints must be refused, not overflow. */
    struct tree t;
    tree_two_nodes(&t);
    size_t len = 200000;
    char *row = malloc(len + 1);
    ck_assert_ptr_nonnull(row);
    for (size_t i = 0; i < len; i += 3)
        memcpy(row + i, "10 ", 3);
    row[len] = '\0';
    tree_write(&t, NODE "node0/distance", row);
    free(row);
    assert_read_fails(&t, -EINVAL);
    tree_destroy(&t);
}
END_TEST

START_TEST(test_online_node_without_directory)
{
    struct tree t;
    tree_init(&t);
    tree_write(&t, "sys/devices/system/cpu/online", "0-1\n");
    tree_write(&t, NODE "online", "0,2\n");
    tree_write(&t, NODE "node0/cpulist", "0-1\n");
    tree_write(&t, NODE "node0/distance", "10 20\n");
    tree_write(&t, NODE "node0/meminfo", node_meminfo(0, 1000, 100, 10, 5));
    assert_read_fails(&t, -ENOENT);
    tree_destroy(&t);
}
END_TEST

START_TEST(test_nonuma_malformed)
{
    struct tree t;
    tree_init(&t);
    tree_write(&t, "sys/devices/system/cpu/online", "0-1\n");
    assert_read_fails(&t, -ENOENT);                  /* no proc/meminfo */
    tree_write(&t, "proc/meminfo", "MemTotal: 100 kB\nCached: 1 kB\nInactive(file): 1 kB\n");
    assert_read_fails(&t, -EINVAL);                  /* no MemFree */
    tree_write(&t, "proc/meminfo", "MemTotal: 100 kB\nMemFree: 10 kB\nCached: 1 kB\n"
                                   "Inactive(file): 1 kB\nHugepagesize: 2048 kB\n");
    assert_read_fails(&t, -EINVAL);                  /* page size without pool counts */
    tree_write(&t, "proc/meminfo", "MemTotal: 100 kB\nMemFree: 10 kB\nCached: 1 kB\n"
                                   "Inactive(file): 1 kB\n");
    struct np_topology *topo = NULL;
    ck_assert_int_eq(read_tree(&t, &topo), 0);
    ck_assert_uint_eq(topo->nodes[0].ncpus, 2);
    np_topology_free(topo);
    tree_destroy(&t);
}
END_TEST

START_TEST(test_node_room_above_headroom)
{
    struct np_node n;
    memset(&n, 0, sizeof(n));
    n.mem_total_kb = 1000;
    n.mem_free_kb = 300;
    n.inactive_file_kb = 50;
    ck_assert_uint_eq(np_node_room_kb(&n, 5), 300);     /* 350 usable - 50 kept */
    ck_assert_uint_eq(np_node_room_kb(&n, 0), 350);
    ck_assert_uint_eq(np_node_room_kb(&n, 40), 0);      /* inside its headroom */
    n.mem_total_kb = UINT64_MAX;                        /* no overflow in the percentage */
    n.mem_free_kb = UINT64_MAX;
    ck_assert_uint_eq(np_node_room_kb(&n, 90), UINT64_MAX - (UINT64_MAX / 100 * 90 + UINT64_MAX % 100 * 90 / 100));
}
END_TEST

START_TEST(test_lookups_on_null)
{
    ck_assert_int_eq(np_topology_index(NULL, 0), -ENOENT);
    ck_assert_int_eq(np_topology_distance(NULL, 0, 0), -EINVAL);
    ck_assert_int_eq(np_topology_cpu_node(NULL, 0), -1);
    ck_assert_ptr_null(np_topology_free(NULL));
    ck_assert_int_eq(np_topology_refresh_memory(NULL, NULL), -EINVAL);
}
END_TEST

static Suite *topology_suite(void)
{
    Suite *s = suite_create("topology");
    TCase *fixtures = tcase_create("fixtures");
    tcase_add_test(fixtures, test_host_1node);
    tcase_add_test(fixtures, test_sparse_2node);
    tcase_add_test(fixtures, test_cpuless_3node);
    tcase_add_test(fixtures, test_slit_8node);
    tcase_add_test(fixtures, test_guest_4node);
    tcase_add_test(fixtures, test_nonuma);
    tcase_add_test(fixtures, test_signature);
    suite_add_tcase(s, fixtures);

    TCase *trees = tcase_create("trees");
    tcase_add_test(trees, test_refresh_memory);
    tcase_add_test(trees, test_refresh_nonuma);
    tcase_add_test(trees, test_unordered_large_ids);
    tcase_add_test(trees, test_many_hugepage_sizes);
    tcase_add_test(trees, test_usable_saturates);
    tcase_add_loop_test(trees, test_malformed, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(trees, test_malformed_huge_distance_file);
    tcase_add_test(trees, test_online_node_without_directory);
    tcase_add_test(trees, test_nonuma_malformed);
    tcase_add_test(trees, test_lookups_on_null);
    tcase_add_test(trees, test_node_room_above_headroom);
    suite_add_tcase(s, trees);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(topology_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
