/*
 * k8s_buf.h — a growable text buffer, the one string builder of the Kubernetes layer and of
 * the server above it (src/server/strbuf.h builds on it).
 *
 * Not a public header: it is for src/k8s and the layers above it only, and depends on the C
 * library alone. Everything else the Kubernetes layer shares between its files stays in
 * k8s_internal.h, which nothing outside src/k8s includes.
 */
#ifndef WGK8S_BUF_H
#define WGK8S_BUF_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define WGK8S_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define WGK8S_PRINTF(fmt, args)
#endif

/* A byte buffer that remembers allocation failure, so a sequence of appends can be checked
 * once at the end: after a failure, further appends are ignored and return false. data is
 * always NUL-terminated once anything was appended. A zeroed buffer is an empty one. */
typedef struct wgk8s_buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} wgk8s_buf;

bool wgk8s_buf_append(wgk8s_buf *b, const char *s, size_t n);
bool wgk8s_buf_puts(wgk8s_buf *b, const char *s);
bool wgk8s_buf_printf(wgk8s_buf *b, const char *fmt, ...) WGK8S_PRINTF(2, 3);
/* Shrinks back to len bytes (a mark taken earlier); keeps the allocation. */
void wgk8s_buf_truncate(wgk8s_buf *b, size_t len);
/* Hands the data to the caller (who frees it); the buffer becomes empty. NULL if failed. */
char *wgk8s_buf_take(wgk8s_buf *b, size_t *len);
void wgk8s_buf_free(wgk8s_buf *b);

#endif /* WGK8S_BUF_H */
