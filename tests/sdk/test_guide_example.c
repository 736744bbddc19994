/*
 * test_guide_example.c — the complete module of docs/module-authors.md §2 (no-latest.c,
 * extracted from the guide by tests/sdk/CMakeLists.txt), built natively and fed fixtures:
 * the guide's example must do what the guide says.
 */
#include "sdk_testlib.h"

#include <string.h>

/* pod-create.json with its container's image set to `image`. */
static json_t *pod_with_image(const char *image)
{
    return sdkt_fixture_with("admission/pod-create.json", "request.object.spec.containers[0].image",
                             json_string(image));
}

static void pinned_images_are_admitted_and_floating_ones_denied(void)
{
    static const struct {
        const char *image;
        char verdict;
    } cases[] = {{"nginx:1.27", 'A'},
                 {"nginx", 'D'},
                 {"nginx:latest", 'D'},
                 {"registry.example.com:5000/nginx", 'D'},
                 {"registry.example.com:5000/team/nginx:1.2", 'A'},
                 {"nginx@sha256:0123456789abcdef", 'A'},
                 {"", 'D'}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *review = pod_with_image(cases[i].image);
        sdkt_verdict v = sdkt_admission(validate, review, NULL, false);
        if (!CHECK_INT(v.kind, cases[i].verdict)) fprintf(stderr, "    image %s\n", cases[i].image);
        sdkt_verdict_free(&v);
        json_decref(review);
    }
    json_t *review = pod_with_image("nginx:latest");
    sdkt_verdict v = sdkt_admission(validate, review, NULL, false);
    CHECK_INT(v.code, 403);
    CHECK_STR(v.message, "container \"nginx\": image \"nginx:latest\" is not pinned");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void exempt_namespaces_are_admitted_with_an_audit_annotation(void)
{
    json_t *review = pod_with_image("nginx"); /* in "default" */
    sdkt_verdict v =
        sdkt_admission(validate, review, "{\"exemptNamespaces\": [\"default\"]}", false);
    CHECK_INT(v.kind, 'A');
    CHECK_STR(wgt_get_str(v.output, "response.response.auditAnnotations.no-latest"),
              "namespace exempt");
    sdkt_verdict_free(&v);
    v = sdkt_admission(validate, review, "{\"exemptNamespaces\": \"default\"}", false);
    CHECK_INT(v.kind, 'E');
    CHECK_STR(v.message, "settings.exemptNamespaces must be an array of namespace names");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void other_kinds_and_deletes_are_admitted(void)
{
    static const char *const fixtures[] = {"admission/deployment-create.json",
                                           "admission/configmap-delete.json", NULL};
    CHECK_VERDICTS(validate, fixtures, NULL, 'A');
    json_t *pod = pod_with_image("nginx");
    json_t *review = sdkt_with_operation(pod, "DELETE", json_null(),
                                         json_deep_copy(wgt_get(pod, "request.object")));
    sdkt_verdict v = sdkt_admission(validate, review, NULL, false);
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);
    json_decref(review);
    json_decref(pod);
}

int main(void)
{
    RUN(pinned_images_are_admitted_and_floating_ones_denied);
    RUN(exempt_namespaces_are_admitted_with_an_audit_annotation);
    RUN(other_kinds_and_deletes_are_admitted);
    return wgt_finish();
}
