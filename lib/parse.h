/* parse: strict number parsing. Never atoi: every helper reports errors and
 * refuses trailing garbage, overflow and values outside the caller's range. */
#ifndef NP_PARSE_H
#define NP_PARSE_H

#include <stdint.h>
#include <stddef.h>

/* Whole string S is a decimal unsigned integer. 0 or -EINVAL/-ERANGE. */
int np_parse_u64(const char *s, uint64_t *ret);
/* Whole string S is a decimal integer in [MIN, MAX]. 0 or -EINVAL/-ERANGE. */
int np_parse_long_range(const char *s, long min, long max, long *ret);
/* Whole string S is a decimal number (strtod syntax, finite) in [MIN, MAX]. */
int np_parse_double_range(const char *s, double min, double max, double *ret);

/* Parses a decimal unsigned integer at *P and advances *P past it.
 * 0 or -EINVAL (no digits) / -ERANGE. */
int np_scan_u64(const char **p, uint64_t *ret);
/* Same for an optionally negative integer. */
int np_scan_i64(const char **p, int64_t *ret);

/* Skips spaces and tabs at *P. */
void np_skip_blanks(const char **p);

/* Finds the value of "KEY:" at the start of a line in a "Key:  value" text
 * (/proc/PID/status, meminfo after the "Node N " prefix is stripped by the
 * caller). Returns a pointer to the value (blanks skipped) or NULL. The
 * value ends at the next '\n'. */
const char *np_find_key(const char *text, const char *key);

/* Copies the rest of the line at P (up to '\n' or NUL) into BUF, trimmed.
 * Returns 0 or -E2BIG if it did not fit. */
int np_copy_line(const char *p, char *buf, size_t bufsz);

#endif
