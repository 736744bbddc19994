/*
 * server.h — the interface of the wasmgate server library (wg_server, prefix wgsrv_) to the
 * command line: `wasmgate serve` parses its options into wgsrv_options and calls
 * wgsrv_main(). Everything else in src/server is internal (tests use the internal headers).
 */
#ifndef WG_SERVER_SERVER_H
#define WG_SERVER_SERVER_H

#include <stdbool.h>

typedef struct wgsrv_options {
    const char *config_path; /* NULL: the embedded default configuration */
    const char *modules_dir; /* the embedded configuration's module directory; NULL = default */
    const char *listen;      /* overrides server.listen ("host:port"; port 0 = any free) */
    unsigned workers;        /* overrides server.workers when non-zero */
    bool check;              /* validate (parse, load, compile) and exit */
    const char *log_level;   /* "debug", "info" (default), "warn", "error" */
} wgsrv_options;

/*
 * Runs `wasmgate serve`: loads the configuration and every module, then serves until SIGTERM
 * or SIGINT, reloading on SIGHUP and when the configuration or a module file changes. With
 * check set, stops after loading and reports. Returns the process exit status: 0 on success
 * (or a clean shutdown), 1 when the configuration or the server could not start, 2 for bad
 * options. Messages go to stderr (JSON lines while serving).
 */
int wgsrv_main(const wgsrv_options *opts);

/* The embedded default configuration (YAML), whose module paths are relative to the module
 * directory. */
extern const char wgsrv_embedded_config[];

/* The module directory used when --modules is not given (see docs/configuration.md). */
const char *wgsrv_default_modules_dir(char *buf, unsigned bufsz);

#endif /* WG_SERVER_SERVER_H */
