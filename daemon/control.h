/* control: numaplaced's control socket (numaplacectl's other end) and the
 * verbs' handlers (daemon/cmd-*.c). The HTTP /metrics listener is
 * daemon/metrics-http.c.
 *
 * A Unix stream socket speaking lib/protocol.h: one JSON request per line,
 * one reply per request. Peer credentials decide what a client may do:
 * root everything, members of control.group the read-only verbs. Every
 * client is a non-blocking bufferevent with limits (line size, clients,
 * idle time, unread output), so no client can stall the placement cycle.
 * The verbs live in daemon/cmd-*.c, dispatched from lib/verbs.def. */
#ifndef NP_DAEMON_CONTROL_H
#define NP_DAEMON_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <json-c/json.h>
#include "daemon.h"
#include "protocol.h"

#define CONTROL_MAX_CLIENTS       64
#define CONTROL_IDLE_TIMEOUT_S    30
#define CONTROL_MAX_OUTPUT        (4 * 1024 * 1024)  /* unread reply bytes before a drop */
#define CONTROL_REQUESTS_PER_PASS 32                 /* then other clients get a turn */
#define CONTROL_EVICT_IDLE_S      1.0                /* at the cap, an idle client this old makes room */
#define CONTROL_CLIENT_LINES      20                 /* refusal/drop log lines a window ... */
#define CONTROL_CLIENT_LINES_S    10.0               /* ... of this many seconds */

/* What `status` reports about the socket. */
struct control_stats {
    unsigned clients;
    uint64_t requests, refused_clients, dropped_clients;
};
void control_stats(const struct daemon *d, struct control_stats *ret);

struct cmd_result {
    enum np_error code;
    char message[1024];
};

/* A verb's handler fills DATA (an empty object) and returns 0, or returns -1
 * with RES holding the error. */
typedef int cmd_handler(struct daemon *d, const struct np_request *req,
                        struct json_object *data, struct cmd_result *res);


/* Creates (or takes from systemd) the listening socket; run before
 * detaching so "another instance answers" is a start-up error.
 * -EADDRINUSE when a live daemon answers on the path; other errors are
 * logged and leave the daemon without a control socket (returns 0). */
int control_open(struct daemon *d);
/* Registers the socket with d->base. 0 or -errno. */
int control_start(struct daemon *d);
void control_free(struct daemon *d);

int cmd_fail(struct cmd_result *res, enum np_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One handler per verb of lib/verbs.def, in daemon/cmd-*.c. */
#define VERB(id, fn, ...) cmd_handler cmd_##fn;
#include "verbs.def"
#undef VERB

/* Shared by the verbs. */
const char *cmd_mode_name(const struct daemon *d);    /* "active", "dry-run", "paused" */
/* "0-1,3" for node ids. */
void cmd_format_nodes(const struct np_nodeset *s, char *buf, size_t bufsz);
/* The state word `list` shows for V ("managed", "cooling-down", "excluded", ...). */
const char *cmd_view_state(const struct np_proc_view *v);
/* A process view as JSON (one element of `list`, the heart of `show`). */
struct json_object *cmd_view_json(const struct daemon *d, const struct np_proc_view *v);
struct json_object *cmd_action_json(const struct np_action *a);
/* The last cycle's cost and counts, or NULL before the first cycle. */
struct json_object *cmd_cycle_json(const struct daemon *d);
/* Advise reservations held now (they expire), and their end at exit. */
size_t cmd_advise_reservations(struct daemon *d);
void cmd_advise_free(struct daemon *d);
/* OpenMetrics text (malloc'd) for `metrics` and GET /metrics. */
char *cmd_metrics_text(struct daemon *d, size_t *ret_len);

/* Adds V (NULL is JSON null) under KEY. An O that failed to allocate takes
 * nothing and V is freed: json-c asserts on a NULL object, and a reply with
 * a null in it beats a daemon aborted by a full heap. */
static inline void jset(struct json_object *o, const char *key, struct json_object *v)
{
    if (!o || json_object_object_add(o, key, v) < 0)
        json_object_put(v);
}
static inline struct json_object *jint(int64_t v) { return json_object_new_int64(v); }
/* A number rounded to 4 decimals ("0.9993", "3039.5", "2.0"): ratios,
 * times and rates, never 3.0219676750002691. Non-finite: null. */
struct json_object *jdbl(double v);
static inline struct json_object *jbool(bool v) { return json_object_new_boolean(v); }
static inline struct json_object *jstr(const char *s) { return np_json_string(s); }

#endif
