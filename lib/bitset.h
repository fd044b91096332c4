/* bitset: fixed-size CPU and node sets with the kernel's list ("0-3,8") and
 * mask ("ff,00000001") text forms. Fixed sizes keep a process record free of
 * allocations; the limits match the largest kernels Debian ships. */
#ifndef NP_BITSET_H
#define NP_BITSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NP_MAX_CPUS  8192   /* Debian's CONFIG_NR_CPUS */
#define NP_MAX_NODES 1024   /* CONFIG_NODES_SHIFT=10 */

struct np_cpuset  { uint64_t w[NP_MAX_CPUS / 64]; };
struct np_nodeset { uint64_t w[NP_MAX_NODES / 64]; };

/* Generic operations on NBITS bits (a multiple of 64). */
void np_bits_zero(uint64_t *w, unsigned nbits);
void np_bits_set(uint64_t *w, unsigned nbits, unsigned bit);
void np_bits_clear(uint64_t *w, unsigned nbits, unsigned bit);
bool np_bits_test(const uint64_t *w, unsigned nbits, unsigned bit);
unsigned np_bits_count(const uint64_t *w, unsigned nbits);
bool np_bits_equal(const uint64_t *a, const uint64_t *b, unsigned nbits);
bool np_bits_subset(const uint64_t *sub, const uint64_t *super, unsigned nbits); /* sub ⊆ super */
bool np_bits_empty(const uint64_t *w, unsigned nbits);
/* First set bit at or after FROM, or -1. */
int np_bits_next(const uint64_t *w, unsigned nbits, unsigned from);
/* "0-3,8,10-11" (whitespace/newline at the end allowed, "" is empty).
 * 0, -EINVAL on syntax, -ERANGE on a bit >= nbits. */
int np_bits_parse_list(uint64_t *w, unsigned nbits, const char *s);
/* Comma-separated 32-bit hex words, most significant first ("ff,ffffffff"),
 * as in Cpus_allowed. Bits beyond nbits must be zero (-ERANGE). */
int np_bits_parse_mask(uint64_t *w, unsigned nbits, const char *s);
/* Formats as a list. Returns 0 or -E2BIG (BUF then holds a truncated list). */
int np_bits_format_list(const uint64_t *w, unsigned nbits, char *buf, size_t bufsz);

#define NP_CPUS(s)  (s)->w, NP_MAX_CPUS
#define NP_NODES(s) (s)->w, NP_MAX_NODES

/* Typed conveniences. */
static inline void np_cpuset_zero(struct np_cpuset *s) { np_bits_zero(NP_CPUS(s)); }
static inline void np_cpuset_set(struct np_cpuset *s, unsigned c) { np_bits_set(NP_CPUS(s), c); }
static inline bool np_cpuset_test(const struct np_cpuset *s, unsigned c) { return np_bits_test(NP_CPUS(s), c); }
static inline unsigned np_cpuset_count(const struct np_cpuset *s) { return np_bits_count(NP_CPUS(s)); }
static inline void np_nodeset_zero(struct np_nodeset *s) { np_bits_zero(NP_NODES(s)); }
static inline void np_nodeset_set(struct np_nodeset *s, unsigned n) { np_bits_set(NP_NODES(s), n); }
static inline bool np_nodeset_test(const struct np_nodeset *s, unsigned n) { return np_bits_test(NP_NODES(s), n); }
static inline unsigned np_nodeset_count(const struct np_nodeset *s) { return np_bits_count(NP_NODES(s)); }

#endif
