/*
 * test_json_reader.c — the SDK's JSON reader and writer (sdk/c, sections 1, 2 and 5 of
 * wasmgate_module.h): lookups, strings, numbers, copying, and robustness against malformed,
 * deeply nested and huge inputs, including a differential mutation test against jansson.
 */
#include "sdk_testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a copy of `text` (len bytes); the copy is kept in *buffer for the doc's lifetime. */
static bool parse_copy(wgm_doc *doc, const char *text, size_t len, char **buffer)
{
    *buffer = malloc(len + 1);
    memcpy(*buffer, text, len);
    (*buffer)[len] = '\0';
    return wgm_parse(doc, *buffer, len);
}

/* Copies the parsed root through the writer; returns the text (caller frees). */
static char *copy_through_writer(const wgm_doc *doc)
{
    wgm_writer w = WGM_WRITER_INIT;
    wgm_write_value(&w, wgm_root(doc));
    char *text = w.failed ? NULL : strdup(wgm_writer_text(&w));
    wgm_writer_free(&w);
    return text;
}

/* True when the SDK's copy of `text` is the same JSON as `text`, per jansson. */
static bool copy_equals_original(const char *text, size_t len)
{
    wgm_doc doc;
    char *buffer;
    bool ok = false;
    if (parse_copy(&doc, text, len, &buffer)) {
        char *copy = copy_through_writer(&doc);
        json_t *a = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        json_t *b = copy ? json_loads(copy, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
        ok = a && b && json_equal(a, b);
        json_decref(a);
        json_decref(b);
        free(copy);
    }
    wgm_doc_free(&doc);
    free(buffer);
    return ok;
}

static void every_fixture_parses_and_copies_exactly(void)
{
    for (const char *const *f = wgt_all_fixtures; *f; f++) {
        size_t len;
        char *text = wgt_read_fixture(*f, &len);
        if (!text) continue;
        if (!CHECK(copy_equals_original(text, len))) fprintf(stderr, "    in %s\n", *f);
        free(text);
    }
}

static void finds_members_elements_paths_and_pointers(void)
{
    char text[] = "{\"a\": {\"b\": [10, {\"c\": \"deep\"}, true]}, \"x/y\": 1, \"m~n\": 2,"
                  " \"app.kubernetes.io/name\": \"web\", \"\": \"empty\"}";
    wgm_doc doc;
    if (!CHECK(wgm_parse(&doc, text, strlen(text)))) return;
    wgm_val root = wgm_root(&doc);
    CHECK_INT(wgm_type_of(root), WGM_OBJECT);
    CHECK_INT(wgm_len(root), 5);
    CHECK_INT(wgm_len(wgm_path(root, "a.b")), 3);
    CHECK_STR(wgm_str(wgm_path(root, "a.b[1].c")), "deep");
    CHECK(wgm_is_true(wgm_path(root, "a.b[2]")));
    CHECK_INT(wgm_type_of(wgm_path(root, "a.b[3]")), WGM_MISSING);
    CHECK_INT(wgm_type_of(wgm_path(root, "a.b[01]")), WGM_MISSING);
    CHECK_INT(wgm_type_of(wgm_path(root, "a.nope.c")), WGM_MISSING);
    CHECK_INT(wgm_type_of(wgm_path(root, "a.b.c")), WGM_MISSING); /* not an object */
    CHECK(wgm_path(root, "").index == root.index);
    CHECK_STR(wgm_str(wgm_get(root, "app.kubernetes.io/name")), "web");
    CHECK_STR(wgm_str(wgm_get(root, "")), "empty");

    CHECK_STR(wgm_str(wgm_pointer(root, "/a/b/1/c")), "deep");
    int64_t n = 0;
    CHECK(wgm_int(wgm_pointer(root, "/x~1y"), &n) && n == 1);
    CHECK(wgm_int(wgm_pointer(root, "/m~0n"), &n) && n == 2);
    CHECK_STR(wgm_str(wgm_pointer(root, "/app.kubernetes.io~1name")), "web");
    CHECK_STR(wgm_str(wgm_pointer(root, "/")), "empty");
    CHECK_INT(wgm_type_of(wgm_pointer(root, "/a/b/01")), WGM_MISSING);
    CHECK_INT(wgm_type_of(wgm_pointer(root, "/a/b/-")), WGM_MISSING);
    CHECK_INT(wgm_type_of(wgm_pointer(root, "/m~2n")), WGM_MISSING);
    CHECK_INT(wgm_type_of(wgm_pointer(root, "a")), WGM_MISSING);
    CHECK(wgm_pointer(root, "").index == root.index);

    /* Iteration gives keys and values in document order. */
    wgm_iter it = wgm_iterate(root);
    wgm_val key, value;
    const char *expected_keys[] = {"a", "x/y", "m~n", "app.kubernetes.io/name", ""};
    size_t count = 0;
    while (wgm_next(&it, &key, &value)) {
        if (count < 5) CHECK_STR(wgm_str(key), expected_keys[count]);
        count++;
    }
    CHECK_INT(count, 5);
    it = wgm_iterate(wgm_path(root, "a.b"));
    CHECK(wgm_next(&it, &key, &value) && wgm_type_of(key) == WGM_MISSING && wgm_int(value, &n) &&
          n == 10);
    /* Nothing to iterate in a scalar or a missing value. */
    it = wgm_iterate(wgm_get(root, "x/y"));
    CHECK(!wgm_next(&it, NULL, NULL));
    it = wgm_iterate(WGM_NONE);
    CHECK(!wgm_next(&it, NULL, NULL));
    wgm_doc_free(&doc);
}

static void missing_values_chain_without_checks(void)
{
    CHECK_INT(wgm_type_of(wgm_get(wgm_get(WGM_NONE, "a"), "b")), WGM_MISSING);
    CHECK(wgm_str(WGM_NONE) == NULL);
    CHECK_STR(wgm_str_or(WGM_NONE, "fallback"), "fallback");
    CHECK(!wgm_exists(WGM_NONE));
    CHECK(!wgm_is_true(WGM_NONE));
    CHECK_INT(wgm_len(WGM_NONE), 0);
    CHECK_INT(wgm_str_len(WGM_NONE), 0);
    CHECK(!wgm_str_eq(WGM_NONE, ""));
    int64_t n;
    bool b;
    double d;
    CHECK(!wgm_int(WGM_NONE, &n) && !wgm_bool(WGM_NONE, &b) && !wgm_double(WGM_NONE, &d));
    CHECK_INT(wgm_type_of(wgm_root(NULL)), WGM_MISSING);
}

static void null_counts_as_absent(void)
{
    char text[] = "{\"object\": null, \"flag\": false}";
    wgm_doc doc;
    if (!CHECK(wgm_parse(&doc, text, strlen(text)))) return;
    wgm_val object = wgm_get(wgm_root(&doc), "object");
    CHECK_INT(wgm_type_of(object), WGM_NULL);
    CHECK(!wgm_exists(object));
    CHECK(wgm_exists(wgm_get(wgm_root(&doc), "flag")));
    bool b = true;
    CHECK(wgm_bool(wgm_get(wgm_root(&doc), "flag"), &b) && !b);
    wgm_doc_free(&doc);
}

static void the_last_duplicate_key_wins(void)
{
    char text[] = "{\"allowed\": true, \"allowed\": false}";
    wgm_doc doc;
    if (!CHECK(wgm_parse(&doc, text, strlen(text)))) return;
    CHECK_INT(wgm_type_of(wgm_get(wgm_root(&doc), "allowed")), WGM_FALSE);
    CHECK_INT(wgm_len(wgm_root(&doc)), 2);
    wgm_doc_free(&doc);
}

static void keys_and_strings_compare_over_their_full_length(void)
{
    char text[] = "{\"admin\\u0000x\": 1, \"s\": \"ab\\u0000cd\"}";
    wgm_doc doc;
    if (!CHECK(wgm_parse(&doc, text, strlen(text)))) return;
    wgm_val root = wgm_root(&doc);
    CHECK_INT(wgm_type_of(wgm_get(root, "admin")), WGM_MISSING);
    CHECK_INT(wgm_type_of(wgm_get_n(root, "admin\0x", 7)), WGM_NUMBER);
    wgm_val s = wgm_get(root, "s");
    CHECK_INT(wgm_str_len(s), 5);
    CHECK_STR(wgm_str(s), "ab"); /* the C view stops at the NUL */
    CHECK(!wgm_str_eq(s, "ab"));
    CHECK(memcmp(wgm_str(s), "ab\0cd", 5) == 0);
    wgm_doc_free(&doc);
}

static void strings_are_unescaped_in_place(void)
{
    char text[] =
        "[\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\", \"\\ud83d\\ude00\","
        " \"\\ud800 lone\", \"\\udc00\", \"\\ud800\\u0041\", \"plain \xc3\xa9\xe2\x82\xac\"]";
    wgm_doc doc;
    if (!CHECK(wgm_parse(&doc, text, strlen(text)))) return;
    wgm_val root = wgm_root(&doc);
    CHECK_STR(wgm_str(wgm_at(root, 0)), "q\" b\\ s/ \b\f\n\r\t");
    CHECK_STR(wgm_str(wgm_at(root, 1)), "\xc3\xa9\xe2\x82\xac");
    CHECK_STR(wgm_str(wgm_at(root, 2)), "\xf0\x9f\x98\x80");
    CHECK_STR(wgm_str(wgm_at(root, 3)), "\xef\xbf\xbd lone"); /* lone surrogate: U+FFFD */
    CHECK_STR(wgm_str(wgm_at(root, 4)), "\xef\xbf\xbd");
    CHECK_STR(wgm_str(wgm_at(root, 5)), "\xef\xbf\xbd"
                                        "A");
    CHECK_STR(wgm_str(wgm_at(root, 6)), "plain \xc3\xa9\xe2\x82\xac");
    /* And the writer escapes them back to equivalent JSON. */
    char *copy = copy_through_writer(&doc);
    CHECK_STR(copy, "[\"q\\\" b\\\\ s/ \\u0008\\u000c\\n\\r\\t\",\"\xc3\xa9\xe2\x82\xac\","
                    "\"\xf0\x9f\x98\x80\",\"\xef\xbf\xbd lone\",\"\xef\xbf\xbd\","
                    "\"\xef\xbf\xbd"
                    "A\",\"plain \xc3\xa9\xe2\x82\xac\"]");
    free(copy);
    wgm_doc_free(&doc);
}

static void numbers_convert_only_when_exact(void)
{
    char text[] = "[0, -0, 42, -17, 9223372036854775807, -9223372036854775808,"
                  " 9223372036854775808, -9223372036854775809, 1.5, 1e3, -2.5E-3,"
                  " 123456789012345678901234567890]";
    wgm_doc doc;
    if (!CHECK(wgm_parse(&doc, text, strlen(text)))) return;
    wgm_val a = wgm_root(&doc);
    int64_t n = -1;
    CHECK(wgm_int(wgm_at(a, 0), &n) && n == 0);
    CHECK(wgm_int(wgm_at(a, 1), &n) && n == 0);
    CHECK(wgm_int(wgm_at(a, 2), &n) && n == 42);
    CHECK(wgm_int(wgm_at(a, 3), &n) && n == -17);
    CHECK(wgm_int(wgm_at(a, 4), &n) && n == INT64_MAX);
    CHECK(wgm_int(wgm_at(a, 5), &n) && n == INT64_MIN);
    CHECK(!wgm_int(wgm_at(a, 6), &n));
    CHECK(!wgm_int(wgm_at(a, 7), &n));
    CHECK(!wgm_int(wgm_at(a, 8), &n));
    CHECK(!wgm_int(wgm_at(a, 9), &n)); /* 1e3 is a number, but not written as an integer */
    double d = 0;
    CHECK(wgm_double(wgm_at(a, 8), &d) && d == 1.5);
    CHECK(wgm_double(wgm_at(a, 9), &d) && d == 1000.0);
    CHECK(wgm_double(wgm_at(a, 10), &d) && d == -2.5e-3);
    CHECK(wgm_double(wgm_at(a, 11), &d) && d > 1.2e29 && d < 1.3e29);
    CHECK(!wgm_int(wgm_at(a, 11), &n));
    size_t len = 0;
    const char *number = wgm_number_text(wgm_at(a, 10), &len);
    CHECK(number && len == 7 && memcmp(number, "-2.5E-3", 7) == 0);
    CHECK(wgm_number_text(wgm_root(&doc), &len) == NULL);
    /* Numbers are copied as written (1e3 stays 1e3, integers stay integers). */
    char *copy = copy_through_writer(&doc);
    CHECK_CONTAINS(copy, ",1e3,-2.5E-3,123456789012345678901234567890]");
    free(copy);
    wgm_doc_free(&doc);
}

/* Each malformed text and where the parser must say the problem is. */
static void malformed_json_is_rejected_with_the_offset(void)
{
    static const struct {
        const char *text;
        const char *error;
    } cases[] = {
        {"", "offset 0: value expected"},
        {"   ", "offset 3: value expected"},
        {"{", "offset 1: object key"},
        {"[", "offset 1: value expected"},
        {"[1,]", "offset 3: value expected"},
        {"[1 2]", "offset 3: ',' or ']' expected"},
        {"{\"a\"}", "offset 4: ':' expected"},
        {"{\"a\":}", "offset 5: value expected"},
        {"{\"a\":1,}", "offset 7: object key"},
        {"{,}", "offset 1: object key"},
        {"{1:2}", "offset 1: object key"},
        {"{\"a\":1]", "offset 6: ',' or '}' expected"},
        {"[1}", "offset 2: ',' or ']' expected"},
        {"01", "offset 1: unexpected text"},
        {"1.", "offset 2: digit expected after '.'"},
        {"-", "offset 0: invalid number"},
        {"1e", "offset 2: digit expected in exponent"},
        {"+1", "offset 0: value expected"},
        {".5", "offset 0: value expected"},
        {"tru", "offset 0: invalid literal"},
        {"nul", "offset 0: invalid literal"},
        {"True", "offset 0: value expected"},
        {"NaN", "offset 0: value expected"},
        {"'a'", "offset 0: value expected"},
        {"\"abc", "offset 0: unterminated string"},
        {"\"ab\\", "offset 3: unterminated string"},
        {"\"\\x\"", "offset 1: invalid escape"},
        {"\"\\u12\"", "offset 1: invalid \\u escape"},
        {"\"\\u12G4\"", "offset 1: invalid \\u escape"},
        {"\"a\tb\"", "offset 2: control character"},
        {"\"\xff\"", "offset 1: invalid UTF-8"},
        {"\"\xc0\xaf\"", "offset 1: invalid UTF-8"},         /* overlong '/' */
        {"\"\xed\xa0\x80\"", "offset 1: invalid UTF-8"},     /* a surrogate */
        {"\"\xf4\x90\x80\x80\"", "offset 1: invalid UTF-8"}, /* past U+10FFFF */
        {"\"\xe2\x82\"", "offset 1: invalid UTF-8"},         /* truncated */
        {"{} x", "offset 3: unexpected text"},
        {"[] []", "offset 3: unexpected text"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wgm_doc doc;
        char *buffer;
        bool ok = parse_copy(&doc, cases[i].text, strlen(cases[i].text), &buffer);
        if (!CHECK(!ok)) {
            fprintf(stderr, "    accepted: %s\n", cases[i].text);
        } else if (!CHECK(strstr(doc.error, cases[i].error) == doc.error)) {
            fprintf(stderr, "    %s: got \"%s\", expected \"%s\"\n", cases[i].text, doc.error,
                    cases[i].error);
        }
        CHECK(doc.tokens == NULL && doc.count == 0); /* nothing left to free */
        wgm_doc_free(&doc);
        free(buffer);
    }
    /* A NUL byte inside the text is just a bad character, not an end. */
    char with_nul[] = "{\"a\":\0}";
    wgm_doc doc;
    CHECK(!wgm_parse(&doc, with_nul, sizeof with_nul - 1));
    wgm_doc_free(&doc);
}

static void every_prefix_of_a_review_is_rejected(void)
{
    size_t len;
    char *text = wgt_read_fixture("admission/pod-create.json", &len);
    if (!text) return;
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
        len--;
    for (size_t n = 0; n < len; n++) {
        wgm_doc doc;
        char *buffer;
        if (!CHECK(!parse_copy(&doc, text, n, &buffer))) fprintf(stderr, "    prefix %zu\n", n);
        wgm_doc_free(&doc);
        free(buffer);
    }
    free(text);
}

/* Builds `depth` nested openers, a value, and the closers. */
static char *nested(size_t depth, bool objects, bool closed, size_t *len)
{
    const char *open = objects ? "{\"k\":" : "[";
    size_t open_len = strlen(open);
    char *text = malloc(depth * (open_len + 1) + 2);
    size_t n = 0;
    for (size_t i = 0; i < depth; i++, n += open_len)
        memcpy(text + n, open, open_len);
    text[n++] = '1';
    if (closed)
        for (size_t i = 0; i < depth; i++)
            text[n++] = objects ? '}' : ']';
    text[n] = '\0';
    *len = n;
    return text;
}

static void deep_nesting_needs_no_stack(void)
{
    for (int objects = 0; objects < 2; objects++) {
        size_t len, depth = 1000000;
        char *text = nested(depth, objects, true, &len);
        char *original = strdup(text);
        wgm_doc doc;
        if (CHECK(wgm_parse(&doc, text, len))) {
            CHECK_INT(doc.count, objects ? 2 * depth + 1 : depth + 1);
            /* Copying is iterative too, and gives back the same text. */
            char *copy = copy_through_writer(&doc);
            CHECK(copy && strcmp(copy, original) == 0);
            free(copy);
            /* Walking down reaches the innermost value. */
            wgm_val v = wgm_root(&doc);
            for (size_t i = 0; i < depth; i++)
                v = objects ? wgm_get(v, "k") : wgm_at(v, 0);
            int64_t one = 0;
            CHECK(wgm_int(v, &one) && one == 1);
        }
        wgm_doc_free(&doc);
        free(original);
        free(text);
        /* Unclosed: an error, not a crash. */
        text = nested(depth, objects, false, &len);
        CHECK(!wgm_parse(&doc, text, len));
        CHECK(strstr(doc.error, objects ? "',' or '}' expected" : "',' or ']' expected"));
        free(text);
    }
}

static void huge_strings_and_arrays_are_handled(void)
{
    /* An 8 MiB string with escapes scattered through it. */
    size_t n = 8u << 20;
    char *text = malloc(n + 3);
    text[0] = '"';
    for (size_t i = 1; i <= n; i++)
        text[i] = (i % 1000 == 0) ? '\\' : (i % 1000 == 1 && i > 1) ? 'n' : 'x';
    text[n + 1] = '"';
    text[n + 2] = '\0';
    wgm_doc doc;
    if (CHECK(wgm_parse(&doc, text, n + 2))) {
        size_t escapes = (n) / 1000;
        CHECK_INT(wgm_str_len(wgm_root(&doc)), n - escapes);
        CHECK(wgm_str(wgm_root(&doc))[999] == '\n');
    }
    wgm_doc_free(&doc);
    free(text);

    /* 500 000 elements. */
    size_t count = 500000;
    text = malloc(count * 2 + 2);
    size_t len = 0;
    text[len++] = '[';
    for (size_t i = 0; i < count; i++) {
        text[len++] = '7';
        text[len++] = i + 1 < count ? ',' : ']';
    }
    text[len] = '\0';
    if (CHECK(wgm_parse(&doc, text, len))) {
        CHECK_INT(wgm_len(wgm_root(&doc)), count);
        int64_t v = 0;
        CHECK(wgm_int(wgm_at(wgm_root(&doc), count - 1), &v) && v == 7);
    }
    wgm_doc_free(&doc);
    free(text);
}

/* ---- Differential mutation test against jansson --------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rng(void)
{
    /* xorshift64*: deterministic, so a failure is reproducible. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

/* Applies one random edit to text (len bytes, capacity cap); returns the new length. */
static size_t mutate(char *text, size_t len, size_t cap)
{
    static const char alphabet[] = "{}[]\":,\\ 0123456789.eE+-tfnul\x01\x7f\x80\xc3\xa9\xff\x00u";
    size_t at = len ? rng() % len : 0;
    switch (rng() % 6) {
    case 0: /* replace a byte */
        if (len) text[at] = alphabet[rng() % (sizeof alphabet - 1)];
        return len;
    case 1: /* delete a byte */
        if (len) memmove(text + at, text + at + 1, len - at - 1);
        return len ? len - 1 : 0;
    case 2: /* insert a byte */
        if (len + 1 >= cap) return len;
        memmove(text + at + 1, text + at, len - at);
        text[at] = alphabet[rng() % (sizeof alphabet - 1)];
        return len + 1;
    case 3: /* truncate */ return at;
    case 4: { /* duplicate a chunk */
        size_t chunk = rng() % 32;
        if (at + chunk > len || len + chunk >= cap) return len;
        memmove(text + at + chunk, text + at, len - at);
        return len + chunk;
    }
    default: /* swap two bytes */
        if (len) {
            size_t other = rng() % len;
            char c = text[at];
            text[at] = text[other];
            text[other] = c;
        }
        return len;
    }
}

/* jansson refuses a few things the SDK accepts on purpose: integers past 64 bits (the SDK
 * keeps number text as written) and lone UTF-16 surrogates (the SDK decodes U+FFFD, like
 * Go). Those are the only disagreements allowed. */
static bool known_difference(const char *jansson_error)
{
    return strstr(jansson_error, "too big") || strstr(jansson_error, "overflow") ||
           strstr(jansson_error, "invalid Unicode") || strstr(jansson_error, "surrogate");
}

static void random_mutations_agree_with_jansson(void)
{
    const char *sources[] = {"admission/pod-privileged-create.json",
                             "authorization/sar-v1-resource.json",
                             "authentication/tokenreview-v1.json"};
    size_t iterations = 0, accepted = 0;
    for (size_t s = 0; s < 3; s++) {
        size_t len;
        char *original = wgt_read_fixture(sources[s], &len);
        if (!original) continue;
        size_t cap = len + 4096;
        char *text = malloc(cap);
        for (int round = 0; round < 4000; round++) {
            memcpy(text, original, len);
            size_t n = len;
            int edits = 1 + (int)(rng() % 4);
            for (int e = 0; e < edits; e++)
                n = mutate(text, n, cap);
            json_error_t jerr;
            json_t *theirs = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
            wgm_doc doc;
            char *buffer;
            bool ours = parse_copy(&doc, text, n, &buffer);
            iterations++;
            if (ours != (theirs != NULL) && !(ours && known_difference(jerr.text))) {
                CHECK(ours == (theirs != NULL));
                fprintf(stderr, "    %s: SDK %s, jansson %s (%s): %.*s\n", sources[s],
                        ours ? "accepts" : doc.error, theirs ? "accepts" : "rejects", jerr.text,
                        (int)(n < 200 ? n : 200), text);
            } else if (ours && theirs) {
                accepted++;
                char *copy = copy_through_writer(&doc);
                json_t *again =
                    copy ? json_loads(copy, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
                if (!CHECK(again && json_equal(again, theirs)))
                    fprintf(stderr, "    copy differs: %.200s\n", copy ? copy : "(none)");
                json_decref(again);
                free(copy);
            }
            json_decref(theirs);
            wgm_doc_free(&doc);
            free(buffer);
        }
        free(text);
        free(original);
    }
    CHECK(iterations == 12000);
    CHECK(accepted > 100); /* the test did compare some accepted documents */
}

/* ---- Writer -------------------------------------------------------------------------- */

static void the_writer_escapes_and_places_commas(void)
{
    wgm_writer w = WGM_WRITER_INIT;
    wgm_write_object_begin(&w);
    wgm_write_key(&w, "s");
    wgm_write_string(&w, "a\"b\\c\x01\n\t\x7f\xc3\xa9");
    wgm_write_key(&w, "bad utf-8");
    wgm_write_string(&w, "x\xff\xc0\xafy");
    wgm_write_key(&w, "nul");
    wgm_write_string_n(&w, "a\0b", 3);
    wgm_write_key(&w, "ints");
    wgm_write_array_begin(&w);
    wgm_write_int(&w, 0);
    wgm_write_int(&w, -1);
    wgm_write_int(&w, INT64_MAX);
    wgm_write_int(&w, INT64_MIN);
    wgm_write_array_end(&w);
    wgm_write_key(&w, "lits");
    wgm_write_array_begin(&w);
    wgm_write_bool(&w, true);
    wgm_write_bool(&w, false);
    wgm_write_null(&w);
    wgm_write_string(&w, NULL);
    wgm_write_array_begin(&w);
    wgm_write_array_end(&w);
    wgm_write_object_begin(&w);
    wgm_write_object_end(&w);
    wgm_write_raw(&w, "{\"r\":1}", 7);
    wgm_write_value(&w, WGM_NONE);
    wgm_write_array_end(&w);
    wgm_write_object_end(&w);
    CHECK_STR(wgm_writer_text(&w),
              "{\"s\":\"a\\\"b\\\\c\\u0001\\n\\t\x7f\xc3\xa9\",\"bad utf-8\":\"x\xef\xbf\xbd"
              "\xef\xbf\xbd\xef\xbf\xbdy\",\"nul\":\"a\\u0000b\",\"ints\":[0,-1,"
              "9223372036854775807,-9223372036854775808],\"lits\":[true,false,null,null,[],{},"
              "{\"r\":1},null]}");
    json_t *parsed = json_loads(wgm_writer_text(&w), JSON_ALLOW_NUL, NULL);
    CHECK(parsed != NULL);
    json_decref(parsed);
    wgm_writer_free(&w);
    /* An empty writer is the empty text. */
    CHECK_STR(wgm_writer_text(&w), "");
    wgm_writer_free(&w);
}

static void base64_and_json_pointers(void)
{
    static const char *const vectors[][2] = {{"", ""},
                                             {"f", "Zg=="},
                                             {"fo", "Zm8="},
                                             {"foo", "Zm9v"},
                                             {"foob", "Zm9vYg=="},
                                             {"fooba", "Zm9vYmE="},
                                             {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char out[16];
        size_t n = wgm_base64_encode(vectors[i][0], strlen(vectors[i][0]), out, sizeof out);
        CHECK_STR(out, vectors[i][1]);
        CHECK_INT(n, strlen(vectors[i][1]));
    }
    char small[4];
    CHECK_INT(wgm_base64_encode("foo", 3, small, sizeof small), 0); /* needs 5 bytes */
    unsigned char bytes[256];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)i;
    char encoded[WGM_BASE64_SIZE(256)];
    size_t n = wgm_base64_encode(bytes, sizeof bytes, encoded, sizeof encoded);
    size_t decoded_len;
    unsigned char *decoded = wgk8s_base64_decode(encoded, n, &decoded_len, NULL, 0);
    CHECK(decoded && decoded_len == 256 && memcmp(decoded, bytes, 256) == 0);
    free(decoded);

    char pointer[32] = "/metadata";
    CHECK(wgm_pointer_append(pointer, sizeof pointer, "labels"));
    CHECK(wgm_pointer_append(pointer, sizeof pointer, "a/b~c"));
    CHECK_STR(pointer, "/metadata/labels/a~1b~0c");
    CHECK(!wgm_pointer_append(pointer, sizeof pointer, "too-long-to-fit-here"));
    CHECK_STR(pointer, "/metadata/labels/a~1b~0c"); /* unchanged */
    char indexed[16] = "";
    CHECK(wgm_pointer_append_index(indexed, sizeof indexed, 12));
    CHECK_STR(indexed, "/12");
}

int main(void)
{
    RUN(every_fixture_parses_and_copies_exactly);
    RUN(finds_members_elements_paths_and_pointers);
    RUN(missing_values_chain_without_checks);
    RUN(null_counts_as_absent);
    RUN(the_last_duplicate_key_wins);
    RUN(keys_and_strings_compare_over_their_full_length);
    RUN(strings_are_unescaped_in_place);
    RUN(numbers_convert_only_when_exact);
    RUN(malformed_json_is_rejected_with_the_offset);
    RUN(every_prefix_of_a_review_is_rejected);
    RUN(deep_nesting_needs_no_stack);
    RUN(huge_strings_and_arrays_are_handled);
    RUN(random_mutations_agree_with_jansson);
    RUN(the_writer_escapes_and_places_commas);
    RUN(base64_and_json_pointers);
    return wgt_finish();
}
