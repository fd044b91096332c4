/* Unit tests for lib/config.c. Run from the repo root. */
#include <check.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define SHIPPED_CONF "conf/numaplaced.conf"
#define FIXTURES     "tests/fixtures/conf/"

static void assert_config_equal(const struct np_config *a, const struct np_config *b)
{
    ck_assert_double_eq(a->interval, b->interval);
    ck_assert_int_eq(a->dry_run, b->dry_run);
    ck_assert_uint_eq(a->candidates.min_rss_kb, b->candidates.min_rss_kb);
    ck_assert_double_eq(a->candidates.min_cpu, b->candidates.min_cpu);
    ck_assert_uint_eq(a->candidates.max_per_cycle, b->candidates.max_per_cycle);
    ck_assert_uint_eq(a->candidates.max_numa_maps_bytes, b->candidates.max_numa_maps_bytes);
    ck_assert_uint_eq(a->candidates.sample_above_kb, b->candidates.sample_above_kb);
    ck_assert_uint_eq(a->candidates.sample_pages, b->candidates.sample_pages);
    ck_assert_uint_eq(a->candidates.max_procs, b->candidates.max_procs);
    ck_assert_uint_eq(a->candidates.max_threads, b->candidates.max_threads);
    ck_assert_double_eq(a->planner.local_enough, b->planner.local_enough);
    ck_assert_double_eq(a->planner.min_gain, b->planner.min_gain);
    ck_assert_double_eq(a->planner.cooldown, b->planner.cooldown);
    ck_assert_uint_eq(a->planner.max_moves_per_cycle, b->planner.max_moves_per_cycle);
    ck_assert_uint_eq(a->planner.mem_headroom_pct, b->planner.mem_headroom_pct);
    ck_assert_double_eq(a->planner.max_node_cpu_load, b->planner.max_node_cpu_load);
    ck_assert_double_eq(a->actuator.migrate_mb_per_s, b->actuator.migrate_mb_per_s);
    ck_assert_double_eq(a->actuator.node_migrate_mb_per_s, b->actuator.node_migrate_mb_per_s);
    ck_assert_int_eq(a->actuator.mover_nice, b->actuator.mover_nice);
    ck_assert_int_eq(a->actuator.use_cgroup, b->actuator.use_cgroup);
    ck_assert_int_eq(a->actuator.restore_on_exit, b->actuator.restore_on_exit);
    ck_assert_int_eq(a->policy.leave_pinned, b->policy.leave_pinned);
    ck_assert_int_eq(a->policy.numa_balancing, b->policy.numa_balancing);
    ck_assert_str_eq(a->control.socket, b->control.socket);
    ck_assert_str_eq(a->control.group, b->control.group);

    const struct np_exclusions *x = &a->exclude, *y = &b->exclude;
    ck_assert_uint_eq(x->npids, y->npids);
    for (size_t i = 0; i < x->npids; i++)
        ck_assert_int_eq(x->pids[i], y->pids[i]);
    ck_assert_uint_eq(x->nnames, y->nnames);
    for (size_t i = 0; i < x->nnames; i++)
        ck_assert_str_eq(x->names[i], y->names[i]);
    ck_assert_uint_eq(x->nexes, y->nexes);
    for (size_t i = 0; i < x->nexes; i++)
        ck_assert_str_eq(x->exes[i], y->exes[i]);
    ck_assert_uint_eq(x->ncgroups, y->ncgroups);
    for (size_t i = 0; i < x->ncgroups; i++)
        ck_assert_str_eq(x->cgroups[i], y->cgroups[i]);
    ck_assert_uint_eq(x->nusers, y->nusers);
    for (size_t i = 0; i < x->nusers; i++)
        ck_assert_uint_eq(x->users[i], y->users[i]);
}

START_TEST(test_defaults)
{
    struct np_config c;
    np_config_defaults(&c);
    ck_assert_double_eq(c.interval, 10.0);
    ck_assert(!c.dry_run);
    ck_assert_uint_eq(c.candidates.min_rss_kb, 256 * 1024);
    ck_assert_double_eq(c.candidates.min_cpu, 0.25);
    ck_assert_uint_eq(c.candidates.max_per_cycle, 32);
    ck_assert_uint_eq(c.candidates.max_numa_maps_bytes, 64ull << 20);
    ck_assert_uint_eq(c.candidates.sample_above_kb, 8192ull * 1024);
    ck_assert_uint_eq(c.candidates.sample_pages, 1024);
    ck_assert_uint_eq(c.candidates.max_procs, 65536);
    ck_assert_uint_eq(c.candidates.max_threads, 4096);
    ck_assert_double_eq(c.candidates.policy_rescan, 300.0);
    ck_assert_double_eq(c.sampling.thread_interval, 1.0);
    ck_assert_uint_eq(c.sampling.max_threads, 256);
    ck_assert_double_eq(c.planner.confirm_seconds, 5.0);
    ck_assert_double_eq(c.planner.drift_share, 0.1);
    ck_assert_double_eq(c.planner.coexist_confirm_seconds, 1.0);
    ck_assert_double_eq(c.planner.local_enough, 0.98);
    ck_assert_double_eq(c.planner.min_gain, 0.05);
    ck_assert_double_eq(c.planner.cooldown, 300);
    ck_assert_uint_eq(c.planner.max_moves_per_cycle, 4);
    ck_assert_uint_eq(c.planner.mem_headroom_pct, 5);
    ck_assert_double_eq(c.planner.max_node_cpu_load, 1.0);
    ck_assert_double_eq(c.actuator.migrate_mb_per_s, 1024);
    ck_assert_double_eq(c.actuator.node_migrate_mb_per_s, 0);
    ck_assert_int_eq(c.actuator.mover_nice, -10);
    ck_assert(c.actuator.use_cgroup);
    ck_assert(!c.actuator.restore_on_exit);
    ck_assert(c.policy.leave_pinned);
    ck_assert_int_eq(c.policy.numa_balancing, NP_NB_COEXIST);
    ck_assert_str_eq(c.control.socket, "/run/numaplaced/numaplaced.sock");
    ck_assert_str_eq(c.control.group, "numaplace");
    ck_assert_uint_eq(c.exclude.npids, 0);
    ck_assert_ptr_null(c.exclude.pids);
    ck_assert_uint_eq(c.exclude.nnames, 0);
    ck_assert_uint_eq(c.exclude.nexes, 0);
    ck_assert_uint_eq(c.exclude.ncgroups, 0);
    ck_assert_uint_eq(c.exclude.nusers, 0);
    np_config_free(&c);
}
END_TEST

START_TEST(test_schema)
{
    size_t n = 0;
    const struct np_config_key *k = np_config_schema(&n);
    ck_assert_uint_eq(n, 39);
    for (size_t i = 0; i < n; i++) {
        ck_assert_ptr_nonnull(k[i].path);
        ck_assert_ptr_nonnull(k[i].def);
        ck_assert_ptr_nonnull(k[i].help);
        ck_assert(k[i].min <= k[i].max);
        for (size_t j = i + 1; j < n; j++)
            ck_assert_str_ne(k[i].path, k[j].path);
    }
    ck_assert_str_eq(k[0].path, "interval");
    ck_assert_str_eq(k[n - 1].path, "exclude.users");
    ck_assert_int_eq(k[n - 1].type, NP_KEY_STRING_LIST);
    ck_assert_double_eq(k[n - 1].max, NP_MAX_EXCLUSIONS);
}
END_TEST

/* The shipped file sets every key of the schema, and to its default. */
START_TEST(test_shipped_conf_is_defaults)
{
    struct np_config def, got;
    char err[256] = "";
    np_config_defaults(&def);
    ck_assert_msg(np_config_load(SHIPPED_CONF, &got, err, sizeof(err)) == 0, "%s", err);
    assert_config_equal(&got, &def);
    np_config_free(&got);
    np_config_free(&def);

    config_t lc;
    config_init(&lc);
    ck_assert_int_eq(config_read_file(&lc, SHIPPED_CONF), CONFIG_TRUE);
    size_t n;
    const struct np_config_key *k = np_config_schema(&n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(config_lookup(&lc, k[i].path), "%s missing from %s", k[i].path,
                      SHIPPED_CONF);
    config_destroy(&lc);
}
END_TEST

START_TEST(test_custom_values)
{
    struct np_config c;
    char err[256] = "";
    ck_assert_msg(np_config_load(FIXTURES "custom.conf", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_double_eq(c.interval, 5.0);
    ck_assert(c.dry_run);
    ck_assert_uint_eq(c.candidates.min_rss_kb, 1024 * 1024);
    ck_assert_double_eq(c.candidates.min_cpu, 1.5);
    ck_assert_uint_eq(c.candidates.max_per_cycle, 8);
    ck_assert_uint_eq(c.candidates.max_numa_maps_bytes, 128ull << 20);
    ck_assert_uint_eq(c.candidates.sample_above_kb, 4096ull * 1024);
    ck_assert_uint_eq(c.candidates.sample_pages, 512);
    ck_assert_uint_eq(c.candidates.max_procs, 1000);
    ck_assert_uint_eq(c.candidates.max_threads, 64);
    ck_assert_double_eq(c.planner.local_enough, 0.9);
    ck_assert_double_eq(c.planner.min_gain, 0.1);
    ck_assert_double_eq(c.planner.cooldown, 60.5);
    ck_assert_uint_eq(c.planner.max_moves_per_cycle, 0);
    ck_assert_uint_eq(c.planner.mem_headroom_pct, 10);
    ck_assert_double_eq(c.planner.max_node_cpu_load, 0.75);
    ck_assert_double_eq(c.actuator.migrate_mb_per_s, 256.5);
    ck_assert_double_eq(c.actuator.node_migrate_mb_per_s, 64);
    ck_assert_int_eq(c.actuator.mover_nice, 5);
    ck_assert(!c.actuator.use_cgroup);
    ck_assert(c.actuator.restore_on_exit);
    ck_assert(!c.policy.leave_pinned);
    ck_assert_int_eq(c.policy.numa_balancing, NP_NB_TAKEOVER);
    ck_assert_str_eq(c.control.socket, "/run/np.sock");
    ck_assert_str_eq(c.control.group, "");
    ck_assert_uint_eq(c.exclude.npids, 2);
    ck_assert_int_eq(c.exclude.pids[0], 1234);
    ck_assert_int_eq(c.exclude.pids[1], 4194304);
    ck_assert_uint_eq(c.exclude.nnames, 2);
    ck_assert_str_eq(c.exclude.names[0], "postgres*");
    ck_assert_str_eq(c.exclude.names[1], "qemu-kvm");
    ck_assert_uint_eq(c.exclude.nexes, 1);
    ck_assert_str_eq(c.exclude.exes[0], "/opt/rt/bin/*");
    ck_assert_uint_eq(c.exclude.ncgroups, 2);
    ck_assert_str_eq(c.exclude.cgroups[0], "/system.slice/db.service");
    ck_assert_str_eq(c.exclude.cgroups[1], "machine.slice/*");
    ck_assert_uint_eq(c.exclude.nusers, 2);
    ck_assert_uint_eq(c.exclude.users[0], 0);      /* "root" */
    ck_assert_uint_eq(c.exclude.users[1], 1234);
    np_config_free(&c);
    ck_assert_ptr_null(c.exclude.names);
    ck_assert_uint_eq(c.exclude.nnames, 0);
    np_config_free(&c);   /* twice is harmless */
}
END_TEST

START_TEST(test_partial_string_keeps_other_defaults)
{
    struct np_config c, def;
    char err[256] = "";
    ck_assert_int_eq(np_config_load_string("planner: { min_gain = 0.2; };", "s", &c, err,
                                           sizeof(err)), 0);
    np_config_defaults(&def);
    ck_assert_double_eq(c.planner.min_gain, 0.2);
    def.planner.min_gain = 0.2;
    assert_config_equal(&c, &def);
    np_config_free(&c);
    np_config_free(&def);
}
END_TEST

/* Range limits are inclusive; 1<<30 MiB needs no 64-bit literal. */
START_TEST(test_limits_inclusive)
{
    struct np_config c;
    char err[256] = "";
    const char *text = "interval = 3600; candidates = { sample_above_mb = 1073741824;"
                       " min_rss_mb = 0; max_procs = 16; };"
                       " planner = { max_node_cpu_load = 0.05; mem_headroom_pct = 90; };"
                       " actuator = { mover_nice = -20; };";
    ck_assert_msg(np_config_load_string(text, "s", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_double_eq(c.interval, 3600);
    ck_assert_uint_eq(c.candidates.sample_above_kb, 1073741824ull * 1024);
    ck_assert_uint_eq(c.candidates.min_rss_kb, 0);
    ck_assert_uint_eq(c.candidates.max_procs, 16);
    ck_assert_double_eq(c.planner.max_node_cpu_load, 0.05);
    ck_assert_uint_eq(c.planner.mem_headroom_pct, 90);
    ck_assert_int_eq(c.actuator.mover_nice, -20);
    np_config_free(&c);
}
END_TEST

/* A struct with recognisable content that a failed load must not touch. */
static void make_sentinel(struct np_config *c)
{
    char err[256] = "";
    ck_assert_int_eq(np_config_load_string("interval = 42.0; exclude = { pids = [ 7 ]; "
                                           "names = [ \"keep\" ]; };",
                                           "sentinel", c, err, sizeof(err)), 0);
}

static void assert_sentinel(const struct np_config *c, const int *pids, char **names)
{
    ck_assert_double_eq(c->interval, 42.0);
    ck_assert_ptr_eq(c->exclude.pids, pids);
    ck_assert_ptr_eq(c->exclude.names, names);
    ck_assert_uint_eq(c->exclude.npids, 1);
    ck_assert_int_eq(c->exclude.pids[0], 7);
    ck_assert_str_eq(c->exclude.names[0], "keep");
    ck_assert_uint_eq(c->candidates.min_rss_kb, 256 * 1024);
}

struct error_case {
    const char *text;
    const char *message;
};

static const struct error_case error_cases[] = {
    { "interval = 10.0;\nfoo = 1;\n", "t.conf:2: unknown key 'foo'" },
    { "planner = {\n  min_gian = 0.1;\n};\n", "t.conf:2: unknown key 'planner.min_gian'" },
    { "\n\nnope = { a = 1; };\n", "t.conf:3: unknown key 'nope'" },
    { "planner = {\n  min_gain = \"high\";\n};\n",
      "t.conf:2: planner.min_gain: expected a number, got a string" },
    { "candidates = { max_per_cycle = 1.5; };",
      "t.conf:1: candidates.max_per_cycle: expected an integer, got a floating-point number" },
    { "dry_run = 1;", "t.conf:1: dry_run: expected true or false, got an integer" },
    { "interval = { };", "t.conf:1: interval: expected a number, got a group" },
    { "control = { socket = 5; };", "t.conf:1: control.socket: expected a string, got an integer" },
    { "planner = 5;", "t.conf:1: planner: expected a group ({ ... }), got an integer" },
    { "exclude = { names = \"x\"; };",
      "t.conf:1: exclude.names: expected a list of strings, got a string" },
    { "planner = {\n  min_gain = 1.5;\n};",
      "t.conf:2: planner.min_gain: 1.5 is out of range 0..1" },
    { "interval = 0;", "t.conf:1: interval: 0 is out of range 1..3600" },
    { "actuator = { mover_nice = 20; };", "t.conf:1: actuator.mover_nice: 20 is out of range -20..19" },
    { "actuator = { mover_nice = -21; };", "t.conf:1: actuator.mover_nice: -21 is out of range -20..19" },
    { "actuator = { node_migrate_mb_per_s = -1.0; };",
      "t.conf:1: actuator.node_migrate_mb_per_s: -1 is out of range 0..1048576" },
    { "interval = 3600.5;", "t.conf:1: interval: 3600.5 is out of range 1..3600" },
    { "candidates = { max_per_cycle = 0; };",
      "t.conf:1: candidates.max_per_cycle: 0 is out of range 1..4096" },
    { "candidates = { min_rss_mb = -1; };",
      "t.conf:1: candidates.min_rss_mb: -1 is out of range 0..1048576" },
    { "candidates = { sample_above_mb = 1073741825; };",
      "t.conf:1: candidates.sample_above_mb: 1073741825 is out of range 64..1073741824" },
    { "planner = { max_node_cpu_load = 0.01; };",
      "t.conf:1: planner.max_node_cpu_load: 0.01 is out of range 0.05..4" },
    { "candidates = {\n min_rss_mb = 4294967297;\n};",
      "t.conf:2: integer 4294967297 does not fit in 32 bits (write 4294967297L for a 64-bit value)" },
    { "candidates = { min_rss_mb = 4294967297L; };",
      "t.conf:1: candidates.min_rss_mb: 4294967297 is out of range 0..1048576" },
    { "exclude = { pids = [ 0x80000000 ]; };",
      "t.conf:1: integer 0x80000000 does not fit in 32 bits (write 0x80000000L for a 64-bit value)" },
    { "policy = { numa_balancing = \"off\"; };",
      "t.conf:1: policy.numa_balancing: 'off' is not one of coexist|takeover" },
    { "control = { group = \"0123456789012345678901234567890123456789012345678901234567890123\"; };",
      "t.conf:1: control.group: 64 bytes, longer than 63" },
    { "control = { socket = \"run/np.sock\"; };",
      "t.conf:1: control.socket: 'run/np.sock' is not an absolute path" },
    { "exclude = { pids = [ 1,\n 0 ]; };", "t.conf:2: exclude.pids[1]: 0 is out of range 1..4194304" },
    { "exclude = { pids = [ 4194305 ]; };",
      "t.conf:1: exclude.pids[0]: 4194305 is out of range 1..4194304" },
    { "exclude = { pids = ( 1, \"2\" ); };",
      "t.conf:1: exclude.pids[1]: expected an integer, got a string" },
    { "exclude = { names = [ 1 ]; };", "t.conf:1: exclude.names[0]: expected a string, got an integer" },
    { "exclude = { exes = [ \"\" ]; };", "t.conf:1: exclude.exes[0]: empty string" },
    { "exclude = {\n  users = [ \"root\",\n    \"np-no-such-user-x\" ];\n};",
      "t.conf:3: exclude.users[1]: unknown user 'np-no-such-user-x'" },
    { "interval = 10.0;\ndry_run = ;\n", "t.conf:2: syntax error" },
    { "interval = 10.0;\ninterval = 20.0;\n", "t.conf:2: duplicate setting name" },
    { "# comment\n@include \"other.conf\"\n", "t.conf:2: @ directives (@include) are not supported" },
};

START_TEST(test_error_messages)
{
    const struct error_case *ec = &error_cases[_i];
    struct np_config c;
    make_sentinel(&c);
    int *pids = c.exclude.pids;
    char **names = c.exclude.names;
    char err[256] = "";
    ck_assert_int_eq(np_config_load_string(ec->text, "t.conf", &c, err, sizeof(err)), -EINVAL);
    ck_assert_str_eq(err, ec->message);
    assert_sentinel(&c, pids, names);
    np_config_free(&c);
}
END_TEST

START_TEST(test_too_many_entries)
{
    size_t cap = 16 + 12 * (NP_MAX_EXCLUSIONS + 1) + 16;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t len = (size_t)snprintf(text, cap, "exclude = {\n names = [");
    for (int i = 0; i <= NP_MAX_EXCLUSIONS; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s\"p%d\"", i ? "," : "", i);
    snprintf(text + len, cap - len, "];\n};\n");

    struct np_config c;
    make_sentinel(&c);
    int *pids = c.exclude.pids;
    char **names = c.exclude.names;
    char err[256] = "";
    ck_assert_int_eq(np_config_load_string(text, "t.conf", &c, err, sizeof(err)), -EINVAL);
    ck_assert_str_eq(err, "t.conf:2: exclude.names: 1025 entries, at most 1024");
    assert_sentinel(&c, pids, names);
    np_config_free(&c);

    /* Exactly the limit is fine. */
    char *cut = strstr(text, ",\"p1024\"");
    ck_assert_ptr_nonnull(cut);
    strcpy(cut, "];\n};\n");
    ck_assert_msg(np_config_load_string(text, "t.conf", &c, err, sizeof(err)) == 0, "%s", err);
    ck_assert_uint_eq(c.exclude.nnames, NP_MAX_EXCLUSIONS);
    ck_assert_str_eq(c.exclude.names[1023], "p1023");
    np_config_free(&c);
    free(text);
}
END_TEST

START_TEST(test_pattern_too_long)
{
    char text[600];
    char pattern[NP_MAX_PATTERN + 1];
    memset(pattern, 'a', NP_MAX_PATTERN);
    pattern[NP_MAX_PATTERN] = '\0';
    snprintf(text, sizeof(text), "exclude = { cgroups = [ \"%s\" ]; };", pattern);
    struct np_config c;
    make_sentinel(&c);
    int *pids = c.exclude.pids;
    char **names = c.exclude.names;
    char err[256] = "";
    ck_assert_int_eq(np_config_load_string(text, "t.conf", &c, err, sizeof(err)), -EINVAL);
    ck_assert_str_eq(err, "t.conf:1: exclude.cgroups[0]: 256 bytes, longer than 255");
    assert_sentinel(&c, pids, names);
    np_config_free(&c);

    pattern[NP_MAX_PATTERN - 1] = '\0';   /* 255 bytes fit */
    snprintf(text, sizeof(text), "exclude = { cgroups = [ \"%s\" ]; };", pattern);
    ck_assert_int_eq(np_config_load_string(text, "t.conf", &c, err, sizeof(err)), 0);
    ck_assert_uint_eq(strlen(c.exclude.cgroups[0]), 255);
    np_config_free(&c);
}
END_TEST

START_TEST(test_file_error_names_path_and_line)
{
    struct np_config c;
    make_sentinel(&c);
    int *pids = c.exclude.pids;
    char **names = c.exclude.names;
    char err[256] = "";
    ck_assert_int_eq(np_config_load(FIXTURES "bad-range.conf", &c, err, sizeof(err)), -EINVAL);
    ck_assert_str_eq(err, FIXTURES "bad-range.conf:12: planner.min_gain: 1.5 is out of range 0..1");
    assert_sentinel(&c, pids, names);
    np_config_free(&c);
}
END_TEST

START_TEST(test_missing_file)
{
    struct np_config c;
    make_sentinel(&c);
    int *pids = c.exclude.pids;
    char **names = c.exclude.names;
    char err[256] = "";
    ck_assert_int_eq(np_config_load(FIXTURES "absent.conf", &c, err, sizeof(err)), -ENOENT);
    ck_assert_str_eq(err, FIXTURES "absent.conf: No such file or directory");
    ck_assert_int_eq(np_config_load("tests/fixtures/conf", &c, err, sizeof(err)), -EINVAL);
    ck_assert_str_eq(err, "tests/fixtures/conf: not a regular file");
    assert_sentinel(&c, pids, names);
    /* No error buffer is fine too. */
    ck_assert_int_eq(np_config_load(FIXTURES "absent.conf", &c, NULL, 0), -ENOENT);
    np_config_free(&c);
}
END_TEST

START_TEST(test_truncated_error_buffer)
{
    struct np_config c;
    char err[12];
    memset(err, 'x', sizeof(err));
    ck_assert_int_eq(np_config_load_string("foo = 1;", "t.conf", &c, err, sizeof(err)), -EINVAL);
    ck_assert_str_eq(err, "t.conf:1: u");
}
END_TEST

START_TEST(test_copy_is_deep)
{
    struct np_config src, dst;
    char err[256] = "";
    ck_assert_msg(np_config_load(FIXTURES "custom.conf", &src, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(np_config_copy(&src, &dst), 0);
    assert_config_equal(&dst, &src);
    ck_assert_ptr_ne(dst.exclude.pids, src.exclude.pids);
    ck_assert_ptr_ne(dst.exclude.names, src.exclude.names);
    ck_assert_ptr_ne(dst.exclude.names[0], src.exclude.names[0]);
    ck_assert_ptr_ne(dst.exclude.exes[0], src.exclude.exes[0]);
    ck_assert_ptr_ne(dst.exclude.cgroups, src.exclude.cgroups);
    ck_assert_ptr_ne(dst.exclude.users, src.exclude.users);

    src.exclude.names[0][0] = 'X';
    src.exclude.pids[0] = 99;
    src.interval = 1;
    ck_assert_str_eq(dst.exclude.names[0], "postgres*");
    ck_assert_int_eq(dst.exclude.pids[0], 1234);
    ck_assert_double_eq(dst.interval, 5.0);
    np_config_free(&src);
    ck_assert_str_eq(dst.exclude.cgroups[1], "machine.slice/*");
    ck_assert_uint_eq(dst.exclude.users[1], 1234);
    np_config_free(&dst);

    /* Empty lists copy as empty. */
    np_config_defaults(&src);
    ck_assert_int_eq(np_config_copy(&src, &dst), 0);
    ck_assert_ptr_null(dst.exclude.names);
    ck_assert_uint_eq(dst.exclude.nnames, 0);
    np_config_free(&dst);
    np_config_free(&src);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_schema);
    tcase_add_test(tc, test_shipped_conf_is_defaults);
    tcase_add_test(tc, test_custom_values);
    tcase_add_test(tc, test_partial_string_keeps_other_defaults);
    tcase_add_test(tc, test_limits_inclusive);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_loop_test(tc, test_error_messages, 0,
                        (int)(sizeof(error_cases) / sizeof(error_cases[0])));
    tcase_add_test(tc, test_too_many_entries);
    tcase_add_test(tc, test_pattern_too_long);
    tcase_add_test(tc, test_file_error_names_path_and_line);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_truncated_error_buffer);
    suite_add_tcase(s, tc);

    tc = tcase_create("copy");
    tcase_add_test(tc, test_copy_is_deep);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(config_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
