/*
 * ctx.c — the per-run context: standard streams (buffers or pass-through),
 * captured output under its limits, the guest's file descriptor table,
 * exit status, deadline and fuel bookkeeping, and the rate-limited log of
 * denied attempts.
 *
 * A context belongs to one thread at a time. Creating one allocates two
 * small blocks and makes no system call: the granted directories are the
 * sandbox's fds, referred to, never reopened.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox_internal.h"

/* Denial log lines per context; a hostile loop would otherwise flood the log. */
#define MAX_DENIALS_LOGGED 16

/* Guest fd numbers are kept below this, so the table stays small. */
#define MAX_FD_TABLE 65536

static const char stderr_marker_fmt[] = "\n[wasmgate: stderr truncated after %zu bytes]\n";

void wgsb_ctx_options_init(wgsb_ctx_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->stdin_fd = -1;
    opts->stdout_fd = -1;
    opts->stderr_fd = -1;
}

#define RIGHTS_STDIN                                                                    \
    (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET | \
     WASI_RIGHT_POLL_FD_READWRITE)
#define RIGHTS_STDOUT                                                                    \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_FILESTAT_GET | \
     WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_POLL_FD_READWRITE)

wgsb_ctx *wgsb_ctx_new(wgsb_sandbox *sb, const wgsb_ctx_options *opts, char *err, size_t errsz)
{
    if (!sb) {
        if (err && errsz) snprintf(err, errsz, "wgsb_ctx_new: no sandbox");
        return NULL;
    }
    wgsb_ctx_options defaults;
    if (!opts) {
        wgsb_ctx_options_init(&defaults);
        opts = &defaults;
    }
    const wgsb_manifest *m = &sb->manifest;
    wgsb_ctx *ctx = calloc(1, sizeof *ctx);
    uint32_t nfds = 3 + (uint32_t)m->npaths;
    wgsb_fd *fds = calloc(nfds, sizeof *fds);
    if (!ctx || !fds) {
        free(ctx);
        free(fds);
        if (err && errsz) snprintf(err, errsz, "module %s: out of memory", wgsb_module_name(m));
        return NULL;
    }
    ctx->sb = wgsb_sandbox_retain(sb);
    ctx->m = m;
    ctx->ext = opts->ext;
    if (opts->args) {
        /* Borrowed; WASI only reads them, so the const is kept in spirit. */
        ctx->args = (char *const *)opts->args;
        ctx->nargs = opts->nargs;
    } else {
        ctx->args = m->args;
        ctx->nargs = m->nargs;
    }
    ctx->stdin_data = opts->stdin_data;
    ctx->stdin_len = opts->stdin_data ? opts->stdin_len : 0;
    ctx->stdin_fd = opts->stdin_fd;
    ctx->stdout_fd = opts->stdout_fd;
    ctx->stderr_fd = opts->stderr_fd;
    /* 0 = no limit, as for the other limits (SIZE_MAX - 1 keeps the arithmetic simple). */
    ctx->out.limit = m->limits.max_stdout_bytes ? m->limits.max_stdout_bytes : SIZE_MAX - 1;
    ctx->err.limit = m->limits.max_stderr_bytes ? m->limits.max_stderr_bytes : SIZE_MAX - 1;
    ctx->fds = fds;
    ctx->nfds = nfds;

    fds[0] = (wgsb_fd){.open = true,
                       .kind = WGSB_FD_STDIN,
                       .host_fd = opts->stdin_fd,
                       .grant = -1,
                       .readable = true,
                       .rights_base = RIGHTS_STDIN};
    fds[1] = (wgsb_fd){.open = true,
                       .kind = WGSB_FD_STDOUT,
                       .host_fd = opts->stdout_fd,
                       .grant = -1,
                       .writable = true,
                       .rights_base = RIGHTS_STDOUT};
    fds[2] = fds[1];
    fds[2].kind = WGSB_FD_STDERR;
    fds[2].host_fd = opts->stderr_fd;
    for (size_t i = 0; i < m->npaths; i++) {
        uint64_t mask = m->paths[i].read_only ? ~WASI_RIGHTS_WRITING : ~0ull;
        fds[3 + i] = (wgsb_fd){.open = true,
                               .kind = WGSB_FD_PREOPEN,
                               .host_fd = sb->grant_fds[i],
                               .grant = (int)i,
                               .readable = true,
                               .rights_base = WASI_RIGHTS_DIR & mask,
                               .rights_inheriting = (WASI_RIGHTS_DIR | WASI_RIGHTS_FILE) & mask};
    }
    return ctx;
}

void wgsb_ctx_free(wgsb_ctx *ctx)
{
    if (!ctx) return;
    for (uint32_t i = 0; i < ctx->nfds; i++)
        if (ctx->fds[i].open) wgsb_fd_close(ctx, &ctx->fds[i]);
    free(ctx->fds);
    free(ctx->out.data);
    free(ctx->err.data);
    wgsb_sandbox_free(ctx->sb);
    free(ctx);
}

wgsb_ctx *wgsb_ctx_of(const wg_instance *inst)
{
    return inst ? wg_instance_userdata(inst) : NULL;
}
const wgsb_manifest *wgsb_ctx_manifest(const wgsb_ctx *ctx)
{
    return ctx->m;
}
wgsb_sandbox *wgsb_ctx_sandbox(const wgsb_ctx *ctx)
{
    return ctx->sb;
}
void *wgsb_ctx_ext(const wgsb_ctx *ctx)
{
    return ctx->ext;
}
void wgsb_ctx_set_ext(wgsb_ctx *ctx, void *ext)
{
    ctx->ext = ext;
}
bool wgsb_ctx_exited(const wgsb_ctx *ctx)
{
    return ctx->exited;
}
int32_t wgsb_ctx_exit_code(const wgsb_ctx *ctx)
{
    return ctx->exit_code;
}
uint64_t wgsb_ctx_fuel_used(const wgsb_ctx *ctx)
{
    return ctx->fuel_used;
}
uint64_t wgsb_ctx_deadline(const wgsb_ctx *ctx)
{
    return ctx->deadline_ns;
}

void wgsb_ctx_set_stdin(wgsb_ctx *ctx, const void *data, size_t len)
{
    ctx->stdin_data = data;
    ctx->stdin_len = data ? len : 0;
    ctx->stdin_pos = 0;
}

/* ---- Captured output ------------------------------------------------------ */

/* Makes room for `extra` more bytes plus the NUL, growing geometrically. */
static bool capture_reserve(wgsb_capture *c, size_t extra)
{
    size_t need = c->len + extra + 1;
    if (need <= c->cap) return true;
    size_t cap = c->cap ? c->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    /* Never reserve far beyond the limit: a 4 MiB cap must not become 8 MiB. */
    if (c->limit < SIZE_MAX - 64 && cap > c->limit + 64 && need <= c->limit + 64)
        cap = c->limit + 64;
    if (cap < need) cap = need;
    char *d = realloc(c->data, cap);
    if (!d) return false;
    c->data = d;
    c->cap = cap;
    return true;
}

bool wgsb_capture_append(wgsb_capture *c, const void *p, size_t n, bool *oom)
{
    size_t room = c->limit > c->len ? c->limit - c->len : 0;
    size_t take = n < room ? n : room;
    if (take) {
        if (!capture_reserve(c, take)) {
            *oom = true;
            return false;
        }
        memcpy(c->data + c->len, p, take);
        c->len += take;
        c->data[c->len] = '\0';
    }
    if (take < n) {
        c->truncated = true;
        return false;
    }
    return true;
}

/*
 * Appends the truncation marker to captured stderr past its limit (the
 * marker is the host's words, not the module's output). Called once, when
 * a write first overflows. False when out of memory.
 */
static bool capture_mark_truncated(wgsb_capture *c)
{
    char marker[96];
    int n = snprintf(marker, sizeof marker, stderr_marker_fmt, c->limit);
    if (n < 0) return false;
    if (!capture_reserve(c, (size_t)n)) return false;
    memcpy(c->data + c->len, marker, (size_t)n);
    c->len += (size_t)n;
    c->data[c->len] = '\0';
    return true;
}

static const char *capture_view(const wgsb_capture *c, size_t *len)
{
    if (len) *len = c->len;
    return c->data ? c->data : "";
}

static char *capture_take(wgsb_capture *c, size_t *len)
{
    char *d = c->data;
    size_t n = c->len;
    if (!d) {
        d = malloc(1);
        if (!d) return NULL;
        d[0] = '\0';
        n = 0;
    }
    c->data = NULL;
    c->len = c->cap = 0;
    if (len) *len = n;
    return d;
}

bool wgsb_ctx_append_stderr(wgsb_ctx *ctx, const void *data, size_t len)
{
    if (ctx->stderr_fd >= 0 || len == 0) return true;
    bool was_truncated = ctx->err.truncated, oom = false;
    if (wgsb_capture_append(&ctx->err, data, len, &oom)) return true;
    if (oom) return false;
    return was_truncated || capture_mark_truncated(&ctx->err);
}

const char *wgsb_ctx_stdout(const wgsb_ctx *ctx, size_t *len)
{
    return capture_view(&ctx->out, len);
}
const char *wgsb_ctx_stderr(const wgsb_ctx *ctx, size_t *len)
{
    return capture_view(&ctx->err, len);
}
char *wgsb_ctx_take_stdout(wgsb_ctx *ctx, size_t *len)
{
    return capture_take(&ctx->out, len);
}
char *wgsb_ctx_take_stderr(wgsb_ctx *ctx, size_t *len)
{
    return capture_take(&ctx->err, len);
}

/* ---- File descriptors ----------------------------------------------------- */

wgsb_fd *wgsb_fd_get(wgsb_ctx *ctx, uint32_t fd)
{
    if (fd >= ctx->nfds || !ctx->fds[fd].open) return NULL;
    return &ctx->fds[fd];
}

int64_t wgsb_fd_add(wgsb_ctx *ctx, const wgsb_fd *entry, uint32_t *werr)
{
    uint32_t limit = ctx->m->limits.max_open_files;
    if (limit && ctx->open_files >= limit) {
        *werr = WASI_EMFILE;
        goto fail;
    }
    uint32_t slot = 0;
    while (slot < ctx->nfds && ctx->fds[slot].open)
        slot++;
    if (slot == ctx->nfds) {
        if (ctx->nfds >= MAX_FD_TABLE) {
            *werr = WASI_EMFILE;
            goto fail;
        }
        uint32_t n = ctx->nfds * 2;
        if (n > MAX_FD_TABLE) n = MAX_FD_TABLE;
        wgsb_fd *fds = realloc(ctx->fds, n * sizeof *fds);
        if (!fds) {
            *werr = WASI_ENOMEM;
            goto fail;
        }
        memset(fds + ctx->nfds, 0, (n - ctx->nfds) * sizeof *fds);
        ctx->fds = fds;
        ctx->nfds = n;
    }
    ctx->fds[slot] = *entry;
    ctx->fds[slot].open = true;
    ctx->fds[slot].dir = NULL;
    ctx->fds[slot].dir_cookie = 0;
    ctx->open_files++;
    return slot;

fail:
    if (entry->host_fd >= 0) close(entry->host_fd);
    free(entry->guest_path);
    return -1;
}

void wgsb_fd_close(wgsb_ctx *ctx, wgsb_fd *f)
{
    if (!f->open) return;
    if (f->dir) closedir(f->dir);
    if (f->kind == WGSB_FD_FILE || f->kind == WGSB_FD_DIR) {
        if (f->host_fd >= 0) close(f->host_fd);
        ctx->open_files--;
    }
    /* Preopens and pass-through stdio fds belong to the sandbox or the host: never closed here. */
    free(f->guest_path);
    memset(f, 0, sizeof *f);
    f->host_fd = -1;
}

const char *wgsb_fd_name(const wgsb_ctx *ctx, const wgsb_fd *f)
{
    switch (f->kind) {
    case WGSB_FD_STDIN: return "<stdin>";
    case WGSB_FD_STDOUT: return "<stdout>";
    case WGSB_FD_STDERR: return "<stderr>";
    case WGSB_FD_PREOPEN: return ctx->m->paths[f->grant].guest_path;
    case WGSB_FD_FILE:
    case WGSB_FD_DIR: return f->guest_path ? f->guest_path : "<file>";
    }
    return "<fd>";
}

/* ---- Denials, aborts, deadlines ------------------------------------------ */

void wgsb_ctx_deny(wgsb_ctx *ctx, const char *op, const char *target, size_t target_len,
                   const char *reason)
{
    if (ctx->denials_logged < MAX_DENIALS_LOGGED) {
        if (target) {
            char q[300];
            wgsb_log(ctx->m, 2, "denied %s %s (%s)", op,
                     wgsb_quote(target, target_len, q, sizeof q), reason);
        } else {
            wgsb_log(ctx->m, 2, "denied %s (%s)", op, reason);
        }
    } else if (ctx->denials_logged == MAX_DENIALS_LOGGED) {
        wgsb_log(ctx->m, 2, "further denied attempts in this run are not logged");
    }
    if (ctx->denials_logged <= MAX_DENIALS_LOGGED) ctx->denials_logged++;
}

wg_trap *wgsb_ctx_abort(wgsb_ctx *ctx, wgsb_status status, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ctx->abort_status = status == WGSB_OK ? WGSB_ERROR : status;
    return wg_trap_new(WG_TRAP_HOST, "%s", buf);
}

uint64_t wgsb_ctx_effective_deadline(wgsb_ctx *ctx, uint64_t deadline_ns)
{
    if (!ctx->deadline_set) {
        ctx->deadline_set = true;
        ctx->origin_ns = wg_now_ns();
        uint32_t ms = ctx->m->limits.timeout_ms;
        if (ms) {
            ctx->deadline_ns = ctx->origin_ns + (uint64_t)ms * 1000000u;
            ctx->deadline_ms = ms;
        }
    }
    if (deadline_ns && (!ctx->deadline_ns || deadline_ns < ctx->deadline_ns)) {
        ctx->deadline_ns = deadline_ns;
        /* The budget the caller's deadline stands for, counted from when ours began. */
        ctx->deadline_ms =
            deadline_ns > ctx->origin_ns ? (deadline_ns - ctx->origin_ns + 999999u) / 1000000u : 0;
    }
    return ctx->deadline_ns;
}
