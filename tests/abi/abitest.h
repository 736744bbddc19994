/*
 * abitest.h — the ABI tests' harness: checks, test modules from the build's module
 * directory, manifests whose log lines are collected, and the review inputs the tests feed
 * modules.
 *
 * A test is a function named after the behaviour it specifies, run by RUN(test) from main;
 * CHECK* record a failure with file and line and return whether the check held, so a test
 * can stop early. main returns abit_finish(). Modules come from ABIT_MODULES (set by
 * CMake): WAT modules and C programs, built before the tests run.
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

#define CHECK(cond) abit_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_INT(actual, expected) \
    abit_check_int((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
#define CHECK_STR(actual, expected) \
    abit_check_str((actual), (expected), #actual, __FILE__, __LINE__)
#define CHECK_CONTAINS(haystack, needle) \
    abit_check_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
#define CHECK_NOT_CONTAINS(haystack, needle) \
    abit_check_not_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
/* Compares a JSON value with JSON text (jansson equality: member order does not matter). */
#define CHECK_JSON(value, text) abit_check_json((value), (text), #value, __FILE__, __LINE__)
#define RUN(test)               abit_run_test(#test, test)

bool abit_check(bool ok, const char *expr, const char *file, int line);
bool abit_check_int(long long actual, long long expected, const char *expr, const char *file,
                    int line);
bool abit_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                    int line);
bool abit_check_contains(const char *haystack, const char *needle, const char *expr,
                         const char *file, int line);
bool abit_check_not_contains(const char *haystack, const char *needle, const char *expr,
                             const char *file, int line);
bool abit_check_json(const json_t *value, const char *text, const char *expr, const char *file,
                     int line);
void abit_run_test(const char *name, void (*test)(void));
int abit_finish(void);

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

/* A fixture from tests/fixtures (ABIT_FIXTURES), as text (malloc'd) or parsed. */
char *abit_fixture_text(const char *relpath, size_t *len);
json_t *abit_fixture(const char *relpath);

/* Calls the k8s-wasm test module answer (k8s_answer.wasm) once: the host still serves. */
void abit_check_host_still_serves(const char *file, int line);
#define CHECK_HOST_STILL_SERVES() abit_check_host_still_serves(__FILE__, __LINE__)

#endif /* WASMGATE_TESTS_ABITEST_H */
