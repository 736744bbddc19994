/*
 * cli.h — internal interface of the wasmgate command-line tool.
 *
 * The tool is a table of subcommands (main.c) and one file per subcommand
 * (cmd_spectest.c, cmd_inspect.c, ...). To add a subcommand: write
 * cmd_NAME.c with a handler and a usage text, declare both here, and add one
 * row to the table in main.c. This header is shared by the CLI sources only;
 * nothing below src/cli may include it.
 */
#ifndef WASMGATE_CLI_H
#define WASMGATE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wasmgate/sandbox.h"

/* Exit statuses every subcommand uses, so scripts can tell them apart. */
enum {
    CLI_EXIT_OK = 0,      /* the command did what was asked */
    CLI_EXIT_FAILURE = 1, /* bad input, failed tests, a module that would not load */
    CLI_EXIT_USAGE = 2    /* the command line itself was wrong */
};

#define CLI_PROGRAM "wasmgate"

/*
 * A subcommand handler. argv[0] is the subcommand's name and argv[argc] is
 * NULL, so a handler parses its arguments exactly like a main() would.
 */
typedef int (*cli_handler)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line, shown by `wasmgate --help` */
    const char *usage;   /* full help, shown by `wasmgate help NAME` and on usage errors */
    cli_handler run;
} cli_command;

/* ---- Subcommands (one file each) -------------------------------------- */

int cli_cmd_version(int argc, char **argv);
extern const char cli_version_usage[];

int cli_cmd_spectest(int argc, char **argv);
extern const char cli_spectest_usage[];

int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_exec(int argc, char **argv);
extern const char cli_exec_usage[];
extern const char cli_inspect_usage[];

int cli_cmd_run(int argc, char **argv);
extern const char cli_run_usage[];

/* `wasmgate serve` (cmd_serve.c; the server itself is src/server). */
int cli_cmd_serve(int argc, char **argv);
extern const char cli_serve_usage[];

/* ---- Helpers shared by subcommands (util.c) ---------------------------- */

/*
 * Reports a command-line mistake: "wasmgate CMD: <message>" and the
 * command's usage on stderr. Returns CLI_EXIT_USAGE so handlers can write
 * `return cli_usage_error(...)`.
 */
int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prints "wasmgate CMD: <message>" on stderr (for failures, not usage errors). */
void cli_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * One command-line option of a subcommand. Options without a value set
 * *flag; options with one ("--abi X" or "--abi=X") store the argument in
 * *value (the last occurrence wins).
 */
typedef struct cli_option {
    const char *name; /* long form including the dashes, e.g. "--verbose" */
    char short_name;  /* e.g. 'v' for "-v", or 0 for none */
    bool takes_value;
    bool *flag;
    const char **value;
} cli_option;

/*
 * Parses argv[1..argc) against opts. Positional arguments are moved, in
 * order, to argv[1..1+*npositional) (argv is rearranged in place, like GNU
 * getopt does); options may come before or after them, and "--" ends option
 * parsing.
 * "-h" and "--help" set *help. Returns false with a message naming the bad
 * argument for an unknown option or a missing value.
 */
bool cli_parse_options(int argc, char **argv, const cli_option *opts, size_t nopts, bool *help,
                       int *npositional, char *err, size_t errsz);

/*
 * For subcommands whose options cli_parse_options() cannot express
 * (repeatable options, or options that end at the first positional
 * argument): matches argv[*i] against `names`, options that take a value
 * ("--name VALUE" or "--name=VALUE"), and sets *value, moving *i past a
 * value given as the next argument. Returns the name matched, or NULL after
 * reporting an unknown option or a missing value with cli_usage_error().
 */
const char *cli_value_option(const char *cmd, const char *usage, int argc, char **argv, int *i,
                             const char *const *names, size_t nnames, const char **value);

/*
 * Applies one of the limit options that exec and run share (name is
 * "--timeout-ms", "--fuel" or "--max-pages") to lim. Returns false after
 * reporting a value out of the option's range with cli_usage_error().
 */
bool cli_limit_option(const char *cmd, const char *usage, const char *name, const char *value,
                      wgsb_limits *lim);

/*
 * Parses a whole unsigned decimal number in [min, max]: no sign, blanks or
 * trailing text (which strtoull alone would accept).
 */
bool cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * Reads a whole file into a malloc'd buffer (NUL-terminated for
 * convenience; *len excludes the NUL). On failure returns NULL and writes
 * "cannot read 'PATH': <reason>" to err.
 */
uint8_t *cli_read_file(const char *path, size_t *len, char *err, size_t errsz);

/*
 * Reads and loads (decodes and validates) the module file at path; *len
 * receives the file's size. Returns NULL after reporting, with cli_error()
 * for cmd, a file that cannot be read or is not a valid module.
 */
wg_module *cli_load_module(const char *cmd, const char *path, size_t *len);

/*
 * Writes a name from a module (which may hold any bytes, including NUL and
 * control characters) as a double-quoted string with C-style escapes, so
 * the output stays one line per item and unambiguous.
 */
void cli_print_quoted(FILE *out, const char *s, size_t len);

/*
 * The same quoted form written into buf (NUL-terminated), ending in "..."
 * inside the quotes when it does not fit. Returns buf, for use in printf.
 */
char *cli_quote(const char *s, size_t len, char *buf, size_t bufsz);

#endif /* WASMGATE_CLI_H */
