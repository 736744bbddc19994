/*
 * wgtest.h — the test support shared by every layer's tests: checks, the test runner, files,
 * temporary directories and the review fixtures of tests/fixtures. It depends on nothing of
 * wasmgate, so the lowest layer's tests can use it; each layer's own harness (sbtest.h,
 * abitest.h, testlib.h, sdk_testlib.h, srvtest.h) adds only what is particular to that layer.
 * JSON helpers, which need jansson, are in wgtest_json.h.
 *
 * A test file defines one function per behaviour, named after it, runs each with RUN(test)
 * from main, and returns wgt_finish(). CHECK* record a failure with file and line and return
 * whether the check held, so a test can stop early with `if (!CHECK(x)) return;`; a failed
 * check does not stop the test, so one run reports every broken behaviour. Checks may be made
 * from several threads at once.
 */
#ifndef WASMGATE_TESTS_WGTEST_H
#define WASMGATE_TESTS_WGTEST_H

#include <stdbool.h>
#include <stddef.h>

/* CHECK(cond): cond must hold. The *_AT forms take the location of a helper's caller. */
#define CHECK(cond)                wgt_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_AT(cond, file, line) wgt_check((cond), #cond, (file), (line))
#define CHECK_INT(actual, expected) \
    wgt_check_int((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
/* Equal strings; NULL equals only NULL. */
#define CHECK_STR(actual, expected) wgt_check_str((actual), (expected), #actual, __FILE__, __LINE__)
/* `haystack` is not NULL and contains `needle`. */
#define CHECK_CONTAINS(haystack, needle) \
    wgt_check_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
#define CHECK_CONTAINS_AT(haystack, needle, file, line) \
    wgt_check_contains((haystack), (needle), #haystack, (file), (line))
/* `haystack` is NULL or does not contain `needle`. */
#define CHECK_NOT_CONTAINS(haystack, needle) \
    wgt_check_not_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
#define RUN(test) wgt_run(#test, test)

bool wgt_check(bool ok, const char *expr, const char *file, int line);
bool wgt_check_int(long long actual, long long expected, const char *expr, const char *file,
                   int line);
bool wgt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                   int line);
bool wgt_check_contains(const char *haystack, const char *needle, const char *expr,
                        const char *file, int line);
bool wgt_check_not_contains(const char *haystack, const char *needle, const char *expr,
                            const char *file, int line);
/* Counts one check that held (ok) or failed; for checks of a layer's own whose failures the
 * caller has already described. Returns ok. */
bool wgt_record(bool ok);

/* Runs one test and prints "ok   NAME" or "FAIL NAME". */
void wgt_run(const char *name, void (*test)(void));
/* Prints the counts of tests and checks; returns the exit status (0 when every check held). */
int wgt_finish(void);

/* The whole file, NUL-terminated (malloc'd; its length in *len unless len is NULL); NULL when
 * it cannot be read. Records no failure: a missing file may be what a test expects. */
char *wgt_read_file(const char *path, size_t *len);
/* Writes len bytes to path, replacing it; false when that fails. */
bool wgt_write_file(const char *path, const void *data, size_t len);

/* A fresh temporary directory under $TMPDIR or /tmp (malloc'd path); NULL after recording a
 * failure. Remove it with wgt_rmtree(). */
char *wgt_tempdir(void);
/* Removes path and everything below it, without following symbolic links; NULL is nothing. */
void wgt_rmtree(const char *path);

/* The review fixtures, tests/fixtures in the source tree. */
extern const char *const wgt_fixtures_dir;
/* Every fixture file, relative to wgt_fixtures_dir ("admission/pod-create.json"), sorted,
 * NULL-terminated. */
extern const char *const wgt_all_fixtures[];
/* A fixture file as text (as wgt_read_file); NULL after recording a failure. */
char *wgt_read_fixture(const char *relpath, size_t *len);

#endif /* WASMGATE_TESTS_WGTEST_H */
