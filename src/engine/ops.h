/*
 * ops.h — the engine's internal code: its conventions and its operations.
 *
 * compile.c turns each WebAssembly function body into this code; interp.c
 * executes it. Nothing else may depend on the encoding.
 *
 * The machine
 *   A function runs on a frame of 64-bit slots (wg_value) addressed by a
 *   frame pointer fp. Slots [0, nparams) hold the parameters, then the
 *   declared locals (zeroed on entry), then the constant pool (see below),
 *   then the operand-stack slots: the value at operand-stack height h lives
 *   in slot nlocals_total + npool + h (its "home" slot). The compiler folds local.get and constants into operands,
 *   so most instructions read locals directly and write the home slot of
 *   their result, or a local when followed by local.set.
 *   Calls pass arguments in place: the callee's frame starts at the caller's
 *   slot holding the first argument, and the callee leaves its results in
 *   its slots [0, nresults), which are exactly where the caller's operand
 *   stack expects them.
 *
 * Encoding
 *   The code of a module is one array of 16-bit units. An instruction is an
 *   opcode unit (an index into the interpreter's dispatch table) followed
 *   by operands:
 *     d, a, b, c  slot indices (one unit each; the frame is limited to 65535 slots)
 *     cost        fuel paid by a block-ending instruction (one unit; see Metering)
 *     imm32       a 32-bit immediate in two units, little-endian (memory
 *                 offsets, indices, i32/f32 constants, fuel costs)
 *     imm64       a 64-bit immediate in four units
 *     rel32       a branch displacement in units, relative to the first unit
 *                 of the instruction that holds it
 *   Each operation below lists its operands in order. Names follow the
 *   WebAssembly instruction they implement; a suffix says how operands
 *   differ: _I32/_I64 "immediate second operand".
 *
 * Memory addresses
 *   Loads and stores carry an addend k as well as wasm's offset: the
 *   effective address is (uint32_t)(a + k) + offset. The compiler folds an
 *   i32.add of a constant into k, which saves an instruction and keeps
 *   wasm's wrap-around of the address computation (k cannot simply be added
 *   to the offset, which does not wrap). The indexed forms (_X) also take
 *   an index slot b scaled by 2^n: (uint32_t)(a + (b << n) + k) + offset,
 *   which is what C array indexing compiles to; LEA computes the same
 *   address as a value when it is needed elsewhere.
 *
 * Function header
 *   Every function's code starts with a header (WGE_FUNC_HEADER_UNITS units):
 *     frame_slots, nparams (slots), nzero (declared locals to zero),
 *     npool, pool_offset (imm32: units from the header to the pool values),
 *   then the first instruction. CALL instructions hold the displacement of
 *   the callee's header.
 *
 * Constant pool
 *   Constants used as operands inside loops are not written by an
 *   instruction each time: they live in npool slots right after the locals
 *   (before the operand stack, which a callee's frame overlaps), filled on
 *   entry from the pool values (64 bits each, stored after the function's
 *   last instruction) and never written afterwards. The frame is thus
 *   [params][declared locals][pool][operand stack].
 *
 * Metering
 *   Fuel counts WebAssembly instructions executed, charged per basic block:
 *   the compiler counts the reachable instructions of the source since the
 *   last charge, and the next instruction that ends a block (a branch of
 *   any kind, a call, a return, and LOOP on entry to a loop) carries that
 *   count as its cost operand and pays it when it executes, taken or not.
 *   A count that does not fit in a unit is paid by a CHARGE instruction
 *   first. Code after a block's end continues the block of the path that
 *   fell through, so a path that branched there pays for instructions it
 *   skipped: an overcharge bounded by the size of the block, never a charge
 *   missed. A block that traps is not paid.
 *   Paying only subtracts. The running slice is checked (see interp.c:
 *   fuel budget, deadline, interrupt flag) where execution could otherwise
 *   go on without end: on every backward branch, on loop entry, on every
 *   call, and once more when the outermost function returns, so a budget
 *   used exactly succeeds and one unit less traps.
 *   Every backward branch targets a LOOP instruction, which the compiler
 *   emits at each loop header even without metering (with cost 0); the
 *   branch polls and continues after it, since the LOOP's own cost is for
 *   the code before the loop.
 */
#ifndef WASMGATE_ENGINE_OPS_H
#define WASMGATE_ENGINE_OPS_H

#define WGE_FUNC_HEADER_UNITS 6

/* X(name) for every operation; operands in the comment. */
#define WGE_OPS(X)                                                                                 \
    /* control */                                                                                  \
    X(UNREACHABLE)      /* */                                                                      \
    X(BR)               /* rel32 cost */                                                           \
    X(BR_IF)            /* a rel32 cost : branch if a.i32 != 0 */                                  \
    X(BR_UNLESS)        /* a rel32 cost : branch if a.i32 == 0 */                                  \
    X(BR_TABLE)         /* a imm32(n) cost rel32*(n+1) : last entry is the default */              \
    X(LOOP)             /* imm32 cost : pays the code before the loop, polls the slice */          \
    X(CHARGE)           /* imm32 cost : pays a block too costly for a cost unit */                 \
    X(RETURN)           /* cost : results already in slots [0, nresults) */                        \
    X(RETURN1)          /* a cost : slot 0 = a, return */                                          \
    X(CALL)             /* rel32 (callee header) d cost : callee frame starts at slot d */         \
    X(CALL_IMPORT)      /* imm32 funcidx, d, cost */                                               \
    X(CALL_INDIRECT)    /* imm32 typeidx, imm32 tableidx, a (element index), d, cost */            \
    /* data movement */                                                                            \
    X(MOV)              /* d a */                                                                  \
    X(MOV2)             /* d a e b : d = a, then e = b (two moves, one dispatch) */                \
    X(LEA)              /* d a b n imm32(k) : d = (uint32_t)(a + (b << n) + k), n in 0..3 */       \
    X(CONST32)          /* d imm32 */                                                              \
    X(CONST64)          /* d imm64 */                                                              \
    X(SELECT)           /* d a b c : d = c.i32 ? a : b */                                          \
    X(GLOBAL_GET)       /* d imm32 */                                                              \
    X(GLOBAL_SET)       /* a imm32 */                                                              \
    /* memory, with effective address (uint32_t)(a + k) + offset (see below):                    \
       loads d a imm32(k) imm32(offset); stores a(address) b(value) imm32(k) imm32(offset) */     \
    X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD)                                                \
    X(I32_LOAD8_S) X(I32_LOAD8_U) X(I32_LOAD16_S) X(I32_LOAD16_U)                                  \
    X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) X(I64_LOAD16_U)                                  \
    X(I64_LOAD32_S) X(I64_LOAD32_U)                                                                \
    X(I32_STORE) X(I64_STORE) X(F32_STORE) X(F64_STORE)                                            \
    X(I32_STORE8) X(I32_STORE16) X(I64_STORE8) X(I64_STORE16) X(I64_STORE32)                       \
    /* indexed forms, same order: address (uint32_t)(a + (b << n) + k) + offset;                  \
       loads d a b n imm32(k) imm32(offset); stores a v b n imm32(k) imm32(offset) */             \
    X(I32_LOAD_X) X(I64_LOAD_X) X(F32_LOAD_X) X(F64_LOAD_X)                                        \
    X(I32_LOAD8_S_X) X(I32_LOAD8_U_X) X(I32_LOAD16_S_X) X(I32_LOAD16_U_X)                          \
    X(I64_LOAD8_S_X) X(I64_LOAD8_U_X) X(I64_LOAD16_S_X) X(I64_LOAD16_U_X)                          \
    X(I64_LOAD32_S_X) X(I64_LOAD32_U_X)                                                            \
    X(I32_STORE_X) X(I64_STORE_X) X(F32_STORE_X) X(F64_STORE_X)                                    \
    X(I32_STORE8_X) X(I32_STORE16_X) X(I64_STORE8_X) X(I64_STORE16_X) X(I64_STORE32_X)             \
    X(MEMORY_SIZE)      /* d */                                                                    \
    X(MEMORY_GROW)      /* d a */                                                                  \
    X(MEMORY_INIT)      /* a(dst) b(src) c(len) imm32 dataidx */                                   \
    X(DATA_DROP)        /* imm32 dataidx */                                                        \
    X(MEMORY_COPY)      /* a(dst) b(src) c(len) */                                                 \
    X(MEMORY_FILL)      /* a(dst) b(value) c(len) */                                               \
    /* tables and references */                                                                    \
    X(TABLE_GET)        /* d a imm32 table */                                                      \
    X(TABLE_SET)        /* a(index) b(value) imm32 table */                                        \
    X(TABLE_SIZE)       /* d imm32 table */                                                        \
    X(TABLE_GROW)       /* d a(init) b(delta) imm32 table */                                       \
    X(TABLE_FILL)       /* a(index) b(value) c(len) imm32 table */                                 \
    X(TABLE_COPY)       /* a(dst) b(src) c(len) imm32 dst_table imm32 src_table */                 \
    X(TABLE_INIT)       /* a(dst) b(src) c(len) imm32 elemidx imm32 table */                       \
    X(ELEM_DROP)        /* imm32 elemidx */                                                        \
    X(REF_FUNC)         /* d imm32 funcidx */                                                      \
    X(REF_IS_NULL)      /* d a */                                                                  \
    /* i32 (unary: d a; binary: d a b; _I: d a imm32) */                                           \
    X(I32_EQZ) X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) X(I32_EXTEND8_S) X(I32_EXTEND16_S)              \
    X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_DIV_S) X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U)           \
    X(I32_AND) X(I32_OR) X(I32_XOR) X(I32_SHL) X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR)   \
    X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U)                            \
    X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U)                                                \
    /* i64 */                                                                                      \
    X(I64_EQZ) X(I64_CLZ) X(I64_CTZ) X(I64_POPCNT)                                                 \
    X(I64_EXTEND8_S) X(I64_EXTEND16_S) X(I64_EXTEND32_S)                                           \
    X(I64_ADD) X(I64_SUB) X(I64_MUL) X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U)           \
    X(I64_AND) X(I64_OR) X(I64_XOR) X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR)   \
    X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U)                            \
    X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)                                                \
    /* f32 */                                                                                      \
    X(F32_ABS) X(F32_NEG) X(F32_CEIL) X(F32_FLOOR) X(F32_TRUNC) X(F32_NEAREST) X(F32_SQRT)         \
    X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) X(F32_MIN) X(F32_MAX) X(F32_COPYSIGN)              \
    X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE)                                    \
    /* f64 */                                                                                      \
    X(F64_ABS) X(F64_NEG) X(F64_CEIL) X(F64_FLOOR) X(F64_TRUNC) X(F64_NEAREST) X(F64_SQRT)         \
    X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV) X(F64_MIN) X(F64_MAX) X(F64_COPYSIGN)              \
    X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE)                                    \
    /* conversions (d a); reinterpretations compile to nothing */                                  \
    X(I32_WRAP_I64) X(I64_EXTEND_I32_S) X(I64_EXTEND_I32_U)                                        \
    X(I32_TRUNC_F32_S) X(I32_TRUNC_F32_U) X(I32_TRUNC_F64_S) X(I32_TRUNC_F64_U)                    \
    X(I64_TRUNC_F32_S) X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S) X(I64_TRUNC_F64_U)                    \
    X(I32_TRUNC_SAT_F32_S) X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S) X(I32_TRUNC_SAT_F64_U)    \
    X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U) X(I64_TRUNC_SAT_F64_S) X(I64_TRUNC_SAT_F64_U)    \
    X(F32_CONVERT_I32_S) X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S) X(F32_CONVERT_I64_U)            \
    X(F64_CONVERT_I32_S) X(F64_CONVERT_I32_U) X(F64_CONVERT_I64_S) X(F64_CONVERT_I64_U)            \
    X(F32_DEMOTE_F64) X(F64_PROMOTE_F32)                                                           \
    /* fused multiply then add/subtract, each rounded (not an FMA): d = x + a * b, d = x - a * b */ \
    X(F32_MULADD) X(F32_MULSUB) X(F64_MULADD) X(F64_MULSUB)  /* d x a b */                         \
    /* bit fields: d = (a >> n) & imm32 (extract); d = (a SH n) OP b with a constant n        \
       (assemble, and the shift/rotate-and-mix steps of hashes and checksums) */                 \
    X(I32_SHR_U_AND_I)  /* d a n imm32 */                                                          \
    X(I32_SHL_OR) X(I32_SHR_U_OR) X(I32_ROTL_OR)     /* d a n b */                                 \
    X(I32_SHL_XOR) X(I32_SHR_U_XOR) X(I32_ROTL_XOR)  /* d a n b */                                 \
    /* single bits: d = 1 << (a & 31) (d a); d = (1 << (a & 31)) & imm32 and                    \
       d = ((1 << (a & 31)) & imm32) == 0 (d a imm32) */                                           \
    X(I32_SHL1) X(I32_BIT_I) X(I32_NOBIT_I)                                                        \
    /* fused forms (peephole): binary with an immediate second operand, d a imm32 */              \
    X(I32_ADD_I) X(I32_SUB_I) X(I32_MUL_I) X(I32_AND_I) X(I32_OR_I) X(I32_XOR_I)                   \
    X(I32_SHL_I) X(I32_SHR_S_I) X(I32_SHR_U_I) X(I32_ROTL_I) X(I32_ROTR_I)                         \
    X(I32_EQ_I) X(I32_NE_I) X(I32_LT_S_I) X(I32_LT_U_I) X(I32_GT_S_I) X(I32_GT_U_I)                \
    X(I32_LE_S_I) X(I32_LE_U_I) X(I32_GE_S_I) X(I32_GE_U_I)                                        \
    X(I64_ADD_I) X(I64_SUB_I) X(I64_AND_I) X(I64_SHL_I) X(I64_SHR_U_I) X(I64_SHR_S_I)              \
    /* fused compare-and-branch: a b rel32 cost (branch if the comparison holds) */               \
    X(BR_I32_EQ) X(BR_I32_NE) X(BR_I32_LT_S) X(BR_I32_LT_U) X(BR_I32_GT_S) X(BR_I32_GT_U)          \
    X(BR_I32_LE_S) X(BR_I32_LE_U) X(BR_I32_GE_S) X(BR_I32_GE_U)                                    \
    /* fused compare with immediate and branch: a imm32 rel32 cost */                             \
    X(BR_I32_EQ_I) X(BR_I32_NE_I) X(BR_I32_LT_S_I) X(BR_I32_LT_U_I) X(BR_I32_GT_S_I)               \
    X(BR_I32_GT_U_I) X(BR_I32_LE_S_I) X(BR_I32_LE_U_I) X(BR_I32_GE_S_I) X(BR_I32_GE_U_I)          \
    /* bit tests, as compilers lower `c == ' ' || c == '\n' || ...`: a imm32 rel32 cost,          \
       branch if (1 << (a & 31)) & imm32 is non-zero (BIT) or zero (NOBIT) */                     \
    X(BR_BIT_I) X(BR_NOBIT_I)                                                                      \
    /* fused add, compare and branch (loop increments): d = a + b (or + imm32 k), then branch if   \
       d compares true against c (or imm32):                                                        \
       ADD_BR_c d a b c rel32 cost, ADD_BR_c_I d a b imm32 rel32 cost,                              \
       ADDI_BR_c d a imm32(k) c rel32 cost, ADDI_BR_c_I d a imm32(k) imm32 rel32 cost */            \
    WGE_ADD_BR(X, EQ) WGE_ADD_BR(X, NE) WGE_ADD_BR(X, LT_S) WGE_ADD_BR(X, LT_U)                    \
    WGE_ADD_BR(X, GT_S) WGE_ADD_BR(X, GT_U) WGE_ADD_BR(X, LE_S) WGE_ADD_BR(X, LE_U)                \
    WGE_ADD_BR(X, GE_S) WGE_ADD_BR(X, GE_U)

#define WGE_ADD_BR(X, c) X(ADD_BR_##c) X(ADD_BR_##c##_I) X(ADDI_BR_##c) X(ADDI_BR_##c##_I)

enum wge_op {
#define WGE_OP_ENUM(name) WGE_OP_##name,
    WGE_OPS(WGE_OP_ENUM)
#undef WGE_OP_ENUM
        WGE_OP_COUNT
};

#endif /* WASMGATE_ENGINE_OPS_H */
