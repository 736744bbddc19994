/*
 * instance.c — instantiation and the run-time objects around it: the linker
 * that resolves imports, memories, tables, globals, export lookup, and the
 * public calls that enter the interpreter.
 *
 * Instantiation follows the spec's order: resolve and type-check imports,
 * create function instances, globals, memories and tables, apply active
 * element segments then active data segments (a segment out of bounds traps,
 * and what was already written stays written, as the spec requires), then
 * run the start function.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "runtime.h"
#include "trap.h"

#define DEFAULT_MAX_TABLE_ELEMENTS 10000000u
#define DEFAULT_MAX_CALL_DEPTH 10000u
#define DEFAULT_STACK_SLOTS (1u << 20)
#define MAX_PAGES 65536u

wg_memory wge_no_memory = {.refcount = 1, .has_max = true};

static void errf(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || !errsz) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

/* ---- memories ---- */

/*
 * Linear memory lives on the C heap while it is small: instances are created
 * per request, and calloc from a warm heap is far cheaper than mapping and
 * unmapping pages (syscalls, page faults, TLB shootdowns). Past
 * MAPPED_THRESHOLD it moves to an anonymous mapping, whose fresh pages read
 * as zero and which grows with mremap without copying or clearing.
 */
#define MAPPED_THRESHOLD (8u << 20)

static uint8_t *map_bytes(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* Allocates zeroed storage for `size` bytes (the memory's data, mapped, capacity). */
static bool memory_alloc(wg_memory *m, size_t size)
{
    m->mapped = size > MAPPED_THRESHOLD;
    m->capacity = size;
    if (size == 0) {
        m->data = NULL;
        return true;
    }
    m->data = m->mapped ? map_bytes(size) : calloc(1, size);
    return m->data != NULL;
}

static void memory_dealloc(wg_memory *m)
{
    if (!m->data) return;
    if (m->mapped)
        munmap(m->data, m->capacity);
    else
        free(m->data);
}

/*
 * Grows the storage from m->size to new_size bytes, the new bytes zeroed. Heap storage
 * grows by doubling its capacity, so a module growing page by page (malloc does) costs
 * amortized copies; growing within the capacity only clears the new pages.
 */
static bool memory_resize(wg_memory *m, size_t new_size)
{
    size_t old_size = (size_t)m->size;
    if (!m->data) return memory_alloc(m, new_size);
    if (m->mapped) {
        void *p = mremap(m->data, m->capacity, new_size, MREMAP_MAYMOVE);
        if (p == MAP_FAILED) return false;
        m->data = p;
        m->capacity = new_size;
        return true;
    }
    if (new_size <= m->capacity) {
        memset(m->data + old_size, 0, new_size - old_size);
        return true;
    }
    if (new_size <= MAPPED_THRESHOLD) {
        size_t cap = m->capacity * 2;
        if (cap > MAPPED_THRESHOLD) cap = MAPPED_THRESHOLD;
        if (cap < new_size) cap = new_size;
        uint8_t *p = realloc(m->data, cap);
        if (!p) return false;
        memset(p + old_size, 0, new_size - old_size);
        m->data = p;
        m->capacity = cap;
        return true;
    }
    uint8_t *p = map_bytes(new_size);
    if (!p) return false;
    memcpy(p, m->data, old_size);
    free(m->data);
    m->data = p;
    m->mapped = true;
    m->capacity = new_size;
    return true;
}

static wg_memory *memory_create(uint32_t min, uint32_t max, bool has_max, uint32_t limit,
                                char *err, size_t errsz)
{
    if (min > limit) {
        errf(err, errsz, "memory limit: module needs %u pages, limit is %u", min, limit);
        return NULL;
    }
    wg_memory *m = calloc(1, sizeof *m);
    if (!m) {
        errf(err, errsz, "out of host memory");
        return NULL;
    }
    m->refcount = 1;
    m->pages = min;
    m->size = (uint64_t)min * WG_PAGE_SIZE;
    m->max = has_max ? max : MAX_PAGES;
    m->has_max = has_max;
    m->limit = limit;
    if (min) {
        if (!memory_alloc(m, (size_t)min * WG_PAGE_SIZE)) {
            free(m);
            errf(err, errsz, "out of host memory allocating %u pages", min);
            return NULL;
        }
    }
    return m;
}

wg_memory *wg_memory_new(uint32_t min_pages, uint32_t max_pages, bool has_max, char *err,
                         size_t errsz)
{
    if (min_pages > MAX_PAGES || (has_max && (max_pages > MAX_PAGES || max_pages < min_pages))) {
        errf(err, errsz, "invalid memory limits");
        return NULL;
    }
    return memory_create(min_pages, max_pages, has_max, MAX_PAGES, err, errsz);
}

static void memory_release(wg_memory *m)
{
    if (!m || m == &wge_no_memory) return;
    if (--m->refcount) return;
    memory_dealloc(m);
    free(m);
}

void wg_memory_free(wg_memory *m) { memory_release(m); }

int64_t wge_memory_grow(wg_memory *m, uint32_t delta, wg_trap **trap)
{
    uint32_t old = m->pages;
    if (delta == 0) return old;
    uint64_t want = (uint64_t)old + delta;
    if (want > m->max) return -1;
    if (want > m->limit) {
        *trap = wge_trap_make(WG_TRAP_MEMORY_LIMIT, "memory limit: grow to %llu pages exceeds %u",
                              (unsigned long long)want, m->limit);
        return -1;
    }
    size_t newsize = (size_t)want * WG_PAGE_SIZE;
    if (!memory_resize(m, newsize)) return -1; /* the host is out of memory: grow fails, as the spec allows */
    m->pages = (uint32_t)want;
    m->size = newsize;
    return old;
}

int64_t wg_memory_grow(wg_memory *m, uint32_t delta)
{
    wg_trap *t = NULL;
    int64_t r = wge_memory_grow(m, delta, &t);
    if (t) wg_trap_free(t);
    return r;
}

uint8_t *wg_memory_data(wg_memory *m) { return m->data; }
size_t wg_memory_size(const wg_memory *m) { return (size_t)m->size; }
uint32_t wg_memory_pages(const wg_memory *m) { return m->pages; }

void *wg_memory_ptr(wg_memory *m, uint64_t offset, uint64_t len)
{
    if (offset > m->size || len > m->size - offset) return NULL;
    return m->data ? m->data + offset : (void *)&wge_no_memory; /* non-NULL for len 0 */
}

bool wg_memory_read(wg_memory *m, uint64_t offset, void *dst, size_t len)
{
    if (offset > m->size || len > m->size - offset) return false;
    if (len) memcpy(dst, m->data + offset, len);
    return true;
}

bool wg_memory_write(wg_memory *m, uint64_t offset, const void *src, size_t len)
{
    if (offset > m->size || len > m->size - offset) return false;
    if (len) memcpy(m->data + offset, src, len);
    return true;
}

/* ---- tables ---- */

static wg_table *table_create(wge_valtype elem, uint32_t min, uint32_t max, bool has_max,
                              uint32_t limit, void *init, char *err, size_t errsz)
{
    if (min > limit) {
        errf(err, errsz, "table limit: module needs %u elements, limit is %u", min, limit);
        return NULL;
    }
    wg_table *t = calloc(1, sizeof *t);
    void **elems = calloc(min ? min : 1, sizeof *elems);
    if (!t || !elems) {
        free(t);
        free(elems);
        errf(err, errsz, "out of host memory allocating a table of %u elements", min);
        return NULL;
    }
    if (init)
        for (uint32_t i = 0; i < min; i++) elems[i] = init;
    t->refcount = 1;
    t->elem_type = elem;
    t->size = min;
    t->max = has_max ? max : UINT32_MAX;
    t->has_max = has_max;
    t->limit = limit;
    t->elems = elems;
    return t;
}

wg_table *wg_table_new(wg_valtype elem_type, uint32_t min, uint32_t max, bool has_max, void *init,
                       char *err, size_t errsz)
{
    if ((elem_type != WG_FUNCREF && elem_type != WG_EXTERNREF) || (has_max && max < min)) {
        errf(err, errsz, "invalid table type");
        return NULL;
    }
    return table_create((wge_valtype)elem_type, min, max, has_max, DEFAULT_MAX_TABLE_ELEMENTS,
                        init, err, errsz);
}

static void table_release(wg_table *t)
{
    if (!t || --t->refcount) return;
    for (uint32_t i = 0; i < t->nkept; i++) wg_instance_free(t->kept[i]);
    free(t->kept);
    free(t->elems);
    free(t);
}

void wg_table_free(wg_table *t) { table_release(t); }
uint32_t wg_table_size(const wg_table *t) { return t->size; }
wg_valtype wg_table_elem_type(const wg_table *t) { return (wg_valtype)t->elem_type; }

bool wg_table_get(const wg_table *t, uint32_t index, void **out)
{
    if (index >= t->size) return false;
    *out = t->elems[index];
    return true;
}

bool wg_table_set(wg_table *t, uint32_t index, void *ref)
{
    if (index >= t->size) return false;
    t->elems[index] = ref;
    return true;
}

int64_t wge_table_grow(wg_table *t, uint32_t delta, void *init, wg_trap **trap)
{
    uint32_t old = t->size;
    if (delta == 0) return old;
    uint64_t want = (uint64_t)old + delta;
    if (want > t->max) return -1;
    if (want > t->limit) {
        *trap = wge_trap_make(WG_TRAP_TABLE_LIMIT, "table limit: grow to %llu elements exceeds %u",
                              (unsigned long long)want, t->limit);
        return -1;
    }
    void **n = realloc(t->elems, (size_t)want * sizeof *n);
    if (!n) return -1;
    for (uint64_t i = old; i < want; i++) n[i] = init;
    t->elems = n;
    t->size = (uint32_t)want;
    return old;
}

int64_t wg_table_grow(wg_table *t, uint32_t delta, void *init)
{
    wg_trap *tr = NULL;
    int64_t r = wge_table_grow(t, delta, init, &tr);
    if (tr) wg_trap_free(tr);
    return r;
}

/* ---- globals ---- */

wg_global *wg_global_new(wg_valtype type, bool mutable_, wg_value init)
{
    wg_global *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->refcount = 1;
    g->type = (wge_valtype)type;
    g->mutable_ = mutable_;
    g->value = init;
    return g;
}

static void global_retain(wg_global *g)
{
    if (g->owner)
        g->owner->refcount++;
    else
        g->refcount++;
}

static void global_release(wg_global *g)
{
    if (!g) return;
    if (g->owner) {
        wg_instance_free(g->owner);
    } else if (--g->refcount == 0) {
        free(g);
    }
}

void wg_global_free(wg_global *g) { global_release(g); }
wg_valtype wg_global_type(const wg_global *g) { return (wg_valtype)g->type; }
bool wg_global_mutable(const wg_global *g) { return g->mutable_; }
wg_value wg_global_get(const wg_global *g) { return g->value; }

bool wg_global_set(wg_global *g, wg_value v)
{
    if (!g->mutable_) return false;
    g->value = v;
    return true;
}

/* ---- the linker ---- */

typedef struct link_entry {
    char *module, *name;
    uint64_t hash;
    uint8_t kind;
    wg_func *func;          /* FUNC: a host function owned by the linker, or a wasm function */
    wg_instance *owner;     /* FUNC of an instance: that instance (referenced) */
    wg_memory *memory;      /* referenced */
    wg_table *table;        /* referenced */
    wg_global *global;      /* referenced */
    bool owns_func;         /* func is a host_def allocated by the linker */
} link_entry;

/* A host function defined on a linker: the function instance and its type. */
typedef struct host_def {
    wg_func func;
    wge_functype type;
    wge_valtype types[];
} host_def;

struct wg_linker {
    link_entry *entries;
    size_t n, cap;
    uint32_t *index; /* open addressing over entries; UINT32_MAX = empty */
    size_t index_cap;
};

static uint64_t name_hash(const char *module, const char *name, size_t nlen)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = module; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (size_t i = 0; i < nlen; i++) h = (h ^ (uint8_t)name[i]) * 1099511628211ull;
    return h;
}

wg_linker *wg_linker_new(void) { return calloc(1, sizeof(wg_linker)); }

void wg_linker_free(wg_linker *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        link_entry *e = &l->entries[i];
        if (e->owner) wg_instance_free(e->owner);
        if (e->owns_func) free(e->func); /* a host_def */
        if (e->memory) memory_release(e->memory);
        if (e->table) table_release(e->table);
        if (e->global) global_release(e->global);
        free(e->module);
        free(e->name);
    }
    free(l->entries);
    free(l->index);
    free(l);
}

/* Finds an entry by module and name (name may contain NUL; nlen is its length). */
static link_entry *linker_find(const wg_linker *l, const char *module, size_t mlen,
                               const char *name, size_t nlen)
{
    if (!l || !l->index_cap) return NULL;
    if (strlen(module) != mlen) return NULL; /* a NUL inside: never defined */
    uint64_t h = name_hash(module, name, nlen);
    size_t mask = l->index_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t k = l->index[i];
        if (k == UINT32_MAX) return NULL;
        link_entry *e = &l->entries[k];
        if (e->hash == h && strcmp(e->module, module) == 0 && strlen(e->name) == nlen &&
            memcmp(e->name, name, nlen) == 0)
            return e;
    }
}

static bool linker_rehash(wg_linker *l, size_t cap)
{
    uint32_t *idx = malloc(cap * sizeof *idx);
    if (!idx) return false;
    memset(idx, 0xff, cap * sizeof *idx);
    for (size_t k = 0; k < l->n; k++) {
        size_t i = l->entries[k].hash & (cap - 1);
        while (idx[i] != UINT32_MAX) i = (i + 1) & (cap - 1);
        idx[i] = (uint32_t)k;
    }
    free(l->index);
    l->index = idx;
    l->index_cap = cap;
    return true;
}

/* Adds an entry (fields other than names/hash filled by the caller on success). */
static link_entry *linker_add(wg_linker *l, const char *module, const char *name, char *err,
                              size_t errsz)
{
    if (!module || !name) {
        errf(err, errsz, "import module and name must not be NULL");
        return NULL;
    }
    if (linker_find(l, module, strlen(module), name, strlen(name))) {
        errf(err, errsz, "\"%s\" \"%s\" is already defined", module, name);
        return NULL;
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        link_entry *n = realloc(l->entries, ncap * sizeof *n);
        if (!n) goto oom;
        l->entries = n;
        l->cap = ncap;
    }
    if ((l->n + 1) * 2 > l->index_cap && !linker_rehash(l, l->index_cap ? l->index_cap * 2 : 32))
        goto oom;
    link_entry *e = &l->entries[l->n];
    memset(e, 0, sizeof *e);
    e->module = strdup(module);
    e->name = strdup(name);
    if (!e->module || !e->name) {
        free(e->module);
        free(e->name);
        goto oom;
    }
    e->hash = name_hash(module, name, strlen(name));
    size_t mask = l->index_cap - 1;
    size_t i = e->hash & mask;
    while (l->index[i] != UINT32_MAX) i = (i + 1) & mask;
    l->index[i] = (uint32_t)l->n;
    l->n++;
    return e;
oom:
    errf(err, errsz, "out of host memory");
    return NULL;
}

static bool valid_valtype(wg_valtype t)
{
    return t == WG_I32 || t == WG_I64 || t == WG_F32 || t == WG_F64 || t == WG_FUNCREF ||
           t == WG_EXTERNREF;
}

bool wg_linker_define_func(wg_linker *l, const char *module, const char *name,
                           const wg_valtype *params, size_t nparams, const wg_valtype *results,
                           size_t nresults, wg_host_fn fn, void *env, char *err, size_t errsz)
{
    if (!fn || nparams > 1000 || nresults > 1000) {
        errf(err, errsz, "invalid host function definition for \"%s\" \"%s\"", module, name);
        return false;
    }
    for (size_t i = 0; i < nparams; i++)
        if (!valid_valtype(params[i])) {
            errf(err, errsz, "invalid parameter type for \"%s\" \"%s\"", module, name);
            return false;
        }
    for (size_t i = 0; i < nresults; i++)
        if (!valid_valtype(results[i])) {
            errf(err, errsz, "invalid result type for \"%s\" \"%s\"", module, name);
            return false;
        }
    host_def *d = calloc(1, sizeof *d + nparams + nresults);
    if (!d) {
        errf(err, errsz, "out of host memory");
        return false;
    }
    for (size_t i = 0; i < nparams; i++) d->types[i] = (wge_valtype)params[i];
    for (size_t i = 0; i < nresults; i++) d->types[nparams + i] = (wge_valtype)results[i];
    d->type = (wge_functype){.nparams = (uint32_t)nparams, .nresults = (uint32_t)nresults,
                             .types = d->types};
    d->func = (wg_func){.type = &d->type, .host = fn, .env = env, .index = UINT32_MAX};
    link_entry *e = linker_add(l, module, name, err, errsz);
    if (!e) {
        free(d);
        return false;
    }
    e->kind = WG_EXTERN_FUNC;
    e->func = &d->func;
    e->owns_func = true;
    return true;
}

bool wg_linker_define_wasm_func(wg_linker *l, const char *module, const char *name, wg_func *f,
                                char *err, size_t errsz)
{
    link_entry *e = linker_add(l, module, name, err, errsz);
    if (!e) return false;
    e->kind = WG_EXTERN_FUNC;
    e->func = f;
    /* A host function copied into an instance cannot be traced to it: the caller keeps it alive. */
    if (f->inst) {
        e->owner = f->inst;
        f->inst->refcount++;
    }
    return true;
}

bool wg_linker_define_memory(wg_linker *l, const char *module, const char *name, wg_memory *m,
                             char *err, size_t errsz)
{
    link_entry *e = linker_add(l, module, name, err, errsz);
    if (!e) return false;
    e->kind = WG_EXTERN_MEMORY;
    e->memory = m;
    m->refcount++;
    return true;
}

bool wg_linker_define_table(wg_linker *l, const char *module, const char *name, wg_table *t,
                            char *err, size_t errsz)
{
    link_entry *e = linker_add(l, module, name, err, errsz);
    if (!e) return false;
    e->kind = WG_EXTERN_TABLE;
    e->table = t;
    t->refcount++;
    return true;
}

bool wg_linker_define_global(wg_linker *l, const char *module, const char *name, wg_global *g,
                             char *err, size_t errsz)
{
    link_entry *e = linker_add(l, module, name, err, errsz);
    if (!e) return false;
    e->kind = WG_EXTERN_GLOBAL;
    e->global = g;
    global_retain(g);
    return true;
}

bool wg_linker_define_instance(wg_linker *l, const char *module, wg_instance *inst, char *err,
                               size_t errsz)
{
    const wge_module *m = &inst->module->m;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wge_export *x = &m->exports[i];
        if (strlen(x->name) != x->name_len) continue; /* cannot be named through this API */
        bool ok = true;
        switch (x->kind) {
        case WG_EXTERN_FUNC: {
            link_entry *e = linker_add(l, module, x->name, err, errsz);
            if (!e) return false;
            e->kind = WG_EXTERN_FUNC;
            e->func = inst->funcs[x->index];
            e->owner = inst;
            inst->refcount++;
            break;
        }
        case WG_EXTERN_TABLE:
            ok = wg_linker_define_table(l, module, x->name, inst->tables[x->index], err, errsz);
            break;
        case WG_EXTERN_MEMORY:
            ok = wg_linker_define_memory(l, module, x->name, inst->memories[x->index], err, errsz);
            break;
        case WG_EXTERN_GLOBAL:
            ok = wg_linker_define_global(l, module, x->name, inst->globals[x->index], err, errsz);
            break;
        }
        if (!ok) return false;
    }
    return true;
}

/* ---- instances ---- */

void wg_instance_options_init(wg_instance_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_memory_pages = MAX_PAGES;
    o->max_table_elements = DEFAULT_MAX_TABLE_ELEMENTS;
    o->max_call_depth = DEFAULT_MAX_CALL_DEPTH;
    o->stack_slots = DEFAULT_STACK_SLOTS;
}

wg_value wge_eval_initexpr(const wg_instance *inst, const wge_initexpr *e)
{
    wg_value v = {.u64 = 0};
    switch (e->kind) {
    case WGE_INIT_CONST: v = e->value; break;
    case WGE_INIT_GLOBAL_GET: v = inst->globals[e->index]->value; break;
    case WGE_INIT_REF_NULL: v.ref = NULL; break;
    case WGE_INIT_REF_FUNC: v.ref = inst->funcs[e->index]; break;
    }
    return v;
}

uint32_t wge_func_at(const wg_module *wm, const uint16_t *ip)
{
    if (!wm->code || ip < wm->code || ip >= wm->code + wm->code_units) return UINT32_MAX;
    size_t off = (size_t)(ip - wm->code);
    uint32_t ndef = wm->m.nfuncs - wm->m.nfuncs_imported;
    uint32_t lo = 0, hi = ndef;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (wm->func_code[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return ndef ? wm->m.nfuncs_imported + lo : UINT32_MAX;
}

static const char *kind_name(uint8_t k)
{
    switch (k) {
    case WG_EXTERN_FUNC: return "function";
    case WG_EXTERN_TABLE: return "table";
    case WG_EXTERN_MEMORY: return "memory";
    case WG_EXTERN_GLOBAL: return "global";
    }
    return "?";
}

/* Import subtyping of limits: the provided ones must be within the declared ones. */
static bool limits_match(uint32_t have_min, bool have_has_max, uint32_t have_max,
                         const wge_limits *want)
{
    if (have_min < want->min) return false;
    if (want->has_max) {
        if (!have_has_max) return false;
        if (have_max > want->max) return false;
    }
    return true;
}

static void add_dep(wg_instance *inst, wg_instance *dep)
{
    dep->refcount++;
    inst->deps[inst->ndeps++] = dep;
}

static bool resolve_imports(wg_instance *inst, const wg_linker *l, char *err, size_t errsz)
{
    const wge_module *m = &inst->module->m;
    uint32_t fi = 0, ti = 0, mi = 0, gi = 0;
    char want[128], have[128];
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wge_import *im = &m->imports[i];
        link_entry *e = linker_find(l, im->module, im->module_len, im->name, im->name_len);
        if (!e) {
            errf(err, errsz, "unknown import: \"%s\" \"%s\" (%s) is not defined", im->module,
                 im->name, kind_name(im->kind));
            return false;
        }
        if (e->kind != im->kind) {
            errf(err, errsz, "incompatible import type: \"%s\" \"%s\" is a %s, the module imports a %s",
                 im->module, im->name, kind_name(e->kind), kind_name(im->kind));
            return false;
        }
        switch (im->kind) {
        case WG_EXTERN_FUNC: {
            const wge_functype *t = &m->types[im->desc.type_index];
            if (!wge_functype_equal(e->func->type, t)) {
                errf(err, errsz, "incompatible import type: \"%s\" \"%s\" has type %s, the module expects %s",
                     im->module, im->name, wg_functype_format(e->func->type, have, sizeof have),
                     wg_functype_format(t, want, sizeof want));
                return false;
            }
            if (e->func->inst) {
                inst->funcs[fi] = e->func;
                add_dep(inst, e->func->inst);
            } else {
                /* A host function: this instance keeps its own copy, typed by its module. */
                inst->own_funcs[fi] = *e->func;
                inst->own_funcs[fi].type = t;
                inst->funcs[fi] = &inst->own_funcs[fi];
            }
            fi++;
            break;
        }
        case WG_EXTERN_TABLE: {
            wg_table *t = e->table;
            if (t->elem_type != im->desc.table.elem_type ||
                !limits_match(t->size, t->has_max, t->max, &im->desc.table.limits)) {
                errf(err, errsz, "incompatible import type: table \"%s\" \"%s\" (%s, size %u) does not match the import",
                     im->module, im->name, wg_valtype_name((wg_valtype)t->elem_type), t->size);
                return false;
            }
            t->refcount++;
            inst->tables[ti++] = t;
            break;
        }
        case WG_EXTERN_MEMORY: {
            wg_memory *mem = e->memory;
            if (!limits_match(mem->pages, mem->has_max, mem->max, &im->desc.memory)) {
                errf(err, errsz, "incompatible import type: memory \"%s\" \"%s\" (%u pages) does not match the import limits",
                     im->module, im->name, mem->pages);
                return false;
            }
            mem->refcount++;
            inst->memories[mi++] = mem;
            break;
        }
        case WG_EXTERN_GLOBAL: {
            wg_global *g = e->global;
            if (g->type != im->desc.global.type || g->mutable_ != im->desc.global.mutable_) {
                errf(err, errsz, "incompatible import type: global \"%s\" \"%s\" is %s%s, the module imports %s%s",
                     im->module, im->name, g->mutable_ ? "mut " : "",
                     wg_valtype_name((wg_valtype)g->type), im->desc.global.mutable_ ? "mut " : "",
                     wg_valtype_name((wg_valtype)im->desc.global.type));
                return false;
            }
            inst->globals[gi++] = g;
            if (g->owner)
                add_dep(inst, g->owner);
            else
                g->refcount++; /* released in instance_destroy via the standalone list */
            break;
        }
        }
    }
    return true;
}

/* Drops the references an instance holds on what it imported (once). */
static void release_imports(wg_instance *inst)
{
    if (inst->weak_imports) return;
    inst->weak_imports = true;
    const wge_module *m = &inst->module->m;
    for (uint32_t i = 0; i < m->ntables_imported; i++)
        if (inst->tables[i]) table_release(inst->tables[i]);
    for (uint32_t i = 0; i < m->nmemories_imported; i++)
        if (inst->memories[i]) memory_release(inst->memories[i]);
    for (uint32_t i = 0; i < m->nglobals_imported; i++) {
        wg_global *g = inst->globals[i];
        if (g && !g->owner) global_release(g);
    }
    for (uint32_t i = 0; i < inst->ndeps; i++) wg_instance_free(inst->deps[i]);
}

static void instance_destroy(wg_instance *inst)
{
    const wge_module *m = &inst->module->m;
    release_imports(inst);
    for (uint32_t i = m->ntables_imported; i < m->ntables; i++)
        if (inst->tables[i]) table_release(inst->tables[i]);
    for (uint32_t i = m->nmemories_imported; i < m->nmemories; i++)
        if (inst->memories[i]) memory_release(inst->memories[i]);
    free(inst->stack.slots);
    free(inst->stack.frames);
    wg_module *wm = inst->module;
    free(inst);
    wg_module_free(wm);
}

void wg_instance_free(wg_instance *inst)
{
    if (!inst || --inst->refcount) return;
    instance_destroy(inst);
}

wg_instance *wg_instance_retain(wg_instance *inst)
{
    inst->refcount++;
    return inst;
}

/* Rounds n up to a multiple of the strictest alignment used in the instance block. */
static size_t align_up(size_t n) { return (n + 15) & ~(size_t)15; }

/* Applies active element segments, then active data segments, in order. */
static wg_trap *init_segments(wg_instance *inst)
{
    const wge_module *m = &inst->module->m;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wge_elem *e = &m->elems[i];
        if (e->mode == WGE_SEG_ACTIVE) {
            wg_table *t = inst->tables[e->table_index];
            uint64_t off = wge_eval_initexpr(inst, &e->offset).u32;
            if (off + e->count > t->size)
                return wge_trap_make(WG_TRAP_TABLE_OUT_OF_BOUNDS, NULL);
            for (uint32_t k = 0; k < e->count; k++)
                t->elems[off + k] = wge_eval_initexpr(inst, &e->items[k]).ref;
        }
        if (e->mode != WGE_SEG_PASSIVE) inst->elem_dropped[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wge_data *d = &m->datas[i];
        if (d->mode != WGE_SEG_ACTIVE) continue;
        wg_memory *mem = inst->memories[d->memory_index];
        uint64_t off = wge_eval_initexpr(inst, &d->offset).u32;
        if (off + d->len > mem->size) return wge_trap_make(WG_TRAP_MEMORY_OUT_OF_BOUNDS, NULL);
        if (d->len) memcpy(mem->data + off, d->bytes, d->len);
        inst->data_dropped[i >> 3] |= (uint8_t)(1u << (i & 7));
    }
    return NULL;
}

/*
 * Instantiation failed after segments (or the start function) may have
 * stored this instance's functions in imported tables. Wasm 2.0 keeps those
 * writes, so the functions must stay callable: each such table takes a
 * reference to the instance ("parks" it). So that this makes no reference
 * cycle (the table's owner may be what the instance imported from), a
 * parked instance holds its imports weakly: it relies on them living as long
 * as the tables it is parked in, which holds unless a host frees an
 * exporting instance while keeping its table alive elsewhere. Consumes the
 * caller's reference to inst.
 */
static void park_failed_instance(wg_instance *inst)
{
    const wge_module *m = &inst->module->m;
    bool parked = false;
    for (uint32_t i = 0; i < m->ntables_imported; i++) {
        wg_table *t = inst->tables[i];
        if (!t || t->elem_type != WG_FUNCREF) continue;
        bool holds = false;
        for (uint32_t k = 0; k < t->size && !holds; k++)
            holds = t->elems[k] && ((wg_func *)t->elems[k])->inst == inst;
        if (!holds) continue;
        wg_instance **kept = realloc(t->kept, (t->nkept + 1) * sizeof *kept);
        if (!kept) return; /* out of memory: leak the instance rather than leave dangling refs */
        t->kept = kept;
        t->kept[t->nkept++] = inst;
        inst->refcount++;
        parked = true;
    }
    if (parked) release_imports(inst);
    wg_instance_free(inst);
}

wg_instance *wg_instance_new(wg_module *wm, const wg_linker *l, const wg_instance_options *opts,
                             wg_trap **trap, char *err, size_t errsz)
{
    wg_instance_options defaults;
    if (!opts) {
        wg_instance_options_init(&defaults);
        opts = &defaults;
    }
    if (trap) *trap = NULL;
    if (err && errsz) err[0] = 0;
    const wge_module *m = &wm->m;

    /* One allocation for the instance and its arrays. */
    size_t o_funcs = align_up(sizeof(wg_instance));
    size_t o_own_funcs = o_funcs + align_up((size_t)m->nfuncs * sizeof(wg_func *));
    size_t o_tables = o_own_funcs + align_up((size_t)m->nfuncs * sizeof(wg_func));
    size_t o_memories = o_tables + align_up((size_t)m->ntables * sizeof(wg_table *));
    size_t o_globals = o_memories + align_up((size_t)m->nmemories * sizeof(wg_memory *));
    size_t o_own_globals = o_globals + align_up((size_t)m->nglobals * sizeof(wg_global *));
    size_t o_elem = o_own_globals +
                    align_up((size_t)(m->nglobals - m->nglobals_imported) * sizeof(wg_global));
    size_t o_data = o_elem + align_up(((size_t)m->nelems + 7) / 8);
    size_t o_deps = o_data + align_up(((size_t)m->ndatas + 7) / 8);
    size_t total = o_deps + (size_t)m->nimports * sizeof(wg_instance *);
    char *block = calloc(1, total);
    if (!block) {
        errf(err, errsz, "out of host memory instantiating");
        return NULL;
    }
    wg_instance *inst = (wg_instance *)block;
    inst->refcount = 1;
    inst->module = wg_module_retain(wm);
    inst->userdata = opts->userdata;
    inst->funcs = (wg_func **)(block + o_funcs);
    inst->own_funcs = (wg_func *)(block + o_own_funcs);
    inst->tables = (wg_table **)(block + o_tables);
    inst->memories = (wg_memory **)(block + o_memories);
    inst->globals = (wg_global **)(block + o_globals);
    inst->own_globals = (wg_global *)(block + o_own_globals);
    inst->elem_dropped = (uint8_t *)(block + o_elem);
    inst->data_dropped = (uint8_t *)(block + o_data);
    inst->deps = (wg_instance **)(block + o_deps);
    inst->max_call_depth = opts->max_call_depth ? opts->max_call_depth : DEFAULT_MAX_CALL_DEPTH;
    inst->stack_slots = opts->stack_slots ? opts->stack_slots : DEFAULT_STACK_SLOTS;
    if (inst->stack_slots < 65536) inst->stack_slots = 65536; /* one maximal frame must fit */
    inst->mem0 = &wge_no_memory;
    atomic_init(&inst->interrupt, false);

    if (!resolve_imports(inst, l, err, errsz)) goto fail;

    for (uint32_t i = m->nfuncs_imported; i < m->nfuncs; i++) {
        uint32_t di = i - m->nfuncs_imported;
        inst->own_funcs[i] = (wg_func){.type = wge_module_func_type(m, i),
                                       .inst = inst,
                                       .code = wm->code + wm->func_code[di],
                                       .index = i};
        inst->funcs[i] = &inst->own_funcs[i];
    }
    for (uint32_t i = m->nglobals_imported; i < m->nglobals; i++) {
        const wge_global *g = &m->globals[i - m->nglobals_imported];
        wg_global *og = &inst->own_globals[i - m->nglobals_imported];
        og->owner = inst;
        og->type = g->type.type;
        og->mutable_ = g->type.mutable_;
        og->value = wge_eval_initexpr(inst, &g->init);
        inst->globals[i] = og;
    }
    uint32_t max_pages = opts->max_memory_pages ? opts->max_memory_pages : MAX_PAGES;
    if (max_pages > MAX_PAGES) max_pages = MAX_PAGES;
    for (uint32_t i = m->nmemories_imported; i < m->nmemories; i++) {
        const wge_limits *lim = &m->memories[i];
        inst->memories[i] = memory_create(lim->min, lim->max, lim->has_max, max_pages, err, errsz);
        if (!inst->memories[i]) goto fail;
    }
    if (m->nmemories) inst->mem0 = inst->memories[0];
    uint32_t max_elems = opts->max_table_elements ? opts->max_table_elements
                                                  : DEFAULT_MAX_TABLE_ELEMENTS;
    for (uint32_t i = m->ntables_imported; i < m->ntables; i++) {
        const wge_tabletype *tt = &m->tables[i];
        inst->tables[i] = table_create(tt->elem_type, tt->limits.min, tt->limits.max,
                                       tt->limits.has_max, max_elems, NULL, err, errsz);
        if (!inst->tables[i]) goto fail;
    }

    wg_trap *t = init_segments(inst);
    if (!t && m->has_start && !opts->skip_start) {
        wg_instance_set_fuel(inst, opts->fuel);
        wg_instance_set_deadline(inst, opts->deadline_ns);
        t = wg_func_call(inst->funcs[m->start], NULL, 0, NULL, 0);
        wg_instance_set_fuel(inst, 0);
        wg_instance_set_deadline(inst, 0);
    }
    if (t) {
        errf(err, errsz, "instantiation trapped: %s", wg_trap_message(t));
        if (trap)
            *trap = t;
        else
            wg_trap_free(t);
        park_failed_instance(inst);
        return NULL;
    }
    return inst;

fail:
    wg_instance_free(inst);
    return NULL;
}

const wg_module *wg_instance_module(const wg_instance *inst) { return inst->module; }
void *wg_instance_userdata(const wg_instance *inst) { return inst->userdata; }
void wg_instance_set_userdata(wg_instance *inst, void *userdata) { inst->userdata = userdata; }

/* Index of the export with this name, or -1 (binary search over names sorted bytewise). */
static long find_export(const wg_module *wm, const char *name, size_t len)
{
    const wge_module *m = &wm->m;
    long lo = 0, hi = (long)m->nexports - 1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        const wge_export *x = &m->exports[wm->export_order[mid]];
        size_t n = x->name_len < len ? x->name_len : len;
        int c = memcmp(x->name, name, n);
        if (c == 0) c = x->name_len < len ? -1 : x->name_len > len ? 1 : 0;
        if (c == 0) return (long)wm->export_order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

static const wge_export *export_of_kind_n(wg_instance *inst, const char *name, size_t len,
                                         uint8_t kind)
{
    if (!inst || !name) return NULL;
    long i = find_export(inst->module, name, len);
    if (i < 0) return NULL;
    const wge_export *x = &inst->module->m.exports[i];
    return x->kind == kind ? x : NULL;
}

static const wge_export *export_of_kind(wg_instance *inst, const char *name, uint8_t kind)
{
    return name ? export_of_kind_n(inst, name, strlen(name), kind) : NULL;
}

void *wg_instance_export(wg_instance *inst, const char *name, size_t name_len,
                         wg_externkind kind)
{
    const wge_export *x = export_of_kind_n(inst, name, name_len, (uint8_t)kind);
    if (!x) return NULL;
    switch (kind) {
    case WG_EXTERN_FUNC: return inst->funcs[x->index];
    case WG_EXTERN_TABLE: return inst->tables[x->index];
    case WG_EXTERN_MEMORY: return inst->memories[x->index];
    case WG_EXTERN_GLOBAL: return inst->globals[x->index];
    }
    return NULL;
}

wg_func *wg_instance_func(wg_instance *inst, const char *name)
{
    const wge_export *x = export_of_kind(inst, name, WG_EXTERN_FUNC);
    return x ? inst->funcs[x->index] : NULL;
}

wg_memory *wg_instance_memory(wg_instance *inst, const char *name)
{
    const wge_export *x = export_of_kind(inst, name, WG_EXTERN_MEMORY);
    return x ? inst->memories[x->index] : NULL;
}

wg_table *wg_instance_table(wg_instance *inst, const char *name)
{
    const wge_export *x = export_of_kind(inst, name, WG_EXTERN_TABLE);
    return x ? inst->tables[x->index] : NULL;
}

wg_global *wg_instance_global(wg_instance *inst, const char *name)
{
    const wge_export *x = export_of_kind(inst, name, WG_EXTERN_GLOBAL);
    return x ? inst->globals[x->index] : NULL;
}

wg_memory *wg_instance_memory_at(wg_instance *inst, uint32_t index)
{
    return index < inst->module->m.nmemories ? inst->memories[index] : NULL;
}

/* Drops the current fuel slice, so that the next charge re-checks every limit. */
static void reset_slice(wg_instance *inst)
{
    inst->fuel_used += (uint64_t)(inst->slice_given - inst->slice_left);
    inst->slice_given = inst->slice_left = 0;
}

void wg_instance_set_fuel(wg_instance *inst, uint64_t fuel)
{
    reset_slice(inst);
    inst->fuel_limit = fuel;
    inst->fuel_used = 0;
}

uint64_t wg_instance_fuel_consumed(const wg_instance *inst)
{
    return inst->fuel_used + (uint64_t)(inst->slice_given - inst->slice_left);
}

void wg_instance_set_deadline(wg_instance *inst, uint64_t deadline_ns)
{
    reset_slice(inst);
    inst->deadline_ns = deadline_ns;
}
uint64_t wg_instance_deadline(const wg_instance *inst) { return inst->deadline_ns; }

void wg_instance_interrupt(wg_instance *inst)
{
    atomic_store_explicit(&inst->interrupt, true, memory_order_relaxed);
}

/* ---- calls ---- */

const wg_functype *wg_func_type(const wg_func *f) { return f->type; }

wg_trap *wg_func_call(wg_func *f, const wg_value *args, size_t nargs, wg_value *results,
                      size_t nresults)
{
    if (!f) return wge_trap_make(WG_TRAP_HOST, "call of a null function");
    const wge_functype *t = f->type;
    if (nargs != t->nparams || nresults != t->nresults)
        return wge_trap_make(WG_TRAP_HOST,
                             "call with %zu arguments and %zu results, the function takes %u and returns %u",
                             nargs, nresults, t->nparams, t->nresults);
    if (f->code) return wge_call_wasm(f, args, results);
    return f->host(NULL, args, results, f->env);
}
