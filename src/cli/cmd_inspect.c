/*
 * cmd_inspect.c — `wasmgate inspect MODULE`: what a module imports and
 * exports, its custom sections (Kubewarden metadata pretty-printed), and
 * which module ABI it appears to follow.
 *
 * The module is loaded (decoded and validated) but never instantiated, so
 * inspecting an untrusted module runs none of its code. The ABI guess uses
 * only import module names and export names, the marks each ABI leaves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "wasmgate/abi.h"
#include "wasmgate/sandbox.h"
#include "wasmgate/wg.h"

const char cli_inspect_usage[] =
    "usage: wasmgate inspect [--code] MODULE.wasm\n"
    "\n"
    "Prints a module's imports (module, name, kind, type), exports (name, kind,\n"
    "type), custom sections (name, size; the Kubewarden metadata section\n"
    "\"io.kubewarden.metadata\" pretty-printed when it is JSON) and the detected ABI:\n"
    "k8s-wasm, kubewarden (waPC), extism, wasi command, wasi reactor or plain.\n"
    "The module is validated but none of its code runs.\n"
    "\n"
    "  --code    also print each function's compiled internal code (for engine\n"
    "            developers; the format is described in src/engine/ops.h)\n"
    "\n"
    "exit status: 0 on success, 1 if the file cannot be read or is not a valid module,\n"
    "2 on usage errors\n";

#define KUBEWARDEN_METADATA_SECTION "io.kubewarden.metadata"

static bool name_is(const char *name, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(name, want, len) == 0;
}

static void print_limits(const wg_extern_desc *d)
{
    printf("min %u", d->min);
    if (d->has_max) {
        printf(" max %u", d->max);
    } else {
        printf(" (no max)");
    }
}

/* Prints the type part of an import or export line. */
static void print_extern_type(const wg_extern_desc *d)
{
    switch (d->kind) {
    case WG_EXTERN_FUNC: {
        /* Size the buffer from the type: a signature may have a thousand params. */
        size_t n = wg_functype_param_count(d->func_type) + wg_functype_result_count(d->func_type);
        size_t size = 32 + n * 16;
        char *buf = malloc(size);
        if (!buf) {
            printf("(type too large to print)");
            break;
        }
        printf("%s", wg_functype_format(d->func_type, buf, size));
        free(buf);
        break;
    }
    case WG_EXTERN_TABLE:
        printf("%s ", wg_valtype_name(d->elem_type));
        print_limits(d);
        break;
    case WG_EXTERN_MEMORY:
        printf("pages ");
        print_limits(d);
        break;
    case WG_EXTERN_GLOBAL:
        printf("%s %s", d->global_mutable ? "mut" : "const", wg_valtype_name(d->global_type));
        break;
    }
}

static void print_imports(const wg_module *m)
{
    size_t n = wg_module_import_count(m);
    printf("imports (%zu):\n", n);
    for (size_t i = 0; i < n; i++) {
        wg_extern_desc d;
        if (!wg_module_import(m, i, &d)) continue;
        printf("  %-7s ", wg_externkind_name(d.kind));
        cli_print_quoted(stdout, d.module, d.module_len);
        putchar(' ');
        cli_print_quoted(stdout, d.name, d.name_len);
        printf("  ");
        print_extern_type(&d);
        putchar('\n');
    }
}

static void print_exports(const wg_module *m)
{
    size_t n = wg_module_export_count(m);
    printf("exports (%zu):\n", n);
    for (size_t i = 0; i < n; i++) {
        wg_extern_desc d;
        if (!wg_module_export(m, i, &d)) continue;
        printf("  %-7s ", wg_externkind_name(d.kind));
        cli_print_quoted(stdout, d.name, d.name_len);
        printf("  ");
        print_extern_type(&d);
        putchar('\n');
    }
}

/* Pretty-prints a metadata section, indented under its custom-section line. */
static void print_metadata_json(const uint8_t *data, size_t len)
{
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)data, len, JSON_DECODE_ANY, &jerr);
    if (!doc) {
        printf("    (not valid JSON: %s, at line %d column %d)\n", jerr.text, jerr.line,
               jerr.column);
        return;
    }
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY);
    json_decref(doc);
    if (!text) {
        printf("    (cannot format the JSON: out of memory)\n");
        return;
    }
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        printf("    %.*s\n", (int)n, line);
        line += n + (end ? 1 : 0);
    }
    free(text);
}

static void print_custom_sections(const wg_module *m)
{
    size_t n = wg_module_custom_count(m);
    printf("custom sections (%zu):\n", n);
    for (size_t i = 0; i < n; i++) {
        const char *name;
        size_t name_len, len;
        const uint8_t *data;
        if (!wg_module_custom(m, i, &name, &name_len, &data, &len)) continue;
        printf("  ");
        cli_print_quoted(stdout, name, name_len);
        printf("  %zu bytes\n", len);
        if (name_is(name, name_len, KUBEWARDEN_METADATA_SECTION)) print_metadata_json(data, len);
    }
}

/*
 * The module's ABI as `wasmgate run` and `serve` will detect it (wgabi_detect), or else
 * its generic WASI shape: TinyGo-built waPC policies also export _start, and k8s-wasm
 * modules may be WASI commands, so the specific ABIs come first.
 */
static const char *detect_abi(const wg_module *m)
{
    switch (wgabi_detect(m)) {
    case WGABI_K8S_WASM: return "k8s-wasm";
    case WGABI_KUBEWARDEN: return "kubewarden (waPC)";
    case WGABI_EXTISM: return "extism";
    default: break;
    }
    bool exports_start = false, exports_initialize = false;
    for (size_t i = 0; i < wg_module_export_count(m); i++) {
        wg_extern_desc d;
        if (!wg_module_export(m, i, &d) || d.kind != WG_EXTERN_FUNC) continue;
        if (name_is(d.name, d.name_len, "_start")) exports_start = true;
        if (name_is(d.name, d.name_len, "_initialize")) exports_initialize = true;
    }
    if (exports_start) return "wasi command";
    if (exports_initialize) return "wasi reactor";
    return "plain";
}

int cli_cmd_inspect(int argc, char **argv)
{
    bool help = false, code = false;
    int npositional = 0;
    char err[1024];
    const cli_option opts[] = {{"--code", 0, false, &code, NULL}};
    if (!cli_parse_options(argc, argv, opts, 1, &help, &npositional, err, sizeof err))
        return cli_usage_error("inspect", cli_inspect_usage, "%s", err);
    if (help) {
        fputs(cli_inspect_usage, stdout);
        return CLI_EXIT_OK;
    }
    if (npositional == 0) return cli_usage_error("inspect", cli_inspect_usage, "missing MODULE");
    if (npositional > 1)
        return cli_usage_error("inspect", cli_inspect_usage,
                               "expected one MODULE, got %d arguments", npositional);
    const char *path = argv[1];

    size_t len = 0;
    wg_module *m = cli_load_module("inspect", path, &len);
    if (!m) return CLI_EXIT_FAILURE;

    printf("module: %s\n", path);
    printf("size: %zu bytes (code section %zu bytes, compiled %zu bytes)\n", len,
           wg_module_code_bytes(m), wg_module_compiled_bytes(m));
    print_imports(m);
    print_exports(m);
    print_custom_sections(m);
    printf("detected ABI: %s\n", detect_abi(m));
    if (code) {
        uint32_t nimports = 0;
        for (size_t i = 0; i < wg_module_import_count(m); i++) {
            wg_extern_desc d;
            if (wg_module_import(m, i, &d) && d.kind == WG_EXTERN_FUNC) nimports++;
        }
        printf("compiled code:\n");
        for (uint32_t f = nimports; wg_module_dump_code(m, f, stdout); f++) {
        }
    }
    wg_module_free(m);
    return CLI_EXIT_OK;
}
