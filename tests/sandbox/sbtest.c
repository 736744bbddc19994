/*
 * sbtest.c — the sandbox tests' harness (see sbtest.h).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbtest.h"

static int checks, failures, tests, failed_tests;

bool sbt_check(bool ok, const char *expr, const char *file, int line)
{
    checks++;
    if (!ok) {
        failures++;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, expr);
    }
    return ok;
}

bool sbt_check_int(long long actual, long long expected, const char *expr, const char *file,
                   int line)
{
    checks++;
    if (actual != expected) {
        failures++;
        fprintf(stderr, "%s:%d: check failed: %s == %lld, expected %lld\n", file, line, expr,
                actual, expected);
        return false;
    }
    return true;
}

bool sbt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                   int line)
{
    checks++;
    if (!actual || strcmp(actual, expected) != 0) {
        failures++;
        fprintf(stderr, "%s:%d: check failed: %s is \"%s\", expected \"%s\"\n", file, line, expr,
                actual ? actual : "(null)", expected);
        return false;
    }
    return true;
}

bool sbt_check_contains(const char *haystack, const char *needle, const char *expr,
                        const char *file, int line)
{
    checks++;
    if (!haystack || !strstr(haystack, needle)) {
        failures++;
        fprintf(stderr, "%s:%d: check failed: %s is \"%s\", which does not contain \"%s\"\n", file,
                line, expr, haystack ? haystack : "(null)", needle);
        return false;
    }
    return true;
}

bool sbt_check_not_contains(const char *haystack, const char *needle, const char *expr,
                            const char *file, int line)
{
    checks++;
    if (haystack && strstr(haystack, needle)) {
        failures++;
        fprintf(stderr, "%s:%d: check failed: %s is \"%s\", which contains \"%s\"\n", file, line,
                expr, haystack, needle);
        return false;
    }
    return true;
}

void sbt_run_test(const char *name, void (*test)(void))
{
    int before = failures;
    test();
    tests++;
    if (failures != before) failed_tests++;
    printf("%s %s\n", failures == before ? "ok  " : "FAIL", name);
    fflush(stdout);
}

int sbt_finish(void)
{
    printf("%d passed, %d failed\n", tests - failed_tests, failed_tests);
    printf("(%d checks, %d failed)\n", checks, failures);
    return failures ? 1 : 0;
}

void sbt_result_clear(sbt_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

void sbt_manifest(wgsb_manifest *m, const char *name)
{
    wgsb_manifest_init(m);
    wgsb_manifest_set_name(m, name);
}

static void collect_log(void *arg, int level, const char *module, const char *message)
{
    sbt_result *r = arg;
    size_t used = strlen(r->log);
    snprintf(r->log + used, sizeof r->log - used, "module %s: %s\n", module, message);
    r->log_lines++;
}

wg_module *sbt_load(const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SBT_MODULES, file);
    FILE *f = fopen(path, "rb");
    if (!sbt_check(f != NULL, "module file opens", path, 0)) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc(size > 0 ? (size_t)size : 1);
    size_t n = bytes ? fread(bytes, 1, (size_t)size, f) : 0;
    fclose(f);
    char err[512] = "";
    wg_module *m =
        bytes && n == (size_t)size ? wg_module_load(bytes, n, NULL, err, sizeof err) : NULL;
    free(bytes);
    if (!m) fprintf(stderr, "%s: %s\n", path, err);
    sbt_check(m != NULL, "module loads", path, 0);
    return m;
}

bool sbt_run(const char *file, wgsb_manifest *m, const char *stdin_text, sbt_result *r)
{
    memset(r, 0, sizeof *r);
    r->status = WGSB_ERROR;
    m->log = collect_log;
    m->log_arg = r;
    wg_module *mod = sbt_load(file);
    if (!mod) return false;
    char err[512];
    bool ok = false;
    wgsb_sandbox *sb = wgsb_sandbox_new(m, err, sizeof err);
    wg_linker *l = wg_linker_new();
    wgsb_ctx *ctx = NULL;
    if (!sbt_check(sb != NULL, "sandbox created", file, 0)) {
        fprintf(stderr, "  %s\n", err);
        goto done;
    }
    if (!sbt_check(l && wgsb_define_wasi(l, err, sizeof err), "WASI defined", file, 0)) goto done;
    wgsb_ctx_options o;
    wgsb_ctx_options_init(&o);
    o.stdin_data = stdin_text;
    o.stdin_len = stdin_text ? strlen(stdin_text) : 0;
    ctx = wgsb_ctx_new(sb, &o, err, sizeof err);
    if (!sbt_check(ctx != NULL, "context created", file, 0)) goto done;
    uint64_t t0 = wg_now_ns();
    wg_instance *inst = wgsb_instantiate(mod, l, ctx, 0, &r->status, r->msg, sizeof r->msg);
    if (inst) {
        wg_func *start = wg_instance_func(inst, "_start");
        if (sbt_check(start != NULL, "module exports _start", file, 0))
            r->status = wgsb_call(ctx, inst, start, NULL, 0, NULL, 0, 0, r->msg, sizeof r->msg);
        wg_instance_free(inst);
    }
    r->elapsed_ms = (wg_now_ns() - t0) / 1000000u;
    r->out = wgsb_ctx_take_stdout(ctx, &r->out_len);
    r->err = wgsb_ctx_take_stderr(ctx, &r->err_len);
    r->exited = wgsb_ctx_exited(ctx);
    r->exit_code = wgsb_ctx_exit_code(ctx);
    r->fuel_used = wgsb_ctx_fuel_used(ctx);
    ok = true;
done:
    wgsb_ctx_free(ctx);
    wg_linker_free(l);
    wgsb_sandbox_free(sb);
    wg_module_free(mod);
    m->log = NULL;
    m->log_arg = NULL;
    return ok;
}

void sbt_check_host_still_serves(const char *file, int line)
{
    wgsb_manifest m;
    sbt_manifest(&m, "next");
    sbt_result r;
    if (sbt_run("echo_upper.wasm", &m, "still here", &r)) {
        sbt_check_int(r.status, WGSB_OK, "the next call's status", file, line);
        sbt_check_str(r.out, "STILL HERE", "the next call's output", file, line);
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

char *sbt_tempdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[1024];
    snprintf(tmpl, sizeof tmpl, "%s/wgsb-test-XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    if (!sbt_check(d != NULL, "mkdtemp", __FILE__, __LINE__)) return NULL;
    return strdup(d);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void sbt_rmtree(const char *path)
{
    if (path) nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

bool sbt_write(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return false;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

char *sbt_read(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (buf) buf[n] = '\0';
    return buf;
}

bool sbt_exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}
