/*
 * test_evaluate.c — one request from body to reply without HTTP (evaluate.c): which modules
 * each endpoint runs, what reaches the reply, how module failures map through the failure
 * policy, that the request deadline reaches the modules, and the status of bad input.
 * Uses the fake ABI layer (fake_abi.c) and the review fixtures.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "evaluate.h"
#include "runtime.h"
#include "srvtest.h"
#include "wasmgate/wg.h"

static char err[8192];
static wgsrv_runtime *rt;

/* Evaluates a fixture and returns the reply parsed (NULL unless HTTP 200 JSON). */
static json_t *eval(wgsrv_endpoint ep, const char *module, const char *rel, uint64_t deadline,
                    wgsrv_outcome *o)
{
    size_t len;
    char *body = wgt_read_fixture(rel, &len);
    if (!body) return NULL;
    wgsrv_evaluate(rt, ep, module, body, len, deadline, o);
    free(body);
    json_error_t jerr;
    return o->body ? json_loads(o->body, 0, &jerr) : NULL;
}

static void setup(void)
{
    srvt_write("allow.wasm", "FAKE{\"behaviour\":\"allow\",\"user\":\"alice\"}");
    srvt_write("token.wasm",
               "FAKE{\"behaviour\":\"token\",\"user\":\"bob\",\"groups\":[\"devs\"]}");
    srvt_write("group.wasm", "FAKE{\"behaviour\":\"group\"}");
    srvt_write("deny.wasm", "FAKE{\"behaviour\":\"deny\",\"message\":\"nope\",\"code\":422}");
    srvt_write("priv.wasm", "FAKE{\"behaviour\":\"deny-privileged\",\"message\":\"privileged "
                            "containers are not allowed\"}");
    srvt_write("label.wasm", "FAKE{\"behaviour\":\"add-label\"}");
    srvt_write("trap.wasm", "FAKE{\"behaviour\":\"trap\"}");
    srvt_write("timeout.wasm", "FAKE{\"behaviour\":\"timeout\"}");
    srvt_write("wasmgate.yaml",
               "authentication:\n"
               "  - {name: broken, module: trap.wasm}\n"
               "  - {name: tokens, module: token.wasm, settings: {token: "
               "eyJhbGciOiJub25lIn0.bWFnaWM.c2ln}}\n"
               "authorization:\n"
               "  - {name: devs, module: group.wasm, settings: {group: developers}}\n"
               "admission:\n"
               "  - name: no-privileged\n"
               "    module: priv.wasm\n"
               "    rules: [{operations: [CREATE, UPDATE], apiGroups: [\"\"], apiVersions: [v1], "
               "resources: [pods]}]\n"
               "  - {name: flaky, module: trap.wasm, failurePolicy: Ignore}\n"
               "  - {name: labeller, module: label.wasm, mutating: true}\n"
               "  - {name: slow, module: timeout.wasm, limits: {timeoutMs: 60000}}\n"
               "  - {name: denier, module: deny.wasm}\n"
               "  - {name: crasher, module: trap.wasm}\n");
    /* Modules here are called one at a time through /validate/{name}; the /validate chain
     * has its own configuration (validate_runs_only_non_mutating_modules_...). */
    wgsrv_config *cfg = wgsrv_config_load_file("wasmgate.yaml", err, sizeof err);
    rt = cfg ? wgsrv_runtime_load(cfg, NULL, 7, NULL, NULL, err, sizeof err) : NULL;
    if (!rt) {
        fprintf(stderr, "setup: %s\n", err);
        exit(1);
    }
}

static void authentication_skips_a_failing_module_and_authenticates(void)
{
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_AUTHENTICATE, NULL, "authentication/tokenreview-v1.json", 0, &o);
    CHECK_INT(o.http_status, 200);
    CHECK_STR(wgt_get_str(r, "apiVersion"), "authentication.k8s.io/v1");
    CHECK_STR(wgt_get_str(r, "kind"), "TokenReview");
    CHECK(json_is_true(wgt_get(r, "status.authenticated")));
    CHECK_STR(wgt_get_str(r, "status.user.username"), "bob");
    CHECK_INT(o.decision, WGSRV_DECISION_AUTHENTICATED);
    CHECK_STR(o.user, "bob");
    CHECK_INT(o.ncalled, 2);
    CHECK_STR(o.called[0], "broken");
    CHECK_STR(o.call_status[0], "trap");
    CHECK_STR(o.called[1], "tokens");
    CHECK(!strstr(o.body, "eyJhbGci")); /* never the token */
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void authentication_replies_in_the_request_version(void)
{
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_AUTHENTICATE, NULL, "authentication/tokenreview-v1beta1.json", 0, &o);
    CHECK_INT(o.http_status, 200);
    CHECK_STR(wgt_get_str(r, "apiVersion"), "authentication.k8s.io/v1beta1");
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void authorization_allows_members_of_the_group(void)
{
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_AUTHORIZE, NULL, "authorization/sar-v1-resource.json", 0, &o);
    CHECK_INT(o.http_status, 200);
    CHECK_STR(wgt_get_str(r, "kind"), "SubjectAccessReview");
    CHECK(json_is_true(wgt_get(r, "status.allowed")));
    CHECK_INT(o.decision, WGSRV_DECISION_ALLOWED);
    CHECK_STR(o.user, "jane@example.com");
    CHECK_STR(o.operation, "list");
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void validate_one_denies_a_privileged_pod_naming_the_module(void)
{
    wgsrv_outcome o;
    json_t *r =
        eval(WGSRV_EP_VALIDATE_ONE, "no-privileged", "admission/pod-privileged-create.json", 0, &o);
    CHECK_INT(o.http_status, 200);
    CHECK_STR(wgt_get_str(r, "apiVersion"), "admission.k8s.io/v1");
    CHECK_STR(wgt_get_str(r, "kind"), "AdmissionReview");
    json_t *resp = json_object_get(r, "response");
    CHECK(json_is_false(json_object_get(resp, "allowed")));
    CHECK_INT(json_integer_value(wgt_get(resp, "status.code")), 403);
    CHECK_STR(wgt_get_str(resp, "status.message"),
              "module \"no-privileged\" denied the request: privileged containers are not allowed");
    CHECK(json_object_get(resp, "patch") == NULL);
    CHECK_INT(o.decision, WGSRV_DECISION_DENIED);
    CHECK_STR(o.object_kind, "Pod");
    CHECK_STR(o.operation, "CREATE");
    CHECK(o.uid != NULL && strcmp(o.uid, wgt_get_str(resp, "uid")) == 0);
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void mutate_chains_mutating_modules_and_returns_a_json_patch(void)
{
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_MUTATE, NULL, "admission/pod-create.json", 0, &o);
    CHECK_INT(o.http_status, 200);
    json_t *resp = json_object_get(r, "response");
    CHECK(json_is_true(json_object_get(resp, "allowed")));
    CHECK_STR(wgt_get_str(resp, "patchType"), "JSONPatch");
    const char *patch = wgt_get_str(resp, "patch");
    if (CHECK(patch != NULL)) {
        size_t n;
        char e[128];
        unsigned char *text = wgk8s_base64_decode(patch, strlen(patch), &n, e, sizeof e);
        CHECK_CONTAINS((char *)text, "wasmgate.io~1mutated");
        free(text);
    }
    CHECK_INT(o.ncalled, 1); /* only the mutating module */
    CHECK_STR(o.called[0], "labeller");
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void a_trap_under_fail_is_a_500_denial_naming_the_module(void)
{
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_VALIDATE_ONE, "crasher", "admission/configmap-create.json", 0, &o);
    CHECK_INT(o.http_status, 200);
    json_t *resp = json_object_get(r, "response");
    CHECK(json_is_false(json_object_get(resp, "allowed")));
    CHECK_INT(json_integer_value(wgt_get(resp, "status.code")), 500);
    CHECK_CONTAINS(wgt_get_str(resp, "status.message"), "module \"crasher\" failed: trap:");
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void a_trap_under_ignore_allows_with_a_warning(void)
{
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_VALIDATE_ONE, "flaky", "admission/configmap-create.json", 0, &o);
    json_t *resp = json_object_get(r, "response");
    CHECK(json_is_true(json_object_get(resp, "allowed")));
    json_t *w = json_object_get(resp, "warnings");
    CHECK_CONTAINS(json_string_value(json_array_get(w, 0)),
                   "module \"flaky\" failed and was ignored");
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void the_request_deadline_reaches_the_module(void)
{
    /* The module's own limit is 60 s; the request's deadline (already past) must win. */
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_VALIDATE_ONE, "slow", "admission/configmap-create.json",
                     wg_now_ns() + 1000000 /* 1 ms */, &o);
    json_t *resp = json_object_get(r, "response");
    CHECK(json_is_false(json_object_get(resp, "allowed")));
    CHECK_CONTAINS(wgt_get_str(resp, "status.message"), "module \"slow\" failed: timeout:");
    CHECK(o.timed_out);
    CHECK_STR(o.call_status[0], "timeout");
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void the_module_code_is_kept_on_denial(void)
{
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_VALIDATE_ONE, "denier", "admission/secret-create.json", 0, &o);
    json_t *resp = json_object_get(r, "response");
    CHECK_INT(json_integer_value(wgt_get(resp, "status.code")), 422);
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void validate_runs_only_non_mutating_modules_and_never_patches(void)
{
    srvt_write("v.yaml", "admission:\n"
                         "  - {name: labeller, module: label.wasm, mutating: true}\n"
                         "  - {name: fine, module: allow.wasm}\n"
                         "  - {name: no-privileged, module: priv.wasm}\n");
    wgsrv_config *cfg = wgsrv_config_load_file("v.yaml", err, sizeof err);
    wgsrv_runtime *saved = rt;
    rt = cfg ? wgsrv_runtime_load(cfg, NULL, 1, NULL, NULL, err, sizeof err) : NULL;
    if (!CHECK(rt != NULL)) {
        rt = saved;
        return;
    }
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_VALIDATE, NULL, "admission/pod-create.json", 0, &o);
    json_t *resp = json_object_get(r, "response");
    CHECK(json_is_true(json_object_get(resp, "allowed")));
    CHECK(json_object_get(resp, "patch") == NULL);
    CHECK_INT(o.ncalled, 2);
    CHECK_STR(o.called[0], "fine");
    CHECK_STR(o.called[1], "no-privileged");
    json_decref(r);
    wgsrv_outcome_clear(&o);
    r = eval(WGSRV_EP_VALIDATE, NULL, "admission/pod-privileged-create.json", 0, &o);
    CHECK(json_is_false(wgt_get(r, "response.allowed")));
    json_decref(r);
    wgsrv_outcome_clear(&o);
    wgsrv_runtime_release(rt);
    rt = saved;
}

static void bad_input_gets_400_with_a_kubernetes_status(void)
{
    static const struct {
        wgsrv_endpoint ep;
        const char *body;
        int status;
        const char *message;
    } cases[] = {
        {WGSRV_EP_VALIDATE, "{not json", 400, "body: not JSON"},
        {WGSRV_EP_VALIDATE, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",",
         400, "body: not JSON"},
        {WGSRV_EP_VALIDATE, "", 400, "body: not JSON"},
        {WGSRV_EP_AUTHENTICATE,
         "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}",
         400, "kind"},
        {WGSRV_EP_VALIDATE,
         "{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\",\"request\":{}}",
         400, "apiVersion"},
        {WGSRV_EP_VALIDATE,
         "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
         "{\"operation\":\"CREATE\"}}",
         400, "request.uid: missing"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wgsrv_outcome o;
        wgsrv_evaluate(rt, cases[i].ep, NULL, cases[i].body, strlen(cases[i].body), 0, &o);
        CHECK_INT(o.http_status, cases[i].status);
        json_error_t jerr;
        json_t *s = json_loads(o.body ? o.body : "", 0, &jerr);
        CHECK_STR(wgt_get_str(s, "kind"), "Status");
        CHECK_STR(wgt_get_str(s, "status"), "Failure");
        CHECK_STR(wgt_get_str(s, "reason"), "BadRequest");
        CHECK_INT(json_integer_value(json_object_get(s, "code")), 400);
        if (!CHECK_CONTAINS(wgt_get_str(s, "message"), cases[i].message))
            fprintf(stderr, "  case %zu\n", i);
        CHECK_INT(o.decision, WGSRV_DECISION_NONE);
        json_decref(s);
        wgsrv_outcome_clear(&o);
    }
}

static void an_unknown_module_name_is_404(void)
{
    wgsrv_outcome o;
    json_t *r = eval(WGSRV_EP_MUTATE_ONE, "no-such", "admission/pod-create.json", 0, &o);
    CHECK_INT(o.http_status, 404);
    CHECK_STR(wgt_get_str(r, "reason"), "NotFound");
    CHECK_STR(wgt_get_str(r, "message"), "no admission module named \"no-such\" is configured");
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

static void the_v1beta1_admission_review_gets_a_v1beta1_reply(void)
{
    wgsrv_outcome o;
    json_t *r =
        eval(WGSRV_EP_VALIDATE_ONE, "no-privileged", "admission/pod-create-v1beta1.json", 0, &o);
    CHECK_INT(o.http_status, 200);
    CHECK_STR(wgt_get_str(r, "apiVersion"), "admission.k8s.io/v1beta1");
    json_decref(r);
    wgsrv_outcome_clear(&o);
}

int main(void)
{
    if (chdir(srvt_tmpdir()) != 0) return 1;
    setup();
    RUN(authentication_skips_a_failing_module_and_authenticates);
    RUN(authentication_replies_in_the_request_version);
    RUN(authorization_allows_members_of_the_group);
    RUN(validate_one_denies_a_privileged_pod_naming_the_module);
    RUN(mutate_chains_mutating_modules_and_returns_a_json_patch);
    RUN(a_trap_under_fail_is_a_500_denial_naming_the_module);
    RUN(a_trap_under_ignore_allows_with_a_warning);
    RUN(the_request_deadline_reaches_the_module);
    RUN(the_module_code_is_kept_on_denial);
    RUN(validate_runs_only_non_mutating_modules_and_never_patches);
    RUN(bad_input_gets_400_with_a_kubernetes_status);
    RUN(an_unknown_module_name_is_404);
    RUN(the_v1beta1_admission_review_gets_a_v1beta1_reply);
    wgsrv_runtime_release(rt);
    return srvt_finish();
}
