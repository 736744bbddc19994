/*
 * spectest_host.c — the "spectest" host module that WebAssembly spec scripts
 * import: print functions, four globals, a table and a memory.
 *
 * The values are fixed by the spec test suite (imports.wast, linking.wast
 * and others assert on them): globals of 666 / 666.6, a funcref table of
 * 10..20 elements, a memory of 1..2 pages. One set of objects serves the
 * whole script, so modules that import the spectest memory share it, as in
 * the reference interpreter.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spectest.h"

/* The signature of one print function; all of them return nothing. */
typedef struct print_signature {
    const char *name;
    wg_valtype params[2];
    size_t nparams;
} print_signature;

static const print_signature print_signatures[] = {
    {"print", {WG_I32}, 0},
    {"print_i32", {WG_I32}, 1},
    {"print_i64", {WG_I64}, 1},
    {"print_f32", {WG_F32}, 1},
    {"print_f64", {WG_F64}, 1},
    {"print_i32_f32", {WG_I32, WG_F32}, 2},
    {"print_f64_f64", {WG_F64, WG_F64}, 2},
};

#define PRINT_COUNT (sizeof print_signatures / sizeof print_signatures[0])

/* What a print function's env points at: its signature and whether to print. */
typedef struct print_binding {
    const print_signature *signature;
    bool verbose;
} print_binding;

struct spectest_host {
    print_binding prints[PRINT_COUNT];
    wg_global *global_i32, *global_i64, *global_f32, *global_f64;
    wg_table *table;
    wg_memory *memory;
};

static wg_trap *print_function(wg_instance *caller, const wg_value *args, wg_value *results,
                               void *env)
{
    const print_binding *binding = env;
    if (!binding->verbose) return NULL;
    const print_signature *sig = binding->signature;
    printf("spectest.%s(", sig->name);
    for (size_t i = 0; i < sig->nparams; i++) {
        if (i > 0) printf(", ");
        switch (sig->params[i]) {
        case WG_I32: printf("i32:%" PRIu32, args[i].u32); break;
        case WG_I64: printf("i64:%" PRIu64, args[i].u64); break;
        case WG_F32: printf("f32:%.9g", (double)args[i].f32); break;
        case WG_F64: printf("f64:%.17g", args[i].f64); break;
        default: printf("?"); break;
        }
    }
    printf(")\n");
    return NULL;
}

static wg_global *make_global(wg_valtype type, wg_value value)
{
    return wg_global_new(type, false, value);
}

spectest_host *spectest_host_new(bool verbose, char *err, size_t errsz)
{
    spectest_host *host = calloc(1, sizeof *host);
    if (!host) {
        snprintf(err, errsz, "spectest host module: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < PRINT_COUNT; i++) {
        host->prints[i].signature = &print_signatures[i];
        host->prints[i].verbose = verbose;
    }

    /* Zero the whole cell first: i32/f32 only fill its low half. */
    wg_value v;
    memset(&v, 0, sizeof v);
    v.u32 = 666;
    host->global_i32 = make_global(WG_I32, v);
    memset(&v, 0, sizeof v);
    v.u64 = 666;
    host->global_i64 = make_global(WG_I64, v);
    memset(&v, 0, sizeof v);
    v.f32 = 666.6f;
    host->global_f32 = make_global(WG_F32, v);
    memset(&v, 0, sizeof v);
    v.f64 = 666.6;
    host->global_f64 = make_global(WG_F64, v);
    if (!host->global_i32 || !host->global_i64 || !host->global_f32 || !host->global_f64) {
        snprintf(err, errsz, "spectest host module: cannot create its globals");
        spectest_host_free(host);
        return NULL;
    }

    char why[256] = "";
    host->table = wg_table_new(WG_FUNCREF, 10, 20, true, NULL, why, sizeof why);
    if (!host->table) {
        snprintf(err, errsz, "spectest host module: cannot create its table: %s", why);
        spectest_host_free(host);
        return NULL;
    }
    host->memory = wg_memory_new(1, 2, true, why, sizeof why);
    if (!host->memory) {
        snprintf(err, errsz, "spectest host module: cannot create its memory: %s", why);
        spectest_host_free(host);
        return NULL;
    }
    return host;
}

bool spectest_host_define(spectest_host *host, wg_linker *linker, char *err, size_t errsz)
{
    char why[256] = "";
    for (size_t i = 0; i < PRINT_COUNT; i++) {
        const print_signature *sig = &print_signatures[i];
        if (!wg_linker_define_func(linker, "spectest", sig->name, sig->params, sig->nparams, NULL,
                                   0, print_function, &host->prints[i], why, sizeof why)) {
            snprintf(err, errsz, "cannot define spectest.%s: %s", sig->name, why);
            return false;
        }
    }
    const struct {
        const char *name;
        wg_global *global;
    } globals[] = {
        {"global_i32", host->global_i32},
        {"global_i64", host->global_i64},
        {"global_f32", host->global_f32},
        {"global_f64", host->global_f64},
    };
    for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++) {
        if (!wg_linker_define_global(linker, "spectest", globals[i].name, globals[i].global, why,
                                     sizeof why)) {
            snprintf(err, errsz, "cannot define spectest.%s: %s", globals[i].name, why);
            return false;
        }
    }
    if (!wg_linker_define_table(linker, "spectest", "table", host->table, why, sizeof why)) {
        snprintf(err, errsz, "cannot define spectest.table: %s", why);
        return false;
    }
    if (!wg_linker_define_memory(linker, "spectest", "memory", host->memory, why, sizeof why)) {
        snprintf(err, errsz, "cannot define spectest.memory: %s", why);
        return false;
    }
    return true;
}

void spectest_host_free(spectest_host *host)
{
    if (!host) return;
    /* These drop our references; linkers and instances hold their own. */
    if (host->global_i32) wg_global_free(host->global_i32);
    if (host->global_i64) wg_global_free(host->global_i64);
    if (host->global_f32) wg_global_free(host->global_f32);
    if (host->global_f64) wg_global_free(host->global_f64);
    if (host->table) wg_table_free(host->table);
    if (host->memory) wg_memory_free(host->memory);
    free(host);
}
