/*
 * fuzz_engine.c — libFuzzer target for the whole engine pipeline: decode,
 * validate and compile the input as a module, instantiate it against stub
 * imports, and call every exported function.
 *
 * Every import the module declares is satisfied with a stub of exactly its
 * type (a host function returning zeros, a fresh memory, table or global),
 * so fuzzed modules get past linking and their code actually runs. Fuel,
 * memory pages, table size, call depth and the value stack are all kept
 * small, so every input ends quickly and a hang or an out-of-memory report
 * from libFuzzer means a limit the engine failed to enforce.
 *
 * Built with clang only: see fuzz/CMakeLists.txt and scripts/fuzz.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasmgate/wg.h"

/* Instruction budget for the start function and for each exported call. */
#define FUZZ_FUEL               100000
#define FUZZ_MAX_MEMORY_PAGES   64
#define FUZZ_MAX_TABLE_ELEMENTS 10000
#define FUZZ_MAX_CALL_DEPTH     256
#define FUZZ_STACK_SLOTS        65536
/* Calls per input: bounds the time of a module with thousands of exports. */
#define FUZZ_MAX_CALLS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The host function behind every imported function. Its env pointer is the
 * result count itself (cast), which saves allocating a record per import.
 */
static wg_trap *stub_function(wg_instance *caller, const wg_value *args, wg_value *results,
                              void *env)
{
    size_t nresults = (size_t)(uintptr_t)env;
    if (nresults > 0) memset(results, 0, nresults * sizeof *results);
    return NULL;
}

/* Objects made for one input's imports, freed after the instance. */
typedef struct stub_objects {
    wg_memory **memories;
    wg_table **tables;
    wg_global **globals;
    size_t nmemories, ntables, nglobals;
} stub_objects;

static void stub_objects_free(stub_objects *objs)
{
    for (size_t i = 0; i < objs->nmemories; i++)
        wg_memory_free(objs->memories[i]);
    for (size_t i = 0; i < objs->ntables; i++)
        wg_table_free(objs->tables[i]);
    for (size_t i = 0; i < objs->nglobals; i++)
        wg_global_free(objs->globals[i]);
    free(objs->memories);
    free(objs->tables);
    free(objs->globals);
}

/*
 * The largest size a stub memory or table may grow to: no more than the
 * import allows (else linking fails), no less than its minimum, and no more
 * than the fuzzing limit where the import leaves that open.
 */
static uint32_t stub_maximum(const wg_extern_desc *d, uint32_t limit)
{
    uint32_t max = limit;
    if (d->has_max && d->max < max) max = d->max;
    if (max < d->min) max = d->min;
    return max;
}

static void define_function_stub(wg_linker *linker, const wg_extern_desc *d)
{
    size_t nparams = wg_functype_param_count(d->func_type);
    size_t nresults = wg_functype_result_count(d->func_type);
    wg_valtype *params = malloc((nparams ? nparams : 1) * sizeof *params);
    wg_valtype *results = malloc((nresults ? nresults : 1) * sizeof *results);
    if (params && results) {
        for (size_t i = 0; i < nparams; i++)
            params[i] = wg_functype_param(d->func_type, i);
        for (size_t i = 0; i < nresults; i++)
            results[i] = wg_functype_result(d->func_type, i);
        /* A second import of the same name fails to define; linking then reports it. */
        wg_linker_define_func(linker, d->module, d->name, params, nparams, results, nresults,
                              stub_function, (void *)(uintptr_t)nresults, NULL, 0);
    }
    free(params);
    free(results);
}

/* Defines a stub for every import; imports too large for the limits stay undefined. */
static void define_import_stubs(wg_linker *linker, const wg_module *m, stub_objects *objs)
{
    size_t n = wg_module_import_count(m);
    objs->memories = calloc(n ? n : 1, sizeof *objs->memories);
    objs->tables = calloc(n ? n : 1, sizeof *objs->tables);
    objs->globals = calloc(n ? n : 1, sizeof *objs->globals);
    if (!objs->memories || !objs->tables || !objs->globals) return;

    for (size_t i = 0; i < n; i++) {
        wg_extern_desc d;
        if (!wg_module_import(m, i, &d)) continue;
        /* Names with NUL bytes cannot be passed to the C-string linker API. */
        if (strlen(d.module) != d.module_len || strlen(d.name) != d.name_len) continue;
        switch (d.kind) {
        case WG_EXTERN_FUNC: define_function_stub(linker, &d); break;
        case WG_EXTERN_MEMORY: {
            if (d.min > FUZZ_MAX_MEMORY_PAGES) break;
            wg_memory *mem =
                wg_memory_new(d.min, stub_maximum(&d, FUZZ_MAX_MEMORY_PAGES), true, NULL, 0);
            if (!mem) break;
            objs->memories[objs->nmemories++] = mem;
            wg_linker_define_memory(linker, d.module, d.name, mem, NULL, 0);
            break;
        }
        case WG_EXTERN_TABLE: {
            if (d.min > FUZZ_MAX_TABLE_ELEMENTS) break;
            wg_table *table = wg_table_new(
                d.elem_type, d.min, stub_maximum(&d, FUZZ_MAX_TABLE_ELEMENTS), true, NULL, NULL, 0);
            if (!table) break;
            objs->tables[objs->ntables++] = table;
            wg_linker_define_table(linker, d.module, d.name, table, NULL, 0);
            break;
        }
        case WG_EXTERN_GLOBAL: {
            wg_value zero;
            memset(&zero, 0, sizeof zero);
            wg_global *g = wg_global_new(d.global_type, d.global_mutable, zero);
            if (!g) break;
            objs->globals[objs->nglobals++] = g;
            wg_linker_define_global(linker, d.module, d.name, g, NULL, 0);
            break;
        }
        }
    }
}

/* Calls every exported function with zero arguments, and reads exported globals and memories. */
static void exercise_exports(wg_instance *inst, const wg_module *m)
{
    size_t calls = 0;
    for (size_t i = 0; i < wg_module_export_count(m); i++) {
        wg_extern_desc d;
        if (!wg_module_export(m, i, &d)) continue;
        /* By length: export names may contain NUL bytes. */
        void *item = wg_instance_export(inst, d.name, d.name_len, d.kind);
        if (!item) continue;
        if (d.kind == WG_EXTERN_GLOBAL) (void)wg_global_get(item);
        if (d.kind == WG_EXTERN_MEMORY) (void)wg_memory_size(item);
        if (d.kind == WG_EXTERN_TABLE) (void)wg_table_size(item);
        if (d.kind != WG_EXTERN_FUNC || calls >= FUZZ_MAX_CALLS) continue;
        wg_func *f = item;
        const wg_functype *type = wg_func_type(f);
        size_t nparams = wg_functype_param_count(type);
        size_t nresults = wg_functype_result_count(type);
        /* Zeroed cells are valid arguments of every type: 0, +0.0 or a null reference. */
        wg_value *args = calloc(nparams ? nparams : 1, sizeof *args);
        wg_value *results = calloc(nresults ? nresults : 1, sizeof *results);
        if (args && results) {
            wg_instance_set_fuel(inst, FUZZ_FUEL);
            wg_trap *trap = wg_func_call(f, args, nparams, results, nresults);
            if (trap) {
                /* Touch the message so a bad trap object shows up under ASan. */
                (void)strlen(wg_trap_message(trap));
                wg_trap_free(trap);
            }
            calls++;
        }
        free(args);
        free(results);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    wg_module *m = wg_module_load(data, size, NULL, err, sizeof err);
    if (!m) return 0;

    /* Inspection is part of the public surface too. */
    for (size_t i = 0; i < wg_module_custom_count(m); i++) {
        const char *name;
        size_t name_len, len;
        const uint8_t *section;
        (void)wg_module_custom(m, i, &name, &name_len, &section, &len);
    }

    wg_linker *linker = wg_linker_new();
    stub_objects objs;
    memset(&objs, 0, sizeof objs);
    if (linker) {
        define_import_stubs(linker, m, &objs);

        wg_instance_options opts;
        wg_instance_options_init(&opts);
        opts.max_memory_pages = FUZZ_MAX_MEMORY_PAGES;
        opts.max_table_elements = FUZZ_MAX_TABLE_ELEMENTS;
        opts.max_call_depth = FUZZ_MAX_CALL_DEPTH;
        opts.stack_slots = FUZZ_STACK_SLOTS;
        opts.fuel = FUZZ_FUEL;
        wg_trap *trap = NULL;
        wg_instance *inst = wg_instance_new(m, linker, &opts, &trap, err, sizeof err);
        if (trap) wg_trap_free(trap);
        if (inst) {
            exercise_exports(inst, m);
            wg_instance_free(inst);
        }
        wg_linker_free(linker);
    }
    stub_objects_free(&objs);
    wg_module_free(m);
    return 0;
}
