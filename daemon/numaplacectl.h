/* numaplacectl's parts: the one-shot verbs (numaplacectl.c) and the live
 * view (numaplacectl-top.c) share the call to the daemon and the readers of
 * its JSON replies. */
#ifndef NP_NUMAPLACECTL_H
#define NP_NUMAPLACECTL_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "protocol.h"

enum exit_code {
    EXIT_OK = 0,
    EXIT_REFUSED = 1,       /* the daemon said no */
    EXIT_USAGE = 2,         /* bad arguments */
    EXIT_NOT_RUNNING = 3,   /* cannot connect / no answer */
    EXIT_PERMISSION = 4,    /* permission denied */
};

struct ctl_conn {
    const char *path;
    double timeout;
};
/* One request and its reply (RET, cleared with np_reply_clear, is set only
 * on EXIT_OK). Returns an exit code; on failure ERR says why (the daemon's
 * refusal as "verb: message"), nothing is printed. */
int ctl_call(const struct ctl_conn *conn, enum np_verb verb, struct json_object *args, struct np_reply *ret,
             char *err, size_t errsz);

/* `numaplacectl top`: the live view. Returns an exit code. */
#define TOP_USAGE "top [--once] [--delay S]"
int ctl_top(const struct ctl_conn *conn, int argc, char **argv);

/* Readers of reply data: a missing or mistyped key reads as 0 / "" / NULL. */
static inline struct json_object *get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;
    if (o && json_object_object_get_ex(o, key, &v))
        return v;
    return NULL;
}
static inline int64_t gint(struct json_object *o, const char *key) { return json_object_get_int64(get(o, key)); }
static inline double gdbl(struct json_object *o, const char *key) { return json_object_get_double(get(o, key)); }
static inline bool gbool(struct json_object *o, const char *key) { return json_object_get_boolean(get(o, key)); }
static inline const char *gstr(struct json_object *o, const char *key)
{
    struct json_object *v = get(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}
static inline bool isnull(struct json_object *o, const char *key) { return get(o, key) == NULL; }


#endif
