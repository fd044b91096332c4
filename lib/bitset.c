/* bitset: see bitset.h. */
#include "bitset.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "parse.h"

void np_bits_zero(uint64_t *w, unsigned nbits) { memset(w, 0, nbits / 8); }

void np_bits_set(uint64_t *w, unsigned nbits, unsigned bit)
{
    if (bit < nbits)
        w[bit / 64] |= UINT64_C(1) << (bit % 64);
}

void np_bits_clear(uint64_t *w, unsigned nbits, unsigned bit)
{
    if (bit < nbits)
        w[bit / 64] &= ~(UINT64_C(1) << (bit % 64));
}

bool np_bits_test(const uint64_t *w, unsigned nbits, unsigned bit)
{
    return bit < nbits && (w[bit / 64] >> (bit % 64)) & 1;
}

unsigned np_bits_count(const uint64_t *w, unsigned nbits)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nbits / 64; i++)
        n += (unsigned)__builtin_popcountll(w[i]);
    return n;
}

bool np_bits_equal(const uint64_t *a, const uint64_t *b, unsigned nbits)
{
    return memcmp(a, b, nbits / 8) == 0;
}

bool np_bits_subset(const uint64_t *sub, const uint64_t *super, unsigned nbits)
{
    for (unsigned i = 0; i < nbits / 64; i++)
        if (sub[i] & ~super[i])
            return false;
    return true;
}

bool np_bits_empty(const uint64_t *w, unsigned nbits)
{
    for (unsigned i = 0; i < nbits / 64; i++)
        if (w[i])
            return false;
    return true;
}

int np_bits_next(const uint64_t *w, unsigned nbits, unsigned from)
{
    for (unsigned i = from / 64; i < nbits / 64; i++) {
        uint64_t word = w[i];
        if (i == from / 64)
            word &= ~UINT64_C(0) << (from % 64);
        if (word)
            return (int)(i * 64 + (unsigned)__builtin_ctzll(word));
    }
    return -1;
}

int np_bits_parse_list(uint64_t *w, unsigned nbits, const char *s)
{
    np_bits_zero(w, nbits);
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    while (*p && !isspace((unsigned char)*p)) {
        uint64_t lo, hi;
        int r = np_scan_u64(&p, &lo);
        if (r < 0)
            return -EINVAL;
        hi = lo;
        if (*p == '-') {
            p++;
            if (np_scan_u64(&p, &hi) < 0 || hi < lo)
                return -EINVAL;
        }
        if (hi >= nbits)
            return -ERANGE;
        for (uint64_t b = lo; b <= hi; b++)
            np_bits_set(w, nbits, (unsigned)b);
        if (*p == ',')
            p++;
        else if (*p && !isspace((unsigned char)*p))
            return -EINVAL;
    }
    while (isspace((unsigned char)*p))
        p++;
    return *p ? -EINVAL : 0;
}

int np_bits_parse_mask(uint64_t *w, unsigned nbits, const char *s)
{
    /* Count the 32-bit words first: the rightmost word holds bits 0-31. */
    const char *p = s;
    while (isspace((unsigned char)*p))
        p++;
    size_t len = strcspn(p, " \t\n");
    if (len == 0)
        return -EINVAL;
    np_bits_zero(w, nbits);
    unsigned word = 0;
    size_t end = len;
    for (;;) {
        size_t start = end;
        while (start > 0 && p[start - 1] != ',')
            start--;
        size_t digits = end - start;
        if (digits == 0 || digits > 8)
            return -EINVAL;
        uint32_t v = 0;
        for (size_t i = start; i < end; i++) {
            int c = (unsigned char)p[i];
            if (!isxdigit(c))
                return -EINVAL;
            v = v << 4 | (uint32_t)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
        }
        for (unsigned b = 0; b < 32; b++) {
            if (!(v >> b & 1))
                continue;
            unsigned bit = word * 32 + b;
            if (bit >= nbits)
                return -ERANGE;
            np_bits_set(w, nbits, bit);
        }
        word++;
        if (start == 0)
            break;
        end = start - 1;
    }
    return 0;
}

int np_bits_format_list(const uint64_t *w, unsigned nbits, char *buf, size_t bufsz)
{
    size_t len = 0;
    if (bufsz == 0)
        return -E2BIG;
    buf[0] = '\0';
    int b = np_bits_next(w, nbits, 0);
    while (b >= 0) {
        int e = b;
        while ((unsigned)e + 1 < nbits && np_bits_test(w, nbits, (unsigned)e + 1))
            e++;
        int n = e > b ? snprintf(buf + len, bufsz - len, "%s%d-%d", len ? "," : "", b, e)
                      : snprintf(buf + len, bufsz - len, "%s%d", len ? "," : "", b);
        if (n < 0 || (size_t)n >= bufsz - len) {
            buf[len] = '\0';
            return -E2BIG;
        }
        len += (size_t)n;
        b = (unsigned)e + 1 < nbits ? np_bits_next(w, nbits, (unsigned)e + 1) : -1;
    }
    return 0;
}
