/*
 * test_add_defaults.c — the add-defaults example (examples/add-defaults), a mutating module,
 * built natively and fed the AdmissionReview fixtures as the host would. The mutation is
 * checked on the object the host derives (wgk8s_admission_interpret), on the JSON Patch
 * applied independently (wgk8s_json_patch_apply), and between the JSONPatch and Full forms.
 */
#include "sdk_testlib.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULTS                                                   \
    "\"labels\": {\"owner\": \"platform\", \"app\": \"not-this\"," \
    " \"app.kubernetes.io/part-of\": \"shop\"},"                   \
    " \"annotations\": {\"example.com/defaulted\": \"true\"},"     \
    " \"requests\": {\"cpu\": \"100m\", \"memory\": \"64Mi\"}"

static const char *const settings = "{" DEFAULTS "}";
static const char *const settings_full = "{" DEFAULTS ", \"patchType\": \"Full\"}";

/* Runs the module with JSONPatch and with Full settings; returns the JSONPatch verdict after
 * checking that both give the same mutated object and that the decoded JSON Patch, applied
 * to request.object independently of the host, gives it too. */
static sdkt_verdict mutate(const json_t *review)
{
    sdkt_verdict v = sdkt_admission(validate, review, settings, true);
    sdkt_verdict full = sdkt_admission(validate, review, settings_full, true);
    CHECK_INT(full.kind, v.kind);
    if (v.patch) {
        CHECK_STR(wgt_get_str(v.output, "response.response.patchType"), "JSONPatch");
        CHECK_STR(wgt_get_str(full.output, "response.response.patchType"), "Full");
        char err[256] = "";
        json_t *applied =
            wgk8s_json_patch_apply(wgt_get(review, "request.object"), v.patch, err, sizeof err);
        if (!CHECK(applied && json_equal(applied, v.mutated))) fprintf(stderr, "    %s\n", err);
        json_decref(applied);
        CHECK(full.mutated && json_equal(full.mutated, v.mutated));
        CHECK(full.patch && json_equal(full.patch, v.mutated)); /* Full = the whole object */
    } else {
        CHECK(full.patch == NULL);
    }
    sdkt_verdict_free(&full);
    return v;
}

static void a_pod_gets_labels_annotations_and_requests(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    sdkt_verdict v = mutate(review);
    CHECK_INT(v.kind, 'A');
    /* Existing labels are kept ("app" stays "nginx"); missing ones are added. */
    CHECK_JSON(wgt_get(v.mutated, "metadata.labels"),
               "{\"app\": \"nginx\", \"env\": \"test\", \"owner\": \"platform\","
               " \"app.kubernetes.io/part-of\": \"shop\"}");
    CHECK_JSON(wgt_get(v.mutated, "metadata.annotations"), "{\"example.com/defaulted\": \"true\"}");
    CHECK_JSON(wgt_get(v.mutated, "spec.containers[0].resources"),
               "{\"requests\": {\"cpu\": \"100m\", \"memory\": \"64Mi\"}}");
    /* Nothing else changed. */
    json_t *expected = json_deep_copy(wgt_get(review, "request.object"));
    json_t *labels = json_object_get(json_object_get(expected, "metadata"), "labels");
    json_object_set_new(labels, "owner", json_string("platform"));
    json_object_set_new(labels, "app.kubernetes.io/part-of", json_string("shop"));
    json_object_set_new(json_object_get(expected, "metadata"), "annotations",
                        json_pack("{ss}", "example.com/defaulted", "true"));
    sdkt_set(expected, "spec.containers[0].resources",
             json_pack("{s{ssss}}", "requests", "cpu", "100m", "memory", "64Mi"));
    CHECK(v.mutated && json_equal(v.mutated, expected));
    json_decref(expected);
    /* The JSON Patch itself: one operation per change, label keys escaped. */
    CHECK_JSON(v.patch,
               "[{\"op\": \"add\", \"path\": \"/metadata/labels/owner\", \"value\": \"platform\"},"
               " {\"op\": \"add\", \"path\": \"/metadata/labels/app.kubernetes.io~1part-of\","
               "  \"value\": \"shop\"},"
               " {\"op\": \"add\", \"path\": \"/metadata/annotations\","
               "  \"value\": {\"example.com/defaulted\": \"true\"}},"
               " {\"op\": \"add\", \"path\": \"/spec/containers/0/resources/requests\","
               "  \"value\": {\"cpu\": \"100m\", \"memory\": \"64Mi\"}}]");
    CHECK_JSON(wgt_get(v.output, "response.response.auditAnnotations"),
               "{\"add-defaults\": \"added 2 label(s), 1 annotation(s), requests to 1 "
               "container(s)\"}");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void workload_templates_get_requests_on_create_and_update(void)
{
    static const struct {
        const char *fixture, *containers;
    } cases[] = {
        {"admission/deployment-create.json", "spec.template.spec.containers"},
        {"admission/deployment-update.json", "spec.template.spec.containers"},
        {"admission/deployment-large-create.json", "spec.template.spec.containers"},
        {"admission/job-create.json", "spec.template.spec.containers"},
        {"admission/cronjob-create.json", "spec.jobTemplate.spec.template.spec.containers"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *review = wgt_fixture_json(cases[i].fixture);
        sdkt_verdict v = mutate(review);
        CHECK_INT(v.kind, 'A');
        json_t *containers = wgt_get(v.mutated, cases[i].containers);
        if (!CHECK(json_array_size(containers) > 0)) fprintf(stderr, "    %s\n", cases[i].fixture);
        for (size_t c = 0; c < json_array_size(containers); c++) {
            json_t *requests = wgt_get(json_array_get(containers, c), "resources.requests");
            if (!CHECK(json_object_size(requests) > 0))
                fprintf(stderr, "    %s\n", cases[i].fixture);
        }
        CHECK_STR(wgt_get_str(v.mutated, "metadata.labels.owner"), "platform");
        sdkt_verdict_free(&v);
        json_decref(review);
    }
}

static void a_pod_update_gets_no_requests(void)
{
    json_t *pod = wgt_fixture_json("admission/pod-create.json");
    json_t *review =
        sdkt_with_operation(pod, "UPDATE", NULL, json_deep_copy(wgt_get(pod, "request.object")));
    sdkt_verdict v = mutate(review);
    CHECK_INT(v.kind, 'A');
    CHECK_JSON(wgt_get(v.mutated, "spec.containers[0].resources"), "{}"); /* immutable */
    CHECK_STR(wgt_get_str(v.mutated, "metadata.labels.owner"), "platform");
    sdkt_verdict_free(&v);
    json_decref(review);
    json_decref(pod);
}

static void containers_that_request_something_are_left_alone(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    json_t *spec = wgt_get(review, "request.object.spec");
    json_t *containers = json_object_get(spec, "containers");
    /* 0: requests cpu already; 1: no resources member at all; 2: empty requests. */
    sdkt_set(review, "request.object.spec.containers[0].resources.requests",
             json_pack("{ss}", "cpu", "1"));
    json_array_append_new(containers, json_pack("{ss}", "name", "bare"));
    json_array_append_new(containers,
                          json_pack("{sss{s{}}}", "name", "empty", "resources", "requests"));
    json_object_set_new(spec, "initContainers", json_pack("[{ss}]", "name", "init"));
    sdkt_verdict v = mutate(review);
    CHECK_JSON(wgt_get(v.mutated, "spec.containers[0].resources"),
               "{\"requests\": {\"cpu\": \"1\"}}");
    CHECK_JSON(wgt_get(v.mutated, "spec.containers[1].resources"),
               "{\"requests\": {\"cpu\": \"100m\", \"memory\": \"64Mi\"}}");
    CHECK_JSON(wgt_get(v.mutated, "spec.containers[2].resources"),
               "{\"requests\": {\"cpu\": \"100m\", \"memory\": \"64Mi\"}}");
    CHECK_JSON(wgt_get(v.mutated, "spec.initContainers[0].resources"),
               "{\"requests\": {\"cpu\": \"100m\", \"memory\": \"64Mi\"}}");
    CHECK_CONTAINS(wgt_get_str(v.output, "response.response.auditAnnotations.add-defaults"),
                   "requests to 3 container(s)");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void objects_without_labels_get_a_whole_label_map(void)
{
    json_t *review = wgt_fixture_json("admission/configmap-create.json"); /* no labels */
    sdkt_verdict v = mutate(review);
    CHECK_JSON(wgt_get(v.mutated, "metadata.labels"),
               "{\"owner\": \"platform\", \"app\": \"not-this\","
               " \"app.kubernetes.io/part-of\": \"shop\"}");
    CHECK_STR(wgt_get_str(v.patch, "[0].path"), "/metadata/labels");
    CHECK(wgt_get(v.mutated, "spec") == NULL); /* no pod spec: no requests */
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void nothing_to_add_means_no_patch(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    sdkt_verdict v = sdkt_admission(validate, review, "{\"labels\": {\"app\": \"x\"}}", true);
    CHECK_INT(v.kind, 'A');
    CHECK(v.patch == NULL && v.mutated == NULL);
    CHECK(wgt_get(v.output, "response.response.auditAnnotations") == NULL);
    sdkt_verdict_free(&v);
    /* No settings at all: a module that does nothing. */
    v = sdkt_admission(validate, review, NULL, true);
    CHECK_INT(v.kind, 'A');
    CHECK(v.patch == NULL);
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void deletes_and_subresources_are_admitted_unchanged(void)
{
    const char *fixtures[] = {"admission/configmap-delete.json",
                              "admission/deployment-scale-update.json"};
    for (size_t i = 0; i < 2; i++) {
        json_t *review = wgt_fixture_json(fixtures[i]);
        sdkt_verdict v = mutate(review);
        CHECK_INT(v.kind, 'A');
        CHECK(v.patch == NULL);
        sdkt_verdict_free(&v);
        json_decref(review);
    }
}

static void broken_settings_fail_the_call(void)
{
    static const struct {
        const char *settings, *error;
    } cases[] = {
        {"{\"labels\": [\"a\"]}", "add-defaults: settings.labels and settings.annotations"},
        {"{\"annotations\": {\"a\": 1}}", "add-defaults: settings.labels and settings.annotations"},
        {"{\"requests\": {\"cpu\": true}}",
         "add-defaults: settings.labels and settings.annotations"},
        {"{\"patchType\": \"full\"}",
         "add-defaults: settings.patchType must be \"JSONPatch\" or \"Full\""},
    };
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sdkt_verdict v = sdkt_admission(validate, review, cases[i].settings, true);
        CHECK_INT(v.kind, 'E');
        if (!CHECK(strstr(v.message, cases[i].error) == v.message))
            fprintf(stderr, "    %s\n", v.message);
        sdkt_verdict_free(&v);
    }
    /* Quantities may be numbers. */
    sdkt_verdict v = sdkt_admission(validate, review, "{\"requests\": {\"cpu\": 1}}", true);
    CHECK_JSON(wgt_get(v.mutated, "spec.containers[0].resources.requests"), "{\"cpu\": 1}");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void v1beta1_reviews_are_mutated_too(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create-v1beta1.json");
    sdkt_verdict v = mutate(review);
    CHECK_INT(v.kind, 'A');
    CHECK_STR(wgt_get_str(v.output, "response.apiVersion"), "admission.k8s.io/v1beta1");
    CHECK_STR(wgt_get_str(v.mutated, "metadata.labels.owner"), "platform");
    sdkt_verdict_free(&v);
    json_decref(review);
}

int main(void)
{
    RUN(a_pod_gets_labels_annotations_and_requests);
    RUN(workload_templates_get_requests_on_create_and_update);
    RUN(a_pod_update_gets_no_requests);
    RUN(containers_that_request_something_are_left_alone);
    RUN(objects_without_labels_get_a_whole_label_map);
    RUN(nothing_to_add_means_no_patch);
    RUN(deletes_and_subresources_are_admitted_unchanged);
    RUN(broken_settings_fail_the_call);
    RUN(v1beta1_reviews_are_mutated_too);
    return wgt_finish();
}
