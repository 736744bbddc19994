/*
 * config.h — the server's configuration: what a wasmgate YAML file says, parsed and checked
 * but not yet acted upon (no module file is read here; see runtime.h for that).
 *
 * Parsing is strict because operators' typos must not be silently ignored: an unknown key is
 * an error (with a did-you-mean when a known key is close), and every error names the file,
 * the YAML line, the field path and what is wrong:
 *
 *   wasmgate.yaml:14: admission[2].failurePolicy: must be Fail or Ignore, got "fail"
 *
 * Several errors are reported at once (one per line) so that `wasmgate serve --check` shows
 * everything that needs fixing in one run. docs/configuration.md is the reference.
 */
#ifndef WG_SERVER_CONFIG_H
#define WG_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wasmgate/abi.h"
#include "wasmgate/k8s.h"
#include "wasmgate/sandbox.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Defaults that docs/configuration.md documents. */
#define WGSRV_DEFAULT_LISTEN            "0.0.0.0:8443"
#define WGSRV_DEFAULT_MAX_BODY_BYTES    (3u * 1024u * 1024u)
#define WGSRV_DEFAULT_IDLE_TIMEOUT_S    30u
#define WGSRV_DEFAULT_READ_TIMEOUT_S    10u
#define WGSRV_DEFAULT_SHUTDOWN_GRACE_S  15u
#define WGSRV_DEFAULT_MAX_CONNECTIONS   1000u
#define WGSRV_DEFAULT_WATCH_INTERVAL_MS 1000u

/* Which list a module came from. */
typedef enum wgsrv_section {
    WGSRV_AUTHENTICATION = 0,
    WGSRV_AUTHORIZATION,
    WGSRV_ADMISSION,
    WGSRV_SECTION_COUNT
} wgsrv_section;

/* "authentication", "authorization", "admission". */
const char *wgsrv_section_name(wgsrv_section s);

/* One configured module. Paths are already resolved against the config file's directory. */
typedef struct wgsrv_module_config {
    char *name;
    char *path;     /* the .wasm file */
    char *sha256;   /* lowercase hex pin, or NULL */
    wgabi_kind abi; /* default k8s-wasm */
    char *settings; /* JSON text, or NULL when not configured */
    bool mutating;  /* admission only */
    wgk8s_failure_policy failure_policy;
    char *rules_json;       /* JSON text of the rules list, or NULL (= every request) */
    wgsb_manifest manifest; /* name, limits (defaults + overrides) and capabilities */
    int line;               /* where the entry starts in the file, for load-time errors */
    char *where;            /* "admission[2]" — the field path, for load-time errors */
} wgsrv_module_config;

typedef struct wgsrv_config {
    char *file;     /* the name used in messages (the path as given, or "<embedded>") */
    char *base_dir; /* relative paths are resolved against this */

    /* server: */
    char *listen_host; /* "0.0.0.0", "::", "localhost", ... */
    uint16_t listen_port;
    char *cert_file; /* NULL with key_file NULL: a self-signed certificate is made */
    char *key_file;
    char *client_ca_file; /* NULL: no client certificate is asked for */
    unsigned workers;     /* 0 = one per CPU */
    size_t max_body_bytes;
    unsigned idle_timeout_s;   /* a connection with no traffic for this long is closed */
    unsigned read_timeout_s;   /* a request must arrive whole within this (408 otherwise) */
    unsigned shutdown_grace_s; /* how long in-flight requests may finish on SIGTERM */
    unsigned max_connections;
    bool watch; /* reload when the config or a module file changes */
    unsigned watch_interval_ms;

    wgsb_limits defaults;

    wgsrv_module_config *modules[WGSRV_SECTION_COUNT];
    size_t nmodules[WGSRV_SECTION_COUNT];
} wgsrv_config;

/*
 * Parses a configuration file. On failure returns NULL and writes every error found, one per
 * line, into err (cut at errsz). The file's directory becomes the base of relative paths.
 */
wgsrv_config *wgsrv_config_load_file(const char *path, char *err, size_t errsz);

/*
 * Parses configuration text. `file` is the name used in messages; relative paths are resolved
 * against base_dir. Used for the embedded default configuration and by tests.
 */
wgsrv_config *wgsrv_config_parse(const char *text, size_t len, const char *file,
                                 const char *base_dir, char *err, size_t errsz);

void wgsrv_config_free(wgsrv_config *cfg);

/* Finds an admission module by name; NULL when there is none. */
const wgsrv_module_config *wgsrv_config_find(const wgsrv_config *cfg, wgsrv_section s,
                                             const char *name);

/* Splits "host:port" or "[v6]:port". Returns false with a message saying what is wrong. */
bool wgsrv_parse_listen(const char *text, char **host, uint16_t *port, char *err, size_t errsz);

/* The closest of `candidates` (NULL-terminated) to `word` when it is plausibly a typo
 * (edit distance at most 2, or equal ignoring case); NULL otherwise. */
const char *wgsrv_did_you_mean(const char *word, const char *const *candidates);

#ifdef __cplusplus
}
#endif

#endif /* WG_SERVER_CONFIG_H */
