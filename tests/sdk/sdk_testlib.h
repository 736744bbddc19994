/*
 * sdk_testlib.h — the harness of the C SDK's native tests (tests/sdk): checks in the style of
 * tests/k8s, fixtures, and calling a module's export in-process the way the host would.
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

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CHECK(cond) sdkt_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(actual, expected) \
    sdkt_check_str((actual), (expected), #actual, __FILE__, __LINE__)
#define CHECK_INT(actual, expected) \
    sdkt_check_int((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
/* Compares a JSON value with the JSON text `expected` (json_equal: exact types). */
#define CHECK_JSON(actual, expected) \
    sdkt_check_json((actual), (expected), #actual, __FILE__, __LINE__)
/* Checks that `haystack` (non-NULL) contains `needle`. */
#define CHECK_CONTAINS(haystack, needle) \
    sdkt_check_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
#define RUN(test) sdkt_run(#test, test)

bool sdkt_check(bool ok, const char *expr, const char *file, int line);
bool sdkt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                    int line);
bool sdkt_check_int(long long actual, long long expected, const char *expr, const char *file,
                    int line);
bool sdkt_check_json(const json_t *actual, const char *expected, const char *expr, const char *file,
                     int line);
bool sdkt_check_contains(const char *haystack, const char *needle, const char *expr,
                         const char *file, int line);
void sdkt_run(const char *name, void (*test)(void));
/* Prints "N passed, N failed" and returns the exit status (0 when every test passed). */
int sdkt_finish(void);

/* A file of tests/fixtures ("admission/pod-create.json"), as text (caller frees) or parsed
 * (new reference); NULL after recording a failure. */
char *sdkt_read_fixture(const char *relpath, size_t *len);
json_t *sdkt_fixture(const char *relpath);
/* JSON text parsed (new reference), or NULL after recording a failure. */
json_t *sdkt_json(const char *text);

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

/* Member by dotted path, with [N] for elements ("response.response.status.code");
 * NULL when absent. */
json_t *sdkt_get(const json_t *root, const char *path);
const char *sdkt_get_str(const json_t *root, const char *path);
/* Sets `value` (reference taken) at a dotted path like sdkt_get's, creating missing objects
 * on the way; false (value released) when an array element on the way is missing. */
bool sdkt_set(json_t *root, const char *path, json_t *value);

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

/* A deep copy of an AdmissionReview with request.operation set, and request.object and
 * request.oldObject replaced by `object` and `old_object` when they are not NULL (the
 * references are taken; pass json_null() for null). */
json_t *sdkt_with_operation(const json_t *review, const char *operation, json_t *object,
                            json_t *old_object);

#endif
