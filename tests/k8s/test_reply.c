/*
 * test_reply.c — the reply builders and the warning rules, used directly.
 */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

/* ---- Warnings ---- */

static void keeps_a_warning_of_120_characters(void)
{
    char w[121];
    memset(w, 'a', 120);
    w[120] = '\0';
    char *t = wgk8s_warning_truncate(w);
    CHECK_STR(t, w);
    free(t);
}

static void cuts_a_longer_warning_to_120_characters_with_an_ellipsis(void)
{
    char w[200];
    memset(w, 'a', 199);
    w[199] = '\0';
    char *t = wgk8s_warning_truncate(w);
    CHECK_INT(strlen(t), 120);
    CHECK(strcmp(t + 117, "...") == 0);
    free(t);
}

static void cuts_a_long_warning_at_a_word_boundary(void)
{
    const char *w = "the container image nginx:latest uses a mutable tag; pin it to a digest "
                    "such as nginx@sha256:0123456789abcdef so that rollouts are reproducible "
                    "and auditable";
    char *t = wgk8s_warning_truncate(w);
    CHECK_STR(t, "the container image nginx:latest uses a mutable tag; pin it to a digest such "
                 "as nginx@sha256:0123456789abcdef so that...");
    CHECK(utf8_chars(t) <= 120);
    free(t);
}

static void counts_characters_not_bytes(void)
{
    /* 130 two-byte characters: cut to 117 characters plus "...", never inside one. */
    char w[261];
    for (int i = 0; i < 130; i++) {
        w[2 * i] = (char)0xC3;
        w[2 * i + 1] = (char)0xA9; /* é */
    }
    w[260] = '\0';
    char *t = wgk8s_warning_truncate(w);
    CHECK_INT(utf8_chars(t), 120);
    CHECK_INT(strlen(t), 117 * 2 + 3);
    free(t);

    /* 100 such characters are 200 bytes but only 100 characters: kept whole. */
    w[200] = '\0';
    t = wgk8s_warning_truncate(w);
    CHECK_STR(t, w);
    free(t);
}

static void replaces_control_characters_with_spaces(void)
{
    char *t = wgk8s_warning_truncate("line one\nline two\ttabbed\x7f");
    CHECK_STR(t, "line one line two tabbed ");
    free(t);
}

/* ---- Builders ---- */

static void builds_a_token_review_reply_without_user_when_not_authenticated(void)
{
    wgk8s_review *r = k8st_fixture_review("authentication/tokenreview-v1beta1.json");
    json_t *user = wgt_json("{\"username\":\"x\"}");
    wgk8s_authn_decision d = {.authenticated = false, .user = user, .error = "nope"};
    json_t *reply = wgk8s_authn_reply(r, &d);
    CHECK_JSON(reply, "{\"apiVersion\":\"authentication.k8s.io/v1beta1\",\"kind\":\"TokenReview\","
                      "\"status\":{\"authenticated\":false,\"error\":\"nope\"}}");
    json_decref(reply);
    json_decref(user);
    wgk8s_review_free(r);
}

static void builds_a_subject_access_review_reply_with_denied_only_when_true(void)
{
    wgk8s_review *r = k8st_fixture_review("authorization/sar-v1-nonresource.json");
    wgk8s_authz_decision d = {.allowed = true, .denied = false, .reason = "ok"};
    json_t *reply = wgk8s_authz_reply(r, &d);
    CHECK_JSON(reply,
               "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\","
               "\"status\":{\"allowed\":true,\"reason\":\"ok\"}}");
    json_decref(reply);
    wgk8s_review_free(r);
}

static void builds_an_admission_denial_with_code_403_by_default(void)
{
    wgk8s_review *r = k8st_fixture_review("admission/secret-create.json");
    wgk8s_admission_decision d = {.allowed = false, .message = "no"};
    json_t *reply = wgk8s_admission_reply(r, &d, NULL);
    CHECK_JSON(wgt_get(reply, "response.status"), "{\"code\":403,\"message\":\"no\"}");
    CHECK_STR(wgt_get_str(reply, "response.uid"), wgk8s_review_uid(r));
    json_decref(reply);
    wgk8s_review_free(r);
}

static void encodes_the_patch_in_base64_with_its_type(void)
{
    wgk8s_review *r = k8st_fixture_review("admission/pod-create.json");
    json_t *patch = wgt_json("[{\"op\":\"remove\",\"path\":\"/status\"}]");
    wgk8s_admission_decision d = {.allowed = true};
    json_t *reply = wgk8s_admission_reply(r, &d, patch);
    /* base64 of [{"op":"remove","path":"/status"}] */
    CHECK_STR(wgt_get_str(reply, "response.patch"),
              "W3sib3AiOiJyZW1vdmUiLCJwYXRoIjoiL3N0YXR1cyJ9XQ==");
    CHECK_STR(wgt_get_str(reply, "response.patchType"), "JSONPatch");
    json_decref(reply);
    json_decref(patch);
    wgk8s_review_free(r);
}

static void omits_an_empty_patch(void)
{
    wgk8s_review *r = k8st_fixture_review("admission/pod-create.json");
    json_t *patch = json_array();
    wgk8s_admission_decision d = {.allowed = true};
    json_t *reply = wgk8s_admission_reply(r, &d, patch);
    CHECK(wgt_get(reply, "response.patch") == NULL && wgt_get(reply, "response.patchType") == NULL);
    json_decref(reply);
    json_decref(patch);
    wgk8s_review_free(r);
}

static void drops_empty_and_duplicate_warnings(void)
{
    wgk8s_review *r = k8st_fixture_review("admission/pod-create.json");
    json_t *warnings = wgt_json("[\"a\",\"\",\"b\",\"a\"]");
    wgk8s_admission_decision d = {.allowed = true, .warnings = warnings};
    json_t *reply = wgk8s_admission_reply(r, &d, NULL);
    CHECK_JSON(wgt_get(reply, "response.warnings"), "[\"a\",\"b\"]");
    json_decref(reply);
    json_decref(warnings);
    wgk8s_review_free(r);
}

int main(void)
{
    RUN(keeps_a_warning_of_120_characters);
    RUN(cuts_a_longer_warning_to_120_characters_with_an_ellipsis);
    RUN(cuts_a_long_warning_at_a_word_boundary);
    RUN(counts_characters_not_bytes);
    RUN(replaces_control_characters_with_spaces);
    RUN(builds_a_token_review_reply_without_user_when_not_authenticated);
    RUN(builds_a_subject_access_review_reply_with_denied_only_when_true);
    RUN(builds_an_admission_denial_with_code_403_by_default);
    RUN(encodes_the_patch_in_base64_with_its_type);
    RUN(omits_an_empty_patch);
    RUN(drops_empty_and_duplicate_warnings);
    return wgt_finish();
}
