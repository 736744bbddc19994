/*
 * strbuf.h — a growable text buffer for the server's generated text (metrics pages, log
 * lines, messages). Appending never aborts: after an allocation failure the buffer is marked
 * failed, further appends are ignored, and the owner checks `failed` once at the end.
 */
#ifndef WG_SERVER_STRBUF_H
#define WG_SERVER_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct wgsrv_strbuf {
    char *data; /* NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    bool failed;
} wgsrv_strbuf;

void wgsrv_strbuf_append(wgsrv_strbuf *b, const char *s, size_t n);
void wgsrv_strbuf_puts(wgsrv_strbuf *b, const char *s);
void wgsrv_strbuf_printf(wgsrv_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends s as the inside of a JSON string (quotes not included). */
void wgsrv_strbuf_json_escape(wgsrv_strbuf *b, const char *s);
void wgsrv_strbuf_free(wgsrv_strbuf *b);

#endif /* WG_SERVER_STRBUF_H */
