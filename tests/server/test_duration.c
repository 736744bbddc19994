/*
 * test_duration.c — the `?timeout=` values kube-apiserver (Go's Duration.String) and people
 * send, and the ones that must be refused.
 */
#include <stdint.h>
#include <stdio.h>

#include "duration.h"
#include "srvtest.h"

static uint64_t parse_ok(const char *text)
{
    uint64_t ns = 0;
    char err[200];
    if (!CHECK(wgsrv_parse_duration(text, &ns, err, sizeof err))) return (uint64_t)-1;
    return ns;
}

static void go_durations_parse(void)
{
    CHECK_INT(parse_ok("10s"), 10000000000LL);
    CHECK_INT(parse_ok("30s"), 30000000000LL);
    CHECK_INT(parse_ok("500ms"), 500000000LL);
    CHECK_INT(parse_ok("1m"), 60000000000LL);
    CHECK_INT(parse_ok("1m30s"), 90000000000LL);
    CHECK_INT(parse_ok("1.5s"), 1500000000LL);
    CHECK_INT(parse_ok("250us"), 250000LL);
    CHECK_INT(parse_ok("250\xc2\xb5s"), 250000LL);
    CHECK_INT(parse_ok("100ns"), 100LL);
    CHECK_INT(parse_ok("0s"), 0LL);
}

static void a_bare_number_is_seconds(void)
{
    CHECK_INT(parse_ok("7"), 7000000000LL);
}

static void long_durations_are_capped_at_an_hour(void)
{
    CHECK_INT(parse_ok("2h"), 3600000000000LL);
    CHECK_INT(parse_ok("99999999m"), 3600000000000LL);
}

static void malformed_durations_are_refused_with_a_message(void)
{
    static const char *const bad[] = {"",      "s",   "-1s", "10x", "1m30", "ten",
                                      "1..5s", " 5s", "5s ", ".s",  NULL};
    for (int i = 0; bad[i]; i++) {
        uint64_t ns;
        char err[200] = "";
        if (!CHECK(!wgsrv_parse_duration(bad[i], &ns, err, sizeof err)))
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
        CHECK_CONTAINS(err, "timeout:");
    }
}

int main(void)
{
    RUN(go_durations_parse);
    RUN(a_bare_number_is_seconds);
    RUN(long_durations_are_capped_at_an_hour);
    RUN(malformed_durations_are_refused_with_a_message);
    return srvt_finish();
}
