/*
 * util.c — helpers shared by the CLI subcommands: option parsing, error
 * reporting, reading files and loading modules, printing module names
 * safely.
 *
 * Nothing here knows about a particular subcommand; anything specific to
 * one belongs in its cmd_*.c file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *usage, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s %s: ", CLI_PROGRAM, cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n%s", usage);
    return CLI_EXIT_USAGE;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s %s: ", CLI_PROGRAM, cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Finds the option spelled by arg (the part before any '='), or NULL. */
static const cli_option *find_long_option(const cli_option *opts, size_t nopts, const char *arg,
                                          size_t namelen)
{
    for (size_t i = 0; i < nopts; i++) {
        if (strlen(opts[i].name) == namelen && strncmp(opts[i].name, arg, namelen) == 0)
            return &opts[i];
    }
    return NULL;
}

static const cli_option *find_short_option(const cli_option *opts, size_t nopts, char c)
{
    for (size_t i = 0; i < nopts; i++) {
        if (opts[i].short_name != 0 && opts[i].short_name == c) return &opts[i];
    }
    return NULL;
}

bool cli_parse_options(int argc, char **argv, const cli_option *opts, size_t nopts, bool *help,
                       int *npositional, char *err, size_t errsz)
{
    bool options_done = false;
    *npositional = 0;
    *help = false;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        /* "-" alone is a positional argument by convention (stdin). */
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            /* Safe in place: slot 1+*npositional <= i has already been read. */
            argv[1 + (*npositional)++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            *help = true;
            continue;
        }
        const cli_option *opt;
        const char *inline_value = NULL;
        if (arg[1] == '-') {
            const char *eq = strchr(arg, '=');
            size_t namelen = eq ? (size_t)(eq - arg) : strlen(arg);
            opt = find_long_option(opts, nopts, arg, namelen);
            if (opt && eq) inline_value = eq + 1;
        } else {
            /* Short options are single letters; no bundling ("-vx"). */
            opt = arg[2] == '\0' ? find_short_option(opts, nopts, arg[1]) : NULL;
        }
        if (!opt) {
            snprintf(err, errsz, "unknown option '%s'", arg);
            return false;
        }
        if (!opt->takes_value) {
            if (inline_value) {
                snprintf(err, errsz, "option '%s' takes no value", opt->name);
                return false;
            }
            if (opt->flag) *opt->flag = true;
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= argc) {
                snprintf(err, errsz, "option '%s' needs a value", opt->name);
                return false;
            }
            inline_value = argv[++i];
        }
        if (opt->value) *opt->value = inline_value;
    }
    return true;
}

const char *cli_value_option(const char *cmd, const char *usage, int argc, char **argv, int *i,
                             const char *const *names, size_t nnames, const char **value)
{
    const char *arg = argv[*i];
    for (size_t k = 0; k < nnames; k++) {
        size_t n = strlen(names[k]);
        if (strncmp(arg, names[k], n) != 0 || (arg[n] != '\0' && arg[n] != '=')) continue;
        if (arg[n] == '=') {
            *value = arg + n + 1;
        } else if (*i + 1 < argc) {
            *value = argv[++*i];
        } else {
            cli_usage_error(cmd, usage, "option '%s' needs a value", names[k]);
            return NULL;
        }
        return names[k];
    }
    cli_usage_error(cmd, usage, "unknown option '%s'", arg);
    return NULL;
}

bool cli_limit_option(const char *cmd, const char *usage, const char *name, const char *value,
                      wgsb_limits *lim)
{
    uint64_t n;
    if (strcmp(name, "--timeout-ms") == 0) {
        if (!cli_parse_u64(value, 0, UINT32_MAX, &n)) {
            cli_usage_error(cmd, usage, "--timeout-ms '%s': expected milliseconds (0 = none)",
                            value);
            return false;
        }
        lim->timeout_ms = (uint32_t)n;
    } else if (strcmp(name, "--fuel") == 0) {
        if (!cli_parse_u64(value, 0, UINT64_MAX, &n)) {
            cli_usage_error(cmd, usage, "--fuel '%s': expected a number of units (0 = unlimited)",
                            value);
            return false;
        }
        lim->fuel = n;
    } else { /* --max-pages */
        if (!cli_parse_u64(value, 1, 65536, &n)) {
            cli_usage_error(cmd, usage, "--max-pages '%s': expected 1 to 65536 pages", value);
            return false;
        }
        lim->max_memory_pages = (uint32_t)n;
    }
    return true;
}

bool cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max) return false;
    *out = v;
    return true;
}

uint8_t *cli_read_file(const char *path, size_t *len, char *err, size_t errsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    /*
     * Read in growing chunks rather than trusting fseek/ftell, so pipes and
     * files that change size while being read behave too.
     */
    size_t cap = 64 * 1024, used = 0;
    uint8_t *buf = malloc(cap + 1);
    if (!buf) goto out_of_memory;
    for (;;) {
        size_t n = fread(buf + used, 1, cap - used, f);
        used += n;
        if (used < cap) {
            if (ferror(f)) {
                snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
                free(buf);
                fclose(f);
                return NULL;
            }
            break; /* end of file */
        }
        if (cap > ((size_t)-1) / 4) goto out_of_memory;
        uint8_t *bigger = realloc(buf, cap * 2 + 1);
        if (!bigger) goto out_of_memory;
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    buf[used] = '\0';
    *len = used;
    return buf;

out_of_memory:
    snprintf(err, errsz, "cannot read '%s': out of memory", path);
    free(buf);
    fclose(f);
    return NULL;
}

wg_module *cli_load_module(const char *cmd, const char *path, size_t *len)
{
    char err[1024];
    uint8_t *bytes = cli_read_file(path, len, err, sizeof err);
    if (!bytes) {
        cli_error(cmd, "%s", err);
        return NULL;
    }
    wg_module *m = wg_module_load(bytes, *len, NULL, err, sizeof err);
    free(bytes);
    if (!m) cli_error(cmd, "%s: not a valid WebAssembly module: %s", path, err);
    return m;
}

/*
 * Writes the escaped form of byte c into out (room for 5 bytes) and returns
 * its length. Bytes >= 0x80 pass through: names are UTF-8 by the spec.
 */
static size_t escape_byte(unsigned char c, char out[5])
{
    switch (c) {
    case '"': memcpy(out, "\\\"", 2); return 2;
    case '\\': memcpy(out, "\\\\", 2); return 2;
    case '\n': memcpy(out, "\\n", 2); return 2;
    case '\t': memcpy(out, "\\t", 2); return 2;
    case '\r': memcpy(out, "\\r", 2); return 2;
    default:
        if (c < 0x20 || c == 0x7f) {
            snprintf(out, 5, "\\x%02x", c);
            return 4;
        }
        out[0] = (char)c;
        return 1;
    }
}

void cli_print_quoted(FILE *out, const char *s, size_t len)
{
    char esc[5];
    fputc('"', out);
    for (size_t i = 0; i < len; i++)
        fwrite(esc, 1, escape_byte((unsigned char)s[i], esc), out);
    fputc('"', out);
}

char *cli_quote(const char *s, size_t len, char *buf, size_t bufsz)
{
    char esc[5];
    size_t used = 0;
    if (bufsz < 8) {
        if (bufsz > 0) buf[0] = '\0';
        return buf;
    }
    buf[used++] = '"';
    for (size_t i = 0; i < len; i++) {
        size_t n = escape_byte((unsigned char)s[i], esc);
        /* Keep room for the closing quote, "..." and the NUL. */
        if (used + n + 5 > bufsz) {
            memcpy(buf + used, "...", 3);
            used += 3;
            break;
        }
        memcpy(buf + used, esc, n);
        used += n;
    }
    buf[used++] = '"';
    buf[used] = '\0';
    return buf;
}
