/*
 * test_admission.c — admission: AdmissionReview through a chain of modules.
 *
 * Only modules whose rules match run, in order; mutators are chained and the reply carries
 * the JSON Patch from the original object to the final one (never on a validating
 * endpoint); the first denial ends the request naming the module; failures follow the
 * module's failurePolicy. Broken module outputs each produce a clear denial, never a crash.
 */
#include "fake_modules.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POD       "admission/pod-create.json"
#define POD_UID   "5eed0000-0000-0000-0000-000000000001"
#define POD_BETA  "admission/pod-create-v1beta1.json"
#define CM_DELETE "admission/configmap-delete.json"
#define ENVELOPE  "\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\""

static char err[512];

static json_t *admit(const char *fixture, const wgk8s_module *modules, size_t count,
                     wgk8s_admit_mode mode)
{
    wgk8s_review *review = k8st_fixture_review(fixture);
    json_t *reply = NULL;
    if (review)
        CHECK_INT(wgk8s_admit(review, modules, count, mode, &reply, err, sizeof err), WGK8S_OK);
    wgk8s_review_free(review);
    return reply;
}

static fake_module validator(bool allowed, const char *message)
{
    fake_module fm = {.handler = fake_admission, .allowed = allowed, .message = message};
    return fm;
}

static fake_module labeller(const char *patch_type, const char *key, const char *value)
{
    fake_module fm = {.handler = fake_admission,
                      .allowed = true,
                      .patch_type = patch_type,
                      .label_key = key,
                      .label_value = value};
    return fm;
}

/* A Kubewarden policy that allows, answering with the object plus one label. */
static fake_module kubewarden_labeller(const char *key, const char *value)
{
    fake_module fm = {.handler = fake_kubewarden,
                      .allowed = true,
                      .kubewarden_mutate = true,
                      .label_key = key,
                      .label_value = value};
    return fm;
}

static wgk8s_module mutating(const char *name, fake_module *fm)
{
    wgk8s_module m = fake_descriptor(name, fm);
    m.mutating = true;
    return m;
}

/* The request.object of a fixture with extra labels, as JSON text for comparisons. */
static json_t *pod_with_labels(const char *k1, const char *v1, const char *k2, const char *v2)
{
    json_t *review = wgt_fixture_json(POD);
    json_t *object = json_deep_copy(wgt_get(review, "request.object"));
    json_t *labels = wgt_get(object, "metadata.labels");
    if (k1) json_object_set_new(labels, k1, json_string(v1));
    if (k2) json_object_set_new(labels, k2, json_string(v2));
    json_decref(review);
    return object;
}

/* Applies the reply's patch to the fixture's object and compares with `expected`. */
static void check_patch_produces(const json_t *reply, const json_t *expected)
{
    json_t *review = wgt_fixture_json(POD);
    json_t *patch = k8st_reply_patch(reply);
    if (!CHECK(patch != NULL)) {
        json_decref(review);
        return;
    }
    json_t *patched =
        wgk8s_json_patch_apply(wgt_get(review, "request.object"), patch, err, sizeof err);
    CHECK(patched && json_equal(patched, expected));
    json_decref(patched);
    json_decref(patch);
    json_decref(review);
}

/* ---- Validation ---- */

static void allows_when_every_module_allows(void)
{
    fake_module a = validator(true, NULL), b = validator(true, NULL);
    wgk8s_module mods[] = {fake_descriptor("a", &a), fake_descriptor("b", &b)};
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":true}}");
    CHECK_INT(a.calls + b.calls, 2);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void allows_without_modules(void)
{
    json_t *reply = admit(POD, NULL, 0, WGK8S_ADMIT_MUTATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":true}}");
    json_decref(reply);
}

static void denies_with_the_first_denial_naming_the_module(void)
{
    fake_module a = validator(true, NULL), b = validator(false, "privileged pods are not allowed"),
                c = validator(false, "second opinion");
    wgk8s_module mods[] = {fake_descriptor("a", &a), fake_descriptor("no-privileged", &b),
                           fake_descriptor("c", &c)};
    json_t *reply = admit(POD, mods, 3, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":false,"
                      "\"status\":{\"code\":403,\"message\":\"module \\\"no-privileged\\\" denied "
                      "the request: privileged pods are not allowed\"}}}");
    CHECK_INT(c.calls, 0);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void keeps_the_code_and_reason_of_a_denial(void)
{
    fake_module a = validator(false, "replicas must be at most 3");
    a.code = 422;
    a.reason = "Invalid";
    wgk8s_module mods[] = {fake_descriptor("max-replicas", &a)};
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(wgt_get(reply, "response.status"),
               "{\"code\":422,\"reason\":\"Invalid\",\"message\":\"module \\\"max-replicas\\\" "
               "denied the request: replicas must be at most 3\"}");
    json_decref(reply);
    fake_reset(&a);
}

static void names_the_module_of_a_denial_without_message(void)
{
    fake_module a = validator(false, NULL);
    wgk8s_module mods[] = {fake_descriptor("terse", &a)};
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(wgt_get(reply, "response.status"),
               "{\"code\":403,\"message\":\"module \\\"terse\\\" denied the request\"}");
    json_decref(reply);
    fake_reset(&a);
}

static void runs_only_modules_whose_rules_match(void)
{
    json_t *rules_json = wgt_json("[{\"operations\":[\"*\"],\"apiGroups\":[\"\"],"
                                  "\"apiVersions\":[\"v1\"],\"resources\":[\"configmaps\"]}]");
    wgk8s_rules *rules = wgk8s_rules_parse(rules_json, err, sizeof err);
    fake_module a = validator(false, "configmaps only"), b = validator(true, NULL);
    wgk8s_module mods[] = {fake_descriptor("cm-policy", &a), fake_descriptor("b", &b)};
    mods[0].rules = rules;
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_VALIDATE);
    CHECK(json_is_true(wgt_get(reply, "response.allowed")));
    CHECK_INT(a.calls, 0);
    CHECK_INT(b.calls, 1);
    json_decref(reply);
    /* The same module does run on a ConfigMap. */
    reply = admit(CM_DELETE, mods, 2, WGK8S_ADMIT_VALIDATE);
    CHECK(json_is_false(wgt_get(reply, "response.allowed")));
    CHECK_INT(a.calls, 1);
    json_decref(reply);
    wgk8s_rules_free(rules);
    json_decref(rules_json);
    fake_reset(&a);
    fake_reset(&b);
}

static void gives_the_module_the_review_and_its_settings(void)
{
    fake_module a = validator(true, NULL);
    wgk8s_module mods[] = {fake_descriptor("a", &a)};
    mods[0].settings_json = "{\"maxReplicas\":3}";
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_VALIDATE);
    json_t *in = fake_last_input(&a), *review = wgt_fixture_json(POD);
    CHECK_STR(a.last_entry, "validate");
    CHECK(json_equal(json_object_get(in, "request"), review));
    CHECK_JSON(json_object_get(in, "settings"), "{\"maxReplicas\":3}");
    json_decref(in);
    json_decref(review);
    json_decref(reply);
    fake_reset(&a);
}

/* ---- Mutation ---- */

static void replies_with_a_json_patch_for_a_full_mutation(void)
{
    fake_module a = labeller("Full", "app.kubernetes.io/name", "nginx");
    wgk8s_module mods[] = {mutating("name-label", &a)};
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_MUTATE);
    CHECK_STR(wgt_get_str(reply, "response.patchType"), "JSONPatch");
    CHECK(json_is_true(wgt_get(reply, "response.allowed")));
    json_t *patch = k8st_reply_patch(reply);
    CHECK_JSON(patch, "[{\"op\":\"add\",\"path\":\"/metadata/labels/app.kubernetes.io~1name\","
                      "\"value\":\"nginx\"}]");
    CHECK_INT(json_object_size(json_object_get(reply, "response")), 4); /* uid allowed patch type */
    json_decref(patch);
    json_decref(reply);
    fake_reset(&a);
}

static void replies_with_a_json_patch_for_a_json_patch_mutation(void)
{
    fake_module a = labeller("JSONPatch", "owner~team", "payments");
    wgk8s_module mods[] = {mutating("owner", &a)};
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_MUTATE);
    json_t *patch = k8st_reply_patch(reply);
    CHECK_JSON(patch, "[{\"op\":\"add\",\"path\":\"/metadata/labels/owner~0team\","
                      "\"value\":\"payments\"}]");
    json_decref(patch);
    json_decref(reply);
    fake_reset(&a);
}

static void chains_mutators_so_each_sees_the_previous_result(void)
{
    fake_module a = labeller("Full", "first", "1"), b = labeller("JSONPatch", "second", "2");
    wgk8s_module mods[] = {mutating("a", &a), mutating("b", &b)};
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_MUTATE);
    json_t *in = fake_last_input(&b);
    CHECK_STR(wgt_get_str(in, "request.request.object.metadata.labels.first"), "1");
    json_t *expected = pod_with_labels("first", "1", "second", "2");
    check_patch_produces(reply, expected);
    json_decref(expected);
    json_decref(in);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void shows_validators_the_object_as_mutated_so_far(void)
{
    fake_module a = labeller("Full", "injected", "yes"), b = validator(true, NULL);
    wgk8s_module mods[] = {mutating("injector", &a), fake_descriptor("checker", &b)};
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_MUTATE);
    json_t *in = fake_last_input(&b);
    CHECK_STR(wgt_get_str(in, "request.request.object.metadata.labels.injected"), "yes");
    /* Only request.object changes; the rest of the review is as received. */
    CHECK_STR(wgt_get_str(in, "request.request.uid"), POD_UID);
    CHECK(wgt_get(in, "request.request.oldObject") != NULL);
    json_t *expected = pod_with_labels("injected", "yes", NULL, NULL);
    check_patch_produces(reply, expected);
    json_decref(expected);
    json_decref(in);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void sends_no_patch_when_a_mutation_changes_nothing(void)
{
    fake_module a = labeller("Full", "app", "nginx"); /* already there */
    wgk8s_module mods[] = {mutating("idempotent", &a)};
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_MUTATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":true}}");
    json_decref(reply);
    fake_reset(&a);
}

static void never_sends_a_patch_from_a_validating_endpoint(void)
{
    fake_module a = labeller("Full", "injected", "yes"), b = validator(true, NULL);
    wgk8s_module mods[] = {mutating("injector", &a), fake_descriptor("checker", &b)};
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":true}}");
    /* And every module judged the object as received. */
    json_t *in = fake_last_input(&b), *review = wgt_fixture_json(POD);
    CHECK(json_equal(json_object_get(in, "request"), review));
    json_decref(review);
    json_decref(in);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void sends_no_patch_with_a_denial_after_a_mutation(void)
{
    fake_module a = labeller("Full", "injected", "yes"), b = validator(false, "no");
    wgk8s_module mods[] = {mutating("injector", &a), fake_descriptor("checker", &b)};
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_MUTATE);
    CHECK(json_is_false(wgt_get(reply, "response.allowed")));
    CHECK(wgt_get(reply, "response.patch") == NULL);
    CHECK(wgt_get(reply, "response.patchType") == NULL);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void accepts_a_v1_answer_and_replies_in_v1beta1(void)
{
    fake_module a = labeller("JSONPatch", "x", "y"); /* answers admission.k8s.io/v1 */
    wgk8s_module mods[] = {mutating("a", &a)};
    json_t *reply = admit(POD_BETA, mods, 1, WGK8S_ADMIT_MUTATE);
    CHECK_STR(wgt_get_str(reply, "apiVersion"), "admission.k8s.io/v1beta1");
    CHECK_STR(wgt_get_str(reply, "kind"), "AdmissionReview");
    CHECK_STR(wgt_get_str(reply, "response.uid"), "5eed0000-0000-0000-0000-000000000010");
    CHECK(json_is_true(wgt_get(reply, "response.allowed")));
    CHECK_STR(wgt_get_str(reply, "response.patchType"), "JSONPatch");
    json_decref(reply);
    fake_reset(&a);
}

/* ---- Warnings and audit annotations ---- */

static void collects_warnings_and_annotations_of_every_module_that_ran(void)
{
    fake_module a = validator(true, NULL), b = validator(true, NULL);
    a.warning = "image tag latest is discouraged";
    a.annotation_key = "checked-by";
    a.annotation_value = "a";
    b.warning = "no resource limits";
    b.annotation_key = "checked-by";
    b.annotation_value = "b";
    wgk8s_module mods[] = {fake_descriptor("a", &a), fake_descriptor("b", &b)};
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                      "\"warnings\":[\"image tag latest is discouraged\",\"no resource limits\"],"
                      "\"auditAnnotations\":{\"checked-by\":\"a\"}}}");
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void keeps_warnings_with_a_denial(void)
{
    fake_module a = validator(false, "no");
    a.warning = "see the policy handbook";
    wgk8s_module mods[] = {fake_descriptor("a", &a)};
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(wgt_get(reply, "response.warnings"), "[\"see the policy handbook\"]");
    json_decref(reply);
    fake_reset(&a);
}

static void truncates_long_warnings(void)
{
    char long_warning[301];
    memset(long_warning, 'w', 300);
    long_warning[300] = '\0';
    fake_module a = validator(true, NULL);
    a.warning = long_warning;
    wgk8s_module mods[] = {fake_descriptor("a", &a)};
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_VALIDATE);
    const char *w = json_string_value(json_array_get(wgt_get(reply, "response.warnings"), 0));
    CHECK(w && strlen(w) == 120);
    CHECK(w && strcmp(w + 117, "...") == 0);
    json_decref(reply);
    fake_reset(&a);
}

/* ---- Failure policies ---- */

static void denies_with_code_500_when_a_module_fails_under_failure_policy_fail(void)
{
    fake_module a = {.fail = true, .fail_message = "trap: out of bounds memory access"};
    fake_module b = validator(true, NULL);
    wgk8s_module mods[] = {fake_descriptor("crashy", &a), fake_descriptor("b", &b)};
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":false,"
                      "\"status\":{\"code\":500,\"reason\":\"InternalError\",\"message\":"
                      "\"module \\\"crashy\\\" failed: trap: out of bounds memory access\"}}}");
    CHECK_INT(b.calls, 0);
    json_decref(reply);
    fake_reset(&a);
}

static void skips_a_failing_module_with_a_warning_under_failure_policy_ignore(void)
{
    fake_module a = {.fail = true, .fail_message = "timeout after 500 ms"};
    fake_module b = validator(true, NULL);
    wgk8s_module mods[] = {fake_descriptor("slow", &a), fake_descriptor("b", &b)};
    mods[0].failure_policy = WGK8S_FAILURE_IGNORE;
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                      "\"warnings\":[\"module \\\"slow\\\" failed and was ignored: timeout after "
                      "500 ms\"]}}");
    CHECK_INT(b.calls, 1);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void keeps_earlier_mutations_when_an_ignored_module_fails(void)
{
    fake_module a = labeller("Full", "kept", "yes");
    fake_module b = {.output = "not json"};
    wgk8s_module mods[] = {mutating("a", &a), mutating("broken", &b)};
    mods[1].failure_policy = WGK8S_FAILURE_IGNORE;
    json_t *reply = admit(POD, mods, 2, WGK8S_ADMIT_MUTATE);
    json_t *expected = pod_with_labels("kept", "yes", NULL, NULL);
    check_patch_produces(reply, expected);
    CHECK_INT(json_array_size(wgt_get(reply, "response.warnings")), 1);
    json_decref(expected);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

/* ---- Broken outputs: each a clear denial naming the module ---- */

/* Runs one module with the given output (or handler set up by the caller) under failure
 * policy Fail and checks the denial's message. */
static void expect_failure(fake_module *fm, bool is_mutating, const char *fixture,
                           const char *message_start)
{
    wgk8s_module mods[] = {fake_descriptor("broken", fm)};
    mods[0].mutating = is_mutating;
    json_t *reply = admit(fixture, mods, 1, WGK8S_ADMIT_MUTATE);
    CHECK(json_is_false(wgt_get(reply, "response.allowed")));
    CHECK_JSON(wgt_get(reply, "response.status.code"), "500");
    CHECK_STR(wgt_get_str(reply, "response.status.reason"), "InternalError");
    const char *message = wgt_get_str(reply, "response.status.message");
    CHECK(message && strncmp(message, message_start, strlen(message_start)) == 0);
    if (message && strncmp(message, message_start, strlen(message_start)) != 0)
        CHECK_STR(message, message_start);
    CHECK(wgt_get(reply, "response.patch") == NULL);
    json_decref(reply);
    fake_reset(fm);
}

static void denies_on_output_that_is_not_json(void)
{
    fake_module fm = {.output = "{\"response\": oops}"};
    expect_failure(&fm, false, POD, "module \"broken\" failed: output is not JSON: ");
}

static void denies_on_empty_output(void)
{
    fake_module fm = {0};
    expect_failure(&fm, false, POD, "module \"broken\" failed: empty output");
}

static void denies_on_an_answer_of_the_wrong_kind(void)
{
    fake_module fm = {.output = "{\"response\":{\"apiVersion\":\"authentication.k8s.io/v1\","
                                "\"kind\":\"TokenReview\",\"status\":{}}}"};
    expect_failure(&fm, false, POD,
                   "module \"broken\" failed: response.kind: expected AdmissionReview, got "
                   "\"TokenReview\"");
}

static void denies_on_a_uid_mismatch(void)
{
    fake_module fm = validator(true, NULL);
    fm.uid = "someone-else";
    expect_failure(&fm, false, POD,
                   "module \"broken\" failed: response.response.uid: \"someone-else\" does not "
                   "match the request uid \"" POD_UID "\"");
}

static void denies_on_a_patch_from_a_validating_module(void)
{
    fake_module fm = labeller("JSONPatch", "sneaky", "yes");
    expect_failure(&fm, false, POD,
                   "module \"broken\" failed: response.response.patch: the module is not "
                   "mutating but returned a patch");
}

static void denies_on_a_module_reported_error(void)
{
    fake_module fm = {.output = "{\"error\":\"settings: maxReplicas must be a number\"}"};
    expect_failure(&fm, false, POD,
                   "module \"broken\" failed: module reported an error: settings: maxReplicas "
                   "must be a number");
}

static void denies_on_a_mutation_of_a_delete(void)
{
    fake_module fm = labeller("Full", "a", "b");
    expect_failure(&fm, true, CM_DELETE,
                   "module \"broken\" failed: response.response.patch: a DELETE request has no "
                   "object to mutate");
}

static void denies_on_output_with_garbage_bytes(void)
{
    static const char garbage[] = "\xff\xfe\x00\x01{]";
    fake_module fm = {.output = garbage};
    expect_failure(&fm, false, POD, "module \"broken\" failed: output is not JSON: ");
}

/* ---- Kubewarden policies in the chain ---- */

static void denies_with_a_kubewarden_rejection(void)
{
    fake_module fm = {.handler = fake_kubewarden,
                      .allowed = false,
                      .message = "hostPath volumes are not allowed",
                      .code = 400};
    wgk8s_module mods[] = {fake_descriptor("no-hostpath", &fm)};
    mods[0].protocol = WGK8S_PROTOCOL_KUBEWARDEN;
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_VALIDATE);
    CHECK_JSON(reply, "{" ENVELOPE ",\"response\":{\"uid\":\"" POD_UID "\",\"allowed\":false,"
                      "\"status\":{\"code\":400,\"message\":\"module \\\"no-hostpath\\\" denied "
                      "the request: hostPath volumes are not allowed\"}}}");
    json_t *in = fake_last_input(&fm), *review = wgt_fixture_json(POD);
    CHECK(json_equal(json_object_get(in, "request"), json_object_get(review, "request")));
    CHECK_JSON(json_object_get(in, "settings"), "{}");
    json_decref(in);
    json_decref(review);
    json_decref(reply);
    fake_reset(&fm);
}

static void patches_with_a_kubewarden_mutated_object(void)
{
    fake_module fm = kubewarden_labeller("policy.example.com/checked", "true");
    wgk8s_module mods[] = {mutating("stamp", &fm)};
    mods[0].protocol = WGK8S_PROTOCOL_KUBEWARDEN;
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_MUTATE);
    json_t *patch = k8st_reply_patch(reply);
    CHECK_JSON(patch, "[{\"op\":\"add\",\"path\":\"/metadata/labels/policy.example.com~1checked\","
                      "\"value\":\"true\"}]");
    json_decref(patch);
    json_decref(reply);
    fake_reset(&fm);
}

static void denies_a_kubewarden_mutation_from_a_policy_that_is_not_mutating(void)
{
    fake_module fm = kubewarden_labeller("a", "b");
    wgk8s_module mods[] = {fake_descriptor("validating-only", &fm)};
    mods[0].protocol = WGK8S_PROTOCOL_KUBEWARDEN;
    json_t *reply = admit(POD, mods, 1, WGK8S_ADMIT_MUTATE);
    CHECK_STR(wgt_get_str(reply, "response.status.message"),
              "module \"validating-only\" failed: mutated_object: the policy is not mutating but "
              "returned a mutated object");
    json_decref(reply);
    fake_reset(&fm);
}

static void refuses_a_review_of_another_kind(void)
{
    wgk8s_review *review = k8st_fixture_review("authentication/tokenreview-v1.json");
    json_t *reply = NULL;
    CHECK_INT(wgk8s_admit(review, NULL, 0, WGK8S_ADMIT_MUTATE, &reply, err, sizeof err),
              WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "kind: expected AdmissionReview, got TokenReview");
    wgk8s_review_free(review);
}

int main(void)
{
    RUN(allows_when_every_module_allows);
    RUN(allows_without_modules);
    RUN(denies_with_the_first_denial_naming_the_module);
    RUN(keeps_the_code_and_reason_of_a_denial);
    RUN(names_the_module_of_a_denial_without_message);
    RUN(runs_only_modules_whose_rules_match);
    RUN(gives_the_module_the_review_and_its_settings);
    RUN(replies_with_a_json_patch_for_a_full_mutation);
    RUN(replies_with_a_json_patch_for_a_json_patch_mutation);
    RUN(chains_mutators_so_each_sees_the_previous_result);
    RUN(shows_validators_the_object_as_mutated_so_far);
    RUN(sends_no_patch_when_a_mutation_changes_nothing);
    RUN(never_sends_a_patch_from_a_validating_endpoint);
    RUN(sends_no_patch_with_a_denial_after_a_mutation);
    RUN(accepts_a_v1_answer_and_replies_in_v1beta1);
    RUN(collects_warnings_and_annotations_of_every_module_that_ran);
    RUN(keeps_warnings_with_a_denial);
    RUN(truncates_long_warnings);
    RUN(denies_with_code_500_when_a_module_fails_under_failure_policy_fail);
    RUN(skips_a_failing_module_with_a_warning_under_failure_policy_ignore);
    RUN(keeps_earlier_mutations_when_an_ignored_module_fails);
    RUN(denies_on_output_that_is_not_json);
    RUN(denies_on_empty_output);
    RUN(denies_on_an_answer_of_the_wrong_kind);
    RUN(denies_on_a_uid_mismatch);
    RUN(denies_on_a_patch_from_a_validating_module);
    RUN(denies_on_a_module_reported_error);
    RUN(denies_on_a_mutation_of_a_delete);
    RUN(denies_on_output_with_garbage_bytes);
    RUN(denies_with_a_kubewarden_rejection);
    RUN(patches_with_a_kubewarden_mutated_object);
    RUN(denies_a_kubewarden_mutation_from_a_policy_that_is_not_mutating);
    RUN(refuses_a_review_of_another_kind);
    return wgt_finish();
}
