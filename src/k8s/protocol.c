/*
 * protocol.c — what a module's input and output mean, per module protocol.
 *
 * The ABI layer below moves bytes in and out of a module; this file gives those bytes
 * their Kubernetes meaning. For each review kind it builds the module's input and turns
 * its output into a normalized decision (wgk8s_*_decision), validating the output strictly:
 * a module is untrusted code, and anything it says that kube-apiserver would reject, or
 * that this layer would have to guess about, is an error with a message naming the JSON
 * path in the module's output ("response.response.uid: ..."). Output paths are relative
 * to the module's output document.
 *
 * Protocols:
 *   k8s-wasm    {"request": review, "settings"?} -> {"response": review} | {"error": msg}
 *   Kubewarden  {"request": AdmissionRequest, "settings": {}} -> {"accepted", "message"?,
 *               "code"?, "mutated_object"?, "audit_annotations"?, "warnings"?}
 */
#include "k8s_internal.h"

#include <stdlib.h>
#include <string.h>

const char *wgk8s_entry_name(wgk8s_kind kind)
{
    switch (kind) {
    case WGK8S_TOKEN_REVIEW: return "authn";
    case WGK8S_SUBJECT_ACCESS_REVIEW: return "authz";
    case WGK8S_ADMISSION_REVIEW: return "validate";
    default: return "";
    }
}

static wgk8s_kind review_kind(const json_t *review)
{
    return wgk8s_kind_from_name(json_string_value(json_object_get(review, "kind")));
}

/* ---- Input ---- */

/* Parses settings text; any JSON value is accepted (k8s-wasm leaves its meaning to the
 * module). *out is NULL when settings_json is NULL. */
static bool parse_settings(const char *settings_json, json_t **out, char *err, size_t errsz)
{
    *out = NULL;
    if (!settings_json) return true;
    json_error_t jerr;
    *out = json_loads(settings_json, JSON_DECODE_ANY, &jerr);
    if (!*out) {
        wgk8s_seterr(err, errsz, "settings: not JSON: %s at line %d column %d", jerr.text,
                     jerr.line, jerr.column);
        return false;
    }
    return true;
}

/*
 * Splices "{\"request\":" REQUEST [",\"settings\":" SETTINGS] "}" from JSON texts that are
 * already known to be valid, instead of building and serializing a JSON tree.
 */
static char *splice_input(const char *request, size_t request_len, const char *settings,
                          size_t *len)
{
    static const char head[] = "{\"request\":", mid[] = ",\"settings\":";
    size_t settings_len = settings ? strlen(settings) : 0;
    size_t n = sizeof head - 1 + request_len + (settings ? sizeof mid - 1 + settings_len : 0) + 1;
    char *text = malloc(n + 1);
    if (!text) return NULL;
    char *p = text;
    memcpy(p, head, sizeof head - 1);
    p += sizeof head - 1;
    memcpy(p, request, request_len);
    p += request_len;
    if (settings) {
        memcpy(p, mid, sizeof mid - 1);
        p += sizeof mid - 1;
        memcpy(p, settings, settings_len);
        p += settings_len;
    }
    *p++ = '}';
    *p = '\0';
    *len = n;
    return text;
}

char *wgk8s_module_input_cached(wgk8s_protocol protocol, const json_t *review,
                                const char *settings_json, wgk8s_dump_cache *cache, size_t *len,
                                char *err, size_t errsz)
{
    /* Serialize the (possibly large) request once per review, for every module. */
    const json_t *part = review;
    if (protocol == WGK8S_PROTOCOL_KUBEWARDEN) {
        part = json_object_get(review, "request");
        if (review_kind(review) != WGK8S_ADMISSION_REVIEW || !json_is_object(part))
            return wgk8s_module_input(protocol, review, settings_json, len, err, errsz);
    } else if (protocol != WGK8S_PROTOCOL_K8S_WASM) {
        return wgk8s_module_input(protocol, review, settings_json, len, err, errsz);
    }
    json_t *settings;
    if (!parse_settings(settings_json, &settings, err, errsz)) return NULL;
    bool settings_ok = !settings || protocol != WGK8S_PROTOCOL_KUBEWARDEN || json_is_object(settings);
    json_decref(settings);
    if (!settings_ok) return wgk8s_module_input(protocol, review, settings_json, len, err, errsz);
    if (cache->json != part) {
        /*
         * The cache holds a reference to its key: a later review freed and allocated at the
         * same address must not match a serialization of the earlier one.
         */
        wgk8s_dump_cache_clear(cache);
        cache->text = wgk8s_json_dump(part, &cache->len);
        if (!cache->text) {
            wgk8s_seterr(err, errsz, "out of memory");
            return NULL;
        }
        cache->json = json_incref(wgk8s_unconst(part));
    }
    /* Kubewarden always sends settings; unset settings are an empty object. */
    const char *s = settings_json ? settings_json
                                  : protocol == WGK8S_PROTOCOL_KUBEWARDEN ? "{}" : NULL;
    char *text = splice_input(cache->text, cache->len, s, len);
    if (!text) wgk8s_seterr(err, errsz, "out of memory");
    return text;
}

void wgk8s_dump_cache_clear(wgk8s_dump_cache *cache)
{
    free(cache->text);
    json_decref(wgk8s_unconst(cache->json));
    cache->text = NULL;
    cache->json = NULL;
}

char *wgk8s_module_input(wgk8s_protocol protocol, const json_t *review, const char *settings_json,
                         size_t *len, char *err, size_t errsz)
{
    json_t *settings, *in = NULL;
    char *text = NULL;
    if (!parse_settings(settings_json, &settings, err, errsz)) return NULL;
    if (protocol == WGK8S_PROTOCOL_KUBEWARDEN) {
        json_t *request = json_object_get(review, "request");
        if (review_kind(review) != WGK8S_ADMISSION_REVIEW || !json_is_object(request)) {
            wgk8s_seterr(err, errsz, "the kubewarden protocol evaluates admission reviews only");
            goto out;
        }
        if (settings && !json_is_object(settings)) {
            wgk8s_seterr(err, errsz,
                         "settings: a Kubewarden policy's settings must be a JSON object, got %s",
                         wgk8s_type_name(settings));
            goto out;
        }
        /* Kubewarden always sends settings; unset settings are an empty object. */
        json_t *s = settings ? json_incref(settings) : json_object();
        in = s ? json_pack("{sOso}", "request", request, "settings", s) : NULL;
    } else if (protocol == WGK8S_PROTOCOL_K8S_WASM) {
        in = json_pack("{sO}", "request", wgk8s_unconst(review));
        if (in && settings && json_object_set(in, "settings", settings) != 0) {
            json_decref(in);
            in = NULL;
        }
    } else {
        wgk8s_seterr(err, errsz, "unknown module protocol %d", (int)protocol);
        goto out;
    }
    if (!in || !(text = wgk8s_json_dump(in, len))) wgk8s_seterr(err, errsz, "out of memory");
out:
    json_decref(settings);
    json_decref(in);
    return text;
}

/* ---- Output: common ---- */

/* Parses a module's output into a JSON object. Duplicate keys are rejected: a module
 * answering {"allowed": true, "allowed": false} is not to be second-guessed. */
static wgk8s_status parse_output(const char *out, size_t outlen, json_t **root, char *err,
                                 size_t errsz)
{
    *root = NULL;
    if (!out || outlen == 0) {
        wgk8s_seterr(err, errsz, "empty output");
        return WGK8S_ERR_MODULE;
    }
    json_error_t jerr;
    json_t *v = json_loadb(out, outlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!v) {
        if (json_error_code(&jerr) == json_error_out_of_memory) {
            wgk8s_seterr(err, errsz, "out of memory");
            return WGK8S_ERR_NOMEM;
        }
        wgk8s_seterr(err, errsz, "output is not JSON: %s at line %d column %d", jerr.text,
                     jerr.line, jerr.column);
        return WGK8S_ERR_MODULE;
    }
    if (!json_is_object(v)) {
        wgk8s_seterr(err, errsz, "output must be a JSON object, got %s", wgk8s_type_name(v));
        json_decref(v);
        return WGK8S_ERR_MODULE;
    }
    *root = v;
    return WGK8S_OK;
}

/* The k8s-wasm envelope: exactly one of "response" (a review of the request's kind, in
 * either version of its API group) and a non-empty "error". Returns the response review
 * (borrowed from root). */
static bool k8s_wasm_response(const json_t *root, wgk8s_kind kind, json_t **response, char *err,
                              size_t errsz)
{
    json_t *resp = json_object_get(root, "response");
    json_t *error = json_object_get(root, "error");
    if (json_is_null(resp)) resp = NULL;
    if (json_is_null(error)) error = NULL;
    if (resp && error) {
        wgk8s_seterr(err, errsz, "output has both \"response\" and \"error\" (want exactly one)");
        return false;
    }
    if (error) {
        if (!json_is_string(error))
            wgk8s_seterr(err, errsz, "error: must be a string, got %s", wgk8s_type_name(error));
        else if (json_string_length(error) == 0)
            wgk8s_seterr(err, errsz, "module reported an empty error");
        else
            wgk8s_seterr(err, errsz, "module reported an error: %s", json_string_value(error));
        return false;
    }
    if (!resp) {
        wgk8s_seterr(err, errsz, "output has neither \"response\" nor \"error\"");
        return false;
    }
    if (!json_is_object(resp)) {
        wgk8s_seterr(err, errsz, "response: must be an object, got %s", wgk8s_type_name(resp));
        return false;
    }
    const char *rkind, *av;
    if (!wgk8s_member_string(resp, "response", "kind", WGK8S_REQUIRED, &rkind, err, errsz) ||
        !wgk8s_member_string(resp, "response", "apiVersion", WGK8S_REQUIRED, &av, err, errsz))
        return false;
    if (strcmp(rkind, wgk8s_kind_name(kind)) != 0) {
        wgk8s_seterr(err, errsz, "response.kind: expected %s, got \"%s\"", wgk8s_kind_name(kind),
                     rkind);
        return false;
    }
    /* Either version of the group is accepted: the status/response shapes are the same in
     * v1 and v1beta1, and a module written against v1 may answer a v1beta1 request. The
     * reply to kube-apiserver always uses the request's version. */
    const char *group = wgk8s_kind_group(kind);
    size_t glen = strlen(group);
    if (strncmp(av, group, glen) != 0 ||
        (strcmp(av + glen, "/v1") != 0 && strcmp(av + glen, "/v1beta1") != 0)) {
        wgk8s_seterr(err, errsz, "response.apiVersion: expected %s/v1 or %s/v1beta1, got \"%s\"",
                     group, group, av);
        return false;
    }
    *response = resp;
    return true;
}

/* strdup for an optional string; *ok turns false on OOM. */
static char *dup_opt(const char *s, bool *ok)
{
    if (!s) return NULL;
    char *d = wgk8s_strdup(s);
    if (!d) *ok = false;
    return d;
}

/* ---- Authentication ---- */

void wgk8s_authn_decision_clear(wgk8s_authn_decision *d)
{
    json_decref(d->user);
    json_decref(d->audiences);
    free(d->error);
    memset(d, 0, sizeof *d);
}

/* A clean copy of a validated user object with only the fields kube-apiserver reads, and
 * empty ones left out. */
static json_t *normalize_user(const json_t *user)
{
    json_t *u = json_object();
    if (!u) return NULL;
    const char *fields[] = {"username", "uid"};
    for (size_t i = 0; i < 2; i++) {
        const char *s = json_string_value(json_object_get(user, fields[i]));
        if (s && *s && json_object_set_new(u, fields[i], json_string(s)) != 0) goto fail;
    }
    const char *lists[] = {"groups", "extra"};
    for (size_t i = 0; i < 2; i++) {
        json_t *v = json_object_get(user, lists[i]);
        if (json_is_array(v) ? json_array_size(v) == 0
                             : !json_is_object(v) || json_object_size(v) == 0)
            continue;
        if (json_object_set_new(u, lists[i], json_deep_copy(v)) != 0) goto fail;
    }
    return u;
fail:
    json_decref(u);
    return NULL;
}

wgk8s_status wgk8s_authn_interpret(wgk8s_protocol protocol, const json_t *review, const char *out,
                                   size_t outlen, wgk8s_authn_decision *d, char *err, size_t errsz)
{
    (void)review; /* a TokenReview answer carries nothing to match against the request */
    memset(d, 0, sizeof *d);
    if (protocol != WGK8S_PROTOCOL_K8S_WASM) {
        wgk8s_seterr(err, errsz, "the kubewarden protocol evaluates admission reviews only");
        return WGK8S_ERR_MODULE;
    }
    json_t *root, *resp, *status, *user, *audiences;
    const char *error, *username;
    bool authenticated;
    wgk8s_status st = parse_output(out, outlen, &root, err, errsz);
    if (st != WGK8S_OK) return st;
    st = WGK8S_ERR_MODULE;
    /* authenticated is omitempty in the API type, so a Go module that does not
     * authenticate leaves it out: absent means false. */
    if (!k8s_wasm_response(root, WGK8S_TOKEN_REVIEW, &resp, err, errsz) ||
        !wgk8s_member_object(resp, "response", "status", WGK8S_REQUIRED, &status, err, errsz) ||
        !wgk8s_member_bool(status, "response.status", "authenticated", WGK8S_OPTIONAL,
                           &authenticated, NULL, err, errsz) ||
        !wgk8s_member_object(status, "response.status", "user", WGK8S_OPTIONAL, &user, err,
                             errsz) ||
        (user && !wgk8s_check_user_fields(user, "response.status.user", "groups", err, errsz)) ||
        !wgk8s_member_string_array(status, "response.status", "audiences", WGK8S_OPTIONAL,
                                   &audiences, err, errsz) ||
        !wgk8s_member_string(status, "response.status", "error", WGK8S_OPTIONAL, &error, err,
                             errsz))
        goto out;
    if (authenticated) {
        if (!wgk8s_member_object(status, "response.status", "user", WGK8S_REQUIRED, &user, err,
                                 errsz) ||
            !wgk8s_member_string(user, "response.status.user", "username",
                                 WGK8S_REQUIRED | WGK8S_NONEMPTY, &username, err, errsz)) {
            wgk8s_prefix_err(err, errsz, "authenticated without a user");
            goto out;
        }
    }
    bool ok = true;
    d->authenticated = authenticated;
    if (user && !(d->user = normalize_user(user))) ok = false;
    if (audiences) d->audiences = json_incref(audiences);
    d->error = dup_opt(error, &ok);
    st = ok ? WGK8S_OK : WGK8S_ERR_NOMEM;
    if (!ok) {
        wgk8s_authn_decision_clear(d);
        wgk8s_seterr(err, errsz, "out of memory");
    }
out:
    json_decref(root);
    return st;
}

/* ---- Authorization ---- */

void wgk8s_authz_decision_clear(wgk8s_authz_decision *d)
{
    free(d->reason);
    free(d->evaluation_error);
    memset(d, 0, sizeof *d);
}

wgk8s_status wgk8s_authz_interpret(wgk8s_protocol protocol, const json_t *review, const char *out,
                                   size_t outlen, wgk8s_authz_decision *d, char *err, size_t errsz)
{
    (void)review; /* nor does a SubjectAccessReview answer */
    memset(d, 0, sizeof *d);
    if (protocol != WGK8S_PROTOCOL_K8S_WASM) {
        wgk8s_seterr(err, errsz, "the kubewarden protocol evaluates admission reviews only");
        return WGK8S_ERR_MODULE;
    }
    json_t *root, *resp, *status;
    const char *reason, *evaluation_error;
    bool allowed, denied;
    wgk8s_status st = parse_output(out, outlen, &root, err, errsz);
    if (st != WGK8S_OK) return st;
    st = WGK8S_ERR_MODULE;
    /* allowed is required in the API type (no omitempty); denied is optional. */
    if (!k8s_wasm_response(root, WGK8S_SUBJECT_ACCESS_REVIEW, &resp, err, errsz) ||
        !wgk8s_member_object(resp, "response", "status", WGK8S_REQUIRED, &status, err, errsz) ||
        !wgk8s_member_bool(status, "response.status", "allowed", WGK8S_REQUIRED, &allowed, NULL,
                           err, errsz) ||
        !wgk8s_member_bool(status, "response.status", "denied", WGK8S_OPTIONAL, &denied, NULL, err,
                           errsz) ||
        !wgk8s_member_string(status, "response.status", "reason", WGK8S_OPTIONAL, &reason, err,
                             errsz) ||
        !wgk8s_member_string(status, "response.status", "evaluationError", WGK8S_OPTIONAL,
                             &evaluation_error, err, errsz))
        goto out;
    bool ok = true;
    d->allowed = allowed;
    d->denied = denied;
    d->reason = dup_opt(reason, &ok);
    d->evaluation_error = dup_opt(evaluation_error, &ok);
    st = ok ? WGK8S_OK : WGK8S_ERR_NOMEM;
    if (!ok) {
        wgk8s_authz_decision_clear(d);
        wgk8s_seterr(err, errsz, "out of memory");
    }
out:
    json_decref(root);
    return st;
}

/* ---- Admission ---- */

void wgk8s_admission_decision_clear(wgk8s_admission_decision *d)
{
    free(d->message);
    free(d->reason);
    json_decref(d->mutated_object);
    json_decref(d->audit_annotations);
    json_decref(d->warnings);
    memset(d, 0, sizeof *d);
}

/* status.code / Kubewarden code: 0 means "not given"; otherwise an HTTP status. */
static bool check_code(long long code, const char *path, char *err, size_t errsz)
{
    if (code == 0 || (code >= 100 && code <= 599)) return true;
    wgk8s_seterr(err, errsz, "%s: must be an HTTP status code (100-599), got %lld", path, code);
    return false;
}

/* The object a mutation applies to: request.object of the review the module was given.
 * Fails for requests without one (DELETE, and CONNECT without options). */
static const json_t *mutable_object(const json_t *review, const char *path, char *err, size_t errsz)
{
    const json_t *request = json_object_get(review, "request");
    const json_t *object = json_object_get(request, "object");
    if (json_is_object(object)) return object;
    const char *op = json_string_value(json_object_get(request, "operation"));
    wgk8s_seterr(err, errsz, "%s: a %s request has no object to mutate", path, op ? op : "");
    return NULL;
}

/* Decodes a k8s-wasm patch (base64) into the whole mutated object: "Full" carries the
 * object itself, "JSONPatch" an RFC 6902 patch to apply to request.object. */
static wgk8s_status decode_mutation(const json_t *review, const char *patch, const char *type,
                                    json_t **mutated, char *err, size_t errsz)
{
    const char *path = "response.response.patch";
    const json_t *object = mutable_object(review, path, err, errsz);
    if (!object) return WGK8S_ERR_MODULE;
    if (!*patch) {
        wgk8s_seterr(err, errsz, "%s: empty", path);
        return WGK8S_ERR_MODULE;
    }
    char msg[256];
    size_t len;
    unsigned char *bytes = wgk8s_base64_decode(patch, strlen(patch), &len, msg, sizeof msg);
    if (!bytes) {
        wgk8s_seterr(err, errsz, "%s: %s", path, msg);
        return WGK8S_ERR_MODULE;
    }
    json_error_t jerr;
    json_t *decoded = json_loadb((const char *)bytes, len, JSON_REJECT_DUPLICATES, &jerr);
    free(bytes);
    if (!decoded) {
        wgk8s_seterr(err, errsz, "%s: the decoded %s patch is not JSON: %s at line %d column %d",
                     path, type, jerr.text, jerr.line, jerr.column);
        return WGK8S_ERR_MODULE;
    }
    json_t *result;
    if (strcmp(type, "Full") == 0) {
        result = decoded;
    } else {
        result = wgk8s_json_patch_apply(object, decoded, msg, sizeof msg);
        json_decref(decoded);
        if (!result) {
            wgk8s_seterr(err, errsz, "%s: the JSON Patch does not apply to request.object: %s",
                         path, msg);
            return WGK8S_ERR_MODULE;
        }
    }
    if (!json_is_object(result)) {
        wgk8s_seterr(err, errsz, "%s: the mutated object must be a JSON object, got %s", path,
                     wgk8s_type_name(result));
        json_decref(result);
        return WGK8S_ERR_MODULE;
    }
    *mutated = result;
    return WGK8S_OK;
}

static wgk8s_status k8s_wasm_admission(const json_t *root, const json_t *review, bool mutating,
                                       wgk8s_admission_decision *d, char *err, size_t errsz)
{
    const char *P = "response.response";
    json_t *resp, *response, *status = NULL, *annotations, *warnings;
    const char *uid, *message = NULL, *reason = NULL, *patch, *patch_type;
    long long code = 0;
    bool allowed;
    if (!k8s_wasm_response(root, WGK8S_ADMISSION_REVIEW, &resp, err, errsz) ||
        !wgk8s_member_object(resp, "response", "response", WGK8S_REQUIRED, &response, err, errsz) ||
        !wgk8s_member_string(response, P, "uid", WGK8S_REQUIRED, &uid, err, errsz) ||
        !wgk8s_member_bool(response, P, "allowed", WGK8S_REQUIRED, &allowed, NULL, err, errsz) ||
        !wgk8s_member_object(response, P, "status", WGK8S_OPTIONAL, &status, err, errsz) ||
        (status && (!wgk8s_member_int(status, "response.response.status", "code", WGK8S_OPTIONAL,
                                      &code, NULL, err, errsz) ||
                    !check_code(code, "response.response.status.code", err, errsz) ||
                    !wgk8s_member_string(status, "response.response.status", "message",
                                         WGK8S_OPTIONAL, &message, err, errsz) ||
                    !wgk8s_member_string(status, "response.response.status", "reason",
                                         WGK8S_OPTIONAL, &reason, err, errsz))) ||
        !wgk8s_member_string(response, P, "patch", WGK8S_OPTIONAL, &patch, err, errsz) ||
        !wgk8s_member_string(response, P, "patchType", WGK8S_OPTIONAL, &patch_type, err, errsz) ||
        !wgk8s_member_string_map(response, P, "auditAnnotations", WGK8S_OPTIONAL, &annotations, err,
                                 errsz) ||
        !wgk8s_member_string_array(response, P, "warnings", WGK8S_OPTIONAL, &warnings, err, errsz))
        return WGK8S_ERR_MODULE;
    const char *want_uid =
        json_string_value(json_object_get(json_object_get(review, "request"), "uid"));
    if (!want_uid || strcmp(uid, want_uid) != 0) {
        wgk8s_seterr(err, errsz, "%s.uid: \"%s\" does not match the request uid \"%s\"", P, uid,
                     want_uid ? want_uid : "");
        return WGK8S_ERR_MODULE;
    }
    if (patch || patch_type) {
        if (!mutating) {
            wgk8s_seterr(err, errsz, "%s.%s: the module is not mutating but returned a patch", P,
                         patch ? "patch" : "patchType");
            return WGK8S_ERR_MODULE;
        }
        if (!patch || !patch_type) {
            wgk8s_seterr(err, errsz, "%s.%s: set without %s (want both or neither)", P,
                         patch ? "patch" : "patchType", patch ? "patchType" : "patch");
            return WGK8S_ERR_MODULE;
        }
        if (strcmp(patch_type, "Full") != 0 && strcmp(patch_type, "JSONPatch") != 0) {
            wgk8s_seterr(err, errsz, "%s.patchType: must be \"JSONPatch\" or \"Full\", got \"%s\"",
                         P, patch_type);
            return WGK8S_ERR_MODULE;
        }
        /* A denial's patch would never be applied; it is not decoded either. */
        if (allowed) {
            wgk8s_status st =
                decode_mutation(review, patch, patch_type, &d->mutated_object, err, errsz);
            if (st != WGK8S_OK) return st;
        }
    }
    bool ok = true;
    d->allowed = allowed;
    d->code = (int)code;
    d->message = dup_opt(message, &ok);
    d->reason = dup_opt(reason, &ok);
    if (annotations) d->audit_annotations = json_incref(annotations);
    if (warnings) d->warnings = json_incref(warnings);
    if (!ok) wgk8s_seterr(err, errsz, "out of memory");
    return ok ? WGK8S_OK : WGK8S_ERR_NOMEM;
}

static wgk8s_status kubewarden_admission(const json_t *root, const json_t *review, bool mutating,
                                         wgk8s_admission_decision *d, char *err, size_t errsz)
{
    json_t *mutated, *annotations, *warnings;
    const char *message;
    long long code;
    bool accepted;
    if (!wgk8s_member_bool(root, "", "accepted", WGK8S_REQUIRED, &accepted, NULL, err, errsz) ||
        !wgk8s_member_string(root, "", "message", WGK8S_OPTIONAL, &message, err, errsz) ||
        !wgk8s_member_int(root, "", "code", WGK8S_OPTIONAL, &code, NULL, err, errsz) ||
        !check_code(code, "code", err, errsz) ||
        !wgk8s_member_object(root, "", "mutated_object", WGK8S_OPTIONAL, &mutated, err, errsz) ||
        !wgk8s_member_string_map(root, "", "audit_annotations", WGK8S_OPTIONAL, &annotations, err,
                                 errsz) ||
        !wgk8s_member_string_array(root, "", "warnings", WGK8S_OPTIONAL, &warnings, err, errsz))
        return WGK8S_ERR_MODULE;
    if (mutated) {
        if (!mutating) {
            wgk8s_seterr(err, errsz,
                         "mutated_object: the policy is not mutating but returned a mutated "
                         "object");
            return WGK8S_ERR_MODULE;
        }
        if (accepted) {
            if (!mutable_object(review, "mutated_object", err, errsz)) return WGK8S_ERR_MODULE;
            d->mutated_object = json_incref(mutated);
        }
    }
    bool ok = true;
    d->allowed = accepted;
    d->code = (int)code;
    d->message = dup_opt(message, &ok);
    if (annotations) d->audit_annotations = json_incref(annotations);
    if (warnings) d->warnings = json_incref(warnings);
    if (!ok) wgk8s_seterr(err, errsz, "out of memory");
    return ok ? WGK8S_OK : WGK8S_ERR_NOMEM;
}

wgk8s_status wgk8s_admission_interpret(wgk8s_protocol protocol, const json_t *review, bool mutating,
                                       const char *out, size_t outlen, wgk8s_admission_decision *d,
                                       char *err, size_t errsz)
{
    memset(d, 0, sizeof *d);
    json_t *root;
    wgk8s_status st = parse_output(out, outlen, &root, err, errsz);
    if (st != WGK8S_OK) return st;
    if (protocol == WGK8S_PROTOCOL_KUBEWARDEN)
        st = kubewarden_admission(root, review, mutating, d, err, errsz);
    else
        st = k8s_wasm_admission(root, review, mutating, d, err, errsz);
    json_decref(root);
    if (st != WGK8S_OK) wgk8s_admission_decision_clear(d);
    return st;
}
