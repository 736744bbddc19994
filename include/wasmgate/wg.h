/*
 * wasmgate/wg.h — the public API of the wasmgate WebAssembly engine.
 *
 * The engine implements WebAssembly 2.0 (MVP, sign-extension, non-trapping
 * float-to-int, multi-value, bulk memory, reference types) with no
 * dependencies beyond the C library. It knows nothing of WASI or Kubernetes:
 * everything a module may reach comes in through host functions defined on a
 * wg_linker.
 *
 * Lifetimes and threads
 *   - A wg_module is immutable once loaded and may be shared by any number of
 *     threads and instances. It is reference counted (atomically): every
 *     instance keeps its module alive, so wg_module_free() may be called while
 *     instances still run.
 *   - A wg_instance, and the memories, tables, globals and functions it
 *     owns, belong to one thread at a time. Only wg_instance_interrupt() may
 *     be called from another thread.
 *   - Memories, tables, globals and instances are reference counted (not
 *     atomically): an instance that imports one keeps it alive, and a linker
 *     that defines one keeps it alive until the linker is freed.
 *
 * Errors
 *   Functions that can fail on bad input return NULL/false and write a
 *   message into a caller-provided buffer (err, errsz; either may be
 *   NULL/0). Messages name the problem and where it is, e.g.
 *   "section 10 (code), function 3, offset 0x1a2: unknown opcode 0xfe".
 *   Execution failures are traps: values of type wg_trap, never a crash.
 *
 * Values
 *   wg_value is an untyped 64-bit cell; the type comes from context (the
 *   function's signature, the global's type). i32/f32 values live in the low
 *   32 bits; the high bits of such a cell are unspecified. References are
 *   pointers: a funcref is a wg_func* (or NULL), an externref is whatever
 *   pointer the host chose (NULL is the null reference).
 */
#ifndef WASMGATE_WG_H
#define WASMGATE_WG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types ------------------------------------------------------------ */

typedef enum wg_valtype {
    WG_I32 = 0x7f,
    WG_I64 = 0x7e,
    WG_F32 = 0x7d,
    WG_F64 = 0x7c,
    WG_V128 = 0x7b, /* reserved for SIMD; not accepted by this version */
    WG_FUNCREF = 0x70,
    WG_EXTERNREF = 0x6f
} wg_valtype;

typedef enum wg_externkind {
    WG_EXTERN_FUNC = 0,
    WG_EXTERN_TABLE = 1,
    WG_EXTERN_MEMORY = 2,
    WG_EXTERN_GLOBAL = 3
} wg_externkind;

typedef union wg_value {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    float f32;
    double f64;
    void *ref;
} wg_value;

typedef struct wg_module wg_module;
typedef struct wg_instance wg_instance;
typedef struct wg_linker wg_linker;
typedef struct wg_func wg_func;
typedef struct wg_memory wg_memory;
typedef struct wg_table wg_table;
typedef struct wg_global wg_global;
typedef struct wg_trap wg_trap;
typedef struct wg_functype wg_functype;

/* Size of a WebAssembly page in bytes. */
#define WG_PAGE_SIZE 65536u

/* Returns the text-format name of a value type ("i32", "funcref", ...). */
const char *wg_valtype_name(wg_valtype t);
/* Returns the text-format keyword of an extern kind ("func", "table", "memory", "global"). */
const char *wg_externkind_name(wg_externkind k);

/* ---- Loading ------------------------------------------------------------ */

/*
 * Limits applied while loading. They bound the memory a hostile module can
 * make the loader allocate; each has a distinct error. Start from
 * wg_load_options_init() and change what you need.
 */
typedef struct wg_load_options {
    size_t max_module_bytes;        /* default 256 MiB */
    uint32_t max_types;             /* default 1,000,000 */
    uint32_t max_functions;         /* imported + defined; default 1,000,000 */
    uint32_t max_imports;           /* default 100,000 */
    uint32_t max_exports;           /* default 100,000 */
    uint32_t max_globals;           /* default 1,000,000 */
    uint32_t max_tables;            /* default 100,000 */
    uint32_t max_segments;          /* element + data segments each; default 100,000 */
    uint32_t max_element_items;     /* element segment items, all segments together; default 1,000,000 */
    uint32_t max_custom_sections;   /* default 10,000 */
    uint32_t max_function_params;   /* params, and results, of one type; default 1,000 */
    uint32_t max_function_locals;   /* declared locals of one function; default 50,000 */
    uint32_t max_function_bytes;    /* size of one function body; default 7,654,321 */
    uint32_t max_nesting_depth;     /* block/loop/if nesting; default 10,000 */
    uint32_t max_br_table_targets;  /* default 1,000,000 */
    /*
     * Emit the fuel and deadline checks (at function entry and loop
     * headers). On by default; turn off only for trusted code, since
     * without them a module cannot be stopped.
     */
    bool metering;
} wg_load_options;

void wg_load_options_init(wg_load_options *opts);

/*
 * Decodes, validates and compiles a module. The bytes are copied; the caller
 * may free them afterwards. opts may be NULL for the defaults. Returns NULL
 * and writes a message to err on malformed or invalid input.
 */
wg_module *wg_module_load(const void *bytes, size_t len, const wg_load_options *opts,
                          char *err, size_t errsz);

/* Drops a reference; the module is freed when no instance uses it. */
void wg_module_free(wg_module *m);

/* Adds a reference (atomically; safe from any thread). Returns m. */
wg_module *wg_module_retain(wg_module *m);

/* ---- Inspecting a module ---------------------------------------------- */

/*
 * A description of an import or export. Strings point into the module and
 * live as long as it does; they are NUL-terminated, and *_len gives the
 * length (names may contain NUL bytes).
 */
typedef struct wg_extern_desc {
    const char *module; /* imports only; NULL for exports */
    size_t module_len;
    const char *name;
    size_t name_len;
    wg_externkind kind;
    const wg_functype *func_type; /* WG_EXTERN_FUNC */
    wg_valtype elem_type;         /* WG_EXTERN_TABLE */
    uint32_t min, max;            /* WG_EXTERN_TABLE / WG_EXTERN_MEMORY limits */
    bool has_max;
    wg_valtype global_type; /* WG_EXTERN_GLOBAL */
    bool global_mutable;
} wg_extern_desc;

size_t wg_module_import_count(const wg_module *m);
bool wg_module_import(const wg_module *m, size_t index, wg_extern_desc *out);
size_t wg_module_export_count(const wg_module *m);
bool wg_module_export(const wg_module *m, size_t index, wg_extern_desc *out);

/* Custom sections, in the order they appear. */
size_t wg_module_custom_count(const wg_module *m);
bool wg_module_custom(const wg_module *m, size_t index, const char **name, size_t *name_len,
                      const uint8_t **data, size_t *len);
/* The first custom section with this name, or NULL. */
const uint8_t *wg_module_custom_find(const wg_module *m, const char *name, size_t *len);

/* Size of the code section in bytes, and of the compiled form of the module. */
size_t wg_module_code_bytes(const wg_module *m);
size_t wg_module_compiled_bytes(const wg_module *m);

/*
 * Prints the compiled internal code of function `funcidx` (a defined
 * function) to out, for engine developers. Returns false if there is no
 * such function.
 */
bool wg_module_dump_code(const wg_module *m, uint32_t funcidx, FILE *out);

size_t wg_functype_param_count(const wg_functype *t);
size_t wg_functype_result_count(const wg_functype *t);
wg_valtype wg_functype_param(const wg_functype *t, size_t i);
wg_valtype wg_functype_result(const wg_functype *t, size_t i);
/* Writes "(i32, i64) -> (f32)" into buf. Returns buf. */
char *wg_functype_format(const wg_functype *t, char *buf, size_t bufsz);

/* ---- Traps ---------------------------------------------------------------- */

typedef enum wg_trap_kind {
    WG_TRAP_UNREACHABLE = 1,      /* "unreachable" */
    WG_TRAP_MEMORY_OUT_OF_BOUNDS, /* "out of bounds memory access" */
    WG_TRAP_TABLE_OUT_OF_BOUNDS,  /* "out of bounds table access" */
    WG_TRAP_UNDEFINED_ELEMENT,    /* "undefined element N" (call_indirect past the table's end) */
    WG_TRAP_NULL_FUNCTION,        /* "uninitialized element N" (call_indirect of null) */
    WG_TRAP_INDIRECT_TYPE,        /* "indirect call type mismatch" */
    WG_TRAP_DIVIDE_BY_ZERO,       /* "integer divide by zero" */
    WG_TRAP_INTEGER_OVERFLOW,     /* "integer overflow" */
    WG_TRAP_INVALID_CONVERSION,   /* "invalid conversion to integer" */
    WG_TRAP_STACK_EXHAUSTED,      /* "call stack exhausted" */
    WG_TRAP_FUEL_EXHAUSTED,       /* "fuel exhausted after N units" */
    WG_TRAP_TIMEOUT,              /* "timeout: deadline exceeded" */
    WG_TRAP_INTERRUPTED,          /* wg_instance_interrupt() was called */
    WG_TRAP_MEMORY_LIMIT,         /* "memory limit: grow to N pages exceeds M" */
    WG_TRAP_TABLE_LIMIT,          /* "table limit: grow to N elements exceeds M" */
    WG_TRAP_HOST,                 /* a host function failed; see the message */
    WG_TRAP_EXIT                  /* a host function asked to end the call (e.g. WASI proc_exit) */
} wg_trap_kind;

/* A trap for a host function to return: kind WG_TRAP_HOST unless given. */
wg_trap *wg_trap_new(wg_trap_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* A trap that ends the call with an exit status (kind WG_TRAP_EXIT). */
wg_trap *wg_trap_exit(int32_t status);

wg_trap_kind wg_trap_kind_of(const wg_trap *t);
const char *wg_trap_message(const wg_trap *t);
int32_t wg_trap_exit_status(const wg_trap *t);
/* Index of the function that was executing, or UINT32_MAX if unknown. */
uint32_t wg_trap_function(const wg_trap *t);
void wg_trap_free(wg_trap *t);

/* ---- Memories, tables, globals --------------------------------------------- */

/* A memory not owned by any instance (e.g. the spectest host module's). */
wg_memory *wg_memory_new(uint32_t min_pages, uint32_t max_pages, bool has_max, char *err,
                         size_t errsz);
void wg_memory_free(wg_memory *m); /* drops a reference */
uint8_t *wg_memory_data(wg_memory *m);
size_t wg_memory_size(const wg_memory *m); /* in bytes */
uint32_t wg_memory_pages(const wg_memory *m);
/*
 * A pointer to [offset, offset+len) if that range is inside the memory,
 * else NULL. Valid until the memory grows (any call into the instance may
 * grow it).
 */
void *wg_memory_ptr(wg_memory *m, uint64_t offset, uint64_t len);
bool wg_memory_read(wg_memory *m, uint64_t offset, void *dst, size_t len);
bool wg_memory_write(wg_memory *m, uint64_t offset, const void *src, size_t len);
/* Returns the old size in pages, or -1 if the memory cannot grow that much. */
int64_t wg_memory_grow(wg_memory *m, uint32_t delta_pages);

wg_table *wg_table_new(wg_valtype elem_type, uint32_t min, uint32_t max, bool has_max,
                       void *init, char *err, size_t errsz);
void wg_table_free(wg_table *t);
uint32_t wg_table_size(const wg_table *t);
wg_valtype wg_table_elem_type(const wg_table *t);
bool wg_table_get(const wg_table *t, uint32_t index, void **out);
bool wg_table_set(wg_table *t, uint32_t index, void *ref);
int64_t wg_table_grow(wg_table *t, uint32_t delta, void *init);

wg_global *wg_global_new(wg_valtype type, bool mutable_, wg_value init);
void wg_global_free(wg_global *g);
wg_valtype wg_global_type(const wg_global *g);
bool wg_global_mutable(const wg_global *g);
wg_value wg_global_get(const wg_global *g);
bool wg_global_set(wg_global *g, wg_value v); /* false if immutable */

/* ---- Host functions and linking ----------------------------------------- */

/*
 * A host function. args holds the parameters, results receives the results
 * (args and results never overlap). caller is the instance whose code made
 * the call; use it to reach linear memory and per-instance host state. env is
 * the pointer given when the function was defined. Return NULL on success or
 * a trap (ownership passes to the engine) to abort the call.
 */
typedef wg_trap *(*wg_host_fn)(wg_instance *caller, const wg_value *args, wg_value *results,
                               void *env);

wg_linker *wg_linker_new(void);
void wg_linker_free(wg_linker *l);

/* Each define_* returns false (and writes err) if the name is already defined. */
bool wg_linker_define_func(wg_linker *l, const char *module, const char *name,
                           const wg_valtype *params, size_t nparams, const wg_valtype *results,
                           size_t nresults, wg_host_fn fn, void *env, char *err, size_t errsz);
bool wg_linker_define_wasm_func(wg_linker *l, const char *module, const char *name, wg_func *f,
                                char *err, size_t errsz);
bool wg_linker_define_memory(wg_linker *l, const char *module, const char *name, wg_memory *m,
                             char *err, size_t errsz);
bool wg_linker_define_table(wg_linker *l, const char *module, const char *name, wg_table *t,
                            char *err, size_t errsz);
bool wg_linker_define_global(wg_linker *l, const char *module, const char *name, wg_global *g,
                             char *err, size_t errsz);
/* Defines every export of inst under the given module name. */
bool wg_linker_define_instance(wg_linker *l, const char *module, wg_instance *inst, char *err,
                               size_t errsz);

/* ---- Instances ---------------------------------------------------------- */

typedef struct wg_instance_options {
    void *userdata;            /* returned by wg_instance_userdata() */
    uint32_t max_memory_pages; /* across all memories the instance defines; default 65536 */
    uint32_t max_table_elements; /* per table; default 10,000,000 */
    uint32_t max_call_depth;   /* nested wasm calls; default 10,000 */
    uint32_t stack_slots;      /* value stack, in 8-byte slots; default 1,048,576 (8 MiB) */
    uint64_t fuel;             /* instruction budget for the start function; 0 = unlimited */
    uint64_t deadline_ns;      /* CLOCK_MONOTONIC deadline for the start function; 0 = none */
    bool skip_start;           /* do not run the start function */
} wg_instance_options;

void wg_instance_options_init(wg_instance_options *opts);

/*
 * Instantiates a module: resolves imports through the linker (l may be NULL
 * if there are none), creates memories, tables and globals, applies element
 * and data segments and runs the start function. On a link error returns
 * NULL with a message in err and *trap == NULL. If initialisation traps
 * (an out-of-bounds segment, a trap in the start function) returns NULL
 * and stores the trap in *trap (if trap is non-NULL; else it is freed).
 */
wg_instance *wg_instance_new(wg_module *m, const wg_linker *l, const wg_instance_options *opts,
                             wg_trap **trap, char *err, size_t errsz);
void wg_instance_free(wg_instance *inst); /* drops a reference */
wg_instance *wg_instance_retain(wg_instance *inst);
const wg_module *wg_instance_module(const wg_instance *inst);
void *wg_instance_userdata(const wg_instance *inst);
void wg_instance_set_userdata(wg_instance *inst, void *userdata);

/* Exports by name; NULL if absent or of another kind. */
wg_func *wg_instance_func(wg_instance *inst, const char *name);
wg_memory *wg_instance_memory(wg_instance *inst, const char *name);
wg_table *wg_instance_table(wg_instance *inst, const char *name);
wg_global *wg_instance_global(wg_instance *inst, const char *name);
/*
 * An export of the given kind by name and length (names may contain NUL
 * bytes): a wg_func*, wg_table*, wg_memory* or wg_global*, or NULL if absent
 * or of another kind.
 */
void *wg_instance_export(wg_instance *inst, const char *name, size_t name_len,
                         wg_externkind kind);
/* The instance's memory by index (imported or defined), or NULL. */
wg_memory *wg_instance_memory_at(wg_instance *inst, uint32_t index);

/*
 * Execution budget for the following calls.
 * Fuel: a deterministic budget of WebAssembly instructions executed,
 * charged per basic block (by the branch, call or return that ends it), and
 * for bulk memory/table operations in proportion to their length. Using the
 * budget exactly succeeds; more traps with WG_TRAP_FUEL_EXHAUSTED.
 * 0 = unlimited. Needs metering (wg_load_options).
 * Deadline: an absolute CLOCK_MONOTONIC time in ns, checked with the fuel at
 * loop back-edges, loop entries and calls. 0 = none.
 */
void wg_instance_set_fuel(wg_instance *inst, uint64_t fuel);
uint64_t wg_instance_fuel_consumed(const wg_instance *inst);
void wg_instance_set_deadline(wg_instance *inst, uint64_t deadline_ns);
uint64_t wg_instance_deadline(const wg_instance *inst);
/* Makes running code trap with WG_TRAP_INTERRUPTED soon. Thread-safe. */
void wg_instance_interrupt(wg_instance *inst);

/* ---- Functions and calls ------------------------------------------------ */

const wg_functype *wg_func_type(const wg_func *f);
/*
 * Calls f. nargs and nresults must match its type. Returns NULL on success
 * or a trap that the caller must free.
 */
wg_trap *wg_func_call(wg_func *f, const wg_value *args, size_t nargs, wg_value *results,
                      size_t nresults);

/* Current time on CLOCK_MONOTONIC in ns, as used for deadlines. */
uint64_t wg_now_ns(void);

#ifdef __cplusplus
}
#endif
#endif /* WASMGATE_WG_H */
