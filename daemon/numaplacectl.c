/* numaplacectl: asks a running numaplaced what it sees and why, and steers
 * it, over the control socket (lib/protocol.h, docs/protocol.md). Human
 * tables by default, the reply's data with --json. Never hangs: connect and
 * the whole exchange are bounded by --timeout. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "advise.h"
#include "config.h"
#include "parse.h"
#include "protocol.h"
#include "numaplacectl.h"

#define DEFAULT_SOCKET   "/run/numaplaced/numaplaced.sock"
#define MAX_REPLY        (64u * 1024 * 1024)


/* The verbs' lines come from lib/verbs.def, like the daemon's dispatch. */
static void usage_verbs(FILE *out, bool root)
{
    for (int v = 0; v < NP_VERB_COUNT; v++) {
        const struct np_verb_def *d = np_verb_def(v);
        if (d->needs_root != root)
            continue;
        char line[160];
        np_verb_usage(d, line, sizeof(line));
        if (strlen(line) < 30)
            fprintf(out, "  %-30s%s%s%s%s\n", line, d->summary, d->alias ? " (alias: " : "",
                    d->alias ? d->alias : "", d->alias ? ")" : "");
        else
            fprintf(out, "  %s\n  %-30s%s\n", line, "", d->summary);
    }
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: numaplacectl [--socket PATH] [--json] [--timeout S] VERB [ARGS]\n"
            "Asks the numaplaced NUMA placement daemon what it sees and steers it.\n\n"
            "Verbs (read-only ones work for members of the control group):\n");
    usage_verbs(out, false);
    fprintf(out, "  %-30s%s\n", TOP_USAGE,
            "live view: nodes, moves in flight, processes (q quit, p pause/resume, s sort)");
    fprintf(out, "Verbs for root:\n");
    usage_verbs(out, true);
    fprintf(out,
            "\nOptions:\n"
            "  -s, --socket PATH   control socket (default " DEFAULT_SOCKET ")\n"
            "  -j, --json          print the reply's data as JSON\n"
            "  -t, --timeout S     seconds to wait for the daemon (default 5)\n"
            "      --verbs         list the verbs for scripts (name, alias, access, usage)\n"
            "  -h, --help          this help\n\n"
            "Exit status: 0 ok, 1 the daemon refused or failed, 2 bad arguments,\n"
            "3 the daemon is not running (cannot connect, or no answer in time),\n"
            "4 permission denied.\n");
}

static int die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("numaplacectl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see --help)\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* ---- talking to the daemon ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sends LINE and reads one reply line into *RET (malloc'd). Returns 0 or an
 * exit code, with the reason in ERR. */
static int exchange(const char *path, double timeout, const char *line, size_t len, char **ret, size_t *ret_len,
                    char *err, size_t errsz)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return snprintf(err, errsz, "socket path too long: %s", path), EXIT_USAGE;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errsz, "socket: %s", strerror(errno));
        return EXIT_NOT_RUNNING;
    }
    /* A blocking Unix connect waits for backlog room; SO_SNDTIMEO bounds it. */
    struct timeval tv = {.tv_sec = (time_t)timeout, .tv_usec = (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6)};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    double deadline = now_s() + timeout;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        if (e == EACCES || e == EPERM) {
            snprintf(err, errsz, "permission denied: cannot connect to %s "
                            "(needs root or membership in the control group)", path);
            return EXIT_PERMISSION;
        }
        snprintf(err, errsz, "numaplaced is not running? cannot connect to %s: %s", path,
                e == EAGAIN || e == EINPROGRESS ? "no answer in time" : strerror(e));
        return EXIT_NOT_RUNNING;
    }
    /* A daemon at its client cap answers "too-many-clients" and closes
     * before reading: the send then fails (EPIPE) with that answer waiting,
     * so a failed send still reads, and says why only if nothing came. */
    int send_errno = 0;
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, line + off, len - off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            send_errno = errno;
            if (send_errno == EAGAIN) {
                close(fd);
                snprintf(err, errsz, "sending to %s: no answer in time", path);
                return EXIT_NOT_RUNNING;
            }
            break;
        }
        off += (size_t)w;
    }
    size_t cap = 65536, have = 0;
    char *buf = malloc(cap);
    while (buf) {
        char *nl = have ? memchr(buf, '\n', have) : NULL;
        if (nl) {
            *ret = buf;
            *ret_len = (size_t)(nl - buf);
            buf[*ret_len] = '\0';
            close(fd);
            return 0;
        }
        double left = deadline - now_s();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = left > 0 ? poll(&pfd, 1, (int)(left * 1000) + 1) : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            snprintf(err, errsz, "numaplaced did not answer within %.0f s", timeout);
            break;
        }
        if (have + 1 >= cap) {
            if (cap >= MAX_REPLY) {
                snprintf(err, errsz, "reply larger than %u bytes", MAX_REPLY);
                break;
            }
            char *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + have, cap - have - 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (send_errno)
                snprintf(err, errsz, "sending to %s: %s", path, strerror(send_errno));
            else
                snprintf(err, errsz, "numaplaced closed the connection without an answer");
            break;
        }
        have += (size_t)r;
    }
    free(buf);
    close(fd);
    return EXIT_NOT_RUNNING;
}

int ctl_call(const struct ctl_conn *conn, enum np_verb verb, struct json_object *args, struct np_reply *ret,
             char *err, size_t errsz)
{
    size_t len;
    char *line = np_request_encode(np_verb_name(verb), args, &len);
    if (!line)
        return snprintf(err, errsz, "out of memory"), EXIT_REFUSED;
    char *reply_line = NULL;
    size_t reply_len = 0;
    int r = exchange(conn->path, conn->timeout, line, len, &reply_line, &reply_len, err, errsz);
    free(line);
    if (r)
        return r;
    r = np_reply_decode(reply_line, reply_len, ret, err, errsz);
    free(reply_line);
    if (r < 0)
        return EXIT_REFUSED;
    if (ret->ok)
        return EXIT_OK;
    snprintf(err, errsz, "%s: %s", np_verb_name(verb), ret->message);
    enum np_error e = np_error_lookup(ret->code);
    np_reply_clear(ret);
    if (e == NP_ERR_PERMISSION)
        return EXIT_PERMISSION;
    return e == NP_ERR_BAD_ARGS || e == NP_ERR_UNKNOWN_VERB ? EXIT_USAGE : EXIT_REFUSED;
}

/* ---- human output ---- */

static const char *fmt_kib(double kib, char *buf, size_t sz)
{
    if (kib < 1024)
        snprintf(buf, sz, "%.0f KiB", kib);
    else if (kib < 1024.0 * 1024)
        snprintf(buf, sz, "%.1f MiB", kib / 1024);
    else if (kib < 1024.0 * 1024 * 1024)
        snprintf(buf, sz, "%.1f GiB", kib / 1024 / 1024);
    else
        snprintf(buf, sz, "%.1f TiB", kib / 1024 / 1024 / 1024);
    return buf;
}

static const char *fmt_duration(double s, char *buf, size_t sz)
{
    long t = (long)s;
    if (t < 60)
        snprintf(buf, sz, "%.1f s", s);
    else if (t < 3600)
        snprintf(buf, sz, "%ldm %02lds", t / 60, t % 60);
    else if (t < 86400)
        snprintf(buf, sz, "%ldh %02ldm", t / 3600, t % 3600 / 60);
    else
        snprintf(buf, sz, "%ldd %02ldh", t / 86400, t % 86400 / 3600);
    return buf;
}

/* A table with aligned columns: cells are copied in, printed at the end. */
#define TABLE_MAX_COLS 12
struct table {
    unsigned ncols;
    size_t nrows;
    char **cells;   /* nrows * ncols */
    size_t width[TABLE_MAX_COLS];
};

static void table_row(struct table *t, ...)
{
    char **cells = realloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(char *));
    if (!cells)
        return;
    t->cells = cells;
    va_list ap;
    va_start(ap, t);
    for (unsigned c = 0; c < t->ncols; c++) {
        const char *s = va_arg(ap, const char *);
        char *copy = strdup(s ? s : "");
        cells[t->nrows * t->ncols + c] = copy;
        size_t w = copy ? strlen(copy) : 0;
        if (w > t->width[c])
            t->width[c] = w;
    }
    va_end(ap);
    t->nrows++;
}

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = 0;
}

static void table_print(struct table *t, unsigned right_aligned_mask)
{
    for (size_t r = 0; r < t->nrows; r++) {
        for (unsigned c = 0; c < t->ncols; c++) {
            const char *s = t->cells[r * t->ncols + c];
            s = s ? s : "";
            bool last = c + 1 == t->ncols;
            if (right_aligned_mask & (1u << c))
                printf("%*s", (int)t->width[c], s);
            else if (last)
                fputs(s, stdout);
            else
                printf("%-*s", (int)t->width[c], s);
            if (!last)
                fputs("  ", stdout);
        }
        putchar('\n');
    }
    table_free(t);
}

static void print_status(struct json_object *d)
{
    char a[64], b[64], c[64];
    printf("numaplaced %s (pid %lld), up %s, mode %s, interval %.1f s%s%s\n", gstr(d, "version"),
           (long long)gint(d, "pid"), fmt_duration(gdbl(d, "uptime_s"), a, sizeof(a)), gstr(d, "mode"),
           gdbl(d, "interval_s"), gbool(d, "changes_real") ? "" : ", changes are not real",
           strcmp(gstr(d, "root"), "/") ? "" : "");
    if (strcmp(gstr(d, "root"), "/") != 0)
        printf("root: %s (actions are only recorded)\n", gstr(d, "root"));
    struct json_object *nb = get(d, "numa_balancing");
    printf("kernel numa_balancing: %s, policy %s%s\n", gstr(nb, "state"), gstr(nb, "policy"),
           isnull(nb, "memory_moves") ? "" : gbool(nb, "memory_moves") ? ", numaplaced moves memory"
                                                                       : ", the kernel moves ordinary pages");
    struct json_object *lc = get(d, "last_cycle");
    if (lc) {
        /* Idle processes whose stat waits for its turn (sampling.idle_recheck). */
        char unread[48] = "";
        long long nunread = (long long)gint(lc, "unread");
        if (nunread > 0)
            snprintf(unread, sizeof(unread), " (%lld idle, unread)", nunread);
        printf("last cycle: %.1f ms CPU, %.1f ms wall, %lld scanned%s%s, %lld busy, %lld scored, %lld actions, %.1f s ago\n",
               gdbl(lc, "cpu_ms"), gdbl(lc, "wall_ms"), (long long)gint(lc, "scanned"),
               gbool(lc, "truncated") ? " (truncated)" : "", unread, (long long)gint(lc, "busy"),
               (long long)gint(lc, "scored"), (long long)gint(lc, "actions"), gdbl(lc, "age_s"));
    } else
        printf("last cycle: none yet\n");
    struct json_object *t = get(d, "totals"), *f = get(t, "failures");
    char failures[256] = "";
    size_t n = 0;
    json_object_object_foreach(f, cls, cnt) {
        if (json_object_get_int64(cnt) > 0 && n < sizeof(failures))
            n += (size_t)snprintf(failures + n, sizeof(failures) - n, "%s%s %lld", n ? ", " : "", cls,
                                  (long long)json_object_get_int64(cnt));
    }
    printf("totals: %lld cycles, %lld moves, %s migrated, failures: %s\n", (long long)gint(t, "cycles"),
           (long long)gint(t, "moves"), fmt_kib((double)gint(t, "moved_bytes") / 1024, a, sizeof(a)),
           n ? failures : "none");
    struct json_object *mv = get(d, "moves_in_flight");
    size_t nmv = mv ? json_object_array_length(mv) : 0;
    printf("moves in flight:%s\n", nmv ? "" : " none");
    for (size_t i = 0; i < nmv; i++) {
        struct json_object *m = json_object_array_get_idx(mv, i);
        printf("  pid %lld (%s): nodes %s -> %s, %s of %s, %.1f MB/s, %.1f s%s\n",
               (long long)gint(m, "pid"), gstr(m, "comm"), gstr(m, "from"), gstr(m, "to"),
               fmt_kib((double)gint(m, "done_bytes") / 1024, a, sizeof(a)),
               fmt_kib((double)gint(m, "total_bytes") / 1024, b, sizeof(b)), gdbl(m, "mb_per_s"),
               gdbl(m, "elapsed_s"), gbool(m, "cancelling") ? ", cancelling" : "");
    }
    struct json_object *ex = get(d, "runtime_exclusions"), *pids = get(ex, "pids"), *names = get(ex, "names");
    size_t np = json_object_array_length(pids), nn = json_object_array_length(names);
    printf("runtime exclusions:");
    if (np + nn == 0)
        printf(" none");
    for (size_t i = 0; i < np; i++)
        printf(" pid %lld%s", (long long)json_object_get_int64(json_object_array_get_idx(pids, i)),
               i + 1 < np + nn ? "," : "");
    for (size_t i = 0; i < nn; i++)
        printf(" name '%s'%s", json_object_get_string(json_object_array_get_idx(names, i)),
               i + 1 < nn ? "," : "");
    putchar('\n');
    struct json_object *ctl = get(d, "control");
    printf("control: %lld clients, %lld requests, %lld refused, %lld dropped, %lld advise reservations\n",
           (long long)gint(ctl, "clients"), (long long)gint(ctl, "requests"),
           (long long)gint(ctl, "refused_clients"), (long long)gint(ctl, "dropped_clients"),
           (long long)gint(ctl, "advise_reservations"));
    putchar('\n');
    struct table tab = {.ncols = 7};
    table_row(&tab, "NODE", "CPUS", "MEM TOTAL", "MEM FREE", "USABLE", "CPU LOAD", "HUGEPAGES FREE");
    struct json_object *nodes = get(d, "nodes");
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        struct json_object *nd = json_object_array_get_idx(nodes, i), *hp = get(nd, "hugepages");
        char id[16], load[48], huge[256] = "", tot[32], fr[32], us[32];
        snprintf(id, sizeof(id), "%lld", (long long)gint(nd, "id"));
        if (isnull(nd, "cpu_load"))
            snprintf(load, sizeof(load), "-/%lld", (long long)gint(nd, "ncpus"));
        else
            snprintf(load, sizeof(load), "%.2f/%lld", gdbl(nd, "cpu_load"), (long long)gint(nd, "ncpus"));
        size_t hn = 0;
        for (size_t h = 0; h < json_object_array_length(hp) && hn < sizeof(huge); h++) {
            struct json_object *p = json_object_array_get_idx(hp, h);
            int64_t kib = gint(p, "page_kib");
            hn += (size_t)snprintf(huge + hn, sizeof(huge) - hn, "%s%lld%s: %lld/%lld", hn ? ", " : "",
                                   (long long)(kib >= 1048576 ? kib / 1048576 : kib / 1024),
                                   kib >= 1048576 ? "G" : "M", (long long)gint(p, "free"),
                                   (long long)gint(p, "total"));
        }
        table_row(&tab, id, gstr(nd, "cpus"), fmt_kib((double)gint(nd, "mem_total_mib") * 1024, tot, sizeof(tot)),
                  fmt_kib((double)gint(nd, "mem_free_mib") * 1024, fr, sizeof(fr)),
                  fmt_kib((double)gint(nd, "mem_usable_mib") * 1024, us, sizeof(us)), load,
                  hn ? huge : "-");
    }
    table_print(&tab, 0);
    (void)c;
    (void)b;
}

/* What `list` says in its DECISION column. */
static void decision_text(struct json_object *p, char *buf, size_t sz)
{
    struct json_object *dec = get(p, "decision");
    const char *state = gstr(p, "state");
    if (dec && strcmp(gstr(dec, "reason"), "move") == 0)
        snprintf(buf, sz, "move -> %s%s", gstr(dec, "target"),
                 gbool(p, "acted") && strcmp(gstr(p, "result"), "ok") ? " (failed)" : "");
    else if (dec)
        snprintf(buf, sz, "keep: %s", gstr(dec, "reason"));
    else if (!isnull(p, "reason"))
        snprintf(buf, sz, "%s%s%s", gstr(p, "reason"), *gstr(p, "detail") ? ": " : "", gstr(p, "detail"));
    else if (*gstr(p, "detail"))
        snprintf(buf, sz, "%s", gstr(p, "detail"));
    else
        snprintf(buf, sz, "%s", state);
}

static void print_list(struct json_object *d)
{
    struct json_object *procs = get(d, "processes");
    struct table tab = {.ncols = 10};
    table_row(&tab, "RANK", "PID", "COMM", "MEM", "CPU", "REMOTE", "BENEFIT", "MEM/NODE (MiB)", "STATE", "DECISION");
    for (size_t i = 0; i < json_object_array_length(procs); i++) {
        struct json_object *p = json_object_array_get_idx(procs, i);
        char rank[16] = "-", pid[16], mem[32], cpu[16], remote[16] = "-", benefit[32] = "-", pernode[256] = "-",
             decision[400];
        if (!isnull(p, "rank"))
            snprintf(rank, sizeof(rank), "%lld", (long long)gint(p, "rank"));
        snprintf(pid, sizeof(pid), "%lld", (long long)gint(p, "pid"));
        fmt_kib((double)gint(p, "mem_kib"), mem, sizeof(mem));
        snprintf(cpu, sizeof(cpu), "%.2f", gdbl(p, "cpu"));
        if (!isnull(p, "remote_fraction")) {
            /* "a": of its accesses (kernel fault data), not of its pages. */
            snprintf(remote, sizeof(remote), "%.1f%%%s", gdbl(p, "remote_fraction") * 100,
                     strcmp(gstr(p, "locality_from"), "access") == 0 ? "a" : "");
            snprintf(benefit, sizeof(benefit), "%.1f", gdbl(p, "benefit"));
        }
        struct json_object *nk = get(p, "node_kib");
        if (nk) {
            size_t n = 0;
            json_object_object_foreach(nk, node, kib) {
                if (n < sizeof(pernode))
                    n += (size_t)snprintf(pernode + n, sizeof(pernode) - n, "%s%s:%lld", n ? " " : "", node,
                                          (long long)(json_object_get_int64(kib) / 1024));
            }
        }
        decision_text(p, decision, sizeof(decision));
        table_row(&tab, rank, pid, gstr(p, "comm"), mem, cpu, remote, benefit, pernode, gstr(p, "state"), decision);
    }
    struct json_object *cy = get(d, "cycle");
    if (cy)
        printf("last cycle %.1f s ago: %lld scanned, %lld busy, %lld scored; mode %s\n", gdbl(cy, "age_s"),
               (long long)gint(cy, "scanned"), (long long)gint(cy, "busy"), (long long)gint(cy, "scored"),
               gstr(d, "mode"));
    else
        printf("no cycle yet\n");
    table_print(&tab, (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6));
    size_t shown = json_object_array_length(procs);
    if ((int64_t)shown < gint(d, "total"))
        printf("(%zu of %lld shown)\n", shown, (long long)gint(d, "total"));
}

static void print_actions(struct json_object *actions, bool with_pid)
{
    struct table tab = {.ncols = 9};
    table_row(&tab, "TIME", "PID", "COMM", "FROM", "TO", "MOVED", "DURATION", "LOCALITY", "RESULT");
    for (size_t i = 0; i < json_object_array_length(actions); i++) {
        struct json_object *a = json_object_array_get_idx(actions, i);
        char when[32] = "", pid[16], moved[32], dur[32], loc[64], result[160];
        time_t t = (time_t)gdbl(a, "time");
        struct tm tm;
        if (localtime_r(&t, &tm))
            strftime(when, sizeof(when), "%m-%d %H:%M:%S", &tm);
        snprintf(pid, sizeof(pid), "%lld", (long long)gint(a, "pid"));
        fmt_kib((double)gint(a, "moved_bytes") / 1024, moved, sizeof(moved));
        snprintf(dur, sizeof(dur), "%.0f ms", gdbl(a, "duration_ms"));
        snprintf(loc, sizeof(loc), "%.0f%% -> %.0f%%%s", gdbl(a, "locality_before") * 100,
                 gdbl(a, "locality_after") * 100, gbool(a, "after_measured") ? "" : " (expected)");
        snprintf(result, sizeof(result), "%s%s%s%s%s", gstr(a, "result"), isnull(a, "error") ? "" : ": ",
                 gstr(a, "error"), gbool(a, "dry_run") ? " (dry-run)" : "", gbool(a, "partial") ? " (partial)" : "");
        table_row(&tab, when, pid, gstr(a, "comm"), gstr(a, "from"), gstr(a, "to"), moved, dur, loc, result);
    }
    if (json_object_array_length(actions) == 0) {
        printf("no actions yet\n");
        table_free(&tab);
    } else
        table_print(&tab, (1u << 1) | (1u << 5) | (1u << 6));
    (void)with_pid;
}

static void print_show(struct json_object *d)
{
    struct json_object *p = get(d, "process");
    char a[32], b[32];
    if (!p) {
        printf("pid %lld: not seen in the last cycle (idle, below the CPU threshold, or gone)\n",
               (long long)gint(d, "pid"));
    } else {
        printf("pid %lld (%s): %s, %s, %.2f CPU\n", (long long)gint(p, "pid"), gstr(p, "comm"),
               gstr(p, "state"), fmt_kib((double)gint(p, "mem_kib"), a, sizeof(a)), gdbl(p, "cpu"));
        if (!isnull(p, "reason") && isnull(p, "decision"))
            printf("reason: %s%s%s\n", gstr(p, "reason"), *gstr(p, "detail") ? ": " : "", gstr(p, "detail"));
        if (!isnull(p, "locality")) {
            printf("locality: %.1f%% (remote %.1f%%, %s), benefit %.1f%s\n", gdbl(p, "locality") * 100,
                   gdbl(p, "remote_fraction") * 100, fmt_kib((double)gint(p, "remote_kib"), a, sizeof(a)),
                   gdbl(p, "benefit"), gbool(p, "sampled") ? ", memory estimated by sampling" : "");
            if (strcmp(gstr(p, "locality_from"), "access") == 0)
                printf("locality from: its threads' memory accesses (%lld kernel NUMA hinting faults); "
                       "by where its pages are: %.1f%%\n", (long long)gint(p, "access_faults"),
                       gdbl(p, "resident_locality") * 100);
            if (gbool(p, "threads_apart"))
                printf("placed: each busy thread bound to a node of its own; locality counts "
                       "each thread's accesses from its node\n");
            if (gbool(p, "shared"))
                printf("placed: sharing a busy node's CPUs, every node being busy; bound where its "
                       "memory is until another node has room\n");
            struct json_object *nk = get(p, "node_kib"), *cs = get(p, "cpu_share");
            if (nk) {
                printf("memory per node:");
                json_object_object_foreach(nk, node, kib)
                    printf(" %s: %s", node, fmt_kib((double)json_object_get_int64(kib), b, sizeof(b)));
                putchar('\n');
            }
            if (cs) {
                printf("CPU time per node:");
                json_object_object_foreach(cs, node, share)
                    printf(" %s: %.0f%%", node, json_object_get_double(share) * 100);
                putchar('\n');
            }
        }
        struct json_object *dec = get(p, "decision");
        if (dec) {
            bool move = strcmp(gstr(dec, "reason"), "move") == 0;
            printf("decision: %s%s (rank %lld)\n", move ? "move to nodes " : "keep: ",
                   move ? gstr(dec, "target") : gstr(dec, "reason"), (long long)gint(p, "rank"));
            printf("why: %s\n", gstr(dec, "why"));
            if (move || !isnull(dec, "target"))
                printf("expected locality %.0f%% -> %.0f%%, %s to migrate%s%s\n",
                       gdbl(dec, "locality_before") * 100, gdbl(dec, "locality_after") * 100,
                       fmt_kib((double)gint(dec, "move_kib"), a, sizeof(a)),
                       !move ? ", on nodes " : "", !move ? gstr(dec, "target") : "");
        }
        if (gbool(p, "acted"))
            printf("action this cycle: %s%s%s, %s moved%s\n", gstr(p, "result"), isnull(p, "error") ? "" : ": ",
                   gstr(p, "error"), fmt_kib((double)gint(p, "moved_kib"), a, sizeof(a)),
                   gbool(p, "partial") ? " (partial: the rest next cycle)" : "");
    }
    if (gbool(d, "runtime_excluded_pid"))
        printf("runtime exclusion: pid %lld (numaplacectl include pid %lld undoes it)\n",
               (long long)gint(d, "pid"), (long long)gint(d, "pid"));
    printf("history:\n");
    print_actions(get(d, "history"), false);
}

static void print_mode(struct json_object *d, const char *what)
{
    printf("%s%s; mode %s%s\n", what, gbool(d, "changed") ? "" : " (no change)", gstr(d, "mode"),
           gbool(d, "changes_real") ? "" : ", changes are not real");
    if (*gstr(d, "note"))
        printf("note: %s\n", gstr(d, "note"));
}

static void print_human(int verb, struct json_object *d)
{
    switch (verb) {
    case NP_VERB_STATUS: print_status(d); break;
    case NP_VERB_LIST: print_list(d); break;
    case NP_VERB_SHOW: print_show(d); break;
    case NP_VERB_HISTORY: print_actions(get(d, "actions"), true); break;
    case NP_VERB_PAUSE: print_mode(d, "placement paused"); break;
    case NP_VERB_RESUME: print_mode(d, "placement resumed"); break;
    case NP_VERB_DRY_RUN: print_mode(d, gbool(d, "dry_run") ? "dry-run on" : "dry-run off"); break;
    case NP_VERB_RELOAD: print_mode(d, "configuration reloaded"); break;
    case NP_VERB_RESCAN: {
        struct json_object *cy = get(d, "cycle");
        printf("cycle done: %.1f ms CPU, %lld scanned, %lld busy, %lld scored, %lld actions\n",
               gdbl(cy, "cpu_ms"), (long long)gint(cy, "scanned"), (long long)gint(cy, "busy"),
               (long long)gint(cy, "scored"), (long long)gint(cy, "actions"));
        break;
    }
    case NP_VERB_EXCLUDE:
    case NP_VERB_INCLUDE: {
        printf("%s %s (%s)\n", gbool(d, "excluded") ? "excluded" : "included again", gstr(d, "what"), gstr(d, "note"));
        struct json_object *pids = get(d, "pids"), *names = get(d, "names");
        printf("runtime exclusions:");
        if (json_object_array_length(pids) + json_object_array_length(names) == 0)
            printf(" none");
        for (size_t i = 0; i < json_object_array_length(pids); i++)
            printf(" pid %lld", (long long)json_object_get_int64(json_object_array_get_idx(pids, i)));
        for (size_t i = 0; i < json_object_array_length(names); i++)
            printf(" name '%s'", json_object_get_string(json_object_array_get_idx(names, i)));
        putchar('\n');
        break;
    }
    case NP_VERB_MOVE:
    case NP_VERB_CANCEL: printf("%s\n", gstr(d, "text")); break;
    case NP_VERB_ADVISE: printf("%s\n", gstr(d, "nodes")); break;
    case NP_VERB_METRICS: fputs(gstr(d, "text"), stdout); break;
    default: break;
    }
}

/* One line per verb, tab-separated: name, alias ("-" for none), "read" or
 * "root", usage. The bash completion reads it, so it follows the table. */
static void print_verbs(void)
{
    for (int v = 0; v < NP_VERB_COUNT; v++) {
        const struct np_verb_def *d = np_verb_def(v);
        char line[160];
        np_verb_usage(d, line, sizeof(line));
        printf("%s\t%s\t%s\t%s\n", d->name, d->alias ? d->alias : "-", d->needs_root ? "root" : "read", line);
    }
    printf("top\t-\tread\t%s\n", TOP_USAGE);   /* the CLI's own: status and list, live */
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"socket", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"verbs", no_argument, NULL, 'V'},
        {0},
    };
    const char *path = getenv("NUMAPLACE_SOCKET");
    bool json = false;
    double timeout = 5;
    int c;
    if (!path || !*path)
        path = DEFAULT_SOCKET;
    /* '+': options end at the verb, so verb arguments like --limit are not ours. */
    while ((c = getopt_long(argc, argv, "+s:jt:h", longopts, NULL)) != -1) {
        switch (c) {
        case 's': path = optarg; break;
        case 'j': json = true; break;
        case 't':
            if (np_parse_double_range(optarg, 0.1, 3600, &timeout) < 0)
                return die_usage("--timeout: '%s' is not a number of seconds in 0.1..3600", optarg);
            break;
        case 'h': usage(stdout); return EXIT_OK;
        case 'V': print_verbs(); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[optind], "top") == 0) {
        struct ctl_conn conn = {.path = path, .timeout = timeout};
        return ctl_top(&conn, argc - optind - 1, argv + optind + 1);
    }
    int verb = np_verb_lookup(argv[optind]);
    if (verb < 0)
        return die_usage("unknown verb '%s'", argv[optind]);
    int vargc = argc - optind - 1;
    char **vargv = argv + optind + 1;
    /* --json after the verb is accepted too. */
    for (int i = 0; i < vargc; i++)
        if (strcmp(vargv[i], "--json") == 0 || strcmp(vargv[i], "-j") == 0) {
            json = true;
            memmove(&vargv[i], &vargv[i + 1], (size_t)(vargc - i - 1) * sizeof(char *));
            vargc--;
            i--;
        }
    struct json_object *args = json_object_new_object();
    char why[256];
    if (!args)
        return EXIT_REFUSED;
    if (np_request_args_from_words(verb, vargc, vargv, args, why, sizeof(why)) < 0) {
        json_object_put(args);
        return die_usage("%s", why);
    }
    int r;
    struct ctl_conn conn = {.path = path, .timeout = timeout};
    struct np_reply reply;
    char err[512];
    r = ctl_call(&conn, verb, args, &reply, err, sizeof(err));
    json_object_put(args);
    if (r) {
        fprintf(stderr, "numaplacectl: %s\n", err);
        return r;
    }
    if (json)
        printf("%s\n", json_object_to_json_string_ext(reply.data, JSON_C_TO_STRING_PRETTY |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    else
        print_human(verb, reply.data);
    np_reply_clear(&reply);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_REFUSED;
}
