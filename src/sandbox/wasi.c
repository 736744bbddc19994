/*
 * wasi.c — WASI preview 1 on a wg_linker: the table of functions, the
 * trampoline that finds a call's context, and the functions that touch no
 * file: arguments, environment, clocks, random bytes, poll_oneoff,
 * proc_exit, sched_yield, and the socket functions that always fail.
 *
 * The same table is defined under "wasi_snapshot_preview1" and under
 * "wasi_unstable" (snapshot 0). Where snapshot 0's layouts differ (fd_seek's
 * whence order, filestat, poll subscriptions) the implementation looks at
 * call->unstable.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"

#define MODULE_PREVIEW1 "wasi_snapshot_preview1"
#define MODULE_UNSTABLE "wasi_unstable"

/* ---- Shared helpers ------------------------------------------------------------ */

uint8_t wasi_filetype_of_mode(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

static uint64_t ts_ns(struct timespec ts)
{
    if (ts.tv_sec < 0) return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t wasi_write_filestat(wasi_call *c, uint32_t off, const struct stat *st)
{
    uint32_t size = c->unstable ? WASI_UNSTABLE_FILESTAT_SIZE : WASI_FILESTAT_SIZE;
    uint8_t *p = wasi_mem(c, off, size);
    if (!p) return WASI_EFAULT;
    memset(p, 0, size);
    wasi_put_u64(c, off + 0, (uint64_t)st->st_dev);
    wasi_put_u64(c, off + 8, (uint64_t)st->st_ino);
    wasi_put_u8(c, off + 16, wasi_filetype_of_mode(st->st_mode));
    uint64_t base; /* offset of size/atim/mtim/ctim */
    if (c->unstable) {
        wasi_put_u32(c, off + 20, (uint32_t)st->st_nlink);
        base = 24;
    } else {
        wasi_put_u64(c, off + 24, (uint64_t)st->st_nlink);
        base = 32;
    }
    wasi_put_u64(c, off + base, st->st_size < 0 ? 0 : (uint64_t)st->st_size);
    wasi_put_u64(c, off + base + 8, ts_ns(st->st_atim));
    wasi_put_u64(c, off + base + 16, ts_ns(st->st_mtim));
    wasi_put_u64(c, off + base + 24, ts_ns(st->st_ctim));
    return WASI_ESUCCESS;
}

/* ---- Arguments and environment ---------------------------------------------- */

/* Writes the sizes of a string vector: count, and bytes with NUL terminators. */
static uint32_t strings_sizes(wasi_call *c, char *const *v, size_t n, uint32_t count_ptr,
                              uint32_t size_ptr)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += strlen(v[i]) + 1;
    if (n > UINT32_MAX || total > UINT32_MAX) return WASI_EOVERFLOW;
    if (!wasi_put_u32(c, count_ptr, (uint32_t)n) || !wasi_put_u32(c, size_ptr, (uint32_t)total))
        return WASI_EFAULT;
    return WASI_ESUCCESS;
}

/* Writes the pointers into `ptrs` and the NUL-terminated strings into `buf`. */
static uint32_t strings_get(wasi_call *c, char *const *v, size_t n, uint32_t ptrs, uint32_t buf)
{
    uint64_t off = buf;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        if (off > UINT32_MAX) return WASI_EFAULT;
        char *dst = wasi_mem(c, off, len);
        if (!dst || !wasi_put_u32(c, (uint64_t)ptrs + 4 * (uint64_t)i, (uint32_t)off))
            return WASI_EFAULT;
        memcpy(dst, v[i], len);
        off += len;
    }
    return WASI_ESUCCESS;
}

static uint32_t wasi_args_sizes_get(wasi_call *c, const wg_value *a)
{
    return strings_sizes(c, c->ctx->args, c->ctx->nargs, a[0].u32, a[1].u32);
}
static uint32_t wasi_args_get(wasi_call *c, const wg_value *a)
{
    return strings_get(c, c->ctx->args, c->ctx->nargs, a[0].u32, a[1].u32);
}
static uint32_t wasi_environ_sizes_get(wasi_call *c, const wg_value *a)
{
    return strings_sizes(c, c->ctx->m->env, c->ctx->m->nenv, a[0].u32, a[1].u32);
}
static uint32_t wasi_environ_get(wasi_call *c, const wg_value *a)
{
    return strings_get(c, c->ctx->m->env, c->ctx->m->nenv, a[0].u32, a[1].u32);
}

/* ---- Clocks and randomness ---------------------------------------------------- */

/*
 * WASI clock ids to host clocks. Both CPU-time clocks read the calling
 * thread's CPU time: the process's would reveal how busy the host is with
 * other modules' requests.
 */
static bool host_clock(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2:
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
    }
}

static uint32_t wasi_clock_res_get(wasi_call *c, const wg_value *a)
{
    clockid_t id;
    if (!host_clock(a[0].u32, &id)) return WASI_EINVAL;
    struct timespec ts;
    if (clock_getres(id, &ts) != 0) return wgsb_errno(errno);
    uint64_t res = ts_ns(ts);
    return wasi_put_u64(c, a[1].u32, res ? res : 1) ? WASI_ESUCCESS : WASI_EFAULT;
}

static uint32_t wasi_clock_time_get(wasi_call *c, const wg_value *a)
{
    clockid_t id;
    if (!host_clock(a[0].u32, &id)) return WASI_EINVAL;
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0) return wgsb_errno(errno);
    return wasi_put_u64(c, a[2].u32, ts_ns(ts)) ? WASI_ESUCCESS : WASI_EFAULT;
}

static uint32_t wasi_random_get(wasi_call *c, const wg_value *a)
{
    uint32_t len = a[1].u32;
    uint8_t *p = wasi_mem(c, a[0].u32, len);
    if (!p) return WASI_EFAULT;
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(p + done, len - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return wgsb_errno(errno);
        }
        done += (size_t)n;
    }
    return WASI_ESUCCESS;
}

/* ---- Process ---------------------------------------------------------------------- */

/* Ends the call, not the host: the status travels out in the context and the trap. */
static uint32_t wasi_proc_exit(wasi_call *c, const wg_value *a)
{
    c->ctx->exited = true;
    c->ctx->exit_code = a[0].i32;
    c->trap = wg_trap_exit(a[0].i32);
    return WASI_ESUCCESS;
}

static uint32_t wasi_proc_raise(wasi_call *c, const wg_value *a)
{
    return WASI_ENOSYS;
}

static uint32_t wasi_sched_yield(wasi_call *c, const wg_value *a)
{
    sched_yield();
    return WASI_ESUCCESS;
}

/* ---- Sockets: there are none -------------------------------------------------- */

static uint32_t deny_socket(wasi_call *c, const char *op, uint32_t fd)
{
    char target[32];
    int n = snprintf(target, sizeof target, "fd %u", fd);
    wgsb_ctx_deny(c->ctx, op, target, n > 0 ? (size_t)n : 0, "the sandbox has no network");
    return WASI_ENOSYS;
}
static uint32_t wasi_sock_accept(wasi_call *c, const wg_value *a)
{
    return deny_socket(c, "sock_accept", a[0].u32);
}
static uint32_t wasi_sock_recv(wasi_call *c, const wg_value *a)
{
    return deny_socket(c, "sock_recv", a[0].u32);
}
static uint32_t wasi_sock_send(wasi_call *c, const wg_value *a)
{
    return deny_socket(c, "sock_send", a[0].u32);
}
static uint32_t wasi_sock_shutdown(wasi_call *c, const wg_value *a)
{
    return deny_socket(c, "sock_shutdown", a[0].u32);
}

/* ---- poll_oneoff ------------------------------------------------------------------ */

#define EVENT_SIZE         32
#define EVENTTYPE_CLOCK    0
#define EVENTTYPE_FD_READ  1
#define EVENTTYPE_FD_WRITE 2
#define SUBCLOCK_ABSTIME   1u
#define EVENT_FD_HANGUP    1u

static uint32_t put_event(wasi_call *c, uint32_t out, uint32_t *nevents, uint64_t userdata,
                          uint16_t error, uint8_t type, uint64_t nbytes, uint16_t flags)
{
    uint64_t off = (uint64_t)out + (uint64_t)*nevents * EVENT_SIZE;
    uint8_t *p = wasi_mem(c, off, EVENT_SIZE);
    if (!p) return WASI_EFAULT;
    memset(p, 0, EVENT_SIZE);
    wasi_put_u64(c, off, userdata);
    wasi_put_u16(c, off + 8, error);
    wasi_put_u8(c, off + 10, type);
    wasi_put_u64(c, off + 16, nbytes);
    wasi_put_u16(c, off + 24, flags);
    (*nevents)++;
    return WASI_ESUCCESS;
}

/*
 * The monotonic time (wg_now_ns() clock) at which a clock subscription
 * fires, or false for an unknown clock.
 */
static bool clock_wake_time(uint32_t id, uint64_t timeout, uint16_t flags, uint64_t now,
                            uint64_t *wake)
{
    clockid_t host;
    if (!host_clock(id, &host)) return false;
    uint64_t rel = timeout;
    if ((flags & SUBCLOCK_ABSTIME) && host != CLOCK_MONOTONIC) {
        struct timespec ts;
        clock_gettime(host, &ts);
        uint64_t cur = ts_ns(ts);
        rel = timeout > cur ? timeout - cur : 0;
    } else if (flags & SUBCLOCK_ABSTIME) {
        *wake = timeout;
        return true;
    }
    *wake = now + rel < now ? UINT64_MAX : now + rel;
    return true;
}

/* Sleeps until `until` on the monotonic clock, through signals. */
static void sleep_until(uint64_t until)
{
    struct timespec ts = {.tv_sec = (time_t)(until / 1000000000u),
                          .tv_nsec = (long)(until % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
    }
}

/* Reads a clock subscription at guest offset s. The caller checked the range. */
static void read_clock_sub(wasi_call *c, uint64_t s, uint32_t *id, uint64_t *timeout,
                           uint16_t *flags)
{
    uint64_t u = s + (c->unstable ? 24 : 16); /* snapshot 0 has an identifier first */
    wasi_get_u32(c, u, id);
    wasi_get_u64(c, u + 8, timeout);
    wasi_get_u16(c, u + 24, flags);
}

/*
 * Subscriptions on fds are answered at once (buffers, captures and files
 * are always ready) except stdin passed through from the host, which is
 * polled. Clocks sleep; no wait ever outlasts the call's deadline: reaching
 * it ends the call with the timeout error.
 */
static uint32_t wasi_poll_oneoff(wasi_call *c, const wg_value *a)
{
    uint32_t in = a[0].u32, out = a[1].u32, n = a[2].u32, nevents_ptr = a[3].u32;
    if (n == 0) return WASI_EINVAL;
    uint64_t subsize = c->unstable ? 56 : 48;
    const uint8_t *subs = wasi_mem(c, in, (uint64_t)n * subsize);
    if (!subs || !wasi_mem(c, out, (uint64_t)n * EVENT_SIZE) || !wasi_mem(c, nevents_ptr, 4))
        return WASI_EFAULT;

    wgsb_ctx *ctx = c->ctx;
    const uint64_t now0 = wg_now_ns(); /* relative timeouts count from here */
    const uint64_t deadline = wasi_deadline(c);
    uint32_t nevents = 0;
    bool have_clock = false, wait_stdin = false;
    uint64_t earliest = UINT64_MAX, stdin_userdata = 0;
    uint32_t e;

    /* Pass 1: fds are answered now; clocks give the time to wait until. */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t s = (uint64_t)in + i * subsize;
        uint64_t userdata;
        wasi_get_u64(c, s, &userdata);
        uint8_t tag = subs[i * subsize + 8];
        if (tag == EVENTTYPE_CLOCK) {
            uint32_t id;
            uint64_t timeout, wake;
            uint16_t flags;
            read_clock_sub(c, s, &id, &timeout, &flags);
            if (clock_wake_time(id, timeout, flags, now0, &wake)) {
                have_clock = true;
                if (wake < earliest) earliest = wake;
                continue;
            }
            e = put_event(c, out, &nevents, userdata, WASI_EINVAL, tag, 0, 0);
        } else if (tag == EVENTTYPE_FD_READ || tag == EVENTTYPE_FD_WRITE) {
            uint32_t fd;
            wasi_get_u32(c, s + 16, &fd);
            wgsb_fd *f = wgsb_fd_get(ctx, fd);
            uint16_t error = 0, flags = 0;
            uint64_t nbytes = 0;
            if (!f || (tag == EVENTTYPE_FD_READ && !f->readable) ||
                (tag == EVENTTYPE_FD_WRITE && !f->writable) || f->kind == WGSB_FD_PREOPEN ||
                f->kind == WGSB_FD_DIR) {
                error = WASI_EBADF;
            } else if (f->kind == WGSB_FD_STDIN && f->host_fd >= 0) {
                wait_stdin = true;
                stdin_userdata = userdata;
                continue;
            } else if (f->kind == WGSB_FD_STDIN) {
                nbytes = ctx->stdin_len - ctx->stdin_pos;
                if (nbytes == 0) flags = EVENT_FD_HANGUP;
            } else if (f->kind == WGSB_FD_FILE && tag == EVENTTYPE_FD_READ) {
                struct stat st;
                off_t pos = lseek(f->host_fd, 0, SEEK_CUR);
                if (fstat(f->host_fd, &st) == 0 && pos >= 0 && st.st_size > pos)
                    nbytes = (uint64_t)(st.st_size - pos);
            }
            e = put_event(c, out, &nevents, userdata, error, tag, nbytes, flags);
        } else {
            e = put_event(c, out, &nevents, userdata, WASI_EINVAL, tag, 0, 0);
        }
        if (e) return e;
    }

    /* Wait when nothing is ready yet (or stdin must be asked), never past the deadline. */
    if (nevents == 0 || wait_stdin) {
        uint64_t until = nevents > 0 ? now0 : have_clock ? earliest : UINT64_MAX;
        bool deadline_bounds = false;
        if (deadline && until > deadline) {
            until = deadline;
            deadline_bounds = true;
        }
        bool stdin_ready = false;
        if (wait_stdin) {
            for (;;) {
                int ms = -1;
                if (until != UINT64_MAX) {
                    uint64_t cur = wg_now_ns();
                    uint64_t lms = until > cur ? (until - cur + 999999u) / 1000000u : 0;
                    ms = lms > INT_MAX ? INT_MAX : (int)lms;
                }
                struct pollfd pfd = {.fd = ctx->stdin_fd, .events = POLLIN};
                int r = poll(&pfd, 1, ms);
                if (r < 0 && errno == EINTR) continue;
                if (r > 0) {
                    int avail = 0;
                    uint16_t flags = (pfd.revents & POLLHUP) ? EVENT_FD_HANGUP : 0;
                    if (ioctl(ctx->stdin_fd, FIONREAD, &avail) != 0 || avail < 0) avail = 0;
                    e = put_event(c, out, &nevents, stdin_userdata, 0, EVENTTYPE_FD_READ,
                                  (uint64_t)avail, flags);
                    if (e) return e;
                    stdin_ready = true;
                }
                break;
            }
        } else if (until != UINT64_MAX) {
            sleep_until(until);
        }
        if (deadline_bounds && !stdin_ready && nevents == 0 && wg_now_ns() >= deadline) {
            c->trap = wg_trap_new(WG_TRAP_TIMEOUT, "timeout: deadline exceeded in poll_oneoff");
            return WASI_ESUCCESS;
        }
    }

    /* Pass 2: every clock that is due fires (with the same base as pass 1). */
    if (have_clock) {
        uint64_t now1 = wg_now_ns();
        for (uint32_t i = 0; i < n; i++) {
            uint64_t s = (uint64_t)in + i * subsize;
            if (subs[i * subsize + 8] != EVENTTYPE_CLOCK) continue;
            uint64_t userdata, timeout, wake;
            uint32_t id;
            uint16_t flags;
            wasi_get_u64(c, s, &userdata);
            read_clock_sub(c, s, &id, &timeout, &flags);
            if (!clock_wake_time(id, timeout, flags, now0, &wake) || wake > now1) continue;
            e = put_event(c, out, &nevents, userdata, 0, EVENTTYPE_CLOCK, 0, 0);
            if (e) return e;
        }
    }
    return wasi_put_u32(c, nevents_ptr, nevents) ? WASI_ESUCCESS : WASI_EFAULT;
}

/* ---- The table ----------------------------------------------------------------- */

typedef struct wasi_def {
    const char *name;
    const char *params; /* 'i' = i32, 'I' = i64 */
    bool returns_errno; /* false only for proc_exit */
    wasi_impl impl;
} wasi_def;

static const wasi_def wasi_defs[] = {
    {"args_get", "ii", true, wasi_args_get},
    {"args_sizes_get", "ii", true, wasi_args_sizes_get},
    {"clock_res_get", "ii", true, wasi_clock_res_get},
    {"clock_time_get", "iIi", true, wasi_clock_time_get},
    {"environ_get", "ii", true, wasi_environ_get},
    {"environ_sizes_get", "ii", true, wasi_environ_sizes_get},
    {"fd_advise", "iIIi", true, wasi_fd_advise},
    {"fd_allocate", "iII", true, wasi_fd_allocate},
    {"fd_close", "i", true, wasi_fd_close},
    {"fd_datasync", "i", true, wasi_fd_datasync},
    {"fd_fdstat_get", "ii", true, wasi_fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", true, wasi_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", true, wasi_fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", true, wasi_fd_filestat_get},
    {"fd_filestat_set_size", "iI", true, wasi_fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", true, wasi_fd_filestat_set_times},
    {"fd_pread", "iiiIi", true, wasi_fd_pread},
    {"fd_prestat_dir_name", "iii", true, wasi_fd_prestat_dir_name},
    {"fd_prestat_get", "ii", true, wasi_fd_prestat_get},
    {"fd_pwrite", "iiiIi", true, wasi_fd_pwrite},
    {"fd_read", "iiii", true, wasi_fd_read},
    {"fd_readdir", "iiiIi", true, wasi_fd_readdir},
    {"fd_renumber", "ii", true, wasi_fd_renumber},
    {"fd_seek", "iIii", true, wasi_fd_seek},
    {"fd_sync", "i", true, wasi_fd_sync},
    {"fd_tell", "ii", true, wasi_fd_tell},
    {"fd_write", "iiii", true, wasi_fd_write},
    {"path_create_directory", "iii", true, wasi_path_create_directory},
    {"path_filestat_get", "iiiii", true, wasi_path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", true, wasi_path_filestat_set_times},
    {"path_link", "iiiiiii", true, wasi_path_link},
    {"path_open", "iiiiiIIii", true, wasi_path_open},
    {"path_readlink", "iiiiii", true, wasi_path_readlink},
    {"path_remove_directory", "iii", true, wasi_path_remove_directory},
    {"path_rename", "iiiiii", true, wasi_path_rename},
    {"path_symlink", "iiiii", true, wasi_path_symlink},
    {"path_unlink_file", "iii", true, wasi_path_unlink_file},
    {"poll_oneoff", "iiii", true, wasi_poll_oneoff},
    {"proc_exit", "i", false, wasi_proc_exit},
    {"proc_raise", "i", true, wasi_proc_raise},
    {"random_get", "ii", true, wasi_random_get},
    {"sched_yield", "", true, wasi_sched_yield},
    {"sock_accept", "iii", true, wasi_sock_accept},
    {"sock_recv", "iiiiii", true, wasi_sock_recv},
    {"sock_send", "iiiii", true, wasi_sock_send},
    {"sock_shutdown", "ii", true, wasi_sock_shutdown},
};

#define WASI_DEF_COUNT (sizeof wasi_defs / sizeof wasi_defs[0])

static wg_trap *dispatch(wg_instance *caller, const wg_value *args, wg_value *results,
                         const wasi_def *d, bool unstable)
{
    wgsb_ctx *ctx = wg_instance_userdata(caller);
    if (!ctx)
        return wg_trap_new(WG_TRAP_HOST, "WASI %s called from an instance without a sandbox",
                           d->name);
    wasi_call c = {.ctx = ctx,
                   .inst = caller,
                   .mem = wg_instance_memory_at(caller, 0),
                   .unstable = unstable,
                   .trap = NULL};
    uint32_t e = d->impl(&c, args);
    if (c.trap) return c.trap;
    if (d->returns_errno) results[0].u64 = e;
    return NULL;
}

static wg_trap *trampoline_preview1(wg_instance *caller, const wg_value *args, wg_value *results,
                                    void *env)
{
    return dispatch(caller, args, results, env, false);
}

static wg_trap *trampoline_unstable(wg_instance *caller, const wg_value *args, wg_value *results,
                                    void *env)
{
    return dispatch(caller, args, results, env, true);
}

bool wgsb_define_wasi(wg_linker *l, char *err, size_t errsz)
{
    static const wg_valtype result[] = {WG_I32};
    for (int variant = 0; variant < 2; variant++) {
        const char *module = variant ? MODULE_UNSTABLE : MODULE_PREVIEW1;
        wg_host_fn fn = variant ? trampoline_unstable : trampoline_preview1;
        for (size_t i = 0; i < WASI_DEF_COUNT; i++) {
            const wasi_def *d = &wasi_defs[i];
            wg_valtype params[16];
            size_t np = strlen(d->params);
            for (size_t k = 0; k < np; k++)
                params[k] = d->params[k] == 'I' ? WG_I64 : WG_I32;
            if (!wg_linker_define_func(l, module, d->name, params, np, result,
                                       d->returns_errno ? 1 : 0, fn, (void *)d, err, errsz))
                return false;
        }
    }
    return true;
}

bool wgsb_is_wasi_module(const char *module, size_t module_len)
{
    if (!module) return false;
    return (module_len == sizeof MODULE_PREVIEW1 - 1 &&
            memcmp(module, MODULE_PREVIEW1, module_len) == 0) ||
           (module_len == sizeof MODULE_UNSTABLE - 1 &&
            memcmp(module, MODULE_UNSTABLE, module_len) == 0);
}

bool wgsb_wasi_defines(const char *module, size_t module_len, const char *name, size_t name_len)
{
    if (!wgsb_is_wasi_module(module, module_len) || !name) return false;
    for (size_t i = 0; i < WASI_DEF_COUNT; i++) {
        const char *n = wasi_defs[i].name;
        if (strlen(n) == name_len && memcmp(n, name, name_len) == 0) return true;
    }
    return false;
}
