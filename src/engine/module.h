/*
 * module.h — the decoded form of a WebAssembly module, internal to the engine.
 *
 * decode.c fills a wge_module from the binary format and performs every
 * module-level validation (indices in range, limits, constant expressions,
 * export names unique, ...). compile.c then validates and compiles each
 * function body. Nothing here depends on instances: a wge_module is
 * immutable once loaded and shared between threads.
 *
 * Index spaces (functions, tables, memories, globals) start with the
 * imports, in import order, followed by the module's own definitions, as
 * in the spec.
 */
#ifndef WASMGATE_ENGINE_MODULE_H
#define WASMGATE_ENGINE_MODULE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wg.h"

/* Value types use the binary encoding (see wg_valtype). */
typedef uint8_t wge_valtype;

static inline bool wge_is_reftype(wge_valtype t) { return t == WG_FUNCREF || t == WG_EXTERNREF; }
static inline bool wge_is_numtype(wge_valtype t)
{
    return t == WG_I32 || t == WG_I64 || t == WG_F32 || t == WG_F64;
}

/*
 * A function type. types[0..nparams) are the parameters and
 * types[nparams..nparams+nresults) the results. Structurally equal types
 * in one module share the same canon index (the index of the first equal
 * type), which makes call_indirect checks within a module one compare.
 */
struct wg_functype {
    uint32_t nparams;
    uint32_t nresults;
    const wge_valtype *types;
    uint32_t canon; /* index of the first structurally equal type in the module */
};
typedef struct wg_functype wge_functype;

static inline wge_valtype wge_functype_param(const wge_functype *t, uint32_t i)
{
    return t->types[i];
}
static inline wge_valtype wge_functype_result(const wge_functype *t, uint32_t i)
{
    return t->types[t->nparams + i];
}
/* The result types (NULL when there are none: `types` may be NULL for [] -> []). */
static inline const wge_valtype *wge_functype_results(const wge_functype *t)
{
    return t->nresults ? t->types + t->nparams : NULL;
}
/* True if the two types have the same parameters and results. */
bool wge_functype_equal(const wge_functype *a, const wge_functype *b);

typedef struct wge_limits {
    uint32_t min;
    uint32_t max;
    bool has_max;
} wge_limits;

typedef struct wge_tabletype {
    wge_valtype elem_type; /* WG_FUNCREF or WG_EXTERNREF */
    wge_limits limits;
} wge_tabletype;

typedef struct wge_globaltype {
    wge_valtype type;
    bool mutable_;
} wge_globaltype;

/*
 * A constant expression (Wasm 2.0: exactly one instruction and `end`).
 * The decoder has checked its type against where it is used and that
 * global.get refers to an imported immutable global.
 */
typedef enum wge_initkind {
    WGE_INIT_CONST = 1, /* value holds the bits of an i32/i64/f32/f64 constant */
    WGE_INIT_GLOBAL_GET, /* index is a global index (always an import) */
    WGE_INIT_REF_NULL,   /* type is the reference type */
    WGE_INIT_REF_FUNC    /* index is a function index */
} wge_initkind;

typedef struct wge_initexpr {
    uint8_t kind; /* wge_initkind */
    wge_valtype type; /* the expression's result type */
    uint32_t index;
    wg_value value;
} wge_initexpr;

typedef struct wge_import {
    const char *module; /* NUL-terminated copy; may contain NUL bytes, see module_len */
    uint32_t module_len;
    const char *name;
    uint32_t name_len;
    uint8_t kind; /* wg_externkind */
    union {
        uint32_t type_index;  /* WG_EXTERN_FUNC */
        wge_tabletype table;  /* WG_EXTERN_TABLE */
        wge_limits memory;    /* WG_EXTERN_MEMORY */
        wge_globaltype global; /* WG_EXTERN_GLOBAL */
    } desc;
} wge_import;

typedef struct wge_export {
    const char *name; /* NUL-terminated copy */
    uint32_t name_len;
    uint8_t kind; /* wg_externkind */
    uint32_t index;
} wge_export;

typedef struct wge_global {
    wge_globaltype type;
    wge_initexpr init;
} wge_global;

typedef enum wge_segmode {
    WGE_SEG_ACTIVE = 1,
    WGE_SEG_PASSIVE,
    WGE_SEG_DECLARATIVE /* element segments only */
} wge_segmode;

typedef struct wge_elem {
    uint8_t mode; /* wge_segmode */
    wge_valtype elem_type;
    uint32_t table_index; /* active only */
    wge_initexpr offset;  /* active only; type i32 */
    uint32_t count;
    wge_initexpr *items; /* count items: REF_FUNC, REF_NULL or GLOBAL_GET */
} wge_elem;

typedef struct wge_data {
    uint8_t mode; /* WGE_SEG_ACTIVE or WGE_SEG_PASSIVE */
    uint32_t memory_index; /* active only */
    wge_initexpr offset;   /* active only; type i32 */
    const uint8_t *bytes;  /* points into wge_module.bytes */
    uint32_t len;
} wge_data;

/* A run of `count` locals of one type, as declared in a function body. */
typedef struct wge_localrun {
    uint32_t count;
    wge_valtype type;
} wge_localrun;

struct wge_code; /* compiled code of one function; defined in compile.h */

/*
 * A function defined by the module (imports have no wge_func).
 * The decoder fills type_index, the local declarations and the extent of
 * the instruction sequence; compile.c fills code.
 */
typedef struct wge_func {
    uint32_t type_index;
    uint32_t nlocals; /* declared locals, excluding parameters */
    uint32_t nlocalruns;
    wge_localrun *localruns;
    uint32_t body_offset; /* offset in wge_module.bytes of the body (its size field excluded) */
    uint32_t expr_offset; /* offset of the first instruction, after the local declarations */
    uint32_t expr_end;    /* offset just past the final `end` opcode */
    struct wge_code *code;
} wge_func;

typedef struct wge_custom {
    const char *name; /* NUL-terminated copy */
    uint32_t name_len;
    const uint8_t *data; /* points into wge_module.bytes */
    uint32_t len;
    uint32_t offset; /* offset of the section's payload in the module bytes */
} wge_custom;

/*
 * The decoded module. All arrays are owned by the module and freed by
 * wge_module_free_contents(). Counts named *_imported count the imports of
 * that kind, which come first in the index space.
 */
typedef struct wge_module {
    uint8_t *bytes; /* owned copy of the binary */
    size_t len;

    uint32_t ntypes;
    wge_functype *types;

    uint32_t nimports;
    wge_import *imports;

    /* Function index space: func_type[i] is the type index of function i. */
    uint32_t nfuncs; /* imported + defined */
    uint32_t nfuncs_imported;
    uint32_t *func_type;
    wge_func *funcs; /* nfuncs - nfuncs_imported entries, for defined functions */

    uint32_t ntables;
    uint32_t ntables_imported;
    wge_tabletype *tables; /* whole index space, imported ones included */

    uint32_t nmemories; /* at most 1 in Wasm 2.0 */
    uint32_t nmemories_imported;
    wge_limits *memories; /* whole index space */

    uint32_t nglobals;
    uint32_t nglobals_imported;
    wge_globaltype *global_types; /* whole index space */
    wge_global *globals;          /* nglobals - nglobals_imported, defined ones */

    uint32_t nexports;
    wge_export *exports;

    bool has_start;
    uint32_t start;

    uint32_t nelems;
    wge_elem *elems;

    bool has_datacount;
    uint32_t datacount;
    uint32_t ndatas;
    wge_data *datas;

    uint32_t ncustoms;
    wge_custom *customs;

    /*
     * Functions that may be referenced by ref.func in function bodies: those
     * appearing in element segments, exports, or global initialisers (the
     * spec's C.refs). One bit per function index.
     */
    uint8_t *declared_funcs;

    /* Where the code section is, for error messages and the size report. */
    uint32_t code_section_offset;
    uint32_t code_section_size;

    /* Names from the "name" custom section, if present and well formed; else NULL. */
    char **func_names; /* nfuncs entries, each NULL or a NUL-terminated string */
} wge_module;

static inline bool wge_func_is_declared(const wge_module *m, uint32_t funcidx)
{
    return (m->declared_funcs[funcidx >> 3] >> (funcidx & 7)) & 1;
}

static inline const wge_functype *wge_module_func_type(const wge_module *m, uint32_t funcidx)
{
    return &m->types[m->func_type[funcidx]];
}

/*
 * Decodes `len` bytes (already copied into m->bytes by the caller) into m,
 * and performs module-level validation. Function bodies are only delimited
 * and their locals decoded; compile.c validates their instructions.
 * Returns false with a message in err on malformed or invalid input; the
 * message begins with "malformed: " or "invalid: " and names the section
 * and byte offset. m must be zeroed except for bytes/len; on failure the
 * caller still calls wge_module_free_contents().
 */
bool wge_decode_module(wge_module *m, const wg_load_options *opts, char *err, size_t errsz);

/*
 * Frees everything the decoder allocated (not m itself, and not the compiled
 * code in funcs[i].code, which compile.c owns and frees first).
 */
void wge_module_free_contents(wge_module *m);

/* Section ids, for error messages. */
const char *wge_section_name(uint8_t id);

#endif /* WASMGATE_ENGINE_MODULE_H */
