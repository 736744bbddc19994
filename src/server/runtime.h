/*
 * runtime.h — a loaded configuration ("generation"): every module read, pinned, compiled and
 * ready to call, its rules compiled, its chain position known. A runtime is immutable once
 * loaded and shared by all request threads; it is reference counted so that a reload can
 * swap in a new one while requests still running on the old one finish undisturbed.
 */
#ifndef WG_SERVER_RUNTIME_H
#define WG_SERVER_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "metrics.h"
#include "wasmgate/abi.h"
#include "wasmgate/k8s.h"

typedef struct wgsrv_loaded_module {
    const wgsrv_module_config *cfg; /* points into the runtime's own config */
    wgabi_module *abi;
    wgk8s_rules *rules;            /* NULL: every request */
    wgsrv_module_metrics *metrics; /* lives as long as the metrics registry */
    wgsrv_section section;
    /* The k8s layer's view; `mod` is filled per request (see evaluate.c). */
    wgk8s_module desc;
    char sha256[65]; /* of the bytes actually loaded, for logs */
} wgsrv_loaded_module;

typedef struct wgsrv_runtime {
    _Atomic long refs;
    uint64_t generation;
    wgsrv_config *cfg; /* owned */
    wgsrv_loaded_module *modules[WGSRV_SECTION_COUNT];
    size_t nmodules[WGSRV_SECTION_COUNT];
    /* Admission chains: /validate runs the modules with mutating: false, /mutate those with
     * mutating: true, each in configured order (pointers into modules[ADMISSION]). */
    wgsrv_loaded_module **validating, **mutating;
    size_t nvalidating, nmutating;
} wgsrv_runtime;

/* Where the module's denied attempts and diagnostics go (the server's logger). */
typedef void (*wgsrv_module_log_fn)(void *arg, int level, const char *module, const char *message);

/*
 * Loads every module of cfg (taking ownership of cfg, freed on failure too): reads the file,
 * checks the sha256 pin, loads it through the ABI layer under its manifest, runs Kubewarden's
 * validate_settings, compiles rules. Errors (all of them, one per line) name the file, line and
 * field: "wasmgate.yaml:12: admission[0].sha256: ...".
 */
wgsrv_runtime *wgsrv_runtime_load(wgsrv_config *cfg, wgsrv_metrics *metrics, uint64_t generation,
                                  wgsrv_module_log_fn log, void *log_arg, char *err, size_t errsz);

void wgsrv_runtime_retain(wgsrv_runtime *rt);
void wgsrv_runtime_release(wgsrv_runtime *rt);

/* Finds an admission module by name (for /validate/{name}); NULL when none. */
wgsrv_loaded_module *wgsrv_runtime_find(const wgsrv_runtime *rt, const char *name);

/* SHA-256 of a buffer as 64 lowercase hex digits (out has room for 65). */
bool wgsrv_sha256_hex(const void *data, size_t len, char out[65]);

#endif /* WG_SERVER_RUNTIME_H */
