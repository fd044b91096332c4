/* Unit tests for lib/sample.c on tests/fixtures/procs-host (a capture of real
 * processes: sleep and a 3-thread python3 holding 50 MiB) and
 * tests/fixtures/procs-hostile (hand-made odd comms, a kernel thread, a
 * zombie, a garbage stat, a vanished PID, hugetlb and bind users). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "sample.h"

#define HOST    "tests/fixtures/procs-host"
#define HOSTILE "tests/fixtures/procs-hostile"

static struct np_root open_root(const char *path)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open(path, &root), 0);
    return root;
}

/* Parses proc/PID/stat of a fixture. */
static int stat_of(const char *fixture, const char *rel, struct np_proc *p)
{
    struct np_root root = open_root(fixture);
    char buf[4096];
    long n = np_read_file(&root, rel, buf, sizeof(buf));
    np_root_close(&root);
    ck_assert_int_ge(n, 0);
    memset(p, 0, sizeof(*p));
    return np_parse_stat(buf, (size_t)n, 4, p);
}

static char *file_of(const char *fixture, const char *rel)
{
    struct np_root root = open_root(fixture);
    char *text;
    size_t len;
    ck_assert_int_eq(np_read_file_alloc(&root, rel, 1 << 20, &text, &len), 0);
    np_root_close(&root);
    return text;
}

static void assert_list(const uint64_t *w, unsigned nbits, const char *expected)
{
    char buf[256];
    ck_assert_int_eq(np_bits_format_list(w, nbits, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, expected);
}

/* ---- np_parse_stat ---- */

START_TEST(test_stat_real_python)
{
    struct np_proc p;
    ck_assert_int_eq(stat_of(HOST, "proc/10261/stat", &p), 0);
    ck_assert_int_eq(p.pid, 10261);
    ck_assert_str_eq(p.comm, "python3");
    ck_assert_int_eq(p.state, 'S');
    ck_assert_int_eq(p.ppid, 1);
    ck_assert_uint_eq(p.flags, 4194304);
    ck_assert_uint_eq(p.cpu_ticks, 6);           /* utime 2 + stime 4 */
    ck_assert_int_eq(p.num_threads, 3);
    ck_assert_uint_eq(p.start_time, 30935);
    ck_assert_uint_eq(p.rss_kb, 16141 * 4);
    ck_assert_int_eq(p.last_cpu, 1);
    ck_assert(!(p.flags & NP_PF_KTHREAD));
}
END_TEST

START_TEST(test_stat_real_thread_negative_exit_signal)
{
    /* Threads print exit_signal (field 38) as -1: must not be rejected. */
    struct np_proc p;
    ck_assert_int_eq(stat_of(HOST, "proc/10261/task/10303/stat", &p), 0);
    ck_assert_int_eq(p.pid, 10303);
    ck_assert_uint_eq(p.start_time, 30958);
    ck_assert_int_eq(p.last_cpu, 0);
}
END_TEST

START_TEST(test_stat_page_size)
{
    struct np_root root = open_root(HOST);
    char buf[4096];
    long n = np_read_file(&root, "proc/10260/stat", buf, sizeof(buf));
    np_root_close(&root);
    ck_assert_int_gt(n, 0);
    struct np_proc p;
    ck_assert_int_eq(np_parse_stat(buf, (size_t)n, 64, &p), 0);
    ck_assert_uint_eq(p.rss_kb, 415 * 64);
    ck_assert_int_eq(np_parse_stat(buf, (size_t)n, 0, &p), -EINVAL);
}
END_TEST

START_TEST(test_stat_hostile_comms)
{
    struct np_proc p;
    ck_assert_int_eq(stat_of(HOSTILE, "proc/120/stat", &p), 0);
    ck_assert_str_eq(p.comm, "a) (b");
    ck_assert_int_eq(p.pid, 120);
    ck_assert_uint_eq(p.cpu_ticks, 375);
    ck_assert_uint_eq(p.start_time, 5000);
    ck_assert_int_eq(p.last_cpu, 3);

    ck_assert_int_eq(stat_of(HOSTILE, "proc/131/stat", &p), 0);
    ck_assert_str_eq(p.comm, "x y z");
    ck_assert_int_eq(p.num_threads, 3);
    ck_assert_uint_eq(p.cpu_ticks, 1200);

    ck_assert_int_eq(stat_of(HOSTILE, "proc/142/stat", &p), 0);
    ck_assert_str_eq(p.comm, "new\nline");
    ck_assert_uint_eq(p.cpu_ticks, 10);
    ck_assert_uint_eq(p.rss_kb, 1200);

    ck_assert_int_eq(stat_of(HOSTILE, "proc/153/stat", &p), 0);
    ck_assert_str_eq(p.comm, "");
    ck_assert_int_eq(p.state, 'S');
    ck_assert_uint_eq(p.start_time, 7100);
}
END_TEST

START_TEST(test_stat_kthread_and_zombie)
{
    struct np_proc p;
    ck_assert_int_eq(stat_of(HOSTILE, "proc/2/stat", &p), 0);
    ck_assert_str_eq(p.comm, "kthreadd");
    ck_assert_int_eq(p.ppid, 0);
    ck_assert(p.flags & NP_PF_KTHREAD);
    ck_assert_uint_eq(p.rss_kb, 0);
    ck_assert_uint_eq(p.cpu_ticks, 3);

    ck_assert_int_eq(stat_of(HOSTILE, "proc/164/stat", &p), 0);
    ck_assert_int_eq(p.state, 'Z');
    ck_assert_int_eq(p.ppid, 131);
    ck_assert(!(p.flags & NP_PF_KTHREAD));
    ck_assert_uint_eq(p.rss_kb, 0);
}
END_TEST

START_TEST(test_stat_garbage_rejected)
{
    struct np_proc p;
    ck_assert_int_eq(stat_of(HOSTILE, "proc/175/stat", &p), -EINVAL);

    static const char *bad[] = {
        "",
        "1234",
        "1234 (cat",
        "1234 cat) R 1",
        "(cat) R 1 2 3",
        "0 (cat) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 17 1",
        "12x4 (cat) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 17 1",
        /* one field short of processor (39) */
        "1234 (cat) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 17",
        /* negative ppid */
        "1234 (cat) R -1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 17 1",
        /* word where a number belongs */
        "1234 (cat) R 1 1 1 0 -1 0 0 0 0 0 x 0 0 0 20 0 1 0 9 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 17 1",
        /* state missing */
        "1234 (cat)  1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 17 1",
        /* utime overflows u64 */
        "1234 (cat) R 1 1 1 0 -1 0 0 0 0 0 99999999999999999999 0 0 0 20 0 1 0 9 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 17 1",
        /* junk glued to the processor field */
        "1234 (cat) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 17 1abc",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&p, 0x5a, sizeof(p));
        ck_assert_msg(np_parse_stat(bad[i], strlen(bad[i]), 4, &p) == -EINVAL, "accepted: %s", bad[i]);
        ck_assert_int_eq(p.pid, 0x5a5a5a5a);   /* untouched on failure */
    }
}
END_TEST

START_TEST(test_stat_minimal_and_len_bound)
{
    const char *ok = "77 (cat) R 1 1 1 0 -1 64 0 0 0 0 5 6 0 0 20 0 1 0 9 0 12 1 0 0 0 0 0 0 0 0 0 0 0 0 17 1";
    struct np_proc p;
    ck_assert_int_eq(np_parse_stat(ok, strlen(ok), 4, &p), 0);
    ck_assert_int_eq(p.pid, 77);
    ck_assert_uint_eq(p.flags, 64);
    ck_assert_uint_eq(p.cpu_ticks, 11);
    ck_assert_uint_eq(p.rss_kb, 48);
    ck_assert_uint_eq(p.start_time, 9);
    ck_assert_int_eq(p.last_cpu, 1);
    /* LEN is honoured: the same text cut before field 39 is truncated. */
    ck_assert_int_eq(np_parse_stat(ok, strlen(ok) - 2, 4, &p), -EINVAL);
    /* Not NUL-terminated: a heap copy of exactly LEN bytes. */
    size_t n = strlen(ok);
    char *exact = malloc(n);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, ok, n);
    ck_assert_int_eq(np_parse_stat(exact, n, 4, &p), 0);
    ck_assert_int_eq(p.last_cpu, 1);
    free(exact);
}
END_TEST

START_TEST(test_stat_long_and_tricky_comm)
{
    char text[512];
    char comm[101];
    memset(comm, 'c', 100);
    comm[100] = '\0';
    comm[5] = ')';   /* an early ')' must not end the comm */
    snprintf(text, sizeof(text),
             "4242 (%s) S 1 1 1 0 -1 0 0 0 0 0 8 9 0 0 20 0 2 0 777 0 3 1 0 0 0 0 0 0 0 0 0 0 0 0 17 5\n",
             comm);
    struct np_proc p;
    ck_assert_int_eq(np_parse_stat(text, strlen(text), 4, &p), 0);
    ck_assert_uint_eq(strlen(p.comm), NP_COMM_MAX - 1);
    ck_assert_int_eq(memcmp(p.comm, comm, NP_COMM_MAX - 1), 0);
    ck_assert_uint_eq(p.cpu_ticks, 17);
    ck_assert_int_eq(p.num_threads, 2);
    ck_assert_uint_eq(p.start_time, 777);
    ck_assert_int_eq(p.last_cpu, 5);

    const char *fake = "9 (x) R 1 2 3 (y) S 4 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 55 0 3 1 0 0 0 0 0 0 0 0 0 0 0 0 17 0";
    ck_assert_int_eq(np_parse_stat(fake, strlen(fake), 4, &p), 0);
    ck_assert_str_eq(p.comm, "x) R 1 2 3 (y");
    ck_assert_int_eq(p.ppid, 4);
    ck_assert_uint_eq(p.start_time, 55);
}
END_TEST

/* ---- np_parse_status / np_parse_cgroup ---- */

START_TEST(test_status_real)
{
    char *text = file_of(HOST, "proc/10261/status");
    struct np_proc p;
    memset(&p, 0, sizeof(p));
    p.uid = 77;
    ck_assert_int_eq(np_parse_status(text, &p), 0);
    ck_assert_uint_eq(p.uid, 0);
    assert_list(NP_CPUS(&p.cpus_allowed), "0-1");
    assert_list(NP_NODES(&p.mems_allowed), "0");
    ck_assert_uint_eq(p.vm_rss_kb, 64736);
    ck_assert_uint_eq(p.hugetlb_kb, 0);
    free(text);
}
END_TEST

START_TEST(test_status_hostile)
{
    struct np_proc p;
    char *text = file_of(HOSTILE, "proc/120/status");
    memset(&p, 0, sizeof(p));
    ck_assert_int_eq(np_parse_status(text, &p), 0);
    ck_assert_uint_eq(p.uid, 1000);
    assert_list(NP_CPUS(&p.cpus_allowed), "2-3");
    assert_list(NP_NODES(&p.mems_allowed), "0-1");
    ck_assert_uint_eq(p.vm_rss_kb, 103884);
    free(text);

    text = file_of(HOSTILE, "proc/1044/status");
    ck_assert_int_eq(np_parse_status(text, &p), 0);
    ck_assert_uint_eq(p.hugetlb_kb, 12288);
    ck_assert_uint_eq(p.vm_rss_kb, 392);
    free(text);

    /* Kernel thread: no VmRSS, no HugetlbPages. */
    text = file_of(HOSTILE, "proc/2/status");
    p.vm_rss_kb = 5;
    p.hugetlb_kb = 5;
    ck_assert_int_eq(np_parse_status(text, &p), 0);
    ck_assert_uint_eq(p.uid, 0);
    ck_assert_uint_eq(p.vm_rss_kb, 0);
    ck_assert_uint_eq(p.hugetlb_kb, 0);
    free(text);

    /* Escaped newline in Name: does not disturb anything. */
    text = file_of(HOSTILE, "proc/142/status");
    ck_assert_int_eq(np_parse_status(text, &p), 0);
    ck_assert_uint_eq(p.vm_rss_kb, 1200);
    free(text);
}
END_TEST

START_TEST(test_status_mask_fallback_and_errors)
{
    struct np_proc p;
    memset(&p, 0, sizeof(p));
    const char *old = "Name:\tx\nUid:\t33\t33\t33\t33\nVmRSS:\t  10 kB\n"
                      "Cpus_allowed:\tf0\nMems_allowed:\t00000000,00000002\n";
    ck_assert_int_eq(np_parse_status(old, &p), 0);
    ck_assert_uint_eq(p.uid, 33);
    assert_list(NP_CPUS(&p.cpus_allowed), "4-7");
    assert_list(NP_NODES(&p.mems_allowed), "1");
    ck_assert_uint_eq(p.vm_rss_kb, 10);

    static const char *bad[] = {
        "Name:\tx\nCpus_allowed_list:\t0\nMems_allowed_list:\t0\n",                 /* no Uid */
        "Uid:\tabc\nCpus_allowed_list:\t0\nMems_allowed_list:\t0\n",
        "Uid:\t1\nMems_allowed_list:\t0\n",                                        /* no CPUs */
        "Uid:\t1\nCpus_allowed_list:\t0-x\nMems_allowed_list:\t0\n",
        "Uid:\t1\nCpus_allowed_list:\t0\nMems_allowed_list:\t1024\n",              /* node too big */
        "Uid:\t1\nCpus_allowed_list:\t0\nMems_allowed_list:\t0\nVmRSS:\tlots kB\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p.uid = 4321;
        ck_assert_msg(np_parse_status(bad[i], &p) == -EINVAL, "accepted: %s", bad[i]);
        ck_assert_uint_eq(p.uid, 4321);
    }
}
END_TEST

START_TEST(test_cgroup)
{
    char buf[NP_CGROUP_MAX];
    char *text = file_of(HOSTILE, "proc/120/cgroup");
    ck_assert_int_eq(np_parse_cgroup(text, buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "/user.slice/user-1000.slice/session-3.scope");
    free(text);

    text = file_of(HOSTILE, "proc/131/cgroup");   /* v1 only */
    strcpy(buf, "stale");
    ck_assert_int_eq(np_parse_cgroup(text, buf, sizeof(buf)), -ENOENT);
    ck_assert_str_eq(buf, "");
    free(text);

    ck_assert_int_eq(np_parse_cgroup("0::/a b/c\n", buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "/a b/c");
    ck_assert_int_eq(np_parse_cgroup("10::/not-v2\n0::/x", buf, sizeof(buf)), 0);
    ck_assert_str_eq(buf, "/x");
    ck_assert_int_eq(np_parse_cgroup("", buf, sizeof(buf)), -ENOENT);
    char small[4];
    ck_assert_int_eq(np_parse_cgroup("0::/long/path\n", small, sizeof(small)), -E2BIG);
    ck_assert_str_eq(small, "");
}
END_TEST

/* ---- np_sample_scan ---- */

START_TEST(test_scan_hostile)
{
    struct np_root root = open_root(HOSTILE);
    struct np_proc_list list;
    bool truncated = true;
    ck_assert_int_eq(np_sample_scan(&root, 1000, 4, NULL, NULL, &list, &truncated), 0);
    ck_assert(!truncated);
    static const int pids[] = { 2, 120, 131, 142, 153, 164, 1044, 4194301 };
    static const char *comms[] = { "kthreadd", "a) (b", "x y z", "new\nline", "", "defunct",
                                   "hugeapp", "bash" };
    ck_assert_uint_eq(list.n, 8);
    for (size_t i = 0; i < list.n; i++) {
        ck_assert_int_eq(list.procs[i].pid, pids[i]);
        ck_assert_str_eq(list.procs[i].comm, comms[i]);
        ck_assert(!list.procs[i].detailed);
        ck_assert_ptr_null(list.procs[i].threads);
        ck_assert(list.procs[i].read_at == 0);   /* a fixture: the caller's clock */
    }
    ck_assert_uint_eq(list.procs[6].start_time, 9000);
    ck_assert_uint_eq(list.procs[6].cpu_ticks, 5100);
    ck_assert_int_eq(list.procs[5].state, 'Z');
    ck_assert(list.procs[0].flags & NP_PF_KTHREAD);
    np_proc_list_free(&list);
    ck_assert_uint_eq(list.n, 0);
    ck_assert_ptr_null(list.procs);
    np_root_close(&root);
}
END_TEST

/* On the live root each process's stat read is stamped on the monotonic
 * clock, in the order the scan read them (proc lists PIDs ascending). */
START_TEST(test_scan_stamps_each_read_on_a_live_root)
{
    struct np_root root;
    ck_assert_int_eq(np_root_open("/", &root), 0);
    ck_assert(root.is_live);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double before = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    struct np_proc_list list;
    ck_assert_int_eq(np_sample_scan(&root, 100000, 4, NULL, NULL, &list, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double after = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    ck_assert_uint_gt(list.n, 0);
    bool found_self = false;
    for (size_t i = 0; i < list.n; i++) {
        ck_assert(list.procs[i].read_at >= before && list.procs[i].read_at <= after);
        if (i > 0)
            ck_assert(list.procs[i].read_at >= list.procs[i - 1].read_at);
        found_self |= list.procs[i].pid == (int)getpid();
    }
    ck_assert(found_self);
    np_proc_list_free(&list);
    np_root_close(&root);
}
END_TEST

START_TEST(test_scan_max_procs)
{
    struct np_root root = open_root(HOSTILE);
    struct np_proc_list list;
    bool truncated = false;
    ck_assert_int_eq(np_sample_scan(&root, 3, 4, NULL, NULL, &list, &truncated), 0);
    ck_assert(truncated);
    ck_assert_uint_eq(list.n, 3);
    for (size_t i = 0; i < list.n; i++) {
        int pid = list.procs[i].pid;
        ck_assert(pid == 2 || pid == 120 || pid == 131 || pid == 142 || pid == 153 ||
                  pid == 164 || pid == 1044 || pid == 4194301);
        if (i > 0)
            ck_assert_int_gt(pid, list.procs[i - 1].pid);
    }
    np_proc_list_free(&list);

    ck_assert_int_eq(np_sample_scan(&root, 0, 4, NULL, NULL, &list, &truncated), 0);
    ck_assert(truncated);
    ck_assert_uint_eq(list.n, 0);
    np_proc_list_free(&list);

    /* Exactly as many as there are: not truncated. */
    ck_assert_int_eq(np_sample_scan(&root, 8, 4, NULL, NULL, &list, NULL), 0);
    ck_assert_uint_eq(list.n, 8);
    np_proc_list_free(&list);
    np_root_close(&root);
}
END_TEST

/* The skip callback's PIDs are listed but not read: counted in nskipped,
 * absent from the list, and counted against max_procs. */
static bool skip_even(void *ctx, int pid)
{
    unsigned *calls = ctx;
    (*calls)++;
    return pid % 2 == 0;
}

START_TEST(test_scan_leaves_skipped_unread)
{
    struct np_root root = open_root(HOSTILE);
    struct np_proc_list list;
    unsigned calls = 0;
    bool truncated = true;
    ck_assert_int_eq(np_sample_scan(&root, 1000, 4, skip_even, &calls, &list, &truncated), 0);
    ck_assert(!truncated);
    /* Ten entries: the even six skipped (186 among them, junk unread),
     * 175 read and dropped as junk. */
    ck_assert_uint_eq(calls, 10);
    static const int pids[] = { 131, 153, 4194301 };
    ck_assert_uint_eq(list.n, 3);
    ck_assert_uint_eq(list.nskipped, 6);
    for (size_t i = 0; i < list.n; i++)
        ck_assert_int_eq(list.procs[i].pid, pids[i]);
    np_proc_list_free(&list);
    /* max_procs 4: four entries seen, read or not. */
    calls = 0;
    ck_assert_int_eq(np_sample_scan(&root, 4, 4, skip_even, &calls, &list, &truncated), 0);
    ck_assert(truncated);
    ck_assert_uint_eq(list.n + list.nskipped, 4);
    np_proc_list_free(&list);
    np_root_close(&root);
}
END_TEST

START_TEST(test_scan_host_and_missing_proc)
{
    struct np_root root = open_root(HOST);
    struct np_proc_list list;
    bool truncated = true;
    ck_assert_int_eq(np_sample_scan(&root, 100, 4, NULL, NULL, &list, &truncated), 0);
    ck_assert(!truncated);
    ck_assert_uint_eq(list.n, 2);
    ck_assert_int_eq(list.procs[0].pid, 10260);
    ck_assert_str_eq(list.procs[0].comm, "sleep");
    ck_assert_uint_eq(list.procs[0].rss_kb, 1660);
    ck_assert_int_eq(list.procs[1].pid, 10261);
    ck_assert_str_eq(list.procs[1].comm, "python3");
    np_proc_list_free(&list);
    np_root_close(&root);

    /* A root without proc/ at all. */
    root = open_root("tests/fixtures/numa_maps");
    ck_assert_int_eq(np_sample_scan(&root, 100, 4, NULL, NULL, &list, &truncated), -ENOENT);
    np_root_close(&root);
}
END_TEST

/* ---- np_sample_detail ---- */

static struct np_proc scanned(const struct np_root *root, int pid)
{
    struct np_proc_list list;
    ck_assert_int_eq(np_sample_scan(root, 1000, 4, NULL, NULL, &list, NULL), 0);
    for (size_t i = 0; i < list.n; i++) {
        if (list.procs[i].pid == pid) {
            struct np_proc p = list.procs[i];
            np_proc_list_free(&list);
            return p;
        }
    }
    ck_abort_msg("pid %d not scanned", pid);
    struct np_proc none = {0};
    return none;
}

START_TEST(test_detail_host_python)
{
    struct np_root root = open_root(HOST);
    struct np_proc p = scanned(&root, 10261);
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), 0);
    ck_assert(p.detailed);
    ck_assert_uint_eq(p.uid, 0);
    ck_assert_uint_eq(p.vm_rss_kb, 64736);
    ck_assert_str_eq(p.cgroup, "/");
    ck_assert_str_eq(p.exe, "/root/.pyenv/versions/3.11.7/bin/python3.11");
    assert_list(NP_CPUS(&p.cpus_allowed), "0-1");
    ck_assert_uint_eq(p.nthreads, 3);
    ck_assert_int_eq(p.threads[0].tid, 10261);
    ck_assert_uint_eq(p.threads[0].cpu_ticks, 6);
    ck_assert_int_eq(p.threads[0].last_cpu, 1);
    ck_assert_int_eq(p.threads[1].tid, 10303);
    ck_assert_int_eq(p.threads[1].last_cpu, 0);
    ck_assert_int_eq(p.threads[2].tid, 10304);
    ck_assert_int_eq(p.threads[2].last_cpu, 1);
    /* The cheap-pass fields are not rewritten. */
    ck_assert_uint_eq(p.cpu_ticks, 6);
    ck_assert_uint_eq(p.start_time, 30935);

    /* Fewer threads than the process has. */
    ck_assert_int_eq(np_sample_detail(&root, &p, 1), 0);
    ck_assert_uint_eq(p.nthreads, 1);
    np_proc_clear(&p);
    ck_assert_ptr_null(p.threads);
    ck_assert_uint_eq(p.nthreads, 0);
    np_root_close(&root);
}
END_TEST

START_TEST(test_detail_hostile)
{
    struct np_root root = open_root(HOSTILE);

    struct np_proc p = scanned(&root, 131);
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), 0);
    ck_assert(p.detailed);
    ck_assert_uint_eq(p.uid, 1000);
    ck_assert_str_eq(p.cgroup, "");          /* v1-only cgroup file */
    ck_assert_str_eq(p.exe, "/usr/bin/x y z");
    ck_assert_uint_eq(p.nthreads, 2);        /* task/132 vanished */
    ck_assert_int_eq(p.threads[0].tid, 131);
    ck_assert_uint_eq(p.threads[0].cpu_ticks, 1200);
    ck_assert_int_eq(p.threads[0].last_cpu, 1);
    ck_assert_int_eq(p.threads[1].tid, 133);
    ck_assert_uint_eq(p.threads[1].cpu_ticks, 410);
    ck_assert_int_eq(p.threads[1].last_cpu, 2);
    np_proc_clear(&p);

    p = scanned(&root, 120);
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), 0);
    ck_assert_str_eq(p.cgroup, "/user.slice/user-1000.slice/session-3.scope");
    ck_assert_str_eq(p.exe, "/usr/bin/weird");
    assert_list(NP_CPUS(&p.cpus_allowed), "2-3");
    assert_list(NP_NODES(&p.mems_allowed), "0-1");
    ck_assert_uint_eq(p.nthreads, 1);
    np_proc_clear(&p);

    p = scanned(&root, 2);                    /* kernel thread: no exe */
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), 0);
    ck_assert_str_eq(p.exe, "");
    ck_assert_str_eq(p.cgroup, "/");
    ck_assert_uint_eq(p.vm_rss_kb, 0);
    ck_assert_uint_eq(p.nthreads, 1);
    np_proc_clear(&p);

    p = scanned(&root, 164);                  /* zombie */
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), 0);
    ck_assert_str_eq(p.exe, "");
    ck_assert_uint_eq(p.vm_rss_kb, 0);
    ck_assert_uint_eq(p.nthreads, 1);
    np_proc_clear(&p);

    p = scanned(&root, 1044);
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), 0);
    ck_assert_uint_eq(p.hugetlb_kb, 12288);
    ck_assert_str_eq(p.cgroup, "/system.slice/hugeapp.service");
    ck_assert_uint_eq(p.nthreads, 2);
    ck_assert_int_eq(p.threads[1].tid, 1045);
    ck_assert_uint_eq(p.threads[1].cpu_ticks, 4050);
    ck_assert_int_eq(p.threads[1].last_cpu, 3);
    np_proc_clear(&p);
    np_root_close(&root);
}
END_TEST

START_TEST(test_detail_pid_reused)
{
    struct np_root root = open_root(HOSTILE);
    struct np_proc p = scanned(&root, 1044);
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), 0);
    ck_assert(p.detailed);
    ck_assert_uint_eq(p.nthreads, 2);

    /* Same PID, the stat now shows another start time: another process. */
    p.start_time = 8999;
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), -ESRCH);
    ck_assert(!p.detailed);
    ck_assert_ptr_null(p.threads);
    ck_assert_uint_eq(p.nthreads, 0);
    np_root_close(&root);
}
END_TEST

START_TEST(test_detail_gone)
{
    struct np_root root = open_root(HOSTILE);
    struct np_proc p;
    memset(&p, 0, sizeof(p));
    p.pid = 186;                     /* directory left, stat gone */
    p.detailed = true;
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), -ESRCH);
    ck_assert(!p.detailed);
    p.pid = 99999;                   /* no directory at all */
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), -ESRCH);
    p.pid = 175;                     /* garbage stat: cannot prove identity */
    ck_assert_int_eq(np_sample_detail(&root, &p, 64), -ESRCH);
    np_root_close(&root);
}
END_TEST

/* np_sample_affinity: the CPUs alone, for a process the detail pass skips
 * (an excluded one), with the same identity checks. */
START_TEST(test_affinity_alone)
{
    struct np_root root = open_root(HOSTILE);
    struct np_proc p = scanned(&root, 120);
    struct np_cpuset cpus;
    ck_assert_int_eq(np_sample_affinity(&root, &p, &cpus), 0);
    assert_list(NP_CPUS(&cpus), "2-3");
    ck_assert(!p.detailed);                  /* nothing else read or marked */
    ck_assert_ptr_null(p.threads);

    p.start_time += 1;                       /* PID reused */
    ck_assert_int_eq(np_sample_affinity(&root, &p, &cpus), -ESRCH);
    p.pid = 186;                             /* directory left, stat gone */
    ck_assert_int_eq(np_sample_affinity(&root, &p, &cpus), -ESRCH);
    p.pid = 99999;                           /* no directory at all */
    ck_assert_int_eq(np_sample_affinity(&root, &p, &cpus), -ESRCH);
    ck_assert_int_eq(np_sample_affinity(&root, NULL, &cpus), -EINVAL);
    np_root_close(&root);
}
END_TEST

/* np_sample_thread_affinity: one thread's CPUs, from task/TID/status. */
START_TEST(test_thread_affinity)
{
    char dir[] = "/tmp/np-test-thread-affinity-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p %s/proc/40/task/41 && printf 'Name:\tw\nUid:\t0\t0\t0\t0\n"
             "Cpus_allowed_list:\t3,5-6\nMems_allowed_list:\t0\n' > %s/proc/40/task/41/status",
             dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    struct np_root root = open_root(dir);
    struct np_cpuset cpus;
    ck_assert_int_eq(np_sample_thread_affinity(&root, 40, 41, &cpus), 0);
    assert_list(NP_CPUS(&cpus), "3,5-6");
    ck_assert_int_eq(np_sample_thread_affinity(&root, 40, 42, &cpus), -ESRCH);   /* gone */
    ck_assert_int_eq(np_sample_thread_affinity(&root, 40, 0, &cpus), -EINVAL);
    np_root_close(&root);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- np_read_uptime ---- */

START_TEST(test_uptime)
{
    double up = -1;
    struct np_root root = open_root(HOSTILE);
    ck_assert_int_eq(np_read_uptime(&root, &up), 0);
    ck_assert_double_eq_tol(up, 12345.67, 1e-9);
    np_root_close(&root);

    root = open_root(HOST);
    ck_assert_int_eq(np_read_uptime(&root, &up), 0);
    ck_assert_double_eq_tol(up, 312.49, 1e-9);
    np_root_close(&root);

    root = open_root("tests/fixtures/numa_maps");
    up = 7;
    ck_assert_int_eq(np_read_uptime(&root, &up), -ENOENT);
    ck_assert_double_eq(up, 7);
    np_root_close(&root);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_stat_real_python);
    tcase_add_test(tc, test_stat_real_thread_negative_exit_signal);
    tcase_add_test(tc, test_stat_page_size);
    tcase_add_test(tc, test_stat_hostile_comms);
    tcase_add_test(tc, test_stat_kthread_and_zombie);
    tcase_add_test(tc, test_stat_garbage_rejected);
    tcase_add_test(tc, test_stat_minimal_and_len_bound);
    tcase_add_test(tc, test_stat_long_and_tricky_comm);
    tcase_add_test(tc, test_status_real);
    tcase_add_test(tc, test_status_hostile);
    tcase_add_test(tc, test_status_mask_fallback_and_errors);
    tcase_add_test(tc, test_cgroup);
    suite_add_tcase(s, tc);

    tc = tcase_create("scan");
    tcase_add_test(tc, test_scan_hostile);
    tcase_add_test(tc, test_scan_max_procs);
    tcase_add_test(tc, test_scan_stamps_each_read_on_a_live_root);
    tcase_add_test(tc, test_scan_leaves_skipped_unread);
    tcase_add_test(tc, test_scan_host_and_missing_proc);
    tcase_add_test(tc, test_detail_host_python);
    tcase_add_test(tc, test_detail_hostile);
    tcase_add_test(tc, test_detail_pid_reused);
    tcase_add_test(tc, test_detail_gone);
    tcase_add_test(tc, test_affinity_alone);
    tcase_add_test(tc, test_thread_affinity);
    tcase_add_test(tc, test_uptime);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
