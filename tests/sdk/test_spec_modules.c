/*
 * test_spec_modules.c — keeps the hand-written spec modules (the .wat files in
 * tests/abi/modules) true to what they promise, without running them (that is the ABI tests'
 * part): the Full patch that spec_full_patch.wat returns must be the object of
 * tests/fixtures/admission/pod-create.json with one label added, so that a host diffing it
 * against that fixture gets exactly the JSON Patch documented in the module's header.
 */
#include "sdk_testlib.h"

#include <stdlib.h>
#include <string.h>

#ifndef WG_SDK_SOURCE_DIR
#error "WG_SDK_SOURCE_DIR must be defined by the build"
#endif

/* Reads a file of the source tree; NULL after recording a failure. */
static char *read_source(const char *relpath)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", WG_SDK_SOURCE_DIR, relpath);
    char *text = wgt_read_file(path, NULL);
    CHECK(text != NULL);
    return text;
}

/* The longest run of base64 characters between double quotes in `text` (the patch). */
static char *longest_quoted_base64(const char *text)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    const char *best = NULL;
    size_t best_len = 0;
    for (const char *p = strchr(text, '"'); p; p = strchr(p + 1, '"')) {
        size_t n = strspn(p + 1, alphabet);
        if (p[1 + n] == '"' && n > best_len) {
            best = p + 1;
            best_len = n;
        }
    }
    return best ? strndup(best, best_len) : NULL;
}

static void the_full_patch_module_returns_the_fixture_pod_with_one_label(void)
{
    char *wat = read_source("tests/abi/modules/spec_full_patch.wat");
    if (!wat) return;
    char *b64 = longest_quoted_base64(wat);
    if (!CHECK(b64 && strlen(b64) > 100)) goto out;
    size_t len;
    unsigned char *decoded = wgk8s_base64_decode(b64, strlen(b64), &len, NULL, 0);
    if (!CHECK(decoded != NULL)) goto out;
    json_t *mutated = json_loadb((const char *)decoded, len, 0, NULL);
    free(decoded);
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    json_t *original = wgt_get(review, "request.object");
    json_t *expected = json_deep_copy(original);
    json_object_set_new(json_object_get(json_object_get(expected, "metadata"), "labels"),
                        "wasmgate.io/mutated", json_string("true"));
    CHECK(mutated && json_equal(mutated, expected));
    json_t *diff = wgk8s_json_diff(original, mutated);
    CHECK_JSON(diff, "[{\"op\": \"add\", \"path\": \"/metadata/labels/wasmgate.io~1mutated\","
                     " \"value\": \"true\"}]");
    /* The module's header documents this patch. */
    CHECK_CONTAINS(wat, "[{\"op\":\"add\",\"path\":\"/metadata/labels/wasmgate.io~1mutated\","
                        "\"value\":\"true\"}]");
    json_decref(diff);
    json_decref(expected);
    json_decref(review);
    json_decref(mutated);
out:
    free(b64);
    free(wat);
}

int main(void)
{
    RUN(the_full_patch_module_returns_the_fixture_pod_with_one_label);
    return wgt_finish();
}
