/*
 * sbtest.c — the sandbox tests' harness (see sbtest.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sbtest.h"

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

static void add_args(wgsb_manifest *m, va_list ap)
{
    for (const char *arg; (arg = va_arg(ap, const char *)) != NULL;)
        wgsb_manifest_add_arg(m, arg);
}

void sbt_add_args(wgsb_manifest *m, ...)
{
    va_list ap;
    va_start(ap, m);
    add_args(m, ap);
    va_end(ap);
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
    size_t n;
    char *bytes = wgt_read_file(path, &n);
    if (!wgt_check(bytes != NULL, "module file opens", path, 0)) return NULL;
    char err[512] = "";
    wg_module *m = wg_module_load(bytes, n, NULL, err, sizeof err);
    free(bytes);
    if (!m) fprintf(stderr, "%s: %s\n", path, err);
    wgt_check(m != NULL, "module loads", path, 0);
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
    if (!wgt_check(sb != NULL, "sandbox created", file, 0)) {
        fprintf(stderr, "  %s\n", err);
        goto done;
    }
    if (!wgt_check(l && wgsb_define_wasi(l, err, sizeof err), "WASI defined", file, 0)) goto done;
    wgsb_ctx_options o;
    wgsb_ctx_options_init(&o);
    o.stdin_data = stdin_text;
    o.stdin_len = stdin_text ? strlen(stdin_text) : 0;
    ctx = wgsb_ctx_new(sb, &o, err, sizeof err);
    if (!wgt_check(ctx != NULL, "context created", file, 0)) goto done;
    uint64_t t0 = wg_now_ns();
    wg_instance *inst = wgsb_instantiate(mod, l, ctx, 0, &r->status, r->msg, sizeof r->msg);
    if (inst) {
        wg_func *start = wg_instance_func(inst, "_start");
        if (wgt_check(start != NULL, "module exports _start", file, 0))
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

bool sbt_run_granted(const char *file, const char *name, const char *dir, bool ro, sbt_result *r,
                     ...)
{
    wgsb_manifest m;
    sbt_manifest(&m, name);
    wgsb_manifest_add_path(&m, dir, "/data", ro);
    va_list ap;
    va_start(ap, r);
    add_args(&m, ap);
    va_end(ap);
    bool ok = sbt_run(file, &m, NULL, r);
    wgsb_manifest_clear(&m);
    return ok;
}

bool sbt_call_export(const char *file, const wgsb_manifest *m, const char *name, wg_value *result)
{
    char err[512], msg[512];
    bool ok = false;
    wg_module *mod = sbt_load(file);
    wgsb_sandbox *sb = wgsb_sandbox_new(m, err, sizeof err);
    wg_linker *l = wg_linker_new();
    wgsb_ctx *ctx = sb ? wgsb_ctx_new(sb, NULL, err, sizeof err) : NULL;
    if (mod && ctx && l && wgsb_define_wasi(l, err, sizeof err)) {
        wgsb_status st;
        wg_instance *inst = wgsb_instantiate(mod, l, ctx, 0, &st, msg, sizeof msg);
        wg_func *f = inst ? wg_instance_func(inst, name) : NULL;
        ok = f && wgsb_call(ctx, inst, f, NULL, 0, result, 1, 0, msg, sizeof msg) == WGSB_OK;
        wg_instance_free(inst);
    }
    wgsb_ctx_free(ctx);
    wg_linker_free(l);
    wgsb_sandbox_free(sb);
    wg_module_free(mod);
    return ok;
}

void sbt_check_host_still_serves(const char *file, int line)
{
    wgsb_manifest m;
    sbt_manifest(&m, "next");
    sbt_result r;
    if (sbt_run("echo_upper.wasm", &m, "still here", &r)) {
        wgt_check_int(r.status, WGSB_OK, "the next call's status", file, line);
        wgt_check_str(r.out, "STILL HERE", "the next call's output", file, line);
    }
    sbt_result_clear(&r);
    wgsb_manifest_clear(&m);
}

bool sbt_write(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return wgt_write_file(path, text, strlen(text));
}

char *sbt_read(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return wgt_read_file(path, NULL);
}

bool sbt_exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0;
}
