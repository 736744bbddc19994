/*
 * module.c — loading a module for an ABI: ABI names, detection, and the checks every load
 * makes before a module may serve: every import is provided (by WASI or by the ABI's own
 * host functions), the exports the ABI calls exist with the right types, and a trial link
 * (instantiation without running any code) succeeds. Then the linker and the sandbox are
 * built once; the module is immutable from here on.
 *
 * Refusing at load rather than at the first call means a misconfigured module is reported
 * when the operator loads it, with its name, not as a failing request later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_internal.h"

const char *const wgabi_k8s_entry_names[K8S_ENTRY_COUNT] = {"authn", "authz", "validate"};

const char *wgabi_kind_name(wgabi_kind kind)
{
    switch (kind) {
    case WGABI_K8S_WASM: return "k8s-wasm";
    case WGABI_KUBEWARDEN: return "kubewarden";
    case WGABI_EXTISM: return "extism";
    }
    return "unknown";
}

wgabi_kind wgabi_kind_parse(const char *name)
{
    if (!name) return 0;
    for (int k = WGABI_K8S_WASM; k <= WGABI_EXTISM; k++)
        if (strcmp(name, wgabi_kind_name((wgabi_kind)k)) == 0) return (wgabi_kind)k;
    return 0;
}

wgabi_kind wgabi_detect(const wg_module *wasm)
{
    if (!wasm) return 0;
    bool imports_wapc = false, imports_extism = false;
    bool exports_entry = false, exports_guest_call = false;
    for (size_t i = 0; i < wg_module_import_count(wasm); i++) {
        wg_extern_desc d;
        if (!wg_module_import(wasm, i, &d)) continue;
        if (abi_name_is(d.module, d.module_len, "wapc")) imports_wapc = true;
        if (abi_name_is(d.module, d.module_len, "extism:host/env")) imports_extism = true;
    }
    for (size_t i = 0; i < wg_module_export_count(wasm); i++) {
        wg_extern_desc d;
        if (!wg_module_export(wasm, i, &d) || d.kind != WG_EXTERN_FUNC) continue;
        for (int e = 0; e < K8S_ENTRY_COUNT; e++)
            if (abi_name_is(d.name, d.name_len, wgabi_k8s_entry_names[e])) exports_entry = true;
        if (abi_name_is(d.name, d.name_len, "__guest_call")) exports_guest_call = true;
    }
    /* The specific marks first: a TinyGo waPC policy imports WASI as well. */
    if (imports_wapc && exports_guest_call) return WGABI_KUBEWARDEN;
    if (imports_extism) return WGABI_EXTISM;
    /* An entry point and no mark of another ABI: k8s-wasm, even with an import no ABI
     * provides, so that loading it names that import instead of failing to guess. */
    if (exports_entry && !imports_wapc) return WGABI_K8S_WASM;
    return 0;
}

static const abi_ops *ops_for(wgabi_kind kind)
{
    switch (kind) {
    case WGABI_K8S_WASM: return &wgabi_k8s_wasm_ops;
    case WGABI_KUBEWARDEN: return &wgabi_wapc_ops;
    case WGABI_EXTISM: return NULL;
    }
    return NULL;
}

/*
 * Every import must be something this ABI provides: a WASI preview 1 function, or one of
 * the ABI's own host functions. Nothing else is ever linked (no memories, tables or globals
 * come from the host), so anything else is refused here, by name.
 */
static bool check_imports(const wg_module *wasm, const abi_ops *ops, const char *name, char *err,
                          size_t errsz)
{
    for (size_t i = 0; i < wg_module_import_count(wasm); i++) {
        wg_extern_desc d;
        if (!wg_module_import(wasm, i, &d)) continue;
        char qm[160], qn[160], why[256] = "";
        bool ok = false;
        if (d.kind == WG_EXTERN_FUNC) {
            if (wgsb_is_wasi_module(d.module, d.module_len)) {
                ok = wgsb_wasi_defines(d.module, d.module_len, d.name, d.name_len);
                if (!ok) snprintf(why, sizeof why, " (not a WASI preview 1 function)");
            } else if (ops->host_module && abi_name_is(d.module, d.module_len, ops->host_module)) {
                if (!ops->check_host_import(&d, why, sizeof why)) {
                    abi_seterr(err, errsz, "module \"%s\": %s", name, why);
                    return false;
                }
                ok = true;
            }
        }
        if (!ok) {
            abi_seterr(err, errsz,
                       "module \"%s\": import %s %s (%s) is not provided by the %s ABI%s", name,
                       abi_quote(qm, sizeof qm, d.module, d.module_len),
                       abi_quote(qn, sizeof qn, d.name, d.name_len), wg_externkind_name(d.kind),
                       wgabi_kind_name(ops->kind), why);
            return false;
        }
    }
    return true;
}

/*
 * Instantiates the module once without running any of its code (no start function, no
 * export), under the manifest's limits: this catches what only linking or instantiation
 * can — an import whose type differs from the host's, memory declared over the limit, data
 * segments that do not fit — at load instead of on every call.
 */
static bool trial_link(wgabi_module *m, char *err, size_t errsz)
{
    const wgsb_limits *lim = &m->manifest->limits;
    wg_instance_options o;
    wg_instance_options_init(&o);
    o.skip_start = true;
    if (lim->max_memory_pages) o.max_memory_pages = lim->max_memory_pages;
    if (lim->max_table_elements) o.max_table_elements = lim->max_table_elements;
    if (lim->max_call_depth) o.max_call_depth = lim->max_call_depth;
    if (lim->max_stack_slots) o.stack_slots = lim->max_stack_slots;
    wg_trap *trap = NULL;
    char e[512];
    wg_instance *inst = wg_instance_new(m->wasm, m->linker, &o, &trap, e, sizeof e);
    if (inst) {
        wg_instance_free(inst);
        return true;
    }
    wg_trap_free(trap);
    abi_seterr(err, errsz, "module \"%s\": cannot be instantiated: %s", m->name, e);
    return false;
}

void wgabi_module_free(wgabi_module *m)
{
    if (!m) return;
    wg_linker_free(m->linker);
    wgsb_sandbox_free(m->sandbox);
    wg_module_free(m->wasm);
    free(m);
}

wgabi_module *wgabi_module_new(wg_module *wasm, wgabi_kind kind, const wgsb_manifest *manifest,
                               char *err, size_t errsz)
{
    wgsb_manifest defaults;
    wgsb_manifest_init(&defaults); /* for a NULL manifest: no grants, default limits */
    if (!manifest) manifest = &defaults;
    const char *name = manifest->name ? manifest->name : "module";
    const abi_ops *ops = ops_for(kind);
    if (kind == WGABI_EXTISM) {
        abi_seterr(err, errsz, "module \"%s\": the extism ABI is not implemented yet", name);
        goto fail_early;
    }
    if (!ops) {
        abi_seterr(err, errsz, "module \"%s\": unknown ABI %d (expected k8s-wasm or kubewarden)",
                   name, (int)kind);
        goto fail_early;
    }
    if (!wasm) {
        abi_seterr(err, errsz, "module \"%s\": no module", name);
        goto fail_early;
    }
    if (!check_imports(wasm, ops, name, err, errsz)) goto fail_early;

    wgabi_module *m = calloc(1, sizeof *m);
    if (!m) {
        abi_seterr(err, errsz, "module \"%s\": out of memory", name);
        goto fail_early;
    }
    m->kind = kind;
    m->ops = ops;
    m->wasm = wg_module_retain(wasm);
    m->name = name; /* until the sandbox's own copy exists */
    char why[512] = "";
    if (!ops->check_exports(m, why, sizeof why)) {
        abi_seterr(err, errsz, "module \"%s\": %s", name, why);
        goto fail;
    }
    /* The sandbox copies the manifest and opens the granted directories (its messages
     * already name the module). */
    m->sandbox = wgsb_sandbox_new(manifest, err, errsz);
    if (!m->sandbox) goto fail;
    m->manifest = wgsb_sandbox_manifest(m->sandbox);
    m->name = m->manifest->name ? m->manifest->name : "module";
    m->linker = wg_linker_new();
    if (!m->linker) {
        abi_seterr(err, errsz, "module \"%s\": out of memory", name);
        goto fail;
    }
    char e[256];
    if (!wgsb_define_wasi(m->linker, e, sizeof e) ||
        (ops->define_host && !ops->define_host(m->linker, e, sizeof e))) {
        abi_seterr(err, errsz, "module \"%s\": cannot define the host functions: %s", name, e);
        goto fail;
    }
    if (!trial_link(m, err, errsz)) goto fail;
    wgsb_manifest_clear(&defaults);
    return m;

fail:
    wgabi_module_free(m);
fail_early:
    wgsb_manifest_clear(&defaults);
    return NULL;
}

wgabi_module *wgabi_module_load(const void *bytes, size_t len, wgabi_kind kind,
                                const wgsb_manifest *manifest, char *err, size_t errsz)
{
    const char *name = manifest && manifest->name ? manifest->name : "module";
    /* Say so before spending a compilation on a module that could never be called. */
    if (kind == WGABI_EXTISM) {
        abi_seterr(err, errsz, "module \"%s\": the extism ABI is not implemented yet", name);
        return NULL;
    }
    if (!bytes && len) {
        abi_seterr(err, errsz, "module \"%s\": no bytes", name);
        return NULL;
    }
    char e[512];
    wg_module *wasm = wg_module_load(bytes ? bytes : "", len, NULL, e, sizeof e);
    if (!wasm) {
        abi_seterr(err, errsz, "module \"%s\": not a valid WebAssembly module: %s", name, e);
        return NULL;
    }
    wgabi_module *m = wgabi_module_new(wasm, kind, manifest, err, errsz);
    wg_module_free(wasm);
    return m;
}

wgabi_kind wgabi_module_kind(const wgabi_module *m)
{
    return m ? m->kind : 0;
}

const char *wgabi_module_name(const wgabi_module *m)
{
    return m ? m->name : NULL;
}

const wgsb_manifest *wgabi_module_manifest(const wgabi_module *m)
{
    return m ? m->manifest : NULL;
}
