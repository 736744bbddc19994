/*
 * wgtest_json.c — the JSON helpers behind wgtest_json.h.
 */
#include "wgtest_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool wgt_check_json(const json_t *actual, const char *expected, const char *expr, const char *file,
                    int line)
{
    json_error_t jerr;
    json_t *want = json_loads(expected, JSON_DECODE_ANY, &jerr);
    if (!want) {
        fprintf(stderr, "%s:%d: the expected JSON for %s is not JSON: %s\n", file, line, expr,
                jerr.text);
        return wgt_record(false);
    }
    bool ok = actual && json_equal(actual, want);
    if (!ok) {
        size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS;
        char *got = actual ? json_dumps(actual, flags) : NULL;
        char *exp = json_dumps(want, flags);
        fprintf(stderr, "%s:%d: check failed: %s is %s, expected %s\n", file, line, expr,
                got ? got : "NULL", exp ? exp : expected);
        free(got);
        free(exp);
    }
    json_decref(want);
    return wgt_record(ok);
}

json_t *wgt_json(const char *text)
{
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (!v) {
        fprintf(stderr, "  bad test JSON (%s): %s\n", jerr.text, text);
        wgt_check(false, "test JSON parses", __FILE__, __LINE__);
    }
    return v;
}

json_t *wgt_fixture_json(const char *relpath)
{
    size_t len;
    char *text = wgt_read_fixture(relpath, &len);
    if (!text) return NULL;
    json_error_t jerr;
    json_t *v = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!v) wgt_check(false, "fixture is JSON", relpath, jerr.line);
    return v;
}

json_t *wgt_get(const json_t *root, const char *path)
{
    const json_t *v = root;
    const char *p = path;
    while (v && *p) {
        if (*p == '[') {
            char *end;
            size_t index = strtoul(p + 1, &end, 10);
            v = json_array_get(v, index);
            p = *end == ']' ? end + 1 : end;
        } else {
            size_t n = strcspn(p, ".[");
            char key[256];
            if (n >= sizeof key) return NULL;
            memcpy(key, p, n);
            key[n] = '\0';
            v = json_object_get(v, key);
            p += n;
        }
        if (*p == '.') p++;
    }
    return (json_t *)v;
}

const char *wgt_get_str(const json_t *root, const char *path)
{
    return json_string_value(wgt_get(root, path));
}
