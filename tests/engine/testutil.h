/*
 * testutil.h — a minimal assertion helper for the engine tests.
 *
 * A test file defines one function per behaviour, named after it
 * (test_rejects_function_count_larger_than_input), runs each with RUN_TEST
 * from main, and returns TEST_EXIT(): nonzero if any check failed. Checks
 * do not stop the test; each failure prints file:line and what was expected,
 * so one run reports every broken behaviour.
 */
#ifndef WASMGATE_TESTS_TESTUTIL_H
#define WASMGATE_TESTS_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct tu_state {
    int checks;
    int failures;
    int tests;
    int failed_tests;
} tu_state;

static inline tu_state *tu_state_get(void)
{
    static tu_state state;
    return &state;
}

static inline bool tu_check(bool ok, const char *file, int line, const char *what)
{
    tu_state *s = tu_state_get();
    s->checks++;
    if (!ok) {
        s->failures++;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    }
    return ok;
}

static inline bool tu_check_int(long long actual, long long expected, const char *file, int line,
                                const char *expr)
{
    tu_state *s = tu_state_get();
    s->checks++;
    if (actual != expected) {
        s->failures++;
        fprintf(stderr, "%s:%d: check failed: %s == %lld, expected %lld\n", file, line, expr,
                actual, expected);
        return false;
    }
    return true;
}

static inline bool tu_check_contains(const char *haystack, const char *needle, const char *file,
                                     int line)
{
    tu_state *s = tu_state_get();
    s->checks++;
    if (!haystack || !strstr(haystack, needle)) {
        s->failures++;
        fprintf(stderr, "%s:%d: check failed: \"%s\" does not contain \"%s\"\n", file, line,
                haystack ? haystack : "(null)", needle);
        return false;
    }
    return true;
}

static inline bool tu_check_str_eq(const char *actual, const char *expected, const char *file,
                                   int line)
{
    tu_state *s = tu_state_get();
    s->checks++;
    if (!actual || strcmp(actual, expected) != 0) {
        s->failures++;
        fprintf(stderr, "%s:%d: check failed: \"%s\" is not \"%s\"\n", file, line,
                actual ? actual : "(null)", expected);
        return false;
    }
    return true;
}

static inline void tu_run(const char *name, void (*fn)(void))
{
    tu_state *s = tu_state_get();
    int before = s->failures;
    fn();
    s->tests++;
    if (s->failures != before) s->failed_tests++;
    printf("%s %s\n", s->failures == before ? "ok  " : "FAIL", name);
}

static inline int tu_exit(void)
{
    tu_state *s = tu_state_get();
    printf("%d tests, %d checks, %d failed checks in %d tests\n", s->tests, s->checks, s->failures,
           s->failed_tests);
    return s->failures ? 1 : 0;
}

/* CHECK(cond): cond must hold. The *_AT forms take the location of a helper's caller. */
#define CHECK(cond)                tu_check((cond), __FILE__, __LINE__, #cond)
#define CHECK_AT(cond, file, line) tu_check((cond), file, line, #cond)
#define CHECK_EQ(actual, expected) \
    tu_check_int((long long)(actual), (long long)(expected), __FILE__, __LINE__, #actual)
#define CHECK_STR_CONTAINS(s, part)                tu_check_contains((s), (part), __FILE__, __LINE__)
#define CHECK_STR_CONTAINS_AT(s, part, file, line) tu_check_contains((s), (part), file, line)
#define CHECK_STR_EQ(s, expected)                  tu_check_str_eq((s), (expected), __FILE__, __LINE__)
#define RUN_TEST(fn)                               tu_run(#fn, fn)
#define TEST_EXIT()                                tu_exit()

#endif /* WASMGATE_TESTS_TESTUTIL_H */
