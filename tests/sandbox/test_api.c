/*
 * test_api.c — the API the ABI layer builds on: one sandbox and module
 * shared by many contexts (also from several threads), the context's
 * extension pointer and abort helper for host functions of the layer
 * above, deadlines and fuel across calls, output accessors, and argument
 * checks.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbtest.h"

/* One module, sandbox and linker, set up once like the ABI layer would. */
typedef struct fixture {
    wgsb_manifest manifest;
    wg_module *module;
    wgsb_sandbox *sb;
    wg_linker *linker;
} fixture;

static wg_trap *probe_host(wg_instance *caller, const wg_value *args, wg_value *results, void *env);

static bool fixture_init(fixture *f, const char *file, const char *name)
{
    char err[512];
    memset(f, 0, sizeof *f);
    sbt_manifest(&f->manifest, name);
    f->module = sbt_load(file);
    f->sb = wgsb_sandbox_new(&f->manifest, err, sizeof err);
    f->linker = wg_linker_new();
    static const wg_valtype i32[] = {WG_I32};
    return CHECK(f->module && f->sb && f->linker) &&
           CHECK(wgsb_define_wasi(f->linker, err, sizeof err)) &&
           CHECK(wg_linker_define_func(f->linker, "test", "probe", NULL, 0, i32, 1, probe_host,
                                       NULL, err, sizeof err));
}

static void fixture_free(fixture *f)
{
    wg_linker_free(f->linker);
    wgsb_sandbox_free(f->sb);
    wg_module_free(f->module);
    wgsb_manifest_clear(&f->manifest);
}

/* Calls the instance's `_start` (no arguments, no results) in ctx. */
static wgsb_status call_start(wgsb_ctx *ctx, wg_instance *inst, char *msg, size_t msgsz)
{
    return wgsb_call(ctx, inst, wg_instance_func(inst, "_start"), NULL, 0, NULL, 0, 0, msg, msgsz);
}

/* Runs echo_upper's _start on `input` in a fresh context; returns the malloc'd output. */
static char *echo_once(fixture *f, const char *input, wgsb_status *st)
{
    char err[512], msg[512];
    wgsb_ctx_options o;
    wgsb_ctx_options_init(&o);
    o.stdin_data = input;
    o.stdin_len = strlen(input);
    wgsb_ctx *ctx = wgsb_ctx_new(f->sb, &o, err, sizeof err);
    if (!ctx) return NULL;
    char *out = NULL;
    wg_instance *inst = wgsb_instantiate(f->module, f->linker, ctx, 0, st, msg, sizeof msg);
    if (inst) {
        *st = call_start(ctx, inst, msg, sizeof msg);
        out = wgsb_ctx_take_stdout(ctx, NULL);
        wg_instance_free(inst);
    }
    wgsb_ctx_free(ctx);
    return out;
}

static void one_sandbox_serves_many_fresh_contexts(void)
{
    fixture f;
    if (!fixture_init(&f, "echo_upper.wasm", "echo")) {
        fixture_free(&f);
        return;
    }
    for (int i = 0; i < 50; i++) {
        char in[32], want[32];
        snprintf(in, sizeof in, "request %d", i);
        snprintf(want, sizeof want, "REQUEST %d", i);
        wgsb_status st = WGSB_ERROR;
        char *out = echo_once(&f, in, &st);
        CHECK_INT(st, WGSB_OK);
        CHECK_STR(out, want);
        free(out);
    }
    fixture_free(&f);
}

/* Each thread counts its own failures; the test checks the counts once the threads are joined. */
typedef struct echo_job {
    fixture *f;
    int failures;
} echo_job;

static void *echo_thread(void *arg)
{
    echo_job *job = arg;
    for (int i = 0; i < 25; i++) {
        wgsb_status st = WGSB_ERROR;
        char *out = echo_once(job->f, "concurrent", &st);
        if (st != WGSB_OK || !out || strcmp(out, "CONCURRENT") != 0) job->failures++;
        free(out);
    }
    return NULL;
}

static void contexts_on_one_sandbox_run_concurrently(void)
{
    fixture f;
    if (!fixture_init(&f, "echo_upper.wasm", "echo")) {
        fixture_free(&f);
        return;
    }
    pthread_t t[4];
    echo_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (echo_job){&f, 0};
        CHECK(pthread_create(&t[i], NULL, echo_thread, &jobs[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT(jobs[i].failures, 0);
    }
    fixture_free(&f);
}

static void *seen_ext;
static const wgsb_manifest *seen_manifest;
static int probe_mode; /* 0: answer 42; 1: abort with an output limit; 2: plain host trap */

static wg_trap *probe_host(wg_instance *caller, const wg_value *args, wg_value *results, void *env)
{
    (void)args;
    (void)env;
    wgsb_ctx *ctx = wgsb_ctx_of(caller);
    seen_ext = ctx ? wgsb_ctx_ext(ctx) : NULL;
    seen_manifest = ctx ? wgsb_ctx_manifest(ctx) : NULL;
    if (probe_mode == 1)
        return wgsb_ctx_abort(ctx, WGSB_OUTPUT_LIMIT, "output limit: response exceeded %d bytes",
                              10);
    if (probe_mode == 2) return wg_trap_new(WG_TRAP_HOST, "bad pointer in probe");
    results[0].i32 = 42;
    return NULL;
}

/* Calls host_probe.wasm's "probe" in a fresh context with ext; returns the status. */
static wgsb_status probe(fixture *f, void *ext, int mode, char *msg, size_t msgsz, int32_t *value)
{
    char err[512];
    wgsb_ctx_options o;
    wgsb_ctx_options_init(&o);
    o.ext = ext;
    probe_mode = mode;
    wgsb_ctx *ctx = wgsb_ctx_new(f->sb, &o, err, sizeof err);
    wgsb_status st = WGSB_ERROR;
    wg_instance *inst =
        ctx ? wgsb_instantiate(f->module, f->linker, ctx, 0, &st, msg, msgsz) : NULL;
    if (inst) {
        wg_value out = {.i32 = -1};
        st = wgsb_call(ctx, inst, wg_instance_func(inst, "probe"), NULL, 0, &out, 1, 0, msg, msgsz);
        *value = out.i32;
    }
    wg_instance_free(inst);
    wgsb_ctx_free(ctx);
    return st;
}

static void host_functions_reach_the_context_and_its_extension(void)
{
    fixture f;
    if (fixture_init(&f, "host_probe.wasm", "probe")) {
        int marker = 0;
        char msg[512];
        int32_t v = 0;
        CHECK_INT(probe(&f, &marker, 0, msg, sizeof msg, &v), WGSB_OK);
        CHECK_INT(v, 42);
        CHECK(seen_ext == &marker);
        CHECK(seen_manifest == wgsb_sandbox_manifest(f.sb));
    }
    fixture_free(&f);
}

static void host_function_abort_ends_the_call_with_its_status(void)
{
    fixture f;
    if (fixture_init(&f, "host_probe.wasm", "probe")) {
        char msg[512];
        int32_t v = 0;
        CHECK_INT(probe(&f, NULL, 1, msg, sizeof msg, &v), WGSB_OUTPUT_LIMIT);
        CHECK_STR(msg, "module probe: output limit: response exceeded 10 bytes");
        CHECK_INT(probe(&f, NULL, 2, msg, sizeof msg, &v), WGSB_TRAP);
        CHECK_STR(msg, "module probe: bad pointer in probe");
    }
    fixture_free(&f);
}

static void call_with_the_wrong_arity_is_an_error(void)
{
    fixture f;
    if (fixture_init(&f, "host_probe.wasm", "probe")) {
        char err[512], msg[512];
        wgsb_ctx *ctx = wgsb_ctx_new(f.sb, NULL, err, sizeof err);
        wgsb_status st;
        wg_instance *inst = wgsb_instantiate(f.module, f.linker, ctx, 0, &st, msg, sizeof msg);
        if (CHECK(inst != NULL)) {
            wg_func *add = wg_instance_func(inst, "add");
            wg_value args[2] = {{.i32 = 2}, {.i32 = 3}}, out;
            CHECK_INT(wgsb_call(ctx, inst, add, args, 1, &out, 1, 0, msg, sizeof msg), WGSB_ERROR);
            CHECK_CONTAINS(msg, "module probe: the function takes 2 arguments and returns 1");
            CHECK_INT(wgsb_call(ctx, inst, add, args, 2, &out, 1, 0, msg, sizeof msg), WGSB_OK);
            CHECK_INT(out.i32, 5);
            CHECK_INT(wgsb_call(ctx, inst, NULL, NULL, 0, NULL, 0, 0, msg, sizeof msg), WGSB_ERROR);
        }
        wg_instance_free(inst);
        wgsb_ctx_free(ctx);
    }
    fixture_free(&f);
}

static void instance_of_another_context_is_refused(void)
{
    fixture f;
    if (fixture_init(&f, "host_probe.wasm", "probe")) {
        char err[512], msg[512];
        wgsb_ctx *a = wgsb_ctx_new(f.sb, NULL, err, sizeof err);
        wgsb_ctx *b = wgsb_ctx_new(f.sb, NULL, err, sizeof err);
        wgsb_status st;
        wg_instance *inst = wgsb_instantiate(f.module, f.linker, a, 0, &st, msg, sizeof msg);
        if (CHECK(inst != NULL)) {
            wg_value out;
            CHECK_INT(wgsb_call(b, inst, wg_instance_func(inst, "probe"), NULL, 0, &out, 1, 0, msg,
                                sizeof msg),
                      WGSB_ERROR);
            CHECK_CONTAINS(msg, "not made for this context");
        }
        wg_instance_free(inst);
        wgsb_ctx_free(a);
        wgsb_ctx_free(b);
    }
    fixture_free(&f);
}

static void callers_deadline_shortens_the_timeout_and_names_its_budget(void)
{
    fixture f;
    if (fixture_init(&f, "loop.wasm", "loop")) {
        char err[512], msg[512];
        wgsb_ctx *ctx = wgsb_ctx_new(f.sb, NULL, err, sizeof err);
        wgsb_status st;
        uint64_t deadline = wg_now_ns() + 100 * 1000000ull; /* earlier than the 2000 ms default */
        wg_instance *inst =
            wgsb_instantiate(f.module, f.linker, ctx, deadline, &st, msg, sizeof msg);
        if (CHECK(inst != NULL)) {
            uint64_t t0 = wg_now_ns();
            st = call_start(ctx, inst, msg, sizeof msg);
            CHECK_INT(st, WGSB_TIMEOUT);
            CHECK(wg_now_ns() - t0 < 1500 * 1000000ull);
            CHECK(wgsb_ctx_deadline(ctx) == deadline);
            CHECK(strcmp(msg, "module loop: timeout: exceeded 100 ms") == 0 ||
                  strcmp(msg, "module loop: timeout: exceeded 99 ms") == 0);
            /* The deadline has passed: a further call times out at once. */
            st = call_start(ctx, inst, msg, sizeof msg);
            CHECK_INT(st, WGSB_TIMEOUT);
        }
        wg_instance_free(inst);
        wgsb_ctx_free(ctx);
    }
    fixture_free(&f);
}

static void fuel_budget_covers_every_call_on_a_context(void)
{
    fixture f;
    if (fixture_init(&f, "host_probe.wasm", "probe")) {
        wgsb_manifest m;
        sbt_manifest(&m, "probe");
        m.limits.fuel = 50;
        char err[512], msg[512];
        wgsb_sandbox *sb = wgsb_sandbox_new(&m, err, sizeof err);
        wgsb_ctx *ctx = sb ? wgsb_ctx_new(sb, NULL, err, sizeof err) : NULL;
        wgsb_status st = WGSB_ERROR;
        wg_instance *inst =
            ctx ? wgsb_instantiate(f.module, f.linker, ctx, 0, &st, msg, sizeof msg) : NULL;
        if (CHECK(inst != NULL)) {
            wg_func *add = wg_instance_func(inst, "add");
            wg_value args[2] = {{.i32 = 1}, {.i32 = 1}}, out;
            int calls = 0;
            while (calls < 1000 && (st = wgsb_call(ctx, inst, add, args, 2, &out, 1, 0, msg,
                                                   sizeof msg)) == WGSB_OK)
                calls++;
            CHECK_INT(st, WGSB_FUEL);
            CHECK_STR(msg, "module probe: fuel exhausted after 50 units");
            CHECK(calls > 0 && calls < 50);
            CHECK(wgsb_ctx_fuel_used(ctx) >= 50);
        }
        wg_instance_free(inst);
        wgsb_ctx_free(ctx);
        wgsb_sandbox_free(sb);
        wgsb_manifest_clear(&m);
    }
    fixture_free(&f);
}

static void stdout_can_be_read_in_place_or_taken(void)
{
    fixture f;
    if (fixture_init(&f, "echo_upper.wasm", "echo")) {
        char err[512], msg[512];
        wgsb_ctx *ctx = wgsb_ctx_new(f.sb, NULL, err, sizeof err);
        size_t len = 99;
        CHECK_STR(wgsb_ctx_stdout(ctx, &len), "");
        CHECK_INT(len, 0);
        wgsb_ctx_set_stdin(ctx, "abc", 3);
        wgsb_status st;
        wg_instance *inst = wgsb_instantiate(f.module, f.linker, ctx, 0, &st, msg, sizeof msg);
        if (CHECK(inst != NULL)) {
            st = call_start(ctx, inst, msg, sizeof msg);
            CHECK_INT(st, WGSB_OK);
            CHECK_STR(wgsb_ctx_stdout(ctx, &len), "ABC");
            CHECK_INT(len, 3);
            CHECK_STR(wgsb_ctx_stderr(ctx, NULL), "read 3 bytes\n");
            char *taken = wgsb_ctx_take_stdout(ctx, &len);
            CHECK_STR(taken, "ABC");
            free(taken);
            CHECK_STR(wgsb_ctx_stdout(ctx, &len), "");
            CHECK(!wgsb_ctx_exited(ctx));
        }
        wg_instance_free(inst);
        wgsb_ctx_free(ctx);
    }
    fixture_free(&f);
}

static void wasi_names_are_known_under_both_module_names(void)
{
    CHECK(wgsb_wasi_defines("wasi_snapshot_preview1", 22, "fd_write", 8));
    CHECK(wgsb_wasi_defines("wasi_unstable", 13, "path_open", 9));
    CHECK(wgsb_wasi_defines("wasi_snapshot_preview1", 22, "sock_accept", 11));
    CHECK(!wgsb_wasi_defines("wasi_snapshot_preview1", 22, "fd_write2", 9));
    CHECK(!wgsb_wasi_defines("env", 3, "fd_write", 8));
    CHECK(wgsb_is_wasi_module("wasi_unstable", 13));
    CHECK(!wgsb_is_wasi_module("wasi_snapshot_preview", 21));
}

static void defining_wasi_twice_on_one_linker_is_refused(void)
{
    wg_linker *l = wg_linker_new();
    char err[512];
    CHECK(wgsb_define_wasi(l, err, sizeof err));
    CHECK(!wgsb_define_wasi(l, err, sizeof err));
    CHECK_CONTAINS(err, "already defined");
    wg_linker_free(l);
}

static void sandbox_outlives_its_creator_while_contexts_use_it(void)
{
    fixture f;
    if (fixture_init(&f, "echo_upper.wasm", "echo")) {
        char err[512], msg[512];
        wgsb_ctx *ctx = wgsb_ctx_new(f.sb, NULL, err, sizeof err);
        wgsb_sandbox_free(f.sb); /* the context keeps it alive */
        f.sb = NULL;
        wgsb_status st;
        wg_instance *inst = wgsb_instantiate(f.module, f.linker, ctx, 0, &st, msg, sizeof msg);
        if (CHECK(inst != NULL)) CHECK_INT(call_start(ctx, inst, msg, sizeof msg), WGSB_OK);
        CHECK_STR(wgsb_ctx_manifest(ctx)->name, "echo");
        wg_instance_free(inst);
        wgsb_ctx_free(ctx);
    }
    fixture_free(&f);
}

static void context_arguments_replace_the_manifests(void)
{
    fixture f;
    if (fixture_init(&f, "argsenv.wasm", "policy")) {
        static const char *const argv[] = {"policy.wasm", "validate"};
        char err[512], msg[512];
        wgsb_ctx_options o;
        wgsb_ctx_options_init(&o);
        o.args = argv;
        o.nargs = 2;
        wgsb_ctx *ctx = wgsb_ctx_new(f.sb, &o, err, sizeof err);
        wgsb_status st;
        wg_instance *inst = wgsb_instantiate(f.module, f.linker, ctx, 0, &st, msg, sizeof msg);
        if (CHECK(inst != NULL)) {
            st = call_start(ctx, inst, msg, sizeof msg);
            CHECK_INT(st, WGSB_OK);
            CHECK_STR(wgsb_ctx_stdout(ctx, NULL),
                      "argc=2\nargv[0]=policy.wasm\nargv[1]=validate\n");
        }
        wg_instance_free(inst);
        wgsb_ctx_free(ctx);
    }
    fixture_free(&f);
}

static void host_diagnostics_join_captured_stderr_under_its_limit(void)
{
    wgsb_manifest m;
    sbt_manifest(&m, "console");
    m.limits.max_stderr_bytes = 16;
    char err[512];
    wgsb_sandbox *sb = wgsb_sandbox_new(&m, err, sizeof err);
    wgsb_ctx *ctx = sb ? wgsb_ctx_new(sb, NULL, err, sizeof err) : NULL;
    if (CHECK(ctx != NULL)) {
        CHECK(wgsb_ctx_append_stderr(ctx, "console: hi\n", 12));
        CHECK_STR(wgsb_ctx_stderr(ctx, NULL), "console: hi\n");
        CHECK(wgsb_ctx_append_stderr(ctx, "console: more than fits\n", 24));
        CHECK(wgsb_ctx_append_stderr(ctx, "dropped", 7));
        CHECK_STR(wgsb_ctx_stderr(ctx, NULL),
                  "console: hi\ncons\n[wasmgate: stderr truncated after 16 bytes]\n");
    }
    wgsb_ctx_free(ctx);
    wgsb_sandbox_free(sb);
    wgsb_manifest_clear(&m);
}

int main(void)
{
    RUN(one_sandbox_serves_many_fresh_contexts);
    RUN(contexts_on_one_sandbox_run_concurrently);
    RUN(host_functions_reach_the_context_and_its_extension);
    RUN(host_function_abort_ends_the_call_with_its_status);
    RUN(call_with_the_wrong_arity_is_an_error);
    RUN(instance_of_another_context_is_refused);
    RUN(callers_deadline_shortens_the_timeout_and_names_its_budget);
    RUN(fuel_budget_covers_every_call_on_a_context);
    RUN(stdout_can_be_read_in_place_or_taken);
    RUN(wasi_names_are_known_under_both_module_names);
    RUN(defining_wasi_twice_on_one_linker_is_refused);
    RUN(sandbox_outlives_its_creator_while_contexts_use_it);
    RUN(context_arguments_replace_the_manifests);
    RUN(host_diagnostics_join_captured_stderr_under_its_limit);
    return wgt_finish();
}
