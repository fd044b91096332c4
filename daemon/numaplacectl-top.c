/* numaplacectl top: a live view of the daemon, like top(1) or numatop:
 * per-node CPU load, free memory and hugepages; memory moves in flight with
 * their progress; the ranked processes with locality, remote memory,
 * state and decision. It asks for `status` and `list` every --delay
 * seconds over the control socket, so it needs only what `list` needs.
 * Plain ANSI escapes (no curses): the frame is built in memory and written
 * at once, each line cleared to its end. Keys: q quits, p pauses or resumes
 * the daemon (root only; the refusal is shown), s changes the sort order.
 * --once prints one frame without escapes, for scripts and tests. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "numaplacectl.h"
#include "parse.h"

enum sort_key { SORT_RANK, SORT_REMOTE, SORT_CPU, SORT_LOCALITY, SORT_COUNT };
static const char *const sort_names[SORT_COUNT] = {"rank", "remote", "cpu", "locality"};

struct frame_input {
    struct json_object *status, *list;   /* reply data, or NULL with ERR */
    const char *err;
    const char *message;                 /* the last key's outcome */
    enum sort_key sort;
    unsigned width, height;              /* 0: unlimited (--once) */
};

static void mib_text(double kib, char *buf, size_t sz)
{
    if (kib >= 1024.0 * 1024.0 * 10)
        snprintf(buf, sz, "%.0fG", kib / (1024.0 * 1024.0));
    else if (kib >= 1024.0 * 1024.0)
        snprintf(buf, sz, "%.1fG", kib / (1024.0 * 1024.0));
    else
        snprintf(buf, sz, "%.0fM", kib / 1024.0);
}

/* Sort value of a process: larger sorts first (rank: smaller first). */
static double sort_value(struct json_object *p, enum sort_key k)
{
    switch (k) {
    case SORT_REMOTE: return (double)gint(p, "remote_kib");
    case SORT_CPU: return gdbl(p, "cpu");
    case SORT_LOCALITY: return get(p, "locality") ? -gdbl(p, "locality") : -2.0;
    case SORT_RANK:
    case SORT_COUNT: break;
    }
    return get(p, "rank") ? -(double)gint(p, "rank") : -1e12;
}

static int by_sort_key(const void *a, const void *b, void *key)
{
    double x = sort_value(*(struct json_object *const *)a, *(const enum sort_key *)key);
    double y = sort_value(*(struct json_object *const *)b, *(const enum sort_key *)key);
    return x < y ? 1 : x > y ? -1 : 0;
}

static void frame_header(FILE *out, const struct frame_input *in)
{
    struct json_object *s = in->status, *tot = get(s, "totals"), *bal = get(s, "numa_balancing");
    struct json_object *last = get(s, "last_cycle");
    char moved[32];
    mib_text((double)gint(tot, "moved_bytes") / 1024.0, moved, sizeof(moved));
    fprintf(out, "numaplaced %s  mode %s  interval %.1f s  balancing %s  last cycle %s%.1f s ago  cycles %lld  moves %lld (%s)\n",
            gstr(s, "version"), gstr(s, "mode"), gdbl(s, "interval_s"), gstr(bal, "state"),
            last ? "" : "never ", last ? gdbl(last, "age_s") : 0.0, (long long)gint(tot, "cycles"),
            (long long)gint(tot, "moves"), moved);
    fprintf(out, "\n%-5s %-10s %11s %17s %15s\n", "NODE", "CPUS", "LOAD", "MEM FREE/TOTAL", "HUGEPAGES FREE");
    struct json_object *nodes = get(s, "nodes");
    for (size_t i = 0; nodes && i < json_object_array_length(nodes); i++) {
        struct json_object *n = json_object_array_get_idx(nodes, i), *huge = get(n, "hugepages");
        char free_s[32], total_s[32], mem[80], load[32], hp[64] = "";
        mib_text((double)gint(n, "mem_free_mib") * 1024.0, free_s, sizeof(free_s));
        mib_text((double)gint(n, "mem_total_mib") * 1024.0, total_s, sizeof(total_s));
        snprintf(mem, sizeof(mem), "%s/%s", free_s, total_s);
        snprintf(load, sizeof(load), "%.2f/%lld", gdbl(n, "cpu_load"), (long long)gint(n, "ncpus"));
        size_t len = 0;
        for (size_t h = 0; huge && h < json_object_array_length(huge) && len < sizeof(hp); h++) {
            struct json_object *e = json_object_array_get_idx(huge, h);
            if (gint(e, "total") == 0)
                continue;
            len += (size_t)snprintf(hp + len, sizeof(hp) - len, "%s%lld/%lld x %lldK", len ? " " : "",
                                    (long long)gint(e, "free"), (long long)gint(e, "total"),
                                    (long long)gint(e, "page_kib"));
        }
        fprintf(out, "%-5lld %-10s %11s %17s %15s\n", (long long)gint(n, "id"), gstr(n, "cpus"), load, mem,
                hp[0] ? hp : "-");
    }
    struct json_object *moves = get(s, "moves_in_flight");
    size_t nmoves = moves ? json_object_array_length(moves) : 0;
    fprintf(out, "\nMOVES IN FLIGHT: %s\n", nmoves ? "" : "none");
    if (nmoves)
        fprintf(out, "%7s %-16s %-13s %17s %8s %8s\n", "PID", "COMM", "FROM -> TO", "DONE/TOTAL MiB", "MB/s", "ELAPSED");
    for (size_t i = 0; i < nmoves; i++) {
        struct json_object *m = json_object_array_get_idx(moves, i);
        char path[48], done[48];
        snprintf(path, sizeof(path), "%s -> %s", gstr(m, "from"), gstr(m, "to"));
        snprintf(done, sizeof(done), "%.0f/%.0f%s", (double)gint(m, "done_bytes") / 1048576.0,
                 (double)gint(m, "total_bytes") / 1048576.0, gbool(m, "cancelling") ? " (cancel)" : "");
        fprintf(out, "%7lld %-16.16s %-13s %17s %8.1f %7.1fs\n", (long long)gint(m, "pid"), gstr(m, "comm"),
                path, done, gdbl(m, "mb_per_s"), gdbl(m, "elapsed_s"));
    }
}

static void frame_processes(FILE *out, const struct frame_input *in, unsigned rows)
{
    struct json_object *procs = get(in->list, "processes");
    size_t n = procs ? json_object_array_length(procs) : 0;
    fprintf(out, "\nPROCESSES: %lld ranked, sorted by %s\n", (long long)gint(in->list, "total"),
            sort_names[in->sort]);
    fprintf(out, "%4s %7s %-16s %6s %7s %9s  %-13s %s\n", "RANK", "PID", "COMM", "CPU", "LOCAL", "REMOTE", "STATE",
            "DECISION");
    struct json_object **order = n ? calloc(n, sizeof(*order)) : NULL;
    if (n && !order) {
        fprintf(out, "(out of memory)\n");
        return;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = json_object_array_get_idx(procs, i);
    enum sort_key key = in->sort;
    if (n)
        qsort_r(order, n, sizeof(*order), by_sort_key, &key);
    for (size_t i = 0; i < n && (rows == 0 || i < rows); i++) {
        struct json_object *p = order[i], *dec = get(p, "decision");
        char rank[16] = "-", local[16] = "-", remote[16] = "-", decision[96];
        if (get(p, "rank"))
            snprintf(rank, sizeof(rank), "%lld", (long long)gint(p, "rank"));
        if (get(p, "locality")) {
            snprintf(local, sizeof(local), "%.1f%%", gdbl(p, "locality") * 100.0);
            mib_text((double)gint(p, "remote_kib"), remote, sizeof(remote));
        }
        if (dec && gstr(dec, "target")[0])
            snprintf(decision, sizeof(decision), "%s -> %s", gstr(dec, "reason"), gstr(dec, "target"));
        else
            snprintf(decision, sizeof(decision), "%s", dec ? gstr(dec, "reason") : gstr(p, "reason"));
        fprintf(out, "%4s %7lld %-16.16s %6.2f %7s %9s  %-13s %s\n", rank, (long long)gint(p, "pid"),
                gstr(p, "comm"), gdbl(p, "cpu"), local, remote, gstr(p, "state"), decision);
    }
    free(order);
}

/* One frame into OUT. In a terminal each line is cut to the width and the
 * process table to the rows left. */
static void frame_write(FILE *out, const struct frame_input *in)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return;
    if (!in->status || !in->list) {
        fprintf(mem, "numaplaced does not answer: %s\n(retrying; q quits)\n", in->err ? in->err : "?");
    } else {
        frame_header(mem, in);
        long used = 0;
        fflush(mem);
        for (size_t i = 0; i < len; i++)
            used += text[i] == '\n';
        long rows = in->height ? (long)in->height - used - 5 : 0;
        frame_processes(mem, in, in->height ? (unsigned)(rows > 1 ? rows : 1) : 0);
    }
    if (in->height)
        fprintf(mem, "\n%s\nq quit  p pause/resume  s sort (%s)", in->message ? in->message : "",
                sort_names[in->sort]);
    if (fclose(mem) != 0) {
        free(text);
        return;
    }
    if (!in->height) {
        fwrite(text, 1, len, out);
    } else {
        /* Home, then each line cut to the width and cleared to its end,
         * then clear below: no flicker, no leftovers of a longer frame. */
        fputs("\033[H", out);
        unsigned line = 0;
        for (char *p = text; *p && line < in->height; line++) {
            char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            fwrite(p, 1, n < in->width ? n : in->width, out);
            fputs("\033[K", out);
            if (!nl)
                break;
            if (line + 1 < in->height)
                fputs("\r\n", out);
            p = nl + 1;
        }
        fputs("\033[J", out);
    }
    fflush(out);
    free(text);
}

/* Asks for status and list; on failure IN->err says why. */
static void fetch(const struct ctl_conn *conn, struct frame_input *in, struct np_reply *status,
                  struct np_reply *list, char *err, size_t errsz)
{
    in->status = in->list = NULL;
    in->err = err;
    if (ctl_call(conn, NP_VERB_STATUS, NULL, status, err, errsz) != EXIT_OK)
        return;
    struct json_object *args = json_object_new_object();
    if (!args) {
        np_reply_clear(status);
        snprintf(err, errsz, "out of memory");
        return;
    }
    json_object_object_add(args, "limit", json_object_new_int64(200));
    int r = ctl_call(conn, NP_VERB_LIST, args, list, err, errsz);
    json_object_put(args);
    if (r != EXIT_OK) {
        np_reply_clear(status);
        return;
    }
    in->status = status->data;
    in->list = list->data;
}

static volatile sig_atomic_t stop_requested, resized;
static void on_stop(int sig) { stop_requested = sig; }
static void on_winch(int sig) { resized = 1; }

static void terminal_size(struct frame_input *in)
{
    struct winsize ws;
    in->width = 80;
    in->height = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        in->width = ws.ws_col;
        in->height = ws.ws_row;
    }
}

/* p: pause or resume, whichever the daemon is not; the outcome in MSG. */
static void toggle_pause(const struct ctl_conn *conn, const struct frame_input *in, char *msg, size_t msgsz)
{
    bool paused = in->status && gbool(in->status, "paused");
    struct np_reply reply;
    char err[256];
    if (ctl_call(conn, paused ? NP_VERB_RESUME : NP_VERB_PAUSE, NULL, &reply, err, sizeof(err)) != EXIT_OK) {
        snprintf(msg, msgsz, "%s", err);
        return;
    }
    np_reply_clear(&reply);
    snprintf(msg, msgsz, "%s", paused ? "resumed: placements are applied again" : "paused: cycles plan but apply nothing");
}

int ctl_top(const struct ctl_conn *conn, int argc, char **argv)
{
    bool once = false;
    double delay = 2.0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0) {
            once = true;
        } else if (strcmp(argv[i], "--delay") == 0 && i + 1 < argc) {
            if (np_parse_double_range(argv[++i], 0.2, 3600, &delay) < 0) {
                fprintf(stderr, "numaplacectl: top: --delay: '%s' is not a number of seconds in 0.2..3600\n", argv[i]);
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "numaplacectl: top: unexpected '%s' (usage: top [--once] [--delay S])\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    struct frame_input in = {.sort = SORT_RANK};
    struct np_reply status, list;
    char err[512] = "", msg[256] = "";
    if (once) {
        fetch(conn, &in, &status, &list, err, sizeof(err));
        if (!in.status) {
            fprintf(stderr, "numaplacectl: %s\n", err);
            return EXIT_NOT_RUNNING;
        }
        frame_write(stdout, &in);
        np_reply_clear(&status);
        np_reply_clear(&list);
        return EXIT_OK;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "numaplacectl: top needs a terminal (top --once prints one frame)\n");
        return EXIT_USAGE;
    }
    struct termios saved, raw;
    if (tcgetattr(STDIN_FILENO, &saved) < 0) {
        fprintf(stderr, "numaplacectl: top: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    struct sigaction sa = {.sa_handler = on_stop};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, NULL);
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    fputs("\033[?1049h\033[?25l", stdout);      /* alternate screen, no cursor */
    bool refetch = true;
    while (!stop_requested) {
        if (refetch) {
            if (in.status) {
                np_reply_clear(&status);
                np_reply_clear(&list);
            }
            fetch(conn, &in, &status, &list, err, sizeof(err));
            refetch = false;
        }
        terminal_size(&in);
        resized = 0;
        in.message = msg;
        frame_write(stdout, &in);
        struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
        int pr = poll(&pfd, 1, (int)(delay * 1000));
        if (pr < 0 && errno != EINTR)
            break;
        if (pr <= 0) {
            refetch = !resized;
            continue;
        }
        char key;
        if (read(STDIN_FILENO, &key, 1) != 1)
            break;      /* the terminal went away */
        if (key == 'q' || key == 'Q')
            break;
        if (key == 's' || key == 'S') {
            in.sort = (enum sort_key)((in.sort + 1) % SORT_COUNT);
            snprintf(msg, sizeof(msg), "sorted by %s", sort_names[in.sort]);
        } else if (key == 'p' || key == 'P') {
            toggle_pause(conn, &in, msg, sizeof(msg));
            refetch = true;
        }
    }
    fputs("\033[?25h\033[?1049l", stdout);
    fflush(stdout);
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (in.status) {
        np_reply_clear(&status);
        np_reply_clear(&list);
    }
    return EXIT_OK;
}
