/* protocol: see protocol.h. Validation is table-driven: each verb lists the
 * arguments it allows and needs, each argument its JSON type and range. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocol.h"
#include "advise.h"
#include "parse.h"

#define READ false
#define ROOT true
#define FLAG(a, f) {NP_WORD_FLAG, NP_ARG_##a, f, NULL}
#define OPTION(a, f, m) {NP_WORD_OPTION, NP_ARG_##a, f, m}
#define VALUE(a, m) {NP_WORD_VALUE, NP_ARG_##a, NULL, m}
#define ON_OFF(a) {NP_WORD_ON_OFF, NP_ARG_##a, NULL, NULL}
#define PID_OR_NAME() {NP_WORD_PID_OR_NAME, NP_ARG_PID | NP_ARG_NAME, NULL, NULL}
#define CPUS_MB() {NP_WORD_CPUS_MB, NP_ARG_NCPUS | NP_ARG_MB, NULL, NULL}
#define VERB(id, fn, name, alias, access, summary, ...) \
    [NP_VERB_##id] = {name, alias, summary, access, {__VA_ARGS__}},
static const struct np_verb_def verbs[NP_VERB_COUNT] = {
#include "verbs.def"
};
#undef VERB
#undef CPUS_MB
#undef PID_OR_NAME
#undef ON_OFF
#undef VALUE
#undef OPTION
#undef FLAG
#undef ROOT
#undef READ

/* A "nodes" argument: a kernel node list naming at least one node. The
 * daemon's decoder and the CLI's words check it here alike. */
static int parse_node_list(const char *s, struct np_nodeset *ret)
{
    np_nodeset_zero(ret);
    return np_bits_parse_list(NP_NODES(ret), s) < 0 || np_nodeset_count(ret) == 0 ? -EINVAL : 0;
}

enum arg_type { ARG_INT, ARG_STRING, ARG_BOOL };

struct arg_spec {
    const char *name;
    unsigned bit;
    enum arg_type type;
    int64_t min, max;           /* value for ints, byte length for strings */
};

static const struct arg_spec args[] = {
    {"pid", NP_ARG_PID, ARG_INT, 1, NP_MAX_PID_ARG},
    {"name", NP_ARG_NAME, ARG_STRING, 1, NP_MAX_PATTERN - 1},
    {"nodes", NP_ARG_NODES, ARG_STRING, 1, NP_MAX_NODES_ARG - 1},
    {"ncpus", NP_ARG_NCPUS, ARG_INT, 1, NP_MAX_CPUS},
    {"mb", NP_ARG_MB, ARG_INT, 0, (int64_t)1 << 40},
    {"enable", NP_ARG_ENABLE, ARG_BOOL, 0, 1},
    {"limit", NP_ARG_LIMIT, ARG_INT, 1, 100000},
    {"all", NP_ARG_ALL, ARG_BOOL, 0, 1},
    {"force", NP_ARG_FORCE, ARG_BOOL, 0, 1},
};
#define NARGS (sizeof(args) / sizeof(args[0]))

static const char *const error_names[NP_ERR_COUNT] = {
    [NP_ERR_NONE] = "none",
    [NP_ERR_BAD_JSON] = "bad-json",
    [NP_ERR_TOO_LARGE] = "too-large",
    [NP_ERR_BAD_VERSION] = "unsupported-version",
    [NP_ERR_BAD_REQUEST] = "bad-request",
    [NP_ERR_UNKNOWN_VERB] = "unknown-verb",
    [NP_ERR_BAD_ARGS] = "bad-arguments",
    [NP_ERR_PERMISSION] = "permission-denied",
    [NP_ERR_NOT_FOUND] = "not-found",
    [NP_ERR_EXISTS] = "exists",
    [NP_ERR_REFUSED] = "refused",
    [NP_ERR_FAILED] = "failed",
    [NP_ERR_TOO_MANY_CLIENTS] = "too-many-clients",
    [NP_ERR_INTERNAL] = "internal",
};

const char *np_verb_name(enum np_verb v)
{
    return (unsigned)v < NP_VERB_COUNT ? verbs[v].name : "?";
}

int np_verb_lookup(const char *name)
{
    if (!name)
        return -ENOENT;
    for (int v = 0; v < NP_VERB_COUNT; v++)
        if (strcmp(verbs[v].name, name) == 0 || (verbs[v].alias && strcmp(verbs[v].alias, name) == 0))
            return v;
    return -ENOENT;
}

const struct np_verb_def *np_verb_def(enum np_verb v)
{
    return (unsigned)v < NP_VERB_COUNT ? &verbs[v] : NULL;
}

unsigned np_verb_allowed_args(const struct np_verb_def *d)
{
    unsigned bits = 0;
    for (size_t i = 0; i < NP_VERB_MAX_WORDS && d->words[i].kind != NP_WORD_END; i++)
        bits |= d->words[i].arg;
    return bits;
}

unsigned np_verb_required_args(const struct np_verb_def *d)
{
    unsigned bits = 0;
    for (size_t i = 0; i < NP_VERB_MAX_WORDS && d->words[i].kind != NP_WORD_END; i++)
        if (d->words[i].kind == NP_WORD_VALUE || d->words[i].kind == NP_WORD_ON_OFF)
            bits |= d->words[i].arg;
        else if (d->words[i].kind == NP_WORD_CPUS_MB)
            bits |= NP_ARG_NCPUS;
    return bits;
}

unsigned np_verb_one_of_args(const struct np_verb_def *d)
{
    for (size_t i = 0; i < NP_VERB_MAX_WORDS && d->words[i].kind != NP_WORD_END; i++)
        if (d->words[i].kind == NP_WORD_PID_OR_NAME)
            return d->words[i].arg;
    return 0;
}

void np_verb_usage(const struct np_verb_def *d, char *buf, size_t bufsz)
{
    size_t n = (size_t)snprintf(buf, bufsz, "%s", d->name);
    for (size_t i = 0; i < NP_VERB_MAX_WORDS && d->words[i].kind != NP_WORD_END && n < bufsz; i++) {
        const struct np_verb_word *w = &d->words[i];
        switch (w->kind) {
        case NP_WORD_FLAG: n += (size_t)snprintf(buf + n, bufsz - n, " [%s]", w->flag); break;
        case NP_WORD_OPTION: n += (size_t)snprintf(buf + n, bufsz - n, " [%s %s]", w->flag, w->metavar); break;
        case NP_WORD_VALUE: n += (size_t)snprintf(buf + n, bufsz - n, " %s", w->metavar); break;
        case NP_WORD_ON_OFF: n += (size_t)snprintf(buf + n, bufsz - n, " on|off"); break;
        case NP_WORD_PID_OR_NAME: n += (size_t)snprintf(buf + n, bufsz - n, " pid PID | name GLOB"); break;
        case NP_WORD_CPUS_MB: n += (size_t)snprintf(buf + n, bufsz - n, " NCPUS[:MB]"); break;
        case NP_WORD_END: break;
        }
    }
}

/* ---- requests from a command line, by the verb's words ---- */

static int cli_fail(char *msg, size_t msgsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cli_fail(char *msg, size_t msgsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, msgsz, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static const struct arg_spec *arg_of_bit(unsigned bit)
{
    for (size_t i = 0; i < NARGS; i++)
        if (args[i].bit == bit)
            return &args[i];
    return NULL;
}

/* VALUE (shown to the user as WHAT) for argument BIT, checked against the
 * argument's own type and range, so the CLI refuses what the daemon would. */
static int add_value(unsigned bit, const char *what, const char *value, struct json_object *jargs,
                     char *msg, size_t msgsz)
{
    const struct arg_spec *a = arg_of_bit(bit);
    if (!a)
        return cli_fail(msg, msgsz, "%s: no such argument", what);
    if (a->type == ARG_INT) {
        long n;
        if (np_parse_long_range(value, (long)a->min, (long)a->max, &n) < 0)
            return cli_fail(msg, msgsz, "%s: '%s' is not a number in %lld..%lld", what, value,
                            (long long)a->min, (long long)a->max);
        json_object_object_add(jargs, a->name, json_object_new_int64(n));
        return 0;
    }
    size_t len = strlen(value);
    if ((int64_t)len < a->min || (int64_t)len > a->max)
        return cli_fail(msg, msgsz, "%s: 1..%lld bytes", what, (long long)a->max);
    struct np_nodeset nodes;
    if (bit == NP_ARG_NODES && parse_node_list(value, &nodes) < 0)
        return cli_fail(msg, msgsz, "%s: '%s' is not a node list like 0-1,3", what, value);
    json_object_object_add(jargs, a->name, json_object_new_string(value));
    return 0;
}

/* The positional word W takes ARGV[*I] (and maybe the word after it). */
static int take_positional(const struct np_verb_def *d, const struct np_verb_word *w, int argc, char **argv,
                           int *i, struct json_object *jargs, char *msg, size_t msgsz)
{
    const char *word = argv[*i];
    long n;
    switch (w->kind) {
    case NP_WORD_VALUE:
        return add_value(w->arg, w->metavar, word, jargs, msg, msgsz);
    case NP_WORD_ON_OFF:
        if (strcmp(word, "on") != 0 && strcmp(word, "off") != 0)
            return cli_fail(msg, msgsz, "%s needs 'on' or 'off'", d->name);
        json_object_object_add(jargs, arg_of_bit(w->arg)->name, json_object_new_boolean(strcmp(word, "on") == 0));
        return 0;
    case NP_WORD_PID_OR_NAME:
        if ((strcmp(word, "pid") == 0 || strcmp(word, "name") == 0) && *i + 1 < argc) {
            bool pid = word[0] == 'p';
            ++*i;
            return add_value(pid ? NP_ARG_PID : NP_ARG_NAME, pid ? "PID" : "name", argv[*i], jargs, msg, msgsz);
        }
        if (*i + 1 < argc)
            return cli_fail(msg, msgsz, "%s: '%s' is neither 'pid' nor 'name'", d->name, word);
        if (np_parse_long_range(word, 1, NP_MAX_PID_ARG, &n) == 0)
            return add_value(NP_ARG_PID, "PID", word, jargs, msg, msgsz);
        return add_value(NP_ARG_NAME, "name", word, jargs, msg, msgsz);
    case NP_WORD_CPUS_MB: {
        unsigned ncpus;
        uint64_t mb;
        if (np_advise_parse(word, &ncpus, &mb) < 0)
            return cli_fail(msg, msgsz, "%s needs NCPUS[:MB], e.g. 4:2048", d->name);
        json_object_object_add(jargs, "ncpus", json_object_new_int64(ncpus));
        if (strchr(word, ':'))
            json_object_object_add(jargs, "mb", json_object_new_int64((int64_t)mb));
        return 0;
    }
    default:
        return cli_fail(msg, msgsz, "%s: unexpected '%s'", d->name, word);
    }
}

static bool positional(enum np_word_kind k)
{
    return k != NP_WORD_FLAG && k != NP_WORD_OPTION && k != NP_WORD_END;
}

int np_request_args_from_words(enum np_verb v, int argc, char **argv, struct json_object *jargs,
                               char *msg, size_t msgsz)
{
    const struct np_verb_def *d = np_verb_def(v);
    if (!d)
        return cli_fail(msg, msgsz, "unknown verb");
    size_t next = 0;    /* the next positional word */
    for (int i = 0; i < argc; i++) {
        const struct np_verb_word *opt = NULL;
        for (size_t k = 0; k < NP_VERB_MAX_WORDS && d->words[k].kind != NP_WORD_END; k++)
            if (d->words[k].flag && strcmp(d->words[k].flag, argv[i]) == 0)
                opt = &d->words[k];
        if (opt && opt->kind == NP_WORD_FLAG) {
            json_object_object_add(jargs, arg_of_bit(opt->arg)->name, json_object_new_boolean(1));
            continue;
        }
        if (opt) {
            if (i + 1 >= argc)
                return cli_fail(msg, msgsz, "%s: %s needs %s", d->name, opt->flag, opt->metavar);
            if (add_value(opt->arg, opt->flag, argv[++i], jargs, msg, msgsz) < 0)
                return -EINVAL;
            continue;
        }
        while (next < NP_VERB_MAX_WORDS && d->words[next].kind != NP_WORD_END && !positional(d->words[next].kind))
            next++;
        if (next >= NP_VERB_MAX_WORDS || d->words[next].kind == NP_WORD_END) {
            if (np_verb_allowed_args(d) == 0)
                return cli_fail(msg, msgsz, "%s takes no arguments", d->name);
            return cli_fail(msg, msgsz, "%s: unexpected '%s'", d->name, argv[i]);
        }
        if (take_positional(d, &d->words[next++], argc, argv, &i, jargs, msg, msgsz) < 0)
            return -EINVAL;
    }
    for (; next < NP_VERB_MAX_WORDS && d->words[next].kind != NP_WORD_END; next++) {
        if (!positional(d->words[next].kind))
            continue;
        char usage[160];
        np_verb_usage(d, usage, sizeof(usage));
        return cli_fail(msg, msgsz, "%s needs %s (usage: %s)", d->name,
                        d->words[next].kind == NP_WORD_VALUE ? d->words[next].metavar
                        : d->words[next].kind == NP_WORD_ON_OFF ? "'on' or 'off'"
                        : d->words[next].kind == NP_WORD_PID_OR_NAME ? "'pid PID' or 'name GLOB'"
                                                                      : "NCPUS[:MB]",
                        usage);
    }
    return 0;
}

const char *np_error_name(enum np_error e)
{
    return (unsigned)e < NP_ERR_COUNT ? error_names[e] : "internal";
}

enum np_error np_error_lookup(const char *name)
{
    for (int e = 0; e < NP_ERR_COUNT; e++)
        if (name && strcmp(error_names[e], name) == 0)
            return (enum np_error)e;
    return NP_ERR_COUNT;
}

/* Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static bool utf8_valid(const char *s, size_t len, size_t *bad_at)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len(p + i, len - i);
        if (n == 0 || (n == 1 && p[i] == 0)) {
            *bad_at = i;
            return false;
        }
        i += n;
    }
    return true;
}

void np_utf8_sanitize(const char *s, char *out, size_t outsz)
{
    if (outsz == 0)
        return;
    size_t len = s ? strlen(s) : 0, o = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len(p + i, len - i);
        if (n == 0 || (n == 1 && p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
            if (o + 1 >= outsz)
                break;
            out[o++] = '?';
            i++;
            continue;
        }
        if (o + n >= outsz)
            break;
        memcpy(out + o, p + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
}

struct json_object *np_json_string(const char *s)
{
    char buf[1024];
    np_utf8_sanitize(s ? s : "", buf, sizeof(buf));
    return json_object_new_string(buf);
}

static enum np_error fail(enum np_error e, char *msg, size_t msgsz, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static enum np_error fail(enum np_error e, char *msg, size_t msgsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (msgsz)
        vsnprintf(msg, msgsz, fmt, ap);
    va_end(ap);
    return e;
}

static const char *type_name(enum arg_type t)
{
    return t == ARG_INT ? "an integer" : t == ARG_STRING ? "a string" : "true or false";
}

static enum np_error decode_arg(const struct arg_spec *a, struct json_object *val,
                                struct np_request *ret, char *msg, size_t msgsz)
{
    const char *verb = np_verb_name(ret->verb);
    switch (a->type) {
    case ARG_INT: {
        if (!json_object_is_type(val, json_type_int))
            return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: '%s' must be %s", verb, a->name,
                        type_name(a->type));
        /* json-c clamps out-of-range literals to INT64_MIN/MAX: caught below. */
        int64_t v = json_object_get_int64(val);
        if (v < a->min || v > a->max)
            return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: '%s' must be in %lld..%lld", verb,
                        a->name, (long long)a->min, (long long)a->max);
        switch (a->bit) {
        case NP_ARG_PID: ret->pid = (int)v; break;
        case NP_ARG_NCPUS: ret->ncpus = (unsigned)v; break;
        case NP_ARG_MB: ret->mb = (uint64_t)v; break;
        case NP_ARG_LIMIT: ret->limit = (unsigned)v; break;
        default: break;
        }
        return NP_ERR_NONE;
    }
    case ARG_BOOL:
        if (!json_object_is_type(val, json_type_boolean))
            return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: '%s' must be %s", verb, a->name,
                        type_name(a->type));
        if (a->bit == NP_ARG_ENABLE)
            ret->enable = json_object_get_boolean(val);
        else if (a->bit == NP_ARG_FORCE)
            ret->force = json_object_get_boolean(val);
        else
            ret->all = json_object_get_boolean(val);
        return NP_ERR_NONE;
    case ARG_STRING: {
        if (!json_object_is_type(val, json_type_string))
            return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: '%s' must be %s", verb, a->name,
                        type_name(a->type));
        const char *s = json_object_get_string(val);
        size_t len = (size_t)json_object_get_string_len(val);
        if (strlen(s) != len)
            return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: '%s' contains a NUL character", verb, a->name);
        if ((int64_t)len < a->min || (int64_t)len > a->max)
            return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: '%s' must be %lld..%lld bytes long", verb,
                        a->name, (long long)a->min, (long long)a->max);
        if (a->bit == NP_ARG_NAME) {
            memcpy(ret->name, s, len + 1);
        } else {
            if (parse_node_list(s, &ret->nodes) < 0)
                return fail(NP_ERR_BAD_ARGS, msg, msgsz,
                            "%s: 'nodes' must be a node list like \"0-1,3\" with ids below %d", verb,
                            NP_MAX_NODES);
        }
        return NP_ERR_NONE;
    }
    }
    return NP_ERR_INTERNAL;
}

static enum np_error decode_args(struct json_object *jargs, struct np_request *ret, char *msg,
                                 size_t msgsz)
{
    const struct np_verb_def *vs = &verbs[ret->verb];
    const unsigned allowed = np_verb_allowed_args(vs), required = np_verb_required_args(vs),
                   one_of = np_verb_one_of_args(vs);
    if (jargs) {
        json_object_object_foreach(jargs, key, val) {
            const struct arg_spec *a = NULL;
            for (size_t i = 0; i < NARGS; i++)
                if (strcmp(args[i].name, key) == 0)
                    a = &args[i];
            if (!a || !(allowed & a->bit)) {
                char shown[64];
                np_utf8_sanitize(key, shown, sizeof(shown));
                return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: unknown argument '%s'", vs->name, shown);
            }
            enum np_error e = decode_arg(a, val, ret, msg, msgsz);
            if (e != NP_ERR_NONE)
                return e;
            ret->present |= a->bit;
        }
    }
    for (size_t i = 0; i < NARGS; i++)
        if ((required & args[i].bit) && !(ret->present & args[i].bit))
            return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: missing argument '%s'", vs->name,
                        args[i].name);
    if (one_of) {
        unsigned got = ret->present & one_of;
        if (got == 0 || (got & (got - 1)) != 0) {
            char names[128] = "";
            size_t n = 0;
            for (size_t i = 0; i < NARGS; i++)
                if (one_of & args[i].bit)
                    n += (size_t)snprintf(names + n, sizeof(names) - n, "%s'%s'", n ? " or " : "",
                                          args[i].name);
            return fail(NP_ERR_BAD_ARGS, msg, msgsz, "%s: needs exactly one of %s", vs->name, names);
        }
    }
    return NP_ERR_NONE;
}

enum np_error np_request_decode(const char *line, size_t len, struct np_request *ret,
                                char *msg, size_t msgsz)
{
    if (msgsz)
        msg[0] = '\0';
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len > NP_MAX_REQUEST_LINE)
        return fail(NP_ERR_TOO_LARGE, msg, msgsz, "request line longer than %d bytes",
                    NP_MAX_REQUEST_LINE);
    size_t bad_at;
    if (!utf8_valid(line, len, &bad_at))
        return fail(NP_ERR_BAD_JSON, msg, msgsz, "invalid UTF-8 or NUL byte at offset %zu", bad_at);

    struct json_tokener *tok = json_tokener_new_ex(NP_MAX_JSON_DEPTH);
    if (!tok)
        return fail(NP_ERR_INTERNAL, msg, msgsz, "out of memory");
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    struct json_object *req = json_tokener_parse_ex(tok, line, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (jerr == json_tokener_continue || (jerr == json_tokener_success && !req && len == 0))
        return fail(NP_ERR_BAD_JSON, msg, msgsz, "incomplete JSON");
    if (jerr != json_tokener_success || !req)
        return fail(NP_ERR_BAD_JSON, msg, msgsz, "invalid JSON at offset %zu: %s", end,
                    json_tokener_error_desc(jerr));
    while (end < len && (line[end] == ' ' || line[end] == '\t'))
        end++;
    enum np_error e = NP_ERR_NONE;
    if (end != len) {
        e = fail(NP_ERR_BAD_JSON, msg, msgsz, "trailing data after the JSON object at offset %zu", end);
        goto out;
    }
    if (!json_object_is_type(req, json_type_object)) {
        e = fail(NP_ERR_BAD_REQUEST, msg, msgsz, "a request is a JSON object");
        goto out;
    }
    memset(ret, 0, sizeof(*ret));
    struct json_object *jversion = NULL, *jverb = NULL, *jargs = NULL;
    json_object_object_foreach(req, key, val) {
        if (strcmp(key, "version") == 0)
            jversion = val;
        else if (strcmp(key, "verb") == 0)
            jverb = val;
        else if (strcmp(key, "args") == 0)
            jargs = val;
        else {
            char shown[64];
            np_utf8_sanitize(key, shown, sizeof(shown));
            e = fail(NP_ERR_BAD_REQUEST, msg, msgsz, "unknown request field '%s'", shown);
            goto out;
        }
    }
    if (!jversion || !json_object_is_type(jversion, json_type_int)) {
        e = fail(NP_ERR_BAD_REQUEST, msg, msgsz, "'version' must be the integer %d", NP_PROTOCOL_VERSION);
        goto out;
    }
    if (json_object_get_int64(jversion) != NP_PROTOCOL_VERSION) {
        e = fail(NP_ERR_BAD_VERSION, msg, msgsz, "protocol version %lld is not supported (this daemon speaks %d)",
                 (long long)json_object_get_int64(jversion), NP_PROTOCOL_VERSION);
        goto out;
    }
    if (!jverb || !json_object_is_type(jverb, json_type_string)) {
        e = fail(NP_ERR_BAD_REQUEST, msg, msgsz, "'verb' must be a string");
        goto out;
    }
    int v = np_verb_lookup(json_object_get_string(jverb));
    if (v < 0 || (size_t)json_object_get_string_len(jverb) != strlen(json_object_get_string(jverb))) {
        char shown[64];
        np_utf8_sanitize(json_object_get_string(jverb), shown, sizeof(shown));
        e = fail(NP_ERR_UNKNOWN_VERB, msg, msgsz, "unknown verb '%s'", shown);
        goto out;
    }
    ret->verb = (enum np_verb)v;
    if (jargs && !json_object_is_type(jargs, json_type_object)) {
        e = fail(NP_ERR_BAD_REQUEST, msg, msgsz, "'args' must be an object");
        goto out;
    }
    e = decode_args(jargs, ret, msg, msgsz);
out:
    json_object_put(req);
    return e;
}

/* Serializes OBJ plainly (no spaces, "/" unescaped) plus '\n'. */
static char *to_line(struct json_object *obj, size_t *ret_len)
{
    size_t len;
    const char *s = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    char *line = s ? malloc(len + 2) : NULL;
    if (line) {
        memcpy(line, s, len);
        line[len] = '\n';
        line[len + 1] = '\0';
        if (ret_len)
            *ret_len = len + 1;
    }
    return line;
}

char *np_reply_ok(struct json_object *data, size_t *ret_len)
{
    struct json_object *reply = json_object_new_object();
    if (!reply)
        return NULL;
    json_object_object_add(reply, "version", json_object_new_int(NP_PROTOCOL_VERSION));
    json_object_object_add(reply, "ok", json_object_new_boolean(1));
    json_object_object_add(reply, "data", data ? json_object_get(data) : json_object_new_object());
    char *line = to_line(reply, ret_len);
    json_object_put(reply);
    return line;
}

char *np_reply_error(enum np_error code, const char *message, size_t *ret_len)
{
    struct json_object *reply = json_object_new_object(), *err = json_object_new_object();
    if (!reply || !err) {
        json_object_put(reply);
        json_object_put(err);
        return NULL;
    }
    json_object_object_add(err, "code", json_object_new_string(np_error_name(code)));
    json_object_object_add(err, "message", np_json_string(message ? message : ""));
    json_object_object_add(reply, "version", json_object_new_int(NP_PROTOCOL_VERSION));
    json_object_object_add(reply, "ok", json_object_new_boolean(0));
    json_object_object_add(reply, "error", err);
    char *line = to_line(reply, ret_len);
    json_object_put(reply);
    return line;
}

char *np_request_encode(const char *verb, struct json_object *jargs, size_t *ret_len)
{
    struct json_object *req = json_object_new_object();
    if (!req)
        return NULL;
    json_object_object_add(req, "version", json_object_new_int(NP_PROTOCOL_VERSION));
    json_object_object_add(req, "verb", json_object_new_string(verb));
    if (jargs)
        json_object_object_add(req, "args", json_object_get(jargs));
    char *line = to_line(req, ret_len);
    json_object_put(req);
    return line;
}

int np_reply_decode(const char *line, size_t len, struct np_reply *ret, char *msg, size_t msgsz)
{
    memset(ret, 0, sizeof(*ret));
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    struct json_tokener *tok = json_tokener_new_ex(64);
    if (!tok)
        return -ENOMEM;
    struct json_object *reply = json_tokener_parse_ex(tok, line, (int)(len > INT32_MAX ? INT32_MAX : len));
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (jerr != json_tokener_success || !reply || !json_object_is_type(reply, json_type_object)) {
        json_object_put(reply);
        snprintf(msg, msgsz, "the daemon's reply is not a JSON object");
        return -EINVAL;
    }
    struct json_object *jv, *jok, *jerrobj, *jcode, *jmsg, *jdata;
    int r = 0;
    if (!json_object_object_get_ex(reply, "version", &jv) ||
        json_object_get_int64(jv) != NP_PROTOCOL_VERSION) {
        snprintf(msg, msgsz, "the daemon speaks another protocol version");
        r = -EPROTO;
        goto out;
    }
    if (!json_object_object_get_ex(reply, "ok", &jok) || !json_object_is_type(jok, json_type_boolean)) {
        snprintf(msg, msgsz, "the daemon's reply has no 'ok'");
        r = -EINVAL;
        goto out;
    }
    ret->ok = json_object_get_boolean(jok);
    if (ret->ok) {
        if (json_object_object_get_ex(reply, "data", &jdata))
            ret->data = json_object_get(jdata);
        else
            ret->data = json_object_new_object();
    } else {
        if (!json_object_object_get_ex(reply, "error", &jerrobj) ||
            !json_object_object_get_ex(jerrobj, "code", &jcode) ||
            !json_object_object_get_ex(jerrobj, "message", &jmsg)) {
            snprintf(msg, msgsz, "the daemon's error reply has no code or message");
            r = -EINVAL;
            goto out;
        }
        snprintf(ret->code, sizeof(ret->code), "%s", json_object_get_string(jcode));
        snprintf(ret->message, sizeof(ret->message), "%s", json_object_get_string(jmsg));
    }
out:
    json_object_put(reply);
    return r;
}

void np_reply_clear(struct np_reply *r)
{
    json_object_put(r->data);
    r->data = NULL;
}
