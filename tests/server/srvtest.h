/*
 * srvtest.h — the server tests' harness (tests/server): one temporary directory per test
 * process, and files written into it. Checks, the runner, fixtures and the JSON helpers are
 * the shared ones (tests/common/wgtest_json.h); main returns srvt_finish().
 */
#ifndef WG_SERVER_SRVTEST_H
#define WG_SERVER_SRVTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "wgtest_json.h"

/* Removes the temporary directory (if any) and returns wgt_finish(). */
int srvt_finish(void);

/* A fresh temporary directory for this test process (removed by srvt_finish). */
const char *srvt_tmpdir(void);
/* Writes text to DIR/name (creating it); returns the path (static buffer per call slot). */
const char *srvt_write(const char *name, const char *text);
/* Writes len bytes. */
const char *srvt_write_bytes(const char *name, const void *data, size_t len);

#endif /* WG_SERVER_SRVTEST_H */
