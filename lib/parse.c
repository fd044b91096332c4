/* parse: see parse.h. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int np_scan_u64(const char **p, uint64_t *ret)
{
    const char *s = *p;
    uint64_t v = 0;
    if (!isdigit((unsigned char)*s))
        return -EINVAL;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    *ret = v;
    *p = s;
    return 0;
}

int np_scan_i64(const char **p, int64_t *ret)
{
    const char *s = *p;
    bool neg = *s == '-';
    uint64_t v;
    if (neg)
        s++;
    int r = np_scan_u64(&s, &v);
    if (r < 0)
        return r;
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return -ERANGE;
    *ret = neg ? (int64_t)(0 - v) : (int64_t)v;
    *p = s;
    return 0;
}

int np_parse_u64(const char *s, uint64_t *ret)
{
    uint64_t v;
    int r = np_scan_u64(&s, &v);
    if (r < 0)
        return r;
    if (*s)
        return -EINVAL;
    *ret = v;
    return 0;
}

int np_parse_long_range(const char *s, long min, long max, long *ret)
{
    int64_t v;
    int r = np_scan_i64(&s, &v);
    if (r < 0)
        return r;
    if (*s)
        return -EINVAL;
    if (v < min || v > max)
        return -ERANGE;
    *ret = (long)v;
    return 0;
}

int np_parse_double_range(const char *s, double min, double max, double *ret)
{
    char *end;
    if (!s || !*s || isspace((unsigned char)*s))
        return -EINVAL;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || end == s)
        return -EINVAL;
    if (errno == ERANGE || !isfinite(v) || v < min || v > max)
        return -ERANGE;
    *ret = v;
    return 0;
}

void np_skip_blanks(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

const char *np_find_key(const char *text, const char *key)
{
    size_t klen = strlen(key);
    const char *line = text;
    while (line && *line) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            const char *v = line + klen + 1;
            np_skip_blanks(&v);
            return v;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

int np_copy_line(const char *p, char *buf, size_t bufsz)
{
    if (bufsz == 0)
        return -E2BIG;
    np_skip_blanks(&p);
    size_t len = strcspn(p, "\n");
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
        len--;
    if (len >= bufsz) {
        memcpy(buf, p, bufsz - 1);
        buf[bufsz - 1] = '\0';
        return -E2BIG;
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
    return 0;
}
