/*
 * abi_internal.h — what the ABI layer's source files share: the loaded module, the table of
 * operations each ABI implements, the per-call run (context + instance + result), and small
 * helpers for messages and function types.
 *
 * Nothing outside src/abi may include this file; the layers above see only wasmgate/abi.h.
 * The ABI layer uses the engine's and the sandbox's public APIs only.
 */
#ifndef WASMGATE_ABI_INTERNAL_H
#define WASMGATE_ABI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/abi.h"
#include "wasmgate/sandbox.h"
#include "wasmgate/wg.h"

typedef struct abi_ops abi_ops;

/* The k8s-wasm entry points, in the order of wgabi_module.k8s_entries. */
enum { K8S_ENTRY_AUTHN, K8S_ENTRY_AUTHZ, K8S_ENTRY_VALIDATE, K8S_ENTRY_COUNT };
extern const char *const wgabi_k8s_entry_names[K8S_ENTRY_COUNT];

/*
 * A loaded module. Everything here is written by wgabi_module_new() and only read
 * afterwards, which is what makes concurrent wgabi_call()s on one module safe: each call
 * has its own context and instance, and the engine module, linker and sandbox are
 * immutable and shared by design.
 */
struct wgabi_module {
    wgabi_kind kind;
    const abi_ops *ops;
    wg_module *wasm;               /* one reference, ours */
    wg_linker *linker;             /* WASI + the ABI's host functions */
    wgsb_sandbox *sandbox;         /* one reference, ours */
    const wgsb_manifest *manifest; /* the sandbox's private copy */
    const char *name;              /* manifest->name, never NULL */
    /* Exports found at load (functions of the right type only; others refuse the load). */
    bool has_initialize; /* WASI reactor initialiser */
    bool has_start;      /* WASI command entry (run by waPC only) */
    bool has_wapc_init;
    bool k8s_entries[K8S_ENTRY_COUNT];
};

/*
 * One ABI. The loader (module.c) does what every ABI needs — import and export checks,
 * the linker, the sandbox, a trial link — and asks the ABI for the rest through these.
 */
struct abi_ops {
    wgabi_kind kind;
    /* The import module whose functions the ABI defines ("wapc"), or NULL for none. */
    const char *host_module;
    /* Defines the ABI's host functions on a linker that already has WASI. */
    bool (*define_host)(wg_linker *l, char *err, size_t errsz);
    /*
     * Whether an import from host_module is one the ABI provides, with the right type;
     * if not, a message (without the module prefix) in err.
     */
    bool (*check_host_import)(const wg_extern_desc *d, char *err, size_t errsz);
    /* Checks the exports the ABI needs and records them in m; message without prefix. */
    bool (*check_exports)(wgabi_module *m, char *err, size_t errsz);
    /* The call itself: r is zeroed; the common parts (log, fuel, duration) are added after. */
    wgabi_status (*call)(wgabi_module *m, const char *entry, const void *input, size_t input_len,
                         uint64_t deadline_ns, wgabi_result *r);
};

extern const abi_ops wgabi_k8s_wasm_ops;
extern const abi_ops wgabi_wapc_ops;

/* ---- One call's run (call.c) ---------------------------------------------------- */

/* A context and an instance made for one wgabi_call, and the result they report into. */
typedef struct abi_run {
    wgabi_module *m;
    wgabi_result *r;
    wgsb_ctx *ctx;
    wg_instance *inst;
} abi_run;

/*
 * Makes the context (with opts) and the instance, under the earlier of deadline_ns and the
 * manifest's timeout (the sandbox keeps one deadline per context). On failure fills r
 * (status and message) and returns false; abi_run_end() must be called either way.
 */
bool abi_run_begin(abi_run *run, wgabi_module *m, wgabi_result *r, const wgsb_ctx_options *opts,
                   uint64_t deadline_ns);

/*
 * Calls the nullary export `name` (a function of type () -> (), checked at load). Returns
 * the sandbox's status; the message goes to r->message. WGSB_EXIT is returned for every
 * proc_exit, status 0 included: whether that is success is the caller's (the ABI's) choice.
 * `where`, when not NULL, is added to the message: " (in _initialize)".
 */
wgsb_status abi_run_call0(abi_run *run, const char *name, const char *where);

/*
 * abi_run_call0() for a call after which a proc_exit(0) is success, as it is for the
 * exports both ABIs call before the entry point (and for k8s-wasm's entry point itself):
 * WGSB_EXIT with status 0 becomes WGSB_OK with the message cleared.
 */
wgsb_status abi_run_call0_exit_ok(abi_run *run, const char *name, const char *where);

/*
 * Fills what every ABI reports — the log (captured stderr, which also holds host
 * diagnostics), the fuel used, the exit code of a WGABI_EXIT — then frees the instance and
 * the context. Safe after a failed abi_run_begin().
 */
void abi_run_end(abi_run *run);

/* ---- waPC host calls (host_calls.c) ----------------------------------------------- */

/*
 * Answers a waPC __host_call(binding, namespace, operation, payload) made by the module of
 * ctx, under its manifest. Returns true with the response in *reply, or false with the
 * error message in *reply (the guest reads either through __host_response / __host_error);
 * *reply is malloc'd (NUL-terminated, length in *reply_len) or NULL when out of memory,
 * which *oom then reports. Denials are logged through the manifest, at most a few per call
 * (*denials_logged counts them).
 */
bool wgabi_wapc_host_call(wgsb_ctx *ctx, const char *binding, size_t binding_len,
                          const char *namespace_, size_t namespace_len, const char *operation,
                          size_t operation_len, const uint8_t *payload, size_t payload_len,
                          char **reply, size_t *reply_len, bool *oom, unsigned *denials_logged);

/* ---- Helpers (util.c) ----------------------------------------------------------- */

/* The wgabi_status for a sandbox status (WGSB_EXIT maps to WGABI_EXIT; callers decide 0). */
wgabi_status abi_status_of(wgsb_status st);

/* Formats r->message and sets r->status; returns the status. */
wgabi_status abi_fail(wgabi_result *r, wgabi_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Appends formatted text to r->message, cutting it at the buffer's end. */
void abi_message_append(wgabi_result *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Writes an error message into err (either may be NULL/0). */
void abi_seterr(char *err, size_t errsz, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
 * Text from a guest made safe for a message or a reply: valid UTF-8 is kept, control
 * characters become spaces, invalid bytes become '?', and text that does not fit ends in
 * "..." (cut at a character boundary). Always NUL-terminates dst (dstsz > 0). Returns dst.
 */
char *abi_clean_text(char *dst, size_t dstsz, const void *src, size_t len);

/*
 * A guest string for a log line: double-quoted with C escapes (so a hostile name cannot
 * forge log lines), "..." inside the quotes when cut. Returns dst.
 */
char *abi_quote(char *dst, size_t dstsz, const void *src, size_t len);

/* True when the name (with its length: module names may hold any byte) equals `want`. */
bool abi_name_is(const char *name, size_t len, const char *want);

/*
 * True when t has exactly these parameter and result types, each written as a string of
 * 'i' (i32), 'I' (i64), 'f' (f32), 'F' (f64): ("ii", "i") is (i32, i32) -> (i32).
 */
bool abi_functype_is(const wg_functype *t, const char *params, const char *results);

/* Whether the module exports a memory named "memory" (both ABIs pass data through it). */
bool abi_exports_memory(const wg_module *wasm);

/* A malloc'd copy of len bytes followed by a NUL; NULL when out of memory. */
char *abi_copy_bytes(const void *data, size_t len);

/* The exported function `name` of a compiled module and its type, or false. */
bool abi_export_func(const wg_module *wasm, const char *name, const wg_functype **type);

/* Describes a function type for a message: "(i32, i32) -> (i32)". Returns buf. */
char *abi_functype_text(const wg_functype *t, char *buf, size_t bufsz);

#endif /* WASMGATE_ABI_INTERNAL_H */
