/*
 * deny-privileged — a validating k8s-wasm module (export `validate`) that refuses pods which
 * could take over their node: privileged containers (init and ephemeral ones included) and
 * pods sharing the node's network, PID or IPC namespace (hostNetwork, hostPID, hostIPC).
 * Pods are judged wherever they are declared: Pods, PodTemplates, ReplicationControllers,
 * Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs.
 *
 * Settings (optional): {"exemptNamespaces": ["kube-system"]} — namespaces whose requests are
 * admitted unjudged (with an audit annotation saying so).
 *
 * Operations: CREATE and UPDATE of the object are judged (an UPDATE is judged on the new
 * object, so a Deployment cannot be edited into a privileged one); DELETE, CONNECT and
 * subresources (status, scale) are admitted — they bring no pod spec to judge — except the
 * pods/ephemeralcontainers subresource, which is how `kubectl debug` adds a container.
 * Objects of other kinds are admitted: the webhook's rules decide what is sent here.
 */
#include "wasmgate_module.h"

#include "example_util.h"

#include <string.h>

/* Adds a finding for every privileged container of the pod spec (init and ephemeral ones
 * included: each runs on the node like any other). */
static void check_containers(wgm_val pod_spec, message *findings)
{
    static const char *const what[] = {"container", "init container", "ephemeral container"};
    for (size_t l = 0; l < sizeof what / sizeof what[0] && container_list(l); l++) {
        wgm_val container;
        wgm_iter it = wgm_iterate(wgm_get(pod_spec, container_list(l)));
        while (wgm_next(&it, NULL, &container)) {
            if (wgm_is_true(wgm_path(container, "securityContext.privileged")))
                message_add(findings, "%s \"%s\" is privileged", what[l],
                            wgm_str_or(wgm_get(container, "name"), "?"));
        }
    }
}

void validate(void)
{
    if (!wgm_begin()) return;
    if (strcmp(wgm_review_kind(), "AdmissionReview") != 0) {
        wgm_error("deny-privileged judges AdmissionReviews; configure it for admission");
        return;
    }
    wgm_val request = wgm_get(wgm_request(), "request");
    wgm_val exempt = wgm_get(wgm_settings(), "exemptNamespaces");
    if (wgm_exists(exempt) && !is_string_list(exempt)) {
        wgm_error("deny-privileged: settings.exemptNamespaces must be an array of strings");
        return;
    }

    const char *subresource = wgm_str_or(wgm_get(request, "subResource"), "");
    bool ephemeral = strcmp(subresource, "ephemeralcontainers") == 0;
    const char *operation = wgm_str_or(wgm_get(request, "operation"), "");
    bool judged = is_object_write(request) || (ephemeral && strcmp(operation, "UPDATE") == 0);
    const char *pointer = request_pod_spec_pointer(request);
    wgm_val object = wgm_get(request, "object");
    if (!judged || !pointer || !wgm_exists(object)) {
        wgm_admit();
        return;
    }
    const char *ns = wgm_str_or(wgm_get(request, "namespace"), "");
    if (list_contains(exempt, ns, false)) {
        wgm_add_audit_annotation("deny-privileged", "namespace exempt");
        wgm_admit();
        return;
    }

    wgm_val pod_spec = wgm_pointer(object, pointer);
    message findings = {"", 0, 0};
    static const char *const host_namespaces[] = {"hostNetwork", "hostPID", "hostIPC"};
    for (size_t i = 0; i < 3; i++)
        if (wgm_is_true(wgm_get(pod_spec, host_namespaces[i])))
            message_add(&findings, "%s is not allowed", host_namespaces[i]);
    check_containers(pod_spec, &findings);

    if (findings.count > 0) {
        char text[600];
        snprintf(text, sizeof text, "privileged pods are not allowed: %s", findings.text);
        wgm_deny_admission(403, text);
    } else {
        wgm_admit();
    }
}
