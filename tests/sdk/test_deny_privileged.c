/*
 * test_deny_privileged.c — the deny-privileged example (examples/deny-privileged), built
 * natively and fed the AdmissionReview fixtures as the host would (as a validating module:
 * the host refuses any patch from it).
 */
#include "sdk_testlib.h"

#include <string.h>

static sdkt_verdict judge(const json_t *review, const char *settings_json)
{
    return sdkt_admission(validate, review, settings_json, false);
}

/* The fixture with `value` set at the dotted path `field` of request.object. */
static json_t *with_field(const char *fixture, const char *field, json_t *value)
{
    char path[256];
    snprintf(path, sizeof path, "request.object.%s", field);
    return sdkt_fixture_with(fixture, path, value);
}

static void a_privileged_pod_on_the_host_network_is_denied(void)
{
    json_t *review = wgt_fixture_json("admission/pod-privileged-create.json");
    sdkt_verdict v = judge(review, NULL);
    CHECK_INT(v.kind, 'D');
    CHECK_INT(v.code, 403);
    CHECK_STR(v.message, "privileged pods are not allowed: hostNetwork is not allowed; "
                         "container \"busybox\" is privileged");
    CHECK(wgt_get(v.output, "response.response.patch") == NULL);
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void ordinary_pods_and_workloads_are_admitted(void)
{
    const char *fixtures[] = {
        "admission/pod-create.json",        "admission/pod-create-v1beta1.json",
        "admission/deployment-create.json", "admission/deployment-large-create.json",
        "admission/deployment-update.json", "admission/job-create.json",
        "admission/cronjob-create.json",    "admission/pod-hostpath-create.json"};
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        json_t *review = wgt_fixture_json(fixtures[i]);
        sdkt_verdict v = judge(review, NULL);
        if (!CHECK_INT(v.kind, 'A')) fprintf(stderr, "    %s: %s\n", fixtures[i], v.message);
        CHECK_STR(wgt_get_str(v.output, "response.response.uid"),
                  wgt_get_str(review, "request.uid"));
        sdkt_verdict_free(&v);
        json_decref(review);
    }
}

static void pod_templates_are_judged_in_every_workload_kind(void)
{
    static const struct {
        const char *fixture, *field, *finding;
    } cases[] = {
        {"admission/deployment-create.json",
         "spec.template.spec.containers[0].securityContext.privileged",
         "container \"nginx\" is privileged"},
        {"admission/deployment-update.json", "spec.template.spec.hostPID",
         "hostPID is not allowed"},
        {"admission/job-create.json", "spec.template.spec.hostIPC", "hostIPC is not allowed"},
        {"admission/cronjob-create.json",
         "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged",
         "container \"nightly\" is privileged"},
        {"admission/pod-create.json", "spec.hostNetwork", "hostNetwork is not allowed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *review = with_field(cases[i].fixture, cases[i].field, json_true());
        sdkt_verdict v = judge(review, NULL);
        if (!CHECK_INT(v.kind, 'D')) fprintf(stderr, "    %s\n", cases[i].fixture);
        CHECK_CONTAINS(v.message, cases[i].finding);
        sdkt_verdict_free(&v);
        json_decref(review);
        /* false is fine */
        review = with_field(cases[i].fixture, cases[i].field, json_false());
        v = judge(review, NULL);
        CHECK_INT(v.kind, 'A');
        sdkt_verdict_free(&v);
        json_decref(review);
    }
}

static void init_and_ephemeral_containers_count_too(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    json_t *spec = wgt_get(review, "request.object.spec");
    json_object_set_new(
        spec, "initContainers",
        json_pack("[{s:s, s:{s:b}}]", "name", "setup", "securityContext", "privileged", 1));
    json_object_set_new(
        spec, "ephemeralContainers",
        json_pack("[{s:s, s:{s:b}}]", "name", "debugger", "securityContext", "privileged", 1));
    sdkt_verdict v = judge(review, NULL);
    CHECK_INT(v.kind, 'D');
    CHECK_STR(v.message, "privileged pods are not allowed: init container \"setup\" is "
                         "privileged; ephemeral container \"debugger\" is privileged");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void deletes_and_subresources_are_admitted(void)
{
    /* DELETE of a privileged pod: object is null, there is nothing new to judge. */
    json_t *pod = wgt_fixture_json("admission/pod-privileged-create.json");
    json_t *review = sdkt_with_operation(pod, "DELETE", json_null(),
                                         json_deep_copy(wgt_get(pod, "request.object")));
    sdkt_verdict v = judge(review, NULL);
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);
    json_decref(review);

    /* A status update of a pod that is privileged must not be blocked (the kubelet's). */
    review =
        sdkt_with_operation(pod, "UPDATE", NULL, json_deep_copy(wgt_get(pod, "request.object")));
    json_object_set_new(json_object_get(review, "request"), "subResource", json_string("status"));
    v = judge(review, NULL);
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);

    /* But `kubectl debug` (the ephemeralcontainers subresource) is judged. */
    json_object_set_new(json_object_get(review, "request"), "subResource",
                        json_string("ephemeralcontainers"));
    v = judge(review, NULL);
    CHECK_INT(v.kind, 'D');
    sdkt_verdict_free(&v);
    json_decref(review);
    json_decref(pod);

    static const char *const fixtures[] = {"admission/configmap-delete.json",
                                           "admission/deployment-scale-update.json", NULL};
    CHECK_VERDICTS(validate, fixtures, NULL, 'A');
}

static void objects_without_a_pod_spec_are_admitted(void)
{
    static const char *const fixtures[] = {"admission/configmap-create.json",
                                           "admission/service-create.json",
                                           "admission/namespace-create.json",
                                           "admission/secret-create.json",
                                           "admission/rolebinding-create.json",
                                           "admission/ingress-create.json",
                                           NULL};
    CHECK_VERDICTS(validate, fixtures, NULL, 'A');
    /* A custom "Deployment" in another API group has no known layout. */
    json_t *review = with_field("admission/deployment-create.json",
                                "spec.template.spec.hostNetwork", json_true());
    json_object_set_new(wgt_get(review, "request.kind"), "group", json_string("example.com"));
    sdkt_verdict v = judge(review, NULL);
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void exempt_namespaces_are_admitted_with_an_audit_annotation(void)
{
    json_t *review = wgt_fixture_json("admission/pod-privileged-create.json"); /* in team-a */
    sdkt_verdict v = judge(review, "{\"exemptNamespaces\": [\"kube-system\", \"team-a\"]}");
    CHECK_INT(v.kind, 'A');
    CHECK_JSON(wgt_get(v.output, "response.response.auditAnnotations"),
               "{\"deny-privileged\": \"namespace exempt\"}");
    sdkt_verdict_free(&v);
    v = judge(review, "{\"exemptNamespaces\": [\"kube-system\"]}");
    CHECK_INT(v.kind, 'D');
    sdkt_verdict_free(&v);
    v = judge(review, "{\"exemptNamespaces\": \"team-a\"}");
    CHECK_INT(v.kind, 'E');
    CHECK_STR(v.message, "deny-privileged: settings.exemptNamespaces must be an array of strings");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void other_reviews_are_refused(void)
{
    json_t *review = wgt_fixture_json("authentication/tokenreview-v1.json");
    sdkt_output out = sdkt_call(validate, review, NULL);
    CHECK_STR(sdkt_error(&out),
              "deny-privileged judges AdmissionReviews; configure it for admission");
    sdkt_output_free(&out);
    json_decref(review);
}

int main(void)
{
    RUN(a_privileged_pod_on_the_host_network_is_denied);
    RUN(ordinary_pods_and_workloads_are_admitted);
    RUN(pod_templates_are_judged_in_every_workload_kind);
    RUN(init_and_ephemeral_containers_count_too);
    RUN(deletes_and_subresources_are_admitted);
    RUN(objects_without_a_pod_spec_are_admitted);
    RUN(exempt_namespaces_are_admitted_with_an_audit_annotation);
    RUN(other_reviews_are_refused);
    return wgt_finish();
}
