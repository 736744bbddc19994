/*
 * test_answers.c — the SDK's request handling and answers (sections 3 and 4 of
 * wasmgate_module.h): every answer is judged by the host's own interpretation
 * (wgk8s_*_interpret) and field by field; patch operations are applied both ways (JSON Patch
 * and Full) and must give the same object.
 *
 * Each test runs a small "module" — a static function written like an export — through
 * sdkt_call(), which feeds it the input the host would build.
 */
#include "sdk_testlib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Input handling ----------------------------------------------------------------- */

static void admit_everything(void)
{
    if (!wgm_begin()) return;
    wgm_admit();
}

static void input_that_is_not_json_is_answered_with_an_error(void)
{
    sdkt_output out = sdkt_call_raw(admit_everything, "{\"request\": ", 12);
    CHECK_STR(sdkt_error(&out), "input: not JSON: offset 12: value expected, end of text found");
    sdkt_output_free(&out);
    out = sdkt_call_raw(admit_everything, "", 0);
    CHECK_STR(sdkt_error(&out), "input: not JSON: offset 0: value expected, end of text found");
    sdkt_output_free(&out);
}

static void input_without_a_review_is_answered_with_an_error(void)
{
    static const char *const inputs[] = {"[]", "{}", "{\"request\": []}", "{\"request\": null}"};
    for (size_t i = 0; i < 4; i++) {
        sdkt_output out = sdkt_call_raw(admit_everything, inputs[i], strlen(inputs[i]));
        CHECK_CONTAINS(sdkt_error(&out), "input: expected {\"request\": <review object>");
        sdkt_output_free(&out);
    }
    const char *no_kind = "{\"request\": {\"apiVersion\": \"admission.k8s.io/v1\"}}";
    sdkt_output out = sdkt_call_raw(admit_everything, no_kind, strlen(no_kind));
    CHECK_STR(sdkt_error(&out), "input: request.apiVersion and request.kind must be strings");
    sdkt_output_free(&out);
}

static void input_over_the_limit_is_refused(void)
{
    size_t len = WGM_MAX_INPUT + 1;
    char *input = malloc(len);
    memset(input, ' ', len);
    sdkt_output out = sdkt_call_raw(admit_everything, input, len);
    CHECK_STR(sdkt_error(&out), "input: larger than the module's limit of 16777216 bytes");
    sdkt_output_free(&out);
    free(input);
}

static wgm_val seen_settings;
static wgm_type seen_settings_type;

static void record_settings(void)
{
    if (!wgm_begin()) return;
    seen_settings = wgm_settings();
    seen_settings_type = wgm_type_of(seen_settings);
    wgm_admit();
}

static void settings_are_given_as_configured(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    sdkt_output out = sdkt_call(record_settings, review, NULL);
    CHECK_INT(seen_settings_type, WGM_MISSING);
    sdkt_output_free(&out);
    out = sdkt_call(record_settings, review, "null");
    CHECK_INT(seen_settings_type, WGM_MISSING); /* null is absence */
    sdkt_output_free(&out);
    out = sdkt_call(record_settings, review, "[1, 2]");
    CHECK_INT(seen_settings_type, WGM_ARRAY);
    sdkt_output_free(&out);
    json_decref(review);
}

/* ---- Authentication ------------------------------------------------------------------ */

static void authenticate_jane(void)
{
    if (!wgm_begin()) return;
    wgm_add_audience("https://kubernetes.default.svc");
    wgm_authenticate("jane", "42", wgm_json("[\"dev\", \"ops\"]"),
                     wgm_json("{\"scopes\": [\"openid\", \"email\"], \"empty\": []}"));
}

static void authenticate_writes_the_user_and_audiences(void)
{
    json_t *review = wgt_fixture_json("authentication/tokenreview-v1.json");
    sdkt_output out = sdkt_call(authenticate_jane, review, NULL);
    CHECK_JSON(out.json,
               "{\"response\": {\"apiVersion\": \"authentication.k8s.io/v1\","
               " \"kind\": \"TokenReview\", \"status\": {\"authenticated\": true,"
               " \"user\": {\"username\": \"jane\", \"uid\": \"42\", \"groups\":"
               " [\"dev\", \"ops\"], \"extra\": {\"scopes\": [\"openid\", \"email\"],"
               " \"empty\": []}}, \"audiences\": [\"https://kubernetes.default.svc\"]}}}");
    wgk8s_authn_decision d = {0};
    if (sdkt_host_authn(review, &out, &d)) {
        CHECK(d.authenticated);
        CHECK_STR(json_string_value(json_object_get(d.user, "username")), "jane");
    }
    wgk8s_authn_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);
}

static void authenticate_minimal(void)
{
    if (!wgm_begin()) return;
    wgm_authenticate("jane", NULL, WGM_NONE, WGM_NONE);
}

static void answers_echo_the_request_version(void)
{
    json_t *review = wgt_fixture_json("authentication/tokenreview-v1beta1.json");
    sdkt_output out = sdkt_call(authenticate_minimal, review, NULL);
    CHECK_JSON(out.json, "{\"response\": {\"apiVersion\": \"authentication.k8s.io/v1beta1\","
                         " \"kind\": \"TokenReview\", \"status\": {\"authenticated\": true,"
                         " \"user\": {\"username\": \"jane\"}}}}");
    wgk8s_authn_decision d = {0};
    sdkt_host_authn(review, &out, &d);
    wgk8s_authn_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);
}

static const char *bad_groups_json;

static void authenticate_with_bad_values(void)
{
    if (!wgm_begin()) return;
    wgm_authenticate("jane", NULL, wgm_json(bad_groups_json), wgm_json("{\"a\": \"not-a-list\"}"));
}

static void authenticate_with_empty_name(void)
{
    if (!wgm_begin()) return;
    wgm_authenticate("", NULL, WGM_NONE, WGM_NONE);
}

static void authenticate_refuses_what_the_api_would_not_take(void)
{
    json_t *review = wgt_fixture_json("authentication/tokenreview-v1.json");
    bad_groups_json = "[\"dev\", 7]";
    sdkt_output out = sdkt_call(authenticate_with_bad_values, review, NULL);
    CHECK_STR(sdkt_error(&out), "wgm_authenticate: groups must be an array of strings");
    sdkt_output_free(&out);
    bad_groups_json = "[]";
    out = sdkt_call(authenticate_with_bad_values, review, NULL);
    CHECK_CONTAINS(sdkt_error(&out), "wgm_authenticate: extra must be an object whose values");
    sdkt_output_free(&out);
    out = sdkt_call(authenticate_with_empty_name, review, NULL);
    CHECK_STR(sdkt_error(&out), "wgm_authenticate: the username must not be empty");
    sdkt_output_free(&out);
    json_decref(review);
}

static void reject_expired(void)
{
    if (!wgm_begin()) return;
    wgm_add_audience("ignored when rejecting");
    wgm_reject_token("token expired");
}

static void reject_token_says_why(void)
{
    json_t *review = wgt_fixture_json("authentication/tokenreview-v1.json");
    sdkt_output out = sdkt_call(reject_expired, review, NULL);
    CHECK_JSON(out.json, "{\"response\": {\"apiVersion\": \"authentication.k8s.io/v1\","
                         " \"kind\": \"TokenReview\", \"status\": {\"authenticated\": false,"
                         " \"error\": \"token expired\"}}}");
    wgk8s_authn_decision d = {0};
    if (sdkt_host_authn(review, &out, &d)) {
        CHECK(!d.authenticated);
        CHECK_STR(d.error, "token expired");
    }
    wgk8s_authn_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);
}

/* ---- Authorization ------------------------------------------------------------------- */

static int sar_answer;

static void answer_sar(void)
{
    if (!wgm_begin()) return;
    if (sar_answer == 0) wgm_allow("rule 1");
    if (sar_answer == 1) wgm_deny("forbidden \"here\"");
    if (sar_answer == 2) wgm_no_opinion(NULL);
}

static void authorization_answers_mean_what_they_say(void)
{
    static const char *const expected[] = {
        "{\"allowed\": true, \"reason\": \"rule 1\"}",
        "{\"allowed\": false, \"denied\": true, \"reason\": \"forbidden \\\"here\\\"\"}",
        "{\"allowed\": false}",
    };
    const char *fixtures[] = {"authorization/sar-v1-resource.json",
                              "authorization/sar-v1beta1-resource.json"};
    for (size_t f = 0; f < 2; f++) {
        json_t *review = wgt_fixture_json(fixtures[f]);
        for (sar_answer = 0; sar_answer < 3; sar_answer++) {
            sdkt_output out = sdkt_call(answer_sar, review, NULL);
            CHECK_STR(wgt_get_str(out.json, "response.apiVersion"),
                      f == 0 ? "authorization.k8s.io/v1" : "authorization.k8s.io/v1beta1");
            CHECK_STR(wgt_get_str(out.json, "response.kind"), "SubjectAccessReview");
            CHECK_JSON(wgt_get(out.json, "response.status"), expected[sar_answer]);
            wgk8s_authz_decision d = {0};
            if (sdkt_host_authz(review, &out, &d)) {
                CHECK(d.allowed == (sar_answer == 0));
                CHECK(d.denied == (sar_answer == 1));
            }
            wgk8s_authz_decision_clear(&d);
            sdkt_output_free(&out);
        }
        json_decref(review);
    }
}

static void an_answer_for_another_review_kind_is_an_error(void)
{
    json_t *review = wgt_fixture_json("authentication/tokenreview-v1.json");
    sar_answer = 0;
    sdkt_output out = sdkt_call(answer_sar, review, NULL);
    CHECK_STR(sdkt_error(&out),
              "wgm_allow answers SubjectAccessReviews, but the request is a TokenReview");
    sdkt_output_free(&out);
    out = sdkt_call(admit_everything, review, NULL);
    CHECK_STR(sdkt_error(&out),
              "wgm_admit answers AdmissionReviews, but the request is a TokenReview");
    sdkt_output_free(&out);
    json_decref(review);
}

static void answer_twice(void)
{
    if (!wgm_begin()) return;
    wgm_allow("first");
    wgm_deny("second");
    wgm_error("third");
}

static void answer_without_begin(void)
{
    wgm_allow("no begin");
}

static void only_the_first_answer_counts(void)
{
    json_t *review = wgt_fixture_json("authorization/sar-v1-resource.json");
    sdkt_output out = sdkt_call(answer_twice, review, NULL); /* trailing output would not parse */
    CHECK_STR(wgt_get_str(out.json, "response.status.reason"), "first");
    sdkt_output_free(&out);
    out = sdkt_call(answer_without_begin, review, NULL);
    CHECK_STR(sdkt_error(&out), "wgm_allow: called before wgm_begin() succeeded");
    sdkt_output_free(&out);
    json_decref(review);
}

static void fail_with_message(void)
{
    if (!wgm_begin()) return;
    wgm_error("settings.rules: \"x\" is not a rule");
}

static void wgm_error_is_the_error_envelope(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    sdkt_output out = sdkt_call(fail_with_message, review, NULL);
    CHECK_JSON(out.json, "{\"error\": \"settings.rules: \\\"x\\\" is not a rule\"}");
    wgk8s_admission_decision d = {0};
    char err[256] = "";
    CHECK_INT(wgk8s_admission_interpret(WGK8S_PROTOCOL_K8S_WASM, review, false, out.text, out.len,
                                        &d, err, sizeof err),
              WGK8S_ERR_MODULE);
    CHECK_CONTAINS(err, "settings.rules: \"x\" is not a rule");
    wgk8s_admission_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);
}

/* ---- Admission ---------------------------------------------------------------------- */

static void admit_with_notes(void)
{
    if (!wgm_begin()) return;
    wgm_add_warning("first warning");
    wgm_add_warning("second \"quoted\" warning");
    wgm_add_audit_annotation("policy", "v1");
    wgm_add_audit_annotation("checked", "yes");
    wgm_add_audit_annotation("policy", "v2"); /* replaces: duplicate keys are refused by hosts */
    wgm_admit();
}

static void admit_carries_uid_warnings_and_annotations(void)
{
    const char *fixtures[] = {"admission/pod-create.json", "admission/pod-create-v1beta1.json"};
    for (size_t f = 0; f < 2; f++) {
        json_t *review = wgt_fixture_json(fixtures[f]);
        sdkt_output out = sdkt_call(admit_with_notes, review, NULL);
        CHECK_STR(wgt_get_str(out.json, "response.apiVersion"),
                  json_string_value(json_object_get(review, "apiVersion")));
        CHECK_STR(wgt_get_str(out.json, "response.kind"), "AdmissionReview");
        CHECK_JSON(wgt_get(out.json, "response.response"),
                   f == 0 ? "{\"uid\": \"5eed0000-0000-0000-0000-000000000001\", \"allowed\": true,"
                            " \"warnings\": [\"first warning\", \"second \\\"quoted\\\" warning\"],"
                            " \"auditAnnotations\": {\"policy\": \"v2\", \"checked\": \"yes\"}}"
                          : "{\"uid\": \"5eed0000-0000-0000-0000-000000000010\", \"allowed\": true,"
                            " \"warnings\": [\"first warning\", \"second \\\"quoted\\\" warning\"],"
                            " \"auditAnnotations\": {\"policy\": \"v2\", \"checked\": \"yes\"}}");
        wgk8s_admission_decision d = {0};
        if (sdkt_host_admission(review, false, &out, &d)) {
            CHECK(d.allowed);
            CHECK_INT(json_array_size(d.warnings), 2);
        }
        wgk8s_admission_decision_clear(&d);
        sdkt_output_free(&out);
        json_decref(review);
    }
}

static int deny_code;

static void deny_with_code(void)
{
    if (!wgm_begin()) return;
    wgm_add_warning("see the policy");
    wgm_deny_admission(deny_code, deny_code == 0 ? NULL : "no privileged pods");
}

static void deny_admission_sends_code_and_message(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    deny_code = 422;
    sdkt_output out = sdkt_call(deny_with_code, review, NULL);
    CHECK_JSON(wgt_get(out.json, "response.response"),
               "{\"uid\": \"5eed0000-0000-0000-0000-000000000001\", \"allowed\": false,"
               " \"status\": {\"code\": 422, \"message\": \"no privileged pods\"},"
               " \"warnings\": [\"see the policy\"]}");
    wgk8s_admission_decision d = {0};
    if (sdkt_host_admission(review, false, &out, &d)) {
        CHECK(!d.allowed);
        CHECK_INT(d.code, 422);
        CHECK_STR(d.message, "no privileged pods");
    }
    wgk8s_admission_decision_clear(&d);
    sdkt_output_free(&out);

    deny_code = 0; /* the default: no status at all, and the host assumes 403 */
    out = sdkt_call(deny_with_code, review, NULL);
    CHECK_JSON(wgt_get(out.json, "response.response"),
               "{\"uid\": \"5eed0000-0000-0000-0000-000000000001\", \"allowed\": false,"
               " \"warnings\": [\"see the policy\"]}");
    sdkt_output_free(&out);

    deny_code = 42;
    out = sdkt_call(deny_with_code, review, NULL);
    CHECK_STR(sdkt_error(&out), "wgm_deny_admission: code 42 is not an HTTP status (100-599, "
                                "or 0 for 403)");
    sdkt_output_free(&out);
    deny_code = -7;
    out = sdkt_call(deny_with_code, review, NULL);
    CHECK_CONTAINS(sdkt_error(&out), "code -7 is not");
    sdkt_output_free(&out);
    json_decref(review);
}

static void a_review_without_uid_cannot_be_answered(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    json_object_del(json_object_get(review, "request"), "uid");
    sdkt_output out = sdkt_call(admit_everything, review, NULL);
    CHECK_STR(sdkt_error(&out),
              "request.request.uid is missing: the answer could not name the request");
    sdkt_output_free(&out);
    json_decref(review);
}

/* ---- Patches ------------------------------------------------------------------------ */

static wgm_patch_type patch_type;
static void (*make_patch)(void);
static bool patch_results[16];
static size_t patch_result_count;

static void record(bool ok)
{
    if (patch_result_count < 16) patch_results[patch_result_count++] = ok;
}

static void mutate(void)
{
    if (!wgm_begin()) return;
    patch_result_count = 0;
    wgm_set_patch_type(patch_type);
    make_patch();
    wgm_admit();
}

/* Runs make_patch on `review` both ways and returns the mutated object the host derives
 * from the JSON Patch (checking that the Full patch gives the same object, and that
 * applying the decoded JSON Patch independently agrees too). NULL if there was no patch. */
static json_t *mutated_both_ways(const json_t *review, json_t **json_patch)
{
    json_t *results[2] = {NULL, NULL};
    for (int type = 0; type < 2; type++) {
        patch_type = type == 0 ? WGM_PATCH_JSONPATCH : WGM_PATCH_FULL;
        sdkt_output out = sdkt_call(mutate, review, NULL);
        const char *expected_type = type == 0 ? "JSONPatch" : "Full";
        const char *got_type = wgt_get_str(out.json, "response.response.patchType");
        if (got_type) CHECK_STR(got_type, expected_type);
        wgk8s_admission_decision d = {0};
        if (sdkt_host_admission(review, true, &out, &d) && d.mutated_object)
            results[type] = json_incref(d.mutated_object);
        if (type == 0 && json_patch) {
            *json_patch = sdkt_patch(&out);
            if (*json_patch) {
                char err[256] = "";
                json_t *object = wgt_get(review, "request.object");
                json_t *applied = wgk8s_json_patch_apply(object, *json_patch, err, sizeof err);
                if (!CHECK(applied && results[0] && json_equal(applied, results[0])))
                    fprintf(stderr, "    apply: %s\n", err);
                json_decref(applied);
            }
        }
        wgk8s_admission_decision_clear(&d);
        sdkt_output_free(&out);
    }
    CHECK((results[0] == NULL) == (results[1] == NULL));
    if (results[0] && results[1] && !CHECK(json_equal(results[0], results[1]))) {
        char *a = json_dumps(results[0], JSON_COMPACT), *b = json_dumps(results[1], JSON_COMPACT);
        fprintf(stderr, "    JSONPatch gives %s\n    Full gives      %s\n", a, b);
        free(a);
        free(b);
    }
    json_decref(results[1]);
    return results[0];
}

static void edit_pod(void)
{
    record(wgm_patch_add("/metadata/labels", "app.kubernetes.io/name", wgm_json_string("web")));
    record(wgm_patch_add("/metadata/labels", "a~b", wgm_json("1")));
    record(wgm_patch_replace("/metadata/labels", "env", wgm_json_string("prod")));
    record(wgm_patch_remove("/metadata/labels", "app"));
    record(wgm_patch_add("/metadata", "annotations", wgm_json("{\"note\": \"x\"}")));
    record(
        wgm_patch_add("/spec/containers/0/resources", "requests", wgm_json("{\"cpu\": \"100m\"}")));
    record(wgm_patch_add("/spec/containers", "-", wgm_json("{\"name\": \"sidecar\"}")));
    record(wgm_patch_add("/spec/containers", "-", wgm_json("{\"name\": \"second\"}")));
    record(wgm_patch_replace("/spec/containers/0/ports/0", "containerPort", wgm_json("8080")));
    record(wgm_patch_add("", "status", wgm_json("null"))); /* add on an existing member */
}

static void patch_operations_give_the_same_object_both_ways(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    make_patch = edit_pod;
    json_t *patch = NULL;
    json_t *object = mutated_both_ways(review, &patch);
    for (size_t i = 0; i < patch_result_count; i++)
        CHECK(patch_results[i]);
    CHECK_JSON(object,
               "{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"metadata\": {\"name\": \"nginx\","
               " \"namespace\": \"default\", \"labels\": {\"env\": \"prod\","
               " \"app.kubernetes.io/name\": \"web\", \"a~b\": 1}, \"annotations\":"
               " {\"note\": \"x\"}}, \"spec\": {\"containers\": [{\"name\": \"nginx\","
               " \"image\": \"nginx:1.27\", \"ports\": [{\"containerPort\": 8080}], \"resources\":"
               " {\"requests\": {\"cpu\": \"100m\"}}}, {\"name\": \"sidecar\"},"
               " {\"name\": \"second\"}]}, \"status\": null}");
    /* Pointers are escaped; adds and replaces come first, removals last. */
    CHECK_STR(wgt_get_str(patch, "[0].path"), "/metadata/labels/app.kubernetes.io~1name");
    CHECK_STR(wgt_get_str(patch, "[1].path"), "/metadata/labels/a~0b");
    CHECK_STR(wgt_get_str(patch, "[9].op"), "remove");
    CHECK_STR(wgt_get_str(patch, "[9].path"), "/metadata/labels/app");
    json_decref(patch);
    json_decref(object);
    json_decref(review);
}

static void remove_from_arrays(void)
{
    /* Made out of order on purpose: the JSON Patch must remove the last index first. */
    record(wgm_patch_remove("/spec/template/spec/containers/0/args", "1"));
    record(wgm_patch_remove("/spec/template/spec/containers/0/args", "3"));
    record(wgm_patch_replace("/spec/template/spec/containers/0/args", "2", wgm_json("\"two\"")));
    record(wgm_patch_remove("/spec/template/spec/containers/0/args", "0"));
}

static void removals_from_one_array_keep_their_indices(void)
{
    json_t *review = wgt_fixture_json("admission/deployment-create.json");
    json_t *container = wgt_get(review, "request.object.spec.template.spec.containers[0]");
    json_object_set_new(container, "args", json_pack("[ssss]", "a0", "a1", "a2", "a3"));
    make_patch = remove_from_arrays;
    json_t *patch = NULL;
    json_t *object = mutated_both_ways(review, &patch);
    CHECK_JSON(wgt_get(object, "spec.template.spec.containers[0].args"), "[\"two\"]");
    CHECK_JSON(patch,
               "[{\"op\": \"replace\", \"path\": \"/spec/template/spec/containers/0/args/2\","
               " \"value\": \"two\"},"
               " {\"op\": \"remove\", \"path\": \"/spec/template/spec/containers/0/args/3\"},"
               " {\"op\": \"remove\", \"path\": \"/spec/template/spec/containers/0/args/1\"},"
               " {\"op\": \"remove\", \"path\": \"/spec/template/spec/containers/0/args/0\"}]");
    json_decref(patch);
    json_decref(object);
    json_decref(review);
}

static void bad_operations(void)
{
    record(wgm_patch_add("/metadata/nothere", "x", wgm_json("1")));          /* no parent */
    record(wgm_patch_replace("/metadata/labels", "nothere", wgm_json("1"))); /* no target */
    record(wgm_patch_remove("/spec/containers", "5"));                       /* no element */
    record(wgm_patch_add("/spec/containers", "0", wgm_json("{}")));          /* insertion */
    record(wgm_patch_remove("/spec/containers", "-"));                       /* "-" is add-only */
    record(wgm_patch_add("/metadata/name", "x", wgm_json("1")));   /* parent is a string */
    record(wgm_patch_add("/metadata/labels", "x", WGM_NONE));      /* no value */
    record(wgm_patch_add("/metadata/labels", "x", wgm_json("1"))); /* fine */
    record(wgm_patch_remove("/metadata", "labels"));               /* contains the one above */
    record(wgm_patch_add("/metadata/labels", "x", wgm_json("2"))); /* the same target */
}

static void patch_operations_are_checked_against_the_object(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    make_patch = bad_operations;
    patch_type = WGM_PATCH_JSONPATCH;
    sdkt_output out = sdkt_call(mutate, review, NULL);
    bool expected[] = {false, false, false, false, false, false, false, true, false, false};
    CHECK_INT(patch_result_count, 10);
    for (size_t i = 0; i < 10 && i < patch_result_count; i++)
        if (!CHECK(patch_results[i] == expected[i])) fprintf(stderr, "    operation %zu\n", i);
    /* wgm_admit() answers with the first refusal. */
    CHECK_STR(sdkt_error(&out),
              "patch /metadata/nothere/x: the parent does not exist in request.object");
    sdkt_output_free(&out);
    json_decref(review);
}

static void patching_without_an_object_is_an_error(void)
{
    json_t *review = wgt_fixture_json("admission/configmap-delete.json");
    make_patch = edit_pod;
    sdkt_output out = sdkt_call(mutate, review, NULL);
    CHECK_CONTAINS(sdkt_error(&out), "request.object is not an object (null on DELETE)");
    sdkt_output_free(&out);
    json_decref(review);
}

static void no_operations(void) {}

static void admit_without_operations_sends_no_patch(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    make_patch = no_operations;
    for (int type = 0; type < 2; type++) {
        patch_type = type ? WGM_PATCH_FULL : WGM_PATCH_JSONPATCH;
        sdkt_output out = sdkt_call(mutate, review, NULL);
        CHECK(wgt_get(out.json, "response.response.patch") == NULL);
        CHECK(wgt_get(out.json, "response.response.patchType") == NULL);
        wgk8s_admission_decision d = {0};
        if (sdkt_host_admission(review, false, &out, &d)) CHECK(d.mutated_object == NULL);
        wgk8s_admission_decision_clear(&d);
        sdkt_output_free(&out);
    }
    json_decref(review);
}

static void admit_a_new_object(void)
{
    if (!wgm_begin()) return;
    wgm_admit_mutated(wgm_json("{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"metadata\":"
                               " {\"name\": \"replaced\"}}"));
}

static void admit_mutated_sends_a_full_patch(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    sdkt_output out = sdkt_call(admit_a_new_object, review, NULL);
    CHECK_STR(wgt_get_str(out.json, "response.response.patchType"), "Full");
    json_t *decoded = sdkt_patch(&out);
    CHECK_JSON(decoded, "{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"metadata\":"
                        " {\"name\": \"replaced\"}}");
    wgk8s_admission_decision d = {0};
    if (sdkt_host_admission(review, true, &out, &d))
        CHECK_STR(wgt_get_str(d.mutated_object, "metadata.name"), "replaced");
    wgk8s_admission_decision_clear(&d);
    json_decref(decoded);
    sdkt_output_free(&out);
    json_decref(review);
}

static char deep_parent[4096];

static void edit_deep_object(void)
{
    record(wgm_patch_add("/metadata", "labels", wgm_json("{\"team\": \"a\"}")));
    record(wgm_patch_add(deep_parent, "x", wgm_json("true")));
}

static void deeply_nested_objects_are_patched_both_ways(void)
{
    json_t *review = wgt_fixture_json("admission/configmap-create.json");
    json_t *deep = json_string("bottom");
    for (int i = 0; i < 1500; i++) { /* jansson itself stops parsing at depth 2048 */
        json_t *wrap = json_object();
        json_object_set_new(wrap, "d", deep);
        deep = wrap;
    }
    json_object_set_new(wgt_get(review, "request.object"), "deep", deep);
    strcpy(deep_parent, "/deep");
    for (int i = 0; i < 1000; i++)
        strcat(deep_parent, "/d");
    make_patch = edit_deep_object;
    json_t *object = mutated_both_ways(review, NULL);
    CHECK_INT(patch_result_count, 2);
    CHECK(patch_results[0] && patch_results[1]);
    CHECK_STR(wgt_get_str(object, "metadata.labels.team"), "a");
    json_t *v = json_object_get(object, "deep");
    for (int i = 0; i < 1000; i++)
        v = json_object_get(v, "d");
    CHECK(json_is_true(json_object_get(v, "x")));
    json_decref(object);
    json_decref(review);
}

int main(void)
{
    RUN(input_that_is_not_json_is_answered_with_an_error);
    RUN(input_without_a_review_is_answered_with_an_error);
    RUN(input_over_the_limit_is_refused);
    RUN(settings_are_given_as_configured);
    RUN(authenticate_writes_the_user_and_audiences);
    RUN(answers_echo_the_request_version);
    RUN(authenticate_refuses_what_the_api_would_not_take);
    RUN(reject_token_says_why);
    RUN(authorization_answers_mean_what_they_say);
    RUN(an_answer_for_another_review_kind_is_an_error);
    RUN(only_the_first_answer_counts);
    RUN(wgm_error_is_the_error_envelope);
    RUN(admit_carries_uid_warnings_and_annotations);
    RUN(deny_admission_sends_code_and_message);
    RUN(a_review_without_uid_cannot_be_answered);
    RUN(patch_operations_give_the_same_object_both_ways);
    RUN(removals_from_one_array_keep_their_indices);
    RUN(patch_operations_are_checked_against_the_object);
    RUN(patching_without_an_object_is_an_error);
    RUN(admit_without_operations_sends_no_patch);
    RUN(admit_mutated_sends_a_full_patch);
    RUN(deeply_nested_objects_are_patched_both_ways);
    return wgt_finish();
}
