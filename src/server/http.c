/*
 * http.c — the HTTPS front end (see http.h).
 *
 * Threading: MHD runs a pool of worker threads (one per core by default), each owning its
 * connections and calling handle_request() for them; a module runs on the worker that
 * received its request, so the pool size bounds how many module calls run at once. The
 * acceptor thread (acceptor.c) hands TLS connections to the pool. Shared state is the
 * serving runtime pointer (a mutex held only to copy it and take a reference), the draining
 * flag and counters (atomics).
 *
 * Request flow: first call (headers) → route, method, client certificate, Content-Type,
 * Content-Length, ?timeout= — any failure is answered at once, before the body is read;
 * then body chunks (size and read-deadline checks); then the last call evaluates
 * (evaluate.c), answers, logs the decision and counts it.
 */
#include "http.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "acceptor.h"
#include "duration.h"
#include "evaluate.h"
#include "log.h"
#include "wasmgate/wg.h"

struct wgsrv_http {
    struct MHD_Daemon *daemon;
    wgsrv_acceptor *acceptor;
    wgsrv_metrics *metrics;
    pthread_mutex_t rt_lock; /* guards `rt` while a request copies it and takes a reference */
    wgsrv_runtime *rt;
    _Atomic bool draining;
    _Atomic long inflight;
    bool client_certs;
    unsigned workers;
};

/* Per TLS connection: the client certificate is checked once, not on every request. */
typedef struct connection_state {
    bool checked;
    bool ok;
    char why[256];
} connection_state;

typedef struct request {
    wgsrv_endpoint ep;
    char module[160];  /* for /validate/{name} and /mutate/{name} */
    wgsrv_runtime *rt; /* a reference taken at the first call */
    uint64_t start_ns;
    uint64_t deadline_ns;      /* from ?timeout=, 0 = none */
    uint64_t read_deadline_ns; /* the whole body must have arrived by then */
    char *body;
    size_t len, cap;
    bool body_complete; /* the last call came: the whole body was read */
    bool responded;
    /* A problem found while the body was arriving. libmicrohttpd (0.9.x) cannot queue a
     * reply in the middle of an upload, so the rest of the body is discarded and the error
     * answered once it has arrived (413), or the connection is closed (read timeout). */
    int body_error;
    char body_error_msg[400];
    const char *body_error_allow; /* the Allow header of a deferred 405 */
    const char *abandoned;        /* why the connection was closed without a reply */
} request;

/* ---- The serving runtime --------------------------------------------------------------- */

wgsrv_runtime *wgsrv_http_acquire(wgsrv_http *h)
{
    pthread_mutex_lock(&h->rt_lock);
    wgsrv_runtime *rt = h->rt;
    if (rt) wgsrv_runtime_retain(rt);
    pthread_mutex_unlock(&h->rt_lock);
    return rt;
}

void wgsrv_http_set_runtime(wgsrv_http *h, wgsrv_runtime *rt)
{
    pthread_mutex_lock(&h->rt_lock);
    wgsrv_runtime *old = h->rt;
    h->rt = rt;
    pthread_mutex_unlock(&h->rt_lock);
    /* Requests still holding `old` keep it alive; the last of them frees it. */
    wgsrv_runtime_release(old);
}

unsigned wgsrv_http_workers(const wgsrv_http *h)
{
    return h->workers;
}

/* The endpoints that take a review (POST); the others are the GET ones and unknown paths. */
static bool is_review_endpoint(wgsrv_endpoint ep)
{
    return ep <= WGSRV_EP_MUTATE_ONE;
}

/* ---- Replies -------------------------------------------------------------------------- */

/* Queues a reply; takes ownership of body (malloc'd). */
static enum MHD_Result reply(wgsrv_http *h, struct MHD_Connection *c, request *r, int status,
                             char *body, size_t len, const char *content_type, const char *allow)
{
    static char fallback[] = "internal error: out of memory\n";
    struct MHD_Response *resp;
    if (body) {
        resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!resp) free(body);
    } else {
        status = 500;
        content_type = "text/plain; charset=utf-8";
        resp =
            MHD_create_response_from_buffer(sizeof fallback - 1, fallback, MHD_RESPMEM_PERSISTENT);
    }
    if (!resp) return MHD_NO; /* MHD closes the connection */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    /* While draining, keep-alive connections are closed after their reply so that clients
     * reconnect to another replica. An early reply (the body not read) must close too: the
     * unread body would otherwise be taken for the next request. */
    bool body_unread = r && is_review_endpoint(r->ep) && !r->body_complete;
    if (atomic_load(&h->draining) || body_unread)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    if (r) r->responded = true;
    return ret;
}

static enum MHD_Result reply_text(wgsrv_http *h, struct MHD_Connection *c, request *r, int status,
                                  const char *text)
{
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    if (copy) memcpy(copy, text, n + 1);
    return reply(h, c, r, status, copy, n, "text/plain; charset=utf-8", NULL);
}

/* Logs a request that got no decision (bad input, wrong method...). */
static void log_rejection(request *r, const char *path, int status, const char *message)
{
    if (!wgsrv_log_enabled(WGSRV_LOG_INFO)) return;
    wgsrv_strbuf b = {0};
    wgsrv_log_begin(&b, WGSRV_LOG_INFO, "rejected request");
    wgsrv_log_str(&b, "endpoint", wgsrv_endpoint_name(r->ep));
    wgsrv_log_str(&b, "path", path);
    wgsrv_log_int(&b, "code", status);
    wgsrv_log_str(&b, "message", message);
    wgsrv_log_ms(&b, "durationMs", wg_now_ns() - r->start_ns);
    wgsrv_log_end(&b);
}

/* An error reply before or instead of evaluation: a Kubernetes Status object. */
static enum MHD_Result reply_error(wgsrv_http *h, struct MHD_Connection *c, request *r,
                                   const char *path, int status, const char *message,
                                   const char *allow)
{
    size_t len = 0;
    char *body = wgsrv_status_body(status, message, &len);
    log_rejection(r, path, status, message);
    wgsrv_metrics_request(h->metrics, r->ep, status, WGSRV_DECISION_NONE,
                          wg_now_ns() - r->start_ns);
    return reply(h, c, r, status, body, len, "application/json", allow);
}

/*
 * Refuses a request once its body (if any) has been read. Answering before the body is read
 * would make the server close the connection with unread bytes, which can reset it before
 * the client reads the reply; bodies are bounded by maxBodyBytes and the read timeout, so
 * reading them is cheap. (413 for a declared Content-Length over the limit is the exception:
 * that body is not worth reading.)
 */
static enum MHD_Result refuse_after_body(request *r, int status, const char *message,
                                         const char *allow)
{
    r->body_error = status;
    snprintf(r->body_error_msg, sizeof r->body_error_msg, "%s", message);
    r->body_error_allow = allow;
    return MHD_YES;
}

/* ---- Routing --------------------------------------------------------------------------- */

static wgsrv_endpoint route(const char *url, char *module, size_t modsz)
{
    static const struct {
        const char *path;
        wgsrv_endpoint ep;
    } exact[] = {{"/authenticate", WGSRV_EP_AUTHENTICATE},
                 {"/authorize", WGSRV_EP_AUTHORIZE},
                 {"/validate", WGSRV_EP_VALIDATE},
                 {"/mutate", WGSRV_EP_MUTATE},
                 {"/healthz", WGSRV_EP_HEALTHZ},
                 {"/readyz", WGSRV_EP_READYZ},
                 {"/metrics", WGSRV_EP_METRICS}};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(url, exact[i].path) == 0) return exact[i].ep;
    const char *name = NULL;
    wgsrv_endpoint ep = WGSRV_EP_OTHER;
    if (strncmp(url, "/validate/", 10) == 0)
        name = url + 10, ep = WGSRV_EP_VALIDATE_ONE;
    else if (strncmp(url, "/mutate/", 8) == 0)
        name = url + 8, ep = WGSRV_EP_MUTATE_ONE;
    if (!name || !*name || strchr(name, '/') || strlen(name) >= modsz) return WGSRV_EP_OTHER;
    strcpy(module, name);
    return ep;
}

/* ---- GET endpoints --------------------------------------------------------------------- */

static enum MHD_Result serve_get(wgsrv_http *h, struct MHD_Connection *c, request *r)
{
    int status = 200;
    enum MHD_Result ret;
    if (r->ep == WGSRV_EP_HEALTHZ) {
        ret = reply_text(h, c, r, 200, "ok\n");
    } else if (r->ep == WGSRV_EP_READYZ) {
        if (atomic_load(&h->draining))
            status = 503, ret = reply_text(h, c, r, 503, "shutting down\n");
        else if (!r->rt)
            status = 503, ret = reply_text(h, c, r, 503, "no configuration loaded\n");
        else
            ret = reply_text(h, c, r, 200, "ok\n");
    } else {
        size_t len = 0;
        char *text = wgsrv_metrics_render(h->metrics, &len);
        if (!text) status = 500;
        ret = reply(h, c, r, 200, text, len, "text/plain; version=0.0.4; charset=utf-8", NULL);
    }
    wgsrv_metrics_request(h->metrics, r->ep, status, WGSRV_DECISION_NONE,
                          wg_now_ns() - r->start_ns);
    return ret;
}

/* ---- Review endpoints ------------------------------------------------------------------- */

static enum MHD_Result begin_review(wgsrv_http *h, struct MHD_Connection *c, request *r,
                                    const char *url)
{
    char msg[512];
    if (!r->rt) return refuse_after_body(r, 503, "no configuration loaded yet", NULL);

    if (h->client_certs) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        connection_state *cs = ci ? ci->socket_context : NULL;
        if (cs && !cs->checked) {
            const union MHD_ConnectionInfo *ti =
                MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
            cs->ok = ti && wgsrv_tls_verify_client((gnutls_session_t)ti->tls_session, cs->why,
                                                   sizeof cs->why);
            if (!ti) snprintf(cs->why, sizeof cs->why, "not a TLS connection");
            cs->checked = true;
            if (!cs->ok) wgsrv_metrics_rejected(h->metrics, "client_certificate");
        }
        if (!cs || !cs->ok)
            return refuse_after_body(r, 401, cs ? cs->why : "no connection state", NULL);
    }

    const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (ctype && strncasecmp(ctype, "application/json", 16) != 0) {
        snprintf(msg, sizeof msg, "Content-Type must be application/json, got \"%.100s\"", ctype);
        return refuse_after_body(r, 415, msg, NULL);
    }

    size_t max = r->rt->cfg->max_body_bytes;
    const char *clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (clen) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(clen, &end, 10);
        if (errno == 0 && *end == '\0' && n > max) {
            snprintf(msg, sizeof msg,
                     "the request body is %llu bytes; the limit is %zu (server.maxBodyBytes)", n,
                     max);
            return reply_error(h, c, r, url, 413, msg, NULL);
        }
    }

    const char *timeout = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "timeout");
    if (timeout) {
        uint64_t ns;
        if (!wgsrv_parse_duration(timeout, &ns, msg, sizeof msg))
            return refuse_after_body(r, 400, msg, NULL);
        r->deadline_ns = r->start_ns + ns;
    }
    return MHD_YES; /* now the body */
}

static enum MHD_Result take_body(wgsrv_http *h, struct MHD_Connection *c, request *r,
                                 const char *url, const char *data, size_t n)
{
    (void)h;
    (void)c;
    (void)url;
    if (wg_now_ns() > r->read_deadline_ns) {
        /* A client trickling its body (slowloris). Go's ReadTimeout does the same: close. */
        r->abandoned = "read timeout (server.readTimeoutSeconds)";
        return MHD_NO;
    }
    /* Discarded: the rest of an oversized or refused body, or a body sent to a GET endpoint. */
    if (r->body_error || !is_review_endpoint(r->ep)) return MHD_YES;
    size_t max = r->rt->cfg->max_body_bytes;
    if (n > max - r->len) {
        r->body_error = 413;
        snprintf(r->body_error_msg, sizeof r->body_error_msg,
                 "the request body exceeds %zu bytes (server.maxBodyBytes)", max);
        free(r->body);
        r->body = NULL;
        r->len = r->cap = 0;
        return MHD_YES;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 16384;
        while (cap < r->len + n + 1)
            cap *= 2;
        char *grown = realloc(r->body, cap);
        if (!grown) {
            r->body_error = 500;
            snprintf(r->body_error_msg, sizeof r->body_error_msg, "out of memory");
            return MHD_YES;
        }
        r->body = grown;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
    return MHD_YES;
}

/* The decision log line: one JSON object per review, naming every module that ran. */
static void log_decision(const request *r, const char *path, const wgsrv_outcome *o,
                         uint64_t duration_ns)
{
    wgsrv_log_level level = o->http_status == 200 ? WGSRV_LOG_INFO : WGSRV_LOG_WARN;
    if (!wgsrv_log_enabled(level)) return;
    wgsrv_strbuf b = {0};
    wgsrv_log_begin(&b, level, o->http_status == 200 ? "decision" : "rejected request");
    wgsrv_log_str(&b, "endpoint", wgsrv_endpoint_name(r->ep));
    wgsrv_log_str(&b, "path", path);
    wgsrv_log_int(&b, "code", o->http_status);
    if (o->decision != WGSRV_DECISION_NONE)
        wgsrv_log_str(&b, "decision", wgsrv_decision_name(o->decision));
    wgsrv_strbuf_puts(&b, ",\"modules\":[");
    for (size_t i = 0; i < o->ncalled; i++) {
        wgsrv_strbuf_puts(&b, i ? ",{\"name\":\"" : "{\"name\":\"");
        wgsrv_strbuf_json_escape(&b, o->called[i]);
        wgsrv_strbuf_printf(&b, "\",\"result\":\"%s\"}", o->call_status[i]);
    }
    wgsrv_strbuf_puts(&b, "]");
    wgsrv_log_ms(&b, "durationMs", duration_ns);
    wgsrv_log_str(&b, "kind", o->review_kind);
    wgsrv_log_str(&b, "uid", o->uid);
    wgsrv_log_str(&b, "objectKind", o->object_kind);
    wgsrv_log_str(&b, "operation", o->operation);
    wgsrv_log_str(&b, "namespace", o->namespace_);
    wgsrv_log_str(&b, "name", o->name);
    wgsrv_log_str(&b, "user", o->user);
    wgsrv_log_str(&b, "message", o->message);
    if (r->rt) wgsrv_log_int(&b, "generation", (long long)r->rt->generation);
    wgsrv_log_end(&b);
}

static enum MHD_Result finish_review(wgsrv_http *h, struct MHD_Connection *c, request *r,
                                     const char *url)
{
    wgsrv_outcome o;
    r->body_complete = true;
    wgsrv_evaluate(r->rt, r->ep, r->module[0] ? r->module : NULL, r->body ? r->body : "", r->len,
                   r->deadline_ns, &o);
    uint64_t took = wg_now_ns() - r->start_ns;
    log_decision(r, url, &o, took);
    wgsrv_metrics_request(h->metrics, r->ep, o.http_status, o.decision, took);
    char *body = o.body;
    o.body = NULL;
    enum MHD_Result ret = reply(h, c, r, o.http_status, body, o.body_len, "application/json", NULL);
    wgsrv_outcome_clear(&o);
    return ret;
}

/* ---- MHD callbacks --------------------------------------------------------------------- */

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version, const char *upload,
                                      size_t *upload_size, void **con_cls)
{
    wgsrv_http *h = cls;
    request *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        *con_cls = r;
        r->start_ns = wg_now_ns();
        atomic_fetch_add(&h->inflight, 1);
        wgsrv_metrics_inflight(h->metrics, 1);
        r->rt = wgsrv_http_acquire(h);
        unsigned read_s = r->rt ? r->rt->cfg->read_timeout_s : WGSRV_DEFAULT_READ_TIMEOUT_S;
        r->read_deadline_ns = r->start_ns + (uint64_t)read_s * 1000000000ull;
        r->ep = route(url, r->module, sizeof r->module);
        if (r->ep == WGSRV_EP_OTHER) {
            char msg[300];
            snprintf(msg, sizeof msg,
                     "no such endpoint: %.200s (POST /authenticate, /authorize, /validate, "
                     "/mutate, /validate/{name}, /mutate/{name}; GET /healthz, /readyz, /metrics)",
                     url);
            return refuse_after_body(r, 404, msg, NULL);
        }
        if (is_review_endpoint(r->ep)) {
            if (strcmp(method, "POST") != 0) {
                char msg[160];
                snprintf(msg, sizeof msg, "%.20s is not allowed on %s: use POST", method,
                         wgsrv_endpoint_name(r->ep));
                return refuse_after_body(r, 405, msg, "POST");
            }
            return begin_review(h, c, r, url);
        }
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "%.20s is not allowed on %s: use GET", method,
                     wgsrv_endpoint_name(r->ep));
            return refuse_after_body(r, 405, msg, "GET, HEAD");
        }
        return MHD_YES; /* answered on the next call, once any body is consumed */
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->responded) return MHD_YES;
        return take_body(h, c, r, url, upload, n);
    }
    if (r->responded) return MHD_YES;
    r->body_complete = true;
    if (r->body_error)
        return reply_error(h, c, r, url, r->body_error, r->body_error_msg, r->body_error_allow);
    if (!is_review_endpoint(r->ep)) return serve_get(h, c, r);
    return finish_review(h, c, r, url);
}

static void request_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    wgsrv_http *h = cls;
    request *r = *con_cls;
    if (!r) return;
    if (!r->responded) {
        /* Never answered: the client went away, or stalled past the idle timeout. */
        const char *why = r->abandoned ? r->abandoned
                          : toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED
                              ? "idle timeout (server.idleTimeoutSeconds)"
                          : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT    ? "client closed"
                          : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? "shutdown"
                                                                          : "connection error";
        /* Counted as 408 (what the client would have been told if HTTP/1.1 let us), so slow
         * clients show up in the request metrics. */
        bool slow = r->abandoned || toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED;
        wgsrv_metrics_request(h->metrics, r->ep, slow ? 408 : 0, WGSRV_DECISION_NONE,
                              wg_now_ns() - r->start_ns);
        if (wgsrv_log_enabled(WGSRV_LOG_INFO)) {
            wgsrv_strbuf b = {0};
            wgsrv_log_begin(&b, WGSRV_LOG_INFO, "request abandoned");
            wgsrv_log_str(&b, "endpoint", wgsrv_endpoint_name(r->ep));
            wgsrv_log_str(&b, "reason", why);
            wgsrv_log_int(&b, "bytesReceived", (long long)r->len);
            wgsrv_log_end(&b);
        }
    }
    wgsrv_runtime_release(r->rt);
    free(r->body);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&h->inflight, 1);
    wgsrv_metrics_inflight(h->metrics, -1);
}

static void connection_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)c;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        *socket_context = calloc(1, sizeof(connection_state)); /* NULL → refused in begin_review */
    } else {
        free(*socket_context);
        *socket_context = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char text[512];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    /* TLS handshake failures from scanners and misconfigured clients are routine. */
    wgsrv_log_message(WGSRV_LOG_DEBUG, "http", text);
}

static bool handoff(void *arg, int fd, const struct sockaddr *addr, socklen_t len)
{
    wgsrv_http *h = arg;
    return MHD_add_connection(h->daemon, fd, addr, len) == MHD_YES;
}

static unsigned cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

wgsrv_http *wgsrv_http_start(const wgsrv_http_options *o, wgsrv_metrics *metrics, char *bound,
                             size_t boundsz, char *err, size_t errsz)
{
    wgsrv_http *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&h->rt_lock, NULL);
    h->metrics = metrics;
    h->client_certs = o->tls->ca_pem != NULL;
    h->workers = o->workers ? o->workers : cpu_count();

    int fd = wgsrv_listen(o->host, o->port, bound, boundsz, err, errsz);
    if (fd < 0) goto fail;

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TLS |
                     MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    /* TLS 1.2 and 1.3 only, as kube-apiserver's own clients negotiate. */
    const char *priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
    struct MHD_OptionItem opts[16];
    size_t n = 0;
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
    if (h->workers > 1)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, h->workers, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, o->tls->cert_pem};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, o->tls->key_pem};
    if (o->tls->ca_pem)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, o->tls->ca_pem};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)priorities};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, o->idle_timeout_s, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, o->max_connections, NULL};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, h};
    opts[n++] =
        (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)connection_notify, h};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle_request, h, MHD_OPTION_ARRAY, opts,
                                 MHD_OPTION_END);
    if (!h->daemon) {
        snprintf(err, errsz,
                 "the HTTPS server did not start (libmicrohttpd refused the TLS "
                 "material or the thread pool)");
        close(fd);
        goto fail;
    }
    h->acceptor = wgsrv_acceptor_start(fd, o->idle_timeout_s, o->max_connections, handoff, h,
                                       metrics, err, errsz);
    if (!h->acceptor) {
        close(fd);
        MHD_stop_daemon(h->daemon);
        goto fail;
    }
    return h;

fail:
    pthread_mutex_destroy(&h->rt_lock);
    free(h);
    return NULL;
}

void wgsrv_http_stop(wgsrv_http *h, unsigned grace_s)
{
    if (!h) return;
    atomic_store(&h->draining, true);
    wgsrv_acceptor_stop(h->acceptor);
    /* Let requests in flight finish (their replies close their connections). */
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (unsigned waited_ms = 0; atomic_load(&h->inflight) > 0 && waited_ms < grace_s * 1000;
         waited_ms += 10)
        nanosleep(&pause, NULL);
    long left = atomic_load(&h->inflight);
    if (left > 0) {
        char detail[96];
        snprintf(detail, sizeof detail, "%ld request(s) still running are cut off", left);
        wgsrv_log_message(WGSRV_LOG_WARN, "shutdown grace period over", detail);
    }
    MHD_stop_daemon(h->daemon);
    wgsrv_http_set_runtime(h, NULL);
    pthread_mutex_destroy(&h->rt_lock);
    free(h);
}
