/*
 * util.c — small helpers of the ABI layer: status mapping, messages, making guest text safe
 * for messages and log lines, copying bytes, and export and function-type checks.
 *
 * Nothing here knows about a particular ABI.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_internal.h"

wgabi_status abi_status_of(wgsb_status st)
{
    switch (st) {
    case WGSB_OK: return WGABI_OK;
    case WGSB_TRAP: return WGABI_TRAP;
    case WGSB_TIMEOUT: return WGABI_TIMEOUT;
    case WGSB_FUEL: return WGABI_FUEL;
    case WGSB_MEMORY_LIMIT: return WGABI_MEMORY_LIMIT;
    case WGSB_EXIT: return WGABI_EXIT;
    case WGSB_OUTPUT_LIMIT: return WGABI_OUTPUT_LIMIT;
    case WGSB_ERROR: return WGABI_ERROR;
    }
    return WGABI_ERROR;
}

wgabi_status abi_fail(wgabi_result *r, wgabi_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    r->status = status;
    return status;
}

void abi_message_append(wgabi_result *r, const char *fmt, ...)
{
    size_t used = strlen(r->message);
    if (used + 1 >= sizeof r->message) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message + used, sizeof r->message - used, fmt, ap);
    va_end(ap);
}

void abi_seterr(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || !errsz) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

/*
 * Length of the valid UTF-8 sequence starting at s (at most n bytes available), or 0 when
 * the bytes there are not one. Overlong forms, surrogates and code points past U+10FFFF are
 * invalid, as in RFC 3629: jansson refuses such strings, so a message holding them could
 * not even be put into a reply.
 */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

char *abi_clean_text(char *dst, size_t dstsz, const void *src, size_t len)
{
    if (!dst || !dstsz) return dst;
    const unsigned char *s = src;
    /* Every byte maps to one byte, so the cleaned text is as long as the original. */
    bool cut = len + 1 > dstsz;
    size_t limit = cut ? (dstsz > 4 ? dstsz - 4 : 0) : len; /* room for "..." and the NUL */
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_sequence(s + i, len - i);
        size_t out = n ? n : 1;
        if (i + out > limit) break; /* never split a character */
        if (n == 1 && (s[i] < 0x20 || s[i] == 0x7f))
            dst[i] = ' ';
        else if (n == 0)
            dst[i] = '?';
        else
            memcpy(dst + i, s + i, n);
        i += out;
    }
    if (cut && dstsz > 4) {
        memcpy(dst + i, "...", 3);
        i += 3;
    }
    dst[i] = '\0';
    return dst;
}

char *abi_quote(char *dst, size_t dstsz, const void *src, size_t len)
{
    if (!dst || dstsz < 8) {
        if (dst && dstsz) dst[0] = '\0';
        return dst;
    }
    const unsigned char *s = src;
    size_t used = 0;
    dst[used++] = '"';
    for (size_t i = 0; i < len; i++) {
        char esc[5];
        size_t n;
        switch (s[i]) {
        case '"': n = 2, memcpy(esc, "\\\"", 2); break;
        case '\\': n = 2, memcpy(esc, "\\\\", 2); break;
        case '\n': n = 2, memcpy(esc, "\\n", 2); break;
        case '\r': n = 2, memcpy(esc, "\\r", 2); break;
        case '\t': n = 2, memcpy(esc, "\\t", 2); break;
        default:
            if (s[i] < 0x20 || s[i] >= 0x7f) {
                /* Non-ASCII bytes too: a log line must stay plain text whatever the guest sent. */
                snprintf(esc, sizeof esc, "\\x%02x", s[i]);
                n = 4;
            } else {
                esc[0] = (char)s[i];
                n = 1;
            }
        }
        /* Keep room for "...", the closing quote and the NUL. */
        if (used + n + 5 > dstsz) {
            memcpy(dst + used, "...", 3);
            used += 3;
            break;
        }
        memcpy(dst + used, esc, n);
        used += n;
    }
    dst[used++] = '"';
    dst[used] = '\0';
    return dst;
}

bool abi_name_is(const char *name, size_t len, const char *want)
{
    return name && len == strlen(want) && memcmp(name, want, len) == 0;
}

static bool types_are(size_t count, wg_valtype (*get)(const wg_functype *, size_t),
                      const wg_functype *t, const char *want)
{
    if (count != strlen(want)) return false;
    for (size_t i = 0; i < count; i++) {
        wg_valtype expect;
        switch (want[i]) {
        case 'i': expect = WG_I32; break;
        case 'I': expect = WG_I64; break;
        case 'f': expect = WG_F32; break;
        case 'F': expect = WG_F64; break;
        default: return false;
        }
        if (get(t, i) != expect) return false;
    }
    return true;
}

bool abi_functype_is(const wg_functype *t, const char *params, const char *results)
{
    return t && types_are(wg_functype_param_count(t), wg_functype_param, t, params) &&
           types_are(wg_functype_result_count(t), wg_functype_result, t, results);
}

bool abi_exports_memory(const wg_module *wasm)
{
    for (size_t i = 0; i < wg_module_export_count(wasm); i++) {
        wg_extern_desc d;
        if (wg_module_export(wasm, i, &d) && d.kind == WG_EXTERN_MEMORY &&
            abi_name_is(d.name, d.name_len, "memory"))
            return true;
    }
    return false;
}

char *abi_copy_bytes(const void *data, size_t len)
{
    char *c = malloc(len + 1);
    if (!c) return NULL;
    if (len) memcpy(c, data, len);
    c[len] = '\0';
    return c;
}

bool abi_export_func(const wg_module *wasm, const char *name, const wg_functype **type)
{
    for (size_t i = 0; i < wg_module_export_count(wasm); i++) {
        wg_extern_desc d;
        if (!wg_module_export(wasm, i, &d) || !abi_name_is(d.name, d.name_len, name)) continue;
        if (d.kind != WG_EXTERN_FUNC) return false;
        if (type) *type = d.func_type;
        return true;
    }
    return false;
}

char *abi_functype_text(const wg_functype *t, char *buf, size_t bufsz)
{
    /* A hostile type may have a thousand parameters; the engine's formatter cuts safely. */
    return wg_functype_format(t, buf, bufsz);
}
