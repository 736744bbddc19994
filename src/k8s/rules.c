/*
 * rules.c — the admission webhook rule vocabulary: which requests a module sees.
 *
 * Rules are compiled once (at configuration load) into an immutable structure and matched
 * per request with the semantics of kube-apiserver's webhook rule matcher
 * (k8s.io/apiserver/pkg/admission/plugin/webhook/predicates/rules):
 *   - operation: listed, or "*";
 *   - group and version of request.resource: listed, or "*";
 *   - resource: each entry is split at its first "/" into resource and subresource ("pods"
 *     means no subresource); each part matches if equal or "*". So "*" matches every
 *     resource without a subresource, "pods/ *" (without the space) pods and all their
 *     subresources, and "* / *" (without spaces) everything;
 *   - scope: "Namespaced" needs a non-empty request.namespace, "Cluster" an empty one, and
 *     Namespace objects themselves (core v1 "namespaces", whose requests carry their own
 *     name as namespace) are always cluster-scoped; "*" (the default) matches both.
 * Matching uses request.resource rather than request.requestResource, as kube-apiserver
 * does for matchPolicy Exact; see docs/k8s-semantics.md for why.
 */
#include "k8s_internal.h"

#include <stdlib.h>
#include <string.h>

enum {
    OP_CREATE = 1,
    OP_UPDATE = 2,
    OP_DELETE = 4,
    OP_CONNECT = 8,
    OP_ALL = OP_CREATE | OP_UPDATE | OP_DELETE | OP_CONNECT
};

/* The bit of an operation named in a request or a rule ("CREATE" ...); 0 for any other. */
static unsigned operation_bit(const char *name)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"CREATE", OP_CREATE},
                 {"UPDATE", OP_UPDATE},
                 {"DELETE", OP_DELETE},
                 {"CONNECT", OP_CONNECT}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(names[k].name, name) == 0) return names[k].bit;
    return 0;
}

typedef enum scope { SCOPE_ALL, SCOPE_CLUSTER, SCOPE_NAMESPACED } scope;

/* A list of strings owned by the rule; `any` is set when the list contains "*". */
typedef struct strlist {
    char **items;
    size_t count;
    bool any;
} strlist;

typedef struct resource_pattern {
    char *resource;    /* "*" or a name */
    char *subresource; /* "" (none), "*" or a name */
} resource_pattern;

typedef struct rule {
    unsigned operations;
    strlist groups;
    strlist versions;
    resource_pattern *resources;
    size_t resource_count;
    scope scope;
} rule;

struct wgk8s_rules {
    rule *rules;
    size_t count;
};

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
}

void wgk8s_rules_free(wgk8s_rules *rules)
{
    if (!rules) return;
    for (size_t i = 0; i < rules->count; i++) {
        rule *r = &rules->rules[i];
        strlist_free(&r->groups);
        strlist_free(&r->versions);
        for (size_t j = 0; j < r->resource_count; j++) {
            free(r->resources[j].resource);
            free(r->resources[j].subresource);
        }
        free(r->resources);
    }
    free(rules->rules);
    free(rules);
}

/* Fetches rule[key] as a required, non-empty array of strings. */
static bool required_list(const json_t *obj, const char *path, const char *key, json_t **out,
                          char *err, size_t errsz)
{
    if (!wgk8s_member_string_array(obj, path, key, WGK8S_REQUIRED, out, err, errsz)) return false;
    if (json_array_size(*out) == 0) {
        char p[WGK8S_PATH_MAX];
        wgk8s_path_key(p, sizeof p, path, key);
        wgk8s_seterr(err, errsz, "%s: must not be empty", p);
        return false;
    }
    return true;
}

static bool parse_strlist(const json_t *arr, strlist *out, char *err, size_t errsz)
{
    out->items = calloc(json_array_size(arr), sizeof *out->items);
    if (!out->items) {
        wgk8s_seterr(err, errsz, "out of memory");
        return false;
    }
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *s = json_string_value(e);
        if (strcmp(s, "*") == 0) out->any = true;
        if (!(out->items[out->count] = wgk8s_strdup(s))) {
            wgk8s_seterr(err, errsz, "out of memory");
            return false;
        }
        out->count++;
    }
    return true;
}

static bool parse_operations(const json_t *arr, const char *path, unsigned *ops, char *err,
                             size_t errsz)
{
    size_t i;
    json_t *e;
    *ops = 0;
    json_array_foreach(arr, i, e)
    {
        const char *s = json_string_value(e);
        unsigned bit = strcmp(s, "*") == 0 ? OP_ALL : operation_bit(s);
        if (!bit) {
            char p[WGK8S_PATH_MAX];
            wgk8s_path_index(p, sizeof p, path, i);
            wgk8s_seterr(err, errsz,
                         "%s: unknown operation \"%s\" (want CREATE, UPDATE, DELETE, CONNECT or *)",
                         p, s);
            return false;
        }
        *ops |= bit;
    }
    return true;
}

static bool parse_resources(const json_t *arr, const char *path, rule *r, char *err, size_t errsz)
{
    r->resources = calloc(json_array_size(arr), sizeof *r->resources);
    if (!r->resources) {
        wgk8s_seterr(err, errsz, "out of memory");
        return false;
    }
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *s = json_string_value(e);
        const char *slash = strchr(s, '/');
        size_t rlen = slash ? (size_t)(slash - s) : strlen(s);
        const char *sub = slash ? slash + 1 : "";
        if (rlen == 0 || (slash && (*sub == '\0' || strchr(sub, '/')))) {
            char p[WGK8S_PATH_MAX];
            wgk8s_path_index(p, sizeof p, path, i);
            wgk8s_seterr(err, errsz,
                         "%s: \"%s\" is not a resource (want \"name\" or \"name/subresource\", "
                         "either part may be \"*\")",
                         p, s);
            return false;
        }
        resource_pattern *rp = &r->resources[r->resource_count];
        rp->resource = malloc(rlen + 1);
        rp->subresource = wgk8s_strdup(sub);
        if (!rp->resource || !rp->subresource) {
            free(rp->resource);
            free(rp->subresource);
            wgk8s_seterr(err, errsz, "out of memory");
            return false;
        }
        memcpy(rp->resource, s, rlen);
        rp->resource[rlen] = '\0';
        r->resource_count++;
    }
    return true;
}

static bool parse_rule(const json_t *obj, const char *path, rule *r, char *err, size_t errsz)
{
    static const char *const known[] = {"operations", "apiGroups", "apiVersions", "resources",
                                        "scope"};
    if (!json_is_object(obj)) {
        wgk8s_seterr(err, errsz, "%s: must be an object, got %s", path, wgk8s_type_name(obj));
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach(wgk8s_unconst(obj), key, v)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strcmp(known[i], key) == 0) ok = true;
        if (!ok) {
            char p[WGK8S_PATH_MAX];
            wgk8s_path_key(p, sizeof p, path, key);
            wgk8s_seterr(err, errsz,
                         "%s: unknown field (want operations, apiGroups, apiVersions, resources, "
                         "scope)",
                         p);
            return false;
        }
    }
    json_t *ops, *groups, *versions, *resources;
    const char *scope_name;
    char p[WGK8S_PATH_MAX];
    if (!required_list(obj, path, "operations", &ops, err, errsz) ||
        !required_list(obj, path, "apiGroups", &groups, err, errsz) ||
        !required_list(obj, path, "apiVersions", &versions, err, errsz) ||
        !required_list(obj, path, "resources", &resources, err, errsz) ||
        !wgk8s_member_string(obj, path, "scope", WGK8S_OPTIONAL, &scope_name, err, errsz))
        return false;
    wgk8s_path_key(p, sizeof p, path, "operations");
    if (!parse_operations(ops, p, &r->operations, err, errsz)) return false;
    if (!parse_strlist(groups, &r->groups, err, errsz) ||
        !parse_strlist(versions, &r->versions, err, errsz))
        return false;
    wgk8s_path_key(p, sizeof p, path, "resources");
    if (!parse_resources(resources, p, r, err, errsz)) return false;
    if (!scope_name || strcmp(scope_name, "*") == 0) {
        r->scope = SCOPE_ALL;
    } else if (strcmp(scope_name, "Cluster") == 0) {
        r->scope = SCOPE_CLUSTER;
    } else if (strcmp(scope_name, "Namespaced") == 0) {
        r->scope = SCOPE_NAMESPACED;
    } else {
        wgk8s_path_key(p, sizeof p, path, "scope");
        wgk8s_seterr(err, errsz, "%s: must be Cluster, Namespaced or *, got \"%s\"", p, scope_name);
        return false;
    }
    return true;
}

wgk8s_rules *wgk8s_rules_parse(const json_t *rules, char *err, size_t errsz)
{
    if (!json_is_array(rules)) {
        wgk8s_seterr(err, errsz, "rules: must be an array, got %s", wgk8s_type_name(rules));
        return NULL;
    }
    wgk8s_rules *out = calloc(1, sizeof *out);
    size_t n = json_array_size(rules);
    if (!out || (n && !(out->rules = calloc(n, sizeof *out->rules)))) {
        free(out);
        wgk8s_seterr(err, errsz, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char path[WGK8S_PATH_MAX];
        wgk8s_path_index(path, sizeof path, "rules", i);
        /* Count the rule before parsing so that a half-built one is freed with the rest. */
        out->count++;
        if (!parse_rule(json_array_get(rules, i), path, &out->rules[i], err, errsz)) {
            wgk8s_rules_free(out);
            return NULL;
        }
    }
    return out;
}

/* ---- Matching ---- */

static bool list_has(const strlist *l, const char *s)
{
    if (l->any) return true;
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0) return true;
    return false;
}

static const char *string_or_empty(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static bool rule_matches(const rule *r, unsigned op, const char *group, const char *version,
                         const char *resource, const char *subresource, bool namespaced)
{
    if (!(r->operations & op)) return false;
    if (!list_has(&r->groups, group) || !list_has(&r->versions, version)) return false;
    bool found = false;
    for (size_t i = 0; i < r->resource_count && !found; i++) {
        const resource_pattern *p = &r->resources[i];
        found = (strcmp(p->resource, "*") == 0 || strcmp(p->resource, resource) == 0) &&
                (strcmp(p->subresource, "*") == 0 || strcmp(p->subresource, subresource) == 0);
    }
    if (!found) return false;
    switch (r->scope) {
    case SCOPE_ALL: return true;
    case SCOPE_CLUSTER: return !namespaced;
    case SCOPE_NAMESPACED: return namespaced;
    }
    return false;
}

bool wgk8s_rules_match(const wgk8s_rules *rules, const json_t *request)
{
    if (!rules || !json_is_object(request)) return false;
    unsigned op = operation_bit(string_or_empty(request, "operation"));
    if (!op) return false;
    const json_t *res = json_object_get(request, "resource");
    const char *group = string_or_empty(res, "group");
    const char *version = string_or_empty(res, "version");
    const char *resource = string_or_empty(res, "resource");
    const char *subresource = string_or_empty(request, "subResource");
    /* Namespace objects are cluster-scoped even though kube-apiserver puts the namespace's
     * own name in request.namespace. */
    bool is_namespace =
        strcmp(group, "") == 0 && strcmp(version, "v1") == 0 && strcmp(resource, "namespaces") == 0;
    bool namespaced = !is_namespace && *string_or_empty(request, "namespace") != '\0';
    for (size_t i = 0; i < rules->count; i++)
        if (rule_matches(&rules->rules[i], op, group, version, resource, subresource, namespaced))
            return true;
    return false;
}
