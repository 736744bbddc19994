/*
 * spectest_value.c — values in wast2json scripts: parsing arguments,
 * matching results against expectations, and formatting both for messages.
 *
 * Every function here treats its JSON as untrusted: a missing field, a
 * wrong JSON type or an out-of-range number is reported as SPEC_MALFORMED
 * with a message, never assumed away.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "spectest.h"

/* NaN patterns (spec: "canonical NaN" and "arithmetic NaN"). */
#define F32_SIGN_MASK UINT32_C(0x80000000)
#define F32_QUIET_NAN UINT32_C(0x7fc00000) /* exponent all ones + top significand bit */
#define F64_SIGN_MASK UINT64_C(0x8000000000000000)
#define F64_QUIET_NAN UINT64_C(0x7ff8000000000000)

void *spec_externref_from_number(uint64_t n)
{
    return (void *)(uintptr_t)(n + 1);
}

/* Which value types this engine supports; the rest are skipped, not failed. */
typedef enum type_lookup { TYPE_KNOWN, TYPE_UNSUPPORTED, TYPE_UNKNOWN } type_lookup;

static type_lookup lookup_type(const char *name, wg_valtype *out)
{
    static const struct {
        const char *name;
        wg_valtype type;
    } types[] = {
        {"i32", WG_I32}, {"i64", WG_I64},         {"f32", WG_F32},
        {"f64", WG_F64}, {"funcref", WG_FUNCREF}, {"externref", WG_EXTERNREF},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(name, types[i].name) == 0) {
            *out = types[i].type;
            return TYPE_KNOWN;
        }
    }
    /*
     * SIMD and the reference types of later proposals (exnref, anyref, ...)
     * are real script values this engine cannot represent: skip. Anything
     * else is a broken script.
     */
    size_t len = strlen(name);
    if (strcmp(name, "v128") == 0 || (len > 3 && strcmp(name + len - 3, "ref") == 0))
        return TYPE_UNSUPPORTED;
    return TYPE_UNKNOWN;
}

/* Fetches the "type" string of a script value. */
static bool value_type_name(const json_t *v, const char **type, char *err, size_t errsz)
{
    if (!json_is_object(v)) {
        snprintf(err, errsz, "a value must be a JSON object");
        return false;
    }
    *type = json_string_value(json_object_get(v, "type"));
    if (!*type) {
        snprintf(err, errsz, "a value has no string \"type\"");
        return false;
    }
    return true;
}

/*
 * The engine's type and the "value" string of a scalar script value whose
 * "type" is type_name: SPEC_UNSUPPORTED for a type the engine cannot
 * represent, SPEC_MALFORMED for an unknown type or a missing "value".
 */
static spec_status scalar_parts(const json_t *v, const char *type_name, wg_valtype *type,
                                const char **text, char *err, size_t errsz)
{
    switch (lookup_type(type_name, type)) {
    case TYPE_KNOWN: break;
    case TYPE_UNSUPPORTED:
        snprintf(err, errsz, "%s values are not supported", type_name);
        return SPEC_UNSUPPORTED;
    case TYPE_UNKNOWN:
        snprintf(err, errsz, "unknown value type \"%s\"", type_name);
        return SPEC_MALFORMED;
    }
    *text = json_string_value(json_object_get(v, "value"));
    if (!*text) {
        snprintf(err, errsz, "%s value has no string \"value\"", type_name);
        return SPEC_MALFORMED;
    }
    return SPEC_OK;
}

/* Parses the payload of a scalar of a known type (not NaN patterns). */
static spec_status parse_scalar(wg_valtype type, const char *text, wg_value *out, char *err,
                                size_t errsz)
{
    uint64_t n = 0;
    memset(out, 0, sizeof *out);
    switch (type) {
    case WG_I32:
    case WG_F32:
        if (!cli_parse_u64(text, 0, UINT32_MAX, &n)) break;
        /* Both are stored by bit pattern; the union makes f32 share u32's bits. */
        out->u32 = (uint32_t)n;
        return SPEC_OK;
    case WG_I64:
    case WG_F64:
        if (!cli_parse_u64(text, 0, UINT64_MAX, &n)) break;
        out->u64 = n;
        return SPEC_OK;
    case WG_FUNCREF:
        if (strcmp(text, "null") == 0) {
            out->ref = NULL;
            return SPEC_OK;
        }
        /* A script cannot name a particular function: nothing to compare with. */
        snprintf(err, errsz, "non-null funcref value \"%s\" is not supported", text);
        return SPEC_UNSUPPORTED;
    case WG_EXTERNREF:
        if (strcmp(text, "null") == 0) {
            out->ref = NULL;
            return SPEC_OK;
        }
        /* N+1 must not wrap to the null pointer. */
        if (!cli_parse_u64(text, 0, (uint64_t)UINTPTR_MAX - 1, &n)) break;
        out->ref = spec_externref_from_number(n);
        return SPEC_OK;
    default: break;
    }
    snprintf(err, errsz, "bad %s value \"%s\"", wg_valtype_name(type), text);
    return SPEC_MALFORMED;
}

spec_status spec_parse_value(const json_t *v, wg_valtype *type, wg_value *out, char *err,
                             size_t errsz)
{
    const char *type_name, *text;
    if (!value_type_name(v, &type_name, err, errsz)) return SPEC_MALFORMED;
    spec_status s = scalar_parts(v, type_name, type, &text, err, errsz);
    if (s != SPEC_OK) return s;
    return parse_scalar(*type, text, out, err, errsz);
}

/* Nesting limit for "either" values, so hostile JSON cannot exhaust the C stack. */
#define MAX_EITHER_DEPTH 8

static spec_status check_expected(const json_t *expected, int depth, char *err, size_t errsz)
{
    const char *type_name, *text;
    wg_valtype type;
    if (!value_type_name(expected, &type_name, err, errsz)) return SPEC_MALFORMED;
    if (strcmp(type_name, "either") == 0) {
        const json_t *values = json_object_get(expected, "values");
        if (depth >= MAX_EITHER_DEPTH || !json_is_array(values) || json_array_size(values) == 0) {
            snprintf(err, errsz, "\"either\" needs a non-empty array \"values\"");
            return SPEC_MALFORMED;
        }
        for (size_t i = 0; i < json_array_size(values); i++) {
            spec_status s = check_expected(json_array_get(values, i), depth + 1, err, errsz);
            if (s != SPEC_OK) return s;
        }
        return SPEC_OK;
    }
    spec_status s = scalar_parts(expected, type_name, &type, &text, err, errsz);
    if (s != SPEC_OK) return s;
    if ((type == WG_F32 || type == WG_F64) &&
        (strcmp(text, "nan:canonical") == 0 || strcmp(text, "nan:arithmetic") == 0))
        return SPEC_OK;
    wg_value ignored;
    return parse_scalar(type, text, &ignored, err, errsz);
}

spec_status spec_check_expected(const json_t *expected, char *err, size_t errsz)
{
    return check_expected(expected, 0, err, errsz);
}

/* Compares a float result with "nan:canonical", "nan:arithmetic" or exact bits. */
static spec_status match_float(wg_valtype type, const char *text, wg_value got, bool *match,
                               char *err, size_t errsz)
{
    bool is_f32 = type == WG_F32;
    uint64_t bits = is_f32 ? got.u32 : got.u64;
    uint64_t sign = is_f32 ? F32_SIGN_MASK : F64_SIGN_MASK;
    uint64_t quiet_nan = is_f32 ? F32_QUIET_NAN : F64_QUIET_NAN;
    if (strcmp(text, "nan:canonical") == 0) {
        /* Any sign; the significand is exactly the quiet bit. */
        *match = (bits & ~sign) == quiet_nan;
        return SPEC_OK;
    }
    if (strcmp(text, "nan:arithmetic") == 0) {
        /* Any sign, any payload, but the quiet bit is set. */
        *match = (bits & quiet_nan) == quiet_nan;
        return SPEC_OK;
    }
    wg_value want;
    spec_status s = parse_scalar(type, text, &want, err, errsz);
    if (s != SPEC_OK) return s;
    *match = is_f32 ? want.u32 == got.u32 : want.u64 == got.u64;
    return SPEC_OK;
}

static spec_status match_value(const json_t *expected, int depth, wg_valtype type, wg_value got,
                               bool *match, char *err, size_t errsz)
{
    const char *type_name, *text;
    wg_valtype want_type;
    *match = false;
    if (!value_type_name(expected, &type_name, err, errsz)) return SPEC_MALFORMED;
    if (strcmp(type_name, "either") == 0) {
        const json_t *values = json_object_get(expected, "values");
        if (depth >= MAX_EITHER_DEPTH || !json_is_array(values)) {
            snprintf(err, errsz, "\"either\" needs an array \"values\"");
            return SPEC_MALFORMED;
        }
        for (size_t i = 0; i < json_array_size(values); i++) {
            spec_status s =
                match_value(json_array_get(values, i), depth + 1, type, got, match, err, errsz);
            if (s != SPEC_OK || *match) return s;
        }
        return SPEC_OK;
    }
    spec_status s = scalar_parts(expected, type_name, &want_type, &text, err, errsz);
    if (s != SPEC_OK) return s;
    if (want_type != type) return SPEC_OK; /* no match; the message shows both types */

    wg_value want;
    switch (type) {
    case WG_F32:
    case WG_F64: return match_float(type, text, got, match, err, errsz);
    case WG_I32:
        s = parse_scalar(type, text, &want, err, errsz);
        /* Only the low 32 bits of an i32 cell are defined. */
        *match = s == SPEC_OK && want.u32 == got.u32;
        return s;
    case WG_I64:
        s = parse_scalar(type, text, &want, err, errsz);
        *match = s == SPEC_OK && want.u64 == got.u64;
        return s;
    default:
        s = parse_scalar(type, text, &want, err, errsz);
        *match = s == SPEC_OK && want.ref == got.ref;
        return s;
    }
}

spec_status spec_match_value(const json_t *expected, wg_valtype type, wg_value got, bool *match,
                             char *err, size_t errsz)
{
    return match_value(expected, 0, type, got, match, err, errsz);
}

void spec_format_value(wg_valtype type, wg_value v, char *buf, size_t bufsz)
{
    switch (type) {
    case WG_I32: snprintf(buf, bufsz, "i32:%" PRIu32, v.u32); break;
    case WG_I64: snprintf(buf, bufsz, "i64:%" PRIu64, v.u64); break;
    case WG_F32: snprintf(buf, bufsz, "f32:%.9g (0x%08" PRIx32 ")", (double)v.f32, v.u32); break;
    case WG_F64: snprintf(buf, bufsz, "f64:%.17g (0x%016" PRIx64 ")", v.f64, v.u64); break;
    case WG_FUNCREF:
        if (v.ref) {
            snprintf(buf, bufsz, "funcref:%p", v.ref);
        } else {
            snprintf(buf, bufsz, "funcref:null");
        }
        break;
    case WG_EXTERNREF:
        if (v.ref) {
            /* Undo spec_externref_from_number so messages show the script's N. */
            snprintf(buf, bufsz, "externref:%" PRIuPTR, (uintptr_t)v.ref - 1);
        } else {
            snprintf(buf, bufsz, "externref:null");
        }
        break;
    default: snprintf(buf, bufsz, "%s:?", wg_valtype_name(type)); break;
    }
}

static void format_expected(const json_t *expected, int depth, char *buf, size_t bufsz)
{
    char err[128];
    const char *type_name, *text;
    wg_valtype type;
    wg_value v;
    if (bufsz == 0) return;
    buf[0] = '\0';
    if (!value_type_name(expected, &type_name, err, sizeof err)) {
        snprintf(buf, bufsz, "<malformed value>");
        return;
    }
    if (strcmp(type_name, "either") == 0) {
        const json_t *values = json_object_get(expected, "values");
        size_t used = (size_t)snprintf(buf, bufsz, "either(");
        for (size_t i = 0; i < json_array_size(values); i++) {
            if (used >= bufsz || depth >= MAX_EITHER_DEPTH) break;
            if (i > 0) used += (size_t)snprintf(buf + used, bufsz - used, " | ");
            if (used >= bufsz) break;
            format_expected(json_array_get(values, i), depth + 1, buf + used, bufsz - used);
            used += strlen(buf + used);
        }
        if (used < bufsz) snprintf(buf + used, bufsz - used, ")");
        return;
    }
    text = json_string_value(json_object_get(expected, "value"));
    if (lookup_type(type_name, &type) == TYPE_KNOWN && text &&
        parse_scalar(type, text, &v, err, sizeof err) == SPEC_OK) {
        spec_format_value(type, v, buf, bufsz);
        return;
    }
    /* NaN patterns, unsupported types and junk: show the script's own words. */
    snprintf(buf, bufsz, "%s:%s", type_name, text ? text : "?");
}

void spec_format_expected(const json_t *expected, char *buf, size_t bufsz)
{
    format_expected(expected, 0, buf, bufsz);
}
