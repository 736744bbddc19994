/*
 * sandbox_internal.h — what the sandbox's source files share: the sandbox
 * and context structures, the guest's file descriptor table, captured
 * output, and the WASI constants (errno values, rights, layouts).
 *
 * Nothing outside src/sandbox may include this file; the layers above see
 * only wasmgate/sandbox.h. The sandbox uses the engine's public API only.
 */
#ifndef WASMGATE_SANDBOX_INTERNAL_H
#define WASMGATE_SANDBOX_INTERNAL_H

#include <dirent.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/sandbox.h"
#include "wasmgate/wg.h"

/* ---- WASI preview 1 constants ------------------------------------------- */

/* errno values (wasi_snapshot_preview1 "errno"; the same in wasi_unstable). */
enum {
    WASI_ESUCCESS = 0,
    WASI_E2BIG = 1,
    WASI_EACCES = 2,
    WASI_EAGAIN = 6,
    WASI_EBADF = 8,
    WASI_EBUSY = 10,
    WASI_EEXIST = 20,
    WASI_EFAULT = 21,
    WASI_EFBIG = 22,
    WASI_EINTR = 27,
    WASI_EINVAL = 28,
    WASI_EIO = 29,
    WASI_EISDIR = 31,
    WASI_ELOOP = 32,
    WASI_EMFILE = 33,
    WASI_EMLINK = 34,
    WASI_ENAMETOOLONG = 37,
    WASI_ENFILE = 41,
    WASI_ENODEV = 43,
    WASI_ENOENT = 44,
    WASI_ENOMEM = 48,
    WASI_ENOSPC = 51,
    WASI_ENOSYS = 52,
    WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55,
    WASI_ENOTSUP = 58,
    WASI_ENOTTY = 59,
    WASI_ENXIO = 60,
    WASI_EOVERFLOW = 61,
    WASI_EPERM = 63,
    WASI_EPIPE = 64,
    WASI_ERANGE = 68,
    WASI_EROFS = 69,
    WASI_ESPIPE = 70,
    WASI_ETXTBSY = 74,
    WASI_EXDEV = 75,
    WASI_ENOTCAPABLE = 76
};

/* filetype */
enum {
    WASI_FILETYPE_UNKNOWN = 0,
    WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2,
    WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4,
    WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6,
    WASI_FILETYPE_SYMBOLIC_LINK = 7
};

/* fdflags, oflags, lookupflags, fstflags */
#define WASI_FDFLAG_APPEND         0x01u
#define WASI_FDFLAG_DSYNC          0x02u
#define WASI_FDFLAG_NONBLOCK       0x04u
#define WASI_FDFLAG_RSYNC          0x08u
#define WASI_FDFLAG_SYNC           0x10u

#define WASI_O_CREAT               0x1u
#define WASI_O_DIRECTORY           0x2u
#define WASI_O_EXCL                0x4u
#define WASI_O_TRUNC               0x8u

#define WASI_LOOKUP_SYMLINK_FOLLOW 0x1u

#define WASI_FST_ATIM              0x1u
#define WASI_FST_ATIM_NOW          0x2u
#define WASI_FST_MTIM              0x4u
#define WASI_FST_MTIM_NOW          0x8u

/* rights */
#define WASI_RIGHT_FD_DATASYNC             (1ull << 0)
#define WASI_RIGHT_FD_READ                 (1ull << 1)
#define WASI_RIGHT_FD_SEEK                 (1ull << 2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS     (1ull << 3)
#define WASI_RIGHT_FD_SYNC                 (1ull << 4)
#define WASI_RIGHT_FD_TELL                 (1ull << 5)
#define WASI_RIGHT_FD_WRITE                (1ull << 6)
#define WASI_RIGHT_FD_ADVISE               (1ull << 7)
#define WASI_RIGHT_FD_ALLOCATE             (1ull << 8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY   (1ull << 9)
#define WASI_RIGHT_PATH_CREATE_FILE        (1ull << 10)
#define WASI_RIGHT_PATH_LINK_SOURCE        (1ull << 11)
#define WASI_RIGHT_PATH_LINK_TARGET        (1ull << 12)
#define WASI_RIGHT_PATH_OPEN               (1ull << 13)
#define WASI_RIGHT_FD_READDIR              (1ull << 14)
#define WASI_RIGHT_PATH_READLINK           (1ull << 15)
#define WASI_RIGHT_PATH_RENAME_SOURCE      (1ull << 16)
#define WASI_RIGHT_PATH_RENAME_TARGET      (1ull << 17)
#define WASI_RIGHT_PATH_FILESTAT_GET       (1ull << 18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE  (1ull << 19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define WASI_RIGHT_FD_FILESTAT_GET         (1ull << 21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE    (1ull << 22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES   (1ull << 23)
#define WASI_RIGHT_PATH_SYMLINK            (1ull << 24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY   (1ull << 25)
#define WASI_RIGHT_PATH_UNLINK_FILE        (1ull << 26)
#define WASI_RIGHT_POLL_FD_READWRITE       (1ull << 27)

/* What a regular file opened for reading and writing may have. */
#define WASI_RIGHTS_FILE                                                        \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK |         \
     WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL | \
     WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE | WASI_RIGHT_FD_ALLOCATE |      \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |             \
     WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)
/* What a directory may have. PATH_SYMLINK is absent: symlinks cannot be created here. */
#define WASI_RIGHTS_DIR                                                                 \
    (WASI_RIGHT_FD_FDSTAT_SET_FLAGS | WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_ADVISE |       \
     WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                   \
     WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_OPEN | \
     WASI_RIGHT_FD_READDIR | WASI_RIGHT_PATH_READLINK | WASI_RIGHT_PATH_RENAME_SOURCE | \
     WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_GET |                     \
     WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |           \
     WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_TIMES |                    \
     WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE)
/* Rights that change the file system: none of them exists under a read-only grant. */
#define WASI_RIGHTS_WRITING                                                                      \
    (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE |                     \
     WASI_RIGHT_FD_FILESTAT_SET_SIZE | WASI_RIGHT_FD_FILESTAT_SET_TIMES |                        \
     WASI_RIGHT_PATH_CREATE_DIRECTORY | WASI_RIGHT_PATH_CREATE_FILE |                            \
     WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET | WASI_RIGHT_PATH_RENAME_SOURCE | \
     WASI_RIGHT_PATH_RENAME_TARGET | WASI_RIGHT_PATH_FILESTAT_SET_SIZE |                         \
     WASI_RIGHT_PATH_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |                              \
     WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE)

/* ---- The sandbox ------------------------------------------------------------- */

struct wgsb_sandbox {
    atomic_size_t refs;
    wgsb_manifest manifest; /* private deep copy */
    int *grant_fds;         /* manifest.npaths directory fds, shared by every context */
};

/* ---- Captured output ------------------------------------------------------ */

typedef struct wgsb_capture {
    char *data; /* NUL-terminated when non-NULL */
    size_t len, cap;
    size_t limit;
    bool truncated; /* stderr only: bytes past the limit were dropped */
} wgsb_capture;

/* ---- The guest's file descriptors ------------------------------------- */

typedef enum wgsb_fd_kind {
    WGSB_FD_STDIN,
    WGSB_FD_STDOUT,
    WGSB_FD_STDERR,
    WGSB_FD_PREOPEN, /* a granted directory: host_fd belongs to the sandbox */
    WGSB_FD_FILE,    /* opened by path_open: host_fd belongs to this entry */
    WGSB_FD_DIR      /* a directory opened by path_open: likewise */
} wgsb_fd_kind;

typedef struct wgsb_fd {
    bool open;
    wgsb_fd_kind kind;
    int host_fd;   /* -1 for captured/buffered stdio */
    int grant;     /* index of the grant the fd lies under; -1 for stdio */
    bool readable; /* host-side access mode */
    bool writable;
    uint16_t fdflags; /* WASI fdflags reported by fd_fdstat_get */
    uint64_t rights_base, rights_inheriting;
    char *guest_path; /* the guest's name for it, for log lines; owned (NULL for stdio/preopens) */
    DIR *dir;         /* fd_readdir's stream over a private fd, opened on first use */
    uint64_t dir_cookie; /* the cookie `dir` is positioned at */
} wgsb_fd;

/* ---- The context ---------------------------------------------------------------- */

struct wgsb_ctx {
    wgsb_sandbox *sb;
    const wgsb_manifest *m; /* &sb->manifest */
    void *ext;

    char *const *args; /* WASI argv: the manifest's or the options' (borrowed) */
    size_t nargs;

    const uint8_t *stdin_data; /* borrowed */
    size_t stdin_len, stdin_pos;
    int stdin_fd, stdout_fd, stderr_fd; /* host fds for pass-through, or -1 */
    wgsb_capture out, err;

    wgsb_fd *fds;
    uint32_t nfds;       /* entries in fds (open or not) */
    uint32_t open_files; /* entries of kind FILE/DIR, against max_open_files */

    bool exited;
    int32_t exit_code;
    bool output_exceeded;     /* a stdout write went past max_stdout_bytes */
    wgsb_status abort_status; /* set by wgsb_ctx_abort(); WGSB_OK = none pending */

    bool deadline_set;
    uint64_t origin_ns;   /* when the deadline was set: deadline_ms counts from here */
    uint64_t deadline_ns; /* 0 = none */
    uint64_t deadline_ms; /* the budget deadline_ns stands for, for the timeout message */
    uint64_t fuel_used;

    unsigned denials_logged; /* rate limit on denial log lines (see wgsb_ctx_deny) */
};

/* ---- Internal functions ------------------------------------------------- */

/* The name wgsb_manifest_init() gives a module. */
#define WGSB_DEFAULT_NAME "module"

/* A module's name for messages; NULL (a failed allocation) reads as the default. */
static inline const char *wgsb_module_name(const wgsb_manifest *m)
{
    return m->name ? m->name : WGSB_DEFAULT_NAME;
}

/*
 * Checks a directory grant as wgsb_manifest_add_grant() does: both paths
 * non-empty, no ".." component in the guest path. False with a message in
 * err.
 */
bool wgsb_check_grant(const char *host_path, const char *guest_path, char *err, size_t errsz);

/* Looks up an open guest fd; NULL if fd is not open. */
wgsb_fd *wgsb_fd_get(wgsb_ctx *ctx, uint32_t fd);
/*
 * Adds an entry for a newly opened host fd (kind FILE or DIR), taking
 * ownership of host_fd and guest_path on success. Returns the guest fd, or
 * -1 (WASI errno in *werr: EMFILE past max_open_files, ENOMEM) having closed
 * host_fd and freed guest_path.
 */
int64_t wgsb_fd_add(wgsb_ctx *ctx, const wgsb_fd *entry, uint32_t *werr);
/* Closes a guest fd: releases what the entry owns and marks it free. */
void wgsb_fd_close(wgsb_ctx *ctx, wgsb_fd *f);
/* The guest's name for an fd, for log lines ("/data", "/data/x.txt", "<stdout>"). */
const char *wgsb_fd_name(const wgsb_ctx *ctx, const wgsb_fd *f);

/*
 * Appends n bytes to a capture. Returns false if they did not all fit
 * under the limit (what fits is kept, the rest dropped and c->truncated
 * set) or memory ran out (*oom set). Captured stderr goes through
 * wgsb_ctx_append_stderr(), which also marks where it was cut.
 */
bool wgsb_capture_append(wgsb_capture *c, const void *p, size_t n, bool *oom);

/*
 * Logs a denied attempt through the manifest's log function:
 * "denied OP TARGET (REASON)" with the target quoted and escaped. At most
 * a fixed number per context (a hostile module could otherwise flood the
 * log); past that one line says further denials are not logged.
 */
void wgsb_ctx_deny(wgsb_ctx *ctx, const char *op, const char *target, size_t target_len,
                   const char *reason);

/*
 * Writes s (len bytes, any content) into buf as a double-quoted string with
 * C escapes, cut with "..." when longer than fits. Returns buf.
 */
char *wgsb_quote(const char *s, size_t len, char *buf, size_t bufsz);

/* Maps a host errno to the WASI errno. */
uint32_t wgsb_errno(int host_errno);

/* The effective deadline for a run on ctx (see wgsb_instantiate()). */
uint64_t wgsb_ctx_effective_deadline(wgsb_ctx *ctx, uint64_t deadline_ns);

#endif /* WASMGATE_SANDBOX_INTERNAL_H */
