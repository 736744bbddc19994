/*
 * fake_modules.h — modules implemented in C for the Kubernetes layer's tests.
 *
 * A fake_module stands where the ABI layer would put a WebAssembly module: the layer calls
 * fake_call() with the input bytes it built, and the fake answers with a fixed output, a
 * call failure (as a trap or timeout would), or an output computed by one of the handlers
 * below from the input — a token table, an authorizer, an admission validator or mutator
 * in either protocol. Broken outputs are written as fixed strings in the tests themselves.
 */
#ifndef WG_K8S_FAKE_MODULES_H
#define WG_K8S_FAKE_MODULES_H

#include "wasmgate/k8s.h"

#include <stdatomic.h>
#include <stdbool.h>

typedef struct fake_module fake_module;

/* Computes the output for an input; returns a malloc'd string, or NULL for no output. */
typedef char *(*fake_handler)(fake_module *self, const json_t *input);

/* A row of the token table for fake_token_authn. */
typedef struct fake_token {
    const char *token;
    const char *user_json;      /* the status.user object, as JSON text */
    const char *audiences_json; /* status.audiences as JSON text, or NULL to omit */
} fake_token;

struct fake_module {
    /* What the module does: fail, run a handler, or answer `output` verbatim. */
    bool fail;
    const char *fail_message;
    fake_handler handler;
    const char *output;

    /* Behaviour for the handlers (unused fields stay zero). */
    const fake_token *tokens; /* authn: NULL-token-terminated table */
    const char *status_error; /* authn: status.error when the token is unknown */
    bool allowed;             /* authz, admission */
    bool denied;              /* authz */
    const char *reason;       /* authz reason, admission status.reason */
    const char *evaluation_error;
    const char *message;    /* admission status.message / Kubewarden message */
    int code;               /* admission status.code / Kubewarden code; 0 = omit */
    const char *patch_type; /* k8s-wasm mutation: "Full" or "JSONPatch"; NULL = none */
    bool kubewarden_mutate; /* Kubewarden: return mutated_object */
    const char *label_key;  /* the label a mutator adds */
    const char *label_value;
    const char *uid;            /* admission: answer this uid instead of the request's */
    const char *api_version;    /* answer this apiVersion instead of the group's v1 */
    const char *warning;        /* one warning to add */
    const char *annotation_key; /* one audit annotation to add */
    const char *annotation_value;

    /* What happened (calls is safe to read from any thread; the rest only when single
     * threaded and `record` is left true). */
    atomic_int calls;
    bool no_record;
    char *last_input;
    char last_entry[16];
};

/* The wgk8s_call_fn of every fake module. */
int fake_call(void *mod, const char *entry, const char *in, size_t inlen, char **out,
              size_t *outlen, char *err, size_t errsz);

/* A k8s-wasm descriptor for fm, failurePolicy Fail, not mutating, no rules or settings. */
wgk8s_module fake_descriptor(const char *name, fake_module *fm);

/* Frees what the fake recorded. */
void fake_reset(fake_module *fm);

/* The recorded last input, parsed (new reference), or NULL. */
json_t *fake_last_input(const fake_module *fm);

/* Handlers. */
char *fake_token_authn(fake_module *self, const json_t *input); /* k8s-wasm authn */
char *fake_authorizer(fake_module *self, const json_t *input);  /* k8s-wasm authz */
char *fake_admission(fake_module *self, const json_t *input);   /* k8s-wasm validate */
char *fake_kubewarden(fake_module *self, const json_t *input);  /* Kubewarden validate */

#endif
