/*
 * util.c — small helpers of the sandbox: status names, quoting
 * guest-controlled strings for log lines, and mapping host errno values
 * to WASI's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sandbox_internal.h"

const char *wgsb_status_name(wgsb_status status)
{
    switch (status) {
    case WGSB_OK: return "ok";
    case WGSB_TRAP: return "trap";
    case WGSB_TIMEOUT: return "timeout";
    case WGSB_FUEL: return "fuel";
    case WGSB_MEMORY_LIMIT: return "memory limit";
    case WGSB_EXIT: return "exit";
    case WGSB_OUTPUT_LIMIT: return "output limit";
    case WGSB_ERROR: return "error";
    }
    return "unknown";
}

/*
 * Guest strings (paths) may hold newlines, NULs or terminal escapes: a log
 * line must stay one line and show them unambiguously.
 */
char *wgsb_quote(const char *s, size_t len, char *buf, size_t bufsz)
{
    if (bufsz < 8) {
        if (bufsz) buf[0] = '\0';
        return buf;
    }
    size_t o = 0;
    size_t room = bufsz - 5; /* leaves space for `..."` and the NUL */
    buf[o++] = '"';
    size_t i;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[5];
        size_t n;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            n = 2;
        } else if (c == '\n') {
            memcpy(esc, "\\n", 2);
            n = 2;
        } else if (c == '\t') {
            memcpy(esc, "\\t", 2);
            n = 2;
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", c);
            n = 4;
        } else {
            esc[0] = (char)c;
            n = 1;
        }
        if (o + n > room) break;
        memcpy(buf + o, esc, n);
        o += n;
    }
    if (i < len) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

uint32_t wgsb_errno(int e)
{
    switch (e) {
    case 0: return WASI_ESUCCESS;
    case E2BIG: return WASI_E2BIG;
    case EACCES: return WASI_EACCES;
    case EAGAIN: return WASI_EAGAIN;
    case EBADF: return WASI_EBADF;
    case EBUSY: return WASI_EBUSY;
    case EEXIST: return WASI_EEXIST;
    case EFAULT: return WASI_EFAULT;
    case EFBIG: return WASI_EFBIG;
    case EINTR: return WASI_EINTR;
    case EINVAL: return WASI_EINVAL;
    case EIO: return WASI_EIO;
    case EISDIR: return WASI_EISDIR;
    case ELOOP: return WASI_ELOOP;
    case EMFILE: return WASI_EMFILE;
    case EMLINK: return WASI_EMLINK;
    case ENAMETOOLONG: return WASI_ENAMETOOLONG;
    case ENFILE: return WASI_ENFILE;
    case ENODEV: return WASI_ENODEV;
    case ENOENT: return WASI_ENOENT;
    case ENOMEM: return WASI_ENOMEM;
    case ENOSPC: return WASI_ENOSPC;
    case EDQUOT: return WASI_ENOSPC;
    case ENOSYS: return WASI_ENOSYS;
    case ENOTDIR: return WASI_ENOTDIR;
    case ENOTEMPTY: return WASI_ENOTEMPTY;
    case EOPNOTSUPP: return WASI_ENOTSUP;
    case ENOTTY: return WASI_ENOTTY;
    case ENXIO: return WASI_ENXIO;
    case EOVERFLOW: return WASI_EOVERFLOW;
    case EPERM: return WASI_EPERM;
    case EPIPE: return WASI_EPIPE;
    case ERANGE: return WASI_ERANGE;
    case EROFS: return WASI_EROFS;
    case ESPIPE: return WASI_ESPIPE;
    case ETXTBSY: return WASI_ETXTBSY;
    case EXDEV: return WASI_EXDEV;
    default: return WASI_EIO;
    }
}
