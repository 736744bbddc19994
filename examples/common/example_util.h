/*
 * example_util.h — helpers shared by the example modules (header-only, so that each module
 * stays one source file plus the SDK): where a workload keeps its pod spec, string lists from
 * settings, and a bounded message builder for denial texts.
 *
 * Not part of the SDK: module authors may copy what they need.
 */
#ifndef WASMGATE_EXAMPLE_UTIL_H
#define WASMGATE_EXAMPLE_UTIL_H

#include "wasmgate_module.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The pod spec inside an object of a workload kind, as an escaped JSON Pointer relative to the
 * object. The API group is part of the match: a custom resource that happens to be called
 * "Deployment" in another group has no known layout. */
static inline const char *pod_spec_pointer(const char *group, const char *kind)
{
    static const struct {
        const char *group, *kind, *pointer;
    } layouts[] = {
        {"", "Pod", "/spec"},
        {"", "PodTemplate", "/template/spec"},
        {"", "ReplicationController", "/spec/template/spec"},
        {"apps", "Deployment", "/spec/template/spec"},
        {"apps", "ReplicaSet", "/spec/template/spec"},
        {"apps", "StatefulSet", "/spec/template/spec"},
        {"apps", "DaemonSet", "/spec/template/spec"},
        {"batch", "Job", "/spec/template/spec"},
        {"batch", "CronJob", "/spec/jobTemplate/spec/template/spec"},
    };
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (strcmp(group, layouts[i].group) == 0 && strcmp(kind, layouts[i].kind) == 0)
            return layouts[i].pointer;
    return NULL;
}

/* The pointer to the pod spec of the admission request's object (by request.kind), or NULL
 * when the kind has none. */
static inline const char *request_pod_spec_pointer(wgm_val request)
{
    return pod_spec_pointer(wgm_str_or(wgm_path(request, "kind.group"), ""),
                            wgm_str_or(wgm_path(request, "kind.kind"), ""));
}

/* The lists of containers a pod spec may have, by number from 0; NULL past the last. */
static inline const char *container_list(size_t i)
{
    static const char *const names[] = {"containers", "initContainers", "ephemeralContainers"};
    return i < sizeof names / sizeof names[0] ? names[i] : NULL;
}

/* True when v is an array whose elements are all strings (an empty array counts). */
static inline bool is_string_list(wgm_val v)
{
    wgm_val element;
    wgm_iter it = wgm_iterate(v);
    if (wgm_type_of(v) != WGM_ARRAY) return false;
    while (wgm_next(&it, NULL, &element))
        if (wgm_type_of(element) != WGM_STRING) return false;
    return true;
}

/* True when the string list contains s, or "*" when `wildcard` is set. */
static inline bool list_contains(wgm_val list, const char *s, bool wildcard)
{
    wgm_val element;
    wgm_iter it = wgm_iterate(list);
    while (wgm_next(&it, NULL, &element))
        if (wgm_str_eq(element, s) || (wildcard && wgm_str_eq(element, "*"))) return true;
    return false;
}

/* True when the admission request is a CREATE or UPDATE of the object itself: DELETE and
 * CONNECT bring no new object to judge, and a subresource (status, scale) is not the object's
 * spec — a policy that judged a pod's status update would block the kubelet. */
static inline bool is_object_write(wgm_val request)
{
    const char *operation = wgm_str_or(wgm_get(request, "operation"), "");
    const char *subresource = wgm_str_or(wgm_get(request, "subResource"), "");
    return (strcmp(operation, "CREATE") == 0 || strcmp(operation, "UPDATE") == 0) &&
           subresource[0] == '\0';
}

/* A denial message built from several findings: "finding; finding; ...", cut with "..." when
 * it would pass the buffer. */
typedef struct message {
    char text[512];
    size_t len;
    int count;
} message;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline void
message_add(message *m, const char *format, ...)
{
    const char *separator = m->count++ ? "; " : "";
    char item[256];
    va_list args;
    va_start(args, format);
    vsnprintf(item, sizeof item, format, args);
    va_end(args);
    int n = snprintf(m->text + m->len, sizeof m->text - m->len, "%s%s", separator, item);
    if (n < 0 || (size_t)n >= sizeof m->text - m->len) {
        memcpy(m->text + sizeof m->text - 4, "...", 4); /* truncated: say so */
        m->len = sizeof m->text - 1;
    } else {
        m->len += (size_t)n;
    }
}

#endif
