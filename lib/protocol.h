/* protocol: the control socket's wire format, shared by numaplaced and
 * numaplacectl. Pure functions only (no sockets): decode and validate a
 * request line, encode replies, and the client's side of both. These are
 * what tests/fuzz/fuzz_request.c feeds hostile input to.
 *
 * One JSON object per line, UTF-8, '\n' terminated:
 *   request  {"version":1,"verb":"list","args":{"limit":20}}
 *   reply    {"version":1,"ok":true,"data":{...}}
 *            {"version":1,"ok":false,"error":{"code":"permission-denied","message":"..."}}
 * docs/protocol.md describes every verb, argument, reply field and limit.
 *
 * Bump NP_PROTOCOL_VERSION when this changes incompatibly (a verb's
 * arguments, a reply field's meaning or type, an error code); adding a verb
 * or a reply field is compatible. */
#ifndef NP_PROTOCOL_H
#define NP_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "bitset.h"
#include "config.h"

#define NP_PROTOCOL_VERSION   1
#define NP_MAX_REQUEST_LINE   (64 * 1024)   /* bytes, without the '\n' */
#define NP_MAX_JSON_DEPTH     8             /* requests are flat: {"args":{...}} */
#define NP_MAX_NODES_ARG      256           /* "nodes" string length */
#define NP_MAX_PID_ARG        4194304       /* PID_MAX_LIMIT */

/* The verbs, from lib/verbs.def (the one list of them). */
enum np_verb {
#define VERB(id, ...) NP_VERB_##id,
#include "verbs.def"
#undef VERB
    NP_VERB_COUNT
};
const char *np_verb_name(enum np_verb v);          /* "status", "dry-run", ... */
/* Verb by name (aliases included). -ENOENT when unknown. */
int np_verb_lookup(const char *name);

/* Error codes of a reply ("code" field). */
enum np_error {
    NP_ERR_NONE = 0,
    NP_ERR_BAD_JSON,            /* "bad-json": not one valid UTF-8 JSON object */
    NP_ERR_TOO_LARGE,           /* "too-large": line over NP_MAX_REQUEST_LINE */
    NP_ERR_BAD_VERSION,         /* "unsupported-version" */
    NP_ERR_BAD_REQUEST,         /* "bad-request": missing/mistyped version, verb or args */
    NP_ERR_UNKNOWN_VERB,        /* "unknown-verb" */
    NP_ERR_BAD_ARGS,            /* "bad-arguments": unknown, missing or mistyped argument */
    NP_ERR_PERMISSION,          /* "permission-denied" */
    NP_ERR_NOT_FOUND,           /* "not-found": no such process / exclusion */
    NP_ERR_EXISTS,              /* "exists": already excluded */
    NP_ERR_REFUSED,             /* "refused": the engine said no (excluded, pinned, paused) */
    NP_ERR_FAILED,              /* "failed": the action or reload failed */
    NP_ERR_TOO_MANY_CLIENTS,    /* "too-many-clients" */
    NP_ERR_INTERNAL,            /* "internal": out of memory and such */
    NP_ERR_COUNT
};
const char *np_error_name(enum np_error e);
/* Error by name, NP_ERR_COUNT when unknown (a newer daemon). */
enum np_error np_error_lookup(const char *name);

/* Arguments, as a bit mask of what a request carried. */
enum np_arg {
    NP_ARG_PID    = 1u << 0,   /* int 1..NP_MAX_PID_ARG */
    NP_ARG_NAME   = 1u << 1,   /* string, 1..NP_MAX_PATTERN-1 bytes, a comm glob */
    NP_ARG_NODES  = 1u << 2,   /* string, node list "0-1,3" */
    NP_ARG_NCPUS  = 1u << 3,   /* int 1..NP_MAX_CPUS */
    NP_ARG_MB     = 1u << 4,   /* int 0..2^40 */
    NP_ARG_ENABLE = 1u << 5,   /* bool */
    NP_ARG_LIMIT  = 1u << 6,   /* int 1..100000 */
    NP_ARG_ALL    = 1u << 7,   /* bool */
    NP_ARG_FORCE  = 1u << 8,   /* bool */
};

struct np_request {
    enum np_verb verb;
    unsigned present;                  /* NP_ARG_* bits */
    int pid;
    char name[NP_MAX_PATTERN];
    struct np_nodeset nodes;           /* parsed NP_ARG_NODES */
    unsigned ncpus;
    uint64_t mb;
    bool enable;
    unsigned limit;
    bool all;
    bool force;
};

/* A verb as lib/verbs.def describes it: its command line words, which
 * are also its request's arguments, and who may use it. */
enum np_word_kind {
    NP_WORD_END = 0,
    NP_WORD_FLAG,           /* --x: bool ARG true */
    NP_WORD_OPTION,         /* --x VALUE */
    NP_WORD_VALUE,          /* a required positional VALUE */
    NP_WORD_ON_OFF,         /* required on|off: bool ARG */
    NP_WORD_PID_OR_NAME,    /* pid PID | name GLOB | PID | GLOB */
    NP_WORD_CPUS_MB,        /* NCPUS[:MB] */
};
struct np_verb_word {
    enum np_word_kind kind;
    unsigned arg;           /* NP_ARG_* it sets (FLAG, OPTION, VALUE, ON_OFF) */
    const char *flag;       /* "--limit" (FLAG, OPTION) */
    const char *metavar;    /* "N", "PID" (OPTION, VALUE) */
};
#define NP_VERB_MAX_WORDS 4
struct np_verb_def {
    const char *name, *alias, *summary;
    bool needs_root;        /* else root or the control group */
    struct np_verb_word words[NP_VERB_MAX_WORDS];
};
const struct np_verb_def *np_verb_def(enum np_verb v);   /* NULL when out of range */
/* Arguments a request may carry, must carry, and of which exactly one. */
unsigned np_verb_allowed_args(const struct np_verb_def *d);
unsigned np_verb_required_args(const struct np_verb_def *d);
unsigned np_verb_one_of_args(const struct np_verb_def *d);
/* "list [--all] [--limit N]" into BUF. */
void np_verb_usage(const struct np_verb_def *d, char *buf, size_t bufsz);
/* Builds a request's ARGS from the ARGC words after verb V on a command
 * line, by V's words. 0, or -EINVAL with a one-line explanation in MSG. */
int np_request_args_from_words(enum np_verb v, int argc, char **argv, struct json_object *args,
                               char *msg, size_t msgsz);

/* Decodes and validates one request LINE of LEN bytes (no '\n'; a trailing
 * '\r' is tolerated). On success returns 0 and fills RET. On failure returns
 * the error kind (> 0) and writes a one-line explanation into MSG; RET is
 * then unspecified. Never allocates beyond json-c's parse of at most
 * NP_MAX_REQUEST_LINE bytes. */
enum np_error np_request_decode(const char *line, size_t len, struct np_request *ret,
                                char *msg, size_t msgsz);

/* Encodes a reply line ("...\n", NUL-terminated, malloc'd; *RET_LEN gets its
 * length without the NUL). DATA may be NULL (an empty object). NULL on
 * out-of-memory. The caller keeps its reference to DATA. */
char *np_reply_ok(struct json_object *data, size_t *ret_len);
char *np_reply_error(enum np_error code, const char *message, size_t *ret_len);

/* Client side: a request line for VERB (ARGS may be NULL; the caller keeps
 * its reference). malloc'd, NULL on out-of-memory. */
char *np_request_encode(const char *verb, struct json_object *args, size_t *ret_len);

struct np_reply {
    bool ok;
    struct json_object *data;          /* owned: np_reply_clear() */
    char code[32];                     /* error code name when !ok */
    char message[1024];
};
/* Decodes a reply line. 0, or -EINVAL (MSG says what is wrong) / -EPROTO
 * (another protocol version) / -ENOMEM. */
int np_reply_decode(const char *line, size_t len, struct np_reply *ret, char *msg, size_t msgsz);
void np_reply_clear(struct np_reply *r);

/* Copies S into OUT replacing bytes that are not valid UTF-8 (and control
 * characters other than tab) with '?', so comms and paths from /proc can be
 * put in JSON replies. Always NUL-terminates (when OUTSZ > 0). */
void np_utf8_sanitize(const char *s, char *out, size_t outsz);
/* A json string from S, sanitized. NULL on out-of-memory. */
struct json_object *np_json_string(const char *s);

#endif
