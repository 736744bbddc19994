/*
 * wasmgate/k8s.h — the Kubernetes semantics layer (prefix wgk8s_).
 *
 * This layer knows what kube-apiserver sends to and expects from its three webhook
 * interfaces (TokenReview, SubjectAccessReview, AdmissionReview), what a module's answer
 * means in each module protocol (k8s-wasm, Kubewarden), how the answers of several modules
 * combine, and how to express a mutation as an RFC 6902 JSON Patch. It works on JSON values
 * (jansson) and reaches modules only through the callback in wgk8s_module, so it depends on
 * neither the engine, the sandbox nor the ABI layer, and can be tested with fake modules.
 * docs/k8s-semantics.md records the decisions made where Kubernetes and the module specs
 * are silent.
 *
 * Threads
 *   Nothing here keeps global state. Parsed reviews, replies and decisions belong to the
 *   thread that made them; module descriptors and compiled rules are read-only during
 *   evaluation and may be shared by any number of threads. Jansson seeds its hash function
 *   on first use; a server may call json_object_seed(0) once at start-up to do it eagerly.
 *
 * Errors
 *   Functions that can fail write a message into a caller-provided buffer (err, errsz;
 *   either may be NULL/0). Messages name what was wrong and where: a JSON path such as
 *   "request.uid: missing", a patch operation such as "patch[2] (remove /a): ...", or a
 *   module such as "module \"no-privileged\" failed: ...". Nothing here prints or exits.
 *
 * Ownership
 *   json_t values returned to the caller are new references (json_decref them). json_t
 *   values passed in are borrowed and not modified.
 */
#ifndef WASMGATE_K8S_H
#define WASMGATE_K8S_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes ------------------------------------------------------------------- */

typedef enum wgk8s_status {
    WGK8S_OK = 0,
    WGK8S_ERR_NOT_JSON,   /* the request body is not valid JSON */
    WGK8S_ERR_WRONG_KIND, /* valid JSON, but not the review kind/apiVersion expected */
    WGK8S_ERR_INVALID,    /* the right kind, but a field is missing or malformed */
    WGK8S_ERR_MODULE,     /* a module failed or its output is unusable */
    WGK8S_ERR_NOMEM       /* out of memory */
} wgk8s_status;

/* A short name for a status ("ok", "not JSON", ...). */
const char *wgk8s_status_name(wgk8s_status st);

/* The HTTP status a server should answer with: 200 for WGK8S_OK, 400 for a bad request
 * (NOT_JSON, WRONG_KIND, INVALID), 500 otherwise. */
int wgk8s_http_status(wgk8s_status st);

/* ---- JSON Pointer (RFC 6901) and JSON Patch (RFC 6902) -------------------------------- */

/* Escapes one reference token: "~" becomes "~0" and "/" becomes "~1", so the label key
 * "app.kubernetes.io/name" becomes "app.kubernetes.io~1name". Returns a malloc'd string,
 * or NULL when out of memory. */
char *wgk8s_json_pointer_escape(const char *token);

/* Resolves a JSON Pointer ("" is the whole document). Returns a borrowed reference, or
 * NULL with a message naming the first token that could not be followed. */
json_t *wgk8s_json_pointer_get(const json_t *doc, const char *pointer, char *err, size_t errsz);

/* JSON value equality as RFC 6902 "test" defines it: numbers compare by value (1 equals
 * 1.0), objects ignore member order, arrays compare element-wise. */
bool wgk8s_json_equal(const json_t *a, const json_t *b);

/* A JSON Patch that turns `from` into `to`: an array of add/remove/replace operations.
 * Objects are compared member by member; arrays element by element after skipping a
 * common prefix and suffix, so an insertion or removal anywhere costs one operation.
 * Applying the result to `from` with wgk8s_json_patch_apply() gives a value equal to `to`
 * (json_equal: same types, including integer versus real). Values in the patch are copies.
 * Returns NULL only when out of memory. */
json_t *wgk8s_json_diff(const json_t *from, const json_t *to);

/* Applies a JSON Patch (all six operations: add with "-" for the end of an array, remove,
 * replace, move, copy, test) to a copy of `doc` and returns the result. Application is
 * atomic: on any failure NULL is returned, `doc` is untouched, and the message names the
 * failing operation's index, op and path, e.g. "patch[1] (remove /spec/x): no member \"x\"
 * at /spec/x". */
json_t *wgk8s_json_patch_apply(const json_t *doc, const json_t *patch, char *err, size_t errsz);

/* ---- Base64 (RFC 4648, standard alphabet, padded) ------------------------------------- */

/* Encodes len bytes. Returns a malloc'd NUL-terminated string (length in *outlen when
 * outlen is not NULL), or NULL when out of memory. */
char *wgk8s_base64_encode(const void *data, size_t len, size_t *outlen);

/* Decodes the standard alphabet; the trailing "=" padding may be omitted, but no other
 * character (whitespace included) is accepted. Returns a malloc'd buffer with a NUL after
 * the *outlen decoded bytes, or NULL with a message naming the offending offset. */
unsigned char *wgk8s_base64_decode(const char *text, size_t len, size_t *outlen, char *err,
                                   size_t errsz);

/* ---- Reviews ------------------------------------------------------------------------ */

typedef enum wgk8s_kind {
    WGK8S_KIND_ANY = 0, /* for wgk8s_review_parse: accept any of the three */
    WGK8S_TOKEN_REVIEW,
    WGK8S_SUBJECT_ACCESS_REVIEW,
    WGK8S_ADMISSION_REVIEW
} wgk8s_kind;

typedef enum wgk8s_version { WGK8S_V1 = 1, WGK8S_V1BETA1 } wgk8s_version;

/* "TokenReview", "SubjectAccessReview", "AdmissionReview" (or "review" for ANY). */
const char *wgk8s_kind_name(wgk8s_kind kind);

/* A parsed and validated review request. Opaque; read it through the accessors. */
typedef struct wgk8s_review wgk8s_review;

/* Parses a request body and validates it as a review of kind `expect` (or any review).
 *   - WGK8S_ERR_NOT_JSON: the body is not JSON ("body: not JSON: ... at line 1 column 5").
 *   - WGK8S_ERR_WRONG_KIND: apiVersion/kind is not one of TokenReview
 *     authentication.k8s.io/{v1,v1beta1}, SubjectAccessReview authorization.k8s.io/{v1,
 *     v1beta1}, AdmissionReview admission.k8s.io/{v1,v1beta1}, or not the kind expected.
 *   - WGK8S_ERR_INVALID: a field is missing or malformed; the message starts with its JSON
 *     path ("request.uid: missing", "spec.audiences[1]: must be a string, got number").
 * On WGK8S_OK *out receives the review (free with wgk8s_review_free). */
wgk8s_status wgk8s_review_parse(const char *body, size_t len, wgk8s_kind expect, wgk8s_review **out,
                                char *err, size_t errsz);

/* The same validation for an already parsed value (the review takes its own reference). */
wgk8s_status wgk8s_review_from_json(json_t *value, wgk8s_kind expect, wgk8s_review **out, char *err,
                                    size_t errsz);

void wgk8s_review_free(wgk8s_review *review);

wgk8s_kind wgk8s_review_kind(const wgk8s_review *review);
wgk8s_version wgk8s_review_version(const wgk8s_review *review);
/* The request's apiVersion, e.g. "admission.k8s.io/v1beta1". */
const char *wgk8s_review_api_version(const wgk8s_review *review);
/* The whole review as received (borrowed). */
const json_t *wgk8s_review_json(const wgk8s_review *review);
/* AdmissionReview: request.uid; NULL for the other kinds. */
const char *wgk8s_review_uid(const wgk8s_review *review);
/* SubjectAccessReview: the requesting user's groups whichever way the version spells them
 * (v1 "groups", v1beta1 "group"); NULL when absent or for the other kinds (borrowed). */
const json_t *wgk8s_review_sar_groups(const wgk8s_review *review);

/* ---- Admission rules (the webhook rule vocabulary) ------------------------------------ */

/* Compiled rules, immutable once made: safe to share between threads. */
typedef struct wgk8s_rules wgk8s_rules;

/* Compiles an array of webhook rules
 *   [{"operations": ["CREATE", "UPDATE", "DELETE", "CONNECT" | "*"],
 *     "apiGroups": ["", "apps", "*"], "apiVersions": ["v1", "*"],
 *     "resources": ["pods", "pods/status", "*", ...], "scope": "Cluster" | "Namespaced" | "*"}]
 * A resource is "name" or "name/subresource", where either part may be "*" (so "*" slash
 * "*" matches everything, and "pods" slash "*" matches pods and all their subresources).
 * All four lists are required and non-empty; scope defaults to "*"; unknown members are
 * errors (a misspelt key would otherwise silently widen or narrow the rule). An empty
 * array is valid and matches nothing, as in Kubernetes. */
wgk8s_rules *wgk8s_rules_parse(const json_t *rules, char *err, size_t errsz);
void wgk8s_rules_free(wgk8s_rules *rules);

/* True when any rule matches the admission request (the inner `request` object), judged
 * as kube-apiserver does for matchPolicy Exact: against request.resource (not
 * requestResource), request.subResource and request.operation; the request is namespaced
 * when request.namespace is non-empty, except that Namespace objects are cluster-scoped. */
bool wgk8s_rules_match(const wgk8s_rules *rules, const json_t *admission_request);

/* ---- Modules ------------------------------------------------------------------------ */

typedef enum wgk8s_protocol {
    WGK8S_PROTOCOL_K8S_WASM = 0, /* the k8s-wasm module spec: review in, review out */
    WGK8S_PROTOCOL_KUBEWARDEN    /* Kubewarden validate: AdmissionRequest in, verdict out */
} wgk8s_protocol;

/* What a module failure (trap, timeout, error, unusable output) means. Authentication skips
 * a failed module either way; see docs/k8s-semantics.md. */
typedef enum wgk8s_failure_policy {
    WGK8S_FAILURE_FAIL = 0, /* the default: admission denies (500), authorization denies */
    WGK8S_FAILURE_IGNORE    /* skipped: with a warning (admission), as no opinion (authorization) */
} wgk8s_failure_policy;

/* Calls one export of one module. `entry` is "authn", "authz" or "validate"; `in` is the
 * input built by wgk8s_module_input(). On success return 0 and set *out to a malloc'd
 * buffer (this layer frees it) holding *outlen bytes of output; *out may stay NULL for an
 * empty output. On failure (trap, timeout, non-zero exit, refused call) return non-zero
 * and describe it in err. Called concurrently from many threads with the same `mod`. */
typedef int (*wgk8s_call_fn)(void *mod, const char *entry, const char *in, size_t inlen, char **out,
                             size_t *outlen, char *err, size_t errsz);

/* One configured module. Descriptors are read-only during evaluation. */
typedef struct wgk8s_module {
    const char *name; /* named in messages; non-empty */
    wgk8s_protocol protocol;
    bool mutating; /* admission: may this module mutate? */
    wgk8s_failure_policy failure_policy;
    const wgk8s_rules *rules;  /* admission: NULL matches every request */
    const char *settings_json; /* JSON text handed to the module; NULL = unset */
    void *mod;                 /* opaque, passed to call */
    wgk8s_call_fn call;
} wgk8s_module;

/* Checks a descriptor before use in a chain of `kind`: a name, a callback, settings that
 * parse (a JSON object for Kubewarden), Kubewarden only for admission, rules and mutating
 * only for admission. Returns false with a message naming the module. */
bool wgk8s_module_check(const wgk8s_module *module, wgk8s_kind kind, char *err, size_t errsz);

/* The export to call for a review kind: "authn", "authz" or "validate". */
const char *wgk8s_entry_name(wgk8s_kind kind);

/* Builds the bytes to give a module for a review (a parsed review's JSON, possibly with
 * request.object replaced by a mutated object):
 *   k8s-wasm:   {"request": <the whole review>, "settings": <settings>} ("settings" omitted
 *               when settings_json is NULL)
 *   Kubewarden: {"request": <review.request>, "settings": <settings or {}>} (admission only)
 * Returns a malloc'd NUL-terminated buffer (length in *len), or NULL with a message. */
char *wgk8s_module_input(wgk8s_protocol protocol, const json_t *review, const char *settings_json,
                         size_t *len, char *err, size_t errsz);

/* What one module said about a TokenReview. */
typedef struct wgk8s_authn_decision {
    bool authenticated;
    json_t *user;      /* {username, uid?, groups?, extra?}, validated; NULL when absent */
    json_t *audiences; /* array of strings; NULL when the module named none */
    char *error;       /* status.error; NULL when absent */
} wgk8s_authn_decision;

/* What one module said about a SubjectAccessReview. */
typedef struct wgk8s_authz_decision {
    bool allowed;
    bool denied;
    char *reason;           /* NULL when absent */
    char *evaluation_error; /* NULL when absent */
} wgk8s_authz_decision;

/* What one module (or a whole chain) said about an AdmissionReview. */
typedef struct wgk8s_admission_decision {
    bool allowed;
    int code;                  /* status.code; 0 when not given */
    char *message;             /* status.message; NULL when not given */
    char *reason;              /* status.reason; NULL when not given */
    json_t *mutated_object;    /* the whole object after this module's mutation; NULL = none */
    json_t *audit_annotations; /* object of strings; NULL when none */
    json_t *warnings;          /* array of strings; NULL when none */
} wgk8s_admission_decision;

/* Release what a decision owns and zero it (safe on a zeroed decision). */
void wgk8s_authn_decision_clear(wgk8s_authn_decision *d);
void wgk8s_authz_decision_clear(wgk8s_authz_decision *d);
void wgk8s_admission_decision_clear(wgk8s_admission_decision *d);

/* Interpret a module's output for the review it was given. Output is validated strictly:
 * JSON object; for k8s-wasm exactly one of "response" and a non-empty "error"; a response
 * review of the request's kind (either version of its group); for admission a matching
 * uid; required fields present with the right types (see docs/k8s-semantics.md). Returns
 * WGK8S_OK and fills *d (zeroed first), WGK8S_ERR_MODULE with a message when the output is
 * unusable or the module reported an error, WGK8S_ERR_NOMEM when out of memory. */
wgk8s_status wgk8s_authn_interpret(wgk8s_protocol protocol, const json_t *review, const char *out,
                                   size_t outlen, wgk8s_authn_decision *d, char *err, size_t errsz);
wgk8s_status wgk8s_authz_interpret(wgk8s_protocol protocol, const json_t *review, const char *out,
                                   size_t outlen, wgk8s_authz_decision *d, char *err, size_t errsz);
/* For admission, `review` carries request.object as the module saw it: a JSONPatch
 * mutation is applied to it, and mutated_object is the resulting whole object. A mutation
 * from a module that is not `mutating`, or on a request without an object (DELETE), is an
 * error; a mutation on a denial is ignored. */
wgk8s_status wgk8s_admission_interpret(wgk8s_protocol protocol, const json_t *review, bool mutating,
                                       const char *out, size_t outlen, wgk8s_admission_decision *d,
                                       char *err, size_t errsz);

/* ---- Replies ------------------------------------------------------------------------ */

/* Each reply has the apiVersion and kind of the request. NULL only when out of memory. */

/* {status: {authenticated, user?, audiences?, error?}}; user and audiences only when
 * authenticated. */
json_t *wgk8s_authn_reply(const wgk8s_review *request, const wgk8s_authn_decision *d);

/* {status: {allowed, denied? (only when true), reason?, evaluationError?}}. */
json_t *wgk8s_authz_reply(const wgk8s_review *request, const wgk8s_authz_decision *d);

/* {response: {uid, allowed, status? {code, message, reason} (denials only), patch?
 * (base64 of `patch`, only when allowed and `patch` is a non-empty array), patchType?
 * "JSONPatch", auditAnnotations?, warnings?}}. Warnings are cleaned of control characters,
 * de-duplicated and cut to at most 120 characters (wgk8s_warning_truncate). */
json_t *wgk8s_admission_reply(const wgk8s_review *request, const wgk8s_admission_decision *d,
                              const json_t *patch);

/* Makes a warning fit kube-apiserver's 120-character guidance: control characters become
 * spaces, and a longer text is cut at a character boundary (at a word boundary when one is
 * near) and ends with "...". Returns a malloc'd string, or NULL when out of memory. */
char *wgk8s_warning_truncate(const char *warning);

#define WGK8S_WARNING_MAX 120

/* ---- Evaluation: one entry point per review kind ------------------------------------- */

/* Each takes a parsed review of its kind and the configured modules in order, calls them
 * as docs/k8s-semantics.md describes, and returns the reply in *reply. Module failures
 * never make these fail: they become part of the reply. Errors: WGK8S_ERR_WRONG_KIND when
 * the review is of another kind, WGK8S_ERR_NOMEM. */

/* Modules in order; the first that authenticates (for the requested audiences) wins. */
wgk8s_status wgk8s_authenticate(const wgk8s_review *review, const wgk8s_module *modules,
                                size_t count, json_t **reply, char *err, size_t errsz);

/* Modules in order; the first Allow or Deny wins, else no opinion. */
wgk8s_status wgk8s_authorize(const wgk8s_review *review, const wgk8s_module *modules, size_t count,
                             json_t **reply, char *err, size_t errsz);

typedef enum wgk8s_admit_mode {
    WGK8S_ADMIT_VALIDATE = 0, /* a validating endpoint: never a patch, never chained */
    WGK8S_ADMIT_MUTATE        /* a mutating endpoint: mutators chained, reply carries a patch */
} wgk8s_admit_mode;

/* The modules whose rules match, in order; the first denial ends the request. */
wgk8s_status wgk8s_admit(const wgk8s_review *review, const wgk8s_module *modules, size_t count,
                         wgk8s_admit_mode mode, json_t **reply, char *err, size_t errsz);

#ifdef __cplusplus
}
#endif

#endif /* WASMGATE_K8S_H */
