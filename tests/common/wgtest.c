/*
 * wgtest.c — the shared test support behind wgtest.h.
 */
#include "wgtest.h"

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef WGT_FIXTURES_DIR
#error "WGT_FIXTURES_DIR must be defined by the build"
#endif

/* Checks may run on several threads (the concurrency tests): count under a lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int checks, failures, tests, failed_tests;

bool wgt_record(bool ok)
{
    pthread_mutex_lock(&lock);
    checks++;
    if (!ok) failures++;
    pthread_mutex_unlock(&lock);
    return ok;
}

static int failures_so_far(void)
{
    pthread_mutex_lock(&lock);
    int n = failures;
    pthread_mutex_unlock(&lock);
    return n;
}

bool wgt_check(bool ok, const char *expr, const char *file, int line)
{
    if (!ok) fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    return wgt_record(ok);
}

bool wgt_check_int(long long actual, long long expected, const char *expr, const char *file,
                   int line)
{
    bool ok = actual == expected;
    if (!ok)
        fprintf(stderr, "%s:%d: check failed: %s is %lld, expected %lld\n", file, line, expr,
                actual, expected);
    return wgt_record(ok);
}

bool wgt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                   int line)
{
    bool ok = actual && expected ? strcmp(actual, expected) == 0 : actual == expected;
    if (!ok)
        fprintf(stderr, "%s:%d: check failed: %s is %s%s%s, expected %s%s%s\n", file, line, expr,
                actual ? "\"" : "", actual ? actual : "NULL", actual ? "\"" : "",
                expected ? "\"" : "", expected ? expected : "NULL", expected ? "\"" : "");
    return wgt_record(ok);
}

bool wgt_check_contains(const char *haystack, const char *needle, const char *expr,
                        const char *file, int line)
{
    bool ok = haystack && strstr(haystack, needle);
    if (!ok)
        fprintf(stderr, "%s:%d: check failed: %s is %s%s%s, which does not contain \"%s\"\n", file,
                line, expr, haystack ? "\"" : "", haystack ? haystack : "NULL",
                haystack ? "\"" : "", needle);
    return wgt_record(ok);
}

bool wgt_check_not_contains(const char *haystack, const char *needle, const char *expr,
                            const char *file, int line)
{
    bool ok = !haystack || !strstr(haystack, needle);
    if (!ok)
        fprintf(stderr, "%s:%d: check failed: %s is \"%s\", which contains \"%s\"\n", file, line,
                expr, haystack, needle);
    return wgt_record(ok);
}

void wgt_run(const char *name, void (*test)(void))
{
    int before = failures_so_far();
    test();
    bool ok = failures_so_far() == before;
    pthread_mutex_lock(&lock);
    tests++;
    if (!ok) failed_tests++;
    pthread_mutex_unlock(&lock);
    printf("%s %s\n", ok ? "ok  " : "FAIL", name);
    fflush(stdout);
}

int wgt_finish(void)
{
    printf("%d tests, %d checks, %d failed checks in %d tests\n", tests, checks, failures,
           failed_tests);
    fflush(stdout);
    return failures ? 1 : 0;
}

/* ---- Files -------------------------------------------------------------------------- */

char *wgt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, used = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        used += fread(buf + used, 1, cap - used, f);
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
    bool failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        return NULL;
    }
    buf[used] = '\0';
    if (len) *len = used;
    return buf;
}

bool wgt_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

char *wgt_tempdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[1024];
    snprintf(tmpl, sizeof tmpl, "%s/wasmgate-test-XXXXXX", base && *base ? base : "/tmp");
    char *dir = mkdtemp(tmpl);
    if (!wgt_check(dir != NULL, "mkdtemp", __FILE__, __LINE__)) return NULL;
    return strdup(dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void wgt_rmtree(const char *path)
{
    if (path) nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- Fixtures ----------------------------------------------------------------------- */

const char *const wgt_fixtures_dir = WGT_FIXTURES_DIR;

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

char *wgt_read_fixture(const char *relpath, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", wgt_fixtures_dir, relpath);
    char *text = wgt_read_file(path, len);
    if (!text) wgt_check(false, "fixture is readable", path, 0);
    return text;
}
