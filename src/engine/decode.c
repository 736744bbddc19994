/*
 * decode.c — the module decoder: reads the WebAssembly 2.0 binary format
 * into a wge_module and performs every module-level validation rule
 * (section order and sizes, index ranges, limits, constant expressions,
 * unique export names, segment types, ...).
 *
 * What it must not do:
 *   - decode or validate instructions inside function bodies: compile.c
 *     does that. Here a body is only delimited and its locals decoded;
 *   - allocate for a count it has not first checked against the bytes
 *     left in the module and against the caller's wg_load_options;
 *   - read outside m->bytes, or print, abort or exit on any input;
 *   - free funcs[i].code, which belongs to compile.c.
 *
 * Conventions
 *   - Every reading helper returns bool. On failure it has already written
 *     the message, and the caller returns false at once.
 *   - The contents of a section are read with a reader bounded by the end
 *     of the module, not of the section, and the declared size is compared
 *     with what was consumed once the section has been read ("section size
 *     mismatch"). The spec's reference decoder works this way and the
 *     messages the spec tests expect follow from it: a vector running past
 *     its section reports "length out of bounds", a constant expression
 *     missing its `end` reports the opcode that follows the section.
 *     Nothing is ever read past the end of the module.
 *   - Messages are "<kind>: <where>, offset 0x<hex>: <phrase><detail>".
 *     <kind> is "malformed" (binary format) or "invalid" (validation, and
 *     the limits of wg_load_options), <phrase> the spec's wording, placed
 *     first so that a test may match it as a prefix.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "reader.h"

#if defined(__GNUC__)
#define WGE_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define WGE_PRINTF(fmt, args)
#endif

enum {
    SECTION_CUSTOM = 0,
    SECTION_TYPE = 1,
    SECTION_IMPORT = 2,
    SECTION_FUNCTION = 3,
    SECTION_TABLE = 4,
    SECTION_MEMORY = 5,
    SECTION_GLOBAL = 6,
    SECTION_EXPORT = 7,
    SECTION_START = 8,
    SECTION_ELEMENT = 9,
    SECTION_CODE = 10,
    SECTION_DATA = 11,
    SECTION_DATACOUNT = 12,
    SECTION_LAST_ID = SECTION_DATACOUNT
};

/* Where the decoder is when it is not inside a section, for messages. */
enum { WHERE_HEADER = -1, WHERE_BETWEEN_SECTIONS = -2, WHERE_END = -3 };

#define WASM_MAGIC         0x6d736100u /* "\0asm" read as a little-endian u32 */
#define WASM_VERSION       1u
#define MAX_MEMORY_PAGES   65536u
#define FUNCTYPE_FORM      0x60
#define OPCODE_END         0x0b
#define NAME_BYTES_IN_MSGS 24 /* longer names are cut short in messages */

typedef enum errkind { ERR_MALFORMED, ERR_INVALID, ERR_NO_MEMORY } errkind;

typedef struct decoder {
    wge_module *m;
    const wg_load_options *opts;
    wge_reader r;
    char *err;
    size_t errsz;

    /* Location for messages: a section id or WHERE_*, and the current item. */
    int section;
    const char *item; /* "import", "function", ... or NULL */
    uint32_t item_index;
    const char *item_module; /* imports: module name, else NULL */
    uint32_t item_module_len;
    const char *item_name; /* imports and exports: name, else NULL */
    uint32_t item_name_len;

    /* State that the module does not keep. */
    int last_rank;         /* order rank of the last non-custom section read */
    uint32_t nfunc_decls;  /* entries of the function section */
    uint32_t nbodies;      /* entries of the code section */
    bool have_code;        /* a code section was read */
    size_t code_count_at;  /* offset of its count, for messages */
    bool have_data;        /* a data section was read */
    size_t data_count_at;  /* offset of its count, for messages */
    uint32_t customs_cap;  /* allocated entries of m->customs */
    uint64_t element_items; /* items of the element segments read so far */
    uint32_t name_section; /* index in m->customs of the first "name" section */
    bool have_name_section;
} decoder;

/* ---- Messages ------------------------------------------------------------ */

const char *wge_section_name(uint8_t id)
{
    switch (id) {
    case SECTION_CUSTOM: return "custom";
    case SECTION_TYPE: return "type";
    case SECTION_IMPORT: return "import";
    case SECTION_FUNCTION: return "function";
    case SECTION_TABLE: return "table";
    case SECTION_MEMORY: return "memory";
    case SECTION_GLOBAL: return "global";
    case SECTION_EXPORT: return "export";
    case SECTION_START: return "start";
    case SECTION_ELEMENT: return "element";
    case SECTION_CODE: return "code";
    case SECTION_DATA: return "data";
    case SECTION_DATACOUNT: return "datacount";
    }
    return "unknown";
}

static const char *valtype_name(wge_valtype t) { return wg_valtype_name((wg_valtype)t); }

/* Appends formatted text at buf[*used]; once buf is full, further text is dropped. */
static void append(char *buf, size_t size, size_t *used, const char *fmt, ...) WGE_PRINTF(4, 5);
static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used >= size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    va_end(ap);
    if (n > 0) *used += (size_t)n;
}

/*
 * Appends a module-supplied name in quotes, escaping everything but
 * printable ASCII: the name may hold any UTF-8, including NUL and control
 * characters, and the message may end up in a log.
 */
static void append_quoted(char *buf, size_t size, size_t *used, const char *s, uint32_t len)
{
    append(buf, size, used, "\"");
    for (uint32_t i = 0; i < len; i++) {
        if (i == NAME_BYTES_IN_MSGS) {
            append(buf, size, used, "...");
            break;
        }
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            append(buf, size, used, "%c", c);
        } else {
            append(buf, size, used, "\\%02x", c);
        }
    }
    append(buf, size, used, "\"");
}

/*
 * Writes "<kind>: <where>, offset 0x..: <message>" into d->err and returns
 * false, so that failing paths can `return fail(...)`.
 */
static bool fail(decoder *d, errkind kind, size_t offset, const char *fmt, ...) WGE_PRINTF(4, 5);
static bool fail(decoder *d, errkind kind, size_t offset, const char *fmt, ...)
{
    if (!d->err || d->errsz == 0) return false;

    /*
     * Large enough never to truncate, so the offset always appears: at most
     * ~50 bytes of section and item, two quoted names of at most
     * 2 + 3 * NAME_BYTES_IN_MSGS + 3 bytes each, and ~30 of offset.
     */
    char where[384];
    size_t used = 0;
    where[0] = '\0';
    if (d->section >= 0) {
        append(where, sizeof where, &used, "section %d (%s), ", d->section,
               wge_section_name((uint8_t)d->section));
        if (d->item) {
            append(where, sizeof where, &used, "%s %u", d->item, d->item_index);
            if (d->item_module) {
                append(where, sizeof where, &used, " ");
                append_quoted(where, sizeof where, &used, d->item_module, d->item_module_len);
                append(where, sizeof where, &used, ".");
            } else if (d->item_name) {
                append(where, sizeof where, &used, " ");
            }
            if (d->item_name) {
                append_quoted(where, sizeof where, &used, d->item_name, d->item_name_len);
            }
            append(where, sizeof where, &used, ", ");
        }
    } else if (d->section == WHERE_HEADER) {
        append(where, sizeof where, &used, "header, ");
    } else if (d->section == WHERE_END) {
        append(where, sizeof where, &used, "end of module, ");
    }
    append(where, sizeof where, &used, "offset 0x%zx", offset);

    char what[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);

    const char *prefix = kind == ERR_MALFORMED ? "malformed"
                         : kind == ERR_INVALID ? "invalid"
                                               : "out of memory";
    snprintf(d->err, d->errsz, "%s: %s: %s", prefix, where, what);
    return false;
}

/* "1 byte remains", "2 bytes remain": the tail of a length-out-of-bounds message. */
static const char *bytes_remain(size_t n)
{
    return n == 1 ? "byte remains" : "bytes remain";
}

static bool fail_no_memory(decoder *d, size_t count, size_t size)
{
    return fail(d, ERR_NO_MEMORY, d->r.pos, "cannot allocate %zu x %zu bytes", count, size);
}

static bool fail_too_many(decoder *d, size_t offset, const char *what, uint64_t count,
                          uint32_t limit, const char *option)
{
    return fail(d, ERR_INVALID, offset, "too many %s: %llu exceeds the limit of %u (%s)", what,
                (unsigned long long)count, limit, option);
}

/* Sets the item that messages name, forgetting any name of the previous one. */
static void set_item(decoder *d, const char *item, uint32_t index)
{
    d->item = item;
    d->item_index = index;
    d->item_module = NULL;
    d->item_module_len = 0;
    d->item_name = NULL;
    d->item_name_len = 0;
}

/* ---- Allocation ------------------------------------------------------------ */

/* Zeroed array of count elements; NULL if count is 0, too large, or memory is short. */
static void *alloc_array(size_t count, size_t size)
{
    if (count == 0 || count > SIZE_MAX / size) return NULL;
    return calloc(count, size);
}

/* Grows p to count elements, zeroing those past old_count; NULL on failure (p kept). */
static void *grow_array(void *p, size_t old_count, size_t count, size_t size)
{
    if (count == 0 || count > SIZE_MAX / size) return NULL;
    unsigned char *q = realloc(p, count * size);
    if (q && count > old_count) memset(q + old_count * size, 0, (count - old_count) * size);
    return q;
}

/* ---- Primitive reads ---------------------------------------------------------- */

/* Reports a reader failure at the item the reader stopped at. */
static bool fail_read(decoder *d, wge_readerr e)
{
    if (e == WGE_READ_END) {
        /* The reference decoder's wording inside sections; "unexpected end" is its prefix. */
        return fail(d, ERR_MALFORMED, d->r.pos, "%s",
                    d->section >= 0 ? "unexpected end of section or function" : "unexpected end");
    }
    return fail(d, ERR_MALFORMED, d->r.pos, "%s", wge_readerr_message(e));
}

/* The read_* wrappers turn reader failures into messages (reader.h zeroes *out then). */
static bool read_u8(decoder *d, uint8_t *out)
{
    wge_readerr e = wge_read_u8(&d->r, out);
    return e == WGE_READ_OK || fail_read(d, e);
}

static bool read_u32(decoder *d, uint32_t *out)
{
    wge_readerr e = wge_read_u32(&d->r, out);
    return e == WGE_READ_OK || fail_read(d, e);
}

static bool read_s32(decoder *d, int32_t *out)
{
    wge_readerr e = wge_read_s32(&d->r, out);
    return e == WGE_READ_OK || fail_read(d, e);
}

static bool read_s64(decoder *d, int64_t *out)
{
    wge_readerr e = wge_read_s64(&d->r, out);
    return e == WGE_READ_OK || fail_read(d, e);
}

static bool read_fixed32(decoder *d, uint32_t *out)
{
    wge_readerr e = wge_read_fixed32(&d->r, out);
    return e == WGE_READ_OK || fail_read(d, e);
}

static bool read_fixed64(decoder *d, uint64_t *out)
{
    wge_readerr e = wge_read_fixed64(&d->r, out);
    return e == WGE_READ_OK || fail_read(d, e);
}

/*
 * Bytes of the module from `at` (where a length field starts) to its end.
 * The spec's decoder checks every length (of a vector, name, section, body
 * or data) against this, the length's own encoding included, and says
 * "length out of bounds" when it is exceeded; a length that passes but
 * still overruns the module fails later as "unexpected end". Matching it
 * exactly keeps our messages the ones the spec tests expect.
 */
static size_t bytes_from(const decoder *d, size_t at)
{
    return d->r.end - at;
}

/*
 * Reads a vector length. Every element takes at least one byte, so a count
 * above what is left of the module is refused ("length out of bounds")
 * before anything is allocated for it. With an option name,
 * `already + count` must also stay within `limit`.
 */
static bool read_count(decoder *d, const char *what, uint64_t already, uint32_t limit,
                       const char *option, uint32_t *out)
{
    size_t at = d->r.pos;
    uint32_t n;
    *out = 0;
    if (!read_u32(d, &n)) return false;
    size_t avail = bytes_from(d, at);
    if (n > avail) {
        return fail(d, ERR_MALFORMED, at, "length out of bounds: %u %s declared but only %zu %s", n,
                    what, avail, bytes_remain(avail));
    }
    if (option && already + n > limit)
        return fail_too_many(d, at, what, already + n, limit, option);
    *out = n;
    return true;
}

/*
 * Reads the length of a byte string (a name, data bytes) and checks that the
 * bytes are there; *bytes is where they start. The reader is left at the
 * start of the bytes.
 */
static bool read_byte_string(decoder *d, const char *what, const uint8_t **bytes, uint32_t *len)
{
    size_t at = d->r.pos;
    *bytes = NULL;
    if (!read_u32(d, len)) return false;
    size_t avail = bytes_from(d, at);
    if (*len > avail) {
        return fail(d, ERR_MALFORMED, at, "length out of bounds: %s of %u bytes but only %zu %s",
                    what, *len, avail, bytes_remain(avail));
    }
    if (*len > wge_reader_left(&d->r)) {
        return fail(d, ERR_MALFORMED, at,
                    "unexpected end of section or function: %s of %u bytes runs past the end of "
                    "the module",
                    what, *len);
    }
    *bytes = d->r.base + d->r.pos;
    return true;
}

/* Reads a name: a byte vector that must be UTF-8. Returns a NUL-terminated copy. */
static bool read_name(decoder *d, char **out, uint32_t *len_out)
{
    size_t at = d->r.pos;
    const uint8_t *s;
    uint32_t len;
    if (!read_byte_string(d, "name", &s, &len)) return false;
    if (!wge_utf8_valid(s, len)) return fail(d, ERR_MALFORMED, at, "malformed UTF-8 encoding");
    char *copy = malloc((size_t)len + 1);
    if (!copy) return fail_no_memory(d, 1, (size_t)len + 1);
    if (len) memcpy(copy, s, len);
    copy[len] = '\0';
    d->r.pos += len;
    *out = copy;
    *len_out = len;
    return true;
}

/* ---- Types ------------------------------------------------------------------- */

/*
 * Reads a value type. Exactly one byte is consumed on success, which the
 * type section relies on. Bytes with the high bit set are what the spec's
 * decoder reads as an over-long signed LEB128.
 */
static bool read_valtype(decoder *d, wge_valtype *out)
{
    size_t at = d->r.pos;
    uint8_t b;
    if (!read_u8(d, &b)) return false;
    switch (b) {
    case WG_I32:
    case WG_I64:
    case WG_F32:
    case WG_F64:
    case WG_FUNCREF:
    case WG_EXTERNREF: *out = b; return true;
    case WG_V128:
        return fail(d, ERR_MALFORMED, at,
                    "malformed value type 0x7b: v128 (SIMD) is not supported");
    }
    if (b & 0x80) {
        return fail(d, ERR_MALFORMED, at, "integer representation too long (value type 0x%02x)", b);
    }
    return fail(d, ERR_MALFORMED, at, "malformed value type 0x%02x", b);
}

static bool read_reftype(decoder *d, wge_valtype *out)
{
    size_t at = d->r.pos;
    uint8_t b;
    if (!read_u8(d, &b)) return false;
    if (b == WG_FUNCREF || b == WG_EXTERNREF) {
        *out = b;
        return true;
    }
    if (b & 0x80) {
        return fail(d, ERR_MALFORMED, at, "integer representation too long (reference type 0x%02x)",
                    b);
    }
    return fail(d, ERR_MALFORMED, at, "malformed reference type 0x%02x", b);
}

/*
 * Limits: a flags byte (0: min; 1: min and max) then u32s. The spec's
 * decoder reads the flags as a 1-bit LEB128, hence its messages: a payload
 * above 1 is "integer too large", a continuation bit "too long".
 */
static bool read_limits(decoder *d, wge_limits *out)
{
    size_t at = d->r.pos;
    uint8_t flags;
    if (!read_u8(d, &flags)) return false;
    if ((flags & 0x7f) > 1) {
        return fail(d, ERR_MALFORMED, at, "integer too large (malformed limits flags 0x%02x)",
                    flags);
    }
    if (flags & 0x80) {
        return fail(d, ERR_MALFORMED, at,
                    "integer representation too long (malformed limits flags 0x%02x)", flags);
    }
    out->has_max = flags == 1;
    if (!read_u32(d, &out->min)) return false;
    out->max = 0;
    if (out->has_max && !read_u32(d, &out->max)) return false;
    return true;
}

static bool check_min_not_above_max(decoder *d, const wge_limits *l, size_t at)
{
    if (l->has_max && l->min > l->max) {
        return fail(d, ERR_INVALID, at,
                    "size minimum must not be greater than maximum (minimum %u, maximum %u)",
                    l->min, l->max);
    }
    return true;
}

static bool read_tabletype(decoder *d, wge_tabletype *out)
{
    if (!read_reftype(d, &out->elem_type)) return false;
    size_t at = d->r.pos;
    return read_limits(d, &out->limits) && check_min_not_above_max(d, &out->limits, at);
}

static bool read_memtype(decoder *d, wge_limits *out)
{
    size_t at = d->r.pos;
    if (!read_limits(d, out)) return false;
    if (out->min > MAX_MEMORY_PAGES || (out->has_max && out->max > MAX_MEMORY_PAGES)) {
        return fail(d, ERR_INVALID, at, "memory size must be at most 65536 pages (4GiB)");
    }
    return check_min_not_above_max(d, out, at);
}

static bool read_globaltype(decoder *d, wge_globaltype *out)
{
    if (!read_valtype(d, &out->type)) return false;
    size_t at = d->r.pos;
    uint8_t mut;
    if (!read_u8(d, &mut)) return false;
    if (mut > 1) return fail(d, ERR_MALFORMED, at, "malformed mutability 0x%02x", mut);
    out->mutable_ = mut == 1;
    return true;
}

/* ---- Constant expressions ------------------------------------------------------ */

/*
 * True if op is an instruction of Wasm 2.0 (without SIMD) that cannot appear
 * in a constant expression. Such opcodes are "constant expression required"
 * (invalid); opcodes that do not exist at all are "illegal opcode"
 * (malformed), as in the spec's decoder, which decodes before validating.
 */
static bool is_nonconstant_opcode(uint8_t op)
{
    return op <= 0x04 || (op >= 0x0c && op <= 0x11) || (op >= 0x1a && op <= 0x1c) ||
           (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0x40) || (op >= 0x45 && op <= 0xc4) ||
           op == 0xd1;
}

static void declare_func(wge_module *m, uint32_t funcidx)
{
    m->declared_funcs[funcidx >> 3] |= (uint8_t)(1u << (funcidx & 7));
}

/*
 * Reads a constant expression (Wasm 2.0: one constant instruction, then
 * `end`) and checks that its type is `expected`. global.get may only read
 * an imported immutable global; ref.func marks its function as declared.
 * Several constants in a row are accepted by the decoding and refused as
 * "type mismatch", as the spec's validator does.
 */
static bool read_const_expr(decoder *d, wge_valtype expected, wge_initexpr *out)
{
    wge_module *m = d->m;
    size_t start = d->r.pos;
    uint32_t nvalues = 0;
    wge_initexpr e;
    memset(&e, 0, sizeof e);
    for (;;) {
        size_t at = d->r.pos;
        uint8_t op;
        if (!read_u8(d, &op)) return false;
        if (op == OPCODE_END) break;
        memset(&e, 0, sizeof e);
        switch (op) {
        case 0x41: { /* i32.const */
            int32_t v;
            if (!read_s32(d, &v)) return false;
            e.kind = WGE_INIT_CONST;
            e.type = WG_I32;
            e.value.i32 = v;
            break;
        }
        case 0x42: { /* i64.const */
            int64_t v;
            if (!read_s64(d, &v)) return false;
            e.kind = WGE_INIT_CONST;
            e.type = WG_I64;
            e.value.i64 = v;
            break;
        }
        case 0x43: { /* f32.const: raw bits, so NaN payloads survive */
            uint32_t bits;
            if (!read_fixed32(d, &bits)) return false;
            e.kind = WGE_INIT_CONST;
            e.type = WG_F32;
            e.value.u32 = bits;
            break;
        }
        case 0x44: { /* f64.const */
            uint64_t bits;
            if (!read_fixed64(d, &bits)) return false;
            e.kind = WGE_INIT_CONST;
            e.type = WG_F64;
            e.value.u64 = bits;
            break;
        }
        case 0xd0: /* ref.null t */
            if (!read_reftype(d, &e.type)) return false;
            e.kind = WGE_INIT_REF_NULL;
            break;
        case 0xd2: { /* ref.func x */
            size_t idx_at = d->r.pos;
            if (!read_u32(d, &e.index)) return false;
            if (e.index >= m->nfuncs) {
                return fail(d, ERR_INVALID, idx_at, "unknown function %u", e.index);
            }
            declare_func(m, e.index);
            e.kind = WGE_INIT_REF_FUNC;
            e.type = WG_FUNCREF;
            break;
        }
        case 0x23: { /* global.get x */
            size_t idx_at = d->r.pos;
            if (!read_u32(d, &e.index)) return false;
            if (e.index >= m->nglobals_imported) {
                return fail(d, ERR_INVALID, idx_at,
                            "unknown global %u (constant expressions may only read imported "
                            "globals, of which there are %u)",
                            e.index, m->nglobals_imported);
            }
            if (m->global_types[e.index].mutable_) {
                return fail(d, ERR_INVALID, at,
                            "constant expression required (global %u is mutable)", e.index);
            }
            e.kind = WGE_INIT_GLOBAL_GET;
            e.type = m->global_types[e.index].type;
            break;
        }
        case 0x05: /* else: the spec's decoder stops an expression there and wants `end` */
            return fail(d, ERR_MALFORMED, at, "END opcode expected, found else (0x05)");
        case 0xfc: {
            uint32_t sub;
            if (!read_u32(d, &sub)) return false;
            if (sub > 17) return fail(d, ERR_MALFORMED, at, "illegal opcode 0xfc %u", sub);
            return fail(d, ERR_INVALID, at, "constant expression required (opcode 0xfc %u)", sub);
        }
        case 0xfd: return fail(d, ERR_MALFORMED, at, "illegal opcode 0xfd (SIMD is not supported)");
        default:
            if (is_nonconstant_opcode(op)) {
                return fail(d, ERR_INVALID, at, "constant expression required (opcode 0x%02x)", op);
            }
            return fail(d, ERR_MALFORMED, at, "illegal opcode 0x%02x", op);
        }
        nvalues++;
    }
    if (nvalues != 1) {
        return fail(d, ERR_INVALID, start,
                    "type mismatch: constant expression yields %u values, expected one %s", nvalues,
                    valtype_name(expected));
    }
    if (e.type != expected) {
        return fail(d, ERR_INVALID, start,
                    "type mismatch: constant expression has type %s, expected %s",
                    valtype_name(e.type), valtype_name(expected));
    }
    *out = e;
    return true;
}

/* ---- Sections -------------------------------------------------------------------- */

/* Orders functype pointers by structure, then by position, for assign_canon. */
static int compare_functypes(const void *pa, const void *pb)
{
    const wge_functype *a = *(const wge_functype *const *)pa;
    const wge_functype *b = *(const wge_functype *const *)pb;
    if (a->nparams != b->nparams) return a->nparams < b->nparams ? -1 : 1;
    if (a->nresults != b->nresults) return a->nresults < b->nresults ? -1 : 1;
    size_t n = (size_t)a->nparams + a->nresults;
    if (n) {
        int c = memcmp(a->types, b->types, n);
        if (c) return c;
    }
    return (a > b) - (a < b);
}

/*
 * Sets each type's canon to the index of the first structurally equal type.
 * Sorting keeps this O(n log n): a module may declare a million types.
 */
static bool assign_canon(decoder *d)
{
    wge_module *m = d->m;
    if (m->ntypes == 0) return true;
    const wge_functype **order = alloc_array(m->ntypes, sizeof *order);
    if (!order) return fail_no_memory(d, m->ntypes, sizeof *order);
    for (uint32_t i = 0; i < m->ntypes; i++)
        order[i] = &m->types[i];
    qsort(order, m->ntypes, sizeof *order, compare_functypes);
    uint32_t first = 0;
    for (uint32_t i = 0; i < m->ntypes; i++) {
        uint32_t index = (uint32_t)(order[i] - m->types);
        if (i == 0 || !wge_functype_equal(order[i - 1], order[i])) first = index;
        m->types[index].canon = first;
    }
    free(order);
    return true;
}

static bool decode_type_section(decoder *d)
{
    wge_module *m = d->m;
    const wg_load_options *o = d->opts;
    uint32_t n;
    if (!read_count(d, "types", 0, o->max_types, "max_types", &n)) return false;
    if (n && !(m->types = alloc_array(n, sizeof *m->types))) {
        return fail_no_memory(d, n, sizeof *m->types);
    }
    m->ntypes = n;
    for (uint32_t i = 0; i < n; i++) {
        wge_functype *t = &m->types[i];
        set_item(d, "type", i);
        size_t at = d->r.pos;
        uint8_t form;
        if (!read_u8(d, &form)) return false;
        if (form != FUNCTYPE_FORM) {
            if (form & 0x80) {
                return fail(d, ERR_MALFORMED, at,
                            "integer representation too long (function type form 0x%02x)", form);
            }
            return fail(d, ERR_MALFORMED, at, "malformed function type 0x%02x (expected 0x60)",
                        form);
        }
        /* Each value type is one byte, so the vectors can be copied from the input. */
        uint32_t nparams, nresults;
        if (!read_count(d, "parameters", 0, o->max_function_params, "max_function_params",
                        &nparams))
            return false;
        const uint8_t *params = d->r.base + d->r.pos;
        for (uint32_t k = 0; k < nparams; k++) {
            wge_valtype vt;
            if (!read_valtype(d, &vt)) return false;
        }
        if (!read_count(d, "results", 0, o->max_function_params, "max_function_params", &nresults))
            return false;
        const uint8_t *results = d->r.base + d->r.pos;
        for (uint32_t k = 0; k < nresults; k++) {
            wge_valtype vt;
            if (!read_valtype(d, &vt)) return false;
        }
        size_t total = (size_t)nparams + nresults;
        if (total) {
            uint8_t *types = malloc(total);
            if (!types) return fail_no_memory(d, total, 1);
            if (nparams) memcpy(types, params, nparams);
            if (nresults) memcpy(types + nparams, results, nresults);
            t->types = types;
        }
        t->nparams = nparams;
        t->nresults = nresults;
    }
    set_item(d, NULL, 0);
    return assign_canon(d);
}

/*
 * Once every import is read, builds the start of each index space (function
 * types, tables, memories, global types) from them; the later sections
 * append the module's own definitions.
 */
static bool build_imported_index_spaces(decoder *d, uint32_t nfuncs, uint32_t ntables,
                                        uint32_t nmemories, uint32_t nglobals)
{
    wge_module *m = d->m;
    if (nfuncs && !(m->func_type = alloc_array(nfuncs, sizeof *m->func_type))) {
        return fail_no_memory(d, nfuncs, sizeof *m->func_type);
    }
    if (ntables && !(m->tables = alloc_array(ntables, sizeof *m->tables))) {
        return fail_no_memory(d, ntables, sizeof *m->tables);
    }
    if (nmemories && !(m->memories = alloc_array(nmemories, sizeof *m->memories))) {
        return fail_no_memory(d, nmemories, sizeof *m->memories);
    }
    if (nglobals && !(m->global_types = alloc_array(nglobals, sizeof *m->global_types))) {
        return fail_no_memory(d, nglobals, sizeof *m->global_types);
    }
    uint32_t f = 0, t = 0, mem = 0, g = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wge_import *imp = &m->imports[i];
        switch (imp->kind) {
        case WG_EXTERN_FUNC: m->func_type[f++] = imp->desc.type_index; break;
        case WG_EXTERN_TABLE: m->tables[t++] = imp->desc.table; break;
        case WG_EXTERN_MEMORY: m->memories[mem++] = imp->desc.memory; break;
        case WG_EXTERN_GLOBAL: m->global_types[g++] = imp->desc.global; break;
        }
    }
    m->nfuncs = m->nfuncs_imported = nfuncs;
    m->ntables = m->ntables_imported = ntables;
    m->nmemories = m->nmemories_imported = nmemories;
    m->nglobals = m->nglobals_imported = nglobals;
    return true;
}

static bool decode_import_section(decoder *d)
{
    wge_module *m = d->m;
    const wg_load_options *o = d->opts;
    uint32_t n;
    if (!read_count(d, "imports", 0, o->max_imports, "max_imports", &n)) return false;
    if (n && !(m->imports = alloc_array(n, sizeof *m->imports))) {
        return fail_no_memory(d, n, sizeof *m->imports);
    }
    m->nimports = n;
    uint32_t nfuncs = 0, ntables = 0, nmemories = 0, nglobals = 0;
    for (uint32_t i = 0; i < n; i++) {
        wge_import *imp = &m->imports[i];
        char *s;
        uint32_t len;
        set_item(d, "import", i);
        if (!read_name(d, &s, &len)) return false;
        imp->module = s;
        imp->module_len = len;
        if (!read_name(d, &s, &len)) return false;
        imp->name = s;
        imp->name_len = len;
        d->item_module = imp->module;
        d->item_module_len = imp->module_len;
        d->item_name = imp->name;
        d->item_name_len = imp->name_len;

        size_t at = d->r.pos;
        uint8_t kind;
        if (!read_u8(d, &kind)) return false;
        imp->kind = kind;
        switch (kind) {
        case WG_EXTERN_FUNC: {
            size_t idx_at = d->r.pos;
            if (!read_u32(d, &imp->desc.type_index)) return false;
            if (imp->desc.type_index >= m->ntypes) {
                return fail(d, ERR_INVALID, idx_at, "unknown type %u", imp->desc.type_index);
            }
            if (++nfuncs > o->max_functions) {
                return fail_too_many(d, at, "functions", nfuncs, o->max_functions, "max_functions");
            }
            break;
        }
        case WG_EXTERN_TABLE:
            if (!read_tabletype(d, &imp->desc.table)) return false;
            if (++ntables > o->max_tables) {
                return fail_too_many(d, at, "tables", ntables, o->max_tables, "max_tables");
            }
            break;
        case WG_EXTERN_MEMORY:
            if (!read_memtype(d, &imp->desc.memory)) return false;
            if (++nmemories > 1) return fail(d, ERR_INVALID, at, "multiple memories");
            break;
        case WG_EXTERN_GLOBAL:
            if (!read_globaltype(d, &imp->desc.global)) return false;
            if (++nglobals > o->max_globals) {
                return fail_too_many(d, at, "globals", nglobals, o->max_globals, "max_globals");
            }
            break;
        default: return fail(d, ERR_MALFORMED, at, "malformed import kind 0x%02x", kind);
        }
    }
    set_item(d, NULL, 0);
    return build_imported_index_spaces(d, nfuncs, ntables, nmemories, nglobals);
}

static bool decode_function_section(decoder *d)
{
    wge_module *m = d->m;
    const wg_load_options *o = d->opts;
    uint32_t n;
    if (!read_count(d, "functions", m->nfuncs_imported, o->max_functions, "max_functions", &n))
        return false;
    uint32_t imported = m->nfuncs_imported;
    if (n) {
        uint32_t *ft = grow_array(m->func_type, imported, (size_t)imported + n, sizeof *ft);
        if (!ft) return fail_no_memory(d, (size_t)imported + n, sizeof *ft);
        m->func_type = ft;
        if (!(m->funcs = alloc_array(n, sizeof *m->funcs))) {
            return fail_no_memory(d, n, sizeof *m->funcs);
        }
    }
    m->nfuncs = imported + n;
    d->nfunc_decls = n;
    for (uint32_t i = 0; i < n; i++) {
        set_item(d, "function", imported + i);
        size_t at = d->r.pos;
        uint32_t type_index;
        if (!read_u32(d, &type_index)) return false;
        if (type_index >= m->ntypes) return fail(d, ERR_INVALID, at, "unknown type %u", type_index);
        m->func_type[imported + i] = type_index;
        m->funcs[i].type_index = type_index;
    }
    return true;
}

static bool decode_table_section(decoder *d)
{
    wge_module *m = d->m;
    uint32_t n;
    if (!read_count(d, "tables", m->ntables_imported, d->opts->max_tables, "max_tables", &n))
        return false;
    uint32_t imported = m->ntables_imported;
    if (n) {
        wge_tabletype *t = grow_array(m->tables, imported, (size_t)imported + n, sizeof *t);
        if (!t) return fail_no_memory(d, (size_t)imported + n, sizeof *t);
        m->tables = t;
    }
    m->ntables = imported + n;
    for (uint32_t i = 0; i < n; i++) {
        set_item(d, "table", imported + i);
        if (!read_tabletype(d, &m->tables[imported + i])) return false;
    }
    return true;
}

static bool decode_memory_section(decoder *d)
{
    wge_module *m = d->m;
    size_t at = d->r.pos;
    uint32_t n;
    if (!read_count(d, "memories", 0, 0, NULL, &n)) return false;
    uint32_t imported = m->nmemories_imported;
    if ((uint64_t)imported + n > 1) {
        return fail(d, ERR_INVALID, at, "multiple memories (%u imported, %u defined)", imported, n);
    }
    if (n) {
        wge_limits *l = grow_array(m->memories, imported, (size_t)imported + n, sizeof *l);
        if (!l) return fail_no_memory(d, (size_t)imported + n, sizeof *l);
        m->memories = l;
    }
    m->nmemories = imported + n;
    for (uint32_t i = 0; i < n; i++) {
        set_item(d, "memory", imported + i);
        if (!read_memtype(d, &m->memories[imported + i])) return false;
    }
    return true;
}

static bool decode_global_section(decoder *d)
{
    wge_module *m = d->m;
    uint32_t n;
    if (!read_count(d, "globals", m->nglobals_imported, d->opts->max_globals, "max_globals", &n))
        return false;
    uint32_t imported = m->nglobals_imported;
    if (n) {
        wge_globaltype *gt =
            grow_array(m->global_types, imported, (size_t)imported + n, sizeof *gt);
        if (!gt) return fail_no_memory(d, (size_t)imported + n, sizeof *gt);
        m->global_types = gt;
        if (!(m->globals = alloc_array(n, sizeof *m->globals))) {
            return fail_no_memory(d, n, sizeof *m->globals);
        }
    }
    m->nglobals = imported + n;
    for (uint32_t i = 0; i < n; i++) {
        wge_global *g = &m->globals[i];
        set_item(d, "global", imported + i);
        if (!read_globaltype(d, &g->type)) return false;
        m->global_types[imported + i] = g->type;
        if (!read_const_expr(d, g->type.type, &g->init)) return false;
    }
    return true;
}

/* Orders export pointers by name, then by position, for find_duplicate_export. */
static int compare_export_names(const void *pa, const void *pb)
{
    const wge_export *a = *(const wge_export *const *)pa;
    const wge_export *b = *(const wge_export *const *)pb;
    uint32_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    if (n) {
        int c = memcmp(a->name, b->name, n);
        if (c) return c;
    }
    if (a->name_len != b->name_len) return a->name_len < b->name_len ? -1 : 1;
    return (a > b) - (a < b);
}

/*
 * Finds the first export (in module order) whose name an earlier export
 * already has. Sorting keeps this O(n log n) whatever names a hostile
 * module chooses. Returns false only when out of memory.
 */
static bool find_duplicate_export(decoder *d, bool *found, uint32_t *dup, uint32_t *orig)
{
    wge_module *m = d->m;
    *found = false;
    if (m->nexports < 2) return true;
    const wge_export **order = alloc_array(m->nexports, sizeof *order);
    if (!order) return fail_no_memory(d, m->nexports, sizeof *order);
    for (uint32_t i = 0; i < m->nexports; i++)
        order[i] = &m->exports[i];
    qsort(order, m->nexports, sizeof *order, compare_export_names);
    uint32_t group_first = 0;
    for (uint32_t i = 1; i < m->nexports; i++) {
        const wge_export *a = order[i - 1], *b = order[i];
        bool same = a->name_len == b->name_len &&
                    (a->name_len == 0 || memcmp(a->name, b->name, a->name_len) == 0);
        if (!same) {
            group_first = i;
            continue;
        }
        uint32_t later = (uint32_t)(b - m->exports);
        if (!*found || later < *dup) {
            *found = true;
            *dup = later;
            *orig = (uint32_t)(order[group_first] - m->exports);
        }
    }
    free(order);
    return true;
}

static bool decode_export_section(decoder *d)
{
    wge_module *m = d->m;
    uint32_t n;
    if (!read_count(d, "exports", 0, d->opts->max_exports, "max_exports", &n)) return false;
    uint32_t *offsets = NULL; /* where each export starts, to report a duplicate */
    if (n) {
        if (!(m->exports = alloc_array(n, sizeof *m->exports))) {
            return fail_no_memory(d, n, sizeof *m->exports);
        }
        if (!(offsets = alloc_array(n, sizeof *offsets))) {
            return fail_no_memory(d, n, sizeof *offsets);
        }
    }
    m->nexports = n;
    bool ok = true;
    for (uint32_t i = 0; ok && i < n; i++) {
        wge_export *e = &m->exports[i];
        set_item(d, "export", i);
        offsets[i] = (uint32_t)d->r.pos;
        char *s;
        uint32_t len;
        if (!(ok = read_name(d, &s, &len))) break;
        e->name = s;
        e->name_len = len;
        d->item_name = e->name;
        d->item_name_len = e->name_len;
        size_t at = d->r.pos;
        uint8_t kind;
        if (!(ok = read_u8(d, &kind))) break;
        if (kind > WG_EXTERN_GLOBAL) {
            ok = fail(d, ERR_MALFORMED, at, "malformed export kind 0x%02x", kind);
            break;
        }
        e->kind = kind;
        size_t idx_at = d->r.pos;
        if (!(ok = read_u32(d, &e->index))) break;
        static const char *const kind_names[] = {"function", "table", "memory", "global"};
        uint32_t space = kind == WG_EXTERN_FUNC     ? m->nfuncs
                         : kind == WG_EXTERN_TABLE  ? m->ntables
                         : kind == WG_EXTERN_MEMORY ? m->nmemories
                                                    : m->nglobals;
        if (e->index >= space) {
            ok = fail(d, ERR_INVALID, idx_at, "unknown %s %u", kind_names[kind], e->index);
            break;
        }
        if (kind == WG_EXTERN_FUNC) declare_func(m, e->index);
    }
    if (ok) {
        bool found;
        uint32_t dup = 0, orig = 0;
        ok = find_duplicate_export(d, &found, &dup, &orig);
        if (ok && found) {
            const wge_export *e = &m->exports[dup];
            set_item(d, "export", dup);
            d->item_name = e->name;
            d->item_name_len = e->name_len;
            ok = fail(d, ERR_INVALID, offsets[dup], "duplicate export name (also export %u)", orig);
        }
    }
    free(offsets);
    return ok;
}

static bool decode_start_section(decoder *d)
{
    wge_module *m = d->m;
    size_t at = d->r.pos;
    uint32_t index;
    if (!read_u32(d, &index)) return false;
    if (index >= m->nfuncs) return fail(d, ERR_INVALID, at, "unknown function %u", index);
    const wge_functype *t = wge_module_func_type(m, index);
    if (t->nparams || t->nresults) {
        return fail(d, ERR_INVALID, at,
                    "start function must not have parameters or results (function %u has %u "
                    "parameters and %u results)",
                    index, t->nparams, t->nresults);
    }
    m->has_start = true;
    m->start = index;
    return true;
}

/*
 * One element segment. Its flags select the encoding: bit 0 passive or
 * declarative (else active), bit 1 an explicit table index (active) or
 * declarative (with bit 0), bit 2 expressions instead of function indices.
 * Forms that name a type use an element kind byte (index forms) or a
 * reference type (expression forms).
 */
static bool decode_element_segment(decoder *d, wge_elem *seg)
{
    wge_module *m = d->m;
    const wg_load_options *o = d->opts;
    size_t at = d->r.pos;
    uint32_t flags;
    if (!read_u32(d, &flags)) return false;
    if (flags > 7) return fail(d, ERR_MALFORMED, at, "malformed elements segment kind %u", flags);
    bool has_exprs = flags & 4;
    if (flags & 1) {
        seg->mode = (flags & 2) ? WGE_SEG_DECLARATIVE : WGE_SEG_PASSIVE;
    } else {
        seg->mode = WGE_SEG_ACTIVE;
        size_t table_at = d->r.pos;
        if ((flags & 2) && !read_u32(d, &seg->table_index)) return false;
        if (seg->table_index >= m->ntables) {
            return fail(d, ERR_INVALID, table_at, "unknown table %u", seg->table_index);
        }
        if (!read_const_expr(d, WG_I32, &seg->offset)) return false;
    }
    seg->elem_type = WG_FUNCREF;
    if (flags & 3) {
        if (has_exprs) {
            if (!read_reftype(d, &seg->elem_type)) return false;
        } else {
            size_t kind_at = d->r.pos;
            uint8_t kind;
            if (!read_u8(d, &kind)) return false;
            if (kind != 0) {
                return fail(d, ERR_MALFORMED, kind_at, "malformed element kind 0x%02x", kind);
            }
        }
    }
    if (seg->mode == WGE_SEG_ACTIVE) {
        wge_valtype table_type = m->tables[seg->table_index].elem_type;
        if (seg->elem_type != table_type) {
            return fail(d, ERR_INVALID, at,
                        "type mismatch: element segment of type %s for table %u of type %s",
                        valtype_name(seg->elem_type), seg->table_index, valtype_name(table_type));
        }
    }
    uint32_t count;
    /* One limit over all segments: each item costs a decoded initexpr (24 bytes). */
    if (!read_count(d, "elements", d->element_items, o->max_element_items, "max_element_items",
                    &count))
        return false;
    d->element_items += count;
    if (count && !(seg->items = alloc_array(count, sizeof *seg->items))) {
        return fail_no_memory(d, count, sizeof *seg->items);
    }
    seg->count = count;
    for (uint32_t j = 0; j < count; j++) {
        wge_initexpr *item = &seg->items[j];
        if (has_exprs) {
            if (!read_const_expr(d, seg->elem_type, item)) return false;
            continue;
        }
        size_t idx_at = d->r.pos;
        if (!read_u32(d, &item->index)) return false;
        if (item->index >= m->nfuncs) {
            return fail(d, ERR_INVALID, idx_at, "unknown function %u", item->index);
        }
        item->kind = WGE_INIT_REF_FUNC;
        item->type = WG_FUNCREF;
        declare_func(m, item->index);
    }
    return true;
}

static bool decode_element_section(decoder *d)
{
    wge_module *m = d->m;
    uint32_t n;
    if (!read_count(d, "element segments", 0, d->opts->max_segments, "max_segments", &n))
        return false;
    if (n && !(m->elems = alloc_array(n, sizeof *m->elems))) {
        return fail_no_memory(d, n, sizeof *m->elems);
    }
    m->nelems = n;
    for (uint32_t i = 0; i < n; i++) {
        set_item(d, "element segment", i);
        if (!decode_element_segment(d, &m->elems[i])) return false;
    }
    return true;
}

static bool decode_datacount_section(decoder *d)
{
    if (!read_u32(d, &d->m->datacount)) return false;
    d->m->has_datacount = true;
    return true;
}

/*
 * One function body: its size, then its local declarations. The
 * instructions are left to compile.c, which finds them at
 * [expr_offset, expr_end).
 */
static bool decode_function_body(decoder *d, wge_func *f)
{
    const wg_load_options *o = d->opts;
    size_t at = d->r.pos;
    uint32_t size;
    if (!read_u32(d, &size)) return false;
    size_t avail = bytes_from(d, at);
    if (size > avail) {
        return fail(d, ERR_MALFORMED, at,
                    "length out of bounds: function body of %u bytes but only %zu %s", size, avail,
                    bytes_remain(avail));
    }
    if (size > o->max_function_bytes) {
        return fail(d, ERR_INVALID, at,
                    "function body too large: %u bytes exceeds the limit of %u "
                    "(max_function_bytes)",
                    size, o->max_function_bytes);
    }
    size_t body = d->r.pos;
    size_t body_end = body + size; /* may pass the module's end by a few bytes; checked below */

    uint32_t nruns;
    if (!read_count(d, "local declarations", 0, 0, NULL, &nruns)) return false;
    if (nruns && !(f->localruns = alloc_array(nruns, sizeof *f->localruns))) {
        return fail_no_memory(d, nruns, sizeof *f->localruns);
    }
    f->nlocalruns = nruns;
    uint64_t total = 0; /* cannot wrap: fewer than 2^32 runs of fewer than 2^32 */
    for (uint32_t j = 0; j < nruns; j++) {
        if (!read_u32(d, &f->localruns[j].count)) return false;
        if (!read_valtype(d, &f->localruns[j].type)) return false;
        total += f->localruns[j].count;
    }
    /* "too many locals" is a decoding error in the spec, hence malformed for the limit too. */
    if (total > UINT32_MAX) {
        return fail(d, ERR_MALFORMED, body, "too many locals: %llu declared",
                    (unsigned long long)total);
    }
    if (total > o->max_function_locals) {
        return fail(d, ERR_MALFORMED, body,
                    "too many locals: %llu exceeds the limit of %u (max_function_locals)",
                    (unsigned long long)total, o->max_function_locals);
    }
    if (body_end > d->r.end) {
        return fail(d, ERR_MALFORMED, body,
                    "unexpected end of section or function: the %u-byte body runs past the end "
                    "of the module",
                    size);
    }
    if (d->r.pos > body_end) {
        return fail(d, ERR_MALFORMED, body,
                    "section size mismatch: local declarations run past the end of the "
                    "%u-byte body",
                    size);
    }
    f->nlocals = (uint32_t)total;
    f->body_offset = (uint32_t)body;
    f->expr_offset = (uint32_t)d->r.pos;
    f->expr_end = (uint32_t)body_end;
    d->r.pos = body_end;
    return true;
}

static bool decode_code_section(decoder *d, size_t section_start, uint32_t section_size)
{
    wge_module *m = d->m;
    d->code_count_at = d->r.pos;
    uint32_t n;
    if (!read_count(d, "function bodies", 0, 0, NULL, &n)) return false;
    d->have_code = true;
    d->nbodies = n;
    for (uint32_t i = 0; i < n; i++) {
        set_item(d, "function", m->nfuncs_imported + i);
        if (i < d->nfunc_decls) {
            if (!decode_function_body(d, &m->funcs[i])) return false;
            continue;
        }
        /*
         * A body with no function: the counts are compared once the whole
         * module is read, as the spec's decoder does (so that, e.g., a
         * repeated section is reported first). Decode it and drop it.
         */
        wge_func scratch;
        memset(&scratch, 0, sizeof scratch);
        bool ok = decode_function_body(d, &scratch);
        free(scratch.localruns);
        if (!ok) return false;
    }
    /* Set last, so that a nonzero offset means every body has been delimited. */
    m->code_section_offset = (uint32_t)section_start;
    m->code_section_size = section_size;
    return true;
}

static bool decode_data_segment(decoder *d, wge_data *seg)
{
    wge_module *m = d->m;
    size_t at = d->r.pos;
    uint32_t flags;
    if (!read_u32(d, &flags)) return false;
    if (flags > 2) return fail(d, ERR_MALFORMED, at, "malformed data segment kind %u", flags);
    if (flags == 1) {
        seg->mode = WGE_SEG_PASSIVE;
    } else {
        seg->mode = WGE_SEG_ACTIVE;
        size_t mem_at = d->r.pos;
        if (flags == 2 && !read_u32(d, &seg->memory_index)) return false;
        if (seg->memory_index >= m->nmemories) {
            return fail(d, ERR_INVALID, mem_at, "unknown memory %u", seg->memory_index);
        }
        if (!read_const_expr(d, WG_I32, &seg->offset)) return false;
    }
    if (!read_byte_string(d, "data", &seg->bytes, &seg->len)) return false;
    d->r.pos += seg->len;
    return true;
}

static bool decode_data_section(decoder *d)
{
    wge_module *m = d->m;
    size_t at = d->r.pos;
    uint32_t n;
    if (!read_count(d, "data segments", 0, d->opts->max_segments, "max_segments", &n)) return false;
    if (m->has_datacount && n != m->datacount) {
        return fail(d, ERR_MALFORMED, at,
                    "data count and data section have inconsistent lengths (data count %u, %u "
                    "segments)",
                    m->datacount, n);
    }
    d->have_data = true;
    if (n && !(m->datas = alloc_array(n, sizeof *m->datas))) {
        return fail_no_memory(d, n, sizeof *m->datas);
    }
    m->ndatas = n;
    for (uint32_t i = 0; i < n; i++) {
        set_item(d, "data segment", i);
        if (!decode_data_segment(d, &m->datas[i])) return false;
    }
    return true;
}

static bool decode_custom_section(decoder *d, size_t section_end)
{
    wge_module *m = d->m;
    size_t at = d->r.pos;
    char *name;
    uint32_t name_len;
    if (!read_name(d, &name, &name_len)) return false;
    if (d->r.pos > section_end || section_end > d->r.end) {
        free(name);
        return fail(d, ERR_MALFORMED, at,
                    "unexpected end of section or function: the custom section's name or data "
                    "runs past its end");
    }
    if (m->ncustoms >= d->opts->max_custom_sections) {
        free(name);
        /* Each custom section costs a record and a name copy: bound their number. */
        return fail_too_many(d, at, "custom sections", (uint64_t)m->ncustoms + 1,
                             d->opts->max_custom_sections, "max_custom_sections");
    }
    if (m->ncustoms == d->customs_cap) {
        uint32_t cap = d->customs_cap ? d->customs_cap * 2 : 4;
        wge_custom *c = grow_array(m->customs, d->customs_cap, cap, sizeof *c);
        if (!c) {
            free(name);
            return fail_no_memory(d, cap, sizeof *c);
        }
        m->customs = c;
        d->customs_cap = cap;
    }
    wge_custom *c = &m->customs[m->ncustoms];
    c->name = name;
    c->name_len = name_len;
    c->offset = (uint32_t)d->r.pos;
    c->data = d->r.base + d->r.pos;
    c->len = (uint32_t)(section_end - d->r.pos);
    if (!d->have_name_section && name_len == 4 && memcmp(name, "name", 4) == 0) {
        d->have_name_section = true;
        d->name_section = m->ncustoms;
    }
    m->ncustoms++;
    d->r.pos = section_end;
    return true;
}

/* ---- The name section (best effort) -------------------------------------------- */

static void free_names(char **names, uint32_t n)
{
    if (!names) return;
    for (uint32_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/*
 * Reads the function names subsection of a "name" custom section into
 * m->func_names. The section is informational: anything malformed in it
 * (or running out of memory) drops the names and never fails the load.
 * Names for out-of-range indices are ignored; for repeated indices the
 * first wins.
 */
static void decode_name_section(wge_module *m, const wge_custom *c)
{
    if (m->nfuncs == 0) return;
    wge_reader r = {m->bytes, c->offset, (size_t)c->offset + c->len};
    char **names = NULL;
    while (!wge_reader_eof(&r)) {
        uint8_t id;
        uint32_t size;
        if (wge_read_u8(&r, &id) || wge_read_u32(&r, &size)) goto malformed;
        if (size > wge_reader_left(&r)) goto malformed;
        wge_reader sub = {r.base, r.pos, r.pos + size};
        r.pos += size;
        if (id != 1 || names) continue;
        names = alloc_array(m->nfuncs, sizeof *names);
        if (!names) return;
        uint32_t n;
        if (wge_read_u32(&sub, &n) || n > wge_reader_left(&sub)) goto malformed;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t index, len;
            if (wge_read_u32(&sub, &index) || wge_read_u32(&sub, &len)) goto malformed;
            if (len > wge_reader_left(&sub)) goto malformed;
            const uint8_t *s = sub.base + sub.pos;
            if (!wge_utf8_valid(s, len)) goto malformed;
            sub.pos += len;
            if (index >= m->nfuncs || names[index]) continue;
            if (!(names[index] = malloc((size_t)len + 1))) goto malformed;
            if (len) memcpy(names[index], s, len);
            names[index][len] = '\0';
        }
        if (!wge_reader_eof(&sub)) goto malformed;
    }
    m->func_names = names;
    return;
malformed:
    free_names(names, m->nfuncs);
}

/* ---- The module ------------------------------------------------------------------- */

/*
 * Position of a non-custom section in the required order: the data count
 * section (id 12) sits between the element (9) and code (10) sections.
 */
static int section_rank(uint8_t id)
{
    if (id == SECTION_DATACOUNT) return SECTION_ELEMENT + 1;
    if (id >= SECTION_CODE) return id + 1;
    return id;
}

/* declared_funcs has one bit per function; it exists (≥ 1 byte) once nfuncs is final. */
static bool ensure_declared_funcs(decoder *d)
{
    wge_module *m = d->m;
    if (m->declared_funcs) return true;
    size_t bytes = ((size_t)m->nfuncs + 7) / 8;
    if (bytes == 0) bytes = 1;
    if (!(m->declared_funcs = calloc(bytes, 1))) return fail_no_memory(d, bytes, 1);
    return true;
}

static bool decode_section_contents(decoder *d, uint8_t id, size_t start, size_t end, uint32_t size)
{
    switch (id) {
    case SECTION_CUSTOM: return decode_custom_section(d, end);
    case SECTION_TYPE: return decode_type_section(d);
    case SECTION_IMPORT: return decode_import_section(d);
    case SECTION_FUNCTION: return decode_function_section(d);
    case SECTION_TABLE: return decode_table_section(d);
    case SECTION_MEMORY: return decode_memory_section(d);
    case SECTION_GLOBAL: return decode_global_section(d);
    case SECTION_EXPORT: return decode_export_section(d);
    case SECTION_START: return decode_start_section(d);
    case SECTION_ELEMENT: return decode_element_section(d);
    case SECTION_CODE: return decode_code_section(d, start, size);
    case SECTION_DATA: return decode_data_section(d);
    case SECTION_DATACOUNT: return decode_datacount_section(d);
    }
    return fail(d, ERR_MALFORMED, start, "malformed section id %u", id);
}

static bool decode_header(decoder *d)
{
    uint32_t magic, version;
    if (!read_fixed32(d, &magic)) return false;
    if (magic != WASM_MAGIC) return fail(d, ERR_MALFORMED, 0, "magic header not detected");
    if (!read_fixed32(d, &version)) return false;
    if (version != WASM_VERSION) {
        return fail(d, ERR_MALFORMED, 4, "unknown binary version %u", version);
    }
    return true;
}

/* One section: id, size, contents, and the checks of order and size. */
static bool decode_section(decoder *d)
{
    d->section = WHERE_BETWEEN_SECTIONS;
    set_item(d, NULL, 0);
    size_t at = d->r.pos;
    uint8_t id;
    if (!read_u8(d, &id)) return false;
    if (id > SECTION_LAST_ID) return fail(d, ERR_MALFORMED, at, "malformed section id %u", id);
    size_t size_at = d->r.pos;
    uint32_t size;
    if (!read_u32(d, &size)) return false;
    size_t avail = bytes_from(d, size_at);
    if (size > avail) {
        return fail(d, ERR_MALFORMED, size_at,
                    "length out of bounds: section %u (%s) of %u bytes but only %zu %s", id,
                    wge_section_name(id), size, avail, bytes_remain(avail));
    }
    size_t start = d->r.pos;
    /*
     * end may pass the module's end by the few bytes of the size's encoding;
     * contents are read within the module, so such a section fails as
     * "unexpected end" or "section size mismatch", as in the spec's decoder.
     */
    size_t end = start + size;
    d->section = id;
    if (id != SECTION_CUSTOM) {
        int rank = section_rank(id);
        if (rank <= d->last_rank) {
            return fail(d, ERR_MALFORMED, at,
                        "unexpected content after last section (a %s section is repeated or out "
                        "of order)",
                        wge_section_name(id));
        }
        d->last_rank = rank;
        /* Every section after the function section may reference functions. */
        if (rank > SECTION_FUNCTION && !ensure_declared_funcs(d)) return false;
    }
    if (!decode_section_contents(d, id, start, end, size)) return false;
    if (d->r.pos != end) {
        set_item(d, NULL, 0);
        return fail(d, ERR_MALFORMED, start,
                    "section size mismatch: declared %u bytes, contents take %zu", size,
                    d->r.pos - start);
    }
    return true;
}

/* The checks that need the whole module: counts that must agree across sections. */
static bool check_module_end(decoder *d)
{
    wge_module *m = d->m;
    d->section = WHERE_END;
    set_item(d, NULL, 0);
    if (d->nbodies != d->nfunc_decls) {
        return fail(d, ERR_MALFORMED, d->have_code ? d->code_count_at : m->len,
                    "function and code section have inconsistent lengths (%u functions "
                    "declared, %u bodies)",
                    d->nfunc_decls, d->nbodies);
    }
    if (m->has_datacount && m->datacount != m->ndatas) {
        return fail(d, ERR_MALFORMED, d->have_data ? d->data_count_at : m->len,
                    "data count and data section have inconsistent lengths (data count %u, %u "
                    "data segments)",
                    m->datacount, m->ndatas);
    }
    return ensure_declared_funcs(d);
}

bool wge_decode_module(wge_module *m, const wg_load_options *opts, char *err, size_t errsz)
{
    wg_load_options defaults;
    if (!opts) {
        wg_load_options_init(&defaults);
        opts = &defaults;
    }
    if (err && errsz) err[0] = '\0';

    decoder d;
    memset(&d, 0, sizeof d);
    d.m = m;
    d.opts = opts;
    d.err = err;
    d.errsz = errsz;
    d.section = WHERE_HEADER;
    d.last_rank = 0;
    d.r.base = m->bytes;
    d.r.pos = 0;
    d.r.end = m->len;

    if (m->len > opts->max_module_bytes) {
        return fail(&d, ERR_INVALID, 0,
                    "module too large: %zu bytes exceeds the limit of %zu (max_module_bytes)",
                    m->len, opts->max_module_bytes);
    }
    /* Offsets are kept as u32 in the module (and the spec's own limit is 2^32). */
    if (m->len > UINT32_MAX) {
        return fail(&d, ERR_INVALID, 0, "module too large: %zu bytes (at most 4 GiB)", m->len);
    }
    if (!decode_header(&d)) return false;
    while (!wge_reader_eof(&d.r)) {
        if (!decode_section(&d)) return false;
    }
    if (!check_module_end(&d)) return false;
    if (d.have_name_section) decode_name_section(m, &m->customs[d.name_section]);
    return true;
}

/* ---- Freeing and helpers ------------------------------------------------------------ */

void wge_module_free_contents(wge_module *m)
{
    if (!m) return;
    if (m->types) {
        for (uint32_t i = 0; i < m->ntypes; i++)
            free((void *)m->types[i].types);
        free(m->types);
    }
    if (m->imports) {
        for (uint32_t i = 0; i < m->nimports; i++) {
            free((void *)m->imports[i].module);
            free((void *)m->imports[i].name);
        }
        free(m->imports);
    }
    free(m->func_type);
    if (m->funcs) {
        /* funcs[i].code belongs to compile.c, which frees it before calling this. */
        uint32_t ndefined = m->nfuncs - m->nfuncs_imported;
        for (uint32_t i = 0; i < ndefined; i++)
            free(m->funcs[i].localruns);
        free(m->funcs);
    }
    free(m->tables);
    free(m->memories);
    free(m->global_types);
    free(m->globals);
    if (m->exports) {
        for (uint32_t i = 0; i < m->nexports; i++)
            free((void *)m->exports[i].name);
        free(m->exports);
    }
    if (m->elems) {
        for (uint32_t i = 0; i < m->nelems; i++)
            free(m->elems[i].items);
        free(m->elems);
    }
    free(m->datas);
    if (m->customs) {
        for (uint32_t i = 0; i < m->ncustoms; i++)
            free((void *)m->customs[i].name);
        free(m->customs);
    }
    free(m->declared_funcs);
    free_names(m->func_names, m->nfuncs);

    /* Leave the caller's bytes, and a module that is safe to free again. */
    uint8_t *bytes = m->bytes;
    size_t len = m->len;
    memset(m, 0, sizeof *m);
    m->bytes = bytes;
    m->len = len;
}

bool wge_functype_equal(const wge_functype *a, const wge_functype *b)
{
    if (a == b) return true;
    if (a->nparams != b->nparams || a->nresults != b->nresults) return false;
    size_t n = (size_t)a->nparams + a->nresults;
    return n == 0 || memcmp(a->types, b->types, n) == 0;
}

void wg_load_options_init(wg_load_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->max_module_bytes = (size_t)256 * 1024 * 1024;
    opts->max_types = 1000000;
    opts->max_functions = 1000000;
    opts->max_imports = 100000;
    opts->max_exports = 100000;
    opts->max_globals = 1000000;
    opts->max_tables = 100000;
    opts->max_segments = 100000;
    opts->max_element_items = 1000000;
    opts->max_custom_sections = 10000;
    opts->max_function_params = 1000;
    opts->max_function_locals = 50000;
    opts->max_function_bytes = 7654321;
    opts->max_nesting_depth = 10000;
    opts->max_br_table_targets = 1000000;
    opts->metering = true;
}
