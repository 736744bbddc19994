/*
 * test_authn.c — authentication: TokenReview through a chain of modules.
 *
 * Modules are tried in order and the first that authenticates the token for the requested
 * audiences wins; a failing module is skipped and its error reported in status.error when
 * nobody authenticates. Replies are checked field by field (whole-value comparisons).
 */
#include "fake_modules.h"
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_V1    "authentication/tokenreview-v1.json" /* audiences: kubernetes.default.svc */
#define TOKEN_BETA  "authentication/tokenreview-v1beta1.json"
#define TOKEN_NOAUD "authentication/tokenreview-v1-noaudience.json" /* token: magic-token */
#define JWT         "eyJhbGciOiJub25lIn0.bWFnaWM.c2ln"
#define API_AUD     "https://kubernetes.default.svc"

#define JANE                                                                                \
    "{\"username\":\"jane@example.com\",\"uid\":\"4f5a-1b2c\",\"groups\":[\"developers\"]," \
    "\"extra\":{\"scopes\":[\"openid\",\"email\"]}}"
#define BOB "{\"username\":\"bob\"}"

static const fake_token jane_table[] = {
    {JWT, JANE, "[\"" API_AUD "\",\"https://vault.example.com\"]"}, {NULL, NULL, NULL}};
static const fake_token bob_table[] = {
    {JWT, BOB, NULL}, {"magic-token", BOB, NULL}, {NULL, NULL, NULL}};
static const fake_token other_audience_table[] = {{JWT, JANE, "[\"https://vault.example.com\"]"},
                                                  {NULL, NULL, NULL}};
static const fake_token magic_with_audience[] = {{"magic-token", BOB, "[\"https://x.example\"]"},
                                                 {NULL, NULL, NULL}};
static const fake_token nobody[] = {{NULL, NULL, NULL}};

static char err[512];

/* Runs the chain on a fixture and returns the reply (new reference) or NULL. */
static json_t *authenticate(const char *fixture, const wgk8s_module *modules, size_t count)
{
    wgk8s_review *review = k8st_fixture_review(fixture);
    json_t *reply = NULL;
    if (review)
        CHECK_INT(wgk8s_authenticate(review, modules, count, &reply, err, sizeof err), WGK8S_OK);
    wgk8s_review_free(review);
    return reply;
}

static fake_module token_module(const fake_token *table)
{
    fake_module fm = {.handler = fake_token_authn, .tokens = table};
    return fm;
}

static void authenticates_with_the_first_module_that_knows_the_token(void)
{
    fake_module a = token_module(nobody), b = token_module(jane_table);
    wgk8s_module mods[] = {fake_descriptor("static", &a), fake_descriptor("oidc", &b)};
    json_t *reply = authenticate(TOKEN_V1, mods, 2);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":true,\"user\":" JANE ","
                      "\"audiences\":[\"" API_AUD "\"]}}");
    CHECK_INT(a.calls, 1);
    CHECK_INT(b.calls, 1);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void stops_at_the_first_module_that_authenticates(void)
{
    fake_module a = token_module(bob_table), b = token_module(jane_table);
    wgk8s_module mods[] = {fake_descriptor("a", &a), fake_descriptor("b", &b)};
    json_t *reply = authenticate(TOKEN_V1, mods, 2);
    CHECK_STR(wgt_get_str(reply, "status.user.username"), "bob");
    CHECK_INT(b.calls, 0);
    json_decref(reply);
    fake_reset(&a);
}

static void reports_every_modules_error_when_nobody_authenticates(void)
{
    fake_module a = token_module(nobody), b = token_module(nobody);
    a.status_error = "unknown token";
    b.status_error = "token expired";
    wgk8s_module mods[] = {fake_descriptor("static", &a), fake_descriptor("oidc", &b)};
    json_t *reply = authenticate(TOKEN_V1, mods, 2);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":false,\"error\":\"module \\\"static\\\": "
                      "unknown token; module \\\"oidc\\\": token expired\"}}");
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void replies_not_authenticated_without_error_when_no_module_says_why(void)
{
    fake_module a = token_module(nobody);
    wgk8s_module mods[] = {fake_descriptor("static", &a)};
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":false}}");
    json_decref(reply);
    fake_reset(&a);
}

static void replies_not_authenticated_without_modules(void)
{
    json_t *reply = authenticate(TOKEN_V1, NULL, 0);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":false}}");
    json_decref(reply);
}

/* ---- Audiences ---- */

static void replies_with_the_requested_audiences_the_token_is_valid_for(void)
{
    fake_module a = token_module(jane_table); /* valid for API_AUD and vault */
    wgk8s_module mods[] = {fake_descriptor("oidc", &a)};
    json_t *reply = authenticate(TOKEN_V1, mods, 1); /* requests API_AUD */
    CHECK_JSON(wgt_get(reply, "status.audiences"), "[\"" API_AUD "\"]");
    json_decref(reply);
    fake_reset(&a);
}

static void keeps_the_request_order_of_audiences_without_duplicates(void)
{
    static const fake_token table[] = {{JWT, BOB, "[\"c\",\"a\",\"x\"]"}, {NULL, NULL, NULL}};
    fake_module a = token_module(table);
    wgk8s_module mods[] = {fake_descriptor("oidc", &a)};
    json_t *body =
        wgt_json("{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                 "\"spec\":{\"token\":\"" JWT "\",\"audiences\":[\"a\",\"b\",\"c\",\"a\"]}}");
    wgk8s_review *review = k8st_review_from(body);
    json_t *reply = NULL;
    CHECK_INT(wgk8s_authenticate(review, mods, 1, &reply, err, sizeof err), WGK8S_OK);
    CHECK_JSON(wgt_get(reply, "status.audiences"), "[\"a\",\"c\"]");
    json_decref(reply);
    wgk8s_review_free(review);
    json_decref(body);
    fake_reset(&a);
}

static void treats_a_token_without_audiences_as_valid_for_the_requested_ones(void)
{
    fake_module a = token_module(bob_table); /* names no audiences */
    wgk8s_module mods[] = {fake_descriptor("static", &a)};
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":true,\"user\":" BOB ","
                      "\"audiences\":[\"" API_AUD "\"]}}");
    json_decref(reply);
    fake_reset(&a);
}

static void does_not_authenticate_for_an_empty_audience_intersection(void)
{
    fake_module a = token_module(other_audience_table);
    wgk8s_module mods[] = {fake_descriptor("oidc", &a)};
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":false,\"error\":\"module \\\"oidc\\\": the "
                      "token is not valid for the requested audiences\"}}");
    json_decref(reply);
    fake_reset(&a);
}

static void tries_the_next_module_when_the_audiences_do_not_match(void)
{
    fake_module a = token_module(other_audience_table), b = token_module(bob_table);
    wgk8s_module mods[] = {fake_descriptor("oidc", &a), fake_descriptor("static", &b)};
    json_t *reply = authenticate(TOKEN_V1, mods, 2);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":true,\"user\":" BOB ","
                      "\"audiences\":[\"" API_AUD "\"]}}");
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void passes_the_modules_audiences_through_when_none_were_requested(void)
{
    fake_module a = token_module(magic_with_audience);
    wgk8s_module mods[] = {fake_descriptor("static", &a)};
    json_t *reply = authenticate(TOKEN_NOAUD, mods, 1);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":true,\"user\":" BOB ","
                      "\"audiences\":[\"https://x.example\"]}}");
    json_decref(reply);
    fake_reset(&a);
}

static void omits_audiences_when_none_were_requested_or_named(void)
{
    fake_module a = token_module(bob_table);
    wgk8s_module mods[] = {fake_descriptor("static", &a)};
    json_t *reply = authenticate(TOKEN_NOAUD, mods, 1);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":true,\"user\":" BOB "}}");
    json_decref(reply);
    fake_reset(&a);
}

/* ---- Failures ---- */

static void skips_a_failing_module_and_authenticates_with_the_next(void)
{
    fake_module a = {.fail = true, .fail_message = "trap: unreachable executed"};
    fake_module b = token_module(bob_table);
    wgk8s_module mods[] = {fake_descriptor("broken", &a), fake_descriptor("static", &b)};
    json_t *reply = authenticate(TOKEN_V1, mods, 2);
    CHECK(json_is_true(wgt_get(reply, "status.authenticated")));
    CHECK(wgt_get(reply, "status.error") == NULL);
    json_decref(reply);
    fake_reset(&a);
    fake_reset(&b);
}

static void reports_a_failing_module_when_nobody_authenticates(void)
{
    fake_module a = {.fail = true, .fail_message = "timeout after 500 ms"};
    wgk8s_module mods[] = {fake_descriptor("slow", &a)};
    mods[0].failure_policy = WGK8S_FAILURE_FAIL; /* still only skipped: see chain.c */
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":false,\"error\":\"module \\\"slow\\\" "
                      "failed: timeout after 500 ms\"}}");
    json_decref(reply);
    fake_reset(&a);
}

static void reports_output_that_is_not_json_as_a_failure(void)
{
    fake_module a = {.output = "authenticated: yes"};
    wgk8s_module mods[] = {fake_descriptor("yaml-speaker", &a)};
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    CHECK(json_is_false(wgt_get(reply, "status.authenticated")));
    CHECK_CONTAINS(wgt_get_str(reply, "status.error"),
                   "module \"yaml-speaker\" failed: output is not JSON: ");
    json_decref(reply);
    fake_reset(&a);
}

static void reports_empty_output_as_a_failure(void)
{
    fake_module a = {0};
    wgk8s_module mods[] = {fake_descriptor("silent", &a)};
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    CHECK_STR(wgt_get_str(reply, "status.error"), "module \"silent\" failed: empty output");
    json_decref(reply);
    fake_reset(&a);
}

static void reports_an_answer_of_the_wrong_kind_as_a_failure(void)
{
    fake_module a = {.output = "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\","
                               "\"kind\":\"AdmissionReview\",\"response\":{}}}"};
    wgk8s_module mods[] = {fake_descriptor("confused", &a)};
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    CHECK_STR(wgt_get_str(reply, "status.error"),
              "module \"confused\" failed: response.kind: expected TokenReview, got "
              "\"AdmissionReview\"");
    json_decref(reply);
    fake_reset(&a);
}

/* ---- Envelope and input ---- */

static void replies_in_the_version_of_the_request(void)
{
    fake_module a = token_module(bob_table);
    wgk8s_module mods[] = {fake_descriptor("static", &a)};
    json_t *reply = authenticate(TOKEN_BETA, mods, 1);
    CHECK_STR(wgt_get_str(reply, "apiVersion"), "authentication.k8s.io/v1beta1");
    CHECK_STR(wgt_get_str(reply, "kind"), "TokenReview");
    json_decref(reply);
    fake_reset(&a);
}

static void never_echoes_the_token(void)
{
    fake_module a = token_module(bob_table);
    wgk8s_module mods[] = {fake_descriptor("static", &a)};
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    char *text = json_dumps(reply, 0);
    CHECK(text && strstr(text, JWT) == NULL);
    free(text);
    json_decref(reply);
    fake_reset(&a);
}

static void gives_the_module_the_review_and_its_settings(void)
{
    fake_module a = token_module(nobody);
    wgk8s_module mods[] = {fake_descriptor("static", &a)};
    mods[0].settings_json = "{\"issuer\":\"https://issuer.example\"}";
    json_t *reply = authenticate(TOKEN_V1, mods, 1);
    json_t *in = fake_last_input(&a);
    json_t *review = wgt_fixture_json(TOKEN_V1);
    CHECK_STR(a.last_entry, "authn");
    CHECK(json_equal(json_object_get(in, "request"), review));
    CHECK_JSON(json_object_get(in, "settings"), "{\"issuer\":\"https://issuer.example\"}");
    json_decref(review);
    json_decref(in);
    json_decref(reply);
    fake_reset(&a);
}

static void refuses_a_review_of_another_kind(void)
{
    wgk8s_review *review = k8st_fixture_review("authorization/sar-v1-resource.json");
    json_t *reply = NULL;
    CHECK_INT(wgk8s_authenticate(review, NULL, 0, &reply, err, sizeof err), WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "kind: expected TokenReview, got SubjectAccessReview");
    CHECK(reply == NULL);
    wgk8s_review_free(review);
}

int main(void)
{
    RUN(authenticates_with_the_first_module_that_knows_the_token);
    RUN(stops_at_the_first_module_that_authenticates);
    RUN(reports_every_modules_error_when_nobody_authenticates);
    RUN(replies_not_authenticated_without_error_when_no_module_says_why);
    RUN(replies_not_authenticated_without_modules);
    RUN(replies_with_the_requested_audiences_the_token_is_valid_for);
    RUN(keeps_the_request_order_of_audiences_without_duplicates);
    RUN(treats_a_token_without_audiences_as_valid_for_the_requested_ones);
    RUN(does_not_authenticate_for_an_empty_audience_intersection);
    RUN(tries_the_next_module_when_the_audiences_do_not_match);
    RUN(passes_the_modules_audiences_through_when_none_were_requested);
    RUN(omits_audiences_when_none_were_requested_or_named);
    RUN(skips_a_failing_module_and_authenticates_with_the_next);
    RUN(reports_a_failing_module_when_nobody_authenticates);
    RUN(reports_output_that_is_not_json_as_a_failure);
    RUN(reports_empty_output_as_a_failure);
    RUN(reports_an_answer_of_the_wrong_kind_as_a_failure);
    RUN(replies_in_the_version_of_the_request);
    RUN(never_echoes_the_token);
    RUN(gives_the_module_the_review_and_its_settings);
    RUN(refuses_a_review_of_another_kind);
    return wgt_finish();
}
