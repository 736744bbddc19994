/*
 * sdk_testlib.h — the harness of the C SDK's native tests (tests/sdk): calling a module's
 * export in-process the way the host would. Checks, the runner, fixtures and the JSON helpers
 * are the shared ones (tests/common/wgtest_json.h).
 *
 * A call builds the module input with the Kubernetes layer's own wgk8s_module_input() (the
 * bytes the server would write to the module's stdin), points the SDK at temporary files
 * instead of stdin/stdout (wgm_set_fds), calls the export, and reads back what it wrote.
 * The output can then be judged by the same wgk8s_*_interpret() functions the server uses,
 * as well as field by field with jansson. Each test executable is one ctest test.
 */
#ifndef WG_SDK_TESTLIB_H
#define WG_SDK_TESTLIB_H

#include "wasmgate/k8s.h"
#include "wasmgate_module.h"
#include "wgtest_json.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What one call of an export produced. */
typedef struct sdkt_output {
    char *text; /* everything written to stdout, NUL-terminated */
    size_t len;
    json_t *json; /* the output parsed as one JSON value; NULL if it is not (failure recorded) */
} sdkt_output;

/* Calls `entry` with the k8s-wasm input for `review` and `settings_json` (NULL: no settings). */
sdkt_output sdkt_call(void (*entry)(void), const json_t *review, const char *settings_json);
/* Calls `entry` with exactly these input bytes. */
sdkt_output sdkt_call_raw(void (*entry)(void), const char *input, size_t len);
void sdkt_output_free(sdkt_output *out);

/* The host's reading of the output (wgk8s_*_interpret, k8s-wasm protocol): true and *d filled
 * (clear it with wgk8s_*_decision_clear) when the host accepts the answer; otherwise false,
 * with the host's message recorded as a failure. */
bool sdkt_host_authn(const json_t *review, const sdkt_output *out, wgk8s_authn_decision *d);
bool sdkt_host_authz(const json_t *review, const sdkt_output *out, wgk8s_authz_decision *d);
bool sdkt_host_admission(const json_t *review, bool mutating, const sdkt_output *out,
                         wgk8s_admission_decision *d);

/* Sets `value` (reference taken) at a dotted path like wgt_get's, creating missing objects
 * on the way; false (value released) when an array element on the way is missing. */
bool sdkt_set(json_t *root, const char *path, json_t *value);

/* A fixture parsed (new reference), with `value` (reference taken) set at `path` like
 * sdkt_set; NULL after recording a failure. */
json_t *sdkt_fixture_with(const char *relpath, const char *path, json_t *value);

/* The output's {"error": ...} text, or NULL when it has none. */
const char *sdkt_error(const sdkt_output *out);

/* response.response.patch decoded from base64 and parsed (new reference); NULL if absent. */
json_t *sdkt_patch(const sdkt_output *out);

/* The outcome of an admission call, as the host sees it. */
typedef struct sdkt_verdict {
    char kind;          /* 'A' admitted, 'D' denied, 'E' the module failed ({"error": ...}) */
    int code;           /* status.code of a denial (0 when not given) */
    char message[1024]; /* status.message of a denial, or the error */
    json_t *output;     /* the module's output (new reference) */
    json_t *mutated;    /* the whole mutated object the host derives; NULL for no mutation */
    json_t *patch;      /* the decoded response.response.patch; NULL when there is none */
} sdkt_verdict;

/* Calls a validate export and reads its answer with wgk8s_admission_interpret (as a mutating
 * module when `mutating`), recording a failure if the host refuses the output; also checks
 * that the answer echoes the request's apiVersion and kind. */
sdkt_verdict sdkt_admission(void (*entry)(void), const json_t *review, const char *settings_json,
                            bool mutating);
void sdkt_verdict_free(sdkt_verdict *v);

/* Calls a validate export on each fixture of a NULL-terminated list, with settings_json, and
 * checks that every verdict is `kind` ('A', 'D' or 'E'), naming the fixture where it is not. */
#define CHECK_VERDICTS(entry, fixtures, settings_json, kind) \
    sdkt_check_verdicts((entry), (fixtures), (settings_json), (kind), __FILE__, __LINE__)
void sdkt_check_verdicts(void (*entry)(void), const char *const *fixtures,
                         const char *settings_json, char kind, const char *file, int line);

/* A deep copy of an AdmissionReview with request.operation set, and request.object and
 * request.oldObject replaced by `object` and `old_object` when they are not NULL (the
 * references are taken; pass json_null() for null). */
json_t *sdkt_with_operation(const json_t *review, const char *operation, json_t *object,
                            json_t *old_object);

#endif
