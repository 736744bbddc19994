/*
 * wgbench.c — the engine benchmark runner.
 *
 * For every compute kernel (bench/kernels/<name>.c) it runs the native build
 * (linked in as run_<name>) and the wasm build (<name>.wasm, executed by the
 * engine), checks that both return the same checksum, and prints how much
 * slower the wasm run is. It also measures what the engine costs per request
 * apart from compute: instantiating a tiny module, calling into wasm from
 * the host, the fuel/deadline metering, and the size of the compiled code.
 *
 * Timings are the best of K runs after a warm-up, on CLOCK_MONOTONIC (or
 * the thread's CPU clock with --cpu-clock). A checksum mismatch, a trap or
 * a load failure makes the exit status nonzero; timings never do (this
 * program is also the bench_smoke test, and a test must not depend on how
 * fast the machine is).
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasmgate/wg.h"

#ifndef WGBENCH_WASM_DIR
#define WGBENCH_WASM_DIR "."
#endif

/* Targets printed beside the measurements; see bench/README.md for where they come from. */
#define TARGET_GEOMEAN_RATIO  10.0
#define TARGET_METERING_RATIO 1.10
#define TARGET_COMPILED_RATIO 4.0
#define TARGET_INSTANTIATE_NS 5000.0
#define TARGET_CALL_NS        20.0

/*
 * Far more than any kernel needs, yet finite, so that fuel accounting really
 * runs; likewise the deadline, set this far after the start of each call.
 */
#define BENCH_FUEL              (UINT64_C(1) << 62)
#define BENCH_DEADLINE_AFTER_NS (UINT64_C(3600) * 1000000000u)

/* The string in tiny.wat's data segment; its "checksum" export must return its byte sum. */
#define TINY_DATA_STRING "wasmgate tiny module"

/* ---- The kernels ------------------------------------------------------------ */

typedef uint32_t (*kernel_fn)(uint32_t n);

/* Each kernel object is compiled with -Drun=run_<name>. */
uint32_t run_fib(uint32_t n);
uint32_t run_sieve(uint32_t n);
uint32_t run_matmul(uint32_t n);
uint32_t run_sha256(uint32_t n);
uint32_t run_json(uint32_t n);
uint32_t run_qsort(uint32_t n);
uint32_t run_crc32(uint32_t n);
uint32_t run_vm(uint32_t n);
uint32_t run_hashmap(uint32_t n);
uint32_t run_base64(uint32_t n);

typedef struct kernel {
    const char *name;
    kernel_fn native;
    /*
     * n for a full run: 20-60 ms natively on a 2020s x86-64 core, chosen so
     * that one wasm run takes 0.2-1 s with the engine as first measured
     * (4x to 37x slower depending on the kernel). Retune if the engine's
     * speed changes a lot; --scale does it for all kernels at once.
     */
    uint32_t n;
    uint32_t quick_n; /* ~1 ms natively or less: the smoke test also runs in sanitizer builds */
} kernel;

/* One kernel per line reads better than clang-format's bin-packing. */
/* clang-format off */
static const kernel kernels[] = {
    {"fib",     run_fib,     1000, 10},
    {"sieve",   run_sieve,     90,  1},
    {"matmul",  run_matmul,   350,  5},
    {"sha256",  run_sha256,   450,  5},
    {"json",    run_json,     450,  5},
    {"qsort",   run_qsort,     30,  1},
    {"crc32",   run_crc32,    350,  3},
    {"vm",      run_vm,        55,  1},
    {"hashmap", run_hashmap,  160,  2},
    {"base64",  run_base64,  1750, 20},
};
/* clang-format on */
#define KERNEL_COUNT (sizeof kernels / sizeof kernels[0])

/* ---- Options -------------------------------------------------------------------- */

typedef struct options {
    const char *filter; /* substring of the benchmark names to run; NULL = all */
    const char *dir;    /* where the .wasm files are */
    bool quick;
    bool json;
    bool cpu_clock; /* time with the thread's CPU clock instead of CLOCK_MONOTONIC */
    unsigned reps;
    double scale;
} options;

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: wgbench [--filter NAME] [--quick] [--json] [--reps K] [--scale F] [--cpu-clock]\n"
        "               [--dir DIR] [--list]\n"
        "  --filter NAME  run only benchmarks whose name contains NAME (kernels, and\n"
        "                 'instantiate' and 'call' for the fixed costs)\n"
        "  --quick        small n and one repetition: checks that everything runs\n"
        "  --json         print the results as one JSON object instead of tables\n"
        "  --reps K       best of K timed runs (default 3; 1 with --quick)\n"
        "  --scale F      multiply every kernel's n by F (default 1)\n"
        "  --cpu-clock    time with this thread's CPU clock rather than CLOCK_MONOTONIC:\n"
        "                 steadier on a busy machine, blind to time spent off the CPU\n"
        "  --dir DIR      directory holding the kernels' .wasm files and tiny.wasm\n"
        "                 (default %s)\n"
        "  --list         list the kernels and their n, then exit\n",
        WGBENCH_WASM_DIR);
}

/* Returns 0 on success, 2 (the usage exit status) on bad arguments, -1 when done (--list). */
static int parse_options(int argc, char **argv, options *opt)
{
    *opt = (options){NULL, WGBENCH_WASM_DIR, false, false, false, 0, 1.0};
    bool list = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quick")) {
            opt->quick = true;
        } else if (!strcmp(a, "--json")) {
            opt->json = true;
        } else if (!strcmp(a, "--cpu-clock")) {
            opt->cpu_clock = true;
        } else if (!strcmp(a, "--list")) {
            list = true;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return -1;
        } else if (value && !strcmp(a, "--filter")) {
            opt->filter = value;
            i++;
        } else if (value && !strcmp(a, "--dir")) {
            opt->dir = value;
            i++;
        } else if (value && !strcmp(a, "--reps")) {
            char *end;
            long k = strtol(value, &end, 10);
            if (*end || k < 1 || k > 1000) {
                fprintf(stderr, "wgbench: --reps wants a count from 1 to 1000, not '%s'\n", value);
                return 2;
            }
            opt->reps = (unsigned)k;
            i++;
        } else if (value && !strcmp(a, "--scale")) {
            char *end;
            double f = strtod(value, &end);
            if (*end || !(f > 0.0) || f > 1e6) {
                fprintf(stderr, "wgbench: --scale wants a positive factor, not '%s'\n", value);
                return 2;
            }
            opt->scale = f;
            i++;
        } else {
            fprintf(stderr, "wgbench: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (!opt->reps) opt->reps = opt->quick ? 1 : 3;
    if (list) {
        for (size_t k = 0; k < KERNEL_COUNT; k++)
            printf("%-8s n=%u quick_n=%u\n", kernels[k].name, kernels[k].n, kernels[k].quick_n);
        return -1;
    }
    return 0;
}

static bool selected(const options *opt, const char *name)
{
    return !opt->filter || strstr(name, opt->filter) != NULL;
}

/* ---- Small helpers ---------------------------------------------------------------- */

/* CLOCK_MONOTONIC unless --cpu-clock. */
static clockid_t timing_clock = CLOCK_MONOTONIC;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(timing_clock, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads a whole file; returns NULL (and says why on stderr) on failure. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "wgbench: cannot open %s (build the bench targets, or pass --dir)\n", path);
        return NULL;
    }
    uint8_t *data = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(data, cap);
            if (!grown) {
                free(data);
                fclose(f);
                fprintf(stderr, "wgbench: out of memory reading %s\n", path);
                return NULL;
            }
            data = grown;
        }
        size_t got = fread(data + size, 1, cap - size, f);
        size += got;
        if (got == 0) break;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        fprintf(stderr, "wgbench: error reading %s\n", path);
        return NULL;
    }
    *len = size;
    return data;
}

static wg_module *load_module(const char *dir, const char *file, bool metering)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) return NULL;
    wg_load_options lo;
    wg_load_options_init(&lo);
    lo.metering = metering;
    char err[512] = "";
    wg_module *m = wg_module_load(bytes, len, &lo, err, sizeof err);
    free(bytes);
    if (!m) fprintf(stderr, "wgbench: loading %s failed: %s\n", path, err);
    return m;
}

static wg_instance *instantiate(wg_module *m, const char *what)
{
    wg_instance_options io;
    wg_instance_options_init(&io);
    wg_trap *trap = NULL;
    char err[512] = "";
    wg_instance *inst = wg_instance_new(m, NULL, &io, &trap, err, sizeof err);
    if (!inst) {
        fprintf(stderr, "wgbench: instantiating %s failed: %s\n", what,
                trap ? wg_trap_message(trap) : err);
        if (trap) wg_trap_free(trap);
    }
    return inst;
}

/* Finds an exported (i32) -> (i32) function, or says why not. */
static wg_func *find_i32_func(wg_instance *inst, const char *name, const char *what)
{
    wg_func *f = wg_instance_func(inst, name);
    if (!f) {
        fprintf(stderr, "wgbench: %s has no exported function '%s'\n", what, name);
        return NULL;
    }
    const wg_functype *t = wg_func_type(f);
    if (wg_functype_param_count(t) != 1 || wg_functype_result_count(t) != 1 ||
        wg_functype_param(t, 0) != WG_I32 || wg_functype_result(t, 0) != WG_I32) {
        char buf[128];
        fprintf(stderr, "wgbench: %s: '%s' has type %s, expected (i32) -> (i32)\n", what, name,
                wg_functype_format(t, buf, sizeof buf));
        return NULL;
    }
    return f;
}

static double geomean(const double *v, size_t count)
{
    if (!count) return 0.0;
    double log_sum = 0.0;
    for (size_t i = 0; i < count; i++)
        log_sum += log(v[i]);
    return exp(log_sum / (double)count);
}

/* ---- Kernels: native and wasm timings ------------------------------------------- */

typedef struct kernel_result {
    const kernel *k;
    uint32_t n;
    double native_ms, wasm_ms, unmetered_ms; /* best of reps */
    uint64_t fuel;                           /* consumed by one metered run(n) */
    size_t code_bytes, compiled_bytes, compiled_unmetered_bytes;
    uint32_t native_sum, wasm_sum, unmetered_sum;
    bool timed; /* every variant ran to the end, so there are timings to print */
    bool ok;    /* timed, and every checksum matched */
} kernel_result;

/* One way of running a kernel: natively, or a wasm build with or without metering. */
typedef enum variant { NATIVE, METERED, UNMETERED, VARIANTS } variant;

static const char *const variant_names[VARIANTS] = {"native", "wasm", "wasm unmetered"};

typedef struct runner {
    const kernel *k;
    wg_module *module[VARIANTS]; /* NULL for NATIVE */
    wg_instance *instance[VARIANTS];
    wg_func *run[VARIANTS];
} runner;

static void close_runner(runner *rn)
{
    for (int v = 0; v < VARIANTS; v++) {
        if (rn->instance[v]) wg_instance_free(rn->instance[v]);
        if (rn->module[v]) wg_module_free(rn->module[v]);
    }
}

/* Loads and instantiates the metered and unmetered builds of a kernel's wasm. */
static bool open_runner(const options *opt, const kernel *k, runner *rn)
{
    memset(rn, 0, sizeof *rn);
    rn->k = k;
    char file[256];
    snprintf(file, sizeof file, "%s.wasm", k->name);
    for (int v = METERED; v <= UNMETERED; v++) {
        rn->module[v] = load_module(opt->dir, file, v == METERED);
        rn->instance[v] = rn->module[v] ? instantiate(rn->module[v], file) : NULL;
        rn->run[v] = rn->instance[v] ? find_i32_func(rn->instance[v], "run", file) : NULL;
        if (!rn->run[v]) {
            close_runner(rn);
            return false;
        }
    }
    return true;
}

/*
 * Runs run(n) once in one variant, timing only the call. A metered call
 * gets its fuel budget and deadline first, as a request handler would set
 * them; *fuel (if not NULL) receives what the call consumed.
 */
static bool run_once(runner *rn, variant v, uint32_t n, uint32_t *sum, double *ms, uint64_t *fuel)
{
    if (v == NATIVE) {
        uint64_t t0 = now_ns();
        *sum = rn->k->native(n);
        *ms = (double)(now_ns() - t0) / 1e6;
        return true;
    }
    wg_instance *inst = rn->instance[v];
    uint64_t fuel_before = 0;
    if (v == METERED) {
        wg_instance_set_fuel(inst, BENCH_FUEL);
        wg_instance_set_deadline(inst, wg_now_ns() + BENCH_DEADLINE_AFTER_NS);
        fuel_before = wg_instance_fuel_consumed(inst);
    }
    wg_value arg = {.u64 = 0}, result = {.u64 = 0};
    arg.u32 = n;
    uint64_t t0 = now_ns();
    wg_trap *trap = wg_func_call(rn->run[v], &arg, 1, &result, 1);
    uint64_t t1 = now_ns();
    if (trap) {
        fprintf(stderr, "wgbench: %s: %s run(%u) trapped: %s\n", rn->k->name, variant_names[v], n,
                wg_trap_message(trap));
        wg_trap_free(trap);
        return false;
    }
    /* A difference, so it is right whether or not the engine resets the count on set_fuel. */
    if (v == METERED && fuel) *fuel = wg_instance_fuel_consumed(inst) - fuel_before;
    *sum = result.u32;
    *ms = (double)(t1 - t0) / 1e6;
    return true;
}

/*
 * Times native, metered and unmetered run(n), best of reps after a warm-up.
 * The repetitions are interleaved (native, metered, unmetered, native, ...)
 * so that a change in machine load during the run affects all three alike
 * and does not show up as a ratio.
 */
static bool time_kernel(runner *rn, kernel_result *res, uint32_t warm_n, unsigned reps)
{
    double best[VARIANTS] = {INFINITY, INFINITY, INFINITY};
    uint32_t sums[VARIANTS] = {0, 0, 0};
    uint32_t sum;
    double ms;
    for (int v = 0; v < VARIANTS && warm_n; v++)
        if (!run_once(rn, (variant)v, warm_n, &sum, &ms, NULL)) return false;
    for (unsigned r = 0; r < reps; r++) {
        for (int v = 0; v < VARIANTS; v++) {
            if (!run_once(rn, (variant)v, res->n, &sum, &ms, &res->fuel)) return false;
            if (r && sum != sums[v]) {
                fprintf(stderr, "wgbench: %s: %s checksum changes between runs (%08x, %08x)\n",
                        rn->k->name, variant_names[v], sums[v], sum);
                return false;
            }
            sums[v] = sum;
            if (ms < best[v]) best[v] = ms;
        }
    }
    res->native_ms = best[NATIVE];
    res->wasm_ms = best[METERED];
    res->unmetered_ms = best[UNMETERED];
    res->native_sum = sums[NATIVE];
    res->wasm_sum = sums[METERED];
    res->unmetered_sum = sums[UNMETERED];
    return true;
}

static bool bench_kernel(const options *opt, const kernel *k, kernel_result *res)
{
    memset(res, 0, sizeof *res);
    res->k = k;
    double n = (opt->quick ? k->quick_n : k->n) * opt->scale;
    res->n = n < 1.0 ? 1 : n > 4e9 ? 4000000000u : (uint32_t)n;
    /* A tenth of the work warms caches, predictors and page tables without doubling the time. */
    uint32_t warm_n = opt->quick ? 0 : (res->n + 9) / 10;

    runner rn;
    if (!open_runner(opt, k, &rn)) return false;
    res->code_bytes = wg_module_code_bytes(rn.module[METERED]);
    res->compiled_bytes = wg_module_compiled_bytes(rn.module[METERED]);
    res->compiled_unmetered_bytes = wg_module_compiled_bytes(rn.module[UNMETERED]);
    res->timed = time_kernel(&rn, res, warm_n, opt->reps);
    close_runner(&rn);
    if (!res->timed) return false;

    res->ok = res->wasm_sum == res->native_sum && res->unmetered_sum == res->native_sum;
    if (!res->ok)
        fprintf(stderr,
                "wgbench: MISMATCH in %s(n=%u): native %08x, wasm %08x, wasm unmetered %08x\n",
                k->name, res->n, res->native_sum, res->wasm_sum, res->unmetered_sum);
    return res->ok;
}

/* ---- Fixed costs: instantiation and host->wasm calls ---------------------------- */

typedef struct fixed_result {
    bool ran_instantiate, ran_call;
    double instantiate_ns;
    double call_ns, call_unmetered_ns;
    uint64_t instantiate_iterations, call_iterations;
} fixed_result;

/* Checks that tiny.wasm instantiated as written: its data segment was applied. */
static bool check_tiny(wg_instance *inst)
{
    wg_func *checksum = wg_instance_func(inst, "checksum");
    wg_value result = {.u64 = 0};
    wg_trap *trap = checksum ? wg_func_call(checksum, NULL, 0, &result, 1) : NULL;
    if (!checksum || trap) {
        fprintf(stderr, "wgbench: tiny.wasm: checksum() %s\n",
                trap ? wg_trap_message(trap) : "is missing");
        if (trap) wg_trap_free(trap);
        return false;
    }
    uint32_t expected = 0;
    for (const char *p = TINY_DATA_STRING; *p; p++)
        expected += (unsigned char)*p;
    if (result.u32 != expected) {
        fprintf(stderr, "wgbench: MISMATCH in tiny.wasm checksum(): got %u, expected %u\n",
                result.u32, expected);
        return false;
    }
    return true;
}

/* Mean ns per wg_instance_new + wg_instance_free of tiny.wasm: best batch of reps. */
static bool bench_instantiate(const options *opt, fixed_result *out)
{
    wg_module *m = load_module(opt->dir, "tiny.wasm", true);
    if (!m) return false;
    wg_instance_options io;
    wg_instance_options_init(&io);
    uint64_t iterations = opt->quick ? 1000 : 100000;
    bool ok = true;
    double best = INFINITY;

    wg_instance *first = instantiate(m, "tiny.wasm");
    ok = first && check_tiny(first);
    if (first) wg_instance_free(first);

    for (unsigned r = 0; ok && r <= opt->reps; r++) {
        /* Batch 0 is the warm-up: it fills the allocator's free lists. */
        uint64_t count = r == 0 ? iterations / 10 : iterations;
        uint64_t t0 = now_ns();
        for (uint64_t i = 0; i < count; i++) {
            wg_trap *trap = NULL;
            char err[256];
            wg_instance *inst = wg_instance_new(m, NULL, &io, &trap, err, sizeof err);
            if (!inst) {
                fprintf(stderr, "wgbench: instantiating tiny.wasm failed: %s\n",
                        trap ? wg_trap_message(trap) : err);
                if (trap) wg_trap_free(trap);
                ok = false;
                break;
            }
            wg_instance_free(inst);
        }
        double ns = (double)(now_ns() - t0) / (double)count;
        if (r > 0 && ns < best) best = ns;
    }
    wg_module_free(m);
    out->ran_instantiate = ok;
    out->instantiate_ns = best;
    out->instantiate_iterations = iterations;
    return ok;
}

/* Mean ns per wg_func_call of id(i32) -> i32: best batch of reps. */
static bool bench_call_build(const options *opt, bool metering, double *best_ns,
                             uint64_t *iterations_out)
{
    wg_module *m = load_module(opt->dir, "tiny.wasm", metering);
    if (!m) return false;
    wg_instance *inst = instantiate(m, "tiny.wasm");
    wg_func *id = inst ? find_i32_func(inst, "id", "tiny.wasm") : NULL;
    bool ok = id != NULL;
    uint64_t iterations = opt->quick ? 100000 : 5000000;
    double best = INFINITY;
    if (ok && metering) {
        wg_instance_set_fuel(inst, BENCH_FUEL);
        wg_instance_set_deadline(inst, wg_now_ns() + BENCH_DEADLINE_AFTER_NS);
    }
    for (unsigned r = 0; ok && r <= opt->reps; r++) {
        uint64_t count = r == 0 ? iterations / 10 : iterations;
        uint32_t wrong = 0;
        uint64_t t0 = now_ns();
        for (uint64_t i = 0; i < count; i++) {
            wg_value arg = {.u64 = 0}, result = {.u64 = 0};
            arg.u32 = (uint32_t)i;
            wg_trap *trap = wg_func_call(id, &arg, 1, &result, 1);
            if (trap) {
                fprintf(stderr, "wgbench: tiny.wasm: id() trapped: %s\n", wg_trap_message(trap));
                wg_trap_free(trap);
                ok = false;
                break;
            }
            wrong += result.u32 != (uint32_t)i;
        }
        double ns = (double)(now_ns() - t0) / (double)count;
        if (wrong) {
            fprintf(stderr, "wgbench: MISMATCH: tiny.wasm id() returned a wrong value %u times\n",
                    wrong);
            ok = false;
        }
        if (r > 0 && ns < best) best = ns;
    }
    if (inst) wg_instance_free(inst);
    wg_module_free(m);
    *best_ns = best;
    *iterations_out = iterations;
    return ok;
}

static bool bench_call(const options *opt, fixed_result *out)
{
    bool ok = bench_call_build(opt, true, &out->call_ns, &out->call_iterations) &&
              bench_call_build(opt, false, &out->call_unmetered_ns, &out->call_iterations);
    out->ran_call = ok;
    return ok;
}

/* ---- Reporting -------------------------------------------------------------------- */

/* The CPU model, so that saved outputs say what they were measured on. */
static void cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10)) continue;
        const char *colon = strchr(line, ':');
        if (!colon) break;
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        snprintf(buf, size, "%s", colon);
        buf[strcspn(buf, "\n")] = 0;
        break;
    }
    fclose(f);
}

/* --quick timings are too short to mean anything, so they are not judged. */
static bool judge_targets = true;

static const char *verdict(bool met)
{
    if (!judge_targets) return "not judged with --quick";
    return met ? "meets target" : "MISSES target";
}

static void print_banner(const options *opt)
{
    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    printf("wasmgate engine benchmarks (%s)\n", cpu);
    printf("best of %u run%s%s, %s; wasm = engine with fuel and deadline metering on\n", opt->reps,
           opt->reps == 1 ? "" : "s",
           opt->quick ? ", --quick (timings not meaningful)" : " after a warm-up",
           opt->cpu_clock ? "thread CPU time" : "CLOCK_MONOTONIC");
}

static void print_kernel_header(void)
{
    printf("\n%-8s %6s %10s %10s %11s  %s\n", "kernel", "n", "native ms", "wasm ms", "wasm/native",
           "checksum");
}

static void print_kernel_row(const kernel_result *r)
{
    printf("%-8s %6u %10.2f %10.2f %10.2fx  %08x%s\n", r->k->name, r->n, r->native_ms, r->wasm_ms,
           r->wasm_ms / r->native_ms, r->native_sum, r->ok ? "" : "  MISMATCH");
    fflush(stdout);
}

static void print_tables(const kernel_result *res, size_t count, const fixed_result *fixed,
                         bool all_ok)
{
    if (count) {
        double ratios[KERNEL_COUNT], metering[KERNEL_COUNT];
        for (size_t i = 0; i < count; i++) {
            ratios[i] = res[i].wasm_ms / res[i].native_ms;
            metering[i] = res[i].wasm_ms / res[i].unmetered_ms;
        }
        double g = geomean(ratios, count);
        printf("%-8s %6s %10s %10s %10.2fx  (target <= %.0fx: %s)\n", "geomean", "", "", "", g,
               TARGET_GEOMEAN_RATIO, verdict(g <= TARGET_GEOMEAN_RATIO));
        printf("  for scale: wasm3 / WAMR fast-interp run CoreMark at ~11x native, a naive switch "
               "interpreter at ~30x\n");

        printf("\nmetering overhead (fuel + deadline checks on vs off)\n");
        printf("%-8s %10s %12s %8s %14s %9s\n", "kernel", "metered ms", "unmetered ms", "ratio",
               "fuel units", "ns/unit");
        for (size_t i = 0; i < count; i++) {
            const kernel_result *r = &res[i];
            double per_unit = r->fuel ? r->wasm_ms * 1e6 / (double)r->fuel : 0.0;
            printf("%-8s %10.2f %12.2f %8.3f %14llu %9.3f\n", r->k->name, r->wasm_ms,
                   r->unmetered_ms, metering[i], (unsigned long long)r->fuel, per_unit);
        }
        double gm = geomean(metering, count);
        printf("%-8s %10s %12s %8.3f  (target <= %.2f: %s)\n", "geomean", "", "", gm,
               TARGET_METERING_RATIO, verdict(gm <= TARGET_METERING_RATIO));

        printf("\ncompiled size (internal code bytes / wasm code section bytes)\n");
        printf("%-8s %10s %14s %8s %16s %8s\n", "kernel", "code", "compiled", "ratio",
               "compiled (unm.)", "ratio");
        bool sizes_met = true;
        for (size_t i = 0; i < count; i++) {
            const kernel_result *r = &res[i];
            double code = r->code_bytes ? (double)r->code_bytes : 1.0;
            double ratio = (double)r->compiled_bytes / code;
            sizes_met = sizes_met && ratio <= TARGET_COMPILED_RATIO;
            printf("%-8s %10zu %14zu %8.2f %16zu %8.2f\n", r->k->name, r->code_bytes,
                   r->compiled_bytes, ratio, r->compiled_unmetered_bytes,
                   (double)r->compiled_unmetered_bytes / code);
        }
        printf("(target: metered ratio <= %.0f for every kernel: %s)\n", TARGET_COMPILED_RATIO,
               verdict(sizes_met));
    }
    if (fixed->ran_instantiate || fixed->ran_call) printf("\nfixed costs (tiny.wasm)\n");
    if (fixed->ran_instantiate)
        printf("instantiate (wg_instance_new + wg_instance_free) %10.0f ns   (target < %.0f ns: "
               "%s; mean of %llu)\n",
               fixed->instantiate_ns, TARGET_INSTANTIATE_NS,
               verdict(fixed->instantiate_ns < TARGET_INSTANTIATE_NS),
               (unsigned long long)fixed->instantiate_iterations);
    if (fixed->ran_call) {
        printf("call id(i32) -> i32, metered                      %10.1f ns   (target < %.0f ns: "
               "%s; mean of %llu)\n",
               fixed->call_ns, TARGET_CALL_NS, verdict(fixed->call_ns < TARGET_CALL_NS),
               (unsigned long long)fixed->call_iterations);
        printf("call id(i32) -> i32, unmetered                    %10.1f ns\n",
               fixed->call_unmetered_ns);
    }
    printf("\n%s\n", all_ok ? "checksums: all match" : "FAILED: see the errors above");
}

static void print_json(const options *opt, const kernel_result *res, size_t count,
                       const fixed_result *fixed, bool all_ok)
{
    char cpu[256];
    cpu_model(cpu, sizeof cpu);
    for (char *p = cpu; *p; p++)
        if (*p == '"' || *p == '\\') *p = ' ';
    printf("{\n  \"cpu\": \"%s\",\n  \"clock\": \"%s\",\n  \"quick\": %s,\n  \"reps\": %u,\n"
           "  \"scale\": %g,\n",
           cpu, opt->cpu_clock ? "thread_cputime" : "monotonic", opt->quick ? "true" : "false",
           opt->reps, opt->scale);
    printf("  \"kernels\": [");
    double ratios[KERNEL_COUNT], metering[KERNEL_COUNT];
    for (size_t i = 0; i < count; i++) {
        const kernel_result *r = &res[i];
        ratios[i] = r->wasm_ms / r->native_ms;
        metering[i] = r->wasm_ms / r->unmetered_ms;
        printf("%s\n    {\"name\": \"%s\", \"n\": %u, \"native_ms\": %.4f, \"wasm_ms\": %.4f, "
               "\"ratio\": %.4f, \"wasm_unmetered_ms\": %.4f, \"metering_ratio\": %.4f, "
               "\"fuel\": %llu, \"code_bytes\": %zu, \"compiled_bytes\": %zu, "
               "\"compiled_unmetered_bytes\": %zu, \"checksum\": \"%08x\", \"match\": %s}",
               i ? "," : "", r->k->name, r->n, r->native_ms, r->wasm_ms, ratios[i], r->unmetered_ms,
               metering[i], (unsigned long long)r->fuel, r->code_bytes, r->compiled_bytes,
               r->compiled_unmetered_bytes, r->native_sum, r->ok ? "true" : "false");
    }
    printf("%s],\n", count ? "\n  " : "");
    if (count)
        printf("  \"geomean_ratio\": %.4f,\n  \"geomean_metering_ratio\": %.4f,\n",
               geomean(ratios, count), geomean(metering, count));
    if (fixed->ran_instantiate) printf("  \"instantiate_ns\": %.1f,\n", fixed->instantiate_ns);
    if (fixed->ran_call)
        printf("  \"call_ns\": %.2f,\n  \"call_unmetered_ns\": %.2f,\n", fixed->call_ns,
               fixed->call_unmetered_ns);
    printf("  \"ok\": %s\n}\n", all_ok ? "true" : "false");
}

int main(int argc, char **argv)
{
    options opt;
    int status = parse_options(argc, argv, &opt);
    if (status) return status < 0 ? 0 : status;
    judge_targets = !opt.quick;
    if (opt.cpu_clock) timing_clock = CLOCK_THREAD_CPUTIME_ID;

    bool any = selected(&opt, "instantiate") || selected(&opt, "call");
    for (size_t i = 0; i < KERNEL_COUNT; i++)
        any = any || selected(&opt, kernels[i].name);
    if (!any) {
        fprintf(stderr, "wgbench: nothing matches --filter '%s' (see --list)\n", opt.filter);
        return 2;
    }

    if (!opt.json) print_banner(&opt);
    kernel_result res[KERNEL_COUNT];
    size_t count = 0;
    bool all_ok = true, header = false;
    for (size_t i = 0; i < KERNEL_COUNT; i++) {
        if (!selected(&opt, kernels[i].name)) continue;
        if (!opt.json && !header) {
            print_kernel_header();
            header = true;
        }
        kernel_result *r = &res[count];
        if (!bench_kernel(&opt, &kernels[i], r)) {
            all_ok = false;
            if (!r->timed) {
                fprintf(stderr, "wgbench: %s: not benchmarked\n", kernels[i].name);
                continue;
            }
        }
        if (!opt.json) print_kernel_row(r);
        count++;
    }

    fixed_result fixed;
    memset(&fixed, 0, sizeof fixed);
    if (selected(&opt, "instantiate") && !bench_instantiate(&opt, &fixed)) all_ok = false;
    if (selected(&opt, "call") && !bench_call(&opt, &fixed)) all_ok = false;

    if (opt.json)
        print_json(&opt, res, count, &fixed, all_ok);
    else
        print_tables(res, count, &fixed, all_ok);
    return all_ok ? 0 : 1;
}
