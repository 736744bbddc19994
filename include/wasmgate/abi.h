/*
 * wasmgate/abi.h — calling a module through its ABI: the k8s-wasm module
 * spec (WASI stdin/stdout envelope), Kubewarden's waPC protocol, and later
 * Extism. This is what the server and the CLI use to run modules; it sits
 * on the sandbox (wasmgate/sandbox.h), which sits on the engine (wg.h).
 *
 * A wgabi_module is loaded (decoded, validated, compiled, its imports
 * resolved) once and is then immutable and shared between threads. Every
 * call runs in a fresh instance, so nothing leaks from one call to the next;
 * calls on one module may run concurrently on any number of threads.
 *
 * Errors name the module (wgsb_manifest.name) and what went wrong.
 */
#ifndef WASMGATE_ABI_H
#define WASMGATE_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/sandbox.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum wgabi_kind {
    WGABI_K8S_WASM = 1, /* exports authn/authz/validate; JSON on WASI stdin/stdout */
    WGABI_KUBEWARDEN,   /* waPC: __guest_call with operations validate, validate_settings, ... */
    WGABI_EXTISM        /* Extism kernel and host functions (not yet implemented) */
} wgabi_kind;

/* "k8s-wasm", "kubewarden", "extism"; and back (returns 0 if unknown). */
const char *wgabi_kind_name(wgabi_kind kind);
wgabi_kind wgabi_kind_parse(const char *name);

/* How a call ended. Anything but WGABI_OK is a failure of the module. */
typedef enum wgabi_status {
    WGABI_OK = 0,
    WGABI_TRAP,         /* the module trapped (message says which trap and where) */
    WGABI_TIMEOUT,      /* the deadline passed: "timeout: exceeded N ms" */
    WGABI_FUEL,         /* "fuel exhausted after N units" */
    WGABI_MEMORY_LIMIT, /* "memory limit: grow to N pages exceeds M" */
    WGABI_EXIT,         /* the module exited with a non-zero status */
    WGABI_GUEST_ERROR,  /* the module reported an error through its ABI (waPC __guest_error) */
    WGABI_OUTPUT_LIMIT, /* the module wrote more output than allowed */
    WGABI_ERROR         /* anything else: missing export, instantiation failure, host error */
} wgabi_status;

/* In words, for messages: "ok", "trap", "fuel exhausted", ...; "error" if unknown. */
const char *wgabi_status_name(wgabi_status status);
/* As one token, for metrics labels and log fields: "ok", "trap", "timeout", "fuel_exhausted",
 * "memory_limit", "exit", "guest_error", "output_limit" or "error" (also if unknown). */
const char *wgabi_status_label(wgabi_status status);

typedef struct wgabi_module wgabi_module;

/*
 * Loads a module for an ABI under a capability manifest (copied; the
 * caller keeps ownership of its own). Checks the module has what the ABI
 * needs (exports, memory) and that every import is one the ABI or the
 * sandbox provides: an unknown import is refused here, with its name.
 */
wgabi_module *wgabi_module_load(const void *bytes, size_t len, wgabi_kind kind,
                                const wgsb_manifest *manifest, char *err, size_t errsz);
void wgabi_module_free(wgabi_module *m);
wgabi_kind wgabi_module_kind(const wgabi_module *m);
const char *wgabi_module_name(const wgabi_module *m);

/* The result of one call. Free with wgabi_result_clear(). */
typedef struct wgabi_result {
    wgabi_status status;
    char *output; /* what the module produced (NUL-terminated for convenience) */
    size_t output_len;
    char *log; /* the module's diagnostics: WASI stderr, waPC console log (NUL-terminated) */
    size_t log_len;
    int exit_code;        /* WGABI_EXIT */
    char message[512];    /* on failure: what happened, naming the module */
    uint64_t fuel_used;   /* for metrics and benchmarks */
    uint64_t duration_ns; /* wall time of the call, instantiation included */
} wgabi_result;

void wgabi_result_clear(wgabi_result *r);

/*
 * Calls the module in a fresh instance: for k8s-wasm, `entry` is the
 * export ("authn", "authz", "validate") and `input` goes to stdin; for
 * Kubewarden, `entry` is the waPC operation ("validate", ...) and `input`
 * its payload. deadline_ns is an absolute CLOCK_MONOTONIC deadline (see
 * wg_now_ns()); 0 means the manifest's timeout from now. The earlier of the
 * two applies. Returns r->status.
 */
wgabi_status wgabi_call(wgabi_module *m, const char *entry, const void *input, size_t input_len,
                        uint64_t deadline_ns, wgabi_result *r);

/* ---- Additions (the declarations above are the original contract) ------------------ */

/*
 * The ABI a compiled module appears to follow, judged from its imports and exports only
 * (nothing runs): kubewarden when it imports from "wapc" and exports __guest_call; extism
 * when it imports from "extism:host/env"; k8s-wasm when it exports authn, authz or validate
 * and imports nothing from "wapc" (other imports are left to wgabi_module_new() to refuse
 * by name); 0 otherwise.
 */
wgabi_kind wgabi_detect(const wg_module *wasm);

/*
 * wgabi_module_load() for a module the caller has already compiled (e.g. to detect its
 * ABI first): the ABI module takes its own reference to `wasm` (wg_module_retain), so the
 * caller still frees its own. Same checks, same errors.
 */
wgabi_module *wgabi_module_new(wg_module *wasm, wgabi_kind kind, const wgsb_manifest *manifest,
                               char *err, size_t errsz);

/* The module's manifest (the module's private copy; read-only, lives as long as m). */
const wgsb_manifest *wgabi_module_manifest(const wgabi_module *m);

#ifdef __cplusplus
}
#endif
#endif /* WASMGATE_ABI_H */
