/*
 * run.c — instantiating and calling modules under the manifest's limits,
 * and turning the engine's traps into a status and a message that names
 * the module and the limit that was hit.
 *
 * The engine enforces memory pages, table elements, call depth, stack
 * slots, fuel and the deadline; the sandbox chooses their values, keeps one
 * deadline and one fuel budget for a whole context (instantiation and every
 * call on it), and words the errors.
 */
#include <stdio.h>
#include <string.h>

#include "sandbox_internal.h"

#define DEFAULT_CALL_DEPTH 10000 /* the engine's, when the manifest says 0 */

/* Clears what one run reports through the context before the next one starts. */
static void begin_run(wgsb_ctx *ctx)
{
    ctx->exited = false;
    ctx->exit_code = 0;
    ctx->output_exceeded = false;
    ctx->abort_status = WGSB_OK;
}

/*
 * The heart of the error wording. The context's flags come first: a
 * proc_exit or an output overflow is what the module did, whatever trap
 * object carried it out of the engine.
 */
static wgsb_status classify(wgsb_ctx *ctx, const wg_trap *t, const char *suffix, char *msg,
                            size_t msgsz)
{
    const char *name = wgsb_module_name(ctx->m);
    const wgsb_limits *lim = &ctx->m->limits;
    char buf[8]; /* the message is still formatted (and dropped) when the caller wants none */
    if (!msg || !msgsz) {
        msg = buf;
        msgsz = sizeof buf;
    }
    if (ctx->exited) {
        snprintf(msg, msgsz, "module %s: exited with status %d%s", name, (int)ctx->exit_code,
                 suffix);
        return WGSB_EXIT;
    }
    if (ctx->output_exceeded) {
        snprintf(msg, msgsz, "module %s: output limit: stdout exceeded %zu bytes%s", name,
                 lim->max_stdout_bytes, suffix);
        return WGSB_OUTPUT_LIMIT;
    }
    wg_trap_kind kind = wg_trap_kind_of(t);
    const char *text = wg_trap_message(t);
    if (ctx->abort_status != WGSB_OK && kind == WG_TRAP_HOST) {
        snprintf(msg, msgsz, "module %s: %s%s", name, text, suffix);
        return ctx->abort_status;
    }
    switch (kind) {
    case WG_TRAP_TIMEOUT:
        snprintf(msg, msgsz, "module %s: timeout: exceeded %llu ms%s", name,
                 (unsigned long long)ctx->deadline_ms, suffix);
        return WGSB_TIMEOUT;
    case WG_TRAP_FUEL_EXHAUSTED:
        /* The engine counts from the remainder it was given; the budget is the manifest's. */
        snprintf(msg, msgsz, "module %s: fuel exhausted after %llu units%s", name,
                 (unsigned long long)lim->fuel, suffix);
        return WGSB_FUEL;
    case WG_TRAP_MEMORY_LIMIT:
    case WG_TRAP_TABLE_LIMIT:
        snprintf(msg, msgsz, "module %s: %s%s", name, text, suffix);
        return WGSB_MEMORY_LIMIT;
    case WG_TRAP_STACK_EXHAUSTED:
        if (strstr(text, "host memory")) {
            snprintf(msg, msgsz, "module %s: %s%s", name, text, suffix);
            return WGSB_ERROR;
        }
        snprintf(msg, msgsz, "module %s: call stack exhausted (limit %u calls)%s", name,
                 lim->max_call_depth ? lim->max_call_depth : DEFAULT_CALL_DEPTH, suffix);
        return WGSB_TRAP;
    case WG_TRAP_EXIT:
        /* proc_exit of another layer (wg_trap_exit() without our WASI): still an exit. */
        ctx->exited = true;
        ctx->exit_code = wg_trap_exit_status(t);
        snprintf(msg, msgsz, "module %s: exited with status %d%s", name, (int)ctx->exit_code,
                 suffix);
        return WGSB_EXIT;
    case WG_TRAP_INTERRUPTED:
        snprintf(msg, msgsz, "module %s: interrupted%s", name, suffix);
        return WGSB_ERROR;
    case WG_TRAP_HOST:
        snprintf(msg, msgsz, "module %s: %s%s", name, text, suffix);
        return WGSB_TRAP;
    default: break;
    }
    uint32_t func = wg_trap_function(t);
    if (func != UINT32_MAX)
        snprintf(msg, msgsz, "module %s: trap: %s (in function %u)%s", name, text, func, suffix);
    else
        snprintf(msg, msgsz, "module %s: trap: %s%s", name, text, suffix);
    return WGSB_TRAP;
}

wgsb_status wgsb_trap_status(wgsb_ctx *ctx, const wg_trap *trap, char *msg, size_t msgsz)
{
    if (!trap) {
        if (msg && msgsz) msg[0] = '\0';
        return WGSB_OK;
    }
    return classify(ctx, trap, "", msg, msgsz);
}

static void set_status(wgsb_status *status, wgsb_status s)
{
    if (status) *status = s;
}

wg_instance *wgsb_instantiate(wg_module *m, const wg_linker *l, wgsb_ctx *ctx, uint64_t deadline_ns,
                              wgsb_status *status, char *msg, size_t msgsz)
{
    if (msg && msgsz) msg[0] = '\0';
    if (!m || !ctx) {
        set_status(status, WGSB_ERROR);
        if (msg && msgsz) snprintf(msg, msgsz, "wgsb_instantiate: no module or no context");
        return NULL;
    }
    const wgsb_limits *lim = &ctx->m->limits;
    wg_instance_options opts;
    wg_instance_options_init(&opts);
    opts.userdata = ctx;
    /* 0 in the manifest means "the engine's default" for these four. */
    if (lim->max_memory_pages) opts.max_memory_pages = lim->max_memory_pages;
    if (lim->max_table_elements) opts.max_table_elements = lim->max_table_elements;
    if (lim->max_call_depth) opts.max_call_depth = lim->max_call_depth;
    if (lim->max_stack_slots) opts.stack_slots = lim->max_stack_slots;
    opts.fuel = lim->fuel;
    opts.deadline_ns = wgsb_ctx_effective_deadline(ctx, deadline_ns);
    begin_run(ctx);

    wg_trap *trap = NULL;
    char err[512];
    wg_instance *inst = wg_instance_new(m, l, &opts, &trap, err, sizeof err);
    if (inst) {
        set_status(status, WGSB_OK);
        return inst;
    }
    if (trap) {
        set_status(status, classify(ctx, trap, " (in the start function)", msg, msgsz));
        wg_trap_free(trap);
        return NULL;
    }
    /* A module whose declared minimum is over a limit fails here, not in memory.grow. */
    bool over_limit =
        strncmp(err, "memory limit:", 13) == 0 || strncmp(err, "table limit:", 12) == 0;
    set_status(status, over_limit ? WGSB_MEMORY_LIMIT : WGSB_ERROR);
    if (msg && msgsz) snprintf(msg, msgsz, "module %s: %s", wgsb_module_name(ctx->m), err);
    return NULL;
}

wgsb_status wgsb_call(wgsb_ctx *ctx, wg_instance *inst, wg_func *f, const wg_value *args,
                      size_t nargs, wg_value *results, size_t nresults, uint64_t deadline_ns,
                      char *msg, size_t msgsz)
{
    if (msg && msgsz) msg[0] = '\0';
    if (!ctx) {
        if (msg && msgsz) snprintf(msg, msgsz, "wgsb_call: no context");
        return WGSB_ERROR;
    }
    const char *name = wgsb_module_name(ctx->m);
    if (!inst || !f) {
        if (msg && msgsz) snprintf(msg, msgsz, "module %s: no function to call", name);
        return WGSB_ERROR;
    }
    if (wg_instance_userdata(inst) != ctx) {
        if (msg && msgsz)
            snprintf(msg, msgsz, "module %s: the instance was not made for this context", name);
        return WGSB_ERROR;
    }
    const wg_functype *type = wg_func_type(f);
    size_t np = wg_functype_param_count(type), nr = wg_functype_result_count(type);
    if (np != nargs || nr != nresults || (nargs && !args) || (nresults && !results)) {
        if (msg && msgsz)
            snprintf(msg, msgsz,
                     "module %s: the function takes %zu arguments and returns %zu results; the "
                     "call passes %zu and expects %zu",
                     name, np, nr, nargs, nresults);
        return WGSB_ERROR;
    }
    const wgsb_limits *lim = &ctx->m->limits;
    uint64_t deadline = wgsb_ctx_effective_deadline(ctx, deadline_ns);
    begin_run(ctx);
    if (deadline && wg_now_ns() >= deadline) {
        if (msg && msgsz)
            snprintf(msg, msgsz, "module %s: timeout: exceeded %llu ms", name,
                     (unsigned long long)ctx->deadline_ms);
        return WGSB_TIMEOUT;
    }
    uint64_t fuel = 0; /* 0 = unlimited for the engine */
    if (lim->fuel) {
        if (ctx->fuel_used >= lim->fuel) {
            if (msg && msgsz)
                snprintf(msg, msgsz, "module %s: fuel exhausted after %llu units", name,
                         (unsigned long long)lim->fuel);
            return WGSB_FUEL;
        }
        fuel = lim->fuel - ctx->fuel_used;
    }
    wg_instance_set_fuel(inst, fuel);
    wg_instance_set_deadline(inst, deadline);
    wg_trap *trap = wg_func_call(f, args, nargs, results, nresults);
    ctx->fuel_used += wg_instance_fuel_consumed(inst);
    if (!trap) return WGSB_OK;
    wgsb_status st = classify(ctx, trap, "", msg, msgsz);
    wg_trap_free(trap);
    return st;
}
