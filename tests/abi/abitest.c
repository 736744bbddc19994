/*
 * abitest.c — the ABI tests' harness (see abitest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abitest.h"

#ifndef ABIT_MODULES
#error "ABIT_MODULES must be defined by the build"
#endif

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
    if (!wgsb_manifest_set_name(m, name)) wgt_check(false, "out of memory", __FILE__, __LINE__);
    m->log = collect_log;
    m->log_arg = log;
}

/* ---- Modules ------------------------------------------------------------------------ */

uint8_t *abit_read_module(const char *file, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ABIT_MODULES, file);
    uint8_t *bytes = (uint8_t *)wgt_read_file(path, len);
    if (!bytes) {
        fprintf(stderr, "cannot read test module %s\n", path);
        wgt_check(false, "test module readable", __FILE__, __LINE__);
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
        wgt_check(false, "test module loads", __FILE__, __LINE__);
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
    wgt_check(v != NULL, "the test review parses", __FILE__, __LINE__);
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
        wgt_check(false, "module input built", __FILE__, __LINE__);
    }
    json_decref(review);
    return in;
}

wgabi_status abit_validate(wgabi_module *mod, wgk8s_protocol protocol, const char *settings,
                           wgabi_result *r)
{
    size_t len = 0;
    char *in = abit_input(protocol, abit_review_text, settings, &len);
    wgabi_status st = wgabi_call(mod, "validate", in, len, 0, r);
    free(in);
    return st;
}

wgk8s_status abit_interpret(wgk8s_protocol protocol, const wgabi_result *r, bool mutating,
                            wgk8s_admission_decision *d, char *err, size_t errsz)
{
    json_t *review = abit_review();
    wgk8s_status st = wgk8s_admission_interpret(protocol, review, mutating, r->output,
                                                r->output_len, d, err, errsz);
    json_decref(review);
    return st;
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
    wgt_check(st == WGABI_OK && strstr(r.output, "\"allowed\":true"), "the host still serves", file,
              line);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}
