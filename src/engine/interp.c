/*
 * interp.c — executes the internal code described in ops.h.
 *
 * One function, run(), holds the whole interpreter loop so that the hot
 * state (instruction pointer, frame pointer, memory base and size, fuel)
 * stays in registers. Dispatch is threaded: each handler ends by jumping
 * through the dispatch table to the next instruction's handler (computed
 * goto, a GCC/Clang extension).
 *
 * Traps leave through one exit that records what happened and where; the
 * host never sees a crash. Metering (see ops.h) uses one counter: `fuel`
 * is what remains of the current slice; when it goes negative, refuel()
 * accounts for it, checks the fuel budget, the deadline and the interrupt
 * flag, and grants the next slice. With no limits set, the slice is large
 * and the checks cost a compare per call and per loop iteration.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops.h"
#include "runtime.h"
#include "trap.h"

#if !defined(__GNUC__)
#error "the interpreter needs computed goto (GCC or Clang)"
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Fuel units per slice: how often the deadline and interrupt flag are polled. */
#define SLICE 100000

uint64_t wg_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint32_t imm32(const uint16_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline uint64_t imm64(const uint16_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/*
 * Accounts for the slice just used up (e->slice_given granted, *fuel left)
 * and grants the next one. Returns 0, or the kind of trap that must stop
 * execution.
 */
static __attribute__((noinline)) wg_trap_kind refuel(wg_instance *e, int64_t *fuel)
{
    e->fuel_used += (uint64_t)(e->slice_given - *fuel);
    *fuel = e->slice_given = 0;
    if (atomic_load_explicit(&e->interrupt, memory_order_relaxed)) {
        atomic_store_explicit(&e->interrupt, false, memory_order_relaxed);
        return WG_TRAP_INTERRUPTED;
    }
    if (e->deadline_ns && wg_now_ns() >= e->deadline_ns) return WG_TRAP_TIMEOUT;
    int64_t slice = SLICE;
    if (e->fuel_limit) {
        /* Using the budget exactly is allowed: the slice left is then 0, and any more is over. */
        if (e->fuel_used > e->fuel_limit) return WG_TRAP_FUEL_EXHAUSTED;
        uint64_t left = e->fuel_limit - e->fuel_used;
        if (left < (uint64_t)slice) slice = (int64_t)left;
    }
    *fuel = e->slice_given = slice;
    return 0;
}

/* ---- numeric helpers with WebAssembly semantics ---- */

/*
 * Rounding functions: a NaN operand must give a quiet ("arithmetic") NaN;
 * libm may return a signalling NaN unchanged.
 */
static inline float f32_round(float (*fn)(float), float a) { return isnan(a) ? a + a : fn(a); }
static inline double f64_round(double (*fn)(double), double a) { return isnan(a) ? a + a : fn(a); }

/* min/max: NaN if either is NaN (propagated, quieted); -0 < +0. */
static inline float f32_min(float a, float b)
{
    if (isnan(a) || isnan(b)) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline float f32_max(float a, float b)
{
    if (isnan(a) || isnan(b)) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a > b ? a : b;
}
static inline double f64_min(double a, double b)
{
    if (isnan(a) || isnan(b)) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a < b ? a : b;
}
static inline double f64_max(double a, double b)
{
    if (isnan(a) || isnan(b)) return a + b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a > b ? a : b;
}

static inline uint32_t rotl32(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a << b) | (a >> ((32 - b) & 31));
}
static inline uint32_t rotr32(uint32_t a, uint32_t b)
{
    b &= 31;
    return (a >> b) | (a << ((32 - b) & 31));
}
static inline uint64_t rotl64(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a << b) | (a >> ((64 - b) & 63));
}
static inline uint64_t rotr64(uint64_t a, uint64_t b)
{
    b &= 63;
    return (a >> b) | (a << ((64 - b) & 63));
}

/* Saturating truncations (the trapping ones check ranges inline). */
static inline int32_t sat_i32_s(double x)
{
    if (isnan(x)) return 0;
    if (x <= -2147483648.0) return INT32_MIN;
    if (x >= 2147483648.0) return INT32_MAX;
    return (int32_t)x;
}
static inline uint32_t sat_i32_u(double x)
{
    if (isnan(x) || x <= 0) return 0;
    if (x >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)x;
}
static inline int64_t sat_i64_s(double x)
{
    if (isnan(x)) return 0;
    if (x <= -9223372036854775808.0) return INT64_MIN;
    if (x >= 9223372036854775808.0) return INT64_MAX;
    return (int64_t)x;
}
static inline uint64_t sat_i64_u(double x)
{
    if (isnan(x) || x <= 0) return 0;
    if (x >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)x;
}

/*
 * Zeroes / copies n slots. Calls zero a few locals and copy a few arguments;
 * compilers turn plain loops into `rep stos`/`rep movs` or library calls,
 * whose start-up cost dwarfs a handful of stores, so small counts are
 * written out case by case.
 */
static inline void zero_slots(wg_value *p, uint32_t n)
{
    switch (n) {
    default: memset(p, 0, (size_t)n * sizeof *p); return;
    case 8: p[7].u64 = 0; /* fall through */
    case 7: p[6].u64 = 0; /* fall through */
    case 6: p[5].u64 = 0; /* fall through */
    case 5: p[4].u64 = 0; /* fall through */
    case 4: p[3].u64 = 0; /* fall through */
    case 3: p[2].u64 = 0; /* fall through */
    case 2: p[1].u64 = 0; /* fall through */
    case 1: p[0].u64 = 0; /* fall through */
    case 0: return;
    }
}

static inline void copy_slots(wg_value *dst, const wg_value *src, uint32_t n)
{
    switch (n) {
    default: memcpy(dst, src, (size_t)n * sizeof *dst); return;
    case 4: dst[3] = src[3]; /* fall through */
    case 3: dst[2] = src[2]; /* fall through */
    case 2: dst[1] = src[1]; /* fall through */
    case 1: dst[0] = src[0]; /* fall through */
    case 0: return;
    }
}

/* Copies n 64-bit pool values stored in code units (unaligned) into slots. */
static inline void copy_pool(wg_value *dst, const uint16_t *src, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) memcpy(&dst[k].u64, src + 4 * (size_t)k, 8);
}

/*
 * Prepares a new frame for the function whose header is h: zeroes its
 * declared locals and loads its constant pool (ops.h).
 */
static inline void init_frame(wg_value *fp, const uint16_t *h)
{
    zero_slots(fp + h[1], h[2]);
    uint32_t npool = h[3];
    if (npool) copy_pool(fp + h[1] + h[2], h + imm32(h + 4), npool);
}

/* A reference held by an element segment item, evaluated for this instance. */
static void *elem_item(const wg_instance *inst, const wge_initexpr *e)
{
    return wge_eval_initexpr(inst, e).ref;
}

static const char *trap_message_for(wg_trap_kind kind, const wg_instance *entry, char *buf,
                                    size_t n)
{
    if (kind == WG_TRAP_FUEL_EXHAUSTED) {
        snprintf(buf, n, "fuel exhausted after %llu units",
                 (unsigned long long)entry->fuel_limit);
        return buf;
    }
    return NULL;
}

/*
 * Runs the function whose header is `header` in instance `entry`, with its
 * arguments already in fp[0..nparams). On return its results are in
 * fp[0..nresults). Uses the stack `st` above st->frames_top.
 */
static wg_trap *run(wg_instance *entry, wge_stack *st, const uint16_t *header, wg_value *fp)
{
    static const void *const dispatch[WGE_OP_COUNT] = {
#define WGE_OP_LABEL(name) &&L_##name,
        WGE_OPS(WGE_OP_LABEL)
#undef WGE_OP_LABEL
    };

    wg_instance *inst = entry;
    wge_frame *const frames_base = st->frames_top;
    wge_frame *ft = frames_base;
    wg_value *const slots_end = st->slots_end;
    const uint16_t *ip = header;
    wg_memory *mem0 = inst->mem0;
    uint8_t *mem = mem0->data;
    uint64_t memsize = mem0->size;
    int64_t fuel = entry->slice_left; /* the slice carries over from the previous call */
    wg_trap_kind trap_kind = 0;
    wg_trap *trap_obj = NULL;
    const uint16_t *callee;
    wg_value *nfp;
    wg_func *callf; /* the function being called by CALL_IMPORT / CALL_INDIRECT */

#define NEXT() goto *dispatch[*ip]
#define S(k) fp[ip[k]]
#define RELOAD_MEMORY()                                                                            \
    do {                                                                                           \
        mem = mem0->data;                                                                          \
        memsize = mem0->size;                                                                      \
    } while (0)
#define SWITCH_INSTANCE(to)                                                                        \
    do {                                                                                           \
        inst = (to);                                                                               \
        mem0 = inst->mem0;                                                                         \
        RELOAD_MEMORY();                                                                           \
    } while (0)
#define TRAP(kind)                                                                                 \
    do {                                                                                           \
        trap_kind = (kind);                                                                        \
        goto trap;                                                                                 \
    } while (0)
/*
 * Metering (ops.h): every block-ending instruction pays its block with PAY,
 * which only subtracts; POLL checks the running slice where execution can
 * go on indefinitely: backward branches, loop entries and calls.
 */
#define PAY(cost) (fuel -= (int64_t)(cost))
#define POLL()                                                                                     \
    do {                                                                                           \
        if (UNLIKELY(fuel < 0)) {                                                                  \
            wg_trap_kind k_ = refuel(entry, &fuel);                                                \
            if (k_) TRAP(k_);                                                                      \
        }                                                                                          \
    } while (0)
/* Bulk operations also pay for their length (a unit per 64 bytes or 16 table elements), and poll. */
#define CHARGE(cost)                                                                               \
    do {                                                                                           \
        PAY(cost);                                                                                 \
        POLL();                                                                                    \
    } while (0)
/*
 * Takes a branch whose block was paid. A backward branch always targets a
 * LOOP instruction (ops.h), which only pays the code before the loop: it
 * polls and continues after it, saving a dispatch per iteration.
 */
#define JUMP(rel)                                                                                  \
    do {                                                                                           \
        int32_t rel_ = (int32_t)(rel);                                                             \
        ip += rel_;                                                                                \
        if (rel_ < 0) {                                                                            \
            POLL();                                                                                \
            ip += 3;                                                                               \
        }                                                                                          \
        NEXT();                                                                                    \
    } while (0)

    /* Prologue of the entry function: its frame was checked by the caller. */
    init_frame(fp, ip);
    ip += WGE_FUNC_HEADER_UNITS;
    POLL();
    NEXT();

    /* ---- control ---- */
L_UNREACHABLE:
    TRAP(WG_TRAP_UNREACHABLE);
L_BR:
    PAY(ip[3]);
    JUMP(imm32(ip + 1));
L_BR_IF:
    PAY(ip[4]);
    if (S(1).u32) JUMP(imm32(ip + 2));
    ip += 5;
    NEXT();
L_BR_UNLESS:
    PAY(ip[4]);
    if (!S(1).u32) JUMP(imm32(ip + 2));
    ip += 5;
    NEXT();
L_BR_TABLE: {
    uint32_t i = S(1).u32, n = imm32(ip + 2);
    PAY(ip[4]);
    if (i > n) i = n;
    JUMP(imm32(ip + 5 + 2 * (size_t)i));
}
L_LOOP:
    PAY(imm32(ip + 1));
    POLL();
    ip += 3;
    NEXT();
L_CHARGE:
    PAY(imm32(ip + 1));
    ip += 3;
    NEXT();
L_RETURN1:
    PAY(ip[2]);
    fp[0] = S(1);
    goto leave;
L_RETURN:
    PAY(ip[1]);
leave:
    if (UNLIKELY(ft == frames_base)) goto done;
    ft--;
    ip = ft->ip;
    fp = ft->fp;
    if (UNLIKELY(ft->inst != inst)) {
        SWITCH_INSTANCE(ft->inst);
    } else {
        RELOAD_MEMORY(); /* the callee may have grown it */
    }
    NEXT();

L_CALL:
    PAY(ip[4]);
    callee = ip + (int32_t)imm32(ip + 1);
    nfp = fp + ip[3];
    ip += 5;
enter: /* callee: header of a function of `inst`; nfp: its frame; ip: return address */
    if (UNLIKELY(nfp + callee[0] > slots_end || ft == st->frames_end)) {
        ip = callee; /* attribute the trap to the callee */
        TRAP(WG_TRAP_STACK_EXHAUSTED);
    }
    ft->ip = ip;
    ft->fp = fp;
    ft->inst = inst;
    ft++;
    init_frame(nfp, callee);
    fp = nfp;
    ip = callee + WGE_FUNC_HEADER_UNITS;
    POLL();
    NEXT();

L_CALL_IMPORT:
    PAY(ip[4]);
    callf = inst->funcs[imm32(ip + 1)];
    nfp = fp + ip[3];
    ip += 5;
    goto call_func;
L_CALL_INDIRECT: {
    PAY(ip[7]);
    wg_table *tab = inst->tables[imm32(ip + 3)];
    uint32_t i = S(5).u32;
    if (UNLIKELY(i >= tab->size)) {
        trap_obj = wge_trap_make(WG_TRAP_UNDEFINED_ELEMENT, "undefined element %u", i);
        goto trap;
    }
    callf = tab->elems[i];
    if (UNLIKELY(!callf)) {
        trap_obj = wge_trap_make(WG_TRAP_NULL_FUNCTION, "uninitialized element %u", i);
        goto trap;
    }
    const wge_functype *expect = &inst->module->m.types[imm32(ip + 1)];
    if (UNLIKELY(callf->type != expect) && !wge_functype_equal(callf->type, expect))
        TRAP(WG_TRAP_INDIRECT_TYPE);
    nfp = fp + ip[6];
    ip += 8;
    if (LIKELY(callf->inst == inst)) {
        callee = callf->code;
        goto enter;
    }
}
call_func:
    if (callf->code) {
        /* A wasm function of another instance: run it here, in its context. */
        callee = callf->code;
        if (UNLIKELY(nfp + callee[0] > slots_end || ft == st->frames_end)) {
            ip = callee;
            TRAP(WG_TRAP_STACK_EXHAUSTED);
        }
        ft->ip = ip;
        ft->fp = fp;
        ft->inst = inst;
        ft++;
        SWITCH_INSTANCE(callf->inst);
        init_frame(nfp, callee);
        fp = nfp;
        ip = callee + WGE_FUNC_HEADER_UNITS;
        POLL();
        NEXT();
    }
    /* A host function. Arguments are copied so results may be written in place. */
    POLL();
    {
        uint32_t np = callf->type->nparams, nr = callf->type->nresults;
        wg_value argbuf[16];
        wg_value *args = np <= 16 ? argbuf : malloc(np * sizeof *args);
        if (!args) {
            trap_obj = wge_trap_make(WG_TRAP_HOST, "out of memory calling a host function");
            goto trap;
        }
        copy_slots(args, nfp, np);
        if (UNLIKELY(nfp + (np > nr ? np : nr) > slots_end)) TRAP(WG_TRAP_STACK_EXHAUSTED);
        /* Nested calls from the host start above this frame and share the fuel slice. */
        wg_value *saved_sp = st->sp;
        st->sp = nfp + (np > nr ? np : nr);
        st->frames_top = ft;
        entry->slice_left = fuel;
        wg_trap *ht = callf->host(inst, args, nfp, callf->env);
        fuel = entry->slice_left;
        st->sp = saved_sp;
        st->frames_top = frames_base;
        if (args != argbuf) free(args);
        RELOAD_MEMORY();
        if (UNLIKELY(ht != NULL)) {
            trap_obj = ht;
            goto trap;
        }
        NEXT();
    }

    /* ---- data movement ---- */
L_MOV:
    S(1) = S(2);
    ip += 3;
    NEXT();
L_MOV2:
    S(1) = S(2);
    S(3) = S(4);
    ip += 5;
    NEXT();
L_LEA:
    S(1).u32 = S(2).u32 + (S(3).u32 << ip[4]) + imm32(ip + 5);
    ip += 7;
    NEXT();
L_CONST32:
    S(1).u32 = imm32(ip + 2);
    ip += 4;
    NEXT();
L_CONST64:
    S(1).u64 = imm64(ip + 2);
    ip += 6;
    NEXT();
L_SELECT:
    S(1) = S(4).u32 ? S(2) : S(3);
    ip += 5;
    NEXT();
L_GLOBAL_GET:
    S(1) = inst->globals[imm32(ip + 2)]->value;
    ip += 4;
    NEXT();
L_GLOBAL_SET:
    inst->globals[imm32(ip + 2)]->value = S(1);
    ip += 4;
    NEXT();

    /* ---- memory ---- */
#define LOAD(name, ctype, field, cast)                                                             \
    L_##name : {                                                                                   \
        uint64_t ea = (uint64_t)(uint32_t)(S(2).u32 + imm32(ip + 3)) + imm32(ip + 5);              \
        if (UNLIKELY(ea + sizeof(ctype) > memsize)) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);            \
        ctype v;                                                                                   \
        memcpy(&v, mem + ea, sizeof v);                                                            \
        S(1).field = (cast)v;                                                                      \
        ip += 7;                                                                                   \
        NEXT();                                                                                    \
    }
    LOAD(I32_LOAD, uint32_t, u32, uint32_t)
    LOAD(I64_LOAD, uint64_t, u64, uint64_t)
    LOAD(F32_LOAD, uint32_t, u32, uint32_t)
    LOAD(F64_LOAD, uint64_t, u64, uint64_t)
    LOAD(I32_LOAD8_S, int8_t, i32, int32_t)
    LOAD(I32_LOAD8_U, uint8_t, u32, uint32_t)
    LOAD(I32_LOAD16_S, int16_t, i32, int32_t)
    LOAD(I32_LOAD16_U, uint16_t, u32, uint32_t)
    LOAD(I64_LOAD8_S, int8_t, i64, int64_t)
    LOAD(I64_LOAD8_U, uint8_t, u64, uint64_t)
    LOAD(I64_LOAD16_S, int16_t, i64, int64_t)
    LOAD(I64_LOAD16_U, uint16_t, u64, uint64_t)
    LOAD(I64_LOAD32_S, int32_t, i64, int64_t)
    LOAD(I64_LOAD32_U, uint32_t, u64, uint64_t)
#undef LOAD
#define STORE(name, ctype, field)                                                                  \
    L_##name : {                                                                                   \
        uint64_t ea = (uint64_t)(uint32_t)(S(1).u32 + imm32(ip + 3)) + imm32(ip + 5);              \
        if (UNLIKELY(ea + sizeof(ctype) > memsize)) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);            \
        ctype v = (ctype)S(2).field;                                                               \
        memcpy(mem + ea, &v, sizeof v);                                                            \
        ip += 7;                                                                                   \
        NEXT();                                                                                    \
    }
    STORE(I32_STORE, uint32_t, u32)
    STORE(I64_STORE, uint64_t, u64)
    STORE(F32_STORE, uint32_t, u32)
    STORE(F64_STORE, uint64_t, u64)
    STORE(I32_STORE8, uint8_t, u32)
    STORE(I32_STORE16, uint16_t, u32)
    STORE(I64_STORE8, uint8_t, u64)
    STORE(I64_STORE16, uint16_t, u64)
    STORE(I64_STORE32, uint32_t, u64)
#undef STORE
    /* indexed forms: a + (b << n) + k */
#define LOAD_X(name, ctype, field, cast)                                                           \
    L_##name##_X : {                                                                               \
        uint64_t ea = (uint64_t)(uint32_t)(S(2).u32 + (S(3).u32 << ip[4]) + imm32(ip + 5)) +       \
                      imm32(ip + 7);                                                               \
        if (UNLIKELY(ea + sizeof(ctype) > memsize)) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);            \
        ctype v;                                                                                   \
        memcpy(&v, mem + ea, sizeof v);                                                            \
        S(1).field = (cast)v;                                                                      \
        ip += 9;                                                                                   \
        NEXT();                                                                                    \
    }
    LOAD_X(I32_LOAD, uint32_t, u32, uint32_t)
    LOAD_X(I64_LOAD, uint64_t, u64, uint64_t)
    LOAD_X(F32_LOAD, uint32_t, u32, uint32_t)
    LOAD_X(F64_LOAD, uint64_t, u64, uint64_t)
    LOAD_X(I32_LOAD8_S, int8_t, i32, int32_t)
    LOAD_X(I32_LOAD8_U, uint8_t, u32, uint32_t)
    LOAD_X(I32_LOAD16_S, int16_t, i32, int32_t)
    LOAD_X(I32_LOAD16_U, uint16_t, u32, uint32_t)
    LOAD_X(I64_LOAD8_S, int8_t, i64, int64_t)
    LOAD_X(I64_LOAD8_U, uint8_t, u64, uint64_t)
    LOAD_X(I64_LOAD16_S, int16_t, i64, int64_t)
    LOAD_X(I64_LOAD16_U, uint16_t, u64, uint64_t)
    LOAD_X(I64_LOAD32_S, int32_t, i64, int64_t)
    LOAD_X(I64_LOAD32_U, uint32_t, u64, uint64_t)
#undef LOAD_X
#define STORE_X(name, ctype, field)                                                                \
    L_##name##_X : {                                                                               \
        uint64_t ea = (uint64_t)(uint32_t)(S(1).u32 + (S(3).u32 << ip[4]) + imm32(ip + 5)) +       \
                      imm32(ip + 7);                                                               \
        if (UNLIKELY(ea + sizeof(ctype) > memsize)) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);            \
        ctype v = (ctype)S(2).field;                                                               \
        memcpy(mem + ea, &v, sizeof v);                                                            \
        ip += 9;                                                                                   \
        NEXT();                                                                                    \
    }
    STORE_X(I32_STORE, uint32_t, u32)
    STORE_X(I64_STORE, uint64_t, u64)
    STORE_X(F32_STORE, uint32_t, u32)
    STORE_X(F64_STORE, uint64_t, u64)
    STORE_X(I32_STORE8, uint8_t, u32)
    STORE_X(I32_STORE16, uint16_t, u32)
    STORE_X(I64_STORE8, uint8_t, u64)
    STORE_X(I64_STORE16, uint16_t, u64)
    STORE_X(I64_STORE32, uint32_t, u64)
#undef STORE_X

L_MEMORY_SIZE:
    S(1).u32 = mem0->pages;
    ip += 2;
    NEXT();
L_MEMORY_GROW: {
    wg_trap *t = NULL;
    int64_t old = wge_memory_grow(mem0, S(2).u32, &t);
    if (UNLIKELY(t != NULL)) {
        trap_obj = t;
        goto trap;
    }
    S(1).i32 = (int32_t)old;
    RELOAD_MEMORY();
    ip += 3;
    NEXT();
}
L_MEMORY_INIT: {
    uint32_t seg = imm32(ip + 4);
    uint64_t d = S(1).u32, s = S(2).u32, n = S(3).u32;
    const wge_data *data = &inst->module->m.datas[seg];
    uint64_t seglen = (inst->data_dropped[seg >> 3] >> (seg & 7)) & 1 ? 0 : data->len;
    if (UNLIKELY(s + n > seglen || d + n > memsize)) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);
    if (n) memcpy(mem + d, data->bytes + s, n);
    CHARGE(n >> 6);
    ip += 6;
    NEXT();
}
L_DATA_DROP: {
    uint32_t seg = imm32(ip + 1);
    inst->data_dropped[seg >> 3] |= (uint8_t)(1u << (seg & 7));
    ip += 3;
    NEXT();
}
L_MEMORY_COPY: {
    uint64_t d = S(1).u32, s = S(2).u32, n = S(3).u32;
    if (UNLIKELY(s + n > memsize || d + n > memsize)) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);
    if (n) memmove(mem + d, mem + s, n);
    CHARGE(n >> 6);
    ip += 4;
    NEXT();
}
L_MEMORY_FILL: {
    uint64_t d = S(1).u32, n = S(3).u32;
    if (UNLIKELY(d + n > memsize)) TRAP(WG_TRAP_MEMORY_OUT_OF_BOUNDS);
    if (n) memset(mem + d, (int)(uint8_t)S(2).u32, n);
    CHARGE(n >> 6);
    ip += 4;
    NEXT();
}

    /* ---- tables and references ---- */
L_TABLE_GET: {
    wg_table *t = inst->tables[imm32(ip + 3)];
    uint32_t i = S(2).u32;
    if (UNLIKELY(i >= t->size)) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
    S(1).ref = t->elems[i];
    ip += 5;
    NEXT();
}
L_TABLE_SET: {
    wg_table *t = inst->tables[imm32(ip + 3)];
    uint32_t i = S(1).u32;
    if (UNLIKELY(i >= t->size)) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
    t->elems[i] = S(2).ref;
    ip += 5;
    NEXT();
}
L_TABLE_SIZE:
    S(1).u32 = inst->tables[imm32(ip + 2)]->size;
    ip += 4;
    NEXT();
L_TABLE_GROW: {
    wg_trap *t = NULL;
    int64_t old = wge_table_grow(inst->tables[imm32(ip + 4)], S(3).u32, S(2).ref, &t);
    if (UNLIKELY(t != NULL)) {
        trap_obj = t;
        goto trap;
    }
    S(1).i32 = (int32_t)old;
    ip += 6;
    NEXT();
}
L_TABLE_FILL: {
    wg_table *t = inst->tables[imm32(ip + 4)];
    uint64_t i = S(1).u32, n = S(3).u32;
    void *v = S(2).ref;
    if (UNLIKELY(i + n > t->size)) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
    for (uint64_t k = 0; k < n; k++) t->elems[i + k] = v;
    CHARGE(n >> 4);
    ip += 6;
    NEXT();
}
L_TABLE_COPY: {
    wg_table *dt = inst->tables[imm32(ip + 4)];
    wg_table *stt = inst->tables[imm32(ip + 6)];
    uint64_t d = S(1).u32, s = S(2).u32, n = S(3).u32;
    if (UNLIKELY(s + n > stt->size || d + n > dt->size)) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
    if (n) memmove(dt->elems + d, stt->elems + s, n * sizeof(void *));
    CHARGE(n >> 4);
    ip += 8;
    NEXT();
}
L_TABLE_INIT: {
    uint32_t seg = imm32(ip + 4);
    wg_table *t = inst->tables[imm32(ip + 6)];
    uint64_t d = S(1).u32, s = S(2).u32, n = S(3).u32;
    const wge_elem *e = &inst->module->m.elems[seg];
    uint64_t seglen = (inst->elem_dropped[seg >> 3] >> (seg & 7)) & 1 ? 0 : e->count;
    if (UNLIKELY(s + n > seglen || d + n > t->size)) TRAP(WG_TRAP_TABLE_OUT_OF_BOUNDS);
    for (uint64_t k = 0; k < n; k++) t->elems[d + k] = elem_item(inst, &e->items[s + k]);
    CHARGE(n >> 4);
    ip += 8;
    NEXT();
}
L_ELEM_DROP: {
    uint32_t seg = imm32(ip + 1);
    inst->elem_dropped[seg >> 3] |= (uint8_t)(1u << (seg & 7));
    ip += 3;
    NEXT();
}
L_REF_FUNC:
    S(1).ref = inst->funcs[imm32(ip + 2)];
    ip += 4;
    NEXT();
L_REF_IS_NULL:
    S(1).u32 = S(2).ref == NULL;
    ip += 3;
    NEXT();

    /* ---- numeric ---- */
#define UNOP(name, in, out, expr)                                                                  \
    L_##name : {                                                                                   \
        __typeof__(S(2).in) a = S(2).in;                                                           \
        S(1).out = (expr);                                                                         \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
#define BINOP(name, in, out, expr)                                                                 \
    L_##name : {                                                                                   \
        __typeof__(S(2).in) a = S(2).in;                                                           \
        __typeof__(S(2).in) b = S(3).in;                                                           \
        S(1).out = (expr);                                                                         \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }
#define BINOP_I(name, in, out, expr)                                                               \
    L_##name##_I : {                                                                               \
        __typeof__(S(2).in) a = S(2).in;                                                           \
        __typeof__(S(2).in) b = (__typeof__(S(2).in))(int32_t)imm32(ip + 3);                       \
        S(1).out = (expr);                                                                         \
        ip += 5;                                                                                   \
        NEXT();                                                                                    \
    }
#define BINOP2(name, in, out, expr) BINOP(name, in, out, expr) BINOP_I(name, in, out, expr)

    UNOP(I32_EQZ, u32, u32, a == 0)
    UNOP(I32_CLZ, u32, u32, a ? (uint32_t)__builtin_clz(a) : 32)
    UNOP(I32_CTZ, u32, u32, a ? (uint32_t)__builtin_ctz(a) : 32)
    UNOP(I32_POPCNT, u32, u32, (uint32_t)__builtin_popcount(a))
    UNOP(I32_EXTEND8_S, u32, i32, (int32_t)(int8_t)a)
    UNOP(I32_EXTEND16_S, u32, i32, (int32_t)(int16_t)a)
    BINOP2(I32_ADD, u32, u32, a + b)
    BINOP2(I32_SUB, u32, u32, a - b)
    BINOP2(I32_MUL, u32, u32, a * b)
    BINOP2(I32_AND, u32, u32, a & b)
    BINOP2(I32_OR, u32, u32, a | b)
    BINOP2(I32_XOR, u32, u32, a ^ b)
    BINOP2(I32_SHL, u32, u32, a << (b & 31))
    BINOP2(I32_SHR_S, u32, i32, (int32_t)a >> (b & 31))
    BINOP2(I32_SHR_U, u32, u32, a >> (b & 31))
    BINOP2(I32_ROTL, u32, u32, rotl32(a, b))
    BINOP2(I32_ROTR, u32, u32, rotr32(a, b))
    BINOP2(I32_EQ, u32, u32, a == b)
    BINOP2(I32_NE, u32, u32, a != b)
    BINOP2(I32_LT_S, i32, u32, a < b)
    BINOP2(I32_LT_U, u32, u32, a < b)
    BINOP2(I32_GT_S, i32, u32, a > b)
    BINOP2(I32_GT_U, u32, u32, a > b)
    BINOP2(I32_LE_S, i32, u32, a <= b)
    BINOP2(I32_LE_U, u32, u32, a <= b)
    BINOP2(I32_GE_S, i32, u32, a >= b)
    BINOP2(I32_GE_U, u32, u32, a >= b)
L_I32_DIV_S: {
    int32_t a = S(2).i32, b = S(3).i32;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIVIDE_BY_ZERO);
    if (UNLIKELY(a == INT32_MIN && b == -1)) TRAP(WG_TRAP_INTEGER_OVERFLOW);
    S(1).i32 = a / b;
    ip += 4;
    NEXT();
}
L_I32_DIV_U: {
    uint32_t a = S(2).u32, b = S(3).u32;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIVIDE_BY_ZERO);
    S(1).u32 = a / b;
    ip += 4;
    NEXT();
}
L_I32_REM_S: {
    int32_t a = S(2).i32, b = S(3).i32;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIVIDE_BY_ZERO);
    S(1).i32 = b == -1 ? 0 : a % b;
    ip += 4;
    NEXT();
}
L_I32_REM_U: {
    uint32_t a = S(2).u32, b = S(3).u32;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIVIDE_BY_ZERO);
    S(1).u32 = a % b;
    ip += 4;
    NEXT();
}

    UNOP(I64_EQZ, u64, u32, a == 0)
    UNOP(I64_CLZ, u64, u64, a ? (uint64_t)__builtin_clzll(a) : 64)
    UNOP(I64_CTZ, u64, u64, a ? (uint64_t)__builtin_ctzll(a) : 64)
    UNOP(I64_POPCNT, u64, u64, (uint64_t)__builtin_popcountll(a))
    UNOP(I64_EXTEND8_S, u64, i64, (int64_t)(int8_t)a)
    UNOP(I64_EXTEND16_S, u64, i64, (int64_t)(int16_t)a)
    UNOP(I64_EXTEND32_S, u64, i64, (int64_t)(int32_t)a)
    BINOP2(I64_ADD, u64, u64, a + b)
    BINOP2(I64_SUB, u64, u64, a - b)
    BINOP(I64_MUL, u64, u64, a * b)
    BINOP2(I64_AND, u64, u64, a & b)
    BINOP(I64_OR, u64, u64, a | b)
    BINOP(I64_XOR, u64, u64, a ^ b)
    BINOP2(I64_SHL, u64, u64, a << (b & 63))
    BINOP2(I64_SHR_S, u64, i64, (int64_t)a >> (b & 63))
    BINOP2(I64_SHR_U, u64, u64, a >> (b & 63))
    BINOP(I64_ROTL, u64, u64, rotl64(a, b))
    BINOP(I64_ROTR, u64, u64, rotr64(a, b))
    BINOP(I64_EQ, u64, u32, a == b)
    BINOP(I64_NE, u64, u32, a != b)
    BINOP(I64_LT_S, i64, u32, a < b)
    BINOP(I64_LT_U, u64, u32, a < b)
    BINOP(I64_GT_S, i64, u32, a > b)
    BINOP(I64_GT_U, u64, u32, a > b)
    BINOP(I64_LE_S, i64, u32, a <= b)
    BINOP(I64_LE_U, u64, u32, a <= b)
    BINOP(I64_GE_S, i64, u32, a >= b)
    BINOP(I64_GE_U, u64, u32, a >= b)
L_I64_DIV_S: {
    int64_t a = S(2).i64, b = S(3).i64;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIVIDE_BY_ZERO);
    if (UNLIKELY(a == INT64_MIN && b == -1)) TRAP(WG_TRAP_INTEGER_OVERFLOW);
    S(1).i64 = a / b;
    ip += 4;
    NEXT();
}
L_I64_DIV_U: {
    uint64_t a = S(2).u64, b = S(3).u64;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIVIDE_BY_ZERO);
    S(1).u64 = a / b;
    ip += 4;
    NEXT();
}
L_I64_REM_S: {
    int64_t a = S(2).i64, b = S(3).i64;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIVIDE_BY_ZERO);
    S(1).i64 = b == -1 ? 0 : a % b;
    ip += 4;
    NEXT();
}
L_I64_REM_U: {
    uint64_t a = S(2).u64, b = S(3).u64;
    if (UNLIKELY(b == 0)) TRAP(WG_TRAP_DIVIDE_BY_ZERO);
    S(1).u64 = a % b;
    ip += 4;
    NEXT();
}

    /* f32: bit-level ops on u32 so NaN payloads pass through untouched */
    UNOP(F32_ABS, u32, u32, a & 0x7fffffffu)
    UNOP(F32_NEG, u32, u32, a ^ 0x80000000u)
    UNOP(F32_CEIL, f32, f32, f32_round(ceilf, a))
    UNOP(F32_FLOOR, f32, f32, f32_round(floorf, a))
    UNOP(F32_TRUNC, f32, f32, f32_round(truncf, a))
    UNOP(F32_NEAREST, f32, f32, f32_round(nearbyintf, a))
    UNOP(F32_SQRT, f32, f32, f32_round(sqrtf, a))
    BINOP(F32_ADD, f32, f32, a + b)
    BINOP(F32_SUB, f32, f32, a - b)
    BINOP(F32_MUL, f32, f32, a * b)
    BINOP(F32_DIV, f32, f32, a / b)
    BINOP(F32_MIN, f32, f32, f32_min(a, b))
    BINOP(F32_MAX, f32, f32, f32_max(a, b))
    BINOP(F32_COPYSIGN, u32, u32, (a & 0x7fffffffu) | (b & 0x80000000u))
    BINOP(F32_EQ, f32, u32, a == b)
    BINOP(F32_NE, f32, u32, a != b)
    BINOP(F32_LT, f32, u32, a < b)
    BINOP(F32_GT, f32, u32, a > b)
    BINOP(F32_LE, f32, u32, a <= b)
    BINOP(F32_GE, f32, u32, a >= b)

    UNOP(F64_ABS, u64, u64, a & 0x7fffffffffffffffull)
    UNOP(F64_NEG, u64, u64, a ^ 0x8000000000000000ull)
    UNOP(F64_CEIL, f64, f64, f64_round(ceil, a))
    UNOP(F64_FLOOR, f64, f64, f64_round(floor, a))
    UNOP(F64_TRUNC, f64, f64, f64_round(trunc, a))
    UNOP(F64_NEAREST, f64, f64, f64_round(nearbyint, a))
    UNOP(F64_SQRT, f64, f64, f64_round(sqrt, a))
    BINOP(F64_ADD, f64, f64, a + b)
    BINOP(F64_SUB, f64, f64, a - b)
    BINOP(F64_MUL, f64, f64, a * b)
    BINOP(F64_DIV, f64, f64, a / b)
    BINOP(F64_MIN, f64, f64, f64_min(a, b))
    BINOP(F64_MAX, f64, f64, f64_max(a, b))
    BINOP(F64_COPYSIGN, u64, u64,
          (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull))
    BINOP(F64_EQ, f64, u32, a == b)
    BINOP(F64_NE, f64, u32, a != b)
    BINOP(F64_LT, f64, u32, a < b)
    BINOP(F64_GT, f64, u32, a > b)
    BINOP(F64_LE, f64, u32, a <= b)
    BINOP(F64_GE, f64, u32, a >= b)

    /* conversions */
    UNOP(I32_WRAP_I64, u64, u32, (uint32_t)a)
    UNOP(I64_EXTEND_I32_S, i32, i64, (int64_t)a)
    UNOP(I64_EXTEND_I32_U, u32, u64, (uint64_t)a)
#define TRUNC(name, in, out, ctype, lo_ok, hi_ok)                                                  \
    L_##name : {                                                                                   \
        __typeof__(S(2).in) a = S(2).in;                                                           \
        if (UNLIKELY(isnan(a))) TRAP(WG_TRAP_INVALID_CONVERSION);                                  \
        if (UNLIKELY(!((lo_ok) && (hi_ok)))) TRAP(WG_TRAP_INTEGER_OVERFLOW);                       \
        S(1).out = (ctype)a;                                                                       \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
    TRUNC(I32_TRUNC_F32_S, f32, i32, int32_t, a >= -2147483648.0f, a < 2147483648.0f)
    TRUNC(I32_TRUNC_F32_U, f32, u32, uint32_t, a > -1.0f, a < 4294967296.0f)
    TRUNC(I32_TRUNC_F64_S, f64, i32, int32_t, a > -2147483649.0, a < 2147483648.0)
    TRUNC(I32_TRUNC_F64_U, f64, u32, uint32_t, a > -1.0, a < 4294967296.0)
    TRUNC(I64_TRUNC_F32_S, f32, i64, int64_t, a >= -9223372036854775808.0f,
          a < 9223372036854775808.0f)
    TRUNC(I64_TRUNC_F32_U, f32, u64, uint64_t, a > -1.0f, a < 18446744073709551616.0f)
    TRUNC(I64_TRUNC_F64_S, f64, i64, int64_t, a >= -9223372036854775808.0,
          a < 9223372036854775808.0)
    TRUNC(I64_TRUNC_F64_U, f64, u64, uint64_t, a > -1.0, a < 18446744073709551616.0)
#undef TRUNC
    UNOP(I32_TRUNC_SAT_F32_S, f32, i32, sat_i32_s(a))
    UNOP(I32_TRUNC_SAT_F32_U, f32, u32, sat_i32_u(a))
    UNOP(I32_TRUNC_SAT_F64_S, f64, i32, sat_i32_s(a))
    UNOP(I32_TRUNC_SAT_F64_U, f64, u32, sat_i32_u(a))
    UNOP(I64_TRUNC_SAT_F32_S, f32, i64, sat_i64_s(a))
    UNOP(I64_TRUNC_SAT_F32_U, f32, u64, sat_i64_u(a))
    UNOP(I64_TRUNC_SAT_F64_S, f64, i64, sat_i64_s(a))
    UNOP(I64_TRUNC_SAT_F64_U, f64, u64, sat_i64_u(a))
    UNOP(F32_CONVERT_I32_S, i32, f32, (float)a)
    UNOP(F32_CONVERT_I32_U, u32, f32, (float)a)
    UNOP(F32_CONVERT_I64_S, i64, f32, (float)a)
    UNOP(F32_CONVERT_I64_U, u64, f32, (float)a)
    UNOP(F64_CONVERT_I32_S, i32, f64, (double)a)
    UNOP(F64_CONVERT_I32_U, u32, f64, (double)a)
    UNOP(F64_CONVERT_I64_S, i64, f64, (double)a)
    UNOP(F64_CONVERT_I64_U, u64, f64, (double)a)
    UNOP(F32_DEMOTE_F64, f64, f32, (float)a)
    UNOP(F64_PROMOTE_F32, f32, f64, (double)a)
L_I32_SHR_U_AND_I:
    S(1).u32 = (S(2).u32 >> ip[3]) & imm32(ip + 4);
    ip += 6;
    NEXT();
#define SHIFTMIX(name, expr)                                                                       \
    L_I32_##name : {                                                                               \
        uint32_t a = S(2).u32, n = ip[3], b = S(4).u32;                                            \
        S(1).u32 = (expr);                                                                         \
        ip += 5;                                                                                   \
        NEXT();                                                                                    \
    }
    SHIFTMIX(SHL_OR, (a << n) | b)
    SHIFTMIX(SHR_U_OR, (a >> n) | b)
    SHIFTMIX(ROTL_OR, rotl32(a, n) | b)
    SHIFTMIX(SHL_XOR, (a << n) ^ b)
    SHIFTMIX(SHR_U_XOR, (a >> n) ^ b)
    SHIFTMIX(ROTL_XOR, rotl32(a, n) ^ b)
#undef SHIFTMIX
L_I32_SHL1:
    S(1).u32 = 1u << (S(2).u32 & 31);
    ip += 3;
    NEXT();
L_I32_BIT_I:
    S(1).u32 = (1u << (S(2).u32 & 31)) & imm32(ip + 3);
    ip += 5;
    NEXT();
L_I32_NOBIT_I:
    S(1).u32 = !((imm32(ip + 3) >> (S(2).u32 & 31)) & 1);
    ip += 5;
    NEXT();
    /* Two roundings, as the separate wasm instructions have: the product is a float/double. */
L_F32_MULADD: {
    float p = S(3).f32 * S(4).f32;
    S(1).f32 = S(2).f32 + p;
    ip += 5;
    NEXT();
}
L_F32_MULSUB: {
    float p = S(3).f32 * S(4).f32;
    S(1).f32 = S(2).f32 - p;
    ip += 5;
    NEXT();
}
L_F64_MULADD: {
    double p = S(3).f64 * S(4).f64;
    S(1).f64 = S(2).f64 + p;
    ip += 5;
    NEXT();
}
L_F64_MULSUB: {
    double p = S(3).f64 * S(4).f64;
    S(1).f64 = S(2).f64 - p;
    ip += 5;
    NEXT();
}
#undef UNOP
#undef BINOP
#undef BINOP_I
#undef BINOP2

    /* ---- fused compare-and-branch ---- */
#define BRCMP(name, field, op)                                                                     \
    L_BR_I32_##name : PAY(ip[5]);                                                                  \
    if (S(1).field op S(2).field) JUMP(imm32(ip + 3));                                             \
    ip += 6;                                                                                       \
    NEXT();                                                                                        \
    L_BR_I32_##name##_I : PAY(ip[6]);                                                              \
    if (S(1).field op(__typeof__(S(1).field))imm32(ip + 2)) JUMP(imm32(ip + 4));                  \
    ip += 7;                                                                                       \
    NEXT();
    BRCMP(EQ, u32, ==)
    BRCMP(NE, u32, !=)
    BRCMP(LT_S, i32, <)
    BRCMP(LT_U, u32, <)
    BRCMP(GT_S, i32, >)
    BRCMP(GT_U, u32, >)
    BRCMP(LE_S, i32, <=)
    BRCMP(LE_U, u32, <=)
    BRCMP(GE_S, i32, >=)
    BRCMP(GE_U, u32, >=)
#undef BRCMP
L_BR_BIT_I:
    PAY(ip[6]);
    if ((imm32(ip + 2) >> (S(1).u32 & 31)) & 1) JUMP(imm32(ip + 4));
    ip += 7;
    NEXT();
L_BR_NOBIT_I:
    PAY(ip[6]);
    if (!((imm32(ip + 2) >> (S(1).u32 & 31)) & 1)) JUMP(imm32(ip + 4));
    ip += 7;
    NEXT();

    /*
     * fused add, compare and branch: the sum is written first, then the
     * comparison's other operand is read (it may be the same slot).
     */
#define ADDBR(name, field, op)                                                                     \
    L_ADD_BR_##name : {                                                                            \
        uint32_t v = S(2).u32 + S(3).u32;                                                          \
        S(1).u32 = v;                                                                              \
        PAY(ip[7]);                                                                                \
        if ((__typeof__(S(1).field))v op S(4).field) JUMP(imm32(ip + 5));                         \
        ip += 8;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_ADD_BR_##name##_I : {                                                                        \
        uint32_t v = S(2).u32 + S(3).u32;                                                          \
        S(1).u32 = v;                                                                              \
        PAY(ip[8]);                                                                                \
        if ((__typeof__(S(1).field))v op(__typeof__(S(1).field)) imm32(ip + 4))                   \
            JUMP(imm32(ip + 6));                                                                   \
        ip += 9;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_ADDI_BR_##name : {                                                                           \
        uint32_t v = S(2).u32 + imm32(ip + 3);                                                     \
        S(1).u32 = v;                                                                              \
        PAY(ip[8]);                                                                                \
        if ((__typeof__(S(1).field))v op S(5).field) JUMP(imm32(ip + 6));                         \
        ip += 9;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_ADDI_BR_##name##_I : {                                                                       \
        uint32_t v = S(2).u32 + imm32(ip + 3);                                                     \
        S(1).u32 = v;                                                                              \
        PAY(ip[9]);                                                                                \
        if ((__typeof__(S(1).field))v op(__typeof__(S(1).field)) imm32(ip + 5))                   \
            JUMP(imm32(ip + 7));                                                                   \
        ip += 10;                                                                                   \
        NEXT();                                                                                    \
    }
    ADDBR(EQ, u32, ==)
    ADDBR(NE, u32, !=)
    ADDBR(LT_S, i32, <)
    ADDBR(LT_U, u32, <)
    ADDBR(GT_S, i32, >)
    ADDBR(GT_U, u32, >)
    ADDBR(LE_S, i32, <=)
    ADDBR(LE_U, u32, <=)
    ADDBR(GE_S, i32, >=)
    ADDBR(GE_U, u32, >=)
#undef ADDBR

done:
    /* The last blocks were paid without a poll: a budget they overran is still exhausted. */
    POLL();
    st->frames_top = frames_base;
    entry->slice_left = fuel;
    return NULL;

trap:
    st->frames_top = frames_base;
    entry->slice_left = fuel;
    if (!trap_obj) {
        char buf[128];
        const char *msg = trap_message_for(trap_kind, entry, buf, sizeof buf);
        trap_obj = msg ? wge_trap_make(trap_kind, "%s", msg) : wge_trap_make(trap_kind, NULL);
    }
    if (trap_obj->func == UINT32_MAX && !trap_obj->is_static)
        trap_obj->func = wge_func_at(inst->module, ip);
    return trap_obj;

#undef NEXT
#undef S
#undef RELOAD_MEMORY
#undef SWITCH_INSTANCE
#undef TRAP
#undef PAY
#undef POLL
#undef CHARGE
#undef JUMP
}

/* Allocates the execution stack of an instance on its first call. */
static bool alloc_stack(wg_instance *inst)
{
    wge_stack *st = &inst->stack;
    size_t nslots = inst->stack_slots;
    size_t nframes = inst->max_call_depth;
    st->slots = malloc(nslots * sizeof *st->slots);
    st->frames = malloc(nframes * sizeof *st->frames);
    if (!st->slots || !st->frames) {
        free(st->slots);
        free(st->frames);
        st->slots = NULL;
        st->frames = NULL;
        return false;
    }
    st->slots_end = st->slots + nslots;
    st->sp = st->slots;
    st->frames_end = st->frames + nframes;
    st->frames_top = st->frames;
    return true;
}

wg_trap *wge_call_wasm(wg_func *f, const wg_value *args, wg_value *results)
{
    wg_instance *inst = f->inst;
    wge_stack *st = &inst->stack;
    if (UNLIKELY(!st->slots) && !alloc_stack(inst))
        return wge_trap_make(WG_TRAP_STACK_EXHAUSTED, "out of host memory for the wasm stack");
    const wge_functype *t = f->type;
    wg_value *fp = st->sp;
    uint32_t need = f->code[0] > t->nresults ? f->code[0] : t->nresults;
    if (UNLIKELY(fp + need > st->slots_end || st->frames_top == st->frames_end))
        return wge_trap_make(WG_TRAP_STACK_EXHAUSTED, NULL);
    copy_slots(fp, args, t->nparams);
    wg_value *saved_sp = st->sp;
    wge_frame *saved_top = st->frames_top;
    st->sp = fp + need;
    wg_trap *trap = run(inst, st, f->code, fp);
    st->sp = saved_sp;
    st->frames_top = saved_top;
    if (!trap) copy_slots(results, fp, t->nresults);
    return trap;
}
