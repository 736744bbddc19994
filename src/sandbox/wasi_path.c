/*
 * wasi_path.c — the path_* functions of WASI preview 1, confined to the
 * granted directories.
 *
 * Confinement is the kernel's: every lookup of a guest path goes through
 * openat2(2) with RESOLVE_BENEATH (and RESOLVE_NO_MAGICLINKS), relative to
 * the directory fd the guest names, so neither "..", an absolute path nor a
 * symlink (followed at any depth) can leave the grant: the kernel refuses
 * with EXDEV, which the guest sees as ENOTCAPABLE and the log records as a
 * denial. Functions that act on a name rather than open it (mkdir, unlink,
 * rename, link, readlink) first open the parent directory that way and then
 * act on the last component alone with the *at() call, which never follows
 * a symlink in that component. If openat2 is missing (ENOSYS) every path
 * operation fails closed with ENOTCAPABLE; nothing falls back to a
 * user-space resolver.
 *
 * Read-only grants: create, truncate, write, mkdir, unlink, rmdir, rename,
 * link and set-times fail with EROFS before any system call.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#define OUTSIDE "outside every granted directory"

/* ---- Resolution ---------------------------------------------------------------- */

/*
 * openat2 beneath dirfd. Retries the EAGAIN the kernel returns when a
 * concurrent rename made a ".." check inconclusive; anything else is final.
 */
static int open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & O_CREAT) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0;; attempt++) {
        long r = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (r >= 0) return (int)r;
        if ((errno == EAGAIN || errno == EINTR) && attempt < 8) continue;
        return -1;
    }
}

/* The WASI errno for a failed resolution, logging escapes as denials. */
static uint32_t resolve_error(wasi_call *c, const char *op, const char *path, size_t len, int err)
{
    if (err == EXDEV) {
        wgsb_ctx_deny(c->ctx, op, path, len, OUTSIDE);
        return WASI_ENOTCAPABLE;
    }
    if (err == ENOSYS) {
        /* Fail closed: without openat2 there is no safe way to confine a path. */
        wgsb_ctx_deny(c->ctx, op, path, len,
                      "openat2(2) is unavailable, so paths cannot be confined");
        return WASI_ENOTCAPABLE;
    }
    return wgsb_errno(err);
}

/* A guest path copied into a NUL-terminated host string. */
typedef struct guest_path {
    char s[PATH_MAX + 1];
    size_t len;
    const char *raw; /* the guest's bytes, for log lines */
} guest_path;

/*
 * Reads the guest path at (ptr, len) for operation `op` on directory fd
 * `dirfd`. Fails with EFAULT (out of bounds), EINVAL (a NUL inside),
 * ENAMETOOLONG, EBADF/ENOTDIR (dirfd is not an open directory) or
 * ENOTCAPABLE (an absolute path: never beneath a grant).
 */
static uint32_t read_path(wasi_call *c, const char *op, uint32_t dirfd, uint32_t ptr, uint32_t len,
                          guest_path *out, wgsb_fd **dir)
{
    *dir = wgsb_fd_get(c->ctx, dirfd);
    if (!*dir) return WASI_EBADF;
    if ((*dir)->kind != WGSB_FD_PREOPEN && (*dir)->kind != WGSB_FD_DIR) return WASI_ENOTDIR;
    const char *p = wasi_mem(c, ptr, len);
    if (!p) return WASI_EFAULT;
    if (memchr(p, '\0', len)) return WASI_EINVAL;
    if (len > PATH_MAX) return WASI_ENAMETOOLONG;
    memcpy(out->s, p, len);
    out->s[len] = '\0';
    out->len = len;
    out->raw = p;
    if (len > 0 && p[0] == '/') {
        wgsb_ctx_deny(c->ctx, op, p, len, OUTSIDE);
        return WASI_ENOTCAPABLE;
    }
    return WASI_ESUCCESS;
}

/* True (after logging the denial) if dir lies under a read-only grant. */
static bool denied_read_only(wasi_call *c, const wgsb_fd *dir, const char *op, const guest_path *p)
{
    if (dir->grant < 0 || !c->ctx->m->paths[dir->grant].read_only) return false;
    wgsb_ctx_deny(c->ctx, op, p->raw, p->len, "read-only grant");
    return true;
}

/* The parent directory of a path's last component, opened beneath a grant. */
typedef struct parent_dir {
    int fd;
    bool owned;       /* fd was opened here (else it is the guest dir's own fd) */
    const char *last; /* the last component, inside the guest_path's string */
    bool trailing_slash;
} parent_dir;

/*
 * Splits p (modified in place) into parent and last component and opens the
 * parent beneath dir. The last component must be a real name: "", "." and
 * ".." are EINVAL (acting on them would mean acting on a directory by one of
 * its aliases, possibly the grant itself or its parent).
 */
static uint32_t open_parent(wasi_call *c, const char *op, const wgsb_fd *dir, guest_path *p,
                            parent_dir *out)
{
    out->fd = dir->host_fd;
    out->owned = false;
    out->trailing_slash = false;
    size_t len = p->len;
    while (len > 1 && p->s[len - 1] == '/') {
        p->s[--len] = '\0';
        out->trailing_slash = true;
    }
    char *slash = strrchr(p->s, '/');
    out->last = slash ? slash + 1 : p->s;
    if (out->last[0] == '\0' || strcmp(out->last, ".") == 0 || strcmp(out->last, "..") == 0)
        return len == 0 ? WASI_ENOENT : WASI_EINVAL;
    if (slash) {
        *slash = '\0';
        int fd = open_beneath(dir->host_fd, p->s, O_PATH | O_DIRECTORY, 0);
        if (fd < 0) return resolve_error(c, op, p->raw, p->len, errno);
        out->fd = fd;
        out->owned = true;
    }
    return WASI_ESUCCESS;
}

static void close_parent(parent_dir *d)
{
    if (d->owned) close(d->fd);
    d->owned = false;
}

/*
 * With a trailing slash the name must be a directory (as POSIX has it);
 * checked without following a symlink, since the *at() calls below do not
 * follow one either.
 */
static uint32_t check_trailing_slash(const parent_dir *d)
{
    if (!d->trailing_slash) return WASI_ESUCCESS;
    struct stat st;
    if (fstatat(d->fd, d->last, &st, AT_SYMLINK_NOFOLLOW) != 0) return wgsb_errno(errno);
    return S_ISDIR(st.st_mode) ? WASI_ESUCCESS : WASI_ENOTDIR;
}

/* "/data" + "/" + "x.txt": the name an fd opened by path_open has in log lines. */
static char *join_name(const char *dir, const char *rel)
{
    size_t a = strlen(dir), b = strlen(rel);
    char *s = malloc(a + b + 2);
    if (!s) return NULL;
    memcpy(s, dir, a);
    size_t o = a;
    if (a == 0 || dir[a - 1] != '/') s[o++] = '/';
    memcpy(s + o, rel, b + 1);
    return s;
}

/* ---- path_open ------------------------------------------------------------------- */

#define RIGHTS_READING (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR)
#define RIGHTS_WRITE_MODE                                                             \
    (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_SET_SIZE | \
     WASI_RIGHT_FD_DATASYNC)

/*
 * Requested rights are intersected with the directory's inheriting rights
 * (as common runtimes and wasi-libc expect) rather than refused; they decide
 * the host access mode: any read right opens for reading, any of
 * RIGHTS_WRITE_MODE for writing. Only regular files and directories can be
 * opened: a FIFO or device could block the host thread past the deadline.
 */
uint32_t wasi_path_open(wasi_call *c, const wg_value *a)
{
    const char *op = "path_open";
    uint32_t dirflags = a[1].u32, oflags = a[4].u32 & 0xffff, fdflags = a[7].u32 & 0xffff;
    uint32_t result_ptr = a[8].u32;
    guest_path p;
    wgsb_fd *dir;
    uint32_t e = read_path(c, op, a[0].u32, a[2].u32, a[3].u32, &p, &dir);
    if (e) return e;
    if (!wasi_mem(c, result_ptr, 4)) return WASI_EFAULT;
    if (oflags & ~(WASI_O_CREAT | WASI_O_DIRECTORY | WASI_O_EXCL | WASI_O_TRUNC))
        return WASI_EINVAL;
    if (fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_DSYNC | WASI_FDFLAG_NONBLOCK |
                    WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
        return WASI_EINVAL;
    if (!(dir->rights_base & WASI_RIGHT_PATH_OPEN)) return WASI_ENOTCAPABLE;

    uint64_t base = a[5].u64 & dir->rights_inheriting;
    uint64_t inheriting = a[6].u64 & dir->rights_inheriting;
    bool want_read = (base & RIGHTS_READING) != 0;
    bool want_write = (base & RIGHTS_WRITE_MODE) != 0;
    if ((oflags & (WASI_O_CREAT | WASI_O_TRUNC)) && denied_read_only(c, dir, op, &p))
        return WASI_EROFS;

    /* O_NONBLOCK: opening a FIFO that slipped into a grant must not block (it is refused below). */
    int flags = O_NOCTTY | O_NONBLOCK;
    if (oflags & WASI_O_CREAT) flags |= O_CREAT;
    if (oflags & WASI_O_EXCL) flags |= O_EXCL;
    if (oflags & WASI_O_TRUNC) flags |= O_TRUNC;
    if (oflags & WASI_O_DIRECTORY) flags |= O_DIRECTORY;
    if (!(dirflags & WASI_LOOKUP_SYMLINK_FOLLOW)) flags |= O_NOFOLLOW;
    if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
    if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
    if (fdflags & WASI_FDFLAG_SYNC) flags |= O_SYNC;
    if (fdflags & WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
    if (oflags & WASI_O_DIRECTORY) want_write = false;
    flags |= want_write ? (want_read ? O_RDWR : O_WRONLY) : O_RDONLY;

    int fd = open_beneath(dir->host_fd, p.s, flags, 0666);
    if (fd < 0) return resolve_error(c, op, p.raw, p.len, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return wgsb_errno(err);
    }
    wgsb_fd entry;
    memset(&entry, 0, sizeof entry);
    entry.host_fd = fd;
    entry.grant = dir->grant;
    entry.fdflags = (uint16_t)fdflags;
    entry.rights_inheriting = inheriting;
    if (S_ISDIR(st.st_mode)) {
        entry.kind = WGSB_FD_DIR;
        entry.readable = true;
        entry.rights_base = base & WASI_RIGHTS_DIR;
    } else if (S_ISREG(st.st_mode)) {
        entry.kind = WGSB_FD_FILE;
        entry.readable = want_read;
        entry.writable = want_write;
        entry.rights_base = base & WASI_RIGHTS_FILE;
        entry.rights_inheriting = 0;
    } else {
        close(fd);
        wgsb_ctx_deny(c->ctx, op, p.raw, p.len, "not a regular file or directory");
        return WASI_ENOTSUP;
    }
    entry.guest_path = join_name(wgsb_fd_name(c->ctx, dir), p.s);
    if (!entry.guest_path) {
        close(fd);
        return WASI_ENOMEM;
    }
    int64_t slot = wgsb_fd_add(c->ctx, &entry, &e);
    if (slot < 0) return e;
    wasi_put_u32(c, result_ptr, (uint32_t)slot);
    return WASI_ESUCCESS;
}

/* ---- Stat and times ---------------------------------------------------------------- */

uint32_t wasi_path_filestat_get(wasi_call *c, const wg_value *a)
{
    const char *op = "path_filestat_get";
    guest_path p;
    wgsb_fd *dir;
    uint32_t e = read_path(c, op, a[0].u32, a[2].u32, a[3].u32, &p, &dir);
    if (e) return e;
    /* O_PATH opens without reading; with O_NOFOLLOW a final symlink is opened itself. */
    int flags = O_PATH | ((a[1].u32 & WASI_LOOKUP_SYMLINK_FOLLOW) ? 0 : O_NOFOLLOW);
    int fd = open_beneath(dir->host_fd, p.s, flags, 0);
    if (fd < 0) return resolve_error(c, op, p.raw, p.len, errno);
    struct stat st;
    int r = fstat(fd, &st);
    int err = errno;
    close(fd);
    if (r != 0) return wgsb_errno(err);
    return wasi_write_filestat(c, a[4].u32, &st);
}

uint32_t wasi_path_filestat_set_times(wasi_call *c, const wg_value *a)
{
    const char *op = "path_filestat_set_times";
    guest_path p;
    wgsb_fd *dir;
    uint32_t e = read_path(c, op, a[0].u32, a[2].u32, a[3].u32, &p, &dir);
    if (e) return e;
    if (denied_read_only(c, dir, op, &p)) return WASI_EROFS;
    struct timespec ts[2];
    if ((e = wasi_times(a[4].u64, a[5].u64, a[6].u32, ts))) return e;
    int flags = O_PATH | ((a[1].u32 & WASI_LOOKUP_SYMLINK_FOLLOW) ? 0 : O_NOFOLLOW);
    int fd = open_beneath(dir->host_fd, p.s, flags, 0);
    if (fd < 0) return resolve_error(c, op, p.raw, p.len, errno);
    /* The resolved object itself (AT_EMPTY_PATH): no second lookup that could race. */
    int r = utimensat(fd, "", ts, AT_EMPTY_PATH);
    int err = errno;
    close(fd);
    return r != 0 ? wgsb_errno(err) : WASI_ESUCCESS;
}

/* ---- Creating and removing ------------------------------------------------------------ */

uint32_t wasi_path_create_directory(wasi_call *c, const wg_value *a)
{
    const char *op = "path_create_directory";
    guest_path p;
    wgsb_fd *dir;
    parent_dir pd;
    uint32_t e = read_path(c, op, a[0].u32, a[1].u32, a[2].u32, &p, &dir);
    if (e) return e;
    if (denied_read_only(c, dir, op, &p)) return WASI_EROFS;
    if ((e = open_parent(c, op, dir, &p, &pd))) return e;
    e = mkdirat(pd.fd, pd.last, 0777) != 0 ? wgsb_errno(errno) : WASI_ESUCCESS;
    close_parent(&pd);
    return e;
}

static uint32_t remove_entry(wasi_call *c, const wg_value *a, const char *op, bool directory)
{
    guest_path p;
    wgsb_fd *dir;
    parent_dir pd;
    uint32_t e = read_path(c, op, a[0].u32, a[1].u32, a[2].u32, &p, &dir);
    if (e) return e;
    if (denied_read_only(c, dir, op, &p)) return WASI_EROFS;
    if ((e = open_parent(c, op, dir, &p, &pd))) return e;
    if (!directory && pd.trailing_slash) {
        struct stat st;
        e = fstatat(pd.fd, pd.last, &st, AT_SYMLINK_NOFOLLOW) != 0 ? wgsb_errno(errno)
            : S_ISDIR(st.st_mode)                                  ? WASI_EISDIR
                                                                   : WASI_ENOTDIR;
    } else if (unlinkat(pd.fd, pd.last, directory ? AT_REMOVEDIR : 0) != 0) {
        e = wgsb_errno(errno);
    }
    close_parent(&pd);
    return e;
}

uint32_t wasi_path_unlink_file(wasi_call *c, const wg_value *a)
{
    return remove_entry(c, a, "path_unlink_file", false);
}

uint32_t wasi_path_remove_directory(wasi_call *c, const wg_value *a)
{
    return remove_entry(c, a, "path_remove_directory", true);
}

/*
 * Two paths under one grant: a rename or link between grants would carry a
 * file out of a read-only grant or between trust domains, so it is EXDEV
 * (what a program sees across file systems, and copes with).
 */
static uint32_t two_paths(wasi_call *c, const char *op, uint32_t fd1, uint32_t p1, uint32_t l1,
                          uint32_t fd2, uint32_t p2, uint32_t l2, guest_path *a1, guest_path *a2,
                          parent_dir *d1, parent_dir *d2)
{
    wgsb_fd *dir1, *dir2;
    uint32_t e = read_path(c, op, fd1, p1, l1, a1, &dir1);
    if (e) return e;
    if ((e = read_path(c, op, fd2, p2, l2, a2, &dir2))) return e;
    if (denied_read_only(c, dir1, op, a1) || denied_read_only(c, dir2, op, a2)) return WASI_EROFS;
    if (dir1->grant != dir2->grant) {
        wgsb_ctx_deny(c->ctx, op, a1->raw, a1->len, "the two paths lie under different grants");
        return WASI_EXDEV;
    }
    if ((e = open_parent(c, op, dir1, a1, d1))) return e;
    if ((e = open_parent(c, op, dir2, a2, d2))) {
        close_parent(d1);
        return e;
    }
    return WASI_ESUCCESS;
}

uint32_t wasi_path_rename(wasi_call *c, const wg_value *a)
{
    guest_path *p = malloc(2 * sizeof *p); /* two PATH_MAX buffers: keep them off the stack */
    if (!p) return WASI_ENOMEM;
    parent_dir d1, d2;
    uint32_t e = two_paths(c, "path_rename", a[0].u32, a[1].u32, a[2].u32, a[3].u32, a[4].u32,
                           a[5].u32, &p[0], &p[1], &d1, &d2);
    if (!e) {
        if (!(e = check_trailing_slash(&d1)) && d2.trailing_slash && !d1.trailing_slash) {
            /* "file" -> "name/" : the source must then be a directory too */
            d1.trailing_slash = true;
            e = check_trailing_slash(&d1);
        }
        if (!e && renameat(d1.fd, d1.last, d2.fd, d2.last) != 0) e = wgsb_errno(errno);
        close_parent(&d1);
        close_parent(&d2);
    }
    free(p);
    return e;
}

uint32_t wasi_path_link(wasi_call *c, const wg_value *a)
{
    /*
     * Following a symlink as the source would be resolved by the kernel
     * without RESOLVE_BENEATH: refused rather than emulated.
     */
    if (a[1].u32 & WASI_LOOKUP_SYMLINK_FOLLOW) return WASI_ENOTSUP;
    guest_path *p = malloc(2 * sizeof *p);
    if (!p) return WASI_ENOMEM;
    parent_dir d1, d2;
    uint32_t e = two_paths(c, "path_link", a[0].u32, a[2].u32, a[3].u32, a[4].u32, a[5].u32,
                           a[6].u32, &p[0], &p[1], &d1, &d2);
    if (!e) {
        if (d1.trailing_slash || d2.trailing_slash)
            e = WASI_ENOTDIR; /* hard links to directories do not exist */
        else if (linkat(d1.fd, d1.last, d2.fd, d2.last, 0) != 0)
            e = wgsb_errno(errno);
        close_parent(&d1);
        close_parent(&d2);
    }
    free(p);
    return e;
}

uint32_t wasi_path_readlink(wasi_call *c, const wg_value *a)
{
    const char *op = "path_readlink";
    guest_path p;
    wgsb_fd *dir;
    parent_dir pd;
    uint32_t e = read_path(c, op, a[0].u32, a[1].u32, a[2].u32, &p, &dir);
    if (e) return e;
    uint32_t buf = a[3].u32, buf_len = a[4].u32;
    uint8_t *out = wasi_mem(c, buf, buf_len);
    if (!out || !wasi_mem(c, a[5].u32, 4)) return WASI_EFAULT;
    if ((e = open_parent(c, op, dir, &p, &pd))) return e;
    char target[PATH_MAX];
    ssize_t n = readlinkat(pd.fd, pd.last, target, sizeof target);
    int err = errno;
    close_parent(&pd);
    if (n < 0) return wgsb_errno(err);
    /* A target longer than the buffer is cut, as readlink(2) does. */
    uint32_t copy = (size_t)n < buf_len ? (uint32_t)n : buf_len;
    memcpy(out, target, copy);
    wasi_put_u32(c, a[5].u32, copy);
    return WASI_ESUCCESS;
}

/*
 * Creating symlinks is not supported: the sandbox itself never follows a
 * link out of a grant, but a link left in a granted directory that points
 * elsewhere would be a trap for the host's own programs.
 */
uint32_t wasi_path_symlink(wasi_call *c, const wg_value *a)
{
    const char *op = "path_symlink";
    guest_path p;
    wgsb_fd *dir;
    uint32_t e = read_path(c, op, a[2].u32, a[3].u32, a[4].u32, &p, &dir);
    if (e) return e;
    if (denied_read_only(c, dir, op, &p)) return WASI_EROFS;
    wgsb_ctx_deny(c->ctx, op, p.raw, p.len, "creating symbolic links is not supported");
    return WASI_ENOTSUP;
}
