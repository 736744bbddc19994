/*
 * test_decode.c — specification of the module decoder (decode.c): what it
 * accepts, what it fills in, and how it refuses malformed and invalid
 * modules. Modules are hand-written bytes; MODULE() prepends the header and
 * SECTION() computes a section's size byte (contents of 1..127 bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "module.h"
#include "wgtest.h"

#define HEADER           0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00
#define SECTION(id, ...) (id), (uint8_t)sizeof((uint8_t[]){__VA_ARGS__}), __VA_ARGS__
#define BYTES(...)       (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define MODULE(...)      BYTES(HEADER, __VA_ARGS__)

/* Frequently used sections. */
#define TYPE_VOID_TO_VOID SECTION(1, 0x01, 0x60, 0x00, 0x00) /* type 0: [] -> [] */
#define ONE_FUNCTION      SECTION(3, 0x01, 0x00)             /* function 0: type 0 */
#define ONE_EMPTY_BODY    SECTION(10, 0x01, 0x02, 0x00, 0x0b)
#define FUNCREF_TABLE     SECTION(4, 0x01, 0x70, 0x00, 0x01) /* table 0: funcref, min 1 */
#define ONE_MEMORY        SECTION(5, 0x01, 0x00, 0x01)       /* memory 0: min 1 page */

static char g_err[512];

/* Decodes as api.c does: a private copy of the bytes, a zeroed module, and the
 * contents freed on failure. On success the caller calls release(). */
static bool decode_opts(const uint8_t *bytes, size_t len, const wg_load_options *opts,
                        wge_module *m)
{
    memset(m, 0, sizeof *m);
    m->bytes = malloc(len ? len : 1);
    if (len) memcpy(m->bytes, bytes, len);
    m->len = len;
    strcpy(g_err, "(no message)");
    bool ok = wge_decode_module(m, opts, g_err, sizeof g_err);
    if (!ok) {
        wge_module_free_contents(m);
        free(m->bytes);
        m->bytes = NULL;
    }
    return ok;
}

static bool decode(const uint8_t *bytes, size_t len, wge_module *m)
{
    return decode_opts(bytes, len, NULL, m);
}

static void release(wge_module *m)
{
    wge_module_free_contents(m);
    free(m->bytes);
    m->bytes = NULL;
}

/* The module must be refused with a message of this kind that contains the phrase and an offset. */
static void expect_error(const char *kind, const char *phrase, const uint8_t *bytes, size_t len,
                         const wg_load_options *opts, const char *file, int line)
{
    wge_module m;
    if (!CHECK_AT(!decode_opts(bytes, len, opts, &m), file, line)) {
        fprintf(stderr, "    (expected \"%s%s\")\n", kind, phrase);
        release(&m);
        return;
    }
    if (!CHECK_AT(strncmp(g_err, kind, strlen(kind)) == 0, file, line)) {
        fprintf(stderr, "    message: %s\n", g_err);
    }
    CHECK_CONTAINS_AT(g_err, phrase, file, line);
    CHECK_CONTAINS_AT(g_err, "offset 0x", file, line);
}

static void expect_valid(const uint8_t *bytes, size_t len, const char *file, int line)
{
    wge_module m;
    if (!CHECK_AT(decode(bytes, len, &m), file, line)) {
        fprintf(stderr, "    message: %s\n", g_err);
        return;
    }
    release(&m);
}

#define EXPECT_MALFORMED(phrase, ...) \
    expect_error("malformed: ", phrase, MODULE(__VA_ARGS__), NULL, __FILE__, __LINE__)
#define EXPECT_INVALID(phrase, ...) \
    expect_error("invalid: ", phrase, MODULE(__VA_ARGS__), NULL, __FILE__, __LINE__)
#define EXPECT_INVALID_WITH(opts, phrase, ...) \
    expect_error("invalid: ", phrase, MODULE(__VA_ARGS__), opts, __FILE__, __LINE__)
#define EXPECT_VALID(...) expect_valid(MODULE(__VA_ARGS__), __FILE__, __LINE__)

/* ---- Header ------------------------------------------------------------------ */

static void test_accepts_module_with_only_a_header(void)
{
    wge_module m;
    CHECK(decode(MODULE(), &m));
    CHECK_INT(m.ntypes, 0);
    CHECK_INT(m.nfuncs, 0);
    CHECK(m.declared_funcs != NULL); /* allocated even with no functions */
    CHECK(m.func_names == NULL);
    release(&m);
}

static void test_rejects_truncated_header_as_unexpected_end(void)
{
    wge_module m;
    CHECK(!decode((const uint8_t *)"", 0, &m));
    CHECK_CONTAINS(g_err, "malformed: header, offset 0x0: unexpected end");
    expect_error("malformed: ", "unexpected end", BYTES(0x00, 0x61, 0x73), NULL, __FILE__,
                 __LINE__);
    expect_error("malformed: ", "unexpected end", BYTES(0x00, 0x61, 0x73, 0x6d), NULL, __FILE__,
                 __LINE__);
    expect_error("malformed: ", "unexpected end", BYTES(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00),
                 NULL, __FILE__, __LINE__);
}

static void test_rejects_wrong_magic(void)
{
    expect_error("malformed: ", "magic header not detected",
                 BYTES(0x00, 0x41, 0x53, 0x4d, 0x01, 0x00, 0x00, 0x00), NULL, __FILE__, __LINE__);
    expect_error("malformed: ", "magic header not detected", BYTES(0x61, 0x73, 0x6d, 0x00), NULL,
                 __FILE__, __LINE__);
}

static void test_rejects_unknown_version(void)
{
    expect_error("malformed: ", "unknown binary version",
                 BYTES(0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00), NULL, __FILE__, __LINE__);
    expect_error("malformed: ", "unknown binary version",
                 BYTES(0x00, 0x61, 0x73, 0x6d, 0x00, 0x00, 0x00, 0x01), NULL, __FILE__, __LINE__);
}

static void test_rejects_module_larger_than_max_module_bytes(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_module_bytes = 8;
    EXPECT_INVALID_WITH(&o, "max_module_bytes", TYPE_VOID_TO_VOID);
}

/* ---- Sections ------------------------------------------------------------------- */

static void test_rejects_unknown_section_id(void)
{
    EXPECT_MALFORMED("malformed section id", 0x0d, 0x00);
    EXPECT_MALFORMED("malformed section id", 0x7f, 0x00);
    EXPECT_MALFORMED("malformed section id", 0x80, 0x00, 0x01, 0x01, 0x00);
}

static void test_rejects_section_size_past_end_of_module(void)
{
    EXPECT_MALFORMED("length out of bounds", 0x01, 0x07, 0x01, 0x60, 0x00, 0x00);
    EXPECT_MALFORMED("unexpected end", 0x01); /* no size at all */
}

static void test_rejects_section_whose_contents_do_not_fill_its_size(void)
{
    /* One type declared, two given: the section is larger than its contents. */
    EXPECT_MALFORMED("section size mismatch", 0x01, 0x07, 0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00);
}

static void test_rejects_section_whose_contents_overrun_its_size(void)
{
    /* Type section of 3 bytes whose type needs 4; the byte after is the next section's. */
    EXPECT_MALFORMED("section size mismatch", 0x01, 0x03, 0x01, 0x60, 0x00, 0x00,
                     SECTION(0, 0x01, 'x'));
}

/*
 * Like the spec's decoder, a length is compared with what remains of the
 * module counted from the start of the length itself: exceeding that is
 * "length out of bounds"; running out while reading is "unexpected end".
 */
static void test_measures_lengths_from_their_own_start_like_the_spec(void)
{
    EXPECT_MALFORMED("unexpected end of section or function", SECTION(4, 0x01)); /* 1 table */
    EXPECT_MALFORMED("length out of bounds", SECTION(4, 0x02));
    EXPECT_MALFORMED("unexpected end of section or function", ONE_MEMORY,
                     SECTION(11, 0x01, 0x00, 0x41, 0x03, 0x0b, 0x07, 'a', 'b', 'c', 'd', 'e', 'f'));
    EXPECT_MALFORMED("unexpected end of section or function", SECTION(2, 0x01, 0x02, 'a'));
    /* A section or body whose size passes the module's end by its own encoding's length. */
    EXPECT_MALFORMED("section size mismatch", 0x01, 0x02, 0x00);
    EXPECT_MALFORMED("unexpected end", 0x00, 0x02, 0x00);
    EXPECT_MALFORMED("unexpected end of section or function", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(10, 0x01, 0x02, 0x00));
}

static void test_rejects_repeated_section(void)
{
    EXPECT_MALFORMED("unexpected content after last section", TYPE_VOID_TO_VOID, TYPE_VOID_TO_VOID);
    EXPECT_MALFORMED("unexpected content after last section", SECTION(12, 0x00), SECTION(12, 0x00));
    /* Reported before the function and code counts are compared, as in the spec. */
    EXPECT_MALFORMED("unexpected content after last section", TYPE_VOID_TO_VOID,
                     SECTION(3, 0x02, 0x00, 0x00), ONE_EMPTY_BODY, ONE_EMPTY_BODY);
}

static void test_rejects_sections_out_of_order(void)
{
    EXPECT_MALFORMED("unexpected content after last section", SECTION(2, 0x00), SECTION(1, 0x00));
    EXPECT_MALFORMED("unexpected content after last section", SECTION(10, 0x00),
                     SECTION(12, 0x00)); /* data count after code */
    EXPECT_MALFORMED("unexpected content after last section", SECTION(12, 0x00),
                     SECTION(9, 0x00)); /* element after data count */
    EXPECT_MALFORMED("unexpected content after last section", SECTION(11, 0x00), SECTION(10, 0x00));
}

static void test_accepts_every_section_in_order_with_data_count_before_code(void)
{
    EXPECT_VALID(TYPE_VOID_TO_VOID, SECTION(2, 0x00), ONE_FUNCTION, SECTION(4, 0x00),
                 SECTION(5, 0x00), SECTION(6, 0x00), SECTION(7, 0x00), SECTION(8, 0x00),
                 SECTION(9, 0x00), SECTION(12, 0x00), ONE_EMPTY_BODY, SECTION(11, 0x00));
}

static void test_accepts_custom_sections_anywhere_and_keeps_them_in_order(void)
{
    wge_module m;
    bool ok =
        decode(MODULE(SECTION(0, 0x01, 'a', 1, 2, 3), TYPE_VOID_TO_VOID, SECTION(0, 0x02, 'b', 'c'),
                      ONE_FUNCTION, ONE_EMPTY_BODY, SECTION(0, 0x01, 'a', 9)),
               &m);
    CHECK(ok);
    if (!ok) return;
    CHECK_INT(m.ncustoms, 3);
    CHECK_STR(m.customs[0].name, "a");
    CHECK_INT(m.customs[0].name_len, 1);
    CHECK_INT(m.customs[0].len, 3);
    CHECK(m.customs[0].data == m.bytes + m.customs[0].offset);
    CHECK(m.customs[0].len == 3 && memcmp(m.customs[0].data, "\x01\x02\x03", 3) == 0);
    CHECK_STR(m.customs[1].name, "bc");
    CHECK_INT(m.customs[1].len, 0);
    CHECK_STR(m.customs[2].name, "a");
    CHECK_INT(m.customs[2].len, 1);
    CHECK_INT(m.customs[2].data[0], 9);
    release(&m);
}

static void test_rejects_custom_section_name_that_is_not_utf8(void)
{
    EXPECT_MALFORMED("malformed UTF-8 encoding", SECTION(0, 0x02, 0xc0, 0x80)); /* overlong */
    EXPECT_MALFORMED("malformed UTF-8 encoding", SECTION(0, 0x01, 0xff));
    EXPECT_MALFORMED("malformed UTF-8 encoding",
                     SECTION(0, 0x03, 0xed, 0xa0, 0x80)); /* surrogate */
}

static void test_rejects_custom_section_whose_name_runs_past_it(void)
{
    EXPECT_MALFORMED("unexpected end", 0x00, 0x00);                                /* no name */
    EXPECT_MALFORMED("unexpected end", 0x00, 0x02, 0x05, 'a', 'b', 'c', 'd', 'e'); /* name of 5 */
    EXPECT_MALFORMED("length out of bounds", 0x00, 0x03, 0x10, 'a', 'b');
}

/* ---- Types ------------------------------------------------------------------------ */

static void test_decodes_function_types_and_their_canonical_index(void)
{
    wge_module m;
    bool ok =
        decode(MODULE(SECTION(1, 0x04,                                    /* 4 types */
                              0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7d,         /* (i32 i64)->f32 */
                              0x60, 0x00, 0x00,                           /* []->[] */
                              0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7d,         /* same as 0 */
                              0x60, 0x02, 0x70, 0x6f, 0x02, 0x7f, 0x7c)), /* refs->(i32 f64) */
               &m);
    CHECK(ok);
    if (!ok) return;
    CHECK_INT(m.ntypes, 4);
    CHECK_INT(m.types[0].nparams, 2);
    CHECK_INT(m.types[0].nresults, 1);
    CHECK_INT(wge_functype_param(&m.types[0], 0), WG_I32);
    CHECK_INT(wge_functype_param(&m.types[0], 1), WG_I64);
    CHECK_INT(wge_functype_result(&m.types[0], 0), WG_F32);
    CHECK_INT(m.types[1].nparams, 0);
    CHECK_INT(m.types[1].nresults, 0);
    CHECK_INT(wge_functype_param(&m.types[3], 0), WG_FUNCREF);
    CHECK_INT(wge_functype_param(&m.types[3], 1), WG_EXTERNREF);
    CHECK_INT(wge_functype_result(&m.types[3], 1), WG_F64);
    CHECK_INT(m.types[0].canon, 0);
    CHECK_INT(m.types[1].canon, 1);
    CHECK_INT(m.types[2].canon, 0);
    CHECK_INT(m.types[3].canon, 3);
    CHECK(wge_functype_equal(&m.types[0], &m.types[2]));
    CHECK(!wge_functype_equal(&m.types[0], &m.types[1]));
    CHECK(!wge_functype_equal(&m.types[0], &m.types[3]));
    release(&m);
}

static void test_gives_many_equal_types_the_first_as_canon(void)
{
    /* 100 types alternating [] -> [] and [i32] -> []. */
    uint8_t bytes[8 + 3 + 1 + 100 * 4];
    size_t n = 0;
    const uint8_t header[] = {HEADER};
    memcpy(bytes, header, 8);
    n = 8;
    size_t size_at;
    bytes[n++] = 0x01;
    size_at = n;
    n += 2; /* two-byte size */
    bytes[n++] = 100;
    for (int i = 0; i < 100; i++) {
        bytes[n++] = 0x60;
        if (i % 2) {
            bytes[n++] = 0x01;
            bytes[n++] = 0x7f;
        } else {
            bytes[n++] = 0x00;
        }
        bytes[n++] = 0x00;
    }
    size_t size = n - size_at - 2;
    bytes[size_at] = (uint8_t)(0x80 | (size & 0x7f));
    bytes[size_at + 1] = (uint8_t)(size >> 7);
    wge_module m;
    bool ok = decode(bytes, n, &m);
    CHECK(ok);
    if (!ok) return;
    int wrong = 0;
    for (uint32_t i = 0; i < 100; i++)
        wrong += m.types[i].canon != i % 2;
    CHECK_INT(wrong, 0);
    release(&m);
}

static void test_rejects_function_type_form_other_than_0x60(void)
{
    EXPECT_MALFORMED("malformed function type", SECTION(1, 0x01, 0x61, 0x00, 0x00));
    EXPECT_MALFORMED("integer representation too long", SECTION(1, 0x01, 0xe0, 0x7f, 0x00, 0x00));
}

static void test_rejects_v128_saying_simd_is_not_supported(void)
{
    EXPECT_MALFORMED("SIMD", SECTION(1, 0x01, 0x60, 0x01, 0x7b, 0x00));
}

static void test_rejects_unknown_value_type(void)
{
    EXPECT_MALFORMED("malformed value type 0x40", SECTION(1, 0x01, 0x60, 0x01, 0x40, 0x00));
    EXPECT_MALFORMED("malformed value type", SECTION(1, 0x01, 0x60, 0x00, 0x01, 0x7a));
    EXPECT_MALFORMED("integer representation too long",
                     SECTION(1, 0x01, 0x60, 0x01, 0xff, 0x7f, 0x00));
}

static void test_limits_parameters_and_results_separately(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_function_params = 2;
    wge_module m;
    CHECK(decode_opts(MODULE(SECTION(1, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f)), &o, &m));
    release(&m);
    EXPECT_INVALID_WITH(&o, "too many parameters",
                        SECTION(1, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00));
    EXPECT_INVALID_WITH(&o, "too many results",
                        SECTION(1, 0x01, 0x60, 0x00, 0x03, 0x7f, 0x7f, 0x7f));
    EXPECT_INVALID_WITH(&o, "max_function_params",
                        SECTION(1, 0x01, 0x60, 0x00, 0x03, 0x7f, 0x7f, 0x7f));
}

static void test_limits_number_of_types(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_types = 1;
    EXPECT_INVALID_WITH(&o, "too many types", SECTION(1, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00));
}

/* ---- Imports ------------------------------------------------------------------------- */

static void test_decodes_imports_of_every_kind_into_the_index_spaces(void)
{
    wge_module m;
    bool ok = decode(MODULE(TYPE_VOID_TO_VOID,
                            SECTION(2, 0x05,                                          /* imports */
                                    0x03, 'e', 'n', 'v', 0x01, 'f', 0x00, 0x00,       /* func */
                                    0x03, 'e', 'n', 'v', 0x01, 't', 0x01, 0x6f, 0x01, /* table */
                                    0x01, 0x02,                                       /* 1..2 */
                                    0x03, 'e', 'n', 'v', 0x01, 'm', 0x02, 0x00, 0x01, /* memory */
                                    0x03, 'e', 'n', 'v', 0x01, 'g', 0x03, 0x7f, 0x00, /* global */
                                    0x00, 0x00, 0x03, 0x7e, 0x01)), /* "".""; mutable i64 */
                     &m);
    CHECK(ok);
    if (!ok) return;
    CHECK_INT(m.nimports, 5);
    CHECK_STR(m.imports[0].module, "env");
    CHECK_INT(m.imports[0].module_len, 3);
    CHECK_STR(m.imports[0].name, "f");
    CHECK_INT(m.imports[0].kind, WG_EXTERN_FUNC);
    CHECK_INT(m.imports[0].desc.type_index, 0);
    CHECK_INT(m.imports[1].kind, WG_EXTERN_TABLE);
    CHECK_INT(m.imports[1].desc.table.elem_type, WG_EXTERNREF);
    CHECK_INT(m.imports[1].desc.table.limits.min, 1);
    CHECK_INT(m.imports[1].desc.table.limits.max, 2);
    CHECK(m.imports[1].desc.table.limits.has_max);
    CHECK_INT(m.imports[2].kind, WG_EXTERN_MEMORY);
    CHECK_INT(m.imports[2].desc.memory.min, 1);
    CHECK(!m.imports[2].desc.memory.has_max);
    CHECK_INT(m.imports[3].desc.global.type, WG_I32);
    CHECK(!m.imports[3].desc.global.mutable_);
    CHECK_STR(m.imports[4].module, "");
    CHECK_INT(m.imports[4].name_len, 0);
    CHECK(m.imports[4].desc.global.mutable_);

    CHECK_INT(m.nfuncs, 1);
    CHECK_INT(m.nfuncs_imported, 1);
    CHECK_INT(m.func_type[0], 0);
    CHECK(m.funcs == NULL);
    CHECK_INT(m.ntables, 1);
    CHECK_INT(m.ntables_imported, 1);
    CHECK_INT(m.tables[0].elem_type, WG_EXTERNREF);
    CHECK_INT(m.nmemories, 1);
    CHECK_INT(m.nmemories_imported, 1);
    CHECK_INT(m.memories[0].min, 1);
    CHECK_INT(m.nglobals, 2);
    CHECK_INT(m.nglobals_imported, 2);
    CHECK_INT(m.global_types[1].type, WG_I64);
    CHECK(m.global_types[1].mutable_);
    release(&m);
}

static void test_keeps_import_names_with_nul_bytes_whole(void)
{
    wge_module m;
    /* module "a\0", name "\xc3\xa9" (e with acute accent) */
    bool ok =
        decode(MODULE(SECTION(2, 0x01, 0x02, 'a', 0x00, 0x02, 0xc3, 0xa9, 0x03, 0x7f, 0x00)), &m);
    CHECK(ok);
    if (!ok) return;
    CHECK_INT(m.imports[0].module_len, 2);
    CHECK(memcmp(m.imports[0].module, "a\0", 3) == 0);
    CHECK_INT(m.imports[0].name_len, 2);
    CHECK_STR(m.imports[0].name, "\xc3\xa9");
    release(&m);
}

static void test_rejects_unknown_import_kind(void)
{
    EXPECT_MALFORMED("malformed import kind", SECTION(2, 0x01, 0x00, 0x00, 0x04));
    EXPECT_MALFORMED("malformed import kind", SECTION(2, 0x01, 0x00, 0x00, 0x80, 0x00));
}

static void test_rejects_function_import_of_unknown_type(void)
{
    EXPECT_INVALID("unknown type 1", TYPE_VOID_TO_VOID, SECTION(2, 0x01, 0x00, 0x00, 0x00, 0x01));
    EXPECT_INVALID("unknown type 0", SECTION(2, 0x01, 0x00, 0x00, 0x00, 0x00));
}

static void test_rejects_table_import_with_non_reference_type(void)
{
    EXPECT_MALFORMED("malformed reference type",
                     SECTION(2, 0x01, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00));
}

static void test_rejects_global_import_with_bad_mutability(void)
{
    EXPECT_MALFORMED("malformed mutability", SECTION(2, 0x01, 0x00, 0x00, 0x03, 0x7f, 0x02));
    EXPECT_MALFORMED("malformed mutability", SECTION(2, 0x01, 0x00, 0x00, 0x03, 0x7f, 0xff));
}

static void test_rejects_import_name_that_is_not_utf8(void)
{
    EXPECT_MALFORMED("malformed UTF-8 encoding",
                     SECTION(2, 0x01, 0x01, 0x80, 0x00, 0x03, 0x7f, 0x00));
    EXPECT_MALFORMED("malformed UTF-8 encoding",
                     SECTION(2, 0x01, 0x00, 0x02, 0xf5, 0x80, 0x03, 0x7f, 0x00));
}

static void test_rejects_import_name_longer_than_input(void)
{
    EXPECT_MALFORMED("length out of bounds", SECTION(2, 0x01, 0x40, 'a', 'b'));
}

static void test_rejects_limits_flags_other_than_0_and_1(void)
{
    EXPECT_MALFORMED("integer too large", SECTION(5, 0x01, 0x02, 0x00));
    EXPECT_MALFORMED("integer too large", SECTION(5, 0x01, 0x10, 0x00, 0x00));
    EXPECT_MALFORMED("integer representation too long", SECTION(5, 0x01, 0x81, 0x00, 0x00, 0x00));
    EXPECT_MALFORMED("integer too large", SECTION(4, 0x01, 0x70, 0x02, 0x00));
    EXPECT_MALFORMED("integer representation too long",
                     SECTION(4, 0x01, 0x70, 0x81, 0x00, 0x00, 0x00));
}

static void test_rejects_memory_larger_than_65536_pages(void)
{
    EXPECT_INVALID("memory size must be at most 65536 pages (4GiB)",
                   SECTION(5, 0x01, 0x00, 0x81, 0x80, 0x04)); /* min 65537 */
    EXPECT_INVALID("memory size must be at most 65536 pages (4GiB)",
                   SECTION(5, 0x01, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f));
    EXPECT_INVALID("memory size must be at most 65536 pages (4GiB)",
                   SECTION(2, 0x01, 0x00, 0x00, 0x02, 0x00, 0x81, 0x80, 0x04));
    EXPECT_VALID(SECTION(5, 0x01, 0x01, 0x80, 0x80, 0x04, 0x80, 0x80, 0x04)); /* 65536..65536 */
}

static void test_rejects_limits_with_minimum_above_maximum(void)
{
    EXPECT_INVALID("size minimum must not be greater than maximum",
                   SECTION(5, 0x01, 0x01, 0x02, 0x01));
    EXPECT_INVALID("size minimum must not be greater than maximum",
                   SECTION(4, 0x01, 0x70, 0x01, 0x02, 0x01));
    EXPECT_INVALID(
        "size minimum must not be greater than maximum",
        SECTION(2, 0x01, 0x00, 0x00, 0x01, 0x6f, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00));
    EXPECT_VALID(
        SECTION(4, 0x01, 0x70, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0xff, 0x0f));
}

static void test_rejects_more_than_one_memory(void)
{
    EXPECT_INVALID("multiple memories", SECTION(5, 0x02, 0x00, 0x00, 0x00, 0x00));
    EXPECT_INVALID("multiple memories", SECTION(2, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00), ONE_MEMORY);
    EXPECT_INVALID("multiple memories",
                   SECTION(2, 0x02, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00));
}

static void test_accepts_many_tables(void)
{
    wge_module m;
    bool ok = decode(MODULE(SECTION(2, 0x01, 0x00, 0x00, 0x01, 0x70, 0x00, 0x00),
                            SECTION(4, 0x02, 0x6f, 0x00, 0x03, 0x70, 0x01, 0x00, 0x05)),
                     &m);
    CHECK(ok);
    if (!ok) return;
    CHECK_INT(m.ntables, 3);
    CHECK_INT(m.ntables_imported, 1);
    CHECK_INT(m.tables[0].elem_type, WG_FUNCREF);
    CHECK_INT(m.tables[1].elem_type, WG_EXTERNREF);
    CHECK_INT(m.tables[1].limits.min, 3);
    CHECK_INT(m.tables[2].limits.max, 5);
    CHECK(m.tables[2].limits.has_max);
    release(&m);
}

static void test_limits_imports_and_counts_imported_functions_tables_and_globals(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_imports = 1;
    EXPECT_INVALID_WITH(
        &o, "max_imports",
        SECTION(2, 0x02, 0x00, 0x00, 0x03, 0x7f, 0x00, 0x00, 0x00, 0x03, 0x7f, 0x00));
    wg_load_options_init(&o);
    o.max_functions = 1;
    EXPECT_INVALID_WITH(&o, "max_functions", TYPE_VOID_TO_VOID,
                        SECTION(2, 0x01, 0x00, 0x00, 0x00, 0x00), ONE_FUNCTION, ONE_EMPTY_BODY);
    wg_load_options_init(&o);
    o.max_tables = 1;
    EXPECT_INVALID_WITH(&o, "max_tables", SECTION(2, 0x01, 0x00, 0x00, 0x01, 0x70, 0x00, 0x00),
                        FUNCREF_TABLE);
    wg_load_options_init(&o);
    o.max_globals = 1;
    EXPECT_INVALID_WITH(&o, "max_globals", SECTION(2, 0x01, 0x00, 0x00, 0x03, 0x7f, 0x00),
                        SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x0b));
}

static void test_limits_apply_within_the_import_section(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_functions = 1;
    EXPECT_INVALID_WITH(&o, "too many functions: 2 exceeds the limit of 1 (max_functions)",
                        TYPE_VOID_TO_VOID,
                        SECTION(2, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00));
    wg_load_options_init(&o);
    o.max_tables = 1;
    EXPECT_INVALID_WITH(
        &o, "too many tables: 2 exceeds the limit of 1 (max_tables)",
        SECTION(2, 0x02, 0x00, 0x00, 0x01, 0x70, 0x00, 0x00, 0x00, 0x00, 0x01, 0x70, 0x00, 0x00));
    wg_load_options_init(&o);
    o.max_globals = 1;
    EXPECT_INVALID_WITH(
        &o, "too many globals: 2 exceeds the limit of 1 (max_globals)",
        SECTION(2, 0x02, 0x00, 0x00, 0x03, 0x7f, 0x00, 0x00, 0x00, 0x03, 0x7f, 0x00));
}

/* ---- Functions and code ------------------------------------------------------------ */

static void test_decodes_function_types_locals_and_body_extents(void)
{
    wge_module m;
    bool ok = decode(MODULE(SECTION(1, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x00),
                            SECTION(2, 0x01, 0x00, 0x00, 0x00, 0x01), /* import of type 1 */
                            SECTION(3, 0x02, 0x00, 0x01),
                            SECTION(10, 0x02,                                 /* 2 bodies */
                                    0x06, 0x02, 0x03, 0x7f, 0x01, 0x7c, 0x0b, /* 3 i32, 1 f64 */
                                    0x04, 0x01, 0x00, 0x6f, 0x0b)),           /* 0 externref */
                     &m);
    CHECK(ok);
    if (!ok) return;
    CHECK_INT(m.nfuncs, 3);
    CHECK_INT(m.nfuncs_imported, 1);
    CHECK_INT(m.func_type[0], 1);
    CHECK_INT(m.func_type[1], 0);
    CHECK_INT(m.func_type[2], 1);
    CHECK_INT(wge_module_func_type(&m, 2)->nparams, 1);
    CHECK_INT(m.funcs[0].type_index, 0);
    CHECK_INT(m.funcs[1].type_index, 1);

    const wge_func *f = &m.funcs[0];
    CHECK_INT(f->nlocals, 4);
    CHECK_INT(f->nlocalruns, 2);
    CHECK_INT(f->localruns[0].count, 3);
    CHECK_INT(f->localruns[0].type, WG_I32);
    CHECK_INT(f->localruns[1].count, 1);
    CHECK_INT(f->localruns[1].type, WG_F64);
    CHECK_INT(m.bytes[f->body_offset - 1], 0x06); /* the size field precedes the body */
    CHECK_INT(f->expr_offset - f->body_offset, 5);
    CHECK_INT(f->expr_end - f->body_offset, 6);
    CHECK_INT(m.bytes[f->expr_end - 1], 0x0b);
    CHECK(f->code == NULL);

    f = &m.funcs[1];
    CHECK_INT(f->nlocals, 0);
    CHECK_INT(f->nlocalruns, 1);
    CHECK_INT(f->localruns[0].type, WG_EXTERNREF);
    CHECK_INT(f->expr_end - f->expr_offset, 1);
    CHECK_INT(f->body_offset, m.funcs[0].expr_end + 1);

    CHECK_INT(m.bytes[m.code_section_offset - 2], 10); /* id, one-byte size, then payload */
    CHECK_INT(m.bytes[m.code_section_offset - 1], m.code_section_size);
    CHECK_INT(m.code_section_size, 13);
    CHECK_INT(m.code_section_offset + m.code_section_size, m.len);
    release(&m);
}

static void test_rejects_function_of_unknown_type(void)
{
    EXPECT_INVALID("unknown type 1", TYPE_VOID_TO_VOID, SECTION(3, 0x01, 0x01), ONE_EMPTY_BODY);
    EXPECT_INVALID("unknown type 0", SECTION(3, 0x01, 0x00), ONE_EMPTY_BODY);
}

static void test_rejects_function_count_larger_than_input(void)
{
    clock_t start = clock();
    EXPECT_MALFORMED("length out of bounds", TYPE_VOID_TO_VOID,
                     SECTION(3, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00));
    CHECK((clock() - start) / CLOCKS_PER_SEC < 1);
}

static void test_limits_number_of_functions(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_functions = 2;
    EXPECT_INVALID_WITH(&o, "too many functions: 3 exceeds the limit of 2 (max_functions)",
                        TYPE_VOID_TO_VOID, SECTION(3, 0x03, 0x00, 0x00, 0x00));
}

static void test_rejects_function_and_code_counts_that_differ(void)
{
    EXPECT_MALFORMED("function and code section have inconsistent lengths", TYPE_VOID_TO_VOID,
                     SECTION(3, 0x02, 0x00, 0x00), ONE_EMPTY_BODY);
    EXPECT_MALFORMED("function and code section have inconsistent lengths", TYPE_VOID_TO_VOID,
                     ONE_FUNCTION, SECTION(10, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b));
    /* One of the two sections absent. */
    EXPECT_MALFORMED("function and code section have inconsistent lengths", TYPE_VOID_TO_VOID,
                     ONE_FUNCTION);
    EXPECT_MALFORMED("function and code section have inconsistent lengths", ONE_EMPTY_BODY);
    /* Both empty, or one empty and the other absent, is consistent. */
    EXPECT_VALID(SECTION(3, 0x00));
    EXPECT_VALID(SECTION(10, 0x00));
    EXPECT_VALID(SECTION(3, 0x00), SECTION(10, 0x00));
}

static void test_rejects_more_than_u32_locals_as_too_many_locals(void)
{
    /* 0xffffffff i32 + 2 i64 */
    EXPECT_MALFORMED(
        "too many locals", TYPE_VOID_TO_VOID, ONE_FUNCTION,
        SECTION(10, 0x01, 0x0a, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x02, 0x7e, 0x0b));
    /* 4 x 0x40000000 */
    EXPECT_MALFORMED("too many locals", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(10, 0x01, 0x1a, 0x04, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7f, 0x80, 0x80,
                             0x80, 0x80, 0x04, 0x7e, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7d, 0x80, 0x80,
                             0x80, 0x80, 0x04, 0x7c, 0x0b));
}

static void test_rejects_locals_above_max_function_locals(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_function_locals = 3;
    expect_error("malformed: ", "too many locals: 4 exceeds the limit of 3 (max_function_locals)",
                 MODULE(TYPE_VOID_TO_VOID, ONE_FUNCTION,
                        SECTION(10, 0x01, 0x06, 0x02, 0x02, 0x7f, 0x02, 0x7e, 0x0b)),
                 &o, __FILE__, __LINE__);
    wge_module m;
    CHECK(decode_opts(MODULE(TYPE_VOID_TO_VOID, ONE_FUNCTION,
                             SECTION(10, 0x01, 0x06, 0x02, 0x02, 0x7f, 0x01, 0x7e, 0x0b)),
                      &o, &m));
    release(&m);
}

static void test_rejects_local_of_unknown_type(void)
{
    EXPECT_MALFORMED("malformed value type", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(10, 0x01, 0x04, 0x01, 0x01, 0x40, 0x0b));
    EXPECT_MALFORMED("SIMD", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(10, 0x01, 0x04, 0x01, 0x01, 0x7b, 0x0b));
}

static void test_rejects_local_declarations_running_past_the_body(void)
{
    EXPECT_MALFORMED("section size mismatch", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(10, 0x01, 0x02, 0x01, 0x01, 0x7f, 0x0b));
}

static void test_rejects_body_larger_than_max_function_bytes(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_function_bytes = 3;
    EXPECT_INVALID_WITH(&o, "max_function_bytes", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                        SECTION(10, 0x01, 0x04, 0x00, 0x01, 0x01, 0x0b));
}

static void test_rejects_body_size_past_end_of_input(void)
{
    EXPECT_MALFORMED("length out of bounds", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(10, 0x01, 0x7f, 0x00, 0x0b));
}

/* ---- Globals and constant expressions ------------------------------------------------ */

static void test_decodes_every_kind_of_constant_expression(void)
{
    wge_module m;
    bool ok = decode(
        MODULE(TYPE_VOID_TO_VOID, SECTION(2, 0x01, 0x00, 0x00, 0x03, 0x7e, 0x00), /* i64 import */
               ONE_FUNCTION,
               SECTION(6, 0x08,                                              /* 8 globals */
                       0x7f, 0x00, 0x41, 0x7f, 0x0b,                         /* i32 -1 */
                       0x7f, 0x01, 0x41, 0x80, 0x80, 0x80, 0x80, 0x78, 0x0b, /* i32 min */
                       0x7e, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f,
                       0x0b,                                           /* i64 min */
                       0x7d, 0x00, 0x43, 0x01, 0x00, 0xc0, 0x7f, 0x0b, /* f32 NaN payload */
                       0x7c, 0x00, 0x44, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0b, 0x6f,
                       0x00, 0xd0, 0x6f, 0x0b,        /* ref.null extern */
                       0x70, 0x00, 0xd2, 0x00, 0x0b,  /* ref.func 0 */
                       0x7e, 0x01, 0x23, 0x00, 0x0b), /* global.get 0, mutable */
               ONE_EMPTY_BODY),
        &m);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "    message: %s\n", g_err);
        return;
    }
    CHECK_INT(m.nglobals, 9);
    CHECK_INT(m.nglobals_imported, 1);
    const wge_global *g = m.globals;
    CHECK_INT(g[0].type.type, WG_I32);
    CHECK(!g[0].type.mutable_);
    CHECK_INT(g[0].init.kind, WGE_INIT_CONST);
    CHECK_INT(g[0].init.type, WG_I32);
    CHECK_INT(g[0].init.value.i32, -1);
    CHECK(g[1].type.mutable_);
    CHECK_INT(g[1].init.value.i32, INT32_MIN);
    CHECK_INT(g[2].init.type, WG_I64);
    CHECK(g[2].init.value.i64 == INT64_MIN);
    CHECK_INT(g[3].init.type, WG_F32);
    CHECK_INT(g[3].init.value.u32, 0x7fc00001u);
    CHECK_INT(g[4].init.type, WG_F64);
    CHECK(g[4].init.value.u64 == 0x0807060504030201ull);
    CHECK_INT(g[5].init.kind, WGE_INIT_REF_NULL);
    CHECK_INT(g[5].init.type, WG_EXTERNREF);
    CHECK_INT(g[6].init.kind, WGE_INIT_REF_FUNC);
    CHECK_INT(g[6].init.index, 0);
    CHECK_INT(g[6].init.type, WG_FUNCREF);
    CHECK_INT(g[7].init.kind, WGE_INIT_GLOBAL_GET);
    CHECK_INT(g[7].init.index, 0);
    CHECK_INT(g[7].init.type, WG_I64);
    CHECK_INT(m.global_types[0].type, WG_I64);
    CHECK_INT(m.global_types[8].type, WG_I64);
    CHECK(m.global_types[8].mutable_);
    CHECK(wge_func_is_declared(&m, 0)); /* by ref.func in an initialiser */
    release(&m);
}

static void test_accepts_overlong_but_allowed_leb128(void)
{
    wge_module m;
    /* i32.const 0 as 0x80 0x00; i32.const -1 in five bytes; type index 0 in two bytes */
    bool ok = decode(MODULE(TYPE_VOID_TO_VOID, SECTION(3, 0x01, 0x80, 0x00),
                            SECTION(6, 0x02, 0x7f, 0x00, 0x41, 0x80, 0x00, 0x0b, 0x7f, 0x00, 0x41,
                                    0xff, 0xff, 0xff, 0xff, 0x7f, 0x0b),
                            0x0a, 0x84, 0x80, 0x80, 0x80, 0x00, 0x01, 0x02, 0x00, 0x0b),
                     &m);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "    message: %s\n", g_err);
        return;
    }
    CHECK_INT(m.globals[0].init.value.i32, 0);
    CHECK_INT(m.globals[1].init.value.i32, -1);
    CHECK_INT(m.func_type[0], 0);
    release(&m);
}

static void test_rejects_leb128_longer_than_its_type_allows(void)
{
    EXPECT_MALFORMED("integer representation too long", TYPE_VOID_TO_VOID,
                     SECTION(3, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00));
    EXPECT_MALFORMED("integer representation too long",
                     SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b));
    EXPECT_MALFORMED("integer representation too long",
                     SECTION(6, 0x01, 0x7e, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                             0x80, 0x80, 0x80, 0x00, 0x0b));
    /* a section size in six bytes */
    EXPECT_MALFORMED("integer representation too long", 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
}

static void test_rejects_leb128_with_unused_bits_set(void)
{
    EXPECT_MALFORMED("integer too large", TYPE_VOID_TO_VOID,
                     SECTION(3, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10));
    EXPECT_MALFORMED("integer too large",
                     SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x70, 0x0b));
    EXPECT_MALFORMED("integer too large",
                     SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b));
    EXPECT_MALFORMED("integer too large", SECTION(6, 0x01, 0x7e, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80,
                                                  0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0x0b));
}

static void test_rejects_constant_of_the_wrong_type(void)
{
    EXPECT_INVALID("type mismatch", SECTION(6, 0x01, 0x7f, 0x00, 0x42, 0x00, 0x0b));
    EXPECT_INVALID("type mismatch", SECTION(6, 0x01, 0x7d, 0x00, 0x41, 0x00, 0x0b));
    EXPECT_INVALID("type mismatch", SECTION(6, 0x01, 0x70, 0x00, 0xd0, 0x6f, 0x0b));
    EXPECT_INVALID("type mismatch", SECTION(6, 0x01, 0x6f, 0x00, 0xd0, 0x70, 0x0b));
    EXPECT_INVALID("type mismatch", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                   SECTION(6, 0x01, 0x6f, 0x00, 0xd2, 0x00, 0x0b), ONE_EMPTY_BODY);
    EXPECT_INVALID("type mismatch", SECTION(2, 0x01, 0x00, 0x00, 0x03, 0x7e, 0x00),
                   SECTION(6, 0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b));
}

static void test_rejects_constant_expression_without_exactly_one_value(void)
{
    EXPECT_INVALID("type mismatch", SECTION(6, 0x01, 0x7f, 0x00, 0x0b));
    EXPECT_INVALID("type mismatch", SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x41, 0x01, 0x0b));
}

static void test_rejects_non_constant_instruction_in_constant_expression(void)
{
    EXPECT_INVALID("constant expression required",
                   SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b)); /* i32.add */
    EXPECT_INVALID("constant expression required", SECTION(6, 0x01, 0x7f, 0x00, 0x01, 0x0b));
    EXPECT_INVALID("constant expression required",
                   SECTION(6, 0x01, 0x7f, 0x00, 0x20, 0x00, 0x0b)); /* local.get */
    EXPECT_INVALID("constant expression required",
                   SECTION(6, 0x01, 0x7f, 0x00, 0xfc, 0x00, 0x0b)); /* i32.trunc_sat_f32_s */
}

static void test_rejects_illegal_opcode_in_constant_expression(void)
{
    EXPECT_MALFORMED("illegal opcode", SECTION(6, 0x01, 0x7f, 0x00, 0x06, 0x0b));
    EXPECT_MALFORMED("illegal opcode", SECTION(6, 0x01, 0x7f, 0x00, 0xf3, 0x0b));
    EXPECT_MALFORMED("illegal opcode", SECTION(6, 0x01, 0x7f, 0x00, 0xfc, 0x40, 0x0b));
    EXPECT_MALFORMED("illegal opcode 0xfd (SIMD is not supported)",
                     SECTION(6, 0x01, 0x7f, 0x00, 0xfd, 0x0c, 0x0b));
    /* `else` ends an instruction sequence in the spec's decoder, which then wants `end`. */
    EXPECT_MALFORMED("END opcode expected", SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x05, 0x0b));
}

static void test_rejects_constant_expression_without_end(void)
{
    /* At the end of the module. */
    EXPECT_MALFORMED("unexpected end", SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x00));
    /* Followed by another section: its id is read as the next opcode, as the spec's decoder does.
     */
    EXPECT_MALFORMED("illegal opcode", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x00), ONE_EMPTY_BODY);
    /* Followed by a byte that is `end`: the expression then overruns its section. */
    EXPECT_MALFORMED("section size mismatch", SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x00),
                     SECTION(11, 0x00));
}

static void test_rejects_global_get_of_a_global_that_is_not_imported(void)
{
    EXPECT_INVALID("unknown global 0",
                   SECTION(6, 0x02, 0x7f, 0x00, 0x41, 0x00, 0x0b, 0x7f, 0x00, 0x23, 0x00, 0x0b));
    EXPECT_INVALID("unknown global 1", SECTION(2, 0x01, 0x00, 0x00, 0x03, 0x7f, 0x00),
                   SECTION(6, 0x02, 0x7f, 0x00, 0x41, 0x00, 0x0b, 0x7f, 0x00, 0x23, 0x01, 0x0b));
    EXPECT_INVALID("unknown global 5", SECTION(6, 0x01, 0x7f, 0x00, 0x23, 0x05, 0x0b));
}

static void test_rejects_global_get_of_a_mutable_global(void)
{
    EXPECT_INVALID("constant expression required", SECTION(2, 0x01, 0x00, 0x00, 0x03, 0x7f, 0x01),
                   SECTION(6, 0x01, 0x7f, 0x00, 0x23, 0x00, 0x0b));
}

static void test_rejects_ref_func_of_unknown_function(void)
{
    EXPECT_INVALID("unknown function 1", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                   SECTION(6, 0x01, 0x70, 0x00, 0xd2, 0x01, 0x0b), ONE_EMPTY_BODY);
}

static void test_rejects_ref_null_of_non_reference_type(void)
{
    EXPECT_MALFORMED("malformed reference type", SECTION(6, 0x01, 0x70, 0x00, 0xd0, 0x7f, 0x0b));
}

static void test_rejects_global_of_unknown_value_type_or_mutability(void)
{
    EXPECT_MALFORMED("malformed value type", SECTION(6, 0x01, 0x40, 0x00, 0x41, 0x00, 0x0b));
    EXPECT_MALFORMED("malformed mutability", SECTION(6, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b));
}

/* ---- Exports and start ------------------------------------------------------------------ */

static void test_decodes_exports_of_every_kind(void)
{
    wge_module m;
    bool ok = decode(MODULE(TYPE_VOID_TO_VOID, SECTION(3, 0x02, 0x00, 0x00), FUNCREF_TABLE,
                            ONE_MEMORY, SECTION(6, 0x01, 0x7f, 0x00, 0x41, 0x00, 0x0b),
                            SECTION(7, 0x04, 0x01, 'f', 0x00, 0x01, 0x01, 't', 0x01, 0x00, 0x03,
                                    'm', 'e', 'm', 0x02, 0x00, 0x00, 0x03, 0x00),
                            SECTION(10, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b)),
                     &m);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "    message: %s\n", g_err);
        return;
    }
    CHECK_INT(m.nexports, 4);
    CHECK_STR(m.exports[0].name, "f");
    CHECK_INT(m.exports[0].kind, WG_EXTERN_FUNC);
    CHECK_INT(m.exports[0].index, 1);
    CHECK_INT(m.exports[1].kind, WG_EXTERN_TABLE);
    CHECK_STR(m.exports[2].name, "mem");
    CHECK_INT(m.exports[2].name_len, 3);
    CHECK_INT(m.exports[2].kind, WG_EXTERN_MEMORY);
    CHECK_INT(m.exports[3].name_len, 0);
    CHECK_INT(m.exports[3].kind, WG_EXTERN_GLOBAL);
    CHECK(wge_func_is_declared(&m, 1));
    CHECK(!wge_func_is_declared(&m, 0));
    release(&m);
}

static void test_rejects_export_of_unknown_index(void)
{
    EXPECT_INVALID("unknown function 1", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                   SECTION(7, 0x01, 0x01, 'f', 0x00, 0x01), ONE_EMPTY_BODY);
    EXPECT_INVALID("unknown table 0", SECTION(7, 0x01, 0x01, 't', 0x01, 0x00));
    EXPECT_INVALID("unknown memory 1", ONE_MEMORY, SECTION(7, 0x01, 0x01, 'm', 0x02, 0x01));
    EXPECT_INVALID("unknown global 0", SECTION(7, 0x01, 0x01, 'g', 0x03, 0x00));
}

static void test_rejects_duplicate_export_names(void)
{
    EXPECT_INVALID("duplicate export name", ONE_MEMORY,
                   SECTION(7, 0x02, 0x01, 'a', 0x02, 0x00, 0x01, 'a', 0x02, 0x00));
    /* Same name, different kinds; names differing only in length are distinct. */
    EXPECT_INVALID("duplicate export name", TYPE_VOID_TO_VOID, ONE_FUNCTION, ONE_MEMORY,
                   SECTION(7, 0x03, 0x02, 'a', 'b', 0x00, 0x00, 0x01, 'a', 0x02, 0x00, 0x02, 'a',
                           'b', 0x02, 0x00),
                   ONE_EMPTY_BODY);
    EXPECT_VALID(ONE_MEMORY, SECTION(7, 0x03, 0x01, 'a', 0x02, 0x00, 0x02, 'a', 'a', 0x02, 0x00,
                                     0x00, 0x02, 0x00));
}

static void test_names_the_later_duplicate_and_the_earlier_export(void)
{
    wge_module m;
    CHECK(!decode(MODULE(ONE_MEMORY, SECTION(7, 0x04, 0x01, 'z', 0x02, 0x00, 0x01, 'x', 0x02, 0x00,
                                             0x01, 'y', 0x02, 0x00, 0x01, 'x', 0x02, 0x00)),
                  &m));
    CHECK_CONTAINS(g_err, "invalid: section 7 (export), export 3 \"x\", offset 0x");
    CHECK_CONTAINS(g_err, "duplicate export name (also export 1)");
}

static void test_rejects_unknown_export_kind(void)
{
    EXPECT_MALFORMED("malformed export kind", SECTION(7, 0x01, 0x01, 'a', 0x04, 0x00));
}

static void test_decodes_start_function(void)
{
    wge_module m;
    bool ok = decode(MODULE(TYPE_VOID_TO_VOID, ONE_FUNCTION, SECTION(8, 0x00), ONE_EMPTY_BODY), &m);
    CHECK(ok);
    if (!ok) return;
    CHECK(m.has_start);
    CHECK_INT(m.start, 0);
    CHECK(!wge_func_is_declared(&m, 0)); /* the start function is not a reference */
    release(&m);
}

static void test_rejects_start_function_that_is_unknown_or_has_params_or_results(void)
{
    EXPECT_INVALID("unknown function 1", TYPE_VOID_TO_VOID, ONE_FUNCTION, SECTION(8, 0x01),
                   ONE_EMPTY_BODY);
    EXPECT_INVALID("start function", SECTION(1, 0x01, 0x60, 0x01, 0x7f, 0x00), ONE_FUNCTION,
                   SECTION(8, 0x00), ONE_EMPTY_BODY);
    EXPECT_INVALID("start function", SECTION(1, 0x01, 0x60, 0x00, 0x01, 0x7f), ONE_FUNCTION,
                   SECTION(8, 0x00), ONE_EMPTY_BODY);
}

/* ---- Element segments ------------------------------------------------------------------ */

/* Three functions (0: import), a funcref table 0, an externref table 1, an imported funcref global
 * 0. */
#define ELEM_PRELUDE                                                                      \
    TYPE_VOID_TO_VOID,                                                                    \
        SECTION(2, 0x02, 0x00, 0x01, 'f', 0x00, 0x00, 0x00, 0x01, 'g', 0x03, 0x70, 0x00), \
        SECTION(3, 0x02, 0x00, 0x00), SECTION(4, 0x02, 0x70, 0x00, 0x04, 0x6f, 0x00, 0x04)
#define ELEM_BODIES SECTION(10, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b)

static void test_decodes_all_eight_element_segment_encodings(void)
{
    wge_module m;
    bool ok =
        decode(MODULE(ELEM_PRELUDE,
                      SECTION(9, 0x08,
                              /* 0: active table 0, offset 1, funcs [1] */
                              0x00, 0x41, 0x01, 0x0b, 0x01, 0x01,
                              /* 1: passive, elemkind, funcs [2, 0] */
                              0x01, 0x00, 0x02, 0x02, 0x00,
                              /* 2: active table 0 explicitly, offset 2, elemkind, [] */
                              0x02, 0x00, 0x41, 0x02, 0x0b, 0x00, 0x00,
                              /* 3: declarative, elemkind, funcs [2] */
                              0x03, 0x00, 0x01, 0x02,
                              /* 4: active table 0, offset 3, [ref.func 1, ref.null] */
                              0x04, 0x41, 0x03, 0x0b, 0x02, 0xd2, 0x01, 0x0b, 0xd0, 0x70, 0x0b,
                              /* 5: passive externref, [ref.null extern] */
                              0x05, 0x6f, 0x01, 0xd0, 0x6f, 0x0b,
                              /* 6: active table 1, offset 0, externref, [ref.null] */
                              0x06, 0x01, 0x41, 0x00, 0x0b, 0x6f, 0x01, 0xd0, 0x6f, 0x0b,
                              /* 7: declarative funcref, [global.get 0] */
                              0x07, 0x70, 0x01, 0x23, 0x00, 0x0b),
                      ELEM_BODIES),
               &m);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "    message: %s\n", g_err);
        return;
    }
    CHECK_INT(m.nelems, 8);
    const wge_elem *e = m.elems;

    CHECK_INT(e[0].mode, WGE_SEG_ACTIVE);
    CHECK_INT(e[0].table_index, 0);
    CHECK_INT(e[0].elem_type, WG_FUNCREF);
    CHECK_INT(e[0].offset.kind, WGE_INIT_CONST);
    CHECK_INT(e[0].offset.value.i32, 1);
    CHECK_INT(e[0].count, 1);
    CHECK_INT(e[0].items[0].kind, WGE_INIT_REF_FUNC);
    CHECK_INT(e[0].items[0].type, WG_FUNCREF);
    CHECK_INT(e[0].items[0].index, 1);

    CHECK_INT(e[1].mode, WGE_SEG_PASSIVE);
    CHECK_INT(e[1].elem_type, WG_FUNCREF);
    CHECK_INT(e[1].count, 2);
    CHECK_INT(e[1].items[0].index, 2);
    CHECK_INT(e[1].items[1].index, 0);

    CHECK_INT(e[2].mode, WGE_SEG_ACTIVE);
    CHECK_INT(e[2].offset.value.i32, 2);
    CHECK_INT(e[2].count, 0);

    CHECK_INT(e[3].mode, WGE_SEG_DECLARATIVE);
    CHECK_INT(e[3].items[0].index, 2);

    CHECK_INT(e[4].mode, WGE_SEG_ACTIVE);
    CHECK_INT(e[4].table_index, 0);
    CHECK_INT(e[4].elem_type, WG_FUNCREF);
    CHECK_INT(e[4].offset.value.i32, 3);
    CHECK_INT(e[4].count, 2);
    CHECK_INT(e[4].items[0].kind, WGE_INIT_REF_FUNC);
    CHECK_INT(e[4].items[0].index, 1);
    CHECK_INT(e[4].items[1].kind, WGE_INIT_REF_NULL);
    CHECK_INT(e[4].items[1].type, WG_FUNCREF);

    CHECK_INT(e[5].mode, WGE_SEG_PASSIVE);
    CHECK_INT(e[5].elem_type, WG_EXTERNREF);
    CHECK_INT(e[5].items[0].kind, WGE_INIT_REF_NULL);
    CHECK_INT(e[5].items[0].type, WG_EXTERNREF);

    CHECK_INT(e[6].mode, WGE_SEG_ACTIVE);
    CHECK_INT(e[6].table_index, 1);
    CHECK_INT(e[6].elem_type, WG_EXTERNREF);

    CHECK_INT(e[7].mode, WGE_SEG_DECLARATIVE);
    CHECK_INT(e[7].elem_type, WG_FUNCREF);
    CHECK_INT(e[7].items[0].kind, WGE_INIT_GLOBAL_GET);
    CHECK_INT(e[7].items[0].index, 0);

    /* Functions 0, 1 and 2 are all referenced by some segment. */
    CHECK(wge_func_is_declared(&m, 0));
    CHECK(wge_func_is_declared(&m, 1));
    CHECK(wge_func_is_declared(&m, 2));
    release(&m);
}

static void test_declares_functions_referenced_only_by_a_declarative_segment(void)
{
    wge_module m;
    bool ok =
        decode(MODULE(TYPE_VOID_TO_VOID, SECTION(3, 0x03, 0x00, 0x00, 0x00),
                      SECTION(9, 0x01, 0x03, 0x00, 0x01, 0x02),
                      SECTION(10, 0x03, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b)),
               &m);
    CHECK(ok);
    if (!ok) return;
    CHECK(!wge_func_is_declared(&m, 0));
    CHECK(!wge_func_is_declared(&m, 1));
    CHECK(wge_func_is_declared(&m, 2));
    release(&m);
}

static void test_rejects_element_segment_flags_above_7(void)
{
    EXPECT_MALFORMED("malformed elements segment kind", ELEM_PRELUDE, SECTION(9, 0x01, 0x08, 0x00),
                     ELEM_BODIES);
}

static void test_rejects_element_kind_other_than_0(void)
{
    EXPECT_MALFORMED("malformed element kind", ELEM_PRELUDE, SECTION(9, 0x01, 0x01, 0x01, 0x00),
                     ELEM_BODIES);
}

static void test_rejects_expression_segment_of_non_reference_type(void)
{
    EXPECT_MALFORMED("malformed reference type", ELEM_PRELUDE,
                     SECTION(9, 0x01, 0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b), ELEM_BODIES);
}

static void test_rejects_active_segment_for_unknown_table(void)
{
    EXPECT_INVALID("unknown table 0", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                   SECTION(9, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00), ONE_EMPTY_BODY);
    EXPECT_INVALID("unknown table 2", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x02, 0x02, 0x41, 0x00, 0x0b, 0x00, 0x00), ELEM_BODIES);
}

static void test_rejects_active_segment_whose_type_differs_from_its_table(void)
{
    /* funcref segment into the externref table 1 */
    EXPECT_INVALID("type mismatch", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x02, 0x01, 0x41, 0x00, 0x0b, 0x00, 0x00), ELEM_BODIES);
    /* externref segment into the funcref table 0 */
    EXPECT_INVALID("type mismatch", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x06, 0x00, 0x41, 0x00, 0x0b, 0x6f, 0x00), ELEM_BODIES);
}

static void test_rejects_segment_offset_that_is_not_i32(void)
{
    EXPECT_INVALID("type mismatch", ELEM_PRELUDE, SECTION(9, 0x01, 0x00, 0x42, 0x00, 0x0b, 0x00),
                   ELEM_BODIES);
    EXPECT_INVALID("constant expression required", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x00, 0x41, 0x00, 0x41, 0x00, 0x6a, 0x0b, 0x00), ELEM_BODIES);
}

static void test_rejects_element_referencing_unknown_function(void)
{
    EXPECT_INVALID("unknown function 3", ELEM_PRELUDE, SECTION(9, 0x01, 0x01, 0x00, 0x01, 0x03),
                   ELEM_BODIES);
    EXPECT_INVALID("unknown function 3", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x05, 0x70, 0x01, 0xd2, 0x03, 0x0b), ELEM_BODIES);
}

static void test_rejects_element_expression_of_the_wrong_type(void)
{
    EXPECT_INVALID("type mismatch", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x05, 0x6f, 0x01, 0xd2, 0x00, 0x0b), ELEM_BODIES);
    EXPECT_INVALID("type mismatch", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x05, 0x70, 0x01, 0xd0, 0x6f, 0x0b), ELEM_BODIES);
    EXPECT_INVALID("type mismatch", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x05, 0x70, 0x01, 0x41, 0x00, 0x0b), ELEM_BODIES);
    EXPECT_INVALID("type mismatch", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x05, 0x6f, 0x01, 0x23, 0x00, 0x0b), ELEM_BODIES);
    EXPECT_INVALID("constant expression required", ELEM_PRELUDE,
                   SECTION(9, 0x01, 0x05, 0x70, 0x01, 0xd1, 0x0b), ELEM_BODIES); /* ref.is_null */
}

static void test_limits_segments_and_segment_elements(void)
{
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_segments = 1;
    EXPECT_INVALID_WITH(&o, "max_segments", ELEM_PRELUDE,
                        SECTION(9, 0x02, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00), ELEM_BODIES);
    EXPECT_INVALID_WITH(&o, "max_segments", ONE_MEMORY, SECTION(11, 0x02, 0x01, 0x00, 0x01, 0x00));
    wg_load_options_init(&o);
    o.max_element_items = 2;
    EXPECT_INVALID_WITH(&o, "too many elements: 3 exceeds the limit of 2", ELEM_PRELUDE,
                        SECTION(9, 0x01, 0x01, 0x00, 0x03, 0x00, 0x01, 0x02), ELEM_BODIES);
    /* The limit counts the items of all segments together. */
    o.max_element_items = 3;
    EXPECT_INVALID_WITH(&o, "too many elements: 4 exceeds the limit of 3", ELEM_PRELUDE,
                        SECTION(9, 0x02, 0x01, 0x00, 0x02, 0x00, 0x01, 0x01, 0x00, 0x02, 0x00, 0x01),
                        ELEM_BODIES);
}

/* ---- Data count and data ------------------------------------------------------------------ */

static void test_decodes_data_segments_and_data_count(void)
{
    wge_module m;
    bool ok = decode(MODULE(ONE_MEMORY, SECTION(12, 0x03),
                            SECTION(11, 0x03,                                   /* 3 segments */
                                    0x00, 0x41, 0x10, 0x0b, 0x02, 'h', 'i',     /* active */
                                    0x01, 0x03, 'x', 'y', 'z',                  /* passive */
                                    0x02, 0x80, 0x00, 0x41, 0x7f, 0x0b, 0x00)), /* memory 0 */
                     &m);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "    message: %s\n", g_err);
        return;
    }
    CHECK(m.has_datacount);
    CHECK_INT(m.datacount, 3);
    CHECK_INT(m.ndatas, 3);
    CHECK_INT(m.datas[0].mode, WGE_SEG_ACTIVE);
    CHECK_INT(m.datas[0].memory_index, 0);
    CHECK_INT(m.datas[0].offset.value.i32, 16);
    CHECK_INT(m.datas[0].len, 2);
    CHECK(memcmp(m.datas[0].bytes, "hi", 2) == 0);
    CHECK(m.datas[0].bytes > m.bytes && m.datas[0].bytes < m.bytes + m.len);
    CHECK_INT(m.datas[1].mode, WGE_SEG_PASSIVE);
    CHECK(memcmp(m.datas[1].bytes, "xyz", 3) == 0);
    CHECK_INT(m.datas[2].mode, WGE_SEG_ACTIVE);
    CHECK_INT(m.datas[2].offset.value.i32, -1);
    CHECK_INT(m.datas[2].len, 0);
    release(&m);

    CHECK(decode(MODULE(ONE_MEMORY, SECTION(11, 0x01, 0x01, 0x00)), &m));
    CHECK(!m.has_datacount);
    release(&m);
}

static void test_rejects_data_count_that_differs_from_data_section(void)
{
    EXPECT_MALFORMED("data count and data section have inconsistent lengths", SECTION(12, 0x03),
                     SECTION(11, 0x02, 0x01, 0x00, 0x01, 0x00));
    EXPECT_MALFORMED("data count and data section have inconsistent lengths", SECTION(12, 0x01),
                     SECTION(11, 0x02, 0x01, 0x00, 0x01, 0x00));
    EXPECT_MALFORMED("data count and data section have inconsistent lengths", ONE_MEMORY,
                     SECTION(12, 0x01));
    EXPECT_VALID(SECTION(12, 0x00));
}

static void test_rejects_data_segment_flags_above_2(void)
{
    EXPECT_MALFORMED("malformed data segment kind", ONE_MEMORY, SECTION(11, 0x01, 0x03, 0x00));
}

static void test_rejects_data_segment_for_unknown_memory(void)
{
    EXPECT_INVALID("unknown memory 0", SECTION(11, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x00));
    EXPECT_INVALID("unknown memory 1", ONE_MEMORY,
                   SECTION(11, 0x01, 0x02, 0x01, 0x41, 0x00, 0x0b, 0x00));
}

static void test_rejects_data_longer_than_input(void)
{
    EXPECT_MALFORMED("length out of bounds", ONE_MEMORY, SECTION(11, 0x01, 0x01, 0x09, 'a'));
}

static void test_rejects_data_segment_offset_that_is_not_i32(void)
{
    EXPECT_INVALID("type mismatch", ONE_MEMORY,
                   SECTION(11, 0x01, 0x00, 0x43, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00));
}

/* ---- Absurd counts --------------------------------------------------------------------- */

static void test_refuses_absurd_counts_before_allocating(void)
{
    clock_t start = clock();
    /* 0xffffffff of each thing, in tiny modules */
#define HUGE 0xff, 0xff, 0xff, 0xff, 0x0f
    EXPECT_MALFORMED("length out of bounds", SECTION(1, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(1, 0x01, 0x60, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(2, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(4, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(5, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(6, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(7, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(9, HUGE));
    EXPECT_MALFORMED("length out of bounds", ELEM_PRELUDE, SECTION(9, 0x01, 0x01, 0x00, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(10, HUGE));
    EXPECT_MALFORMED("length out of bounds", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(10, 0x01, 0x06, HUGE, 0x0b)); /* local declarations */
    EXPECT_MALFORMED("length out of bounds", TYPE_VOID_TO_VOID, ONE_FUNCTION,
                     SECTION(10, 0x01, HUGE, 0x0b)); /* body size */
    EXPECT_MALFORMED("length out of bounds", SECTION(11, HUGE));
    EXPECT_MALFORMED("length out of bounds", ONE_MEMORY, SECTION(11, 0x01, 0x01, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(0, HUGE));
    EXPECT_MALFORMED("length out of bounds", SECTION(7, 0x01, HUGE));
#undef HUGE
    CHECK((clock() - start) / CLOCKS_PER_SEC < 1);
}

static void test_refuses_a_large_but_plausible_count_by_the_options_limit(void)
{
    /* 300 one-byte functions' worth of input, with max_functions at 100. */
    uint8_t bytes[8 + 6 + 3 + 2 + 300];
    const uint8_t prefix[] = {HEADER, TYPE_VOID_TO_VOID, 0x03, 0xae, 0x02, 0xac, 0x02};
    memcpy(bytes, prefix, sizeof prefix);
    memset(bytes + sizeof prefix, 0, 300);
    wg_load_options o;
    wg_load_options_init(&o);
    o.max_functions = 100;
    expect_error("invalid: ", "too many functions: 300 exceeds the limit of 100 (max_functions)",
                 bytes, sizeof prefix + 300, &o, __FILE__, __LINE__);
}

/* ---- Name section ------------------------------------------------------------------------ */

#define THREE_FUNCTIONS                                    \
    TYPE_VOID_TO_VOID, SECTION(3, 0x03, 0x00, 0x00, 0x00), \
        SECTION(10, 0x03, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b)

static void test_reads_function_names_from_the_name_section(void)
{
    wge_module m;
    bool ok =
        decode(MODULE(THREE_FUNCTIONS,
                      SECTION(0, 0x04, 'n', 'a', 'm', 'e', 0x00, 0x02, 0x01, 'M', /* module name */
                              0x01, 0x0c, 0x03,               /* 3 function names */
                              0x00, 0x02, 'f', '0',           /* 0 "f0" */
                              0x02, 0x02, 'f', '2',           /* 2 "f2" */
                              0x09, 0x01, 'x',                /* 9: out of range */
                              0x02, 0x03, 0x01, 0x00, 0x00)), /* local names */
               &m);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "    message: %s\n", g_err);
        return;
    }
    CHECK(m.func_names != NULL);
    if (m.func_names) {
        CHECK_STR(m.func_names[0], "f0");
        CHECK(m.func_names[1] == NULL);
        CHECK_STR(m.func_names[2], "f2");
    }
    CHECK_INT(m.ncustoms, 1);
    CHECK_STR(m.customs[0].name, "name");
    release(&m);
}

static void test_reads_a_name_section_that_precedes_the_functions(void)
{
    wge_module m;
    bool ok = decode(MODULE(SECTION(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x04, 0x01, 0x01, 0x01, 'g'),
                            THREE_FUNCTIONS),
                     &m);
    CHECK(ok);
    if (!ok) return;
    CHECK(m.func_names && m.func_names[1] && strcmp(m.func_names[1], "g") == 0);
    release(&m);
}

static void test_ignores_a_malformed_name_section(void)
{
    wge_module m;
    /* Subsection size past the end. */
    CHECK(decode(MODULE(THREE_FUNCTIONS, SECTION(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x7f, 0x01)),
                 &m));
    CHECK(m.func_names == NULL);
    release(&m);
    /* A name that is not UTF-8. */
    CHECK(decode(MODULE(THREE_FUNCTIONS,
                        SECTION(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x04, 0x01, 0x00, 0x01, 0xff)),
                 &m));
    CHECK(m.func_names == NULL);
    release(&m);
    /* A name count larger than the subsection, and trailing junk. */
    CHECK(decode(
        MODULE(THREE_FUNCTIONS, SECTION(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x02, 0x05, 0x00)), &m));
    CHECK(m.func_names == NULL);
    release(&m);
    CHECK(decode(MODULE(THREE_FUNCTIONS, SECTION(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x05, 0x01,
                                                 0x00, 0x01, 'a', 0x00)),
                 &m));
    CHECK(m.func_names == NULL);
    release(&m);
    /* A truncated LEB. */
    CHECK(decode(MODULE(THREE_FUNCTIONS, SECTION(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x80)), &m));
    CHECK(m.func_names == NULL);
    release(&m);
}

/* ---- Messages ---------------------------------------------------------------------------- */

static void test_messages_name_section_item_and_offset(void)
{
    wge_module m;
    CHECK(!decode(MODULE(TYPE_VOID_TO_VOID, SECTION(3, 0x01, 0x05)), &m));
    CHECK_STR(g_err, "invalid: section 3 (function), function 0, offset 0x11: unknown type 5");

    CHECK(!decode(MODULE(TYPE_VOID_TO_VOID, SECTION(3, 0x01, 0x00),
                         SECTION(7, 0x01, 0x03, 'f', 'o', 'o', 0x00, 0x07)),
                  &m));
    CHECK_STR(g_err, "invalid: section 7 (export), export 0 \"foo\", offset 0x1a: unknown "
                     "function 7");

    CHECK(!decode(MODULE(TYPE_VOID_TO_VOID, SECTION(3, 0x01, 0x80)), &m)); /* truncated LEB */
    CHECK_STR(g_err, "malformed: section 3 (function), function 0, offset 0x11: unexpected end "
                     "of section or function");

    CHECK(!decode(MODULE(TYPE_VOID_TO_VOID, SECTION(3, 0x03, 0x00)), &m));
    CHECK_STR(g_err, "malformed: section 3 (function), offset 0x10: length out of bounds: 3 "
                     "functions declared but only 2 bytes remain");

    CHECK(!decode(MODULE(SECTION(2, 0x01, 0x03, 'e', 'n', 'v', 0x01, 'x', 0x07)), &m));
    CHECK_STR(g_err, "malformed: section 2 (import), import 0 \"env\".\"x\", offset 0x11: "
                     "malformed import kind 0x07");

    CHECK(!decode(MODULE(0x0e, 0x00), &m));
    CHECK_STR(g_err, "malformed: offset 0x8: malformed section id 14");
}

static void test_messages_escape_unprintable_name_bytes(void)
{
    wge_module m;
    CHECK(!decode(MODULE(SECTION(7, 0x01, 0x03, 'a', 0x0a, '"', 0x00, 0x00)), &m));
    CHECK_CONTAINS(g_err, "export 0 \"a\\0a\\22\"");
}

/* Found by fuzzing: two long escaped names once pushed the offset out of the message. */
static void test_messages_keep_offset_and_phrase_with_long_unprintable_names(void)
{
    uint8_t bytes[8 + 3 + 2 * (1 + 100) + 3];
    const uint8_t header[] = {HEADER};
    size_t n = 0;
    memcpy(bytes, header, sizeof header);
    n = sizeof header;
    bytes[n++] = 0x02; /* import section */
    bytes[n++] = 0x80 | (2 * 101 + 3 + 1 - 128);
    bytes[n++] = 0x01; /* size 2 * 101 + 3 + 1 = 206, as two LEB bytes */
    bytes[n++] = 0x01; /* one import */
    for (int k = 0; k < 2; k++) {
        bytes[n++] = 100;
        memset(bytes + n, 0x01, 100); /* each shown as \01 */
        n += 100;
    }
    bytes[n++] = 0x01; /* table */
    bytes[n++] = 0x00; /* not a reference type */
    wge_module m;
    CHECK(!decode(bytes, n, &m));
    CHECK_CONTAINS(g_err, "offset 0x");
    CHECK_CONTAINS(g_err, "malformed reference type");
    CHECK(strlen(g_err) < 300);
}

static void test_writes_no_message_when_buffer_is_absent(void)
{
    wge_module m;
    const uint8_t bytes[] = {HEADER, 0x0e, 0x00};
    memset(&m, 0, sizeof m);
    m.bytes = malloc(sizeof bytes);
    memcpy(m.bytes, bytes, sizeof bytes);
    m.len = sizeof bytes;
    CHECK(!wge_decode_module(&m, NULL, NULL, 0));
    wge_module_free_contents(&m);
    char tiny[8];
    CHECK(!wge_decode_module(&m, NULL, tiny, sizeof tiny));
    CHECK_INT(strlen(tiny), sizeof tiny - 1);
    wge_module_free_contents(&m);
    free(m.bytes);
}

/* ---- Helpers and robustness ------------------------------------------------------------------ */

static void test_free_contents_is_safe_on_zeroed_and_already_freed_modules(void)
{
    wge_module m;
    memset(&m, 0, sizeof m);
    wge_module_free_contents(&m);
    wge_module_free_contents(&m);
    CHECK(decode(MODULE(ELEM_PRELUDE, SECTION(9, 0x01, 0x01, 0x00, 0x01, 0x01), ELEM_BODIES), &m));
    uint8_t *bytes = m.bytes;
    wge_module_free_contents(&m);
    CHECK(m.bytes == bytes); /* the caller's copy is left alone */
    CHECK(m.types == NULL && m.ntypes == 0 && m.elems == NULL);
    wge_module_free_contents(&m);
    free(bytes);
}

static void test_section_names(void)
{
    CHECK_STR(wge_section_name(0), "custom");
    CHECK_STR(wge_section_name(1), "type");
    CHECK_STR(wge_section_name(3), "function");
    CHECK_STR(wge_section_name(9), "element");
    CHECK_STR(wge_section_name(10), "code");
    CHECK_STR(wge_section_name(11), "data");
    CHECK_STR(wge_section_name(12), "datacount");
    CHECK_STR(wge_section_name(13), "unknown");
}

static void test_load_options_defaults(void)
{
    wg_load_options o;
    memset(&o, 0xab, sizeof o);
    wg_load_options_init(&o);
    CHECK(o.max_module_bytes == (size_t)256 * 1024 * 1024);
    CHECK_INT(o.max_types, 1000000);
    CHECK_INT(o.max_functions, 1000000);
    CHECK_INT(o.max_imports, 100000);
    CHECK_INT(o.max_exports, 100000);
    CHECK_INT(o.max_globals, 1000000);
    CHECK_INT(o.max_tables, 100000);
    CHECK_INT(o.max_segments, 100000);
    CHECK_INT(o.max_element_items, 1000000);
    CHECK_INT(o.max_custom_sections, 10000);
    CHECK_INT(o.max_function_params, 1000);
    CHECK_INT(o.max_function_locals, 50000);
    CHECK_INT(o.max_function_bytes, 7654321);
    CHECK_INT(o.max_nesting_depth, 10000);
    CHECK_INT(o.max_br_table_targets, 1000000);
    CHECK(o.metering);
}

/* A module using every section, for the truncation and corruption sweeps. */
static const uint8_t full_module[] = {
    HEADER,
    SECTION(0, 0x03, 'a', 'b', 'c', 0x01, 0x02),
    SECTION(1, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x00, 0x00),
    SECTION(2, 0x02, 0x01, 'm', 0x01, 'f', 0x00, 0x01, 0x01, 'm', 0x01, 'g', 0x03, 0x7f, 0x00),
    SECTION(3, 0x02, 0x00, 0x01),
    SECTION(4, 0x01, 0x70, 0x01, 0x02, 0x04),
    SECTION(5, 0x01, 0x01, 0x01, 0x02),
    SECTION(6, 0x02, 0x7f, 0x01, 0x23, 0x00, 0x0b, 0x70, 0x00, 0xd2, 0x01, 0x0b),
    SECTION(7, 0x02, 0x01, 'e', 0x00, 0x02, 0x01, 'M', 0x02, 0x00),
    SECTION(8, 0x00),
    SECTION(9, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x01, 0x05, 0x70, 0x01, 0xd0, 0x70, 0x0b),
    SECTION(12, 0x02),
    SECTION(10, 0x02, 0x05, 0x01, 0x01, 0x7f, 0x00, 0x0b, 0x02, 0x00, 0x0b),
    SECTION(11, 0x02, 0x00, 0x41, 0x08, 0x0b, 0x02, 'h', 'i', 0x01, 0x01, 'z'),
    SECTION(0, 0x04, 'n', 'a', 'm', 'e', 0x01, 0x04, 0x01, 0x01, 0x01, 'x'),
};

static void test_decodes_a_module_using_every_section(void)
{
    wge_module m;
    bool ok = decode(full_module, sizeof full_module, &m);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "    message: %s\n", g_err);
        return;
    }
    CHECK_INT(m.ntypes, 2);
    CHECK_INT(m.nimports, 2);
    CHECK_INT(m.nfuncs, 3);
    CHECK_INT(m.ntables, 1);
    CHECK_INT(m.nmemories, 1);
    CHECK_INT(m.nglobals, 3);
    CHECK_INT(m.nexports, 2);
    CHECK(m.has_start);
    CHECK_INT(m.nelems, 2);
    CHECK_INT(m.ndatas, 2);
    CHECK_INT(m.ncustoms, 2);
    CHECK(m.func_names && m.func_names[1] && strcmp(m.func_names[1], "x") == 0);
    CHECK(wge_func_is_declared(&m, 1));
    release(&m);
}

/* Every proper prefix of a module either fails with a proper message or is itself a module. */
static void test_survives_every_truncation(void)
{
    int bad_messages = 0;
    for (size_t len = 0; len < sizeof full_module; len++) {
        wge_module m;
        if (decode(full_module, len, &m)) {
            release(&m);
            continue;
        }
        bool kind_ok =
            strncmp(g_err, "malformed: ", 11) == 0 || strncmp(g_err, "invalid: ", 9) == 0;
        if (!kind_ok || !strstr(g_err, "offset 0x")) {
            bad_messages++;
            fprintf(stderr, "    prefix %zu: %s\n", len, g_err);
        }
    }
    CHECK_INT(bad_messages, 0);
}

/* Every single-byte change either decodes or fails with a proper message (and never crashes). */
static void test_survives_every_single_byte_corruption(void)
{
    static const uint8_t values[] = {0x00, 0x01, 0x02, 0x0b, 0x41, 0x60,
                                     0x6f, 0x70, 0x7f, 0x80, 0xff};
    uint8_t copy[sizeof full_module];
    int bad_messages = 0;
    for (size_t i = 8; i < sizeof full_module; i++) {
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(copy, full_module, sizeof copy);
            copy[i] = values[v];
            wge_module m;
            if (decode(copy, sizeof copy, &m)) {
                release(&m);
                continue;
            }
            bool kind_ok =
                strncmp(g_err, "malformed: ", 11) == 0 || strncmp(g_err, "invalid: ", 9) == 0;
            if (!kind_ok || !strstr(g_err, "offset 0x")) bad_messages++;
        }
    }
    CHECK_INT(bad_messages, 0);
}

int main(void)
{
    RUN(test_accepts_module_with_only_a_header);
    RUN(test_rejects_truncated_header_as_unexpected_end);
    RUN(test_rejects_wrong_magic);
    RUN(test_rejects_unknown_version);
    RUN(test_rejects_module_larger_than_max_module_bytes);

    RUN(test_rejects_unknown_section_id);
    RUN(test_rejects_section_size_past_end_of_module);
    RUN(test_rejects_section_whose_contents_do_not_fill_its_size);
    RUN(test_rejects_section_whose_contents_overrun_its_size);
    RUN(test_measures_lengths_from_their_own_start_like_the_spec);
    RUN(test_rejects_repeated_section);
    RUN(test_rejects_sections_out_of_order);
    RUN(test_accepts_every_section_in_order_with_data_count_before_code);
    RUN(test_accepts_custom_sections_anywhere_and_keeps_them_in_order);
    RUN(test_rejects_custom_section_name_that_is_not_utf8);
    RUN(test_rejects_custom_section_whose_name_runs_past_it);

    RUN(test_decodes_function_types_and_their_canonical_index);
    RUN(test_gives_many_equal_types_the_first_as_canon);
    RUN(test_rejects_function_type_form_other_than_0x60);
    RUN(test_rejects_v128_saying_simd_is_not_supported);
    RUN(test_rejects_unknown_value_type);
    RUN(test_limits_parameters_and_results_separately);
    RUN(test_limits_number_of_types);

    RUN(test_decodes_imports_of_every_kind_into_the_index_spaces);
    RUN(test_keeps_import_names_with_nul_bytes_whole);
    RUN(test_rejects_unknown_import_kind);
    RUN(test_rejects_function_import_of_unknown_type);
    RUN(test_rejects_table_import_with_non_reference_type);
    RUN(test_rejects_global_import_with_bad_mutability);
    RUN(test_rejects_import_name_that_is_not_utf8);
    RUN(test_rejects_import_name_longer_than_input);
    RUN(test_rejects_limits_flags_other_than_0_and_1);
    RUN(test_rejects_memory_larger_than_65536_pages);
    RUN(test_rejects_limits_with_minimum_above_maximum);
    RUN(test_rejects_more_than_one_memory);
    RUN(test_accepts_many_tables);
    RUN(test_limits_imports_and_counts_imported_functions_tables_and_globals);
    RUN(test_limits_apply_within_the_import_section);

    RUN(test_decodes_function_types_locals_and_body_extents);
    RUN(test_rejects_function_of_unknown_type);
    RUN(test_rejects_function_count_larger_than_input);
    RUN(test_limits_number_of_functions);
    RUN(test_rejects_function_and_code_counts_that_differ);
    RUN(test_rejects_more_than_u32_locals_as_too_many_locals);
    RUN(test_rejects_locals_above_max_function_locals);
    RUN(test_rejects_local_of_unknown_type);
    RUN(test_rejects_local_declarations_running_past_the_body);
    RUN(test_rejects_body_larger_than_max_function_bytes);
    RUN(test_rejects_body_size_past_end_of_input);

    RUN(test_decodes_every_kind_of_constant_expression);
    RUN(test_accepts_overlong_but_allowed_leb128);
    RUN(test_rejects_leb128_longer_than_its_type_allows);
    RUN(test_rejects_leb128_with_unused_bits_set);
    RUN(test_rejects_constant_of_the_wrong_type);
    RUN(test_rejects_constant_expression_without_exactly_one_value);
    RUN(test_rejects_non_constant_instruction_in_constant_expression);
    RUN(test_rejects_illegal_opcode_in_constant_expression);
    RUN(test_rejects_constant_expression_without_end);
    RUN(test_rejects_global_get_of_a_global_that_is_not_imported);
    RUN(test_rejects_global_get_of_a_mutable_global);
    RUN(test_rejects_ref_func_of_unknown_function);
    RUN(test_rejects_ref_null_of_non_reference_type);
    RUN(test_rejects_global_of_unknown_value_type_or_mutability);

    RUN(test_decodes_exports_of_every_kind);
    RUN(test_rejects_export_of_unknown_index);
    RUN(test_rejects_duplicate_export_names);
    RUN(test_names_the_later_duplicate_and_the_earlier_export);
    RUN(test_rejects_unknown_export_kind);
    RUN(test_decodes_start_function);
    RUN(test_rejects_start_function_that_is_unknown_or_has_params_or_results);

    RUN(test_decodes_all_eight_element_segment_encodings);
    RUN(test_declares_functions_referenced_only_by_a_declarative_segment);
    RUN(test_rejects_element_segment_flags_above_7);
    RUN(test_rejects_element_kind_other_than_0);
    RUN(test_rejects_expression_segment_of_non_reference_type);
    RUN(test_rejects_active_segment_for_unknown_table);
    RUN(test_rejects_active_segment_whose_type_differs_from_its_table);
    RUN(test_rejects_segment_offset_that_is_not_i32);
    RUN(test_rejects_element_referencing_unknown_function);
    RUN(test_rejects_element_expression_of_the_wrong_type);
    RUN(test_limits_segments_and_segment_elements);

    RUN(test_decodes_data_segments_and_data_count);
    RUN(test_rejects_data_count_that_differs_from_data_section);
    RUN(test_rejects_data_segment_flags_above_2);
    RUN(test_rejects_data_segment_for_unknown_memory);
    RUN(test_rejects_data_longer_than_input);
    RUN(test_rejects_data_segment_offset_that_is_not_i32);

    RUN(test_refuses_absurd_counts_before_allocating);
    RUN(test_refuses_a_large_but_plausible_count_by_the_options_limit);

    RUN(test_reads_function_names_from_the_name_section);
    RUN(test_reads_a_name_section_that_precedes_the_functions);
    RUN(test_ignores_a_malformed_name_section);

    RUN(test_messages_name_section_item_and_offset);
    RUN(test_messages_escape_unprintable_name_bytes);
    RUN(test_messages_keep_offset_and_phrase_with_long_unprintable_names);
    RUN(test_writes_no_message_when_buffer_is_absent);

    RUN(test_free_contents_is_safe_on_zeroed_and_already_freed_modules);
    RUN(test_section_names);
    RUN(test_load_options_defaults);
    RUN(test_decodes_a_module_using_every_section);
    RUN(test_survives_every_truncation);
    RUN(test_survives_every_single_byte_corruption);
    return wgt_finish();
}
