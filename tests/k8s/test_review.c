/*
 * test_review.c — parsing and validating incoming review bodies.
 *
 * Three kinds of bad request, each with its own status: not JSON, not the review kind
 * expected, and a review with a missing or malformed field — the last always named by its
 * JSON path. Variants of the fixtures are made by patching them.
 */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

static char err[512];

/* Parses `text` expecting `kind`; frees any review; returns the status. */
static wgk8s_status parse_text(const char *text, wgk8s_kind kind)
{
    wgk8s_review *r = NULL;
    err[0] = '\0';
    wgk8s_status st = wgk8s_review_parse(text, strlen(text), kind, &r, err, sizeof err);
    CHECK((st == WGK8S_OK) == (r != NULL));
    wgk8s_review_free(r);
    return st;
}

/* Parses a fixture after applying a JSON Patch to it. */
static wgk8s_status parse_variant(const char *fixture, const char *patch_text)
{
    json_t *doc = wgt_fixture_json(fixture), *patch = wgt_json(patch_text);
    char perr[256];
    json_t *variant = doc && patch ? wgk8s_json_patch_apply(doc, patch, perr, sizeof perr) : NULL;
    json_decref(doc);
    json_decref(patch);
    if (!CHECK(variant != NULL)) return WGK8S_OK;
    char *text = json_dumps(variant, JSON_COMPACT);
    json_decref(variant);
    wgk8s_status st = parse_text(text, WGK8S_KIND_ANY);
    free(text);
    return st;
}

#define EXPECT_INVALID(fixture, patch, message)                      \
    do {                                                             \
        CHECK_INT(parse_variant(fixture, patch), WGK8S_ERR_INVALID); \
        CHECK_STR(err, message);                                     \
    } while (0)

#define POD      "admission/pod-create.json"
#define SAR      "authorization/sar-v1-resource.json"
#define SAR_BETA "authorization/sar-v1beta1-resource.json"
#define TOKEN    "authentication/tokenreview-v1.json"

/* ---- Accepted ---- */

static void accepts_every_fixture_with_its_kind_and_version(void)
{
    static const struct {
        const char *fixture;
        wgk8s_kind kind;
        wgk8s_version version;
        const char *api_version;
    } expected[] = {
        {"admission/pod-create.json", WGK8S_ADMISSION_REVIEW, WGK8S_V1, "admission.k8s.io/v1"},
        {"admission/pod-create-v1beta1.json", WGK8S_ADMISSION_REVIEW, WGK8S_V1BETA1,
         "admission.k8s.io/v1beta1"},
        {"authentication/tokenreview-v1.json", WGK8S_TOKEN_REVIEW, WGK8S_V1,
         "authentication.k8s.io/v1"},
        {"authentication/tokenreview-v1beta1.json", WGK8S_TOKEN_REVIEW, WGK8S_V1BETA1,
         "authentication.k8s.io/v1beta1"},
        {"authorization/sar-v1-nonresource.json", WGK8S_SUBJECT_ACCESS_REVIEW, WGK8S_V1,
         "authorization.k8s.io/v1"},
        {"authorization/sar-v1beta1-resource.json", WGK8S_SUBJECT_ACCESS_REVIEW, WGK8S_V1BETA1,
         "authorization.k8s.io/v1beta1"},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        wgk8s_review *r = k8st_fixture_review(expected[i].fixture);
        if (!CHECK(r != NULL)) continue;
        CHECK_INT(wgk8s_review_kind(r), expected[i].kind);
        CHECK_INT(wgk8s_review_version(r), expected[i].version);
        CHECK_STR(wgk8s_review_api_version(r), expected[i].api_version);
        wgk8s_review_free(r);
    }
    /* And every other fixture parses too. */
    for (const char *const *f = wgt_all_fixtures; *f; f++)
        wgk8s_review_free(k8st_fixture_review(*f));
}

static void exposes_the_admission_uid(void)
{
    wgk8s_review *r = k8st_fixture_review(POD);
    if (!r) return;
    CHECK_STR(wgk8s_review_uid(r), "5eed0000-0000-0000-0000-000000000001");
    wgk8s_review_free(r);
}

static void reads_v1beta1_groups_from_the_group_field(void)
{
    wgk8s_review *r = k8st_fixture_review(SAR_BETA);
    if (!r) return;
    CHECK_JSON(wgk8s_review_sar_groups(r), "[\"developers\",\"system:authenticated\"]");
    wgk8s_review_free(r);
}

static void reads_v1_groups_from_the_groups_field(void)
{
    wgk8s_review *r = k8st_fixture_review(SAR);
    if (!r) return;
    CHECK_JSON(wgk8s_review_sar_groups(r), "[\"developers\",\"system:authenticated\"]");
    wgk8s_review_free(r);
}

static void accepts_the_review_kind_the_endpoint_expects(void)
{
    size_t len;
    char *text = wgt_read_fixture(TOKEN, &len);
    wgk8s_review *r = NULL;
    CHECK_INT(wgk8s_review_parse(text, len, WGK8S_TOKEN_REVIEW, &r, err, sizeof err), WGK8S_OK);
    wgk8s_review_free(r);
    free(text);
}

static void treats_null_optional_fields_as_absent(void)
{
    CHECK_INT(parse_variant(POD, "[{\"op\":\"add\",\"path\":\"/request/namespace\",\"value\":null},"
                                 "{\"op\":\"add\",\"path\":\"/request/userInfo\",\"value\":null}]"),
              WGK8S_OK);
}

/* ---- Not JSON ---- */

static void reports_a_body_that_is_not_json(void)
{
    CHECK_INT(parse_text("{\"kind\": ", WGK8S_KIND_ANY), WGK8S_ERR_NOT_JSON);
    CHECK_CONTAINS(err, "body: not JSON: ");
    CHECK_CONTAINS(err, "line 1 column");
}

static void reports_an_empty_body_as_not_json(void)
{
    CHECK_INT(parse_text("", WGK8S_KIND_ANY), WGK8S_ERR_NOT_JSON);
    CHECK_CONTAINS(err, "body: not JSON");
    wgk8s_review *r = NULL;
    CHECK_INT(wgk8s_review_parse(NULL, 0, WGK8S_KIND_ANY, &r, err, sizeof err), WGK8S_ERR_NOT_JSON);
}

/* ---- Wrong kind ---- */

static void reports_a_json_array_as_the_wrong_kind(void)
{
    CHECK_INT(parse_text("[1,2]", WGK8S_KIND_ANY), WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "body: must be a review object, got array");
}

static void reports_a_missing_kind(void)
{
    CHECK_INT(parse_text("{\"apiVersion\":\"admission.k8s.io/v1\"}", WGK8S_KIND_ANY),
              WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "kind: missing");
}

static void reports_a_missing_api_version(void)
{
    CHECK_INT(parse_text("{\"kind\":\"AdmissionReview\"}", WGK8S_KIND_ANY), WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "apiVersion: missing");
}

static void reports_a_kind_that_is_not_a_review(void)
{
    CHECK_INT(parse_text("{\"kind\":\"Pod\",\"apiVersion\":\"v1\"}", WGK8S_KIND_ANY),
              WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "kind: \"Pod\" is not a review (want TokenReview, SubjectAccessReview or "
                   "AdmissionReview)");
}

static void reports_an_unsupported_api_version(void)
{
    CHECK_INT(parse_variant(POD, "[{\"op\":\"replace\",\"path\":\"/apiVersion\","
                                 "\"value\":\"admission.k8s.io/v2\"}]"),
              WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "apiVersion: \"admission.k8s.io/v2\" is not supported for AdmissionReview "
                   "(want admission.k8s.io/v1 or admission.k8s.io/v1beta1)");
}

static void reports_an_api_version_of_another_group(void)
{
    CHECK_INT(parse_variant(TOKEN, "[{\"op\":\"replace\",\"path\":\"/apiVersion\","
                                   "\"value\":\"authorization.k8s.io/v1\"}]"),
              WGK8S_ERR_WRONG_KIND);
    CHECK_CONTAINS(err, "apiVersion: \"authorization.k8s.io/v1\" is not supported for "
                        "TokenReview");
}

static void reports_a_review_of_another_kind_than_the_endpoint_serves(void)
{
    size_t len;
    char *text = wgt_read_fixture(SAR, &len);
    wgk8s_review *r = NULL;
    CHECK_INT(wgk8s_review_parse(text, len, WGK8S_TOKEN_REVIEW, &r, err, sizeof err),
              WGK8S_ERR_WRONG_KIND);
    CHECK_STR(err, "kind: expected TokenReview, got SubjectAccessReview");
    CHECK(r == NULL);
    free(text);
}

/* ---- Invalid AdmissionReview ---- */

static void requires_the_admission_request(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"remove\",\"path\":\"/request\"}]", "request: missing");
}

static void requires_the_admission_uid(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"remove\",\"path\":\"/request/uid\"}]", "request.uid: missing");
}

static void rejects_an_empty_admission_uid(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"replace\",\"path\":\"/request/uid\",\"value\":\"\"}]",
                   "request.uid: must not be empty");
}

static void rejects_an_admission_uid_that_is_not_a_string(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"replace\",\"path\":\"/request/uid\",\"value\":7}]",
                   "request.uid: must be a string, got number");
}

static void requires_the_operation(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"remove\",\"path\":\"/request/operation\"}]",
                   "request.operation: missing");
}

static void rejects_an_unknown_operation(void)
{
    EXPECT_INVALID(POD,
                   "[{\"op\":\"replace\",\"path\":\"/request/operation\",\"value\":\"PATCH\"}]",
                   "request.operation: must be CREATE, UPDATE, DELETE or CONNECT, got \"PATCH\"");
}

static void requires_the_resource(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"remove\",\"path\":\"/request/resource\"}]",
                   "request.resource: missing");
}

static void requires_the_resource_name(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"remove\",\"path\":\"/request/resource/resource\"}]",
                   "request.resource.resource: missing");
}

static void requires_the_kind(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"remove\",\"path\":\"/request/kind\"}]",
                   "request.kind: missing");
}

static void requires_the_kind_name(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"replace\",\"path\":\"/request/kind/kind\",\"value\":\"\"}]",
                   "request.kind.kind: must not be empty");
}

static void rejects_an_object_that_is_not_an_object(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"replace\",\"path\":\"/request/object\",\"value\":\"pod\"}]",
                   "request.object: must be an object, got string");
}

static void rejects_user_extra_that_is_not_a_map_of_string_arrays(void)
{
    EXPECT_INVALID(POD,
                   "[{\"op\":\"replace\",\"path\":\"/request/userInfo/extra/scopes\","
                   "\"value\":\"openid\"}]",
                   "request.userInfo.extra.scopes: must be an array of strings, got string");
}

static void names_the_element_of_a_malformed_group_list(void)
{
    EXPECT_INVALID(POD, "[{\"op\":\"add\",\"path\":\"/request/userInfo/groups/-\",\"value\":5}]",
                   "request.userInfo.groups[2]: must be a string, got number");
}

static void quotes_member_names_that_are_not_identifiers_in_paths(void)
{
    EXPECT_INVALID(POD,
                   "[{\"op\":\"add\",\"path\":\"/request/userInfo/extra/example.com~1team\","
                   "\"value\":[1]}]",
                   "request.userInfo.extra[\"example.com/team\"][0]: must be a string, got "
                   "number");
}

/* ---- Invalid SubjectAccessReview ---- */

static void requires_exactly_one_kind_of_attributes_not_both(void)
{
    EXPECT_INVALID(SAR,
                   "[{\"op\":\"add\",\"path\":\"/spec/nonResourceAttributes\","
                   "\"value\":{\"path\":\"/healthz\",\"verb\":\"get\"}}]",
                   "spec: exactly one of resourceAttributes and nonResourceAttributes must be "
                   "set (both are)");
}

static void requires_exactly_one_kind_of_attributes_not_neither(void)
{
    EXPECT_INVALID(SAR, "[{\"op\":\"remove\",\"path\":\"/spec/resourceAttributes\"}]",
                   "spec: exactly one of resourceAttributes and nonResourceAttributes must be "
                   "set (neither is)");
}

static void rejects_resource_attributes_of_the_wrong_type(void)
{
    EXPECT_INVALID(SAR,
                   "[{\"op\":\"replace\",\"path\":\"/spec/resourceAttributes/verb\",\"value\":1}]",
                   "spec.resourceAttributes.verb: must be a string, got number");
}

static void rejects_the_v1_groups_spelling_in_v1beta1(void)
{
    EXPECT_INVALID(SAR_BETA,
                   "[{\"op\":\"move\",\"from\":\"/spec/group\",\"path\":\"/spec/groups\"}]",
                   "spec.groups: not a field of v1beta1 SubjectAccessReview (it spells the user's "
                   "groups spec.group)");
}

static void rejects_the_v1beta1_group_spelling_in_v1(void)
{
    EXPECT_INVALID(SAR, "[{\"op\":\"move\",\"from\":\"/spec/groups\",\"path\":\"/spec/group\"}]",
                   "spec.group: not a field of v1 SubjectAccessReview (it spells the user's "
                   "groups spec.groups)");
}

static void validates_the_v1beta1_group_field(void)
{
    EXPECT_INVALID(SAR_BETA, "[{\"op\":\"replace\",\"path\":\"/spec/group\",\"value\":\"dev\"}]",
                   "spec.group: must be an array of strings, got string");
}

static void requires_the_sar_spec(void)
{
    EXPECT_INVALID(SAR, "[{\"op\":\"remove\",\"path\":\"/spec\"}]", "spec: missing");
}

/* ---- Invalid TokenReview ---- */

static void requires_the_token(void)
{
    EXPECT_INVALID(TOKEN, "[{\"op\":\"remove\",\"path\":\"/spec/token\"}]", "spec.token: missing");
}

static void rejects_an_empty_token(void)
{
    EXPECT_INVALID(TOKEN, "[{\"op\":\"replace\",\"path\":\"/spec/token\",\"value\":\"\"}]",
                   "spec.token: must not be empty");
}

static void rejects_audiences_that_are_not_a_list(void)
{
    EXPECT_INVALID(TOKEN, "[{\"op\":\"replace\",\"path\":\"/spec/audiences\",\"value\":\"api\"}]",
                   "spec.audiences: must be an array of strings, got string");
}

static void names_the_malformed_audience(void)
{
    EXPECT_INVALID(TOKEN, "[{\"op\":\"add\",\"path\":\"/spec/audiences/-\",\"value\":false}]",
                   "spec.audiences[1]: must be a string, got boolean");
}

/* ---- Status mapping ---- */

static void maps_statuses_to_http(void)
{
    CHECK_INT(wgk8s_http_status(WGK8S_OK), 200);
    CHECK_INT(wgk8s_http_status(WGK8S_ERR_NOT_JSON), 400);
    CHECK_INT(wgk8s_http_status(WGK8S_ERR_WRONG_KIND), 400);
    CHECK_INT(wgk8s_http_status(WGK8S_ERR_INVALID), 400);
    CHECK_INT(wgk8s_http_status(WGK8S_ERR_MODULE), 500);
    CHECK_INT(wgk8s_http_status(WGK8S_ERR_NOMEM), 500);
    CHECK_STR(wgk8s_status_name(WGK8S_ERR_WRONG_KIND), "wrong kind");
}

int main(void)
{
    RUN(accepts_every_fixture_with_its_kind_and_version);
    RUN(exposes_the_admission_uid);
    RUN(reads_v1beta1_groups_from_the_group_field);
    RUN(reads_v1_groups_from_the_groups_field);
    RUN(accepts_the_review_kind_the_endpoint_expects);
    RUN(treats_null_optional_fields_as_absent);
    RUN(reports_a_body_that_is_not_json);
    RUN(reports_an_empty_body_as_not_json);
    RUN(reports_a_json_array_as_the_wrong_kind);
    RUN(reports_a_missing_kind);
    RUN(reports_a_missing_api_version);
    RUN(reports_a_kind_that_is_not_a_review);
    RUN(reports_an_unsupported_api_version);
    RUN(reports_an_api_version_of_another_group);
    RUN(reports_a_review_of_another_kind_than_the_endpoint_serves);
    RUN(requires_the_admission_request);
    RUN(requires_the_admission_uid);
    RUN(rejects_an_empty_admission_uid);
    RUN(rejects_an_admission_uid_that_is_not_a_string);
    RUN(requires_the_operation);
    RUN(rejects_an_unknown_operation);
    RUN(requires_the_resource);
    RUN(requires_the_resource_name);
    RUN(requires_the_kind);
    RUN(requires_the_kind_name);
    RUN(rejects_an_object_that_is_not_an_object);
    RUN(rejects_user_extra_that_is_not_a_map_of_string_arrays);
    RUN(names_the_element_of_a_malformed_group_list);
    RUN(quotes_member_names_that_are_not_identifiers_in_paths);
    RUN(requires_exactly_one_kind_of_attributes_not_both);
    RUN(requires_exactly_one_kind_of_attributes_not_neither);
    RUN(rejects_resource_attributes_of_the_wrong_type);
    RUN(rejects_the_v1_groups_spelling_in_v1beta1);
    RUN(rejects_the_v1beta1_group_spelling_in_v1);
    RUN(validates_the_v1beta1_group_field);
    RUN(requires_the_sar_spec);
    RUN(requires_the_token);
    RUN(rejects_an_empty_token);
    RUN(rejects_audiences_that_are_not_a_list);
    RUN(names_the_malformed_audience);
    RUN(maps_statuses_to_http);
    return wgt_finish();
}
