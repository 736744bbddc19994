/*
 * runtime.c — loading a parsed configuration into a runnable generation (see runtime.h).
 *
 * Everything that can fail is done here, once, before the generation serves a request:
 * reading and pinning module files, compiling them through the ABI layer, checking
 * Kubewarden settings, compiling rules. A request never loads anything.
 */
#include "runtime.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "evaluate.h"

/* A module larger than this is a mistake (the engine's own limit is 256 MiB too). */
#define MAX_MODULE_FILE (256u * 1024u * 1024u)

typedef struct load_errors {
    char *err;
    size_t errsz;
    size_t len;
    int count;
} load_errors;

static void add_error(load_errors *e, const wgsrv_config *cfg, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void add_error(load_errors *e, const wgsrv_config *cfg, int line, const char *fmt, ...)
{
    e->count++;
    if (!e->err || e->errsz == 0 || e->len + 1 >= e->errsz) return;
    int n = line > 0 ? snprintf(e->err + e->len, e->errsz - e->len, "%s%s:%d: ", e->len ? "\n" : "",
                                cfg->file, line)
                     : snprintf(e->err + e->len, e->errsz - e->len, "%s%s: ", e->len ? "\n" : "",
                                cfg->file);
    if (n < 0 || (size_t)n >= e->errsz - e->len) {
        e->len = e->errsz - 1;
        return;
    }
    e->len += (size_t)n;
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(e->err + e->len, e->errsz - e->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= e->errsz - e->len)
        e->len = e->errsz - 1;
    else
        e->len += (size_t)n;
}

bool wgsrv_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char digest[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, digest) != 0) return false;
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return true;
}

/* Reads a whole module file; NULL with a message. */
static unsigned char *read_module_file(const char *path, size_t *len, char *msg, size_t msgsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msgsz, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(msg, msgsz, "%s: not a regular file", path);
        fclose(f);
        return NULL;
    }
    if ((unsigned long long)st.st_size > MAX_MODULE_FILE) {
        snprintf(msg, msgsz, "%s: larger than 256 MiB", path);
        fclose(f);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf) {
        snprintf(msg, msgsz, "%s: out of memory", path);
        fclose(f);
        return NULL;
    }
    size_t got = fread(buf, 1, size, f);
    bool failed = got != size || ferror(f);
    fclose(f);
    if (failed) {
        snprintf(msg, msgsz, "%s: short read (the file changed while being read?)", path);
        free(buf);
        return NULL;
    }
    *len = size;
    return buf;
}

/* Kubewarden policies check their settings once, at load: a policy with invalid settings
 * must not serve (abis.md §3). */
static bool validate_kubewarden_settings(wgabi_module *m, const char *settings, char *msg,
                                         size_t msgsz)
{
    const char *input = settings ? settings : "{}";
    wgabi_result r;
    memset(&r, 0, sizeof r);
    wgabi_status st = wgabi_call(m, "validate_settings", input, strlen(input), 0, &r);
    if (st != WGABI_OK) {
        snprintf(msg, msgsz, "validate_settings failed (%s): %s", wgabi_status_name(st), r.message);
        wgabi_result_clear(&r);
        return false;
    }
    json_error_t jerr;
    json_t *reply = json_loadb(r.output ? r.output : "", r.output_len, 0, &jerr);
    wgabi_result_clear(&r);
    json_t *valid = json_object_get(reply, "valid");
    if (!json_is_boolean(valid)) {
        snprintf(msg, msgsz, "validate_settings: the reply is not {\"valid\": true|false, ...}");
        json_decref(reply);
        return false;
    }
    if (!json_is_true(valid)) {
        const char *why = json_string_value(json_object_get(reply, "message"));
        snprintf(msg, msgsz, "the policy rejected its settings: %s", why ? why : "(no message)");
        json_decref(reply);
        return false;
    }
    json_decref(reply);
    return true;
}

static bool load_module(wgsrv_runtime *rt, wgsrv_loaded_module *lm, wgsrv_metrics *metrics,
                        wgsrv_module_log_fn log, void *log_arg, load_errors *e)
{
    const wgsrv_module_config *mc = lm->cfg;
    const wgsrv_config *cfg = rt->cfg;
    char msg[1024];
    size_t len = 0;
    unsigned char *bytes = read_module_file(mc->path, &len, msg, sizeof msg);
    if (!bytes) {
        add_error(e, cfg, mc->line, "%s.module: %s", mc->where, msg);
        return false;
    }
    if (!wgsrv_sha256_hex(bytes, len, lm->sha256)) {
        add_error(e, cfg, mc->line, "%s.module: cannot compute the SHA-256", mc->where);
        free(bytes);
        return false;
    }
    if (mc->sha256 && strcmp(mc->sha256, lm->sha256) != 0) {
        add_error(e, cfg, mc->line,
                  "%s.sha256: %s does not match the pin: the file's SHA-256 is %s, the pin "
                  "says %s; refusing the module",
                  mc->where, mc->path, lm->sha256, mc->sha256);
        free(bytes);
        return false;
    }
    wgsb_manifest manifest;
    if (!wgsb_manifest_copy(&manifest, &mc->manifest)) {
        add_error(e, cfg, mc->line, "%s: out of memory", mc->where);
        free(bytes);
        return false;
    }
    manifest.log = log;
    manifest.log_arg = log_arg;
    msg[0] = '\0';
    lm->abi = wgabi_module_load(bytes, len, mc->abi, &manifest, msg, sizeof msg);
    wgsb_manifest_clear(&manifest);
    free(bytes);
    if (!lm->abi) {
        add_error(e, cfg, mc->line, "%s: module \"%s\" (%s, %s) cannot be loaded: %s", mc->where,
                  mc->name, mc->path, wgabi_kind_name(mc->abi), msg[0] ? msg : "unknown error");
        return false;
    }
    if (mc->abi == WGABI_KUBEWARDEN &&
        !validate_kubewarden_settings(lm->abi, mc->settings, msg, sizeof msg)) {
        add_error(e, cfg, mc->line, "%s.settings: module \"%s\": %s", mc->where, mc->name, msg);
        return false;
    }
    if (mc->rules_json) {
        json_error_t jerr;
        json_t *rules = json_loads(mc->rules_json, 0, &jerr);
        lm->rules = rules ? wgk8s_rules_parse(rules, msg, sizeof msg) : NULL;
        json_decref(rules);
        if (!lm->rules) {
            add_error(e, cfg, mc->line, "%s.rules: %s", mc->where, msg);
            return false;
        }
    }
    lm->metrics = metrics ? wgsrv_metrics_module(metrics, mc->name) : NULL;
    lm->desc.name = mc->name;
    lm->desc.protocol =
        mc->abi == WGABI_KUBEWARDEN ? WGK8S_PROTOCOL_KUBEWARDEN : WGK8S_PROTOCOL_K8S_WASM;
    lm->desc.mutating = mc->mutating;
    lm->desc.failure_policy = mc->failure_policy;
    lm->desc.rules = lm->rules;
    lm->desc.settings_json = mc->settings;
    lm->desc.mod = NULL; /* per request: a call context (evaluate.c) */
    lm->desc.call = wgsrv_module_call;
    static const wgk8s_kind kinds[] = {WGK8S_TOKEN_REVIEW, WGK8S_SUBJECT_ACCESS_REVIEW,
                                       WGK8S_ADMISSION_REVIEW};
    if (!wgk8s_module_check(&lm->desc, kinds[lm->section], msg, sizeof msg)) {
        add_error(e, cfg, mc->line, "%s: %s", mc->where, msg);
        return false;
    }
    return true;
}

static void runtime_free(wgsrv_runtime *rt)
{
    if (!rt) return;
    for (int s = 0; s < WGSRV_SECTION_COUNT; s++) {
        for (size_t i = 0; i < rt->nmodules[s]; i++) {
            wgabi_module_free(rt->modules[s][i].abi);
            wgk8s_rules_free(rt->modules[s][i].rules);
        }
        free(rt->modules[s]);
    }
    free(rt->validating);
    free(rt->mutating);
    wgsrv_config_free(rt->cfg);
    free(rt);
}

wgsrv_runtime *wgsrv_runtime_load(wgsrv_config *cfg, wgsrv_metrics *metrics, uint64_t generation,
                                  wgsrv_module_log_fn log, void *log_arg, char *err, size_t errsz)
{
    load_errors e = {err, errsz, 0, 0};
    if (err && errsz) err[0] = '\0';
    wgsrv_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) {
        add_error(&e, cfg, 0, "out of memory");
        wgsrv_config_free(cfg);
        return NULL;
    }
    atomic_init(&rt->refs, 1);
    rt->generation = generation;
    rt->cfg = cfg;
    for (int s = 0; s < WGSRV_SECTION_COUNT; s++) {
        size_t n = cfg->nmodules[s];
        if (!n) continue;
        rt->modules[s] = calloc(n, sizeof *rt->modules[s]);
        if (!rt->modules[s]) {
            add_error(&e, cfg, 0, "out of memory");
            break;
        }
        rt->nmodules[s] = n;
        for (size_t i = 0; i < n; i++) {
            rt->modules[s][i].cfg = &cfg->modules[s][i];
            rt->modules[s][i].section = (wgsrv_section)s;
            load_module(rt, &rt->modules[s][i], metrics, log, log_arg, &e);
        }
    }
    size_t na = rt->nmodules[WGSRV_ADMISSION];
    if (na) {
        rt->validating = calloc(na, sizeof *rt->validating);
        rt->mutating = calloc(na, sizeof *rt->mutating);
        if (!rt->validating || !rt->mutating)
            add_error(&e, cfg, 0, "out of memory");
        else
            for (size_t i = 0; i < na; i++) {
                wgsrv_loaded_module *lm = &rt->modules[WGSRV_ADMISSION][i];
                if (lm->cfg->mutating)
                    rt->mutating[rt->nmutating++] = lm;
                else
                    rt->validating[rt->nvalidating++] = lm;
            }
    }
    if (e.count) {
        runtime_free(rt);
        return NULL;
    }
    return rt;
}

void wgsrv_runtime_retain(wgsrv_runtime *rt)
{
    atomic_fetch_add_explicit(&rt->refs, 1, memory_order_relaxed);
}

void wgsrv_runtime_release(wgsrv_runtime *rt)
{
    if (!rt) return;
    /* acq_rel: the thread that frees must see every other thread's last use finished. */
    if (atomic_fetch_sub_explicit(&rt->refs, 1, memory_order_acq_rel) == 1) runtime_free(rt);
}

wgsrv_loaded_module *wgsrv_runtime_find(const wgsrv_runtime *rt, const char *name)
{
    for (size_t i = 0; i < rt->nmodules[WGSRV_ADMISSION]; i++)
        if (strcmp(rt->modules[WGSRV_ADMISSION][i].cfg->name, name) == 0)
            return &rt->modules[WGSRV_ADMISSION][i];
    return NULL;
}
