/*
 * strbuf.h — the growable text buffer for the server's generated text (metrics pages, log
 * lines, messages). It is the Kubernetes layer's buffer (k8s_buf.h) under the server's
 * names: appending never aborts; after an allocation failure the buffer is marked failed,
 * further appends are ignored, and the owner checks `failed` once at the end. This header
 * adds the JSON escaping the log lines need.
 */
#ifndef WG_SERVER_STRBUF_H
#define WG_SERVER_STRBUF_H

#include "k8s_buf.h"

/* data is NUL-terminated when len > 0; a zeroed buffer is an empty one. */
typedef wgk8s_buf wgsrv_strbuf;

#define wgsrv_strbuf_append wgk8s_buf_append
#define wgsrv_strbuf_puts   wgk8s_buf_puts
#define wgsrv_strbuf_printf wgk8s_buf_printf
#define wgsrv_strbuf_free   wgk8s_buf_free

/* Appends s as the inside of a JSON string (quotes not included). */
void wgsrv_strbuf_json_escape(wgsrv_strbuf *b, const char *s);

#endif /* WG_SERVER_STRBUF_H */
