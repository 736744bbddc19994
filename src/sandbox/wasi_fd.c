/*
 * wasi_fd.c — the fd_* functions of WASI preview 1: reading and writing
 * stdio (buffers, captures under their limits, or host fds passed through),
 * files and directories the guest opened, seeking, stat, and the preopens
 * that name the granted directories.
 *
 * Access is decided here, not by the host's permissions alone: an fd
 * remembers the grant it lies under, and anything that would change a file
 * under a read-only grant fails with EROFS (and is logged as denied) before
 * any system call.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"

/* Looks up an open fd; EBADF otherwise. */
static wgsb_fd *get_fd(wasi_call *c, uint32_t fd, uint32_t *e)
{
    wgsb_fd *f = wgsb_fd_get(c->ctx, fd);
    *e = f ? WASI_ESUCCESS : WASI_EBADF;
    return f;
}

static bool is_dir(const wgsb_fd *f)
{
    return f->kind == WGSB_FD_DIR || f->kind == WGSB_FD_PREOPEN;
}

static bool is_stdio(const wgsb_fd *f)
{
    return f->kind == WGSB_FD_STDIN || f->kind == WGSB_FD_STDOUT || f->kind == WGSB_FD_STDERR;
}

/* True (after logging the denial) if f lies under a read-only grant. */
static bool denied_read_only(wasi_call *c, const wgsb_fd *f, const char *op)
{
    if (f->grant < 0 || !c->ctx->m->paths[f->grant].read_only) return false;
    const char *name = wgsb_fd_name(c->ctx, f);
    wgsb_ctx_deny(c->ctx, op, name, strlen(name), "read-only grant");
    return true;
}

/*
 * The iovec array at `iovs`, checked: every buffer inside memory. Writes
 * the count of usable entries (their total kept within UINT32_MAX, which is
 * all a WASI size can report) to *count.
 */
static uint32_t check_iovs(wasi_call *c, uint32_t iovs, uint32_t n, uint32_t *count)
{
    if (!wasi_mem(c, iovs, (uint64_t)n * 8)) return WASI_EFAULT;
    uint64_t total = 0;
    uint32_t usable = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf, len;
        wasi_get_u32(c, (uint64_t)iovs + 8 * (uint64_t)i, &buf);
        wasi_get_u32(c, (uint64_t)iovs + 8 * (uint64_t)i + 4, &len);
        if (!wasi_mem(c, buf, len)) return WASI_EFAULT;
        if (total + len > UINT32_MAX) break;
        total += len;
        usable++;
    }
    *count = usable;
    return WASI_ESUCCESS;
}

/* Buffer and length of iovec i (already checked by check_iovs). */
static uint8_t *iov_at(wasi_call *c, uint32_t iovs, uint32_t i, uint32_t *len)
{
    uint32_t buf;
    wasi_get_u32(c, (uint64_t)iovs + 8 * (uint64_t)i, &buf);
    wasi_get_u32(c, (uint64_t)iovs + 8 * (uint64_t)i + 4, len);
    return wasi_mem(c, buf, *len);
}

/* Waits until a host fd is ready for `events`, no later than the call's deadline. */
static uint32_t wait_fd(wasi_call *c, int fd, short events)
{
    uint64_t deadline = wasi_deadline(c);
    for (;;) {
        int ms = -1;
        if (deadline) {
            uint64_t now = wg_now_ns();
            if (now >= deadline) {
                c->trap = wg_trap_new(WG_TRAP_TIMEOUT, "timeout: deadline exceeded in I/O");
                return WASI_ESUCCESS;
            }
            uint64_t lms = (deadline - now + 999999u) / 1000000u;
            ms = lms > INT_MAX ? INT_MAX : (int)lms;
        }
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, ms);
        if (r > 0) return WASI_ESUCCESS;
        if (r < 0 && errno != EINTR) return wgsb_errno(errno);
    }
}

/* Writes all of p to a host fd passed through (blocking, as a native program would). */
static uint32_t write_host(wasi_call *c, int fd, const uint8_t *p, size_t n, size_t *done)
{
    *done = 0;
    while (*done < n) {
        ssize_t w = write(fd, p + *done, n - *done);
        if (w > 0) {
            *done += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && errno == EAGAIN) {
            uint32_t e = wait_fd(c, fd, POLLOUT);
            if (e || c->trap) return e;
        } else {
            return w < 0 ? wgsb_errno(errno) : WASI_EIO;
        }
    }
    return WASI_ESUCCESS;
}

/* Appends to a captured stream under its limit; what must end the call sets c->trap. */
static void write_capture(wasi_call *c, wgsb_fd *f, const uint8_t *p, size_t n)
{
    wgsb_ctx *ctx = c->ctx;
    if (f->kind == WGSB_FD_STDERR) {
        /* stderr is diagnostics: keep the start, mark the cut, let the module go on. */
        if (!wgsb_ctx_append_stderr(ctx, p, n))
            c->trap = wgsb_ctx_abort(ctx, WGSB_ERROR, "out of host memory capturing output");
        return;
    }
    bool oom = false;
    if (wgsb_capture_append(&ctx->out, p, n, &oom)) return;
    if (oom) {
        c->trap = wgsb_ctx_abort(ctx, WGSB_ERROR, "out of host memory capturing output");
        return;
    }
    /* stdout is the module's answer: a cut-off answer must not pass for a whole one. */
    ctx->output_exceeded = true;
    c->trap = wg_trap_new(WG_TRAP_HOST, "output limit: stdout exceeded %zu bytes",
                          ctx->m->limits.max_stdout_bytes);
}

/*
 * Moves data between the checked iovecs and a file the guest opened: read(2)
 * or write(2) at the fd's own offset when `at` is -1, else pread(2) or
 * pwrite(2) from `at` on. Adds what moved to *total and stops at the first
 * short transfer. An error before anything moved is returned; after that it
 * only ends the loop, and the guest meets it again on its next call.
 */
static uint32_t file_transfer(wasi_call *c, int fd, uint32_t iovs, uint32_t n, bool writing,
                              off_t at, uint64_t *total)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        uint8_t *p = iov_at(c, iovs, i, &len);
        if (len == 0) continue;
        off_t pos = at + (off_t)*total;
        ssize_t r;
        do {
            if (at < 0)
                r = writing ? write(fd, p, len) : read(fd, p, len);
            else
                r = writing ? pwrite(fd, p, len, pos) : pread(fd, p, len, pos);
        } while (r < 0 && errno == EINTR);
        if (r < 0) return *total ? WASI_ESUCCESS : wgsb_errno(errno);
        *total += (uint64_t)r;
        if ((uint32_t)r < len) break;
    }
    return WASI_ESUCCESS;
}

/*
 * Writes the checked iovecs to stdout or stderr: into its capture, or to the
 * host fd it passes through to. Adds what was written to *total; an error is
 * returned only when nothing was written (else it comes with the next write).
 */
static uint32_t write_stdio(wasi_call *c, wgsb_fd *f, uint32_t iovs, uint32_t n, uint64_t *total)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        uint8_t *p = iov_at(c, iovs, i, &len);
        if (len == 0) continue;
        if (f->host_fd < 0) {
            write_capture(c, f, p, len);
            if (c->trap) return WASI_ESUCCESS;
            *total += len;
            continue;
        }
        size_t done = 0;
        uint32_t e = write_host(c, f->host_fd, p, len, &done);
        if (c->trap) return WASI_ESUCCESS;
        *total += done;
        if (e) return *total ? WASI_ESUCCESS : e;
    }
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_write(wasi_call *c, const wg_value *a)
{
    uint32_t e, n;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (!f->writable) {
        if (denied_read_only(c, f, "fd_write")) return WASI_EROFS;
        return is_dir(f) ? WASI_EISDIR : WASI_EBADF;
    }
    uint32_t iovs = a[1].u32;
    if ((e = check_iovs(c, iovs, a[2].u32, &n))) return e;
    if (!wasi_mem(c, a[3].u32, 4)) return WASI_EFAULT;
    uint64_t total = 0;
    e = is_stdio(f) ? write_stdio(c, f, iovs, n, &total)
                    : file_transfer(c, f->host_fd, iovs, n, true, -1, &total);
    if (e || c->trap) return e;
    wasi_put_u32(c, a[3].u32, (uint32_t)total);
    return WASI_ESUCCESS;
}

/* Reads stdin passed through from the host: waits (within the deadline) only for the first byte. */
static uint32_t read_host_stdin(wasi_call *c, int fd, uint32_t iovs, uint32_t n, uint64_t *total)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        uint8_t *p = iov_at(c, iovs, i, &len);
        if (len == 0) continue;
        if (*total == 0) {
            uint32_t e = wait_fd(c, fd, POLLIN);
            if (e || c->trap) return e;
        } else {
            struct pollfd pf = {.fd = fd, .events = POLLIN};
            if (poll(&pf, 1, 0) <= 0) break;
        }
        ssize_t r = read(fd, p, len);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                if (*total) break;
                i--;
                continue;
            }
            return *total ? WASI_ESUCCESS : wgsb_errno(errno);
        }
        *total += (uint64_t)r;
        if ((uint32_t)r < len) break;
    }
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_read(wasi_call *c, const wg_value *a)
{
    uint32_t e, n;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (is_dir(f)) return WASI_EISDIR;
    if (!f->readable) return WASI_EBADF;
    uint32_t iovs = a[1].u32;
    if ((e = check_iovs(c, iovs, a[2].u32, &n))) return e;
    if (!wasi_mem(c, a[3].u32, 4)) return WASI_EFAULT;
    wgsb_ctx *ctx = c->ctx;
    uint64_t total = 0;
    if (f->kind == WGSB_FD_STDIN && f->host_fd < 0) {
        for (uint32_t i = 0; i < n && ctx->stdin_pos < ctx->stdin_len; i++) {
            uint32_t len;
            uint8_t *p = iov_at(c, iovs, i, &len);
            size_t left = ctx->stdin_len - ctx->stdin_pos;
            size_t take = len < left ? len : left;
            memcpy(p, ctx->stdin_data + ctx->stdin_pos, take);
            ctx->stdin_pos += take;
            total += take;
        }
    } else if (f->kind == WGSB_FD_STDIN) {
        e = read_host_stdin(c, f->host_fd, iovs, n, &total);
        if (e || c->trap) return e;
    } else if ((e = file_transfer(c, f->host_fd, iovs, n, false, -1, &total))) {
        return e;
    }
    wasi_put_u32(c, a[3].u32, (uint32_t)total);
    return WASI_ESUCCESS;
}

/* fd_pread and fd_pwrite: a transfer at an offset, which leaves the fd's own offset alone. */
static uint32_t positional_transfer(wasi_call *c, const wg_value *a, bool writing)
{
    uint32_t e, n;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (is_dir(f)) return WASI_EISDIR;
    if (is_stdio(f)) return WASI_ESPIPE;
    if (writing && !f->writable)
        return denied_read_only(c, f, "fd_pwrite") ? WASI_EROFS : WASI_EBADF;
    if (!writing && !f->readable) return WASI_EBADF;
    uint32_t iovs = a[1].u32;
    if ((e = check_iovs(c, iovs, a[2].u32, &n))) return e;
    if (!wasi_mem(c, a[4].u32, 4)) return WASI_EFAULT;
    if (a[3].u64 > (uint64_t)INT64_MAX) return WASI_EINVAL;
    uint64_t total = 0;
    if ((e = file_transfer(c, f->host_fd, iovs, n, writing, (off_t)a[3].u64, &total))) return e;
    wasi_put_u32(c, a[4].u32, (uint32_t)total);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_pread(wasi_call *c, const wg_value *a)
{
    return positional_transfer(c, a, false);
}
uint32_t wasi_fd_pwrite(wasi_call *c, const wg_value *a)
{
    return positional_transfer(c, a, true);
}

uint32_t wasi_fd_seek(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (is_stdio(f)) return WASI_ESPIPE;
    if (is_dir(f)) return WASI_EBADF; /* a directory's position belongs to fd_readdir's cookies */
    int whence;
    uint32_t w = a[2].u32;
    if (c->unstable) { /* snapshot 0: CUR = 0, END = 1, SET = 2 */
        whence = w == 0 ? SEEK_CUR : w == 1 ? SEEK_END : w == 2 ? SEEK_SET : -1;
    } else {
        whence = w == 0 ? SEEK_SET : w == 1 ? SEEK_CUR : w == 2 ? SEEK_END : -1;
    }
    if (whence < 0) return WASI_EINVAL;
    if (!wasi_mem(c, a[3].u32, 8)) return WASI_EFAULT;
    off_t r = lseek(f->host_fd, (off_t)a[1].i64, whence);
    if (r < 0) return wgsb_errno(errno);
    wasi_put_u64(c, a[3].u32, (uint64_t)r);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_tell(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (is_stdio(f)) return WASI_ESPIPE;
    if (is_dir(f)) return WASI_EBADF;
    if (!wasi_mem(c, a[1].u32, 8)) return WASI_EFAULT;
    off_t r = lseek(f->host_fd, 0, SEEK_CUR);
    if (r < 0) return wgsb_errno(errno);
    wasi_put_u64(c, a[1].u32, (uint64_t)r);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_close(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    wgsb_fd_close(c->ctx, f);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_renumber(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *from = get_fd(c, a[0].u32, &e);
    if (!from) return e;
    wgsb_fd *to = get_fd(c, a[1].u32, &e);
    if (!to) return e;
    if (from == to) return WASI_ESUCCESS;
    wgsb_fd_close(c->ctx, to);
    /* The entry moves whole: ownership of its host fd, path and stream go with it. */
    *to = *from;
    memset(from, 0, sizeof *from);
    from->host_fd = -1;
    return WASI_ESUCCESS;
}

/* The filetype fd_fdstat_get and fd_filestat_get report for stdio. */
static uint8_t stdio_filetype(const wgsb_fd *f)
{
    /* A captured stream is not a terminal; a passed-through one is what the host fd is. */
    return f->host_fd >= 0 && isatty(f->host_fd) ? WASI_FILETYPE_CHARACTER_DEVICE
                                                 : WASI_FILETYPE_UNKNOWN;
}

uint32_t wasi_fd_fdstat_get(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    uint32_t off = a[1].u32;
    uint8_t *p = wasi_mem(c, off, 24);
    if (!p) return WASI_EFAULT;
    uint8_t type = WASI_FILETYPE_DIRECTORY;
    if (is_stdio(f)) {
        type = stdio_filetype(f);
    } else if (f->kind == WGSB_FD_FILE) {
        struct stat st;
        type = fstat(f->host_fd, &st) == 0 ? wasi_filetype_of_mode(st.st_mode)
                                           : WASI_FILETYPE_REGULAR_FILE;
    }
    memset(p, 0, 24);
    wasi_put_u8(c, off, type);
    wasi_put_u16(c, off + 2, f->fdflags);
    wasi_put_u64(c, off + 8, f->rights_base);
    wasi_put_u64(c, off + 16, f->rights_inheriting);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_fdstat_set_flags(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    uint32_t flags = a[1].u32 & 0xffff;
    /* Only APPEND and NONBLOCK can change after opening (as with POSIX fcntl F_SETFL). */
    if (flags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) return WASI_ENOTSUP;
    if (f->kind == WGSB_FD_FILE) {
        int fl = fcntl(f->host_fd, F_GETFL);
        if (fl < 0) return wgsb_errno(errno);
        fl = (flags & WASI_FDFLAG_APPEND) ? (fl | O_APPEND) : (fl & ~O_APPEND);
        if (fcntl(f->host_fd, F_SETFL, fl) != 0) return wgsb_errno(errno);
    }
    /* NONBLOCK is recorded only: no call of this sandbox blocks past the deadline anyway. */
    f->fdflags = (uint16_t)((f->fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) | flags);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_fdstat_set_rights(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    uint64_t base = a[1].u64, inheriting = a[2].u64;
    /* Rights can only be dropped. */
    if ((base & ~f->rights_base) || (inheriting & ~f->rights_inheriting)) return WASI_ENOTCAPABLE;
    f->rights_base = base;
    f->rights_inheriting = inheriting;
    if (!(base & WASI_RIGHT_FD_READ) && !is_dir(f)) f->readable = false;
    if (!(base & WASI_RIGHT_FD_WRITE)) f->writable = false;
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_filestat_get(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    struct stat st;
    if (is_stdio(f)) {
        /* Nothing about the host's terminal or pipe is the guest's business. */
        memset(&st, 0, sizeof st);
        st.st_mode = stdio_filetype(f) == WASI_FILETYPE_CHARACTER_DEVICE ? S_IFCHR : 0;
    } else if (fstat(f->host_fd, &st) != 0) {
        return wgsb_errno(errno);
    }
    return wasi_write_filestat(c, a[1].u32, &st);
}

uint32_t wasi_fd_filestat_set_size(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (is_dir(f)) return WASI_EISDIR;
    if (is_stdio(f)) return WASI_EINVAL;
    if (denied_read_only(c, f, "fd_filestat_set_size")) return WASI_EROFS;
    if (!f->writable) return WASI_EINVAL;
    if (a[1].u64 > (uint64_t)INT64_MAX) return WASI_EFBIG;
    if (ftruncate(f->host_fd, (off_t)a[1].u64) != 0) return wgsb_errno(errno);
    return WASI_ESUCCESS;
}

uint32_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec ts[2])
{
    if (((flags & WASI_FST_ATIM) && (flags & WASI_FST_ATIM_NOW)) ||
        ((flags & WASI_FST_MTIM) && (flags & WASI_FST_MTIM_NOW)))
        return WASI_EINVAL;
    const uint64_t t[2] = {atim, mtim};
    const uint32_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM};
    const uint32_t now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
    for (int i = 0; i < 2; i++) {
        if (flags & now[i]) {
            ts[i] = (struct timespec){.tv_sec = 0, .tv_nsec = UTIME_NOW};
        } else if (flags & set[i]) {
            ts[i] = (struct timespec){.tv_sec = (time_t)(t[i] / 1000000000u),
                                      .tv_nsec = (long)(t[i] % 1000000000u)};
        } else {
            ts[i] = (struct timespec){.tv_sec = 0, .tv_nsec = UTIME_OMIT};
        }
    }
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_filestat_set_times(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (is_stdio(f)) return WASI_EBADF;
    if (denied_read_only(c, f, "fd_filestat_set_times")) return WASI_EROFS;
    struct timespec ts[2];
    if ((e = wasi_times(a[1].u64, a[2].u64, a[3].u32, ts))) return e;
    if (futimens(f->host_fd, ts) != 0) return wgsb_errno(errno);
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_allocate(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (is_dir(f)) return WASI_EISDIR;
    if (is_stdio(f)) return WASI_ESPIPE;
    if (denied_read_only(c, f, "fd_allocate")) return WASI_EROFS;
    if (!f->writable) return WASI_EBADF;
    if (a[1].u64 > (uint64_t)INT64_MAX || a[2].u64 > (uint64_t)INT64_MAX - a[1].u64)
        return WASI_EFBIG;
    int r = posix_fallocate(f->host_fd, (off_t)a[1].u64, (off_t)a[2].u64);
    return r ? wgsb_errno(r) : WASI_ESUCCESS;
}

uint32_t wasi_fd_advise(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (a[3].u32 > 5) return WASI_EINVAL;
    if (f->kind != WGSB_FD_FILE) return is_dir(f) ? WASI_EISDIR : WASI_ESPIPE;
    /* Advice is only advice: the result does not matter to the guest. */
    return WASI_ESUCCESS;
}

static uint32_t sync_fd(wasi_call *c, uint32_t fd, bool data_only)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, fd, &e);
    if (!f) return e;
    if (is_stdio(f)) return WASI_ESUCCESS; /* captured or passed through: nothing to flush */
    int r = data_only ? fdatasync(f->host_fd) : fsync(f->host_fd);
    return r != 0 ? wgsb_errno(errno) : WASI_ESUCCESS;
}

uint32_t wasi_fd_sync(wasi_call *c, const wg_value *a)
{
    return sync_fd(c, a[0].u32, false);
}
uint32_t wasi_fd_datasync(wasi_call *c, const wg_value *a)
{
    return sync_fd(c, a[0].u32, true);
}

uint32_t wasi_fd_prestat_get(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (f->kind != WGSB_FD_PREOPEN) return WASI_EBADF;
    const char *name = c->ctx->m->paths[f->grant].guest_path;
    uint32_t off = a[1].u32;
    if (!wasi_mem(c, off, 8)) return WASI_EFAULT;
    wasi_put_u32(c, off, 0); /* tag 0: a directory; padding zeroed */
    wasi_put_u32(c, off + 4, (uint32_t)strlen(name));
    return WASI_ESUCCESS;
}

uint32_t wasi_fd_prestat_dir_name(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (f->kind != WGSB_FD_PREOPEN) return WASI_EBADF;
    const char *name = c->ctx->m->paths[f->grant].guest_path;
    size_t len = strlen(name);
    if (a[2].u32 < len) return WASI_ENAMETOOLONG;
    uint8_t *p = wasi_mem(c, a[1].u32, len);
    if (!p) return WASI_EFAULT;
    memcpy(p, name, len); /* no NUL: the length was given by fd_prestat_get */
    return WASI_ESUCCESS;
}

/* ---- fd_readdir ---------------------------------------------------------------- */

#define DIRENT_SIZE 24

static uint8_t dirent_type(DIR *dir, const struct dirent *de)
{
    switch (de->d_type) {
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case DT_UNKNOWN: {
        /* Some file systems do not fill d_type: ask, without following links. */
        struct stat st;
        if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
            return wasi_filetype_of_mode(st.st_mode);
        return WASI_FILETYPE_UNKNOWN;
    }
    default: return WASI_FILETYPE_UNKNOWN;
    }
}

/*
 * Entries are written whole while they fit; the last one may be cut short,
 * which tells the guest the buffer was full (it asks again from that
 * entry's predecessor's d_next). Cookies are the host's telldir()
 * positions, 0 being the start. The stream reads a private fd opened from
 * the directory, so the sandbox's shared grant fds are never read from.
 */
uint32_t wasi_fd_readdir(wasi_call *c, const wg_value *a)
{
    uint32_t e;
    wgsb_fd *f = get_fd(c, a[0].u32, &e);
    if (!f) return e;
    if (!is_dir(f)) return is_stdio(f) ? WASI_EBADF : WASI_ENOTDIR;
    uint32_t buf = a[1].u32, buf_len = a[2].u32;
    uint64_t cookie = a[3].u64;
    uint8_t *out = wasi_mem(c, buf, buf_len);
    if (!out || !wasi_mem(c, a[4].u32, 4)) return WASI_EFAULT;
    if (!f->dir) {
        int dfd = openat(f->host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) return wgsb_errno(errno);
        f->dir = fdopendir(dfd);
        if (!f->dir) {
            int err = errno;
            close(dfd);
            return wgsb_errno(err);
        }
        f->dir_cookie = 0;
    }
    if (cookie != f->dir_cookie) {
        if (cookie == 0)
            rewinddir(f->dir);
        else if (cookie <= (uint64_t)LONG_MAX)
            seekdir(f->dir, (long)cookie);
        else
            return WASI_EINVAL;
        f->dir_cookie = cookie;
    }
    uint32_t used = 0;
    while (used < buf_len) {
        errno = 0;
        struct dirent *de = readdir(f->dir);
        if (!de) {
            if (errno) return wgsb_errno(errno);
            break;
        }
        long pos = telldir(f->dir);
        uint64_t next = pos < 0 ? 0 : (uint64_t)pos;
        size_t namlen = strlen(de->d_name);
        uint8_t head[DIRENT_SIZE];
        memset(head, 0, sizeof head);
        for (int i = 0; i < 8; i++)
            head[i] = (uint8_t)(next >> (8 * i));
        for (int i = 0; i < 8; i++)
            head[8 + i] = (uint8_t)((uint64_t)de->d_ino >> (8 * i));
        for (int i = 0; i < 4; i++)
            head[16 + i] = (uint8_t)((uint32_t)namlen >> (8 * i));
        head[20] = dirent_type(f->dir, de);
        f->dir_cookie = next;
        uint32_t room = buf_len - used;
        uint32_t n = room < DIRENT_SIZE ? room : DIRENT_SIZE;
        memcpy(out + used, head, n);
        used += n;
        room = buf_len - used;
        n = room < namlen ? room : (uint32_t)namlen;
        memcpy(out + used, de->d_name, n);
        used += n;
    }
    wasi_put_u32(c, a[4].u32, used);
    return WASI_ESUCCESS;
}
