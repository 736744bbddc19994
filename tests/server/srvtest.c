/*
 * srvtest.c — the test harness of srvtest.h.
 */
#include "srvtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures, checks;
static const char *current = "?";
static char tmpdir[256];

bool srvt_check(bool ok, const char *expr, const char *file, int line)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL %s: %s:%d: %s\n", current, file, line, expr);
    }
    return ok;
}

bool srvt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                    int line)
{
    bool ok = actual && expected ? strcmp(actual, expected) == 0 : actual == expected;
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL %s: %s:%d: %s\n  got:      %s\n  expected: %s\n", current, file, line,
                expr, actual ? actual : "(null)", expected ? expected : "(null)");
    }
    return ok;
}

bool srvt_check_int(long long actual, long long expected, const char *expr, const char *file,
                    int line)
{
    checks++;
    if (actual != expected) {
        failures++;
        fprintf(stderr, "FAIL %s: %s:%d: %s is %lld, expected %lld\n", current, file, line, expr,
                actual, expected);
        return false;
    }
    return true;
}

bool srvt_check_contains(const char *haystack, const char *needle, const char *expr,
                         const char *file, int line)
{
    bool ok = haystack && strstr(haystack, needle);
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "FAIL %s: %s:%d: %s does not contain \"%s\"\n  it is: %s\n", current, file,
                line, expr, needle, haystack ? haystack : "(null)");
    }
    return ok;
}

void srvt_run(const char *name, void (*test)(void))
{
    current = name;
    int before = failures;
    test();
    printf("%s %s\n", failures == before ? "ok  " : "FAIL", name);
    fflush(stdout);
}

const char *srvt_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/wgsrv-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(1);
        }
    }
    return tmpdir;
}

const char *srvt_write_bytes(const char *name, const void *data, size_t len)
{
    static char paths[16][512];
    static int next;
    char *path = paths[next++ % 16];
    snprintf(path, 512, "%s/%s", srvt_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        perror(path);
        exit(1);
    }
    fclose(f);
    return path;
}

const char *srvt_write(const char *name, const char *text)
{
    return srvt_write_bytes(name, text, strlen(text));
}

char *srvt_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len) *len = (size_t)n;
    }
    return buf;
}

int srvt_finish(void)
{
    if (tmpdir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
