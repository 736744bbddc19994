/*
 * wapc.c — the waPC ABI as Kubewarden policies use it (abis.md §3): the host functions the
 * guest imports from module "wapc", and the call protocol.
 *
 * A call, in a fresh instance:
 *   1. `_initialize` (a WASI reactor), then `_start` (a WASI command: TinyGo runs main,
 *      which registers the policy's functions), then `wapc_init`, each if exported. A
 *      proc_exit(0) from any of them is success, as TinyGo's runtime exits that way.
 *   2. `__guest_call(len(operation), len(payload))`. The guest copies both into its memory
 *      with __guest_request, answers with __guest_response or __guest_error, and returns 1
 *      (success) or 0 (failure).
 * Outcomes: 1 with a response → WGABI_OK, the response as output; 0 → WGABI_GUEST_ERROR with
 * the guest's message; 1 after __guest_error → WGABI_GUEST_ERROR too (the guest said both,
 * and an admission decision must not rest on the happier half); anything else → WGABI_ERROR.
 *
 * Every pointer and length the guest passes is checked against its linear memory before
 * the host reads or writes there; a range outside it traps the call (the guest is broken,
 * and a trap is reported with the function's name). The response obeys the manifest's
 * stdout cap (max_stdout_bytes): a larger one ends the call with WGABI_OUTPUT_LIMIT.
 * __console_log lines and the tracing host call go to the call's log (captured stderr).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_internal.h"

#define WAPC_MODULE "wapc"

/* How much of a __guest_error message is kept: it ends up in a one-line message anyway. */
#define GUEST_ERROR_KEEP 4096

/* Per-call state, reached by the host functions through the context's extension pointer. */
typedef struct wapc_state {
    const char *op; /* the operation and the payload, borrowed from wgabi_call's caller */
    size_t op_len;
    const uint8_t *payload;
    size_t payload_len;
    size_t response_limit; /* 0 = none */
    char *response;        /* __guest_response, malloc'd */
    size_t response_len;
    bool responded;
    char *error; /* __guest_error (first GUEST_ERROR_KEEP bytes) */
    size_t error_len;
    bool errored;
    char *host_response; /* the last __host_call's answer, one of the two */
    size_t host_response_len;
    char *host_error;
    size_t host_error_len;
    unsigned denials_logged;
} wapc_state;

static void wapc_state_free(wapc_state *s)
{
    free(s->response);
    free(s->error);
    free(s->host_response);
    free(s->host_error);
}

/* ---- Host functions ---------------------------------------------------------------- */

/* What every host function needs: the context, the state and the guest's memory. */
typedef struct wapc_host {
    wgsb_ctx *ctx;
    wapc_state *s;
    wg_memory *mem;
} wapc_host;

static wg_trap *host_begin(wg_instance *caller, const char *fn, wapc_host *h)
{
    h->ctx = wgsb_ctx_of(caller);
    h->s = h->ctx ? wgsb_ctx_ext(h->ctx) : NULL;
    h->mem = wg_instance_memory_at(caller, 0);
    if (!h->s) return wg_trap_new(WG_TRAP_HOST, "%s called outside a waPC call", fn);
    if (!h->mem) return wg_trap_new(WG_TRAP_HOST, "%s: the module has no memory", fn);
    return NULL;
}

/*
 * The guest range [ptr, ptr + len) as a host pointer, or NULL with *trap set. Pointers and
 * lengths are i32 in the ABI and read as unsigned (a negative length is a huge one).
 */
static uint8_t *guest_range(const wapc_host *h, const char *fn, const char *what, wg_value ptr,
                            uint64_t len, wg_trap **trap)
{
    uint8_t *p = wg_memory_ptr(h->mem, ptr.u32, len);
    if (!p)
        *trap = wg_trap_new(WG_TRAP_HOST,
                            "%s: %s at %u (%llu bytes) is outside linear memory (%zu bytes)", fn,
                            what, ptr.u32, (unsigned long long)len, wg_memory_size(h->mem));
    return p;
}

static wg_trap *out_of_memory(const wapc_host *h, const char *fn)
{
    return wgsb_ctx_abort(h->ctx, WGSB_ERROR, "%s: out of memory", fn);
}

/* __guest_request(op_ptr, ptr): the guest asks for the operation and the payload. */
static wg_trap *host_guest_request(wg_instance *caller, const wg_value *args, wg_value *results,
                                   void *env)
{
    static const char fn[] = "__guest_request";
    wapc_host h;
    wg_trap *t = host_begin(caller, fn, &h);
    if (t) return t;
    uint8_t *op = guest_range(&h, fn, "the operation buffer", args[0], h.s->op_len, &t);
    if (!op) return t;
    uint8_t *msg = guest_range(&h, fn, "the payload buffer", args[1], h.s->payload_len, &t);
    if (!msg) return t;
    /* memmove: the guest may have made the two buffers overlap; its problem, not a crash. */
    if (h.s->op_len) memmove(op, h.s->op, h.s->op_len);
    if (h.s->payload_len) memmove(msg, h.s->payload, h.s->payload_len);
    return NULL;
}

/* __guest_response(ptr, len): the answer. The last one given counts. */
static wg_trap *host_guest_response(wg_instance *caller, const wg_value *args, wg_value *results,
                                    void *env)
{
    static const char fn[] = "__guest_response";
    wapc_host h;
    wg_trap *t = host_begin(caller, fn, &h);
    if (t) return t;
    uint32_t len = args[1].u32;
    uint8_t *p = guest_range(&h, fn, "the response", args[0], len, &t);
    if (!p) return t;
    if (h.s->response_limit && len > h.s->response_limit)
        return wgsb_ctx_abort(h.ctx, WGSB_OUTPUT_LIMIT,
                              "output limit: the waPC response of %u bytes exceeds %zu bytes", len,
                              h.s->response_limit);
    char *copy = abi_copy_bytes(p, len);
    if (!copy) return out_of_memory(&h, fn);
    free(h.s->response);
    h.s->response = copy;
    h.s->response_len = len;
    h.s->responded = true;
    return NULL;
}

/* __guest_error(ptr, len): the guest's reason for failing. */
static wg_trap *host_guest_error(wg_instance *caller, const wg_value *args, wg_value *results,
                                 void *env)
{
    static const char fn[] = "__guest_error";
    wapc_host h;
    wg_trap *t = host_begin(caller, fn, &h);
    if (t) return t;
    uint32_t len = args[1].u32;
    uint8_t *p = guest_range(&h, fn, "the error message", args[0], len, &t);
    if (!p) return t;
    size_t keep = len < GUEST_ERROR_KEEP ? len : GUEST_ERROR_KEEP;
    char *copy = abi_copy_bytes(p, keep);
    if (!copy) return out_of_memory(&h, fn);
    free(h.s->error);
    h.s->error = copy;
    h.s->error_len = keep;
    h.s->errored = true;
    return NULL;
}

/* __console_log(ptr, len): one line of the call's log. */
static wg_trap *host_console_log(wg_instance *caller, const wg_value *args, wg_value *results,
                                 void *env)
{
    static const char fn[] = "__console_log";
    wapc_host h;
    wg_trap *t = host_begin(caller, fn, &h);
    if (t) return t;
    uint32_t len = args[1].u32;
    uint8_t *p = guest_range(&h, fn, "the message", args[0], len, &t);
    if (!p) return t;
    /* Captured stderr has its own cap and truncation marker: a chatty policy is cut, not failed. */
    if (!wgsb_ctx_append_stderr(h.ctx, p, len) || !wgsb_ctx_append_stderr(h.ctx, "\n", 1))
        return out_of_memory(&h, fn);
    return NULL;
}

/* __host_call(binding, namespace, operation, payload) -> 1 ok / 0 error. */
static wg_trap *host_host_call(wg_instance *caller, const wg_value *args, wg_value *results,
                               void *env)
{
    static const char fn[] = "__host_call";
    wapc_host h;
    wg_trap *t = host_begin(caller, fn, &h);
    if (t) return t;
    const char *binding =
        (const char *)guest_range(&h, fn, "the binding", args[0], args[1].u32, &t);
    if (!binding) return t;
    const char *ns = (const char *)guest_range(&h, fn, "the namespace", args[2], args[3].u32, &t);
    if (!ns) return t;
    const char *op = (const char *)guest_range(&h, fn, "the operation", args[4], args[5].u32, &t);
    if (!op) return t;
    const uint8_t *payload = guest_range(&h, fn, "the payload", args[6], args[7].u32, &t);
    if (!payload) return t;

    /* A new call forgets the previous answer, as in waPC's reference hosts. */
    free(h.s->host_response);
    free(h.s->host_error);
    h.s->host_response = h.s->host_error = NULL;
    h.s->host_response_len = h.s->host_error_len = 0;

    char *reply = NULL;
    size_t reply_len = 0;
    bool oom = false;
    bool ok =
        wgabi_wapc_host_call(h.ctx, binding, args[1].u32, ns, args[3].u32, op, args[5].u32, payload,
                             args[7].u32, &reply, &reply_len, &oom, &h.s->denials_logged);
    if (oom) {
        free(reply);
        return out_of_memory(&h, fn);
    }
    if (ok) {
        h.s->host_response = reply;
        h.s->host_response_len = reply_len;
    } else {
        h.s->host_error = reply;
        h.s->host_error_len = reply_len;
    }
    results[0].u64 = ok ? 1 : 0;
    return NULL;
}

/* A length as the guest's i32; the host never produces more than fits (capped above). */
static uint64_t guest_len(size_t len)
{
    return len > INT32_MAX ? (uint64_t)INT32_MAX : (uint64_t)len;
}

static wg_trap *host_response_len(wg_instance *caller, const wg_value *args, wg_value *results,
                                  void *env)
{
    wapc_host h;
    wg_trap *t = host_begin(caller, "__host_response_len", &h);
    if (t) return t;
    results[0].u64 = guest_len(h.s->host_response_len);
    return NULL;
}

static wg_trap *host_error_len(wg_instance *caller, const wg_value *args, wg_value *results,
                               void *env)
{
    wapc_host h;
    wg_trap *t = host_begin(caller, "__host_error_len", &h);
    if (t) return t;
    results[0].u64 = guest_len(h.s->host_error_len);
    return NULL;
}

/* Copies the host's answer (or error) to the guest's buffer at args[0]. */
static wg_trap *copy_to_guest(wg_instance *caller, const wg_value *args, const char *fn, bool error)
{
    wapc_host h;
    wg_trap *t = host_begin(caller, fn, &h);
    if (t) return t;
    const char *data = error ? h.s->host_error : h.s->host_response;
    size_t len = error ? h.s->host_error_len : h.s->host_response_len;
    uint8_t *p = guest_range(&h, fn, "the buffer", args[0], len, &t);
    if (!p) return t;
    if (len) memcpy(p, data, len);
    return NULL;
}

static wg_trap *host_response(wg_instance *caller, const wg_value *args, wg_value *results,
                              void *env)
{
    return copy_to_guest(caller, args, "__host_response", false);
}

static wg_trap *host_error(wg_instance *caller, const wg_value *args, wg_value *results, void *env)
{
    return copy_to_guest(caller, args, "__host_error", true);
}

/* The functions of import module "wapc"; types as 'i' (i32) strings. */
typedef struct wapc_def {
    const char *name;
    const char *params;
    const char *results;
    wg_host_fn fn;
} wapc_def;

static const wapc_def wapc_defs[] = {
    {"__guest_request", "ii", "", host_guest_request},
    {"__guest_response", "ii", "", host_guest_response},
    {"__guest_error", "ii", "", host_guest_error},
    {"__host_call", "iiiiiiii", "i", host_host_call},
    {"__host_response_len", "", "i", host_response_len},
    {"__host_response", "i", "", host_response},
    {"__host_error_len", "", "i", host_error_len},
    {"__host_error", "i", "", host_error},
    {"__console_log", "ii", "", host_console_log},
};

#define WAPC_DEF_COUNT (sizeof wapc_defs / sizeof wapc_defs[0])

static bool wapc_define_host(wg_linker *l, char *err, size_t errsz)
{
    for (size_t i = 0; i < WAPC_DEF_COUNT; i++) {
        const wapc_def *d = &wapc_defs[i];
        wg_valtype params[8], results[1];
        size_t np = strlen(d->params), nr = strlen(d->results);
        for (size_t k = 0; k < np; k++)
            params[k] = WG_I32;
        for (size_t k = 0; k < nr; k++)
            results[k] = WG_I32;
        if (!wg_linker_define_func(l, WAPC_MODULE, d->name, params, np, results, nr, d->fn, NULL,
                                   err, errsz))
            return false;
    }
    return true;
}

/* Writes the type of a definition as the engine formats types: "(i32, i32) -> ()". */
static void def_type_text(const wapc_def *d, char *buf, size_t bufsz)
{
    size_t used = 0;
    const char *parts[2] = {d->params, d->results};
    for (int p = 0; p < 2; p++) {
        used += (size_t)snprintf(buf + used, bufsz - used, "%s(", p ? " -> " : "");
        for (size_t k = 0; parts[p][k] && used < bufsz; k++)
            used += (size_t)snprintf(buf + used, bufsz - used, "%si32", k ? ", " : "");
        if (used < bufsz) used += (size_t)snprintf(buf + used, bufsz - used, ")");
        if (used >= bufsz) return;
    }
}

static bool wapc_check_host_import(const wg_extern_desc *d, char *err, size_t errsz)
{
    char qn[96], have[128], want[128];
    for (size_t i = 0; i < WAPC_DEF_COUNT; i++) {
        const wapc_def *def = &wapc_defs[i];
        if (!abi_name_is(d->name, d->name_len, def->name)) continue;
        if (abi_functype_is(d->func_type, def->params, def->results)) return true;
        def_type_text(def, want, sizeof want);
        abi_seterr(err, errsz, "import \"wapc\" %s has type %s, the kubewarden ABI provides %s",
                   abi_quote(qn, sizeof qn, d->name, d->name_len),
                   abi_functype_text(d->func_type, have, sizeof have), want);
        return false;
    }
    abi_seterr(err, errsz, "import \"wapc\" %s (func) is not provided by the kubewarden ABI",
               abi_quote(qn, sizeof qn, d->name, d->name_len));
    return false;
}

static bool wapc_check_exports(wgabi_module *m, char *err, size_t errsz)
{
    char have[128];
    const wg_functype *t = NULL;
    if (!abi_export_func(m->wasm, "__guest_call", &t)) {
        abi_seterr(err, errsz, "does not export __guest_call: not a waPC guest");
        return false;
    }
    if (!abi_functype_is(t, "ii", "i")) {
        abi_seterr(err, errsz,
                   "export \"__guest_call\" must be of type (i32, i32) -> (i32), not %s",
                   abi_functype_text(t, have, sizeof have));
        return false;
    }
    if (!abi_exports_memory(m->wasm)) {
        abi_seterr(err, errsz, "exports no memory named \"memory\" (waPC needs it)");
        return false;
    }
    static const char *const starters[] = {"_initialize", "_start", "wapc_init"};
    bool *flags[] = {&m->has_initialize, &m->has_start, &m->has_wapc_init};
    for (size_t i = 0; i < 3; i++) {
        if (!abi_export_func(m->wasm, starters[i], &t)) continue;
        if (!abi_functype_is(t, "", "")) {
            abi_seterr(err, errsz, "export \"%s\" must be of type () -> (), not %s", starters[i],
                       abi_functype_text(t, have, sizeof have));
            return false;
        }
        *flags[i] = true;
    }
    return true;
}

/* Runs one of the start-up exports; proc_exit(0) counts as having returned. */
static wgsb_status run_starter(abi_run *run, const char *name)
{
    char where[48];
    snprintf(where, sizeof where, " (in %s)", name);
    return abi_run_call0_exit_ok(run, name, where);
}

/* Calls __guest_call and turns what the guest did into the result's status and message. */
static void guest_call(abi_run *run, wapc_state *s)
{
    wgabi_result *r = run->r;
    const char *name = run->m->name;
    wg_value args[2], result = {.u64 = 0};
    args[0].u64 = (uint32_t)s->op_len;
    args[1].u64 = (uint32_t)s->payload_len;
    wg_func *f = wg_instance_func(run->inst, "__guest_call");
    wgsb_status st =
        wgsb_call(run->ctx, run->inst, f, args, 2, &result, 1, 0, r->message, sizeof r->message);
    if (st == WGSB_EXIT && wgsb_ctx_exit_code(run->ctx) == 0) {
        /* It exited cleanly instead of returning: an answer given before counts. */
        if (s->responded && !s->errored) {
            r->message[0] = '\0';
            r->status = WGABI_OK;
        } else {
            abi_fail(r, WGABI_ERROR,
                     "module %s: exited with status 0 during __guest_call "
                     "without answering",
                     name);
        }
        return;
    }
    if (st != WGSB_OK) {
        r->status = abi_status_of(st);
        abi_message_append(r, " (in __guest_call)");
        return;
    }
    int32_t rc = result.i32;
    char text[400];
    if ((rc == 0 || rc == 1) && s->errored) {
        abi_clean_text(text, sizeof text, s->error, s->error_len);
        abi_fail(r, WGABI_GUEST_ERROR, "module %s: guest error: %s", name,
                 s->error_len ? text : "(empty message)");
        if (rc == 1) abi_message_append(r, " (although __guest_call returned success)");
    } else if (rc == 0) {
        abi_fail(r, WGABI_GUEST_ERROR, "module %s: __guest_call failed without an error message",
                 name);
    } else if (rc == 1) {
        r->status = WGABI_OK;
    } else {
        abi_fail(r, WGABI_ERROR, "module %s: __guest_call returned %d (1 is success, 0 failure)",
                 name, (int)rc);
    }
}

static wgabi_status wapc_call(wgabi_module *m, const char *entry, const void *input,
                              size_t input_len, uint64_t deadline_ns, wgabi_result *r)
{
    wapc_state s;
    memset(&s, 0, sizeof s);
    s.op = entry;
    s.op_len = strlen(entry);
    s.payload = input;
    s.payload_len = input_len;
    s.response_limit = m->manifest->limits.max_stdout_bytes;
    /* The lengths travel as i32: a payload this large could never fit in guest memory. */
    if (input_len > INT32_MAX || s.op_len > INT32_MAX)
        return abi_fail(r, WGABI_ERROR, "module %s: the waPC payload of %zu bytes is too large",
                        m->name, input_len);

    wgsb_ctx_options o;
    wgsb_ctx_options_init(&o);
    o.ext = &s;
    abi_run run;
    if (abi_run_begin(&run, m, r, &o, deadline_ns)) {
        wgsb_status st = WGSB_OK;
        if (m->has_initialize) st = run_starter(&run, "_initialize");
        if (st == WGSB_OK && m->has_start) st = run_starter(&run, "_start");
        if (st == WGSB_OK && m->has_wapc_init) st = run_starter(&run, "wapc_init");
        if (st == WGSB_OK)
            guest_call(&run, &s);
        else
            r->status = abi_status_of(st);
    }
    abi_run_end(&run);
    /* The response is the output, kept on failure too (diagnostics). */
    if (s.responded) {
        r->output = s.response;
        r->output_len = s.response_len;
        s.response = NULL;
    }
    wapc_state_free(&s);
    return r->status;
}

const abi_ops wgabi_wapc_ops = {
    .kind = WGABI_KUBEWARDEN,
    .host_module = WAPC_MODULE,
    .define_host = wapc_define_host,
    .check_host_import = wapc_check_host_import,
    .check_exports = wapc_check_exports,
    .call = wapc_call,
};
