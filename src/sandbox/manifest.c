/*
 * manifest.c — the capability manifest: building it (grants, hosts,
 * config, environment, arguments), copying and freeing it, deciding whether
 * a URL's host is allowed, and the log function every denial goes through.
 *
 * A manifest is plain data: it opens nothing and checks nothing against the
 * host. wgsb_sandbox_new() (sandbox.c) is where grants meet the file system.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox_internal.h"

void wgsb_limits_init(wgsb_limits *l)
{
    memset(l, 0, sizeof *l);
    l->timeout_ms = 2000;
    l->max_memory_pages = 256;
    l->fuel = 0;
    l->max_call_depth = 10000;
    l->max_stack_slots = 131072;
    l->max_table_elements = 100000;
    l->max_stdout_bytes = 4u << 20;
    l->max_stderr_bytes = 64u << 10;
    l->max_open_files = 64;
}

void wgsb_manifest_init(wgsb_manifest *m)
{
    memset(m, 0, sizeof *m);
    wgsb_limits_init(&m->limits);
    /* If this allocation fails the name stays NULL, which every user reads as "module". */
    m->name = strdup(WGSB_DEFAULT_NAME);
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void wgsb_manifest_clear(wgsb_manifest *m)
{
    free(m->name);
    free_strings(m->allowed_hosts, m->nallowed_hosts);
    for (size_t i = 0; i < m->npaths; i++) {
        free(m->paths[i].host_path);
        free(m->paths[i].guest_path);
    }
    free(m->paths);
    for (size_t i = 0; i < m->nconfig; i++) {
        free(m->config[i].key);
        free(m->config[i].value);
    }
    free(m->config);
    free_strings(m->env, m->nenv);
    free_strings(m->args, m->nargs);
    memset(m, 0, sizeof *m);
}

/* strdup that maps NULL to NULL and reports failure through *ok. */
static char *dup_or_fail(const char *s, bool *ok)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) *ok = false;
    return d;
}

static char **dup_strings(char *const *v, size_t n, bool *ok)
{
    if (n == 0) return NULL;
    char **d = calloc(n, sizeof *d);
    if (!d) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = dup_or_fail(v[i], ok);
    return d;
}

bool wgsb_manifest_copy(wgsb_manifest *dst, const wgsb_manifest *src)
{
    bool ok = true;
    memset(dst, 0, sizeof *dst);
    dst->limits = src->limits;
    dst->log = src->log;
    dst->log_arg = src->log_arg;
    dst->name = dup_or_fail(src->name, &ok);
    dst->allowed_hosts = dup_strings(src->allowed_hosts, src->nallowed_hosts, &ok);
    if (dst->allowed_hosts) dst->nallowed_hosts = src->nallowed_hosts;
    dst->env = dup_strings(src->env, src->nenv, &ok);
    if (dst->env) dst->nenv = src->nenv;
    dst->args = dup_strings(src->args, src->nargs, &ok);
    if (dst->args) dst->nargs = src->nargs;
    if (src->npaths) {
        dst->paths = calloc(src->npaths, sizeof *dst->paths);
        if (dst->paths) {
            dst->npaths = src->npaths;
            for (size_t i = 0; i < src->npaths; i++) {
                dst->paths[i].host_path = dup_or_fail(src->paths[i].host_path, &ok);
                dst->paths[i].guest_path = dup_or_fail(src->paths[i].guest_path, &ok);
                dst->paths[i].read_only = src->paths[i].read_only;
            }
        } else {
            ok = false;
        }
    }
    if (src->nconfig) {
        dst->config = calloc(src->nconfig, sizeof *dst->config);
        if (dst->config) {
            dst->nconfig = src->nconfig;
            for (size_t i = 0; i < src->nconfig; i++) {
                dst->config[i].key = dup_or_fail(src->config[i].key, &ok);
                dst->config[i].value = dup_or_fail(src->config[i].value, &ok);
            }
        } else {
            ok = false;
        }
    }
    if (!ok) wgsb_manifest_clear(dst);
    return ok;
}

bool wgsb_manifest_set_name(wgsb_manifest *m, const char *name)
{
    if (!name) return false;
    char *d = strdup(name);
    if (!d) return false;
    free(m->name);
    m->name = d;
    return true;
}

/* Appends s (copied) to a string vector. */
static bool push_string(char ***v, size_t *n, const char *s)
{
    char *d = strdup(s);
    if (!d) return false;
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) {
        free(d);
        return false;
    }
    nv[(*n)++] = d;
    *v = nv;
    return true;
}

/* ASCII lower case, whatever the locale: host names compare case-insensitively. */
static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool wgsb_manifest_add_host(wgsb_manifest *m, const char *glob)
{
    if (!glob || !*glob) return false;
    char *lowered = strdup(glob);
    if (!lowered) return false;
    /* Hosts compare case-insensitively: store the glob lower-cased once. */
    for (char *p = lowered; *p; p++)
        *p = lower(*p);
    bool ok = push_string(&m->allowed_hosts, &m->nallowed_hosts, lowered);
    free(lowered);
    return ok;
}

static void errf(char *err, size_t errsz, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void errf(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || !errsz) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

/* True if the '/'-separated path has a ".." component. */
static bool has_dotdot(const char *p)
{
    while (*p) {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p && *p != '/')
            p++;
        if (p - start == 2 && start[0] == '.' && start[1] == '.') return true;
    }
    return false;
}

bool wgsb_check_grant(const char *host_path, const char *guest_path, char *err, size_t errsz)
{
    char q[160];
    if (!host_path || !*host_path) {
        errf(err, errsz, "directory grant has an empty host path");
        return false;
    }
    if (!guest_path || !*guest_path) {
        errf(err, errsz, "directory grant for %s has an empty guest path",
             wgsb_quote(host_path, strlen(host_path), q, sizeof q));
        return false;
    }
    /*
     * The guest path is only a name the guest's libc matches path prefixes
     * against; ".." in it would make that matching ambiguous, so refuse it.
     */
    if (has_dotdot(guest_path)) {
        errf(err, errsz, "directory grant guest path %s must not contain \"..\"",
             wgsb_quote(guest_path, strlen(guest_path), q, sizeof q));
        return false;
    }
    return true;
}

bool wgsb_manifest_add_grant(wgsb_manifest *m, const char *host_path, const char *guest_path,
                             bool read_only, char *err, size_t errsz)
{
    if (!wgsb_check_grant(host_path, guest_path, err, errsz)) return false;
    char *host = strdup(host_path);
    char *guest = strdup(guest_path);
    wgsb_path_grant *np = realloc(m->paths, (m->npaths + 1) * sizeof *np);
    if (!host || !guest || !np) {
        free(host);
        free(guest);
        if (np) m->paths = np;
        errf(err, errsz, "out of memory");
        return false;
    }
    /* "/data/" and "/data" name the same directory: keep one spelling (but "/" stays). */
    size_t glen = strlen(guest);
    while (glen > 1 && guest[glen - 1] == '/')
        guest[--glen] = '\0';
    m->paths = np;
    m->paths[m->npaths++] = (wgsb_path_grant){host, guest, read_only};
    return true;
}

bool wgsb_manifest_add_path(wgsb_manifest *m, const char *host_path, const char *guest_path,
                            bool read_only)
{
    return wgsb_manifest_add_grant(m, host_path, guest_path, read_only, NULL, 0);
}

bool wgsb_manifest_add_path_spec(wgsb_manifest *m, const char *spec, char *err, size_t errsz)
{
    char q[200];
    if (!spec || !*spec) {
        errf(err, errsz, "empty directory grant (expected [ro:]HOST::GUEST)");
        return false;
    }
    bool ro = strncmp(spec, "ro:", 3) == 0;
    const char *host = ro ? spec + 3 : spec;
    /* Split at the first "::": a host path with "::" in it cannot be granted this way. */
    const char *sep = strstr(host, "::");
    if (!sep) {
        errf(err, errsz, "directory grant %s has no \"::\" (expected [ro:]HOST::GUEST)",
             wgsb_quote(spec, strlen(spec), q, sizeof q));
        return false;
    }
    if (sep == host) {
        errf(err, errsz, "directory grant %s has an empty host path (expected [ro:]HOST::GUEST)",
             wgsb_quote(spec, strlen(spec), q, sizeof q));
        return false;
    }
    if (sep[2] == '\0') {
        errf(err, errsz, "directory grant %s has an empty guest path (expected [ro:]HOST::GUEST)",
             wgsb_quote(spec, strlen(spec), q, sizeof q));
        return false;
    }
    size_t hlen = (size_t)(sep - host);
    char *hostcopy = malloc(hlen + 1);
    if (!hostcopy) {
        errf(err, errsz, "out of memory");
        return false;
    }
    memcpy(hostcopy, host, hlen);
    hostcopy[hlen] = '\0';
    bool ok = wgsb_manifest_add_grant(m, hostcopy, sep + 2, ro, err, errsz);
    free(hostcopy);
    return ok;
}

bool wgsb_manifest_add_config(wgsb_manifest *m, const char *key, const char *value)
{
    if (!key || !value) return false;
    /* A later value for the same key replaces the earlier one. */
    for (size_t i = 0; i < m->nconfig; i++) {
        if (strcmp(m->config[i].key, key) == 0) {
            char *v = strdup(value);
            if (!v) return false;
            free(m->config[i].value);
            m->config[i].value = v;
            return true;
        }
    }
    char *k = strdup(key);
    char *v = strdup(value);
    wgsb_config_entry *nc = realloc(m->config, (m->nconfig + 1) * sizeof *nc);
    if (!k || !v || !nc) {
        free(k);
        free(v);
        if (nc) m->config = nc;
        return false;
    }
    m->config = nc;
    m->config[m->nconfig++] = (wgsb_config_entry){k, v};
    return true;
}

bool wgsb_manifest_add_env(wgsb_manifest *m, const char *key_equals_value)
{
    if (!key_equals_value) return false;
    const char *eq = strchr(key_equals_value, '=');
    if (!eq || eq == key_equals_value) return false; /* "K=V" with a non-empty K */
    return push_string(&m->env, &m->nenv, key_equals_value);
}

bool wgsb_manifest_add_arg(wgsb_manifest *m, const char *arg)
{
    if (!arg) return false;
    return push_string(&m->args, &m->nargs, arg);
}

const char *wgsb_manifest_config(const wgsb_manifest *m, const char *key)
{
    if (!key) return NULL;
    for (size_t i = 0; i < m->nconfig; i++)
        if (strcmp(m->config[i].key, key) == 0) return m->config[i].value;
    return NULL;
}

/* ---- Hosts ----------------------------------------------------------------- */

/*
 * Glob match of a lower-case host against a pattern (its letters compared
 * lower-cased, for globs put into the array directly): '*' any run
 * of characters (dots too, like the glob crate Extism uses), '?' one
 * character. Iterative with one backtrack point, so linear-ish and without
 * recursion on hostile patterns.
 */
static bool glob_match(const char *pat, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*pat == '*') {
            star = pat++;
            resume = s;
        } else if (*pat == '?' || lower(*pat) == *s) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

static bool host_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/*
 * Normalises a host into buf: lower case, one trailing dot dropped. Only
 * DNS-name characters, or an IPv6 literal in brackets, are accepted:
 * anything else (percent-encoding, spaces, an empty host) is no host at all,
 * so it can never match a glob by accident.
 */
static bool normalize_host(const char *h, size_t len, char *buf, size_t bufsz)
{
    if (len == 0 || len >= bufsz) return false;
    bool bracketed = h[0] == '[';
    for (size_t i = 0; i < len; i++) {
        char c = lower(h[i]);
        bool ok = host_char_ok(c) ||
                  (bracketed && (c == ':' || (i == 0 && c == '[') || (i == len - 1 && c == ']')));
        if (!ok) return false;
        buf[i] = c;
    }
    if (bracketed && (len < 3 || h[len - 1] != ']')) return false;
    if (!bracketed && len > 1 && buf[len - 1] == '.') len--;
    buf[len] = '\0';
    return buf[0] != '.' && buf[0] != '\0';
}

/* True if the host (len bytes) matches a glob of the manifest once normalised. */
static bool host_allowed(const wgsb_manifest *m, const char *host, size_t len)
{
    char norm[256];
    if (!normalize_host(host, len, norm, sizeof norm)) return false;
    for (size_t i = 0; i < m->nallowed_hosts; i++)
        if (glob_match(m->allowed_hosts[i], norm)) return true;
    return false;
}

bool wgsb_manifest_allows_host(const wgsb_manifest *m, const char *host)
{
    return host && host_allowed(m, host, strlen(host));
}

bool wgsb_manifest_allows_url(const wgsb_manifest *m, const char *url)
{
    if (!url || m->nallowed_hosts == 0) return false;
    /* scheme "://" authority: a URL without a scheme has no host to check. */
    const char *p = url;
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) return false;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '-' || *p == '.')
        p++;
    if (strncmp(p, "://", 3) != 0) return false;
    const char *auth = p + 3;
    size_t alen = strcspn(auth, "/?#");
    /* user:password@host — the host is after the last '@'. */
    const char *host = auth;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@') host = auth + i + 1;
    const char *end = auth + alen;
    const char *hend;
    if (host < end && *host == '[') {
        hend = memchr(host, ']', (size_t)(end - host));
        if (!hend) return false;
        hend++;
        if (hend < end && *hend != ':') return false;
    } else {
        hend = memchr(host, ':', (size_t)(end - host));
        if (!hend) hend = end;
    }
    return host_allowed(m, host, (size_t)(hend - host));
}

/* ---- Logging -------------------------------------------------------------- */

void wgsb_log(const wgsb_manifest *m, int level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *name = wgsb_module_name(m);
    if (m->log) {
        m->log(m->log_arg, level, name, msg);
        return;
    }
    /* The default sink: warnings and errors, one whole line per write. */
    if (level < 1) return;
    char line[1200];
    snprintf(line, sizeof line, "wasmgate: module %s: %s\n", name, msg);
    fputs(line, stderr);
}
