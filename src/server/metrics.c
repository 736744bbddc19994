/*
 * metrics.c — Prometheus counters and histograms (see metrics.h).
 *
 * Everything on the request path is a relaxed atomic add: counters need no ordering with
 * respect to each other, only that no increment is lost. Rendering reads the same atomics,
 * so a scrape may see a histogram's count and buckets from slightly different instants —
 * the usual (and accepted) Prometheus trade-off for lock-free instrumentation.
 */
#include "metrics.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strbuf.h"

static const double bucket_bounds[WGSRV_HISTOGRAM_BUCKETS] = {
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

static const int code_slots[WGSRV_CODE_SLOTS] = {200, 400, 401, 403, 404,           405, 408,
                                                 413, 415, 500, 503, 0 /* other */, -1};

#define REJECT_REASONS 3
static const char *const reject_names[REJECT_REASONS] = {"plain_http", "client_certificate",
                                                         "idle"};

struct wgsrv_metrics {
    _Atomic uint64_t requests[WGSRV_EP_COUNT][WGSRV_CODE_SLOTS];
    _Atomic uint64_t decisions[WGSRV_EP_COUNT][WGSRV_DECISION_COUNT];
    wgsrv_histogram latency[WGSRV_EP_COUNT];
    _Atomic uint64_t reloads_ok, reloads_failed;
    _Atomic uint64_t generation;
    _Atomic uint64_t last_reload_unix; /* seconds */
    _Atomic int64_t inflight;
    _Atomic uint64_t rejected[REJECT_REASONS];
    uint64_t start_unix;

    pthread_mutex_t lock; /* guards the module list's shape, not the counters */
    wgsrv_module_metrics *modules;
};

const char *wgsrv_endpoint_name(wgsrv_endpoint ep)
{
    static const char *const names[WGSRV_EP_COUNT] = {
        "/authenticate",  "/authorize", "/validate", "/mutate",  "/validate/{name}",
        "/mutate/{name}", "/healthz",   "/readyz",   "/metrics", "other"};
    return (unsigned)ep < WGSRV_EP_COUNT ? names[ep] : "other";
}

/* The slot of a call's status in wgsrv_module_metrics.results. */
static unsigned call_result_slot(wgabi_status status)
{
    return (unsigned)status < WGSRV_CALL_RESULTS ? (unsigned)status : WGABI_ERROR;
}

const char *wgsrv_decision_name(wgsrv_decision d)
{
    static const char *const names[WGSRV_DECISION_COUNT] = {
        "none", "allowed", "denied", "no_opinion", "authenticated", "unauthenticated"};
    return (unsigned)d < WGSRV_DECISION_COUNT ? names[d] : "none";
}

void wgsrv_histogram_observe(wgsrv_histogram *h, uint64_t ns)
{
    double s = (double)ns / 1e9;
    size_t i = 0;
    while (i < WGSRV_HISTOGRAM_BUCKETS && s > bucket_bounds[i])
        i++;
    /* Past the last bound the observation only counts towards +Inf (count). */
    if (i < WGSRV_HISTOGRAM_BUCKETS)
        atomic_fetch_add_explicit(&h->buckets[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_ns, ns, memory_order_relaxed);
}

wgsrv_metrics *wgsrv_metrics_new(void)
{
    wgsrv_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return NULL;
    }
    m->start_unix = (uint64_t)time(NULL);
    return m;
}

void wgsrv_metrics_free(wgsrv_metrics *m)
{
    if (!m) return;
    wgsrv_module_metrics *mm = m->modules;
    while (mm) {
        wgsrv_module_metrics *next = mm->next;
        free(mm->name);
        free(mm);
        mm = next;
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

wgsrv_module_metrics *wgsrv_metrics_module(wgsrv_metrics *m, const char *name)
{
    pthread_mutex_lock(&m->lock);
    wgsrv_module_metrics **tail = &m->modules;
    for (wgsrv_module_metrics *mm = m->modules; mm; mm = mm->next) {
        if (strcmp(mm->name, name) == 0) {
            pthread_mutex_unlock(&m->lock);
            return mm;
        }
        tail = &mm->next;
    }
    wgsrv_module_metrics *mm = calloc(1, sizeof *mm);
    size_t n = strlen(name) + 1;
    char *copy = malloc(n);
    if (!mm || !copy) {
        free(mm);
        free(copy);
        pthread_mutex_unlock(&m->lock);
        return NULL;
    }
    memcpy(copy, name, n);
    mm->name = copy;
    *tail = mm; /* appended, so the page lists modules in the order they first appeared */
    pthread_mutex_unlock(&m->lock);
    return mm;
}

static size_t code_slot(int status)
{
    for (size_t i = 0; i + 2 < WGSRV_CODE_SLOTS; i++)
        if (code_slots[i] == status) return i;
    return WGSRV_CODE_SLOTS - 2;
}

void wgsrv_metrics_request(wgsrv_metrics *m, wgsrv_endpoint ep, int http_status,
                           wgsrv_decision decision, uint64_t duration_ns)
{
    if ((unsigned)ep >= WGSRV_EP_COUNT) ep = WGSRV_EP_OTHER;
    atomic_fetch_add_explicit(&m->requests[ep][code_slot(http_status)], 1, memory_order_relaxed);
    if (decision != WGSRV_DECISION_NONE && (unsigned)decision < WGSRV_DECISION_COUNT)
        atomic_fetch_add_explicit(&m->decisions[ep][decision], 1, memory_order_relaxed);
    wgsrv_histogram_observe(&m->latency[ep], duration_ns);
}

void wgsrv_metrics_call(wgsrv_module_metrics *mm, wgabi_status status, uint64_t duration_ns,
                        uint64_t fuel_used)
{
    if (!mm) return;
    atomic_fetch_add_explicit(&mm->results[call_result_slot(status)], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&mm->fuel_used, fuel_used, memory_order_relaxed);
    wgsrv_histogram_observe(&mm->latency, duration_ns);
}

void wgsrv_metrics_reload(wgsrv_metrics *m, bool ok, uint64_t generation)
{
    if (ok) {
        atomic_fetch_add_explicit(&m->reloads_ok, 1, memory_order_relaxed);
        atomic_store_explicit(&m->generation, generation, memory_order_relaxed);
        atomic_store_explicit(&m->last_reload_unix, (uint64_t)time(NULL), memory_order_relaxed);
    } else {
        atomic_fetch_add_explicit(&m->reloads_failed, 1, memory_order_relaxed);
    }
}

void wgsrv_metrics_first_load(wgsrv_metrics *m, uint64_t generation)
{
    atomic_store_explicit(&m->generation, generation, memory_order_relaxed);
    atomic_store_explicit(&m->last_reload_unix, (uint64_t)time(NULL), memory_order_relaxed);
}

void wgsrv_metrics_inflight(wgsrv_metrics *m, int delta)
{
    atomic_fetch_add_explicit(&m->inflight, delta, memory_order_relaxed);
}

void wgsrv_metrics_rejected(wgsrv_metrics *m, const char *reason)
{
    for (size_t i = 0; i < REJECT_REASONS; i++)
        if (strcmp(reason, reject_names[i]) == 0)
            atomic_fetch_add_explicit(&m->rejected[i], 1, memory_order_relaxed);
}

/* ---- Rendering -------------------------------------------------------------------------- */

static uint64_t load(_Atomic uint64_t *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

/* Label values are escaped as the exposition format requires (backslash, quote, newline). */
static void label_value(wgsrv_strbuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            wgsrv_strbuf_puts(b, "\\\\");
        else if (*s == '"')
            wgsrv_strbuf_puts(b, "\\\"");
        else if (*s == '\n')
            wgsrv_strbuf_puts(b, "\\n");
        else
            wgsrv_strbuf_append(b, s, 1);
    }
}

static void render_histogram(wgsrv_strbuf *b, const char *metric, const char *label,
                             const char *value, wgsrv_histogram *h)
{
    uint64_t cumulative = 0;
    for (size_t i = 0; i < WGSRV_HISTOGRAM_BUCKETS; i++) {
        cumulative += load(&h->buckets[i]);
        wgsrv_strbuf_printf(b, "%s_bucket{%s=\"", metric, label);
        label_value(b, value);
        wgsrv_strbuf_printf(b, "\",le=\"%g\"} %llu\n", bucket_bounds[i],
                            (unsigned long long)cumulative);
    }
    uint64_t count = load(&h->count);
    if (count < cumulative) count = cumulative; /* a scrape racing an observation */
    wgsrv_strbuf_printf(b, "%s_bucket{%s=\"", metric, label);
    label_value(b, value);
    wgsrv_strbuf_printf(b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)count);
    wgsrv_strbuf_printf(b, "%s_sum{%s=\"", metric, label);
    label_value(b, value);
    wgsrv_strbuf_printf(b, "\"} %.9f\n", (double)load(&h->sum_ns) / 1e9);
    wgsrv_strbuf_printf(b, "%s_count{%s=\"", metric, label);
    label_value(b, value);
    wgsrv_strbuf_printf(b, "\"} %llu\n", (unsigned long long)count);
}

char *wgsrv_metrics_render(wgsrv_metrics *m, size_t *len)
{
    wgsrv_strbuf b = {0};

    wgsrv_strbuf_puts(&b, "# HELP wasmgate_requests_total HTTP requests by endpoint and status "
                          "code.\n# TYPE wasmgate_requests_total counter\n");
    for (int ep = 0; ep < WGSRV_EP_COUNT; ep++) {
        for (size_t s = 0; s + 1 < WGSRV_CODE_SLOTS; s++) {
            uint64_t v = load(&m->requests[ep][s]);
            if (!v) continue; /* series appear when first used */
            if (code_slots[s])
                wgsrv_strbuf_printf(&b,
                                    "wasmgate_requests_total{endpoint=\"%s\",code=\"%d\"} %llu\n",
                                    wgsrv_endpoint_name(ep), code_slots[s], (unsigned long long)v);
            else
                wgsrv_strbuf_printf(
                    &b, "wasmgate_requests_total{endpoint=\"%s\",code=\"other\"} %llu\n",
                    wgsrv_endpoint_name(ep), (unsigned long long)v);
        }
    }

    wgsrv_strbuf_puts(&b, "# HELP wasmgate_decisions_total Review decisions by endpoint.\n"
                          "# TYPE wasmgate_decisions_total counter\n");
    for (int ep = 0; ep < WGSRV_EP_COUNT; ep++)
        for (int d = 1; d < WGSRV_DECISION_COUNT; d++) {
            uint64_t v = load(&m->decisions[ep][d]);
            if (v)
                wgsrv_strbuf_printf(
                    &b, "wasmgate_decisions_total{endpoint=\"%s\",decision=\"%s\"} %llu\n",
                    wgsrv_endpoint_name(ep), wgsrv_decision_name(d), (unsigned long long)v);
        }

    wgsrv_strbuf_puts(&b, "# HELP wasmgate_request_duration_seconds Time from the first byte "
                          "of a request's body to the reply, by endpoint.\n"
                          "# TYPE wasmgate_request_duration_seconds histogram\n");
    for (int ep = 0; ep < WGSRV_EP_COUNT; ep++)
        if (load(&m->latency[ep].count))
            render_histogram(&b, "wasmgate_request_duration_seconds", "endpoint",
                             wgsrv_endpoint_name(ep), &m->latency[ep]);

    pthread_mutex_lock(&m->lock);
    wgsrv_module_metrics *modules = m->modules;
    pthread_mutex_unlock(&m->lock);
    /* Entries are never removed and `next` is written before an entry is linked in under
     * the lock, so the list can be walked after taking its head. */

    wgsrv_strbuf_puts(&b, "# HELP wasmgate_module_duration_seconds Time of one module call, "
                          "instantiation included.\n"
                          "# TYPE wasmgate_module_duration_seconds histogram\n");
    for (wgsrv_module_metrics *mm = modules; mm; mm = mm->next)
        render_histogram(&b, "wasmgate_module_duration_seconds", "module", mm->name, &mm->latency);

    wgsrv_strbuf_puts(&b, "# HELP wasmgate_module_calls_total Module calls by how they ended "
                          "(ok, trap, timeout, fuel_exhausted, memory_limit, exit, guest_error, "
                          "output_limit, error).\n# TYPE wasmgate_module_calls_total counter\n");
    for (wgsrv_module_metrics *mm = modules; mm; mm = mm->next)
        for (int r = 0; r < WGSRV_CALL_RESULTS; r++) {
            wgsrv_strbuf_puts(&b, "wasmgate_module_calls_total{module=\"");
            label_value(&b, mm->name);
            wgsrv_strbuf_printf(&b, "\",result=\"%s\"} %llu\n",
                                wgabi_status_label((wgabi_status)r),
                                (unsigned long long)load(&mm->results[r]));
        }

    wgsrv_strbuf_puts(&b, "# HELP wasmgate_module_fuel_used_total Fuel consumed by a module's "
                          "calls.\n# TYPE wasmgate_module_fuel_used_total counter\n");
    for (wgsrv_module_metrics *mm = modules; mm; mm = mm->next) {
        wgsrv_strbuf_puts(&b, "wasmgate_module_fuel_used_total{module=\"");
        label_value(&b, mm->name);
        wgsrv_strbuf_printf(&b, "\"} %llu\n", (unsigned long long)load(&mm->fuel_used));
    }

    wgsrv_strbuf_printf(&b,
                        "# HELP wasmgate_config_reloads_total Configuration loads after the "
                        "first, by result.\n# TYPE wasmgate_config_reloads_total counter\n"
                        "wasmgate_config_reloads_total{result=\"success\"} %llu\n"
                        "wasmgate_config_reloads_total{result=\"failure\"} %llu\n",
                        (unsigned long long)load(&m->reloads_ok),
                        (unsigned long long)load(&m->reloads_failed));
    wgsrv_strbuf_printf(
        &b,
        "# HELP wasmgate_config_generation Generation of the configuration "
        "serving requests (1 = the first one loaded).\n"
        "# TYPE wasmgate_config_generation gauge\nwasmgate_config_generation %llu\n",
        (unsigned long long)load(&m->generation));
    wgsrv_strbuf_printf(&b,
                        "# HELP wasmgate_config_last_reload_success_timestamp_seconds When the "
                        "serving configuration was loaded.\n"
                        "# TYPE wasmgate_config_last_reload_success_timestamp_seconds gauge\n"
                        "wasmgate_config_last_reload_success_timestamp_seconds %llu\n",
                        (unsigned long long)load(&m->last_reload_unix));
    wgsrv_strbuf_printf(
        &b,
        "# HELP wasmgate_inflight_requests Requests being processed.\n"
        "# TYPE wasmgate_inflight_requests gauge\nwasmgate_inflight_requests %lld\n",
        (long long)atomic_load_explicit(&m->inflight, memory_order_relaxed));
    wgsrv_strbuf_puts(&b, "# HELP wasmgate_connections_rejected_total Connections closed before "
                          "any HTTP exchange, by reason.\n"
                          "# TYPE wasmgate_connections_rejected_total counter\n");
    for (size_t i = 0; i < REJECT_REASONS; i++)
        wgsrv_strbuf_printf(&b, "wasmgate_connections_rejected_total{reason=\"%s\"} %llu\n",
                            reject_names[i], (unsigned long long)load(&m->rejected[i]));
    wgsrv_strbuf_printf(
        &b,
        "# HELP wasmgate_start_time_seconds When the process started.\n"
        "# TYPE wasmgate_start_time_seconds gauge\nwasmgate_start_time_seconds %llu\n",
        (unsigned long long)m->start_unix);

    if (b.failed) {
        wgsrv_strbuf_free(&b);
        return NULL;
    }
    if (len) *len = b.len;
    return b.data;
}
