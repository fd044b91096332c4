/* Engine: one cycle end to end on a 4-node fixture with the recording
 * actuator, and what must (and must not) carry over between cycles. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "engine.h"
#include "engine_internal.h"
#include "mover.h"

#define FIXTURE "tests/fixtures/engine-4node"

struct world {
    char dir[256];
    struct np_root root;
    struct np_config cfg;
    struct np_actuator act;
    struct np_engine *engine;
};

/* A private copy of the fixture, so tests can make processes exit or reuse PIDs. */
static void world_open(struct world *w, bool real)
{
    snprintf(w->dir, sizeof(w->dir), "/tmp/np-test-engine-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(w->dir));
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "cp -a " FIXTURE "/. %s/", w->dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(np_root_open(w->dir, &w->root), 0);
    np_config_defaults(&w->cfg);
    w->cfg.candidates.min_rss_kb = 128 * 1024;
    w->cfg.planner.max_moves_per_cycle = 8;
    static char *names[] = {"keepme"};
    w->cfg.exclude.names = names;
    w->cfg.exclude.nnames = 1;
    ck_assert_int_eq(np_actuator_recording_new(8, &w->act), 0);
    ck_assert_int_eq(np_engine_new(&w->root, &w->act, &w->cfg, real, 999999, &w->engine), 0);
    /* A fixture is one snapshot: plan on lifetime CPU averages (--once). */
    np_engine_set_single_snapshot(w->engine, true);
}

static void world_close(struct world *w)
{
    np_engine_free(w->engine);
    np_actuator_free(&w->act);
    w->cfg.exclude.names = NULL;
    w->cfg.exclude.nnames = 0;
    np_config_free(&w->cfg);
    np_root_close(&w->root);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const struct np_proc_view *view_of(const struct np_cycle_report *r, int pid)
{
    for (size_t i = 0; i < r->nviews; i++)
        if (r->views[i].pid == pid)
            return &r->views[i];
    return NULL;
}

/* A static fixture shows no CPU use between cycles: add TICKS of utime
 * (field 14) to proc/PID/stat and to the leader's task stat, as a busy
 * process would have used since the last cycle. */
/* A running daemon's world (CPU use measured between cycles) after its
 * first cycle at t = 100 s, which only sees every process once. */
static void world_open_running(struct world *w)
{
    world_open(w, true);
    np_engine_set_single_snapshot(w->engine, false);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w->engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
}

/* Sets FIELD (numbered as in proc(5), >= 3) of the stat file at PATH to
 * VALUE, or adds VALUE to it with ADD. Works past a comm with blanks. */
static void edit_stat_field(const char *path, int field, unsigned long value, bool add)
{
    char buf[2048], out[2300];
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    ck_assert_ptr_nonnull(p);
    p += 2;   /* after ") " comes field 3 */
    for (int k = 3; k < field; k++) {
        p = strchr(p, ' ');
        ck_assert_ptr_nonnull(p);
        p++;
    }
    char *end;
    unsigned long old = strtoul(p, &end, 10);
    snprintf(out, sizeof(out), "%.*s%lu%s", (int)(p - buf), buf, add ? old + value : value, end);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(out, f);
    fclose(f);
}

static void add_ticks(const char *path, unsigned long ticks)
{
    edit_stat_field(path, 14, ticks, true);   /* utime */
}

/* TICKS more CPU time for PID, all of it by its thread TID. */
static void add_ticks_of(struct world *w, int pid, int tid, unsigned long ticks)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/proc/%d/stat", w->dir, pid);
    add_ticks(path, ticks);
    snprintf(path, sizeof(path), "%s/proc/%d/task/%d/stat", w->dir, pid, tid);
    add_ticks(path, ticks);
}

/* TICKS more CPU time for PID, all of it by its leader thread. */
static void advance_cpu(struct world *w, int pid, unsigned long ticks)
{
    add_ticks_of(w, pid, pid, ticks);
}

/* Moves thread TID of PID to CPU (field 39 of its task stat, and of the
 * process stat for the leader), as the scheduler would. */
static void set_last_cpu(struct world *w, int pid, int tid, int cpu)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/proc/%d/task/%d/stat", w->dir, pid, tid);
    edit_stat_field(path, 39, (unsigned long)cpu, false);
    if (pid == tid) {
        snprintf(path, sizeof(path), "%s/proc/%d/stat", w->dir, pid);
        edit_stat_field(path, 39, (unsigned long)cpu, false);
    }
}

static size_t count_lines(const char *log, const char *needle)
{
    size_t n = 0;
    for (const char *p = log; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

START_TEST(test_one_cycle_decisions)
{
    struct world w;
    world_open(&w, false);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_uint_eq(r.nnodes, 4);
    /* 13 process directories, one without files (exited mid-scan). */
    ck_assert_uint_eq(r.nscanned, 12);

    const struct np_proc_view *v = view_of(&r, 1007);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_EXCLUDED_NAME);
    v = view_of(&r, 1010);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_KTHREAD);
    v = view_of(&r, 1005);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_PINNED_CPUS);
    v = view_of(&r, 1006);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->skip == NP_SKIP_PINNED_MEMS || v->skip == NP_SKIP_MEMPOLICY);
    v = view_of(&r, 1008);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v->detail, "too small");
    ck_assert_ptr_null(view_of(&r, 1009));   /* idle: never looked at closely */

    /* Already local: kept. */
    v = view_of(&r, 1004);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->scored && v->decided);
    ck_assert_int_eq(v->decision.reason, NP_REASON_LOCAL_ENOUGH);
    ck_assert(v->locality > 0.99);

    /* The biggest misplaced one moves to where its CPU runs (node 0 has no CPU room). */
    v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->scored && v->decided);
    ck_assert_int_eq(v->decision.reason, NP_REASON_MOVE);
    ck_assert(np_nodeset_test(&v->decision.target, 2));
    ck_assert_uint_eq(np_nodeset_count(&v->decision.target), 1);
    ck_assert(v->locality < 0.01);
    const char *log = np_actuator_recording_log(&w.act);
    ck_assert_ptr_nonnull(strstr(log, "set_affinity tid=1002 cpus=4-5"));
    ck_assert_ptr_nonnull(strstr(log, "migrate_pages pid=1002 from=0-1 to=2"));
    /* Nothing ever touches the excluded, pinned or kernel ones. */
    ck_assert_uint_eq(count_lines(log, "tid=1007 "), 0);
    ck_assert_uint_eq(count_lines(log, "tid=1005 "), 0);
    ck_assert_uint_eq(count_lines(log, "tid=1006 "), 0);
    ck_assert_uint_eq(count_lines(log, "tid=1010 "), 0);
    /* Dry (not real): recorded, but nothing counted as managed. */
    ck_assert_uint_eq(np_engine_totals(w.engine)->moves, 0);
    ck_assert_uint_gt(r.nactions, 0);
    ck_assert(r.actions[0].dry_run);
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

START_TEST(test_cooldown_then_pid_reuse_starts_fresh)
{
    struct world w;
    world_open(&w, true);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->decision.reason, NP_REASON_MOVE);
    ck_assert_uint_ge(np_engine_totals(w.engine)->moves, 1);
    np_cycle_report_clear(&r);

    advance_cpu(&w, 1002, 1000);   /* 1 CPU over the 10 s to the next cycle */
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->state, NP_VIEW_MANAGED);
    ck_assert_int_eq(v->decision.reason, NP_REASON_COOLDOWN);
    np_cycle_report_clear(&r);

    /* PID 1002 now belongs to a new process (another start time). */
    char path[512], cmd[1200];
    snprintf(path, sizeof(path), "%s/proc/1002/stat", w.dir);
    snprintf(cmd, sizeof(cmd), "sed -i 's/ 900000 / 900777 /' %s", path);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof(cmd), "sed -i 's/ 900000 / 900777 /' %s/proc/1002/task/1002/stat", w.dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(np_engine_cycle(w.engine, 120.0, &r), 0);
    v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(v->start_time, 900777);
    ck_assert_int_ne(v->state, NP_VIEW_MANAGED);
    ck_assert_int_ne(v->decision.reason, NP_REASON_COOLDOWN);
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

START_TEST(test_permission_error_gives_up_once)
{
    struct world w;
    world_open(&w, true);
    ck_assert_int_eq(np_actuator_recording_fail(&w.act, "set_affinity", 1002, -EPERM), 0);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_int_eq(v->state, NP_VIEW_GIVEN_UP);
    ck_assert_int_eq(v->act_class, NP_ACT_PERMISSION);
    ck_assert_uint_eq(r.ngiven_up, 1);
    ck_assert_uint_eq(np_engine_totals(w.engine)->failures[NP_ACT_PERMISSION], 1);
    np_cycle_report_clear(&r);
    size_t before = count_lines(np_actuator_recording_log(&w.act), "tid=1002 ");
    advance_cpu(&w, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->state, NP_VIEW_GIVEN_UP);
    ck_assert_uint_eq(r.ngiven_up, 0);   /* reported once, when it happened */
    ck_assert_uint_eq(count_lines(np_actuator_recording_log(&w.act), "tid=1002 "), before);
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

START_TEST(test_exit_between_cycles_is_forgotten)
{
    struct world w;
    world_open(&w, true);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s/proc/1002 %s/proc/1001", w.dir, w.dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_uint_eq(r.nscanned, 10);
    ck_assert_ptr_null(view_of(&r, 1002));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

START_TEST(test_exclusion_restores_original_affinity)
{
    struct world w;
    world_open(&w, true);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->decision.reason, NP_REASON_MOVE);
    np_cycle_report_clear(&r);
    /* The admin excludes it (as a reload would); it is idle this cycle. */
    static char *names[] = {"keepme", "memhog-b"};
    w.cfg.exclude.names = names;
    w.cfg.exclude.nnames = 2;
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_EXCLUDED_NAME);
    /* The recording actuator reported all 8 CPUs as the original affinity. */
    const char *log = np_actuator_recording_log(&w.act);
    const char *moved = strstr(log, "set_affinity tid=1002 cpus=4-5");
    ck_assert_ptr_nonnull(moved);
    ck_assert_ptr_nonnull(strstr(moved, "set_affinity tid=1002 cpus=0-7"));
    np_cycle_report_clear(&r);
    w.cfg.exclude.names = NULL;
    w.cfg.exclude.nnames = 0;
    world_close(&w);
}
END_TEST

START_TEST(test_manual_move_and_runtime_exclusion)
{
    struct world w;
    world_open(&w, true);
    struct np_nodeset target;
    np_nodeset_zero(&target);
    np_nodeset_set(&target, 1);
    struct np_action a;
    char why[256];
    ck_assert_int_eq(np_engine_move(w.engine, 1001, &target, false, 50.0, &a, why, sizeof(why)), 0);
    ck_assert_int_eq(a.pid, 1001);
    ck_assert(np_nodeset_test(&a.to, 1));
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1001 cpus=2-3"));
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "migrate_pages pid=1001 from=0 to=1"));
    /* Same checks as the cycle: pinned and excluded ones are refused. */
    ck_assert_int_eq(np_engine_move(w.engine, 1005, &target, false, 50.0, &a, why, sizeof(why)), -EPERM);
    ck_assert_ptr_nonnull(strstr(why, "pinned-cpus"));
    ck_assert_int_eq(np_engine_move(w.engine, 1007, &target, false, 50.0, &a, why, sizeof(why)), -EPERM);
    ck_assert_int_eq(np_engine_move(w.engine, 4242, &target, false, 50.0, &a, why, sizeof(why)), -ESRCH);
    np_nodeset_set(&target, 9);
    ck_assert_int_eq(np_engine_move(w.engine, 1001, &target, false, 50.0, &a, why, sizeof(why)), -EINVAL);
    ck_assert_str_eq(why, "node 9 is not online");

    /* Runtime exclusion by name: the cycle skips it with its own reason. */
    ck_assert_int_eq(np_engine_exclude_name(w.engine, "memhog-*"), 0);
    ck_assert_int_eq(np_engine_exclude_name(w.engine, "memhog-*"), -EEXIST);
    ck_assert_int_eq(np_engine_exclude_pid(w.engine, 1011), 0);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->skip, NP_SKIP_RUNTIME_EXCLUDED);
    ck_assert_int_eq(view_of(&r, 1011)->skip, NP_SKIP_RUNTIME_EXCLUDED);
    np_cycle_report_clear(&r);
    ck_assert_int_eq(np_engine_include_name(w.engine, "memhog-*"), 0);
    ck_assert_int_eq(np_engine_include_name(w.engine, "memhog-*"), -ENOENT);
    advance_cpu(&w, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->decision.reason, NP_REASON_MOVE);
    np_cycle_report_clear(&r);

    /* Paused: planned, not applied. */
    np_engine_set_paused(w.engine, true);
    advance_cpu(&w, 1003, 1000);
    size_t before = count_lines(np_actuator_recording_log(&w.act), "set_affinity");
    ck_assert_int_eq(np_engine_cycle(w.engine, 120.0, &r), 0);
    ck_assert(r.paused);
    ck_assert_int_eq(view_of(&r, 1003)->decision.reason, NP_REASON_MOVE);   /* planned... */
    ck_assert_uint_eq(r.nactions, 0);                                        /* ...not applied */
    ck_assert_uint_eq(count_lines(np_actuator_recording_log(&w.act), "set_affinity"), before);
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* The recording actuator, but every migrate_pages takes 300 ms. */
static const struct np_actuator_ops *recording_ops;

static long slow_migrate_pages(void *ctx, int pid, const struct np_nodeset *from,
                               const struct np_nodeset *to)
{
    usleep(300 * 1000);
    return recording_ops->migrate_pages(ctx, pid, from, to);
}

START_TEST(test_slow_moves_defer_the_rest_to_the_next_cycle)
{
    struct world w;
    world_open(&w, true);
    recording_ops = w.act.ops;
    struct np_actuator_ops slow = *w.act.ops;
    slow.migrate_pages = slow_migrate_pages;
    struct np_actuator slow_act = {.ops = &slow, .ctx = w.act.ctx};
    np_engine_set_actuator(w.engine, &slow_act);
    /* Half of a 0.5 s interval: the first 300 ms move uses it up. */
    w.cfg.interval = 0.5;
    w.cfg.actuator.migrate_mb_per_s = 100000;   /* so only time, not the budget, limits */
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_uint_eq(r.nactions, 1);
    ck_assert_uint_eq(r.ndeferred, 1);
    ck_assert_int_eq(r.actions[0].pid, 1002);           /* the best one went first */
    const struct np_proc_view *v = view_of(&r, 1011);
    ck_assert(v->deferred && !v->acted);
    ck_assert_int_eq(v->decision.reason, NP_REASON_MOVE);
    np_cycle_report_clear(&r);
    /* The next cycle plans again from fresh data and moves the next one. */
    advance_cpu(&w, 1001, 50);
    advance_cpu(&w, 1003, 50);
    advance_cpu(&w, 1011, 40);
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.5, &r), 0);
    ck_assert_uint_eq(r.nactions, 1);
    ck_assert_int_eq(r.actions[0].pid, 1011);
    np_cycle_report_clear(&r);
    np_engine_set_actuator(w.engine, &w.act);
    world_close(&w);
}
END_TEST

START_TEST(test_running_daemon_waits_for_measured_cpu_use)
{
    struct world w;
    world_open(&w, true);
    np_engine_set_single_snapshot(w.engine, false);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->scored && !v->decided);
    ck_assert_str_eq(v->detail, "first seen: CPU use is measured over the next interval before any move");
    ck_assert_uint_eq(r.nactions, 0);
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&w.act), "set_affinity"));
    np_cycle_report_clear(&r);
    /* One interval later, still busy: planned. Its memory is all on node 0,
     * so the plan binds its CPUs there. Found remote at two cycles of the
     * three a move needs (config default), it waits ... */
    advance_cpu(&w, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    v = view_of(&r, 1002);
    ck_assert_int_eq(v->decision.reason, NP_REASON_CONFIRMING);
    ck_assert_str_eq(v->decision.why, "found remote 2 of the 3 times a move needs (a local "
                                      "cycle takes one off); would move to node 0");
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&w.act), "set_affinity"));
    np_cycle_report_clear(&r);
    /* ... and at the third it is carried out, CPUs only. */
    advance_cpu(&w, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 120.0, &r), 0);
    v = view_of(&r, 1002);
    ck_assert_msg(v->decision.reason == NP_REASON_MOVE, "%s", v->decision.why);
    ck_assert_uint_eq(v->decision.move_kb, 0);
    const char *log = np_actuator_recording_log(&w.act);
    ck_assert_ptr_nonnull(strstr(log, "set_affinity tid=1002 cpus=0-1"));
    ck_assert_ptr_null(strstr(log, "migrate_pages"));
    ck_assert_ptr_null(strstr(log, "move_pages"));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

START_TEST(test_placed_process_keeps_its_load_while_it_looks_idle)
{
    struct world w;
    world_open(&w, true);
    w.cfg.planner.cooldown = 300;
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->decision.reason, NP_REASON_MOVE);   /* -> node 2 */
    ck_assert_int_eq(view_of(&r, 1011)->decision.reason, NP_REASON_MOVE);   /* -> node 0 */
    np_cycle_report_clear(&r);
    /* Next interval: the two just placed show no CPU use (stalled while
     * their memory migrated); the pinned ones on nodes 0 and 2 and
     * memhog-a stay busy. */
    advance_cpu(&w, 1001, 1000);
    advance_cpu(&w, 1005, 1000);
    advance_cpu(&w, 1006, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1001);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->decision.reason, NP_REASON_MOVE);
    /* Nodes 0 and 2 are full with the placed processes' booked load, so it
     * goes where its threads run, not onto a node that only looks free. */
    ck_assert(np_nodeset_test(&v->decision.target, 1));
    ck_assert_uint_eq(np_nodeset_count(&v->decision.target), 1);
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

START_TEST(test_threads_weigh_by_recent_cpu_not_lifetime)
{
    struct world w;
    world_open(&w, true);
    np_engine_set_single_snapshot(w.engine, false);
    /* memhog-b gets a second thread that did its start-up work: many ticks,
     * last ran on node 0, idle since. Only the leader (node 2) is busy. */
    char cmd[1200];
    snprintf(cmd, sizeof(cmd),
             "mkdir -p %s/proc/1002/task/100201 && awk '{ $1 = 100201; $3 = \"S\"; $14 = 900000; $39 = 0; print }' "
             "%s/proc/1002/task/1002/stat > %s/proc/1002/task/100201/stat", w.dir, w.dir, w.dir);
    ck_assert_int_eq(system(cmd), 0);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    /* First sight, lifetime ticks only: the sleeping thread does not count. */
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->scored && v->locality < 0.01);
    np_cycle_report_clear(&r);
    advance_cpu(&w, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->scored);
    /* All recent CPU time is on node 2, all memory on node 0: remote, and
     * bound to node 0 once found so at a third cycle. */
    ck_assert(v->locality < 0.01);
    ck_assert_int_eq(v->decision.reason, NP_REASON_CONFIRMING);
    ck_assert(np_nodeset_test(&v->decision.target, 0));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* A thread runs on one CPU at a time: CPU use over more than one CPU per
 * thread that ran is the window's skew. Seen in the guest: a one-thread
 * hog read 1.05 CPU over an early cycle's second, fitted no one-CPU node
 * and had its memory copied over two nodes instead of a bind home. */
/* Runs a cycle at NOW; the CPU use of scored PID in it. */
static double scored_cpu_use(struct world *w, double now, int pid)
{
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w->engine, now, &r), 0);
    const struct np_proc_view *v = view_of(&r, pid);
    ck_assert(v && v->scored);
    double use = v->cpu_use;
    np_cycle_report_clear(&r);
    return use;
}

START_TEST(test_cpu_use_at_most_one_cpu_per_thread_that_ran)
{
    struct world w;
    world_open_running(&w);
    /* 11 s of CPU time in a 10 s window by one thread: 1.0 CPU. local-db
     * has two threads, only its leader ran. */
    advance_cpu(&w, 1002, 1100);
    ck_assert_double_eq_tol(scored_cpu_use(&w, 110.0, 1002), 1.0, 1e-9);
    add_ticks_of(&w, 1004, 1004, 1100);
    ck_assert_double_eq_tol(scored_cpu_use(&w, 120.0, 1004), 1.0, 1e-9);
    /* Both of its threads ran: two CPUs at most. */
    add_ticks_of(&w, 1004, 1004, 1100);
    add_ticks_of(&w, 1004, 100401, 1100);
    ck_assert_double_eq_tol(scored_cpu_use(&w, 130.0, 1004), 2.0, 1e-9);
    /* A thread that ended left its CPU time in the process's with no
     * thread to count it by: not capped. */
    add_ticks_of(&w, 1004, 1004, 1100);
    add_ticks_of(&w, 1004, 100401, 1100);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s/proc/1004/task/100401", w.dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_double_eq_tol(scored_cpu_use(&w, 140.0, 1004), 2.2, 0.01);
    world_close(&w);
}
END_TEST

/* A CPU use is measured between the instants its stat was read (the scan
 * stamps read_at on a live root), not between the cycles' starts: a
 * process read late in one scan and early in the next would read low (and
 * the other way round high: 1.05 CPU for one thread, seen in the guest). */
START_TEST(test_cpu_use_between_the_reads_of_its_stat)
{
    struct world w;
    world_open_running(&w);
    long tck = w.engine->clk_tck;
    struct np_ledger_entry le;
    memset(&le, 0, sizeof(le));
    struct np_proc p;
    memset(&p, 0, sizeof(p));
    p.pid = 4242;
    p.read_at = 100.5;   /* the cycle began at 100.0 */
    (void)np_cycle_update_cpu_use(w.engine, &le, &p, 100.0, 0);
    /* Half a second of CPU time between reads half a second apart: one
     * CPU, where the cycles' clock (a second apart) says half. */
    p.cpu_ticks = (uint64_t)tck / 2;
    p.read_at = 101.0;
    ck_assert_double_eq_tol(np_cycle_update_cpu_use(w.engine, &le, &p, 101.0, 0), 1.0, 1e-9);
    ck_assert(le.cpu_measured);
    /* Unstamped (a fixture root): the caller's clock. */
    p.cpu_ticks += (uint64_t)tck;
    p.read_at = 0;
    ck_assert_double_eq_tol(np_cycle_update_cpu_use(w.engine, &le, &p, 102.0, 0), 1.0, 1e-9);
    world_close(&w);
}
END_TEST

/* memhog-a (1001: memory on node 0, running on node 1) at the first
 * measured cycle, beside the pinned busy process 1005, confined to node
 * ON_NODE0 ? 0 : 2 and started AGE_S seconds before the fixture's uptime.
 * A plan fills half a node's two CPUs: one busy process fills it. */
static struct np_decision memhog_a_beside_pinned_work(bool on_node0, double age_s,
                                                      bool pinned_excluded)
{
    struct world w;
    world_open(&w, true);
    static char *names[] = {"keepme", "tasksetted"};
    if (pinned_excluded) {   /* by name: the detail pass never reads it */
        w.cfg.exclude.names = names;
        w.cfg.exclude.nnames = 2;
    }
    w.cfg.planner.max_node_cpu_load = 0.5;
    np_engine_set_single_snapshot(w.engine, false);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "sed -i 's/^Cpus_allowed_list:.*/Cpus_allowed_list:\t%s/' %s/proc/1005/status",
             on_node0 ? "0-1" : "4-5", w.dir);
    ck_assert_int_eq(system(cmd), 0);
    set_last_cpu(&w, 1005, 1005, on_node0 ? 0 : 4);
    char path[512];
    double uptime = 10000.0;   /* the fixture's proc/uptime */
    unsigned long start = (unsigned long)((uptime - age_s) * (double)w.engine->clk_tck);
    snprintf(path, sizeof(path), "%s/proc/1005/stat", w.dir);
    edit_stat_field(path, 22, start, false);
    snprintf(path, sizeof(path), "%s/proc/1005/task/1005/stat", w.dir);
    edit_stat_field(path, 22, start, false);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    unsigned long second = (unsigned long)(10 * w.engine->clk_tck);
    advance_cpu(&w, 1001, second);
    advance_cpu(&w, 1005, second);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1001);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->decided);
    struct np_decision d = v->decision;
    if (pinned_excluded)
        ck_assert_int_eq(view_of(&r, 1005)->skip, NP_SKIP_EXCLUDED_NAME);
    np_cycle_report_clear(&r);
    world_close(&w);
    return d;
}

/* A busy process someone pinned to the node that holds another's memory
 * keeps that node's CPUs: the other's threads cannot come back, so its
 * move goes on the first measured cycle instead of after the confirmation
 * (found remote three times here, without the sampler). Pinned work on
 * another node, or started a moment ago, changes nothing. */
START_TEST(test_memory_under_pinned_work_moves_at_first_measured_cycle)
{
    for (int excluded = 0; excluded < 2; excluded++) {
        /* Excluded by name, as an admin marks a VM or a database pinned on
         * purpose, it holds its node all the same. */
        struct np_decision d = memhog_a_beside_pinned_work(true, 1000.0, excluded);
        ck_assert_msg(d.reason == NP_REASON_MOVE, "excluded=%d: %s", excluded, d.why);
        ck_assert(np_nodeset_test(&d.target, 1));
        ck_assert_uint_eq(np_nodeset_count(&d.target), 1);
        ck_assert_msg(strstr(d.why, "beside the work pinned there") != NULL, "%s", d.why);

        d = memhog_a_beside_pinned_work(false, 1000.0, excluded);
        ck_assert_msg(d.reason == NP_REASON_CONFIRMING, "%s", d.why);
        d = memhog_a_beside_pinned_work(true, 2.0, excluded);   /* younger than confirm_seconds */
        ck_assert_msg(d.reason == NP_REASON_CONFIRMING, "%s", d.why);
    }
}
END_TEST

/* Neither of process 1011's threads nor its memory was touched. */
static void assert_1011_untouched(const char *log)
{
    ck_assert_uint_eq(count_lines(log, "tid=1011 "), 0);
    ck_assert_uint_eq(count_lines(log, "tid=101101 "), 0);
    ck_assert_uint_eq(count_lines(log, "pid=1011 "), 0);
}

/* Writes proc/1011/task/101101/status: the process's status with the
 * thread's allowed CPUs CPUS, as a manager pinning one thread leaves it. */
static void pin_thread_101101(const struct world *w, const char *cpus)
{
    char cmd[900];
    snprintf(cmd, sizeof(cmd),
             "sed 's/^Cpus_allowed_list:.*/Cpus_allowed_list:\t%s/; /^Cpus_allowed:/d' "
             "%s/proc/1011/status > %s/proc/1011/task/101101/status",
             cpus, w->dir, w->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* One thread of a process pinned by someone else (a vCPU, a runtime's
 * worker) while its main thread may run anywhere: placing the process
 * would overwrite that pin, so it is left alone, as a process pinned
 * whole is. The same CPUs as the main thread, or a process numaplaced
 * already manages (its own per-thread binds), are not that. */
START_TEST(test_thread_pinned_by_someone_else_is_left_alone)
{
    struct world w;
    world_open(&w, true);
    pin_thread_101101(&w, "2-3");
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1011);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_PINNED_CPUS);
    ck_assert_str_eq(v->detail, "thread 101101 pinned to CPUs 2-3 (the process's are 0-7)");
    const char *log = np_actuator_recording_log(&w.act);
    assert_1011_untouched(log);
    np_cycle_report_clear(&r);
    world_close(&w);

    world_open(&w, true);
    pin_thread_101101(&w, "0-7");   /* as it inherited them */
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1011)->decision.reason, NP_REASON_MOVE);
    np_cycle_report_clear(&r);
    /* Now managed: a thread's CPUs apart from the main thread's are not
     * someone else's pin (plan.h rule 7 binds threads apart itself). */
    pin_thread_101101(&w, "2-3");
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    v = view_of(&r, 1011);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_ne(v->skip, NP_SKIP_PINNED_CPUS);
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* A cycle that placed one process and refused another for CPU room asks
 * for a replan soon; either alone, a failed placement, or a paused cycle
 * does not. */
START_TEST(test_replan_soon_after_placing_beside_a_no_room)
{
    struct np_proc_view views[2];
    memset(views, 0, sizeof(views));
    struct np_cycle_report rep = {.nviews = 2, .views = views};
    views[0].decided = views[0].acted = true;
    views[0].decision.reason = NP_REASON_MOVE;
    views[0].act_class = NP_ACT_OK;
    views[1].decided = true;
    views[1].decision.reason = NP_REASON_NO_ROOM;
    ck_assert(np_cycle_report_replan_soon(&rep));

    rep.paused = true;
    ck_assert(!np_cycle_report_replan_soon(&rep));
    rep.paused = false;
    views[0].act_class = NP_ACT_GONE;              /* the placement failed */
    ck_assert(!np_cycle_report_replan_soon(&rep));
    views[0].act_class = NP_ACT_OK;
    views[1].decision.reason = NP_REASON_CONFIRMING;   /* nobody refused for room */
    ck_assert(!np_cycle_report_replan_soon(&rep));
    views[1].decision.reason = NP_REASON_NO_ROOM;
    views[0].acted = false;                         /* nothing placed */
    ck_assert(!np_cycle_report_replan_soon(&rep));
    ck_assert(!np_cycle_report_replan_soon(NULL));
}
END_TEST

/* Seen in the guest: a local process's busy thread was on another node at
 * the instant of the first measured cycle and was bound to its own node.
 * A glimpse (found remote at one cycle) waits; back home, it is local and
 * nothing is written. */
START_TEST(test_thread_glimpsed_on_another_node_is_not_moved)
{
    struct world w;
    world_open_running(&w);
    struct np_cycle_report r;
    /* local-db (memory on node 1, threads on CPUs 2-3) shows up on node 3. */
    set_last_cpu(&w, 1004, 1004, 6);
    advance_cpu(&w, 1004, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1004);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->decided);
    ck_assert(v->locality < 0.05);
    ck_assert_int_eq(v->decision.reason, NP_REASON_CONFIRMING);
    ck_assert_uint_eq(np_nodeset_count(&v->decision.target), 1);
    ck_assert_str_eq(np_reason_name(v->decision.reason), "confirming");
    np_cycle_report_clear(&r);
    /* Back on node 1 by the next cycle: local, left alone. */
    set_last_cpu(&w, 1004, 1004, 2);
    advance_cpu(&w, 1004, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 120.0, &r), 0);
    v = view_of(&r, 1004);
    ck_assert_int_eq(v->decision.reason, NP_REASON_LOCAL_ENOUGH);
    np_cycle_report_clear(&r);
    /* A local cycle takes one off the count rather than starting over: a
     * process mostly away (away, away, home, away, away) is moved at the
     * fifth cycle, when it was found remote three times net. */
    static const struct {
        int cpu;
        enum np_reason reason;
        unsigned count;
    } steps[] = {
        {6, NP_REASON_CONFIRMING, 1},
        {6, NP_REASON_CONFIRMING, 2},
        {2, NP_REASON_LOCAL_ENOUGH, 1},
        {6, NP_REASON_CONFIRMING, 2},
        {6, NP_REASON_MOVE, 3},
    };
    for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        const char *log = np_actuator_recording_log(&w.act);
        ck_assert_ptr_null(strstr(log, "tid=1004 "));
        ck_assert_ptr_null(strstr(log, "pid=1004 "));
        set_last_cpu(&w, 1004, 1004, steps[i].cpu);
        advance_cpu(&w, 1004, 1000);
        ck_assert_int_eq(np_engine_cycle(w.engine, 130.0 + 10.0 * i, &r), 0);
        v = view_of(&r, 1004);
        ck_assert_msg(v->decision.reason == steps[i].reason, "step %u: %s", i, v->decision.why);
        if (steps[i].reason == NP_REASON_CONFIRMING) {
            char why[120];
            snprintf(why, sizeof(why), "found remote %u of the 3 times a move needs (a local "
                                       "cycle takes one off); would move to node 1", steps[i].count);
            ck_assert_str_eq(v->decision.why, why);
        }
        np_cycle_report_clear(&r);
    }
    /* bound back to its memory's node, nothing migrated */
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1004 cpus=2-3"));
    world_close(&w);
}
END_TEST

/* Threads that keep wandering away from the memory: the plan waits with
 * the same target while they wander, and is carried out at the third
 * cycle the process is found remote. */
START_TEST(test_wandering_threads_keep_the_held_target)
{
    struct world w;
    world_open_running(&w);
    struct np_cycle_report r;
    set_last_cpu(&w, 1004, 1004, 6);          /* node 3 */
    advance_cpu(&w, 1004, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1004);
    ck_assert_int_eq(v->decision.reason, NP_REASON_CONFIRMING);
    struct np_nodeset held = v->decision.target;
    ck_assert(np_nodeset_test(&held, 1));     /* where its memory is */
    np_cycle_report_clear(&r);
    static const int wander[] = {4, 7};       /* node 2, then node 3 again */
    for (unsigned i = 0; i < 2; i++) {
        set_last_cpu(&w, 1004, 1004, wander[i]);
        advance_cpu(&w, 1004, 1000);
        ck_assert_int_eq(np_engine_cycle(w.engine, 120.0 + 10.0 * i, &r), 0);
        v = view_of(&r, 1004);
        ck_assert_int_eq(v->decision.reason, i == 0 ? NP_REASON_CONFIRMING : NP_REASON_MOVE);
        ck_assert(memcmp(&v->decision.target, &held, sizeof(held)) == 0);
        np_cycle_report_clear(&r);
    }
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1004 cpus=2-3"));
    world_close(&w);
}
END_TEST

/* Process 1011's busy thread is on node 0, 85% of its memory on node 2:
 * the plan takes it to node 2 with the rest of its memory, but only once
 * it was found remote confirm_cycles times (seen in the
 * guest: a well-placed process's memory pulled after its thread ran on
 * another node for one interval). */
START_TEST(test_memory_follows_threads_after_confirm_cycles_in_a_row)
{
    struct world w;
    world_open_running(&w);   /* first sight: 1 */
    struct np_cycle_report r;
    /* at cycle t: the thread's CPU (node), what the plan says */
    static const struct {
        int cpu;
        enum np_reason reason;
        unsigned row;
    } steps[] = {
        {0, NP_REASON_CONFIRMING, 2},
        {1, NP_REASON_MOVE, 3},
    };
    for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        set_last_cpu(&w, 1011, 1011, steps[i].cpu);
        advance_cpu(&w, 1011, 1000);
        ck_assert_int_eq(np_engine_cycle(w.engine, 110.0 + 10.0 * i, &r), 0);
        const struct np_proc_view *v = view_of(&r, 1011);
        ck_assert_ptr_nonnull(v);
        ck_assert_msg(v->decision.reason == steps[i].reason, "step %u: %s", i, v->decision.why);
        const char *log = np_actuator_recording_log(&w.act);
        if (steps[i].reason == NP_REASON_CONFIRMING) {
            char why[160];
            snprintf(why, sizeof(why), "found remote %u of the 3 times a move needs (a "
                                       "local cycle takes one off); would move to node 2", steps[i].row);
            ck_assert_str_eq(v->decision.why, why);
        }
        if (steps[i].reason == NP_REASON_MOVE) {
            ck_assert_uint_gt(v->decision.move_kb, 0);
            ck_assert(np_nodeset_test(&v->decision.target, 2));
            ck_assert_ptr_nonnull(strstr(log, "pid=1011 "));
        } else {
            ck_assert_ptr_null(strstr(log, "pid=1011 "));
        }
        np_cycle_report_clear(&r);
    }
    world_close(&w);

    /* confirm_cycles = 1 acts at the first measured cycle. */
    world_open(&w, true);
    w.cfg.planner.confirm_cycles = 1;
    np_engine_set_single_snapshot(w.engine, false);
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    advance_cpu(&w, 1011, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1011)->decision.reason, NP_REASON_MOVE);
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "pid=1011 "));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* The engine's last node load is EXPECT (4 nodes). */
static void assert_node_loads(const struct world *w, const double *expect)
{
    unsigned n = 0;
    const double *load = np_engine_node_load(w->engine, &n);
    ck_assert_ptr_nonnull(load);
    ck_assert_uint_eq(n, 4);
    for (unsigned i = 0; i < n; i++)
        ck_assert_msg(fabs(load[i] - expect[i]) < 1e-9, "node %u: %.3f, expected %.3f", i,
                      load[i], expect[i]);
}

/* The cheap pass books a process's CPU use where its main thread last ran;
 * once its threads are read, the use counts where they run. Process 1011's
 * main thread idles on node 0 while its worker spends a whole CPU on
 * node 2: node 2 is busy, node 0 is not. */
START_TEST(test_node_load_counts_where_the_threads_run)
{
    struct world w;
    world_open_running(&w);
    struct np_cycle_report r;
    set_last_cpu(&w, 1011, 1011, 0);
    set_last_cpu(&w, 1011, 101101, 4);
    add_ticks_of(&w, 1011, 101101, 1000);     /* 10 s at 100 ticks/s: 1 CPU */
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1011);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->scored);
    np_cycle_report_clear(&r);
    /* nothing else used CPU in this interval */
    assert_node_loads(&w, (const double[]){0.0, 0.0, 1.0, 0.0});
    world_close(&w);
}
END_TEST

/* numaplaced's own CPU time (page copying for its moves) is no load: with
 * the daemon as process 1011, the busy 1 CPU it used counts nowhere. */
START_TEST(test_own_cpu_use_is_no_load)
{
    struct world w;
    world_open(&w, true);
    np_engine_free(w.engine);
    ck_assert_int_eq(np_engine_new(&w.root, &w.act, &w.cfg, true, 1011, &w.engine), 0);
    np_engine_set_single_snapshot(w.engine, false);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    set_last_cpu(&w, 1011, 1011, 4);
    advance_cpu(&w, 1011, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1011)->skip, NP_SKIP_SELF);
    np_cycle_report_clear(&r);
    unsigned n = 0;
    const double *load = np_engine_node_load(w.engine, &n);
    ck_assert_uint_eq(n, 4);
    for (unsigned i = 0; i < n; i++)
        ck_assert_msg(load[i] == 0.0, "node %u: %.3f", i, load[i]);
    world_close(&w);
}
END_TEST

/* A plan held back while paused is carried out at once after resume: the
 * cycles it was found remote while paused count. */
START_TEST(test_plan_held_while_paused_moves_after_resume)
{
    struct world w;
    world_open_running(&w);
    struct np_cycle_report r;
    np_engine_set_paused(w.engine, true);
    advance_cpu(&w, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->decision.reason, NP_REASON_CONFIRMING);
    np_cycle_report_clear(&r);
    advance_cpu(&w, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 120.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->decision.reason, NP_REASON_MOVE);   /* paused: not done */
    np_cycle_report_clear(&r);
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&w.act), "set_affinity"));
    np_engine_set_paused(w.engine, false);
    advance_cpu(&w, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 130.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_msg(v->decision.reason == NP_REASON_MOVE, "%s", v->decision.why);
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1002"));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* Writes TEXT to REL under W's fixture copy. */
static void world_write(struct world *w, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", w->dir, rel);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Runs the sed program PROG (no single quotes) over REL in W's copy. */
static void world_sed(struct world *w, const char *prog, const char *rel)
{
    char cmd[900];
    snprintf(cmd, sizeof(cmd), "sed -i '%s' %s/%s", prog, w->dir, rel);
    ck_assert_int_eq(system(cmd), 0);
}

/* Makes PID the sole tenant of cgroup GROUP ("x.service") in W's tree:
 * what np_cgroup_sole_tenant looks for. */
static void world_sole_tenant(struct world *w, int pid, const char *group)
{
    char cmd[700], rel[256], text[32];
    snprintf(cmd, sizeof(cmd), "mkdir -p %s/sys/fs/cgroup/%s", w->dir, group);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/cpuset.cpus", group);
    world_write(w, rel, "\n");
    snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/cgroup.procs", group);
    snprintf(text, sizeof(text), "%d\n", pid);
    world_write(w, rel, text);
    snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
    snprintf(text, sizeof(text), "0::/%s\n", group);
    world_write(w, rel, text);
}

/* numaplacectl move PID NODE, without force: np_engine_move's result. */
static int manual_move(struct world *w, int pid, int node, struct np_action *a)
{
    struct np_nodeset target;
    np_nodeset_zero(&target);
    np_nodeset_set(&target, (unsigned)node);
    char why[256];
    return np_engine_move(w->engine, pid, &target, false, 50.0, a, why, sizeof(why));
}

/* The cgroup tree read-only (EROFS): a process alone in its cgroup is placed
 * by thread affinity instead, the next cycle's report says so once, later
 * placements do not try the group again, and a reload does. */
START_TEST(test_read_only_cgroup_tree_places_threads)
{
    struct world w;
    world_open(&w, true);
    world_sole_tenant(&w, 1001, "ro.service");
    ck_assert(w.cfg.actuator.use_cgroup);
    ck_assert_int_eq(np_actuator_recording_fail(&w.act, "write_cgroup", -1, -EROFS), 0);
    struct np_action a;
    ck_assert_int_eq(manual_move(&w, 1001, 1, &a), 0);
    ck_assert(!a.via_cgroup);
    ck_assert_int_eq(a.error, 0);
    const char *log = np_actuator_recording_log(&w.act);
    const char *cg = strstr(log, "write_cgroup cgroup=/ro.service file=cpuset.cpus value=2-3");
    ck_assert_ptr_nonnull(cg);
    ck_assert_ptr_nonnull(strstr(cg, "set_affinity tid=1001 cpus=2-3"));
    ck_assert_ptr_nonnull(strstr(cg, "migrate_pages pid=1001 from=0 to=1"));

    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_int_eq(r.cgroup_unwritable, -EROFS);
    np_cycle_report_clear(&r);
    ck_assert_int_eq(np_engine_cycle(w.engine, 120.0, &r), 0);
    ck_assert_int_eq(r.cgroup_unwritable, 0);   /* said once */
    np_cycle_report_clear(&r);

    /* Known unwritable: the next placement goes to the threads at once. */
    size_t before = strlen(np_actuator_recording_log(&w.act));
    ck_assert_int_eq(manual_move(&w, 1001, 3, &a), 0);
    log = np_actuator_recording_log(&w.act) + before;
    ck_assert_ptr_null(strstr(log, "write_cgroup"));
    ck_assert_ptr_nonnull(strstr(log, "set_affinity tid=1001 cpus=6-7"));

    /* A reload tries the group again (the write now succeeds). */
    np_engine_set_config(w.engine, &w.cfg);
    before = strlen(np_actuator_recording_log(&w.act));
    ck_assert_int_eq(manual_move(&w, 1001, 2, &a), 0);
    ck_assert(a.via_cgroup);
    log = np_actuator_recording_log(&w.act) + before;
    ck_assert_ptr_nonnull(strstr(log, "write_cgroup cgroup=/ro.service file=cpuset.cpus value=4-5"));
    world_close(&w);
}
END_TEST

/* Gives every mapping of PID's numa_maps the policy POLICY instead of
 * default, as numactl --interleave or an mbind of everything would. */
static void world_set_mapping_policy(struct world *w, int pid, const char *policy)
{
    char prog[128], rel[64];
    snprintf(prog, sizeof(prog), "s/ default / %s /", policy);
    snprintf(rel, sizeof(rel), "proc/%d/numa_maps", pid);
    world_sed(w, prog, rel);
}

/* Runs W's cycle at NOW: whether it saw the CPU set change, and how often
 * the recording shows LINE. */
static size_t cycle_counting(struct world *w, double now, bool changed, const char *line)
{
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w->engine, now, &r), 0);
    ck_assert(r.topology_changed == changed);
    np_cycle_report_clear(&r);
    return count_lines(np_actuator_recording_log(&w->act), line);
}

/* A CPU taken offline widens the affinity of the threads the kernel moves
 * off it; when the CPU set changes, every placement whose CPUs are all
 * online again is put back on its threads, and one whose CPUs are not
 * waits. 1002 is placed on node 2 (CPUs 4-5) in the first cycle. */
START_TEST(test_placement_put_back_after_cpu_hotplug)
{
    struct world w;
    world_open(&w, true);
    const char *pinned = "set_affinity tid=1002 cpus=4-5";
    ck_assert_uint_eq(cycle_counting(&w, 100.0, false, pinned), 1);
    /* CPU 5 offline: node 2 has CPU 4 only, 1002's CPUs are not all online. */
    world_write(&w, "sys/devices/system/cpu/online", "0-4,6-7\n");
    world_write(&w, "sys/devices/system/node/node2/cpulist", "4\n");
    ck_assert_uint_eq(cycle_counting(&w, 110.0, true, pinned), 1);
    /* Back online: 1002's placement is put back on its threads. */
    world_write(&w, "sys/devices/system/cpu/online", "0-7\n");
    world_write(&w, "sys/devices/system/node/node2/cpulist", "4-5\n");
    ck_assert_uint_eq(cycle_counting(&w, 120.0, true, pinned), 2);
    /* No change: nothing more. */
    ck_assert_uint_eq(cycle_counting(&w, 130.0, false, pinned), 2);
    world_close(&w);
}
END_TEST

/* task/TID/sched of PID's thread TID with NUMA balancing's per-node
 * hinting faults FAULTS[0..3] (private), as kernel/sched/debug.c prints it. */
static void world_task_faults(struct world *w, int pid, int tid, const unsigned long *faults)
{
    char rel[96], text[1024];
    size_t n = (size_t)snprintf(text, sizeof(text),
                                "memhog (%d, #threads: 1)\n-----------------\n"
                                "se.exec_start : 1.0\nnuma_preferred_nid : 2\n"
                                "total_numa_faults : %lu\ncurrent_node=2, numa_group_id=0\n",
                                tid, faults[0] + faults[1] + faults[2] + faults[3]);
    for (int node = 0; node < 4; node++)
        n += (size_t)snprintf(text + n, sizeof(text) - n,
                              "numa_faults node=%d task_private=%lu task_shared=0 "
                              "group_private=0 group_shared=0\n", node, faults[node]);
    snprintf(rel, sizeof(rel), "proc/%d/task/%d/sched", pid, tid);
    world_write(w, rel, text);
}

/* With kernel balancing on and coexist (the default policy), the kernel's
 * hinting faults say where a process really accesses memory. 1002 (one
 * thread on node 2, its pages on nodes 0-1) whose accesses went 99% to
 * node 2 is local enough by its accesses, whatever its cold pages'
 * residency (and kept there); run on node 3 with its accesses on node 2 it goes back where
 * they go (CPUs only, the kernel moves pages; by residency nodes 2 and 3
 * hold as little and it would stay); with too few faults residency
 * decides. */
START_TEST(test_kernel_fault_data_decides_with_balancing_on)
{
    struct world w;
    world_open(&w, true);
    world_write(&w, "proc/sys/kernel/numa_balancing", "1\n");
    world_task_faults(&w, 1002, 1002, (const unsigned long[]){50, 50, 9900, 0});
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert(v->scored && v->access_used);
    ck_assert_uint_eq(v->access_faults, 10000);
    ck_assert_double_eq_tol(v->access_locality, 0.99, 1e-9);
    ck_assert_double_eq_tol(v->locality, 0.99, 1e-9);
    ck_assert(v->resident_locality < 0.01);
    /* Local, and free to run anywhere: kept there (CPUs only) so the
     * kernel need not chase it when the scheduler moves it. */
    ck_assert_int_eq(v->decision.reason, NP_REASON_MOVE);
    ck_assert(np_nodeset_test(&v->decision.target, 2));
    ck_assert_uint_eq(np_nodeset_count(&v->decision.target), 1);
    ck_assert_uint_eq(v->decision.move_kb, 0);
    ck_assert_ptr_nonnull(strstr(v->decision.why, "2: keeps it where 99% of its memory accesses is"));
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1002 cpus=4-5"));
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&w.act), "migrate_pages pid=1002"));
    np_cycle_report_clear(&r);
    np_cycle_report_clear(&r);
    world_close(&w);

    world_open(&w, true);
    world_write(&w, "proc/sys/kernel/numa_balancing", "1\n");
    world_task_faults(&w, 1002, 1002, (const unsigned long[]){0, 100, 9800, 100});
    set_last_cpu(&w, 1002, 1002, 6);   /* its thread now on node 3 */
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    v = view_of(&r, 1002);
    ck_assert(v->access_used);
    ck_assert_double_eq_tol(v->locality, 0.01, 1e-9);
    ck_assert_msg(v->decision.reason == NP_REASON_MOVE, "%s: %s", np_reason_name(v->decision.reason),
                  v->decision.why);
    ck_assert(np_nodeset_test(&v->decision.target, 2));
    ck_assert_uint_eq(np_nodeset_count(&v->decision.target), 1);
    ck_assert_uint_eq(v->decision.move_kb, 0);
    ck_assert_ptr_nonnull(strstr(v->decision.why, "holds 98% of its memory accesses"));
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&w.act), "migrate_pages pid=1002"));
    np_cycle_report_clear(&r);
    world_close(&w);

    world_open(&w, true);
    world_write(&w, "proc/sys/kernel/numa_balancing", "1\n");
    world_task_faults(&w, 1002, 1002, (const unsigned long[]){0, 0, 200, 0});
    set_last_cpu(&w, 1002, 1002, 6);
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    v = view_of(&r, 1002);
    ck_assert(!v->access_used);
    ck_assert_double_eq(v->access_locality, -1.0);
    ck_assert_double_eq(v->locality, v->resident_locality);
    ck_assert(v->decision.reason != NP_REASON_MOVE || !np_nodeset_test(&v->decision.target, 2));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* Rule 7 through the engine: beside the kernel's balancing, local-db
 * (1004) made seven busy threads (1.0 CPU each) on CPUs 1-7, each
 * accessing its own node's memory, nearly alone on the machine: no node
 * set but all four takes 7 CPU, so each thread is bound to the CPUs of
 * the node it runs on and accesses (one on node 0, two on each other
 * node). The next cycle,
 * with the leader's affinity as we set it, does not take our binds for
 * someone else's pin, reads its locality per thread (every access local)
 * and leaves it. */
START_TEST(test_threads_apart_through_the_engine)
{
    struct world w;
    world_open(&w, true);
    world_write(&w, "proc/sys/kernel/numa_balancing", "1\n");
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "cd %s/proc && rm -rf 1001 1002 1003 1005 1006 1007 1008 1010", w.dir);
    ck_assert_int_eq(system(cmd), 0);
    const int tids[7] = {1004, 100401, 100402, 100403, 100404, 100405, 100406};
    for (int k = 2; k < 7; k++) {
        snprintf(cmd, sizeof(cmd), "cp -a %s/proc/1004/task/100401 %s/proc/1004/task/%d",
                 w.dir, w.dir, tids[k]);
        ck_assert_int_eq(system(cmd), 0);
    }
    char path[512];
    snprintf(path, sizeof(path), "%s/proc/1004/stat", w.dir);
    edit_stat_field(path, 14, 700000, false);   /* 7 CPU over its 1000 s */
    edit_stat_field(path, 15, 0, false);
    edit_stat_field(path, 20, 7, false);
    for (int k = 0; k < 7; k++) {
        snprintf(path, sizeof(path), "%s/proc/1004/task/%d/stat", w.dir, tids[k]);
        edit_stat_field(path, 14, 100000, false);
        edit_stat_field(path, 15, 0, false);
        set_last_cpu(&w, 1004, tids[k], k + 1);
        unsigned long faults[4] = {0, 0, 0, 0};
        faults[(k + 1) / 2] = 5000;
        world_task_faults(&w, 1004, tids[k], faults);
    }
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1004);
    ck_assert_ptr_nonnull(v);
    ck_assert_msg(v->decided && v->decision.reason == NP_REASON_MOVE, "%s: %s",
                  np_reason_name(v->decision.reason), v->decision.why);
    ck_assert_uint_eq(v->decision.nbinds, 7);
    ck_assert_uint_eq(v->decision.move_kb, 0);
    ck_assert_uint_eq(np_nodeset_count(&v->decision.target), 4);
    const char *log = np_actuator_recording_log(&w.act);
    static const char *const want[7] = {
        "set_affinity tid=1004 cpus=0-1\n", "set_affinity tid=100401 cpus=2-3\n",
        "set_affinity tid=100402 cpus=2-3\n", "set_affinity tid=100403 cpus=4-5\n",
        "set_affinity tid=100404 cpus=4-5\n", "set_affinity tid=100405 cpus=6-7\n",
        "set_affinity tid=100406 cpus=6-7\n"};
    for (int k = 0; k < 7; k++)
        ck_assert_msg(strstr(log, want[k]), "no \"%s\" in:\n%s", want[k], log);
    ck_assert_ptr_null(strstr(log, "migrate_pages pid=1004"));
    np_cycle_report_clear(&r);

    /* 100 s later, still busy; as the kernel would show it, the leader's
     * affinity is ours. */
    for (int k = 0; k < 7; k++)
        add_ticks_of(&w, 1004, tids[k], 10000);
    world_sed(&w, "s/^Cpus_allowed:.*/Cpus_allowed:\t00000003/;"
                  "s/^Cpus_allowed_list:.*/Cpus_allowed_list:\t0-1/", "proc/1004/status");
    ck_assert_int_eq(np_engine_cycle(w.engine, 200.0, &r), 0);
    v = view_of(&r, 1004);
    ck_assert_ptr_nonnull(v);
    ck_assert_msg(v->state == NP_VIEW_MANAGED, "state %d skip %s: %s", (int)v->state,
                  np_skip_name(v->skip), v->detail);
    ck_assert(v->threads_apart);
    ck_assert(v->access_used);
    ck_assert_double_eq_tol(v->locality, 1.0, 1e-9);
    ck_assert_msg(v->decision.reason == NP_REASON_LOCAL_ENOUGH, "%s: %s",
                  np_reason_name(v->decision.reason), v->decision.why);
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* A thread's own policy shows only in its task/TID/numa_maps: the process
 * is left alone, CPUs included, and the thread is named. */
START_TEST(test_thread_policy_leaves_process_alone)
{
    struct world w;
    world_open(&w, true);
    world_write(&w, "proc/1011/task/101101/numa_maps",
                "55d0c0a00000 interleave:0-3 file=/usr/bin/evil) (name mapped=5 N0=5 kernelpagesize_kB=4\n");
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1011);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(v->detail, "memory policy interleave:0-3 of thread 101101");
    const char *log = np_actuator_recording_log(&w.act);
    assert_1011_untouched(log);
    /* The other misplaced one still moves. */
    ck_assert_ptr_nonnull(strstr(log, "set_affinity tid=1002 cpus=4-5"));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* A mapping policy on most of the memory counts; the same kind of policy
 * on a sliver (under 1/64 of it) is incidental and the process is placed. */
START_TEST(test_mapping_policy_share)
{
    struct world w;
    world_open(&w, true);
    /* 1002's first file mapping: a few pages of ~400 MiB. */
    world_sed(&w, "0,/ default file=/s// bind:3 file=/", "proc/1002/numa_maps");
    world_set_mapping_policy(&w, 1001, "interleave:0-3");
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_NONE);
    ck_assert_int_eq(v->decision.reason, NP_REASON_MOVE);
    v = view_of(&r, 1001);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_MEMPOLICY);
    ck_assert_ptr_nonnull(strstr(v->detail, "memory policy interleave:0-3 on "));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* A process numaplaced placed that then takes a policy (the program calls
 * mbind) is released and given back its original affinity. */
START_TEST(test_policy_taken_after_placement_releases)
{
    struct world w;
    world_open(&w, true);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    const char *log = np_actuator_recording_log(&w.act);
    ck_assert_ptr_nonnull(strstr(log, "set_affinity tid=1002 cpus=4-5"));
    ck_assert_ptr_null(strstr(log, "set_affinity tid=1002 cpus=0-7"));
    /* Placed: its affinity is now ours. */
    world_sed(&w, "s/^Cpus_allowed_list:.*/Cpus_allowed_list:\\t4-5/", "proc/1002/status");
    world_set_mapping_policy(&w, 1002, "interleave:0-3");
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->skip, NP_SKIP_MEMPOLICY);
    ck_assert_ptr_nonnull(strstr(v->detail, "(set after numaplaced placed it: CPUs given back)"));
    log = np_actuator_recording_log(&w.act);
    ck_assert_ptr_nonnull(strstr(strstr(log, "set_affinity tid=1002 cpus=4-5"), "set_affinity tid=1002 cpus=0-7"));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* Threads' policies are read again only when the mappings (VmSize) or the
 * thread count changed, or candidates.policy_rescan passed. */
START_TEST(test_thread_policies_reread_on_change_or_rescan)
{
    struct world w;
    world_open(&w, true);
    w.cfg.planner.max_moves_per_cycle = 0;   /* observe only: 1011 stays a candidate */
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1011)->skip, NP_SKIP_NONE);
    np_cycle_report_clear(&r);
    world_write(&w, "proc/1011/task/101101/numa_maps",
                "55d0c0a00000 prefer:2 file=/usr/bin/evil) (name mapped=5 N0=5 kernelpagesize_kB=4\n");
    /* Same mappings, same threads, 10 s later: the cached reading stands. */
    add_ticks_of(&w, 1011, 101101, 800);   /* busy: 0.8 CPU since */
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1011)->skip, NP_SKIP_NONE);
    np_cycle_report_clear(&r);
    /* candidates.policy_rescan (300 s) after the first reading: read again. */
    add_ticks_of(&w, 1011, 101101, 23200);
    ck_assert_int_eq(np_engine_cycle(w.engine, 400.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1011)->skip, NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(view_of(&r, 1011)->detail, "memory policy preferred:2 of thread 101101");
    np_cycle_report_clear(&r);
    world_close(&w);

    /* A changed VmSize (mappings added or removed) reads them at once. */
    world_open(&w, true);
    w.cfg.planner.max_moves_per_cycle = 0;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    world_write(&w, "proc/1011/task/101101/numa_maps",
                "55d0c0a00000 bind:1 file=/usr/bin/evil) (name mapped=5 N0=5 kernelpagesize_kB=4\n");
    world_sed(&w, "s/^VmSize:.*/VmSize:\\t  611296 kB/", "proc/1011/status");
    add_ticks_of(&w, 1011, 101101, 800);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1011)->skip, NP_SKIP_MEMPOLICY);
    ck_assert_str_eq(view_of(&r, 1011)->detail, "memory policy bind:1 of thread 101101");
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* Manual move: refused for a deliberate policy unless forced, saying why;
 * policy.leave_pinned = false lets the cycle place it. */
START_TEST(test_manual_move_refuses_policy_unless_forced)
{
    struct world w;
    world_open(&w, true);
    world_set_mapping_policy(&w, 1001, "interleave:0-3");
    struct np_nodeset target;
    np_nodeset_zero(&target);
    np_nodeset_set(&target, 1);
    struct np_action a;
    char why[256];
    ck_assert_int_eq(np_engine_move(w.engine, 1001, &target, false, 50.0, &a, why, sizeof(why)), -EPERM);
    ck_assert_ptr_nonnull(strstr(why, "mempolicy: memory policy interleave:0-3 on "));
    ck_assert_ptr_nonnull(strstr(why, "(move --force overrides)"));
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&w.act), "tid=1001 "));
    ck_assert_int_eq(np_engine_move(w.engine, 1001, &target, true, 50.0, &a, why, sizeof(why)), 0);
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1001 cpus=2-3"));
    /* Exclusions are not forced away. */
    ck_assert_int_eq(np_engine_move(w.engine, 1007, &target, true, 50.0, &a, why, sizeof(why)), -EPERM);
    ck_assert_str_eq(why, "excluded-name");
    world_close(&w);

    world_open(&w, true);
    world_set_mapping_policy(&w, 1002, "interleave:0-3");
    w.cfg.policy.leave_pinned = false;
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->skip, NP_SKIP_NONE);
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1002 cpus=4-5"));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST


/* Copies fixture FILE (under tests/fixtures/procstat) to W's proc/stat. */
static void world_proc_stat(struct world *w, const char *file)
{
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "cp tests/fixtures/procstat/%s/proc/stat %s/proc/stat", file, w->dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Adds TICKS of idle time (the 4th number) to every cpuN line of W's
 * proc/stat: a window in which every CPU idled. */
static void world_proc_stat_add_idle(struct world *w, unsigned long ticks)
{
    char path[512], line[512], out[8192] = "";
    snprintf(path, sizeof(path), "%s/proc/stat", w->dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    while (fgets(line, sizeof(line), f)) {
        unsigned cpu;
        unsigned long user, nice, sys, idle;
        char rest[400];
        /* cpuN only: %u would read the aggregate "cpu  N ..." line's first number as an id. */
        if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9' &&
            sscanf(line, "cpu%u %lu %lu %lu %lu %399[^\n]", &cpu, &user, &nice, &sys, &idle, rest) == 6)
            snprintf(line, sizeof(line), "cpu%u %lu %lu %lu %lu %s\n", cpu, user, nice, sys, idle + ticks, rest);
        ck_assert_uint_lt(strlen(out) + strlen(line), sizeof(out));
        strcat(out, line);
    }
    fclose(f);
    world_write(w, "proc/stat", out);
}

/* Node load is measured from proc/stat between two cycles: what each
 * node's CPUs did, not where each process's main thread last ran (1011's
 * main thread last ran on node 0; the CPUs of node 0 were idle). */
START_TEST(test_node_load_measured_from_proc_stat)
{
    struct world w;
    world_open(&w, true);
    w.cfg.planner.max_moves_per_cycle = 0;
    world_proc_stat(&w, "4node-before");
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    world_proc_stat(&w, "4node-after");
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    np_cycle_report_clear(&r);
    unsigned n;
    const double *load = np_engine_node_load(w.engine, &n);
    ck_assert_ptr_nonnull(load);
    ck_assert_uint_eq(n, 4);
    ck_assert_double_eq_tol(load[0], 0.0, 1e-9);
    ck_assert_double_eq_tol(load[1], 0.75, 1e-9);
    ck_assert_double_eq_tol(load[2], 2.0, 1e-9);
    ck_assert_double_eq_tol(load[3], 1.0, 1e-9);
    world_close(&w);
}
END_TEST

/* numaplaced's own CPU time comes off the measured load thread by thread,
 * where each thread ran: the movers copy on their targets' CPUs. With the
 * daemon as 1011, its main thread last on node 0 and a worker (101101)
 * spending a whole CPU on node 2, node 2 reads 1.0 less and node 0 keeps
 * what it had; all of it off the main thread's node would leave node 2 at
 * 2.0 busy and empty node 0 on paper. */
START_TEST(test_own_cpu_use_comes_off_where_its_threads_ran)
{
    struct world w;
    world_open(&w, true);
    np_engine_free(w.engine);
    ck_assert_int_eq(np_engine_new(&w.root, &w.act, &w.cfg, true, 1011, &w.engine), 0);
    np_engine_set_single_snapshot(w.engine, false);
    w.cfg.planner.max_moves_per_cycle = 0;
    world_proc_stat(&w, "4node-before");
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    world_proc_stat(&w, "4node-after");   /* nodes 0.0, 0.75, 2.0, 1.0 busy */
    set_last_cpu(&w, 1011, 1011, 0);
    set_last_cpu(&w, 1011, 101101, 4);
    add_ticks_of(&w, 1011, 101101, 1000);   /* 10 s at 100 ticks/s: 1 CPU */
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    np_cycle_report_clear(&r);
    assert_node_loads(&w, (const double[]){0.0, 0.75, 1.0, 1.0});
    world_close(&w);
}
END_TEST

/* A process neither busy nor big at its last two readings is read once
 * every idle_recheck / interval cycles, at its turn (PID mod that equal to
 * the cycle mod it): "tiny" (1008, 12 MiB) turned busy and big is seen
 * only at cycle 8, not at 5-7; it is still counted as scanned, and with
 * idle_recheck 0 it is seen at the next cycle. */
START_TEST(test_idle_process_read_at_its_turn)
{
    for (int every_cycle = 0; every_cycle <= 1; every_cycle++) {
        struct world w;
        world_open(&w, true);
        np_engine_set_single_snapshot(w.engine, false);
        world_proc_stat(&w, "4node-before");
        w.cfg.interval = 5.0;
        w.cfg.sampling.idle_recheck = every_cycle ? 0.0 : 20.0;   /* every 4 cycles */
        struct np_cycle_report r;
        double t = 100.0;
        size_t unread = 0;
        for (int cycle = 1; cycle <= 4; cycle++, t += 5.0) {
            world_proc_stat_add_idle(&w, 100);
            ck_assert_int_eq(np_engine_cycle(w.engine, t, &r), 0);
            ck_assert_uint_eq(r.nscanned, 12);
            unread += r.nunread;
            np_cycle_report_clear(&r);
        }
        /* 2 (kthreadd) and 1010 (a kworker, no memory) unread at cycles 3
         * and 4 (1010 idle from cycle 2 on), 1008 from cycle 3 on: at 4,
         * its turn, it was read. */
        ck_assert_uint_eq(unread, every_cycle ? 0 : 3);
        char path[512];
        snprintf(path, sizeof(path), "%s/proc/1008/stat", w.dir);
        edit_stat_field(path, 24, 51200, false);   /* 200 MiB */
        for (int cycle = 5; cycle <= 8; cycle++, t += 5.0) {
            world_proc_stat_add_idle(&w, 100);
            advance_cpu(&w, 1008, 500);   /* 1 CPU */
            ck_assert_int_eq(np_engine_cycle(w.engine, t, &r), 0);
            ck_assert_uint_eq(r.nscanned, 12);
            const struct np_proc_view *v = view_of(&r, 1008);
            if (every_cycle || cycle == 8) {
                ck_assert_msg(v != NULL, "cycle %d: 1008 not seen busy", cycle);
                ck_assert_double_eq_tol(v->cpu_use, 1.0, 0.01);
            } else
                ck_assert_msg(v == NULL, "cycle %d: 1008 read before its turn", cycle);
            np_cycle_report_clear(&r);
            if (every_cycle)
                break;
        }
        world_close(&w);
    }
}
END_TEST

/* A process placed during the measured window is booked on its target at
 * its CPU use when placed, beyond what it used (it stalls while its memory
 * moves), until a measurement covers it. */
START_TEST(test_fresh_placement_booked_on_top_of_measurement)
{
    struct world w;
    world_open(&w, true);
    world_proc_stat(&w, "4node-before");
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    /* 1002 (1.0 CPU) was bound to node 2 at t = 100. */
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1002 cpus=4-5"));
    w.cfg.planner.max_moves_per_cycle = 0;
    world_sed(&w, "s/^Cpus_allowed_list:.*/Cpus_allowed_list:\\t4-5/", "proc/1002/status");
    world_proc_stat(&w, "4node-after");
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    np_cycle_report_clear(&r);
    unsigned n;
    const double *load = np_engine_node_load(w.engine, &n);
    /* Measured 2.0 on node 2, plus 1002's 1.0 it did not use yet; node 0
     * measured idle, plus 1011's 0.8 (bound there at t = 100 too). */
    ck_assert_double_eq_tol(load[2], 3.0, 1e-9);
    ck_assert_double_eq_tol(load[0], 0.8, 1e-9);
    ck_assert_double_eq_tol(load[1], 0.75, 1e-9);
    /* The next window starts after the placement: measured only. Every
     * CPU idle for 1 s of this window. */
    world_proc_stat_add_idle(&w, 100);
    add_ticks_of(&w, 1002, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 120.0, &r), 0);
    np_cycle_report_clear(&r);
    load = np_engine_node_load(w.engine, &n);
    for (unsigned i = 0; i < n; i++)
        ck_assert_double_eq_tol(load[i], 0.0, 1e-9);
    world_close(&w);
}
END_TEST


/* With the thread sampler's evidence a move needs the threads away from
 * the memory for planner.confirm_seconds without a break, however few
 * cycles that took; a glimpse away between samples that came back is no
 * evidence. local-db (1004): memory on node 1, threads on CPUs 2-3. */
/* local-db (1004, memory on node 1) tracked from t = 100, then sampled
 * away, home, home, away, away (1 s apart) and a cycle at 105.5 under
 * planner.drift_share DRIFT: its view in R. */
static const struct np_proc_view *drifting_local_db(struct world *w, double drift,
                                                    struct np_cycle_report *r)
{
    static const int cpus[] = {6, 2, 2, 6, 6};
    world_open_running(w);
    w->cfg.planner.drift_share = drift;
    for (unsigned i = 0; i < 5; i++) {
        set_last_cpu(w, 1004, 1004, cpus[i]);
        advance_cpu(w, 1004, 100);
        ck_assert_int_eq(np_engine_sample_threads(w->engine, 101.0 + i), 5);
    }
    ck_assert_int_eq(np_engine_cycle(w->engine, 105.5, r), 0);
    const struct np_proc_view *v = view_of(r, 1004);
    ck_assert_ptr_nonnull(v);
    return v;
}

START_TEST(test_sampler_evidence_confirms_in_seconds)
{
    struct world w;
    world_open_running(&w);   /* scored at t = 100: tracked from there */
    struct np_cycle_report r;
    /* Away on node 3 at every sample, 1 s apart. */
    for (unsigned i = 1; i <= 5; i++) {
        set_last_cpu(&w, 1004, 1004, 6);
        advance_cpu(&w, 1004, 100);
        /* the five the first cycle scored */
        ck_assert_int_eq(np_engine_sample_threads(w.engine, 100.0 + i), 5);
    }
    ck_assert_int_eq(np_engine_cycle(w.engine, 105.5, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1004);
    ck_assert_ptr_nonnull(v);
    /* The count alone would say "found remote 2 of the 3 times". */
    ck_assert_msg(v->decision.reason == NP_REASON_MOVE, "%s", v->decision.why);
    ck_assert_ptr_nonnull(strstr(np_actuator_recording_log(&w.act), "set_affinity tid=1004 cpus=2-3"));
    np_cycle_report_clear(&r);
    world_close(&w);

    /* Away, back home for two readings, away, away: the stay dates from
     * the reading home (a move between readings books half the gap on
     * each node, so only a reading home after one home is all local).
     * That is drift, away half the 5 s (all of the first and last
     * readings, half of the two moves): with planner.drift_share off it
     * waits for the unbroken stay. */
    v = drifting_local_db(&w, 0.0, &r);
    ck_assert_int_eq(v->decision.reason, NP_REASON_CONFIRMING);
    ck_assert_str_eq(v->decision.why, "away from its memory for 2.0 s of the 5.0 s a move "
                                      "needs without a break (50% of its time lately); "
                                      "would move to node 1");
    ck_assert_ptr_null(strstr(np_actuator_recording_log(&w.act), "tid=1004 "));
    np_cycle_report_clear(&r);
    /* Processes that cycle did not score (the other four, idle since) are
     * no longer sampled; one that exits stops at once. */
    ck_assert_int_eq(np_engine_sample_threads(w.engine, 106.0), 1);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s/proc/1004", w.dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(np_engine_sample_threads(w.engine, 107.0), 0);
    world_close(&w);
}
END_TEST

/* A move held for confirmation asks for a cycle as soon as a sampler pass
 * confirms it, once: local-db (1004) away on node 3 from t = 100, a cycle
 * at 103.5 holds it (3 s of 5), the pass at 104 is not enough, the one at
 * 105 is; the next pass does not ask again, and the early cycle moves it. */
START_TEST(test_sampler_asks_for_a_cycle_when_a_move_is_confirmed)
{
    struct world w;
    world_open_running(&w);
    struct np_cycle_report r;
    for (unsigned i = 1; i <= 3; i++) {
        set_last_cpu(&w, 1004, 1004, 6);
        advance_cpu(&w, 1004, 100);
        ck_assert_int_eq(np_engine_sample_threads(w.engine, 100.0 + i), 5);
        ck_assert(!np_engine_take_early_cycle(w.engine));   /* nothing held yet */
    }
    ck_assert_int_eq(np_engine_cycle(w.engine, 103.5, &r), 0);
    ck_assert_int_eq(view_of(&r, 1004)->decision.reason, NP_REASON_CONFIRMING);
    np_cycle_report_clear(&r);
    set_last_cpu(&w, 1004, 1004, 6);
    advance_cpu(&w, 1004, 100);
    ck_assert_int_eq(np_engine_sample_threads(w.engine, 104.0), 1);
    ck_assert(!np_engine_take_early_cycle(w.engine));   /* 4 s of 5 */
    advance_cpu(&w, 1004, 100);
    ck_assert_int_eq(np_engine_sample_threads(w.engine, 105.0), 1);
    ck_assert(np_engine_take_early_cycle(w.engine));
    ck_assert(!np_engine_take_early_cycle(w.engine));   /* taken */
    advance_cpu(&w, 1004, 100);
    ck_assert_int_eq(np_engine_sample_threads(w.engine, 106.0), 1);
    ck_assert(!np_engine_take_early_cycle(w.engine));   /* asked once */
    ck_assert_int_eq(np_engine_cycle(w.engine, 106.1, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1004);
    ck_assert_msg(v->decision.reason == NP_REASON_MOVE, "%s", v->decision.why);
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST

/* The same drift (away 50% of the last 5 s, never 5 s without a break)
 * under the default planner.drift_share (0.1): bound home, CPUs only,
 * not a page copied. */
START_TEST(test_sampler_drift_binds_home)
{
    struct world w;
    struct np_cycle_report r;
    const struct np_proc_view *v = drifting_local_db(&w, 0.1, &r);
    ck_assert_msg(v->decision.reason == NP_REASON_MOVE, "%s", v->decision.why);
    ck_assert_ptr_nonnull(strstr(v->decision.why, "it drifts: away from its memory 50% of the "
                                                  "last 5.0 s"));
    ck_assert_uint_eq(v->decision.move_kb, 0);
    const char *log = np_actuator_recording_log(&w.act);
    ck_assert_ptr_nonnull(strstr(log, "set_affinity tid=1004 cpus=2-3"));
    ck_assert_ptr_null(strstr(log, "migrate_pages pid=1004"));
    np_cycle_report_clear(&r);
    world_close(&w);
}
END_TEST


/* A concurrent actuator around the recording one: each call under one
 * lock (the log is not thread-safe), and migrate_pages waits (at most 2 s)
 * until two are in flight, so overlapping moves show as two at once. */
static pthread_mutex_t conc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conc_cond = PTHREAD_COND_INITIALIZER;
static int conc_in_flight, conc_max_in_flight;
static const struct np_actuator_ops *conc_inner;
/* migrate_pages of CONC_GATE_PID waits (at most 5 s) until the gate opens. */
static int conc_gate_pid;
static bool conc_gate_open;
static int conc_nice_seen;      /* the nice value of the last migrate_pages caller */

static int conc_get_affinity(void *ctx, int tid, struct np_cpuset *ret)
{
    pthread_mutex_lock(&conc_lock);
    int r = conc_inner->get_affinity(ctx, tid, ret);
    pthread_mutex_unlock(&conc_lock);
    return r;
}

static int conc_set_affinity(void *ctx, int tid, const struct np_cpuset *cpus)
{
    pthread_mutex_lock(&conc_lock);
    int r = conc_inner->set_affinity(ctx, tid, cpus);
    pthread_mutex_unlock(&conc_lock);
    return r;
}

static long conc_migrate_pages(void *ctx, int pid, const struct np_nodeset *from,
                               const struct np_nodeset *to)
{
    pthread_mutex_lock(&conc_lock);
    conc_in_flight++;
    if (conc_in_flight > conc_max_in_flight)
        conc_max_in_flight = conc_in_flight;
    pthread_cond_broadcast(&conc_cond);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 2;
    while (conc_in_flight < 2 && pthread_cond_timedwait(&conc_cond, &conc_lock, &until) == 0)
        ;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    while (pid == conc_gate_pid && !conc_gate_open &&
           pthread_cond_timedwait(&conc_cond, &conc_lock, &until) == 0)
        ;
    long r = conc_inner->migrate_pages(ctx, pid, from, to);
    conc_nice_seen = getpriority(PRIO_PROCESS, (id_t)gettid());
    conc_in_flight--;
    pthread_mutex_unlock(&conc_lock);
    return r;
}

static int conc_move_pages(void *ctx, int pid, unsigned long count, void **pages, const int *nodes,
                           int *status)
{
    pthread_mutex_lock(&conc_lock);
    int r = conc_inner->move_pages(ctx, pid, count, pages, nodes, status);
    pthread_mutex_unlock(&conc_lock);
    return r;
}

static int conc_write_cgroup(void *ctx, const char *cgroup, const char *file, const char *value)
{
    pthread_mutex_lock(&conc_lock);
    int r = conc_inner->write_cgroup(ctx, cgroup, file, value);
    pthread_mutex_unlock(&conc_lock);
    return r;
}

static void conc_install(struct world *w, struct np_actuator_ops *ops)
{
    conc_inner = w->act.ops;
    *ops = *w->act.ops;
    ops->name = "recording-concurrent";
    ops->concurrent = true;
    ops->get_affinity = conc_get_affinity;
    ops->set_affinity = conc_set_affinity;
    ops->migrate_pages = conc_migrate_pages;
    ops->move_pages = conc_move_pages;
    ops->write_cgroup = conc_write_cgroup;
    conc_in_flight = conc_max_in_flight = 0;
    conc_gate_pid = 0;
    conc_gate_open = false;
    conc_nice_seen = -100;
}

static void write_maps(const struct world *w, int pid)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/proc/%d/maps", w->dir, pid);
    FILE *f = fopen(path, "we");
    ck_assert_ptr_nonnull(f);
    fputs("7f0000000000-7f0004000000 rw-p 00000000 00:00 0 \n", f);   /* 64 MiB */
    ck_assert_int_eq(fclose(f), 0);
}

/* The fixture world with the concurrent wrapper (OPS) as its actuator
 * (*SAVED is the recording one) and a mover of WORKERS threads. 1002's
 * and 1011's maps are written: a mover walks a large move's pages in
 * batches (every page reads node 0 unless a test says otherwise). */
/* Lets the copy held at the gate (conc_gate_pid) go on. */
static void conc_gate_release(void)
{
    pthread_mutex_lock(&conc_lock);
    conc_gate_open = true;
    pthread_cond_broadcast(&conc_cond);
    pthread_mutex_unlock(&conc_lock);
}

static struct np_mover *mover_world_open(struct world *w, struct np_actuator_ops *ops,
                                         const struct np_actuator_ops **saved, unsigned workers)
{
    world_open(w, true);
    conc_install(w, ops);
    *saved = w->act.ops;
    w->act.ops = ops;
    struct np_mover *m;
    ck_assert_int_eq(np_mover_new(&w->act, &w->root, workers, false, &m), 0);
    np_engine_set_mover(w->engine, m);
    write_maps(w, 1002);
    write_maps(w, 1011);
    return m;
}

/* Takes the mover M out of W's engine and frees it; the recording actuator
 * (SAVED) is W's again, so its log can be read. */
static void mover_world_detach(struct world *w, struct np_mover *m, const struct np_actuator_ops *saved)
{
    np_engine_set_mover(w->engine, NULL);
    np_mover_free(m);
    w->act.ops = saved;
}

/* Waits (at most 10 s) until the mover has nothing queued or running. */
static void wait_mover_idle(struct np_mover *m)
{
    for (int i = 0; i < 1000 && np_mover_in_flight(m) > 0; i++)
        usleep(10000);
    ck_assert_uint_eq(np_mover_in_flight(m), 0);
}

/* With a mover the cycle binds CPUs and returns before the copies: both
 * fixture moves walk their pages in batches, then are in migrate_pages
 * (which takes what the walk cannot reach) at once on two mover threads,
 * and each is recorded (history, action, totals) when collected. */
START_TEST(test_mover_copies_off_the_cycle_at_once)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open(&w, &ops, &saved, 2);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_uint_eq(r.nactions, 0);              /* nothing finished within the cycle */
    ck_assert_ptr_nonnull(strstr(view_of(&r, 1002)->detail, "moving"));
    np_cycle_report_clear(&r);
    ck_assert_uint_eq(np_engine_moves_in_flight(w.engine, 0, NULL), 2);
    wait_mover_idle(m);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 101.0, &r), 2);
    ck_assert_int_eq(conc_max_in_flight, 2);
    ck_assert_uint_eq(r.nactions, 2);
    ck_assert_int_eq(r.actions[0].result, NP_ACT_OK);
    ck_assert_int_eq(r.actions[1].result, NP_ACT_OK);
    np_cycle_report_clear(&r);
    ck_assert_uint_eq(np_engine_history_count(w.engine), 2);
    ck_assert_uint_eq(np_engine_moves_in_flight(w.engine, 0, NULL), 0);
    ck_assert_uint_eq(np_engine_totals(w.engine)->moves, 2);
    mover_world_detach(&w, m, saved);   /* the log is the recording actuator's */
    const char *log = np_actuator_recording_log(&w.act);
    ck_assert_ptr_nonnull(strstr(log, "migrate_pages pid=1002 from=0-1 to=2"));
    ck_assert_ptr_nonnull(strstr(log, "migrate_pages pid=1011 from=1-2 to=0"));
    world_close(&w);
}
END_TEST

/* The busy hook runs on the submitting thread when the first job of a
 * busy spell is queued, before any worker copies (the daemon's loop takes
 * the movers' priority there): once for the cycle's two moves, with the
 * first in flight and nothing copied yet; again for the next spell. */
static int busy_calls;
static unsigned busy_in_flight;
static bool busy_on_caller;
static pthread_t busy_caller;
static void count_busy(void *ctx)
{
    busy_calls++;
    busy_in_flight = np_mover_in_flight(ctx);
    busy_on_caller = pthread_equal(pthread_self(), busy_caller);
}

START_TEST(test_mover_busy_hook_once_a_spell)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open(&w, &ops, &saved, 1);
    busy_calls = 0;
    busy_caller = pthread_self();
    np_mover_set_busy_hook(m, count_busy, m);
    conc_gate_pid = 1002;   /* holds the first copy until released */
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    ck_assert_int_eq(busy_calls, 1);
    ck_assert_uint_eq(busy_in_flight, 1);
    ck_assert(busy_on_caller);
    ck_assert_uint_eq(np_mover_in_flight(m), 2);
    conc_gate_release();
    wait_mover_idle(m);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 101.0, &r), 2);
    np_cycle_report_clear(&r);
    ck_assert_int_eq(busy_calls, 1);
    /* A manual move after the spell ended starts another. */
    struct np_action act;
    char why[256];
    struct np_nodeset to;
    memset(&to, 0, sizeof(to));
    np_nodeset_set(&to, 3);
    ck_assert_int_eq(np_engine_move(w.engine, 1002, &to, true, 102.0, &act, why, sizeof(why)), 0);
    ck_assert_int_eq(busy_calls, 2);
    wait_mover_idle(m);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 103.0, &r), 1);
    np_cycle_report_clear(&r);
    mover_world_detach(&w, m, saved);
    world_close(&w);
}
END_TEST

/* The copying threads take actuator.mover_nice before their next job
 * (Linux keeps a nice value per thread); the loop's own stays. */
START_TEST(test_mover_copies_at_its_nice_value)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open(&w, &ops, &saved, 1);
    int loop_nice = getpriority(PRIO_PROCESS, (id_t)gettid());
    ck_assert_int_lt(loop_nice, 7);
    ck_assert_int_eq(np_mover_set_nice(m, NP_MOVER_NICE_MAX + 1), -EINVAL);
    ck_assert_int_eq(np_mover_set_nice(m, NP_MOVER_NICE_MIN - 1), -EINVAL);
    ck_assert_int_eq(np_mover_set_nice(m, 7), 0);   /* raising needs no privilege */
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    wait_mover_idle(m);
    ck_assert_int_eq(conc_nice_seen, 7);
    ck_assert_int_eq(np_mover_nice_error(m), 0);
    ck_assert_int_eq(getpriority(PRIO_PROCESS, (id_t)gettid()), loop_nice);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 101.0, &r), 2);
    np_cycle_report_clear(&r);
    mover_world_detach(&w, m, saved);
    world_close(&w);
}
END_TEST

/* A cgroup placement's memory moves with its cpuset.mems write, and that
 * write copies inside the kernel call: it goes to a mover thread too, the
 * cpuset.cpus write stays on the loop, and the history says via cgroup. */
START_TEST(test_mover_takes_a_cgroup_placement)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open(&w, &ops, &saved, 1);
    world_sole_tenant(&w, 1002, "b.service");
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    ck_assert_ptr_nonnull(strstr(view_of(&r, 1002)->detail, "moving"));
    np_cycle_report_clear(&r);
    wait_mover_idle(m);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 101.0, &r), 2);
    const struct np_action *a = NULL;
    for (size_t i = 0; i < r.nactions; i++)
        if (r.actions[i].pid == 1002)
            a = &r.actions[i];
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(a->result, NP_ACT_OK);
    ck_assert(a->via_cgroup);
    np_cycle_report_clear(&r);
    mover_world_detach(&w, m, saved);
    const char *log = np_actuator_recording_log(&w.act);
    const char *cpus = strstr(log, "write_cgroup cgroup=/b.service file=cpuset.cpus value=4-5");
    ck_assert_ptr_nonnull(cpus);
    ck_assert_ptr_nonnull(strstr(cpus, "write_cgroup cgroup=/b.service file=cpuset.mems value=2"));
    ck_assert_ptr_null(strstr(log, "migrate_pages pid=1002"));
    world_close(&w);
}
END_TEST

/* One mover thread busy with 1002's copy; 1011's waits in the queue. An
 * exclusion of 1011 cancels it there: it never copies, it gets its
 * original affinity back, and the history says cancelled. */
START_TEST(test_mover_cancels_an_excluded_process)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open(&w, &ops, &saved, 1);
    conc_gate_pid = 1002;
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    ck_assert_uint_eq(np_engine_moves_in_flight(w.engine, 0, NULL), 2);
    ck_assert_int_eq(np_engine_exclude_pid(w.engine, 1011), 0);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    ck_assert_int_eq(view_of(&r, 1002)->hold, NP_HOLD_MOVING);
    np_cycle_report_clear(&r);
    conc_gate_release();
    wait_mover_idle(m);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 111.0, &r), 2);
    for (size_t i = 0; i < r.nactions; i++)
        ck_assert_int_eq(r.actions[i].result, r.actions[i].pid == 1011 ? NP_ACT_CANCELLED : NP_ACT_OK);
    np_cycle_report_clear(&r);
    ck_assert_uint_eq(np_engine_totals(w.engine)->cancelled, 1);
    ck_assert_uint_eq(np_engine_totals(w.engine)->moves, 1);
    mover_world_detach(&w, m, saved);
    const char *log = np_actuator_recording_log(&w.act);
    ck_assert_ptr_nonnull(strstr(log, "migrate_pages pid=1002"));
    ck_assert_ptr_null(strstr(log, "migrate_pages pid=1011"));
    const char *bound = strstr(log, "set_affinity tid=1011 cpus=0-1");
    ck_assert_ptr_nonnull(bound);
    ck_assert_ptr_nonnull(strstr(bound, "set_affinity tid=1011 cpus=0-7"));
    world_close(&w);
}
END_TEST

/* Under a rate limit the fixture's copies go in batches, each waiting for
 * the shared bucket first (1 KiB/s: weeks for the first 2 MiB batch). A
 * cancel stops both there: neither copies a page, both come back cancelled
 * within the bound wait_mover_idle sets (each wait is checked every 50 ms),
 * and the processes get their original affinity back. */
static int every_page_on_node1(void *addr, void *ctx)
{
    (void)addr;
    (void)ctx;
    return 1;
}

/* mover_world_open with two workers whose copies wait: 1002's and 1011's
 * maps are written, every page reads node 1, and the rate (1 KiB/s) keeps
 * each copy waiting for the bucket before its first batch. */
static struct np_mover *mover_world_open_waiting(struct world *w, struct np_actuator_ops *ops,
                                                 const struct np_actuator_ops **saved)
{
    struct np_mover *m = mover_world_open(w, ops, saved, 2);
    struct np_actuator recorder = {.ops = *saved, .ctx = w->act.ctx};   /* under the wrapper */
    ck_assert_int_eq(np_actuator_recording_set_page_node(&recorder, every_page_on_node1, NULL), 0);
    ck_assert_int_eq(np_mover_set_rate(m, 1.0 / 1024), 0);
    return m;
}

START_TEST(test_mover_cancel_stops_a_copy_waiting_for_the_rate)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open_waiting(&w, &ops, &saved);
    ck_assert_int_eq(np_mover_set_rate(m, -1.0), -EINVAL);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    ck_assert_uint_eq(np_engine_moves_in_flight(w.engine, 0, NULL), 2);
    usleep(200000);   /* both workers are now waiting for the bucket */
    ck_assert_uint_eq(np_mover_in_flight(m), 2);
    ck_assert_int_eq(conc_max_in_flight, 0);   /* nothing reached migrate_pages */
    ck_assert_int_eq(np_engine_cancel_move(w.engine, 0), 2);
    wait_mover_idle(m);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 101.0, &r), 2);
    for (size_t i = 0; i < r.nactions; i++)
        ck_assert_int_eq(r.actions[i].result, NP_ACT_CANCELLED);
    np_cycle_report_clear(&r);
    ck_assert_uint_eq(np_engine_totals(w.engine)->cancelled, 2);
    mover_world_detach(&w, m, saved);
    const char *log = np_actuator_recording_log(&w.act);
    ck_assert_ptr_null(strstr(log, "migrate_pages"));
    ck_assert_ptr_nonnull(strstr(log, "nodes=query"));      /* batches were looked at */
    ck_assert_ptr_null(strstr(log, "nodes=0\n"));            /* and none moved */
    ck_assert_ptr_null(strstr(log, "nodes=2\n"));
    ck_assert_ptr_nonnull(strstr(log, "set_affinity tid=1011 cpus=0-7"));
    world_close(&w);
}
END_TEST

/* Two copies waiting for the rate are stopped, by a pause (BY_PAUSE) or
 * by `cancel`; placement resumes and the next cycle, 9 s after the stop
 * (under two of the default 10 s intervals), sees both still remote and
 * busy. Returns 1002's decision there. */
static enum np_reason decision_after_a_stopped_copy(bool by_pause)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open_waiting(&w, &ops, &saved);
    struct np_cycle_report r;
    ck_assert_int_eq(np_engine_cycle(w.engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    ck_assert_uint_eq(np_engine_moves_in_flight(w.engine, 0, NULL), 2);
    if (by_pause)
        np_engine_set_paused(w.engine, true);
    else
        ck_assert_int_eq(np_engine_cancel_move(w.engine, 0), 2);
    wait_mover_idle(m);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 101.0, &r), 2);
    for (size_t i = 0; i < r.nactions; i++)
        ck_assert_int_eq(r.actions[i].result, NP_ACT_CANCELLED);
    char line[512];
    np_action_format(&r.actions[0], line, sizeof(line));
    ck_assert_ptr_nonnull(strstr(line, " cancelled after 0K moved in "));
    np_cycle_report_clear(&r);
    np_engine_set_paused(w.engine, false);
    advance_cpu(&w, 1002, 1000);
    advance_cpu(&w, 1011, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 110.0, &r), 0);
    const struct np_proc_view *v = view_of(&r, 1002);
    ck_assert_ptr_nonnull(v);
    enum np_reason reason = v->decision.reason;
    np_cycle_report_clear(&r);
    (void)np_engine_cancel_move(w.engine, 0);
    wait_mover_idle(m);
    ck_assert_int_ge(np_engine_collect_moves(w.engine, 111.0, &r), 0);
    np_cycle_report_clear(&r);
    mover_world_detach(&w, m, saved);
    world_close(&w);
    return reason;
}

/* A pause is the operator's, not the process's doing: what it stopped is
 * placed again as soon as placement resumes. `cancel` holds it a while. */
START_TEST(test_a_copy_stopped_by_a_pause_starts_no_cooldown)
{
    ck_assert_int_eq(decision_after_a_stopped_copy(true), NP_REASON_MOVE);
    ck_assert_int_eq(decision_after_a_stopped_copy(false), NP_REASON_COOLDOWN);
}
END_TEST

/* The journal fields of an action and of a refusal: what `journalctl
 * MESSAGE_ID=... NUMAPLACE_PID=...` filters on. */
static const char *event_field(const struct np_event_fields *f, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < f->n; i++)
        if (strncmp(f->field[i], key, klen) == 0 && f->field[i][klen] == '=')
            return f->field[i] + klen + 1;
    return NULL;
}

START_TEST(test_event_fields_of_actions_and_refusals)
{
    struct np_action a;
    memset(&a, 0, sizeof(a));
    a.pid = 4242;
    snprintf(a.comm, sizeof(a.comm), "postgres");
    np_nodeset_set(&a.from, 0);
    np_nodeset_set(&a.to, 2);
    np_nodeset_set(&a.to, 3);
    a.moved_kb = 3072;
    a.duration_ms = 812.4;
    struct np_event_fields f;
    np_action_event_fields(&a, &f);
    ck_assert_str_eq(event_field(&f, "MESSAGE_ID"), np_event_message_id(NP_EVENT_MOVED));
    ck_assert_uint_eq(strlen(event_field(&f, "MESSAGE_ID")), 32);
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_EVENT"), "moved");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_PID"), "4242");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_COMM"), "postgres");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_FROM"), "0");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_TO"), "2-3");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_BYTES"), "3145728");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_DURATION_MS"), "812");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_REASON"), "ok");
    ck_assert_ptr_null(event_field(&f, "ERRNO"));
    ck_assert_ptr_null(event_field(&f, "NUMAPLACE_DRY_RUN"));

    a.result = NP_ACT_CAPACITY;
    a.error = -ENOMEM;
    a.dry_run = true;
    np_action_event_fields(&a, &f);
    ck_assert_str_eq(event_field(&f, "MESSAGE_ID"), np_event_message_id(NP_EVENT_MOVE_FAILED));
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_REASON"), "capacity");
    ck_assert_str_eq(event_field(&f, "ERRNO"), "12");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_DRY_RUN"), "1");
    a.result = NP_ACT_CANCELLED;
    a.error = -ECANCELED;
    ck_assert_int_eq(np_action_event_kind(&a), NP_EVENT_MOVE_CANCELLED);

    /* Every kind has its own id. */
    for (int i = 0; i < NP_EVENT_COUNT; i++)
        for (int j = i + 1; j < NP_EVENT_COUNT; j++)
            ck_assert_str_ne(np_event_message_id(i), np_event_message_id(j));

    /* A refusal names the verb and the client; no PID field without a pid. */
    np_refusal_event_fields(&(struct np_refusal){.kind = NP_EVENT_REFUSED, .verb = "pause",
                                                 .client_uid = 1000, .reason = "permission denied"},
                            &f);
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_EVENT"), "refused");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_VERB"), "pause");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_CLIENT_UID"), "1000");
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_REASON"), "permission denied");
    ck_assert_ptr_null(event_field(&f, "NUMAPLACE_PID"));
    ck_assert_ptr_null(event_field(&f, "NUMAPLACE_COMM"));

    /* A hostile name is cut to the field, never past it. */
    char long_reason[1000];
    memset(long_reason, 'x', sizeof(long_reason) - 1);
    long_reason[sizeof(long_reason) - 1] = 0;
    np_refusal_event_fields(&(struct np_refusal){.kind = NP_EVENT_GIVEN_UP, .pid = 7, .comm = "a b",
                                                 .client_uid = -1, .reason = long_reason},
                            &f);
    ck_assert_str_eq(event_field(&f, "NUMAPLACE_PID"), "7");
    ck_assert_ptr_null(event_field(&f, "NUMAPLACE_CLIENT_UID"));
    ck_assert_uint_eq(strlen(f.field[f.n - 1]), NP_EVENT_FIELD_LEN - 1);
}
END_TEST

/* While its memory is still being copied, a moved process holds its place
 * on the target in full: what it used in the window says nothing about
 * where (seen in the guest: hog1's copy to one-CPU node 2 in flight, node 2
 * measured 0.29, and hog2 was planned onto node 2 as well). 1002 (1.0 CPU)
 * is moving to node 2 and used 1.0 CPU in the window. */
/* The fixture's two moves are decided at 100 (1002 to node 2, 1011 to
 * node 0), both bound there by 110, when a cycle measures node load over
 * the 10 s between with 1002 at 1 CPU (placed_cpu_use 1.0). */
static void place_then_measure_at_110(struct world *w)
{
    struct np_cycle_report r;
    world_proc_stat(w, "4node-before");
    ck_assert_int_eq(np_engine_cycle(w->engine, 100.0, &r), 0);
    np_cycle_report_clear(&r);
    w->cfg.planner.max_moves_per_cycle = 0;
    world_sed(w, "s/^Cpus_allowed_list:.*/Cpus_allowed_list:\\t4-5/", "proc/1002/status");
    world_sed(w, "s/^Cpus_allowed_list:.*/Cpus_allowed_list:\\t0-1/", "proc/1011/status");
    world_proc_stat(w, "4node-after");
    add_ticks_of(w, 1002, 1002, 1000);
    ck_assert_int_eq(np_engine_cycle(w->engine, 110.0, &r), 0);
    np_cycle_report_clear(&r);
}

START_TEST(test_process_being_copied_keeps_its_place_on_the_target)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open_waiting(&w, &ops, &saved);
    struct np_cycle_report r;
    place_then_measure_at_110(&w);
    ck_assert_uint_eq(np_engine_moves_in_flight(w.engine, 0, NULL), 2);
    unsigned n;
    const double *load = np_engine_node_load(w.engine, &n);
    ck_assert_double_eq_tol(load[2], 3.0, 1e-9);   /* measured 2.0 + 1002's 1.0 */
    ck_assert_double_eq_tol(load[0], 0.8, 1e-9);   /* measured idle + 1011's 0.8 */
    ck_assert_int_eq(np_engine_cancel_move(w.engine, 0), 2);
    wait_mover_idle(m);
    ck_assert_int_eq(np_engine_collect_moves(w.engine, 111.0, &r), 2);
    np_cycle_report_clear(&r);
    mover_world_detach(&w, m, saved);
    world_close(&w);
}
END_TEST

/* A copy that ends after a cycle's window began: that window measured
 * the process stalled on pages in flight, so its place on the target
 * stays booked until a window that starts after the copy (seen in the
 * guest: a second hog bound to the one-CPU node where the first had just
 * finished copying, measured there at half a CPU). */
START_TEST(test_copy_ended_in_the_window_keeps_its_place)
{
    struct world w;
    struct np_actuator_ops ops;
    const struct np_actuator_ops *saved;
    struct np_mover *m = mover_world_open(&w, &ops, &saved, 2);
    conc_gate_pid = 1002;   /* 1002's copy waits for the gate */
    struct np_cycle_report r;
    place_then_measure_at_110(&w);
    unsigned n;
    const double *load = np_engine_node_load(w.engine, &n);
    ck_assert_double_eq_tol(load[2], 3.0, 1e-9);   /* measured 2.0 + 1002's 1.0, in flight */
    conc_gate_release();
    wait_mover_idle(m);
    ck_assert_int_ge(np_engine_collect_moves(w.engine, 111.0, &r), 1);
    for (size_t i = 0; i < r.nactions; i++)
        ck_assert_int_eq(r.actions[i].result, NP_ACT_OK);
    np_cycle_report_clear(&r);
    /* 110-120: every CPU idle, 1002 ran nothing (stalled until 111, then
     * say still faulting): its 1.0 stays booked on node 2. */
    world_proc_stat_add_idle(&w, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 120.0, &r), 0);
    np_cycle_report_clear(&r);
    load = np_engine_node_load(w.engine, &n);
    ck_assert_double_eq_tol(load[2], 1.0, 1e-9);
    /* 120-130: a window after the copy measures it; idle is idle. */
    world_proc_stat_add_idle(&w, 1000);
    ck_assert_int_eq(np_engine_cycle(w.engine, 130.0, &r), 0);
    np_cycle_report_clear(&r);
    load = np_engine_node_load(w.engine, &n);
    ck_assert_double_eq_tol(load[2], 0.0, 1e-9);
    mover_world_detach(&w, m, saved);
    world_close(&w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("cycle");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_one_cycle_decisions);
    tcase_add_test(tc, test_event_fields_of_actions_and_refusals);
    tcase_add_test(tc, test_cooldown_then_pid_reuse_starts_fresh);
    tcase_add_test(tc, test_permission_error_gives_up_once);
    tcase_add_test(tc, test_exit_between_cycles_is_forgotten);
    tcase_add_test(tc, test_exclusion_restores_original_affinity);
    tcase_add_test(tc, test_manual_move_and_runtime_exclusion);
    tcase_add_test(tc, test_read_only_cgroup_tree_places_threads);
    tcase_add_test(tc, test_slow_moves_defer_the_rest_to_the_next_cycle);
    tcase_add_test(tc, test_running_daemon_waits_for_measured_cpu_use);
    tcase_add_test(tc, test_cpu_use_at_most_one_cpu_per_thread_that_ran);
    tcase_add_test(tc, test_cpu_use_between_the_reads_of_its_stat);
    tcase_add_test(tc, test_memory_under_pinned_work_moves_at_first_measured_cycle);
    tcase_add_test(tc, test_replan_soon_after_placing_beside_a_no_room);
    tcase_add_test(tc, test_thread_pinned_by_someone_else_is_left_alone);
    tcase_add_test(tc, test_placed_process_keeps_its_load_while_it_looks_idle);
    tcase_add_test(tc, test_threads_weigh_by_recent_cpu_not_lifetime);
    tcase_add_test(tc, test_thread_glimpsed_on_another_node_is_not_moved);
    tcase_add_test(tc, test_wandering_threads_keep_the_held_target);
    tcase_add_test(tc, test_memory_follows_threads_after_confirm_cycles_in_a_row);
    tcase_add_test(tc, test_plan_held_while_paused_moves_after_resume);
    tcase_add_test(tc, test_node_load_counts_where_the_threads_run);
    tcase_add_test(tc, test_own_cpu_use_is_no_load);
    tcase_add_test(tc, test_thread_policy_leaves_process_alone);
    tcase_add_test(tc, test_mapping_policy_share);
    tcase_add_test(tc, test_policy_taken_after_placement_releases);
    tcase_add_test(tc, test_thread_policies_reread_on_change_or_rescan);
    tcase_add_test(tc, test_manual_move_refuses_policy_unless_forced);
    tcase_add_test(tc, test_node_load_measured_from_proc_stat);
    tcase_add_test(tc, test_own_cpu_use_comes_off_where_its_threads_ran);
    tcase_add_test(tc, test_idle_process_read_at_its_turn);
    tcase_add_test(tc, test_fresh_placement_booked_on_top_of_measurement);
    tcase_add_test(tc, test_sampler_evidence_confirms_in_seconds);
    tcase_add_test(tc, test_sampler_drift_binds_home);
    tcase_add_test(tc, test_sampler_asks_for_a_cycle_when_a_move_is_confirmed);
    tcase_add_test(tc, test_kernel_fault_data_decides_with_balancing_on);
    tcase_add_test(tc, test_threads_apart_through_the_engine);
    tcase_add_test(tc, test_placement_put_back_after_cpu_hotplug);
    tcase_add_test(tc, test_mover_copies_off_the_cycle_at_once);
    tcase_add_test(tc, test_mover_copies_at_its_nice_value);
    tcase_add_test(tc, test_mover_busy_hook_once_a_spell);
    tcase_add_test(tc, test_mover_takes_a_cgroup_placement);
    tcase_add_test(tc, test_mover_cancels_an_excluded_process);
    tcase_add_test(tc, test_mover_cancel_stops_a_copy_waiting_for_the_rate);
    tcase_add_test(tc, test_a_copy_stopped_by_a_pause_starts_no_cooldown);
    tcase_add_test(tc, test_process_being_copied_keeps_its_place_on_the_target);
    tcase_add_test(tc, test_copy_ended_in_the_window_keeps_its_place);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
