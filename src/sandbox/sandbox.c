/*
 * sandbox.c — a manifest made ready to run modules: a private copy of the
 * manifest plus its granted directories, opened once.
 *
 * Why open grants here and not per request: opening directories is the only
 * file system work a run needs, and doing it once keeps a fresh context
 * free of system calls. Sharing the fds between threads is safe because
 * they are only ever used as the dirfd of *at() calls and openat2(), which
 * do not touch the fd's offset or flags; anything that would (reading a
 * directory) works on a private fd opened from it (see wasi_fd.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox_internal.h"

wgsb_sandbox *wgsb_sandbox_new(const wgsb_manifest *manifest, char *err, size_t errsz)
{
    if (err && errsz) err[0] = '\0';
    wgsb_sandbox *sb = calloc(1, sizeof *sb);
    if (!sb || !wgsb_manifest_copy(&sb->manifest, manifest)) {
        free(sb);
        if (err) snprintf(err, errsz, "module %s: out of memory", wgsb_module_name(manifest));
        return NULL;
    }
    atomic_init(&sb->refs, 1);
    const wgsb_manifest *m = &sb->manifest;
    if (m->npaths) {
        sb->grant_fds = malloc(m->npaths * sizeof *sb->grant_fds);
        if (!sb->grant_fds) {
            if (err) snprintf(err, errsz, "module %s: out of memory", wgsb_module_name(m));
            wgsb_manifest_clear(&sb->manifest);
            free(sb);
            return NULL;
        }
        for (size_t i = 0; i < m->npaths; i++)
            sb->grant_fds[i] = -1;
    }
    for (size_t i = 0; i < m->npaths; i++) {
        const wgsb_path_grant *g = &m->paths[i];
        /* The manifest may have been filled in directly: check what add_grant would. */
        char why[256];
        if (!wgsb_check_grant(g->host_path, g->guest_path, why, sizeof why)) {
            if (err) snprintf(err, errsz, "module %s: %s", wgsb_module_name(m), why);
            wgsb_sandbox_free(sb);
            return NULL;
        }
        int fd = open(g->host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            char q[200];
            if (err)
                snprintf(err, errsz, "module %s: cannot open granted directory %s: %s",
                         wgsb_module_name(m),
                         wgsb_quote(g->host_path, strlen(g->host_path), q, sizeof q),
                         strerror(errno));
            wgsb_sandbox_free(sb);
            return NULL;
        }
        sb->grant_fds[i] = fd;
    }
    return sb;
}

wgsb_sandbox *wgsb_sandbox_retain(wgsb_sandbox *sb)
{
    atomic_fetch_add_explicit(&sb->refs, 1, memory_order_relaxed);
    return sb;
}

void wgsb_sandbox_free(wgsb_sandbox *sb)
{
    if (!sb) return;
    if (atomic_fetch_sub_explicit(&sb->refs, 1, memory_order_acq_rel) != 1) return;
    if (sb->grant_fds) {
        for (size_t i = 0; i < sb->manifest.npaths; i++)
            if (sb->grant_fds[i] >= 0) close(sb->grant_fds[i]);
        free(sb->grant_fds);
    }
    wgsb_manifest_clear(&sb->manifest);
    free(sb);
}

const wgsb_manifest *wgsb_sandbox_manifest(const wgsb_sandbox *sb)
{
    return &sb->manifest;
}
