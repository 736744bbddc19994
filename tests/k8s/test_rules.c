/*
 * test_rules.c — the admission webhook rule vocabulary: compiling rules and matching them
 * against AdmissionReview requests the way kube-apiserver does (matchPolicy Exact).
 */
#include "testlib.h"

#include <stdio.h>
#include <string.h>

static char err[512];

/* Whether rules (JSON text) match the request of `fixture`, optionally patched first
 * (the patch addresses the whole review). */
static bool matches(const char *rules_text, const char *fixture, const char *patch_text)
{
    json_t *rules_json = wgt_json(rules_text);
    wgk8s_rules *rules = wgk8s_rules_parse(rules_json, err, sizeof err);
    json_decref(rules_json);
    if (!CHECK(rules != NULL)) {
        CHECK_STR(err, "");
        return false;
    }
    json_t *review = wgt_fixture_json(fixture);
    if (patch_text) {
        json_t *patch = wgt_json(patch_text);
        json_t *patched = wgk8s_json_patch_apply(review, patch, err, sizeof err);
        CHECK(patched != NULL);
        json_decref(patch);
        json_decref(review);
        review = patched;
    }
    bool result = wgk8s_rules_match(rules, json_object_get(review, "request"));
    json_decref(review);
    wgk8s_rules_free(rules);
    return result;
}

static const char *parse_error(const char *rules_text)
{
    json_t *rules_json = wgt_json(rules_text);
    err[0] = '\0';
    wgk8s_rules *rules = wgk8s_rules_parse(rules_json, err, sizeof err);
    json_decref(rules_json);
    CHECK(rules == NULL);
    wgk8s_rules_free(rules);
    return err;
}

#define POD              "admission/pod-create.json"
#define DEPLOY_SCALE     "admission/deployment-scale-update.json"
#define NAMESPACE        "admission/namespace-create.json"
#define CONFIGMAP_DELETE "admission/configmap-delete.json"

/* A rule for pods in the core group, with the given operations / resources / scope. */
#define RULE(ops, groups, resources, extra)                                      \
    "[{\"operations\":" ops ",\"apiGroups\":" groups ",\"apiVersions\":[\"*\"]," \
    "\"resources\":" resources extra "}]"

/* ---- Operations ---- */

static void matches_a_listed_operation(void)
{
    CHECK(matches(RULE("[\"CREATE\",\"UPDATE\"]", "[\"\"]", "[\"pods\"]", ""), POD, NULL));
}

static void ignores_an_unlisted_operation(void)
{
    CHECK(!matches(RULE("[\"CREATE\"]", "[\"\"]", "[\"configmaps\"]", ""), CONFIGMAP_DELETE, NULL));
}

static void matches_every_operation_with_a_star(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"\"]", "[\"configmaps\"]", ""), CONFIGMAP_DELETE, NULL));
    CHECK(matches(RULE("[\"*\"]", "[\"\"]", "[\"pods\"]", ""), POD,
                  "[{\"op\":\"replace\",\"path\":\"/request/operation\",\"value\":\"CONNECT\"}]"));
}

/* ---- Groups and versions ---- */

static void matches_the_core_group_with_the_empty_string(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"\"]", "[\"*\"]", ""), POD, NULL));
    CHECK(!matches(RULE("[\"*\"]", "[\"\"]", "[\"*/*\"]", ""), DEPLOY_SCALE, NULL));
}

static void matches_a_named_group(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"apps\"]", "[\"*/*\"]", ""), DEPLOY_SCALE, NULL));
    CHECK(!matches(RULE("[\"*\"]", "[\"apps\"]", "[\"*/*\"]", ""), POD, NULL));
}

static void matches_a_listed_version_only(void)
{
    const char *v1 = "[{\"operations\":[\"*\"],\"apiGroups\":[\"*\"],\"apiVersions\":[\"v1\"],"
                     "\"resources\":[\"pods\"]}]";
    const char *v2 = "[{\"operations\":[\"*\"],\"apiGroups\":[\"*\"],\"apiVersions\":[\"v2\"],"
                     "\"resources\":[\"pods\"]}]";
    CHECK(matches(v1, POD, NULL));
    CHECK(!matches(v2, POD, NULL));
}

/* ---- Resources and subresources ---- */

static void does_not_match_a_subresource_with_the_bare_resource(void)
{
    CHECK(!matches(RULE("[\"*\"]", "[\"*\"]", "[\"deployments\"]", ""), DEPLOY_SCALE, NULL));
}

static void matches_a_named_subresource(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"deployments/scale\"]", ""), DEPLOY_SCALE, NULL));
    CHECK(!matches(RULE("[\"*\"]", "[\"*\"]", "[\"deployments/status\"]", ""), DEPLOY_SCALE, NULL));
}

static void matches_a_resource_and_all_its_subresources_with_slash_star(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"deployments/*\"]", ""), DEPLOY_SCALE, NULL));
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"pods/*\"]", ""), POD, NULL));
}

static void matches_a_subresource_of_any_resource_with_star_slash_name(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*/scale\"]", ""), DEPLOY_SCALE, NULL));
    CHECK(!matches(RULE("[\"*\"]", "[\"*\"]", "[\"*/scale\"]", ""), POD, NULL));
}

static void matches_only_resources_without_subresource_with_a_star(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ""), POD, NULL));
    CHECK(!matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ""), DEPLOY_SCALE, NULL));
}

static void matches_everything_with_star_slash_star(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*/*\"]", ""), POD, NULL));
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*/*\"]", ""), DEPLOY_SCALE, NULL));
}

static void judges_by_resource_not_request_resource(void)
{
    /* kube-apiserver converted an apps/v1beta2 request to apps/v1 for this webhook: the
     * rule is matched against request.resource, as with matchPolicy Exact. */
    const char *converted = "[{\"op\":\"replace\",\"path\":\"/request/requestResource/"
                            "version\",\"value\":\"v1beta2\"}]";
    const char *v1 = "[{\"operations\":[\"*\"],\"apiGroups\":[\"apps\"],\"apiVersions\":[\"v1\"],"
                     "\"resources\":[\"deployments/scale\"]}]";
    const char *v1beta2 = "[{\"operations\":[\"*\"],\"apiGroups\":[\"apps\"],"
                          "\"apiVersions\":[\"v1beta2\"],\"resources\":[\"deployments/scale\"]}]";
    CHECK(matches(v1, DEPLOY_SCALE, converted));
    CHECK(!matches(v1beta2, DEPLOY_SCALE, converted));
}

/* ---- Scope ---- */

static void matches_namespaced_requests_with_namespaced_scope(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ",\"scope\":\"Namespaced\""), POD, NULL));
    CHECK(!matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ",\"scope\":\"Cluster\""), POD, NULL));
}

static void treats_namespace_objects_as_cluster_scoped(void)
{
    /* kube-apiserver sets request.namespace to the Namespace's own name. */
    const char *own_name =
        "[{\"op\":\"add\",\"path\":\"/request/namespace\",\"value\":\"team-a\"}]";
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ",\"scope\":\"Cluster\""), NAMESPACE,
                  own_name));
    CHECK(!matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ",\"scope\":\"Namespaced\""), NAMESPACE,
                   own_name));
}

static void treats_requests_without_namespace_as_cluster_scoped(void)
{
    const char *cluster_wide =
        "[{\"op\":\"replace\",\"path\":\"/request/namespace\",\"value\":\"\"}]";
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ",\"scope\":\"Cluster\""), POD,
                  cluster_wide));
    CHECK(!matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ",\"scope\":\"Namespaced\""), POD,
                   cluster_wide));
}

static void matches_both_scopes_with_a_star_or_no_scope(void)
{
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ",\"scope\":\"*\""), POD, NULL));
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ",\"scope\":\"*\""), NAMESPACE, NULL));
    CHECK(matches(RULE("[\"*\"]", "[\"*\"]", "[\"*\"]", ""), NAMESPACE, NULL));
}

/* ---- Several rules ---- */

static void matches_when_any_rule_matches(void)
{
    const char *rules =
        "[{\"operations\":[\"DELETE\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],"
        "\"resources\":[\"secrets\"]},"
        "{\"operations\":[\"CREATE\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],"
        "\"resources\":[\"pods\"]}]";
    CHECK(matches(rules, POD, NULL));
}

static void matches_nothing_with_no_rules(void)
{
    CHECK(!matches("[]", POD, NULL));
}

/* ---- Compile errors ---- */

static void rejects_rules_that_are_not_a_list(void)
{
    CHECK_STR(parse_error("{}"), "rules: must be an array, got object");
}

static void rejects_a_rule_that_is_not_an_object(void)
{
    CHECK_STR(parse_error("[\"pods\"]"), "rules[0]: must be an object, got string");
}

static void rejects_a_misspelt_field(void)
{
    CHECK_STR(parse_error("[{\"operations\":[\"*\"],\"apiGroup\":[\"\"],\"apiVersions\":[\"*\"],"
                          "\"resources\":[\"*\"]}]"),
              "rules[0].apiGroup: unknown field (want operations, apiGroups, apiVersions, "
              "resources, scope)");
}

static void requires_every_list(void)
{
    CHECK_STR(
        parse_error("[{\"operations\":[\"*\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"*\"]}]"),
        "rules[0].resources: missing");
}

static void rejects_an_empty_list(void)
{
    CHECK_STR(parse_error("[{\"operations\":[\"*\"],\"apiGroups\":[],\"apiVersions\":[\"*\"],"
                          "\"resources\":[\"*\"]}]"),
              "rules[0].apiGroups: must not be empty");
}

static void rejects_an_unknown_operation(void)
{
    CHECK_STR(parse_error("[{\"operations\":[\"CREATE\",\"PATCH\"],\"apiGroups\":[\"\"],"
                          "\"apiVersions\":[\"*\"],\"resources\":[\"*\"]}]"),
              "rules[0].operations[1]: unknown operation \"PATCH\" (want CREATE, UPDATE, DELETE, "
              "CONNECT or *)");
}

static void rejects_malformed_resources(void)
{
    const char *bad[] = {"pods/", "/status", "a/b/c", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char rules[256], want[256];
        snprintf(rules, sizeof rules,
                 "[{\"operations\":[\"*\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"*\"],"
                 "\"resources\":[\"pods\",\"%s\"]}]",
                 bad[i]);
        snprintf(want, sizeof want,
                 "rules[0].resources[1]: \"%s\" is not a resource (want \"name\" or "
                 "\"name/subresource\", either part may be \"*\")",
                 bad[i]);
        CHECK_STR(parse_error(rules), want);
    }
}

static void rejects_an_unknown_scope(void)
{
    CHECK_STR(parse_error("[{\"operations\":[\"*\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"*\"],"
                          "\"resources\":[\"*\"],\"scope\":\"Namespace\"}]"),
              "rules[0].scope: must be Cluster, Namespaced or *, got \"Namespace\"");
}

static void names_the_failing_rule_by_index(void)
{
    CHECK_STR(parse_error("[{\"operations\":[\"*\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"*\"],"
                          "\"resources\":[\"*\"]},{\"operations\":[\"*\"]}]"),
              "rules[1].apiGroups: missing");
}

int main(void)
{
    RUN(matches_a_listed_operation);
    RUN(ignores_an_unlisted_operation);
    RUN(matches_every_operation_with_a_star);
    RUN(matches_the_core_group_with_the_empty_string);
    RUN(matches_a_named_group);
    RUN(matches_a_listed_version_only);
    RUN(does_not_match_a_subresource_with_the_bare_resource);
    RUN(matches_a_named_subresource);
    RUN(matches_a_resource_and_all_its_subresources_with_slash_star);
    RUN(matches_a_subresource_of_any_resource_with_star_slash_name);
    RUN(matches_only_resources_without_subresource_with_a_star);
    RUN(matches_everything_with_star_slash_star);
    RUN(judges_by_resource_not_request_resource);
    RUN(matches_namespaced_requests_with_namespaced_scope);
    RUN(treats_namespace_objects_as_cluster_scoped);
    RUN(treats_requests_without_namespace_as_cluster_scoped);
    RUN(matches_both_scopes_with_a_star_or_no_scope);
    RUN(matches_when_any_rule_matches);
    RUN(matches_nothing_with_no_rules);
    RUN(rejects_rules_that_are_not_a_list);
    RUN(rejects_a_rule_that_is_not_an_object);
    RUN(rejects_a_misspelt_field);
    RUN(requires_every_list);
    RUN(rejects_an_empty_list);
    RUN(rejects_an_unknown_operation);
    RUN(rejects_malformed_resources);
    RUN(rejects_an_unknown_scope);
    RUN(names_the_failing_rule_by_index);
    return wgt_finish();
}
