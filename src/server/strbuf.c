/*
 * strbuf.c — JSON escaping for the server's text buffer (strbuf.h); the buffer itself is the
 * Kubernetes layer's (k8s_buf.h).
 */
#include "strbuf.h"

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
