/*
 * test_deny_hostpath.c — the deny-hostpath example (examples/deny-hostpath), built natively
 * and fed the AdmissionReview fixtures as the host would (as a validating module).
 */
#include "sdk_testlib.h"

#include <string.h>

static sdkt_verdict judge(const json_t *review, const char *settings_json)
{
    return sdkt_admission(validate, review, settings_json, false);
}

/* pod-hostpath-create.json with its hostPath volume's path set to `path`. */
static json_t *hostpath_pod(const char *path)
{
    return sdkt_fixture_with("admission/pod-hostpath-create.json",
                             "request.object.spec.volumes[0].hostPath.path", json_string(path));
}

static void a_hostpath_volume_is_denied(void)
{
    json_t *review = wgt_fixture_json("admission/pod-hostpath-create.json");
    sdkt_verdict v = judge(review, NULL);
    CHECK_INT(v.kind, 'D');
    CHECK_INT(v.code, 403);
    CHECK_STR(v.message,
              "hostPath volumes are not allowed: volume \"varlog\" mounts the node's /var/log");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void allowed_prefixes_match_whole_path_components(void)
{
    static const struct {
        const char *path;
        char verdict;
    } cases[] = {{"/var/log", 'A'},           {"/var/log/pods", 'A'}, {"/var/log/", 'A'},
                 {"/var/logs", 'D'},          {"/var/lo", 'D'},       {"/var", 'D'},
                 {"/var/log/../../etc", 'D'}, {"/etc", 'D'},          {"", 'D'}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *review = hostpath_pod(cases[i].path);
        sdkt_verdict v = judge(review, "{\"allowedPathPrefixes\": [\"/data\", \"/var/log/\"]}");
        if (!CHECK_INT(v.kind, cases[i].verdict))
            fprintf(stderr, "    path \"%s\"\n", cases[i].path);
        sdkt_verdict_free(&v);
        json_decref(review);
    }
    /* "/" allows everything but paths with "..". */
    json_t *review = hostpath_pod("/etc");
    sdkt_verdict v = judge(review, "{\"allowedPathPrefixes\": [\"/\"]}");
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void workload_templates_are_judged(void)
{
    json_t *review = wgt_fixture_json("admission/deployment-create.json");
    sdkt_set(review, "request.object.spec.template.spec.volumes",
             json_pack("[{s:s, s:{s:s}}, {s:s, s:{}}, {s:s, s:{s:s}}]", "name", "root", "hostPath",
                       "path", "/", "name", "scratch", "emptyDir", "name", "docker", "hostPath",
                       "path", "/var/run/docker.sock"));
    sdkt_verdict v = judge(review, NULL);
    CHECK_INT(v.kind, 'D');
    CHECK_STR(v.message, "hostPath volumes are not allowed: volume \"root\" mounts the node's /; "
                         "volume \"docker\" mounts the node's /var/run/docker.sock");
    sdkt_verdict_free(&v);
    json_decref(review);
}

static void pods_without_hostpath_and_other_kinds_are_admitted(void)
{
    static const char *const fixtures[] = {"admission/pod-create.json",
                                           "admission/deployment-create.json",
                                           "admission/cronjob-create.json",
                                           "admission/configmap-create.json",
                                           "admission/configmap-delete.json",
                                           "admission/deployment-scale-update.json",
                                           NULL};
    CHECK_VERDICTS(validate, fixtures, NULL, 'A');
    /* Deleting a hostPath pod is fine. */
    json_t *pod = wgt_fixture_json("admission/pod-hostpath-create.json");
    json_t *review = sdkt_with_operation(pod, "DELETE", json_null(),
                                         json_deep_copy(wgt_get(pod, "request.object")));
    sdkt_verdict v = judge(review, NULL);
    CHECK_INT(v.kind, 'A');
    sdkt_verdict_free(&v);
    json_decref(review);
    json_decref(pod);
}

static void broken_settings_fail_the_call(void)
{
    json_t *review = wgt_fixture_json("admission/pod-hostpath-create.json");
    sdkt_verdict v = judge(review, "{\"allowedPathPrefixes\": \"/var/log\"}");
    CHECK_INT(v.kind, 'E');
    CHECK_STR(v.message, "deny-hostpath: settings.allowedPathPrefixes must be an array of strings");
    sdkt_verdict_free(&v);
    json_decref(review);
}

int main(void)
{
    RUN(a_hostpath_volume_is_denied);
    RUN(allowed_prefixes_match_whole_path_components);
    RUN(workload_templates_are_judged);
    RUN(pods_without_hostpath_and_other_kinds_are_admitted);
    RUN(broken_settings_fail_the_call);
    return wgt_finish();
}
