/*
 * runtime.h — the engine's run-time objects: loaded modules, instances,
 * function instances, memories, tables, globals, and the execution stack.
 * Internal to the engine; the public API (wg.h) sees only opaque pointers.
 */
#ifndef WASMGATE_ENGINE_RUNTIME_H
#define WASMGATE_ENGINE_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "module.h"
#include "wasmgate/wg.h"

/* A loaded module: the decoded module plus its compiled code. Immutable. */
struct wg_module {
    atomic_uint refcount;
    wge_module m;
    uint16_t *code;       /* compiled code of every defined function, see ops.h */
    size_t code_units;
    uint32_t *func_code;  /* per defined function: offset in code of its header */
    uint32_t *export_order; /* export indices sorted by name, for lookup */
    bool metering;
};

/*
 * A function instance. Wasm functions point at their compiled code and the
 * instance they belong to; host functions carry the callback.
 */
struct wg_func {
    const wge_functype *type;
    wg_instance *inst;    /* owning instance; NULL for a host function */
    const uint16_t *code; /* header of the compiled code; NULL for a host function */
    wg_host_fn host;
    void *env;
    uint32_t index; /* index in the owning module (host functions: UINT32_MAX) */
};

struct wg_memory {
    uint32_t refcount;
    uint8_t *data;
    uint64_t size; /* bytes = pages * WG_PAGE_SIZE */
    uint32_t pages;
    uint32_t max;  /* declared maximum, or 65536 */
    bool has_max;
    uint32_t limit; /* host limit in pages (growing past it traps) */
    bool mapped;    /* data is an anonymous mapping (large memories), else heap memory */
    size_t capacity; /* bytes allocated at data (>= size); beyond size they are not yet zeroed */
};

struct wg_table {
    uint32_t refcount;
    wge_valtype elem_type;
    uint32_t size;
    uint32_t max; /* declared maximum, or UINT32_MAX */
    bool has_max;
    uint32_t limit; /* host limit in elements (growing past it traps) */
    void **elems;
    /*
     * Instances whose instantiation failed after writing their functions
     * into this table (Wasm 2.0 keeps such writes): the table keeps them
     * alive, and their reference back to the table is weak.
     */
    wg_instance **kept;
    uint32_t nkept;
};

/*
 * A global. Globals defined by an instance live in an array inside it
 * (owner set; references count on the owner); wg_global_new() makes a
 * standalone one (owner NULL, own refcount).
 */
struct wg_global {
    uint32_t refcount;
    wg_instance *owner;
    wge_valtype type;
    bool mutable_;
    wg_value value;
};

/* A saved caller state on the frame stack. */
typedef struct wge_frame {
    const uint16_t *ip; /* where to continue in the caller */
    wg_value *fp;       /* the caller's frame */
    wg_instance *inst;  /* the caller's instance */
} wge_frame;

/*
 * The execution stack of an instance: value slots and saved frames.
 * Allocated on the first call. Calls into another instance's functions run
 * on the caller's stack.
 */
typedef struct wge_stack {
    wg_value *slots, *slots_end;
    wg_value *sp; /* first free slot for a new entry from the host */
    wge_frame *frames, *frames_end;
    wge_frame *frames_top; /* next free frame record */
} wge_stack;

struct wg_instance {
    uint32_t refcount;
    wg_module *module;
    void *userdata;

    wg_func **funcs; /* function index space */
    wg_func *own_funcs; /* storage for defined functions and imported host functions */
    wg_table **tables;  /* table index space; each holds a reference */
    wg_memory **memories; /* memory index space (0 or 1); each holds a reference */
    wg_memory *mem0;      /* memory 0, or an empty static memory if there is none */
    wg_global **globals;  /* global index space */
    wg_global *own_globals;
    uint8_t *elem_dropped; /* bitmaps over segment indices */
    uint8_t *data_dropped;
    wg_instance **deps; /* instances this one imports functions/globals from (referenced) */
    uint32_t ndeps;
    bool weak_imports; /* parked after a failed instantiation: imports are not referenced */

    /* limits */
    uint32_t max_call_depth;
    uint32_t stack_slots;

    /*
     * Metering; see interp.c. Fuel is handed out in slices: slice_given units
     * were granted, slice_left remain. Used fuel is fuel_used plus
     * (slice_given - slice_left). The slice survives between calls, so a
     * call does not pay for a clock read unless its slice runs out.
     */
    uint64_t fuel_limit; /* 0 = unlimited */
    uint64_t fuel_used;
    int64_t slice_given;
    int64_t slice_left;
    uint64_t deadline_ns; /* 0 = none */
    atomic_bool interrupt;

    wge_stack stack;
};

/* ---- interp.c ---- */

/*
 * Calls the wasm function f (f->code != NULL) with the given arguments;
 * counts have been checked by the caller. Returns NULL or a trap.
 */
wg_trap *wge_call_wasm(wg_func *f, const wg_value *args, wg_value *results);

/* ---- instance.c ---- */

/* Evaluates a constant expression in the context of an instance. */
wg_value wge_eval_initexpr(const wg_instance *inst, const wge_initexpr *e);

/* Function index of the compiled code containing ip, or UINT32_MAX. */
uint32_t wge_func_at(const wg_module *m, const uint16_t *ip);

/* The memory instances without one point at: zero pages, cannot grow. */
extern wg_memory wge_no_memory;

/* Grows a memory; traps (returned via *trap) when the host limit is exceeded. */
int64_t wge_memory_grow(wg_memory *mem, uint32_t delta, wg_trap **trap);
int64_t wge_table_grow(wg_table *t, uint32_t delta, void *init, wg_trap **trap);

/* ---- compile.c ---- */

/*
 * Validates and compiles every function body of wm->m into wm->code.
 * Returns false with a message in err (prefixed "malformed: " or "invalid: ").
 */
bool wge_compile_module(wg_module *wm, const wg_load_options *opts, char *err, size_t errsz);

#endif /* WASMGATE_ENGINE_RUNTIME_H */
