/*
 * test_authz.c — authorization: SubjectAccessReview through a chain of modules.
 *
 * The first Allow or Deny wins, otherwise no opinion; allowed and denied together are a
 * deny with an evaluationError; a failing module denies under failurePolicy Fail and is
 * skipped under Ignore. Replies are compared whole.
 */
#include "fake_modules.h"
#include "testlib.h"

#include <string.h>

#define SAR         "authorization/sar-v1-resource.json"
#define SAR_BETA    "authorization/sar-v1beta1-resource.json"
#define ENVELOPE_V1 "\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\""

static char err[512];

static json_t *authorize(const char *fixture, const wgk8s_module *modules, size_t count)
{
    wgk8s_review *review = k8st_fixture_review(fixture);
    json_t *reply = NULL;
    if (review)
        CHECK_INT(wgk8s_authorize(review, modules, count, &reply, err, sizeof err), WGK8S_OK);
    wgk8s_review_free(review);
    return reply;
}

static fake_module allow(const char *reason)
{
    fake_module fm = {.handler = fake_authorizer, .allowed = true, .reason = reason};
    return fm;
}

static fake_module deny(const char *reason)
{
    fake_module fm = {.handler = fake_authorizer, .denied = true, .reason = reason};
    return fm;
}

static fake_module no_opinion(void)
{
    fake_module fm = {.handler = fake_authorizer};
    return fm;
}

static void allows_with_the_first_allow(void)
{
    fake_module a = no_opinion(), b = allow("developers may list pods"), c = deny(NULL);
    wgk8s_module mods[] = {fake_descriptor("audit", &a), fake_descriptor("team-rbac", &b),
                           fake_descriptor("lockdown", &c)};
    json_t *reply = authorize(SAR, mods, 3);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":true,"
                      "\"reason\":\"module \\\"team-rbac\\\": developers may list pods\"}}");
    CHECK_INT(c.calls, 0);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void denies_with_the_first_deny(void)
{
    fake_module a = deny("pods are frozen"), b = allow(NULL);
    wgk8s_module mods[] = {fake_descriptor("lockdown", &a), fake_descriptor("team-rbac", &b)};
    json_t *reply = authorize(SAR, mods, 2);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":false,\"denied\":true,"
                      "\"reason\":\"module \\\"lockdown\\\": pods are frozen\"}}");
    CHECK_INT(b.calls, 0);
    json_decref(reply);
    fake_reset(&a);
}

static void has_no_opinion_when_no_module_has_one(void)
{
    fake_module a = no_opinion(), b = no_opinion();
    wgk8s_module mods[] = {fake_descriptor("a", &a), fake_descriptor("b", &b)};
    json_t *reply = authorize(SAR, mods, 2);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":false}}");
    CHECK_INT(a.calls + b.calls, 2);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void has_no_opinion_without_modules(void)
{
    json_t *reply = authorize(SAR, NULL, 0);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":false}}");
    json_decref(reply);
}

static void treats_allowed_and_denied_together_as_a_deny_with_an_error(void)
{
    fake_module a = allow("yes");
    a.denied = true;
    fake_module b = allow(NULL);
    wgk8s_module mods[] = {fake_descriptor("confused", &a), fake_descriptor("b", &b)};
    json_t *reply = authorize(SAR, mods, 2);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":false,\"denied\":true,"
                      "\"reason\":\"module \\\"confused\\\": yes\","
                      "\"evaluationError\":\"module \\\"confused\\\": set both allowed and denied; "
                      "treated as a denial\"}}");
    CHECK_INT(b.calls, 0);
    json_decref(reply);
    fake_reset(&a);
}

static void names_the_deciding_module_when_it_gives_no_reason(void)
{
    fake_module a = allow(NULL);
    wgk8s_module mods[] = {fake_descriptor("open-door", &a)};
    json_t *reply = authorize(SAR, mods, 1);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":true,"
                      "\"reason\":\"allowed by module \\\"open-door\\\"\"}}");
    json_decref(reply);
    fake_reset(&a);
}

static void reports_the_evaluation_errors_of_modules_without_opinion(void)
{
    fake_module a = no_opinion(), b = allow(NULL);
    a.evaluation_error = "group lookup timed out";
    wgk8s_module mods[] = {fake_descriptor("ldap", &a), fake_descriptor("b", &b)};
    json_t *reply = authorize(SAR, mods, 2);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":true,"
                      "\"reason\":\"allowed by module \\\"b\\\"\","
                      "\"evaluationError\":\"module \\\"ldap\\\": group lookup timed out\"}}");
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void denies_when_a_module_with_failure_policy_fail_fails(void)
{
    fake_module a = {.fail = true, .fail_message = "trap: integer divide by zero"};
    fake_module b = allow(NULL);
    wgk8s_module mods[] = {fake_descriptor("quota", &a), fake_descriptor("open-door", &b)};
    json_t *reply = authorize(SAR, mods, 2);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":false,\"denied\":true,"
                      "\"reason\":\"module \\\"quota\\\" failed (failurePolicy Fail)\","
                      "\"evaluationError\":\"module \\\"quota\\\" failed: trap: integer divide by "
                      "zero\"}}");
    CHECK_INT(b.calls, 0);
    json_decref(reply);
    fake_reset(&a);
}

static void skips_a_failing_module_with_failure_policy_ignore(void)
{
    fake_module a = {.fail = true, .fail_message = "timeout"};
    fake_module b = allow(NULL);
    wgk8s_module mods[] = {fake_descriptor("quota", &a), fake_descriptor("open-door", &b)};
    mods[0].failure_policy = WGK8S_FAILURE_IGNORE;
    json_t *reply = authorize(SAR, mods, 2);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":true,"
                      "\"reason\":\"allowed by module \\\"open-door\\\"\","
                      "\"evaluationError\":\"module \\\"quota\\\" failed: timeout\"}}");
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void treats_an_answer_without_allowed_as_a_failure(void)
{
    fake_module a = {.output = "{\"response\":{\"apiVersion\":\"authorization.k8s.io/v1\","
                               "\"kind\":\"SubjectAccessReview\",\"status\":{\"denied\":false}}}"};
    wgk8s_module mods[] = {fake_descriptor("sloppy", &a)};
    mods[0].failure_policy = WGK8S_FAILURE_IGNORE;
    json_t *reply = authorize(SAR, mods, 1);
    CHECK_JSON(reply, "{" ENVELOPE_V1 ",\"status\":{\"allowed\":false,"
                      "\"evaluationError\":\"module \\\"sloppy\\\" failed: "
                      "response.status.allowed: missing\"}}");
    json_decref(reply);
    fake_reset(&a);
}

static void replies_in_v1beta1_to_a_v1beta1_request(void)
{
    fake_module a = allow(NULL);
    wgk8s_module mods[] = {fake_descriptor("open-door", &a)};
    json_t *reply = authorize(SAR_BETA, mods, 1);
    CHECK_JSON(reply, "{\"apiVersion\":\"authorization.k8s.io/v1beta1\","
                      "\"kind\":\"SubjectAccessReview\",\"status\":{\"allowed\":true,"
                      "\"reason\":\"allowed by module \\\"open-door\\\"\"}}");
    json_decref(reply);
    fake_reset(&a);
}

static void gives_the_module_the_v1beta1_review_as_received(void)
{
    fake_module a = no_opinion();
    wgk8s_module mods[] = {fake_descriptor("a", &a)};
    json_t *reply = authorize(SAR_BETA, mods, 1);
    json_t *in = fake_last_input(&a);
    json_t *review = wgt_fixture_json(SAR_BETA);
    CHECK_STR(a.last_entry, "authz");
    CHECK(json_equal(json_object_get(in, "request"), review));
    CHECK_JSON(wgt_get(in, "request.spec.group"), "[\"developers\",\"system:authenticated\"]");
    CHECK(json_object_get(in, "settings") == NULL);
    json_decref(review);
    json_decref(in);
    json_decref(reply);
    fake_reset(&a);
}

static void refuses_a_review_of_another_kind(void)
{
    wgk8s_review *review = k8st_fixture_review("admission/pod-create.json");
    json_t *reply = NULL;
    CHECK_INT(wgk8s_authorize(review, NULL, 0, &reply, err, sizeof err), WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "kind: expected SubjectAccessReview, got AdmissionReview");
    wgk8s_review_free(review);
}

int main(void)
{
    RUN(allows_with_the_first_allow);
    RUN(denies_with_the_first_deny);
    RUN(has_no_opinion_when_no_module_has_one);
    RUN(has_no_opinion_without_modules);
    RUN(treats_allowed_and_denied_together_as_a_deny_with_an_error);
    RUN(names_the_deciding_module_when_it_gives_no_reason);
    RUN(reports_the_evaluation_errors_of_modules_without_opinion);
    RUN(denies_when_a_module_with_failure_policy_fail_fails);
    RUN(skips_a_failing_module_with_failure_policy_ignore);
    RUN(treats_an_answer_without_allowed_as_a_failure);
    RUN(replies_in_v1beta1_to_a_v1beta1_request);
    RUN(gives_the_module_the_v1beta1_review_as_received);
    RUN(refuses_a_review_of_another_kind);
    return wgt_finish();
}
