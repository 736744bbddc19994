/*
 * test_runtime.c — the engine's public API at run time: host functions,
 * linking errors, traps, the limits the sandbox relies on (fuel, deadline,
 * interrupt, call depth, memory), memory access from the host, re-entrant
 * calls, and sharing one compiled module between threads.
 *
 * Modules are WAT files in tests/engine/modules, built with wat2wasm at
 * build time into WG_TEST_MODULES (a directory).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wgtest.h"
#include "wasmgate/wg.h"

#ifndef WG_TEST_MODULES
#error "WG_TEST_MODULES must name the directory of the built test modules"
#endif

static char err[512];

/*
 * Loads WG_TEST_MODULES/name.wasm with the given options (NULL = defaults),
 * with `extra` bytes appended (e.g. a custom section; NULL for none).
 */
static wg_module *load_extra(const char *name, const wg_load_options *opts, const void *extra,
                             size_t extra_len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wasm", WG_TEST_MODULES, name);
    size_t got;
    char *buf = wgt_read_file(path, &got);
    char *bigger = buf ? realloc(buf, got + extra_len + 1) : NULL;
    if (!bigger) {
        fprintf(stderr, "cannot read %s\n", path);
        free(buf);
        return NULL;
    }
    buf = bigger;
    if (extra_len) memcpy(buf + got, extra, extra_len);
    got += extra_len;
    wg_module *m = wg_module_load(buf, got, opts, err, sizeof err);
    if (!m) fprintf(stderr, "loading %s: %s\n", path, err);
    free(buf);
    return m;
}

static wg_module *load_opts(const char *name, const wg_load_options *opts)
{
    return load_extra(name, opts, NULL, 0);
}

static wg_module *load(const char *name) { return load_opts(name, NULL); }

/* ---- host functions used by host.wat ---- */

static wg_trap *host_add(wg_instance *caller, const wg_value *args, wg_value *results, void *env)
{
    (*(int *)env)++;
    results[0].i32 = args[0].i32 + args[1].i32;
    return NULL;
}

static wg_trap *host_fail(wg_instance *caller, const wg_value *args, wg_value *results, void *env)
{
    return wg_trap_new(WG_TRAP_HOST, "host says no (%d)", 42);
}

static wg_trap *host_exit(wg_instance *caller, const wg_value *args, wg_value *results, void *env)
{
    return wg_trap_exit(args[0].i32);
}

/* Calls the instance's "double" export from inside a host call. */
static wg_trap *host_reenter(wg_instance *caller, const wg_value *args, wg_value *results,
                             void *env)
{
    wg_func *dbl = wg_instance_func(caller, "double");
    if (!dbl) return wg_trap_new(WG_TRAP_HOST, "no double export");
    wg_value a = {.i32 = args[0].i32}, r;
    wg_trap *t = wg_func_call(dbl, &a, 1, &r, 1);
    if (t) return t;
    results[0].i32 = r.i32 + 100;
    return NULL;
}

static wg_trap *host_pair(wg_instance *caller, const wg_value *args, wg_value *results, void *env)
{
    results[0].i64 = args[0].i64 * 3;
    results[1].i32 = 9;
    return NULL;
}

static int add_calls;

static wg_linker *host_linker(void)
{
    wg_linker *l = wg_linker_new();
    const wg_valtype ii[] = {WG_I32, WG_I32}, i[] = {WG_I32}, I[] = {WG_I64},
                     Ii[] = {WG_I64, WG_I32};
    CHECK(wg_linker_define_func(l, "env", "add", ii, 2, i, 1, host_add, &add_calls, err,
                                sizeof err));
    CHECK(wg_linker_define_func(l, "env", "fail", NULL, 0, NULL, 0, host_fail, NULL, err,
                                sizeof err));
    CHECK(wg_linker_define_func(l, "env", "exit", i, 1, NULL, 0, host_exit, NULL, err,
                                sizeof err));
    CHECK(wg_linker_define_func(l, "env", "reenter", i, 1, i, 1, host_reenter, NULL, err,
                                sizeof err));
    CHECK(wg_linker_define_func(l, "env", "pair", I, 1, Ii, 2, host_pair, NULL, err, sizeof err));
    return l;
}

static wg_instance *host_instance(wg_module **m, wg_linker **l)
{
    *m = load("host");
    *l = host_linker();
    if (!*m) return NULL;
    wg_trap *t = NULL;
    wg_instance *inst = wg_instance_new(*m, *l, NULL, &t, err, sizeof err);
    CHECK(inst != NULL);
    CHECK(t == NULL);
    return inst;
}

static void test_host_function_receives_arguments_and_returns_results(void)
{
    wg_module *m;
    wg_linker *l;
    wg_instance *inst = host_instance(&m, &l);
    if (!inst) return;
    wg_value args[2] = {{.i32 = 40}, {.i32 = 2}}, r;
    add_calls = 0;
    CHECK(wg_func_call(wg_instance_func(inst, "call_add"), args, 2, &r, 1) == NULL);
    CHECK_INT(r.i32, 42);
    CHECK_INT(add_calls, 1);
    wg_value a = {.i64 = 14}, rr[2];
    CHECK(wg_func_call(wg_instance_func(inst, "call_pair"), &a, 1, rr, 2) == NULL);
    CHECK_INT(rr[0].i64, 42);
    CHECK_INT(rr[1].i32, 9);
    wg_instance_free(inst);
    wg_linker_free(l);
    wg_module_free(m);
}

static void test_host_trap_propagates_with_its_message(void)
{
    wg_module *m;
    wg_linker *l;
    wg_instance *inst = host_instance(&m, &l);
    if (!inst) return;
    wg_value r;
    wg_trap *t = wg_func_call(wg_instance_func(inst, "call_fail"), NULL, 0, &r, 1);
    CHECK(t != NULL);
    if (t) {
        CHECK_INT(wg_trap_kind_of(t), WG_TRAP_HOST);
        CHECK_STR(wg_trap_message(t), "host says no (42)");
        wg_trap_free(t);
    }
    /* The instance still serves the next call. */
    wg_value args[2] = {{.i32 = 1}, {.i32 = 2}};
    CHECK(wg_func_call(wg_instance_func(inst, "call_add"), args, 2, &r, 1) == NULL);
    CHECK_INT(r.i32, 3);
    wg_instance_free(inst);
    wg_linker_free(l);
    wg_module_free(m);
}

static void test_host_exit_ends_the_call_with_its_status(void)
{
    wg_module *m;
    wg_linker *l;
    wg_instance *inst = host_instance(&m, &l);
    if (!inst) return;
    wg_value a = {.i32 = 3};
    wg_trap *t = wg_func_call(wg_instance_func(inst, "call_exit"), &a, 1, NULL, 0);
    CHECK(t != NULL);
    if (t) {
        CHECK_INT(wg_trap_kind_of(t), WG_TRAP_EXIT);
        CHECK_INT(wg_trap_exit_status(t), 3);
        wg_trap_free(t);
    }
    wg_instance_free(inst);
    wg_linker_free(l);
    wg_module_free(m);
}

static void test_host_function_may_call_back_into_the_instance(void)
{
    wg_module *m;
    wg_linker *l;
    wg_instance *inst = host_instance(&m, &l);
    if (!inst) return;
    wg_value a = {.i32 = 5}, r;
    CHECK(wg_func_call(wg_instance_func(inst, "call_reenter"), &a, 1, &r, 1) == NULL);
    CHECK_INT(r.i32, 5 * 2 + 100 + 1);
    CHECK_INT(wg_global_get(wg_instance_global(inst, "counter")).i32, 1);
    wg_instance_free(inst);
    wg_linker_free(l);
    wg_module_free(m);
}

static void test_call_with_wrong_arity_is_refused(void)
{
    wg_module *m;
    wg_linker *l;
    wg_instance *inst = host_instance(&m, &l);
    if (!inst) return;
    wg_value r;
    wg_trap *t = wg_func_call(wg_instance_func(inst, "call_add"), NULL, 0, &r, 1);
    CHECK(t != NULL);
    if (t) {
        CHECK_CONTAINS(wg_trap_message(t), "takes 2");
        wg_trap_free(t);
    }
    wg_instance_free(inst);
    wg_linker_free(l);
    wg_module_free(m);
}

static void test_memory_is_readable_and_writable_by_the_host_within_bounds(void)
{
    wg_module *m;
    wg_linker *l;
    wg_instance *inst = host_instance(&m, &l);
    if (!inst) return;
    wg_memory *mem = wg_instance_memory(inst, "memory");
    CHECK(mem != NULL);
    CHECK(mem == wg_instance_memory_at(inst, 0));
    CHECK_INT(wg_memory_size(mem), 65536);
    uint32_t v = 0xdeadbeef;
    CHECK(wg_memory_write(mem, 100, &v, 4));
    wg_value a = {.i32 = 100}, r;
    CHECK(wg_func_call(wg_instance_func(inst, "load"), &a, 1, &r, 1) == NULL);
    CHECK_INT(r.u32, 0xdeadbeef);
    CHECK(wg_memory_ptr(mem, 65532, 4) != NULL);
    CHECK(wg_memory_ptr(mem, 65533, 4) == NULL);
    CHECK(wg_memory_ptr(mem, UINT64_MAX, 2) == NULL);
    CHECK(wg_memory_ptr(mem, 65536, 0) != NULL);
    CHECK(!wg_memory_write(mem, 65535, &v, 4));
    CHECK(!wg_memory_read(mem, UINT64_MAX - 1, &v, 4));
    /* A wasm store past the end traps. */
    wg_value sargs[2] = {{.i32 = 65534}, {.i32 = 1}};
    wg_trap *t = wg_func_call(wg_instance_func(inst, "store"), sargs, 2, NULL, 0);
    CHECK(t != NULL);
    if (t) {
        CHECK_INT(wg_trap_kind_of(t), WG_TRAP_MEMORY_OUT_OF_BOUNDS);
        CHECK_STR(wg_trap_message(t), "out of bounds memory access");
        wg_trap_free(t);
    }
    CHECK_INT(wg_memory_grow(mem, 3), 1);
    CHECK_INT(wg_memory_grow(mem, 1), -1); /* declared maximum 4 */
    CHECK_INT(wg_memory_pages(mem), 4);
    wg_instance_free(inst);
    wg_linker_free(l);
    wg_module_free(m);
}

static void test_exports_and_custom_sections_are_inspectable(void)
{
    /* wat2wasm does not emit custom sections: append one (id 0, size 19, name, payload). */
    static const char custom[] = "\x00\x13\x0dwasmgate.testhello";
    wg_module *m = load_extra("host", NULL, custom, sizeof custom - 1);
    if (!m) return;
    CHECK_INT(wg_module_import_count(m), 5);
    wg_extern_desc d;
    CHECK(wg_module_import(m, 4, &d));
    CHECK_STR(d.module, "env");
    CHECK_STR(d.name, "pair");
    CHECK_INT(d.kind, WG_EXTERN_FUNC);
    char buf[64];
    CHECK_STR(wg_functype_format(d.func_type, buf, sizeof buf), "(i64) -> (i64, i32)");
    bool found_memory = false;
    for (size_t i = 0; i < wg_module_export_count(m); i++) {
        CHECK(wg_module_export(m, i, &d));
        if (d.kind == WG_EXTERN_MEMORY) {
            found_memory = true;
            CHECK_STR(d.name, "memory");
            CHECK_INT(d.min, 1);
            CHECK_INT(d.max, 4);
            CHECK(d.has_max);
        }
    }
    CHECK(found_memory);
    size_t len = 0;
    const uint8_t *data = wg_module_custom_find(m, "wasmgate.test", &len);
    CHECK(data != NULL);
    CHECK_INT(len, 5);
    if (data) CHECK(memcmp(data, "hello", 5) == 0);
    CHECK(wg_module_custom_find(m, "absent", &len) == NULL);
    CHECK_INT(wg_module_custom_count(m), 1);
    wg_module_free(m);
}

static void test_exports_whose_names_contain_nul_bytes_can_be_found(void)
{
    wg_module *m;
    wg_linker *l;
    wg_instance *inst = host_instance(&m, &l);
    if (!inst) return;
    wg_func *f = wg_instance_export(inst, "\0nul\0", 5, WG_EXTERN_FUNC);
    CHECK(f != NULL);
    wg_value r;
    if (f) CHECK(wg_func_call(f, NULL, 0, &r, 1) == NULL);
    CHECK_INT(r.i32, 7);
    CHECK(wg_instance_export(inst, "\0nul\0", 5, WG_EXTERN_MEMORY) == NULL);
    CHECK(wg_instance_func(inst, "") == NULL);
    wg_instance_free(inst);
    wg_linker_free(l);
    wg_module_free(m);
}

static void test_missing_import_is_a_link_error_naming_it(void)
{
    wg_module *m = load("needs_import");
    if (!m) return;
    wg_trap *t = NULL;
    wg_instance *inst = wg_instance_new(m, NULL, NULL, &t, err, sizeof err);
    CHECK(inst == NULL);
    CHECK(t == NULL);
    CHECK_CONTAINS(err, "unknown import");
    CHECK_CONTAINS(err, "\"env\" \"missing\"");
    wg_module_free(m);
}

static void test_import_of_the_wrong_type_is_a_link_error(void)
{
    wg_module *m = load("needs_import");
    if (!m) return;
    wg_linker *l = wg_linker_new();
    const wg_valtype i64[] = {WG_I64};
    CHECK(wg_linker_define_func(l, "env", "missing", i64, 1, NULL, 0, host_exit, NULL, err,
                                sizeof err));
    wg_trap *t = NULL;
    wg_instance *inst = wg_instance_new(m, l, NULL, &t, err, sizeof err);
    CHECK(inst == NULL);
    CHECK_CONTAINS(err, "incompatible import type");
    CHECK_CONTAINS(err, "(i64) -> ()");
    CHECK_CONTAINS(err, "(i32) -> ()");
    /* Redefining a name is refused. */
    CHECK(!wg_linker_define_func(l, "env", "missing", i64, 1, NULL, 0, host_exit, NULL, err,
                                 sizeof err));
    CHECK_CONTAINS(err, "already defined");
    wg_linker_free(l);
    wg_module_free(m);
}

static void test_a_trapping_start_function_fails_instantiation_with_the_trap(void)
{
    wg_module *m = load("start_traps");
    if (!m) return;
    wg_trap *t = NULL;
    wg_instance *inst = wg_instance_new(m, NULL, NULL, &t, err, sizeof err);
    CHECK(inst == NULL);
    CHECK(t != NULL);
    if (t) {
        CHECK_INT(wg_trap_kind_of(t), WG_TRAP_UNREACHABLE);
        CHECK_INT(wg_trap_function(t), 0);
        wg_trap_free(t);
    }
    wg_module_free(m);
}

static wg_instance *limits_instance(wg_module *m, const wg_instance_options *o)
{
    wg_trap *t = NULL;
    wg_instance *inst = wg_instance_new(m, NULL, o, &t, err, sizeof err);
    CHECK(inst != NULL);
    return inst;
}

static void test_infinite_loop_without_calls_is_stopped_by_fuel(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    wg_instance *inst = limits_instance(m, NULL);
    if (inst) {
        wg_instance_set_fuel(inst, 1000000);
        wg_trap *t = wg_func_call(wg_instance_func(inst, "spin"), NULL, 0, NULL, 0);
        CHECK(t != NULL);
        if (t) {
            CHECK_INT(wg_trap_kind_of(t), WG_TRAP_FUEL_EXHAUSTED);
            CHECK_STR(wg_trap_message(t), "fuel exhausted after 1000000 units");
            wg_trap_free(t);
        }
        CHECK(wg_instance_fuel_consumed(inst) >= 1000000);
        /* With fresh fuel the instance serves the next call. */
        wg_instance_set_fuel(inst, 1000000);
        wg_value a = {.i32 = 10}, r;
        CHECK(wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1) == NULL);
        CHECK_INT(r.i32, 0);
        wg_instance_free(inst);
    }
    wg_module_free(m);
}

static void test_fuel_is_charged_deterministically_and_grows_with_work(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    wg_instance *inst = limits_instance(m, NULL);
    if (!inst) goto out;
    uint64_t used[3];
    int32_t ns[3] = {1000, 1000, 2000};
    for (int i = 0; i < 3; i++) {
        wg_instance_set_fuel(inst, 1u << 30);
        wg_value a = {.i32 = ns[i]}, r;
        CHECK(wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1) == NULL);
        used[i] = wg_instance_fuel_consumed(inst);
    }
    CHECK_INT(used[0], used[1]);
    /* Each iteration is charged the loop body (at least its 6 instructions). */
    CHECK(used[0] >= 6 * 1000);
    CHECK(used[2] - used[0] >= 6 * 1000);
    /* Exactly enough fuel succeeds; one unit less fails. */
    wg_instance_set_fuel(inst, used[0]);
    wg_value a = {.i32 = 1000}, r;
    CHECK(wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1) == NULL);
    wg_instance_set_fuel(inst, used[0] - 1);
    wg_trap *t = wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1);
    CHECK(t != NULL && wg_trap_kind_of(t) == WG_TRAP_FUEL_EXHAUSTED);
    wg_trap_free(t);
    /* Calls are charged too. */
    wg_instance_set_fuel(inst, 100);
    a.i32 = 1000;
    t = wg_func_call(wg_instance_func(inst, "calls"), &a, 1, &r, 1);
    CHECK(t != NULL && wg_trap_kind_of(t) == WG_TRAP_FUEL_EXHAUSTED);
    wg_trap_free(t);
    /* Bulk memory operations are charged by length. */
    wg_instance_set_fuel(inst, 1u << 30);
    wg_value fa[2] = {{.i32 = 7}, {.i32 = 65536}};
    CHECK(wg_func_call(wg_instance_func(inst, "fill"), fa, 2, NULL, 0) == NULL);
    CHECK(wg_instance_fuel_consumed(inst) >= 65536 / 64);
    wg_instance_free(inst);
out:
    wg_module_free(m);
}

/* Fuel counts the instructions executed, per basic block (ops.h "Metering"). */
static uint64_t fuel_for(wg_instance *inst, const char *fn, int32_t arg)
{
    wg_instance_set_fuel(inst, 1u << 30);
    wg_value a = {.i32 = arg}, r;
    wg_trap *t = wg_func_call(wg_instance_func(inst, fn), &a, 1, &r, 1);
    CHECK(t == NULL);
    wg_trap_free(t);
    return wg_instance_fuel_consumed(inst);
}

static void test_fuel_is_charged_per_basic_block(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    wg_instance *inst = limits_instance(m, NULL);
    if (!inst) goto out;
    /*
     * countdown: `loop` (1, paid on entry), a body of 8 instructions paid on
     * every iteration by its br_if, then `end local.get end` (3) paid by the return.
     */
    CHECK_INT(fuel_for(inst, "countdown", 1), 8 * 1 + 4);
    CHECK_INT(fuel_for(inst, "countdown", 1000), 8 * 1000 + 4);
    /* calls: per iteration 2 before the call, 2 in $leaf, 6 after it. */
    CHECK_INT(fuel_for(inst, "calls", 1000), 10 * 1000 + 4);
    /* early: the taken exit pays `local.get if` and `i32.const return`; the other path 2 + 6. */
    CHECK_INT(fuel_for(inst, "early", 1), 4);
    CHECK_INT(fuel_for(inst, "early", 0), 8);
    /* A budget used exactly succeeds, one less traps, also across many internal fuel slices. */
    uint64_t need = fuel_for(inst, "countdown", 100000);
    CHECK_INT(need, 8 * 100000 + 4);
    wg_value a = {.i32 = 100000}, r;
    wg_instance_set_fuel(inst, need);
    CHECK(wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1) == NULL);
    CHECK_INT(wg_instance_fuel_consumed(inst), need);
    wg_instance_set_fuel(inst, need - 1);
    wg_trap *t = wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1);
    CHECK(t != NULL && wg_trap_kind_of(t) == WG_TRAP_FUEL_EXHAUSTED);
    wg_trap_free(t);
    wg_instance_set_fuel(inst, 3);
    a.i32 = 1;
    t = wg_func_call(wg_instance_func(inst, "early"), &a, 1, &r, 1);
    CHECK(t != NULL && wg_trap_kind_of(t) == WG_TRAP_FUEL_EXHAUSTED);
    wg_trap_free(t);
    wg_instance_free(inst);
out:
    wg_module_free(m);
}

static void test_infinite_loop_without_calls_is_stopped_by_the_deadline(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    wg_instance *inst = limits_instance(m, NULL);
    if (inst) {
        uint64_t start = wg_now_ns();
        wg_instance_set_deadline(inst, start + 50 * 1000000ull);
        wg_trap *t = wg_func_call(wg_instance_func(inst, "spin"), NULL, 0, NULL, 0);
        uint64_t took = wg_now_ns() - start;
        CHECK(t != NULL);
        if (t) {
            CHECK_INT(wg_trap_kind_of(t), WG_TRAP_TIMEOUT);
            CHECK_CONTAINS(wg_trap_message(t), "timeout");
            wg_trap_free(t);
        }
        /* Not before the deadline. (That it stopped at all is the trap above: no upper time
           bound, which would only measure how busy the machine is.) */
        CHECK(took >= 50 * 1000000ull);
        wg_instance_free(inst);
    }
    wg_module_free(m);
}

typedef struct {
    wg_instance *inst;
} interrupter;

static void *interrupt_later(void *p)
{
    struct timespec ts = {0, 20 * 1000000};
    nanosleep(&ts, NULL);
    wg_instance_interrupt(((interrupter *)p)->inst);
    return NULL;
}

static void test_interrupt_from_another_thread_stops_a_running_loop(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    wg_instance *inst = limits_instance(m, NULL);
    if (inst) {
        interrupter arg = {inst};
        pthread_t th;
        pthread_create(&th, NULL, interrupt_later, &arg);
        wg_trap *t = wg_func_call(wg_instance_func(inst, "spin"), NULL, 0, NULL, 0);
        pthread_join(th, NULL);
        CHECK(t != NULL && wg_trap_kind_of(t) == WG_TRAP_INTERRUPTED);
        wg_trap_free(t);
        wg_instance_free(inst);
    }
    wg_module_free(m);
}

static void test_unbounded_recursion_traps_and_the_instance_stays_usable(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    wg_instance_options o;
    wg_instance_options_init(&o);
    o.max_call_depth = 500;
    wg_instance *inst = limits_instance(m, &o);
    if (inst) {
        wg_value a = {.i32 = 0}, r;
        for (int i = 0; i < 2; i++) {
            wg_trap *t = wg_func_call(wg_instance_func(inst, "recurse"), &a, 1, &r, 1);
            CHECK(t != NULL);
            if (t) {
                CHECK_INT(wg_trap_kind_of(t), WG_TRAP_STACK_EXHAUSTED);
                CHECK_STR(wg_trap_message(t), "call stack exhausted");
                wg_trap_free(t);
            }
        }
        a.i32 = 5;
        CHECK(wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1) == NULL);
        wg_instance_free(inst);
    }
    wg_module_free(m);
}

static void test_memory_grow_past_the_host_limit_traps_with_a_clear_message(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    wg_instance_options o;
    wg_instance_options_init(&o);
    o.max_memory_pages = 16;
    wg_instance *inst = limits_instance(m, &o);
    if (inst) {
        wg_value a = {.i32 = 15}, r;
        CHECK(wg_func_call(wg_instance_func(inst, "grow"), &a, 1, &r, 1) == NULL);
        CHECK_INT(r.i32, 1);
        wg_trap *t = wg_func_call(wg_instance_func(inst, "grow_forever"), NULL, 0, &r, 1);
        CHECK(t != NULL);
        if (t) {
            CHECK_INT(wg_trap_kind_of(t), WG_TRAP_MEMORY_LIMIT);
            CHECK_STR(wg_trap_message(t), "memory limit: grow to 17 pages exceeds 16");
            wg_trap_free(t);
        }
        CHECK(wg_func_call(wg_instance_func(inst, "size"), NULL, 0, &r, 1) == NULL);
        CHECK_INT(r.i32, 16);
        wg_instance_free(inst);
    }
    wg_module_free(m);
}

static void test_memory_grow_past_the_declared_maximum_returns_minus_one(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    wg_instance *inst = limits_instance(m, NULL);
    if (inst) {
        wg_value a = {.i32 = 100}, r;
        CHECK(wg_func_call(wg_instance_func(inst, "grow"), &a, 1, &r, 1) == NULL);
        CHECK_INT(r.i32, -1);
        a.i32 = 99;
        CHECK(wg_func_call(wg_instance_func(inst, "grow"), &a, 1, &r, 1) == NULL);
        CHECK_INT(r.i32, 1);
        wg_instance_free(inst);
    }
    wg_module_free(m);
}

static void test_instantiation_refuses_a_memory_larger_than_the_limit(void)
{
    wg_module *m = load("big_memory");
    if (!m) return;
    wg_instance_options o;
    wg_instance_options_init(&o);
    o.max_memory_pages = 256;
    wg_trap *t = NULL;
    wg_instance *inst = wg_instance_new(m, NULL, &o, &t, err, sizeof err);
    CHECK(inst == NULL);
    CHECK(t == NULL);
    CHECK_CONTAINS(err, "memory limit: module needs 300 pages, limit is 256");
    wg_module_free(m);
}

static void test_metering_can_be_compiled_out_for_trusted_code(void)
{
    wg_load_options lo;
    wg_load_options_init(&lo);
    CHECK(lo.metering);
    lo.metering = false;
    wg_module *m = load_opts("limits", &lo);
    if (!m) return;
    wg_instance *inst = limits_instance(m, NULL);
    if (inst) {
        wg_instance_set_fuel(inst, 10);
        wg_value a = {.i32 = 1000}, r;
        CHECK(wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1) == NULL);
        CHECK_INT(wg_instance_fuel_consumed(inst), 0);
        wg_instance_free(inst);
    }
    wg_module_free(m);
}

/* Runs countdown in its own instance of a shared module. */
static void *run_countdowns(void *p)
{
    wg_module *m = p;
    long ok = 0;
    for (int i = 0; i < 200; i++) {
        wg_instance *inst = wg_instance_new(m, NULL, NULL, NULL, NULL, 0);
        if (!inst) continue;
        wg_value a = {.i32 = 1000 + i}, r;
        wg_trap *t = wg_func_call(wg_instance_func(inst, "countdown"), &a, 1, &r, 1);
        if (!t && r.i32 == 0) ok++;
        wg_trap_free(t);
        wg_instance_free(inst);
    }
    return (void *)ok;
}

static void test_one_module_serves_instances_on_several_threads(void)
{
    wg_module *m = load("limits");
    if (!m) return;
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, run_countdowns, wg_module_retain(m));
    long total = 0;
    for (int i = 0; i < 4; i++) {
        void *ret;
        pthread_join(th[i], &ret);
        total += (long)ret;
        wg_module_free(m);
    }
    CHECK_INT(total, 800);
    wg_module_free(m);
}

static void test_traps_name_the_function_that_was_running(void)
{
    wg_module *m = load("host");
    wg_linker *l = host_linker();
    if (m) {
        wg_instance *inst = wg_instance_new(m, l, NULL, NULL, err, sizeof err);
        if (inst) {
            wg_value a = {.i32 = 70000};
            wg_value r;
            wg_trap *t = wg_func_call(wg_instance_func(inst, "load"), &a, 1, &r, 1);
            CHECK(t != NULL);
            /* imports 0..4, then call_add 5, call_fail 6, call_exit 7, double 8,
               call_reenter 9, call_pair 10, store 11, load 12 */
            if (t) CHECK_INT(wg_trap_function(t), 12);
            wg_trap_free(t);
            wg_instance_free(inst);
        }
        wg_module_free(m);
    }
    wg_linker_free(l);
}

/* ---- absurd sizes, built in memory ---- */

/* A growable byte buffer for building modules. */
typedef struct bytes {
    uint8_t *p;
    size_t n, cap;
} bytes;

static void put(bytes *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put_byte(bytes *b, uint8_t v) { put(b, &v, 1); }

static void put_leb(bytes *b, uint32_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        put_byte(b, byte | (v ? 0x80 : 0));
    } while (v);
}

/* A module with one function () -> () whose locals and body are given. */
static bytes module_with_body(uint32_t nlocals, const bytes *code)
{
    bytes body = {0}, m = {0};
    if (nlocals) {
        put_leb(&body, 1);
        put_leb(&body, nlocals);
        put_byte(&body, 0x7f);
    } else {
        put_leb(&body, 0);
    }
    put(&body, code->p, code->n);
    static const uint8_t head[] = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0};
    put(&m, head, sizeof head);
    bytes section = {0};
    put_leb(&section, 1);
    put_leb(&section, (uint32_t)body.n);
    put(&section, body.p, body.n);
    put_byte(&m, 10);
    put_leb(&m, (uint32_t)section.n);
    put(&m, section.p, section.n);
    free(body.p);
    free(section.p);
    return m;
}

static void test_nesting_deeper_than_the_limit_is_refused(void)
{
    bytes code = {0};
    for (int i = 0; i < 10050; i++) put(&code, "\x02\x40", 2);
    for (int i = 0; i <= 10050; i++) put_byte(&code, 0x0b);
    bytes m = module_with_body(0, &code);
    wg_module *mod = wg_module_load(m.p, m.n, NULL, err, sizeof err);
    CHECK(mod == NULL);
    CHECK_CONTAINS(err, "nesting depth exceeds the limit of 10000");
    CHECK_CONTAINS(err, "function 0");
    /* Within a raised limit the same module loads. */
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_nesting_depth = 20000;
    mod = wg_module_load(m.p, m.n, &o, err, sizeof err);
    CHECK(mod != NULL);
    wg_module_free(mod);
    free(code.p);
    free(m.p);
}

static void test_a_frame_over_65535_slots_is_refused(void)
{
    bytes code = {0};
    for (int i = 0; i < 30000; i++) put(&code, "\x41\x01", 2);
    for (int i = 0; i < 30000; i++) put_byte(&code, 0x1a);
    put_byte(&code, 0x0b);
    bytes m = module_with_body(40000, &code);
    wg_module *mod = wg_module_load(m.p, m.n, NULL, err, sizeof err);
    CHECK(mod == NULL);
    CHECK_CONTAINS(err, "function too large");
    CHECK_CONTAINS(err, "65535");
    free(code.p);
    free(m.p);
}

static void test_a_table_larger_than_the_limit_is_refused_at_instantiation(void)
{
    wg_module *m = load("big_table");
    if (!m) return;
    wg_instance_options o;
    wg_instance_options_init(&o);
    o.max_table_elements = 1000000;
    wg_trap *t = NULL;
    wg_instance *inst = wg_instance_new(m, NULL, &o, &t, err, sizeof err);
    CHECK(inst == NULL);
    CHECK(t == NULL);
    CHECK_CONTAINS(err, "table limit: module needs 2000000 elements, limit is 1000000");
    wg_module_free(m);
}

int main(void)
{
    RUN(test_host_function_receives_arguments_and_returns_results);
    RUN(test_host_trap_propagates_with_its_message);
    RUN(test_host_exit_ends_the_call_with_its_status);
    RUN(test_host_function_may_call_back_into_the_instance);
    RUN(test_call_with_wrong_arity_is_refused);
    RUN(test_memory_is_readable_and_writable_by_the_host_within_bounds);
    RUN(test_exports_and_custom_sections_are_inspectable);
    RUN(test_exports_whose_names_contain_nul_bytes_can_be_found);
    RUN(test_missing_import_is_a_link_error_naming_it);
    RUN(test_import_of_the_wrong_type_is_a_link_error);
    RUN(test_a_trapping_start_function_fails_instantiation_with_the_trap);
    RUN(test_infinite_loop_without_calls_is_stopped_by_fuel);
    RUN(test_fuel_is_charged_deterministically_and_grows_with_work);
    RUN(test_fuel_is_charged_per_basic_block);
    RUN(test_infinite_loop_without_calls_is_stopped_by_the_deadline);
    RUN(test_interrupt_from_another_thread_stops_a_running_loop);
    RUN(test_unbounded_recursion_traps_and_the_instance_stays_usable);
    RUN(test_memory_grow_past_the_host_limit_traps_with_a_clear_message);
    RUN(test_memory_grow_past_the_declared_maximum_returns_minus_one);
    RUN(test_instantiation_refuses_a_memory_larger_than_the_limit);
    RUN(test_metering_can_be_compiled_out_for_trusted_code);
    RUN(test_one_module_serves_instances_on_several_threads);
    RUN(test_traps_name_the_function_that_was_running);
    RUN(test_nesting_deeper_than_the_limit_is_refused);
    RUN(test_a_frame_over_65535_slots_is_refused);
    RUN(test_a_table_larger_than_the_limit_is_refused_at_instantiation);
    return wgt_finish();
}
