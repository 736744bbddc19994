/*
 * test_out_of_memory.c — every JSON allocation may fail, and nothing crashes or leaks.
 *
 * Jansson's allocator is replaced by one that fails the Nth allocation (parsing excepted,
 * see below); a whole request (chain of modules, reply, serialisation) is evaluated for N = 0, 1, 2, ... until a run
 * no longer reaches the failure. Each run must end in a reply or WGK8S_ERR_NOMEM (a failure
 * inside a fake module's own JSON work becomes a module failure in the reply), never a
 * crash; the sanitizer build checks that nothing leaks on any of these paths.
 */
#include "fake_modules.h"
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long allocations_left; /* fail when it reaches zero; negative = never */
static bool failure_hit;

static void *failing_malloc(size_t n)
{
    if (allocations_left >= 0 && allocations_left-- == 0) {
        failure_hit = true;
        return NULL;
    }
    return malloc(n);
}

/* Jansson's parser is kept out of the failure injection: in jansson 2.14 its lexer ignores
 * a failed string-buffer growth (and carries on with a truncated string) and can crash on a
 * later allocation failure, so an out-of-memory parse says nothing about this layer. The
 * build links this test with --wrap for both loaders, so every call, including those inside
 * wg_k8s, comes here and runs with a working allocator. */
json_t *__real_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__real_json_loads(const char *input, size_t flags, json_error_t *error);
json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error);
json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error);

json_t *__wrap_json_loadb(const char *buffer, size_t buflen, size_t flags, json_error_t *error)
{
    long saved = allocations_left;
    allocations_left = -1;
    json_t *v = __real_json_loadb(buffer, buflen, flags, error);
    allocations_left = saved;
    return v;
}

json_t *__wrap_json_loads(const char *input, size_t flags, json_error_t *error)
{
    long saved = allocations_left;
    allocations_left = -1;
    json_t *v = __real_json_loads(input, flags, error);
    allocations_left = saved;
    return v;
}

static void arm(long n)
{
    allocations_left = n;
    failure_hit = false;
}

static void disarm(void) { allocations_left = -1; }

/* Evaluates one request body with the allocator armed to fail at allocation n. Returns
 * whether the failure point was reached. */
typedef wgk8s_status (*evaluate_fn)(const wgk8s_review *r, json_t **reply);

static bool run_once(const char *body, size_t len, evaluate_fn evaluate, long n)
{
    wgk8s_review *review = NULL;
    json_t *reply = NULL;
    char err[256];
    if (!CHECK(wgk8s_review_parse(body, len, WGK8S_KIND_ANY, &review, err, sizeof err) ==
               WGK8S_OK))
        return false;
    arm(n);
    wgk8s_status st = evaluate(review, &reply);
    if (st == WGK8S_OK) {
        char *text = json_dumps(reply, JSON_COMPACT);
        free(text);
    }
    bool hit = failure_hit;
    disarm();
    if (!CHECK(st == WGK8S_OK || st == WGK8S_ERR_NOMEM))
        fprintf(stderr, "  allocation %ld: %s: %s\n", n, wgk8s_status_name(st), err);
    CHECK((st == WGK8S_OK) == (reply != NULL));
    CHECK(st == WGK8S_OK || hit);
    json_decref(reply);
    wgk8s_review_free(review);
    return hit;
}

static void run_until_complete(const char *fixture, evaluate_fn evaluate)
{
    size_t len;
    char *body = wgt_read_fixture(fixture, &len);
    if (!body) return;
    long n = 0;
    while (run_once(body, len, evaluate, n) && n < 200000) n++;
    printf("%s: allocation failure injected at %ld points\n", fixture, n);
    CHECK(n > 10); /* the failure was injected at many points */
    free(body);
}

/* ---- The chains under test ---- */

static fake_module labeller, stamper, checker, tokens_fm, authz_fm;
static wgk8s_module admission[3], authn_mod, authz_mod;

static const fake_token tokens[] = {
    {"eyJhbGciOiJub25lIn0.bWFnaWM.c2ln",
     "{\"username\":\"jane\",\"groups\":[\"dev\"],\"extra\":{\"a\":[\"b\"]}}",
     "[\"https://kubernetes.default.svc\"]"},
    {NULL, NULL, NULL}};

static wgk8s_status admit(const wgk8s_review *r, json_t **reply)
{
    return wgk8s_admit(r, admission, 3, WGK8S_ADMIT_MUTATE, reply, NULL, 0);
}

static wgk8s_status authenticate(const wgk8s_review *r, json_t **reply)
{
    return wgk8s_authenticate(r, &authn_mod, 1, reply, NULL, 0);
}

static wgk8s_status authorize(const wgk8s_review *r, json_t **reply)
{
    return wgk8s_authorize(r, &authz_mod, 1, reply, NULL, 0);
}

static void setup(void)
{
    labeller = (fake_module){.handler = fake_admission, .allowed = true, .patch_type = "JSONPatch",
                             .label_key = "a/b", .label_value = "c", .no_record = true};
    stamper = (fake_module){.handler = fake_kubewarden, .allowed = true,
                            .kubewarden_mutate = true, .label_key = "stamped",
                            .label_value = "yes", .no_record = true};
    checker = (fake_module){.handler = fake_admission, .allowed = true, .warning = "checked",
                            .annotation_key = "k", .annotation_value = "v", .no_record = true};
    tokens_fm = (fake_module){.handler = fake_token_authn, .tokens = tokens, .no_record = true};
    authz_fm = (fake_module){.handler = fake_authorizer, .allowed = true, .reason = "ok",
                             .no_record = true};
    admission[0] = fake_descriptor("labeller", &labeller);
    admission[0].mutating = true;
    admission[1] = fake_descriptor("stamper", &stamper);
    admission[1].mutating = true;
    admission[1].protocol = WGK8S_PROTOCOL_KUBEWARDEN;
    admission[1].settings_json = "{\"x\":[1,2]}";
    admission[2] = fake_descriptor("checker", &checker);
    admission[2].failure_policy = WGK8S_FAILURE_IGNORE;
    authn_mod = fake_descriptor("tokens", &tokens_fm);
    authz_mod = fake_descriptor("rbac", &authz_fm);
}

static void survives_allocation_failures_during_admission(void)
{
    run_until_complete("admission/pod-create.json", admit);
}

static void survives_allocation_failures_during_authentication(void)
{
    run_until_complete("authentication/tokenreview-v1.json", authenticate);
}

static void survives_allocation_failures_during_authorization(void)
{
    run_until_complete("authorization/sar-v1beta1-resource.json", authorize);
}

static void survives_allocation_failures_in_diff_and_patch(void)
{
    json_t *a = wgt_fixture_json("admission/deployment-update.json");
    json_t *from = json_object_get(json_object_get(a, "request"), "oldObject");
    json_t *to = json_object_get(json_object_get(a, "request"), "object");
    bool hit = true;
    for (long n = 0; hit && n < 100000; n++) {
        char err[256];
        arm(n);
        json_t *patch = wgk8s_json_diff(from, to);
        json_t *result = patch ? wgk8s_json_patch_apply(from, patch, err, sizeof err) : NULL;
        hit = failure_hit;
        disarm();
        if (!hit) CHECK(result && json_equal(result, to));
        json_decref(result);
        json_decref(patch);
    }
    json_decref(a);
}

int main(void)
{
    disarm();
    json_set_alloc_funcs(failing_malloc, free);
    setup();
    RUN(survives_allocation_failures_during_admission);
    RUN(survives_allocation_failures_during_authentication);
    RUN(survives_allocation_failures_during_authorization);
    RUN(survives_allocation_failures_in_diff_and_patch);
    return wgt_finish();
}
