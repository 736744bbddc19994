/*
 * srvtest.h — the small test harness of the server's tests (tests/server).
 *
 * Each test_*.c is one executable whose main() RUNs its tests in order; a test is a function
 * named after the behaviour it specifies. CHECK* record a failure with file and line and
 * return whether the check passed, so a test can stop early with `if (!CHECK(x)) return;`.
 */
#ifndef WG_SERVER_SRVTEST_H
#define WG_SERVER_SRVTEST_H

#include <stdbool.h>
#include <stddef.h>

#define CHECK(cond) srvt_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(actual, expected) \
    srvt_check_str((actual), (expected), #actual, __FILE__, __LINE__)
#define CHECK_INT(actual, expected) \
    srvt_check_int((long long)(actual), (long long)(expected), #actual, __FILE__, __LINE__)
#define CHECK_CONTAINS(haystack, needle) \
    srvt_check_contains((haystack), (needle), #haystack, __FILE__, __LINE__)
#define RUN(test) srvt_run(#test, test)

bool srvt_check(bool ok, const char *expr, const char *file, int line);
bool srvt_check_str(const char *actual, const char *expected, const char *expr, const char *file,
                    int line);
bool srvt_check_int(long long actual, long long expected, const char *expr, const char *file,
                    int line);
bool srvt_check_contains(const char *haystack, const char *needle, const char *expr,
                         const char *file, int line);
void srvt_run(const char *name, void (*test)(void));
int srvt_finish(void);

/* A fresh temporary directory for this test process (removed by srvt_finish). */
const char *srvt_tmpdir(void);
/* Writes text to DIR/name (creating it); returns the path (static buffer per call slot). */
const char *srvt_write(const char *name, const char *text);
/* Writes len bytes. */
const char *srvt_write_bytes(const char *name, const void *data, size_t len);
/* Reads a file (malloc'd, NUL-terminated) or NULL. */
char *srvt_read(const char *path, size_t *len);

#endif /* WG_SERVER_SRVTEST_H */
