/*
 * json_patch.c — JSON Pointer (RFC 6901), value equality and JSON Patch application
 * (RFC 6902).
 *
 * Patches arrive from modules (k8s-wasm "JSONPatch" mutations), so every operation is
 * checked and a failure names the operation's index, op and path. Application works on a
 * deep copy of the document, which makes it atomic: a patch that fails half-way leaves the
 * caller's document exactly as it was, as RFC 6902 section 5 requires.
 */
#include "k8s_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON Pointer ---- */

/* A parsed pointer: tokens decoded ("~1" -> "/", "~0" -> "~"), stored one after another
 * in `storage`, each NUL-terminated. `text` is the pointer as written, for messages. */
typedef struct pointer {
    const char *text;
    char *storage;
    char **tokens;
    size_t count;
} pointer;

static void pointer_free(pointer *p)
{
    free(p->storage);
    free(p->tokens);
    memset(p, 0, sizeof *p);
}

/* Parses text into p. Fails with a message for a pointer not starting with "/" (other than
 * the empty pointer) and for "~" not followed by 0 or 1. */
static bool pointer_parse(const char *text, pointer *p, char *err, size_t errsz)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    if (*text == '\0') return true;
    if (*text != '/') {
        wgk8s_seterr(err, errsz, "invalid JSON pointer \"%s\": must be empty or start with '/'",
                     text);
        return false;
    }
    size_t len = strlen(text);
    size_t count = 0;
    for (const char *c = text; *c; c++)
        if (*c == '/') count++;
    p->storage = malloc(len + 1);
    p->tokens = malloc(count * sizeof *p->tokens);
    if (!p->storage || !p->tokens) {
        pointer_free(p);
        wgk8s_seterr(err, errsz, "out of memory");
        return false;
    }
    char *o = p->storage;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '/') {
            if (p->count) *o++ = '\0';
            p->tokens[p->count++] = o;
        } else if (c == '~') {
            char next = text[i + 1];
            if (next != '0' && next != '1') {
                wgk8s_seterr(err, errsz,
                             "invalid JSON pointer \"%s\": '~' at offset %zu must be followed "
                             "by 0 or 1",
                             text, i);
                pointer_free(p);
                return false;
            }
            *o++ = next == '0' ? '~' : '/';
            i++;
        } else {
            *o++ = c;
        }
    }
    *o = '\0';
    return true;
}

/* Writes the pointer made of the first n tokens of p (re-escaped) into out. */
static void pointer_prefix(const pointer *p, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    if (!outsz) return;
    for (size_t i = 0; i < n && o + 1 < outsz; i++) {
        out[o++] = '/';
        for (const char *c = p->tokens[i]; *c && o + 1 < outsz; c++) {
            if (*c == '~' || *c == '/') {
                if (o + 2 >= outsz) break;
                out[o++] = '~';
                out[o++] = *c == '~' ? '0' : '1';
            } else {
                out[o++] = *c;
            }
        }
    }
    out[o] = '\0';
}

/* An array index token: "0" or a digit string without leading zeros that fits size_t.
 * Returns 1 for an index, 0 for "-" (past the end), -1 for anything else. */
static int parse_index(const char *tok, size_t *out)
{
    if (strcmp(tok, "-") == 0) return 0;
    if (!*tok || (tok[0] == '0' && tok[1])) return -1;
    size_t v = 0;
    for (const char *c = tok; *c; c++) {
        if (*c < '0' || *c > '9') return -1;
        size_t d = (size_t)(*c - '0');
        if (v > ((size_t)-1 - d) / 10) return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* Follows the first n tokens of p from root. Returns the value reached (borrowed), or
 * NULL with a message naming the pointer prefix that does not exist. */
static json_t *pointer_walk(json_t *root, const pointer *p, size_t n, char *err, size_t errsz)
{
    json_t *cur = root;
    for (size_t i = 0; i < n; i++) {
        const char *tok = p->tokens[i];
        char where[WGK8S_PATH_MAX];
        json_t *next = NULL;
        if (json_is_object(cur)) {
            next = json_object_get(cur, tok);
            if (!next) {
                pointer_prefix(p, i + 1, where, sizeof where);
                wgk8s_seterr(err, errsz, "%s does not exist (no member \"%s\")", where, tok);
                return NULL;
            }
        } else if (json_is_array(cur)) {
            size_t idx;
            int kind = parse_index(tok, &idx);
            pointer_prefix(p, i + 1, where, sizeof where);
            if (kind <= 0) {
                wgk8s_seterr(err, errsz, "%s does not exist (%s)", where,
                             kind == 0 ? "\"-\" is past the end of the array"
                                       : "not an array index");
                return NULL;
            }
            if (idx >= json_array_size(cur)) {
                wgk8s_seterr(err, errsz,
                             "%s does not exist (index %zu out of range, array has %zu elements)",
                             where, idx, json_array_size(cur));
                return NULL;
            }
            next = json_array_get(cur, idx);
        } else {
            pointer_prefix(p, i, where, sizeof where);
            wgk8s_seterr(err, errsz, "%s is a %s, which has no member \"%s\"",
                         *where ? where : "the document", wgk8s_type_name(cur), tok);
            return NULL;
        }
        cur = next;
    }
    return cur;
}

bool wgk8s_buf_pointer_token(wgk8s_buf *b, const char *token)
{
    for (const char *c = token; *c; c++) {
        if (*c == '~')
            wgk8s_buf_append(b, "~0", 2);
        else if (*c == '/')
            wgk8s_buf_append(b, "~1", 2);
        else
            wgk8s_buf_append(b, c, 1);
    }
    return !b->failed;
}

char *wgk8s_json_pointer_escape(const char *token)
{
    wgk8s_buf b = {0};
    wgk8s_buf_pointer_token(&b, token);
    return wgk8s_buf_take(&b, NULL);
}

json_t *wgk8s_json_pointer_get(const json_t *doc, const char *text, char *err, size_t errsz)
{
    pointer p;
    if (!doc || !text) {
        wgk8s_seterr(err, errsz, "no document or pointer");
        return NULL;
    }
    if (!pointer_parse(text, &p, err, errsz)) return NULL;
    json_t *v = pointer_walk(wgk8s_unconst(doc), &p, p.count, err, errsz);
    pointer_free(&p);
    return v;
}

/* ---- Equality ---- */

bool wgk8s_json_equal(const json_t *a, const json_t *b)
{
    if (a == b) return true;
    if (!a || !b) return false;
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b)) return false;
    switch (json_typeof(a)) {
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b)) return false;
        const char *key;
        json_t *va;
        json_object_foreach(wgk8s_unconst(a), key, va)
        {
            if (!wgk8s_json_equal(va, json_object_get(b, key))) return false;
        }
        return true;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b)) return false;
        for (size_t i = 0; i < n; i++)
            if (!wgk8s_json_equal(json_array_get(a, i), json_array_get(b, i))) return false;
        return true;
    }
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    default: return true; /* true, false, null: the type is the value */
    }
}

/* ---- Patch operations ----
 *
 * Each takes the document root by reference (an operation on the empty pointer replaces
 * the root), a parsed pointer, and writes a message without the "patch[i] (...)" context,
 * which the caller adds. Values passed in are owned references that the operation takes
 * over, success or not. */

static bool op_add(json_t **root, const pointer *p, json_t *value, char *err, size_t errsz)
{
    if (p->count == 0) {
        json_decref(*root);
        *root = value;
        return true;
    }
    json_t *parent = pointer_walk(*root, p, p->count - 1, err, errsz);
    const char *last = p->tokens[p->count - 1];
    char where[WGK8S_PATH_MAX];
    if (parent && json_is_object(parent)) {
        if (json_object_set_new(parent, last, value) == 0) return true;
        wgk8s_seterr(err, errsz, "cannot set member \"%s\" (out of memory?)", last);
        return false;
    }
    if (parent && json_is_array(parent)) {
        size_t idx, size = json_array_size(parent);
        int kind = parse_index(last, &idx);
        if (kind < 0) {
            wgk8s_seterr(err, errsz, "\"%s\" is not an array index", last);
        } else if (kind == 0 || idx == size) {
            if (json_array_append_new(parent, value) == 0) return true;
            wgk8s_seterr(err, errsz, "out of memory");
            return false;
        } else if (idx > size) {
            wgk8s_seterr(err, errsz, "index %zu out of range (array has %zu elements)", idx, size);
        } else {
            if (json_array_insert_new(parent, idx, value) == 0) return true;
            wgk8s_seterr(err, errsz, "out of memory");
            return false;
        }
    } else if (parent) {
        pointer_prefix(p, p->count - 1, where, sizeof where);
        wgk8s_seterr(err, errsz, "%s is a %s, not an object or array",
                     *where ? where : "the document", wgk8s_type_name(parent));
    }
    json_decref(value);
    return false;
}

/* Removes the value at p; when removed is not NULL it receives a reference to it. */
static bool op_remove(json_t **root, const pointer *p, json_t **removed, char *err, size_t errsz)
{
    if (p->count == 0) {
        wgk8s_seterr(err, errsz, "cannot remove the whole document");
        return false;
    }
    json_t *parent = pointer_walk(*root, p, p->count - 1, err, errsz);
    if (!parent) return false;
    const char *last = p->tokens[p->count - 1];
    char where[WGK8S_PATH_MAX];
    pointer_prefix(p, p->count, where, sizeof where);
    if (json_is_object(parent)) {
        json_t *v = json_object_get(parent, last);
        if (!v) {
            wgk8s_seterr(err, errsz, "%s does not exist (no member \"%s\")", where, last);
            return false;
        }
        if (removed) *removed = json_incref(v);
        json_object_del(parent, last);
        return true;
    }
    if (json_is_array(parent)) {
        size_t idx;
        int kind = parse_index(last, &idx);
        if (kind <= 0) {
            wgk8s_seterr(err, errsz, "%s does not exist (%s)", where,
                         kind == 0 ? "\"-\" is past the end of the array" : "not an array index");
            return false;
        }
        if (idx >= json_array_size(parent)) {
            wgk8s_seterr(err, errsz,
                         "%s does not exist (index %zu out of range, array has %zu elements)",
                         where, idx, json_array_size(parent));
            return false;
        }
        if (removed) *removed = json_incref(json_array_get(parent, idx));
        json_array_remove(parent, idx);
        return true;
    }
    pointer_prefix(p, p->count - 1, where, sizeof where);
    wgk8s_seterr(err, errsz, "%s is a %s, not an object or array", *where ? where : "the document",
                 wgk8s_type_name(parent));
    return false;
}

static bool op_replace(json_t **root, const pointer *p, json_t *value, char *err, size_t errsz)
{
    if (p->count == 0) {
        json_decref(*root);
        *root = value;
        return true;
    }
    /* The target must exist; walking all the way checks that with the usual messages. */
    if (!pointer_walk(*root, p, p->count, err, errsz)) {
        json_decref(value);
        return false;
    }
    json_t *parent = pointer_walk(*root, p, p->count - 1, err, errsz);
    const char *last = p->tokens[p->count - 1];
    int rc;
    if (json_is_object(parent)) {
        rc = json_object_set_new(parent, last, value);
    } else {
        size_t idx = 0;
        parse_index(last, &idx); /* valid: the walk above succeeded */
        rc = json_array_set_new(parent, idx, value);
    }
    if (rc != 0) wgk8s_seterr(err, errsz, "out of memory");
    return rc == 0;
}

/* The "value" member of an operation; JSON null is a value here, not an absence. */
static json_t *op_value(const json_t *op, char *err, size_t errsz)
{
    json_t *v = json_object_get(op, "value");
    if (!v) {
        wgk8s_seterr(err, errsz, "missing \"value\"");
        return NULL;
    }
    json_t *copy = json_deep_copy(v);
    if (!copy) wgk8s_seterr(err, errsz, "out of memory");
    return copy;
}

static bool op_from(const json_t *op, pointer *from, char *err, size_t errsz)
{
    json_t *f = json_object_get(op, "from");
    if (!json_is_string(f)) {
        if (f)
            wgk8s_seterr(err, errsz, "\"from\" must be a string, got %s", wgk8s_type_name(f));
        else
            wgk8s_seterr(err, errsz, "missing \"from\"");
        return false;
    }
    return pointer_parse(json_string_value(f), from, err, errsz);
}

/* Short, single-line rendering of a value for a failed "test" message. */
static void describe_value(const json_t *v, char *out, size_t outsz)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!s) {
        snprintf(out, outsz, "a %s", wgk8s_type_name(v));
        return;
    }
    if (strlen(s) > 60)
        snprintf(out, outsz, "%.57s...", s);
    else
        snprintf(out, outsz, "%s", s);
    free(s);
}

static bool apply_one(json_t **root, const json_t *op, size_t index, char *err, size_t errsz)
{
    char ctx[WGK8S_PATH_MAX + 64];
    snprintf(ctx, sizeof ctx, "patch[%zu]", index);
    if (!json_is_object(op)) {
        wgk8s_seterr(err, errsz, "%s: must be an object, got %s", ctx, wgk8s_type_name(op));
        return false;
    }
    const char *name, *path;
    if (!wgk8s_member_string(op, ctx, "op", WGK8S_REQUIRED, &name, err, errsz) ||
        !wgk8s_member_string(op, ctx, "path", WGK8S_REQUIRED, &path, err, errsz))
        return false;
    snprintf(ctx, sizeof ctx, "patch[%zu] (%s %s)", index, name, path);

    pointer p, from = {0};
    if (!pointer_parse(path, &p, err, errsz)) {
        wgk8s_prefix_err(err, errsz, "%s", ctx);
        return false;
    }
    bool ok = false;
    json_t *value = NULL;
    if (strcmp(name, "add") == 0) {
        ok = (value = op_value(op, err, errsz)) && op_add(root, &p, value, err, errsz);
    } else if (strcmp(name, "remove") == 0) {
        ok = op_remove(root, &p, NULL, err, errsz);
    } else if (strcmp(name, "replace") == 0) {
        ok = (value = op_value(op, err, errsz)) && op_replace(root, &p, value, err, errsz);
    } else if (strcmp(name, "move") == 0) {
        if (op_from(op, &from, err, errsz)) {
            size_t flen = strlen(from.text);
            if (strcmp(from.text, path) == 0) {
                ok = pointer_walk(*root, &from, from.count, err, errsz) != NULL;
            } else if (strncmp(path, from.text, flen) == 0 && path[flen] == '/') {
                wgk8s_seterr(err, errsz, "cannot move %s into its own child",
                             flen ? from.text : "the document");
            } else {
                ok = op_remove(root, &from, &value, err, errsz) &&
                     op_add(root, &p, value, err, errsz);
            }
        }
    } else if (strcmp(name, "copy") == 0) {
        if (op_from(op, &from, err, errsz)) {
            json_t *src = pointer_walk(*root, &from, from.count, err, errsz);
            if (src) {
                value = json_deep_copy(src);
                if (!value)
                    wgk8s_seterr(err, errsz, "out of memory");
                else
                    ok = op_add(root, &p, value, err, errsz);
            }
        }
    } else if (strcmp(name, "test") == 0) {
        json_t *want = json_object_get(op, "value");
        json_t *have = pointer_walk(*root, &p, p.count, err, errsz);
        if (!want) {
            wgk8s_seterr(err, errsz, "missing \"value\"");
        } else if (have) {
            ok = wgk8s_json_equal(have, want);
            if (!ok) {
                char h[80], w[80];
                describe_value(have, h, sizeof h);
                describe_value(want, w, sizeof w);
                wgk8s_seterr(err, errsz, "test failed: value is %s, expected %s", h, w);
            }
        }
    } else {
        wgk8s_seterr(err, errsz,
                     "unknown op \"%s\" (want add, remove, replace, move, copy or test)", name);
    }
    pointer_free(&p);
    pointer_free(&from);
    if (!ok) wgk8s_prefix_err(err, errsz, "%s", ctx);
    return ok;
}

json_t *wgk8s_json_patch_apply(const json_t *doc, const json_t *patch, char *err, size_t errsz)
{
    if (!doc) {
        wgk8s_seterr(err, errsz, "patch: no document to apply it to");
        return NULL;
    }
    if (!json_is_array(patch)) {
        wgk8s_seterr(err, errsz, "patch: must be a JSON array, got %s", wgk8s_type_name(patch));
        return NULL;
    }
    json_t *root = json_deep_copy(doc);
    if (!root) {
        wgk8s_seterr(err, errsz, "patch: out of memory");
        return NULL;
    }
    size_t i;
    json_t *op;
    json_array_foreach(patch, i, op)
    {
        if (!apply_one(&root, op, i, err, errsz)) {
            json_decref(root);
            return NULL;
        }
    }
    return root;
}
