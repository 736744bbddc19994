/*
 * util.c — error formatting, JSON paths and typed member accessors for the Kubernetes
 * semantics layer.
 *
 * Everything that validates JSON in this layer (reviews, module outputs, rules) goes
 * through the wgk8s_member_* accessors so that every message has the same shape:
 * "<json path>: <what is wrong>".
 */
#include "k8s_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Status ---- */

const char *wgk8s_status_name(wgk8s_status st)
{
    switch (st) {
    case WGK8S_OK: return "ok";
    case WGK8S_ERR_NOT_JSON: return "not JSON";
    case WGK8S_ERR_WRONG_KIND: return "wrong kind";
    case WGK8S_ERR_INVALID: return "invalid review";
    case WGK8S_ERR_MODULE: return "module failure";
    case WGK8S_ERR_NOMEM: return "out of memory";
    }
    return "unknown status";
}

int wgk8s_http_status(wgk8s_status st)
{
    switch (st) {
    case WGK8S_OK: return 200;
    case WGK8S_ERR_NOT_JSON:
    case WGK8S_ERR_WRONG_KIND:
    case WGK8S_ERR_INVALID: return 400;
    case WGK8S_ERR_MODULE:
    case WGK8S_ERR_NOMEM: return 500;
    }
    return 500;
}

/* ---- Errors ---- */

void wgk8s_seterr(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || errsz == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

void wgk8s_prefix_err(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || errsz == 0) return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    size_t plen = strlen(prefix);
    size_t elen = strnlen(err, errsz - 1);
    /* Shift the existing message right to make room for "prefix: ". */
    size_t room = errsz - 1;
    size_t head = plen + 2 < room ? plen + 2 : room;
    size_t keep = elen < room - head ? elen : room - head;
    memmove(err + head, err, keep);
    err[head + keep] = '\0';
    memcpy(err, prefix, head < plen ? head : plen);
    if (head > plen) err[plen] = ':';
    if (head > plen + 1) err[plen + 1] = ' ';
}

char *wgk8s_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (!s) return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

const char *wgk8s_type_name(const json_t *v)
{
    if (!v) return "nothing";
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "object";
    case JSON_ARRAY: return "array";
    case JSON_STRING: return "string";
    case JSON_INTEGER:
    case JSON_REAL: return "number";
    case JSON_TRUE:
    case JSON_FALSE: return "boolean";
    case JSON_NULL: return "null";
    }
    return "value";
}

char *wgk8s_strdup(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

char *wgk8s_json_dump(const json_t *v, size_t *len)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s && len) *len = strlen(s);
    return s;
}

/* ---- Paths ---- */

static bool is_plain_key(const char *key)
{
    if (!*key) return false;
    for (const char *p = key; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') return false;
    return true;
}

void wgk8s_path_key(char *out, size_t outsz, const char *parent, const char *key)
{
    if (!outsz) return;
    if (is_plain_key(key))
        snprintf(out, outsz, "%s%s%s", parent, *parent ? "." : "", key);
    else
        snprintf(out, outsz, "%s[\"%s\"]", parent, key);
}

void wgk8s_path_index(char *out, size_t outsz, const char *parent, size_t index)
{
    if (outsz) snprintf(out, outsz, "%s[%zu]", parent, index);
}

/* ---- Typed members ---- */

/* Looks up obj[key] treating null as absent. Returns false (with "path: missing") only
 * when the member is required and absent. */
static bool lookup(const json_t *obj, const char *path, const char *key, int flags, json_t **out,
                   char *err, size_t errsz)
{
    json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (v && json_is_null(v)) v = NULL;
    *out = v;
    if (!v && (flags & WGK8S_REQUIRED)) {
        char p[WGK8S_PATH_MAX];
        wgk8s_path_key(p, sizeof p, path, key);
        wgk8s_seterr(err, errsz, "%s: missing", p);
        return false;
    }
    return true;
}

static bool wrong_type(const char *path, const char *key, const char *want, const json_t *got,
                       char *err, size_t errsz)
{
    char p[WGK8S_PATH_MAX];
    wgk8s_path_key(p, sizeof p, path, key);
    wgk8s_seterr(err, errsz, "%s: must be %s, got %s", p, want, wgk8s_type_name(got));
    return false;
}

bool wgk8s_member_string(const json_t *obj, const char *path, const char *key, int flags,
                         const char **out, char *err, size_t errsz)
{
    json_t *v;
    *out = NULL;
    if (!lookup(obj, path, key, flags, &v, err, errsz)) return false;
    if (!v) return true;
    if (!json_is_string(v)) return wrong_type(path, key, "a string", v, err, errsz);
    if ((flags & WGK8S_NONEMPTY) && json_string_length(v) == 0) {
        char p[WGK8S_PATH_MAX];
        wgk8s_path_key(p, sizeof p, path, key);
        wgk8s_seterr(err, errsz, "%s: must not be empty", p);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool wgk8s_member_bool(const json_t *obj, const char *path, const char *key, int flags, bool *out,
                       bool *present, char *err, size_t errsz)
{
    json_t *v;
    *out = false;
    if (present) *present = false;
    if (!lookup(obj, path, key, flags, &v, err, errsz)) return false;
    if (!v) return true;
    if (!json_is_boolean(v)) return wrong_type(path, key, "a boolean", v, err, errsz);
    *out = json_is_true(v);
    if (present) *present = true;
    return true;
}

bool wgk8s_member_int(const json_t *obj, const char *path, const char *key, int flags,
                      long long *out, bool *present, char *err, size_t errsz)
{
    json_t *v;
    *out = 0;
    if (present) *present = false;
    if (!lookup(obj, path, key, flags, &v, err, errsz)) return false;
    if (!v) return true;
    if (!json_is_integer(v)) return wrong_type(path, key, "an integer", v, err, errsz);
    *out = (long long)json_integer_value(v);
    if (present) *present = true;
    return true;
}

bool wgk8s_member_object(const json_t *obj, const char *path, const char *key, int flags,
                         json_t **out, char *err, size_t errsz)
{
    json_t *v;
    *out = NULL;
    if (!lookup(obj, path, key, flags, &v, err, errsz)) return false;
    if (!v) return true;
    if (!json_is_object(v)) return wrong_type(path, key, "an object", v, err, errsz);
    *out = v;
    return true;
}

/* Checks that every element of arr is a string; `path` is the array's path. */
static bool check_string_elements(const json_t *arr, const char *path, char *err, size_t errsz)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        if (!json_is_string(e)) {
            char p[WGK8S_PATH_MAX];
            wgk8s_path_index(p, sizeof p, path, i);
            wgk8s_seterr(err, errsz, "%s: must be a string, got %s", p, wgk8s_type_name(e));
            return false;
        }
    }
    return true;
}

bool wgk8s_member_string_array(const json_t *obj, const char *path, const char *key, int flags,
                               json_t **out, char *err, size_t errsz)
{
    json_t *v;
    *out = NULL;
    if (!lookup(obj, path, key, flags, &v, err, errsz)) return false;
    if (!v) return true;
    if (!json_is_array(v)) return wrong_type(path, key, "an array of strings", v, err, errsz);
    char p[WGK8S_PATH_MAX];
    wgk8s_path_key(p, sizeof p, path, key);
    if (!check_string_elements(v, p, err, errsz)) return false;
    *out = v;
    return true;
}

bool wgk8s_member_string_map(const json_t *obj, const char *path, const char *key, int flags,
                             json_t **out, char *err, size_t errsz)
{
    json_t *v;
    *out = NULL;
    if (!lookup(obj, path, key, flags, &v, err, errsz)) return false;
    if (!v) return true;
    if (!json_is_object(v)) return wrong_type(path, key, "an object of strings", v, err, errsz);
    char p[WGK8S_PATH_MAX];
    wgk8s_path_key(p, sizeof p, path, key);
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e)
    {
        if (!json_is_string(e)) return wrong_type(p, k, "a string", e, err, errsz);
    }
    *out = v;
    return true;
}

bool wgk8s_member_extra(const json_t *obj, const char *path, const char *key, int flags,
                        json_t **out, char *err, size_t errsz)
{
    json_t *v;
    *out = NULL;
    if (!lookup(obj, path, key, flags, &v, err, errsz)) return false;
    if (!v) return true;
    if (!json_is_object(v))
        return wrong_type(path, key, "an object of string arrays", v, err, errsz);
    char p[WGK8S_PATH_MAX];
    wgk8s_path_key(p, sizeof p, path, key);
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e)
    {
        char ep[WGK8S_PATH_MAX];
        wgk8s_path_key(ep, sizeof ep, p, k);
        if (!json_is_array(e)) {
            wgk8s_seterr(err, errsz, "%s: must be an array of strings, got %s", ep,
                         wgk8s_type_name(e));
            return false;
        }
        if (!check_string_elements(e, ep, err, errsz)) return false;
    }
    *out = v;
    return true;
}

bool wgk8s_check_user_fields(const json_t *obj, const char *path, const char *groups_key, char *err,
                             size_t errsz)
{
    const char *s;
    json_t *v;
    return wgk8s_member_string(obj, path, "username", WGK8S_OPTIONAL, &s, err, errsz) &&
           wgk8s_member_string(obj, path, "uid", WGK8S_OPTIONAL, &s, err, errsz) &&
           wgk8s_member_string_array(obj, path, groups_key, WGK8S_OPTIONAL, &v, err, errsz) &&
           wgk8s_member_extra(obj, path, "extra", WGK8S_OPTIONAL, &v, err, errsz);
}
