/*
 * k8s_internal.h — helpers shared by the files of the Kubernetes semantics layer.
 *
 * Not a public header: nothing outside src/k8s (and its unit tests) includes it. It holds
 * error formatting, JSON-path naming for messages, and the typed member accessors that the
 * review and module-output validators are built from; the growable string buffer is in
 * k8s_buf.h, which the server uses too.
 */
#ifndef WGK8S_INTERNAL_H
#define WGK8S_INTERNAL_H

#include "wasmgate/k8s.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "k8s_buf.h" /* the growable string buffer, shared with the server */

/* ---- Errors ---- */

/* Formats a message into err (if err and errsz allow); always NUL-terminates. */
void wgk8s_seterr(char *err, size_t errsz, const char *fmt, ...) WGK8S_PRINTF(3, 4);

/* Prefixes the message already in err with "prefix: " (keeps as much as fits). */
void wgk8s_prefix_err(char *err, size_t errsz, const char *fmt, ...) WGK8S_PRINTF(3, 4);

/* A malloc'd string formatted as by printf; NULL when out of memory. */
char *wgk8s_format(const char *fmt, ...) WGK8S_PRINTF(1, 2);

/* "object", "array", "string", "number", "boolean", "null". */
const char *wgk8s_type_name(const json_t *v);

/* strdup that returns NULL for a NULL argument (and on out of memory). */
char *wgk8s_strdup(const char *s);

/* ---- JSON paths for messages ("request.userInfo.groups[1]") ---- */

#define WGK8S_PATH_MAX 256

/* Writes parent + "." + key (or just key when parent is empty) into out; a key that is not
 * a plain identifier is written as parent["key"]. Truncates, never overflows. */
void wgk8s_path_key(char *out, size_t outsz, const char *parent, const char *key);
/* Writes parent + "[index]" into out. */
void wgk8s_path_index(char *out, size_t outsz, const char *parent, size_t index);

/* ---- JSON Pointers (RFC 6901) ---- */

/* Appends token to b as a reference token: "~" becomes "~0" and "/" becomes "~1". Returns
 * false when out of memory (b->failed). */
bool wgk8s_buf_pointer_token(wgk8s_buf *b, const char *token);

/* ---- Typed member access with messages ----
 *
 * Each looks up obj[key], where obj's path is `path` (for messages). A JSON null counts as
 * absent, as it does for Go's decoder in kube-apiserver. Returns true on success, setting
 * *out to the value or to NULL/default when absent and not required; returns false with
 * "path.key: ..." in err when the member is required but absent or has the wrong type. */
enum { WGK8S_OPTIONAL = 0, WGK8S_REQUIRED = 1, WGK8S_NONEMPTY = 2 };

bool wgk8s_member_string(const json_t *obj, const char *path, const char *key, int flags,
                         const char **out, char *err, size_t errsz);
bool wgk8s_member_bool(const json_t *obj, const char *path, const char *key, int flags, bool *out,
                       bool *present, char *err, size_t errsz);
bool wgk8s_member_int(const json_t *obj, const char *path, const char *key, int flags,
                      long long *out, bool *present, char *err, size_t errsz);
bool wgk8s_member_object(const json_t *obj, const char *path, const char *key, int flags,
                         json_t **out, char *err, size_t errsz);
/* An array whose every element is a string. */
bool wgk8s_member_string_array(const json_t *obj, const char *path, const char *key, int flags,
                               json_t **out, char *err, size_t errsz);
/* An object whose every member is a string (annotations). */
bool wgk8s_member_string_map(const json_t *obj, const char *path, const char *key, int flags,
                             json_t **out, char *err, size_t errsz);
/* An object whose every member is an array of strings (user "extra"). */
bool wgk8s_member_extra(const json_t *obj, const char *path, const char *key, int flags,
                        json_t **out, char *err, size_t errsz);

/* Validates a user-info object ({username, uid, groups, extra}); groups_key is "groups"
 * except for the v1beta1 SubjectAccessReview spec, which spells it "group". */
bool wgk8s_check_user_fields(const json_t *obj, const char *path, const char *groups_key, char *err,
                             size_t errsz);

/* ---- Review kinds ---- */

/* "authentication.k8s.io", "authorization.k8s.io", "admission.k8s.io" ("" for ANY). */
const char *wgk8s_kind_group(wgk8s_kind kind);
/* The kind named "TokenReview" etc., or WGK8S_KIND_ANY for anything else. */
wgk8s_kind wgk8s_kind_from_name(const char *name);

/* ---- Misc JSON ---- */

/* Compact serialisation; NULL when out of memory. */
char *wgk8s_json_dump(const json_t *v, size_t *len);

/* Iterating a jansson object needs a non-const pointer although iteration does not
 * modify it; this cast is kept in one place. */
static inline json_t *wgk8s_unconst(const json_t *v)
{
    return (json_t *)v;
}

/*
 * The serialized form of the last review (or Kubewarden request) given to a module in one
 * chain evaluation: modules that see the same review share one serialization.
 */
typedef struct wgk8s_dump_cache {
    const json_t *json;
    char *text;
    size_t len;
} wgk8s_dump_cache;

/* wgk8s_module_input(), serializing the review through `cache`; same output. */
char *wgk8s_module_input_cached(wgk8s_protocol protocol, const json_t *review,
                                const char *settings_json, wgk8s_dump_cache *cache, size_t *len,
                                char *err, size_t errsz);
void wgk8s_dump_cache_clear(wgk8s_dump_cache *cache);

#endif /* WGK8S_INTERNAL_H */
