/*
 * sbtest.h — the sandbox tests' harness: checks, and helpers that run a
 * WASI module from the build's module directory under a manifest and
 * collect everything it did (status, message, stdout, stderr, exit code,
 * log lines, time taken).
 *
 * A test is a function named after the behaviour it specifies, run by
 * RUN(test) from main; CHECK* record a failure with file and line and
 * return whether the check held, so a test can stop early. main returns
 * sbt_finish(). Modules come from SBT_MODULES (set by CMake): C programs
 * built for wasm32-wasi and WAT modules, all built before the tests run.
 */
#ifndef WASMGATE_TESTS_SBTEST_H
#define WASMGATE_TESTS_SBTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/sandbox.h"

#define CHECK(cond) sbt_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_INT(actual, expected) \
    sbt_check_int((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
#define CHECK_STR(actual, expected) sbt_check_str((actual), (expected), #actual, __FILE__, __LINE__)
#define CHECK_CONTAINS(haystack, needle) \
    sbt_check_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
#define CHECK_NOT_CONTAINS(haystack, needle) \
    sbt_check_not_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
#define RUN(test) sbt_run_test(#test, test)

bool sbt_check(bool ok, const char *expr, const char *file, int line);
bool sbt_check_int(long long actual, long long expected, const char *expr, const char *file,
                   int line);
bool sbt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                   int line);
bool sbt_check_contains(const char *haystack, const char *needle, const char *expr,
                        const char *file, int line);
bool sbt_check_not_contains(const char *haystack, const char *needle, const char *expr,
                            const char *file, int line);
void sbt_run_test(const char *name, void (*test)(void));
int sbt_finish(void);

/* What one run of a module did. Free with sbt_result_clear(). */
typedef struct sbt_result {
    wgsb_status status;
    char msg[512];
    char *out; /* captured stdout, NUL-terminated */
    size_t out_len;
    char *err; /* captured stderr */
    size_t err_len;
    int exit_code;
    bool exited;
    uint64_t elapsed_ms;
    uint64_t fuel_used;
    char log[8192]; /* every log line, each ending in '\n' */
    int log_lines;
} sbt_result;

void sbt_result_clear(sbt_result *r);

/*
 * A manifest for a test: named `name`, default limits, no grants. The log
 * callback is set by sbt_run() (to collect into the result).
 */
void sbt_manifest(wgsb_manifest *m, const char *name);

/* Loads SBT_MODULES/file; NULL after recording a failure. */
wg_module *sbt_load(const char *file);

/*
 * Runs a command module: loads it, makes a sandbox from m (log lines go to
 * r->log), instantiates and calls `_start` with `stdin_text` (may be NULL)
 * as stdin. Returns false (after recording a failure) only when the test
 * itself could not set things up; the module's own failures are in r.
 */
bool sbt_run(const char *file, wgsb_manifest *m, const char *stdin_text, sbt_result *r);

/*
 * The "host still serves" check: runs echo_upper on "still here" under a
 * fresh manifest and checks it answers "STILL HERE".
 */
void sbt_check_host_still_serves(const char *file, int line);
#define CHECK_HOST_STILL_SERVES() sbt_check_host_still_serves(__FILE__, __LINE__)

/* A fresh temporary directory (malloc'd path), removed by sbt_rmtree(). */
char *sbt_tempdir(void);
void sbt_rmtree(const char *path);
/* Writes/reads a whole file (path = dir + "/" + name). Read returns malloc'd text or NULL. */
bool sbt_write(const char *dir, const char *name, const char *text);
char *sbt_read(const char *dir, const char *name);
bool sbt_exists(const char *dir, const char *name);

#endif /* WASMGATE_TESTS_SBTEST_H */
