/*
 * fake_modules.c — the C fake modules behind fake_modules.h.
 *
 * The handlers build their answers with jansson the way a real module would with its own
 * JSON library: they read the input they were given (so a mutator sees the object as
 * mutated so far) and write a complete response.
 */
#include "fake_modules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fake_call(void *mod, const char *entry, const char *in, size_t inlen, char **out,
              size_t *outlen, char *err, size_t errsz)
{
    fake_module *fm = mod;
    atomic_fetch_add(&fm->calls, 1);
    if (!fm->no_record) {
        free(fm->last_input);
        fm->last_input = malloc(inlen + 1);
        if (fm->last_input) {
            memcpy(fm->last_input, in, inlen);
            fm->last_input[inlen] = '\0';
        }
        snprintf(fm->last_entry, sizeof fm->last_entry, "%s", entry);
    }
    if (fm->fail) {
        snprintf(err, errsz, "%s", fm->fail_message ? fm->fail_message : "");
        return 1;
    }
    char *text = NULL;
    if (fm->handler) {
        json_t *input = json_loadb(in, inlen, 0, NULL);
        if (!input) {
            snprintf(err, errsz, "fake module: input is not JSON");
            return 1;
        }
        text = fm->handler(fm, input);
        json_decref(input);
    } else if (fm->output) {
        text = strdup(fm->output);
    }
    *out = text;
    *outlen = text ? strlen(text) : 0;
    return 0;
}

wgk8s_module fake_descriptor(const char *name, fake_module *fm)
{
    wgk8s_module m = {0};
    m.name = name;
    m.protocol = WGK8S_PROTOCOL_K8S_WASM;
    m.failure_policy = WGK8S_FAILURE_FAIL;
    m.mod = fm;
    m.call = fake_call;
    return m;
}

void fake_reset(fake_module *fm)
{
    free(fm->last_input);
    fm->last_input = NULL;
}

json_t *fake_last_input(const fake_module *fm)
{
    return fm->last_input ? json_loads(fm->last_input, 0, NULL) : NULL;
}

/* Serialises and releases v. */
static char *finish(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    return s;
}

/* {"response": {"apiVersion", "kind", <key>: inner}} */
static char *review_response(const char *api_version, const char *kind, const char *key,
                             json_t *inner)
{
    return finish(
        json_pack("{s{sssss o}}", "response", "apiVersion", api_version, "kind", kind, key, inner));
}

char *fake_token_authn(fake_module *self, const json_t *input)
{
    const char *token = json_string_value(
        json_object_get(json_object_get(json_object_get(input, "request"), "spec"), "token"));
    json_t *status = json_object();
    const fake_token *row = NULL;
    for (const fake_token *t = self->tokens; t && t->token; t++)
        if (token && strcmp(t->token, token) == 0) row = t;
    if (row) {
        json_object_set_new(status, "authenticated", json_true());
        json_object_set_new(status, "user", json_loads(row->user_json, 0, NULL));
        if (row->audiences_json)
            json_object_set_new(status, "audiences", json_loads(row->audiences_json, 0, NULL));
    } else if (self->status_error) {
        json_object_set_new(status, "error", json_string(self->status_error));
    }
    return review_response(self->api_version ? self->api_version : "authentication.k8s.io/v1",
                           "TokenReview", "status", status);
}

char *fake_authorizer(fake_module *self, const json_t *input)
{
    (void)input;
    json_t *status = json_pack("{sb}", "allowed", self->allowed);
    if (self->denied) json_object_set_new(status, "denied", json_true());
    if (self->reason) json_object_set_new(status, "reason", json_string(self->reason));
    if (self->evaluation_error)
        json_object_set_new(status, "evaluationError", json_string(self->evaluation_error));
    return review_response(self->api_version ? self->api_version : "authorization.k8s.io/v1",
                           "SubjectAccessReview", "status", status);
}

/* A copy of object with metadata.labels[key] = value. */
static json_t *with_label(const json_t *object, const char *key, const char *value)
{
    /* A request without an object (DELETE) still gets one, so that tests can check how a
     * mutation of such a request is refused. */
    json_t *copy = json_is_object(object) ? json_deep_copy(object) : json_object();
    json_t *meta = json_object_get(copy, "metadata");
    if (!meta) {
        meta = json_object();
        json_object_set_new(copy, "metadata", meta);
    }
    json_t *labels = json_object_get(meta, "labels");
    if (!labels) {
        labels = json_object();
        json_object_set_new(meta, "labels", labels);
    }
    json_object_set_new(labels, key, json_string(value));
    return copy;
}

/* The JSON Patch a careful module would write to add one label. */
static json_t *label_patch(const json_t *object, const char *key, const char *value)
{
    json_t *labels = json_object_get(json_object_get(object, "metadata"), "labels");
    if (!labels)
        return json_pack("[{sssss{ss}}]", "op", "add", "path", "/metadata/labels", "value", key,
                         value);
    char *escaped = wgk8s_json_pointer_escape(key);
    char path[512];
    snprintf(path, sizeof path, "/metadata/labels/%s", escaped);
    free(escaped);
    return json_pack("[{ssssss}]", "op", "add", "path", path, "value", value);
}

static void add_extras(fake_module *self, json_t *obj, const char *annotations_key)
{
    if (self->warning) json_object_set_new(obj, "warnings", json_pack("[s]", self->warning));
    if (self->annotation_key)
        json_object_set_new(obj, annotations_key,
                            json_pack("{ss}", self->annotation_key, self->annotation_value));
}

char *fake_admission(fake_module *self, const json_t *input)
{
    const json_t *review = json_object_get(input, "request");
    const json_t *request = json_object_get(review, "request");
    const char *uid = self->uid ? self->uid : json_string_value(json_object_get(request, "uid"));
    json_t *response = json_pack("{sssb}", "uid", uid ? uid : "", "allowed", self->allowed);
    if (self->message || self->code || self->reason) {
        json_t *status = json_object();
        if (self->code) json_object_set_new(status, "code", json_integer(self->code));
        if (self->message) json_object_set_new(status, "message", json_string(self->message));
        if (self->reason) json_object_set_new(status, "reason", json_string(self->reason));
        json_object_set_new(response, "status", status);
    }
    if (self->patch_type) {
        const json_t *object = json_object_get(request, "object");
        json_t *body = strcmp(self->patch_type, "Full") == 0
                           ? with_label(object, self->label_key, self->label_value)
                           : label_patch(object, self->label_key, self->label_value);
        char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
        char *b64 = text ? wgk8s_base64_encode(text, strlen(text), NULL) : NULL;
        json_object_set_new(response, "patch", json_string(b64));
        json_object_set_new(response, "patchType", json_string(self->patch_type));
        free(b64);
        free(text);
        json_decref(body);
    }
    add_extras(self, response, "auditAnnotations");
    return review_response(self->api_version ? self->api_version : "admission.k8s.io/v1",
                           "AdmissionReview", "response", response);
}

char *fake_kubewarden(fake_module *self, const json_t *input)
{
    const json_t *request = json_object_get(input, "request");
    json_t *out = json_pack("{sb}", "accepted", self->allowed);
    if (self->message) json_object_set_new(out, "message", json_string(self->message));
    if (self->code) json_object_set_new(out, "code", json_integer(self->code));
    if (self->kubewarden_mutate)
        json_object_set_new(
            out, "mutated_object",
            with_label(json_object_get(request, "object"), self->label_key, self->label_value));
    add_extras(self, out, "audit_annotations");
    return finish(out);
}
