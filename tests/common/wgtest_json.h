/*
 * wgtest_json.h — the JSON half of the shared test support (wgtest.h), for the layers whose
 * tests speak JSON (jansson): comparing values, parsing test text and fixtures, and reading
 * members by path.
 */
#ifndef WASMGATE_TESTS_WGTEST_JSON_H
#define WASMGATE_TESTS_WGTEST_JSON_H

#include <jansson.h>

#include "wgtest.h"

/* Compares a JSON value with the JSON text `expected` (json_equal: exact types, member order
 * does not matter). */
#define CHECK_JSON(actual, expected) \
    wgt_check_json((actual), (expected), #actual, __FILE__, __LINE__)

bool wgt_check_json(const json_t *actual, const char *expected, const char *expr, const char *file,
                    int line);

/* JSON text parsed (any value; new reference), or NULL after recording a failure. */
json_t *wgt_json(const char *text);
/* A fixture file parsed (new reference), or NULL after recording a failure. */
json_t *wgt_fixture_json(const char *relpath);

/* The member at a dotted path, with [N] for array elements ("response.status.code",
 * "spec.containers[0].name"); NULL when absent. */
json_t *wgt_get(const json_t *root, const char *path);
/* The string at such a path, or NULL. */
const char *wgt_get_str(const json_t *root, const char *path);

#endif /* WASMGATE_TESTS_WGTEST_JSON_H */
