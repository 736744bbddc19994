/*
 * metrics.h — the server's Prometheus metrics: counters and latency histograms updated by
 * every request thread with relaxed atomics (no lock on the request path), and rendered in
 * the Prometheus text exposition format (version 0.0.4) for GET /metrics.
 *
 * Per-module series are keyed by module name and outlive configuration reloads, so a
 * module's counters keep counting across a reload (Prometheus counters must not go back).
 * Entries are created when a configuration is loaded (under a mutex) and never removed
 * while the server runs; a request thread only follows a pointer its configuration holds.
 */
#ifndef WG_SERVER_METRICS_H
#define WG_SERVER_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/abi.h"

/* The routes, as metric labels. */
typedef enum wgsrv_endpoint {
    WGSRV_EP_AUTHENTICATE = 0,
    WGSRV_EP_AUTHORIZE,
    WGSRV_EP_VALIDATE,
    WGSRV_EP_MUTATE,
    WGSRV_EP_VALIDATE_ONE,
    WGSRV_EP_MUTATE_ONE,
    WGSRV_EP_HEALTHZ,
    WGSRV_EP_READYZ,
    WGSRV_EP_METRICS,
    WGSRV_EP_OTHER, /* unknown paths (404) */
    WGSRV_EP_COUNT
} wgsrv_endpoint;

/* "/authenticate", ..., "/validate/{name}", ..., "other". */
const char *wgsrv_endpoint_name(wgsrv_endpoint ep);

/* What a review endpoint decided, as a metric label. */
typedef enum wgsrv_decision {
    WGSRV_DECISION_NONE = 0, /* not a decision: an error reply, or a non-review endpoint */
    WGSRV_DECISION_ALLOWED,
    WGSRV_DECISION_DENIED,
    WGSRV_DECISION_NO_OPINION, /* authorization: neither allowed nor denied */
    WGSRV_DECISION_AUTHENTICATED,
    WGSRV_DECISION_UNAUTHENTICATED,
    WGSRV_DECISION_COUNT
} wgsrv_decision;

const char *wgsrv_decision_name(wgsrv_decision d);

/* Latency buckets in seconds, chosen around the targets (p99 < 2 ms, < 10 ms) and the
 * default module timeout (2 s). */
#define WGSRV_HISTOGRAM_BUCKETS 14

typedef struct wgsrv_histogram {
    _Atomic uint64_t buckets[WGSRV_HISTOGRAM_BUCKETS]; /* non-cumulative; summed on render */
    _Atomic uint64_t count;
    _Atomic uint64_t sum_ns;
} wgsrv_histogram;

void wgsrv_histogram_observe(wgsrv_histogram *h, uint64_t ns);

/* Status codes counted individually; anything else counts as "other". */
#define WGSRV_CODE_SLOTS 13

/* How module calls ended: one slot per wgabi_status. */
#define WGSRV_CALL_RESULTS 9

typedef struct wgsrv_module_metrics {
    char *name;
    wgsrv_histogram latency;
    _Atomic uint64_t results[WGSRV_CALL_RESULTS];
    _Atomic uint64_t fuel_used;
    struct wgsrv_module_metrics *next;
} wgsrv_module_metrics;

typedef struct wgsrv_metrics wgsrv_metrics;

wgsrv_metrics *wgsrv_metrics_new(void);
void wgsrv_metrics_free(wgsrv_metrics *m);

/* The series of one module, created on first use. NULL when out of memory. */
wgsrv_module_metrics *wgsrv_metrics_module(wgsrv_metrics *m, const char *name);

/* One finished HTTP request. */
void wgsrv_metrics_request(wgsrv_metrics *m, wgsrv_endpoint ep, int http_status,
                           wgsrv_decision decision, uint64_t duration_ns);

/* One module call (status is how it ended). */
void wgsrv_metrics_call(wgsrv_module_metrics *mm, wgabi_status status, uint64_t duration_ns,
                        uint64_t fuel_used);

/* A reload attempt (not the first load); a successful one sets the generation gauge. */
void wgsrv_metrics_reload(wgsrv_metrics *m, bool ok, uint64_t generation);
/* The first configuration is serving. */
void wgsrv_metrics_first_load(wgsrv_metrics *m, uint64_t generation);
void wgsrv_metrics_inflight(wgsrv_metrics *m, int delta);
/* Connections refused before HTTP: reason "plain_http" (HTTP on the TLS port),
 * "client_certificate" (missing or unverifiable), "idle" (nothing sent in time). */
void wgsrv_metrics_rejected(wgsrv_metrics *m, const char *reason);

/* Renders everything; returns a malloc'd NUL-terminated text (length in *len), or NULL when
 * out of memory. */
char *wgsrv_metrics_render(wgsrv_metrics *m, size_t *len);

#endif /* WG_SERVER_METRICS_H */
