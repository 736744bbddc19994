/*
 * review.c — parse and validate the review requests kube-apiserver sends.
 *
 * A request body is judged in three steps, each with its own status so that a server can
 * tell its client what kind of mistake it made: is it JSON (WGK8S_ERR_NOT_JSON), is it
 * one of the six review kind/apiVersion pairs and the one this endpoint serves
 * (WGK8S_ERR_WRONG_KIND), and does it carry the fields the webhook contract promises, with
 * the right types (WGK8S_ERR_INVALID, message starting with the JSON path). Validation is
 * strict about what this layer and modules rely on and silent about the rest: unknown
 * members are kept and passed to modules unchanged, as Go's decoder would ignore them.
 */
#include "k8s_internal.h"

#include <stdlib.h>
#include <string.h>

struct wgk8s_review {
    json_t *json;
    wgk8s_kind kind;
    wgk8s_version version;
    const char *api_version; /* borrowed from json */
    const char *uid;         /* admission: request.uid, borrowed from json */
};

typedef struct kind_info {
    wgk8s_kind kind;
    const char *name;
    const char *group;
} kind_info;

static const kind_info kinds[] = {
    {WGK8S_TOKEN_REVIEW, "TokenReview", "authentication.k8s.io"},
    {WGK8S_SUBJECT_ACCESS_REVIEW, "SubjectAccessReview", "authorization.k8s.io"},
    {WGK8S_ADMISSION_REVIEW, "AdmissionReview", "admission.k8s.io"},
};

const char *wgk8s_kind_name(wgk8s_kind kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind) return kinds[i].name;
    return "review";
}

const char *wgk8s_kind_group(wgk8s_kind kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == kind) return kinds[i].group;
    return "";
}

wgk8s_kind wgk8s_kind_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, name) == 0) return kinds[i].kind;
    return WGK8S_KIND_ANY;
}

/* ---- Per-kind validation ---- */

static bool check_token_review(const json_t *root, char *err, size_t errsz)
{
    json_t *spec, *audiences;
    const char *token;
    return wgk8s_member_object(root, "", "spec", WGK8S_REQUIRED, &spec, err, errsz) &&
           wgk8s_member_string(spec, "spec", "token", WGK8S_REQUIRED | WGK8S_NONEMPTY, &token, err,
                               errsz) &&
           wgk8s_member_string_array(spec, "spec", "audiences", WGK8S_OPTIONAL, &audiences, err,
                                     errsz);
}

static bool check_sar(const json_t *root, wgk8s_version version, char *err, size_t errsz)
{
    json_t *spec, *res, *nonres, *v;
    const char *s;
    if (!wgk8s_member_object(root, "", "spec", WGK8S_REQUIRED, &spec, err, errsz) ||
        !wgk8s_member_object(spec, "spec", "resourceAttributes", WGK8S_OPTIONAL, &res, err,
                             errsz) ||
        !wgk8s_member_object(spec, "spec", "nonResourceAttributes", WGK8S_OPTIONAL, &nonres, err,
                             errsz))
        return false;
    if ((res != NULL) == (nonres != NULL)) {
        wgk8s_seterr(err, errsz,
                     "spec: exactly one of resourceAttributes and nonResourceAttributes must be "
                     "set (%s)",
                     res ? "both are" : "neither is");
        return false;
    }
    if (res) {
        static const char *const fields[] = {"namespace", "verb",        "group", "version",
                                             "resource",  "subresource", "name"};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (!wgk8s_member_string(res, "spec.resourceAttributes", fields[i], WGK8S_OPTIONAL, &s,
                                     err, errsz))
                return false;
        if (!wgk8s_member_object(res, "spec.resourceAttributes", "fieldSelector", WGK8S_OPTIONAL,
                                 &v, err, errsz) ||
            !wgk8s_member_object(res, "spec.resourceAttributes", "labelSelector", WGK8S_OPTIONAL,
                                 &v, err, errsz))
            return false;
    } else {
        if (!wgk8s_member_string(nonres, "spec.nonResourceAttributes", "path", WGK8S_OPTIONAL, &s,
                                 err, errsz) ||
            !wgk8s_member_string(nonres, "spec.nonResourceAttributes", "verb", WGK8S_OPTIONAL, &s,
                                 err, errsz))
            return false;
    }
    /* The one shape difference between the versions: v1beta1 spells the groups "group".
     * The other spelling is rejected rather than ignored, because a module reading the
     * version's own field would silently see no groups. */
    const char *groups_key = version == WGK8S_V1BETA1 ? "group" : "groups";
    const char *wrong_key = version == WGK8S_V1BETA1 ? "groups" : "group";
    json_t *wrong = json_object_get(spec, wrong_key);
    if (wrong && !json_is_null(wrong)) {
        wgk8s_seterr(err, errsz,
                     "spec.%s: not a field of %s SubjectAccessReview (it spells the "
                     "user's groups spec.%s)",
                     wrong_key, version == WGK8S_V1BETA1 ? "v1beta1" : "v1", groups_key);
        return false;
    }
    if (!wgk8s_member_string(spec, "spec", "user", WGK8S_OPTIONAL, &s, err, errsz) ||
        !wgk8s_member_string(spec, "spec", "uid", WGK8S_OPTIONAL, &s, err, errsz) ||
        !wgk8s_member_string_array(spec, "spec", groups_key, WGK8S_OPTIONAL, &v, err, errsz) ||
        !wgk8s_member_extra(spec, "spec", "extra", WGK8S_OPTIONAL, &v, err, errsz))
        return false;
    return true;
}

/* A {group, version, <name_key>} member such as request.kind or request.resource. The
 * group may be empty (the core group); version and the name may not. */
static bool check_gv_member(const json_t *request, const char *key, const char *name_key, int flags,
                            char *err, size_t errsz)
{
    json_t *obj;
    const char *s;
    char path[WGK8S_PATH_MAX];
    wgk8s_path_key(path, sizeof path, "request", key);
    if (!wgk8s_member_object(request, "request", key, flags, &obj, err, errsz)) return false;
    if (!obj) return true;
    return wgk8s_member_string(obj, path, "group", WGK8S_OPTIONAL, &s, err, errsz) &&
           wgk8s_member_string(obj, path, "version", WGK8S_REQUIRED | WGK8S_NONEMPTY, &s, err,
                               errsz) &&
           wgk8s_member_string(obj, path, name_key, WGK8S_REQUIRED | WGK8S_NONEMPTY, &s, err,
                               errsz);
}

/* request.object / request.oldObject: an object, or null/absent. */
static bool check_object_member(const json_t *request, const char *key, char *err, size_t errsz)
{
    json_t *v;
    return wgk8s_member_object(request, "request", key, WGK8S_OPTIONAL, &v, err, errsz);
}

static bool check_admission_review(const json_t *root, const char **uid, char *err, size_t errsz)
{
    json_t *request, *user;
    const char *s, *op;
    bool b;
    if (!wgk8s_member_object(root, "", "request", WGK8S_REQUIRED, &request, err, errsz) ||
        !wgk8s_member_string(request, "request", "uid", WGK8S_REQUIRED | WGK8S_NONEMPTY, uid, err,
                             errsz) ||
        !check_gv_member(request, "kind", "kind", WGK8S_REQUIRED, err, errsz) ||
        !check_gv_member(request, "resource", "resource", WGK8S_REQUIRED, err, errsz) ||
        !wgk8s_member_string(request, "request", "subResource", WGK8S_OPTIONAL, &s, err, errsz) ||
        !check_gv_member(request, "requestKind", "kind", WGK8S_OPTIONAL, err, errsz) ||
        !check_gv_member(request, "requestResource", "resource", WGK8S_OPTIONAL, err, errsz) ||
        !wgk8s_member_string(request, "request", "requestSubResource", WGK8S_OPTIONAL, &s, err,
                             errsz) ||
        !wgk8s_member_string(request, "request", "name", WGK8S_OPTIONAL, &s, err, errsz) ||
        !wgk8s_member_string(request, "request", "namespace", WGK8S_OPTIONAL, &s, err, errsz) ||
        !wgk8s_member_string(request, "request", "operation", WGK8S_REQUIRED, &op, err, errsz) ||
        !wgk8s_member_object(request, "request", "userInfo", WGK8S_OPTIONAL, &user, err, errsz) ||
        (user && !wgk8s_check_user_fields(user, "request.userInfo", "groups", err, errsz)) ||
        !check_object_member(request, "object", err, errsz) ||
        !check_object_member(request, "oldObject", err, errsz) ||
        !wgk8s_member_bool(request, "request", "dryRun", WGK8S_OPTIONAL, &b, NULL, err, errsz))
        return false;
    if (strcmp(op, "CREATE") != 0 && strcmp(op, "UPDATE") != 0 && strcmp(op, "DELETE") != 0 &&
        strcmp(op, "CONNECT") != 0) {
        wgk8s_seterr(err, errsz,
                     "request.operation: must be CREATE, UPDATE, DELETE or CONNECT, got \"%s\"",
                     op);
        return false;
    }
    return true;
}

/* ---- Kind identification ---- */

/* Identifies root's review kind and version, checks it against expect. */
static wgk8s_status identify(const json_t *root, wgk8s_kind expect, const kind_info **info,
                             wgk8s_version *version, const char **api_version, char *err,
                             size_t errsz)
{
    if (!json_is_object(root)) {
        wgk8s_seterr(err, errsz, "body: must be a review object, got %s", wgk8s_type_name(root));
        return WGK8S_ERR_WRONG_KIND;
    }
    const char *kind, *av;
    if (!wgk8s_member_string(root, "", "kind", WGK8S_REQUIRED, &kind, err, errsz) ||
        !wgk8s_member_string(root, "", "apiVersion", WGK8S_REQUIRED, &av, err, errsz))
        return WGK8S_ERR_WRONG_KIND;
    *info = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, kind) == 0) *info = &kinds[i];
    if (!*info) {
        wgk8s_seterr(err, errsz,
                     "kind: \"%s\" is not a review (want TokenReview, SubjectAccessReview or "
                     "AdmissionReview)",
                     kind);
        return WGK8S_ERR_WRONG_KIND;
    }
    if (expect != WGK8S_KIND_ANY && expect != (*info)->kind) {
        wgk8s_seterr(err, errsz, "kind: expected %s, got %s", wgk8s_kind_name(expect), kind);
        return WGK8S_ERR_WRONG_KIND;
    }
    size_t glen = strlen((*info)->group);
    if (strncmp(av, (*info)->group, glen) == 0 && strcmp(av + glen, "/v1") == 0) {
        *version = WGK8S_V1;
    } else if (strncmp(av, (*info)->group, glen) == 0 && strcmp(av + glen, "/v1beta1") == 0) {
        *version = WGK8S_V1BETA1;
    } else {
        wgk8s_seterr(err, errsz,
                     "apiVersion: \"%s\" is not supported for %s (want %s/v1 or %s/v1beta1)", av,
                     kind, (*info)->group, (*info)->group);
        return WGK8S_ERR_WRONG_KIND;
    }
    *api_version = av;
    return WGK8S_OK;
}

wgk8s_status wgk8s_review_from_json(json_t *value, wgk8s_kind expect, wgk8s_review **out, char *err,
                                    size_t errsz)
{
    *out = NULL;
    const kind_info *info;
    wgk8s_version version;
    const char *av, *uid = NULL;
    wgk8s_status st = identify(value, expect, &info, &version, &av, err, errsz);
    if (st != WGK8S_OK) return st;
    bool ok = false;
    switch (info->kind) {
    case WGK8S_TOKEN_REVIEW: ok = check_token_review(value, err, errsz); break;
    case WGK8S_SUBJECT_ACCESS_REVIEW: ok = check_sar(value, version, err, errsz); break;
    case WGK8S_ADMISSION_REVIEW: ok = check_admission_review(value, &uid, err, errsz); break;
    default: break;
    }
    if (!ok) return WGK8S_ERR_INVALID;
    wgk8s_review *r = calloc(1, sizeof *r);
    if (!r) {
        wgk8s_seterr(err, errsz, "out of memory");
        return WGK8S_ERR_NOMEM;
    }
    r->json = json_incref(value);
    r->kind = info->kind;
    r->version = version;
    r->api_version = av;
    r->uid = uid;
    *out = r;
    return WGK8S_OK;
}

wgk8s_status wgk8s_review_parse(const char *body, size_t len, wgk8s_kind expect, wgk8s_review **out,
                                char *err, size_t errsz)
{
    *out = NULL;
    json_error_t jerr;
    /* Duplicate keys are accepted (the last wins) as they are by kube-apiserver's Go
     * decoder, so that wasmgate and the API server read the same request. */
    json_t *root = json_loadb(body ? body : "", body ? len : 0, 0, &jerr);
    if (!root) {
        if (json_error_code(&jerr) == json_error_out_of_memory) {
            wgk8s_seterr(err, errsz, "out of memory");
            return WGK8S_ERR_NOMEM;
        }
        wgk8s_seterr(err, errsz, "body: not JSON: %s at line %d column %d", jerr.text, jerr.line,
                     jerr.column);
        return WGK8S_ERR_NOT_JSON;
    }
    wgk8s_status st = wgk8s_review_from_json(root, expect, out, err, errsz);
    json_decref(root);
    return st;
}

void wgk8s_review_free(wgk8s_review *review)
{
    if (!review) return;
    json_decref(review->json);
    free(review);
}

wgk8s_kind wgk8s_review_kind(const wgk8s_review *r)
{
    return r->kind;
}
wgk8s_version wgk8s_review_version(const wgk8s_review *r)
{
    return r->version;
}
const char *wgk8s_review_api_version(const wgk8s_review *r)
{
    return r->api_version;
}
const json_t *wgk8s_review_json(const wgk8s_review *r)
{
    return r->json;
}
const char *wgk8s_review_uid(const wgk8s_review *r)
{
    return r->uid;
}

const json_t *wgk8s_review_sar_groups(const wgk8s_review *r)
{
    if (r->kind != WGK8S_SUBJECT_ACCESS_REVIEW) return NULL;
    json_t *spec = json_object_get(r->json, "spec");
    json_t *g = json_object_get(spec, r->version == WGK8S_V1BETA1 ? "group" : "groups");
    return json_is_array(g) ? g : NULL;
}
