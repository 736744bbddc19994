/*
 * json_diff.c — compute an RFC 6902 JSON Patch that turns one JSON value into another.
 *
 * wasmgate answers kube-apiserver with a JSON Patch whatever form a module's mutation took
 * (a whole object, a patch of its own, a Kubewarden mutated_object), so this diff is what
 * the cluster applies. It must therefore be correct first: every operation must apply in
 * sequence, and the result must equal the target exactly (integers stay integers). Second
 * it should be small and readable in audit logs:
 *   - objects are compared member by member (removals and changes in the source's member
 *     order, then additions in the target's order); two non-empty objects with no member in
 *     common are replaced whole;
 *   - arrays skip their common prefix and suffix, compare the remaining middles element by
 *     element, then insert or remove the difference in length at the end of the middle, so
 *     appending, prepending or dropping one container is one operation;
 *   - anything else that differs (including a change of type) is one "replace".
 */
#include "k8s_internal.h"

#include <string.h>

typedef struct differ {
    json_t *ops;    /* the patch being built */
    wgk8s_buf path; /* JSON Pointer of the value being compared */
    bool failed;    /* out of memory somewhere; the result is discarded */
} differ;

/* Appends one operation at the current path; value (may be NULL) is deep-copied so that
 * the patch does not share structure with the caller's target document. */
static void emit(differ *d, const char *op, const json_t *value)
{
    if (d->failed) return;
    json_t *o = json_object();
    /* json_object_set_new() and json_array_append_new() consume their value even when
     * they fail, so each step either transfers ownership or marks the failure. */
    if (!o || json_object_set_new(o, "op", json_string(op)) != 0 ||
        json_object_set_new(o, "path", json_string(d->path.len ? d->path.data : "")) != 0 ||
        (value && json_object_set_new(o, "value", json_deep_copy(value)) != 0)) {
        d->failed = true;
        json_decref(o);
        return;
    }
    if (json_array_append_new(d->ops, o) != 0) d->failed = true;
}

/* Appends "/" and the escaped key to the current path. */
static void push_key(differ *d, const char *key)
{
    wgk8s_buf_append(&d->path, "/", 1);
    if (!wgk8s_buf_pointer_token(&d->path, key)) d->failed = true;
}

static void push_index(differ *d, size_t i)
{
    wgk8s_buf_printf(&d->path, "/%zu", i);
    if (d->path.failed) d->failed = true;
}

static void diff_value(differ *d, const json_t *a, const json_t *b);

static void diff_object(differ *d, const json_t *a, const json_t *b)
{
    const char *key;
    json_t *va;
    size_t common = 0;
    json_object_foreach(wgk8s_unconst(a), key, va)
    {
        if (json_object_get(b, key)) common++;
    }
    if (common == 0 && json_object_size(a) > 0 && json_object_size(b) > 0) {
        emit(d, "replace", b);
        return;
    }
    size_t mark = d->path.len;
    json_object_foreach(wgk8s_unconst(a), key, va)
    {
        json_t *vb = json_object_get(b, key);
        push_key(d, key);
        if (!vb)
            emit(d, "remove", NULL);
        else
            diff_value(d, va, vb);
        wgk8s_buf_truncate(&d->path, mark);
    }
    json_t *vb;
    json_object_foreach(wgk8s_unconst(b), key, vb)
    {
        if (json_object_get(a, key)) continue;
        push_key(d, key);
        emit(d, "add", vb);
        wgk8s_buf_truncate(&d->path, mark);
    }
}

/* Exact equality, types included: 1 and 1.0 differ here, so that patching reproduces the
 * target value as written. */
static bool same(const json_t *a, const json_t *b)
{
    return json_equal(a, b);
}

static void diff_array(differ *d, const json_t *a, const json_t *b)
{
    size_t n = json_array_size(a), m = json_array_size(b);
    size_t shorter = n < m ? n : m;
    size_t prefix = 0;
    while (prefix < shorter && same(json_array_get(a, prefix), json_array_get(b, prefix)))
        prefix++;
    size_t suffix = 0;
    while (suffix < shorter - prefix &&
           same(json_array_get(a, n - 1 - suffix), json_array_get(b, m - 1 - suffix)))
        suffix++;
    size_t na = n - prefix - suffix, nb = m - prefix - suffix;
    size_t both = na < nb ? na : nb;
    size_t mark = d->path.len;
    /* Element-wise changes first: they do not move any index. */
    for (size_t i = 0; i < both; i++) {
        push_index(d, prefix + i);
        diff_value(d, json_array_get(a, prefix + i), json_array_get(b, prefix + i));
        wgk8s_buf_truncate(&d->path, mark);
    }
    /* Then the surplus of the target, inserted in order after the compared part... */
    for (size_t i = both; i < nb; i++) {
        push_index(d, prefix + i);
        emit(d, "add", json_array_get(b, prefix + i));
        wgk8s_buf_truncate(&d->path, mark);
    }
    /* ...or the surplus of the source, removed last-first so each index is still valid. */
    for (size_t i = na; i > both; i--) {
        push_index(d, prefix + i - 1);
        emit(d, "remove", NULL);
        wgk8s_buf_truncate(&d->path, mark);
    }
}

static void diff_value(differ *d, const json_t *a, const json_t *b)
{
    if (d->failed) return;
    if (json_is_object(a) && json_is_object(b))
        diff_object(d, a, b);
    else if (json_is_array(a) && json_is_array(b))
        diff_array(d, a, b);
    else if (!same(a, b))
        emit(d, "replace", b);
}

json_t *wgk8s_json_diff(const json_t *from, const json_t *to)
{
    if (!from || !to) return NULL;
    differ d = {.ops = json_array()};
    if (!d.ops) return NULL;
    diff_value(&d, from, to);
    wgk8s_buf_free(&d.path);
    if (d.failed) {
        json_decref(d.ops);
        return NULL;
    }
    return d.ops;
}
