/*
 * sbtest.h — the sandbox tests' harness: helpers that run a WASI module
 * from the build's module directory under a manifest and collect
 * everything it did (status, message, stdout, stderr, exit code, log
 * lines, time taken). Checks and the runner are the shared ones
 * (tests/common/wgtest.h).
 *
 * Modules come from SBT_MODULES (set by CMake): C programs built for
 * wasm32-wasi and WAT modules, all built before the tests run.
 */
#ifndef WASMGATE_TESTS_SBTEST_H
#define WASMGATE_TESTS_SBTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/sandbox.h"
#include "wgtest.h"

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
/* Adds the arguments that follow, up to a NULL, to the manifest's argv. */
void sbt_add_args(wgsb_manifest *m, ...) __attribute__((sentinel));

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
 * sbt_run without stdin under a manifest of its own: named `name`, with
 * `dir` granted as /data (read-only when ro) and the arguments that follow,
 * up to a NULL, as argv.
 */
bool sbt_run_granted(const char *file, const char *name, const char *dir, bool ro, sbt_result *r,
                     ...) __attribute__((sentinel));

/*
 * Calls the export `name` of SBT_MODULES/file, which takes nothing and
 * returns one value, in a fresh instance under m; true with the value in
 * *result when the call succeeded.
 */
bool sbt_call_export(const char *file, const wgsb_manifest *m, const char *name, wg_value *result);

/*
 * The "host still serves" check: runs echo_upper on "still here" under a
 * fresh manifest and checks it answers "STILL HERE".
 */
void sbt_check_host_still_serves(const char *file, int line);
#define CHECK_HOST_STILL_SERVES() sbt_check_host_still_serves(__FILE__, __LINE__)

/* Writes/reads a whole file (path = dir + "/" + name). Read returns malloc'd text or NULL. */
bool sbt_write(const char *dir, const char *name, const char *text);
char *sbt_read(const char *dir, const char *name);
bool sbt_exists(const char *dir, const char *name);

#endif /* WASMGATE_TESTS_SBTEST_H */
