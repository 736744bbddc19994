/*
 * chain.c — evaluate a review against the configured modules and combine their answers.
 *
 *   authentication  modules in order; the first that authenticates the token for the
 *                   requested audiences wins. A failing module is skipped whatever its
 *                   failurePolicy (not authenticating is already the closed outcome); its
 *                   error, and every module's own status.error, are reported in
 *                   status.error when nobody authenticates.
 *   authorization   modules in order; the first Allow or Deny wins, otherwise no opinion.
 *                   allowed and denied both set is a deny with an evaluationError. A
 *                   failing module with failurePolicy Fail denies (kube-apiserver's
 *                   failurePolicy Deny); with Ignore it is skipped (NoOpinion). Errors go
 *                   to evaluationError.
 *   admission       the modules whose rules match, in order. On a mutating endpoint each
 *                   sees the object as mutated so far, and the reply carries the JSON Patch
 *                   from the original object to the final one; on a validating endpoint
 *                   every module sees the original object and no patch is ever sent. The
 *                   first denial ends the request with a message naming the module. A
 *                   failing module with failurePolicy Fail denies with code 500; with
 *                   Ignore it is skipped with a warning naming it.
 * Everything a request needs lives on this call's stack or heap: requests are evaluated
 * in parallel, and modules are shared.
 */
#include "k8s_internal.h"

#include <stdlib.h>
#include <string.h>

#define MODULE_ERR_MAX 1024

static const char *module_name(const wgk8s_module *m)
{
    return m->name && *m->name ? m->name : "(unnamed)";
}

bool wgk8s_module_check(const wgk8s_module *m, wgk8s_kind kind, char *err, size_t errsz)
{
    if (!m->name || !*m->name) {
        wgk8s_seterr(err, errsz, "module: missing name");
        return false;
    }
    const char *name = m->name;
    if (!m->call) {
        wgk8s_seterr(err, errsz, "module \"%s\": no call function", name);
        return false;
    }
    if (m->protocol != WGK8S_PROTOCOL_K8S_WASM && m->protocol != WGK8S_PROTOCOL_KUBEWARDEN) {
        wgk8s_seterr(err, errsz, "module \"%s\": unknown protocol %d", name, (int)m->protocol);
        return false;
    }
    if (m->failure_policy != WGK8S_FAILURE_FAIL && m->failure_policy != WGK8S_FAILURE_IGNORE) {
        wgk8s_seterr(err, errsz, "module \"%s\": unknown failure policy %d", name,
                     (int)m->failure_policy);
        return false;
    }
    if (kind != WGK8S_ADMISSION_REVIEW) {
        const char *what = m->protocol == WGK8S_PROTOCOL_KUBEWARDEN
                               ? "the kubewarden protocol evaluates admission reviews only"
                           : m->mutating ? "only admission modules can be mutating"
                           : m->rules    ? "rules apply to admission modules only"
                                         : NULL;
        if (what) {
            wgk8s_seterr(err, errsz, "module \"%s\": %s, not %s", name, what,
                         wgk8s_kind_name(kind));
            return false;
        }
    }
    if (m->settings_json) {
        json_error_t jerr;
        json_t *s = json_loads(m->settings_json, JSON_DECODE_ANY, &jerr);
        if (!s) {
            wgk8s_seterr(err, errsz, "module \"%s\": settings: not JSON: %s at line %d column %d",
                         name, jerr.text, jerr.line, jerr.column);
            return false;
        }
        bool is_object = json_is_object(s);
        const char *type = wgk8s_type_name(s);
        json_decref(s);
        if (m->protocol == WGK8S_PROTOCOL_KUBEWARDEN && !is_object) {
            wgk8s_seterr(err, errsz,
                         "module \"%s\": settings: a Kubewarden policy's settings must be a JSON "
                         "object, got %s",
                         name, type);
            return false;
        }
    }
    return true;
}

/* Builds the module's input, calls it and returns its output (malloc'd, possibly NULL for
 * an empty output). A failure of the call itself is WGK8S_ERR_MODULE with its message. */
static wgk8s_status call_module(const wgk8s_module *m, wgk8s_kind kind, const json_t *review,
                                wgk8s_dump_cache *cache, char **out, size_t *outlen, char *err,
                                size_t errsz)
{
    *out = NULL;
    *outlen = 0;
    if (!m->call) {
        wgk8s_seterr(err, errsz, "no call function");
        return WGK8S_ERR_MODULE;
    }
    size_t inlen;
    char *in = wgk8s_module_input_cached(m->protocol, review, m->settings_json, cache, &inlen,
                                         err, errsz);
    if (!in) return WGK8S_ERR_MODULE;
    char *o = NULL;
    size_t olen = 0;
    char cerr[MODULE_ERR_MAX] = "";
    int rc = m->call(m->mod, wgk8s_entry_name(kind), in, inlen, &o, &olen, cerr, sizeof cerr);
    free(in);
    cerr[sizeof cerr - 1] = '\0';
    if (rc != 0) {
        free(o);
        wgk8s_seterr(err, errsz, "%s", cerr[0] ? cerr : "the call failed");
        return WGK8S_ERR_MODULE;
    }
    *out = o;
    *outlen = o ? olen : 0;
    return WGK8S_OK;
}

/* Appends "; " (when needed) and a formatted entry to a list of messages. */
static void add_message(wgk8s_buf *b, const char *prefix, const char *name, const char *text)
{
    if (b->len) wgk8s_buf_puts(b, "; ");
    wgk8s_buf_printf(b, "module \"%s\"%s%s", name, prefix, text);
}

static wgk8s_status wrong_kind(const wgk8s_review *review, wgk8s_kind want, char *err, size_t errsz)
{
    wgk8s_seterr(err, errsz, "kind: expected %s, got %s", wgk8s_kind_name(want),
                 wgk8s_kind_name(wgk8s_review_kind(review)));
    return WGK8S_ERR_WRONG_KIND;
}

static wgk8s_status out_of_memory(char *err, size_t errsz)
{
    wgk8s_seterr(err, errsz, "out of memory");
    return WGK8S_ERR_NOMEM;
}

/* ---- Authentication ---- */

/* The audiences the reply should name, given the requested ones and those the module
 * says the token is valid for: their intersection in the request's order; all requested
 * ones when the module names none (see docs/k8s-semantics.md). *out is an empty array
 * when the token is not valid for any requested audience. */
static bool intersect_audiences(const json_t *requested, const json_t *valid, json_t **out)
{
    json_t *result = json_array();
    if (!result) return false;
    size_t i;
    json_t *r;
    json_array_foreach(requested, i, r)
    {
        bool keep = json_array_size(valid) == 0;
        size_t j;
        json_t *v;
        json_array_foreach(valid, j, v)
        {
            if (json_equal(r, v)) keep = true;
        }
        json_array_foreach(result, j, v)
        {
            if (json_equal(r, v)) keep = false; /* already listed */
        }
        if (keep && json_array_append(result, r) != 0) {
            json_decref(result);
            return false;
        }
    }
    *out = result;
    return true;
}

wgk8s_status wgk8s_authenticate(const wgk8s_review *review, const wgk8s_module *modules,
                                size_t count, json_t **reply, char *err, size_t errsz)
{
    *reply = NULL;
    if (wgk8s_review_kind(review) != WGK8S_TOKEN_REVIEW)
        return wrong_kind(review, WGK8S_TOKEN_REVIEW, err, errsz);
    wgk8s_dump_cache cache = {0}; /* the review serialized once for all modules */
    const json_t *json = wgk8s_review_json(review);
    const json_t *requested = json_object_get(json_object_get(json, "spec"), "audiences");
    bool audience_aware = json_array_size(requested) > 0;
    wgk8s_authn_decision final = {0};
    wgk8s_buf errors = {0};
    bool nomem = false;

    for (size_t i = 0; i < count && !final.authenticated && !nomem; i++) {
        const wgk8s_module *m = &modules[i];
        char merr[MODULE_ERR_MAX];
        char *out;
        size_t outlen;
        wgk8s_authn_decision d = {0};
        wgk8s_status st =
            call_module(m, WGK8S_TOKEN_REVIEW, json, &cache, &out, &outlen, merr, sizeof merr);
        if (st == WGK8S_OK)
            st = wgk8s_authn_interpret(m->protocol, json, out, outlen, &d, merr, sizeof merr);
        free(out);
        if (st == WGK8S_ERR_NOMEM) {
            nomem = true;
            break;
        }
        if (st != WGK8S_OK) {
            add_message(&errors, " failed: ", module_name(m), merr);
            continue;
        }
        if (d.error && *d.error) add_message(&errors, ": ", module_name(m), d.error);
        if (d.authenticated) {
            json_t *audiences = NULL;
            if (audience_aware) {
                if (!intersect_audiences(requested, d.audiences, &audiences)) {
                    nomem = true;
                } else if (json_array_size(audiences) == 0) {
                    add_message(&errors, ": ", module_name(m),
                                "the token is not valid for the requested audiences");
                    json_decref(audiences);
                    audiences = NULL;
                } else {
                    final.authenticated = true;
                }
            } else {
                final.authenticated = true;
                audiences = json_incref(d.audiences);
            }
            if (final.authenticated) {
                final.user = json_incref(d.user);
                final.audiences = audiences;
            }
        }
        wgk8s_authn_decision_clear(&d);
    }
    if (!nomem && !final.authenticated && errors.len) {
        if (!(final.error = wgk8s_buf_take(&errors, NULL))) nomem = true;
    }
    if (errors.failed) nomem = true;
    if (!nomem) *reply = wgk8s_authn_reply(review, &final);
    wgk8s_buf_free(&errors);
    wgk8s_authn_decision_clear(&final);
    wgk8s_dump_cache_clear(&cache);
    return *reply ? WGK8S_OK : out_of_memory(err, errsz);
}

/* ---- Authorization ---- */

/* "module "X": reason", or "allowed by module "X"" when the module gave no reason. */
static char *decision_reason(const wgk8s_module *m, const char *verdict, const char *reason)
{
    if (reason && *reason) return wgk8s_format("module \"%s\": %s", module_name(m), reason);
    return wgk8s_format("%s by module \"%s\"", verdict, module_name(m));
}

wgk8s_status wgk8s_authorize(const wgk8s_review *review, const wgk8s_module *modules, size_t count,
                             json_t **reply, char *err, size_t errsz)
{
    *reply = NULL;
    if (wgk8s_review_kind(review) != WGK8S_SUBJECT_ACCESS_REVIEW)
        return wrong_kind(review, WGK8S_SUBJECT_ACCESS_REVIEW, err, errsz);
    wgk8s_dump_cache cache = {0}; /* the review serialized once for all modules */
    const json_t *json = wgk8s_review_json(review);
    wgk8s_authz_decision final = {0};
    wgk8s_buf errors = {0};
    bool decided = false, nomem = false;

    for (size_t i = 0; i < count && !decided; i++) {
        const wgk8s_module *m = &modules[i];
        char merr[MODULE_ERR_MAX];
        char *out;
        size_t outlen;
        wgk8s_authz_decision d = {0};
        wgk8s_status st =
            call_module(m, WGK8S_SUBJECT_ACCESS_REVIEW, json, &cache, &out, &outlen, merr,
                        sizeof merr);
        if (st == WGK8S_OK)
            st = wgk8s_authz_interpret(m->protocol, json, out, outlen, &d, merr, sizeof merr);
        free(out);
        if (st == WGK8S_ERR_NOMEM) {
            nomem = true;
            break;
        }
        if (st != WGK8S_OK) {
            add_message(&errors, " failed: ", module_name(m), merr);
            if (m->failure_policy == WGK8S_FAILURE_FAIL) {
                decided = true;
                final.denied = true;
                final.reason =
                    wgk8s_format("module \"%s\" failed (failurePolicy Fail)", module_name(m));
                if (!final.reason) nomem = true;
            }
            continue;
        }
        if (d.evaluation_error && *d.evaluation_error)
            add_message(&errors, ": ", module_name(m), d.evaluation_error);
        if (d.allowed && d.denied)
            add_message(&errors, ": ", module_name(m),
                        "set both allowed and denied; treated as a denial");
        if (d.allowed || d.denied) {
            decided = true;
            final.denied = d.denied;
            final.allowed = d.allowed && !d.denied;
            final.reason = decision_reason(m, final.allowed ? "allowed" : "denied", d.reason);
            if (!final.reason) nomem = true;
        }
        wgk8s_authz_decision_clear(&d);
    }
    if (!nomem && errors.len && !(final.evaluation_error = wgk8s_buf_take(&errors, NULL)))
        nomem = true;
    if (errors.failed) nomem = true;
    if (!nomem) *reply = wgk8s_authz_reply(review, &final);
    wgk8s_buf_free(&errors);
    wgk8s_authz_decision_clear(&final);
    wgk8s_dump_cache_clear(&cache);
    return *reply ? WGK8S_OK : out_of_memory(err, errsz);
}

/* ---- Admission ---- */

/* The review a module is shown: the original, or a shallow copy whose request.object is
 * the object as mutated so far. */
static json_t *review_with_object(const json_t *review, json_t *object)
{
    json_t *view = json_copy(wgk8s_unconst(review));
    json_t *request = json_copy(json_object_get(review, "request"));
    if (!view || !request || json_object_set(request, "object", object) != 0) {
        json_decref(view);
        json_decref(request);
        return NULL;
    }
    /* json_object_set_new() consumes request even when it fails. */
    if (json_object_set_new(view, "request", request) != 0) {
        json_decref(view);
        return NULL;
    }
    return view;
}

/* Appends a module-attributed warning. Returns false on OOM. */
static bool add_warning(json_t *warnings, const wgk8s_module *m, const char *what, const char *text)
{
    char *s = wgk8s_format("module \"%s\" %s: %s", module_name(m), what, text);
    bool ok = s && json_array_append_new(warnings, json_string(s)) == 0;
    free(s);
    return ok;
}

wgk8s_status wgk8s_admit(const wgk8s_review *review, const wgk8s_module *modules, size_t count,
                         wgk8s_admit_mode mode, json_t **reply, char *err, size_t errsz)
{
    *reply = NULL;
    if (wgk8s_review_kind(review) != WGK8S_ADMISSION_REVIEW)
        return wrong_kind(review, WGK8S_ADMISSION_REVIEW, err, errsz);
    wgk8s_dump_cache cache = {0}; /* the review serialized once for all modules */
    const json_t *json = wgk8s_review_json(review);
    const json_t *request = json_object_get(json, "request");
    json_t *original = json_object_get(request, "object");
    json_t *current = json_incref(original); /* the object as mutated so far */
    json_t *patch = NULL;
    wgk8s_admission_decision final = {.allowed = true};
    final.audit_annotations = json_object();
    final.warnings = json_array();
    bool nomem = !final.audit_annotations || !final.warnings;

    for (size_t i = 0; i < count && final.allowed && !nomem; i++) {
        const wgk8s_module *m = &modules[i];
        if (m->rules && !wgk8s_rules_match(m->rules, request)) continue;
        json_t *view = current == original ? json_incref(wgk8s_unconst(json))
                                           : review_with_object(json, current);
        if (!view) {
            nomem = true;
            break;
        }
        char merr[MODULE_ERR_MAX];
        char *out;
        size_t outlen;
        wgk8s_admission_decision d = {0};
        wgk8s_status st =
            call_module(m, WGK8S_ADMISSION_REVIEW, view, &cache, &out, &outlen, merr, sizeof merr);
        if (st == WGK8S_OK)
            st = wgk8s_admission_interpret(m->protocol, view, m->mutating, out, outlen, &d, merr,
                                           sizeof merr);
        free(out);
        json_decref(view);
        if (st == WGK8S_ERR_NOMEM) {
            nomem = true;
            break;
        }
        if (st != WGK8S_OK) {
            if (m->failure_policy == WGK8S_FAILURE_IGNORE) {
                if (!add_warning(final.warnings, m, "failed and was ignored", merr)) nomem = true;
                continue;
            }
            final.allowed = false;
            final.code = 500;
            final.reason = wgk8s_strdup("InternalError");
            final.message = wgk8s_format("module \"%s\" failed: %s", module_name(m), merr);
            if (!final.reason || !final.message) nomem = true;
            continue;
        }
        /* Annotations: the first module to set a key keeps it. Warnings accumulate. */
        if ((d.audit_annotations &&
             json_object_update_missing(final.audit_annotations, d.audit_annotations) != 0) ||
            (d.warnings && json_array_extend(final.warnings, d.warnings) != 0))
            nomem = true;
        if (!d.allowed) {
            final.allowed = false;
            final.code = d.code;
            final.reason = d.reason;
            d.reason = NULL;
            if (d.message && *d.message)
                final.message =
                    wgk8s_format("module \"%s\" denied the request: %s", module_name(m), d.message);
            else
                final.message = wgk8s_format("module \"%s\" denied the request", module_name(m));
            if (!final.message) nomem = true;
        } else if (d.mutated_object && mode == WGK8S_ADMIT_MUTATE) {
            /* On a validating endpoint a mutating module's mutation is dropped: the object
             * kube-apiserver stores is already final, so every module judges it as is. */
            json_decref(current);
            current = d.mutated_object;
            d.mutated_object = NULL;
        }
        wgk8s_admission_decision_clear(&d);
    }
    if (!nomem && final.allowed && mode == WGK8S_ADMIT_MUTATE && current != original &&
        !(patch = wgk8s_json_diff(original, current)))
        nomem = true;
    if (!nomem) *reply = wgk8s_admission_reply(review, &final, patch);
    json_decref(patch);
    json_decref(current);
    wgk8s_admission_decision_clear(&final);
    wgk8s_dump_cache_clear(&cache);
    return *reply ? WGK8S_OK : out_of_memory(err, errsz);
}
