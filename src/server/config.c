/*
 * config.c — parsing and checking the wasmgate YAML configuration (see config.h and
 * docs/configuration.md, which must stay true to this file).
 *
 * The file is loaded with libyaml's document API, which keeps each node's line, and walked
 * against the schema below. Every problem is reported as "FILE:LINE: PATH: what is wrong" and
 * the walk goes on, so one run lists every mistake. This file reads no module; it only checks
 * that the configuration makes sense (paths of granted directories are checked to exist,
 * because a missing mount is a deployment mistake worth catching at --check time).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "yaml_json.h"

/* Bounds on what a configuration may say: generous, but they keep a typo (an extra digit)
 * from asking for something absurd. */
#define MAX_WORKERS     1024u
#define MAX_BODY_LIMIT  (256u * 1024u * 1024u)
#define MAX_SECONDS     3600u
#define MAX_MODULES     1000u
#define MAX_CONFIG_SIZE (16u * 1024u * 1024u)

const char *wgsrv_section_name(wgsrv_section s)
{
    switch (s) {
    case WGSRV_AUTHENTICATION: return "authentication";
    case WGSRV_AUTHORIZATION: return "authorization";
    case WGSRV_ADMISSION: return "admission";
    default: return "?";
    }
}

/* ---- Error collection ------------------------------------------------------------------ */

typedef struct parser {
    yaml_document_t *doc;
    wgsrv_config *cfg;
    char *err;
    size_t errsz;
    size_t errlen;
    int nerrors;
    bool oom;
} parser;

/* Appends "FILE:LINE: PATH: message" as one line of the error report. */
static void report(parser *p, const yaml_node_t *node, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void report(parser *p, const yaml_node_t *node, const char *path, const char *fmt, ...)
{
    p->nerrors++;
    if (!p->err || p->errsz == 0 || p->errlen + 1 >= p->errsz) return;
    char *at = p->err + p->errlen;
    size_t room = p->errsz - p->errlen;
    int n;
    const char *sep = p->errlen ? "\n" : "";
    if (node)
        n = snprintf(at, room, "%s%s:%d: %s%s", sep, p->cfg->file, (int)node->start_mark.line + 1,
                     path, *path ? ": " : "");
    else
        n = snprintf(at, room, "%s%s: %s%s", sep, p->cfg->file, path, *path ? ": " : "");
    if (n < 0 || (size_t)n >= room) {
        p->errlen = p->errsz - 1;
        return;
    }
    p->errlen += (size_t)n;
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(p->err + p->errlen, p->errsz - p->errlen, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= p->errsz - p->errlen)
        p->errlen = p->errsz - 1;
    else
        p->errlen += (size_t)n;
}

static void report_oom(parser *p, const yaml_node_t *node, const char *path)
{
    if (!p->oom) report(p, node, path, "out of memory");
    p->oom = true;
}

/* ---- Small helpers --------------------------------------------------------------------- */

static char *dup_string(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Paths are for messages only: a path too long for the buffer is cut, not an error. */
static void child_key(char *out, size_t outsz, const char *parent, const char *key)
{
    int n = *parent ? snprintf(out, outsz, "%s.%s", parent, key) : snprintf(out, outsz, "%s", key);
    (void)n;
}

static void child_index(char *out, size_t outsz, const char *parent, size_t i)
{
    int n = snprintf(out, outsz, "%s[%zu]", parent, i);
    (void)n;
}

/* Quotes a scalar for a message, cut to a sensible length. */
static const char *quoted(const yaml_node_t *node, char *buf, size_t bufsz)
{
    if (node->type != YAML_SCALAR_NODE) {
        snprintf(buf, bufsz, "a %s", wgsrv_yaml_type_name(node));
        return buf;
    }
    const char *s = (const char *)node->data.scalar.value;
    size_t len = node->data.scalar.length;
    if (len > 60)
        snprintf(buf, bufsz, "\"%.57s...\"", s);
    else
        snprintf(buf, bufsz, "\"%s\"", s);
    return buf;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return (size_t)-1;
    size_t prev[65], cur[65];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, sizeof(size_t) * (lb + 1));
    }
    return prev[lb];
}

const char *wgsrv_did_you_mean(const char *word, const char *const *candidates)
{
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    for (size_t i = 0; candidates[i]; i++) {
        if (strcasecmp(word, candidates[i]) == 0) return candidates[i];
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_distance) {
            best_distance = d;
            best = candidates[i];
        }
    }
    /* Two edits turn short words into unrelated ones ("tls" into "url"); allow one there. */
    size_t allowed = strlen(word) <= 4 ? 1 : 2;
    return best_distance <= allowed ? best : NULL;
}

/* ---- Typed readers --------------------------------------------------------------------- */

/*
 * Each reader checks one node against the type a field needs and reports a message naming
 * the path on mismatch. They return false when they reported something.
 */

static bool expect_mapping(parser *p, const yaml_node_t *node, const char *path)
{
    if (node->type == YAML_MAPPING_NODE) return true;
    char q[96];
    report(p, node, path, "must be a mapping, got %s", quoted(node, q, sizeof q));
    return false;
}

/* A string: any non-null scalar (YAML would read `name: 123` as a number, but a module
 * called 123 is a fine string). */
static bool read_string(parser *p, const yaml_node_t *node, const char *path, char **out)
{
    char q[96];
    if (node->type != YAML_SCALAR_NODE) {
        report(p, node, path, "must be a string, got %s", quoted(node, q, sizeof q));
        return false;
    }
    if (wgsrv_yaml_scalar_type(node) == WGSRV_SCALAR_NULL) {
        report(p, node, path, "must be a string, got nothing (null)");
        return false;
    }
    if (strlen((const char *)node->data.scalar.value) != node->data.scalar.length) {
        report(p, node, path, "must not contain a NUL character");
        return false;
    }
    char *s = dup_string((const char *)node->data.scalar.value);
    if (!s) {
        report_oom(p, node, path);
        return false;
    }
    free(*out);
    *out = s;
    return true;
}

static bool read_bool(parser *p, const yaml_node_t *node, const char *path, bool *out)
{
    char q[96];
    if (node->type != YAML_SCALAR_NODE || wgsrv_yaml_scalar_type(node) != WGSRV_SCALAR_BOOL) {
        report(p, node, path, "must be true or false, got %s", quoted(node, q, sizeof q));
        return false;
    }
    const char *s = (const char *)node->data.scalar.value;
    *out = s[0] == 't' || s[0] == 'T';
    return true;
}

static bool read_u64(parser *p, const yaml_node_t *node, const char *path, uint64_t min,
                     uint64_t max, uint64_t *out)
{
    char q[96];
    const char *s = (const char *)node->data.scalar.value;
    bool ok = node->type == YAML_SCALAR_NODE && wgsrv_yaml_scalar_type(node) == WGSRV_SCALAR_INT &&
              s[0] != '-';
    unsigned long long v = 0;
    if (ok) {
        errno = 0;
        char *end;
        const char *digits = s[0] == '+' ? s + 1 : s;
        if (digits[0] == '0' && digits[1] == 'x')
            v = strtoull(digits + 2, &end, 16);
        else if (digits[0] == '0' && digits[1] == 'o')
            v = strtoull(digits + 2, &end, 8);
        else
            v = strtoull(digits, &end, 10);
        ok = errno == 0 && *end == '\0';
    }
    if (!ok || v < min || v > max) {
        if (max == UINT64_MAX)
            report(p, node, path, "must be an integer of at least %llu, got %s",
                   (unsigned long long)min, quoted(node, q, sizeof q));
        else
            report(p, node, path, "must be an integer from %llu to %llu, got %s",
                   (unsigned long long)min, (unsigned long long)max, quoted(node, q, sizeof q));
        return false;
    }
    *out = v;
    return true;
}

static bool read_u32(parser *p, const yaml_node_t *node, const char *path, uint32_t min,
                     uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (!read_u64(p, node, path, min, max, &v)) return false;
    *out = (uint32_t)v;
    return true;
}

static bool read_unsigned(parser *p, const yaml_node_t *node, const char *path, unsigned min,
                          unsigned max, unsigned *out)
{
    uint64_t v;
    if (!read_u64(p, node, path, min, max, &v)) return false;
    *out = (unsigned)v;
    return true;
}

/*
 * Walks a mapping's pairs. For each key found in `known` (NULL-terminated), mapping_next()
 * stops with the key's index in `known`, its value node and the value's path for messages
 * ("server.listen"); unknown keys and duplicates are reported here and skipped. Usage:
 *     mapping_iter it;
 *     if (!mapping_begin(p, &it, node, path, known)) return;
 *     while (mapping_next(p, &it)) switch (it.index) ... it.value ... it.where ...
 */
typedef struct mapping_iter {
    yaml_node_pair_t *pair, *end;
    const char *path; /* the mapping's */
    const char *const *known;
    unsigned seen;      /* bit per known key: duplicates are errors */
    int index;          /* the current key's index in known */
    yaml_node_t *value; /* the current key's value */
    char where[256];    /* the current value's path: path.key */
} mapping_iter;

/* Starts walking node; false (reported) when it is not a mapping. */
static bool mapping_begin(parser *p, mapping_iter *it, yaml_node_t *node, const char *path,
                          const char *const *known)
{
    if (!expect_mapping(p, node, path)) return false;
    it->pair = node->data.mapping.pairs.start;
    it->end = node->data.mapping.pairs.top;
    it->path = path;
    it->known = known;
    it->seen = 0;
    return true;
}

static bool mapping_next(parser *p, mapping_iter *it)
{
    const char *const *known = it->known;
    while (it->pair < it->end) {
        yaml_node_pair_t *pair = it->pair++;
        yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
        if (k->type != YAML_SCALAR_NODE) {
            report(p, k, it->path, "keys must be strings, got a %s", wgsrv_yaml_type_name(k));
            continue;
        }
        const char *name = (const char *)k->data.scalar.value;
        child_key(it->where, sizeof it->where, it->path, name);
        int found = -1;
        for (int i = 0; known[i]; i++)
            if (strcmp(known[i], name) == 0) found = i;
        if (found < 0) {
            const char *hint = wgsrv_did_you_mean(name, known);
            char list[512] = "";
            size_t used = 0;
            for (int i = 0; known[i] && used < sizeof list; i++) {
                int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", known[i]);
                if (n < 0) break;
                used += (size_t)n;
            }
            if (hint)
                report(p, k, it->where, "unknown field (did you mean \"%s\"?)", hint);
            else
                report(p, k, it->where, "unknown field (known fields: %s)", list);
            continue;
        }
        if (it->seen & (1u << found)) {
            report(p, k, it->where, "given twice");
            continue;
        }
        it->seen |= 1u << found;
        it->index = found;
        it->value = yaml_document_get_node(p->doc, pair->value);
        return true;
    }
    return false;
}

/* ---- server: --------------------------------------------------------------------------- */

static char *resolve_path(parser *p, const char *path)
{
    if (path[0] == '/' || !p->cfg->base_dir || !*p->cfg->base_dir) return dup_string(path);
    size_t n = strlen(p->cfg->base_dir) + strlen(path) + 2;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%s/%s", p->cfg->base_dir, path);
    return out;
}

/* Reads a file path field and resolves it against the config file's directory. */
static bool read_path(parser *p, const yaml_node_t *node, const char *path, char **out)
{
    char *raw = NULL;
    if (!read_string(p, node, path, &raw)) return false;
    if (!*raw) {
        report(p, node, path, "must not be empty");
        free(raw);
        return false;
    }
    char *resolved = resolve_path(p, raw);
    free(raw);
    if (!resolved) {
        report_oom(p, node, path);
        return false;
    }
    free(*out);
    *out = resolved;
    return true;
}

static void parse_tls(parser *p, yaml_node_t *node, const char *path)
{
    static const char *const known[] = {"certFile", "keyFile", "clientCAFile", NULL};
    mapping_iter it;
    if (!mapping_begin(p, &it, node, path, known)) return;
    while (mapping_next(p, &it)) {
        switch (it.index) {
        case 0: read_path(p, it.value, it.where, &p->cfg->cert_file); break;
        case 1: read_path(p, it.value, it.where, &p->cfg->key_file); break;
        case 2: read_path(p, it.value, it.where, &p->cfg->client_ca_file); break;
        }
    }
    if (!!p->cfg->cert_file != !!p->cfg->key_file)
        report(p, node, path, "certFile and keyFile go together; %s is missing",
               p->cfg->cert_file ? "keyFile" : "certFile");
}

static void parse_server(parser *p, yaml_node_t *node)
{
    static const char *const known[] = {"listen",
                                        "tls",
                                        "workers",
                                        "maxBodyBytes",
                                        "idleTimeoutSeconds",
                                        "readTimeoutSeconds",
                                        "shutdownGracePeriodSeconds",
                                        "maxConnections",
                                        "watch",
                                        "watchIntervalMs",
                                        NULL};
    wgsrv_config *c = p->cfg;
    mapping_iter it;
    if (!mapping_begin(p, &it, node, "server", known)) return;
    while (mapping_next(p, &it)) {
        switch (it.index) {
        case 0: {
            char *text = NULL, *host = NULL, msg[256];
            uint16_t port;
            if (!read_string(p, it.value, it.where, &text)) break;
            if (!wgsrv_parse_listen(text, &host, &port, msg, sizeof msg)) {
                report(p, it.value, it.where, "%s", msg);
            } else {
                free(c->listen_host);
                c->listen_host = host;
                c->listen_port = port;
            }
            free(text);
            break;
        }
        case 1: parse_tls(p, it.value, it.where); break;
        case 2: read_unsigned(p, it.value, it.where, 1, MAX_WORKERS, &c->workers); break;
        case 3: {
            uint64_t n;
            if (read_u64(p, it.value, it.where, 1024, MAX_BODY_LIMIT, &n))
                c->max_body_bytes = (size_t)n;
            break;
        }
        case 4: read_unsigned(p, it.value, it.where, 1, MAX_SECONDS, &c->idle_timeout_s); break;
        case 5: read_unsigned(p, it.value, it.where, 1, MAX_SECONDS, &c->read_timeout_s); break;
        case 6: read_unsigned(p, it.value, it.where, 0, MAX_SECONDS, &c->shutdown_grace_s); break;
        case 7: read_unsigned(p, it.value, it.where, 1, 1000000, &c->max_connections); break;
        case 8: read_bool(p, it.value, it.where, &c->watch); break;
        case 9: read_unsigned(p, it.value, it.where, 100, 3600000, &c->watch_interval_ms); break;
        }
    }
}

/* ---- limits (defaults: and a module's limits:) ------------------------------------------ */

static void parse_limits(parser *p, yaml_node_t *node, const char *path, wgsb_limits *l)
{
    static const char *const known[] = {"timeoutMs",      "maxMemoryPages", "fuel",
                                        "maxCallDepth",   "maxStackSlots",  "maxTableElements",
                                        "maxOutputBytes", "maxLogBytes",    NULL};
    mapping_iter it;
    if (!mapping_begin(p, &it, node, path, known)) return;
    uint64_t n;
    while (mapping_next(p, &it)) {
        switch (it.index) {
        case 0: read_u32(p, it.value, it.where, 0, 3600000, &l->timeout_ms); break;
        case 1: read_u32(p, it.value, it.where, 1, 65536, &l->max_memory_pages); break;
        case 2: read_u64(p, it.value, it.where, 0, UINT64_MAX, &l->fuel); break;
        case 3: read_u32(p, it.value, it.where, 1, 1000000, &l->max_call_depth); break;
        case 4: read_u32(p, it.value, it.where, 1024, 1u << 28, &l->max_stack_slots); break;
        case 5: read_u32(p, it.value, it.where, 1, 10000000, &l->max_table_elements); break;
        case 6:
            if (read_u64(p, it.value, it.where, 1, 1ull << 30, &n)) l->max_stdout_bytes = (size_t)n;
            break;
        case 7:
            if (read_u64(p, it.value, it.where, 0, 1ull << 30, &n)) l->max_stderr_bytes = (size_t)n;
            break;
        }
    }
}

/* ---- modules -------------------------------------------------------------------------- */

/* Converts a free-form node to compact JSON text, reporting conversion errors at their
 * exact node. */
static char *node_json_text(parser *p, yaml_node_t *node, const char *path, json_t **value_out)
{
    char msg[256], below[256], full[512];
    int line = 0;
    json_t *v = wgsrv_yaml_to_json(p->doc, node, msg, sizeof msg, &line, below, sizeof below);
    if (!v) {
        snprintf(full, sizeof full, "%s%s", path, below);
        /* The converter knows the line; a synthetic node carries it into report(). */
        yaml_node_t at = *node;
        at.start_mark.line = (size_t)(line > 0 ? line - 1 : 0);
        report(p, &at, full, "%s", msg);
        return NULL;
    }
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) report_oom(p, node, path);
    if (value_out)
        *value_out = v;
    else
        json_decref(v);
    return text;
}

static bool valid_module_name(const char *s)
{
    if (!*s || strlen(s) > 128) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.') return false;
    return true;
}

static void parse_capabilities(parser *p, yaml_node_t *node, const char *path,
                               wgsrv_module_config *m)
{
    static const char *const known[] = {"allowedHosts", "allowedPaths", "config", NULL};
    mapping_iter it;
    if (!mapping_begin(p, &it, node, path, known)) return;
    char item[300];
    while (mapping_next(p, &it)) {
        yaml_node_t *v = it.value;
        const char *sub = it.where;
        if (it.index == 0) {
            if (v->type != YAML_SEQUENCE_NODE) {
                char q[96];
                report(p, v, sub, "must be a list of host patterns, got %s",
                       quoted(v, q, sizeof q));
                continue;
            }
            size_t i = 0;
            for (yaml_node_item_t *e = v->data.sequence.items.start; e < v->data.sequence.items.top;
                 e++, i++) {
                yaml_node_t *h = yaml_document_get_node(p->doc, *e);
                child_index(item, sizeof item, sub, i);
                char *host = NULL;
                if (!read_string(p, h, item, &host)) continue;
                if (!*host || strchr(host, '/') || strchr(host, ' '))
                    report(p, h, item,
                           "must be a host name or glob such as \"*.example.com\", "
                           "got \"%s\"",
                           host);
                else if (!wgsb_manifest_add_host(&m->manifest, host))
                    report_oom(p, h, item);
                free(host);
            }
        } else if (it.index == 1) {
            if (!expect_mapping(p, v, sub)) continue;
            for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top;
                 pr++) {
                yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
                yaml_node_t *g = yaml_document_get_node(p->doc, pr->value);
                char *host = NULL, *guest = NULL;
                if (!read_string(p, k, sub, &host)) continue;
                snprintf(item, sizeof item, "%s[\"%s\"]", sub, host);
                bool ro = strncmp(host, "ro:", 3) == 0;
                const char *hp = ro ? host + 3 : host;
                if (read_string(p, g, item, &guest)) {
                    char *resolved = *hp ? resolve_path(p, hp) : NULL;
                    struct stat st;
                    if (!*hp)
                        report(p, k, item, "the host directory is empty");
                    else if (!resolved)
                        report_oom(p, k, item);
                    else if (guest[0] != '/')
                        report(p, g, item, "the guest path must be absolute, got \"%s\"", guest);
                    else if (stat(resolved, &st) != 0)
                        report(p, k, item, "%s: %s", resolved, strerror(errno));
                    else if (!S_ISDIR(st.st_mode))
                        report(p, k, item, "%s: not a directory", resolved);
                    else if (!wgsb_manifest_add_path(&m->manifest, resolved, guest, ro))
                        report_oom(p, k, item);
                    free(resolved);
                }
                free(host);
                free(guest);
            }
        } else {
            if (!expect_mapping(p, v, sub)) continue;
            for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top;
                 pr++) {
                yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
                yaml_node_t *val = yaml_document_get_node(p->doc, pr->value);
                char *ckey = NULL, *cval = NULL;
                if (!read_string(p, k, sub, &ckey)) continue;
                snprintf(item, sizeof item, "%s.%s", sub, ckey);
                if (val->type != YAML_SCALAR_NODE) {
                    report(p, val, item, "config values must be strings, got a %s",
                           wgsrv_yaml_type_name(val));
                } else if (read_string(p, val, item, &cval)) {
                    if (wgsb_manifest_config(&m->manifest, ckey))
                        report(p, k, item, "given twice");
                    else if (!wgsb_manifest_add_config(&m->manifest, ckey, cval))
                        report_oom(p, k, item);
                }
                free(ckey);
                free(cval);
            }
        }
    }
}

static bool hex_sha256(char *s)
{
    if (strlen(s) != 64) return false;
    for (char *c = s; *c; c++) {
        if (!isxdigit((unsigned char)*c)) return false;
        *c = (char)tolower((unsigned char)*c);
    }
    return true;
}

static void parse_module(parser *p, yaml_node_t *node, wgsrv_section section, const char *path,
                         wgsrv_module_config *m)
{
    static const char *const known[] = {
        "name",          "module", "sha256", "abi",          "settings", "mutating",
        "failurePolicy", "rules",  "limits", "capabilities", NULL};
    m->line = (int)node->start_mark.line + 1;
    m->where = dup_string(path);
    m->abi = WGABI_K8S_WASM;
    m->failure_policy = WGK8S_FAILURE_FAIL;
    if (!m->where) report_oom(p, node, path);
    mapping_iter it;
    if (!mapping_begin(p, &it, node, path, known)) return;
    bool admission = section == WGSRV_ADMISSION;
    const char *kind = wgsrv_section_name(section);
    char q[96];
    while (mapping_next(p, &it)) {
        yaml_node_t *v = it.value;
        const char *sub = it.where;
        switch (it.index) {
        case 0:
            if (read_string(p, v, sub, &m->name) && !valid_module_name(m->name)) {
                report(p, v, sub,
                       "must be 1-128 letters, digits, '-', '_' or '.' (it appears in URLs and "
                       "metrics), got %s",
                       quoted(v, q, sizeof q));
            }
            break;
        case 1: read_path(p, v, sub, &m->path); break;
        case 2:
            if (read_string(p, v, sub, &m->sha256) && !hex_sha256(m->sha256)) {
                report(p, v, sub, "must be 64 hexadecimal digits (a SHA-256), got %s",
                       quoted(v, q, sizeof q));
                free(m->sha256);
                m->sha256 = NULL;
            }
            break;
        case 3: {
            char *abi = NULL;
            if (!read_string(p, v, sub, &abi)) break;
            wgabi_kind k = 0;
            if (strcmp(abi, "k8s-wasm") == 0)
                k = WGABI_K8S_WASM;
            else if (strcmp(abi, "kubewarden") == 0)
                k = WGABI_KUBEWARDEN;
            else if (strcmp(abi, "extism") == 0)
                k = WGABI_EXTISM;
            if (!k)
                report(p, v, sub, "must be k8s-wasm, kubewarden or extism, got \"%s\"", abi);
            else if (k == WGABI_KUBEWARDEN && !admission)
                report(p, v, sub, "kubewarden policies serve admission only, not %s", kind);
            else
                m->abi = k;
            free(abi);
            break;
        }
        case 4: {
            free(m->settings);
            json_t *value = NULL;
            m->settings = node_json_text(p, v, sub, &value);
            if (value && m->abi == WGABI_KUBEWARDEN && !json_is_object(value)) {
                report(p, v, sub, "kubewarden settings must be a mapping, got a %s",
                       wgsrv_yaml_type_name(v));
            }
            json_decref(value);
            break;
        }
        case 5:
            if (!admission) {
                report(p, v, sub, "only admission modules can be mutating");
                break;
            }
            read_bool(p, v, sub, &m->mutating);
            break;
        case 6: {
            char *fp = NULL;
            if (!read_string(p, v, sub, &fp)) break;
            if (section == WGSRV_AUTHENTICATION)
                report(p, v, sub,
                       "does not apply to authentication (a failing authentication module is "
                       "always skipped); remove it");
            else if (strcmp(fp, "Fail") == 0)
                m->failure_policy = WGK8S_FAILURE_FAIL;
            else if (strcmp(fp, "Ignore") == 0)
                m->failure_policy = WGK8S_FAILURE_IGNORE;
            else
                report(p, v, sub, "must be Fail or Ignore, got \"%s\"", fp);
            free(fp);
            break;
        }
        case 7: {
            if (!admission) {
                report(p, v, sub, "only admission modules have rules");
                break;
            }
            if (v->type != YAML_SEQUENCE_NODE) {
                report(p, v, sub, "must be a list of rules, got %s", quoted(v, q, sizeof q));
                break;
            }
            json_t *value = NULL;
            char *text = node_json_text(p, v, sub, &value);
            if (!text) break;
            char msg[512];
            wgk8s_rules *rules = wgk8s_rules_parse(value, msg, sizeof msg);
            if (!rules) {
                /* The k8s layer names the rule ("rules[0].operations[1]: ..."); find that
                 * rule's line so the operator lands on it. */
                yaml_node_t *at = v;
                size_t ri;
                if (sscanf(msg, "rules[%zu]", &ri) == 1 &&
                    ri < (size_t)(v->data.sequence.items.top - v->data.sequence.items.start))
                    at = yaml_document_get_node(p->doc, v->data.sequence.items.start[ri]);
                report(p, at, path, "%s", msg);
                free(text);
            } else {
                wgk8s_rules_free(rules);
                free(m->rules_json);
                m->rules_json = text;
            }
            json_decref(value);
            break;
        }
        case 8: parse_limits(p, v, sub, &m->manifest.limits); break;
        case 9: parse_capabilities(p, v, sub, m); break;
        }
    }
    if (!m->name) report(p, node, path, "name: missing (every module needs a unique name)");
    if (!m->path) report(p, node, path, "module: missing (the path of the .wasm file)");
    if (m->name && !wgsb_manifest_set_name(&m->manifest, m->name)) report_oom(p, node, path);
}

/* Fields parse in file order, so `settings` may come before `abi`: re-check what depends on
 * the ABI once the whole entry is read. */
static void recheck_module(parser *p, yaml_node_t *node, const char *path,
                           const wgsrv_module_config *m)
{
    if (m->abi == WGABI_KUBEWARDEN && m->settings && m->settings[0] != '{')
        report(p, node, path, "settings: kubewarden settings must be a mapping");
}

static void parse_section(parser *p, yaml_node_t *node, wgsrv_section s)
{
    const char *path = wgsrv_section_name(s);
    if (node->type == YAML_SCALAR_NODE && wgsrv_yaml_scalar_type(node) == WGSRV_SCALAR_NULL)
        return; /* "admission:" with nothing under it: no modules */
    if (node->type != YAML_SEQUENCE_NODE) {
        char q[96];
        report(p, node, path, "must be a list of modules, got %s", quoted(node, q, sizeof q));
        return;
    }
    size_t n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    if (n > MAX_MODULES) {
        report(p, node, path, "at most %u modules, got %zu", MAX_MODULES, n);
        return;
    }
    if (n == 0) return;
    wgsrv_module_config *mods = calloc(n, sizeof *mods);
    if (!mods) {
        report_oom(p, node, path);
        return;
    }
    p->cfg->modules[s] = mods;
    for (size_t i = 0; i < n; i++) {
        wgsb_manifest_init(&mods[i].manifest);
        mods[i].manifest.limits = p->cfg->defaults;
        p->cfg->nmodules[s] = i + 1;
        char sub[64];
        child_index(sub, sizeof sub, path, i);
        yaml_node_t *entry = yaml_document_get_node(p->doc, node->data.sequence.items.start[i]);
        parse_module(p, entry, s, sub, &mods[i]);
        recheck_module(p, entry, sub, &mods[i]);
    }
}

/* Names are unique across all sections: they key metrics, logs and /validate/{name}. */
static void check_unique_names(parser *p)
{
    for (int s = 0; s < WGSRV_SECTION_COUNT; s++) {
        for (size_t i = 0; i < p->cfg->nmodules[s]; i++) {
            const wgsrv_module_config *a = &p->cfg->modules[s][i];
            if (!a->name) continue;
            for (int t = 0; t <= s; t++) {
                size_t end = t == s ? i : p->cfg->nmodules[t];
                for (size_t j = 0; j < end; j++) {
                    const wgsrv_module_config *b = &p->cfg->modules[t][j];
                    if (b->name && strcmp(a->name, b->name) == 0) {
                        yaml_node_t at = {0};
                        at.start_mark.line = (size_t)(a->line - 1);
                        char path[96];
                        snprintf(path, sizeof path, "%s.name", a->where ? a->where : "?");
                        report(p, &at, path,
                               "\"%s\" is already the name of %s (line %d); names must be unique",
                               a->name, b->where ? b->where : "?", b->line);
                    }
                }
            }
        }
    }
}

/* ---- The document ---------------------------------------------------------------------- */

static void parse_root(parser *p, yaml_node_t *root)
{
    static const char *const known[] = {"server",        "defaults",  "authentication",
                                        "authorization", "admission", NULL};
    if (!root ||
        (root->type == YAML_SCALAR_NODE && wgsrv_yaml_scalar_type(root) == WGSRV_SCALAR_NULL)) {
        report(p, NULL, "",
               "the configuration is empty (expected a mapping with server, defaults, "
               "authentication, authorization and admission)");
        return;
    }
    if (root->type != YAML_MAPPING_NODE) {
        char q[96];
        report(p, root, "(top level)", "must be a mapping, got %s", quoted(root, q, sizeof q));
        return;
    }
    /* defaults: must be known before any module copies them, wherever it is in the file. */
    yaml_node_t *sections[WGSRV_SECTION_COUNT] = {0};
    mapping_iter it;
    mapping_begin(p, &it, root, "", known); /* a mapping: checked above */
    while (mapping_next(p, &it)) {
        switch (it.index) {
        case 0: parse_server(p, it.value); break;
        case 1: parse_limits(p, it.value, "defaults", &p->cfg->defaults); break;
        case 2: sections[WGSRV_AUTHENTICATION] = it.value; break;
        case 3: sections[WGSRV_AUTHORIZATION] = it.value; break;
        case 4: sections[WGSRV_ADMISSION] = it.value; break;
        }
    }
    for (int s = 0; s < WGSRV_SECTION_COUNT; s++)
        if (sections[s]) parse_section(p, sections[s], (wgsrv_section)s);
    check_unique_names(p);
}

static wgsrv_config *config_new(const char *file, const char *base_dir)
{
    wgsrv_config *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->file = dup_string(file);
    c->base_dir = dup_string(base_dir ? base_dir : ".");
    c->listen_host = dup_string("0.0.0.0");
    c->listen_port = 8443;
    c->max_body_bytes = WGSRV_DEFAULT_MAX_BODY_BYTES;
    c->idle_timeout_s = WGSRV_DEFAULT_IDLE_TIMEOUT_S;
    c->read_timeout_s = WGSRV_DEFAULT_READ_TIMEOUT_S;
    c->shutdown_grace_s = WGSRV_DEFAULT_SHUTDOWN_GRACE_S;
    c->max_connections = WGSRV_DEFAULT_MAX_CONNECTIONS;
    c->watch = true;
    c->watch_interval_ms = WGSRV_DEFAULT_WATCH_INTERVAL_MS;
    wgsb_limits_init(&c->defaults);
    if (!c->file || !c->base_dir || !c->listen_host) {
        wgsrv_config_free(c);
        return NULL;
    }
    return c;
}

wgsrv_config *wgsrv_config_parse(const char *text, size_t len, const char *file,
                                 const char *base_dir, char *err, size_t errsz)
{
    if (err && errsz) err[0] = '\0';
    wgsrv_config *cfg = config_new(file, base_dir);
    if (!cfg) {
        if (err) snprintf(err, errsz, "%s: out of memory", file);
        return NULL;
    }
    yaml_parser_t yp;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&yp)) {
        if (err) snprintf(err, errsz, "%s: out of memory", file);
        wgsrv_config_free(cfg);
        return NULL;
    }
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    if (!yaml_parser_load(&yp, &doc)) {
        if (err)
            snprintf(err, errsz, "%s:%zu:%zu: not valid YAML: %s%s%s", file,
                     yp.problem_mark.line + 1, yp.problem_mark.column + 1,
                     yp.problem ? yp.problem : "syntax error", yp.context ? " " : "",
                     yp.context ? yp.context : "");
        yaml_parser_delete(&yp);
        wgsrv_config_free(cfg);
        return NULL;
    }
    /* A second document would be silently ignored by a one-document reader: refuse it. */
    yaml_document_t extra;
    bool more = false;
    if (yaml_parser_load(&yp, &extra)) {
        more = yaml_document_get_root_node(&extra) != NULL;
        yaml_document_delete(&extra);
    }
    parser p = {&doc, cfg, err, errsz, 0, 0, false};
    parse_root(&p, yaml_document_get_root_node(&doc));
    if (more) report(&p, NULL, "", "more than one YAML document (\"---\"); put everything in one");
    yaml_document_delete(&doc);
    yaml_parser_delete(&yp);
    if (p.nerrors) {
        wgsrv_config_free(cfg);
        return NULL;
    }
    return cfg;
}

wgsrv_config *wgsrv_config_load_file(const char *path, char *err, size_t errsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err) snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? cap * 2 : 16384;
            char *grown = cap <= MAX_CONFIG_SIZE ? realloc(text, cap) : NULL;
            if (!grown) {
                if (err)
                    snprintf(err, errsz, "%s: %s", path,
                             cap > MAX_CONFIG_SIZE ? "larger than 16 MiB" : "out of memory");
                free(text);
                fclose(f);
                return NULL;
            }
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    bool failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        if (err) snprintf(err, errsz, "%s: cannot read: %s", path, strerror(saved));
        free(text);
        return NULL;
    }
    /* Relative paths in the file are relative to the file's own directory. */
    char *dir = dup_string(path);
    if (!dir) {
        if (err) snprintf(err, errsz, "%s: out of memory", path);
        free(text);
        return NULL;
    }
    char *slash = strrchr(dir, '/');
    if (!slash)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    wgsrv_config *cfg = wgsrv_config_parse(text, len, path, dir, err, errsz);
    free(dir);
    free(text);
    return cfg;
}

static void free_module(wgsrv_module_config *m)
{
    free(m->name);
    free(m->path);
    free(m->sha256);
    free(m->settings);
    free(m->rules_json);
    free(m->where);
    wgsb_manifest_clear(&m->manifest);
}

void wgsrv_config_free(wgsrv_config *cfg)
{
    if (!cfg) return;
    for (int s = 0; s < WGSRV_SECTION_COUNT; s++) {
        for (size_t i = 0; i < cfg->nmodules[s]; i++)
            free_module(&cfg->modules[s][i]);
        free(cfg->modules[s]);
    }
    free(cfg->file);
    free(cfg->base_dir);
    free(cfg->listen_host);
    free(cfg->cert_file);
    free(cfg->key_file);
    free(cfg->client_ca_file);
    free(cfg);
}

const wgsrv_module_config *wgsrv_config_find(const wgsrv_config *cfg, wgsrv_section s,
                                             const char *name)
{
    for (size_t i = 0; i < cfg->nmodules[s]; i++)
        if (cfg->modules[s][i].name && strcmp(cfg->modules[s][i].name, name) == 0)
            return &cfg->modules[s][i];
    return NULL;
}

bool wgsrv_parse_listen(const char *text, char **host, uint16_t *port, char *err, size_t errsz)
{
    const char *colon;
    const char *h = text;
    size_t hlen;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':') {
            snprintf(err, errsz, "must be \"[IPv6]:port\", got \"%s\"", text);
            return false;
        }
        h = text + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon || strchr(text, ':') != colon) {
            snprintf(err, errsz, "must be \"host:port\" (\"[addr]:port\" for IPv6), got \"%s\"",
                     text);
            return false;
        }
        hlen = (size_t)(colon - text);
    }
    const char *ps = colon + 1;
    char *end;
    errno = 0;
    unsigned long p = strtoul(ps, &end, 10);
    if (!*ps || *end || errno || p == 0 || p > 65535 || !isdigit((unsigned char)*ps)) {
        snprintf(err, errsz, "the port must be 1-65535, got \"%s\"", ps);
        return false;
    }
    char *out = malloc(hlen + 8);
    if (!out) {
        snprintf(err, errsz, "out of memory");
        return false;
    }
    if (hlen == 0)
        strcpy(out, "0.0.0.0"); /* ":8443" means every address, as in Go */
    else {
        memcpy(out, h, hlen);
        out[hlen] = '\0';
    }
    *host = out;
    *port = (uint16_t)p;
    return true;
}
