/*
 * test_log.c — log lines stay valid JSON whatever a module or a client put in a message
 * (quotes, control characters, invalid UTF-8), and times are RFC 3339 in UTC.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "srvtest.h"
#include "strbuf.h"

static char *escaped(const char *s)
{
    wgsrv_strbuf b = {0};
    wgsrv_strbuf_puts(&b, "\"");
    wgsrv_strbuf_json_escape(&b, s);
    wgsrv_strbuf_puts(&b, "\"");
    return b.data;
}

static void special_characters_are_escaped(void)
{
    char *e = escaped("a\"b\\c\nd\te\x01");
    CHECK_STR(e, "\"a\\\"b\\\\c\\nd\\te\\u0001\"");
    json_error_t err;
    json_t *j = json_loads(e, JSON_DECODE_ANY, &err);
    CHECK_STR(json_string_value(j), "a\"b\\c\nd\te\x01");
    json_decref(j);
    free(e);
}

static void invalid_utf8_becomes_the_replacement_character(void)
{
    /* a lone continuation byte, a truncated sequence, an overlong encoding, a surrogate */
    char *e = escaped("x\x80y\xc3z\xc0\xafw\xed\xa0\x80v");
    CHECK_STR(e, "\"x\\ufffdy\\ufffdz\\ufffd\\ufffdw\\ufffd\\ufffd\\ufffdv\"");
    json_error_t err;
    json_t *j = json_loads(e, JSON_DECODE_ANY, &err);
    CHECK(j != NULL);
    json_decref(j);
    free(e);
}

static void valid_utf8_passes_through(void)
{
    char *e = escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK_STR(e, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    free(e);
}

static void times_are_rfc3339_utc_with_milliseconds(void)
{
    char t[32];
    wgsrv_rfc3339_now(t);
    CHECK_INT(strlen(t), 24);
    CHECK(t[4] == '-' && t[7] == '-' && t[10] == 'T' && t[13] == ':' && t[16] == ':' &&
          t[19] == '.' && t[23] == 'Z');
}

static void a_log_line_is_one_json_object(void)
{
    wgsrv_strbuf b = {0};
    wgsrv_log_begin(&b, WGSRV_LOG_INFO, "decision");
    wgsrv_log_str(&b, "uid", "u\"1");
    wgsrv_log_int(&b, "code", 200);
    wgsrv_log_bool(&b, "ok", true);
    wgsrv_log_ms(&b, "durationMs", 1234567);
    wgsrv_log_str(&b, "absent", NULL);
    wgsrv_strbuf_puts(&b, "}");
    json_error_t err;
    json_t *j = json_loads(b.data, 0, &err);
    if (CHECK(j != NULL)) {
        CHECK_STR(json_string_value(json_object_get(j, "msg")), "decision");
        CHECK_STR(json_string_value(json_object_get(j, "level")), "info");
        CHECK_STR(json_string_value(json_object_get(j, "uid")), "u\"1");
        CHECK_INT(json_integer_value(json_object_get(j, "code")), 200);
        CHECK(json_is_true(json_object_get(j, "ok")));
        CHECK(json_real_value(json_object_get(j, "durationMs")) > 1.23 &&
              json_real_value(json_object_get(j, "durationMs")) < 1.24);
        CHECK(json_object_get(j, "absent") == NULL);
    }
    json_decref(j);
    wgsrv_strbuf_free(&b);
}

int main(void)
{
    RUN(special_characters_are_escaped);
    RUN(invalid_utf8_becomes_the_replacement_character);
    RUN(valid_utf8_passes_through);
    RUN(times_are_rfc3339_utc_with_milliseconds);
    RUN(a_log_line_is_one_json_object);
    return srvt_finish();
}
