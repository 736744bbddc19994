/*
 * test_wapc.c — the waPC ABI as Kubewarden uses it, with hand-written guests: the operation
 * and payload reach the guest through __guest_request, its __guest_response is the output
 * and __guest_error a WGABI_GUEST_ERROR; _start (with TinyGo's proc_exit(0)) and wapc_init
 * run once per fresh instance, in that order; host calls are denied unless granted, with an
 * error the guest can read and a denial in the log; every guest pointer is checked.
 */
#include <stdlib.h>
#include <string.h>

#include "abitest.h"

static wgabi_module *load(const char *file, const char *name, abit_log *log, uint32_t timeout_ms,
                          size_t max_output)
{
    wgsb_manifest m;
    abit_manifest(&m, name, log);
    if (timeout_ms) m.limits.timeout_ms = timeout_ms;
    if (max_output) m.limits.max_stdout_bytes = max_output;
    wgabi_module *mod = abit_must_load(file, WGABI_KUBEWARDEN, &m);
    wgsb_manifest_clear(&m);
    return mod;
}

/* Calls the Kubewarden `validate` operation with the test review and settings. */
static wgabi_status validate(wgabi_module *mod, const char *settings, wgabi_result *r)
{
    return abit_validate(mod, WGK8S_PROTOCOL_KUBEWARDEN, settings, r);
}

static wgk8s_status interpret(const wgabi_result *r, bool mutating, wgk8s_admission_decision *d,
                              char *err, size_t errsz)
{
    return abit_interpret(WGK8S_PROTOCOL_KUBEWARDEN, r, mutating, d, err, errsz);
}

static void validate_accepts_and_rejects_with_message_and_code(void)
{
    wgabi_module *mod = load("wapc_policy.wasm", "policy", NULL, 0, 0);
    if (!mod) return;
    wgabi_result r;
    wgk8s_admission_decision d;
    char err[512] = "";
    CHECK_INT(validate(mod, "{}", &r), WGABI_OK);
    CHECK_STR(r.output, "{\"accepted\":true}");
    CHECK_STR(r.log, "validate\n"); /* the guest logs the operation it was given */
    if (CHECK_INT(interpret(&r, false, &d, err, sizeof err), WGK8S_OK)) {
        CHECK(d.allowed);
        wgk8s_admission_decision_clear(&d);
    }
    wgabi_result_clear(&r);

    CHECK_INT(validate(mod, "{\"mode\": \"reject-me\"}", &r), WGABI_OK);
    if (CHECK_INT(interpret(&r, false, &d, err, sizeof err), WGK8S_OK)) {
        CHECK(!d.allowed);
        CHECK_INT(d.code, 403);
        CHECK_STR(d.message, "rejected: the request contains reject-me");
        wgk8s_admission_decision_clear(&d);
    }
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void validate_settings_and_protocol_version(void)
{
    wgabi_module *mod = load("wapc_policy.wasm", "policy", NULL, 0, 0);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "validate_settings", "{\"a\": 1}", 8, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "{\"valid\":true}");
    wgabi_result_clear(&r);
    CHECK_INT(wgabi_call(mod, "validate_settings", "{\"mode\": \"bad\"}", 15, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "{\"valid\":false,\"message\":\"the settings contain bad\"}");
    wgabi_result_clear(&r);
    CHECK_INT(wgabi_call(mod, "protocol_version", "", 0, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "\"v1\"");
    CHECK_STR(r.log, "protocol_version\n");
    wgabi_result_clear(&r);
    /* An operation the guest does not know: it says so through __guest_error. */
    CHECK_INT(wgabi_call(mod, "frobnicate", "", 0, 0, &r), WGABI_GUEST_ERROR);
    CHECK_STR(r.message, "module policy: guest error: wapc_policy: unknown operation");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void a_mutating_policy_returns_the_mutated_object(void)
{
    wgabi_module *mod = load("wapc_mutate.wasm", "mutate", NULL, 0, 0);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(validate(mod, NULL, &r), WGABI_OK);
    wgk8s_admission_decision d;
    char err[512] = "";
    if (CHECK_INT(interpret(&r, true, &d, err, sizeof err), WGK8S_OK)) {
        CHECK(d.allowed);
        CHECK_JSON(json_object_get(json_object_get(d.mutated_object, "metadata"), "labels"),
                   "{\"app\": \"nginx\", \"env\": \"test\", \"wapc\": \"mutated\"}");
        wgk8s_admission_decision_clear(&d);
    }
    /* The same answer from a policy not configured as mutating is a failure. */
    CHECK_INT(interpret(&r, false, &d, err, sizeof err), WGK8S_ERR_MODULE);
    CHECK_CONTAINS(err, "mutated_object");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void guest_error_is_a_guest_error_with_its_message(void)
{
    wgabi_module *mod = load("wapc_guest_error.wasm", "broken", NULL, 0, 0);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(validate(mod, NULL, &r), WGABI_GUEST_ERROR);
    CHECK_INT(r.status, WGABI_GUEST_ERROR);
    CHECK_STR(r.message, "module broken: guest error: wapc_guest_error: the policy broke");
    CHECK_STR(r.output, "");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void host_calls_are_denied_unless_granted(void)
{
    abit_log log;
    abit_log_init(&log);
    wgabi_module *mod = load("wapc_host_call.wasm", "context-aware", &log, 0, 0);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(validate(mod, NULL, &r), WGABI_OK);
    /* The guest read the host's error and rejected with it. */
    CHECK_STR(r.output, "{\"accepted\":false,\"message\":\"policy has not been granted access to "
                        "kubernetes/list_resources_by_namespace\"}");
    /* kubewarden/tracing/log is always allowed: its payload is a line of the call's log. */
    CHECK_STR(r.log, "{\"level\":\"info\",\"message\":\"hello from tracing\"}\n");
    /* The denial is logged through the manifest, naming the module and the capability. */
    CHECK_INT(log.lines, 1);
    CHECK_CONTAINS(log.text, "2 context-aware: denied __host_call \"kubewarden\" \"kubernetes\" "
                             "\"list_resources_by_namespace\" (not granted)\n");
    wgk8s_admission_decision d;
    char err[512] = "";
    if (CHECK_INT(interpret(&r, false, &d, err, sizeof err), WGK8S_OK)) {
        CHECK(!d.allowed);
        wgk8s_admission_decision_clear(&d);
    }
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void start_and_wapc_init_run_once_in_order_in_every_instance(void)
{
    wgabi_module *mod = load("wapc_init.wasm", "tinygo-like", NULL, 0, 0);
    if (!mod) return;
    for (int i = 0; i < 3; i++) {
        wgabi_result r;
        CHECK_INT(validate(mod, NULL, &r), WGABI_OK);
        CHECK_STR(r.output,
                  "{\"accepted\":true,\"message\":\"started and initialised once, in order\"}");
        CHECK_STR(r.message, "");
        CHECK_INT(r.exit_code, 0);
        wgabi_result_clear(&r);
    }
    wgabi_module_free(mod);
}

/* Calls an operation of wapc_misbehave and checks the status and the message. */
static void expect(wgabi_module *mod, const char *op, wgabi_status status, const char *message)
{
    wgabi_result r;
    if (!CHECK_INT(wgabi_call(mod, op, "payload", 7, 0, &r), status))
        fprintf(stderr, "    %s\n", op);
    if (!CHECK_STR(r.message, message)) fprintf(stderr, "    %s\n", op);
    wgabi_result_clear(&r);
}

static void every_guest_pointer_is_checked(void)
{
    wgabi_module *mod = load("wapc_misbehave.wasm", "misbehave", NULL, 0, 0);
    if (!mod) return;
    expect(mod, "oob_request", WGABI_TRAP,
           "module misbehave: __guest_request: the operation buffer at 4294967280 (11 bytes) is "
           "outside linear memory (131072 bytes) (in __guest_call)");
    expect(mod, "oob_response", WGABI_TRAP,
           "module misbehave: __guest_response: the response at 0 (2147483647 bytes) is outside "
           "linear memory (131072 bytes) (in __guest_call)");
    expect(mod, "oob_host_call", WGABI_TRAP,
           "module misbehave: __host_call: the binding at 4294967196 (200 bytes) is outside "
           "linear memory (131072 bytes) (in __guest_call)");
    expect(mod, "oob_log", WGABI_TRAP,
           "module misbehave: __console_log: the message at 4294966296 (1000 bytes) is outside "
           "linear memory (131072 bytes) (in __guest_call)");
    wgabi_module_free(mod);
    CHECK_HOST_STILL_SERVES();
}

static void what_guest_call_returns_decides(void)
{
    wgabi_module *mod = load("wapc_misbehave.wasm", "misbehave", NULL, 0, 0);
    if (!mod) return;
    expect(mod, "return_2", WGABI_ERROR,
           "module misbehave: __guest_call returned 2 (1 is success, 0 failure)");
    expect(mod, "fail_silently", WGABI_GUEST_ERROR,
           "module misbehave: __guest_call failed without an error message");
    expect(mod, "error_and_success", WGABI_GUEST_ERROR,
           "module misbehave: guest error: wapc_misbehave: half of it (although __guest_call "
           "returned success)");
    /* Guest text is made printable: control characters become spaces, bad bytes '?'. */
    expect(mod, "dirty_error", WGABI_GUEST_ERROR,
           "module misbehave: guest error: bad news and ?? bytes");
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "no_answer", "", 0, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "");
    CHECK_INT(r.output_len, 0);
    wgabi_result_clear(&r);
    CHECK_INT(wgabi_call(mod, "echo", "{\"x\":\"\xc3\xa9\"}", 11, 0, &r), WGABI_OK);
    CHECK_INT(r.output_len, 11);
    CHECK_STR(r.output, "{\"x\":\"\xc3\xa9\"}");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void the_response_obeys_the_output_limit(void)
{
    wgabi_module *mod = load("wapc_misbehave.wasm", "misbehave", NULL, 0, 1000);
    if (!mod) return;
    expect(mod, "big_response", WGABI_OUTPUT_LIMIT,
           "module misbehave: output limit: the waPC response of 100000 bytes exceeds 1000 "
           "bytes (in __guest_call)");
    wgabi_module_free(mod);
    /* Under the default limit (4 MiB) the same response is fine. */
    mod = load("wapc_misbehave.wasm", "misbehave", NULL, 0, 0);
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "big_response", "", 0, 0, &r), WGABI_OK);
    CHECK_INT(r.output_len, 100000);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void a_looping_guest_times_out(void)
{
    wgabi_module *mod = load("wapc_misbehave.wasm", "misbehave", NULL, 150, 0);
    if (!mod) return;
    expect(mod, "loop", WGABI_TIMEOUT,
           "module misbehave: timeout: exceeded 150 ms (in __guest_call)");
    wgabi_module_free(mod);
    CHECK_HOST_STILL_SERVES();
}

static void console_log_lines_go_to_the_log(void)
{
    wgabi_module *mod = load("wapc_misbehave.wasm", "misbehave", NULL, 0, 0);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "console", "", 0, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "logged");
    CHECK_STR(r.log, "line one\nline two\n");
    CHECK_INT(r.log_len, 18);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void unknown_host_capabilities_are_denied_the_same_way(void)
{
    abit_log log;
    abit_log_init(&log);
    wgabi_module *mod = load("wapc_misbehave.wasm", "misbehave", &log, 0, 0);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "host_call_unknown", "", 0, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "policy has not been granted access to thing/do");
    CHECK_CONTAINS(log.text,
                   "denied __host_call \"evil\" \"thing\" \"do\" (no such host capability)");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void denials_are_logged_at_most_sixteen_times_per_call(void)
{
    abit_log log;
    abit_log_init(&log);
    wgabi_module *mod = load("wapc_misbehave.wasm", "misbehave", &log, 0, 0);
    if (!mod) return;
    wgabi_result r;
    CHECK_INT(wgabi_call(mod, "host_call_flood", "", 0, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "flooded");
    CHECK_INT(abit_log_count(&log, "denied __host_call"), 16);
    CHECK_INT(abit_log_count(&log, "further denied attempts in this run are not logged"), 1);
    CHECK_INT(log.lines, 17);
    wgabi_result_clear(&r);
    /* The count is per call: the next call logs again. */
    CHECK_INT(wgabi_call(mod, "host_call_unknown", "", 0, 0, &r), WGABI_OK);
    CHECK_INT(abit_log_count(&log, "denied __host_call"), 17);
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

static void proc_exit_during_the_call(void)
{
    wgabi_module *mod = load("wapc_misbehave.wasm", "misbehave", NULL, 0, 0);
    if (!mod) return;
    wgabi_result r;
    /* An answer given before a clean exit stands. */
    CHECK_INT(wgabi_call(mod, "exit0", "", 0, 0, &r), WGABI_OK);
    CHECK_STR(r.output, "answered");
    wgabi_result_clear(&r);
    expect(mod, "exit0_silent", WGABI_ERROR,
           "module misbehave: exited with status 0 during __guest_call without answering");
    CHECK_INT(wgabi_call(mod, "exit7", "", 0, 0, &r), WGABI_EXIT);
    CHECK_INT(r.exit_code, 7);
    CHECK_STR(r.message, "module misbehave: exited with status 7 (in __guest_call)");
    wgabi_result_clear(&r);
    wgabi_module_free(mod);
}

int main(void)
{
    RUN(validate_accepts_and_rejects_with_message_and_code);
    RUN(validate_settings_and_protocol_version);
    RUN(a_mutating_policy_returns_the_mutated_object);
    RUN(guest_error_is_a_guest_error_with_its_message);
    RUN(host_calls_are_denied_unless_granted);
    RUN(start_and_wapc_init_run_once_in_order_in_every_instance);
    RUN(every_guest_pointer_is_checked);
    RUN(what_guest_call_returns_decides);
    RUN(the_response_obeys_the_output_limit);
    RUN(a_looping_guest_times_out);
    RUN(console_log_lines_go_to_the_log);
    RUN(unknown_host_capabilities_are_denied_the_same_way);
    RUN(denials_are_logged_at_most_sixteen_times_per_call);
    RUN(proc_exit_during_the_call);
    return wgt_finish();
}
