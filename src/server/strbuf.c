/*
 * strbuf.c — the growable text buffer of strbuf.h.
 */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(wgsrv_strbuf *b, size_t extra)
{
    if (b->failed) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *grown = realloc(b->data, cap);
    if (!grown) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void wgsrv_strbuf_append(wgsrv_strbuf *b, const char *s, size_t n)
{
    if (!reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void wgsrv_strbuf_puts(wgsrv_strbuf *b, const char *s)
{
    wgsrv_strbuf_append(b, s, strlen(s));
}

void wgsrv_strbuf_printf(wgsrv_strbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        wgsrv_strbuf_append(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence starting at p, or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *p)
{
    size_t n;
    unsigned min;
    unsigned cp;
    if (*p < 0x80) return 1;
    if ((*p & 0xe0) == 0xc0)
        n = 2, cp = *p & 0x1f, min = 0x80;
    else if ((*p & 0xf0) == 0xe0)
        n = 3, cp = *p & 0x0f, min = 0x800;
    else if ((*p & 0xf8) == 0xf0)
        n = 4, cp = *p & 0x07, min = 0x10000;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

void wgsrv_strbuf_json_escape(wgsrv_strbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        switch (*p) {
        case '"':
            wgsrv_strbuf_append(b, "\\\"", 2);
            p++;
            continue;
        case '\\':
            wgsrv_strbuf_append(b, "\\\\", 2);
            p++;
            continue;
        case '\n':
            wgsrv_strbuf_append(b, "\\n", 2);
            p++;
            continue;
        case '\r':
            wgsrv_strbuf_append(b, "\\r", 2);
            p++;
            continue;
        case '\t':
            wgsrv_strbuf_append(b, "\\t", 2);
            p++;
            continue;
        default: break;
        }
        if (*p < 0x20) {
            wgsrv_strbuf_printf(b, "\\u%04x", *p);
            p++;
            continue;
        }
        /* Text from modules may be any bytes; a log line must stay valid JSON. */
        size_t n = utf8_sequence(p);
        if (n == 0) {
            wgsrv_strbuf_puts(b, "\\ufffd");
            p++;
        } else {
            wgsrv_strbuf_append(b, (const char *)p, n);
            p += n;
        }
    }
}

void wgsrv_strbuf_free(wgsrv_strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}
