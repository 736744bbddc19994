/*
 * fake_abi.c — a stand-in for the ABI layer (wasmgate/abi.h), linked into the server's tests
 * instead of the real one; the manifest is the real sandbox layer's.
 *
 * A fake module is a file that starts with "FAKE" followed by a JSON object saying how it
 * behaves, so tests can make a module trap, time out, answer slowly, mutate, or change its
 * answer when the file is rewritten (reload tests) — deterministically and without the
 * engine. Behaviours ("behaviour" member):
 *   allow            admission: allowed (with warning "version N" when "version" is set);
 *                    authn: authenticated as "user"; authz: allowed
 *   deny             denied with "message" (code "code", default 403); authz: denied
 *   deny-privileged  admission: denies a Pod with a privileged container
 *   add-label        admission (mutating): adds metadata.labels["wasmgate.io/mutated"]="true"
 *                    (patchType Full)
 *   token            authn: authenticated as "user" (groups "groups") when spec.token equals
 *                    settings.token, else not authenticated with an error
 *   group            authz: allowed when the user is in settings.group, else no opinion
 *   trap             the call traps
 *   timeout          sleeps until the deadline (request or manifest timeout), then times out
 * "delayMs" makes any behaviour sleep first (bounded by the deadline like real modules).
 * Kubewarden fakes answer validate_settings with valid = !settings.invalid.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "wasmgate/abi.h"
#include "wasmgate/k8s.h"
#include "wasmgate/sandbox.h"
#include "wasmgate/wg.h"

/* ---- ABI ------------------------------------------------------------------------------ */

struct wgabi_module {
    wgabi_kind kind;
    wgsb_manifest manifest;
    json_t *spec; /* the JSON after "FAKE"; read-only once loaded */
};

const char *wgabi_kind_name(wgabi_kind kind)
{
    switch (kind) {
    case WGABI_K8S_WASM: return "k8s-wasm";
    case WGABI_KUBEWARDEN: return "kubewarden";
    case WGABI_EXTISM: return "extism";
    default: return "?";
    }
}

wgabi_kind wgabi_kind_parse(const char *name)
{
    for (int k = WGABI_K8S_WASM; k <= WGABI_EXTISM; k++)
        if (strcmp(name, wgabi_kind_name((wgabi_kind)k)) == 0) return (wgabi_kind)k;
    return 0;
}

const char *wgabi_status_name(wgabi_status st)
{
    static const char *const names[] = {"ok",           "trap", "timeout",     "fuel exhausted",
                                        "memory limit", "exit", "guest error", "output limit",
                                        "error"};
    return (unsigned)st < 9 ? names[st] : "error";
}

const char *wgabi_status_label(wgabi_status st)
{
    static const char *const names[] = {"ok",           "trap", "timeout",     "fuel_exhausted",
                                        "memory_limit", "exit", "guest_error", "output_limit",
                                        "error"};
    return (unsigned)st < 9 ? names[st] : "error";
}

wgabi_module *wgabi_module_load(const void *bytes, size_t len, wgabi_kind kind,
                                const wgsb_manifest *manifest, char *err, size_t errsz)
{
    if (len < 4 || memcmp(bytes, "FAKE", 4) != 0) {
        snprintf(err, errsz,
                 "module \"%s\": not a fake module (this test build's ABI layer "
                 "only loads files starting with FAKE)",
                 manifest->name);
        return NULL;
    }
    if (kind == WGABI_EXTISM) {
        snprintf(err, errsz, "module \"%s\": the extism ABI is not implemented", manifest->name);
        return NULL;
    }
    json_error_t jerr;
    json_t *spec = json_loadb((const char *)bytes + 4, len - 4, 0, &jerr);
    if (!json_is_object(spec)) {
        snprintf(err, errsz, "module \"%s\": bad fake spec: %s", manifest->name, jerr.text);
        json_decref(spec);
        return NULL;
    }
    wgabi_module *m = calloc(1, sizeof *m);
    if (!m || !wgsb_manifest_copy(&m->manifest, manifest)) {
        free(m);
        json_decref(spec);
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    m->kind = kind;
    m->spec = spec;
    return m;
}

void wgabi_module_free(wgabi_module *m)
{
    if (!m) return;
    json_decref(m->spec);
    wgsb_manifest_clear(&m->manifest);
    free(m);
}

wgabi_kind wgabi_module_kind(const wgabi_module *m)
{
    return m->kind;
}
const char *wgabi_module_name(const wgabi_module *m)
{
    return m->manifest.name;
}

void wgabi_result_clear(wgabi_result *r)
{
    free(r->output);
    free(r->log);
    memset(r, 0, sizeof *r);
}

static const char *spec_str(const wgabi_module *m, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(m->spec, key));
    return s ? s : dflt;
}

static void sleep_until(uint64_t until_ns)
{
    for (;;) {
        uint64_t now = wg_now_ns();
        if (now >= until_ns) return;
        uint64_t left = until_ns - now;
        struct timespec ts = {(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
        if (nanosleep(&ts, NULL) == 0) return;
    }
}

static wgabi_status finish(wgabi_result *r, wgabi_status st, json_t *out, const char *fmt, ...)
{
    r->status = st;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->message, sizeof r->message, fmt, ap);
        va_end(ap);
    }
    if (out) {
        r->output = json_dumps(out, JSON_COMPACT);
        r->output_len = r->output ? strlen(r->output) : 0;
        json_decref(out);
    }
    return st;
}

static bool has_privileged(const json_t *object)
{
    const json_t *spec = json_object_get(object, "spec");
    const char *lists[] = {"containers", "initContainers"};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(spec, lists[l]), i, c)
        {
            if (json_is_true(json_object_get(json_object_get(c, "securityContext"), "privileged")))
                return true;
        }
    }
    return false;
}

/* The k8s-wasm envelope for an admission answer. */
static json_t *admission_answer(const json_t *review, json_t *response)
{
    json_t *req = json_object_get(review, "request");
    json_object_set(response, "uid", json_object_get(req, "uid"));
    return json_pack("{s:{s:s,s:s,s:o}}", "response", "apiVersion", "admission.k8s.io/v1", "kind",
                     "AdmissionReview", "response", response);
}

wgabi_status wgabi_call(wgabi_module *m, const char *entry, const void *input, size_t input_len,
                        uint64_t deadline_ns, wgabi_result *r)
{
    memset(r, 0, sizeof *r);
    uint64_t start = wg_now_ns();
    uint64_t limit = m->manifest.limits.timeout_ms
                         ? start + (uint64_t)m->manifest.limits.timeout_ms * 1000000u
                         : UINT64_MAX;
    if (deadline_ns && deadline_ns < limit) limit = deadline_ns;
    const char *name = m->manifest.name;
    const char *behaviour = spec_str(m, "behaviour", "allow");
    json_int_t delay = json_integer_value(json_object_get(m->spec, "delayMs"));
    if (delay > 0) {
        uint64_t until = start + (uint64_t)delay * 1000000u;
        if (until > limit) {
            sleep_until(limit);
            r->duration_ns = wg_now_ns() - start;
            return finish(r, WGABI_TIMEOUT, NULL, "module \"%s\": timeout: exceeded %llu ms", name,
                          (unsigned long long)((limit - start) / 1000000u));
        }
        sleep_until(until);
    }
    if (strcmp(behaviour, "trap") == 0)
        return finish(r, WGABI_TRAP, NULL, "module \"%s\": trap: unreachable executed", name);
    if (strcmp(behaviour, "timeout") == 0) {
        sleep_until(limit);
        r->duration_ns = wg_now_ns() - start;
        return finish(r, WGABI_TIMEOUT, NULL, "module \"%s\": timeout: exceeded %llu ms", name,
                      (unsigned long long)((limit - start) / 1000000u));
    }
    json_error_t jerr;
    json_t *in = json_loadb(input, input_len, 0, &jerr);
    if (m->kind == WGABI_KUBEWARDEN && strcmp(entry, "validate_settings") == 0) {
        bool invalid = json_is_true(json_object_get(in, "invalid"));
        json_decref(in);
        return finish(r, WGABI_OK,
                      invalid ? json_pack("{s:b,s:s}", "valid", 0, "message", "invalid is set")
                              : json_pack("{s:b}", "valid", 1),
                      NULL);
    }
    if (!in) return finish(r, WGABI_ERROR, NULL, "module \"%s\": input is not JSON", name);
    json_t *review = json_object_get(in, "request");
    json_t *settings = json_object_get(in, "settings");
    json_t *out = NULL;
    const char *message = spec_str(m, "message", "denied by the fake module");
    json_int_t version = json_integer_value(json_object_get(m->spec, "version"));

    if (m->kind == WGABI_KUBEWARDEN) {
        bool deny =
            strcmp(behaviour, "deny") == 0 || (strcmp(behaviour, "deny-privileged") == 0 &&
                                               has_privileged(json_object_get(review, "object")));
        out = deny ? json_pack("{s:b,s:s}", "accepted", 0, "message", message)
                   : json_pack("{s:b}", "accepted", 1);
    } else if (strcmp(entry, "authn") == 0) {
        const char *token =
            json_string_value(json_object_get(json_object_get(review, "spec"), "token"));
        const char *want = json_string_value(json_object_get(settings, "token"));
        bool ok = strcmp(behaviour, "allow") == 0 ||
                  (strcmp(behaviour, "token") == 0 && token && want && strcmp(token, want) == 0);
        json_t *groups = json_object_get(m->spec, "groups");
        groups = groups ? json_incref(groups) : json_pack("[s]", "system:authenticated");
        json_t *status =
            ok ? json_pack("{s:b,s:{s:s,s:s,s:o}}", "authenticated", 1, "user", "username",
                           spec_str(m, "user", "fake-user"), "uid", "fake-uid", "groups", groups)
               : json_pack("{s:b,s:s}", "authenticated", 0, "error", "unknown token");
        if (!ok) json_decref(groups);
        out = json_pack("{s:{s:s,s:s,s:o}}", "response", "apiVersion",
                        json_string_value(json_object_get(review, "apiVersion")), "kind",
                        "TokenReview", "status", status);
    } else if (strcmp(entry, "authz") == 0) {
        json_t *status;
        if (strcmp(behaviour, "deny") == 0) {
            status = json_pack("{s:b,s:b,s:s}", "allowed", 0, "denied", 1, "reason", message);
        } else if (strcmp(behaviour, "group") == 0) {
            const char *want = json_string_value(json_object_get(settings, "group"));
            json_t *spec = json_object_get(review, "spec");
            json_t *groups = json_object_get(spec, "groups");
            if (!groups) groups = json_object_get(spec, "group");
            bool member = false;
            size_t i;
            json_t *g;
            json_array_foreach(groups, i, g)
            {
                if (want && json_is_string(g) && strcmp(json_string_value(g), want) == 0)
                    member = true;
            }
            status = member ? json_pack("{s:b,s:s}", "allowed", 1, "reason", "member of the group")
                            : json_pack("{s:b}", "allowed", 0);
        } else {
            status = json_pack("{s:b}", "allowed", 1);
        }
        out = json_pack("{s:{s:s,s:s,s:o}}", "response", "apiVersion",
                        json_string_value(json_object_get(review, "apiVersion")), "kind",
                        "SubjectAccessReview", "status", status);
    } else {
        json_t *object = json_object_get(json_object_get(review, "request"), "object");
        json_t *response;
        if (strcmp(behaviour, "deny") == 0 ||
            (strcmp(behaviour, "deny-privileged") == 0 && has_privileged(object))) {
            json_int_t code = json_integer_value(json_object_get(m->spec, "code"));
            response = json_pack("{s:b,s:{s:I,s:s}}", "allowed", 0, "status", "code",
                                 code ? code : 403, "message", message);
        } else if (strcmp(behaviour, "add-label") == 0 && json_is_object(object)) {
            json_t *copy = json_deep_copy(object);
            json_t *meta = json_object_get(copy, "metadata");
            json_t *labels = json_object_get(meta, "labels");
            if (!labels) {
                labels = json_object();
                json_object_set_new(meta, "labels", labels);
            }
            json_object_set_new(labels, "wasmgate.io/mutated", json_string("true"));
            char *text = json_dumps(copy, JSON_COMPACT);
            json_decref(copy);
            char *b64 = text ? wgk8s_base64_encode(text, strlen(text), NULL) : NULL;
            free(text);
            response = json_pack("{s:b,s:s,s:s}", "allowed", 1, "patchType", "Full", "patch",
                                 b64 ? b64 : "");
            free(b64);
        } else {
            response = json_pack("{s:b}", "allowed", 1);
        }
        if (version) {
            char w[64];
            snprintf(w, sizeof w, "version %lld", (long long)version);
            json_object_set_new(response, "warnings", json_pack("[s]", w));
        }
        out = admission_answer(review, response);
    }
    json_decref(in);
    r->duration_ns = wg_now_ns() - start;
    r->fuel_used = 1;
    if (!out) return finish(r, WGABI_ERROR, NULL, "module \"%s\": out of memory", name);
    return finish(r, WGABI_OK, out, NULL);
}
