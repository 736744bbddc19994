/*
 * test_runtime.c — loading a configuration's modules: sha256 pins, unreadable files, modules
 * the ABI layer refuses, Kubewarden settings validation, and how admission modules split
 * into the /validate and /mutate chains. Uses the fake ABI layer (fake_abi.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "runtime.h"
#include "srvtest.h"

static char err[8192];

static wgsrv_runtime *load(const char *yaml)
{
    srvt_write("wasmgate.yaml", yaml);
    wgsrv_config *cfg = wgsrv_config_load_file("wasmgate.yaml", err, sizeof err);
    if (!cfg) return NULL;
    return wgsrv_runtime_load(cfg, NULL, 1, NULL, NULL, err, sizeof err);
}

static const char allow[] = "FAKE{\"behaviour\":\"allow\"}";

static void a_matching_pin_loads_and_a_mismatch_refuses_the_module(void)
{
    srvt_write("allow.wasm", allow);
    char hex[65];
    CHECK(wgsrv_sha256_hex(allow, strlen(allow), hex));
    char yaml[512];
    snprintf(yaml, sizeof yaml, "admission:\n  - name: a\n    module: allow.wasm\n    sha256: %s\n",
             hex);
    wgsrv_runtime *rt = load(yaml);
    if (CHECK(rt != NULL)) {
        CHECK_STR(rt->modules[WGSRV_ADMISSION][0].sha256, hex);
        wgsrv_runtime_release(rt);
    }
    /* The file changes under its pin. */
    srvt_write("allow.wasm", "FAKE{\"behaviour\":\"deny\"}");
    rt = load(yaml);
    CHECK(rt == NULL);
    CHECK_CONTAINS(err, "wasmgate.yaml:2: admission[0].sha256: ./allow.wasm does not match the "
                        "pin: the file's SHA-256 is ");
    CHECK_CONTAINS(err, hex);
    CHECK_CONTAINS(err, "refusing the module");
}

static void sha256_is_the_standard_digest(void)
{
    char hex[65];
    CHECK(wgsrv_sha256_hex("abc", 3, hex));
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void a_missing_module_file_names_the_field_and_path(void)
{
    wgsrv_runtime *rt = load("authorization:\n  - name: z\n    module: nowhere/z.wasm\n");
    CHECK(rt == NULL);
    CHECK_STR(err, "wasmgate.yaml:2: authorization[0].module: ./nowhere/z.wasm: cannot open: No "
                   "such file or directory");
}

static void every_failing_module_is_reported(void)
{
    srvt_write("bad.wasm", "\0asm\1\0\0\0");
    wgsrv_runtime *rt = load("authentication:\n  - {name: a, module: missing-a.wasm}\n"
                             "admission:\n  - {name: b, module: bad.wasm}\n");
    CHECK(rt == NULL);
    CHECK_CONTAINS(err, "wasmgate.yaml:2: authentication[0].module: ./missing-a.wasm: cannot open");
    CHECK_CONTAINS(err, "wasmgate.yaml:4: admission[0]: module \"b\" (./bad.wasm, k8s-wasm) cannot "
                        "be loaded: module \"b\": not a fake module");
}

static void kubewarden_settings_are_validated_at_load(void)
{
    srvt_write("kw.wasm", "FAKE{\"behaviour\":\"allow\"}");
    wgsrv_runtime *rt = load("admission:\n  - name: kw\n    module: kw.wasm\n    abi: kubewarden\n"
                             "    settings: {invalid: true}\n");
    CHECK(rt == NULL);
    CHECK_CONTAINS(err, "admission[0].settings: module \"kw\": the policy rejected its settings: "
                        "invalid is set");
    rt = load("admission:\n  - name: kw\n    module: kw.wasm\n    abi: kubewarden\n"
              "    settings: {fine: true}\n");
    if (CHECK(rt != NULL)) wgsrv_runtime_release(rt);
}

static void admission_modules_split_into_validating_and_mutating_chains(void)
{
    srvt_write("allow.wasm", allow);
    wgsrv_runtime *rt = load("admission:\n"
                             "  - {name: v1, module: allow.wasm}\n"
                             "  - {name: m1, module: allow.wasm, mutating: true}\n"
                             "  - {name: v2, module: allow.wasm}\n"
                             "  - {name: m2, module: allow.wasm, mutating: true}\n");
    if (!CHECK(rt != NULL)) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    if (CHECK_INT(rt->nvalidating, 2) && CHECK_INT(rt->nmutating, 2)) {
        CHECK_STR(rt->validating[0]->cfg->name, "v1");
        CHECK_STR(rt->validating[1]->cfg->name, "v2");
        CHECK_STR(rt->mutating[0]->cfg->name, "m1");
        CHECK_STR(rt->mutating[1]->cfg->name, "m2");
    }
    CHECK(wgsrv_runtime_find(rt, "m2") == &rt->modules[WGSRV_ADMISSION][3]);
    CHECK(wgsrv_runtime_find(rt, "nope") == NULL);
    CHECK_INT(rt->generation, 1);
    wgsrv_runtime_retain(rt);
    wgsrv_runtime_release(rt);
    wgsrv_runtime_release(rt); /* the last reference frees (checked by ASan) */
}

static void the_extism_abi_is_refused_by_the_abi_layer_with_its_reason(void)
{
    srvt_write("allow.wasm", allow);
    wgsrv_runtime *rt = load("authentication:\n  - {name: x, module: allow.wasm, abi: extism}\n");
    CHECK(rt == NULL);
    CHECK_CONTAINS(err, "authentication[0]: module \"x\" (./allow.wasm, extism) cannot be loaded");
}

int main(void)
{
    if (chdir(srvt_tmpdir()) != 0) return 1;
    RUN(a_matching_pin_loads_and_a_mismatch_refuses_the_module);
    RUN(sha256_is_the_standard_digest);
    RUN(a_missing_module_file_names_the_field_and_path);
    RUN(every_failing_module_is_reported);
    RUN(kubewarden_settings_are_validated_at_load);
    RUN(admission_modules_split_into_validating_and_mutating_chains);
    RUN(the_extism_abi_is_refused_by_the_abi_layer_with_its_reason);
    return srvt_finish();
}
