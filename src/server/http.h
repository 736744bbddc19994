/*
 * http.h — the HTTPS front end: libmicrohttpd with a worker thread per core, routing, request
 * bodies, limits, client certificates, replies, the decision log line and request metrics.
 *
 * The configuration serving requests is a reference-counted runtime (runtime.h) that can be
 * swapped at any time: each request takes a reference when it starts and drops it when it
 * ends, so a request runs start to finish on one configuration and a replaced configuration
 * is freed by whichever request finishes last on it.
 */
#ifndef WG_SERVER_HTTP_H
#define WG_SERVER_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "runtime.h"
#include "tls.h"

typedef struct wgsrv_http_options {
    const char *host;
    uint16_t port;
    unsigned workers; /* threads in MHD's pool; 0 = one per CPU */
    unsigned idle_timeout_s;
    unsigned max_connections;
    const wgsrv_tls *tls;
} wgsrv_http_options;

typedef struct wgsrv_http wgsrv_http;

/* Binds, starts the workers and the acceptor. `bound` receives "address:port". Requests are
 * answered 503 until a runtime is set. */
wgsrv_http *wgsrv_http_start(const wgsrv_http_options *opts, wgsrv_metrics *metrics, char *bound,
                             size_t boundsz, char *err, size_t errsz);

/* Makes rt (whose reference the server takes over) the serving configuration and releases
 * the previous one. */
void wgsrv_http_set_runtime(wgsrv_http *h, wgsrv_runtime *rt);

/* A new reference to the serving runtime (NULL before one is set). */
wgsrv_runtime *wgsrv_http_acquire(wgsrv_http *h);

/* The number of worker threads actually started. */
unsigned wgsrv_http_workers(const wgsrv_http *h);

/*
 * Graceful stop: /readyz turns 503, new connections are refused, replies carry
 * "Connection: close", and requests in flight may finish for up to grace_s seconds. Then the
 * workers stop, every connection is closed and everything is freed.
 */
void wgsrv_http_stop(wgsrv_http *h, unsigned grace_s);

#endif /* WG_SERVER_HTTP_H */
