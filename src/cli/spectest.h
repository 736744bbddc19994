/*
 * spectest.h — internals of `wasmgate spectest`, shared by its three files:
 *   cmd_spectest.c    reads the wast2json script and runs its commands
 *   spectest_host.c   the "spectest" host module that spec scripts import
 *   spectest_value.c  script values: parsing arguments, matching results
 *
 * Script values follow wast2json (wabt 1.0.32): {"type": "i32", "value":
 * "42"} where integers are unsigned decimal, floats are the decimal of their
 * bit pattern, references are "null" or a number, and expected floats may
 * be "nan:canonical" or "nan:arithmetic".
 */
#ifndef WASMGATE_CLI_SPECTEST_H
#define WASMGATE_CLI_SPECTEST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "wasmgate/wg.h"

/* ---- The spectest host module ----------------------------------------- */

typedef struct spectest_host spectest_host;

/*
 * Creates the objects of the "spectest" module: print functions, the four
 * immutable globals (666 / 666.6), a funcref table of 10..20 elements and a
 * memory of 1..2 pages. They are shared by every module of a script, as in
 * the reference interpreter. With verbose, the print functions print their
 * arguments. Returns NULL with a message in err.
 */
spectest_host *spectest_host_new(bool verbose, char *err, size_t errsz);

/* Defines every spectest export on the linker under the module name "spectest". */
bool spectest_host_define(spectest_host *host, wg_linker *linker, char *err, size_t errsz);

void spectest_host_free(spectest_host *host);

/* ---- Values --------------------------------------------------------------- */

typedef enum spec_status {
    SPEC_OK,          /* parsed or compared */
    SPEC_UNSUPPORTED, /* a value the engine has no type for (v128): skip the command */
    SPEC_MALFORMED    /* the script itself is wrong; err says how */
} spec_status;

/*
 * The pointer an externref argument "N" becomes: N+1, so that reference 0
 * stays distinct from the null reference.
 */
void *spec_externref_from_number(uint64_t n);

/*
 * Parses a script value used as an argument ({"type", "value"}) into its
 * type and cell. Expected-only forms (nan:canonical) are malformed here.
 */
spec_status spec_parse_value(const json_t *v, wg_valtype *type, wg_value *out, char *err,
                             size_t errsz);

/*
 * Returns SPEC_UNSUPPORTED if the expected value (or, for "either", any of
 * its alternatives) has a type the engine does not support, so a command
 * can be skipped before anything runs.
 */
spec_status spec_check_expected(const json_t *expected, char *err, size_t errsz);

/*
 * Compares a result of type `type` with an expected script value, applying
 * the NaN patterns for floats and comparing everything else exactly (floats
 * by bit pattern). Sets *match.
 */
spec_status spec_match_value(const json_t *expected, wg_valtype type, wg_value got, bool *match,
                             char *err, size_t errsz);

/* Formats a result as "i32:42", "f32:1.5 (0x3fc00000)", "externref:7", "funcref:null". */
void spec_format_value(wg_valtype type, wg_value v, char *buf, size_t bufsz);

/* Formats an expected script value the same way ("f64:nan:canonical" for patterns). */
void spec_format_expected(const json_t *expected, char *buf, size_t bufsz);

#endif /* WASMGATE_CLI_SPECTEST_H */
