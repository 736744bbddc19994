/*
 * test_load.c — loading modules for an ABI: names, detection, and every refusal a load
 * makes before a module may serve (unknown imports, missing or mistyped exports, memory,
 * links that would fail), each with a message naming the module and the problem.
 */
#include <stdlib.h>
#include <string.h>

#include "abitest.h"

/* Loads `file` for `kind` expecting a refusal whose message contains `expect`. */
static void refused(const char *file, wgabi_kind kind, const char *expect)
{
    wgsb_manifest m;
    abit_manifest(&m, "x", NULL);
    char err[1024] = "";
    wgabi_module *mod = abit_load(file, kind, &m, err, sizeof err);
    if (!CHECK(mod == NULL)) fprintf(stderr, "    %s loaded\n", file);
    CHECK_CONTAINS(err, "module \"x\": ");
    if (!CHECK_CONTAINS(err, expect)) fprintf(stderr, "    (%s)\n", file);
    wgabi_module_free(mod);
    wgsb_manifest_clear(&m);
}

static void abi_names_round_trip(void)
{
    CHECK_STR(wgabi_kind_name(WGABI_K8S_WASM), "k8s-wasm");
    CHECK_STR(wgabi_kind_name(WGABI_KUBEWARDEN), "kubewarden");
    CHECK_STR(wgabi_kind_name(WGABI_EXTISM), "extism");
    CHECK_INT(wgabi_kind_parse("k8s-wasm"), WGABI_K8S_WASM);
    CHECK_INT(wgabi_kind_parse("kubewarden"), WGABI_KUBEWARDEN);
    CHECK_INT(wgabi_kind_parse("extism"), WGABI_EXTISM);
    CHECK_INT(wgabi_kind_parse("wapc"), 0);
    CHECK_INT(wgabi_kind_parse(""), 0);
    CHECK_INT(wgabi_kind_parse(NULL), 0);
}

static void every_status_has_a_name(void)
{
    CHECK_STR(wgabi_status_name(WGABI_OK), "ok");
    CHECK_STR(wgabi_status_name(WGABI_TRAP), "trap");
    CHECK_STR(wgabi_status_name(WGABI_TIMEOUT), "timeout");
    CHECK_STR(wgabi_status_name(WGABI_FUEL), "fuel exhausted");
    CHECK_STR(wgabi_status_name(WGABI_MEMORY_LIMIT), "memory limit");
    CHECK_STR(wgabi_status_name(WGABI_EXIT), "exit");
    CHECK_STR(wgabi_status_name(WGABI_GUEST_ERROR), "guest error");
    CHECK_STR(wgabi_status_name(WGABI_OUTPUT_LIMIT), "output limit");
    CHECK_STR(wgabi_status_name(WGABI_ERROR), "error");
    CHECK_STR(wgabi_status_name((wgabi_status)99), "error");
    /* The labels of metrics and log lines: one token each. */
    CHECK_STR(wgabi_status_label(WGABI_OK), "ok");
    CHECK_STR(wgabi_status_label(WGABI_TRAP), "trap");
    CHECK_STR(wgabi_status_label(WGABI_TIMEOUT), "timeout");
    CHECK_STR(wgabi_status_label(WGABI_FUEL), "fuel_exhausted");
    CHECK_STR(wgabi_status_label(WGABI_MEMORY_LIMIT), "memory_limit");
    CHECK_STR(wgabi_status_label(WGABI_EXIT), "exit");
    CHECK_STR(wgabi_status_label(WGABI_GUEST_ERROR), "guest_error");
    CHECK_STR(wgabi_status_label(WGABI_OUTPUT_LIMIT), "output_limit");
    CHECK_STR(wgabi_status_label(WGABI_ERROR), "error");
    CHECK_STR(wgabi_status_label((wgabi_status)99), "error");
}

static void detect_tells_the_abis_apart(void)
{
    static const struct {
        const char *file;
        wgabi_kind kind;
    } cases[] = {
        {"k8s_answer.wasm", WGABI_K8S_WASM},
        {"spec_validate.wasm", WGABI_K8S_WASM},
        {"reactor_ctor.wasm", WGABI_K8S_WASM},
        {"wapc_policy.wasm", WGABI_KUBEWARDEN},
        {"wapc_init.wasm", WGABI_KUBEWARDEN},
        {"bad_no_entry.wasm", 0},
        /* An entry point with an unknown import is still k8s-wasm: the load names the import. */
        {"bad_unknown_import.wasm", WGABI_K8S_WASM},
        {"wapc_no_guest_call.wasm", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        uint8_t *bytes = abit_read_module(cases[i].file, &len);
        if (!bytes) continue;
        wg_module *wasm = wg_module_load(bytes, len, NULL, NULL, 0);
        free(bytes);
        if (!CHECK(wasm != NULL)) continue;
        if (!CHECK_INT(wgabi_detect(wasm), cases[i].kind))
            fprintf(stderr, "    %s\n", cases[i].file);
        wg_module_free(wasm);
    }
    CHECK_INT(wgabi_detect(NULL), 0);
}

static void a_loaded_module_reports_its_kind_and_name(void)
{
    wgsb_manifest m;
    abit_manifest(&m, "answers", NULL);
    wgabi_module *mod = abit_must_load("k8s_answer.wasm", WGABI_K8S_WASM, &m);
    wgsb_manifest_clear(&m); /* the module keeps its own copy */
    if (!mod) return;
    CHECK_INT(wgabi_module_kind(mod), WGABI_K8S_WASM);
    CHECK_STR(wgabi_module_name(mod), "answers");
    CHECK_STR(wgabi_module_manifest(mod)->name, "answers");
    CHECK_INT(wgabi_module_manifest(mod)->limits.timeout_ms, 2000);
    wgabi_module_free(mod);
    wgabi_module_free(NULL);
}

static void module_new_takes_its_own_reference(void)
{
    size_t len;
    uint8_t *bytes = abit_read_module("k8s_answer.wasm", &len);
    if (!bytes) return;
    wg_module *wasm = wg_module_load(bytes, len, NULL, NULL, 0);
    free(bytes);
    char err[256] = "";
    wgabi_module *mod = wgabi_module_new(wasm, WGABI_K8S_WASM, NULL, err, sizeof err);
    wg_module_free(wasm); /* ours; the ABI module holds its own */
    if (!CHECK(mod != NULL)) return;
    CHECK_STR(wgabi_module_name(mod), "module"); /* NULL manifest: the defaults */
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "authn", "", 0, 0, &r), WGABI_OK);
    CHECK_CONTAINS(r.output, "abi-user");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void an_unknown_import_is_refused_with_its_name(void)
{
    refused("bad_unknown_import.wasm", WGABI_K8S_WASM,
            "module \"x\": import \"env\" \"foo\" (func) is not provided by the k8s-wasm ABI");
    refused("bad_unknown_import.wasm", WGABI_KUBEWARDEN,
            "import \"env\" \"foo\" (func) is not provided by the kubewarden ABI");
    refused("bad_unknown_wasi.wasm", WGABI_K8S_WASM,
            "import \"wasi_snapshot_preview1\" \"not_a_function\" (func) is not provided by the "
            "k8s-wasm ABI (not a WASI preview 1 function)");
    refused("bad_import_memory.wasm", WGABI_K8S_WASM,
            "import \"env\" \"memory\" (memory) is not provided by the k8s-wasm ABI");
}

static void a_k8s_wasm_module_may_not_import_wapc(void)
{
    refused("wapc_policy.wasm", WGABI_K8S_WASM,
            "import \"wapc\" \"__guest_request\" (func) is not provided by the k8s-wasm ABI");
}

static void a_wasi_import_of_the_wrong_type_is_refused_at_load(void)
{
    refused("bad_wasi_type.wasm", WGABI_K8S_WASM,
            "cannot be instantiated: incompatible import type: \"wasi_snapshot_preview1\" "
            "\"fd_write\"");
}

static void k8s_wasm_exports_are_checked(void)
{
    refused("bad_no_entry.wasm", WGABI_K8S_WASM,
            "exports none of the k8s-wasm entry points authn, authz, validate");
    refused("bad_entry_type.wasm", WGABI_K8S_WASM,
            "export \"validate\" must be a function of type () -> (), not (i32) -> ()");
    refused("bad_no_memory.wasm", WGABI_K8S_WASM, "exports no memory named \"memory\"");
}

static void memory_over_the_limit_is_refused_at_load(void)
{
    refused("bad_big_memory.wasm", WGABI_K8S_WASM, "memory limit: module needs 300 pages");
}

static void a_module_that_cannot_be_instantiated_is_refused_at_load(void)
{
    refused("bad_data_segment.wasm", WGABI_K8S_WASM, "cannot be instantiated:");
}

static void wapc_imports_and_exports_are_checked(void)
{
    refused("wapc_bad_import_type.wasm", WGABI_KUBEWARDEN,
            "import \"wapc\" \"__guest_request\" has type (i32) -> (), the kubewarden ABI "
            "provides (i32, i32) -> ()");
    refused("wapc_unknown_import.wasm", WGABI_KUBEWARDEN,
            "import \"wapc\" \"__guest_teleport\" (func) is not provided by the kubewarden ABI");
    refused("wapc_no_guest_call.wasm", WGABI_KUBEWARDEN, "does not export __guest_call");
    refused("k8s_answer.wasm", WGABI_KUBEWARDEN, "does not export __guest_call");
}

static void extism_is_not_implemented_yet(void)
{
    refused("k8s_answer.wasm", WGABI_EXTISM, "module \"x\": the extism ABI is not implemented yet");
    size_t len;
    uint8_t *bytes = abit_read_module("k8s_answer.wasm", &len);
    wg_module *wasm = bytes ? wg_module_load(bytes, len, NULL, NULL, 0) : NULL;
    free(bytes);
    char err[256] = "";
    CHECK(wgabi_module_new(wasm, WGABI_EXTISM, NULL, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "the extism ABI is not implemented yet");
    wg_module_free(wasm);
}

static void an_unknown_abi_is_refused(void)
{
    refused("k8s_answer.wasm", (wgabi_kind)42, "unknown ABI 42");
    refused("k8s_answer.wasm", (wgabi_kind)0, "unknown ABI 0");
}

static void bytes_that_are_not_a_module_are_refused(void)
{
    wgsb_manifest m;
    abit_manifest(&m, "junk", NULL);
    char err[512] = "";
    CHECK(wgabi_module_load("not wasm", 8, WGABI_K8S_WASM, &m, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "module \"junk\": not a valid WebAssembly module: ");
    err[0] = '\0';
    CHECK(wgabi_module_load(NULL, 0, WGABI_K8S_WASM, &m, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "module \"junk\": not a valid WebAssembly module");
    CHECK(wgabi_module_load(NULL, 5, WGABI_K8S_WASM, &m, NULL, 0) == NULL);
    wgsb_manifest_clear(&m);
}

static void a_missing_granted_directory_fails_the_load(void)
{
    wgsb_manifest m;
    abit_manifest(&m, "grants", NULL);
    char err[512] = "";
    CHECK(wgsb_manifest_add_path(&m, "/nonexistent-wasmgate-abi-dir", "/data", true));
    wgabi_module *mod = abit_load("k8s_answer.wasm", WGABI_K8S_WASM, &m, err, sizeof err);
    CHECK(mod == NULL);
    CHECK_CONTAINS(err, "cannot open granted directory \"/nonexistent-wasmgate-abi-dir\"");
    wgabi_module_free(mod);
    wgsb_manifest_clear(&m);
}

static void wgabi_call_refuses_bad_arguments(void)
{
    wgsb_manifest m;
    abit_manifest(&m, "args", NULL);
    wgabi_module *mod = abit_must_load("k8s_answer.wasm", WGABI_K8S_WASM, &m);
    wgsb_manifest_clear(&m);
    wgabi_result r;
    CHECK_INT(wgabi_call(NULL, "validate", "", 0, 0, &r), WGABI_ERROR);
    CHECK_CONTAINS(r.message, "no module");
    wgabi_result_clear(&r);
    CHECK_INT(wgabi_call(mod, NULL, "", 0, 0, &r), WGABI_ERROR);
    CHECK_CONTAINS(r.message, "module args: wgabi_call: no entry point");
    wgabi_result_clear(&r);
    CHECK_INT(wgabi_call(mod, "validate", NULL, 3, 0, &r), WGABI_ERROR);
    wgabi_result_clear(&r);
    CHECK_INT(wgabi_call(mod, "validate", NULL, 0, 0, &r), WGABI_OK); /* no input is empty input */
    wgabi_result_clear(&r);
    CHECK_INT(wgabi_call(mod, "validate", "", 0, 0, NULL), WGABI_ERROR);
    wgabi_result_clear(NULL);
    wgabi_module_free(mod);
}

int main(void)
{
    RUN(abi_names_round_trip);
    RUN(every_status_has_a_name);
    RUN(detect_tells_the_abis_apart);
    RUN(a_loaded_module_reports_its_kind_and_name);
    RUN(module_new_takes_its_own_reference);
    RUN(an_unknown_import_is_refused_with_its_name);
    RUN(a_k8s_wasm_module_may_not_import_wapc);
    RUN(a_wasi_import_of_the_wrong_type_is_refused_at_load);
    RUN(k8s_wasm_exports_are_checked);
    RUN(memory_over_the_limit_is_refused_at_load);
    RUN(a_module_that_cannot_be_instantiated_is_refused_at_load);
    RUN(wapc_imports_and_exports_are_checked);
    RUN(extism_is_not_implemented_yet);
    RUN(an_unknown_abi_is_refused);
    RUN(bytes_that_are_not_a_module_are_refused);
    RUN(a_missing_granted_directory_fails_the_load);
    RUN(wgabi_call_refuses_bad_arguments);
    return wgt_finish();
}
