/*
 * abitest.c — the ABI tests' harness (see abitest.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abitest.h"

#ifndef ABIT_MODULES
#error "ABIT_MODULES must be defined by the build"
#endif
#ifndef ABIT_FIXTURES
#error "ABIT_FIXTURES must be defined by the build"
#endif

static int checks, failures, tests, failed_tests;
static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;

/* Checks may run on several threads (the concurrency tests): count under a lock. */
static bool record(bool ok)
{
    pthread_mutex_lock(&check_lock);
    checks++;
    if (!ok) failures++;
    pthread_mutex_unlock(&check_lock);
    return ok;
}

bool abit_check(bool ok, const char *expr, const char *file, int line)
{
    if (!ok) fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    return record(ok);
}

bool abit_check_int(long long actual, long long expected, const char *expr, const char *file,
                    int line)
{
    bool ok = actual == expected;
    if (!ok)
        fprintf(stderr, "%s:%d: check failed: %s == %lld, expected %lld\n", file, line, expr,
                actual, expected);
    return record(ok);
}

bool abit_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                    int line)
{
    bool ok = actual && strcmp(actual, expected) == 0;
    if (!ok)
        fprintf(stderr, "%s:%d: check failed: %s is \"%s\", expected \"%s\"\n", file, line, expr,
                actual ? actual : "(null)", expected);
    return record(ok);
}

bool abit_check_contains(const char *haystack, const char *needle, const char *expr,
                         const char *file, int line)
{
    bool ok = haystack && strstr(haystack, needle);
    if (!ok)
        fprintf(stderr, "%s:%d: check failed: %s is \"%s\", which does not contain \"%s\"\n", file,
                line, expr, haystack ? haystack : "(null)", needle);
    return record(ok);
}

bool abit_check_not_contains(const char *haystack, const char *needle, const char *expr,
                             const char *file, int line)
{
    bool ok = !haystack || !strstr(haystack, needle);
    if (!ok)
        fprintf(stderr, "%s:%d: check failed: %s is \"%s\", which contains \"%s\"\n", file, line,
                expr, haystack, needle);
    return record(ok);
}

bool abit_check_json(const json_t *value, const char *text, const char *expr, const char *file,
                     int line)
{
    json_error_t jerr;
    json_t *want = json_loads(text, JSON_DECODE_ANY, &jerr);
    bool ok = want && value && json_equal((json_t *)value, want);
    if (!ok) {
        char *got = value ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        fprintf(stderr, "%s:%d: check failed: %s is %s, expected %s%s\n", file, line, expr,
                got ? got : "(null)", text, want ? "" : " (which is not JSON)");
        free(got);
    }
    json_decref(want);
    return record(ok);
}

void abit_run_test(const char *name, void (*test)(void))
{
    int before = failures;
    tests++;
    test();
    if (failures != before) {
        failed_tests++;
        fprintf(stderr, "FAIL %s\n", name);
    } else {
        fprintf(stderr, "ok   %s\n", name);
    }
}

int abit_finish(void)
{
    fprintf(stderr, "%d tests, %d checks, %d failed checks in %d tests\n", tests, checks, failures,
            failed_tests);
    return failures ? 1 : 0;
}

/* ---- Logs and manifests ------------------------------------------------------------- */

void abit_log_init(abit_log *log)
{
    memset(log, 0, sizeof *log);
    pthread_mutex_init(&log->lock, NULL);
}

static void collect_log(void *arg, int level, const char *module, const char *message)
{
    abit_log *log = arg;
    if (!log) return;
    pthread_mutex_lock(&log->lock);
    if (log->len < sizeof log->text) {
        int n = snprintf(log->text + log->len, sizeof log->text - log->len, "%d %s: %s\n", level,
                         module, message);
        if (n > 0) log->len += (size_t)n;
        if (log->len >= sizeof log->text) log->len = sizeof log->text - 1;
    }
    log->lines++;
    pthread_mutex_unlock(&log->lock);
}

int abit_log_count(abit_log *log, const char *needle)
{
    int n = 0;
    pthread_mutex_lock(&log->lock);
    for (const char *p = log->text; (p = strstr(p, needle)) != NULL; p++)
        n++;
    pthread_mutex_unlock(&log->lock);
    return n;
}

void abit_manifest(wgsb_manifest *m, const char *name, abit_log *log)
{
    wgsb_manifest_init(m);
    if (!wgsb_manifest_set_name(m, name)) abit_check(false, "out of memory", __FILE__, __LINE__);
    m->log = collect_log;
    m->log_arg = log;
}

/* ---- Modules ------------------------------------------------------------------------ */

static char *read_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, used = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t n = fread(buf + used, 1, cap - used, f);
        used += n;
        if (used < cap) break;
        char *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    if (!buf) return NULL;
    buf[used] = '\0';
    if (len) *len = used;
    return buf;
}

uint8_t *abit_read_module(const char *file, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ABIT_MODULES, file);
    uint8_t *bytes = (uint8_t *)read_path(path, len);
    if (!bytes) {
        fprintf(stderr, "cannot read test module %s\n", path);
        abit_check(false, "test module readable", __FILE__, __LINE__);
    }
    return bytes;
}

wgabi_module *abit_load(const char *file, wgabi_kind kind, const wgsb_manifest *m, char *err,
                        size_t errsz)
{
    size_t len;
    uint8_t *bytes = abit_read_module(file, &len);
    if (!bytes) {
        snprintf(err, errsz, "cannot read %s", file);
        return NULL;
    }
    wgabi_module *mod = wgabi_module_load(bytes, len, kind, m, err, errsz);
    free(bytes);
    return mod;
}

wgabi_module *abit_must_load(const char *file, wgabi_kind kind, const wgsb_manifest *m)
{
    char err[1024] = "";
    wgabi_module *mod = abit_load(file, kind, m, err, sizeof err);
    if (!mod) {
        fprintf(stderr, "loading %s: %s\n", file, err);
        abit_check(false, "test module loads", __FILE__, __LINE__);
    }
    return mod;
}

/* ---- Reviews and inputs ------------------------------------------------------------- */

const char abit_review_text[] =
    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\","
    " \"request\": {\"uid\": \"abi-uid-1\","
    "  \"kind\": {\"group\": \"\", \"version\": \"v1\", \"kind\": \"Pod\"},"
    "  \"resource\": {\"group\": \"\", \"version\": \"v1\", \"resource\": \"pods\"},"
    "  \"name\": \"web\", \"namespace\": \"default\", \"operation\": \"CREATE\","
    "  \"userInfo\": {\"username\": \"jane\"},"
    "  \"object\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\","
    "   \"metadata\": {\"name\": \"web\", \"namespace\": \"default\", \"labels\": {\"app\": "
    "\"web\"}},"
    "   \"spec\": {\"containers\": [{\"name\": \"web\", \"image\": \"nginx:1.27\"}]}}}}";

json_t *abit_review(void)
{
    json_t *v = json_loads(abit_review_text, 0, NULL);
    abit_check(v != NULL, "the test review parses", __FILE__, __LINE__);
    return v;
}

char *abit_input(wgk8s_protocol protocol, const char *review_text, const char *settings,
                 size_t *len)
{
    json_t *review = json_loads(review_text, 0, NULL);
    char err[256] = "";
    char *in = review ? wgk8s_module_input(protocol, review, settings, len, err, sizeof err) : NULL;
    if (!in) {
        fprintf(stderr, "abit_input: %s\n", err);
        abit_check(false, "module input built", __FILE__, __LINE__);
    }
    json_decref(review);
    return in;
}

char *abit_fixture_text(const char *relpath, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ABIT_FIXTURES, relpath);
    char *text = read_path(path, len);
    if (!text) {
        fprintf(stderr, "cannot read fixture %s\n", path);
        abit_check(false, "fixture readable", __FILE__, __LINE__);
    }
    return text;
}

json_t *abit_fixture(const char *relpath)
{
    size_t len;
    char *text = abit_fixture_text(relpath, &len);
    json_t *v = text ? json_loadb(text, len, 0, NULL) : NULL;
    free(text);
    return v;
}

void abit_check_host_still_serves(const char *file, int line)
{
    wgsb_manifest m;
    abit_manifest(&m, "still-serving", NULL);
    wgabi_module *mod = abit_must_load("k8s_answer.wasm", WGABI_K8S_WASM, &m);
    wgsb_manifest_clear(&m);
    if (!mod) return;
    wgabi_result r;
    wgabi_status st = wgabi_call(mod, "validate", "{}", 2, 0, &r);
    abit_check(st == WGABI_OK && strstr(r.output, "\"allowed\":true"), "the host still serves",
               file, line);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}
