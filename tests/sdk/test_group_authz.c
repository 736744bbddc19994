/*
 * test_group_authz.c — the group-authz example (examples/group-authz), built natively and fed
 * the SubjectAccessReview fixtures (v1 and v1beta1, resource, subresource and non-resource
 * requests) as the host would.
 */
#include "sdk_testlib.h"

#include <string.h>

static const char *const settings =
    "{\"rules\": ["
    "   {\"groups\": [\"developers\"], \"verbs\": [\"get\", \"list\", \"watch\"],"
    "    \"apiGroups\": [\"\"], \"resources\": [\"pods\", \"pods/log\"], \"namespaces\": "
    "[\"default\"]},"
    "   {\"users\": [\"jane@example.com\"], \"verbs\": [\"create\"], \"resources\": "
    "[\"pods/exec\"]},"
    "   {\"groups\": [\"system:unauthenticated\"], \"verbs\": [\"get\"],"
    "    \"nonResourceURLs\": [\"/healthz\", \"/readyz\", \"/livez/*\"]}"
    " ],"
    " \"deny\": ["
    "   {\"groups\": [\"interns\"], \"verbs\": [\"*\"], \"resources\": [\"*\"]}"
    " ]}";

/* What the module says about `review`, as the host reads it: 'A'llow, 'D'eny, 'N'o opinion,
 * or 'E'rror. *reason receives the reason (owned by the caller's buffer). */
static char decide(const json_t *review, const char *settings_json, char *reason, size_t size)
{
    sdkt_output out = sdkt_call(authz, review, settings_json);
    char verdict = 'E';
    if (sdkt_error(&out)) {
        snprintf(reason, size, "%s", sdkt_error(&out));
    } else {
        wgk8s_authz_decision d = {0};
        if (sdkt_host_authz(review, &out, &d)) {
            verdict = d.allowed ? 'A' : d.denied ? 'D' : 'N';
            snprintf(reason, size, "%s", d.reason ? d.reason : "");
        }
        /* The answer is for the request's own version and kind. */
        CHECK_STR(wgt_get_str(out.json, "response.apiVersion"),
                  json_string_value(json_object_get(review, "apiVersion")));
        wgk8s_authz_decision_clear(&d);
    }
    sdkt_output_free(&out);
    return verdict;
}

/* The fixture with spec.resourceAttributes (or nonResourceAttributes) `field` set to value. */
static json_t *with_attribute(const char *fixture, const char *field, const char *value)
{
    json_t *review = wgt_fixture_json(fixture);
    json_t *spec = json_object_get(review, "spec");
    json_t *attributes = json_object_get(spec, "resourceAttributes");
    if (!attributes) attributes = json_object_get(spec, "nonResourceAttributes");
    json_object_set_new(attributes, field, json_string(value));
    return review;
}

static void a_group_rule_allows_in_v1_and_v1beta1(void)
{
    const char *fixtures[] = {"authorization/sar-v1-resource.json",
                              "authorization/sar-v1beta1-resource.json"};
    for (size_t i = 0; i < 2; i++) {
        char reason[200];
        json_t *review = wgt_fixture_json(fixtures[i]);
        CHECK_INT(decide(review, settings, reason, sizeof reason), 'A');
        CHECK_STR(reason, "allowed by rules[0]");
        json_decref(review);
    }
}

static void v1beta1_groups_are_read_from_group_not_groups(void)
{
    /* A v1beta1 review whose groups are spelt the v1 way carries no groups for this module
     * (the host refuses such a review before it gets here); only "group" counts. */
    json_t *review = wgt_fixture_json("authorization/sar-v1beta1-resource.json");
    json_t *spec = json_object_get(review, "spec");
    json_object_set(spec, "groups", json_object_get(spec, "group"));
    json_object_del(spec, "group");
    char reason[200];
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'N');
    json_decref(review);
}

static void rules_restrict_verbs_namespaces_and_api_groups(void)
{
    char reason[200];
    json_t *review = with_attribute("authorization/sar-v1-resource.json", "verb", "delete");
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'N');
    CHECK_STR(reason, "no rule matches");
    json_decref(review);
    review = with_attribute("authorization/sar-v1-resource.json", "namespace", "kube-system");
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'N');
    json_decref(review);
    review = with_attribute("authorization/sar-v1-resource.json", "group", "apps");
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'N');
    json_decref(review);
    review = with_attribute("authorization/sar-v1-resource.json", "resource", "secrets");
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'N');
    json_decref(review);
}

static void subresources_match_as_in_rbac(void)
{
    char reason[200];
    /* pods/exec for jane by the user rule. */
    json_t *review = wgt_fixture_json("authorization/sar-v1-subresource.json");
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'A');
    CHECK_STR(reason, "allowed by rules[1]");
    json_decref(review);
    /* "pods" does not cover pods/status; "pods/log" covers pods/log. */
    review = with_attribute("authorization/sar-v1-resource.json", "subresource", "status");
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'N');
    json_decref(review);
    review = with_attribute("authorization/sar-v1-resource.json", "subresource", "log");
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'A');
    json_decref(review);

    static const struct {
        const char *entry;
        bool matches_exec;
    } entries[] = {{"*", true},         {"pods/*", true},    {"*/exec", true},
                   {"pods/exec", true}, {"pods", false},     {"*/log", false},
                   {"nodes/*", false},  {"pods/exe", false}, {"pod/exec", false}};
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        char rules[256];
        snprintf(rules, sizeof rules,
                 "{\"rules\": [{\"users\": [\"*\"], \"verbs\": [\"create\"], \"resources\":"
                 " [\"%s\"]}]}",
                 entries[i].entry);
        review = wgt_fixture_json("authorization/sar-v1-subresource.json");
        if (!CHECK_INT(decide(review, rules, reason, sizeof reason),
                       entries[i].matches_exec ? 'A' : 'N'))
            fprintf(stderr, "    resource entry \"%s\"\n", entries[i].entry);
        json_decref(review);
    }
}

static void non_resource_paths_match_exactly_or_by_prefix(void)
{
    char reason[200];
    json_t *review = wgt_fixture_json("authorization/sar-v1-nonresource.json");
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'A');
    CHECK_STR(reason, "allowed by rules[2]");
    json_decref(review);
    static const struct {
        const char *path;
        char verdict;
    } paths[] = {{"/livez/ping", 'A'},
                 {"/livez/", 'A'},
                 {"/livez", 'N'},
                 {"/healthz/x", 'N'},
                 {"/metrics", 'N'}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        review = with_attribute("authorization/sar-v1-nonresource.json", "path", paths[i].path);
        if (!CHECK_INT(decide(review, settings, reason, sizeof reason), paths[i].verdict))
            fprintf(stderr, "    path %s\n", paths[i].path);
        json_decref(review);
    }
    /* A resource rule never matches a non-resource request, nor the reverse. */
    review = wgt_fixture_json("authorization/sar-v1-nonresource.json");
    CHECK_INT(
        decide(review,
               "{\"rules\": [{\"groups\": [\"*\"], \"verbs\": [\"*\"], \"resources\": [\"*\"]}]}",
               reason, sizeof reason),
        'N');
    json_decref(review);
}

static void deny_rules_win_over_allow_rules(void)
{
    json_t *review = wgt_fixture_json("authorization/sar-v1-resource.json");
    json_array_append_new(json_object_get(json_object_get(review, "spec"), "groups"),
                          json_string("interns"));
    char reason[200];
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'D');
    CHECK_STR(reason, "denied by deny[0]");
    json_decref(review);
}

static void wildcard_groups_match_subjects_without_groups(void)
{
    json_t *review = wgt_fixture_json("authorization/sar-v1-resource.json");
    json_object_del(json_object_get(review, "spec"), "groups");
    char reason[200];
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'N');
    CHECK_INT(decide(review,
                     "{\"rules\": [{\"groups\": [\"*\"], \"verbs\": [\"list\"], \"resources\":"
                     " [\"pods\"]}]}",
                     reason, sizeof reason),
              'A');
    json_decref(review);
}

static void broken_settings_fail_the_call(void)
{
    static const struct {
        const char *settings, *error;
    } cases[] = {
        {"{\"rules\": {}}", "settings.rules: must be an array of rules"},
        {"{\"rules\": [1]}", "settings.rules[0]: must be an object"},
        {"{\"rules\": [{\"groups\": [\"a\"], \"resources\": [\"pods\"]}]}",
         "settings.rules[0]: needs \"verbs\""},
        {"{\"deny\": [{\"verbs\": [\"get\"], \"resources\": [\"pods\"]}]}",
         "settings.deny[0]: needs \"groups\" or \"users\""},
        {"{\"rules\": [{\"groups\": [\"a\"], \"verbs\": [\"get\"]}]}",
         "settings.rules[0]: needs \"resources\" or \"nonResourceURLs\""},
        {"{\"rules\": [{\"groups\": \"a\", \"verbs\": [\"get\"], \"resources\": [\"x\"]}]}",
         "settings.rules[0].groups: must be an array of strings"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *review = wgt_fixture_json("authorization/sar-v1-resource.json");
        char reason[200];
        CHECK_INT(decide(review, cases[i].settings, reason, sizeof reason), 'E');
        CHECK_STR(reason, cases[i].error);
        json_decref(review);
    }
    /* No settings at all: nothing is allowed or denied. */
    json_t *review = wgt_fixture_json("authorization/sar-v1-resource.json");
    char reason[200];
    CHECK_INT(decide(review, NULL, reason, sizeof reason), 'N');
    json_decref(review);
}

static void a_review_with_both_or_no_attributes_fails(void)
{
    json_t *review = wgt_fixture_json("authorization/sar-v1-resource.json");
    json_object_set_new(json_object_get(review, "spec"), "nonResourceAttributes",
                        json_pack("{ssss}", "path", "/x", "verb", "get"));
    char reason[200];
    CHECK_INT(decide(review, settings, reason, sizeof reason), 'E');
    CHECK_CONTAINS(reason, "exactly one of resourceAttributes and nonResourceAttributes");
    json_decref(review);
}

static void other_reviews_are_refused(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    sdkt_output out = sdkt_call(authz, review, settings);
    CHECK_STR(sdkt_error(&out),
              "group-authz answers SubjectAccessReviews; configure it for authorization");
    sdkt_output_free(&out);
    json_decref(review);
}

int main(void)
{
    RUN(a_group_rule_allows_in_v1_and_v1beta1);
    RUN(v1beta1_groups_are_read_from_group_not_groups);
    RUN(rules_restrict_verbs_namespaces_and_api_groups);
    RUN(subresources_match_as_in_rbac);
    RUN(non_resource_paths_match_exactly_or_by_prefix);
    RUN(deny_rules_win_over_allow_rules);
    RUN(wildcard_groups_match_subjects_without_groups);
    RUN(broken_settings_fail_the_call);
    RUN(a_review_with_both_or_no_attributes_fails);
    RUN(other_reviews_are_refused);
    return wgt_finish();
}
