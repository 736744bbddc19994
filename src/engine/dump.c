/*
 * dump.c — prints a function's compiled internal code (see ops.h) in a
 * readable form, for engine developers: `wasmgate inspect --code`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ops.h"
#include "runtime.h"

static const char *const op_names[WGE_OP_COUNT] = {
#define WGE_OP_NAME(name) #name,
    WGE_OPS(WGE_OP_NAME)
#undef WGE_OP_NAME
};

/*
 * Operand formats: one character per operand. s = slot, n = small number
 * (one unit), f = fuel cost (one unit), i = imm32, l = imm64, r = rel32,
 * t = br_table (count, fuel cost, targets).
 */
static const char *op_format(enum wge_op op)
{
    switch (op) {
    case WGE_OP_UNREACHABLE: return "";
    case WGE_OP_RETURN: return "f";
    case WGE_OP_BR: return "rf";
    case WGE_OP_BR_IF:
    case WGE_OP_BR_UNLESS: return "srf";
    case WGE_OP_BR_TABLE: return "st";
    case WGE_OP_LOOP:
    case WGE_OP_CHARGE: return "i";
    case WGE_OP_RETURN1: return "sf";
    case WGE_OP_CALL: return "rsf";
    case WGE_OP_CALL_IMPORT: return "isf";
    case WGE_OP_CALL_INDIRECT: return "iissf";
    case WGE_OP_MOV: return "ss";
    case WGE_OP_MOV2: return "ssss";
    case WGE_OP_LEA: return "sssni";
    case WGE_OP_CONST32: return "si";
    case WGE_OP_CONST64: return "sl";
    case WGE_OP_SELECT: return "ssss";
    case WGE_OP_GLOBAL_GET:
    case WGE_OP_GLOBAL_SET: return "si";
    case WGE_OP_MEMORY_SIZE: return "s";
    case WGE_OP_MEMORY_GROW: return "ss";
    case WGE_OP_MEMORY_INIT: return "sssi";
    case WGE_OP_DATA_DROP:
    case WGE_OP_ELEM_DROP: return "i";
    case WGE_OP_MEMORY_COPY:
    case WGE_OP_MEMORY_FILL: return "sss";
    case WGE_OP_TABLE_GET:
    case WGE_OP_TABLE_SET: return "ssi";
    case WGE_OP_TABLE_SIZE: return "si";
    case WGE_OP_TABLE_GROW: return "sssi";
    case WGE_OP_TABLE_FILL: return "sssi";
    case WGE_OP_TABLE_COPY:
    case WGE_OP_TABLE_INIT: return "sssii";
    case WGE_OP_REF_FUNC: return "si";
    case WGE_OP_REF_IS_NULL: return "ss";
    default: break;
    }
    if (op >= WGE_OP_I32_LOAD && op <= WGE_OP_I64_STORE32) return "ssii";
    if (op >= WGE_OP_I32_LOAD_X && op <= WGE_OP_I64_STORE32_X) return "sssnii";
    if (op >= WGE_OP_BR_I32_EQ && op <= WGE_OP_BR_I32_GE_U) return "ssrf";
    if (op >= WGE_OP_BR_I32_EQ_I && op <= WGE_OP_BR_I32_GE_U_I) return "sirf";
    if (op == WGE_OP_BR_BIT_I || op == WGE_OP_BR_NOBIT_I) return "sirf";
    if (op == WGE_OP_I32_SHL1) return "ss";
    if (op == WGE_OP_I32_BIT_I || op == WGE_OP_I32_NOBIT_I) return "ssi";
    if (op >= WGE_OP_I32_ADD_I && op <= WGE_OP_I64_SHR_S_I) return "ssi";
    if (op >= WGE_OP_ADD_BR_EQ && op <= WGE_OP_ADDI_BR_GE_U_I) {
        static const char *const forms[4] = {"ssssrf", "sssirf", "ssisrf", "ssiirf"};
        return forms[(op - WGE_OP_ADD_BR_EQ) % 4];
    }
    /* numeric: unary d a, binary d a b */
    static const enum wge_op unary[] = {
        WGE_OP_I32_EQZ, WGE_OP_I32_CLZ, WGE_OP_I32_CTZ, WGE_OP_I32_POPCNT,
        WGE_OP_I32_EXTEND8_S, WGE_OP_I32_EXTEND16_S, WGE_OP_I64_EQZ, WGE_OP_I64_CLZ,
        WGE_OP_I64_CTZ, WGE_OP_I64_POPCNT, WGE_OP_I64_EXTEND8_S, WGE_OP_I64_EXTEND16_S,
        WGE_OP_I64_EXTEND32_S, WGE_OP_F32_ABS, WGE_OP_F32_NEG, WGE_OP_F32_CEIL, WGE_OP_F32_FLOOR,
        WGE_OP_F32_TRUNC, WGE_OP_F32_NEAREST, WGE_OP_F32_SQRT, WGE_OP_F64_ABS, WGE_OP_F64_NEG,
        WGE_OP_F64_CEIL, WGE_OP_F64_FLOOR, WGE_OP_F64_TRUNC, WGE_OP_F64_NEAREST, WGE_OP_F64_SQRT,
    };
    for (size_t i = 0; i < sizeof unary / sizeof unary[0]; i++)
        if (unary[i] == op) return "ss";
    if (op >= WGE_OP_I32_WRAP_I64 && op <= WGE_OP_F64_PROMOTE_F32) return "ss";
    if (op >= WGE_OP_F32_MULADD && op <= WGE_OP_F64_MULSUB) return "ssss";
    if (op == WGE_OP_I32_SHR_U_AND_I) return "ssni";
    if (op >= WGE_OP_I32_SHL_OR && op <= WGE_OP_I32_ROTL_XOR) return "ssns";
    return "sss";
}

/* Number of code units of the instruction at p. */
static size_t op_units(const uint16_t *p)
{
    const char *f = op_format((enum wge_op)p[0]);
    size_t n = 1;
    for (; *f; f++) {
        switch (*f) {
        case 's':
        case 'n':
        case 'f': n += 1; break;
        case 'i':
        case 'r': n += 2; break;
        case 'l': n += 4; break;
        case 't': {
            uint32_t count;
            memcpy(&count, p + n, 4);
            n += 3 + 2 * ((size_t)count + 1);
            break;
        }
        }
    }
    return n;
}

bool wg_module_dump_code(const wg_module *wm, uint32_t funcidx, FILE *out)
{
    const wge_module *m = &wm->m;
    if (funcidx < m->nfuncs_imported || funcidx >= m->nfuncs) return false;
    uint32_t di = funcidx - m->nfuncs_imported;
    const uint16_t *start = wm->code + wm->func_code[di];
    const uint16_t *end = di + 1 < m->nfuncs - m->nfuncs_imported
                              ? wm->code + wm->func_code[di + 1]
                              : wm->code + wm->code_units;
    uint32_t pool_offset;
    memcpy(&pool_offset, start + 4, 4);
    fprintf(out, "function %u: %u slots, %u params, %u locals, %u pooled constants\n", funcidx,
            start[0], start[1], start[2], start[3]);
    for (uint32_t k = 0; k < start[3]; k++) {
        uint64_t v;
        memcpy(&v, start + pool_offset + 4 * k, 8);
        fprintf(out, "  pool s%u = 0x%" PRIx64 "\n", start[1] + start[2] + k, v);
    }
    if (start[3]) end = start + pool_offset;
    for (const uint16_t *p = start + WGE_FUNC_HEADER_UNITS; p < end;) {
        enum wge_op op = (enum wge_op)p[0];
        if (op >= WGE_OP_COUNT) {
            fprintf(out, "  %5zu  ?? %u\n", (size_t)(p - start), p[0]);
            return false;
        }
        fprintf(out, "  %5zu  %-18s", (size_t)(p - start), op_names[op]);
        size_t k = 1;
        for (const char *f = op_format(op); *f; f++) {
            switch (*f) {
            case 's': fprintf(out, " s%u", p[k]); k += 1; break;
            case 'n': fprintf(out, " <<%u", p[k]); k += 1; break;
            case 'f': fprintf(out, " $%u", p[k]); k += 1; break;
            case 'i': {
                uint32_t v;
                memcpy(&v, p + k, 4);
                fprintf(out, " #%" PRId32, (int32_t)v);
                k += 2;
                break;
            }
            case 'l': {
                uint64_t v;
                memcpy(&v, p + k, 8);
                fprintf(out, " #0x%" PRIx64, v);
                k += 4;
                break;
            }
            case 'r': {
                uint32_t v;
                memcpy(&v, p + k, 4);
                fprintf(out, " ->%zd", (ssize_t)(p - start) + (int32_t)v);
                k += 2;
                break;
            }
            case 't': {
                uint32_t count;
                memcpy(&count, p + k, 4);
                fprintf(out, " $%u [", p[k + 2]);
                k += 3;
                for (uint32_t i = 0; i <= count; i++) {
                    uint32_t v;
                    memcpy(&v, p + k, 4);
                    fprintf(out, "%s%zd", i ? " " : "", (ssize_t)(p - start) + (int32_t)v);
                    k += 2;
                }
                fprintf(out, "]");
                break;
            }
            }
        }
        fprintf(out, "\n");
        p += op_units(p);
    }
    return true;
}
