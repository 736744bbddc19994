/*
 * k8s_wasm.c — the k8s-wasm module ABI (abis.md §2): a WASI preview 1 module exporting
 * nullary functions `authn`, `authz` and `validate`. The host instantiates the module
 * afresh, writes the input to its stdin, calls the export, and takes stdout as the answer;
 * stderr is the module's log.
 *
 * What the host does, beyond the spec's letter:
 *   - `_start` is never called (the spec says so: a command's main would run instead of the
 *     export);
 *   - `_initialize` is called first when the module exports it: the WASI application ABI
 *     requires a reactor's initialiser to run before any other export, and without it C or
 *     Rust constructors never run. Modules built as the SDK recommends export neither.
 *   - proc_exit(0) — from the export or from _initialize — is success: the output written
 *     so far is the answer. Any other status is WGABI_EXIT.
 * Interpreting the answer (JSON, kinds, uids, patches) is the Kubernetes layer's job; this
 * file only moves bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "abi_internal.h"

static bool k8s_check_exports(wgabi_module *m, char *err, size_t errsz)
{
    bool any = false;
    char have[128];
    for (int e = 0; e < K8S_ENTRY_COUNT; e++) {
        const char *entry = wgabi_k8s_entry_names[e];
        const wg_functype *t = NULL;
        if (!abi_export_func(m->wasm, entry, &t)) continue;
        if (!abi_functype_is(t, "", "")) {
            abi_seterr(err, errsz, "export \"%s\" must be a function of type () -> (), not %s",
                       entry, abi_functype_text(t, have, sizeof have));
            return false;
        }
        m->k8s_entries[e] = true;
        any = true;
    }
    if (!any) {
        abi_seterr(err, errsz,
                   "exports none of the k8s-wasm entry points authn, authz, validate "
                   "(functions of type () -> ())");
        return false;
    }
    if (!abi_exports_memory(m->wasm)) {
        abi_seterr(err, errsz, "exports no memory named \"memory\" (WASI needs it)");
        return false;
    }
    const wg_functype *t = NULL;
    if (abi_export_func(m->wasm, "_initialize", &t)) {
        if (!abi_functype_is(t, "", "")) {
            abi_seterr(err, errsz, "export \"_initialize\" must be of type () -> (), not %s",
                       abi_functype_text(t, have, sizeof have));
            return false;
        }
        m->has_initialize = true;
    }
    m->has_start = abi_export_func(m->wasm, "_start", NULL); /* noted, never called */
    return true;
}

static int entry_index(const char *entry)
{
    for (int e = 0; e < K8S_ENTRY_COUNT; e++)
        if (strcmp(entry, wgabi_k8s_entry_names[e]) == 0) return e;
    return -1;
}

static wgabi_status k8s_call(wgabi_module *m, const char *entry, const void *input,
                             size_t input_len, uint64_t deadline_ns, wgabi_result *r)
{
    int e = entry_index(entry);
    if (e < 0) {
        char q[96];
        return abi_fail(r, WGABI_ERROR,
                        "module %s: %s is not a k8s-wasm entry point (authn, authz or validate)",
                        m->name, abi_quote(q, sizeof q, entry, strlen(entry)));
    }
    if (!m->k8s_entries[e])
        return abi_fail(r, WGABI_ERROR, "module %s does not export \"%s\"", m->name, entry);

    wgsb_ctx_options o;
    wgsb_ctx_options_init(&o);
    o.stdin_data = input; /* borrowed: the caller's buffer outlives the call */
    o.stdin_len = input_len;
    abi_run run;
    if (abi_run_begin(&run, m, r, &o, deadline_ns)) {
        /* proc_exit(0) ends a k8s-wasm call successfully; every other outcome stands. */
        wgsb_status st = WGSB_OK;
        if (m->has_initialize) st = abi_run_call0_exit_ok(&run, "_initialize", " (in _initialize)");
        if (st == WGSB_OK) st = abi_run_call0_exit_ok(&run, entry, NULL);
        r->status = abi_status_of(st);
        /* Kept on failure too: what a module wrote before it failed helps to see why. */
        r->output = wgsb_ctx_take_stdout(run.ctx, &r->output_len);
        if (!r->output) {
            r->output_len = 0;
            if (r->status == WGABI_OK)
                abi_fail(r, WGABI_ERROR, "module %s: out of memory taking the output", m->name);
        }
    }
    abi_run_end(&run);
    return r->status;
}

const abi_ops wgabi_k8s_wasm_ops = {
    .kind = WGABI_K8S_WASM,
    .host_module = NULL, /* WASI only */
    .define_host = NULL,
    .check_host_import = NULL,
    .check_exports = k8s_check_exports,
    .call = k8s_call,
};
