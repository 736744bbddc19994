/*
 * evaluate.h — one webhook request, from body to reply, without HTTP: parse the review,
 * pick the modules, run the Kubernetes layer's chain with per-request call contexts (so the
 * request's deadline reaches every module call), and describe the outcome for the reply,
 * the decision log line and the metrics. http.c is the only caller in the server; tests
 * call it directly.
 */
#ifndef WG_SERVER_EVALUATE_H
#define WG_SERVER_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "runtime.h"

/* Modules named in one decision's log line. */
#define WGSRV_TRACE_MAX 32

typedef struct wgsrv_outcome {
    int http_status;
    char *body; /* malloc'd reply body (JSON) */
    size_t body_len;
    wgsrv_decision decision;
    /* For the decision log line (each malloc'd or NULL). */
    char *review_kind; /* "AdmissionReview", ... */
    char *uid;         /* AdmissionReview request.uid */
    char *object_kind; /* request.kind.kind for admission ("Pod") */
    char *operation, *namespace_, *name;
    char *user;    /* SAR spec.user, or the authenticated username (never a token) */
    char *message; /* the denial/error message, when there is one */
    const char *called[WGSRV_TRACE_MAX];      /* modules called, in order (borrowed from runtime) */
    const char *call_status[WGSRV_TRACE_MAX]; /* "ok", "trap", ... */
    size_t ncalled;
    bool timed_out; /* some module call ended in a timeout */
} wgsrv_outcome;

void wgsrv_outcome_clear(wgsrv_outcome *o);

/*
 * Evaluates a request body for a review endpoint (AUTHENTICATE, AUTHORIZE, VALIDATE, MUTATE,
 * VALIDATE_ONE, MUTATE_ONE; `module` names the module for the *_ONE endpoints).
 * deadline_ns is an absolute wg_now_ns() deadline for the whole request, or 0 for none (the
 * modules' own timeouts still apply). Never fails: every problem becomes an HTTP status and a
 * Kubernetes Status body (400 for bad input, 404 for an unknown module, 500 when out of
 * memory).
 */
void wgsrv_evaluate(const wgsrv_runtime *rt, wgsrv_endpoint ep, const char *module,
                    const char *body, size_t len, uint64_t deadline_ns, wgsrv_outcome *out);

/* A Kubernetes Status object ({"kind":"Status","status":"Failure","code":..,"reason":..,
 * "message":..}) as JSON text for an error reply; malloc'd, NULL when out of memory. */
char *wgsrv_status_body(int http_status, const char *message, size_t *len);

/* The k8s layer's module callback: `mod` is a per-request call context (evaluate.c). */
int wgsrv_module_call(void *mod, const char *entry, const char *in, size_t inlen, char **out,
                      size_t *outlen, char *err, size_t errsz);

#endif /* WG_SERVER_EVALUATE_H */
