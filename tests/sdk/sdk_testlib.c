/*
 * sdk_testlib.c — the harness behind sdk_testlib.h: in-process calls of module exports with
 * the SDK's input and output redirected to temporary files.
 */
#include "sdk_testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A temporary file descriptor: unlinked at once, gone when closed. */
static int temporary_fd(void)
{
    char path[] = "/tmp/wgm-sdk-test-XXXXXX";
    int fd = mkstemp(path);
    if (fd >= 0) unlink(path);
    return fd;
}

sdkt_output sdkt_call_raw(void (*entry)(void), const char *input, size_t len)
{
    sdkt_output out = {NULL, 0, NULL};
    int in_fd = temporary_fd(), out_fd = temporary_fd();
    if (!wgt_check(in_fd >= 0 && out_fd >= 0, "temporary files", __FILE__, __LINE__)) goto done;
    for (size_t off = 0; off < len;) {
        ssize_t n = write(in_fd, input + off, len - off);
        if (!wgt_check(n > 0, "input written", __FILE__, __LINE__)) goto done;
        off += (size_t)n;
    }
    lseek(in_fd, 0, SEEK_SET);

    wgm_set_fds(in_fd, out_fd);
    entry();
    wgm_release();
    wgm_set_fds(0, 1);

    off_t size = lseek(out_fd, 0, SEEK_END);
    lseek(out_fd, 0, SEEK_SET);
    out.text = malloc((size_t)size + 1);
    if (!out.text) goto done;
    for (out.len = 0; out.len < (size_t)size;) {
        ssize_t n = read(out_fd, out.text + out.len, (size_t)size - out.len);
        if (n <= 0) break;
        out.len += (size_t)n;
    }
    out.text[out.len] = '\0';
    /* One JSON value and nothing after it, as the host requires. */
    json_error_t jerr;
    out.json = json_loadb(out.text, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!out.json) {
        fprintf(stderr, "  module output is not JSON (%s): %.300s\n", jerr.text, out.text);
        wgt_check(false, "module output is JSON", __FILE__, __LINE__);
    }
done:
    if (in_fd >= 0) close(in_fd);
    if (out_fd >= 0) close(out_fd);
    return out;
}

sdkt_output sdkt_call(void (*entry)(void), const json_t *review, const char *settings_json)
{
    char err[256] = "";
    size_t len = 0;
    char *input =
        wgk8s_module_input(WGK8S_PROTOCOL_K8S_WASM, review, settings_json, &len, err, sizeof err);
    if (!input) {
        fprintf(stderr, "  wgk8s_module_input: %s\n", err);
        wgt_check(false, "module input can be built", __FILE__, __LINE__);
        sdkt_output none = {NULL, 0, NULL};
        return none;
    }
    sdkt_output out = sdkt_call_raw(entry, input, len);
    free(input);
    return out;
}

void sdkt_output_free(sdkt_output *out)
{
    free(out->text);
    json_decref(out->json);
    out->text = NULL;
    out->json = NULL;
}

static bool host_verdict(wgk8s_status st, const char *err)
{
    if (st != WGK8S_OK) {
        fprintf(stderr, "  the host refuses the module's output: %s\n", err);
        wgt_check(false, "the host accepts the output", __FILE__, __LINE__);
    }
    return st == WGK8S_OK;
}

bool sdkt_host_authn(const json_t *review, const sdkt_output *out, wgk8s_authn_decision *d)
{
    char err[512] = "";
    wgk8s_status st = wgk8s_authn_interpret(WGK8S_PROTOCOL_K8S_WASM, review, out->text, out->len, d,
                                            err, sizeof err);
    return host_verdict(st, err);
}

bool sdkt_host_authz(const json_t *review, const sdkt_output *out, wgk8s_authz_decision *d)
{
    char err[512] = "";
    wgk8s_status st = wgk8s_authz_interpret(WGK8S_PROTOCOL_K8S_WASM, review, out->text, out->len, d,
                                            err, sizeof err);
    return host_verdict(st, err);
}

bool sdkt_host_admission(const json_t *review, bool mutating, const sdkt_output *out,
                         wgk8s_admission_decision *d)
{
    char err[512] = "";
    wgk8s_status st = wgk8s_admission_interpret(WGK8S_PROTOCOL_K8S_WASM, review, mutating,
                                                out->text, out->len, d, err, sizeof err);
    return host_verdict(st, err);
}

bool sdkt_set(json_t *root, const char *path, json_t *value)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    char *last = strrchr(buf, '.');
    json_t *parent = root;
    if (last) {
        *last = '\0';
        for (char *part = strtok(buf, "."); part && parent; part = strtok(NULL, ".")) {
            char *bracket = strchr(part, '[');
            if (bracket) *bracket = '\0';
            if (*part && !json_object_get(parent, part))
                json_object_set_new(parent, part, json_object());
            if (*part) parent = json_object_get(parent, part);
            if (bracket) parent = json_array_get(parent, strtoul(bracket + 1, NULL, 10));
        }
    }
    const char *key = last ? last + 1 : buf;
    if (!json_is_object(parent)) {
        json_decref(value);
        return wgt_check(false, "sdkt_set: the path exists", __FILE__, __LINE__);
    }
    json_object_set_new(parent, key, value);
    return true;
}

json_t *sdkt_fixture_with(const char *relpath, const char *path, json_t *value)
{
    json_t *review = wgt_fixture_json(relpath);
    if (review)
        sdkt_set(review, path, value);
    else
        json_decref(value);
    return review;
}

const char *sdkt_error(const sdkt_output *out)
{
    return wgt_get_str(out->json, "error");
}

json_t *sdkt_patch(const sdkt_output *out)
{
    const char *b64 = wgt_get_str(out->json, "response.response.patch");
    if (!b64) return NULL;
    size_t len;
    char err[128] = "";
    unsigned char *bytes = wgk8s_base64_decode(b64, strlen(b64), &len, err, sizeof err);
    if (!bytes) {
        fprintf(stderr, "  patch is not base64: %s\n", err);
        wgt_check(false, "patch is base64", __FILE__, __LINE__);
        return NULL;
    }
    json_error_t jerr;
    json_t *patch = json_loadb((const char *)bytes, len, 0, &jerr);
    if (!patch) {
        fprintf(stderr, "  patch is not JSON: %s\n", jerr.text);
        wgt_check(false, "patch is JSON", __FILE__, __LINE__);
    }
    free(bytes);
    return patch;
}

json_t *sdkt_with_operation(const json_t *review, const char *operation, json_t *object,
                            json_t *old_object)
{
    json_t *copy = json_deep_copy(review);
    json_t *request = json_object_get(copy, "request");
    json_object_set_new(request, "operation", json_string(operation));
    if (object) json_object_set_new(request, "object", object);
    if (old_object) json_object_set_new(request, "oldObject", old_object);
    return copy;
}

sdkt_verdict sdkt_admission(void (*entry)(void), const json_t *review, const char *settings_json,
                            bool mutating)
{
    sdkt_verdict v = {'E', 0, "", NULL, NULL, NULL};
    sdkt_output out = sdkt_call(entry, review, settings_json);
    v.output = json_incref(out.json);
    if (sdkt_error(&out)) {
        snprintf(v.message, sizeof v.message, "%s", sdkt_error(&out));
    } else {
        wgk8s_admission_decision d = {0};
        if (sdkt_host_admission(review, mutating, &out, &d)) {
            v.kind = d.allowed ? 'A' : 'D';
            v.code = d.code;
            snprintf(v.message, sizeof v.message, "%s", d.message ? d.message : "");
            v.mutated = json_incref(d.mutated_object);
        }
        wgk8s_admission_decision_clear(&d);
        v.patch = sdkt_patch(&out);
        CHECK_STR(wgt_get_str(out.json, "response.apiVersion"),
                  json_string_value(json_object_get(review, "apiVersion")));
        CHECK_STR(wgt_get_str(out.json, "response.kind"), "AdmissionReview");
    }
    sdkt_output_free(&out);
    return v;
}

void sdkt_verdict_free(sdkt_verdict *v)
{
    json_decref(v->output);
    json_decref(v->mutated);
    json_decref(v->patch);
    v->output = v->mutated = v->patch = NULL;
}

void sdkt_check_verdicts(void (*entry)(void), const char *const *fixtures,
                         const char *settings_json, char kind, const char *file, int line)
{
    for (const char *const *f = fixtures; *f; f++) {
        json_t *review = wgt_fixture_json(*f);
        sdkt_verdict v = sdkt_admission(entry, review, settings_json, false);
        if (!wgt_check_int(v.kind, kind, "the verdict", file, line))
            fprintf(stderr, "    %s: %s\n", *f, v.message);
        sdkt_verdict_free(&v);
        json_decref(review);
    }
}
