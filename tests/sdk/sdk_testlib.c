/*
 * sdk_testlib.c — the harness behind sdk_testlib.h: checks, fixtures, and in-process calls of
 * module exports with the SDK's input and output redirected to temporary files.
 */
#include "sdk_testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef WG_SDK_FIXTURES_DIR
#error "WG_SDK_FIXTURES_DIR must be defined by the build"
#endif

static int tests_run, tests_failed, checks_failed;
static const char *current_test = "";
static bool current_failed;

static void fail_header(const char *file, int line)
{
    if (!current_failed) fprintf(stderr, "FAIL %s\n", current_test);
    current_failed = true;
    checks_failed++;
    fprintf(stderr, "  %s:%d: ", file, line);
}

bool sdkt_check(bool ok, const char *expr, const char *file, int line)
{
    if (!ok) {
        fail_header(file, line);
        fprintf(stderr, "check failed: %s\n", expr);
    }
    return ok;
}

bool sdkt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                    int line)
{
    bool ok = (actual == NULL && expected == NULL) ||
              (actual && expected && strcmp(actual, expected) == 0);
    if (!ok) {
        fail_header(file, line);
        fprintf(stderr, "%s\n    got:      %s%s%s\n    expected: %s%s%s\n", expr,
                actual ? "\"" : "", actual ? actual : "NULL", actual ? "\"" : "",
                expected ? "\"" : "", expected ? expected : "NULL", expected ? "\"" : "");
    }
    return ok;
}

bool sdkt_check_int(long long actual, long long expected, const char *expr, const char *file,
                    int line)
{
    if (actual != expected) {
        fail_header(file, line);
        fprintf(stderr, "%s\n    got:      %lld\n    expected: %lld\n", expr, actual, expected);
        return false;
    }
    return true;
}

bool sdkt_check_json(const json_t *actual, const char *expected, const char *expr, const char *file,
                     int line)
{
    json_error_t jerr;
    json_t *want = json_loads(expected, JSON_DECODE_ANY, &jerr);
    if (!want) {
        fail_header(file, line);
        fprintf(stderr, "bad expected JSON for %s: %s\n", expr, jerr.text);
        return false;
    }
    bool ok = actual && json_equal(actual, want);
    if (!ok) {
        char *got =
            actual ? json_dumps(actual, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;
        char *exp = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
        fail_header(file, line);
        fprintf(stderr, "%s\n    got:      %s\n    expected: %s\n", expr, got ? got : "NULL",
                exp ? exp : "?");
        free(got);
        free(exp);
    }
    json_decref(want);
    return ok;
}

bool sdkt_check_contains(const char *haystack, const char *needle, const char *expr,
                         const char *file, int line)
{
    bool ok = haystack && strstr(haystack, needle);
    if (!ok) {
        fail_header(file, line);
        fprintf(stderr, "%s\n    got:      %s%s%s\n    expected to contain: \"%s\"\n", expr,
                haystack ? "\"" : "", haystack ? haystack : "NULL", haystack ? "\"" : "", needle);
    }
    return ok;
}

void sdkt_run(const char *name, void (*test)(void))
{
    current_test = name;
    current_failed = false;
    tests_run++;
    test();
    if (current_failed) tests_failed++;
}

int sdkt_finish(void)
{
    printf("%d passed, %d failed\n", tests_run - tests_failed, tests_failed);
    if (checks_failed) fprintf(stderr, "(%d failed checks)\n", checks_failed);
    return tests_failed ? 1 : 0;
}

char *sdkt_read_fixture(const char *relpath, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WG_SDK_FIXTURES_DIR, relpath);
    FILE *f = fopen(path, "rb");
    if (!f) {
        sdkt_check(false, "fixture can be opened", path, 0);
        return NULL;
    }
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        sdkt_check(false, "fixture fits in memory", path, 0);
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

json_t *sdkt_fixture(const char *relpath)
{
    size_t len;
    char *text = sdkt_read_fixture(relpath, &len);
    if (!text) return NULL;
    json_error_t jerr;
    json_t *v = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!v) sdkt_check(false, "fixture is JSON", relpath, jerr.line);
    return v;
}

json_t *sdkt_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!v) {
        fprintf(stderr, "  bad JSON in a test: %s: %s\n", jerr.text, text);
        sdkt_check(false, "test JSON parses", __FILE__, __LINE__);
    }
    return v;
}

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
    if (!sdkt_check(in_fd >= 0 && out_fd >= 0, "temporary files", __FILE__, __LINE__)) goto done;
    for (size_t off = 0; off < len;) {
        ssize_t n = write(in_fd, input + off, len - off);
        if (!sdkt_check(n > 0, "input written", __FILE__, __LINE__)) goto done;
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
        sdkt_check(false, "module output is JSON", __FILE__, __LINE__);
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
        sdkt_check(false, "module input can be built", __FILE__, __LINE__);
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
        sdkt_check(false, "the host accepts the output", __FILE__, __LINE__);
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

json_t *sdkt_get(const json_t *root, const char *path)
{
    const json_t *v = root;
    const char *p = path;
    while (v && *p) {
        if (*p == '[') {
            char *end;
            size_t index = strtoul(p + 1, &end, 10);
            v = json_array_get(v, index);
            p = *end == ']' ? end + 1 : end;
        } else {
            size_t n = strcspn(p, ".[");
            char key[256];
            if (n >= sizeof key) return NULL;
            memcpy(key, p, n);
            key[n] = '\0';
            v = json_object_get(v, key);
            p += n;
        }
        if (*p == '.') p++;
    }
    return (json_t *)v;
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
        return sdkt_check(false, "sdkt_set: the path exists", __FILE__, __LINE__);
    }
    json_object_set_new(parent, key, value);
    return true;
}

const char *sdkt_get_str(const json_t *root, const char *path)
{
    return json_string_value(sdkt_get(root, path));
}

const char *sdkt_error(const sdkt_output *out)
{
    return sdkt_get_str(out->json, "error");
}

json_t *sdkt_patch(const sdkt_output *out)
{
    const char *b64 = sdkt_get_str(out->json, "response.response.patch");
    if (!b64) return NULL;
    size_t len;
    char err[128] = "";
    unsigned char *bytes = wgk8s_base64_decode(b64, strlen(b64), &len, err, sizeof err);
    if (!bytes) {
        fprintf(stderr, "  patch is not base64: %s\n", err);
        sdkt_check(false, "patch is base64", __FILE__, __LINE__);
        return NULL;
    }
    json_error_t jerr;
    json_t *patch = json_loadb((const char *)bytes, len, 0, &jerr);
    if (!patch) {
        fprintf(stderr, "  patch is not JSON: %s\n", jerr.text);
        sdkt_check(false, "patch is JSON", __FILE__, __LINE__);
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
        CHECK_STR(sdkt_get_str(out.json, "response.apiVersion"),
                  json_string_value(json_object_get(review, "apiVersion")));
        CHECK_STR(sdkt_get_str(out.json, "response.kind"), "AdmissionReview");
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
