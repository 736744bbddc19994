/*
 * api.c — loading modules and inspecting them: the public entry points that
 * tie the decoder (decode.c) and the compiler (compile.c) together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

const char *wg_valtype_name(wg_valtype t)
{
    switch (t) {
    case WG_I32: return "i32";
    case WG_I64: return "i64";
    case WG_F32: return "f32";
    case WG_F64: return "f64";
    case WG_V128: return "v128";
    case WG_FUNCREF: return "funcref";
    case WG_EXTERNREF: return "externref";
    }
    return "?";
}

const char *wg_externkind_name(wg_externkind k)
{
    switch (k) {
    case WG_EXTERN_FUNC: return "func";
    case WG_EXTERN_TABLE: return "table";
    case WG_EXTERN_MEMORY: return "memory";
    case WG_EXTERN_GLOBAL: return "global";
    }
    return "?";
}

/* Orders exports by name: bytewise, a prefix before longer names. */
static int export_cmp(const wge_export *x, const wge_export *y)
{
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    if (c) return c;
    return x->name_len < y->name_len ? -1 : x->name_len > y->name_len ? 1 : 0;
}

/*
 * Builds wm->export_order, the export indices sorted by name, for binary
 * search by name. A bottom-up merge sort: O(n log n) even for the 100,000
 * exports a hostile module may declare, and no global state (C11's qsort
 * takes no context pointer).
 */
static bool build_export_order(wg_module *wm)
{
    uint32_t n = wm->m.nexports;
    const wge_export *ex = wm->m.exports;
    uint32_t *a = malloc((n ? n : 1) * sizeof *a);
    uint32_t *b = malloc((n ? n : 1) * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return false;
    }
    for (uint32_t i = 0; i < n; i++) a[i] = i;
    for (uint32_t width = 1; width < n; width *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n;
            uint32_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) b[k++] = export_cmp(&ex[a[j]], &ex[a[i]]) < 0 ? a[j++] : a[i++];
            while (i < mid) b[k++] = a[i++];
            while (j < hi) b[k++] = a[j++];
        }
        uint32_t *t = a;
        a = b;
        b = t;
    }
    free(b);
    wm->export_order = a;
    return true;
}

wg_module *wg_module_load(const void *bytes, size_t len, const wg_load_options *opts, char *err,
                          size_t errsz)
{
    wg_load_options defaults;
    if (!opts) {
        wg_load_options_init(&defaults);
        opts = &defaults;
    }
    if (err && errsz) err[0] = 0;
    if (len > opts->max_module_bytes) {
        if (err && errsz)
            snprintf(err, errsz, "module is %zu bytes, more than the limit of %zu", len,
                     opts->max_module_bytes);
        return NULL;
    }
    wg_module *wm = calloc(1, sizeof *wm);
    if (!wm) goto oom;
    atomic_init(&wm->refcount, 1);
    wm->metering = opts->metering;
    wm->m.bytes = malloc(len ? len : 1);
    if (!wm->m.bytes) goto oom;
    if (len) memcpy(wm->m.bytes, bytes, len);
    wm->m.len = len;
    if (!wge_decode_module(&wm->m, opts, err, errsz)) goto fail;
    if (!wge_compile_module(wm, opts, err, errsz)) goto fail;
    if (!build_export_order(wm)) goto oom;
    return wm;
oom:
    if (err && errsz) snprintf(err, errsz, "out of host memory loading the module");
fail:
    if (wm) {
        free(wm->code);
        free(wm->func_code);
        free(wm->export_order);
        wge_module_free_contents(&wm->m);
        free(wm->m.bytes);
        free(wm);
    }
    return NULL;
}

wg_module *wg_module_retain(wg_module *m)
{
    atomic_fetch_add_explicit(&m->refcount, 1, memory_order_relaxed);
    return m;
}

void wg_module_free(wg_module *wm)
{
    if (!wm) return;
    if (atomic_fetch_sub_explicit(&wm->refcount, 1, memory_order_acq_rel) != 1) return;
    free(wm->code);
    free(wm->func_code);
    free(wm->export_order);
    wge_module_free_contents(&wm->m);
    free(wm->m.bytes);
    free(wm);
}

/* ---- inspection ---- */

size_t wg_module_import_count(const wg_module *m) { return m->m.nimports; }
size_t wg_module_export_count(const wg_module *m) { return m->m.nexports; }

static void describe(const wge_module *m, uint8_t kind, uint32_t index, wg_extern_desc *out)
{
    out->kind = (wg_externkind)kind;
    switch (kind) {
    case WG_EXTERN_FUNC: out->func_type = wge_module_func_type(m, index); break;
    case WG_EXTERN_TABLE:
        out->elem_type = (wg_valtype)m->tables[index].elem_type;
        out->min = m->tables[index].limits.min;
        out->max = m->tables[index].limits.max;
        out->has_max = m->tables[index].limits.has_max;
        break;
    case WG_EXTERN_MEMORY:
        out->min = m->memories[index].min;
        out->max = m->memories[index].max;
        out->has_max = m->memories[index].has_max;
        break;
    case WG_EXTERN_GLOBAL:
        out->global_type = (wg_valtype)m->global_types[index].type;
        out->global_mutable = m->global_types[index].mutable_;
        break;
    }
}

bool wg_module_import(const wg_module *wm, size_t index, wg_extern_desc *out)
{
    const wge_module *m = &wm->m;
    if (index >= m->nimports) return false;
    memset(out, 0, sizeof *out);
    const wge_import *im = &m->imports[index];
    out->module = im->module;
    out->module_len = im->module_len;
    out->name = im->name;
    out->name_len = im->name_len;
    /* Index of this import within its kind's index space. */
    uint32_t k = 0;
    for (size_t i = 0; i < index; i++) k += m->imports[i].kind == im->kind;
    describe(m, im->kind, k, out);
    return true;
}

bool wg_module_export(const wg_module *wm, size_t index, wg_extern_desc *out)
{
    const wge_module *m = &wm->m;
    if (index >= m->nexports) return false;
    memset(out, 0, sizeof *out);
    const wge_export *x = &m->exports[index];
    out->name = x->name;
    out->name_len = x->name_len;
    describe(m, x->kind, x->index, out);
    return true;
}

size_t wg_module_custom_count(const wg_module *m) { return m->m.ncustoms; }

bool wg_module_custom(const wg_module *wm, size_t index, const char **name, size_t *name_len,
                      const uint8_t **data, size_t *len)
{
    if (index >= wm->m.ncustoms) return false;
    const wge_custom *c = &wm->m.customs[index];
    if (name) *name = c->name;
    if (name_len) *name_len = c->name_len;
    if (data) *data = c->data;
    if (len) *len = c->len;
    return true;
}

const uint8_t *wg_module_custom_find(const wg_module *wm, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (uint32_t i = 0; i < wm->m.ncustoms; i++) {
        const wge_custom *c = &wm->m.customs[i];
        if (c->name_len == n && memcmp(c->name, name, n) == 0) {
            if (len) *len = c->len;
            return c->data;
        }
    }
    return NULL;
}

size_t wg_module_code_bytes(const wg_module *m) { return m->m.code_section_size; }

size_t wg_module_compiled_bytes(const wg_module *m)
{
    uint32_t ndef = m->m.nfuncs - m->m.nfuncs_imported;
    return m->code_units * sizeof *m->code + (size_t)ndef * sizeof *m->func_code +
           (size_t)m->m.nexports * sizeof *m->export_order;
}

size_t wg_functype_param_count(const wg_functype *t) { return t->nparams; }
size_t wg_functype_result_count(const wg_functype *t) { return t->nresults; }
wg_valtype wg_functype_param(const wg_functype *t, size_t i)
{
    return i < t->nparams ? (wg_valtype)t->types[i] : (wg_valtype)0;
}
wg_valtype wg_functype_result(const wg_functype *t, size_t i)
{
    return i < t->nresults ? (wg_valtype)t->types[t->nparams + i] : (wg_valtype)0;
}

char *wg_functype_format(const wg_functype *t, char *buf, size_t bufsz)
{
    if (!bufsz) return buf;
    size_t n = 0;
    buf[0] = 0;
#define APPEND(...)                                                                                \
    do {                                                                                           \
        if (n < bufsz) {                                                                           \
            int w_ = snprintf(buf + n, bufsz - n, __VA_ARGS__);                                    \
            if (w_ > 0) n += (size_t)w_;                                                           \
        }                                                                                          \
    } while (0)
    APPEND("(");
    for (uint32_t i = 0; i < t->nparams; i++)
        APPEND("%s%s", i ? ", " : "", wg_valtype_name((wg_valtype)t->types[i]));
    APPEND(") -> (");
    for (uint32_t i = 0; i < t->nresults; i++)
        APPEND("%s%s", i ? ", " : "", wg_valtype_name((wg_valtype)t->types[t->nparams + i]));
    APPEND(")");
#undef APPEND
    return buf;
}
