/*
 * call.c — wgabi_call() and what every ABI's call shares: a fresh sandbox context and
 * instance per call, calling nullary exports, and filling the parts of the result that do
 * not depend on the ABI (log, fuel, exit code, duration).
 *
 * A call never touches the module except to read it: the context, the instance and the
 * ABI's per-call state belong to the calling thread, so calls run concurrently.
 */
#include <stdlib.h>
#include <string.h>

#include "abi_internal.h"

const char *wgabi_status_name(wgabi_status status)
{
    switch (status) {
    case WGABI_OK: return "ok";
    case WGABI_TRAP: return "trap";
    case WGABI_TIMEOUT: return "timeout";
    case WGABI_FUEL: return "fuel exhausted";
    case WGABI_MEMORY_LIMIT: return "memory limit";
    case WGABI_EXIT: return "exit";
    case WGABI_GUEST_ERROR: return "guest error";
    case WGABI_OUTPUT_LIMIT: return "output limit";
    case WGABI_ERROR: return "error";
    }
    return "error";
}

const char *wgabi_status_label(wgabi_status status)
{
    switch (status) {
    case WGABI_OK: return "ok";
    case WGABI_TRAP: return "trap";
    case WGABI_TIMEOUT: return "timeout";
    case WGABI_FUEL: return "fuel_exhausted";
    case WGABI_MEMORY_LIMIT: return "memory_limit";
    case WGABI_EXIT: return "exit";
    case WGABI_GUEST_ERROR: return "guest_error";
    case WGABI_OUTPUT_LIMIT: return "output_limit";
    case WGABI_ERROR: return "error";
    }
    return "error";
}

void wgabi_result_clear(wgabi_result *r)
{
    if (!r) return;
    free(r->output);
    free(r->log);
    memset(r, 0, sizeof *r);
}

bool abi_run_begin(abi_run *run, wgabi_module *m, wgabi_result *r, const wgsb_ctx_options *opts,
                   uint64_t deadline_ns)
{
    memset(run, 0, sizeof *run);
    run->m = m;
    run->r = r;
    char err[256];
    run->ctx = wgsb_ctx_new(m->sandbox, opts, err, sizeof err);
    if (!run->ctx) {
        abi_fail(r, WGABI_ERROR, "module %s: %s", m->name, err);
        return false;
    }
    wgsb_status st = WGSB_ERROR;
    run->inst = wgsb_instantiate(m->wasm, m->linker, run->ctx, deadline_ns, &st, r->message,
                                 sizeof r->message);
    if (!run->inst) {
        /* Without an instance there is nothing to call: even proc_exit(0) from the wasm start
         * function ends the call unanswered. */
        if (st == WGSB_EXIT && wgsb_ctx_exit_code(run->ctx) == 0)
            abi_fail(r, WGABI_ERROR,
                     "module %s: exited with status 0 in the start function, before any call",
                     m->name);
        else
            r->status = st == WGSB_OK ? WGABI_ERROR : abi_status_of(st);
        return false;
    }
    return true;
}

wgsb_status abi_run_call0(abi_run *run, const char *name, const char *where)
{
    wg_func *f = wg_instance_func(run->inst, name);
    wgsb_status st = wgsb_call(run->ctx, run->inst, f, NULL, 0, NULL, 0, 0, run->r->message,
                               sizeof run->r->message);
    if (st != WGSB_OK && where) abi_message_append(run->r, "%s", where);
    return st;
}

wgsb_status abi_run_call0_exit_ok(abi_run *run, const char *name, const char *where)
{
    wgsb_status st = abi_run_call0(run, name, where);
    if (st == WGSB_EXIT && wgsb_ctx_exit_code(run->ctx) == 0) {
        run->r->message[0] = '\0';
        return WGSB_OK;
    }
    return st;
}

void abi_run_end(abi_run *run)
{
    wgabi_result *r = run->r;
    if (run->ctx) {
        free(r->log);
        r->log = wgsb_ctx_take_stderr(run->ctx, &r->log_len);
        if (!r->log) r->log_len = 0;
        r->fuel_used = wgsb_ctx_fuel_used(run->ctx);
        /* The last call's proc_exit status (0 when it returned normally). */
        if (wgsb_ctx_exited(run->ctx)) r->exit_code = (int)wgsb_ctx_exit_code(run->ctx);
    }
    wg_instance_free(run->inst);
    wgsb_ctx_free(run->ctx);
    run->inst = NULL;
    run->ctx = NULL;
}

wgabi_status wgabi_call(wgabi_module *m, const char *entry, const void *input, size_t input_len,
                        uint64_t deadline_ns, wgabi_result *r)
{
    if (!r) return WGABI_ERROR;
    memset(r, 0, sizeof *r);
    uint64_t start = wg_now_ns();
    if (!m) return abi_fail(r, WGABI_ERROR, "wgabi_call: no module");
    if (!entry || !*entry)
        return abi_fail(r, WGABI_ERROR, "module %s: wgabi_call: no entry point named", m->name);
    if (!input && input_len)
        return abi_fail(r, WGABI_ERROR, "module %s: wgabi_call: input of %zu bytes at NULL",
                        m->name, input_len);
    if (!input) input = "";
    wgabi_status st = m->ops->call(m, entry, input, input_len, deadline_ns, r);
    r->status = st;
    if (st == WGABI_OK) r->message[0] = '\0';
    /* Callers may print output and log without checking for NULL; only out of memory
     * leaves them NULL. */
    if (!r->output && (r->output = malloc(1)) != NULL) {
        r->output[0] = '\0';
        r->output_len = 0;
    }
    if (!r->log && (r->log = malloc(1)) != NULL) {
        r->log[0] = '\0';
        r->log_len = 0;
    }
    r->duration_ns = wg_now_ns() - start;
    return st;
}
