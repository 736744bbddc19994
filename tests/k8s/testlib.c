/*
 * testlib.c — the test harness behind testlib.h: checks, fixtures, JSON helpers.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef WG_K8S_FIXTURES_DIR
#error "WG_K8S_FIXTURES_DIR must be defined by the build"
#endif

static int tests_run, tests_failed, checks_failed;
static const char *current_test = "";
static bool current_failed;

const char *const wgt_all_fixtures[] = {
    "admission/configmap-create.json",
    "admission/configmap-delete.json",
    "admission/cronjob-create.json",
    "admission/deployment-create.json",
    "admission/deployment-large-create.json",
    "admission/deployment-scale-update.json",
    "admission/deployment-update.json",
    "admission/ingress-create.json",
    "admission/job-create.json",
    "admission/namespace-create.json",
    "admission/pod-create-v1beta1.json",
    "admission/pod-create.json",
    "admission/pod-hostpath-create.json",
    "admission/pod-privileged-create.json",
    "admission/rolebinding-create.json",
    "admission/secret-create.json",
    "admission/service-create.json",
    "authentication/tokenreview-v1-noaudience.json",
    "authentication/tokenreview-v1.json",
    "authentication/tokenreview-v1beta1.json",
    "authorization/sar-v1-nonresource.json",
    "authorization/sar-v1-resource.json",
    "authorization/sar-v1-subresource.json",
    "authorization/sar-v1beta1-resource.json",
    NULL,
};

static void fail_header(const char *file, int line)
{
    if (!current_failed) fprintf(stderr, "FAIL %s\n", current_test);
    current_failed = true;
    checks_failed++;
    fprintf(stderr, "  %s:%d: ", file, line);
}

bool wgt_check(bool ok, const char *expr, const char *file, int line)
{
    if (!ok) {
        fail_header(file, line);
        fprintf(stderr, "check failed: %s\n", expr);
    }
    return ok;
}

bool wgt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
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

bool wgt_check_int(long long actual, long long expected, const char *expr, const char *file,
                   int line)
{
    if (actual != expected) {
        fail_header(file, line);
        fprintf(stderr, "%s\n    got:      %lld\n    expected: %lld\n", expr, actual, expected);
        return false;
    }
    return true;
}

bool wgt_check_json(const json_t *actual, const char *expected, const char *expr, const char *file,
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

bool wgt_check_contains(const char *haystack, const char *needle, const char *expr,
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

void wgt_run(const char *name, void (*test)(void))
{
    current_test = name;
    current_failed = false;
    tests_run++;
    test();
    if (current_failed) tests_failed++;
}

int wgt_finish(void)
{
    printf("%d tests, %d passed, %d failed (%d failed checks)\n", tests_run,
           tests_run - tests_failed, tests_failed, checks_failed);
    return tests_failed ? 1 : 0;
}

char *wgt_read_fixture(const char *relpath, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WG_K8S_FIXTURES_DIR, relpath);
    FILE *f = fopen(path, "rb");
    if (!f) {
        wgt_check(false, "fixture can be opened", path, 0);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        wgt_check(false, "fixture fits in memory", path, 0);
        return NULL;
    }
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

json_t *wgt_fixture_json(const char *relpath)
{
    size_t len;
    char *text = wgt_read_fixture(relpath, &len);
    if (!text) return NULL;
    json_error_t jerr;
    json_t *v = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!v) wgt_check(false, "fixture is JSON", relpath, jerr.line);
    return v;
}

wgk8s_review *wgt_fixture_review(const char *relpath)
{
    size_t len;
    char *text = wgt_read_fixture(relpath, &len);
    if (!text) return NULL;
    wgk8s_review *r = NULL;
    char err[512] = "";
    wgk8s_status st = wgk8s_review_parse(text, len, WGK8S_KIND_ANY, &r, err, sizeof err);
    free(text);
    if (st != WGK8S_OK) {
        fprintf(stderr, "  %s: %s\n", relpath, err);
        wgt_check(false, "fixture parses as a review", relpath, 0);
    }
    return r;
}

json_t *wgt_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!v) {
        fprintf(stderr, "  bad test JSON (%s): %s\n", jerr.text, text);
        wgt_check(false, "test JSON parses", __FILE__, __LINE__);
    }
    return v;
}

wgk8s_review *wgt_review_from(json_t *value)
{
    wgk8s_review *r = NULL;
    char err[512] = "";
    if (wgk8s_review_from_json(value, WGK8S_KIND_ANY, &r, err, sizeof err) != WGK8S_OK) {
        fprintf(stderr, "  %s\n", err);
        wgt_check(false, "value is a valid review", __FILE__, __LINE__);
    }
    return r;
}

json_t *wgt_get(const json_t *root, const char *dotted)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", dotted);
    const json_t *cur = root;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, tok);
    return (json_t *)cur;
}

const char *wgt_get_str(const json_t *root, const char *dotted)
{
    return json_string_value(wgt_get(root, dotted));
}

json_t *wgt_reply_patch(const json_t *reply)
{
    const char *b64 = wgt_get_str(reply, "response.patch");
    if (!b64) return NULL;
    size_t len;
    char err[256];
    unsigned char *bytes = wgk8s_base64_decode(b64, strlen(b64), &len, err, sizeof err);
    if (!bytes) return NULL;
    json_t *patch = json_loadb((const char *)bytes, len, 0, NULL);
    free(bytes);
    return patch;
}
