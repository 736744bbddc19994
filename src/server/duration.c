/*
 * duration.c — Go-style duration parsing for `?timeout=` (see duration.h).
 */
#include "duration.h"

#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000ull
#define MAX_NS   (3600ull * NS_PER_S)

bool wgsrv_parse_duration(const char *text, uint64_t *ns, char *err, size_t errsz)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {{"ns", 1},       {"us", 1000},         {"\xc2\xb5s", 1000},   {"ms", 1000000},
                 {"s", NS_PER_S}, {"m", 60 * NS_PER_S}, {"h", 3600 * NS_PER_S}};
    const char *p = text;
    if (!*p) {
        snprintf(err, errsz, "timeout: empty; expected a duration such as 10s or 500ms");
        return false;
    }
    /* Sums in long double: "1.5s" and "0.000001ms" must not lose precision, and the cap
     * keeps the sum far from overflow. */
    long double total = 0;
    bool bare = true;
    while (*p) {
        long double whole = 0, frac = 0, scale = 1;
        bool digits = false;
        while (*p >= '0' && *p <= '9') {
            whole = whole * 10 + (*p++ - '0');
            digits = true;
            if (whole > 1e15L) goto invalid;
        }
        if (*p == '.') {
            p++;
            while (*p >= '0' && *p <= '9') {
                scale /= 10;
                frac += (*p++ - '0') * scale;
                digits = true;
            }
        }
        if (!digits) goto invalid;
        uint64_t unit = 0;
        size_t ulen = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t n = strlen(units[i].name);
            /* Longest match: "ms" before "m", "ns" before... */
            if (strncmp(p, units[i].name, n) == 0 && n > ulen) {
                unit = units[i].ns;
                ulen = n;
            }
        }
        if (!unit) {
            /* Only a whole value without any unit may be bare seconds: "10". */
            if (*p == '\0' && bare && p != text) {
                total += (whole + frac) * NS_PER_S;
                break;
            }
            goto invalid;
        }
        bare = false;
        p += ulen;
        total += (whole + frac) * (long double)unit;
        if (total > (long double)MAX_NS) total = (long double)MAX_NS + 1;
    }
    *ns = total > (long double)MAX_NS ? MAX_NS : (uint64_t)total;
    return true;

invalid:
    snprintf(err, errsz, "timeout: \"%.40s\" is not a duration (expected e.g. 10s, 500ms, 1m30s)",
             text);
    return false;
}
