/*
 * serve.c — `wasmgate serve` from start to exit: load, check, serve, reload, shut down.
 *
 * Threads: the main thread owns configuration loading. It blocks SIGTERM, SIGINT and SIGHUP
 * before any other thread exists (so every thread inherits the mask) and then waits for them
 * with sigtimedwait(), waking every watch interval to look for changed files. Loading a new
 * configuration therefore never races another load, and request threads never see a signal.
 *
 * Reload: the new configuration is parsed and every module loaded beside the serving one;
 * only a fully loaded runtime is swapped in (http.c), and a broken one is logged and dropped
 * while the old one keeps serving. Files are watched by polling stat() once per
 * watchIntervalMs (default 1 s) rather than inotify: it follows the symlink swaps Kubernetes
 * uses to update ConfigMap volumes, needs no descriptor per directory, and costs a few stat
 * calls a second.
 */
#include "server.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "runtime.h"
#include "tls.h"

#define ERRSZ 65536

/* ---- Watching files ------------------------------------------------------------------- */

typedef struct watched_file {
    char *path;
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
} watched_file;

typedef struct watchset {
    watched_file *files;
    size_t n;
} watchset;

static void watch_stat(watched_file *f)
{
    struct stat st;
    if (stat(f->path, &st) != 0) {
        f->exists = false;
        f->dev = 0, f->ino = 0, f->size = 0;
        f->mtime.tv_sec = 0, f->mtime.tv_nsec = 0;
        return;
    }
    f->exists = true;
    f->dev = st.st_dev, f->ino = st.st_ino, f->size = st.st_size;
    f->mtime = st.st_mtim;
}

static void watchset_clear(watchset *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->files[i].path);
    free(w->files);
    w->files = NULL;
    w->n = 0;
}

static bool watchset_add(watchset *w, const char *path)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->files[i].path, path) == 0) return true;
    watched_file *grown = realloc(w->files, (w->n + 1) * sizeof *grown);
    if (!grown) return false;
    w->files = grown;
    watched_file *f = &w->files[w->n];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    if (!f->path) return false;
    watch_stat(f);
    w->n++;
    return true;
}

static const char *watchset_changed(watchset *w)
{
    for (size_t i = 0; i < w->n; i++) {
        watched_file now = w->files[i];
        watch_stat(&now);
        watched_file *was = &w->files[i];
        if (now.exists != was->exists || now.dev != was->dev || now.ino != was->ino ||
            now.size != was->size || now.mtime.tv_sec != was->mtime.tv_sec ||
            now.mtime.tv_nsec != was->mtime.tv_nsec)
            return was->path;
    }
    return NULL;
}

/* ---- Loading --------------------------------------------------------------------------- */

typedef struct serve_state {
    const wgsrv_options *opts;
    char modules_dir[4096];
    wgsrv_metrics *metrics;
    uint64_t generation;
    watchset watch;
} serve_state;

const char *wgsrv_default_modules_dir(char *buf, unsigned bufsz)
{
    const char *env = getenv("WASMGATE_MODULES");
    if (env && *env) {
        snprintf(buf, bufsz, "%s", env);
        return buf;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char first[4096] = "";
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        /* build/src/cli/wasmgate → build/examples; PREFIX/bin/wasmgate → PREFIX/share/... */
        static const char *const rel[] = {"/../../examples", "/../share/wasmgate/modules"};
        for (size_t i = 0; i < 2; i++) {
            char cand[4200];
            snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
            if (i == 0) snprintf(first, sizeof first, "%s", cand);
            struct stat st;
            if (stat(cand, &st) == 0 && S_ISDIR(st.st_mode)) {
                char *real = realpath(cand, NULL);
                snprintf(buf, bufsz, "%s", real ? real : cand);
                free(real);
                return buf;
            }
        }
    }
    struct stat st;
    if (stat("/usr/share/wasmgate/modules", &st) == 0) {
        snprintf(buf, bufsz, "/usr/share/wasmgate/modules");
        return buf;
    }
    snprintf(buf, bufsz, "%s", first[0] ? first : "examples");
    return buf;
}

/* Logs a multi-line error report as one JSON line per problem. */
static void log_errors(const char *msg, const char *report)
{
    const char *p = report;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, n);
        wgsrv_log_message(WGSRV_LOG_ERROR, msg, line ? line : "(out of memory)");
        free(line);
        p = nl ? nl + 1 : NULL;
    }
}

static void module_log(void *arg, int level, const char *module, const char *message)
{
    (void)arg;
    wgsrv_log_level l = level <= 0   ? WGSRV_LOG_DEBUG
                        : level == 1 ? WGSRV_LOG_INFO
                        : level == 2 ? WGSRV_LOG_WARN
                                     : WGSRV_LOG_ERROR;
    if (!wgsrv_log_enabled(l)) return;
    wgsrv_strbuf b = {0};
    wgsrv_log_begin(&b, l, "module");
    wgsrv_log_str(&b, "module", module);
    wgsrv_log_str(&b, "detail", message);
    wgsrv_log_end(&b);
}

/* Parses the configuration (file or embedded) and applies the command-line overrides. */
static wgsrv_config *parse_config(serve_state *st, char *err, size_t errsz)
{
    const wgsrv_options *o = st->opts;
    wgsrv_config *cfg;
    if (o->config_path)
        cfg = wgsrv_config_load_file(o->config_path, err, errsz);
    else
        cfg = wgsrv_config_parse(wgsrv_embedded_config, strlen(wgsrv_embedded_config),
                                 "<embedded configuration>", st->modules_dir, err, errsz);
    if (!cfg) return NULL;
    if (o->listen) {
        char *host = NULL;
        uint16_t port = 0;
        char msg[256];
        /* "host:0" is allowed here (any free port, for tests); the file requires a port. */
        if (!wgsrv_parse_listen(o->listen, &host, &port, msg, sizeof msg)) {
            const char *colon = strrchr(o->listen, ':');
            if (colon && strcmp(colon, ":0") == 0) {
                host = strndup(o->listen[0] == '[' ? o->listen + 1 : o->listen,
                               (size_t)(colon - o->listen) - (o->listen[0] == '[' ? 2 : 0));
                if (host && !*host) {
                    free(host);
                    host = strdup("0.0.0.0");
                }
                port = 0;
            }
            if (!host) {
                snprintf(err, errsz, "--listen: %s", msg);
                wgsrv_config_free(cfg);
                return NULL;
            }
        }
        free(cfg->listen_host);
        cfg->listen_host = host;
        cfg->listen_port = port;
    }
    if (o->workers) cfg->workers = o->workers;
    return cfg;
}

/* Parses and loads a whole generation. NULL with every error in err. Either way, the watch
 * list becomes the files this attempt read, each stat'ed before it was read, so that a change
 * made during the load is seen by the next poll and a broken state is not retried until
 * something changes again. */
static wgsrv_runtime *load_generation(serve_state *st, uint64_t generation, char *err, size_t errsz)
{
    watchset next = {0};
    if (st->opts->config_path) watchset_add(&next, st->opts->config_path);
    wgsrv_config *cfg = parse_config(st, err, errsz);
    if (cfg) {
        for (int s = 0; s < WGSRV_SECTION_COUNT; s++)
            for (size_t i = 0; i < cfg->nmodules[s]; i++)
                watchset_add(&next, cfg->modules[s][i].path);
    } else {
        /* The modules of the serving configuration are still worth watching. */
        for (size_t i = 0; i < st->watch.n; i++)
            watchset_add(&next, st->watch.files[i].path);
    }
    watchset_clear(&st->watch);
    st->watch = next;
    if (!cfg) return NULL;
    return wgsrv_runtime_load(cfg, st->metrics, generation, module_log, NULL, err, errsz);
}

static void log_loaded(const char *msg, const wgsrv_runtime *rt, const char *reason)
{
    wgsrv_strbuf b = {0};
    wgsrv_log_begin(&b, WGSRV_LOG_INFO, msg);
    wgsrv_log_str(&b, "config", rt->cfg->file);
    wgsrv_log_str(&b, "reason", reason);
    wgsrv_log_int(&b, "generation", (long long)rt->generation);
    wgsrv_strbuf_puts(&b, ",\"modules\":[");
    bool first = true;
    for (int s = 0; s < WGSRV_SECTION_COUNT; s++)
        for (size_t i = 0; i < rt->nmodules[s]; i++) {
            const wgsrv_loaded_module *lm = &rt->modules[s][i];
            wgsrv_strbuf_printf(&b, "%s{\"section\":\"%s\",\"name\":\"", first ? "" : ",",
                                wgsrv_section_name((wgsrv_section)s));
            wgsrv_strbuf_json_escape(&b, lm->cfg->name);
            wgsrv_strbuf_printf(&b, "\",\"abi\":\"%s\",\"sha256\":\"%s\"}",
                                wgabi_kind_name(lm->cfg->abi), lm->sha256);
            first = false;
        }
    wgsrv_strbuf_puts(&b, "]");
    wgsrv_log_end(&b);
}

/* What cannot change without a restart: the socket, TLS and the worker pool. */
static void warn_restart_fields(const wgsrv_config *old, const wgsrv_config *cur)
{
#define DIFF_STR(a, b) ((a) != (b) && (!(a) || !(b) || strcmp((a), (b)) != 0))
    char what[512] = "";
    size_t n = 0;
    if (DIFF_STR(old->listen_host, cur->listen_host) || old->listen_port != cur->listen_port)
        n += (size_t)snprintf(what + n, sizeof what - n, "server.listen ");
    if (DIFF_STR(old->cert_file, cur->cert_file) || DIFF_STR(old->key_file, cur->key_file) ||
        DIFF_STR(old->client_ca_file, cur->client_ca_file))
        n += (size_t)snprintf(what + n, sizeof what - n, "server.tls ");
    if (old->workers != cur->workers)
        n += (size_t)snprintf(what + n, sizeof what - n, "server.workers ");
    if (old->idle_timeout_s != cur->idle_timeout_s)
        n += (size_t)snprintf(what + n, sizeof what - n, "server.idleTimeoutSeconds ");
    if (old->max_connections != cur->max_connections)
        n += (size_t)snprintf(what + n, sizeof what - n, "server.maxConnections ");
#undef DIFF_STR
    if (n)
        wgsrv_log_message(WGSRV_LOG_WARN,
                          "changed settings take effect only after a restart (modules, "
                          "defaults, limits, body size, read timeout and watching were reloaded)",
                          what);
}

static void reload(serve_state *st, wgsrv_http *http, const char *reason)
{
    char *err = malloc(ERRSZ);
    if (!err) {
        wgsrv_log_message(WGSRV_LOG_ERROR, "reload failed", "out of memory");
        wgsrv_metrics_reload(st->metrics, false, 0);
        return;
    }
    uint64_t started = st->generation + 1;
    wgsrv_runtime *rt = load_generation(st, started, err, ERRSZ);
    if (!rt) {
        log_errors("reload failed; the previous configuration keeps serving", err);
        wgsrv_metrics_reload(st->metrics, false, 0);
        free(err);
        return;
    }
    free(err);
    st->generation = started;
    wgsrv_runtime *old = wgsrv_http_acquire(http);
    if (old) {
        warn_restart_fields(old->cfg, rt->cfg);
        wgsrv_runtime_release(old);
    }
    log_loaded("configuration reloaded", rt, reason);
    wgsrv_http_set_runtime(http, rt);
    wgsrv_metrics_reload(st->metrics, true, started);
}

/* ---- Entry point ----------------------------------------------------------------------- */

static void print_try_it(const wgsrv_tls *tls, const char *bound, const char *modules_dir)
{
    printf("wasmgate is serving the embedded example configuration on https://%s\n", bound);
    printf("  modules: %s\n", modules_dir);
    if (tls->self_signed_cert)
        printf("  self-signed certificate (for --cacert): %s\n", tls->self_signed_cert);
    printf("Try it (from the wasmgate source tree):\n");
    printf("  curl --cacert %s -H 'Content-Type: application/json' \\\n"
           "       --data @tests/fixtures/admission/pod-privileged-create.json \\\n"
           "       'https://%s/validate?timeout=10s'\n",
           tls->self_signed_cert ? tls->self_signed_cert : "CA.crt", bound);
    printf("Other endpoints: POST /authenticate /authorize /mutate /validate/{name} "
           "/mutate/{name}; GET /healthz /readyz /metrics. Stop with Ctrl-C.\n");
    fflush(stdout);
}

int wgsrv_main(const wgsrv_options *o)
{
    if (o->log_level) {
        wgsrv_log_level level;
        if (!wgsrv_log_level_parse(o->log_level, &level)) {
            fprintf(stderr, "wasmgate serve: --log-level must be debug, info, warn or error\n");
            return 2;
        }
        wgsrv_log_set_level(level);
    }
    /* Jansson seeds its hash on first use; do it before threads exist. */
    json_object_seed(0);

    serve_state st;
    memset(&st, 0, sizeof st);
    st.opts = o;
    if (o->modules_dir)
        snprintf(st.modules_dir, sizeof st.modules_dir, "%s", o->modules_dir);
    else
        wgsrv_default_modules_dir(st.modules_dir, sizeof st.modules_dir);
    st.metrics = wgsrv_metrics_new();
    char *err = malloc(ERRSZ);
    if (!st.metrics || !err) {
        fprintf(stderr, "wasmgate serve: out of memory\n");
        wgsrv_metrics_free(st.metrics);
        free(err);
        return 1;
    }
    int status = 1;
    wgsrv_http *http = NULL;
    wgsrv_tls tls;
    memset(&tls, 0, sizeof tls);

    st.generation = 1;
    wgsrv_runtime *rt = load_generation(&st, st.generation, err, ERRSZ);
    if (!rt) {
        if (o->check)
            fprintf(stderr, "%s\n", err);
        else
            log_errors("configuration error", err);
        goto done;
    }
    if (!wgsrv_tls_load(rt->cfg, &tls, err, ERRSZ)) {
        if (o->check)
            fprintf(stderr, "%s: %s\n", rt->cfg->file, err);
        else
            log_errors("configuration error", err);
        wgsrv_runtime_release(rt);
        goto done;
    }
    if (o->check) {
        printf("%s: OK (%zu authentication, %zu authorization, %zu admission modules loaded; "
               "TLS %s)\n",
               rt->cfg->file, rt->nmodules[WGSRV_AUTHENTICATION], rt->nmodules[WGSRV_AUTHORIZATION],
               rt->nmodules[WGSRV_ADMISSION],
               tls.self_signed ? "self-signed (no certFile configured)"
               : tls.ca_pem    ? "with client certificates"
                               : "configured");
        for (int s = 0; s < WGSRV_SECTION_COUNT; s++)
            for (size_t i = 0; i < rt->nmodules[s]; i++)
                printf("  %-14s %-24s %-10s sha256:%s\n", wgsrv_section_name((wgsrv_section)s),
                       rt->modules[s][i].cfg->name, wgabi_kind_name(rt->modules[s][i].cfg->abi),
                       rt->modules[s][i].sha256);
        wgsrv_runtime_release(rt);
        status = 0;
        goto done;
    }

    /* Signals: blocked here, before any thread starts, and taken with sigtimedwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    wgsrv_http_options ho = {rt->cfg->listen_host,    rt->cfg->listen_port,     rt->cfg->workers,
                             rt->cfg->idle_timeout_s, rt->cfg->max_connections, &tls};
    char bound[300];
    http = wgsrv_http_start(&ho, st.metrics, bound, sizeof bound, err, ERRSZ);
    if (!http) {
        log_errors("cannot start the server", err);
        wgsrv_runtime_release(rt);
        goto done;
    }
    unsigned grace = rt->cfg->shutdown_grace_s;
    bool watch = rt->cfg->watch;
    unsigned interval_ms = rt->cfg->watch_interval_ms;
    log_loaded("configuration loaded", rt, "start");
    wgsrv_http_set_runtime(http, rt);
    wgsrv_metrics_first_load(st.metrics, st.generation);
    {
        wgsrv_strbuf b = {0};
        wgsrv_log_begin(&b, WGSRV_LOG_INFO, "serving");
        wgsrv_log_str(&b, "address", bound);
        wgsrv_log_int(&b, "workers", wgsrv_http_workers(http));
        wgsrv_log_str(&b, "tls", tls.self_signed ? "self-signed" : "configured");
        wgsrv_log_bool(&b, "clientCertificates", tls.ca_pem != NULL);
        wgsrv_log_str(&b, "selfSignedCertificate", tls.self_signed_cert);
        wgsrv_log_bool(&b, "watch", watch);
        wgsrv_log_end(&b);
    }
    if (!o->config_path) print_try_it(&tls, bound, st.modules_dir);

    for (;;) {
        /* The watch interval and shutdown grace follow the serving configuration. */
        struct timespec wait = {interval_ms / 1000, (long)(interval_ms % 1000) * 1000000L};
        siginfo_t info;
        int sig = sigtimedwait(&set, &info, &wait);
        if (sig == SIGTERM || sig == SIGINT) {
            wgsrv_log_message(WGSRV_LOG_INFO, "shutting down",
                              sig == SIGTERM ? "SIGTERM" : "SIGINT");
            break;
        }
        if (sig == SIGHUP) {
            reload(&st, http, "SIGHUP");
        } else if (watch) {
            const char *changed = watchset_changed(&st.watch);
            if (changed) {
                char reason[4200];
                snprintf(reason, sizeof reason, "changed: %s", changed);
                reload(&st, http, reason);
            }
        }
        wgsrv_runtime *cur = wgsrv_http_acquire(http);
        if (cur) {
            grace = cur->cfg->shutdown_grace_s;
            watch = cur->cfg->watch;
            interval_ms = cur->cfg->watch_interval_ms;
            wgsrv_runtime_release(cur);
        }
    }
    wgsrv_http_stop(http, grace);
    wgsrv_log_message(WGSRV_LOG_INFO, "stopped", NULL);
    status = 0;

done:
    wgsrv_tls_clear(&tls);
    watchset_clear(&st.watch);
    wgsrv_metrics_free(st.metrics);
    free(err);
    return status;
}
