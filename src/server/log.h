/*
 * log.h — structured logging: one JSON object per line on stderr, written with a single
 * write() so that lines from concurrent threads never interleave.
 *
 *   {"time":"2026-11-21T16:29:16.123Z","level":"info","msg":"decision","endpoint":"/validate",...}
 *
 * A line is built in a wgsrv_strbuf by wgsrv_log_begin(), wgsrv_log_* field helpers, and
 * wgsrv_log_end(), which writes it. Values are escaped as JSON (invalid UTF-8 from modules
 * becomes U+FFFD), so every line parses.
 */
#ifndef WG_SERVER_LOG_H
#define WG_SERVER_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

typedef enum wgsrv_log_level {
    WGSRV_LOG_DEBUG = 0,
    WGSRV_LOG_INFO,
    WGSRV_LOG_WARN,
    WGSRV_LOG_ERROR
} wgsrv_log_level;

/* The level named "debug", "info", "warn" or "error"; false for any other name. */
bool wgsrv_log_level_parse(const char *name, wgsrv_log_level *level);

/* Lines below this level are dropped (default INFO). */
void wgsrv_log_set_level(wgsrv_log_level level);
bool wgsrv_log_enabled(wgsrv_log_level level);

/* Starts a line: {"time":...,"level":...,"msg":"msg" */
void wgsrv_log_begin(wgsrv_strbuf *b, wgsrv_log_level level, const char *msg);
void wgsrv_log_str(wgsrv_strbuf *b, const char *key, const char *value); /* skipped if NULL */
void wgsrv_log_int(wgsrv_strbuf *b, const char *key, long long value);
void wgsrv_log_bool(wgsrv_strbuf *b, const char *key, bool value);
void wgsrv_log_ms(wgsrv_strbuf *b, const char *key, uint64_t ns); /* milliseconds, 3 decimals */
/* Appends `"key":` followed by raw JSON the caller built (an array, say). */
void wgsrv_log_raw(wgsrv_strbuf *b, const char *key, const char *json);
/* Closes the line, writes it and frees the buffer. */
void wgsrv_log_end(wgsrv_strbuf *b);

/* A one-field convenience: {"msg": msg, "detail": detail}. */
void wgsrv_log_message(wgsrv_log_level level, const char *msg, const char *detail);

/* The current UTC time as RFC 3339 with milliseconds ("2026-11-21T16:29:16.123Z"). */
void wgsrv_rfc3339_now(char out[32]);

#endif /* WG_SERVER_LOG_H */
