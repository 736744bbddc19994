/*
 * wasi_internal.h — what the WASI implementation files share: the state of
 * one host call, bounds-checked access to the guest's memory, and the
 * functions of the WASI table (wasi.c defines the table; wasi_fd.c and
 * wasi_path.c implement the fd_* and path_* functions).
 *
 * Every function returns a WASI errno (0 = success), which the trampoline
 * stores as the i32 result. A function that must end the whole call
 * (proc_exit, an output limit, the deadline) sets call->trap instead.
 * Every guest pointer and length goes through wasi_mem(): a range that is
 * not entirely inside linear memory is EFAULT, never a host access.
 */
#ifndef WASMGATE_SANDBOX_WASI_INTERNAL_H
#define WASMGATE_SANDBOX_WASI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sandbox_internal.h"

typedef struct wasi_call {
    wgsb_ctx *ctx;
    wg_instance *inst;
    wg_memory *mem; /* memory 0 of the calling instance, or NULL */
    bool unstable;  /* called as wasi_unstable: the snapshot-0 struct layouts apply */
    wg_trap *trap;  /* set to end the call instead of returning an errno */
} wasi_call;

/* A pointer to guest memory [off, off+len), or NULL if any of it is outside. */
static inline void *wasi_mem(wasi_call *c, uint64_t off, uint64_t len)
{
    if (!c->mem) return NULL;
    /* wg_memory_ptr of an empty range at the end is fine; keep a non-NULL result for len 0. */
    return wg_memory_ptr(c->mem, off, len);
}

/*
 * Little-endian stores and loads; false = out of bounds (the caller returns
 * EFAULT). A failed load stores 0.
 */
static inline bool wasi_put_u8(wasi_call *c, uint64_t off, uint8_t v)
{
    uint8_t *p = wasi_mem(c, off, 1);
    if (!p) return false;
    *p = v;
    return true;
}
static inline bool wasi_put_u16(wasi_call *c, uint64_t off, uint16_t v)
{
    uint8_t *p = wasi_mem(c, off, 2);
    if (!p) return false;
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return true;
}
static inline bool wasi_put_u32(wasi_call *c, uint64_t off, uint32_t v)
{
    uint8_t *p = wasi_mem(c, off, 4);
    if (!p) return false;
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return true;
}
static inline bool wasi_put_u64(wasi_call *c, uint64_t off, uint64_t v)
{
    uint8_t *p = wasi_mem(c, off, 8);
    if (!p) return false;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return true;
}
static inline bool wasi_get_u16(wasi_call *c, uint64_t off, uint16_t *v)
{
    const uint8_t *p = wasi_mem(c, off, 2);
    *v = 0;
    if (!p) return false;
    *v = (uint16_t)(p[0] | (p[1] << 8));
    return true;
}
static inline bool wasi_get_u32(wasi_call *c, uint64_t off, uint32_t *v)
{
    const uint8_t *p = wasi_mem(c, off, 4);
    *v = 0;
    if (!p) return false;
    uint32_t x = 0;
    for (int i = 3; i >= 0; i--)
        x = (x << 8) | p[i];
    *v = x;
    return true;
}
static inline bool wasi_get_u64(wasi_call *c, uint64_t off, uint64_t *v)
{
    const uint8_t *p = wasi_mem(c, off, 8);
    *v = 0;
    if (!p) return false;
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | p[i];
    *v = x;
    return true;
}

/*
 * The deadline a wait inside a host call must respect: the earlier of the
 * context's (set by wgsb_instantiate/wgsb_call) and the calling instance's
 * (a caller that drives the engine itself may only have set the latter).
 * 0 = none.
 */
static inline uint64_t wasi_deadline(const wasi_call *c)
{
    uint64_t a = c->ctx->deadline_ns, b = wg_instance_deadline(c->inst);
    if (!a) return b;
    if (!b) return a;
    return a < b ? a : b;
}

/* Sizes of the layouts that differ between the two snapshots. */
#define WASI_FILESTAT_SIZE          64
#define WASI_UNSTABLE_FILESTAT_SIZE 56

/*
 * Writes a filestat for host stat `st` at guest `off`, in the layout of
 * the calling snapshot. Returns a WASI errno.
 */
struct stat;
uint32_t wasi_write_filestat(wasi_call *c, uint32_t off, const struct stat *st);
/* The WASI filetype of a host st_mode. */
uint8_t wasi_filetype_of_mode(unsigned mode);

typedef uint32_t (*wasi_impl)(wasi_call *c, const wg_value *a);

/* ---- wasi_fd.c ---------------------------------------------------------------- */
uint32_t wasi_fd_advise(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_allocate(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_close(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_datasync(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_fdstat_get(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_fdstat_set_flags(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_fdstat_set_rights(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_filestat_get(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_filestat_set_size(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_filestat_set_times(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_pread(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_prestat_get(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_prestat_dir_name(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_pwrite(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_read(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_readdir(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_renumber(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_seek(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_sync(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_tell(wasi_call *c, const wg_value *a);
uint32_t wasi_fd_write(wasi_call *c, const wg_value *a);

/* ---- wasi_path.c -------------------------------------------------------------- */
uint32_t wasi_path_create_directory(wasi_call *c, const wg_value *a);
uint32_t wasi_path_filestat_get(wasi_call *c, const wg_value *a);
uint32_t wasi_path_filestat_set_times(wasi_call *c, const wg_value *a);
uint32_t wasi_path_link(wasi_call *c, const wg_value *a);
uint32_t wasi_path_open(wasi_call *c, const wg_value *a);
uint32_t wasi_path_readlink(wasi_call *c, const wg_value *a);
uint32_t wasi_path_remove_directory(wasi_call *c, const wg_value *a);
uint32_t wasi_path_rename(wasi_call *c, const wg_value *a);
uint32_t wasi_path_symlink(wasi_call *c, const wg_value *a);
uint32_t wasi_path_unlink_file(wasi_call *c, const wg_value *a);

/*
 * Computes host timespecs for utimensat/futimens from WASI's
 * (atim, mtim, fst_flags). Returns a WASI errno (EINVAL for contradictory
 * flags).
 */
struct timespec;
uint32_t wasi_times(uint64_t atim, uint64_t mtim, uint32_t flags, struct timespec ts[2]);

#endif /* WASMGATE_SANDBOX_WASI_INTERNAL_H */
