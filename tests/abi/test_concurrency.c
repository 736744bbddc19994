/*
 * test_concurrency.c — one loaded module, many threads calling it at once: every call gets
 * its own instance, its own input back and its own log, whatever the other threads' calls
 * do (succeed, trap, loop forever, flood their output).
 *
 * The endless loops are stopped by fuel, not by a wall-clock timeout: on a loaded machine
 * (sanitizers, parallel tests) an ordinary call can take longer than any short timeout, and
 * the outcome of a test must not depend on timing. The timeout is only a safety net here;
 * test_k8s_wasm.c covers it with calls that can never finish in time.
 */

/* Far more than an echo call needs (thousands of units), soon spent by an endless loop. */
#define FUEL_BUDGET 50000000u
#define SAFETY_TIMEOUT_MS 60000u
#include <stdlib.h>
#include <string.h>

#include "abitest.h"

#define THREADS 8
#define CALLS   25

typedef struct worker {
    wgabi_module *mod;
    int id;
    const char *entry;     /* k8s-wasm: "validate"; waPC: the operation */
    const char *hostile;   /* NULL: echo calls; else the marker or operation that misbehaves */
    wgabi_status expected; /* for hostile calls */
    int ok;                /* calls that came back as expected */
} worker;

/* Echo calls: each input names its thread and call, and must come back unchanged. */
static void *echo_worker(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < CALLS; i++) {
        char in[128];
        /* "@echo@" makes k8s_misbehave echo; the other echo modules echo anything. */
        int n = snprintf(in, sizeof in, "{\"@echo@\": [%d, %d], \"pad\": \"%0*d\"}", w->id, i,
                         (w->id * 7 + i) % 50 + 1, 0);
        wgabi_result r;
        wgabi_status st = wgabi_call(w->mod, w->entry, in, (size_t)n, 0, &r);
        if (CHECK_INT(st, WGABI_OK) && CHECK_INT(r.output_len, n) &&
            CHECK(memcmp(r.output, in, (size_t)n) == 0))
            w->ok++;
        wgabi_result_clear(&r);
    }
    return NULL;
}

static void *hostile_worker(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < CALLS / 5; i++) {
        wgabi_result r;
        char in[64];
        int n = snprintf(in, sizeof in, "\"%s\"", w->hostile);
        wgabi_status st = wgabi_call(w->mod, w->entry, in, (size_t)n, 0, &r);
        if (CHECK_INT(st, w->expected)) w->ok++;
        wgabi_result_clear(&r);
    }
    return NULL;
}

/* Runs `echoes` echo workers and the hostile workers together on one module. */
static void run_workers(wgabi_module *mod, const char *echo_entry, worker *hostile, size_t nhostile)
{
    pthread_t threads[THREADS + 8];
    worker echo[THREADS];
    size_t nthreads = 0;
    for (int t = 0; t < THREADS; t++) {
        echo[t] = (worker){.mod = mod, .id = t, .entry = echo_entry};
        if (CHECK(pthread_create(&threads[nthreads], NULL, echo_worker, &echo[t]) == 0)) nthreads++;
    }
    size_t first_hostile = nthreads;
    for (size_t h = 0; h < nhostile && h < 8; h++) {
        hostile[h].mod = mod;
        if (CHECK(pthread_create(&threads[nthreads], NULL, hostile_worker, &hostile[h]) == 0))
            nthreads++;
    }
    for (size_t t = 0; t < nthreads; t++)
        pthread_join(threads[t], NULL);
    for (int t = 0; t < THREADS && (size_t)t < first_hostile; t++)
        CHECK_INT(echo[t].ok, CALLS);
    for (size_t h = 0; h < nhostile; h++)
        CHECK_INT(hostile[h].ok, CALLS / 5);
}

static void many_threads_share_one_k8s_wasm_module(void)
{
    wgsb_manifest m;
    abit_manifest(&m, "echo", NULL);
    wgabi_module *mod = abit_must_load("c_echo.wasm", WGABI_K8S_WASM, &m);
    wgsb_manifest_clear(&m);
    if (!mod) return;
    run_workers(mod, "validate", NULL, 0);
    wgabi_module_free(mod);
}

static void misbehaving_calls_do_not_disturb_the_others(void)
{
    wgsb_manifest m;
    abit_manifest(&m, "misbehave", NULL);
    m.limits.timeout_ms = SAFETY_TIMEOUT_MS;
    m.limits.fuel = FUEL_BUDGET;
    m.limits.max_stdout_bytes = 1 << 20;
    wgabi_module *mod = abit_must_load("k8s_misbehave.wasm", WGABI_K8S_WASM, &m);
    wgsb_manifest_clear(&m);
    if (!mod) return;
    /* On the same module as the echo calls (whose inputs carry "@echo@"). */
    worker hostile[] = {
        {.id = 100, .entry = "validate", .hostile = "@trap@", .expected = WGABI_TRAP},
        {.id = 101, .entry = "validate", .hostile = "@loop@", .expected = WGABI_FUEL},
        {.id = 102, .entry = "validate", .hostile = "@flood@", .expected = WGABI_OUTPUT_LIMIT},
        {.id = 103, .entry = "validate", .hostile = "@exit3@", .expected = WGABI_EXIT},
        {.id = 104, .entry = "validate", .hostile = "@grow@", .expected = WGABI_MEMORY_LIMIT},
    };
    run_workers(mod, "validate", hostile, sizeof hostile / sizeof hostile[0]);
    wgabi_module_free(mod);
}

static void many_threads_share_one_wapc_module(void)
{
    wgsb_manifest m;
    abit_manifest(&m, "wapc-echo", NULL);
    m.limits.timeout_ms = SAFETY_TIMEOUT_MS;
    m.limits.fuel = FUEL_BUDGET;
    wgabi_module *mod = abit_must_load("wapc_misbehave.wasm", WGABI_KUBEWARDEN, &m);
    wgsb_manifest_clear(&m);
    if (!mod) return;
    worker hostile[] = {
        {.id = 300, .entry = "loop", .hostile = "x", .expected = WGABI_FUEL},
        {.id = 301, .entry = "oob_response", .hostile = "x", .expected = WGABI_TRAP},
        {.id = 302, .entry = "dirty_error", .hostile = "x", .expected = WGABI_GUEST_ERROR},
    };
    run_workers(mod, "echo", hostile, 3);
    wgabi_module_free(mod);
}

int main(void)
{
    RUN(many_threads_share_one_k8s_wasm_module);
    RUN(misbehaving_calls_do_not_disturb_the_others);
    RUN(many_threads_share_one_wapc_module);
    return wgt_finish();
}
