/*
 * reply.c — build the review replies kube-apiserver reads.
 *
 * A reply has the apiVersion and kind of its request and carries only what the webhook
 * contract reads (status, or response): wasmgate never echoes the request's spec back, so
 * a bearer token from a TokenReview is never written anywhere by this layer. Optional
 * members are left out rather than sent empty, as Go's omitempty would.
 */
#include "k8s_internal.h"

#include <stdlib.h>
#include <string.h>

/* {"apiVersion": <request's>, "kind": <request's>} */
static json_t *envelope(const wgk8s_review *request)
{
    json_t *o = json_object();
    if (!o ||
        json_object_set_new(o, "apiVersion", json_string(wgk8s_review_api_version(request))) != 0 ||
        json_object_set_new(o, "kind", json_string(wgk8s_kind_name(wgk8s_review_kind(request)))) !=
            0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Sets obj[key] to a string when s is non-NULL and non-empty. Returns false on OOM. */
static bool set_opt_string(json_t *obj, const char *key, const char *s)
{
    if (!s || !*s) return true;
    return json_object_set_new(obj, key, json_string(s)) == 0;
}

/* Sets obj[key] to a deep copy of v when v is non-NULL. Returns false on OOM. */
static bool set_copy(json_t *obj, const char *key, const json_t *v)
{
    if (!v) return true;
    return json_object_set_new(obj, key, json_deep_copy(v)) == 0;
}

/* Attaches `inner` under `key` of a fresh envelope; consumes inner. */
static json_t *wrap(const wgk8s_review *request, const char *key, json_t *inner)
{
    json_t *o = inner ? envelope(request) : NULL;
    if (!o || json_object_set_new(o, key, inner) != 0) {
        if (!o) json_decref(inner);
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *wgk8s_authn_reply(const wgk8s_review *request, const wgk8s_authn_decision *d)
{
    json_t *status = json_object();
    if (!status ||
        json_object_set_new(status, "authenticated", json_boolean(d->authenticated)) != 0 ||
        (d->authenticated &&
         (!set_copy(status, "user", d->user) || !set_copy(status, "audiences", d->audiences))) ||
        !set_opt_string(status, "error", d->error)) {
        json_decref(status);
        return NULL;
    }
    return wrap(request, "status", status);
}

json_t *wgk8s_authz_reply(const wgk8s_review *request, const wgk8s_authz_decision *d)
{
    json_t *status = json_object();
    /* allowed is required in the API type; denied is omitempty, and kube-apiserver only
     * reads it as "stop the chain", so it is sent only when true. */
    if (!status || json_object_set_new(status, "allowed", json_boolean(d->allowed)) != 0 ||
        (d->denied && json_object_set_new(status, "denied", json_true()) != 0) ||
        !set_opt_string(status, "reason", d->reason) ||
        !set_opt_string(status, "evaluationError", d->evaluation_error)) {
        json_decref(status);
        return NULL;
    }
    return wrap(request, "status", status);
}

/* ---- Warnings ---- */

static bool is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

char *wgk8s_warning_truncate(const char *warning)
{
    size_t len = strlen(warning);
    char *s = malloc(len + 4); /* room for "..." */
    if (!s) return NULL;
    /* Control characters would break the HTTP Warning header kube-apiserver turns this
     * into; a space keeps the words apart. */
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)warning[i];
        s[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
        if (!is_continuation(c)) chars++;
    }
    s[len] = '\0';
    if (chars <= WGK8S_WARNING_MAX) return s;

    /* Keep 117 characters and add "...". Cut at a space if one is among the last 20 kept
     * characters, so that a word is not split; cut only at a character boundary. */
    const size_t keep = WGK8S_WARNING_MAX - 3;
    size_t cut = 0, n = 0, space = 0;
    while (cut < len && n < keep) {
        cut++;
        while (cut < len && is_continuation((unsigned char)s[cut]))
            cut++;
        n++;
        if (s[cut] == ' ' && n >= keep - 20) space = cut;
    }
    if (space) cut = space;
    while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == ',' || s[cut - 1] == ';' ||
                       s[cut - 1] == ':' || s[cut - 1] == '.'))
        cut--;
    memcpy(s + cut, "...", 4);
    return s;
}

/* The reply's warnings: cleaned, truncated, de-duplicated, empty ones dropped. Returns a
 * new array (possibly empty) or NULL on OOM. */
static json_t *clean_warnings(const json_t *warnings)
{
    json_t *out = json_array();
    if (!out) return NULL;
    size_t i;
    json_t *w;
    json_array_foreach(warnings, i, w)
    {
        const char *text = json_string_value(w);
        if (!text || !*text) continue;
        char *t = wgk8s_warning_truncate(text);
        if (!t) {
            json_decref(out);
            return NULL;
        }
        bool dup = false;
        size_t j;
        json_t *seen;
        json_array_foreach(out, j, seen)
        {
            if (strcmp(json_string_value(seen), t) == 0) dup = true;
        }
        int rc = dup ? 0 : json_array_append_new(out, json_string(t));
        free(t);
        if (rc != 0) {
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* Adds patch and patchType for a non-empty JSON Patch. Returns false on OOM. */
static bool set_patch(json_t *response, const json_t *patch)
{
    size_t len;
    char *text = wgk8s_json_dump(patch, &len);
    if (!text) return false;
    char *b64 = wgk8s_base64_encode(text, len, NULL);
    free(text);
    if (!b64) return false;
    bool ok = json_object_set_new(response, "patch", json_string(b64)) == 0 &&
              json_object_set_new(response, "patchType", json_string("JSONPatch")) == 0;
    free(b64);
    return ok;
}

json_t *wgk8s_admission_reply(const wgk8s_review *request, const wgk8s_admission_decision *d,
                              const json_t *patch)
{
    const char *uid = wgk8s_review_uid(request);
    json_t *response = json_object();
    if (!response || json_object_set_new(response, "uid", json_string(uid ? uid : "")) != 0 ||
        json_object_set_new(response, "allowed", json_boolean(d->allowed)) != 0)
        goto fail;
    if (!d->allowed) {
        /* kube-apiserver shows status.message to the user; 403 is what it would assume for
         * a denial without a code, made explicit. */
        json_t *status = json_object();
        if (!status || json_object_set_new(response, "status", status) != 0 ||
            json_object_set_new(status, "code", json_integer(d->code ? d->code : 403)) != 0 ||
            !set_opt_string(status, "message", d->message) ||
            !set_opt_string(status, "reason", d->reason))
            goto fail;
    }
    if (d->allowed && json_array_size(patch) > 0 && !set_patch(response, patch)) goto fail;
    if (json_object_size(d->audit_annotations) > 0 &&
        !set_copy(response, "auditAnnotations", d->audit_annotations))
        goto fail;
    if (json_array_size(d->warnings) > 0) {
        json_t *w = clean_warnings(d->warnings);
        if (!w) goto fail;
        if (json_array_size(w) == 0)
            json_decref(w);
        else if (json_object_set_new(response, "warnings", w) != 0)
            goto fail;
    }
    return wrap(request, "response", response);
fail:
    json_decref(response);
    return NULL;
}
