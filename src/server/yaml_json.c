/*
 * yaml_json.c — libyaml document nodes to jansson values (see yaml_json.h).
 *
 * Must not know about the configuration's schema: config.c decides what a node means.
 */
#include "yaml_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on a converted value: deep nesting would overflow the C stack, and aliases can make
 * a small document describe an enormous tree. Real settings are far below both. */
#define MAX_DEPTH 64
#define MAX_NODES 200000

static bool is_quoted(const yaml_node_t *node)
{
    return node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
           node->data.scalar.style != YAML_ANY_SCALAR_STYLE;
}

static bool text_in(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0) return true;
    return false;
}

/* YAML 1.2 core schema integers: decimal with optional sign, 0o octal, 0x hex. */
static bool looks_int(const char *s)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o') && s[2]) {
        const char *digits = s[1] == 'x' ? "0123456789abcdefABCDEF" : "01234567";
        for (const char *p = s + 2; *p; p++)
            if (!strchr(digits, *p)) return false;
        return true;
    }
    if (*s == '-' || *s == '+') s++;
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

static bool looks_float(const char *s)
{
    static const char *const special[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf",
                                          "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
                                          ".NaN",  ".NAN",  NULL};
    if (text_in(s, special)) return true;
    if (*s == '-' || *s == '+') s++;
    bool digits = false;
    while (*s >= '0' && *s <= '9')
        s++, digits = true;
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9')
            s++, digits = true;
    }
    if (!digits) return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+') s++;
        if (!(*s >= '0' && *s <= '9')) return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

wgsrv_scalar_type wgsrv_yaml_scalar_type(const yaml_node_t *node)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
    if (node->type != YAML_SCALAR_NODE || is_quoted(node)) return WGSRV_SCALAR_STRING;
    const char *s = (const char *)node->data.scalar.value;
    if (strlen(s) != node->data.scalar.length) return WGSRV_SCALAR_STRING; /* embedded NUL */
    if (text_in(s, nulls)) return WGSRV_SCALAR_NULL;
    if (text_in(s, bools)) return WGSRV_SCALAR_BOOL;
    if (looks_int(s)) return WGSRV_SCALAR_INT;
    if (looks_float(s)) return WGSRV_SCALAR_FLOAT;
    return WGSRV_SCALAR_STRING;
}

const char *wgsrv_yaml_type_name(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_MAPPING_NODE: return "mapping";
    case YAML_SEQUENCE_NODE: return "sequence";
    case YAML_SCALAR_NODE:
        switch (wgsrv_yaml_scalar_type(node)) {
        case WGSRV_SCALAR_NULL: return "null";
        case WGSRV_SCALAR_BOOL: return "boolean";
        case WGSRV_SCALAR_INT: return "integer";
        case WGSRV_SCALAR_FLOAT: return "number";
        case WGSRV_SCALAR_STRING: return "string";
        }
        break;
    default: break;
    }
    return "nothing";
}

typedef struct convert_state {
    yaml_document_t *doc;
    size_t nodes;
    char *err;
    size_t errsz;
    int *bad_line;
    char *bad_path;
    size_t pathsz;
} convert_state;

static void fail(convert_state *st, const yaml_node_t *node, const char *path, const char *msg)
{
    if (st->err && st->errsz) snprintf(st->err, st->errsz, "%s", msg);
    if (st->bad_line) *st->bad_line = (int)node->start_mark.line + 1;
    if (st->bad_path && st->pathsz) snprintf(st->bad_path, st->pathsz, "%s", path);
}

static json_t *convert_scalar(convert_state *st, const yaml_node_t *node, const char *path)
{
    const char *s = (const char *)node->data.scalar.value;
    size_t len = node->data.scalar.length;
    switch (wgsrv_yaml_scalar_type(node)) {
    case WGSRV_SCALAR_NULL: return json_null();
    case WGSRV_SCALAR_BOOL: return json_boolean(s[0] == 't' || s[0] == 'T');
    case WGSRV_SCALAR_INT: {
        errno = 0;
        char *end;
        long long v;
        if (s[0] == '0' && s[1] == 'x')
            v = strtoll(s + 2, &end, 16);
        else if (s[0] == '0' && s[1] == 'o')
            v = strtoll(s + 2, &end, 8);
        else
            v = strtoll(s, &end, 10);
        if (errno == ERANGE) {
            fail(st, node, path, "integer out of the 64-bit range");
            return NULL;
        }
        json_t *j = json_integer(v);
        if (!j) fail(st, node, path, "out of memory");
        return j;
    }
    case WGSRV_SCALAR_FLOAT: {
        /* ".inf" and ".nan" are YAML floats, but JSON has no way to write them. */
        double v = strchr(s, 'n') || strchr(s, 'N') ? NAN : strtod(s, NULL);
        if (!isfinite(v)) {
            fail(st, node, path, "infinity and NaN cannot be expressed in JSON");
            return NULL;
        }
        json_t *j = json_real(v);
        if (!j) fail(st, node, path, "out of memory");
        return j;
    }
    case WGSRV_SCALAR_STRING: break;
    }
    json_t *j = json_stringn(s, len);
    if (!j) fail(st, node, path, "not valid UTF-8 (or out of memory)");
    return j;
}

static json_t *convert(convert_state *st, yaml_node_t *node, const char *path, int depth)
{
    if (++st->nodes > MAX_NODES) {
        fail(st, node, path, "too many nodes (aliases expanding without bound?)");
        return NULL;
    }
    if (depth > MAX_DEPTH) {
        fail(st, node, path, "nested too deeply");
        return NULL;
    }
    char sub[512];
    switch (node->type) {
    case YAML_SCALAR_NODE: return convert_scalar(st, node, path);
    case YAML_SEQUENCE_NODE: {
        json_t *arr = json_array();
        if (!arr) {
            fail(st, node, path, "out of memory");
            return NULL;
        }
        size_t i = 0;
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             it < node->data.sequence.items.top; it++, i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            json_t *v = convert(st, yaml_document_get_node(st->doc, *it), sub, depth + 1);
            if (!v || json_array_append_new(arr, v) != 0) {
                if (v) fail(st, node, path, "out of memory");
                json_decref(arr);
                return NULL;
            }
        }
        return arr;
    }
    case YAML_MAPPING_NODE: {
        json_t *obj = json_object();
        if (!obj) {
            fail(st, node, path, "out of memory");
            return NULL;
        }
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(st->doc, p->key);
            yaml_node_t *v = yaml_document_get_node(st->doc, p->value);
            if (k->type != YAML_SCALAR_NODE) {
                fail(st, k, path, "mapping keys must be scalars");
                json_decref(obj);
                return NULL;
            }
            const char *key = (const char *)k->data.scalar.value;
            if (strlen(key) != k->data.scalar.length) {
                fail(st, k, path, "a key contains a NUL character");
                json_decref(obj);
                return NULL;
            }
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            if (json_object_get(obj, key)) {
                fail(st, k, sub, "duplicate key");
                json_decref(obj);
                return NULL;
            }
            json_t *jv = convert(st, v, sub, depth + 1);
            if (!jv) {
                json_decref(obj);
                return NULL;
            }
            if (json_object_set_new(obj, key, jv) != 0) {
                fail(st, k, sub, "key is not valid UTF-8 (or out of memory)");
                json_decref(obj);
                return NULL;
            }
        }
        return obj;
    }
    default: break;
    }
    fail(st, node, path, "empty node");
    return NULL;
}

json_t *wgsrv_yaml_to_json(yaml_document_t *doc, yaml_node_t *node, char *err, size_t errsz,
                           int *bad_line, char *bad_path, size_t pathsz)
{
    convert_state st = {doc, 0, err, errsz, bad_line, bad_path, pathsz};
    if (bad_path && pathsz) bad_path[0] = '\0';
    return convert(&st, node, "", 0);
}
