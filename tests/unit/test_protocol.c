/* Unit tests for lib/protocol.c: request decoding (valid requests, every
 * error kind, limits) and exact reply/request encodings. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

static struct np_request req;
static char msg[512];

static enum np_error decode(const char *line)
{
    memset(&req, 0x5a, sizeof(req));
    return np_request_decode(line, strlen(line), &req, msg, sizeof(msg));
}

#define ASSERT_ERR(line, code, text)                          \
    do {                                                      \
        ck_assert_int_eq(decode(line), code);                 \
        ck_assert_str_eq(msg, text);                          \
    } while (0)

START_TEST(valid_requests)
{
    ck_assert_int_eq(decode("{\"version\":1,\"verb\":\"status\"}"), NP_ERR_NONE);
    ck_assert_int_eq(req.verb, NP_VERB_STATUS);
    ck_assert_uint_eq(req.present, 0);
    ck_assert_str_eq(msg, "");

    ck_assert_int_eq(decode("{\"verb\":\"list\",\"version\":1,\"args\":{\"limit\":20,\"all\":true}}"), NP_ERR_NONE);
    ck_assert_int_eq(req.verb, NP_VERB_LIST);
    ck_assert_uint_eq(req.present, NP_ARG_LIMIT | NP_ARG_ALL);
    ck_assert_uint_eq(req.limit, 20);
    ck_assert(req.all);

    ck_assert_int_eq(decode("  {\"version\":1,\"verb\":\"show\",\"args\":{\"pid\":1002}} \r"), NP_ERR_NONE);
    ck_assert_int_eq(req.verb, NP_VERB_SHOW);
    ck_assert_int_eq(req.pid, 1002);

    ck_assert_int_eq(decode("{\"version\":1,\"verb\":\"move\",\"args\":{\"pid\":7,\"nodes\":\"0-1,3\"}}"), NP_ERR_NONE);
    ck_assert_int_eq(req.verb, NP_VERB_MOVE);
    ck_assert_uint_eq(np_nodeset_count(&req.nodes), 3);
    ck_assert(np_nodeset_test(&req.nodes, 0) && np_nodeset_test(&req.nodes, 1) && np_nodeset_test(&req.nodes, 3));

    ck_assert_int_eq(decode("{\"version\":1,\"verb\":\"exclude\",\"args\":{\"name\":\"memhog-*\"}}"), NP_ERR_NONE);
    ck_assert_int_eq(req.verb, NP_VERB_EXCLUDE);
    ck_assert_uint_eq(req.present, NP_ARG_NAME);
    ck_assert_str_eq(req.name, "memhog-*");

    ck_assert_int_eq(decode("{\"version\":1,\"verb\":\"advise\",\"args\":{\"ncpus\":4,\"mb\":2048}}"), NP_ERR_NONE);
    ck_assert_uint_eq(req.ncpus, 4);
    ck_assert_uint_eq(req.mb, 2048);

    ck_assert_int_eq(decode("{\"version\":1,\"verb\":\"dry-run\",\"args\":{\"enable\":false}}"), NP_ERR_NONE);
    ck_assert_int_eq(req.verb, NP_VERB_DRY_RUN);
    ck_assert(!req.enable);

    /* UTF-8 in a name is fine. */
    ck_assert_int_eq(decode("{\"version\":1,\"verb\":\"include\",\"args\":{\"name\":\"d\xc3\xa9j\xc3\xa0\"}}"), NP_ERR_NONE);
    ck_assert_str_eq(req.name, "d\xc3\xa9j\xc3\xa0");

    for (int v = 0; v < NP_VERB_COUNT; v++)
        ck_assert_int_eq(np_verb_lookup(np_verb_name((enum np_verb)v)), v);
    /* top is numaplacectl's live view, made of status and list: no verb. */
    ck_assert_int_eq(np_verb_lookup("top"), -ENOENT);
    ck_assert_int_eq(np_verb_lookup("nope"), -ENOENT);
}
END_TEST

START_TEST(json_errors)
{
    ASSERT_ERR("", NP_ERR_BAD_JSON, "incomplete JSON");
    ASSERT_ERR("{\"version\":1,\"verb\":", NP_ERR_BAD_JSON, "incomplete JSON");
    ASSERT_ERR("{\"version\":1}x", NP_ERR_BAD_JSON, "invalid JSON at offset 13: unexpected character");
    ASSERT_ERR("{\"version\":1} {}", NP_ERR_BAD_JSON, "invalid JSON at offset 14: unexpected character");
    ASSERT_ERR("{version:1}", NP_ERR_BAD_JSON, "invalid JSON at offset 1: quoted object property name expected");
    ASSERT_ERR("{\"version\":1,}", NP_ERR_BAD_JSON, "invalid JSON at offset 13: unexpected character");
    ASSERT_ERR("{\"version\":01}", NP_ERR_BAD_JSON, "invalid JSON at offset 13: number expected");
    ASSERT_ERR("{\"verb\":\"st\xff\"}", NP_ERR_BAD_JSON, "invalid UTF-8 or NUL byte at offset 11");
    ASSERT_ERR("{\"verb\":\"\xc0\xaf\"}", NP_ERR_BAD_JSON, "invalid UTF-8 or NUL byte at offset 9");
    ASSERT_ERR("{\"verb\":\"\xed\xa0\x80\"}", NP_ERR_BAD_JSON, "invalid UTF-8 or NUL byte at offset 9");
    ASSERT_ERR("{\"verb\":\"\xe2\x82\"}", NP_ERR_BAD_JSON, "invalid UTF-8 or NUL byte at offset 9");
    /* A NUL inside the line. */
    char with_nul[] = "{\"version\":1,\"verb\":\"status\"}";
    with_nul[3] = '\0';
    ck_assert_int_eq(np_request_decode(with_nul, sizeof(with_nul) - 1, &req, msg, sizeof(msg)), NP_ERR_BAD_JSON);
    ck_assert_str_eq(msg, "invalid UTF-8 or NUL byte at offset 3");
    /* Nesting deeper than NP_MAX_JSON_DEPTH. */
    ck_assert_int_eq(decode("{\"version\":1,\"verb\":\"status\",\"args\":{\"a\":[[[[[[[[[[1]]]]]]]]]]}}"), NP_ERR_BAD_JSON);
    ck_assert_str_eq(msg, "invalid JSON at offset 47: nesting too deep");
}
END_TEST

START_TEST(request_errors)
{
    ASSERT_ERR("[1,2]", NP_ERR_BAD_REQUEST, "a request is a JSON object");
    ASSERT_ERR("{\"verb\":\"status\"}", NP_ERR_BAD_REQUEST, "'version' must be the integer 1");
    ASSERT_ERR("{\"version\":\"1\",\"verb\":\"status\"}", NP_ERR_BAD_REQUEST, "'version' must be the integer 1");
    ASSERT_ERR("{\"version\":2,\"verb\":\"status\"}", NP_ERR_BAD_VERSION,
               "protocol version 2 is not supported (this daemon speaks 1)");
    ASSERT_ERR("{\"version\":1}", NP_ERR_BAD_REQUEST, "'verb' must be a string");
    ASSERT_ERR("{\"version\":1,\"verb\":7}", NP_ERR_BAD_REQUEST, "'verb' must be a string");
    ASSERT_ERR("{\"version\":1,\"verb\":\"status\",\"id\":3}", NP_ERR_BAD_REQUEST, "unknown request field 'id'");
    ASSERT_ERR("{\"version\":1,\"verb\":\"status\",\"args\":[]}", NP_ERR_BAD_REQUEST, "'args' must be an object");
    ASSERT_ERR("{\"version\":1,\"verb\":\"frob\"}", NP_ERR_UNKNOWN_VERB, "unknown verb 'frob'");
    ASSERT_ERR("{\"version\":1,\"verb\":\"stat\\u0000us\"}", NP_ERR_UNKNOWN_VERB, "unknown verb 'stat'");
}
END_TEST

START_TEST(argument_errors)
{
    ASSERT_ERR("{\"version\":1,\"verb\":\"status\",\"args\":{\"pid\":1}}", NP_ERR_BAD_ARGS,
               "status: unknown argument 'pid'");
    ASSERT_ERR("{\"version\":1,\"verb\":\"show\"}", NP_ERR_BAD_ARGS, "show: missing argument 'pid'");
    ASSERT_ERR("{\"version\":1,\"verb\":\"show\",\"args\":{\"pid\":\"1002\"}}", NP_ERR_BAD_ARGS,
               "show: 'pid' must be an integer");
    ASSERT_ERR("{\"version\":1,\"verb\":\"show\",\"args\":{\"pid\":1002.0}}", NP_ERR_BAD_ARGS,
               "show: 'pid' must be an integer");
    ASSERT_ERR("{\"version\":1,\"verb\":\"show\",\"args\":{\"pid\":0}}", NP_ERR_BAD_ARGS,
               "show: 'pid' must be in 1..4194304");
    ASSERT_ERR("{\"version\":1,\"verb\":\"show\",\"args\":{\"pid\":4194305}}", NP_ERR_BAD_ARGS,
               "show: 'pid' must be in 1..4194304");
    ASSERT_ERR("{\"version\":1,\"verb\":\"show\",\"args\":{\"pid\":99999999999999999999999}}", NP_ERR_BAD_ARGS,
               "show: 'pid' must be in 1..4194304");
    ASSERT_ERR("{\"version\":1,\"verb\":\"show\",\"args\":{\"pid\":-99999999999999999999999}}", NP_ERR_BAD_ARGS,
               "show: 'pid' must be in 1..4194304");
    ASSERT_ERR("{\"version\":1,\"verb\":\"dry-run\",\"args\":{\"enable\":1}}", NP_ERR_BAD_ARGS,
               "dry-run: 'enable' must be true or false");
    ASSERT_ERR("{\"version\":1,\"verb\":\"exclude\"}", NP_ERR_BAD_ARGS,
               "exclude: needs exactly one of 'pid' or 'name'");
    ASSERT_ERR("{\"version\":1,\"verb\":\"exclude\",\"args\":{\"pid\":1,\"name\":\"x\"}}", NP_ERR_BAD_ARGS,
               "exclude: needs exactly one of 'pid' or 'name'");
    ASSERT_ERR("{\"version\":1,\"verb\":\"exclude\",\"args\":{\"name\":\"\"}}", NP_ERR_BAD_ARGS,
               "exclude: 'name' must be 1..255 bytes long");
    ASSERT_ERR("{\"version\":1,\"verb\":\"exclude\",\"args\":{\"name\":\"a\\u0000b\"}}", NP_ERR_BAD_ARGS,
               "exclude: 'name' contains a NUL character");
    ASSERT_ERR("{\"version\":1,\"verb\":\"move\",\"args\":{\"pid\":1,\"nodes\":\"zero\"}}", NP_ERR_BAD_ARGS,
               "move: 'nodes' must be a node list like \"0-1,3\" with ids below 1024");
    ASSERT_ERR("{\"version\":1,\"verb\":\"move\",\"args\":{\"pid\":1,\"nodes\":\"1024\"}}", NP_ERR_BAD_ARGS,
               "move: 'nodes' must be a node list like \"0-1,3\" with ids below 1024");
    ASSERT_ERR("{\"version\":1,\"verb\":\"move\",\"args\":{\"pid\":1}}", NP_ERR_BAD_ARGS,
               "move: missing argument 'nodes'");
    ASSERT_ERR("{\"version\":1,\"verb\":\"advise\",\"args\":{\"ncpus\":8193}}", NP_ERR_BAD_ARGS,
               "advise: 'ncpus' must be in 1..8192");
    ASSERT_ERR("{\"version\":1,\"verb\":\"list\",\"args\":{\"limit\":0}}", NP_ERR_BAD_ARGS,
               "list: 'limit' must be in 1..100000");

    char name[400] = "{\"version\":1,\"verb\":\"exclude\",\"args\":{\"name\":\"";
    size_t len = strlen(name);
    memset(name + len, 'a', 256);
    strcpy(name + len + 256, "\"}}");
    ASSERT_ERR(name, NP_ERR_BAD_ARGS, "exclude: 'name' must be 1..255 bytes long");
    name[len + 255] = '"';
    strcpy(name + len + 256, "}}");
    ck_assert_int_eq(decode(name), NP_ERR_NONE);
    ck_assert_uint_eq(strlen(req.name), 255);
}
END_TEST

START_TEST(line_limit)
{
    /* Exactly the limit is decoded; one byte more is too-large. */
    size_t n = NP_MAX_REQUEST_LINE;
    char *line = malloc(n + 2);
    const char *head = "{\"version\":1,\"verb\":\"status\"}";
    memcpy(line, head, strlen(head));
    memset(line + strlen(head), ' ', n - strlen(head));
    ck_assert_int_eq(np_request_decode(line, n, &req, msg, sizeof(msg)), NP_ERR_NONE);
    line[n] = ' ';
    ck_assert_int_eq(np_request_decode(line, n + 1, &req, msg, sizeof(msg)), NP_ERR_TOO_LARGE);
    ck_assert_str_eq(msg, "request line longer than 65536 bytes");
    /* A trailing '\r' does not count. */
    line[n] = '\r';
    ck_assert_int_eq(np_request_decode(line, n + 1, &req, msg, sizeof(msg)), NP_ERR_NONE);
    free(line);
}
END_TEST

START_TEST(reply_encoding)
{
    size_t len = 0;
    struct json_object *data = json_object_new_object();
    json_object_object_add(data, "nodes", json_object_new_string("0-1,3"));
    json_object_object_add(data, "path", json_object_new_string("/run/x"));
    json_object_object_add(data, "n", json_object_new_int(7));
    char *line = np_reply_ok(data, &len);
    ck_assert_str_eq(line, "{\"version\":1,\"ok\":true,\"data\":{\"nodes\":\"0-1,3\",\"path\":\"/run/x\",\"n\":7}}\n");
    ck_assert_uint_eq(len, strlen(line));
    free(line);
    /* The caller's reference survives. */
    ck_assert_int_eq(json_object_get_int(json_object_object_get(data, "n")), 7);
    json_object_put(data);

    line = np_reply_ok(NULL, &len);
    ck_assert_str_eq(line, "{\"version\":1,\"ok\":true,\"data\":{}}\n");
    free(line);

    line = np_reply_error(NP_ERR_PERMISSION, "permission denied: 'pause' needs root", &len);
    ck_assert_str_eq(line, "{\"version\":1,\"ok\":false,\"error\":{\"code\":\"permission-denied\","
                           "\"message\":\"permission denied: 'pause' needs root\"}}\n");
    free(line);
    /* Hostile bytes (a comm from /proc) are sanitized, quotes escaped. */
    line = np_reply_error(NP_ERR_NOT_FOUND, "pid 5 (a\"b\xff\n)", &len);
    ck_assert_str_eq(line, "{\"version\":1,\"ok\":false,\"error\":{\"code\":\"not-found\","
                           "\"message\":\"pid 5 (a\\\"b?" "?)\"}}\n");
    free(line);

    for (int e = 0; e < NP_ERR_COUNT; e++)
        ck_assert_int_eq(np_error_lookup(np_error_name((enum np_error)e)), e);
    ck_assert_int_eq(np_error_lookup("from-the-future"), NP_ERR_COUNT);
}
END_TEST

START_TEST(request_encoding_round_trip)
{
    size_t len = 0;
    struct json_object *args = json_object_new_object();
    json_object_object_add(args, "pid", json_object_new_int(1002));
    json_object_object_add(args, "nodes", json_object_new_string("2"));
    char *line = np_request_encode("move", args, &len);
    ck_assert_str_eq(line, "{\"version\":1,\"verb\":\"move\",\"args\":{\"pid\":1002,\"nodes\":\"2\"}}\n");
    json_object_put(args);
    ck_assert_int_eq(np_request_decode(line, len - 1, &req, msg, sizeof(msg)), NP_ERR_NONE);
    ck_assert_int_eq(req.verb, NP_VERB_MOVE);
    ck_assert_int_eq(req.pid, 1002);
    ck_assert(np_nodeset_test(&req.nodes, 2));
    free(line);
    line = np_request_encode("status", NULL, &len);
    ck_assert_str_eq(line, "{\"version\":1,\"verb\":\"status\"}\n");
    free(line);
}
END_TEST

START_TEST(reply_decoding)
{
    struct np_reply r;
    const char *ok = "{\"version\":1,\"ok\":true,\"data\":{\"nodes\":\"0-1\"}}\n";
    ck_assert_int_eq(np_reply_decode(ok, strlen(ok), &r, msg, sizeof(msg)), 0);
    ck_assert(r.ok);
    ck_assert_str_eq(json_object_get_string(json_object_object_get(r.data, "nodes")), "0-1");
    np_reply_clear(&r);

    const char *err = "{\"version\":1,\"ok\":false,\"error\":{\"code\":\"refused\",\"message\":\"paused\"}}";
    ck_assert_int_eq(np_reply_decode(err, strlen(err), &r, msg, sizeof(msg)), 0);
    ck_assert(!r.ok);
    ck_assert_str_eq(r.code, "refused");
    ck_assert_str_eq(r.message, "paused");
    np_reply_clear(&r);

    const char *v2 = "{\"version\":2,\"ok\":true,\"data\":{}}";
    ck_assert_int_eq(np_reply_decode(v2, strlen(v2), &r, msg, sizeof(msg)), -EPROTO);
    ck_assert_int_eq(np_reply_decode("nope", 4, &r, msg, sizeof(msg)), -EINVAL);
    const char *noerr = "{\"version\":1,\"ok\":false}";
    ck_assert_int_eq(np_reply_decode(noerr, strlen(noerr), &r, msg, sizeof(msg)), -EINVAL);
}
END_TEST

START_TEST(sanitize)
{
    char out[16];
    np_utf8_sanitize("abc\xff" "d\xc3\xa9", out, sizeof(out));
    ck_assert_str_eq(out, "abc?d\xc3\xa9");
    np_utf8_sanitize("tab\there\x7f", out, sizeof(out));
    ck_assert_str_eq(out, "tab\there?");
    /* Truncation never splits a character. */
    char small[6];
    np_utf8_sanitize("abcd\xc3\xa9", small, sizeof(small));
    ck_assert_str_eq(small, "abcd");
    np_utf8_sanitize(NULL, small, sizeof(small));
    ck_assert_str_eq(small, "");
}
END_TEST

/* A command line through the verb table and back through the daemon's
 * decoder: what the CLI builds, the daemon accepts, with the same values. */
static enum np_error words_to_request(const char *verb, int argc, const char **argv, char *why, size_t whysz)
{
    int v = np_verb_lookup(verb);
    ck_assert_int_ge(v, 0);
    struct json_object *args = json_object_new_object();
    if (np_request_args_from_words(v, argc, (char **)argv, args, why, whysz) < 0) {
        json_object_put(args);
        return NP_ERR_COUNT;    /* refused on the command line */
    }
    size_t len;
    char *line = np_request_encode(np_verb_name(v), args, &len);
    json_object_put(args);
    ck_assert_ptr_nonnull(line);
    enum np_error e = np_request_decode(line, len - 1, &req, msg, sizeof(msg));
    free(line);
    return e;
}
#define WORDS(verb, ...) \
    words_to_request(verb, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), \
                     (const char *[]){__VA_ARGS__}, why, sizeof(why))

START_TEST(verb_table_drives_the_command_line)
{
    char why[256], usage[160];
    /* Every verb has a name, a summary and a usage that starts with it;
     * names and aliases are unique and look themselves up. */
    for (int v = 0; v < NP_VERB_COUNT; v++) {
        const struct np_verb_def *d = np_verb_def(v);
        ck_assert_ptr_nonnull(d);
        ck_assert_ptr_nonnull(d->name);
        ck_assert_ptr_nonnull(d->summary);
        ck_assert_int_eq(np_verb_lookup(d->name), v);
        if (d->alias)
            ck_assert_int_eq(np_verb_lookup(d->alias), v);
        np_verb_usage(d, usage, sizeof(usage));
        ck_assert_int_eq(strncmp(usage, d->name, strlen(d->name)), 0);
        for (int w = v + 1; w < NP_VERB_COUNT; w++)
            ck_assert_str_ne(d->name, np_verb_def(w)->name);
    }
    ck_assert_ptr_null(np_verb_def(NP_VERB_COUNT));
    np_verb_usage(np_verb_def(NP_VERB_MOVE), usage, sizeof(usage));
    ck_assert_str_eq(usage, "move [--force] PID NODES");
    np_verb_usage(np_verb_def(NP_VERB_HISTORY), usage, sizeof(usage));
    ck_assert_str_eq(usage, "history [--limit N] [--pid PID]");
    ck_assert(np_verb_def(NP_VERB_PAUSE)->needs_root);
    ck_assert(!np_verb_def(NP_VERB_LIST)->needs_root);
    ck_assert_uint_eq(np_verb_required_args(np_verb_def(NP_VERB_MOVE)), NP_ARG_PID | NP_ARG_NODES);
    ck_assert_uint_eq(np_verb_allowed_args(np_verb_def(NP_VERB_MOVE)), NP_ARG_PID | NP_ARG_NODES | NP_ARG_FORCE);
    ck_assert_uint_eq(np_verb_one_of_args(np_verb_def(NP_VERB_EXCLUDE)), NP_ARG_PID | NP_ARG_NAME);

    /* Command lines the daemon accepts, with their values. */
    ck_assert_int_eq(WORDS("move", "--force", "42", "0-1,3"), NP_ERR_NONE);
    ck_assert_int_eq(req.verb, NP_VERB_MOVE);
    ck_assert_int_eq(req.pid, 42);
    ck_assert(req.force);
    ck_assert_uint_eq(np_nodeset_count(&req.nodes), 3);
    ck_assert_int_eq(WORDS("list", "--limit", "5", "--all"), NP_ERR_NONE);
    ck_assert_uint_eq(req.limit, 5);
    ck_assert(req.all);
    ck_assert_int_eq(WORDS("history", "--pid", "7"), NP_ERR_NONE);
    ck_assert_int_eq(req.pid, 7);
    ck_assert_uint_eq(req.present, NP_ARG_PID);
    ck_assert_int_eq(WORDS("dry-run", "off"), NP_ERR_NONE);
    ck_assert(!req.enable);
    ck_assert_uint_eq(req.present, NP_ARG_ENABLE);
    ck_assert_int_eq(WORDS("exclude", "name", "pg*"), NP_ERR_NONE);
    ck_assert_str_eq(req.name, "pg*");
    ck_assert_int_eq(WORDS("include", "1234"), NP_ERR_NONE);
    ck_assert_int_eq(req.pid, 1234);
    ck_assert_int_eq(WORDS("exclude", "postgres"), NP_ERR_NONE);
    ck_assert_str_eq(req.name, "postgres");
    ck_assert_int_eq(WORDS("advise", "4:2048"), NP_ERR_NONE);
    ck_assert_uint_eq(req.ncpus, 4);
    ck_assert_uint_eq(req.mb, 2048);
    ck_assert_uint_eq(req.present, NP_ARG_NCPUS | NP_ARG_MB);
    ck_assert_int_eq(WORDS("advise", "2"), NP_ERR_NONE);
    ck_assert_uint_eq(req.present, NP_ARG_NCPUS);

    /* Command lines refused before anything is sent, saying why. */
    ck_assert_int_eq(words_to_request("cancel", 0, NULL, why, sizeof(why)), NP_ERR_COUNT);
    ck_assert_str_eq(why, "cancel needs PID (usage: cancel PID)");
    ck_assert_int_eq(words_to_request("status", 1, (const char *[]){"x"}, why, sizeof(why)), NP_ERR_COUNT);
    ck_assert_str_eq(why, "status takes no arguments");
    ck_assert_int_eq(WORDS("show", "abc"), NP_ERR_COUNT);
    ck_assert_str_eq(why, "PID: 'abc' is not a number in 1..4194304");
    ck_assert_int_eq(WORDS("show", "0"), NP_ERR_COUNT);
    ck_assert_int_eq(WORDS("list", "--limit"), NP_ERR_COUNT);
    ck_assert_str_eq(why, "list: --limit needs N");
    ck_assert_int_eq(WORDS("list", "--limit", "0"), NP_ERR_COUNT);
    ck_assert_int_eq(WORDS("list", "extra"), NP_ERR_COUNT);
    ck_assert_str_eq(why, "list: unexpected 'extra'");
    ck_assert_int_eq(WORDS("dry-run", "maybe"), NP_ERR_COUNT);
    ck_assert_str_eq(why, "dry-run needs 'on' or 'off'");
    ck_assert_int_eq(WORDS("move", "42"), NP_ERR_COUNT);
    ck_assert_str_eq(why, "move needs NODES (usage: move [--force] PID NODES)");
    ck_assert_int_eq(WORDS("move", "42", "x"), NP_ERR_COUNT);
    ck_assert_str_eq(why, "NODES: 'x' is not a node list like 0-1,3");
    ck_assert_int_eq(WORDS("move", "42", "1", "2"), NP_ERR_COUNT);
    ck_assert_int_eq(WORDS("exclude", "uid", "5"), NP_ERR_COUNT);
    ck_assert_str_eq(why, "exclude: 'uid' is neither 'pid' nor 'name'");
    ck_assert_int_eq(WORDS("advise", "4:x"), NP_ERR_COUNT);
    ck_assert_str_eq(why, "advise needs NCPUS[:MB], e.g. 4:2048");
    char long_name[NP_MAX_PATTERN + 1];
    memset(long_name, 'a', NP_MAX_PATTERN);
    long_name[NP_MAX_PATTERN] = 0;
    ck_assert_int_eq(WORDS("exclude", "name", long_name), NP_ERR_COUNT);
}
END_TEST

static Suite *protocol_suite(void)
{
    Suite *s = suite_create("protocol");
    TCase *tc = tcase_create("protocol");
    tcase_add_test(tc, valid_requests);
    tcase_add_test(tc, json_errors);
    tcase_add_test(tc, request_errors);
    tcase_add_test(tc, argument_errors);
    tcase_add_test(tc, line_limit);
    tcase_add_test(tc, reply_encoding);
    tcase_add_test(tc, request_encoding_round_trip);
    tcase_add_test(tc, reply_decoding);
    tcase_add_test(tc, sanitize);
    tcase_add_test(tc, verb_table_drives_the_command_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(protocol_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
