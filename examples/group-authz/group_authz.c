/*
 * group-authz — an authorization k8s-wasm module (export `authz`): decides
 * SubjectAccessReviews from rules in its settings, in the spirit of RBAC but with explicit
 * denials.
 *
 * Settings:
 *   {"rules": [{"groups": ["dev"], "verbs": ["get", "list"], "resources": ["pods"],
 *               "namespaces": ["dev"]}],
 *    "deny":  [{"users": ["intern@example.com"], "verbs": ["delete"], "resources": ["*"]}]}
 * A rule has "verbs" and names its subjects with "groups" and/or "users" (at least one), and
 * either resources — "resources", with optional "apiGroups" (default: any) and "namespaces"
 * (default: any; "" is cluster scope) — or "nonResourceURLs" (exact paths, or prefixes ending
 * in "*"). "*" is a wildcard in every list except nonResourceURLs, where only a trailing "*"
 * is. Resources match as in RBAC: "pods" (no subresource), "pods/log", "*" (everything),
 * and a star standing for either half of "resource/subresource" (every subresource of pods;
 * the scale subresource of anything).
 *
 * Decision: a matching "deny" rule denies (kube-apiserver then asks no other authorizer);
 * otherwise a matching "rules" entry allows; otherwise the module has no opinion and the
 * next authorizer decides. The reason names the rule ("allowed by rules[0]").
 *
 * Both SubjectAccessReview versions are served: v1 spells the groups "groups", v1beta1
 * "group". Broken settings fail the call (wasmgate's failurePolicy then applies) rather than
 * silently matching nothing.
 */
#include "wasmgate_module.h"

#include "example_util.h"

#include <stdio.h>
#include <string.h>

/* What is being asked, read once from the review. */
typedef struct access {
    const char *user, *verb;
    wgm_val groups;
    bool resource; /* resourceAttributes (otherwise nonResourceAttributes) */
    const char *api_group, *namespace_, *resource_name, *subresource, *path;
} access;

/* Checks one rule's shape; on a problem fills `problem` ("settings.rules[2].verbs: ...").
 * Returns whether the rule is well formed. */
static bool rule_is_valid(wgm_val rule, const char *list, size_t index, char *problem, size_t size)
{
    static const char *const lists[] = {"groups",    "users",      "verbs",          "apiGroups",
                                        "resources", "namespaces", "nonResourceURLs"};
    if (wgm_type_of(rule) != WGM_OBJECT) {
        snprintf(problem, size, "settings.%s[%zu]: must be an object", list, index);
        return false;
    }
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        wgm_val v = wgm_get(rule, lists[i]);
        if (wgm_exists(v) && !is_string_list(v)) {
            snprintf(problem, size, "settings.%s[%zu].%s: must be an array of strings", list, index,
                     lists[i]);
            return false;
        }
    }
    const char *missing = NULL;
    if (!wgm_exists(wgm_get(rule, "verbs")))
        missing = "\"verbs\"";
    else if (!wgm_exists(wgm_get(rule, "groups")) && !wgm_exists(wgm_get(rule, "users")))
        missing = "\"groups\" or \"users\"";
    else if (!wgm_exists(wgm_get(rule, "resources")) &&
             !wgm_exists(wgm_get(rule, "nonResourceURLs")))
        missing = "\"resources\" or \"nonResourceURLs\"";
    if (missing) {
        snprintf(problem, size, "settings.%s[%zu]: needs %s", list, index, missing);
        return false;
    }
    return true;
}

/* RBAC's resource matching for one entry of a rule's "resources". */
static bool resource_matches(const char *entry, const access *a)
{
    size_t n = strlen(a->resource_name);
    if (strcmp(entry, "*") == 0) return true;
    if (a->subresource[0] == '\0') return strcmp(entry, a->resource_name) == 0;
    if (entry[0] == '*' && entry[1] == '/') return strcmp(entry + 2, a->subresource) == 0;
    if (strncmp(entry, a->resource_name, n) != 0 || entry[n] != '/') return false;
    return strcmp(entry + n + 1, "*") == 0 || strcmp(entry + n + 1, a->subresource) == 0;
}

/* A nonResourceURLs entry: an exact path, or a prefix when it ends with '*'. */
static bool path_matches(const char *entry, const char *path)
{
    size_t n = strlen(entry);
    if (n > 0 && entry[n - 1] == '*') return strncmp(entry, path, n - 1) == 0;
    return strcmp(entry, path) == 0;
}

/* True when some entry of the string list satisfies `match`. */
static bool any_entry(wgm_val list, bool (*match)(const char *entry, const access *a),
                      const access *a)
{
    wgm_val entry;
    wgm_iter it = wgm_iterate(list);
    while (wgm_next(&it, NULL, &entry))
        if (match(wgm_str(entry), a)) return true;
    return false;
}

static bool path_entry_matches(const char *entry, const access *a)
{
    return path_matches(entry, a->path);
}

static bool rule_matches(wgm_val rule, const access *a)
{
    wgm_val group, rule_groups = wgm_get(rule, "groups");
    /* "*" in groups matches every subject, even one in no group at all. */
    bool subject = list_contains(wgm_get(rule, "users"), a->user, true) ||
                   list_contains(rule_groups, "*", false);
    wgm_iter it = wgm_iterate(a->groups);
    while (!subject && wgm_next(&it, NULL, &group))
        subject = list_contains(rule_groups, wgm_str(group), false);
    if (!subject || !list_contains(wgm_get(rule, "verbs"), a->verb, true)) return false;

    if (!a->resource) return any_entry(wgm_get(rule, "nonResourceURLs"), path_entry_matches, a);
    wgm_val api_groups = wgm_get(rule, "apiGroups"), namespaces = wgm_get(rule, "namespaces");
    if (wgm_exists(api_groups) && !list_contains(api_groups, a->api_group, true)) return false;
    if (wgm_exists(namespaces) && !list_contains(namespaces, a->namespace_, true)) return false;
    return any_entry(wgm_get(rule, "resources"), resource_matches, a);
}

/* The index of the first rule in `rules` that matches; -1 if none does. */
static long first_match(wgm_val rules, const access *a)
{
    wgm_val rule;
    wgm_iter it = wgm_iterate(rules);
    for (long i = 0; wgm_next(&it, NULL, &rule); i++)
        if (rule_matches(rule, a)) return i;
    return -1;
}

void authz(void)
{
    if (!wgm_begin()) return;
    if (strcmp(wgm_review_kind(), "SubjectAccessReview") != 0) {
        wgm_error("group-authz answers SubjectAccessReviews; configure it for authorization");
        return;
    }
    static const char *const lists[] = {"deny", "rules"};
    wgm_val settings = wgm_settings();
    for (size_t l = 0; l < 2; l++) {
        wgm_val rules = wgm_get(settings, lists[l]), rule;
        char problem[200];
        if (wgm_exists(rules) && wgm_type_of(rules) != WGM_ARRAY) {
            snprintf(problem, sizeof problem, "settings.%s: must be an array of rules", lists[l]);
            wgm_error(problem);
            return;
        }
        wgm_iter it = wgm_iterate(rules);
        for (size_t i = 0; wgm_next(&it, NULL, &rule); i++) {
            if (!rule_is_valid(rule, lists[l], i, problem, sizeof problem)) {
                wgm_error(problem);
                return;
            }
        }
    }

    /* v1beta1 spells the groups "group"; each version's own field is the one to trust. */
    wgm_val spec = wgm_get(wgm_request(), "spec");
    bool v1beta1 = strcmp(wgm_review_api_version(), "authorization.k8s.io/v1beta1") == 0;
    wgm_val resource = wgm_get(spec, "resourceAttributes");
    wgm_val non_resource = wgm_get(spec, "nonResourceAttributes");
    access a = {
        .user = wgm_str_or(wgm_get(spec, "user"), ""),
        .groups = wgm_get(spec, v1beta1 ? "group" : "groups"),
        .resource = wgm_exists(resource),
    };
    if (a.resource == wgm_exists(non_resource)) {
        wgm_error("group-authz: spec needs exactly one of resourceAttributes and "
                  "nonResourceAttributes");
        return;
    }
    wgm_val attributes = a.resource ? resource : non_resource;
    a.verb = wgm_str_or(wgm_get(attributes, "verb"), "");
    a.api_group = wgm_str_or(wgm_get(attributes, "group"), "");
    a.namespace_ = wgm_str_or(wgm_get(attributes, "namespace"), "");
    a.resource_name = wgm_str_or(wgm_get(attributes, "resource"), "");
    a.subresource = wgm_str_or(wgm_get(attributes, "subresource"), "");
    a.path = wgm_str_or(wgm_get(attributes, "path"), "");

    char reason[64];
    long denied = first_match(wgm_get(settings, "deny"), &a);
    if (denied >= 0) {
        snprintf(reason, sizeof reason, "denied by deny[%ld]", denied);
        wgm_deny(reason);
        return;
    }
    long allowed = first_match(wgm_get(settings, "rules"), &a);
    if (allowed >= 0) {
        snprintf(reason, sizeof reason, "allowed by rules[%ld]", allowed);
        wgm_allow(reason);
        return;
    }
    wgm_no_opinion("no rule matches");
}
