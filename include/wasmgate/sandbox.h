/*
 * wasmgate/sandbox.h — the sandbox: the capability manifest that grants a
 * module what it may reach (deny by default), the resource limits it runs
 * under, and WASI preview 1 implemented against those grants.
 *
 * One manifest structure serves every ABI. Every grant is enforced by the
 * host function that would act on it, before it acts; a denied attempt
 * returns an error to the guest and is logged with the module's name, the
 * capability and the target.
 */
#ifndef WASMGATE_SANDBOX_H
#define WASMGATE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/wg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Limits --------------------------------------------------------------- */

/*
 * Resource limits of one module. wgsb_limits_init() sets the defaults
 * below; each limit, when hit, has its own error. 0 means "no limit" for
 * timeout_ms, fuel, the two output caps and max_open_files, and "the
 * engine's default" for the others. docs/sandbox.md lists the messages.
 */
typedef struct wgsb_limits {
    uint32_t timeout_ms;         /* wall clock per call; default 2000; 0 = none */
    uint32_t max_memory_pages;   /* linear memory, all memories; default 256 (16 MiB) */
    uint64_t fuel;               /* deterministic instruction budget per call; default 0 = unlimited */
    uint32_t max_call_depth;     /* nested wasm calls; default 10,000 */
    uint32_t max_stack_slots;    /* value stack in 8-byte slots; default 131,072 (1 MiB) */
    uint32_t max_table_elements; /* per table; default 100,000 */
    size_t max_stdout_bytes;     /* captured stdout (the module's output); default 4 MiB */
    size_t max_stderr_bytes;     /* captured stderr (diagnostics); default 64 KiB */
    uint32_t max_open_files;     /* files and dirs open at once (EMFILE); default 64; 0 = none */
} wgsb_limits;

void wgsb_limits_init(wgsb_limits *l);

/* ---- The capability manifest ------------------------------------------- */

/* A directory grant: host_path is visible to the guest as guest_path. */
typedef struct wgsb_path_grant {
    char *host_path;
    char *guest_path;
    bool read_only; /* "ro:" prefix: writes fail with EROFS/ENOTCAPABLE */
} wgsb_path_grant;

typedef struct wgsb_config_entry {
    char *key;
    char *value;
} wgsb_config_entry;

/* Receives one log line (no trailing newline). level: 0 debug .. 3 error. */
typedef void (*wgsb_log_fn)(void *arg, int level, const char *module, const char *message);

typedef struct wgsb_manifest {
    char *name; /* the module's name, used in every message and log line */
    wgsb_limits limits;
    char **allowed_hosts; /* globs over URL hosts ("*.example.com"); none = no network */
    size_t nallowed_hosts;
    wgsb_path_grant *paths; /* directory grants; none = no files */
    size_t npaths;
    wgsb_config_entry *config; /* key/values the module may read (ABI-specific access) */
    size_t nconfig;
    char **env; /* "K=V" strings visible through WASI environ; none by default */
    size_t nenv;
    char **args; /* WASI argv; none by default (argv[0] is not implied) */
    size_t nargs;
    wgsb_log_fn log; /* where denied attempts and diagnostics go; NULL = stderr */
    void *log_arg;
} wgsb_manifest;

/* An empty manifest: no grants, default limits, name "module". */
void wgsb_manifest_init(wgsb_manifest *m);
/* Frees what the manifest owns (all strings and arrays); m itself is not freed. */
void wgsb_manifest_clear(wgsb_manifest *m);
/* Deep copy; returns false (dst cleared) when out of memory. */
bool wgsb_manifest_copy(wgsb_manifest *dst, const wgsb_manifest *src);

bool wgsb_manifest_set_name(wgsb_manifest *m, const char *name);
bool wgsb_manifest_add_host(wgsb_manifest *m, const char *glob);
/* Adds a grant from "[ro:]HOST::GUEST" (exec's --dir) or from separate parts. */
bool wgsb_manifest_add_path_spec(wgsb_manifest *m, const char *spec, char *err, size_t errsz);
bool wgsb_manifest_add_path(wgsb_manifest *m, const char *host_path, const char *guest_path,
                            bool read_only);
bool wgsb_manifest_add_config(wgsb_manifest *m, const char *key, const char *value);
bool wgsb_manifest_add_env(wgsb_manifest *m, const char *key_equals_value);
bool wgsb_manifest_add_arg(wgsb_manifest *m, const char *arg);

/* True if the manifest allows a request to this URL's host (checks the glob list). */
bool wgsb_manifest_allows_url(const wgsb_manifest *m, const char *url);
/* The configured value for key, or NULL. */
const char *wgsb_manifest_config(const wgsb_manifest *m, const char *key);

/* Logs "module NAME: denied CAPABILITY TARGET" (and similar) through m->log. */
void wgsb_log(const wgsb_manifest *m, int level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
 * Adds a directory grant from separate parts, checking them like
 * wgsb_manifest_add_path_spec() does: both paths non-empty, and the guest
 * path free of ".." components (trailing slashes are dropped). Returns false
 * with a message in err on a bad grant or when out of memory.
 * wgsb_manifest_add_path() is this without the message.
 */
bool wgsb_manifest_add_grant(wgsb_manifest *m, const char *host_path, const char *guest_path,
                             bool read_only, char *err, size_t errsz);

/*
 * True if `host` (a bare host name, no scheme or port; compared
 * case-insensitively, one trailing dot ignored) matches a glob of the
 * manifest. Globs follow Extism: "*" matches any run of characters,
 * dots included, "?" one character; "*.example.com" matches every
 * subdomain of example.com but not example.com itself; a glob without
 * wildcards matches that host only.
 */
bool wgsb_manifest_allows_host(const wgsb_manifest *m, const char *host);

/* ---- Running modules ------------------------------------------------------
 *
 * The pieces, and who owns what:
 *
 *   wgsb_sandbox  a manifest made ready to run modules: a private copy of
 *                 the manifest and its granted directories opened once.
 *                 Immutable after creation and shared by any number of
 *                 threads (reference counted, atomically). Create one per
 *                 loaded module, next to its wg_module.
 *   wg_linker     the WASI functions (wgsb_define_wasi()) plus whatever the
 *                 ABI layer defines. Shared, like the module.
 *   wgsb_ctx      the state of one run: stdin, captured stdout/stderr, the
 *                 guest's open files, the exit status, the deadline and the
 *                 fuel spent. One per instance, used by one thread at a time.
 *                 Creating one does no file system work (grant directories
 *                 stay open in the sandbox; a context only refers to them).
 *
 * A request is then: ctx = wgsb_ctx_new(sb), inst = wgsb_instantiate(module,
 * linker, ctx), wgsb_call(ctx, inst, export) one or more times, read the
 * captured output, free the instance and the context.
 */

/* How a run ended. */
typedef enum wgsb_status {
    WGSB_OK = 0,
    WGSB_TRAP,         /* a WebAssembly trap, including "call stack exhausted (limit N calls)" */
    WGSB_TIMEOUT,      /* "timeout: exceeded N ms" */
    WGSB_FUEL,         /* "fuel exhausted after N units" */
    WGSB_MEMORY_LIMIT, /* "memory limit: grow to N pages exceeds M" (and the table limit) */
    WGSB_EXIT,         /* WASI proc_exit, with any status (0 too): see wgsb_ctx_exit_code() */
    WGSB_OUTPUT_LIMIT, /* "output limit: stdout exceeded N bytes" */
    WGSB_ERROR         /* anything else: link error, host failure, bad arguments */
} wgsb_status;

/* "ok", "trap", "timeout", "fuel", "memory limit", "exit", "output limit", "error". */
const char *wgsb_status_name(wgsb_status status);

typedef struct wgsb_sandbox wgsb_sandbox;
typedef struct wgsb_ctx wgsb_ctx;

/*
 * Makes a sandbox from a manifest (deep-copied; the caller keeps its own).
 * Opens every granted directory (O_DIRECTORY, close-on-exec); fails with
 * "module NAME: cannot open granted directory \"HOST\": REASON" if one cannot
 * be opened, and on an invalid grant.
 */
wgsb_sandbox *wgsb_sandbox_new(const wgsb_manifest *manifest, char *err, size_t errsz);
wgsb_sandbox *wgsb_sandbox_retain(wgsb_sandbox *sb); /* atomic; returns sb */
void wgsb_sandbox_free(wgsb_sandbox *sb);            /* drops a reference */
const wgsb_manifest *wgsb_sandbox_manifest(const wgsb_sandbox *sb);

/*
 * Defines WASI preview 1 on a linker under "wasi_snapshot_preview1" and,
 * with the older layouts of that snapshot (fd_seek's whence order, filestat,
 * poll subscriptions), under "wasi_unstable". Every function finds its
 * context through wg_instance_userdata(caller), which must therefore be a
 * wgsb_ctx (wgsb_instantiate() sees to that); called from an instance
 * without one, a WASI function traps. Socket functions exist so modules
 * that import them link, and fail with ENOSYS. Returns false (with err)
 * only if a name is already defined on the linker or out of memory.
 */
bool wgsb_define_wasi(wg_linker *l, char *err, size_t errsz);

/*
 * True if `name` is a function wgsb_define_wasi() defines under import
 * module `module` (lengths given: names from a module may hold any byte).
 * Lets a loader refuse an unknown import with its name before any call.
 */
bool wgsb_wasi_defines(const char *module, size_t module_len, const char *name, size_t name_len);
/* True if `module` is "wasi_snapshot_preview1" or "wasi_unstable". */
bool wgsb_is_wasi_module(const char *module, size_t module_len);

/* Where a context's standard streams come from and go to. */
typedef struct wgsb_ctx_options {
    /*
     * stdin: these bytes, then end of file. Borrowed, not copied: they must
     * stay valid and unchanged while the context is used.
     */
    const void *stdin_data;
    size_t stdin_len;
    /* A host fd to read stdin from instead (exec); -1 (the default) = stdin_data. */
    int stdin_fd;
    /*
     * Host fds that stdout/stderr pass through to (exec); -1 (the default)
     * = capture into buffers limited by max_stdout_bytes/max_stderr_bytes.
     * Passed-through output is not limited.
     */
    int stdout_fd;
    int stderr_fd;
    /* Initial value of the extension pointer (wgsb_ctx_ext()). */
    void *ext;
    /*
     * WASI argv for this context instead of the manifest's args (e.g.
     * Kubewarden's WASI mode: "policy.wasm", "validate"). Borrowed like
     * stdin_data; NULL (the default) = the manifest's.
     */
    const char *const *args;
    size_t nargs;
} wgsb_ctx_options;

void wgsb_ctx_options_init(wgsb_ctx_options *opts);

/*
 * A fresh context for one run under sb (retained until the context is
 * freed). opts may be NULL: empty stdin, captured stdout and stderr.
 * Returns NULL with a message only when out of memory.
 */
wgsb_ctx *wgsb_ctx_new(wgsb_sandbox *sb, const wgsb_ctx_options *opts, char *err, size_t errsz);
/* Closes every file the guest left open and frees the captures. */
void wgsb_ctx_free(wgsb_ctx *ctx);

/* The context of an instance made by wgsb_instantiate(): for host functions of the ABI layer. */
wgsb_ctx *wgsb_ctx_of(const wg_instance *inst);
const wgsb_manifest *wgsb_ctx_manifest(const wgsb_ctx *ctx);
wgsb_sandbox *wgsb_ctx_sandbox(const wgsb_ctx *ctx);

/* The extension pointer: per-instance state of the layer above; never touched here. */
void *wgsb_ctx_ext(const wgsb_ctx *ctx);
void wgsb_ctx_set_ext(wgsb_ctx *ctx, void *ext);

/* Replaces stdin with these bytes (borrowed, as in wgsb_ctx_options) and rewinds it. */
void wgsb_ctx_set_stdin(wgsb_ctx *ctx, const void *data, size_t len);

/*
 * What the module wrote to a captured stdout/stderr so far: a pointer to
 * the context's buffer (NUL-terminated, valid until the next call into the
 * module or wgsb_ctx_free()), never NULL. Captured stderr that went past
 * its limit ends in "\n[wasmgate: stderr truncated after N bytes]\n".
 */
const char *wgsb_ctx_stdout(const wgsb_ctx *ctx, size_t *len);
const char *wgsb_ctx_stderr(const wgsb_ctx *ctx, size_t *len);
/*
 * The same, handed over: a malloc'd NUL-terminated buffer the caller frees
 * (the capture starts again empty), or NULL when out of memory.
 */
char *wgsb_ctx_take_stdout(wgsb_ctx *ctx, size_t *len);
char *wgsb_ctx_take_stderr(wgsb_ctx *ctx, size_t *len);

/*
 * Adds host-side diagnostics (e.g. waPC's __console_log) to the captured
 * stderr, under the same limit and truncation marker as the module's own
 * writes. Does nothing when stderr passes through to a host fd. False only
 * when out of memory.
 */
bool wgsb_ctx_append_stderr(wgsb_ctx *ctx, const void *data, size_t len);

/* Whether the module called proc_exit, and with which status. */
bool wgsb_ctx_exited(const wgsb_ctx *ctx);
int32_t wgsb_ctx_exit_code(const wgsb_ctx *ctx);
/* Fuel spent by every wgsb_call() on this context (the start function's is not measurable). */
uint64_t wgsb_ctx_fuel_used(const wgsb_ctx *ctx);
/*
 * The context's deadline (absolute, wg_now_ns() clock; 0 = none): set by
 * the first wgsb_instantiate()/wgsb_call() and only ever made earlier.
 */
uint64_t wgsb_ctx_deadline(const wgsb_ctx *ctx);

/*
 * For host functions of the layer above: a trap that ends the running call
 * with `status` and the message (formatted; wgsb_call() prefixes it with
 * "module NAME: "). E.g. a waPC host function that finds the guest's
 * response too large returns wgsb_ctx_abort(ctx, WGSB_OUTPUT_LIMIT,
 * "output limit: response exceeded %zu bytes", max). Ownership of the
 * trap passes to the engine when the host function returns it.
 */
wg_trap *wgsb_ctx_abort(wgsb_ctx *ctx, wgsb_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/*
 * Instantiates m for ctx: userdata = ctx, and the manifest's limits on
 * memory pages, table elements, call depth and stack slots; the module's
 * own start function (if any) runs under the fuel limit and the deadline.
 * A WASI `_start` is never run here (it is an export: call it with
 * wgsb_call() when the module is a command).
 *
 * deadline_ns: absolute (wg_now_ns() clock). The context's deadline is set
 * the first time either this or wgsb_call() runs: now + the manifest's
 * timeout_ms (none if 0), made earlier by a non-zero deadline_ns; it then
 * covers instantiation and every call on the context.
 *
 * Returns NULL on failure with *status (if non-NULL) saying how it failed
 * (WGSB_ERROR for a link error such as an unknown import, a limit status
 * when the start function hits one) and a message naming the module in msg.
 */
wg_instance *wgsb_instantiate(wg_module *m, const wg_linker *l, wgsb_ctx *ctx, uint64_t deadline_ns,
                              wgsb_status *status, char *msg, size_t msgsz);

/*
 * Calls f (an export of an instance made for ctx) with the remaining fuel
 * and the context's deadline (made earlier by a non-zero deadline_ns).
 * nargs/nresults must match f's type (else WGSB_ERROR). On anything but
 * WGSB_OK, msg receives "module NAME: WHAT", e.g. "module policy: timeout:
 * exceeded 2000 ms". WGSB_EXIT is returned for every proc_exit, status 0
 * included, with the status in wgsb_ctx_exit_code() and msg "module NAME:
 * exited with status N".
 */
wgsb_status wgsb_call(wgsb_ctx *ctx, wg_instance *inst, wg_func *f, const wg_value *args,
                      size_t nargs, wg_value *results, size_t nresults, uint64_t deadline_ns,
                      char *msg, size_t msgsz);

/*
 * Classifies a trap from a run on ctx the way wgsb_call() does (for a
 * caller that calls wg_func_call() itself), writing "module NAME: WHAT".
 */
wgsb_status wgsb_trap_status(wgsb_ctx *ctx, const wg_trap *trap, char *msg, size_t msgsz);

#ifdef __cplusplus
}
#endif
#endif /* WASMGATE_SANDBOX_H */
