/*
 * deny-hostpath — a validating k8s-wasm module (export `validate`) that refuses pods mounting
 * directories of the node (hostPath volumes), in Pods and in the pod templates of workloads
 * (the kinds listed in example_util.h).
 *
 * Settings (optional): {"allowedPathPrefixes": ["/var/log"]} — hostPath volumes under one of
 * these directories are allowed. A prefix matches whole path components: "/var/log" allows
 * "/var/log" and "/var/log/pods" but not "/var/logs". Paths containing ".." are never
 * allowed, since they could climb out of an allowed directory.
 *
 * Operations: CREATE and UPDATE of the object are judged; DELETE, CONNECT and subresources
 * are admitted (no new pod spec). Objects without a pod spec are admitted.
 */
#include "wasmgate_module.h"

#include "example_util.h"

#include <string.h>

/* True when `path` lies in the directory `prefix` (component-wise, no ".." anywhere). */
static bool path_is_under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);
    while (n > 1 && prefix[n - 1] == '/')
        n--; /* "/var/log/" means "/var/log" */
    if (strstr(path, "..") || strncmp(path, prefix, n) != 0) return false;
    return path[n] == '\0' || path[n] == '/' || (n == 1 && prefix[0] == '/');
}

/* True when some allowed prefix contains `path`. */
static bool path_allowed(const char *path, wgm_val allowed)
{
    wgm_val prefix;
    wgm_iter it = wgm_iterate(allowed);
    while (wgm_next(&it, NULL, &prefix))
        if (path_is_under(path, wgm_str(prefix))) return true;
    return false;
}

void validate(void)
{
    if (!wgm_begin()) return;
    if (strcmp(wgm_review_kind(), "AdmissionReview") != 0) {
        wgm_error("deny-hostpath judges AdmissionReviews; configure it for admission");
        return;
    }
    wgm_val allowed = wgm_get(wgm_settings(), "allowedPathPrefixes");
    if (wgm_exists(allowed) && !is_string_list(allowed)) {
        wgm_error("deny-hostpath: settings.allowedPathPrefixes must be an array of strings");
        return;
    }
    wgm_val request = wgm_get(wgm_request(), "request");
    const char *pointer = request_pod_spec_pointer(request);
    wgm_val object = wgm_get(request, "object");
    if (!is_object_write(request) || !pointer || !wgm_exists(object)) {
        wgm_admit();
        return;
    }

    message findings = {"", 0, 0};
    wgm_val volume;
    wgm_iter it = wgm_iterate(wgm_get(wgm_pointer(object, pointer), "volumes"));
    while (wgm_next(&it, NULL, &volume)) {
        wgm_val host_path = wgm_get(volume, "hostPath");
        if (!wgm_exists(host_path)) continue;
        const char *path = wgm_str_or(wgm_get(host_path, "path"), "");
        if (!path_allowed(path, allowed))
            message_add(&findings, "volume \"%s\" mounts the node's %s",
                        wgm_str_or(wgm_get(volume, "name"), "?"), path[0] ? path : "(no path)");
    }
    if (findings.count > 0) {
        char text[600];
        snprintf(text, sizeof text, "hostPath volumes are not allowed: %s", findings.text);
        wgm_deny_admission(403, text);
    } else {
        wgm_admit();
    }
}
