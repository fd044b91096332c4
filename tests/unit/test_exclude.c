/* Unit tests for lib/exclude.c: skip names, globs, the cheap and detail
 * exclusion passes, np_pinned_check (CPUs and mems against the cgroup's
 * cpuset, memory policies from an np_mpol_summary with np_mpol_decides'
 * detail strings, Kubernetes and libvirt layouts) and sole-tenant cgroups,
 * on the cgroup tree in tests/fixtures/cgroups. Run from the repo root. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "exclude.h"
#include "mempolicy.h"

#define CGROUP_ROOT "tests/fixtures/cgroups"

#define K8S_GUARANTEED "/kubepods.slice/kubepods-pod3f1c2a9e_7b4d_4e2a_9c1f_0a1b2c3d4e5f.slice/" \
    "cri-containerd-9b2f6c1e4d8a7f3b5c0e2d4f6a8b1c3e5d7f9a0b2c4e6f8a1b3d5c7e9f0a2b4c.scope"
#define K8S_BURSTABLE "/kubepods.slice/kubepods-burstable.slice/" \
    "kubepods-burstable-pod71d0e4b2_5a3c_4f6e_8d9b_1c2e3f4a5b6c.slice/" \
    "cri-containerd-4e6a8c0b2d4f6e8a0c2e4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6a.scope"
#define K8S_FS_GUARANTEED "/kubepods/pod5e2d7c4a-1b3f-4a6e-9c8d-2f4b6a8c0e1d/" \
    "3c5e7a9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c"
#define K8S_FS_BURSTABLE "/kubepods/burstable/pod0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/" \
    "7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a"
#define VM1_EMULATOR "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope/libvirt/emulator"
#define VM2_EMULATOR "/machine.slice/machine-qemu\\x2d2\\x2dvm2.scope/libvirt/emulator"

static struct np_root root;
static struct np_topology topo;
static struct np_node nodes[2];

/* Two nodes of four CPUs each, built by hand (no dependency on topology.c). */
static void setup(void)
{
    ck_assert_int_eq(np_root_open(CGROUP_ROOT, &root), 0);
    memset(nodes, 0, sizeof(nodes));
    for (unsigned n = 0; n < 2; n++) {
        nodes[n].id = (int)n;
        np_cpuset_zero(&nodes[n].cpus);
        for (unsigned c = 0; c < 4; c++)
            np_cpuset_set(&nodes[n].cpus, n * 4 + c);
        nodes[n].ncpus = 4;
    }
    memset(&topo, 0, sizeof(topo));
    topo.nnodes = 2;
    topo.nodes = nodes;
    topo.max_node_id = 1;
    topo.ncpus_online = 8;
}

static void teardown(void)
{
    np_root_close(&root);
}

/* A detailed process in CGROUP with the given allowed lists. */
static struct np_proc *make_proc(int pid, const char *cgroup, const char *cpus, const char *mems)
{
    struct np_proc *p = calloc(1, sizeof(*p));
    ck_assert_ptr_nonnull(p);
    p->pid = pid;
    p->ppid = 1;
    strcpy(p->comm, "worker");
    p->detailed = true;
    p->uid = 1000;
    ck_assert_int_lt(strlen(cgroup), sizeof(p->cgroup));
    strcpy(p->cgroup, cgroup);
    strcpy(p->exe, "/usr/bin/worker");
    ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), cpus), 0);
    ck_assert_int_eq(np_bits_parse_list(NP_NODES(&p->mems_allowed), mems), 0);
    return p;
}

static enum np_skip check(const struct np_proc *p, const struct np_mpol_summary *mpol, char *detail)
{
    return np_pinned_check(&root, &topo, p, mpol, detail, 256);
}

/* Adds one mapping of policy TEXT (as numa_maps prints it) holding KB to S. */
static void add_mapping(struct np_mpol_summary *s, const char *text, uint64_t kb)
{
    struct np_mpol pol;
    ck_assert_int_eq(np_mpol_parse(text, NULL, &pol), 0);
    np_mpol_summary_add(s, &pol, kb);
}

/* ---- names and globs ---- */

START_TEST(test_skip_names)
{
    ck_assert_str_eq(np_skip_name(NP_SKIP_NONE), "none");
    ck_assert_str_eq(np_skip_name(NP_SKIP_KTHREAD), "kernel-thread");
    ck_assert_str_eq(np_skip_name(NP_SKIP_EXCLUDED_NAME), "excluded-name");
    ck_assert_str_eq(np_skip_name(NP_SKIP_RUNTIME_EXCLUDED), "runtime-excluded");
    ck_assert_str_eq(np_skip_name(NP_SKIP_K8S_GUARANTEED), "k8s-guaranteed");
    ck_assert_str_eq(np_skip_name(NP_SKIP_LIBVIRT_PINNED), "libvirt-pinned");
    ck_assert_str_eq(np_skip_name(NP_SKIP_COUNT), "unknown");
    ck_assert_str_eq(np_skip_name((enum np_skip)-1), "unknown");
    for (int i = 0; i < NP_SKIP_COUNT; i++)
        for (int j = i + 1; j < NP_SKIP_COUNT; j++)
            ck_assert_str_ne(np_skip_name((enum np_skip)i), np_skip_name((enum np_skip)j));
}
END_TEST

START_TEST(test_glob_match)
{
    ck_assert(np_glob_match("postgres*", "postgres"));
    ck_assert(np_glob_match("postgres*", "postgres: wal"));
    ck_assert(!np_glob_match("postgres*", "pg_ctl"));
    ck_assert(np_glob_match("/opt/*", "/opt/rt/bin/app"));     /* '*' crosses '/' */
    ck_assert(np_glob_match("qemu-?vm", "qemu-kvm"));
    ck_assert(np_glob_match("[jk]ava", "java"));
    ck_assert(!np_glob_match("[jk]ava", "lava"));
    ck_assert(np_glob_match(".*", ".hidden"));
    ck_assert(np_glob_match("*", ".hidden"));                  /* no FNM_PERIOD */
    ck_assert(!np_glob_match(NULL, "x"));
    ck_assert(!np_glob_match("x", NULL));
}
END_TEST

/* ---- cheap and detail passes ---- */

static char *names[] = { "postgres*", "qemu-kvm" };
static char *exes[] = { "/opt/rt/bin/*" };
static char *cgroups[] = { "system.slice/db.service", "/machine.slice/*" };
static int pids[] = { 1234, 4321 };
static uid_t users[] = { 0, 1001 };

static const struct np_exclusions exclusions = {
    .npids = 2, .pids = pids,
    .nnames = 2, .names = names,
    .nexes = 1, .exes = exes,
    .ncgroups = 2, .cgroups = cgroups,
    .nusers = 2, .users = users,
};

START_TEST(test_cheap)
{
    struct np_proc *p = make_proc(500, "/system.slice/foo.service", "0-7", "0-1");
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_NONE);

    p->flags = NP_PF_KTHREAD | 0x40;
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_KTHREAD);
    p->flags = 0x400040;   /* PF_FORKNOEXEC|... but not PF_KTHREAD */
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_NONE);
    p->pid = 2;
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_KTHREAD);
    p->pid = 500;
    p->ppid = 2;
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_KTHREAD);
    p->ppid = 1;

    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 500), NP_SKIP_SELF);
    ck_assert_int_eq(np_exclude_cheap(NULL, p, 500), NP_SKIP_SELF);

    p->pid = 4321;
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_EXCLUDED_PID);
    p->pid = 4322;
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_NONE);

    strcpy(p->comm, "postgres");
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_EXCLUDED_NAME);
    strcpy(p->comm, "qemu-kvm");
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_EXCLUDED_NAME);
    strcpy(p->comm, "qemu-system-x86");
    ck_assert_int_eq(np_exclude_cheap(&exclusions, p, 99), NP_SKIP_NONE);
    strcpy(p->comm, "postgres");
    ck_assert_int_eq(np_exclude_cheap(NULL, p, 99), NP_SKIP_NONE);
    free(p);
}
END_TEST

START_TEST(test_detail)
{
    struct np_proc *p = make_proc(500, "/system.slice/foo.service", "0-7", "0-1");
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_NONE);
    ck_assert_int_eq(np_exclude_detail(NULL, p), NP_SKIP_NONE);

    strcpy(p->exe, "/opt/rt/bin/sub/engine");
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_EXCLUDED_EXE);
    strcpy(p->exe, "/opt/rtx/bin/engine");
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_NONE);

    strcpy(p->cgroup, "/system.slice/db.service");   /* pattern has no leading '/' */
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_EXCLUDED_CGROUP);
    strcpy(p->cgroup, VM1_EMULATOR);                  /* "/machine.slice/\*" crosses '/' */
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_EXCLUDED_CGROUP);
    strcpy(p->cgroup, "/system.slice/db.service.d");
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_NONE);

    p->uid = 1001;
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_EXCLUDED_USER);
    p->uid = 0;
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_EXCLUDED_USER);
    p->detailed = false;   /* uid not read yet: do not trust 0 */
    ck_assert_int_eq(np_exclude_detail(&exclusions, p), NP_SKIP_NONE);
    free(p);
}
END_TEST

START_TEST(test_detail_empty_fields_never_match)
{
    static char *star[] = { "*" };
    const struct np_exclusions all = { .nexes = 1, .exes = star, .ncgroups = 1, .cgroups = star };
    struct np_proc *p = make_proc(500, "", "0-7", "0-1");
    p->exe[0] = '\0';
    ck_assert_int_eq(np_exclude_detail(&all, p), NP_SKIP_NONE);
    strcpy(p->cgroup, "/");
    ck_assert_int_eq(np_exclude_detail(&all, p), NP_SKIP_EXCLUDED_CGROUP);
    free(p);
}
END_TEST

/* ---- pinned: CPUs and mems ---- */

START_TEST(test_unpinned_process)
{
    char detail[256] = "stale";
    struct np_proc *p = make_proc(4242, "/system.slice/foo.service", "0-7", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    ck_assert_str_eq(detail, "");
    /* Possible-but-offline CPUs in Cpus_allowed are not "narrow". */
    ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), "0-15"), 0);
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    free(p);
}
END_TEST

START_TEST(test_pinned_cpus)
{
    char detail[256];
    struct np_proc *p = make_proc(4242, "/system.slice/foo.service", "0-1", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_PINNED_CPUS);
    ck_assert_str_eq(detail, "Cpus_allowed 0-1 narrower than cgroup's 0-7");
    /* One CPU missing is enough. */
    ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), "0-6"), 0);
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_PINNED_CPUS);
    ck_assert_str_eq(detail, "Cpus_allowed 0-6 narrower than cgroup's 0-7");
    free(p);
}
END_TEST

/* The cgroup is narrow (AllowedCPUs=0-3), the process follows it: not pinned. */
START_TEST(test_narrow_cgroup_is_not_pinning)
{
    char detail[256];
    struct np_proc *p = make_proc(6000, "/system.slice/narrow.service", "0-3", "0");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), "0-1"), 0);
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_PINNED_CPUS);
    ck_assert_str_eq(detail, "Cpus_allowed 0-1 narrower than cgroup's 0-3");
    free(p);
}
END_TEST

/* session-3.scope has no cpuset files: user.slice's 0-5 applies. */
START_TEST(test_effective_from_ancestor)
{
    char detail[256];
    struct np_proc *p = make_proc(7000, "/user.slice/user-1000.slice/session-3.scope", "0-5", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), "0-1"), 0);
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_PINNED_CPUS);
    ck_assert_str_eq(detail, "Cpus_allowed 0-1 narrower than cgroup's 0-5");
    free(p);
}
END_TEST

/* The root cgroup, no v2 cgroup, and paths outside our namespace compare
 * with every CPU of the topology. */
START_TEST(test_root_cgroup_uses_topology)
{
    static const char *cgroups_[] = { "/", "", "/../../system.slice/narrow.service" };
    char detail[256];
    for (size_t i = 0; i < sizeof(cgroups_) / sizeof(cgroups_[0]); i++) {
        struct np_proc *p = make_proc(1, cgroups_[i], "0-7", "0-1");
        ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
        ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), "0-3"), 0);
        ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_PINNED_CPUS);
        ck_assert_str_eq(detail, "Cpus_allowed 0-3 narrower than cgroup's 0-7");
        ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), "0-7"), 0);
        ck_assert_int_eq(np_bits_parse_list(NP_NODES(&p->mems_allowed), "1"), 0);
        ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_PINNED_MEMS);
        ck_assert_str_eq(detail, "Mems_allowed 1 narrower than cgroup's 0-1");
        free(p);
    }
}
END_TEST

START_TEST(test_pinned_mems)
{
    char detail[256];
    struct np_proc *p = make_proc(4242, "/system.slice/foo.service", "0-7", "0");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_PINNED_MEMS);
    ck_assert_str_eq(detail, "Mems_allowed 0 narrower than cgroup's 0-1");
    free(p);
    /* narrow.service's mems are 0: Mems_allowed 0 follows the cgroup. */
    p = make_proc(6000, "/system.slice/narrow.service", "0-3", "0");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    free(p);
}
END_TEST

/* Without the detail pass the allowed sets are empty: never "pinned". */
START_TEST(test_not_detailed)
{
    char detail[256];
    struct np_proc *p = make_proc(4242, "/system.slice/foo.service", "", "");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    p->detailed = false;
    ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), "0"), 0);
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    free(p);
}
END_TEST

/* ---- pinned: memory policy ---- */

START_TEST(test_mempolicy)
{
    char detail[256];
    struct np_proc *p = make_proc(4242, "/system.slice/foo.service", "0-7", "0-1");
    struct np_mpol_summary mpol;

    /* Not read yet, or nothing but local and default: not pinned. */
    strcpy(detail, "stale");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    ck_assert_str_eq(detail, "");
    memset(&mpol, 0, sizeof(mpol));
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_NONE);
    add_mapping(&mpol, "local", 4096);
    add_mapping(&mpol, "default", 8192);
    strcpy(detail, "stale");
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_NONE);
    ck_assert_str_eq(detail, "");

    /* bind beside local: the policy, its share of the mappings and its size. */
    memset(&mpol, 0, sizeof(mpol));
    add_mapping(&mpol, "bind:1", 4096);
    add_mapping(&mpol, "local", 4096);
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(detail, "memory policy bind:1 on 1 of 2 mappings, 4 MiB");

    memset(&mpol, 0, sizeof(mpol));
    add_mapping(&mpol, "interleave:0-1", 409600);
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(detail, "memory policy interleave:0-1 on 1 of 1 mappings, 400 MiB");

    memset(&mpol, 0, sizeof(mpol));
    add_mapping(&mpol, "prefer:1", 512);
    add_mapping(&mpol, "prefer=static:1", 512);
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(detail, "memory policy preferred:1 on 2 of 2 mappings, 1 MiB");

    memset(&mpol, 0, sizeof(mpol));
    add_mapping(&mpol, "prefer (many):0-1", 100);
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(detail, "memory policy preferred-many:0-1 on 1 of 1 mappings, 100 KiB");

    /* Several kinds: the largest is named, the size is all of them. */
    memset(&mpol, 0, sizeof(mpol));
    add_mapping(&mpol, "bind:0", 2048);
    add_mapping(&mpol, "weighted interleave:0-1", 20 * 1024 * 1024);
    add_mapping(&mpol, "default", 1024);
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(detail,
                     "memory policy weighted-interleave:0-1 and others on 2 of 3 mappings, 20 GiB");

    /* A small mbind in a big process is incidental: not pinned. */
    memset(&mpol, 0, sizeof(mpol));
    add_mapping(&mpol, "bind:1", 2048);
    add_mapping(&mpol, "default", 100 * 1024 * 1024);
    strcpy(detail, "stale");
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_NONE);
    ck_assert_str_eq(detail, "");

    /* ... unless a thread's own policy is deliberate. */
    struct np_mpol tpol;
    ck_assert_int_eq(np_mpol_parse("interleave:0-1", NULL, &tpol), 0);
    np_mpol_summary_add_thread(&mpol, 4243, &tpol);
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(detail, "memory policy interleave:0-1 of thread 4243");

    /* CPU and mems pinning are reported before the policy. */
    ck_assert_int_eq(np_bits_parse_list(NP_NODES(&p->mems_allowed), "1"), 0);
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_PINNED_MEMS);
    ck_assert_str_eq(detail, "Mems_allowed 1 narrower than cgroup's 0-1");
    ck_assert_int_eq(np_bits_parse_list(NP_CPUS(&p->cpus_allowed), "4-7"), 0);
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_PINNED_CPUS);
    ck_assert_str_eq(detail, "Cpus_allowed 4-7 narrower than cgroup's 0-7");
    free(p);
}
END_TEST

/* ---- pinned: Kubernetes and libvirt ---- */

START_TEST(test_k8s_guaranteed_systemd)
{
    char detail[256];
    struct np_proc *p = make_proc(8000, K8S_GUARANTEED, "2-3", "0-1");
    struct np_mpol_summary mpol;
    memset(&mpol, 0, sizeof(mpol));
    add_mapping(&mpol, "bind:0", 4096);   /* kube is reported first */
    ck_assert(np_mpol_decides(&mpol, NULL, 0));
    ck_assert_int_eq(check(p, &mpol, detail), NP_SKIP_K8S_GUARANTEED);
    ck_assert_str_eq(detail, "Kubernetes Guaranteed pod with exclusive CPUs 2-3");
    ck_assert_int_eq(check(p, NULL, NULL), NP_SKIP_K8S_GUARANTEED);   /* no detail buffer */
    free(p);
}
END_TEST

/* Burstable's shared pool (0-1,4-7) is narrower than all CPUs, yet this is
 * no Guaranteed pod, and the process follows its cgroup. */
START_TEST(test_k8s_burstable_not_skipped)
{
    char detail[256];
    struct np_proc *p = make_proc(8100, K8S_BURSTABLE, "0-1,4-7", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    free(p);
    p = make_proc(8300, K8S_FS_BURSTABLE, "0-1,6-7", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    free(p);
}
END_TEST

START_TEST(test_k8s_guaranteed_cgroupfs)
{
    char detail[256];
    struct np_proc *p = make_proc(8200, K8S_FS_GUARANTEED, "4-5", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_K8S_GUARANTEED);
    ck_assert_str_eq(detail, "Kubernetes Guaranteed pod with exclusive CPUs 4-5");
    free(p);
}
END_TEST

/* A Guaranteed-looking path whose cpuset.cpus is missing (e.g. the pod
 * cgroup itself) is not the kube reason. */
START_TEST(test_k8s_guaranteed_without_cpuset)
{
    char detail[256];
    struct np_proc *p = make_proc(8001, "/kubepods.slice/kubepods-pod3f1c2a9e_7b4d_4e2a_9c1f_"
                                  "0a1b2c3d4e5f.slice", "0-7", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    free(p);
}
END_TEST

START_TEST(test_libvirt_pinned)
{
    char detail[256];
    struct np_proc *p = make_proc(9000, VM1_EMULATOR, "0-7", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_LIBVIRT_PINNED);
    ck_assert_msg(strcmp(detail, "libvirt pins vcpu0 to CPUs 2") == 0 ||
                  strcmp(detail, "libvirt pins vcpu1 to CPUs 3") == 0, "detail '%s'", detail);
    /* The scope itself is recognised too. */
    strcpy(p->cgroup, "/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_LIBVIRT_PINNED);
    free(p);
}
END_TEST

START_TEST(test_libvirt_unpinned)
{
    char detail[256];
    struct np_proc *p = make_proc(9100, VM2_EMULATOR, "0-7", "0-1");
    ck_assert_int_eq(check(p, NULL, detail), NP_SKIP_NONE);
    free(p);
}
END_TEST

/* ---- sole tenant ---- */

START_TEST(test_sole_tenant)
{
    struct np_proc *p = make_proc(4242, "/system.slice/foo.service", "0-7", "0-1");
    ck_assert(np_cgroup_sole_tenant(&root, p));
    p->pid = 4243;   /* not the pid listed */
    ck_assert(!np_cgroup_sole_tenant(&root, p));
    free(p);

    p = make_proc(5000, "/system.slice/shared.service", "0-7", "0-1");
    ck_assert(!np_cgroup_sole_tenant(&root, p));
    free(p);
    p = make_proc(6000, "/system.slice/narrow.service", "0-3", "0");
    ck_assert(np_cgroup_sole_tenant(&root, p));
    free(p);
}
END_TEST

START_TEST(test_not_sole_tenant)
{
    static const struct { int pid; const char *cgroup; } cases[] = {
        { 1, "/" },                                                  /* root cgroup */
        { 1, "" },                                                   /* no v2 cgroup */
        { 7000, "/user.slice/user-1000.slice/session-3.scope" },     /* no cpuset.cpus */
        { 8000, K8S_GUARANTEED },
        { 8100, K8S_BURSTABLE },
        { 8200, K8S_FS_GUARANTEED },
        { 9100, VM2_EMULATOR },
        { 4242, "/../system.slice/foo.service" },                   /* outside our namespace */
        { 4242, "/system.slice/missing.service" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct np_proc *p = make_proc(cases[i].pid, cases[i].cgroup, "0-7", "0-1");
        ck_assert_msg(!np_cgroup_sole_tenant(&root, p), "%s", cases[i].cgroup);
        free(p);
    }
}
END_TEST

static Suite *exclude_suite(void)
{
    Suite *s = suite_create("exclude");
    TCase *tc = tcase_create("lists");
    tcase_add_test(tc, test_skip_names);
    tcase_add_test(tc, test_glob_match);
    tcase_add_test(tc, test_cheap);
    tcase_add_test(tc, test_detail);
    tcase_add_test(tc, test_detail_empty_fields_never_match);
    suite_add_tcase(s, tc);

    tc = tcase_create("pinned");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_unpinned_process);
    tcase_add_test(tc, test_pinned_cpus);
    tcase_add_test(tc, test_narrow_cgroup_is_not_pinning);
    tcase_add_test(tc, test_effective_from_ancestor);
    tcase_add_test(tc, test_root_cgroup_uses_topology);
    tcase_add_test(tc, test_pinned_mems);
    tcase_add_test(tc, test_not_detailed);
    tcase_add_test(tc, test_mempolicy);
    tcase_add_test(tc, test_k8s_guaranteed_systemd);
    tcase_add_test(tc, test_k8s_burstable_not_skipped);
    tcase_add_test(tc, test_k8s_guaranteed_cgroupfs);
    tcase_add_test(tc, test_k8s_guaranteed_without_cpuset);
    tcase_add_test(tc, test_libvirt_pinned);
    tcase_add_test(tc, test_libvirt_unpinned);
    suite_add_tcase(s, tc);

    tc = tcase_create("sole-tenant");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_sole_tenant);
    tcase_add_test(tc, test_not_sole_tenant);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(exclude_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
