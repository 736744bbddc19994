/*
 * host_calls.c — the waPC host-call policy: what a Kubewarden policy's __host_call(binding,
 * namespace, operation, payload) may reach.
 *
 * Deny by default. The table below lists every host capability Kubewarden defines, each
 * with the grant it needs and the handler that would serve it. A call is served only when
 * its capability needs no grant or its grant is in the module's manifest; everything else —
 * a capability not granted, one wasmgate does not implement yet, or a name Kubewarden does
 * not define — fails with the same error to the guest,
 *     policy has not been granted access to <namespace>/<operation>
 * and a denial logged through the manifest with the reason. Adding a capability later is one
 * handler, its row, and a manifest field consulted by capability_granted().
 *
 * Today only kubewarden/tracing/log needs no grant: it is how the Kubewarden SDKs log, it
 * reaches nothing outside the call, and its payload goes to the call's log like
 * __console_log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi_internal.h"

/* Denials logged per call: a policy retrying a refused call in a loop must not flood the log. */
#define MAX_DENIALS_LOGGED 16

/*
 * A handler: serves one call. Returns true with a malloc'd response in *reply, or false
 * with a malloc'd error message; *reply NULL means out of memory.
 */
typedef bool (*host_call_handler)(wgsb_ctx *ctx, const uint8_t *payload, size_t len, char **reply,
                                  size_t *reply_len);

typedef struct host_capability {
    const char *binding;
    const char *namespace_;
    const char *operation;     /* NULL: any operation (the deprecated "kubernetes" binding) */
    const char *grant;         /* the capability a manifest must grant; NULL: always allowed */
    host_call_handler handler; /* NULL: not implemented yet (denied even if granted) */
} host_capability;

/* kubewarden/tracing/log: the payload (a JSON log event) becomes one line of the log. */
static bool handle_tracing_log(wgsb_ctx *ctx, const uint8_t *payload, size_t len, char **reply,
                               size_t *reply_len)
{
    if (!wgsb_ctx_append_stderr(ctx, payload, len) || !wgsb_ctx_append_stderr(ctx, "\n", 1)) {
        *reply = NULL;
        return false;
    }
    *reply = abi_copy_bytes("", 0);
    *reply_len = 0;
    return true;
}

/* Every host capability Kubewarden defines (policy-evaluator's callback handler). */
static const host_capability capabilities[] = {
    {"kubewarden", "tracing", "log", NULL, handle_tracing_log},
    {"kubewarden", "oci", "v1/verify", "oci", NULL},
    {"kubewarden", "oci", "v2/verify", "oci", NULL},
    {"kubewarden", "oci", "v1/manifest_digest", "oci", NULL},
    {"kubewarden", "oci", "v1/oci_manifest", "oci", NULL},
    {"kubewarden", "oci", "v1/oci_manifest_config", "oci", NULL},
    {"kubewarden", "net", "v1/dns_lookup_host", "net", NULL},
    {"kubewarden", "crypto", "v1/is_certificate_trusted", "crypto", NULL},
    {"kubewarden", "kubernetes", "list_resources_by_namespace", "kubernetes", NULL},
    {"kubewarden", "kubernetes", "list_resources_all", "kubernetes", NULL},
    {"kubewarden", "kubernetes", "get_resource", "kubernetes", NULL},
    {"kubewarden", "kubernetes", "can_i", "kubernetes", NULL},
    /* The deprecated ClusterContext API: binding "kubernetes", the resource as namespace. */
    {"kubernetes", "ingresses", NULL, "kubernetes", NULL},
    {"kubernetes", "namespaces", NULL, "kubernetes", NULL},
    {"kubernetes", "services", NULL, "kubernetes", NULL},
};

#define CAPABILITY_COUNT (sizeof capabilities / sizeof capabilities[0])

static const host_capability *find_capability(const char *binding, size_t binding_len,
                                              const char *ns, size_t ns_len, const char *op,
                                              size_t op_len)
{
    for (size_t i = 0; i < CAPABILITY_COUNT; i++) {
        const host_capability *c = &capabilities[i];
        if (abi_name_is(binding, binding_len, c->binding) &&
            abi_name_is(ns, ns_len, c->namespace_) &&
            (!c->operation || abi_name_is(op, op_len, c->operation)))
            return c;
    }
    return NULL;
}

/*
 * Whether the manifest grants a capability. The manifest has no field for host
 * capabilities yet (Kubewarden's equivalent is the policy's contextAwareResources and the
 * policy server's configuration), so nothing is granted; this is the one place to consult
 * such a field when it exists.
 */
static bool capability_granted(const wgsb_manifest *m, const char *grant)
{
    (void)m;
    (void)grant;
    return false;
}

bool wgabi_wapc_host_call(wgsb_ctx *ctx, const char *binding, size_t binding_len,
                          const char *namespace_, size_t namespace_len, const char *operation,
                          size_t operation_len, const uint8_t *payload, size_t payload_len,
                          char **reply, size_t *reply_len, bool *oom, unsigned *denials_logged)
{
    const wgsb_manifest *m = wgsb_ctx_manifest(ctx);
    const host_capability *c =
        find_capability(binding, binding_len, namespace_, namespace_len, operation, operation_len);
    const char *why;
    *oom = false;
    *reply = NULL;
    *reply_len = 0;
    if (!c)
        why = "no such host capability";
    else if (c->grant && !capability_granted(m, c->grant))
        why = "not granted";
    else if (!c->handler)
        why = "not implemented";
    else {
        bool ok = c->handler(ctx, payload, payload_len, reply, reply_len);
        if (!*reply) *oom = true;
        return ok;
    }

    if (*denials_logged < MAX_DENIALS_LOGGED) {
        char qb[96], qn[96], qo[128];
        wgsb_log(m, 2, "denied __host_call %s %s %s (%s)",
                 abi_quote(qb, sizeof qb, binding, binding_len),
                 abi_quote(qn, sizeof qn, namespace_, namespace_len),
                 abi_quote(qo, sizeof qo, operation, operation_len), why);
    } else if (*denials_logged == MAX_DENIALS_LOGGED) {
        wgsb_log(m, 2, "further denied attempts in this run are not logged");
    }
    if (*denials_logged <= MAX_DENIALS_LOGGED) (*denials_logged)++;

    /* The guest's names, made printable: the error is text the policy may pass on. */
    char ns[96], op[128], text[300];
    abi_clean_text(ns, sizeof ns, namespace_, namespace_len);
    abi_clean_text(op, sizeof op, operation, operation_len);
    int n = snprintf(text, sizeof text, "policy has not been granted access to %s/%s", ns, op);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof text ? (size_t)n : sizeof text - 1;
    *reply = abi_copy_bytes(text, len);
    if (*reply)
        *reply_len = len;
    else
        *oom = true;
    return false;
}
