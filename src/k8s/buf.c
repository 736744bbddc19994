/*
 * buf.c — the growable text buffer of k8s_buf.h.
 */
#include "k8s_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool buf_reserve(wgk8s_buf *b, size_t extra)
{
    if (b->failed) return false;
    if (extra > (size_t)-1 - b->len - 1) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

bool wgk8s_buf_append(wgk8s_buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n)) return false;
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool wgk8s_buf_puts(wgk8s_buf *b, const char *s)
{
    return wgk8s_buf_append(b, s, strlen(s));
}

bool wgk8s_buf_printf(wgk8s_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return false;
    }
    if ((size_t)n < sizeof small) return wgk8s_buf_append(b, small, (size_t)n);
    if (!buf_reserve(b, (size_t)n)) return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

void wgk8s_buf_truncate(wgk8s_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

char *wgk8s_buf_take(wgk8s_buf *b, size_t *len)
{
    if (b->failed) {
        wgk8s_buf_free(b);
        return NULL;
    }
    if (!b->data && !buf_reserve(b, 0)) return NULL;
    if (b->len == 0) b->data[0] = '\0';
    char *p = b->data;
    if (len) *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void wgk8s_buf_free(wgk8s_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}
