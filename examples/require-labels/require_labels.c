/*
 * require-labels — a validating k8s-wasm module (export `validate`) that refuses objects
 * missing any of the labels named in its settings. Works for objects of every kind.
 *
 * Settings (required): {"labels": ["team", "app.kubernetes.io/name"]}. A label counts as
 * present whatever its value (the empty string is a valid label value).
 *
 * Operations: CREATE and UPDATE of the object are judged (an UPDATE that removes a required
 * label is refused); DELETE, CONNECT and subresources are admitted — a DELETE has no object,
 * and a status or scale update does not carry the object's labels.
 */
#include "wasmgate_module.h"

#include "example_util.h"

#include <string.h>

void validate(void)
{
    if (!wgm_begin()) return;
    if (strcmp(wgm_review_kind(), "AdmissionReview") != 0) {
        wgm_error("require-labels judges AdmissionReviews; configure it for admission");
        return;
    }
    wgm_val required = wgm_get(wgm_settings(), "labels");
    if (!is_string_list(required) || wgm_len(required) == 0) {
        wgm_error("require-labels: settings.labels must be a non-empty array of label names");
        return;
    }
    wgm_val request = wgm_get(wgm_request(), "request");
    wgm_val object = wgm_get(request, "object");
    if (!is_object_write(request) || !wgm_exists(object)) {
        wgm_admit();
        return;
    }

    wgm_val labels = wgm_path(object, "metadata.labels"), name;
    message missing = {"", 0, 0};
    wgm_iter it = wgm_iterate(required);
    while (wgm_next(&it, NULL, &name))
        if (wgm_type_of(wgm_get_n(labels, wgm_str(name), wgm_str_len(name))) != WGM_STRING)
            message_add(&missing, "\"%s\"", wgm_str(name));

    if (missing.count > 0) {
        /* Name the object as kubectl would: Pod "default/nginx" (generateName: no name yet). */
        const char *ns = wgm_str_or(wgm_get(request, "namespace"), "");
        const char *object_name = wgm_str_or(wgm_get(request, "name"), "");
        char named[300] = "";
        if (object_name[0])
            snprintf(named, sizeof named, " \"%s%s%s\"", ns, ns[0] ? "/" : "", object_name);
        char text[900];
        snprintf(text, sizeof text, "%s%s is missing required label%s %s",
                 wgm_str_or(wgm_path(request, "kind.kind"), "object"), named,
                 missing.count > 1 ? "s" : "", missing.text);
        wgm_deny_admission(403, text);
    } else {
        wgm_admit();
    }
}
