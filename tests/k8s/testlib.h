/*
 * testlib.h — the harness of the Kubernetes semantics layer's unit tests: reviews from the
 * fixtures and from JSON, and the patch of a reply. Checks, the runner, fixtures and the JSON
 * helpers are the shared ones (tests/common/wgtest_json.h).
 *
 * Each test_*.c is one executable whose main() RUNs its tests in order and returns
 * wgt_finish().
 */
#ifndef WG_K8S_TESTLIB_H
#define WG_K8S_TESTLIB_H

#include "wasmgate/k8s.h"
#include "wgtest_json.h"

#include <stdbool.h>
#include <stddef.h>

/* The fixture parsed as a review of any kind, or NULL after recording a failure. */
wgk8s_review *k8st_fixture_review(const char *relpath);
/* A review parsed from a JSON value (not consumed), or NULL after recording a failure. */
wgk8s_review *k8st_review_from(json_t *value);

/* Decodes reply.response.patch (base64) into the JSON Patch array (new reference). */
json_t *k8st_reply_patch(const json_t *reply);

#endif
