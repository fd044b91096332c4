/* control: the control socket server. See control.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "control.h"
#include "log.h"
#include "pace.h"
#include "parse.h"

enum access { ACCESS_NONE = 0, ACCESS_READ, ACCESS_ROOT };

struct client;

struct control {
    struct daemon *d;
    int listen_fd;
    bool socket_activated;
    bool unlink_at_exit;
    char path[108];
    struct event *accept_ev, *accept_retry;
    bool accept_paused;
    struct client *clients;         /* doubly linked, newest first */
    unsigned nclients;
    bool have_group;
    gid_t group_gid;
    struct np_root proc;            /* the live /proc for peer groups (even with --sysroot) */
    uint64_t requests, refused_clients, dropped_clients;
    struct np_log_window client_lines;   /* refusals and drops a client causes */
};

struct client {
    struct client *next, *prev;
    struct control *ctl;
    struct bufferevent *bev;
    struct event *more;             /* continues a pass cut short by CONTROL_REQUESTS_PER_PASS */
    uid_t uid;
    gid_t gid;
    pid_t pid;
    enum access access;
    bool closing;                   /* flush the last reply, then close */
    double last_active;
};

/* Dispatch: verb -> cmd_<fn>, from the one list of verbs. */
static cmd_handler *const handlers[NP_VERB_COUNT] = {
#define VERB(id, fn, ...) [NP_VERB_##id] = cmd_##fn,
#include "verbs.def"
#undef VERB
};

int cmd_fail(struct cmd_result *res, enum np_error code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof(res->message), fmt, ap);
    va_end(ap);
    res->code = code;
    return -1;
}

/* ---- clients ---- */

static void client_free(struct client *c)
{
    struct control *ctl = c->ctl;
    if (c->prev)
        c->prev->next = c->next;
    else
        ctl->clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    ctl->nclients--;
    if (c->more)
        event_free(c->more);
    if (c->bev)
        bufferevent_free(c->bev);
    free(c);
}

static void client_send(struct client *c, char *line, size_t len)
{
    if (!line) {
        size_t n;
        line = np_reply_error(NP_ERR_INTERNAL, "out of memory", &n);
        if (!line) {
            c->closing = true;
            return;
        }
        len = n;
    }
    bufferevent_write(c->bev, line, len);
    free(line);
}

static void client_error(struct client *c, enum np_error code, const char *msg)
{
    size_t len = 0;
    char *line = np_reply_error(code, msg, &len);
    client_send(c, line, len);
}

/* Stops reading and closes once the last reply is out. */
static void client_close_after_reply(struct client *c)
{
    c->closing = true;
    bufferevent_disable(c->bev, EV_READ);
    struct evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_drain(in, evbuffer_get_length(in));
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        client_free(c);
}

static const char *access_refusal(const struct client *c, enum np_verb verb, bool read_only, char *buf,
                                  size_t bufsz)
{
    const struct control *ctl = c->ctl;
    if (c->access == ACCESS_ROOT || (c->access == ACCESS_READ && read_only))
        return NULL;
    if (c->access == ACCESS_READ || !ctl->have_group) {
        snprintf(buf, bufsz, "permission denied: '%s' needs root", np_verb_name(verb));
    } else {
        struct group *gr = getgrgid(ctl->group_gid);
        snprintf(buf, bufsz, "permission denied: '%s' needs root%s%s%s", np_verb_name(verb),
                 read_only ? " or membership in group '" : "",
                 read_only ? (gr ? gr->gr_name : ctl->d->cfg.control.group) : "",
                 read_only ? "'" : "");
    }
    return buf;
}

/* Lines a client makes the daemon log (refusals, drops): at most
 * CONTROL_CLIENT_LINES a CONTROL_CLIENT_LINES_S window, then one line with
 * how many were left out. A group member sending refused verbs in a loop
 * made 1,000 lines in 12 s in the control suite's storm; journald's own
 * rate limit would then have dropped the daemon's other lines. */
static bool client_line_admitted(struct control *ctl)
{
    unsigned long left_out = 0;
    bool admit = np_log_window_admit(&ctl->client_lines, daemon_now(), CONTROL_CLIENT_LINES,
                                     CONTROL_CLIENT_LINES_S, &left_out);
    if (left_out)
        log_notice("control: %lu more refusals or drops were not logged in %.0f s (at most %d a window)",
                   left_out, CONTROL_CLIENT_LINES_S, CONTROL_CLIENT_LINES);
    return admit;
}

/* A mutating request refused (or any request refused for permission),
 * with its event fields: who asked for what, and why not. */
static void log_refusal(const struct client *c, const struct np_request *req, const char *why)
{
    if (!client_line_admitted(c->ctl))
        return;
    struct np_event_fields fields;
    np_refusal_event_fields(&(struct np_refusal){.kind = NP_EVENT_REFUSED,
                                                 .pid = (req->present & NP_ARG_PID) ? req->pid : 0,
                                                 .verb = np_verb_name(req->verb),
                                                 .client_uid = (long)c->uid, .reason = why},
                            &fields);
    log_event(LOG_NOTICE, &fields, "control: '%s' from uid %u (pid %d): refused: %s", np_verb_name(req->verb),
              (unsigned)c->uid, (int)c->pid, why);
}

static void handle_line(struct client *c, const char *line, size_t len)
{
    struct control *ctl = c->ctl;
    struct daemon *d = ctl->d;
    struct np_request req;
    char msg[512];
    ctl->requests++;
    enum np_error e = np_request_decode(line, len, &req, msg, sizeof(msg));
    if (e != NP_ERR_NONE) {
        client_error(c, e, msg);
        return;
    }
    cmd_handler *handler = handlers[req.verb];
    if (!handler) {
        client_error(c, NP_ERR_UNKNOWN_VERB, "verb not implemented");
        return;
    }
    const bool read_only = !np_verb_def(req.verb)->needs_root;
    if (access_refusal(c, req.verb, read_only, msg, sizeof(msg))) {
        log_refusal(c, &req, msg);
        client_error(c, NP_ERR_PERMISSION, msg);
        return;
    }
    struct json_object *data = json_object_new_object();
    struct cmd_result res = {.code = NP_ERR_INTERNAL, .message = "out of memory"};
    int r = data ? handler(d, &req, data, &res) : -1;
    if (!read_only && r == 0)
        log_info("control: '%s' from uid %u (pid %d): done", np_verb_name(req.verb), (unsigned)c->uid,
                 (int)c->pid);
    else if (!read_only)
        log_refusal(c, &req, res.message);
    size_t outlen = 0;
    char *out = r == 0 ? np_reply_ok(data, &outlen) : np_reply_error(res.code, res.message, &outlen);
    json_object_put(data);
    client_send(c, out, outlen);
}

/* Handles up to CONTROL_REQUESTS_PER_PASS complete lines; returns false when
 * C was freed. */
static bool client_process(struct client *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    for (int n = 0; n < CONTROL_REQUESTS_PER_PASS; n++) {
        if (c->closing)
            return true;
        /* Look for '\n' only within the limit, so a huge line costs nothing. */
        struct evbuffer_ptr eol = evbuffer_search_eol(in, NULL, NULL, EVBUFFER_EOL_LF);
        if (eol.pos < 0) {
            if (evbuffer_get_length(in) > NP_MAX_REQUEST_LINE + 1) {
                char msg[96];
                snprintf(msg, sizeof(msg), "request line longer than %d bytes", NP_MAX_REQUEST_LINE);
                client_error(c, NP_ERR_TOO_LARGE, msg);
                client_close_after_reply(c);
                return false;
            }
            return true;
        }
        if ((size_t)eol.pos > NP_MAX_REQUEST_LINE + 1) {
            char msg[96];
            snprintf(msg, sizeof(msg), "request line longer than %d bytes", NP_MAX_REQUEST_LINE);
            client_error(c, NP_ERR_TOO_LARGE, msg);
            client_close_after_reply(c);
            return false;
        }
        size_t len;
        char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF);
        if (!line)
            return true;
        c->last_active = daemon_now();
        handle_line(c, line, len);
        free(line);
        if (evbuffer_get_length(bufferevent_get_output(c->bev)) > CONTROL_MAX_OUTPUT) {
            /* It does not read its replies: no more memory for it. */
            if (client_line_admitted(c->ctl))
                log_warning("control: dropping client pid %d (uid %u): %zu bytes of replies unread",
                            (int)c->pid, (unsigned)c->uid, evbuffer_get_length(bufferevent_get_output(c->bev)));
            c->ctl->dropped_clients++;
            client_free(c);
            return false;
        }
    }
    if (evbuffer_get_length(in) > 0)
        event_active(c->more, EV_TIMEOUT, 0);
    return true;
}

static void on_client_read(struct bufferevent *bev, void *arg)
{
    (void)client_process(arg);
}

static void on_client_more(evutil_socket_t fd, short what, void *arg)
{
    (void)client_process(arg);
}

static void on_client_write(struct bufferevent *bev, void *arg)
{
    struct client *c = arg;
    if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        client_free(c);
}

static void on_client_event(struct bufferevent *bev, short what, void *arg)
{
    struct client *c = arg;
    if (what & BEV_EVENT_TIMEOUT)
        log_debug("control: client pid %d idle for %d s, closing", (int)c->pid, CONTROL_IDLE_TIMEOUT_S);
    /* EOF, error or timeout: a half-closed client still gets its pending
     * replies if it had sent complete lines. */
    if ((what & BEV_EVENT_EOF) && !c->closing) {
        if (!client_process(c))
            return;
        c->closing = true;
        if (evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
            bufferevent_disable(bev, EV_READ);
            return;
        }
    }
    client_free(c);
}

/* Supplementary groups of PID from the live /proc (its real credentials,
 * not /etc/group, so newgrp/setpriv are honoured). */
static bool pid_in_group(struct control *ctl, pid_t pid, gid_t gid)
{
    char rel[64], text[8192];
    snprintf(rel, sizeof(rel), "proc/%d/status", (int)pid);
    if (ctl->proc.dirfd < 0 || np_read_file(&ctl->proc, rel, text, sizeof(text)) < 0)
        return false;
    const char *p = np_find_key(text, "Groups");
    if (!p)
        return false;
    for (int n = 0; n < 65536 && *p && *p != '\n'; n++) {
        np_skip_blanks(&p);
        uint64_t g;
        if (np_scan_u64(&p, &g) < 0)
            break;
        if (g == gid)
            return true;
    }
    return false;
}

static enum access peer_access(struct control *ctl, int fd, struct client *c)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return ACCESS_NONE;
    c->uid = cred.uid;
    c->gid = cred.gid;
    c->pid = cred.pid;
    if (cred.uid == 0)
        return ACCESS_ROOT;
    if (ctl->have_group && (cred.gid == ctl->group_gid || pid_in_group(ctl, cred.pid, ctl->group_gid)))
        return ACCESS_READ;
    return ACCESS_NONE;
}

/* Has C a whole request line waiting (its turn cut short by
 * CONTROL_REQUESTS_PER_PASS)? Half a line is no work for us. */
static bool has_whole_line(const struct client *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    return evbuffer_get_length(in) > 0 && evbuffer_search(in, "\n", 1, NULL).pos >= 0;
}

/* At the cap, the longest idle client (no whole request waiting, no reply
 * unsent) makes room, so a pile of silent connections cannot lock the
 * admin out; when all are busy the newcomer is refused. A client holding
 * half a line counts as idle: 64 of them (a slowloris) refused every
 * newcomer for the 30 s idle timeout. */
static bool evict_idle(struct control *ctl, double now)
{
    struct client *oldest = NULL;
    for (struct client *c = ctl->clients; c; c = c->next) {
        if (c->closing || now - c->last_active < CONTROL_EVICT_IDLE_S || has_whole_line(c) ||
            evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
            continue;
        if (!oldest || c->last_active < oldest->last_active)
            oldest = c;
    }
    if (!oldest)
        return false;
    client_error(oldest, NP_ERR_TOO_MANY_CLIENTS, "too many clients: closing this idle connection");
    client_close_after_reply(oldest);
    return true;
}

static void refuse(int fd)
{
    char msg[96];
    size_t len = 0;
    snprintf(msg, sizeof(msg), "too many clients (at most %d at a time)", CONTROL_MAX_CLIENTS);
    char *line = np_reply_error(NP_ERR_TOO_MANY_CLIENTS, msg, &len);
    if (line) {
        /* A fresh socket's buffer takes this short line without blocking. */
        ssize_t w = send(fd, line, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)w;
        free(line);
    }
    close(fd);
}

static void client_new(struct control *ctl, int fd)
{
    double now = daemon_now();
    if (ctl->nclients >= CONTROL_MAX_CLIENTS && !evict_idle(ctl, now)) {
        ctl->refused_clients++;
        refuse(fd);
        return;
    }
    struct client *c = calloc(1, sizeof(*c));
    if (!c) {
        close(fd);
        return;
    }
    c->ctl = ctl;
    c->last_active = now;
    c->access = peer_access(ctl, fd, c);
    c->bev = bufferevent_socket_new(ctl->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
    c->more = event_new(ctl->d->base, -1, 0, on_client_more, c);
    if (!c->bev || !c->more) {
        if (c->bev)
            bufferevent_free(c->bev);
        else
            close(fd);
        if (c->more)
            event_free(c->more);
        free(c);
        return;
    }
    c->next = ctl->clients;
    if (c->next)
        c->next->prev = c;
    ctl->clients = c;
    ctl->nclients++;
    struct timeval idle = {CONTROL_IDLE_TIMEOUT_S, 0};
    bufferevent_set_timeouts(c->bev, &idle, &idle);
    /* Reading stops just past the line limit: a flood is not buffered. */
    bufferevent_setwatermark(c->bev, EV_READ, 0, NP_MAX_REQUEST_LINE + 2);
    bufferevent_setcb(c->bev, on_client_read, on_client_write, on_client_event, c);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
    struct control *ctl = arg;
    if (event_add(ctl->accept_ev, NULL) < 0) {
        /* Try again in a second rather than stop accepting for good. */
        struct timeval one = {1, 0};
        log_warning("control: cannot watch the socket again; retrying in 1 s");
        if (evtimer_add(ctl->accept_retry, &one) == 0)
            return;
        log_error("control: cannot retry: the control socket stays closed");
    }
    ctl->accept_paused = false;
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
    struct control *ctl = arg;
    for (int n = 0; n < 64; n++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            client_new(ctl, fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            /* Out of descriptors: stop accepting for a second instead of spinning. */
            if (!ctl->accept_paused)
                log_warning("control: accept: %s; pausing new connections for 1 s", strerror(errno));
            ctl->accept_paused = true;
            event_del(ctl->accept_ev);
            struct timeval one = {1, 0};
            if (evtimer_add(ctl->accept_retry, &one) < 0)
                log_error("control: cannot schedule accepting again: the control socket stays closed");
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
            log_warning("control: accept: %s", strerror(errno));
        }
        return;
    }
}

/* ---- the listening socket ---- */

static int open_activated(struct control *ctl)
{
    int n = sd_listen_fds(0);
    if (n <= 0)
        return n;
    for (int fd = SD_LISTEN_FDS_START; fd < SD_LISTEN_FDS_START + n; fd++) {
        if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0) {
            int fl = fcntl(fd, F_GETFL);
            if (fl >= 0)
                (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
            (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
            ctl->listen_fd = fd;
            ctl->socket_activated = true;
            log_info("control socket from systemd (fd %d)", fd);
            return 1;
        }
    }
    log_warning("systemd passed %d sockets, none a listening Unix stream socket", n);
    return 0;
}

/* Is a daemon answering on PATH? Removes a stale socket file. */
static int probe_existing(const char *path, const struct sockaddr_un *sa)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode)) {
        log_error("control socket path %s exists and is not a socket", path);
        return -EEXIST;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
    int err = errno;
    close(fd);
    if (r == 0) {
        log_error("another numaplaced answers on %s: not starting", path);
        return -EADDRINUSE;
    }
    if (err != ECONNREFUSED)
        return -err;
    if (unlink(path) < 0 && errno != ENOENT)
        return -errno;
    log_info("removed stale control socket %s", path);
    return 0;
}

static int make_socket_dir(struct control *ctl, const char *path)
{
    char dir[sizeof(ctl->path)];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    if (mkdir(dir, ctl->have_group ? 0750 : 0700) < 0)
        return errno == EEXIST ? 0 : -errno;   /* an existing directory is the admin's (or systemd's) */
    if (ctl->have_group && chown(dir, 0, ctl->group_gid) < 0)
        log_warning("control: cannot give %s to group %u: %s", dir, (unsigned)ctl->group_gid, strerror(errno));
    return 0;
}

static int open_socket(struct control *ctl, const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (path[0] != '/' || strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int r = probe_existing(path, &sa);
    if (r < 0)
        return r;
    r = make_socket_dir(ctl, path);
    if (r < 0)
        return r;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* The socket is born with its final mode: no window where others may connect. */
    mode_t old = umask(ctl->have_group ? 0117 : 0177);
    r = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
    int err = errno;
    umask(old);
    if (r < 0) {
        close(fd);
        return -err;
    }
    if (ctl->have_group && chown(path, 0, ctl->group_gid) < 0)
        log_warning("control: cannot give %s to group %u: %s", path, (unsigned)ctl->group_gid, strerror(errno));
    if (listen(fd, 128) < 0) {
        err = errno;
        close(fd);
        unlink(path);
        return -err;
    }
    ctl->listen_fd = fd;
    ctl->unlink_at_exit = true;
    return 0;
}

int control_open(struct daemon *d)
{
    struct control *ctl = calloc(1, sizeof(*ctl));
    if (!ctl)
        return log_errno(-ENOMEM, "control socket");
    ctl->d = d;
    ctl->listen_fd = -1;
    np_log_window_init(&ctl->client_lines);
    ctl->proc.dirfd = -1;
    d->control = ctl;
    const char *group = d->cfg.control.group;
    if (group[0]) {
        struct group *gr = getgrnam(group);
        if (gr) {
            ctl->have_group = true;
            ctl->group_gid = gr->gr_gid;
        } else {
            log_notice("control group '%s' does not exist: the control socket is for root only", group);
        }
    }
    const char *path = d->opt.socket_path ? d->opt.socket_path : d->cfg.control.socket;
    snprintf(ctl->path, sizeof(ctl->path), "%s", path);
    if (np_root_open("/", &ctl->proc) < 0)
        ctl->proc.dirfd = -1;
    int r = open_activated(ctl);
    if (r > 0)
        return 0;
    r = open_socket(ctl, path);
    if (r == -EADDRINUSE)
        return r;
    if (r < 0) {
        log_errno(r, "cannot create the control socket %s: running without it", path);
        return 0;
    }
    log_info("control socket %s (%s)", path,
             ctl->have_group ? "root and group members" : "root only");
    return 0;
}

void control_stats(const struct daemon *d, struct control_stats *ret)
{
    const struct control *ctl = d->control;
    *ret = (struct control_stats){0};
    if (!ctl)
        return;
    ret->clients = ctl->nclients;
    ret->requests = ctl->requests;
    ret->refused_clients = ctl->refused_clients;
    ret->dropped_clients = ctl->dropped_clients;
}

int control_start(struct daemon *d)
{
    struct control *ctl = d->control;
    if (!ctl)
        return 0;
    /* A client that hangs up before reading its reply must cost an EPIPE
     * on that connection, not the daemon (bufferevents write with writev). */
    signal(SIGPIPE, SIG_IGN);
    if (ctl->listen_fd >= 0) {
        ctl->accept_ev = event_new(d->base, ctl->listen_fd, EV_READ | EV_PERSIST, on_accept, ctl);
        ctl->accept_retry = evtimer_new(d->base, on_accept_retry, ctl);
        if (!ctl->accept_ev || !ctl->accept_retry)
            return log_errno(-ENOMEM, "control socket events");
        if (event_add(ctl->accept_ev, NULL) < 0)
            return log_errno(-ENOMEM, "cannot watch the control socket");
    }
    return 0;
}

void control_free(struct daemon *d)
{
    struct control *ctl = d->control;
    if (!ctl)
        return;
    while (ctl->clients)
        client_free(ctl->clients);
    if (ctl->accept_ev)
        event_free(ctl->accept_ev);
    if (ctl->accept_retry)
        event_free(ctl->accept_retry);
    if (ctl->listen_fd >= 0 && !ctl->socket_activated) {
        close(ctl->listen_fd);
        if (ctl->unlink_at_exit)
            unlink(ctl->path);
    }
    np_root_close(&ctl->proc);
    free(ctl);
    d->control = NULL;
}
