/*
 * test_protocol.c — the Kubernetes meaning of module input and output, per protocol.
 *
 * Inputs: what a k8s-wasm module and a Kubewarden policy are given. Outputs: how each
 * answer becomes a decision, and how every kind of broken answer (not JSON, wrong shape,
 * wrong kind or version, uid mismatch, bad types, patches that cannot be honoured) is
 * reported: with the JSON path in the module's output that is wrong.
 */
#include "fake_modules.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char err[512];

#define POD       "admission/pod-create.json"
#define POD_UID   "5eed0000-0000-0000-0000-000000000001"
#define POD_BETA  "admission/pod-create-v1beta1.json"
#define CM_DELETE "admission/configmap-delete.json"
#define TOKEN     "authentication/tokenreview-v1.json"
#define SAR       "authorization/sar-v1-resource.json"

/* ---- Inputs ---- */

static json_t *input_for(wgk8s_protocol protocol, const char *fixture, const char *settings)
{
    json_t *review = wgt_fixture_json(fixture);
    size_t len;
    err[0] = '\0';
    char *text =
        review ? wgk8s_module_input(protocol, review, settings, &len, err, sizeof err) : NULL;
    json_decref(review);
    if (!text) return NULL;
    CHECK_INT(len, strlen(text));
    json_t *in = wgt_json(text);
    free(text);
    return in;
}

static void gives_k8s_wasm_modules_the_whole_review_and_the_settings(void)
{
    json_t *in = input_for(WGK8S_PROTOCOL_K8S_WASM, POD, "{\"maxReplicas\":3}");
    json_t *review = wgt_fixture_json(POD);
    CHECK(json_equal(json_object_get(in, "request"), review));
    CHECK_JSON(json_object_get(in, "settings"), "{\"maxReplicas\":3}");
    CHECK_INT(json_object_size(in), 2);
    json_decref(in);
    json_decref(review);
}

static void omits_unset_settings_for_k8s_wasm_modules(void)
{
    json_t *in = input_for(WGK8S_PROTOCOL_K8S_WASM, TOKEN, NULL);
    CHECK(json_object_get(in, "settings") == NULL);
    CHECK_STR(wgt_get_str(in, "request.spec.token"), "eyJhbGciOiJub25lIn0.bWFnaWM.c2ln");
    json_decref(in);
}

static void passes_any_json_value_as_k8s_wasm_settings(void)
{
    json_t *in = input_for(WGK8S_PROTOCOL_K8S_WASM, SAR, "[\"a\", 1]");
    CHECK_JSON(json_object_get(in, "settings"), "[\"a\",1]");
    json_decref(in);
}

static void gives_kubewarden_policies_the_inner_request_and_the_settings(void)
{
    json_t *in = input_for(WGK8S_PROTOCOL_KUBEWARDEN, POD, "{\"allowed\":[\"nginx\"]}");
    json_t *review = wgt_fixture_json(POD);
    CHECK(json_equal(json_object_get(in, "request"), json_object_get(review, "request")));
    CHECK_JSON(json_object_get(in, "settings"), "{\"allowed\":[\"nginx\"]}");
    json_decref(in);
    json_decref(review);
}

static void gives_kubewarden_policies_empty_settings_when_unset(void)
{
    json_t *in = input_for(WGK8S_PROTOCOL_KUBEWARDEN, POD, NULL);
    CHECK_JSON(json_object_get(in, "settings"), "{}");
    json_decref(in);
}

static void refuses_kubewarden_settings_that_are_not_an_object(void)
{
    CHECK(input_for(WGK8S_PROTOCOL_KUBEWARDEN, POD, "[1]") == NULL);
    CHECK_STR(err, "settings: a Kubewarden policy's settings must be a JSON object, got array");
}

static void refuses_kubewarden_input_for_a_token_review(void)
{
    CHECK(input_for(WGK8S_PROTOCOL_KUBEWARDEN, TOKEN, NULL) == NULL);
    CHECK_STR(err, "the kubewarden protocol evaluates admission reviews only");
}

static void refuses_settings_that_are_not_json(void)
{
    CHECK(input_for(WGK8S_PROTOCOL_K8S_WASM, POD, "{maxReplicas: 3}") == NULL);
    CHECK_CONTAINS(err, "settings: not JSON: ");
}

static void names_the_export_for_each_review_kind(void)
{
    CHECK_STR(wgk8s_entry_name(WGK8S_TOKEN_REVIEW), "authn");
    CHECK_STR(wgk8s_entry_name(WGK8S_SUBJECT_ACCESS_REVIEW), "authz");
    CHECK_STR(wgk8s_entry_name(WGK8S_ADMISSION_REVIEW), "validate");
}

/* ---- Authentication outputs ---- */

#define TR_RESPONSE(status)                                                                \
    "{\"response\":{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\"," \
    "\"status\":" status "}}"

static wgk8s_status authn(const char *output, wgk8s_authn_decision *d)
{
    json_t *review = wgt_fixture_json(TOKEN);
    err[0] = '\0';
    wgk8s_status st = wgk8s_authn_interpret(WGK8S_PROTOCOL_K8S_WASM, review, output,
                                            output ? strlen(output) : 0, d, err, sizeof err);
    json_decref(review);
    return st;
}

static void expect_authn_error(const char *output, const char *message)
{
    wgk8s_authn_decision d;
    CHECK_INT(authn(output, &d), WGK8S_ERR_MODULE);
    CHECK_STR(err, message);
    CHECK(d.user == NULL && d.error == NULL && !d.authenticated);
}

static void reads_an_authenticated_user(void)
{
    wgk8s_authn_decision d;
    CHECK_INT(authn(TR_RESPONSE("{\"authenticated\":true,\"user\":{\"username\":\"jane\","
                                "\"uid\":\"\",\"groups\":[\"dev\"],\"extra\":{\"k\":[\"v\"]}},"
                                "\"audiences\":[\"api\"]}"),
                    &d),
              WGK8S_OK);
    CHECK(d.authenticated);
    /* An empty uid is dropped, as omitempty would. */
    CHECK_JSON(d.user, "{\"username\":\"jane\",\"groups\":[\"dev\"],\"extra\":{\"k\":[\"v\"]}}");
    CHECK_JSON(d.audiences, "[\"api\"]");
    CHECK(d.error == NULL);
    wgk8s_authn_decision_clear(&d);
}

static void reads_a_missing_authenticated_as_false(void)
{
    wgk8s_authn_decision d;
    CHECK_INT(authn(TR_RESPONSE("{\"error\":\"token expired\"}"), &d), WGK8S_OK);
    CHECK(!d.authenticated);
    CHECK_STR(d.error, "token expired");
    wgk8s_authn_decision_clear(&d);
}

static void accepts_a_v1beta1_answer_to_a_v1_token_review(void)
{
    wgk8s_authn_decision d;
    CHECK_INT(authn("{\"response\":{\"apiVersion\":\"authentication.k8s.io/v1beta1\","
                    "\"kind\":\"TokenReview\",\"status\":{\"authenticated\":false}}}",
                    &d),
              WGK8S_OK);
    wgk8s_authn_decision_clear(&d);
}

static void rejects_authentication_without_a_user(void)
{
    expect_authn_error(TR_RESPONSE("{\"authenticated\":true}"),
                       "authenticated without a user: response.status.user: missing");
}

static void rejects_authentication_with_an_empty_username(void)
{
    expect_authn_error(TR_RESPONSE("{\"authenticated\":true,\"user\":{\"username\":\"\"}}"),
                       "authenticated without a user: response.status.user.username: must not be "
                       "empty");
}

static void rejects_user_extra_that_is_not_a_map_of_string_arrays(void)
{
    expect_authn_error(TR_RESPONSE("{\"authenticated\":true,\"user\":{\"username\":\"jane\","
                                   "\"extra\":{\"scopes\":\"openid\"}}}"),
                       "response.status.user.extra.scopes: must be an array of strings, got "
                       "string");
    expect_authn_error(TR_RESPONSE("{\"authenticated\":true,\"user\":{\"username\":\"jane\","
                                   "\"extra\":{\"scopes\":[\"openid\",{}]}}}"),
                       "response.status.user.extra.scopes[1]: must be a string, got object");
    expect_authn_error(TR_RESPONSE("{\"authenticated\":true,\"user\":{\"username\":\"jane\","
                                   "\"extra\":[\"openid\"]}}"),
                       "response.status.user.extra: must be an object of string arrays, got "
                       "array");
}

static void rejects_a_non_boolean_authenticated(void)
{
    expect_authn_error(TR_RESPONSE("{\"authenticated\":\"yes\"}"),
                       "response.status.authenticated: must be a boolean, got string");
}

static void rejects_a_token_review_without_status(void)
{
    expect_authn_error("{\"response\":{\"apiVersion\":\"authentication.k8s.io/v1\","
                       "\"kind\":\"TokenReview\"}}",
                       "response.status: missing");
}

static void rejects_an_answer_of_the_wrong_kind(void)
{
    expect_authn_error("{\"response\":{\"apiVersion\":\"authorization.k8s.io/v1\","
                       "\"kind\":\"SubjectAccessReview\",\"status\":{\"allowed\":true}}}",
                       "response.kind: expected TokenReview, got \"SubjectAccessReview\"");
}

static void rejects_an_answer_of_another_api_group(void)
{
    expect_authn_error("{\"response\":{\"apiVersion\":\"authentication.k8s.io/v2\","
                       "\"kind\":\"TokenReview\",\"status\":{}}}",
                       "response.apiVersion: expected authentication.k8s.io/v1 or "
                       "authentication.k8s.io/v1beta1, got \"authentication.k8s.io/v2\"");
}

static void rejects_output_that_is_not_json(void)
{
    wgk8s_authn_decision d;
    CHECK_INT(authn("{\"response\": tru", &d), WGK8S_ERR_MODULE);
    CHECK_CONTAINS(err, "output is not JSON: ");
}

static void rejects_empty_output(void)
{
    expect_authn_error("", "empty output");
    expect_authn_error(NULL, "empty output");
}

static void rejects_output_that_is_not_an_object(void)
{
    expect_authn_error("[]", "output must be a JSON object, got array");
}

static void rejects_output_with_both_response_and_error(void)
{
    expect_authn_error("{\"response\":{},\"error\":\"x\"}",
                       "output has both \"response\" and \"error\" (want exactly one)");
}

static void rejects_output_with_neither_response_nor_error(void)
{
    expect_authn_error("{\"result\":{}}", "output has neither \"response\" nor \"error\"");
}

static void reports_an_error_the_module_returned(void)
{
    expect_authn_error("{\"error\":\"cannot reach the token database\"}",
                       "module reported an error: cannot reach the token database");
}

static void rejects_an_empty_error(void)
{
    expect_authn_error("{\"error\":\"\"}", "module reported an empty error");
}

static void rejects_duplicate_keys_in_output(void)
{
    wgk8s_authn_decision d;
    CHECK_INT(authn("{\"error\":\"a\",\"error\":\"b\"}", &d), WGK8S_ERR_MODULE);
    CHECK_CONTAINS(err, "duplicate");
}

static void refuses_kubewarden_for_authentication(void)
{
    json_t *review = wgt_fixture_json(TOKEN);
    wgk8s_authn_decision d;
    const char *out = "{\"accepted\":true}";
    CHECK_INT(wgk8s_authn_interpret(WGK8S_PROTOCOL_KUBEWARDEN, review, out, strlen(out), &d, err,
                                    sizeof err),
              WGK8S_ERR_MODULE);
    CHECK_STR(err, "the kubewarden protocol evaluates admission reviews only");
    json_decref(review);
}

/* ---- Authorization outputs ---- */

#define SAR_RESPONSE(status)                                     \
    "{\"response\":{\"apiVersion\":\"authorization.k8s.io/v1\"," \
    "\"kind\":\"SubjectAccessReview\",\"status\":" status "}}"

static wgk8s_status authz(const char *output, wgk8s_authz_decision *d)
{
    json_t *review = wgt_fixture_json(SAR);
    err[0] = '\0';
    wgk8s_status st = wgk8s_authz_interpret(WGK8S_PROTOCOL_K8S_WASM, review, output, strlen(output),
                                            d, err, sizeof err);
    json_decref(review);
    return st;
}

static void reads_an_authorization_decision(void)
{
    wgk8s_authz_decision d;
    CHECK_INT(authz(SAR_RESPONSE("{\"allowed\":false,\"denied\":true,\"reason\":\"no\","
                                 "\"evaluationError\":\"partial\"}"),
                    &d),
              WGK8S_OK);
    CHECK(!d.allowed);
    CHECK(d.denied);
    CHECK_STR(d.reason, "no");
    CHECK_STR(d.evaluation_error, "partial");
    wgk8s_authz_decision_clear(&d);
}

static void requires_allowed_in_an_authorization_answer(void)
{
    wgk8s_authz_decision d;
    CHECK_INT(authz(SAR_RESPONSE("{\"denied\":true}"), &d), WGK8S_ERR_MODULE);
    CHECK_STR(err, "response.status.allowed: missing");
}

static void rejects_a_non_boolean_allowed_in_authorization(void)
{
    wgk8s_authz_decision d;
    CHECK_INT(authz(SAR_RESPONSE("{\"allowed\":1}"), &d), WGK8S_ERR_MODULE);
    CHECK_STR(err, "response.status.allowed: must be a boolean, got number");
}

/* ---- Admission outputs (k8s-wasm) ---- */

#define AR_RESPONSE(response)                                                             \
    "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"," \
    "\"response\":" response "}}"

static wgk8s_status admission_from(wgk8s_protocol protocol, const char *fixture, bool mutating,
                                   const char *output, wgk8s_admission_decision *d)
{
    json_t *review = wgt_fixture_json(fixture);
    err[0] = '\0';
    wgk8s_status st = wgk8s_admission_interpret(protocol, review, mutating, output, strlen(output),
                                                d, err, sizeof err);
    json_decref(review);
    return st;
}

/* Runs a fake admission module's handler on a fixture and interprets its output. */
static wgk8s_status fake_admission_from(fake_module *fm, wgk8s_protocol protocol,
                                        const char *fixture, bool mutating,
                                        wgk8s_admission_decision *d)
{
    json_t *review = wgt_fixture_json(fixture);
    size_t len;
    char *in = wgk8s_module_input(protocol, review, NULL, &len, err, sizeof err);
    json_t *input = wgt_json(in);
    char *out = protocol == WGK8S_PROTOCOL_KUBEWARDEN ? fake_kubewarden(fm, input)
                                                      : fake_admission(fm, input);
    wgk8s_status st =
        wgk8s_admission_interpret(protocol, review, mutating, out, strlen(out), d, err, sizeof err);
    free(in);
    free(out);
    json_decref(input);
    json_decref(review);
    return st;
}

static void expect_admission_error(const char *fixture, bool mutating, const char *output,
                                   const char *message)
{
    wgk8s_admission_decision d;
    CHECK_INT(admission_from(WGK8S_PROTOCOL_K8S_WASM, fixture, mutating, output, &d),
              WGK8S_ERR_MODULE);
    CHECK_STR(err, message);
    CHECK(d.mutated_object == NULL && d.message == NULL && d.warnings == NULL);
}

static void reads_an_admission_allowance_with_warnings_and_annotations(void)
{
    fake_module fm = {.allowed = true,
                      .warning = "image tag is not pinned",
                      .annotation_key = "policy",
                      .annotation_value = "checked"};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_K8S_WASM, POD, false, &d), WGK8S_OK);
    CHECK(d.allowed);
    CHECK_INT(d.code, 0);
    CHECK(d.message == NULL && d.reason == NULL && d.mutated_object == NULL);
    CHECK_JSON(d.warnings, "[\"image tag is not pinned\"]");
    CHECK_JSON(d.audit_annotations, "{\"policy\":\"checked\"}");
    wgk8s_admission_decision_clear(&d);
}

static void reads_an_admission_denial_with_its_status(void)
{
    fake_module fm = {
        .allowed = false, .code = 422, .message = "no privileged pods", .reason = "Invalid"};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_K8S_WASM, POD, false, &d), WGK8S_OK);
    CHECK(!d.allowed);
    CHECK_INT(d.code, 422);
    CHECK_STR(d.message, "no privileged pods");
    CHECK_STR(d.reason, "Invalid");
    wgk8s_admission_decision_clear(&d);
}

static void turns_a_full_patch_into_the_mutated_object(void)
{
    fake_module fm = {.allowed = true,
                      .patch_type = "Full",
                      .label_key = "app.kubernetes.io/name",
                      .label_value = "web"};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_K8S_WASM, POD, true, &d), WGK8S_OK);
    CHECK_STR(wgt_get_str(d.mutated_object, "metadata.labels.app"), "nginx");
    CHECK_JSON(
        json_object_get(wgt_get(d.mutated_object, "metadata.labels"), "app.kubernetes.io/name"),
        "\"web\"");
    wgk8s_admission_decision_clear(&d);
}

static void applies_a_json_patch_to_get_the_mutated_object(void)
{
    fake_module fm = {
        .allowed = true, .patch_type = "JSONPatch", .label_key = "team~a/b", .label_value = "x"};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_K8S_WASM, POD, true, &d), WGK8S_OK);
    json_t *review = wgt_fixture_json(POD);
    json_t *object = json_deep_copy(wgt_get(review, "request.object"));
    json_object_set_new(wgt_get(object, "metadata.labels"), "team~a/b", json_string("x"));
    CHECK(json_equal(d.mutated_object, object));
    json_decref(object);
    json_decref(review);
    wgk8s_admission_decision_clear(&d);
}

static void accepts_a_v1_answer_to_a_v1beta1_admission_review(void)
{
    fake_module fm = {.allowed = true};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_K8S_WASM, POD_BETA, false, &d), WGK8S_OK);
    CHECK(d.allowed);
    wgk8s_admission_decision_clear(&d);
}

static void rejects_a_uid_mismatch(void)
{
    expect_admission_error(POD, false, AR_RESPONSE("{\"uid\":\"other\",\"allowed\":true}"),
                           "response.response.uid: \"other\" does not match the request uid "
                           "\"" POD_UID "\"");
}

static void rejects_a_missing_uid(void)
{
    expect_admission_error(POD, false, AR_RESPONSE("{\"allowed\":true}"),
                           "response.response.uid: missing");
}

static void rejects_an_admission_review_without_response(void)
{
    expect_admission_error(POD, false,
                           "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\","
                           "\"kind\":\"AdmissionReview\"}}",
                           "response.response: missing");
}

static void rejects_a_non_boolean_allowed_in_admission(void)
{
    expect_admission_error(POD, false,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":\"true\"}"),
                           "response.response.allowed: must be a boolean, got string");
}

static void rejects_a_patch_from_a_validating_module(void)
{
    expect_admission_error(POD, false,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                                       "\"patch\":\"W10=\",\"patchType\":\"JSONPatch\"}"),
                           "response.response.patch: the module is not mutating but returned a "
                           "patch");
}

static void rejects_a_patch_without_patch_type(void)
{
    expect_admission_error(POD, true,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                                       "\"patch\":\"W10=\"}"),
                           "response.response.patch: set without patchType (want both or "
                           "neither)");
}

static void rejects_a_patch_type_without_patch(void)
{
    expect_admission_error(POD, true,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                                       "\"patchType\":\"JSONPatch\"}"),
                           "response.response.patchType: set without patch (want both or "
                           "neither)");
}

static void rejects_an_unknown_patch_type(void)
{
    expect_admission_error(POD, true,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                                       "\"patch\":\"W10=\",\"patchType\":\"MergePatch\"}"),
                           "response.response.patchType: must be \"JSONPatch\" or \"Full\", got "
                           "\"MergePatch\"");
}

static void rejects_a_patch_that_is_not_base64(void)
{
    expect_admission_error(POD, true,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                                       "\"patch\":\"[{}]\",\"patchType\":\"JSONPatch\"}"),
                           "response.response.patch: invalid base64: character '[' at offset 0");
}

static void rejects_an_empty_patch(void)
{
    expect_admission_error(POD, true,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                                       "\"patch\":\"\",\"patchType\":\"Full\"}"),
                           "response.response.patch: empty");
}

static void rejects_a_json_patch_that_does_not_apply(void)
{
    /* base64 of [{"op":"remove","path":"/spec/nodeName"}] */
    char *b64 = wgk8s_base64_encode("[{\"op\":\"remove\",\"path\":\"/spec/nodeName\"}]", 41, NULL);
    char out[512];
    snprintf(out, sizeof out,
             AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,\"patch\":\"%s\","
                         "\"patchType\":\"JSONPatch\"}"),
             b64);
    free(b64);
    expect_admission_error(POD, true, out,
                           "response.response.patch: the JSON Patch does not apply to "
                           "request.object: patch[0] (remove /spec/nodeName): /spec/nodeName "
                           "does not exist (no member \"nodeName\")");
}

static void rejects_a_full_patch_that_is_not_an_object(void)
{
    char *b64 = wgk8s_base64_encode("[1]", 3, NULL);
    char out[512];
    snprintf(out, sizeof out,
             AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,\"patch\":\"%s\","
                         "\"patchType\":\"Full\"}"),
             b64);
    free(b64);
    expect_admission_error(POD, true, out,
                           "response.response.patch: the mutated object must be a JSON object, "
                           "got array");
}

static void rejects_a_full_patch_that_is_not_json(void)
{
    char *b64 = wgk8s_base64_encode("{oops", 5, NULL);
    char out[512];
    snprintf(out, sizeof out,
             AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,\"patch\":\"%s\","
                         "\"patchType\":\"Full\"}"),
             b64);
    free(b64);
    wgk8s_admission_decision d;
    CHECK_INT(admission_from(WGK8S_PROTOCOL_K8S_WASM, POD, true, out, &d), WGK8S_ERR_MODULE);
    CHECK_CONTAINS(err, "response.response.patch: the decoded Full patch is not JSON: ");
}

static void rejects_a_mutation_of_a_delete(void)
{
    fake_module fm = {.allowed = true, .patch_type = "Full", .label_key = "a", .label_value = "b"};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_K8S_WASM, CM_DELETE, true, &d),
              WGK8S_ERR_MODULE);
    CHECK_STR(err, "response.response.patch: a DELETE request has no object to mutate");
}

static void ignores_the_patch_of_a_denial(void)
{
    fake_module fm = {.allowed = false,
                      .patch_type = "Full",
                      .label_key = "a",
                      .label_value = "b",
                      .message = "no"};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_K8S_WASM, POD, true, &d), WGK8S_OK);
    CHECK(!d.allowed);
    CHECK(d.mutated_object == NULL);
    wgk8s_admission_decision_clear(&d);
}

static void rejects_a_status_code_that_is_not_http(void)
{
    expect_admission_error(POD, false,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":false,"
                                       "\"status\":{\"code\":7}}"),
                           "response.response.status.code: must be an HTTP status code (100-599), "
                           "got 7");
}

static void rejects_warnings_that_are_not_strings(void)
{
    expect_admission_error(POD, false,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                                       "\"warnings\":[\"ok\",3]}"),
                           "response.response.warnings[1]: must be a string, got number");
}

static void rejects_audit_annotations_that_are_not_strings(void)
{
    expect_admission_error(POD, false,
                           AR_RESPONSE("{\"uid\":\"" POD_UID "\",\"allowed\":true,"
                                       "\"auditAnnotations\":{\"checked-by\":true}}"),
                           "response.response.auditAnnotations.checked-by: must be a string, got "
                           "boolean");
}

/* ---- Admission outputs (Kubewarden) ---- */

static void expect_kubewarden_error(const char *fixture, bool mutating, const char *output,
                                    const char *message)
{
    wgk8s_admission_decision d;
    CHECK_INT(admission_from(WGK8S_PROTOCOL_KUBEWARDEN, fixture, mutating, output, &d),
              WGK8S_ERR_MODULE);
    CHECK_STR(err, message);
}

static void maps_a_kubewarden_acceptance(void)
{
    fake_module fm = {.allowed = true,
                      .warning = "deprecated field",
                      .annotation_key = "kw",
                      .annotation_value = "1"};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_KUBEWARDEN, POD, false, &d), WGK8S_OK);
    CHECK(d.allowed);
    CHECK_JSON(d.warnings, "[\"deprecated field\"]");
    CHECK_JSON(d.audit_annotations, "{\"kw\":\"1\"}");
    CHECK(d.mutated_object == NULL);
    wgk8s_admission_decision_clear(&d);
}

static void maps_a_kubewarden_rejection_with_message_and_code(void)
{
    fake_module fm = {
        .allowed = false, .message = "privileged containers are not allowed", .code = 403};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_KUBEWARDEN, POD, false, &d), WGK8S_OK);
    CHECK(!d.allowed);
    CHECK_INT(d.code, 403);
    CHECK_STR(d.message, "privileged containers are not allowed");
    CHECK(d.reason == NULL);
    wgk8s_admission_decision_clear(&d);
}

static void takes_a_kubewarden_mutated_object(void)
{
    fake_module fm = {
        .allowed = true, .kubewarden_mutate = true, .label_key = "injected", .label_value = "yes"};
    wgk8s_admission_decision d;
    CHECK_INT(fake_admission_from(&fm, WGK8S_PROTOCOL_KUBEWARDEN, POD, true, &d), WGK8S_OK);
    CHECK_STR(wgt_get_str(d.mutated_object, "metadata.labels.injected"), "yes");
    wgk8s_admission_decision_clear(&d);
}

static void rejects_a_mutated_object_from_a_non_mutating_policy(void)
{
    expect_kubewarden_error(POD, false, "{\"accepted\":true,\"mutated_object\":{}}",
                            "mutated_object: the policy is not mutating but returned a mutated "
                            "object");
}

static void rejects_a_kubewarden_mutation_of_a_delete(void)
{
    expect_kubewarden_error(CM_DELETE, true, "{\"accepted\":true,\"mutated_object\":{}}",
                            "mutated_object: a DELETE request has no object to mutate");
}

static void rejects_a_mutated_object_that_is_not_an_object(void)
{
    expect_kubewarden_error(POD, true, "{\"accepted\":true,\"mutated_object\":\"pod\"}",
                            "mutated_object: must be an object, got string");
}

static void requires_accepted_from_kubewarden(void)
{
    expect_kubewarden_error(POD, false, "{\"message\":\"hi\"}", "accepted: missing");
}

static void rejects_a_kubewarden_code_that_is_not_an_integer(void)
{
    expect_kubewarden_error(POD, false, "{\"accepted\":false,\"code\":\"403\"}",
                            "code: must be an integer, got string");
}

static void treats_kubewarden_nulls_as_absent(void)
{
    wgk8s_admission_decision d;
    CHECK_INT(admission_from(WGK8S_PROTOCOL_KUBEWARDEN, POD, false,
                             "{\"accepted\":true,\"message\":null,\"code\":null,"
                             "\"mutated_object\":null,\"warnings\":null}",
                             &d),
              WGK8S_OK);
    CHECK(d.allowed && !d.message && !d.code && !d.mutated_object && !d.warnings);
    wgk8s_admission_decision_clear(&d);
}

int main(void)
{
    RUN(gives_k8s_wasm_modules_the_whole_review_and_the_settings);
    RUN(omits_unset_settings_for_k8s_wasm_modules);
    RUN(passes_any_json_value_as_k8s_wasm_settings);
    RUN(gives_kubewarden_policies_the_inner_request_and_the_settings);
    RUN(gives_kubewarden_policies_empty_settings_when_unset);
    RUN(refuses_kubewarden_settings_that_are_not_an_object);
    RUN(refuses_kubewarden_input_for_a_token_review);
    RUN(refuses_settings_that_are_not_json);
    RUN(names_the_export_for_each_review_kind);
    RUN(reads_an_authenticated_user);
    RUN(reads_a_missing_authenticated_as_false);
    RUN(accepts_a_v1beta1_answer_to_a_v1_token_review);
    RUN(rejects_authentication_without_a_user);
    RUN(rejects_authentication_with_an_empty_username);
    RUN(rejects_user_extra_that_is_not_a_map_of_string_arrays);
    RUN(rejects_a_non_boolean_authenticated);
    RUN(rejects_a_token_review_without_status);
    RUN(rejects_an_answer_of_the_wrong_kind);
    RUN(rejects_an_answer_of_another_api_group);
    RUN(rejects_output_that_is_not_json);
    RUN(rejects_empty_output);
    RUN(rejects_output_that_is_not_an_object);
    RUN(rejects_output_with_both_response_and_error);
    RUN(rejects_output_with_neither_response_nor_error);
    RUN(reports_an_error_the_module_returned);
    RUN(rejects_an_empty_error);
    RUN(rejects_duplicate_keys_in_output);
    RUN(refuses_kubewarden_for_authentication);
    RUN(reads_an_authorization_decision);
    RUN(requires_allowed_in_an_authorization_answer);
    RUN(rejects_a_non_boolean_allowed_in_authorization);
    RUN(reads_an_admission_allowance_with_warnings_and_annotations);
    RUN(reads_an_admission_denial_with_its_status);
    RUN(turns_a_full_patch_into_the_mutated_object);
    RUN(applies_a_json_patch_to_get_the_mutated_object);
    RUN(accepts_a_v1_answer_to_a_v1beta1_admission_review);
    RUN(rejects_a_uid_mismatch);
    RUN(rejects_a_missing_uid);
    RUN(rejects_an_admission_review_without_response);
    RUN(rejects_a_non_boolean_allowed_in_admission);
    RUN(rejects_a_patch_from_a_validating_module);
    RUN(rejects_a_patch_without_patch_type);
    RUN(rejects_a_patch_type_without_patch);
    RUN(rejects_an_unknown_patch_type);
    RUN(rejects_a_patch_that_is_not_base64);
    RUN(rejects_an_empty_patch);
    RUN(rejects_a_json_patch_that_does_not_apply);
    RUN(rejects_a_full_patch_that_is_not_an_object);
    RUN(rejects_a_full_patch_that_is_not_json);
    RUN(rejects_a_mutation_of_a_delete);
    RUN(ignores_the_patch_of_a_denial);
    RUN(rejects_a_status_code_that_is_not_http);
    RUN(rejects_warnings_that_are_not_strings);
    RUN(rejects_audit_annotations_that_are_not_strings);
    RUN(maps_a_kubewarden_acceptance);
    RUN(maps_a_kubewarden_rejection_with_message_and_code);
    RUN(takes_a_kubewarden_mutated_object);
    RUN(rejects_a_mutated_object_from_a_non_mutating_policy);
    RUN(rejects_a_kubewarden_mutation_of_a_delete);
    RUN(rejects_a_mutated_object_that_is_not_an_object);
    RUN(requires_accepted_from_kubewarden);
    RUN(rejects_a_kubewarden_code_that_is_not_an_integer);
    RUN(treats_kubewarden_nulls_as_absent);
    return wgt_finish();
}
