/*
 * cmd_spectest.c — `wasmgate spectest FILE.json`: runs a WebAssembly spec
 * script converted by wast2json (wabt 1.0.32) against the engine.
 *
 * The JSON holds a list of commands (module, register, action and the
 * assert_* family); module files sit beside it. Each command passes, fails
 * or is skipped (text-format modules, SIMD values, commands of later
 * proposals); a failure prints one line "SOURCE:LINE: COMMAND: what went
 * wrong", and the last line is always "N passed, N failed, N skipped".
 *
 * Exit status 0 means at least one command ran and none failed: a script
 * where everything was skipped (say, a broken conversion) must not pass.
 *
 * The script is untrusted input: every field is checked for presence and
 * type, and a malformed command is a failure with a message, never a crash.
 * Every instance stays alive until the end of the script (a later module
 * may reach it through a shared table or a registration), then everything
 * is freed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "spectest.h"

const char cli_spectest_usage[] =
    "usage: wasmgate spectest [--verbose] FILE.json\n"
    "\n"
    "Runs a WebAssembly spec script converted by wast2json, e.g.\n"
    "  wast2json --enable-all i32.wast -o out/i32.json && wasmgate spectest out/i32.json\n"
    "Module files are looked up beside FILE.json. Prints one line per failure and\n"
    "finally \"N passed, N failed, N skipped\".\n"
    "\n"
    "options:\n"
    "  -v, --verbose   print each command, skip reasons, trap message mismatches and\n"
    "                  the arguments of spectest.print* calls\n"
    "\n"
    "exit status: 0 if nothing failed and something ran, 1 otherwise, 2 on usage errors\n";

/* ---- Growable strings for messages ---------------------------------------- */

typedef struct strbuf {
    char *data;
    size_t len, cap;
} strbuf;

/* Appends formatted text; on out-of-memory the message is just truncated. */
static void strbuf_printf(strbuf *sb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void strbuf_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t need = sb->len + (size_t)n + 1;
    if (need > sb->cap) {
        size_t cap = sb->cap ? sb->cap : 128;
        while (cap < need)
            cap *= 2;
        char *grown = realloc(sb->data, cap);
        if (!grown) return;
        sb->data = grown;
        sb->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

static const char *strbuf_str(const strbuf *sb)
{
    return sb->data ? sb->data : "";
}

/* ---- Script state ------------------------------------------------------------ */

/* A module the script defined; inst is NULL if it failed to load or link. */
typedef struct script_instance {
    char *name; /* the script's "$name", or NULL */
    wg_instance *inst;
} script_instance;

/* A `register` command: inst's exports are importable as module `as`. */
typedef struct registration {
    char *as;
    wg_instance *inst; /* owned by the instance list, not by this entry */
} registration;

typedef struct script_run {
    const char *source; /* file name used in messages: the .wast if known */
    char *dir;          /* directory of the JSON file; module paths are relative to it */
    bool verbose;
    spectest_host *host;
    /*
     * One linker holds spectest and every registration. A name registered
     * twice replaces the old one, which a linker cannot undo, so the linker
     * is then rebuilt from the list (linker_stale).
     */
    wg_linker *linker;
    bool linker_stale;
    script_instance *instances;
    size_t ninstances, instances_cap;
    registration *registrations;
    size_t nregistrations, registrations_cap;
    /* The module that unnamed actions refer to: the last one defined. */
    bool have_current;
    wg_instance *current;
    /* The engine's default limits: the spec's stack exhaustion tests rely on them. */
    wg_instance_options instance_options;
    /* The command being run, for messages. */
    long long line;
    const char *command;
    unsigned passed, failed, skipped;
} script_run;

static void record_pass(script_run *r)
{
    r->passed++;
}

static void report(script_run *r, const char *prefix, const char *fmt, va_list ap)
{
    printf("%s:%lld: %s: %s", r->source, r->line, r->command, prefix);
    vprintf(fmt, ap);
    putchar('\n');
}

static void record_failure(script_run *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void record_failure(script_run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(r, "", fmt, ap);
    va_end(ap);
    r->failed++;
}

static void record_skip(script_run *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void record_skip(script_run *r, const char *fmt, ...)
{
    if (r->verbose) {
        va_list ap;
        va_start(ap, fmt);
        report(r, "skipped: ", fmt, ap);
        va_end(ap);
    }
    r->skipped++;
}

/* An observation that is not a failure (e.g. a different trap message); --verbose only. */
static void note(script_run *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void note(script_run *r, const char *fmt, ...)
{
    if (!r->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    report(r, "note: ", fmt, ap);
    va_end(ap);
}

/*
 * Returns items with room for at least count+1 elements (doubling the
 * capacity when full), or NULL on out-of-memory, in which case items is
 * still valid and unchanged.
 */
static void *grow_array(void *items, size_t *cap, size_t count, size_t item_size)
{
    if (count < *cap) return items;
    size_t new_cap = *cap ? *cap * 2 : 16;
    void *grown = realloc(items, new_cap * item_size);
    if (grown) *cap = new_cap;
    return grown;
}

static char *copy_string(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy) memcpy(copy, s, n);
    return copy;
}

/*
 * Remembers an instance (or a failed module, inst NULL) under an optional
 * name. The list owns inst from here on, even when this fails (it is then
 * freed at once).
 */
static bool add_instance(script_run *r, const char *name, wg_instance *inst)
{
    char *name_copy = copy_string(name);
    script_instance *grown =
        grow_array(r->instances, &r->instances_cap, r->ninstances, sizeof *grown);
    if ((name && !name_copy) || !grown) {
        free(name_copy);
        if (inst) wg_instance_free(inst);
        return false;
    }
    r->instances = grown;
    r->instances[r->ninstances].name = name_copy;
    r->instances[r->ninstances].inst = inst;
    r->ninstances++;
    return true;
}

/*
 * Finds the instance an action or register refers to: the named module (the
 * most recent definition of that name) or, without a name, the last module.
 */
static wg_instance *find_instance(script_run *r, const char *name, char *err, size_t errsz)
{
    if (!name) {
        if (!r->have_current) {
            snprintf(err, errsz, "no module has been defined yet");
        } else if (!r->current) {
            snprintf(err, errsz, "the current module failed to load or instantiate");
        }
        return r->current;
    }
    for (size_t i = r->ninstances; i-- > 0;) {
        if (r->instances[i].name && strcmp(r->instances[i].name, name) == 0) {
            if (!r->instances[i].inst)
                snprintf(err, errsz, "module %s failed to load or instantiate", name);
            return r->instances[i].inst;
        }
    }
    snprintf(err, errsz, "no module named %s", name);
    return NULL;
}

/* Makes r->linker hold spectest and every registration, rebuilding it if stale. */
static bool ensure_linker(script_run *r, char *err, size_t errsz)
{
    if (r->linker && !r->linker_stale) return true;
    if (r->linker) wg_linker_free(r->linker);
    r->linker = wg_linker_new();
    if (!r->linker) {
        snprintf(err, errsz, "cannot create a linker: out of memory");
        return false;
    }
    r->linker_stale = false;
    if (!spectest_host_define(r->host, r->linker, err, errsz)) {
        r->linker_stale = true;
        return false;
    }
    for (size_t i = 0; i < r->nregistrations; i++) {
        char why[512] = "";
        if (!wg_linker_define_instance(r->linker, r->registrations[i].as, r->registrations[i].inst,
                                       why, sizeof why)) {
            snprintf(err, errsz, "cannot register \"%s\": %s", r->registrations[i].as, why);
            r->linker_stale = true;
            return false;
        }
    }
    return true;
}

/* ---- Reading fields of untrusted JSON ----------------------------------------- */

/*
 * Returns the string field `key` of obj, or NULL (with a message) if it is
 * missing, not a string, or holds a NUL byte, which no C-string API below
 * could pass on faithfully.
 */
static const char *string_field(const json_t *obj, const char *key, char *err, size_t errsz)
{
    const json_t *v = json_object_get(obj, key);
    const char *s = json_string_value(v);
    if (!s) {
        snprintf(err, errsz, "missing string field \"%s\"", key);
        return NULL;
    }
    if (strlen(s) != json_string_length(v)) {
        snprintf(err, errsz, "field \"%s\" contains a NUL byte", key);
        return NULL;
    }
    return s;
}

/* Like string_field for optional fields: NULL without a message when absent. */
static const char *optional_string_field(const json_t *obj, const char *key, bool *bad, char *err,
                                         size_t errsz)
{
    *bad = false;
    if (!json_object_get(obj, key)) return NULL;
    const char *s = string_field(obj, key, err, errsz);
    *bad = s == NULL;
    return s;
}

/* ---- Module files ----------------------------------------------------------- */

/*
 * Reads the module file named by the command's "filename", relative to the
 * JSON's directory. Returns NULL with a message in err.
 */
static uint8_t *read_module_file(script_run *r, const json_t *cmd, size_t *len, char *err,
                                 size_t errsz)
{
    const char *filename = string_field(cmd, "filename", err, errsz);
    if (!filename) return NULL;
    if (filename[0] == '\0') {
        snprintf(err, errsz, "empty \"filename\"");
        return NULL;
    }
    strbuf path = {0};
    if (filename[0] == '/') {
        strbuf_printf(&path, "%s", filename);
    } else {
        strbuf_printf(&path, "%s/%s", r->dir, filename);
    }
    uint8_t *bytes = cli_read_file(strbuf_str(&path), len, err, errsz);
    free(path.data);
    return bytes;
}

/*
 * Whether a module command refers to a text-format module (assert_malformed
 * on quoted text, for instance), which only a text parser could judge.
 */
static bool is_text_module(const json_t *cmd)
{
    const char *type = json_string_value(json_object_get(cmd, "module_type"));
    if (type) return strcmp(type, "binary") != 0;
    const char *filename = json_string_value(json_object_get(cmd, "filename"));
    size_t n = filename ? strlen(filename) : 0;
    return n >= 4 && strcmp(filename + n - 4, ".wat") == 0;
}

/* Reads and loads (decodes, validates) a module file. */
static wg_module *load_module(script_run *r, const json_t *cmd, bool *read_failed, char *err,
                              size_t errsz)
{
    size_t len = 0;
    uint8_t *bytes = read_module_file(r, cmd, &len, err, errsz);
    *read_failed = bytes == NULL;
    if (!bytes) return NULL;
    wg_module *m = wg_module_load(bytes, len, NULL, err, errsz);
    free(bytes);
    return m;
}

/* ---- Actions ---------------------------------------------------------------- */

typedef enum action_status {
    ACTION_DONE,    /* returned normally; results are set */
    ACTION_TRAPPED, /* trapped; trap is set */
    ACTION_SKIPPED, /* cannot be expressed with this engine (v128 arguments) */
    ACTION_FAILED   /* the script is wrong or names something that does not exist */
} action_status;

typedef struct action_result {
    size_t count;
    wg_valtype *types;
    wg_value *values;
    wg_trap *trap;
} action_result;

static void action_result_free(action_result *res)
{
    free(res->types);
    free(res->values);
    if (res->trap) wg_trap_free(res->trap);
    memset(res, 0, sizeof *res);
}

static bool action_result_alloc(action_result *res, size_t count)
{
    res->count = count;
    /* At least one element, so a zero count still yields a valid pointer. */
    res->types = calloc(count ? count : 1, sizeof *res->types);
    res->values = calloc(count ? count : 1, sizeof *res->values);
    return res->types && res->values;
}

/* An export name from the script: any bytes (names.wast has NULs), and a printable form. */
typedef struct export_name {
    const char *bytes;
    size_t len;
    char shown[128]; /* quoted and escaped, for messages */
} export_name;

/* Calls an exported function with the script's arguments. */
static action_status invoke(wg_instance *inst, const export_name *field, const json_t *args,
                            action_result *res, char *err, size_t errsz)
{
    wg_func *f = wg_instance_export(inst, field->bytes, field->len, WG_EXTERN_FUNC);
    if (!f) {
        snprintf(err, errsz, "no exported function %s", field->shown);
        return ACTION_FAILED;
    }
    const wg_functype *type = wg_func_type(f);
    size_t nparams = wg_functype_param_count(type);
    size_t nresults = wg_functype_result_count(type);
    size_t nargs = args ? json_array_size(args) : 0;
    if (args && !json_is_array(args)) {
        snprintf(err, errsz, "\"args\" must be an array");
        return ACTION_FAILED;
    }
    if (nargs != nparams) {
        snprintf(err, errsz, "%s takes %zu arguments, the script passes %zu", field->shown, nparams,
                 nargs);
        return ACTION_FAILED;
    }
    wg_value *argv = calloc(nargs ? nargs : 1, sizeof *argv);
    if (!argv || !action_result_alloc(res, nresults)) {
        free(argv);
        snprintf(err, errsz, "out of memory");
        return ACTION_FAILED;
    }
    for (size_t i = 0; i < nargs; i++) {
        wg_valtype arg_type;
        char why[256];
        spec_status s =
            spec_parse_value(json_array_get(args, i), &arg_type, &argv[i], why, sizeof why);
        if (s != SPEC_OK) {
            snprintf(err, errsz, "argument %zu: %s", i, why);
            free(argv);
            return s == SPEC_UNSUPPORTED ? ACTION_SKIPPED : ACTION_FAILED;
        }
        if (arg_type != wg_functype_param(type, i)) {
            snprintf(err, errsz, "argument %zu is %s but %s takes %s", i, wg_valtype_name(arg_type),
                     field->shown, wg_valtype_name(wg_functype_param(type, i)));
            free(argv);
            return ACTION_FAILED;
        }
    }
    for (size_t i = 0; i < nresults; i++)
        res->types[i] = wg_functype_result(type, i);
    res->trap = wg_func_call(f, argv, nargs, res->values, nresults);
    free(argv);
    return res->trap ? ACTION_TRAPPED : ACTION_DONE;
}

/* Runs the command's "action" (invoke or get). */
static action_status run_action(script_run *r, const json_t *cmd, action_result *res, char *err,
                                size_t errsz)
{
    memset(res, 0, sizeof *res);
    const json_t *action = json_object_get(cmd, "action");
    if (!json_is_object(action)) {
        snprintf(err, errsz, "missing object field \"action\"");
        return ACTION_FAILED;
    }
    const char *type = string_field(action, "type", err, errsz);
    if (!type) return ACTION_FAILED;
    bool bad;
    const char *module = optional_string_field(action, "module", &bad, err, errsz);
    if (bad) return ACTION_FAILED;

    const json_t *field_json = json_object_get(action, "field");
    export_name field;
    field.bytes = json_string_value(field_json);
    if (!field.bytes) {
        snprintf(err, errsz, "action has no string field \"field\"");
        return ACTION_FAILED;
    }
    field.len = json_string_length(field_json);
    cli_quote(field.bytes, field.len, field.shown, sizeof field.shown);
    wg_instance *inst = find_instance(r, module, err, errsz);
    if (!inst) return ACTION_FAILED;

    if (strcmp(type, "invoke") == 0)
        return invoke(inst, &field, json_object_get(action, "args"), res, err, errsz);
    if (strcmp(type, "get") == 0) {
        wg_global *g = wg_instance_export(inst, field.bytes, field.len, WG_EXTERN_GLOBAL);
        if (!g) {
            snprintf(err, errsz, "no exported global %s", field.shown);
            return ACTION_FAILED;
        }
        if (!action_result_alloc(res, 1)) {
            snprintf(err, errsz, "out of memory");
            return ACTION_FAILED;
        }
        res->types[0] = wg_global_type(g);
        res->values[0] = wg_global_get(g);
        return ACTION_DONE;
    }
    snprintf(err, errsz, "unknown action type \"%s\"", type);
    return ACTION_FAILED;
}

/* Appends results as "i32:1" (one) or "(i32:1, f64:2 (0x...))" (zero or several). */
static void format_results(strbuf *sb, const action_result *res)
{
    char one[128];
    if (res->count != 1) strbuf_printf(sb, "(");
    for (size_t i = 0; i < res->count; i++) {
        spec_format_value(res->types[i], res->values[i], one, sizeof one);
        strbuf_printf(sb, "%s%s", i > 0 ? ", " : "", one);
    }
    if (res->count != 1) strbuf_printf(sb, ")");
}

static void format_expected_list(strbuf *sb, const json_t *expected)
{
    char one[512];
    size_t n = json_array_size(expected);
    if (n != 1) strbuf_printf(sb, "(");
    for (size_t i = 0; i < n; i++) {
        spec_format_expected(json_array_get(expected, i), one, sizeof one);
        strbuf_printf(sb, "%s%s", i > 0 ? ", " : "", one);
    }
    if (n != 1) strbuf_printf(sb, ")");
}

/* ---- Commands ------------------------------------------------------------------ */

static void run_module_command(script_run *r, const json_t *cmd)
{
    char err[1024] = "";
    bool bad, read_failed;
    const char *name = optional_string_field(cmd, "name", &bad, err, sizeof err);
    if (bad) {
        record_failure(r, "%s", err);
        return;
    }
    /* From here on, unnamed actions refer to this module, whether or not it loads. */
    r->have_current = true;
    r->current = NULL;
    if (is_text_module(cmd)) {
        add_instance(r, name, NULL);
        record_skip(r, "text-format module");
        return;
    }
    wg_module *m = load_module(r, cmd, &read_failed, err, sizeof err);
    if (!m) {
        add_instance(r, name, NULL);
        record_failure(r, "%s%s", read_failed ? "" : "cannot load module: ", err);
        return;
    }
    if (!ensure_linker(r, err, sizeof err)) {
        wg_module_free(m);
        add_instance(r, name, NULL);
        record_failure(r, "%s", err);
        return;
    }
    wg_trap *trap = NULL;
    wg_instance *inst = wg_instance_new(m, r->linker, &r->instance_options, &trap, err, sizeof err);
    wg_module_free(m); /* the instance holds its own reference */
    if (!inst) {
        add_instance(r, name, NULL);
        if (trap) {
            record_failure(r, "instantiation trapped: %s", wg_trap_message(trap));
            wg_trap_free(trap);
        } else {
            record_failure(r, "cannot instantiate module: %s", err);
        }
        return;
    }
    if (!add_instance(r, name, inst)) {
        record_failure(r, "out of memory");
        return;
    }
    r->current = inst;
    record_pass(r);
}

static void run_register_command(script_run *r, const json_t *cmd)
{
    char err[1024] = "";
    bool bad;
    const char *as = string_field(cmd, "as", err, sizeof err);
    if (!as) {
        record_failure(r, "%s", err);
        return;
    }
    const char *name = optional_string_field(cmd, "name", &bad, err, sizeof err);
    if (bad) {
        record_failure(r, "%s", err);
        return;
    }
    wg_instance *inst = find_instance(r, name, err, sizeof err);
    if (!inst) {
        record_failure(r, "cannot register \"%s\": %s", as, err);
        return;
    }
    size_t i;
    for (i = 0; i < r->nregistrations; i++) {
        if (strcmp(r->registrations[i].as, as) == 0) break;
    }
    bool added = i == r->nregistrations;
    wg_instance *previous = added ? NULL : r->registrations[i].inst;
    if (!added) {
        r->registrations[i].inst = inst; /* a new module under an old name */
    } else {
        char *as_copy = copy_string(as);
        registration *grown =
            grow_array(r->registrations, &r->registrations_cap, r->nregistrations, sizeof *grown);
        if (!as_copy || !grown) {
            free(as_copy);
            record_failure(r, "out of memory");
            return;
        }
        r->registrations = grown;
        r->registrations[r->nregistrations].as = as_copy;
        r->registrations[r->nregistrations].inst = inst;
        r->nregistrations++;
    }
    /* Rebuild now, so a registration the linker refuses fails here, not later. */
    r->linker_stale = true;
    if (!ensure_linker(r, err, sizeof err)) {
        /* Undo, so the next linker is built from registrations that worked. */
        if (added) {
            r->nregistrations--;
            free(r->registrations[i].as);
        } else {
            r->registrations[i].inst = previous;
        }
        r->linker_stale = true;
        record_failure(r, "%s", err);
        return;
    }
    record_pass(r);
}

/* Fails (and returns false) unless every expected value can be checked. */
static bool check_expected_values(script_run *r, const json_t *expected, bool *skip)
{
    char err[256];
    *skip = false;
    if (!json_is_array(expected)) {
        record_failure(r, "missing array field \"expected\"");
        return false;
    }
    for (size_t i = 0; i < json_array_size(expected); i++) {
        spec_status s = spec_check_expected(json_array_get(expected, i), err, sizeof err);
        if (s == SPEC_UNSUPPORTED) {
            record_skip(r, "expected value %zu: %s", i, err);
            *skip = true;
            return false;
        }
        if (s != SPEC_OK) {
            record_failure(r, "expected value %zu: %s", i, err);
            return false;
        }
    }
    return true;
}

static void run_assert_return(script_run *r, const json_t *cmd)
{
    char err[1024] = "";
    bool skip;
    const json_t *expected = json_object_get(cmd, "expected");
    if (!check_expected_values(r, expected, &skip)) return;

    action_result res;
    action_status status = run_action(r, cmd, &res, err, sizeof err);
    strbuf want = {0}, got = {0};
    format_expected_list(&want, expected);
    switch (status) {
    case ACTION_SKIPPED: record_skip(r, "%s", err); break;
    case ACTION_FAILED: record_failure(r, "%s", err); break;
    case ACTION_TRAPPED:
        record_failure(r, "expected %s, got trap: %s", strbuf_str(&want),
                       wg_trap_message(res.trap));
        break;
    case ACTION_DONE: {
        format_results(&got, &res);
        if (res.count != json_array_size(expected)) {
            record_failure(r, "expected %zu results %s, got %zu results %s",
                           json_array_size(expected), strbuf_str(&want), res.count,
                           strbuf_str(&got));
            break;
        }
        bool all_match = true;
        for (size_t i = 0; i < res.count && all_match; i++) {
            spec_status s = spec_match_value(json_array_get(expected, i), res.types[i],
                                             res.values[i], &all_match, err, sizeof err);
            if (s != SPEC_OK) {
                all_match = false;
                if (s == SPEC_UNSUPPORTED) {
                    record_skip(r, "expected value %zu: %s", i, err);
                } else {
                    record_failure(r, "expected value %zu: %s", i, err);
                }
                goto done;
            }
        }
        if (all_match) {
            record_pass(r);
        } else {
            record_failure(r, "expected %s, got %s", strbuf_str(&want), strbuf_str(&got));
        }
        break;
    }
    }
done:
    free(want.data);
    free(got.data);
    action_result_free(&res);
}

/* assert_trap (any trap passes) and assert_exhaustion (must be a stack overflow). */
static void run_assert_trap(script_run *r, const json_t *cmd, bool exhaustion)
{
    char err[1024] = "";
    const char *text = json_string_value(json_object_get(cmd, "text"));
    if (!text) text = "";
    action_result res;
    action_status status = run_action(r, cmd, &res, err, sizeof err);
    switch (status) {
    case ACTION_SKIPPED: record_skip(r, "%s", err); break;
    case ACTION_FAILED: record_failure(r, "%s", err); break;
    case ACTION_DONE: {
        strbuf got = {0};
        format_results(&got, &res);
        record_failure(r, "expected trap \"%s\", got %s", text, strbuf_str(&got));
        free(got.data);
        break;
    }
    case ACTION_TRAPPED: {
        const char *message = wg_trap_message(res.trap);
        wg_trap_kind kind = wg_trap_kind_of(res.trap);
        if (exhaustion && kind != WG_TRAP_STACK_EXHAUSTED) {
            /* The kind, not the message, is what must be right: show both. */
            record_failure(r, "expected call stack exhaustion, got a trap of kind %d: %s",
                           (int)kind, message);
            break;
        }
        /* The spec leaves trap wording to implementations; only mention a difference. */
        if (!strstr(message, text))
            note(r, "trap message \"%s\" does not contain \"%s\"", message, text);
        record_pass(r);
        break;
    }
    }
    action_result_free(&res);
}

/* A plain action: must not trap; results are not checked. */
static void run_action_command(script_run *r, const json_t *cmd)
{
    char err[1024] = "";
    action_result res;
    switch (run_action(r, cmd, &res, err, sizeof err)) {
    case ACTION_SKIPPED: record_skip(r, "%s", err); break;
    case ACTION_FAILED: record_failure(r, "%s", err); break;
    case ACTION_TRAPPED: record_failure(r, "unexpected trap: %s", wg_trap_message(res.trap)); break;
    case ACTION_DONE: record_pass(r); break;
    }
    action_result_free(&res);
}

/* assert_invalid and assert_malformed: a binary module the loader must reject. */
static void run_assert_rejected(script_run *r, const json_t *cmd)
{
    char err[1024] = "";
    bool read_failed;
    const char *text = json_string_value(json_object_get(cmd, "text"));
    if (!text) text = "";
    if (is_text_module(cmd)) {
        record_skip(r, "text-format module");
        return;
    }
    wg_module *m = load_module(r, cmd, &read_failed, err, sizeof err);
    if (m) {
        wg_module_free(m);
        record_failure(r, "module loaded, but should be rejected with \"%s\"", text);
        return;
    }
    if (read_failed) {
        record_failure(r, "%s", err);
        return;
    }
    note(r, "rejected as \"%s\" (the script expects \"%s\")", err, text);
    record_pass(r);
}

/*
 * assert_unlinkable (must fail to link: no trap) and assert_uninstantiable
 * (must trap while initialising).
 */
static void run_assert_instantiation_fails(script_run *r, const json_t *cmd, bool expect_trap)
{
    char err[1024] = "";
    bool read_failed;
    const char *text = json_string_value(json_object_get(cmd, "text"));
    if (!text) text = "";
    if (is_text_module(cmd)) {
        record_skip(r, "text-format module");
        return;
    }
    wg_module *m = load_module(r, cmd, &read_failed, err, sizeof err);
    if (!m) {
        record_failure(r, "%s%s", read_failed ? "" : "cannot load module: ", err);
        return;
    }
    if (!ensure_linker(r, err, sizeof err)) {
        wg_module_free(m);
        record_failure(r, "%s", err);
        return;
    }
    wg_trap *trap = NULL;
    wg_instance *inst = wg_instance_new(m, r->linker, &r->instance_options, &trap, err, sizeof err);
    wg_module_free(m);
    if (inst) {
        /*
         * Keep it: its start function or segments may already have put
         * references to it into shared tables.
         */
        add_instance(r, NULL, inst);
        record_failure(r, "module instantiated, but should fail with \"%s\"", text);
    } else if (trap && !expect_trap) {
        record_failure(r, "expected a link error \"%s\", got trap: %s", text,
                       wg_trap_message(trap));
    } else if (!trap && expect_trap) {
        record_failure(r, "expected a trap \"%s\", got a link error: %s", text, err);
    } else {
        const char *message = trap ? wg_trap_message(trap) : err;
        if (!strstr(message, text))
            note(r, "failed with \"%s\" (the script expects \"%s\")", message, text);
        record_pass(r);
    }
    if (trap) wg_trap_free(trap);
}

/* Prints the command being run (--verbose). */
static void print_command(script_run *r, const json_t *cmd)
{
    static const struct {
        const char *key, *label;
    } details[] = {{"field", "field"}, {"filename", "file"}, {"as", "as"}};
    const json_t *action = json_object_get(cmd, "action");
    printf("%s:%lld: %s", r->source, r->line, r->command);
    for (size_t i = 0; i < sizeof details / sizeof details[0]; i++) {
        const json_t *where = i == 0 ? action : cmd;
        const json_t *detail = json_object_get(where, details[i].key);
        if (json_is_string(detail)) {
            printf(" %s ", details[i].label);
            /* Quoted with escapes: names may hold NUL and control characters. */
            cli_print_quoted(stdout, json_string_value(detail), json_string_length(detail));
            break;
        }
    }
    putchar('\n');
}

static void run_command(script_run *r, const json_t *cmd, size_t index)
{
    const json_t *line = json_object_get(cmd, "line");
    r->line = json_is_integer(line) ? (long long)json_integer_value(line) : 0;
    r->command = "command";
    if (!json_is_object(cmd)) {
        record_failure(r, "command %zu is not a JSON object", index);
        return;
    }
    const char *type = json_string_value(json_object_get(cmd, "type"));
    if (!type) {
        record_failure(r, "command %zu has no string field \"type\"", index);
        return;
    }
    r->command = type;
    if (r->verbose) print_command(r, cmd);

    if (strcmp(type, "module") == 0) {
        run_module_command(r, cmd);
    } else if (strcmp(type, "register") == 0) {
        run_register_command(r, cmd);
    } else if (strcmp(type, "action") == 0) {
        run_action_command(r, cmd);
    } else if (strcmp(type, "assert_return") == 0) {
        run_assert_return(r, cmd);
    } else if (strcmp(type, "assert_trap") == 0) {
        run_assert_trap(r, cmd, false);
    } else if (strcmp(type, "assert_exhaustion") == 0) {
        run_assert_trap(r, cmd, true);
    } else if (strcmp(type, "assert_invalid") == 0 || strcmp(type, "assert_malformed") == 0) {
        run_assert_rejected(r, cmd);
    } else if (strcmp(type, "assert_unlinkable") == 0) {
        run_assert_instantiation_fails(r, cmd, false);
    } else if (strcmp(type, "assert_uninstantiable") == 0) {
        run_assert_instantiation_fails(r, cmd, true);
    } else {
        /* Commands of later proposals (assert_exception, ...): not ours to judge. */
        record_skip(r, "unsupported command type");
    }
}

/* The directory part of path ("." if none), malloc'd. */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return copy_string(".");
    if (slash == path) return copy_string("/");
    size_t n = (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (dir) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

static void script_run_free(script_run *r)
{
    /* The linker first: it holds references to registered instances and spectest. */
    if (r->linker) wg_linker_free(r->linker);
    for (size_t i = 0; i < r->nregistrations; i++)
        free(r->registrations[i].as);
    free(r->registrations);
    for (size_t i = 0; i < r->ninstances; i++) {
        if (r->instances[i].inst) wg_instance_free(r->instances[i].inst);
        free(r->instances[i].name);
    }
    free(r->instances);
    spectest_host_free(r->host);
    free(r->dir);
}

/* Runs a whole script. Returns the exit status. */
static int run_script(const char *path, bool verbose)
{
    json_error_t jerr;
    /* JSON_ALLOW_NUL: names.wast has export names with NUL bytes (looked up by length). */
    json_t *root = json_load_file(path, JSON_ALLOW_NUL, &jerr);
    if (!root) {
        if (jerr.line > 0) {
            cli_error("spectest", "%s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column,
                      jerr.text);
        } else {
            /* jansson's text already names the file ("unable to open PATH: ..."). */
            cli_error("spectest", "%s", jerr.text);
        }
        return CLI_EXIT_FAILURE;
    }
    const json_t *commands = json_object_get(root, "commands");
    if (!json_is_object(root) || !json_is_array(commands)) {
        cli_error("spectest",
                  "%s: not a wast2json script (expected an object with an array \"commands\")",
                  path);
        json_decref(root);
        return CLI_EXIT_FAILURE;
    }

    script_run r;
    memset(&r, 0, sizeof r);
    r.verbose = verbose;
    wg_instance_options_init(&r.instance_options);
    const json_t *source_json = json_object_get(root, "source_filename");
    const char *source = json_string_value(source_json);
    /* Lines refer to the .wast, so name it when the script says which it is. */
    r.source =
        source && source[0] && strlen(source) == json_string_length(source_json) ? source : path;
    r.dir = directory_of(path);
    char err[512] = "";
    r.host = spectest_host_new(verbose, err, sizeof err);
    if (!r.dir || !r.host) {
        cli_error("spectest", "%s: %s", path, r.dir ? err : "out of memory");
        script_run_free(&r);
        json_decref(root);
        return CLI_EXIT_FAILURE;
    }

    for (size_t i = 0; i < json_array_size(commands); i++)
        run_command(&r, json_array_get(commands, i), i);

    if (r.passed + r.failed == 0)
        printf("%s: nothing ran (%zu commands, all skipped): treating the script as failed\n",
               r.source, json_array_size(commands));
    printf("%u passed, %u failed, %u skipped\n", r.passed, r.failed, r.skipped);
    int status = r.failed == 0 && r.passed > 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
    script_run_free(&r);
    json_decref(root);
    return status;
}

int cli_cmd_spectest(int argc, char **argv)
{
    bool verbose = false, help = false;
    const cli_option options[] = {
        {"--verbose", 'v', false, &verbose, NULL},
    };
    int npositional = 0;
    char err[256];
    if (!cli_parse_options(argc, argv, options, sizeof options / sizeof options[0], &help,
                           &npositional, err, sizeof err))
        return cli_usage_error("spectest", cli_spectest_usage, "%s", err);
    if (help) {
        fputs(cli_spectest_usage, stdout);
        return CLI_EXIT_OK;
    }
    if (npositional == 0)
        return cli_usage_error("spectest", cli_spectest_usage, "missing FILE.json");
    if (npositional > 1)
        return cli_usage_error("spectest", cli_spectest_usage,
                               "expected one FILE.json, got %d arguments", npositional);
    return run_script(argv[1], verbose);
}
