/*
 * add-defaults — a mutating k8s-wasm module (export `validate`): adds default labels and
 * annotations to objects of any kind, and default resource requests to the containers of pod
 * specs (Pods and workload templates, see example_util.h) that request nothing. It never
 * overwrites what the object already has.
 *
 * Settings (all optional):
 *   {"labels":      {"owner": "platform"},             labels to add when missing
 *    "annotations": {"example.com/defaulted": "true"}, annotations to add when missing
 *    "requests":    {"cpu": "100m", "memory": "64Mi"}, requests for containers without any
 *    "patchType":   "JSONPatch" | "Full"}              how the mutation is sent (JSONPatch)
 * A container "requests nothing" when it has no resources.requests or an empty one.
 *
 * Operations: CREATE and UPDATE of the object (labels and annotations are restored if an
 * update drops them). Requests are added on UPDATE only for workload templates: a Pod's
 * resources cannot be changed by an update. DELETE, CONNECT and subresources are admitted
 * unchanged. The audit annotation "add-defaults" says what was added.
 */
#include "wasmgate_module.h"

#include "example_util.h"

#include <string.h>

/* True when v is an object whose values are strings (or, if `numbers`, strings or numbers:
 * a resource quantity may be written as a JSON number). */
static bool is_string_map(wgm_val v, bool numbers)
{
    wgm_val value;
    wgm_iter it = wgm_iterate(v);
    if (wgm_type_of(v) != WGM_OBJECT) return false;
    while (wgm_next(&it, NULL, &value)) {
        wgm_type type = wgm_type_of(value);
        if (type != WGM_STRING && !(numbers && type == WGM_NUMBER)) return false;
    }
    return true;
}

/* Adds the members of `defaults` missing from the map `member` of the object at `parent`
 * (e.g. parent "/metadata", member "labels"). A missing or null map is added whole, with
 * one operation. Returns the number of members added. */
static int add_missing_members(wgm_val object, const char *parent, const char *member,
                               wgm_val defaults)
{
    char pointer[256] = "";
    int added = 0;
    wgm_val key, value;
    if (wgm_len(defaults) == 0) return 0;
    if (strlen(parent) >= sizeof pointer) return 0;
    strcpy(pointer, parent);
    if (!wgm_pointer_append(pointer, sizeof pointer, member)) return 0;
    wgm_val existing = wgm_pointer(object, pointer);
    if (!wgm_exists(existing)) {
        if (wgm_type_of(wgm_pointer(object, parent)) != WGM_OBJECT) return 0;
        wgm_patch_add(parent, member, defaults);
        return (int)wgm_len(defaults);
    }
    if (wgm_type_of(existing) != WGM_OBJECT) return 0; /* malformed: leave it to the API */
    wgm_iter it = wgm_iterate(defaults);
    while (wgm_next(&it, &key, &value)) {
        if (wgm_type_of(wgm_get_n(existing, wgm_str(key), wgm_str_len(key))) != WGM_MISSING)
            continue;
        wgm_patch_add(pointer, wgm_str(key), value);
        added++;
    }
    return added;
}

/* Gives every container of the pod spec at `spec_pointer` that requests nothing the
 * default requests. Returns the number of containers changed. */
static int add_requests(wgm_val object, const char *spec_pointer, wgm_val requests)
{
    int changed = 0;
    wgm_val pod_spec = wgm_pointer(object, spec_pointer);
    /* Ephemeral containers may not set resources at all: only regular and init ones. */
    for (size_t l = 0; l < 2; l++) {
        wgm_val container;
        wgm_iter it = wgm_iterate(wgm_get(pod_spec, container_list(l)));
        for (size_t i = 0; wgm_next(&it, NULL, &container); i++) {
            char pointer[256] = "";
            wgm_val resources = wgm_get(container, "resources");
            wgm_val existing = wgm_get(resources, "requests");
            if (wgm_exists(existing) && (wgm_type_of(existing) != WGM_OBJECT || wgm_len(existing)))
                continue; /* requests something already (or is malformed: not ours to fix) */
            if (wgm_exists(resources) && wgm_type_of(resources) != WGM_OBJECT) continue;
            if (strlen(spec_pointer) >= sizeof pointer) continue;
            strcpy(pointer, spec_pointer);
            wgm_pointer_append(pointer, sizeof pointer, container_list(l));
            if (!wgm_pointer_append_index(pointer, sizeof pointer, i)) continue;
            if (wgm_exists(resources)) {
                wgm_pointer_append(pointer, sizeof pointer, "resources");
                wgm_patch_add(pointer, "requests", requests);
            } else {
                /* No resources at all: add {"requests": {...}} in one operation. */
                wgm_writer w = WGM_WRITER_INIT;
                wgm_write_object_begin(&w);
                wgm_write_key(&w, "requests");
                wgm_write_value(&w, requests);
                wgm_write_object_end(&w);
                const char *text = wgm_writer_text(&w);
                wgm_patch_add(pointer, "resources", text ? wgm_json(text) : WGM_NONE);
                wgm_writer_free(&w);
            }
            changed++;
        }
    }
    return changed;
}

void validate(void)
{
    if (!wgm_begin()) return;
    if (strcmp(wgm_review_kind(), "AdmissionReview") != 0) {
        wgm_error("add-defaults mutates AdmissionReviews; configure it for admission");
        return;
    }
    wgm_val settings = wgm_settings();
    wgm_val labels = wgm_get(settings, "labels"), annotations = wgm_get(settings, "annotations");
    wgm_val requests = wgm_get(settings, "requests"), patch_type = wgm_get(settings, "patchType");
    if ((wgm_exists(labels) && !is_string_map(labels, false)) ||
        (wgm_exists(annotations) && !is_string_map(annotations, false)) ||
        (wgm_exists(requests) && !is_string_map(requests, true))) {
        wgm_error("add-defaults: settings.labels and settings.annotations must map names to "
                  "strings, settings.requests resource names to quantities");
        return;
    }
    if (wgm_exists(patch_type)) {
        if (wgm_str_eq(patch_type, "Full")) {
            wgm_set_patch_type(WGM_PATCH_FULL);
        } else if (!wgm_str_eq(patch_type, "JSONPatch")) {
            wgm_error("add-defaults: settings.patchType must be \"JSONPatch\" or \"Full\"");
            return;
        }
    }

    wgm_val request = wgm_get(wgm_request(), "request");
    wgm_val object = wgm_get(request, "object");
    if (!is_object_write(request) || wgm_type_of(object) != WGM_OBJECT) {
        wgm_admit();
        return;
    }
    int added_labels = add_missing_members(object, "/metadata", "labels", labels);
    int added_annotations = add_missing_members(object, "/metadata", "annotations", annotations);
    int containers = 0;
    const char *spec_pointer = request_pod_spec_pointer(request);
    bool is_pod = wgm_str_eq(wgm_path(request, "kind.kind"), "Pod") &&
                  wgm_str_eq(wgm_path(request, "kind.group"), "");
    bool creating = wgm_str_eq(wgm_get(request, "operation"), "CREATE");
    if (spec_pointer && wgm_len(requests) > 0 && (creating || !is_pod))
        containers = add_requests(object, spec_pointer, requests);

    if (added_labels + added_annotations + containers > 0) {
        char summary[160];
        snprintf(summary, sizeof summary,
                 "added %d label(s), %d annotation(s), requests to %d container(s)", added_labels,
                 added_annotations, containers);
        wgm_add_audit_annotation("add-defaults", summary);
    }
    wgm_admit(); /* sends the patch; answers with an error if an operation was refused */
}
