/*
 * test_token_authn.c — the token-authn example (examples/token-authn), built natively and
 * fed the TokenReview fixtures as the host would.
 */
#include "sdk_testlib.h"

#include <stdlib.h>
#include <string.h>

#define FIXTURE_TOKEN "eyJhbGciOiJub25lIn0.bWFnaWM.c2ln"
#define API_AUDIENCE  "https://kubernetes.default.svc"

static const char *const settings =
    "{\"tokens\": {"
    "  \"" FIXTURE_TOKEN "\": {\"username\": \"jane@example.com\", \"uid\": \"4f5a-1b2c\","
    "     \"groups\": [\"developers\"], \"extra\": {\"scopes\": [\"openid\"]}},"
    "  \"magic-token\": {\"username\": \"robot\","
    "     \"audiences\": [\"https://vault.example.com\", \"" API_AUDIENCE "\"]},"
    "  \"vault-only\": {\"username\": \"vault\", \"audiences\": [\"https://vault.example.com\"]}"
    "}}";

/* Calls authn with the fixture, its token replaced by `token` when not NULL. Checks that the
 * token never appears in the output, whatever the answer. */
static sdkt_output call_with(const char *fixture, const char *token, const char *settings_json,
                             json_t **review_out)
{
    json_t *review = wgt_fixture_json(fixture);
    if (token) json_object_set_new(json_object_get(review, "spec"), "token", json_string(token));
    sdkt_output out = sdkt_call(authn, review, settings_json);
    const char *sent = json_string_value(wgt_get(review, "spec.token"));
    if (!CHECK(!out.text || !sent || !strstr(out.text, sent)))
        fprintf(stderr, "    the token leaked into the output: %s\n", out.text);
    *review_out = review;
    return out;
}

static void a_known_token_authenticates_its_user(void)
{
    json_t *review;
    sdkt_output out = call_with("authentication/tokenreview-v1.json", NULL, settings, &review);
    CHECK_JSON(out.json, "{\"response\": {\"apiVersion\": \"authentication.k8s.io/v1\","
                         " \"kind\": \"TokenReview\", \"status\": {\"authenticated\": true,"
                         " \"user\": {\"username\": \"jane@example.com\", \"uid\": \"4f5a-1b2c\","
                         " \"groups\": [\"developers\"], \"extra\": {\"scopes\": [\"openid\"]}},"
                         " \"audiences\": [\"" API_AUDIENCE "\"]}}}");
    wgk8s_authn_decision d = {0};
    if (sdkt_host_authn(review, &out, &d)) CHECK(d.authenticated);
    wgk8s_authn_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);
}

static void v1beta1_reviews_are_answered_in_v1beta1(void)
{
    json_t *review;
    sdkt_output out = call_with("authentication/tokenreview-v1beta1.json", NULL, settings, &review);
    CHECK_STR(wgt_get_str(out.json, "response.apiVersion"), "authentication.k8s.io/v1beta1");
    CHECK(json_is_true(wgt_get(out.json, "response.status.authenticated")));
    wgk8s_authn_decision d = {0};
    sdkt_host_authn(review, &out, &d);
    wgk8s_authn_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);
}

static void an_unknown_token_is_rejected(void)
{
    json_t *review;
    sdkt_output out = call_with("authentication/tokenreview-v1.json", "nope", settings, &review);
    CHECK_JSON(wgt_get(out.json, "response.status"),
               "{\"authenticated\": false, \"error\": \"unknown token\"}");
    wgk8s_authn_decision d = {0};
    if (sdkt_host_authn(review, &out, &d)) CHECK(!d.authenticated);
    wgk8s_authn_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);
}

static void a_token_is_compared_over_all_its_bytes(void)
{
    json_t *review = wgt_fixture_json("authentication/tokenreview-v1.json");
    json_object_set_new(json_object_get(review, "spec"), "token",
                        json_stringn(FIXTURE_TOKEN "\0evil", strlen(FIXTURE_TOKEN) + 5));
    sdkt_output out = sdkt_call(authn, review, settings);
    CHECK_JSON(wgt_get(out.json, "response.status"),
               "{\"authenticated\": false, \"error\": \"unknown token\"}");
    sdkt_output_free(&out);
    /* A prefix of a known token is not that token either. */
    json_object_set_new(json_object_get(review, "spec"), "token", json_string("eyJhbGci"));
    out = sdkt_call(authn, review, settings);
    CHECK_STR(wgt_get_str(out.json, "response.status.error"), "unknown token");
    sdkt_output_free(&out);
    json_decref(review);
}

static void audiences_are_the_requested_ones_the_token_is_valid_for(void)
{
    json_t *review;
    /* Requested [API_AUDIENCE]; valid for vault and API_AUDIENCE: only the requested one. */
    sdkt_output out =
        call_with("authentication/tokenreview-v1.json", "magic-token", settings, &review);
    CHECK_JSON(wgt_get(out.json, "response.status.audiences"), "[\"" API_AUDIENCE "\"]");
    CHECK_STR(wgt_get_str(out.json, "response.status.user.username"), "robot");
    wgk8s_authn_decision d = {0};
    sdkt_host_authn(review, &out, &d);
    wgk8s_authn_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);

    /* Valid only for vault: the requested audience is not among them. */
    out = call_with("authentication/tokenreview-v1.json", "vault-only", settings, &review);
    CHECK_JSON(wgt_get(out.json, "response.status"),
               "{\"authenticated\": false, \"error\":"
               " \"the token is not valid for the requested audiences\"}");
    sdkt_output_free(&out);
    json_decref(review);

    /* Nothing requested: the token's own audiences are reported. */
    out =
        call_with("authentication/tokenreview-v1-noaudience.json", "vault-only", settings, &review);
    CHECK_JSON(wgt_get(out.json, "response.status.audiences"), "[\"https://vault.example.com\"]");
    sdkt_host_authn(review, &out, &d);
    wgk8s_authn_decision_clear(&d);
    sdkt_output_free(&out);
    json_decref(review);

    /* Nothing requested, nothing configured: no audiences at all. */
    out = call_with("authentication/tokenreview-v1-noaudience.json", FIXTURE_TOKEN, settings,
                    &review);
    CHECK(json_is_true(wgt_get(out.json, "response.status.authenticated")));
    CHECK(wgt_get(out.json, "response.status.audiences") == NULL);
    sdkt_output_free(&out);
    json_decref(review);
}

static void broken_settings_fail_the_call_without_naming_the_token(void)
{
    static const struct {
        const char *settings, *error;
    } cases[] = {
        {NULL, "token-authn: settings.tokens must be an object mapping tokens to users"},
        {"{\"tokens\": []}", "token-authn: settings.tokens must be an object"},
        {"{\"tokens\": {\"" FIXTURE_TOKEN "\": {\"uid\": \"1\"}}}",
         "token-authn: every entry of settings.tokens needs a non-empty \"username\""},
        {"{\"tokens\": {\"" FIXTURE_TOKEN "\": \"jane\"}}",
         "token-authn: every entry of settings.tokens needs a non-empty \"username\""},
        {"{\"tokens\": {\"" FIXTURE_TOKEN "\": {\"username\": \"j\", \"groups\": \"dev\"}}}",
         "wgm_authenticate: groups must be an array of strings"},
        {"{\"tokens\": {\"" FIXTURE_TOKEN "\": {\"username\": \"j\", \"uid\": 7}}}",
         "token-authn: the \"uid\" of a token's user must be a string"},
        {"{\"tokens\": {\"" FIXTURE_TOKEN "\": {\"username\": \"j\", \"audiences\": \"x\"}}}",
         "token-authn: the \"audiences\" of a token must be an array of strings"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *review;
        sdkt_output out =
            call_with("authentication/tokenreview-v1.json", NULL, cases[i].settings, &review);
        if (!CHECK(sdkt_error(&out) &&
                   strstr(sdkt_error(&out), cases[i].error) == sdkt_error(&out)))
            fprintf(stderr, "    case %zu: %s\n", i, out.text);
        sdkt_output_free(&out);
        json_decref(review);
    }
}

static void other_reviews_are_refused(void)
{
    json_t *review = wgt_fixture_json("authorization/sar-v1-resource.json");
    sdkt_output out = sdkt_call(authn, review, settings);
    CHECK_STR(sdkt_error(&out),
              "token-authn answers TokenReviews; configure it for authentication");
    sdkt_output_free(&out);
    json_decref(review);
}

int main(void)
{
    RUN(a_known_token_authenticates_its_user);
    RUN(v1beta1_reviews_are_answered_in_v1beta1);
    RUN(an_unknown_token_is_rejected);
    RUN(a_token_is_compared_over_all_its_bytes);
    RUN(audiences_are_the_requested_ones_the_token_is_valid_for);
    RUN(broken_settings_fail_the_call_without_naming_the_token);
    RUN(other_reviews_are_refused);
    return wgt_finish();
}
