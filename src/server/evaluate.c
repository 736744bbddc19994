/*
 * evaluate.c — one webhook request without HTTP (see evaluate.h).
 *
 * The Kubernetes layer's module callback has no deadline parameter, so each request builds
 * its own copies of the module descriptors whose `mod` points at a call context on this
 * request's stack: {the loaded module, the request's deadline, the outcome to trace into}.
 * Nothing here takes a lock; the runtime is shared read-only, and each module call runs in a
 * fresh instance inside the ABI layer, so requests on one module run in parallel.
 */
#include "evaluate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/wg.h"

typedef struct call_context {
    wgsrv_loaded_module *module;
    uint64_t deadline_ns;
    wgsrv_outcome *trace;
} call_context;

int wgsrv_module_call(void *mod, const char *entry, const char *in, size_t inlen, char **out,
                      size_t *outlen, char *err, size_t errsz)
{
    call_context *ctx = mod;
    wgsrv_loaded_module *lm = ctx->module;
    *out = NULL;
    *outlen = 0;
    wgabi_result r;
    memset(&r, 0, sizeof r);
    uint64_t start = wg_now_ns();
    wgabi_status st = wgabi_call(lm->abi, entry, in, inlen, ctx->deadline_ns, &r);
    uint64_t took = r.duration_ns ? r.duration_ns : wg_now_ns() - start;
    wgsrv_metrics_call(lm->metrics, st, took, r.fuel_used);
    wgsrv_outcome *t = ctx->trace;
    if (t && t->ncalled < WGSRV_TRACE_MAX) {
        t->called[t->ncalled] = lm->cfg->name;
        t->call_status[t->ncalled] = wgabi_status_label(st);
        t->ncalled++;
    }
    if (st == WGABI_TIMEOUT && t) t->timed_out = true;
    if (st != WGABI_OK) {
        /* The k8s layer prefixes `module "name" failed: `; say how, in the module's words. */
        snprintf(err, errsz, "%s: %s", wgabi_status_label(st),
                 r.message[0] ? r.message : wgabi_status_name(st));
        wgabi_result_clear(&r);
        return 1;
    }
    /* The k8s layer frees the output with free(): hand it a copy we own rather than assume
     * how the ABI layer allocated its buffer. */
    if (r.output && r.output_len) {
        char *copy = malloc(r.output_len + 1);
        if (!copy) {
            snprintf(err, errsz, "out of memory copying the output");
            wgabi_result_clear(&r);
            return 1;
        }
        memcpy(copy, r.output, r.output_len);
        copy[r.output_len] = '\0';
        *out = copy;
        *outlen = r.output_len;
    }
    wgabi_result_clear(&r);
    return 0;
}

void wgsrv_outcome_clear(wgsrv_outcome *o)
{
    free(o->body);
    free(o->review_kind);
    free(o->uid);
    free(o->object_kind);
    free(o->operation);
    free(o->namespace_);
    free(o->name);
    free(o->user);
    free(o->message);
    memset(o, 0, sizeof *o);
}

static const char *status_reason(int code)
{
    switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 408: return "Timeout";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 503: return "ServiceUnavailable";
    default: return "InternalError";
    }
}

char *wgsrv_status_body(int http_status, const char *message, size_t *len)
{
    json_t *status = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "apiVersion", "v1", "kind",
                               "Status", "status", "Failure", "message", message ? message : "",
                               "reason", status_reason(http_status), "code", http_status);
    if (!status) {
        /* The message was not UTF-8 (it quotes input): say so rather than fail the reply. */
        status = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "apiVersion", "v1", "kind", "Status",
                           "status", "Failure", "message", "(message not valid UTF-8)", "reason",
                           status_reason(http_status), "code", http_status);
    }
    char *text = status ? json_dumps(status, JSON_COMPACT) : NULL;
    json_decref(status);
    if (text && len) *len = strlen(text);
    return text;
}

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static void fail(wgsrv_outcome *out, int status, const char *message)
{
    out->http_status = status;
    free(out->body);
    out->body = wgsrv_status_body(status, message, &out->body_len);
    free(out->message);
    out->message = dup_or_null(message);
    out->decision = WGSRV_DECISION_NONE;
    if (!out->body) out->http_status = 500; /* http.c answers with a fixed text */
}

static const char *json_str(const json_t *root, const char *a, const char *b, const char *c)
{
    const json_t *v = json_object_get(root, a);
    if (b) v = json_object_get(v, b);
    if (c) v = json_object_get(v, c);
    return json_string_value(v);
}

/* Fills the log fields that describe the request (never the token). */
static void describe_request(const wgk8s_review *review, wgsrv_outcome *out)
{
    const json_t *j = wgk8s_review_json(review);
    out->review_kind = dup_or_null(wgk8s_kind_name(wgk8s_review_kind(review)));
    switch (wgk8s_review_kind(review)) {
    case WGK8S_ADMISSION_REVIEW:
        out->uid = dup_or_null(wgk8s_review_uid(review));
        out->object_kind = dup_or_null(json_str(j, "request", "kind", "kind"));
        out->operation = dup_or_null(json_str(j, "request", "operation", NULL));
        out->namespace_ = dup_or_null(json_str(j, "request", "namespace", NULL));
        out->name = dup_or_null(json_str(j, "request", "name", NULL));
        out->user = dup_or_null(json_str(j, "request", "userInfo", "username"));
        break;
    case WGK8S_SUBJECT_ACCESS_REVIEW:
        out->user = dup_or_null(json_str(j, "spec", "user", NULL));
        out->object_kind = dup_or_null(json_str(j, "spec", "resourceAttributes", "resource"));
        out->operation = dup_or_null(json_str(j, "spec", "resourceAttributes", "verb"));
        if (!out->operation)
            out->operation = dup_or_null(json_str(j, "spec", "nonResourceAttributes", "verb"));
        out->namespace_ = dup_or_null(json_str(j, "spec", "resourceAttributes", "namespace"));
        out->name = dup_or_null(json_str(j, "spec", "resourceAttributes", "name"));
        break;
    default: break;
    }
}

/* Reads the decision out of the reply the k8s layer built. */
static void describe_reply(wgk8s_kind kind, const json_t *reply, wgsrv_outcome *out)
{
    switch (kind) {
    case WGK8S_TOKEN_REVIEW: {
        const json_t *status = json_object_get(reply, "status");
        bool ok = json_is_true(json_object_get(status, "authenticated"));
        out->decision = ok ? WGSRV_DECISION_AUTHENTICATED : WGSRV_DECISION_UNAUTHENTICATED;
        if (ok)
            out->user = dup_or_null(json_str(status, "user", "username", NULL));
        else
            out->message = dup_or_null(json_str(status, "error", NULL, NULL));
        break;
    }
    case WGK8S_SUBJECT_ACCESS_REVIEW: {
        const json_t *status = json_object_get(reply, "status");
        out->decision = json_is_true(json_object_get(status, "allowed")) ? WGSRV_DECISION_ALLOWED
                        : json_is_true(json_object_get(status, "denied"))
                            ? WGSRV_DECISION_DENIED
                            : WGSRV_DECISION_NO_OPINION;
        out->message = dup_or_null(json_str(status, "reason", NULL, NULL));
        break;
    }
    case WGK8S_ADMISSION_REVIEW: {
        const json_t *response = json_object_get(reply, "response");
        bool ok = json_is_true(json_object_get(response, "allowed"));
        out->decision = ok ? WGSRV_DECISION_ALLOWED : WGSRV_DECISION_DENIED;
        if (!ok) out->message = dup_or_null(json_str(response, "status", "message", NULL));
        break;
    }
    default: break;
    }
}

void wgsrv_evaluate(const wgsrv_runtime *rt, wgsrv_endpoint ep, const char *module,
                    const char *body, size_t len, uint64_t deadline_ns, wgsrv_outcome *out)
{
    memset(out, 0, sizeof *out);
    wgk8s_kind kind;
    wgsrv_loaded_module *single = NULL;
    wgk8s_admit_mode mode = WGK8S_ADMIT_VALIDATE;
    char msg[1024];

    switch (ep) {
    case WGSRV_EP_AUTHENTICATE: kind = WGK8S_TOKEN_REVIEW; break;
    case WGSRV_EP_AUTHORIZE: kind = WGK8S_SUBJECT_ACCESS_REVIEW; break;
    case WGSRV_EP_VALIDATE:
    case WGSRV_EP_VALIDATE_ONE: kind = WGK8S_ADMISSION_REVIEW; break;
    case WGSRV_EP_MUTATE:
    case WGSRV_EP_MUTATE_ONE:
        kind = WGK8S_ADMISSION_REVIEW;
        mode = WGK8S_ADMIT_MUTATE;
        break;
    default: fail(out, 404, "not a review endpoint"); return;
    }

    if (ep == WGSRV_EP_VALIDATE_ONE || ep == WGSRV_EP_MUTATE_ONE) {
        single = module ? wgsrv_runtime_find(rt, module) : NULL;
        if (!single) {
            snprintf(msg, sizeof msg, "no admission module named \"%.200s\" is configured",
                     module ? module : "");
            fail(out, 404, msg);
            return;
        }
    }

    wgk8s_review *review = NULL;
    wgk8s_status st = wgk8s_review_parse(body, len, kind, &review, msg, sizeof msg);
    if (st != WGK8S_OK) {
        fail(out, wgk8s_http_status(st), msg);
        return;
    }
    describe_request(review, out);

    /* The modules to run, in order: the one named, every module of a section (an array of
     * the runtime's structs), or an admission chain (an array of pointers). */
    wgsrv_loaded_module *const *chain = NULL;
    wgsrv_loaded_module *section = NULL;
    size_t count;
    if (single) {
        chain = &single;
        count = 1;
    } else if (kind == WGK8S_TOKEN_REVIEW || kind == WGK8S_SUBJECT_ACCESS_REVIEW) {
        wgsrv_section s = kind == WGK8S_TOKEN_REVIEW ? WGSRV_AUTHENTICATION : WGSRV_AUTHORIZATION;
        section = rt->modules[s];
        count = rt->nmodules[s];
    } else if (mode == WGK8S_ADMIT_MUTATE) {
        chain = rt->mutating;
        count = rt->nmutating;
    } else {
        chain = rt->validating;
        count = rt->nvalidating;
    }

    /* Per-request copies of the descriptors, each pointing at its own call context. */
    wgk8s_module *descs = count ? malloc(count * sizeof *descs) : NULL;
    call_context *ctxs = count ? malloc(count * sizeof *ctxs) : NULL;
    if (count && (!descs || !ctxs)) {
        free(descs);
        free(ctxs);
        wgk8s_review_free(review);
        fail(out, 500, "out of memory");
        return;
    }
    for (size_t i = 0; i < count; i++) {
        wgsrv_loaded_module *lm = section ? &section[i] : chain[i];
        ctxs[i].module = lm;
        ctxs[i].deadline_ns = deadline_ns;
        ctxs[i].trace = out;
        descs[i] = lm->desc; /* its call is wgsrv_module_call already (runtime.c) */
        descs[i].mod = &ctxs[i];
    }

    json_t *reply = NULL;
    switch (kind) {
    case WGK8S_TOKEN_REVIEW:
        st = wgk8s_authenticate(review, descs, count, &reply, msg, sizeof msg);
        break;
    case WGK8S_SUBJECT_ACCESS_REVIEW:
        st = wgk8s_authorize(review, descs, count, &reply, msg, sizeof msg);
        break;
    default: st = wgk8s_admit(review, descs, count, mode, &reply, msg, sizeof msg); break;
    }
    free(descs);
    free(ctxs);

    if (st != WGK8S_OK || !reply) {
        json_decref(reply);
        wgk8s_review_free(review);
        fail(out, st == WGK8S_OK ? 500 : wgk8s_http_status(st), msg);
        return;
    }
    describe_reply(kind, reply, out);
    out->body = json_dumps(reply, JSON_COMPACT);
    json_decref(reply);
    wgk8s_review_free(review);
    if (!out->body) {
        fail(out, 500, "out of memory");
        return;
    }
    out->body_len = strlen(out->body);
    out->http_status = 200;
}
