/*
 * srvtest.c — the test harness of srvtest.h.
 */
#include "srvtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;

const char *srvt_tmpdir(void)
{
    if (!tmpdir && !(tmpdir = wgt_tempdir())) exit(1);
    return tmpdir;
}

const char *srvt_write_bytes(const char *name, const void *data, size_t len)
{
    static char paths[16][512];
    static int next;
    char *path = paths[next++ % 16];
    snprintf(path, 512, "%s/%s", srvt_tmpdir(), name);
    if (!wgt_write_file(path, data, len)) {
        perror(path);
        exit(1);
    }
    return path;
}

const char *srvt_write(const char *name, const char *text)
{
    return srvt_write_bytes(name, text, strlen(text));
}

int srvt_finish(void)
{
    wgt_rmtree(tmpdir);
    free(tmpdir);
    tmpdir = NULL;
    return wgt_finish();
}
