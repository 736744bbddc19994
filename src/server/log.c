/*
 * log.c — JSON-lines logging on stderr (see log.h).
 */
#include "log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Atomic int min_level = WGSRV_LOG_INFO;

/* By wgsrv_log_level: the names of the "level" field and of --log-level. */
static const char *const level_names[] = {"debug", "info", "warn", "error"};

bool wgsrv_log_level_parse(const char *name, wgsrv_log_level *level)
{
    for (int i = WGSRV_LOG_DEBUG; i <= WGSRV_LOG_ERROR; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *level = (wgsrv_log_level)i;
            return true;
        }
    }
    return false;
}

void wgsrv_log_set_level(wgsrv_log_level level)
{
    atomic_store(&min_level, (int)level);
}

bool wgsrv_log_enabled(wgsrv_log_level level)
{
    return (int)level >= atomic_load(&min_level);
}

void wgsrv_rfc3339_now(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
}

static const char *level_name(wgsrv_log_level level)
{
    return (unsigned)level <= WGSRV_LOG_ERROR ? level_names[level] : "error";
}

void wgsrv_log_begin(wgsrv_strbuf *b, wgsrv_log_level level, const char *msg)
{
    char now[32];
    wgsrv_rfc3339_now(now);
    wgsrv_strbuf_printf(b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", now, level_name(level));
    wgsrv_strbuf_json_escape(b, msg);
    wgsrv_strbuf_puts(b, "\"");
}

void wgsrv_log_str(wgsrv_strbuf *b, const char *key, const char *value)
{
    if (!value) return;
    wgsrv_strbuf_printf(b, ",\"%s\":\"", key);
    wgsrv_strbuf_json_escape(b, value);
    wgsrv_strbuf_puts(b, "\"");
}

void wgsrv_log_int(wgsrv_strbuf *b, const char *key, long long value)
{
    wgsrv_strbuf_printf(b, ",\"%s\":%lld", key, value);
}

void wgsrv_log_bool(wgsrv_strbuf *b, const char *key, bool value)
{
    wgsrv_strbuf_printf(b, ",\"%s\":%s", key, value ? "true" : "false");
}

void wgsrv_log_ms(wgsrv_strbuf *b, const char *key, uint64_t ns)
{
    wgsrv_strbuf_printf(b, ",\"%s\":%.3f", key, (double)ns / 1e6);
}

void wgsrv_log_raw(wgsrv_strbuf *b, const char *key, const char *json)
{
    wgsrv_strbuf_printf(b, ",\"%s\":%s", key, json);
}

void wgsrv_log_end(wgsrv_strbuf *b)
{
    wgsrv_strbuf_puts(b, "}\n");
    if (!b->failed) {
        const char *p = b->data;
        size_t left = b->len;
        while (left) {
            ssize_t n = write(STDERR_FILENO, p, left);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break; /* stderr gone: nothing sensible left to do */
            p += n;
            left -= (size_t)n;
        }
    }
    wgsrv_strbuf_free(b);
}

void wgsrv_log_message(wgsrv_log_level level, const char *msg, const char *detail)
{
    if (!wgsrv_log_enabled(level)) return;
    wgsrv_strbuf b = {0};
    wgsrv_log_begin(&b, level, msg);
    wgsrv_log_str(&b, "detail", detail);
    wgsrv_log_end(&b);
}
