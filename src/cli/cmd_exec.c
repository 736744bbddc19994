/*
 * cmd_exec.c — `wasmgate exec MODULE [ARGS...]`: runs a WASI command
 * module's _start in the sandbox with stdin, stdout and stderr passed
 * through, like `wasmtime run`, so module authors can try a module under
 * the same WASI and limits the server uses.
 *
 * The module sees nothing but what the command line grants: directories
 * (--dir), environment variables (--env) and its arguments. The process
 * exits with the module's exit code; when the sandbox stops the module
 * (a trap or a limit) the message goes to stderr and the exit status says
 * which limit, with numbers chosen after the conventions of shells and
 * timeout(1): see cli_exec_usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "wasmgate/sandbox.h"
#include "wasmgate/wg.h"

const char cli_exec_usage[] =
    "usage: wasmgate exec [OPTIONS] MODULE.wasm [ARGS...]\n"
    "\n"
    "Runs a WASI command module's _start in the sandbox, with stdin, stdout and\n"
    "stderr passed through. The module sees only the directories granted with\n"
    "--dir, the variables given with --env, and its arguments: argv[0] is the\n"
    "module's file name, then ARGS. Options go before MODULE; everything after\n"
    "MODULE is the module's.\n"
    "\n"
    "options:\n"
    "  --dir [ro:]HOST::GUEST  grant directory HOST, seen by the module as GUEST\n"
    "                          (repeatable; \"ro:\" makes the grant read-only)\n"
    "  --env KEY=VALUE         set an environment variable (repeatable)\n"
    "  --timeout-ms N          wall-clock limit in milliseconds (default: none)\n"
    "  --fuel N                instruction budget (default: unlimited)\n"
    "  --max-pages N           linear memory limit in 64 KiB pages (default 256)\n"
    "  -h, --help              show this help\n"
    "\n"
    "exit status: the module's exit code (0 when _start returns); and when the\n"
    "module could not run or was stopped:\n"
    "  1    the module could not be read, loaded or instantiated (e.g. an unknown\n"
    "       import), has no _start, or exited with a status outside 0-255\n"
    "  2    usage error\n"
    "  124  timeout (as timeout(1))\n"
    "  134  trap, including call stack exhaustion (128 + SIGABRT)\n"
    "  137  memory limit (128 + SIGKILL, as an out-of-memory kill)\n"
    "  152  fuel exhausted (128 + SIGXCPU)\n"
    "  153  output limit (128 + SIGXFSZ; only with captured output)\n";

enum {
    EXEC_EXIT_TIMEOUT = 124,
    EXEC_EXIT_TRAP = 134,
    EXEC_EXIT_MEMORY = 137,
    EXEC_EXIT_FUEL = 152,
    EXEC_EXIT_OUTPUT = 153
};

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* Maps how the run ended to the process exit status (see cli_exec_usage). */
static int exit_status_for(wgsb_status st, const wgsb_ctx *ctx, const char *msg)
{
    switch (st) {
    case WGSB_OK: return CLI_EXIT_OK;
    case WGSB_EXIT: {
        int32_t code = wgsb_ctx_exit_code(ctx);
        if (code >= 0 && code <= 255) return code;
        /* The OS keeps 8 bits: 256 must not turn into success. */
        cli_error("exec", "%s, reported as exit status 1", msg);
        return CLI_EXIT_FAILURE;
    }
    default: break;
    }
    cli_error("exec", "%s", msg);
    switch (st) {
    case WGSB_TIMEOUT: return EXEC_EXIT_TIMEOUT;
    case WGSB_TRAP: return EXEC_EXIT_TRAP;
    case WGSB_MEMORY_LIMIT: return EXEC_EXIT_MEMORY;
    case WGSB_FUEL: return EXEC_EXIT_FUEL;
    case WGSB_OUTPUT_LIMIT: return EXEC_EXIT_OUTPUT;
    default: return CLI_EXIT_FAILURE;
    }
}

/* The options, parsed: what the manifest is built from. */
typedef struct exec_options {
    wgsb_manifest manifest;
    const char *module_path;
    int module_argc;
    char **module_argv;
} exec_options;

/*
 * Parses options up to MODULE into o->manifest. Returns -1 when the run
 * should go on, else the exit status (help printed, or a usage error).
 */
static int parse_args(int argc, char **argv, exec_options *o)
{
    wgsb_limits *lim = &o->manifest.limits;
    lim->timeout_ms = 0; /* a command-line run has no deadline unless asked */
    int i = 1;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0') break; /* MODULE: the rest is the module's */
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(cli_exec_usage, stdout);
            return CLI_EXIT_OK;
        }
        static const char *const with_value[] = {"--dir", "--env", "--timeout-ms", "--fuel",
                                                 "--max-pages"};
        const char *value;
        const char *name = cli_value_option("exec", cli_exec_usage, argc, argv, &i, with_value,
                                            sizeof with_value / sizeof with_value[0], &value);
        if (!name) return CLI_EXIT_USAGE;
        char err[256];
        if (strcmp(name, "--dir") == 0) {
            if (!wgsb_manifest_add_path_spec(&o->manifest, value, err, sizeof err))
                return cli_usage_error("exec", cli_exec_usage, "--dir: %s", err);
        } else if (strcmp(name, "--env") == 0) {
            if (!wgsb_manifest_add_env(&o->manifest, value))
                return cli_usage_error("exec", cli_exec_usage,
                                       "--env '%s': expected KEY=VALUE with a non-empty KEY",
                                       value);
        } else if (!cli_limit_option("exec", cli_exec_usage, name, value, lim)) {
            return CLI_EXIT_USAGE;
        }
    }
    if (i >= argc) return cli_usage_error("exec", cli_exec_usage, "missing MODULE");
    o->module_path = argv[i];
    o->module_argc = argc - i - 1;
    o->module_argv = argv + i + 1;
    return -1;
}

/* Loads, instantiates and runs the module; returns the exit status. */
static int run_module(exec_options *o)
{
    char err[512], msg[512];
    size_t len;
    wg_module *module = cli_load_module("exec", o->module_path, &len);
    if (!module) return CLI_EXIT_FAILURE;
    int status = CLI_EXIT_FAILURE;
    wgsb_sandbox *sb = NULL;
    wg_linker *linker = NULL;
    wgsb_ctx *ctx = NULL;
    wg_instance *inst = NULL;

    sb = wgsb_sandbox_new(&o->manifest, err, sizeof err);
    if (!sb) {
        cli_error("exec", "%s", err);
        goto done;
    }
    linker = wg_linker_new();
    if (!linker || !wgsb_define_wasi(linker, err, sizeof err)) {
        cli_error("exec", "cannot define WASI: %s", linker ? err : "out of memory");
        goto done;
    }
    wgsb_ctx_options copts;
    wgsb_ctx_options_init(&copts);
    copts.stdin_fd = 0;
    copts.stdout_fd = 1;
    copts.stderr_fd = 2;
    ctx = wgsb_ctx_new(sb, &copts, err, sizeof err);
    if (!ctx) {
        cli_error("exec", "%s", err);
        goto done;
    }
    wgsb_status st;
    inst = wgsb_instantiate(module, linker, ctx, 0, &st, msg, sizeof msg);
    if (!inst) {
        status = exit_status_for(st, ctx, msg);
        goto done;
    }
    wg_func *start = wg_instance_func(inst, "_start");
    const wg_functype *type = start ? wg_func_type(start) : NULL;
    if (!start || wg_functype_param_count(type) || wg_functype_result_count(type)) {
        cli_error("exec", "module %s: no _start export of type () -> (): not a WASI command",
                  base_name(o->module_path));
        goto done;
    }
    st = wgsb_call(ctx, inst, start, NULL, 0, NULL, 0, 0, msg, sizeof msg);
    status = exit_status_for(st, ctx, msg);

done:
    wg_instance_free(inst);
    wgsb_ctx_free(ctx);
    wg_linker_free(linker);
    wgsb_sandbox_free(sb);
    wg_module_free(module);
    return status;
}

int cli_cmd_exec(int argc, char **argv)
{
    exec_options o;
    memset(&o, 0, sizeof o);
    wgsb_manifest_init(&o.manifest);
    int status = parse_args(argc, argv, &o);
    if (status < 0) {
        const char *name = base_name(o.module_path);
        if (!wgsb_manifest_set_name(&o.manifest, name) || !wgsb_manifest_add_arg(&o.manifest, name))
            status = CLI_EXIT_FAILURE;
        for (int i = 0; status < 0 && i < o.module_argc; i++)
            if (!wgsb_manifest_add_arg(&o.manifest, o.module_argv[i])) status = CLI_EXIT_FAILURE;
        if (status < 0)
            status = run_module(&o);
        else
            cli_error("exec", "out of memory");
    }
    wgsb_manifest_clear(&o.manifest);
    return status;
}
