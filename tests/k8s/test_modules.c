/*
 * test_modules.c — checking module descriptors before they are used in a chain.
 */
#include "fake_modules.h"
#include "testlib.h"

static char err[512];

static fake_module fm;

static void accepts_a_complete_admission_module(void)
{
    wgk8s_module m = fake_descriptor("no-privileged", &fm);
    m.protocol = WGK8S_PROTOCOL_KUBEWARDEN;
    m.mutating = true;
    m.failure_policy = WGK8S_FAILURE_IGNORE;
    m.settings_json = "{\"allowed\":[]}";
    CHECK(wgk8s_module_check(&m, WGK8S_ADMISSION_REVIEW, err, sizeof err));
}

static void requires_a_name(void)
{
    wgk8s_module m = fake_descriptor("", &fm);
    CHECK(!wgk8s_module_check(&m, WGK8S_ADMISSION_REVIEW, err, sizeof err));
    CHECK_STR(err, "module: missing name");
}

static void requires_a_call_function(void)
{
    wgk8s_module m = fake_descriptor("x", &fm);
    m.call = NULL;
    CHECK(!wgk8s_module_check(&m, WGK8S_TOKEN_REVIEW, err, sizeof err));
    CHECK_STR(err, "module \"x\": no call function");
}

static void refuses_kubewarden_outside_admission(void)
{
    wgk8s_module m = fake_descriptor("kw", &fm);
    m.protocol = WGK8S_PROTOCOL_KUBEWARDEN;
    CHECK(!wgk8s_module_check(&m, WGK8S_SUBJECT_ACCESS_REVIEW, err, sizeof err));
    CHECK_STR(err, "module \"kw\": the kubewarden protocol evaluates admission reviews only, not "
                   "SubjectAccessReview");
}

static void refuses_a_mutating_authentication_module(void)
{
    wgk8s_module m = fake_descriptor("tokens", &fm);
    m.mutating = true;
    CHECK(!wgk8s_module_check(&m, WGK8S_TOKEN_REVIEW, err, sizeof err));
    CHECK_STR(err, "module \"tokens\": only admission modules can be mutating, not TokenReview");
}

static void refuses_rules_outside_admission(void)
{
    json_t *rules_json = wgt_json("[]");
    wgk8s_rules *rules = wgk8s_rules_parse(rules_json, err, sizeof err);
    wgk8s_module m = fake_descriptor("rbac", &fm);
    m.rules = rules;
    CHECK(!wgk8s_module_check(&m, WGK8S_SUBJECT_ACCESS_REVIEW, err, sizeof err));
    CHECK_STR(err, "module \"rbac\": rules apply to admission modules only, not "
                   "SubjectAccessReview");
    wgk8s_rules_free(rules);
    json_decref(rules_json);
}

static void refuses_settings_that_are_not_json(void)
{
    wgk8s_module m = fake_descriptor("x", &fm);
    m.settings_json = "{\"a\":";
    CHECK(!wgk8s_module_check(&m, WGK8S_ADMISSION_REVIEW, err, sizeof err));
    CHECK_CONTAINS(err, "module \"x\": settings: not JSON: ");
}

static void refuses_kubewarden_settings_that_are_not_an_object(void)
{
    wgk8s_module m = fake_descriptor("kw", &fm);
    m.protocol = WGK8S_PROTOCOL_KUBEWARDEN;
    m.settings_json = "true";
    CHECK(!wgk8s_module_check(&m, WGK8S_ADMISSION_REVIEW, err, sizeof err));
    CHECK_STR(err, "module \"kw\": settings: a Kubewarden policy's settings must be a JSON "
                   "object, got boolean");
}

static void accepts_any_json_settings_for_k8s_wasm(void)
{
    wgk8s_module m = fake_descriptor("x", &fm);
    m.settings_json = "\"just a string\"";
    CHECK(wgk8s_module_check(&m, WGK8S_TOKEN_REVIEW, err, sizeof err));
}

static void refuses_an_unknown_failure_policy(void)
{
    wgk8s_module m = fake_descriptor("x", &fm);
    m.failure_policy = (wgk8s_failure_policy)7;
    CHECK(!wgk8s_module_check(&m, WGK8S_ADMISSION_REVIEW, err, sizeof err));
    CHECK_STR(err, "module \"x\": unknown failure policy 7");
}

int main(void)
{
    RUN(accepts_a_complete_admission_module);
    RUN(requires_a_name);
    RUN(requires_a_call_function);
    RUN(refuses_kubewarden_outside_admission);
    RUN(refuses_a_mutating_authentication_module);
    RUN(refuses_rules_outside_admission);
    RUN(refuses_settings_that_are_not_json);
    RUN(refuses_kubewarden_settings_that_are_not_an_object);
    RUN(accepts_any_json_settings_for_k8s_wasm);
    RUN(refuses_an_unknown_failure_policy);
    return wgt_finish();
}
