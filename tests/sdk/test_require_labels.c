/*
 * test_require_labels.c — the require-labels example (examples/require-labels), built natively
 * and fed the AdmissionReview fixtures as the host would (as a validating module).
 */
#include "sdk_testlib.h"

#include <string.h>

static sdkt_verdict judge(const json_t *review, const char *settings_json)
{
    return sdkt_admission(validate, review, settings_json, false);
}

static void objects_with_the_labels_are_admitted(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json"); /* app=nginx, env=test */
    sdkt_verdict v = judge(review, "{\"labels\": [\"app\", \"env\"]}");
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void missing_labels_are_named_in_the_denial(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    sdkt_verdict v = judge(review, "{\"labels\": [\"app\", \"team\", \"app.kubernetes.io/name\"]}");
    CHECK_INT(v.kind, 'D');
    CHECK_INT(v.code, 403);
    CHECK_STR(v.message, "Pod \"default/nginx\" is missing required labels \"team\"; "
                         "\"app.kubernetes.io/name\"");
    sdkt_verdict_free(&v);
    json_decref(review);

    /* An object without any labels, cluster-scoped: named without a namespace. */
    review = wgt_fixture_json("admission/namespace-create.json");
    v = judge(review, "{\"labels\": [\"team\"]}");
    CHECK_INT(v.kind, 'D');
    CHECK_CONTAINS(v.message, "Namespace \"");
    CHECK_CONTAINS(v.message, "\" is missing required label \"team\"");
    CHECK(strstr(v.message, "/") == NULL);
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void an_empty_label_value_counts_as_present(void)
{
    json_t *review = sdkt_fixture_with("admission/pod-create.json",
                                       "request.object.metadata.labels.team", json_string(""));
    sdkt_verdict v = judge(review, "{\"labels\": [\"team\"]}");
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);
    /* but a label that is not a string (which the API would refuse anyway) does not */
    sdkt_set(review, "request.object.metadata.labels.team", json_integer(1));
    v = judge(review, "{\"labels\": [\"team\"]}");
    CHECK_INT(v.kind, 'D');
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void an_update_dropping_a_label_is_denied(void)
{
    json_t *review = wgt_fixture_json("admission/deployment-update.json"); /* app=web */
    sdkt_verdict v = judge(review, "{\"labels\": [\"app\"]}");
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);
    json_object_del(wgt_get(review, "request.object.metadata.labels"), "app");
    v = judge(review, "{\"labels\": [\"app\"]}");
    CHECK_INT(v.kind, 'D');
    CHECK_CONTAINS(v.message, "Deployment \"default/web\" is missing required label \"app\"");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void deletes_and_subresources_are_admitted(void)
{
    static const char *const fixtures[] = {"admission/configmap-delete.json",
                                           "admission/deployment-scale-update.json", NULL};
    CHECK_VERDICTS(validate, fixtures, "{\"labels\": [\"team\"]}", 'A');
}

static void every_kind_is_judged(void)
{
    static const char *const fixtures[] = {
        "admission/configmap-create.json",   "admission/secret-create.json",
        "admission/service-create.json",     "admission/ingress-create.json",
        "admission/rolebinding-create.json", "admission/job-create.json",
        "admission/pod-create-v1beta1.json", NULL};
    CHECK_VERDICTS(validate, fixtures, "{\"labels\": [\"owner\"]}", 'D');
}

static void broken_settings_fail_the_call(void)
{
    const char *broken[] = {NULL, "{}", "{\"labels\": []}", "{\"labels\": \"team\"}",
                            "{\"labels\": [\"team\", 3]}"};
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        sdkt_verdict v = judge(review, broken[i]);
        CHECK_INT(v.kind, 'E');
        CHECK_STR(v.message,
                  "require-labels: settings.labels must be a non-empty array of label names");
        sdkt_verdict_free(&v);
    }
    json_decref(review);
}

static void other_reviews_are_refused(void)
{
    json_t *review = wgt_fixture_json("authorization/sar-v1-resource.json");
    sdkt_output out = sdkt_call(validate, review, "{\"labels\": [\"a\"]}");
    CHECK_STR(sdkt_error(&out),
              "require-labels judges AdmissionReviews; configure it for admission");
    sdkt_output_free(&out);
    json_decref(review);
}

int main(void)
{
    RUN(objects_with_the_labels_are_admitted);
    RUN(missing_labels_are_named_in_the_denial);
    RUN(an_empty_label_value_counts_as_present);
    RUN(an_update_dropping_a_label_is_denied);
    RUN(deletes_and_subresources_are_admitted);
    RUN(every_kind_is_judged);
    RUN(broken_settings_fail_the_call);
    RUN(other_reviews_are_refused);
    return wgt_finish();
}
