/*
 * test_k8s_wasm.c — the k8s-wasm ABI: the review kind's export is called in a fresh
 * instance with the input on stdin, stdout is the answer and stderr the log; `_initialize`
 * runs first when exported and `_start` never; proc_exit(0) is success. Each way a module
 * can fail — an unusable answer, a trap, a timeout, fuel, memory, exit codes, too much
 * output — gets its own status and message, and none of them hurts the host.
 */
#include <stdlib.h>
#include <string.h>

#include "abitest.h"

/* Loads a k8s-wasm module under a manifest named `name` with the given limits changed. */
static wgabi_module *load(const char *file, const char *name, uint32_t timeout_ms, uint64_t fuel,
                          size_t max_stdout, uint32_t max_pages)
{
    wgsb_manifest m;
    abit_manifest(&m, name, NULL);
    if (timeout_ms != UINT32_MAX) m.limits.timeout_ms = timeout_ms;
    if (fuel) m.limits.fuel = fuel;
    if (max_stdout) m.limits.max_stdout_bytes = max_stdout;
    if (max_pages) m.limits.max_memory_pages = max_pages;
    wgabi_module *mod = abit_must_load(file, WGABI_K8S_WASM, &m);
    wgsb_manifest_clear(&m);
    return mod;
}

#define DEFAULTS UINT32_MAX, 0, 0, 0

/* Calls `validate` with the test review and these settings (JSON text, or NULL). */
static wgabi_status call_with(wgabi_module *mod, const char *settings, wgabi_result *r)
{
    return abit_validate(mod, WGK8S_PROTOCOL_K8S_WASM, settings, r);
}

/* What the Kubernetes layer makes of an admission answer to the test review. */
static wgk8s_status interpret(const wgabi_result *r, bool mutating, wgk8s_admission_decision *d,
                              char *err, size_t errsz)
{
    return abit_interpret(WGK8S_PROTOCOL_K8S_WASM, r, mutating, d, err, errsz);
}

static void each_review_kind_calls_its_own_export(void)
{
    wgabi_module *mod = load("k8s_answer.wasm", "answer", DEFAULTS);
    if (!mod) return;
    static const struct {
        const char *entry, *output, *log;
    } cases[] = {
        {"authn", "\"kind\":\"TokenReview\"", "k8s_answer: authn\n"},
        {"authz", "\"kind\":\"SubjectAccessReview\"", "k8s_answer: authz\n"},
        {"validate", "\"kind\":\"AdmissionReview\"", "k8s_answer: validate\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wgabi_result r;
        CHECK_INT(wgabi_call(mod, cases[i].entry, "{}", 2, 0, &r), WGABI_OK);
        CHECK_INT(r.status, WGABI_OK);
        CHECK_STR(r.message, "");
        CHECK_CONTAINS(r.output, cases[i].output);
        CHECK_INT(r.output_len, strlen(r.output));
        CHECK_STR(r.log, cases[i].log);
        CHECK_INT(r.log_len, strlen(cases[i].log));
        CHECK_INT(r.exit_code, 0);
        CHECK(r.duration_ns > 0);
        wgabi_result_clear(&r);
    }
    wgabi_module_free(mod);
}

static void the_input_reaches_stdin_unchanged(void)
{
    wgabi_module *mod = load("c_echo.wasm", "echo", DEFAULTS);
    if (!mod) return;
    size_t len;
    char *in = abit_input(WGK8S_PROTOCOL_K8S_WASM, abit_review_text, "{\"x\": [1, 2, 3]}", &len);
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "validate", in, len, 0, &r), WGABI_OK);
    CHECK_INT(r.output_len, len);
    CHECK(r.output_len == len && memcmp(r.output, in, len) == 0);
    char expect[64];
    snprintf(expect, sizeof expect, "c_echo: %zu bytes\n", len);
    CHECK_STR(r.log, expect);
    wgabi_result_clear(&r);
    /* Empty input is end of file at once. */
    CHECK_INT(wgabi_call(mod, "validate", "", 0, 0, &r), WGABI_OK);
    CHECK_INT(r.output_len, 0);
    CHECK_STR(r.output, "");
    wgabi_result_clear(&r);
    free(in);
    wgabi_module_free(mod);
}

static void a_correct_answer_is_accepted_by_the_kubernetes_layer(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", DEFAULTS);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(call_with(mod, NULL, &r), WGABI_OK);
    wgk8s_admission_decision d;
    char err[512] = "";
    if (CHECK_INT(interpret(&r, false, &d, err, sizeof err), WGK8S_OK)) {
        CHECK(d.allowed);
        wgk8s_admission_decision_clear(&d);
    } else {
        fprintf(stderr, "    %s\n", err);
    }
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

/* The hand-written modules of the spec (tests/abi/modules/spec_*.wat) on the fixture Pod. */
static void the_spec_modules_answer_the_fixture(void)
{
    json_t *review = wgt_fixture_json("admission/pod-create.json");
    if (!review) return;
    char *in = NULL;
    size_t len = 0;
    char err[512] = "";
    in = wgk8s_module_input(WGK8S_PROTOCOL_K8S_WASM, review, NULL, &len, err, sizeof err);
    wgabi_module *validate = load("spec_validate.wasm", "spec_validate", DEFAULTS);
    wgabi_module *full = load("spec_full_patch.wasm", "spec_full_patch", DEFAULTS);
    wgabi_module *error = load("spec_error.wasm", "spec_error", DEFAULTS);
    if (!in || !validate || !full || !error) goto out;

    wgabi_result r;
    wgk8s_admission_decision d;
    CHECK_INT(wgabi_call(validate, "validate", in, len, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "{\"response\":{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
                        "\"AdmissionReview\",\"response\":{\"uid\":"
                        "\"5eed0000-0000-0000-0000-000000000001\",\"allowed\":true}}}");
    CHECK_INT(wgk8s_admission_interpret(WGK8S_PROTOCOL_K8S_WASM, review, false, r.output,
                                        r.output_len, &d, err, sizeof err),
              WGK8S_OK);
    CHECK(d.allowed);
    wgk8s_admission_decision_clear(&d);
    wgabi_result_clear(&r);

    /* patchType Full: the whole object, which the host turns into the mutated object. */
    CHECK_INT(wgabi_call(full, "validate", in, len, 0, &r), WGABI_OK);
    if (CHECK_INT(wgk8s_admission_interpret(WGK8S_PROTOCOL_K8S_WASM, review, true, r.output,
                                            r.output_len, &d, err, sizeof err),
                  WGK8S_OK)) {
        json_t *expected =
            json_deep_copy(json_object_get(json_object_get(review, "request"), "object"));
        json_object_set_new(json_object_get(json_object_get(expected, "metadata"), "labels"),
                            "wasmgate.io/mutated", json_string("true"));
        CHECK(d.allowed && d.mutated_object && json_equal(d.mutated_object, expected));
        json_decref(expected);
        wgk8s_admission_decision_clear(&d);
    }
    wgabi_result_clear(&r);

    /* {"error": ...} is a successful call whose answer is a failure. */
    for (int e = 0; e < 3; e++) {
        static const char *const entries[] = {"authn", "authz", "validate"};
        CHECK_INT(wgabi_call(error, entries[e], in, len, 0, &r), WGABI_OK);
        CHECK_STR(r.output, "{\"error\":\"spec_error: this module always fails\"}");
        CHECK_STR(r.log, "spec_error: answering with an error envelope\n");
        wgabi_result_clear(&r);
    }
    CHECK_INT(wgabi_call(error, "validate", in, len, 0, &r), WGABI_OK);
    CHECK_INT(wgk8s_admission_interpret(WGK8S_PROTOCOL_K8S_WASM, review, false, r.output,
                                        r.output_len, &d, err, sizeof err),
              WGK8S_ERR_MODULE);
    CHECK_CONTAINS(err, "spec_error: this module always fails");
    wgabi_result_clear(&r);
out:
    free(in);
    json_decref(review);
    wgabi_module_free(validate);
    wgabi_module_free(full);
    wgabi_module_free(error);
}

/* Answers the ABI delivers faithfully and the Kubernetes layer then refuses, each clearly. */
static void unusable_answers_are_refused_each_with_its_own_error(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", DEFAULTS);
    if (!mod) return;
    static const struct {
        const char *settings, *error;
    } cases[] = {
        {"\"@invalid-json@\"", "not JSON"},
        {"\"@wrong-kind@\"", "TokenReview"},
        {"\"@uid-mismatch@\"", "\"someone-else\" does not match the request uid \"abi-uid-1\""},
        {"\"@patch@\"", "not mutating"},
        {"\"@silent@\"", "empty"},
        {"\"@error@\"", "k8s_misbehave: asked to fail"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wgabi_result r;
        CHECK_INT(call_with(mod, cases[i].settings, &r), WGABI_OK);
        wgk8s_admission_decision d;
        char err[512] = "";
        if (!CHECK_INT(interpret(&r, false, &d, err, sizeof err), WGK8S_ERR_MODULE))
            wgk8s_admission_decision_clear(&d);
        if (!CHECK_CONTAINS(err, cases[i].error)) fprintf(stderr, "    %s\n", cases[i].settings);
        wgabi_result_clear(&r);
    }
    wgabi_module_free(mod);
    CHECK_HOST_STILL_SERVES();
}

static void a_patch_from_a_mutating_module_mutates(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", DEFAULTS);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(call_with(mod, "\"@patch@\"", &r), WGABI_OK);
    wgk8s_admission_decision d;
    char err[512] = "";
    if (CHECK_INT(interpret(&r, true, &d, err, sizeof err), WGK8S_OK)) {
        CHECK_JSON(json_object_get(json_object_get(d.mutated_object, "metadata"), "labels"),
                   "{\"app\": \"web\", \"patched\": \"yes\"}");
        wgk8s_admission_decision_clear(&d);
    }
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

/* Runs the misbehaving module with `marker` and checks status and message. */
static void expect_failure(wgabi_module *mod, const char *marker, wgabi_status status,
                           const char *message)
{
    wgabi_result r;
    char settings[64];
    snprintf(settings, sizeof settings, "\"%s\"", marker);
    if (!CHECK_INT(call_with(mod, settings, &r), status)) fprintf(stderr, "    %s\n", marker);
    CHECK_INT(r.status, status);
    if (!CHECK_STR(r.message, message)) fprintf(stderr, "    %s\n", marker);
    CHECK(r.output != NULL && r.log != NULL);
    wgabi_result_clear(&r);
}

static void a_trap_is_a_trap(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", DEFAULTS);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(call_with(mod, "\"@trap@\"", &r), WGABI_TRAP);
    CHECK_CONTAINS(r.message, "module misbehave: trap: unreachable");
    wgabi_result_clear(&r);
    expect_failure(mod, "@recurse@", WGABI_TRAP,
                   "module misbehave: call stack exhausted (limit 10000 calls)");
    wgabi_module_free(mod);
    CHECK_HOST_STILL_SERVES();
}

static void an_endless_loop_times_out(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", 200, 0, 0, 0);
    if (!mod) return;
    wgabi_result r;
    uint64_t start = wg_now_ns();
    CHECK_INT(call_with(mod, "\"@loop@\"", &r), WGABI_TIMEOUT);
    uint64_t took_ms = (wg_now_ns() - start) / 1000000;
    CHECK_STR(r.message, "module misbehave: timeout: exceeded 200 ms");
    CHECK(took_ms >= 190 && took_ms < 5000);
    CHECK(r.duration_ns >= 190000000ull);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
    CHECK_HOST_STILL_SERVES();
}

static void the_callers_earlier_deadline_applies(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", 0, 0, 0, 0); /* no timeout */
    if (!mod) return;
    size_t len;
    char *in = abit_input(WGK8S_PROTOCOL_K8S_WASM, abit_review_text, "\"@loop@\"", &len);
    wgabi_result r;
    uint64_t start = wg_now_ns();
    CHECK_INT(wgabi_call(mod, "validate", in, len, start + 150000000ull, &r), WGABI_TIMEOUT);
    CHECK_CONTAINS(r.message, "module misbehave: timeout: exceeded ");
    CHECK((wg_now_ns() - start) / 1000000 < 5000);
    wgabi_result_clear(&r);
    /* A deadline already passed: the call ends at once. */
    CHECK_INT(wgabi_call(mod, "validate", in, len, wg_now_ns() - 1, &r), WGABI_TIMEOUT);
    wgabi_result_clear(&r);
    free(in);
    wgabi_module_free(mod);

    /* And the manifest's timeout when it is the earlier one. */
    mod = load("k8s_misbehave.wasm", "misbehave", 100, 0, 0, 0);
    in = abit_input(WGK8S_PROTOCOL_K8S_WASM, abit_review_text, "\"@loop@\"", &len);
    start = wg_now_ns();
    CHECK_INT(wgabi_call(mod, "validate", in, len, start + 60ull * 1000000000ull, &r),
              WGABI_TIMEOUT);
    CHECK_STR(r.message, "module misbehave: timeout: exceeded 100 ms");
    wgabi_result_clear(&r);
    free(in);
    wgabi_module_free(mod);
}

static void fuel_bounds_a_call(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", UINT32_MAX, 1000000, 0, 0);
    if (!mod) return;
    expect_failure(mod, "@loop@", WGABI_FUEL,
                   "module misbehave: fuel exhausted after 1000000 units");
    wgabi_result r;
    CHECK_INT(call_with(mod, NULL, &r), WGABI_OK);
    CHECK(r.fuel_used > 0 && r.fuel_used < 1000000);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void exit_codes(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", DEFAULTS);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(call_with(mod, "\"@exit3@\"", &r), WGABI_EXIT);
    CHECK_INT(r.exit_code, 3);
    CHECK_STR(r.message, "module misbehave: exited with status 3");
    wgabi_result_clear(&r);
    /* proc_exit(0) after answering is success, and the answer stands. */
    CHECK_INT(call_with(mod, "\"@exit0@\"", &r), WGABI_OK);
    CHECK_INT(r.exit_code, 0);
    CHECK_STR(r.message, "");
    CHECK_CONTAINS(r.output, "\"allowed\":true");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void too_much_output_is_an_output_limit(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", UINT32_MAX, 0, 100000, 0);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(call_with(mod, "\"@flood@\"", &r), WGABI_OUTPUT_LIMIT);
    CHECK_STR(r.message, "module misbehave: output limit: stdout exceeded 100000 bytes");
    CHECK_INT(r.output_len, 100000); /* what fitted, kept for diagnosis */
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
    /* With the default limit (4 MiB) too. */
    mod = load("k8s_misbehave.wasm", "misbehave", DEFAULTS);
    expect_failure(mod, "@flood@", WGABI_OUTPUT_LIMIT,
                   "module misbehave: output limit: stdout exceeded 4194304 bytes");
    wgabi_module_free(mod);
    CHECK_HOST_STILL_SERVES();
}

static void memory_growth_is_bounded(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", UINT32_MAX, 0, 0, 4);
    if (!mod) return;
    expect_failure(mod, "@grow@", WGABI_MEMORY_LIMIT,
                   "module misbehave: memory limit: grow to 5 pages exceeds 4");
    wgabi_module_free(mod);
}

static void a_chatty_log_is_cut_but_the_call_succeeds(void)
{
    wgabi_module *mod = load("k8s_misbehave.wasm", "misbehave", DEFAULTS);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(call_with(mod, "\"@chatty@\"", &r), WGABI_OK);
    CHECK_CONTAINS(r.output, "\"allowed\":true");
    CHECK_CONTAINS(r.log, "k8s_misbehave: chatty line");
    CHECK_CONTAINS(r.log, "[wasmgate: stderr truncated after 65536 bytes]");
    CHECK(r.log_len < 65536 + 100);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void initialize_runs_once_before_the_entry_and_start_never(void)
{
    wgabi_module *mod = load("k8s_reactor.wasm", "reactor", DEFAULTS);
    if (!mod) return;
    /* Twice: every call is a fresh instance, initialised once. */
    for (int i = 0; i < 2; i++) {
        wgabi_result r;
        CHECK_INT(call_with(mod, NULL, &r), WGABI_OK);
        CHECK_CONTAINS(r.output, "\"allowed\":true");
        CHECK_NOT_CONTAINS(r.output, "error");
        wgabi_result_clear(&r);
    }
    wgabi_module_free(mod);
}

static void a_c_reactor_gets_its_constructors_run(void)
{
    wgabi_module *mod = load("reactor_ctor.wasm", "reactor_ctor", DEFAULTS);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(call_with(mod, NULL, &r), WGABI_OK);
    CHECK_CONTAINS(r.output, "\"allowed\":true");
    CHECK_STR(r.log, "reactor_ctor: constructed\n");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void a_start_function_that_never_returns_times_out_every_call(void)
{
    wgabi_module *mod = load("k8s_start_loop.wasm", "start_loop", 100, 0, 0, 0);
    if (!mod) return; /* the trial link at load runs no code, so it loads */
    for (int i = 0; i < 2; i++) {
        wgabi_result r;
        CHECK_INT(wgabi_call(mod, "validate", "{}", 2, 0, &r), WGABI_TIMEOUT);
        CHECK_STR(r.message, "module start_loop: timeout: exceeded 100 ms (in the start function)");
        wgabi_result_clear(&r);
    }
    wgabi_module_free(mod);
    CHECK_HOST_STILL_SERVES();
}

static void a_missing_export_is_an_error_naming_it(void)
{
    wgabi_module *mod = load("spec_validate.wasm", "spec_validate", DEFAULTS);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "authn", "{}", 2, 0, &r), WGABI_ERROR);
    CHECK_STR(r.message, "module spec_validate does not export \"authn\"");
    wgabi_result_clear(&r);
    /* Only the three entry points can be called: never _start, _initialize or anything else. */
    CHECK_INT(wgabi_call(mod, "_start", "{}", 2, 0, &r), WGABI_ERROR);
    CHECK_STR(r.message, "module spec_validate: \"_start\" is not a k8s-wasm entry point (authn, "
                         "authz or validate)");
    wgabi_result_clear(&r);
    CHECK_INT(wgabi_call(mod, "memory", "{}", 2, 0, &r), WGABI_ERROR);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

int main(void)
{
    RUN(each_review_kind_calls_its_own_export);
    RUN(the_input_reaches_stdin_unchanged);
    RUN(a_correct_answer_is_accepted_by_the_kubernetes_layer);
    RUN(the_spec_modules_answer_the_fixture);
    RUN(unusable_answers_are_refused_each_with_its_own_error);
    RUN(a_patch_from_a_mutating_module_mutates);
    RUN(a_trap_is_a_trap);
    RUN(an_endless_loop_times_out);
    RUN(the_callers_earlier_deadline_applies);
    RUN(fuel_bounds_a_call);
    RUN(exit_codes);
    RUN(too_much_output_is_an_output_limit);
    RUN(memory_growth_is_bounded);
    RUN(a_chatty_log_is_cut_but_the_call_succeeds);
    RUN(initialize_runs_once_before_the_entry_and_start_never);
    RUN(a_c_reactor_gets_its_constructors_run);
    RUN(a_start_function_that_never_returns_times_out_every_call);
    RUN(a_missing_export_is_an_error_naming_it);
    return wgt_finish();
}
