/*
 * compile.c — validates WebAssembly function bodies and compiles them to the
 * engine's internal code (see ops.h), in one pass per function.
 *
 * Validation follows the algorithm in the spec's appendix: an operand stack
 * of types, a stack of control frames, and a polymorphic ("unknown") stack
 * after an unconditional branch. Each operand-stack entry also records
 * where its value is at run time:
 *   TEMP   in its home slot (nlocals_total + pool size + height),
 *   LOCAL  still in a local's slot (local.get emits nothing), or
 *   CONST  a constant not yet written anywhere.
 * Instructions read LOCAL/TEMP operands in place; a value is "materialized"
 * into its home slot only when it must be: before a local it refers to is
 * written, at control-flow joins, and for call arguments. A result that is
 * immediately stored to a local is written there directly.
 *
 * This file must not depend on instances or on the interpreter.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "reader.h"
#include "runtime.h"

#define MAX_FRAME_SLOTS 65535u
/* At most this many constants per function are pooled (see ops.h). */
#define POOL_SIZE 32u
#define NO_FIXUP UINT32_MAX

enum { VS_TEMP, VS_LOCAL, VS_CONST, VS_ADDR };

/*
 * An operand-stack entry (see the file comment). type 0 = unknown.
 * VS_ADDR is an i32 `base + (index << shift) + bits` (mod 2^32) not yet
 * computed, where base and index are slots (either may be absent, not
 * both): loads and stores absorb it into their address; anything else
 * computes it. Its slots are locals or the entry's own home slot.
 */
typedef struct vsval {
    wge_valtype type;
    uint8_t kind;
    uint8_t shift;  /* VS_ADDR: 0..3 */
    uint16_t local; /* VS_LOCAL: the local; VS_ADDR: the base slot or NO_SLOT */
    uint16_t idx;   /* VS_ADDR: the index slot or NO_SLOT */
    uint64_t bits;  /* VS_CONST: the value; VS_ADDR: the addend */
} vsval;

#define NO_SLOT 0xffffu /* never a real slot: frames have at most 65535 */

enum { CF_FUNC, CF_BLOCK, CF_LOOP, CF_IF, CF_ELSE };

typedef struct ctrl {
    uint8_t kind;
    bool unreachable; /* validation: the rest of this frame is unreachable (polymorphic stack) */
    bool dead;        /* code generation: an enclosing frame is unreachable, emit nothing */
    uint32_t height; /* operand-stack height below the frame's parameters */
    uint32_t nparams, nresults;
    const wge_valtype *params, *results;
    size_t loop_pos;      /* CF_LOOP: branch target */
    uint32_t fixups;      /* head of this frame's forward-branch list */
    size_t else_field, else_instr; /* CF_IF: the BR_UNLESS to patch at else/end */
    bool has_else_fixup;
    uint32_t region; /* index of the innermost enclosing loop (or the function) frame */
} ctrl;

/* A forward branch whose rel32 at `field` (relative to `instr`) awaits its target. */
typedef struct fixup {
    size_t field, instr;
    uint32_t next;
} fixup;

typedef struct compiler {
    wg_module *wm;
    const wge_module *m;
    const wg_load_options *opts;
    jmp_buf fail;
    char *err;
    size_t errsz;

    /* output: the module-wide code buffer */
    uint16_t *code;
    size_t len, cap;

    /* the function being compiled */
    uint32_t funcidx;
    size_t instr_offset; /* byte offset of the instruction being compiled */
    wge_reader r;
    uint32_t nlocals;    /* parameters + declared locals */
    wge_valtype *local_types;
    size_t local_types_cap;
    vsval *vs;
    uint32_t vsh, vscap, max_height;
    ctrl *cs;
    uint32_t csn, cscap;
    fixup *fx;
    uint32_t fxn, fxcap;
    uint32_t *br_targets;
    size_t br_targets_cap;
    size_t *calls; /* positions of CALL instructions, linked after all functions */
    size_t ncalls, callscap;
    /* Scratch for check_and_restore(): owned here so that a validation error (longjmp) frees it. */
    vsval *saved;
    uint32_t savedcap;

    /*
     * The constant pool of the function being compiled (see ops.h). Its
     * slots come right after the locals, so the first pass over a function
     * reserves none and only counts; if it pooled anything, the function is
     * compiled again with pool_reserve slots reserved (the same constants
     * are pooled in the same order).
     */
    uint64_t pool[POOL_SIZE];
    bool pool_wide[POOL_SIZE];
    uint32_t npool;
    uint32_t pool_reserve;

    /*
     * Metering (ops.h): reachable instructions compiled since the last charge,
     * paid by the next block-ending instruction emitted.
     */
    uint64_t pending;

    /*
     * Declared locals (bit i: local i, for i < 64) that still hold the zero
     * they start with: not written since function entry. Writes only take
     * bits away, so at a forward branch's target the set is a subset of
     * what held where the branch was; a loop clears it, since its back
     * edges come from code not compiled yet. Setting such a local to zero
     * emits nothing.
     */
    uint64_t zero_locals;

    /*
     * Locals (bit i: local i, for i < 64) known to hold a value zero-extended
     * from 8 (narrow8) or 16 bits (narrow16): written by such a load, in
     * straight-line code. Any other write clears the bit; every join point
     * (block start and end, else, loop header) clears them all.
     */
    uint64_t narrow8, narrow16;

    /*
     * Peephole state: the last emitted instruction, and the position of its
     * destination operand if it wrote a fresh TEMP that may be redirected.
     * Both are cleared when a label is placed, since a join point may carry
     * values written elsewhere.
     */
    size_t last_pos;
    size_t last_dst; /* 0 = none */
    bool have_last;
    size_t prev_pos; /* the instruction before the last one, if have_prev */
    bool have_prev;
} compiler;

static const wge_valtype single_types[] = {WG_I32, WG_I64, WG_F32, WG_F64, WG_FUNCREF,
                                           WG_EXTERNREF};

/* ---- errors ---- */

static _Noreturn void fail(compiler *c, const char *kind, const char *fmt, ...)
{
    if (c->err && c->errsz) {
        int n = snprintf(c->err, c->errsz, "%s: section 10 (code), function %u, offset 0x%zx: ",
                         kind, c->funcidx, c->instr_offset);
        if (n >= 0 && (size_t)n < c->errsz) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->errsz - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    longjmp(c->fail, 1);
}

#define INVALID(...) fail(c, "invalid", __VA_ARGS__)
#define MALFORMED(...) fail(c, "malformed", __VA_ARGS__)

static const char *type_name(wge_valtype t)
{
    return t == 0 ? "unknown" : wg_valtype_name((wg_valtype)t);
}

/* ---- reading ---- */

static void check_read(compiler *c, wge_readerr e)
{
    if (e != WGE_READ_OK) {
        c->instr_offset = c->r.pos;
        MALFORMED("%s", wge_readerr_message(e));
    }
}

static uint8_t read_u8(compiler *c)
{
    uint8_t v = 0;
    check_read(c, wge_read_u8(&c->r, &v));
    return v;
}

static uint32_t read_u32(compiler *c)
{
    uint32_t v = 0;
    check_read(c, wge_read_u32(&c->r, &v));
    return v;
}

static void read_zero_byte(compiler *c)
{
    if (read_u8(c) != 0) MALFORMED("zero byte expected");
}

static wge_valtype read_valtype(compiler *c)
{
    uint8_t t = read_u8(c);
    switch (t) {
    case WG_I32:
    case WG_I64:
    case WG_F32:
    case WG_F64:
    case WG_FUNCREF:
    case WG_EXTERNREF: return t;
    case WG_V128: MALFORMED("SIMD (v128) is not supported");
    default: MALFORMED("malformed value type 0x%02x", t);
    }
}

static wge_valtype read_reftype(compiler *c)
{
    uint8_t t = read_u8(c);
    if (t != WG_FUNCREF && t != WG_EXTERNREF) MALFORMED("malformed reference type 0x%02x", t);
    return t;
}

/* ---- code emission ---- */

/*
 * Compiled code is about twice the size of the code section for compiler
 * output; contrived sequences reach about 6x. Anything beyond this bound is
 * refused, so a hostile module cannot make the loader allocate without limit.
 */
static size_t max_code_units(const compiler *c)
{
    return 8 * (size_t)c->m->code_section_size + 65536;
}

static void reserve(compiler *c, size_t units)
{
    if (c->len + units <= c->cap) return;
    if (c->len + units > max_code_units(c))
        fail(c, "invalid", "compiled code would exceed %zu bytes (16x the code section)",
             max_code_units(c) * 2);
    size_t ncap = c->cap ? c->cap * 2 : 4096;
    while (ncap < c->len + units) ncap *= 2;
    uint16_t *n = realloc(c->code, ncap * sizeof *n);
    if (!n) fail(c, "error", "out of memory compiling");
    c->code = n;
    c->cap = ncap;
}

static void put1(compiler *c, uint32_t v)
{
    reserve(c, 1);
    c->code[c->len++] = (uint16_t)v;
}

/* Removes the code from pos on (a peephole replaces it). */
static void truncate_code(compiler *c, size_t pos) { c->len = pos; }

static void put32(compiler *c, uint32_t v)
{
    reserve(c, 2);
    c->code[c->len++] = (uint16_t)v;
    c->code[c->len++] = (uint16_t)(v >> 16);
}

static void put64(compiler *c, uint64_t v)
{
    put32(c, (uint32_t)v);
    put32(c, (uint32_t)(v >> 32));
}

static void patch32(compiler *c, size_t pos, uint32_t v)
{
    c->code[pos] = (uint16_t)v;
    c->code[pos + 1] = (uint16_t)(v >> 16);
}

static uint32_t get32(const compiler *c, size_t pos)
{
    return (uint32_t)c->code[pos] | (uint32_t)c->code[pos + 1] << 16;
}

/* Starts an instruction; returns its position. Clears the peephole state. */
static size_t begin_op(compiler *c, enum wge_op op)
{
    size_t pos = c->len;
    put1(c, op);
    c->prev_pos = c->last_pos;
    c->have_prev = c->have_last;
    c->last_pos = pos;
    c->have_last = true;
    c->last_dst = 0;
    return pos;
}

/* A label is placed here: nothing before it may be fused with what follows. */
static void place_label(compiler *c)
{
    c->have_last = false;
    c->have_prev = false;
    c->last_dst = 0;
}

/*
 * The fuel a block-ending instruction about to be emitted pays: the
 * instructions executed since the last charge (0 without metering). It goes
 * in the instruction's last unit; more than a unit holds is paid by a CHARGE
 * instruction first. Call right before begin_op() of the instruction.
 */
static uint32_t take_pending(compiler *c)
{
    uint64_t p = c->wm->metering ? c->pending : 0;
    c->pending = 0;
    if (p > 0xffff) {
        begin_op(c, WGE_OP_CHARGE);
        put32(c, p > UINT32_MAX ? UINT32_MAX : (uint32_t)p);
        p = 0;
    }
    return (uint32_t)p;
}

/* ---- the operand stack ---- */

static uint32_t home(const compiler *c, uint32_t height)
{
    return c->nlocals + c->pool_reserve + height;
}

static ctrl *top_ctrl(compiler *c) { return &c->cs[c->csn - 1]; }

/* True if code emitted now could never run: emit nothing, only validate. */
static bool unreachable_now(compiler *c)
{
    const ctrl *f = &c->cs[c->csn - 1];
    return f->unreachable || f->dead;
}

static void push(compiler *c, vsval v)
{
    if (c->vsh == c->vscap) {
        uint32_t ncap = c->vscap ? c->vscap * 2 : 64;
        vsval *n = realloc(c->vs, ncap * sizeof *n);
        if (!n) fail(c, "error", "out of memory compiling");
        c->vs = n;
        c->vscap = ncap;
    }
    c->vs[c->vsh++] = v;
    if (c->vsh > c->max_height) {
        c->max_height = c->vsh;
        if (c->nlocals + c->pool_reserve + c->max_height > MAX_FRAME_SLOTS)
            fail(c, "invalid",
                 "function too large: its locals and operand stack need more than %u slots",
                 MAX_FRAME_SLOTS);
    }
}

static void push_temp(compiler *c, wge_valtype t)
{
    push(c, (vsval){.type = t, .kind = VS_TEMP});
}

/* Pops any value; in unreachable code below the frame, an unknown one. */
static vsval pop_any(compiler *c)
{
    ctrl *f = top_ctrl(c);
    if (c->vsh == f->height) {
        if (f->unreachable) return (vsval){.type = 0, .kind = VS_TEMP};
        INVALID("type mismatch: operand stack is empty");
    }
    return c->vs[--c->vsh];
}

static vsval pop_type(compiler *c, wge_valtype expect)
{
    vsval v = pop_any(c);
    if (v.type != expect && v.type != 0 && expect != 0)
        INVALID("type mismatch: expected %s, got %s", type_name(expect), type_name(v.type));
    return v; /* as in the spec, an unknown value stays unknown */
}

/* Emits dst = src; two moves in a row become one MOV2. */
static void emit_mov(compiler *c, uint32_t dst, uint32_t src)
{
    if (c->have_last && c->code[c->last_pos] == WGE_OP_MOV && c->last_pos + 3 == c->len) {
        c->code[c->last_pos] = WGE_OP_MOV2;
        put1(c, dst);
        put1(c, src);
        c->last_dst = 0;
        return;
    }
    begin_op(c, WGE_OP_MOV);
    put1(c, dst);
    put1(c, src);
}

/* Emits dst = base + (idx << shift) + k for a lazy address (see vsval). */
static void emit_address(compiler *c, const vsval *v, uint32_t dst)
{
    uint32_t k = (uint32_t)v->bits;
    if (v->idx == NO_SLOT) {
        begin_op(c, WGE_OP_I32_ADD_I);
        put1(c, dst);
        put1(c, v->local);
        put32(c, k);
    } else if (v->local == NO_SLOT) {
        begin_op(c, WGE_OP_I32_SHL_I);
        put1(c, dst);
        put1(c, v->idx);
        put32(c, v->shift);
        if (k) {
            begin_op(c, WGE_OP_I32_ADD_I);
            put1(c, dst);
            put1(c, dst);
            put32(c, k);
        }
    } else if (v->shift == 0 && k == 0) {
        /* A plain sum: I32_ADD, which a following loop test can fuse with. */
        begin_op(c, WGE_OP_I32_ADD);
        put1(c, dst);
        put1(c, v->local);
        put1(c, v->idx);
    } else {
        begin_op(c, WGE_OP_LEA);
        put1(c, dst);
        put1(c, v->local);
        put1(c, v->idx);
        put1(c, v->shift);
        put32(c, k);
    }
}

/*
 * Emits code writing the value of entry v, whose home slot is src_home, into
 * slot dst. Emits nothing for a TEMP already there. Does not change v.
 */
static void emit_value_to(compiler *c, const vsval *v, uint32_t src_home, uint32_t dst)
{
    switch (v->kind) {
    case VS_TEMP:
        if (src_home == dst) return;
        emit_mov(c, dst, src_home);
        return;
    case VS_LOCAL:
        emit_mov(c, dst, v->local);
        return;
    case VS_ADDR:
        emit_address(c, v, dst);
        return;
    default:
        if (v->type == WG_I64 || v->type == WG_F64 || wge_is_reftype(v->type)) {
            begin_op(c, WGE_OP_CONST64);
            put1(c, dst);
            put64(c, v->bits);
        } else {
            begin_op(c, WGE_OP_CONST32);
            put1(c, dst);
            put32(c, (uint32_t)v->bits);
        }
    }
}

/* Writes the value of entry i into its home slot, if it is not there already. */
static void materialize(compiler *c, uint32_t i)
{
    vsval *v = &c->vs[i];
    if (v->kind == VS_TEMP) return;
    if (!unreachable_now(c)) emit_value_to(c, v, home(c, i), home(c, i));
    v->kind = VS_TEMP;
}

/* True if the entry's value is read from local `idx` when it is finally used. */
static bool refers_to_local(const compiler *c, const vsval *v, uint32_t idx)
{
    if (idx >= c->nlocals) return false;
    if (v->kind == VS_LOCAL) return v->local == idx;
    return v->kind == VS_ADDR && (v->local == idx || v->idx == idx);
}

/* True if the entry's value is read from some local when it is finally used. */
static bool local_based(const compiler *c, const vsval *v)
{
    if (v->kind == VS_LOCAL) return true;
    return v->kind == VS_ADDR && (v->local < c->nlocals || v->idx < c->nlocals);
}

/* Materializes every entry that still refers to local `idx`. */
static void materialize_local_refs(compiler *c, uint32_t idx)
{
    for (uint32_t i = 0; i < c->vsh; i++)
        if (refers_to_local(c, &c->vs[i], idx)) materialize(c, i);
}

/*
 * Before entering a block: values that refer to locals must be copied, since
 * code inside may write the local on one path only; and the block's
 * parameters must be in their home slots, where every path expects them.
 * (Values based on their own home slot are safe: code in the block writes
 * only home slots above the block's base.)
 */
static void materialize_for_block(compiler *c, uint32_t nparams)
{
    for (uint32_t i = 0; i < c->vsh; i++)
        if (local_based(c, &c->vs[i]) || i >= c->vsh - nparams) materialize(c, i);
}

/*
 * Inside a loop, the pool slot holding constant `bits` (added to the pool if
 * needed), or NO_SLOT. In the first pass (nothing reserved) the slot number
 * is a placeholder: that code is discarded.
 */
static uint32_t pool_slot(compiler *c, uint64_t bits, bool wide)
{
    if (unreachable_now(c) || top_ctrl(c)->region == 0) return NO_SLOT;
    uint32_t k = 0;
    while (k < c->npool && !(c->pool[k] == bits && c->pool_wide[k] == wide)) k++;
    if (k == c->npool && c->npool < POOL_SIZE) {
        c->pool[c->npool] = bits;
        c->pool_wide[c->npool] = wide;
        c->npool++;
    }
    if (k < c->npool && (c->pool_reserve == 0 || k < c->pool_reserve)) return c->nlocals + k;
    return NO_SLOT;
}

/*
 * The slot an operand (already popped, formerly at height h) can be read
 * from. A constant or an address is first computed into the (now free)
 * home slot, except that inside a loop a constant is read from the pool (no
 * instruction).
 */
static uint32_t operand_slot(compiler *c, vsval *v, uint32_t h)
{
    switch (v->kind) {
    case VS_LOCAL: return v->local;
    case VS_TEMP: return home(c, h);
    case VS_CONST: {
        bool wide = v->type == WG_I64 || v->type == WG_F64 || wge_is_reftype(v->type);
        uint32_t s = pool_slot(c, wide ? v->bits : (uint32_t)v->bits, wide);
        if (s != NO_SLOT) return s;
    }
        /* fall through */
    default:
        if (!unreachable_now(c)) emit_value_to(c, v, home(c, h), home(c, h));
        v->kind = VS_TEMP;
        return home(c, h);
    }
}

/* Pushes a TEMP result written by the instruction just emitted at its dst field. */
static void push_result(compiler *c, wge_valtype t, size_t dst_field)
{
    push_temp(c, t);
    if (!unreachable_now(c)) c->last_dst = dst_field;
}

/* ---- control frames and branches ---- */

static void push_ctrl(compiler *c, uint8_t kind, uint32_t nparams, const wge_valtype *params,
                      uint32_t nresults, const wge_valtype *results)
{
    if (c->csn == c->cscap) {
        uint32_t ncap = c->cscap ? c->cscap * 2 : 16;
        ctrl *n = realloc(c->cs, ncap * sizeof *n);
        if (!n) fail(c, "error", "out of memory compiling");
        c->cs = n;
        c->cscap = ncap;
    }
    if (c->csn > c->opts->max_nesting_depth)
        INVALID("nesting depth exceeds the limit of %u", c->opts->max_nesting_depth);
    bool dead = c->csn > 0 && unreachable_now(c);
    uint32_t region = c->csn > 0 ? top_ctrl(c)->region : 0;
    ctrl *f = &c->cs[c->csn];
    *f = (ctrl){.kind = kind,
                .dead = dead,
                .height = c->vsh - nparams,
                .nparams = nparams,
                .nresults = nresults,
                .params = params,
                .results = results,
                .fixups = NO_FIXUP,
                .region = kind == CF_LOOP || kind == CF_FUNC ? c->csn : region};
    c->csn++;
}

static void add_fixup(compiler *c, ctrl *target, size_t field, size_t instr)
{
    if (c->fxn == c->fxcap) {
        uint32_t ncap = c->fxcap ? c->fxcap * 2 : 64;
        fixup *n = realloc(c->fx, ncap * sizeof *n);
        if (!n) fail(c, "error", "out of memory compiling");
        c->fx = n;
        c->fxcap = ncap;
    }
    c->fx[c->fxn] = (fixup){.field = field, .instr = instr, .next = target->fixups};
    target->fixups = c->fxn++;
}

/* Points the branch at `field` (in the instruction at `instr`) to the frame's label. */
static void branch_to(compiler *c, ctrl *target, size_t field, size_t instr)
{
    if (target->kind == CF_LOOP) {
        patch32(c, field, (uint32_t)(int32_t)((long)target->loop_pos - (long)instr));
    } else {
        patch32(c, field, 0);
        add_fixup(c, target, field, instr);
    }
}

static void resolve_fixups(compiler *c, ctrl *f)
{
    for (uint32_t i = f->fixups; i != NO_FIXUP; i = c->fx[i].next)
        patch32(c, c->fx[i].field, (uint32_t)(int32_t)((long)c->len - (long)c->fx[i].instr));
    f->fixups = NO_FIXUP;
}

static uint32_t label_arity(const ctrl *f) { return f->kind == CF_LOOP ? f->nparams : f->nresults; }
static const wge_valtype *label_types(const ctrl *f)
{
    return f->kind == CF_LOOP ? f->params : f->results;
}

/*
 * Pops n values checking them against types t, then pushes them back: with
 * their actual types if keep_actual (unknown stays unknown), else with the
 * types t. Entries keep where their values are.
 */
static void check_and_restore(compiler *c, uint32_t n, const wge_valtype *t, bool keep_actual)
{
    if (n > c->savedcap) {
        vsval *grown = realloc(c->saved, n * sizeof *grown);
        if (!grown) fail(c, "error", "out of memory compiling");
        c->saved = grown;
        c->savedcap = n;
    }
    vsval *saved = c->saved;
    for (uint32_t i = n; i-- > 0;) saved[i] = pop_type(c, t[i]);
    for (uint32_t i = 0; i < n; i++) {
        if (!keep_actual) saved[i].type = t[i];
        push(c, saved[i]);
    }
}

/* Checks that the top of the stack holds the label's types (without popping). */
static void check_label_values(compiler *c, const ctrl *target, bool keep_actual)
{
    check_and_restore(c, label_arity(target), label_types(target), keep_actual);
}

/* True if the label's values need no moves: they are TEMPs in the target's home slots. */
static bool values_in_place(compiler *c, const ctrl *target)
{
    uint32_t n = label_arity(target);
    if (n == 0) return true;
    if (c->vsh - n != target->height) return false;
    for (uint32_t i = c->vsh - n; i < c->vsh; i++)
        if (c->vs[i].kind != VS_TEMP) return false;
    return true;
}

/* Emits a move of stack entry i into slot dst (no code if already there). */
static void move_entry(compiler *c, uint32_t i, uint32_t dst)
{
    emit_value_to(c, &c->vs[i], home(c, i), dst);
}

/*
 * Moves the label's values (top of stack) into the target's home slots.
 * Sources are locals or home slots at or above their destinations, so moving
 * in ascending order never overwrites a value still to be moved.
 */
static void move_label_values(compiler *c, const ctrl *target)
{
    uint32_t n = label_arity(target);
    for (uint32_t k = 0; k < n; k++) move_entry(c, c->vsh - n + k, home(c, target->height + k));
}

/* Emits the return sequence: results from the top of the stack into slots [0, n). */
static void emit_return(compiler *c)
{
    const ctrl *fn = &c->cs[0];
    uint32_t n = fn->nresults;
    if (n == 0) {
        uint32_t cost = take_pending(c);
        begin_op(c, WGE_OP_RETURN);
        put1(c, cost);
    } else if (n == 1) {
        uint32_t h = c->vsh - 1;
        vsval v = c->vs[h]; /* a copy: this may be one path of a conditional */
        uint32_t s = operand_slot(c, &v, h);
        uint32_t cost = take_pending(c);
        begin_op(c, WGE_OP_RETURN1);
        put1(c, s);
        put1(c, cost);
    } else {
        /*
         * Home slots are at or above their destinations, locals might not be
         * (think of returning locals 1 and 0 swapped): first bring every value
         * to its home slot, then move them down in ascending order. The
         * entries themselves are left unchanged, as this may be one path of a
         * conditional.
         */
        for (uint32_t i = c->vsh - n; i < c->vsh; i++) move_entry(c, i, home(c, i));
        for (uint32_t k = 0; k < n; k++) {
            uint32_t from = home(c, c->vsh - n + k);
            if (from == k) continue;
            begin_op(c, WGE_OP_MOV);
            put1(c, k);
            put1(c, from);
        }
        uint32_t cost = take_pending(c);
        begin_op(c, WGE_OP_RETURN);
        put1(c, cost);
    }
}

static void set_unreachable(compiler *c)
{
    ctrl *f = top_ctrl(c);
    c->vsh = f->height;
    f->unreachable = true;
    place_label(c);
}

static ctrl *label_at(compiler *c, uint32_t depth)
{
    if (depth >= c->csn) INVALID("unknown label %u", depth);
    return &c->cs[c->csn - 1 - depth];
}

/* ---- block types ---- */

static void read_blocktype(compiler *c, uint32_t *np, const wge_valtype **p, uint32_t *nr,
                           const wge_valtype **r)
{
    size_t start = c->r.pos;
    uint8_t b;
    check_read(c, wge_read_u8(&c->r, &b));
    *np = 0;
    *p = NULL;
    if (b == 0x40) {
        *nr = 0;
        *r = NULL;
        return;
    }
    for (size_t i = 0; i < sizeof single_types; i++) {
        if (b == single_types[i]) {
            *nr = 1;
            *r = &single_types[i];
            return;
        }
    }
    if (b == WG_V128) MALFORMED("SIMD (v128) is not supported");
    c->r.pos = start;
    int64_t idx;
    check_read(c, wge_read_sleb(&c->r, 33, &idx));
    if (idx < 0) MALFORMED("malformed block type");
    if ((uint64_t)idx >= c->m->ntypes) INVALID("unknown type %lld", (long long)idx);
    const wge_functype *ft = &c->m->types[idx];
    *np = ft->nparams;
    *p = ft->types;
    *nr = ft->nresults;
    *r = wge_functype_results(ft);
}

/* ---- peephole helpers ---- */

/*
 * True if the instruction just emitted is `op`, `units` units long, and its
 * destination (its first operand) is `slot`, a fresh TEMP not redirected to
 * a local since: the value a peephole may fuse away.
 */
static bool last_made(const compiler *c, enum wge_op op, size_t units, uint32_t slot)
{
    return c->have_last && c->last_dst == c->last_pos + 1 && c->code[c->last_pos] == op &&
           c->last_pos + units == c->len && c->code[c->last_pos + 1] == slot;
}

/* Starts instruction op whose destination is the home slot of height h; returns that field. */
static size_t begin_result(compiler *c, enum wge_op op, uint32_t h)
{
    begin_op(c, op);
    size_t dst = c->len;
    put1(c, home(c, h));
    return dst;
}

/* Removes the instruction just emitted; the one before it becomes the last again. */
static void unemit_last(compiler *c)
{
    bool had_prev = c->have_prev;
    size_t prev = c->prev_pos;
    truncate_code(c, c->last_pos);
    place_label(c);
    c->have_last = had_prev;
    c->last_pos = prev;
}

/* 8 or 16 if op is an i32 load zero-extending that many bits, else 0. */
static unsigned zext_width(enum wge_op op)
{
    switch (op) {
    case WGE_OP_I32_LOAD8_U:
    case WGE_OP_I32_LOAD8_U_X: return 8;
    case WGE_OP_I32_LOAD16_U:
    case WGE_OP_I32_LOAD16_U_X: return 16;
    default: return 0;
    }
}

/*
 * If the condition just popped (formerly at height h) was produced by the
 * last instruction, an i32 comparison or eqz, removes that instruction and
 * returns a fused compare-and-branch opcode (negated if `negate`), filling
 * its operands. Returns -1 if no fusion applies.
 */
static int fuse_condition(compiler *c, const vsval *cond, uint32_t h, bool negate, uint32_t *a,
                          uint32_t *b, uint32_t *imm, bool *has_imm, bool *single)
{
    if (cond->kind != VS_TEMP || !c->have_last || c->last_dst == 0) return -1;
    if (c->last_dst != c->last_pos + 1 || c->code[c->last_dst] != home(c, h)) return -1;
    enum wge_op op = c->code[c->last_pos];
    static const struct {
        enum wge_op cmp, br, neg;
    } table[] = {
        {WGE_OP_I32_EQ, WGE_OP_BR_I32_EQ, WGE_OP_BR_I32_NE},
        {WGE_OP_I32_NE, WGE_OP_BR_I32_NE, WGE_OP_BR_I32_EQ},
        {WGE_OP_I32_LT_S, WGE_OP_BR_I32_LT_S, WGE_OP_BR_I32_GE_S},
        {WGE_OP_I32_LT_U, WGE_OP_BR_I32_LT_U, WGE_OP_BR_I32_GE_U},
        {WGE_OP_I32_GT_S, WGE_OP_BR_I32_GT_S, WGE_OP_BR_I32_LE_S},
        {WGE_OP_I32_GT_U, WGE_OP_BR_I32_GT_U, WGE_OP_BR_I32_LE_U},
        {WGE_OP_I32_LE_S, WGE_OP_BR_I32_LE_S, WGE_OP_BR_I32_GT_S},
        {WGE_OP_I32_LE_U, WGE_OP_BR_I32_LE_U, WGE_OP_BR_I32_GT_U},
        {WGE_OP_I32_GE_S, WGE_OP_BR_I32_GE_S, WGE_OP_BR_I32_LT_S},
        {WGE_OP_I32_GE_U, WGE_OP_BR_I32_GE_U, WGE_OP_BR_I32_LT_U},
        {WGE_OP_I32_EQ_I, WGE_OP_BR_I32_EQ_I, WGE_OP_BR_I32_NE_I},
        {WGE_OP_I32_NE_I, WGE_OP_BR_I32_NE_I, WGE_OP_BR_I32_EQ_I},
        {WGE_OP_I32_LT_S_I, WGE_OP_BR_I32_LT_S_I, WGE_OP_BR_I32_GE_S_I},
        {WGE_OP_I32_LT_U_I, WGE_OP_BR_I32_LT_U_I, WGE_OP_BR_I32_GE_U_I},
        {WGE_OP_I32_GT_S_I, WGE_OP_BR_I32_GT_S_I, WGE_OP_BR_I32_LE_S_I},
        {WGE_OP_I32_GT_U_I, WGE_OP_BR_I32_GT_U_I, WGE_OP_BR_I32_LE_U_I},
        {WGE_OP_I32_LE_S_I, WGE_OP_BR_I32_LE_S_I, WGE_OP_BR_I32_GT_S_I},
        {WGE_OP_I32_LE_U_I, WGE_OP_BR_I32_LE_U_I, WGE_OP_BR_I32_GT_U_I},
        {WGE_OP_I32_GE_S_I, WGE_OP_BR_I32_GE_S_I, WGE_OP_BR_I32_LT_S_I},
        {WGE_OP_I32_GE_U_I, WGE_OP_BR_I32_GE_U_I, WGE_OP_BR_I32_LT_U_I},
    };
    if (op == WGE_OP_I32_EQZ) {
        *a = c->code[c->last_pos + 2];
        *single = true;
        *has_imm = false;
        truncate_code(c, c->last_pos);
        place_label(c);
        /* branch if x == 0: BR_UNLESS x; negated: BR_IF x */
        return negate ? WGE_OP_BR_IF : WGE_OP_BR_UNLESS;
    }
    if (op == WGE_OP_I32_BIT_I || op == WGE_OP_I32_NOBIT_I) {
        bool bit = op == WGE_OP_I32_BIT_I;
        *single = false;
        *a = c->code[c->last_pos + 2];
        *has_imm = true;
        *imm = get32(c, c->last_pos + 3);
        unemit_last(c);
        return bit != negate ? WGE_OP_BR_BIT_I : WGE_OP_BR_NOBIT_I;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (table[i].cmp != op) continue;
        *single = false;
        *a = c->code[c->last_pos + 2];
        if (op >= WGE_OP_I32_EQ_I && op <= WGE_OP_I32_GE_U_I) {
            *has_imm = true;
            *imm = get32(c, c->last_pos + 3);
        } else {
            *has_imm = false;
            *b = c->code[c->last_pos + 3];
        }
        /* The instruction before the comparison becomes the last one again. */
        unemit_last(c);
        return negate ? (int)table[i].neg : (int)table[i].br;
    }
    return -1;
}

/*
 * Emits a conditional branch on the popped i32 `cond` (formerly at height h):
 * taken when cond != 0 (or == 0 if `negate`). Returns the instruction's
 * position and stores the position of its rel32 field in *field.
 */
/*
 * A loop increment feeding its own test: the instruction just before a fused
 * compare-and-branch on `a` is an i32 add (or add-immediate) writing `a`.
 * Replaces both by one ADD(I)_BR instruction and returns its position, or
 * returns 0 if the pattern is not there.
 */
static size_t fuse_add_branch(compiler *c, enum wge_op br, uint32_t a, uint32_t b, uint32_t imm,
                              bool has_imm, size_t *field)
{
    if (!c->have_last) return 0;
    size_t p = c->last_pos;
    enum wge_op prev = c->code[p];
    bool add_i = prev == WGE_OP_I32_ADD_I && p + 5 == c->len;
    bool add = prev == WGE_OP_I32_ADD && p + 4 == c->len;
    if (!add_i && !add) return 0;
    if (c->code[p + 1] != a) {
        /* `n > i` with i just incremented is `i < n`: mirror the comparison. */
        static const struct {
            enum wge_op op, mirrored;
        } mirror[] = {
            {WGE_OP_BR_I32_EQ, WGE_OP_BR_I32_EQ},     {WGE_OP_BR_I32_NE, WGE_OP_BR_I32_NE},
            {WGE_OP_BR_I32_LT_S, WGE_OP_BR_I32_GT_S}, {WGE_OP_BR_I32_LT_U, WGE_OP_BR_I32_GT_U},
            {WGE_OP_BR_I32_GT_S, WGE_OP_BR_I32_LT_S}, {WGE_OP_BR_I32_GT_U, WGE_OP_BR_I32_LT_U},
            {WGE_OP_BR_I32_LE_S, WGE_OP_BR_I32_GE_S}, {WGE_OP_BR_I32_LE_U, WGE_OP_BR_I32_GE_U},
            {WGE_OP_BR_I32_GE_S, WGE_OP_BR_I32_LE_S}, {WGE_OP_BR_I32_GE_U, WGE_OP_BR_I32_LE_U},
        };
        if (has_imm || c->code[p + 1] != b) return 0;
        size_t i = 0;
        while (i < sizeof mirror / sizeof mirror[0] && mirror[i].op != br) i++;
        if (i == sizeof mirror / sizeof mirror[0]) return 0;
        br = mirror[i].mirrored;
        b = a;
        a = c->code[p + 1];
    }
    /*
     * Which comparison: the register and immediate forms are in the same
     * order. BR_IF x / BR_UNLESS x are x != 0 / x == 0 (a countdown loop).
     */
    unsigned cmp;
    if (br >= WGE_OP_BR_I32_EQ && br <= WGE_OP_BR_I32_GE_U) {
        cmp = br - WGE_OP_BR_I32_EQ;
    } else if (br >= WGE_OP_BR_I32_EQ_I && br <= WGE_OP_BR_I32_GE_U_I) {
        cmp = br - WGE_OP_BR_I32_EQ_I;
    } else if (br == WGE_OP_BR_IF || br == WGE_OP_BR_UNLESS) {
        cmp = (br == WGE_OP_BR_IF ? WGE_OP_BR_I32_NE : WGE_OP_BR_I32_EQ) - WGE_OP_BR_I32_EQ;
        has_imm = true;
        imm = 0;
    } else {
        return 0;
    }
    uint16_t d = c->code[p + 1], x = c->code[p + 2];
    uint32_t y = add_i ? get32(c, p + 3) : c->code[p + 3];
    truncate_code(c, p);
    enum wge_op op = (enum wge_op)(WGE_OP_ADD_BR_EQ + 4 * cmp + (add_i ? 2 : 0) + (has_imm ? 1 : 0));
    uint32_t cost = take_pending(c);
    size_t pos = begin_op(c, op);
    put1(c, d);
    put1(c, x);
    if (add_i)
        put32(c, y);
    else
        put1(c, y);
    if (has_imm)
        put32(c, imm);
    else
        put1(c, b);
    *field = c->len;
    put32(c, 0);
    put1(c, cost);
    return pos;
}

static size_t emit_cond_branch(compiler *c, vsval *cond, uint32_t h, bool negate, size_t *field)
{
    uint32_t a = 0, b = 0, imm = 0;
    bool has_imm = false, single = false;
    int fused = fuse_condition(c, cond, h, negate, &a, &b, &imm, &has_imm, &single);
    if (fused >= 0 && !single) {
        size_t pos = fuse_add_branch(c, (enum wge_op)fused, a, b, imm, has_imm, field);
        if (pos) return pos;
    }
    if (fused < 0 && cond->kind != VS_CONST) {
        /* A plain condition: fusable with an increment that produced it. */
        uint32_t slot = cond->kind == VS_LOCAL ? cond->local : home(c, h);
        if (cond->kind == VS_LOCAL || cond->kind == VS_TEMP) {
            size_t pos = fuse_add_branch(c, negate ? WGE_OP_BR_UNLESS : WGE_OP_BR_IF, slot, 0, 0,
                                         false, field);
            if (pos) return pos;
        }
    }
    if (fused >= 0) {
        uint32_t cost = take_pending(c);
        size_t pos = begin_op(c, (enum wge_op)fused);
        put1(c, a);
        if (single) {
        } else if (has_imm) {
            put32(c, imm);
        } else {
            put1(c, b);
        }
        *field = c->len;
        put32(c, 0);
        put1(c, cost);
        return pos;
    }
    uint32_t s = operand_slot(c, cond, h);
    uint32_t cost = take_pending(c);
    size_t pos = begin_op(c, negate ? WGE_OP_BR_UNLESS : WGE_OP_BR_IF);
    put1(c, s);
    *field = c->len;
    put32(c, 0);
    put1(c, cost);
    return pos;
}

/* ---- numeric instructions (0x45..0xc4), table-driven ---- */

enum { NK_NONE, NK_UNARY, NK_BINARY, NK_REINTERPRET };

typedef struct numop {
    uint8_t kind;
    wge_valtype in, out;
    uint16_t op;  /* internal op */
    uint16_t imm; /* internal op with an immediate second operand, or 0 */
} numop;

static numop numops[256];

static void def_num(uint8_t code, uint8_t kind, wge_valtype in, wge_valtype out, enum wge_op op,
                    enum wge_op imm)
{
    numops[code] = (numop){.kind = kind, .in = in, .out = out, .op = op, .imm = imm};
}

static void init_numops(void)
{
    /* The table is written once; concurrent first loads write identical bytes. */
    static atomic_bool done;
    if (atomic_load_explicit(&done, memory_order_acquire)) return;
    const wge_valtype I32 = WG_I32, I64 = WG_I64, F32 = WG_F32, F64 = WG_F64;
#define U(code, in, out, op) def_num(code, NK_UNARY, in, out, WGE_OP_##op, 0)
#define B(code, in, out, op) def_num(code, NK_BINARY, in, out, WGE_OP_##op, 0)
#define BI(code, in, out, op) def_num(code, NK_BINARY, in, out, WGE_OP_##op, WGE_OP_##op##_I)
    U(0x45, I32, I32, I32_EQZ);
    BI(0x46, I32, I32, I32_EQ);
    BI(0x47, I32, I32, I32_NE);
    BI(0x48, I32, I32, I32_LT_S);
    BI(0x49, I32, I32, I32_LT_U);
    BI(0x4a, I32, I32, I32_GT_S);
    BI(0x4b, I32, I32, I32_GT_U);
    BI(0x4c, I32, I32, I32_LE_S);
    BI(0x4d, I32, I32, I32_LE_U);
    BI(0x4e, I32, I32, I32_GE_S);
    BI(0x4f, I32, I32, I32_GE_U);
    U(0x50, I64, I32, I64_EQZ);
    B(0x51, I64, I32, I64_EQ);
    B(0x52, I64, I32, I64_NE);
    B(0x53, I64, I32, I64_LT_S);
    B(0x54, I64, I32, I64_LT_U);
    B(0x55, I64, I32, I64_GT_S);
    B(0x56, I64, I32, I64_GT_U);
    B(0x57, I64, I32, I64_LE_S);
    B(0x58, I64, I32, I64_LE_U);
    B(0x59, I64, I32, I64_GE_S);
    B(0x5a, I64, I32, I64_GE_U);
    B(0x5b, F32, I32, F32_EQ);
    B(0x5c, F32, I32, F32_NE);
    B(0x5d, F32, I32, F32_LT);
    B(0x5e, F32, I32, F32_GT);
    B(0x5f, F32, I32, F32_LE);
    B(0x60, F32, I32, F32_GE);
    B(0x61, F64, I32, F64_EQ);
    B(0x62, F64, I32, F64_NE);
    B(0x63, F64, I32, F64_LT);
    B(0x64, F64, I32, F64_GT);
    B(0x65, F64, I32, F64_LE);
    B(0x66, F64, I32, F64_GE);
    U(0x67, I32, I32, I32_CLZ);
    U(0x68, I32, I32, I32_CTZ);
    U(0x69, I32, I32, I32_POPCNT);
    BI(0x6a, I32, I32, I32_ADD);
    BI(0x6b, I32, I32, I32_SUB);
    BI(0x6c, I32, I32, I32_MUL);
    B(0x6d, I32, I32, I32_DIV_S);
    B(0x6e, I32, I32, I32_DIV_U);
    B(0x6f, I32, I32, I32_REM_S);
    B(0x70, I32, I32, I32_REM_U);
    BI(0x71, I32, I32, I32_AND);
    BI(0x72, I32, I32, I32_OR);
    BI(0x73, I32, I32, I32_XOR);
    BI(0x74, I32, I32, I32_SHL);
    BI(0x75, I32, I32, I32_SHR_S);
    BI(0x76, I32, I32, I32_SHR_U);
    BI(0x77, I32, I32, I32_ROTL);
    BI(0x78, I32, I32, I32_ROTR);
    U(0x79, I64, I64, I64_CLZ);
    U(0x7a, I64, I64, I64_CTZ);
    U(0x7b, I64, I64, I64_POPCNT);
    BI(0x7c, I64, I64, I64_ADD);
    BI(0x7d, I64, I64, I64_SUB);
    B(0x7e, I64, I64, I64_MUL);
    B(0x7f, I64, I64, I64_DIV_S);
    B(0x80, I64, I64, I64_DIV_U);
    B(0x81, I64, I64, I64_REM_S);
    B(0x82, I64, I64, I64_REM_U);
    BI(0x83, I64, I64, I64_AND);
    B(0x84, I64, I64, I64_OR);
    B(0x85, I64, I64, I64_XOR);
    BI(0x86, I64, I64, I64_SHL);
    BI(0x87, I64, I64, I64_SHR_S);
    BI(0x88, I64, I64, I64_SHR_U);
    B(0x89, I64, I64, I64_ROTL);
    B(0x8a, I64, I64, I64_ROTR);
    U(0x8b, F32, F32, F32_ABS);
    U(0x8c, F32, F32, F32_NEG);
    U(0x8d, F32, F32, F32_CEIL);
    U(0x8e, F32, F32, F32_FLOOR);
    U(0x8f, F32, F32, F32_TRUNC);
    U(0x90, F32, F32, F32_NEAREST);
    U(0x91, F32, F32, F32_SQRT);
    B(0x92, F32, F32, F32_ADD);
    B(0x93, F32, F32, F32_SUB);
    B(0x94, F32, F32, F32_MUL);
    B(0x95, F32, F32, F32_DIV);
    B(0x96, F32, F32, F32_MIN);
    B(0x97, F32, F32, F32_MAX);
    B(0x98, F32, F32, F32_COPYSIGN);
    U(0x99, F64, F64, F64_ABS);
    U(0x9a, F64, F64, F64_NEG);
    U(0x9b, F64, F64, F64_CEIL);
    U(0x9c, F64, F64, F64_FLOOR);
    U(0x9d, F64, F64, F64_TRUNC);
    U(0x9e, F64, F64, F64_NEAREST);
    U(0x9f, F64, F64, F64_SQRT);
    B(0xa0, F64, F64, F64_ADD);
    B(0xa1, F64, F64, F64_SUB);
    B(0xa2, F64, F64, F64_MUL);
    B(0xa3, F64, F64, F64_DIV);
    B(0xa4, F64, F64, F64_MIN);
    B(0xa5, F64, F64, F64_MAX);
    B(0xa6, F64, F64, F64_COPYSIGN);
    U(0xa7, I64, I32, I32_WRAP_I64);
    U(0xa8, F32, I32, I32_TRUNC_F32_S);
    U(0xa9, F32, I32, I32_TRUNC_F32_U);
    U(0xaa, F64, I32, I32_TRUNC_F64_S);
    U(0xab, F64, I32, I32_TRUNC_F64_U);
    U(0xac, I32, I64, I64_EXTEND_I32_S);
    U(0xad, I32, I64, I64_EXTEND_I32_U);
    U(0xae, F32, I64, I64_TRUNC_F32_S);
    U(0xaf, F32, I64, I64_TRUNC_F32_U);
    U(0xb0, F64, I64, I64_TRUNC_F64_S);
    U(0xb1, F64, I64, I64_TRUNC_F64_U);
    U(0xb2, I32, F32, F32_CONVERT_I32_S);
    U(0xb3, I32, F32, F32_CONVERT_I32_U);
    U(0xb4, I64, F32, F32_CONVERT_I64_S);
    U(0xb5, I64, F32, F32_CONVERT_I64_U);
    U(0xb6, F64, F32, F32_DEMOTE_F64);
    U(0xb7, I32, F64, F64_CONVERT_I32_S);
    U(0xb8, I32, F64, F64_CONVERT_I32_U);
    U(0xb9, I64, F64, F64_CONVERT_I64_S);
    U(0xba, I64, F64, F64_CONVERT_I64_U);
    U(0xbb, F32, F64, F64_PROMOTE_F32);
    def_num(0xbc, NK_REINTERPRET, F32, I32, 0, 0);
    def_num(0xbd, NK_REINTERPRET, F64, I64, 0, 0);
    def_num(0xbe, NK_REINTERPRET, I32, F32, 0, 0);
    def_num(0xbf, NK_REINTERPRET, I64, F64, 0, 0);
    U(0xc0, I32, I32, I32_EXTEND8_S);
    U(0xc1, I32, I32, I32_EXTEND16_S);
    U(0xc2, I64, I64, I64_EXTEND8_S);
    U(0xc3, I64, I64, I64_EXTEND16_S);
    U(0xc4, I64, I64, I64_EXTEND32_S);
#undef U
#undef B
#undef BI
    atomic_store_explicit(&done, true, memory_order_release);
}

static void compile_unary(compiler *c, enum wge_op op, wge_valtype in, wge_valtype out)
{
    vsval a = pop_type(c, in);
    uint32_t h = c->vsh;
    if (op == WGE_OP_I32_EQZ && a.kind == VS_TEMP && !unreachable_now(c) &&
        last_made(c, WGE_OP_I32_BIT_I, 5, home(c, h))) {
        /* eqz of a bit test just computed: test for the bit's absence instead (fuse_single_bit) */
        c->code[c->last_pos] = WGE_OP_I32_NOBIT_I;
        push_result(c, out, c->last_pos + 1);
        return;
    }
    uint32_t sa = operand_slot(c, &a, h);
    size_t dst = 0;
    if (!unreachable_now(c)) {
        dst = begin_result(c, op, h);
        put1(c, sa);
    }
    push_result(c, out, dst);
}

/* An address expression: base + (idx << shift) + k; slots NO_SLOT if absent. */
typedef struct addr {
    uint32_t base, idx, shift, k;
} addr;

/*
 * The address form of a popped i32 operand, if it can be part of a lazy
 * entry at height h: each slot it reads must be a local or home(h) (the
 * entry's own home), since home slots above h are overwritten by later
 * pushes. hh is the height the operand had.
 */
static bool as_addr(const compiler *c, const vsval *v, uint32_t hh, uint32_t h, addr *out)
{
    uint32_t own = home(c, h);
    switch (v->kind) {
    case VS_LOCAL: *out = (addr){v->local, NO_SLOT, 0, 0}; return true;
    case VS_TEMP:
        if (home(c, hh) != own) return false;
        *out = (addr){own, NO_SLOT, 0, 0};
        return true;
    case VS_ADDR:
        if (v->local != NO_SLOT && v->local >= c->nlocals && v->local != own) return false;
        if (v->idx != NO_SLOT && v->idx >= c->nlocals && v->idx != own) return false;
        *out = (addr){v->local, v->idx, v->shift, (uint32_t)v->bits};
        return true;
    default: return false;
    }
}

/* x + y as one address (at most one base and one scaled index), if possible. */
static bool addr_add(const addr *x, const addr *y, addr *out)
{
    uint32_t slot[4], shift[4], n = 0;
    const addr *parts[2] = {x, y};
    for (int i = 0; i < 2; i++) {
        if (parts[i]->base != NO_SLOT) slot[n] = parts[i]->base, shift[n++] = 0;
        if (parts[i]->idx != NO_SLOT) slot[n] = parts[i]->idx, shift[n++] = parts[i]->shift;
    }
    if (n == 0 || n > 2 || (n == 2 && shift[0] && shift[1])) return false;
    uint32_t k = x->k + y->k;
    if (n == 1)
        *out = shift[0] ? (addr){NO_SLOT, slot[0], shift[0], k} : (addr){slot[0], NO_SLOT, 0, k};
    else if (shift[0])
        *out = (addr){slot[1], slot[0], shift[0], k};
    else
        *out = (addr){slot[0], slot[1], shift[1], k};
    return true;
}

static void push_addr(compiler *c, const addr *x)
{
    push(c, (vsval){.type = WG_I32,
                    .kind = VS_ADDR,
                    .local = (uint16_t)x->base,
                    .idx = (uint16_t)x->idx,
                    .shift = (uint8_t)x->shift,
                    .bits = x->k});
}

/*
 * i32 add/sub of constants, shifts by 1..3 and adds of slots stay lazy
 * (VS_ADDR) as long as they form base + (index << shift) + k: a load or
 * store takes that into its address for free (C's array indexing), and
 * anything else computes it with one instruction. All of it is arithmetic
 * modulo 2^32, so re-associating is exact. Returns false if the operation
 * must be compiled normally.
 */
static bool compile_address_arith(compiler *c, const numop *n, vsval *a, vsval *b, uint32_t h)
{
    addr x, y, r;
    if ((n->op == WGE_OP_I32_ADD || n->op == WGE_OP_I32_SUB) && b->kind == VS_CONST) {
        uint32_t k = n->op == WGE_OP_I32_ADD ? (uint32_t)b->bits : 0u - (uint32_t)b->bits;
        if (a->kind == VS_CONST) {
            push(c, (vsval){.type = WG_I32, .kind = VS_CONST, .bits = (uint32_t)a->bits + k});
            return true;
        }
        if (!as_addr(c, a, h, h, &x)) return false;
        x.k += k;
        push_addr(c, &x);
        return true;
    }
    if (n->op == WGE_OP_I32_ADD && a->kind == VS_CONST) {
        if (!as_addr(c, b, h + 1, h, &y)) return false;
        y.k += (uint32_t)a->bits;
        push_addr(c, &y);
        return true;
    }
    if (n->op == WGE_OP_I32_SHL && b->kind == VS_CONST) {
        uint32_t sh = (uint32_t)b->bits & 31;
        if (sh < 1 || sh > 3 || !as_addr(c, a, h, h, &x) || x.idx != NO_SLOT) return false;
        r = (addr){NO_SLOT, x.base, sh, x.k << sh};
        push_addr(c, &r);
        return true;
    }
    if (n->op != WGE_OP_I32_ADD) return false;
    if (as_addr(c, a, h, h, &x) && as_addr(c, b, h + 1, h, &y) && addr_add(&x, &y, &r)) {
        push_addr(c, &r);
        return true;
    }
    /*
     * (p + k) + q where q is a computed value: add the slots now and keep
     * k lazy, so a load can still take it.
     */
    if ((a->kind == VS_ADDR && a->idx == NO_SLOT) || (b->kind == VS_ADDR && b->idx == NO_SLOT)) {
        uint32_t k = 0;
        vsval pa = *a, pb = *b;
        if (pa.kind == VS_ADDR && pa.idx == NO_SLOT) {
            k += (uint32_t)pa.bits;
            pa.bits = 0;
        }
        if (pb.kind == VS_ADDR && pb.idx == NO_SLOT) {
            k += (uint32_t)pb.bits;
            pb.bits = 0;
        }
        uint32_t sa = pa.kind == VS_ADDR && pa.idx == NO_SLOT ? pa.local : operand_slot(c, a, h);
        uint32_t sb = pb.kind == VS_ADDR && pb.idx == NO_SLOT ? pb.local : operand_slot(c, b, h + 1);
        begin_op(c, WGE_OP_I32_ADD);
        put1(c, home(c, h));
        put1(c, sa);
        put1(c, sb);
        r = (addr){home(c, h), NO_SLOT, 0, k};
        push_addr(c, &r);
        return true;
    }
    return false;
}

/*
 * x + a*b and x - a*b where the product was computed by the instruction just
 * emitted: one MULADD/MULSUB instead (still two roundings; -ffp-contract=off
 * keeps the C compiler from making it an FMA). Addition commutes (which NaN
 * payload comes out is not specified by wasm); subtraction only fuses when
 * the product is subtracted.
 */
static bool fuse_multiply_add(compiler *c, const numop *n, vsval *a, vsval *b, uint32_t h)
{
    enum wge_op mul, fused;
    bool sub = n->op == WGE_OP_F32_SUB || n->op == WGE_OP_F64_SUB;
    if (n->op == WGE_OP_F64_ADD || n->op == WGE_OP_F64_SUB) {
        mul = WGE_OP_F64_MUL;
        fused = sub ? WGE_OP_F64_MULSUB : WGE_OP_F64_MULADD;
    } else if (n->op == WGE_OP_F32_ADD || n->op == WGE_OP_F32_SUB) {
        mul = WGE_OP_F32_MUL;
        fused = sub ? WGE_OP_F32_MULSUB : WGE_OP_F32_MULADD;
    } else {
        return false;
    }
    if (!c->have_last || c->last_dst != c->last_pos + 1 || c->code[c->last_pos] != mul ||
        c->last_pos + 4 != c->len)
        return false;
    uint16_t prod = c->code[c->last_pos + 1];
    /* Which operand is the product (a TEMP in the slot the multiply wrote)? */
    vsval *x;
    uint32_t xh;
    if (b->kind == VS_TEMP && home(c, h + 1) == prod) {
        x = a;
        xh = h;
    } else if (!sub && a->kind == VS_TEMP && home(c, h) == prod) {
        x = b;
        xh = h + 1;
    } else {
        return false;
    }
    if (x->kind == VS_CONST || x->kind == VS_ADDR) return false; /* would emit code in between */
    uint16_t ma = c->code[c->last_pos + 2], mb = c->code[c->last_pos + 3];
    uint32_t sx = operand_slot(c, x, xh);
    truncate_code(c, c->last_pos);
    size_t dst = begin_result(c, fused, h);
    put1(c, sx);
    put1(c, ma);
    put1(c, mb);
    push_result(c, n->out, dst);
    return true;
}

/*
 * If operand v (formerly at height vh) is the fresh result of the
 * instruction just emitted, and that instruction is `op` (an _I form:
 * d a imm32), removes it and returns its source slot and immediate.
 */
static bool take_last_imm_op(compiler *c, enum wge_op op, const vsval *v, uint32_t vh,
                             uint32_t *src, uint32_t *imm)
{
    if (v->kind != VS_TEMP || !last_made(c, op, 5, home(c, vh))) return false;
    *src = c->code[c->last_pos + 2];
    *imm = get32(c, c->last_pos + 3);
    truncate_code(c, c->last_pos);
    return true;
}

/*
 * Bit-field idioms of parsers, hashes and codecs: (x >> n) & mask after a
 * shift by a constant, and (x SH n) | y or (x SH n) ^ y after a shift or
 * rotate by one (SH: shl, shr_u, rotl; rotr n is rotl 32-n): one
 * instruction each.
 */
static bool fuse_bit_field(compiler *c, const numop *n, vsval *a, vsval *b, uint32_t h)
{
    uint32_t src, sh;
    if (n->op == WGE_OP_I32_AND && b->kind == VS_CONST &&
        take_last_imm_op(c, WGE_OP_I32_SHR_U_I, a, h, &src, &sh)) {
        size_t dst = begin_result(c, WGE_OP_I32_SHR_U_AND_I, h);
        put1(c, src);
        put1(c, sh & 31);
        put32(c, (uint32_t)b->bits);
        push_result(c, WG_I32, dst);
        return true;
    }
    bool is_or = n->op == WGE_OP_I32_OR;
    if ((is_or || n->op == WGE_OP_I32_XOR) && b->kind != VS_CONST && b->kind != VS_ADDR) {
        /* The shifted operand is the one the last instruction produced; OR commutes. */
        vsval *shifted = NULL, *other = NULL;
        uint32_t other_h = 0;
        if (b->kind == VS_TEMP && c->have_last && c->code[c->last_pos + 1] == home(c, h + 1)) {
            shifted = b, other = a, other_h = h;
        } else if (a->kind == VS_TEMP && (b->kind == VS_LOCAL)) {
            shifted = a, other = b, other_h = h + 1;
        }
        if (!shifted || (other->kind != VS_LOCAL && other->kind != VS_TEMP)) return false;
        uint32_t sh_h = shifted == a ? h : h + 1;
        /* Read the other operand's slot first: taking the shift may not emit code before it. */
        uint32_t so = other->kind == VS_LOCAL ? other->local : home(c, other_h);
        static const struct {
            enum wge_op shift, with_or, with_xor;
        } forms[] = {
            {WGE_OP_I32_SHL_I, WGE_OP_I32_SHL_OR, WGE_OP_I32_SHL_XOR},
            {WGE_OP_I32_SHR_U_I, WGE_OP_I32_SHR_U_OR, WGE_OP_I32_SHR_U_XOR},
            {WGE_OP_I32_ROTL_I, WGE_OP_I32_ROTL_OR, WGE_OP_I32_ROTL_XOR},
            {WGE_OP_I32_ROTR_I, WGE_OP_I32_ROTL_OR, WGE_OP_I32_ROTL_XOR},
        };
        size_t f = 0;
        while (f < sizeof forms / sizeof forms[0] &&
               !take_last_imm_op(c, forms[f].shift, shifted, sh_h, &src, &sh))
            f++;
        if (f == sizeof forms / sizeof forms[0]) return false;
        if (forms[f].shift == WGE_OP_I32_ROTR_I) sh = 32 - (sh & 31);
        size_t dst = begin_result(c, is_or ? forms[f].with_or : forms[f].with_xor, h);
        put1(c, src);
        put1(c, sh & 31);
        put1(c, so);
        push_result(c, WG_I32, dst);
        return true;
    }
    return false;
}

/*
 * x & mask where x was loaded zero-extended from 8 or 16 bits and the mask
 * keeps all of those bits: x itself, with no instruction (C code masks bytes
 * it has loaded). x is a TEMP the last instruction loaded, or a local known
 * to hold such a value (narrow8/narrow16).
 */
static bool and_of_loaded(compiler *c, const numop *n, const vsval *a, const vsval *b, uint32_t h)
{
    if (n->op != WGE_OP_I32_AND || b->kind != VS_CONST) return false;
    unsigned w = 0;
    if (a->kind == VS_LOCAL && a->local < 64) {
        w = (c->narrow8 >> a->local & 1) ? 8 : (c->narrow16 >> a->local & 1) ? 16 : 0;
    } else if (a->kind == VS_TEMP && c->have_last && c->last_dst == c->last_pos + 1 &&
               c->code[c->last_dst] == home(c, h)) {
        w = zext_width((enum wge_op)c->code[c->last_pos]);
    }
    uint32_t width = w == 8 ? 0xff : w == 16 ? 0xffff : 0;
    if (!width || ((uint32_t)b->bits & width) != width) return false;
    push(c, *a);
    return true;
}

/*
 * Bit sets, as compilers lower a test against a few small constants
 * (`c == ' ' || c == '\n' || ...`): 1 << x is one instruction (SHL1),
 * and (1 << x) & mask right after it another (BIT_I), which a conditional
 * branch then absorbs (fuse_condition).
 */
static bool fuse_single_bit(compiler *c, const numop *n, vsval *a, vsval *b, uint32_t h)
{
    if (n->op == WGE_OP_I32_SHL && a->kind == VS_CONST && (uint32_t)a->bits == 1 &&
        b->kind != VS_CONST) {
        uint32_t sb = operand_slot(c, b, h + 1);
        size_t dst = begin_result(c, WGE_OP_I32_SHL1, h);
        put1(c, sb);
        push_result(c, WG_I32, dst);
        return true;
    }
    if (n->op == WGE_OP_I32_AND && b->kind == VS_CONST && a->kind == VS_TEMP &&
        last_made(c, WGE_OP_I32_SHL1, 3, home(c, h))) {
        uint16_t x = c->code[c->last_pos + 2];
        truncate_code(c, c->last_pos);
        size_t dst = begin_result(c, WGE_OP_I32_BIT_I, h);
        put1(c, x);
        put32(c, (uint32_t)b->bits);
        push_result(c, WG_I32, dst);
        return true;
    }
    return false;
}

static void compile_binary(compiler *c, const numop *n)
{
    vsval b = pop_type(c, n->in);
    vsval a = pop_type(c, n->in);
    uint32_t h = c->vsh;
    size_t dst = 0;
    if (unreachable_now(c)) {
        push_temp(c, n->out);
        return;
    }
    if (n->in == WG_I32 && compile_address_arith(c, n, &a, &b, h)) return;
    if (fuse_multiply_add(c, n, &a, &b, h)) return;
    if (fuse_bit_field(c, n, &a, &b, h)) return;
    if (and_of_loaded(c, n, &a, &b, h)) return;
    if (fuse_single_bit(c, n, &a, &b, h)) return;
    /* A constant second operand that fits an imm32 uses the _I form. */
    if (n->imm && b.kind == VS_CONST &&
        (n->in == WG_I32 || (int64_t)b.bits == (int64_t)(int32_t)(uint32_t)b.bits)) {
        uint32_t sa = operand_slot(c, &a, h);
        dst = begin_result(c, (enum wge_op)n->imm, h);
        put1(c, sa);
        put32(c, (uint32_t)b.bits);
        push_result(c, n->out, dst);
        return;
    }
    uint32_t sa = operand_slot(c, &a, h);
    uint32_t sb = operand_slot(c, &b, h + 1);
    dst = begin_result(c, (enum wge_op)n->op, h);
    put1(c, sa);
    put1(c, sb);
    push_result(c, n->out, dst);
}

/* ---- memory instructions ---- */

static void need_memory(compiler *c, uint32_t idx)
{
    if (idx >= c->m->nmemories) INVALID("unknown memory %u", idx);
}

static uint32_t read_memarg(compiler *c, uint32_t natural_log2)
{
    uint32_t align = read_u32(c);
    uint32_t offset = read_u32(c);
    need_memory(c, 0);
    if (align > natural_log2) INVALID("alignment must not be larger than natural");
    return offset;
}

/*
 * The address of a memory access from its operand (popped, formerly at
 * height h): a lazy address is used as it is; one without a base takes a
 * pooled zero as its base inside loops, and elsewhere gets its scaled index
 * computed into the home slot first.
 */
static addr address_operand(compiler *c, vsval *a, uint32_t h)
{
    if (a->kind == VS_ADDR && !unreachable_now(c)) {
        addr x = {a->local, a->idx, a->shift, (uint32_t)a->bits};
        if (x.base == NO_SLOT) x.base = pool_slot(c, 0, false);
        if (x.base == NO_SLOT) {
            begin_op(c, WGE_OP_I32_SHL_I);
            put1(c, home(c, h));
            put1(c, x.idx);
            put32(c, x.shift);
            x = (addr){home(c, h), NO_SLOT, 0, x.k};
        }
        return x;
    }
    return (addr){operand_slot(c, a, h), NO_SLOT, 0, 0};
}

/* The indexed form (_X) of a load or store. */
static enum wge_op indexed_op(enum wge_op op)
{
    return (enum wge_op)(op - WGE_OP_I32_LOAD + WGE_OP_I32_LOAD_X);
}

static void compile_load(compiler *c, enum wge_op op, uint32_t natural_log2, wge_valtype out)
{
    uint32_t offset = read_memarg(c, natural_log2);
    vsval a = pop_type(c, WG_I32);
    uint32_t h = c->vsh;
    addr x = address_operand(c, &a, h);
    size_t dst = 0;
    if (!unreachable_now(c)) {
        dst = begin_result(c, x.idx == NO_SLOT ? op : indexed_op(op), h);
        put1(c, x.base);
        if (x.idx != NO_SLOT) {
            put1(c, x.idx);
            put1(c, x.shift);
        }
        put32(c, x.k);
        put32(c, offset);
    }
    push_result(c, out, dst);
}

static void compile_store(compiler *c, enum wge_op op, uint32_t natural_log2, wge_valtype in)
{
    uint32_t offset = read_memarg(c, natural_log2);
    vsval v = pop_type(c, in);
    vsval a = pop_type(c, WG_I32);
    uint32_t h = c->vsh;
    addr x = address_operand(c, &a, h);
    uint32_t sv = operand_slot(c, &v, h + 1);
    if (!unreachable_now(c)) {
        begin_op(c, x.idx == NO_SLOT ? op : indexed_op(op));
        put1(c, x.base);
        put1(c, sv);
        if (x.idx != NO_SLOT) {
            put1(c, x.idx);
            put1(c, x.shift);
        }
        put32(c, x.k);
        put32(c, offset);
    }
}

/* Pops three i32 operands (a, b, c order as pushed) and returns their slots. */
static void pop3_i32(compiler *c, wge_valtype t1, wge_valtype t2, wge_valtype t3, uint32_t *s1,
                     uint32_t *s2, uint32_t *s3)
{
    vsval v3 = pop_type(c, t3);
    vsval v2 = pop_type(c, t2);
    vsval v1 = pop_type(c, t1);
    uint32_t h = c->vsh;
    *s1 = operand_slot(c, &v1, h);
    *s2 = operand_slot(c, &v2, h + 1);
    *s3 = operand_slot(c, &v3, h + 2);
}

/*
 * A bulk memory or table operation: pops its three operands (types t1 t2 t3,
 * in push order) and emits op with their slots and `nimm` 32-bit immediates.
 */
static void compile_bulk(compiler *c, enum wge_op op, wge_valtype t1, wge_valtype t2,
                         wge_valtype t3, int nimm, uint32_t imm1, uint32_t imm2)
{
    uint32_t s1, s2, s3;
    pop3_i32(c, t1, t2, t3, &s1, &s2, &s3);
    if (unreachable_now(c)) return;
    begin_op(c, op);
    put1(c, s1);
    put1(c, s2);
    put1(c, s3);
    if (nimm > 0) put32(c, imm1);
    if (nimm > 1) put32(c, imm2);
}

static const wge_tabletype *need_table(compiler *c, uint32_t idx)
{
    if (idx >= c->m->ntables) INVALID("unknown table %u", idx);
    return &c->m->tables[idx];
}

static void need_data(compiler *c, uint32_t idx)
{
    if (!c->m->has_datacount) MALFORMED("data count section required");
    if (idx >= c->m->datacount) INVALID("unknown data segment %u", idx);
}

static const wge_elem *need_elem(compiler *c, uint32_t idx)
{
    if (idx >= c->m->nelems) INVALID("unknown elem segment %u", idx);
    return &c->m->elems[idx];
}

/* ---- calls ---- */

/* Type-checks and materializes the arguments; returns the callee frame's first slot. */
static uint32_t prepare_call_args(compiler *c, const wge_functype *ft)
{
    for (uint32_t i = ft->nparams; i-- > 0;) pop_type(c, ft->types[i]);
    uint32_t base = c->vsh;
    /* In reachable code the popped entries are still in the array above vsh. */
    if (!unreachable_now(c))
        for (uint32_t i = base; i < base + ft->nparams; i++) materialize(c, i);
    return home(c, base);
}

static void push_call_results(compiler *c, const wge_functype *ft)
{
    for (uint32_t i = 0; i < ft->nresults; i++) push_temp(c, ft->types[ft->nparams + i]);
    place_label(c); /* results were written by the callee, not by a redirectable dst */
}

/* ---- the instruction loop ---- */

static void compile_end(compiler *c)
{
    ctrl *f = top_ctrl(c);
    c->narrow8 = c->narrow16 = 0;
    /* The stack must hold exactly the results. */
    for (uint32_t i = f->nresults; i-- > 0;) pop_type(c, f->results[i]);
    if (c->vsh != f->height) INVALID("type mismatch: values remaining on the stack at end of block");
    c->vsh += f->nresults;
    if (f->kind == CF_IF) {
        /* An if without else passes its parameters through as results. */
        if (f->nparams != f->nresults ||
            (f->nparams && memcmp(f->params, f->results, f->nparams) != 0))
            INVALID("type mismatch: if without else must have matching parameters and results");
    }
    if (f->kind == CF_FUNC) {
        if (!unreachable_now(c)) {
            emit_return(c);
        } else {
            begin_op(c, WGE_OP_UNREACHABLE);
        }
        c->csn--;
        return;
    }
    if (!unreachable_now(c))
        for (uint32_t i = f->height; i < c->vsh; i++) materialize(c, i);
    if (f->kind == CF_IF && f->has_else_fixup)
        patch32(c, f->else_field, (uint32_t)(int32_t)((long)c->len - (long)f->else_instr));
    /*
     * The code after a block's end continues the fallthrough path's block: its pending
     * count carries on, so a path that branched here pays for those instructions too (an
     * overcharge bounded by the block's size; never a charge missed).
     */
    resolve_fixups(c, f);
    place_label(c);
    uint32_t height = f->height, nres = f->nresults;
    const wge_valtype *res = f->results;
    c->csn--;
    c->vsh = height;
    for (uint32_t i = 0; i < nres; i++) push_temp(c, res[i]);
}

static void compile_br(compiler *c, uint32_t depth)
{
    ctrl *t = label_at(c, depth);
    check_label_values(c, t, true);
    if (!unreachable_now(c)) {
        if (t->kind == CF_FUNC) {
            emit_return(c);
        } else {
            move_label_values(c, t);
            uint32_t cost = take_pending(c);
            size_t pos = begin_op(c, WGE_OP_BR);
            size_t field = c->len;
            put32(c, 0);
            put1(c, cost);
            branch_to(c, t, field, pos);
        }
    }
    set_unreachable(c);
}

static void compile_br_if(compiler *c, uint32_t depth)
{
    vsval cond = pop_type(c, WG_I32);
    uint32_t h = c->vsh;
    ctrl *t = label_at(c, depth);
    check_label_values(c, t, false);
    if (unreachable_now(c)) return;
    if (t->kind != CF_FUNC && values_in_place(c, t)) {
        size_t field;
        size_t pos = emit_cond_branch(c, &cond, h, false, &field);
        branch_to(c, t, field, pos);
        place_label(c);
        return;
    }
    /* Taken path needs moves: skip over them when the condition is false. */
    size_t skip_field;
    size_t skip = emit_cond_branch(c, &cond, h, true, &skip_field);
    if (t->kind == CF_FUNC) {
        emit_return(c); /* pays nothing: the conditional branch above paid the block */
    } else {
        move_label_values(c, t);
        size_t pos = begin_op(c, WGE_OP_BR);
        size_t field = c->len;
        put32(c, 0);
        put1(c, 0); /* the conditional branch above paid the block */
        branch_to(c, t, field, pos);
    }
    patch32(c, skip_field, (uint32_t)(int32_t)((long)c->len - (long)skip));
    place_label(c);
}

static void compile_br_table(compiler *c)
{
    uint32_t n = read_u32(c);
    if (n > c->opts->max_br_table_targets)
        INVALID("br_table has %u targets, more than the limit of %u", n,
                c->opts->max_br_table_targets);
    if (n > wge_reader_left(&c->r)) MALFORMED("unexpected end");
    if ((size_t)n + 1 > c->br_targets_cap) {
        uint32_t *t = realloc(c->br_targets, ((size_t)n + 1) * sizeof *t);
        if (!t) fail(c, "error", "out of memory compiling");
        c->br_targets = t;
        c->br_targets_cap = (size_t)n + 1;
    }
    for (uint32_t i = 0; i <= n; i++) c->br_targets[i] = read_u32(c);
    vsval idx = pop_type(c, WG_I32);
    uint32_t h = c->vsh;
    ctrl *def = label_at(c, c->br_targets[n]);
    uint32_t arity = label_arity(def);
    for (uint32_t i = 0; i <= n; i++) {
        ctrl *t = label_at(c, c->br_targets[i]);
        if (label_arity(t) != arity) INVALID("type mismatch: br_table targets have different arities");
        check_label_values(c, t, true);
    }
    if (unreachable_now(c)) {
        set_unreachable(c);
        return;
    }
    uint32_t sidx = operand_slot(c, &idx, h);
    uint32_t cost = take_pending(c);
    size_t pos = begin_op(c, WGE_OP_BR_TABLE);
    put1(c, sidx);
    put32(c, n);
    put1(c, cost);
    size_t table = c->len;
    for (uint32_t i = 0; i <= n; i++) put32(c, 0);
    /*
     * Targets whose values are in place are branched to directly; the others
     * go through a stub that moves the values (or returns), emitted once per
     * distinct label after the table.
     */
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t depth = c->br_targets[i];
        if (depth == UINT32_MAX) continue; /* handled by an earlier stub */
        ctrl *t = label_at(c, depth);
        if (t->kind != CF_FUNC && values_in_place(c, t)) {
            branch_to(c, t, table + 2 * (size_t)i, pos);
            continue;
        }
        size_t stub = c->len;
        place_label(c);
        if (t->kind == CF_FUNC) {
            emit_return(c); /* pays nothing: BR_TABLE paid the block */
        } else {
            move_label_values(c, t);
            size_t bpos = begin_op(c, WGE_OP_BR);
            size_t field = c->len;
            put32(c, 0);
            put1(c, 0); /* BR_TABLE paid the block */
            branch_to(c, t, field, bpos);
        }
        for (uint32_t k = i; k <= n; k++) {
            if (c->br_targets[k] == depth) {
                patch32(c, table + 2 * (size_t)k, (uint32_t)(int32_t)((long)stub - (long)pos));
                if (k != i) c->br_targets[k] = UINT32_MAX;
            }
        }
    }
    set_unreachable(c);
}

static void compile_block_start(compiler *c, uint8_t kind)
{
    c->narrow8 = c->narrow16 = 0;
    uint32_t np, nr;
    const wge_valtype *p, *r;
    read_blocktype(c, &np, &p, &nr, &r);
    vsval cond = {0};
    uint32_t cond_h = 0;
    if (kind == CF_IF) {
        cond = pop_type(c, WG_I32);
        cond_h = c->vsh;
    }
    /* The parameters become the new frame's first values, with their declared types. */
    check_and_restore(c, np, p, false);
    materialize_for_block(c, np);
    size_t else_field = 0, else_instr = 0;
    bool reachable = !unreachable_now(c);
    /* The condition sat above the parameters; reading it after the moves is fine. */
    if (kind == CF_IF && reachable) else_instr = emit_cond_branch(c, &cond, cond_h, true, &else_field);
    push_ctrl(c, kind, np, p, nr, r);
    ctrl *f = top_ctrl(c);
    place_label(c);
    if (kind == CF_IF && reachable) {
        f->else_field = else_field;
        f->else_instr = else_instr;
        f->has_else_fixup = true;
    }
    if (kind == CF_LOOP) {
        c->zero_locals = 0;
        /* Backward branches target the LOOP instruction and continue after it (ops.h). */
        f->loop_pos = c->len;
        if (reachable) {
            /* Executed on entry only (back-edges skip it): pays the block before the loop. */
            uint32_t cost = take_pending(c);
            begin_op(c, WGE_OP_LOOP);
            put32(c, cost);
            place_label(c);
        }
    }
}

static void compile_else(compiler *c)
{
    ctrl *f = top_ctrl(c);
    c->narrow8 = c->narrow16 = 0;
    if (f->kind != CF_IF) MALFORMED("else without if");
    for (uint32_t i = f->nresults; i-- > 0;) pop_type(c, f->results[i]);
    if (c->vsh != f->height) INVALID("type mismatch: values remaining on the stack at else");
    c->vsh += f->nresults;
    if (!unreachable_now(c)) {
        for (uint32_t i = f->height; i < c->vsh; i++) materialize(c, i);
        uint32_t cost = take_pending(c);
        size_t pos = begin_op(c, WGE_OP_BR);
        size_t field = c->len;
        put32(c, 0);
        put1(c, cost);
        add_fixup(c, f, field, pos);
    }
    c->pending = 0; /* the else arm starts a block of its own */
    if (f->has_else_fixup) {
        patch32(c, f->else_field, (uint32_t)(int32_t)((long)c->len - (long)f->else_instr));
        f->has_else_fixup = false;
    }
    f->kind = CF_ELSE;
    /* The else arm starts from the if's state: parameters in their home slots. */
    c->vsh = f->height;
    f->unreachable = false;
    for (uint32_t i = 0; i < f->nparams; i++) push_temp(c, f->params[i]);
    place_label(c);
}

static void compile_local_set(compiler *c, uint32_t idx, bool tee)
{
    if (idx >= c->nlocals) INVALID("unknown local %u", idx);
    wge_valtype t = c->local_types[idx];
    vsval v = pop_type(c, t);
    uint32_t h = c->vsh;
    bool still_zero = idx < 64 && (c->zero_locals >> idx & 1);
    if (idx < 64) {
        c->zero_locals &= ~(1ull << idx);
        c->narrow8 &= ~(1ull << idx);
        c->narrow16 &= ~(1ull << idx);
    }
    if (still_zero && v.kind == VS_CONST && v.bits == 0) {
        /* Zero to a local that still holds its initial zero (see zero_locals): nothing to do. */
        c->zero_locals |= 1ull << idx;
    } else if (!unreachable_now(c)) {
        bool refs = false;
        for (uint32_t i = 0; i < c->vsh; i++)
            if (refers_to_local(c, &c->vs[i], idx)) refs = true;
        if (refs) materialize_local_refs(c, idx);
        if (!refs && v.kind == VS_TEMP && c->last_dst && c->code[c->last_dst] == home(c, h)) {
            /* Redirect the instruction that produced the value to the local. */
            bool by_last = c->have_last && c->last_dst == c->last_pos + 1;
            c->code[c->last_dst] = (uint16_t)idx;
            c->last_dst = 0;
            unsigned w = by_last ? zext_width((enum wge_op)c->code[c->last_pos]) : 0;
            if (idx < 64 && w == 8) c->narrow8 |= 1ull << idx;
            if (idx < 64 && (w == 8 || w == 16)) c->narrow16 |= 1ull << idx;
        } else if (v.kind == VS_LOCAL && v.local == idx) {
            /* local.set of its own value: nothing to do */
        } else {
            move_entry(c, h, idx); /* the popped entry is still in the array at h */
            c->last_dst = 0;
        }
    }
    if (tee) push(c, (vsval){.type = t, .kind = unreachable_now(c) ? VS_TEMP : VS_LOCAL,
                             .local = (uint16_t)idx});
}

static void compile_instr(compiler *c, uint8_t op)
{
    const wge_module *m = c->m;
    switch (op) {
    case 0x00: /* unreachable */
        if (!unreachable_now(c)) begin_op(c, WGE_OP_UNREACHABLE);
        set_unreachable(c);
        break;
    case 0x01: break; /* nop */
    case 0x02: compile_block_start(c, CF_BLOCK); break;
    case 0x03: compile_block_start(c, CF_LOOP); break;
    case 0x04: compile_block_start(c, CF_IF); break;
    case 0x05: compile_else(c); break;
    case 0x0b: compile_end(c); break;
    case 0x0c: compile_br(c, read_u32(c)); break;
    case 0x0d: compile_br_if(c, read_u32(c)); break;
    case 0x0e: compile_br_table(c); break;
    case 0x0f: /* return */
        check_label_values(c, &c->cs[0], true);
        if (!unreachable_now(c)) emit_return(c);
        set_unreachable(c);
        break;
    case 0x10: { /* call */
        uint32_t fi = read_u32(c);
        if (fi >= m->nfuncs) INVALID("unknown function %u", fi);
        const wge_functype *ft = wge_module_func_type(m, fi);
        uint32_t frame = prepare_call_args(c, ft);
        if (!unreachable_now(c)) {
            uint32_t cost = take_pending(c);
            if (fi < m->nfuncs_imported) {
                begin_op(c, WGE_OP_CALL_IMPORT);
                put32(c, fi);
                put1(c, frame);
                put1(c, cost);
            } else {
                size_t pos = begin_op(c, WGE_OP_CALL);
                /* Holds the function index until link_calls() makes it a displacement. */
                put32(c, fi);
                put1(c, frame);
                put1(c, cost);
                if (c->ncalls == c->callscap) {
                    size_t ncap = c->callscap ? c->callscap * 2 : 64;
                    size_t *n = realloc(c->calls, ncap * sizeof *n);
                    if (!n) fail(c, "error", "out of memory compiling");
                    c->calls = n;
                    c->callscap = ncap;
                }
                c->calls[c->ncalls++] = pos;
            }
        }
        push_call_results(c, ft);
        break;
    }
    case 0x11: { /* call_indirect */
        uint32_t ti = read_u32(c);
        uint32_t tab = read_u32(c);
        if (ti >= m->ntypes) INVALID("unknown type %u", ti);
        const wge_tabletype *tt = need_table(c, tab);
        if (tt->elem_type != WG_FUNCREF) INVALID("type mismatch: call_indirect on a table of externref");
        const wge_functype *ft = &m->types[ti];
        vsval idx = pop_type(c, WG_I32);
        uint32_t idx_h = c->vsh;
        uint32_t frame = prepare_call_args(c, ft);
        if (!unreachable_now(c)) {
            uint32_t sidx = operand_slot(c, &idx, idx_h);
            uint32_t cost = take_pending(c);
            begin_op(c, WGE_OP_CALL_INDIRECT);
            put32(c, ti);
            put32(c, tab);
            put1(c, sidx);
            put1(c, frame);
            put1(c, cost);
        }
        push_call_results(c, ft);
        break;
    }
    case 0x1a: pop_any(c); break; /* drop */
    case 0x1b:                    /* select */
    case 0x1c: {                  /* select t */
        wge_valtype t = 0;
        if (op == 0x1c) {
            uint32_t n = read_u32(c);
            if (n != 1) INVALID("invalid result arity for select: %u", n);
            t = read_valtype(c);
        }
        vsval cond = pop_type(c, WG_I32);
        vsval b = pop_type(c, t);
        vsval a = pop_type(c, t);
        if (op == 0x1b) {
            if (wge_is_reftype(a.type) || wge_is_reftype(b.type))
                INVALID("type mismatch: select without a type on reference operands");
            if (a.type && b.type && a.type != b.type)
                INVALID("type mismatch: select operands %s and %s", type_name(a.type),
                        type_name(b.type));
            t = a.type ? a.type : b.type;
        }
        uint32_t h = c->vsh;
        uint32_t sa = operand_slot(c, &a, h);
        uint32_t sb = operand_slot(c, &b, h + 1);
        uint32_t sc = operand_slot(c, &cond, h + 2);
        size_t dst = 0;
        if (!unreachable_now(c)) {
            dst = begin_result(c, WGE_OP_SELECT, h);
            put1(c, sa);
            put1(c, sb);
            put1(c, sc);
        }
        push_result(c, t, dst);
        break;
    }
    case 0x20: { /* local.get */
        uint32_t idx = read_u32(c);
        if (idx >= c->nlocals) INVALID("unknown local %u", idx);
        push(c, (vsval){.type = c->local_types[idx], .kind = VS_LOCAL, .local = (uint16_t)idx});
        if (unreachable_now(c)) c->vs[c->vsh - 1].kind = VS_TEMP;
        break;
    }
    case 0x21: compile_local_set(c, read_u32(c), false); break;
    case 0x22: compile_local_set(c, read_u32(c), true); break;
    case 0x23: { /* global.get */
        uint32_t idx = read_u32(c);
        if (idx >= m->nglobals) INVALID("unknown global %u", idx);
        size_t dst = 0;
        if (!unreachable_now(c)) {
            begin_op(c, WGE_OP_GLOBAL_GET);
            dst = c->len;
            put1(c, home(c, c->vsh));
            put32(c, idx);
        }
        push_result(c, m->global_types[idx].type, dst);
        break;
    }
    case 0x24: { /* global.set */
        uint32_t idx = read_u32(c);
        if (idx >= m->nglobals) INVALID("unknown global %u", idx);
        if (!m->global_types[idx].mutable_) INVALID("global is immutable: global %u", idx);
        vsval v = pop_type(c, m->global_types[idx].type);
        uint32_t s = operand_slot(c, &v, c->vsh);
        if (!unreachable_now(c)) {
            begin_op(c, WGE_OP_GLOBAL_SET);
            put1(c, s);
            put32(c, idx);
        }
        break;
    }
    case 0x25: { /* table.get */
        uint32_t tab = read_u32(c);
        const wge_tabletype *tt = need_table(c, tab);
        vsval i = pop_type(c, WG_I32);
        uint32_t h = c->vsh;
        uint32_t si = operand_slot(c, &i, h);
        size_t dst = 0;
        if (!unreachable_now(c)) {
            dst = begin_result(c, WGE_OP_TABLE_GET, h);
            put1(c, si);
            put32(c, tab);
        }
        push_result(c, tt->elem_type, dst);
        break;
    }
    case 0x26: { /* table.set */
        uint32_t tab = read_u32(c);
        const wge_tabletype *tt = need_table(c, tab);
        vsval v = pop_type(c, tt->elem_type);
        vsval i = pop_type(c, WG_I32);
        uint32_t h = c->vsh;
        uint32_t si = operand_slot(c, &i, h);
        uint32_t sv = operand_slot(c, &v, h + 1);
        if (!unreachable_now(c)) {
            begin_op(c, WGE_OP_TABLE_SET);
            put1(c, si);
            put1(c, sv);
            put32(c, tab);
        }
        break;
    }
    case 0x28: compile_load(c, WGE_OP_I32_LOAD, 2, WG_I32); break;
    case 0x29: compile_load(c, WGE_OP_I64_LOAD, 3, WG_I64); break;
    case 0x2a: compile_load(c, WGE_OP_F32_LOAD, 2, WG_F32); break;
    case 0x2b: compile_load(c, WGE_OP_F64_LOAD, 3, WG_F64); break;
    case 0x2c: compile_load(c, WGE_OP_I32_LOAD8_S, 0, WG_I32); break;
    case 0x2d: compile_load(c, WGE_OP_I32_LOAD8_U, 0, WG_I32); break;
    case 0x2e: compile_load(c, WGE_OP_I32_LOAD16_S, 1, WG_I32); break;
    case 0x2f: compile_load(c, WGE_OP_I32_LOAD16_U, 1, WG_I32); break;
    case 0x30: compile_load(c, WGE_OP_I64_LOAD8_S, 0, WG_I64); break;
    case 0x31: compile_load(c, WGE_OP_I64_LOAD8_U, 0, WG_I64); break;
    case 0x32: compile_load(c, WGE_OP_I64_LOAD16_S, 1, WG_I64); break;
    case 0x33: compile_load(c, WGE_OP_I64_LOAD16_U, 1, WG_I64); break;
    case 0x34: compile_load(c, WGE_OP_I64_LOAD32_S, 2, WG_I64); break;
    case 0x35: compile_load(c, WGE_OP_I64_LOAD32_U, 2, WG_I64); break;
    case 0x36: compile_store(c, WGE_OP_I32_STORE, 2, WG_I32); break;
    case 0x37: compile_store(c, WGE_OP_I64_STORE, 3, WG_I64); break;
    case 0x38: compile_store(c, WGE_OP_F32_STORE, 2, WG_F32); break;
    case 0x39: compile_store(c, WGE_OP_F64_STORE, 3, WG_F64); break;
    case 0x3a: compile_store(c, WGE_OP_I32_STORE8, 0, WG_I32); break;
    case 0x3b: compile_store(c, WGE_OP_I32_STORE16, 1, WG_I32); break;
    case 0x3c: compile_store(c, WGE_OP_I64_STORE8, 0, WG_I64); break;
    case 0x3d: compile_store(c, WGE_OP_I64_STORE16, 1, WG_I64); break;
    case 0x3e: compile_store(c, WGE_OP_I64_STORE32, 2, WG_I64); break;
    case 0x3f: { /* memory.size */
        read_zero_byte(c);
        need_memory(c, 0);
        size_t dst = 0;
        if (!unreachable_now(c)) {
            begin_op(c, WGE_OP_MEMORY_SIZE);
            dst = c->len;
            put1(c, home(c, c->vsh));
        }
        push_result(c, WG_I32, dst);
        break;
    }
    case 0x40: { /* memory.grow */
        read_zero_byte(c);
        need_memory(c, 0);
        vsval a = pop_type(c, WG_I32);
        uint32_t h = c->vsh;
        uint32_t sa = operand_slot(c, &a, h);
        size_t dst = 0;
        if (!unreachable_now(c)) {
            dst = begin_result(c, WGE_OP_MEMORY_GROW, h);
            put1(c, sa);
        }
        push_result(c, WG_I32, dst);
        break;
    }
    case 0x41: { /* i32.const */
        int32_t v = 0;
        check_read(c, wge_read_s32(&c->r, &v));
        push(c, (vsval){.type = WG_I32, .kind = VS_CONST, .bits = (uint32_t)v});
        break;
    }
    case 0x42: { /* i64.const */
        int64_t v = 0;
        check_read(c, wge_read_s64(&c->r, &v));
        push(c, (vsval){.type = WG_I64, .kind = VS_CONST, .bits = (uint64_t)v});
        break;
    }
    case 0x43: { /* f32.const */
        uint32_t v = 0;
        check_read(c, wge_read_fixed32(&c->r, &v));
        push(c, (vsval){.type = WG_F32, .kind = VS_CONST, .bits = v});
        break;
    }
    case 0x44: { /* f64.const */
        uint64_t v = 0;
        check_read(c, wge_read_fixed64(&c->r, &v));
        push(c, (vsval){.type = WG_F64, .kind = VS_CONST, .bits = v});
        break;
    }
    case 0xd0: { /* ref.null */
        wge_valtype t = read_reftype(c);
        push(c, (vsval){.type = t, .kind = VS_CONST, .bits = 0});
        break;
    }
    case 0xd1: { /* ref.is_null */
        vsval v = pop_any(c);
        if (v.type != 0 && !wge_is_reftype(v.type))
            INVALID("type mismatch: ref.is_null on %s", type_name(v.type));
        if (v.type == 0) v.type = WG_FUNCREF;
        uint32_t h = c->vsh;
        uint32_t s = operand_slot(c, &v, h);
        size_t dst = 0;
        if (!unreachable_now(c)) {
            dst = begin_result(c, WGE_OP_REF_IS_NULL, h);
            put1(c, s);
        }
        push_result(c, WG_I32, dst);
        break;
    }
    case 0xd2: { /* ref.func */
        uint32_t fi = read_u32(c);
        if (fi >= m->nfuncs) INVALID("unknown function %u", fi);
        if (!wge_func_is_declared(m, fi)) INVALID("undeclared function reference %u", fi);
        size_t dst = 0;
        if (!unreachable_now(c)) {
            begin_op(c, WGE_OP_REF_FUNC);
            dst = c->len;
            put1(c, home(c, c->vsh));
            put32(c, fi);
        }
        push_result(c, WG_FUNCREF, dst);
        break;
    }
    case 0xfc: {
        uint32_t sub = read_u32(c);
        if (sub <= 7) {
            static const struct {
                enum wge_op op;
                wge_valtype in, out;
            } sat[8] = {
                {WGE_OP_I32_TRUNC_SAT_F32_S, WG_F32, WG_I32},
                {WGE_OP_I32_TRUNC_SAT_F32_U, WG_F32, WG_I32},
                {WGE_OP_I32_TRUNC_SAT_F64_S, WG_F64, WG_I32},
                {WGE_OP_I32_TRUNC_SAT_F64_U, WG_F64, WG_I32},
                {WGE_OP_I64_TRUNC_SAT_F32_S, WG_F32, WG_I64},
                {WGE_OP_I64_TRUNC_SAT_F32_U, WG_F32, WG_I64},
                {WGE_OP_I64_TRUNC_SAT_F64_S, WG_F64, WG_I64},
                {WGE_OP_I64_TRUNC_SAT_F64_U, WG_F64, WG_I64},
            };
            compile_unary(c, sat[sub].op, sat[sub].in, sat[sub].out);
            break;
        }
        switch (sub) {
        case 8: { /* memory.init */
            uint32_t di = read_u32(c);
            read_zero_byte(c);
            need_memory(c, 0);
            need_data(c, di);
            compile_bulk(c, WGE_OP_MEMORY_INIT, WG_I32, WG_I32, WG_I32, 1, di, 0);
            break;
        }
        case 9: { /* data.drop */
            uint32_t di = read_u32(c);
            need_data(c, di);
            if (!unreachable_now(c)) {
                begin_op(c, WGE_OP_DATA_DROP);
                put32(c, di);
            }
            break;
        }
        case 10: /* memory.copy */
            read_zero_byte(c);
            read_zero_byte(c);
            need_memory(c, 0);
            compile_bulk(c, WGE_OP_MEMORY_COPY, WG_I32, WG_I32, WG_I32, 0, 0, 0);
            break;
        case 11: /* memory.fill */
            read_zero_byte(c);
            need_memory(c, 0);
            compile_bulk(c, WGE_OP_MEMORY_FILL, WG_I32, WG_I32, WG_I32, 0, 0, 0);
            break;
        case 12: { /* table.init */
            uint32_t ei = read_u32(c);
            uint32_t tab = read_u32(c);
            const wge_tabletype *tt = need_table(c, tab);
            const wge_elem *e = need_elem(c, ei);
            if (e->elem_type != tt->elem_type)
                INVALID("type mismatch: table.init of %s segment into %s table",
                        type_name(e->elem_type), type_name(tt->elem_type));
            compile_bulk(c, WGE_OP_TABLE_INIT, WG_I32, WG_I32, WG_I32, 2, ei, tab);
            break;
        }
        case 13: { /* elem.drop */
            uint32_t ei = read_u32(c);
            need_elem(c, ei);
            if (!unreachable_now(c)) {
                begin_op(c, WGE_OP_ELEM_DROP);
                put32(c, ei);
            }
            break;
        }
        case 14: { /* table.copy */
            uint32_t dt = read_u32(c);
            uint32_t st = read_u32(c);
            const wge_tabletype *d = need_table(c, dt);
            const wge_tabletype *s = need_table(c, st);
            if (d->elem_type != s->elem_type)
                INVALID("type mismatch: table.copy between %s and %s tables",
                        type_name(s->elem_type), type_name(d->elem_type));
            compile_bulk(c, WGE_OP_TABLE_COPY, WG_I32, WG_I32, WG_I32, 2, dt, st);
            break;
        }
        case 15: { /* table.grow */
            uint32_t tab = read_u32(c);
            const wge_tabletype *tt = need_table(c, tab);
            vsval n = pop_type(c, WG_I32);
            vsval init = pop_type(c, tt->elem_type);
            uint32_t h = c->vsh;
            uint32_t si = operand_slot(c, &init, h);
            uint32_t sn = operand_slot(c, &n, h + 1);
            size_t dst = 0;
            if (!unreachable_now(c)) {
                dst = begin_result(c, WGE_OP_TABLE_GROW, h);
                put1(c, si);
                put1(c, sn);
                put32(c, tab);
            }
            push_result(c, WG_I32, dst);
            break;
        }
        case 16: { /* table.size */
            uint32_t tab = read_u32(c);
            need_table(c, tab);
            size_t dst = 0;
            if (!unreachable_now(c)) {
                begin_op(c, WGE_OP_TABLE_SIZE);
                dst = c->len;
                put1(c, home(c, c->vsh));
                put32(c, tab);
            }
            push_result(c, WG_I32, dst);
            break;
        }
        case 17: { /* table.fill */
            uint32_t tab = read_u32(c);
            const wge_tabletype *tt = need_table(c, tab);
            compile_bulk(c, WGE_OP_TABLE_FILL, WG_I32, tt->elem_type, WG_I32, 1, tab, 0);
            break;
        }
        default: MALFORMED("illegal opcode 0xfc 0x%x", sub);
        }
        break;
    }
    default: {
        const numop *n = &numops[op];
        switch (n->kind) {
        case NK_UNARY: compile_unary(c, (enum wge_op)n->op, n->in, n->out); break;
        case NK_BINARY: compile_binary(c, n); break;
        case NK_REINTERPRET: {
            vsval v = pop_type(c, n->in);
            v.type = n->out;
            push(c, v);
            break;
        }
        default:
            if (op == 0xfd) MALFORMED("SIMD instructions are not supported (opcode 0xfd)");
            MALFORMED("illegal opcode 0x%02x", op);
        }
    }
    }
}

/*
 * One pass over a function body, emitting its code at the end of the buffer
 * with pool_reserve constant-pool slots reserved after the locals.
 */
static void compile_body(compiler *c, uint32_t di)
{
    const wge_module *m = c->m;
    const wge_func *fn = &m->funcs[di];
    const wge_functype *ft = &m->types[fn->type_index];
    c->wm->func_code[di] = (uint32_t)c->len;
    size_t header = c->len;
    reserve(c, WGE_FUNC_HEADER_UNITS);
    for (int i = 0; i < WGE_FUNC_HEADER_UNITS; i++) c->code[c->len++] = 0;

    c->vsh = 0;
    c->max_height = 0;
    c->csn = 0;
    c->fxn = 0;
    c->npool = 0;
    c->pending = 0;
    c->zero_locals = 0;
    for (uint32_t i = ft->nparams; i < c->nlocals && i < 64; i++) c->zero_locals |= 1ull << i;
    c->narrow8 = c->narrow16 = 0;
    place_label(c);
    c->r = (wge_reader){.base = m->bytes, .pos = fn->expr_offset, .end = fn->expr_end};
    push_ctrl(c, CF_FUNC, 0, NULL, ft->nresults, wge_functype_results(ft));

    while (c->csn > 0) {
        c->instr_offset = c->r.pos;
        if (wge_reader_eof(&c->r)) MALFORMED("unexpected end of function body (END opcode expected)");
        uint8_t op = read_u8(c);
        if (!unreachable_now(c)) c->pending++; /* dead code is never executed, never paid */
        compile_instr(c, op);
    }
    if (!wge_reader_eof(&c->r)) {
        c->instr_offset = c->r.pos;
        MALFORMED("section size mismatch: operators remain after the end of the function");
    }
    uint32_t npool = c->pool_reserve < c->npool ? c->pool_reserve : c->npool;
    size_t pool_offset = c->len - header;
    for (uint32_t p = 0; p < npool; p++) put64(c, c->pool[p]);
    c->code[header + 0] = (uint16_t)(c->nlocals + c->pool_reserve + c->max_height);
    c->code[header + 1] = (uint16_t)ft->nparams;
    c->code[header + 2] = (uint16_t)fn->nlocals;
    c->code[header + 3] = (uint16_t)c->pool_reserve;
    patch32(c, header + 4, c->pool_reserve ? (uint32_t)pool_offset : 0);
}

/* Compiles defined function `di` (function index nimported + di). */
static void compile_function(compiler *c, uint32_t di)
{
    const wge_module *m = c->m;
    const wge_func *fn = &m->funcs[di];
    const wge_functype *ft = &m->types[fn->type_index];
    c->funcidx = m->nfuncs_imported + di;
    c->instr_offset = fn->expr_offset;

    uint64_t nl = (uint64_t)ft->nparams + fn->nlocals;
    if (nl > MAX_FRAME_SLOTS) INVALID("too many locals: %llu", (unsigned long long)nl);
    c->nlocals = (uint32_t)nl;
    if (c->nlocals > c->local_types_cap) {
        wge_valtype *t = realloc(c->local_types, c->nlocals);
        if (!t) fail(c, "error", "out of memory compiling");
        c->local_types = t;
        c->local_types_cap = c->nlocals;
    }
    if (ft->nparams) memcpy(c->local_types, ft->types, ft->nparams);
    uint32_t k = ft->nparams;
    for (uint32_t i = 0; i < fn->nlocalruns; i++)
        for (uint32_t j = 0; j < fn->localruns[i].count; j++)
            c->local_types[k++] = fn->localruns[i].type;

    size_t start = c->len, ncalls = c->ncalls;
    c->pool_reserve = 0;
    compile_body(c, di);
    if (c->npool > 0) {
        /* Constants were pooled: compile again with their slots reserved. */
        c->pool_reserve = c->npool;
        c->len = start;
        c->ncalls = ncalls;
        compile_body(c, di);
    }
}

/*
 * Resolves CALL instructions: during compilation they hold the callee's
 * function index; now that every function has a position, replace it with
 * the displacement of the callee's header.
 */
static void link_calls(compiler *c)
{
    for (size_t i = 0; i < c->ncalls; i++) {
        size_t pos = c->calls[i];
        uint32_t fi = get32(c, pos + 1);
        size_t target = c->wm->func_code[fi - c->m->nfuncs_imported];
        patch32(c, pos + 1, (uint32_t)(int32_t)((long)target - (long)pos));
    }
}

bool wge_compile_module(wg_module *wm, const wg_load_options *opts, char *err, size_t errsz)
{
    init_numops();
    compiler *c = calloc(1, sizeof *c);
    if (!c) {
        if (err && errsz) snprintf(err, errsz, "error: out of memory compiling");
        return false;
    }
    c->wm = wm;
    c->m = &wm->m;
    c->opts = opts;
    c->err = err;
    c->errsz = errsz;
    uint32_t ndef = wm->m.nfuncs - wm->m.nfuncs_imported;
    bool ok = false;
    if (setjmp(c->fail) == 0) {
        wm->func_code = calloc(ndef ? ndef : 1, sizeof *wm->func_code);
        if (!wm->func_code) fail(c, "error", "out of memory compiling");
        for (uint32_t di = 0; di < ndef; di++) compile_function(c, di);
        link_calls(c);
        ok = true;
    }
    free(c->local_types);
    free(c->vs);
    free(c->cs);
    free(c->fx);
    free(c->br_targets);
    free(c->calls);
    free(c->saved);
    if (ok) {
        /* Give back the slack of the growable buffer. */
        uint16_t *shrunk = c->len ? realloc(c->code, c->len * sizeof *c->code) : c->code;
        wm->code = shrunk ? shrunk : c->code;
        wm->code_units = c->len;
    } else {
        free(c->code);
    }
    free(c);
    return ok;
}
