/*
 * test_parallel.c — requests are evaluated in parallel against shared modules.
 *
 * Several threads parse and evaluate reviews of all three kinds at once, sharing one set
 * of module descriptors, compiled rules and fake modules, and every reply must equal the
 * one computed beforehand on a single thread. Under the sanitizer build this also shows
 * that nothing in the layer is shared mutable state.
 */
#include "fake_modules.h"
#include "testlib.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define ROUNDS  20

static const char *const admission_fixtures[] = {
    "admission/pod-create.json",
    "admission/deployment-create.json",
    "admission/deployment-large-create.json",
    "admission/configmap-delete.json",
    "admission/namespace-create.json",
    "admission/pod-create-v1beta1.json",
};
#define N_ADMISSION (sizeof admission_fixtures / sizeof admission_fixtures[0])

static const fake_token tokens[] = {{"eyJhbGciOiJub25lIn0.bWFnaWM.c2ln",
                                     "{\"username\":\"jane\",\"extra\":{\"a\":[\"b\"]}}",
                                     "[\"https://kubernetes.default.svc\"]"},
                                    {NULL, NULL, NULL}};

typedef struct shared {
    const wgk8s_module *admission;
    size_t n_admission;
    const wgk8s_module *authn;
    const wgk8s_module *authz;
    char *bodies[N_ADMISSION + 2];
    size_t lengths[N_ADMISSION + 2];
    json_t *expected[N_ADMISSION + 2];
} shared;

/* Parses and evaluates body i the way a server would; returns the reply. */
static json_t *evaluate(const shared *s, size_t i)
{
    wgk8s_review *review = NULL;
    char err[256];
    if (wgk8s_review_parse(s->bodies[i], s->lengths[i], WGK8S_KIND_ANY, &review, err, sizeof err) !=
        WGK8S_OK)
        return NULL;
    json_t *reply = NULL;
    if (i < N_ADMISSION)
        wgk8s_admit(review, s->admission, s->n_admission, WGK8S_ADMIT_MUTATE, &reply, err,
                    sizeof err);
    else if (i == N_ADMISSION)
        wgk8s_authenticate(review, s->authn, 1, &reply, err, sizeof err);
    else
        wgk8s_authorize(review, s->authz, 1, &reply, err, sizeof err);
    wgk8s_review_free(review);
    return reply;
}

static void *worker(void *arg)
{
    const shared *s = arg;
    long mismatches = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < N_ADMISSION + 2; i++) {
            json_t *reply = evaluate(s, i);
            if (!reply || !json_equal(reply, s->expected[i])) mismatches++;
            json_decref(reply);
        }
    }
    return (void *)mismatches;
}

static void gives_the_same_replies_when_requests_run_in_parallel(void)
{
    json_t *rules_json = wgt_json("[{\"operations\":[\"CREATE\"],\"apiGroups\":[\"*\"],"
                                  "\"apiVersions\":[\"*\"],\"resources\":[\"*\"]}]");
    wgk8s_rules *rules = wgk8s_rules_parse(rules_json, NULL, 0);
    fake_module labeller = {.handler = fake_admission,
                            .allowed = true,
                            .patch_type = "JSONPatch",
                            .label_key = "app.kubernetes.io/managed-by",
                            .label_value = "wasmgate",
                            .no_record = true};
    fake_module stamper = {.handler = fake_kubewarden,
                           .allowed = true,
                           .kubewarden_mutate = true,
                           .label_key = "stamped",
                           .label_value = "yes",
                           .no_record = true};
    fake_module checker = {
        .handler = fake_admission, .allowed = true, .warning = "checked", .no_record = true};
    fake_module authn = {.handler = fake_token_authn, .tokens = tokens, .no_record = true};
    fake_module authz = {.handler = fake_authorizer, .allowed = true, .no_record = true};
    wgk8s_module admission[3] = {fake_descriptor("labeller", &labeller),
                                 fake_descriptor("stamper", &stamper),
                                 fake_descriptor("checker", &checker)};
    admission[0].mutating = true;
    admission[0].rules = rules;
    admission[1].mutating = true;
    admission[1].protocol = WGK8S_PROTOCOL_KUBEWARDEN;
    admission[1].rules = rules;
    admission[1].settings_json = "{\"stamp\":true}";
    wgk8s_module authn_mod = fake_descriptor("tokens", &authn);
    wgk8s_module authz_mod = fake_descriptor("rbac", &authz);

    shared s = {.admission = admission, .n_admission = 3, .authn = &authn_mod, .authz = &authz_mod};
    for (size_t i = 0; i < N_ADMISSION + 2; i++) {
        const char *f = i < N_ADMISSION    ? admission_fixtures[i]
                        : i == N_ADMISSION ? "authentication/tokenreview-v1.json"
                                           : "authorization/sar-v1beta1-resource.json";
        s.bodies[i] = wgt_read_fixture(f, &s.lengths[i]);
    }
    for (size_t i = 0; i < N_ADMISSION + 2; i++) {
        s.expected[i] = evaluate(&s, i);
        CHECK(s.expected[i] != NULL);
    }
    /* The CREATEs were mutated by both mutators; the DELETE was not. */
    CHECK(wgt_get(s.expected[0], "response.patch") != NULL);
    CHECK(wgt_get(s.expected[3], "response.patch") == NULL);

    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++)
        CHECK(pthread_create(&threads[t], NULL, worker, &s) == 0);
    long mismatches = 0;
    for (int t = 0; t < THREADS; t++) {
        void *result;
        pthread_join(threads[t], &result);
        mismatches += (long)result;
    }
    CHECK_INT(mismatches, 0);
    CHECK_INT(atomic_load(&checker.calls), (THREADS * ROUNDS + 1) * (int)N_ADMISSION);

    for (size_t i = 0; i < N_ADMISSION + 2; i++) {
        free(s.bodies[i]);
        json_decref(s.expected[i]);
    }
    wgk8s_rules_free(rules);
    json_decref(rules_json);
}

int main(void)
{
    /* Seed jansson's hash function before threads start, as a server would. */
    json_object_seed(0);
    RUN(gives_the_same_replies_when_requests_run_in_parallel);
    return wgt_finish();
}
