/*
 * testlib.h — a minimal test harness for the Kubernetes semantics layer's unit tests.
 *
 * Each test_*.c is one executable whose main() RUNs its tests in order. A test is a
 * function named after the behaviour it specifies; CHECK* macros record a failure with
 * file and line and return whether the check passed, so a test can stop early with
 * `if (!CHECK(x)) return;` before dereferencing something that is missing.
 * Fixtures are read from WG_K8S_FIXTURES_DIR (tests/fixtures in the source tree).
 */
#ifndef WG_K8S_TESTLIB_H
#define WG_K8S_TESTLIB_H

#include "wasmgate/k8s.h"

#include <stdbool.h>
#include <stddef.h>

#define CHECK(cond)                 wgt_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(actual, expected) wgt_check_str((actual), (expected), #actual, __FILE__, __LINE__)
#define CHECK_INT(actual, expected) \
    wgt_check_int((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
/* Compares a JSON value with the JSON text `expected` (json_equal: exact types). */
#define CHECK_JSON(actual, expected) \
    wgt_check_json((actual), (expected), #actual, __FILE__, __LINE__)
/* Checks that `haystack` (non-NULL) contains `needle`. */
#define CHECK_CONTAINS(haystack, needle) \
    wgt_check_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
#define RUN(test) wgt_run(#test, test)

bool wgt_check(bool ok, const char *expr, const char *file, int line);
bool wgt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                   int line);
bool wgt_check_int(long long actual, long long expected, const char *expr, const char *file,
                   int line);
bool wgt_check_json(const json_t *actual, const char *expected, const char *expr, const char *file,
                    int line);
bool wgt_check_contains(const char *haystack, const char *needle, const char *expr,
                        const char *file, int line);
void wgt_run(const char *name, void (*test)(void));
/* Prints a summary; returns the process exit code (0 when every check passed). */
int wgt_finish(void);

/* Reads a file under the fixtures directory ("admission/pod-create.json"); NULL on error
 * (after recording a failure). The caller frees. */
char *wgt_read_fixture(const char *relpath, size_t *len);
/* The fixture parsed as JSON (new reference), or NULL after recording a failure. */
json_t *wgt_fixture_json(const char *relpath);
/* The fixture parsed as a review of any kind, or NULL after recording a failure. */
wgk8s_review *wgt_fixture_review(const char *relpath);
/* JSON text parsed (new reference), or NULL after recording a failure. */
json_t *wgt_json(const char *text);
/* A review parsed from a JSON value (not consumed), or NULL after recording a failure. */
wgk8s_review *wgt_review_from(json_t *value);
/* Every fixture file path, relative to the fixtures directory, NULL-terminated. */
extern const char *const wgt_all_fixtures[];

/* json_t member access by dotted path ("response.status.code"); NULL when absent. */
json_t *wgt_get(const json_t *root, const char *dotted);
/* The string at a dotted path, or NULL. */
const char *wgt_get_str(const json_t *root, const char *dotted);

/* Decodes reply.response.patch (base64) into the JSON Patch array (new reference). */
json_t *wgt_reply_patch(const json_t *reply);

#endif
