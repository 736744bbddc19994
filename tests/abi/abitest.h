/*
 * abitest.h — the ABI tests' harness: test modules from the build's module directory,
 * manifests whose log lines are collected, and the review inputs the tests feed modules.
 * Checks, the runner and the fixtures are the shared ones (tests/common/wgtest_json.h).
 *
 * Modules come from ABIT_MODULES (set by CMake): WAT modules and C programs, built before
 * the tests run.
 */
#ifndef WASMGATE_TESTS_ABITEST_H
#define WASMGATE_TESTS_ABITEST_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/abi.h"
#include "wasmgate/k8s.h"
#include "wasmgate/sandbox.h"
#include "wgtest_json.h"

/* Log lines a manifest's log callback collected ("LEVEL MODULE: MESSAGE\n" each). */
typedef struct abit_log {
    pthread_mutex_t lock;
    char text[32768];
    size_t len;
    int lines;
} abit_log;

void abit_log_init(abit_log *log);
/* Counts the collected lines containing `needle`. */
int abit_log_count(abit_log *log, const char *needle);

/*
 * A manifest for a test: named `name`, default limits, no grants; its log lines go to
 * `log` (or are dropped when log is NULL, so expected denials do not clutter the output).
 */
void abit_manifest(wgsb_manifest *m, const char *name, abit_log *log);

/* ABIT_MODULES/file, read whole; NULL after recording a failure. */
uint8_t *abit_read_module(const char *file, size_t *len);

/* Loads ABIT_MODULES/file for an ABI; NULL with the loader's message in err. */
wgabi_module *abit_load(const char *file, wgabi_kind kind, const wgsb_manifest *m, char *err,
                        size_t errsz);
/* The same, recording a failure (with the message) when the load fails. */
wgabi_module *abit_must_load(const char *file, wgabi_kind kind, const wgsb_manifest *m);

/* The review the k8s-wasm test modules answer: an AdmissionReview for a Pod, uid "abi-uid-1". */
extern const char abit_review_text[];
/* Parsed (a new reference). */
json_t *abit_review(void);

/*
 * The input the Kubernetes layer builds for a module (wgk8s_module_input) from review_text
 * and settings (JSON text or NULL): malloc'd, length in *len.
 */
char *abit_input(wgk8s_protocol protocol, const char *review_text, const char *settings,
                 size_t *len);

/* Calls `validate` (the export, or the waPC operation) with the input that `protocol` makes
 * of the test review and `settings` (JSON text or NULL). Returns r->status. */
wgabi_status abit_validate(wgabi_module *mod, wgk8s_protocol protocol, const char *settings,
                           wgabi_result *r);
/* What the Kubernetes layer makes of a module's admission answer to the test review. */
wgk8s_status abit_interpret(wgk8s_protocol protocol, const wgabi_result *r, bool mutating,
                            wgk8s_admission_decision *d, char *err, size_t errsz);

/* Calls the k8s-wasm test module answer (k8s_answer.wasm) once: the host still serves. */
void abit_check_host_still_serves(const char *file, int line);
#define CHECK_HOST_STILL_SERVES() abit_check_host_still_serves(__FILE__, __LINE__)

#endif /* WASMGATE_TESTS_ABITEST_H */
