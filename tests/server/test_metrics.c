/*
 * test_metrics.c — the /metrics page: valid Prometheus text exposition format (HELP and TYPE
 * before each family, one sample per line, cumulative histogram buckets ending in +Inf equal
 * to _count), counters that survive concurrent updates, escaped label values.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "srvtest.h"

/* Checks every line against the exposition grammar this server emits. */
static void check_lines(const char *text)
{
    const char *p = text;
    char family[128] = "";
    int lineno = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        if (!CHECK(nl != NULL)) return; /* every line ends with \n */
        size_t n = (size_t)(nl - p);
        char line[1024];
        if (n >= sizeof line) n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        lineno++;
        if (strncmp(line, "# HELP ", 7) == 0) {
            sscanf(line + 7, "%127s", family);
        } else if (strncmp(line, "# TYPE ", 7) == 0) {
            char name[128], type[32];
            if (CHECK(sscanf(line + 7, "%127s %31s", name, type) == 2)) {
                CHECK_STR(name, family);
                CHECK(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
                      strcmp(type, "histogram") == 0);
            }
        } else {
            /* name{labels} value — the sample belongs to the family announced last */
            if (!CHECK(strncmp(line, family, strlen(family)) == 0))
                fprintf(stderr, "  line %d: %s (family %s)\n", lineno, line, family);
            const char *space = strrchr(line, ' ');
            if (CHECK(space != NULL)) {
                char *end;
                strtod(space + 1, &end);
                CHECK(*end == '\0');
            }
            const char *brace = strchr(line, '{');
            if (brace) CHECK(strchr(brace, '}') != NULL);
        }
        p = nl + 1;
    }
}

static void an_empty_registry_renders_valid_text(void)
{
    wgsrv_metrics *m = wgsrv_metrics_new();
    char *text = wgsrv_metrics_render(m, NULL);
    if (CHECK(text != NULL)) {
        check_lines(text);
        CHECK_CONTAINS(text, "wasmgate_config_reloads_total{result=\"success\"} 0\n");
        CHECK_CONTAINS(text, "# TYPE wasmgate_config_generation gauge\n");
    }
    free(text);
    wgsrv_metrics_free(m);
}

static void requests_decisions_and_histograms_are_counted(void)
{
    wgsrv_metrics *m = wgsrv_metrics_new();
    wgsrv_metrics_request(m, WGSRV_EP_VALIDATE, 200, WGSRV_DECISION_DENIED, 300000);   /* 0.3 ms */
    wgsrv_metrics_request(m, WGSRV_EP_VALIDATE, 200, WGSRV_DECISION_ALLOWED, 3000000); /* 3 ms */
    wgsrv_metrics_request(m, WGSRV_EP_VALIDATE, 400, WGSRV_DECISION_NONE,
                          20000000000ull); /* 20 s */
    wgsrv_metrics_request(m, WGSRV_EP_OTHER, 404, WGSRV_DECISION_NONE, 1000);
    wgsrv_metrics_request(m, WGSRV_EP_AUTHORIZE, 299, WGSRV_DECISION_NO_OPINION, 1000);
    wgsrv_module_metrics *mm = wgsrv_metrics_module(m, "deny-privileged");
    CHECK(mm == wgsrv_metrics_module(m, "deny-privileged")); /* one series per name */
    wgsrv_metrics_call(mm, WGABI_OK, 100000, 10);
    wgsrv_metrics_call(mm, WGABI_TRAP, 100000, 5);
    wgsrv_metrics_call(mm, WGABI_TIMEOUT, 100000, 0);
    wgsrv_metrics_call(mm, WGABI_FUEL, 100000, 0);
    wgsrv_metrics_call(mm, WGABI_MEMORY_LIMIT, 100000, 0);
    wgsrv_metrics_reload(m, true, 2);
    wgsrv_metrics_reload(m, false, 0);
    wgsrv_metrics_rejected(m, "plain_http");
    char *text = wgsrv_metrics_render(m, NULL);
    if (!CHECK(text != NULL)) return;
    check_lines(text);
    CHECK_CONTAINS(text, "wasmgate_requests_total{endpoint=\"/validate\",code=\"200\"} 2\n");
    CHECK_CONTAINS(text, "wasmgate_requests_total{endpoint=\"/validate\",code=\"400\"} 1\n");
    CHECK_CONTAINS(text, "wasmgate_requests_total{endpoint=\"other\",code=\"404\"} 1\n");
    CHECK_CONTAINS(text, "wasmgate_requests_total{endpoint=\"/authorize\",code=\"other\"} 1\n");
    CHECK_CONTAINS(text,
                   "wasmgate_decisions_total{endpoint=\"/validate\",decision=\"denied\"} 1\n");
    CHECK_CONTAINS(text,
                   "wasmgate_decisions_total{endpoint=\"/validate\",decision=\"allowed\"} 1\n");
    CHECK_CONTAINS(text,
                   "wasmgate_decisions_total{endpoint=\"/authorize\",decision=\"no_opinion\"} 1\n");
    /* cumulative buckets: 0.3 ms in le=0.0005; 3 ms in le=0.005; 20 s only in +Inf */
    CHECK_CONTAINS(
        text, "wasmgate_request_duration_seconds_bucket{endpoint=\"/validate\",le=\"0.0005\"} 1\n");
    CHECK_CONTAINS(
        text, "wasmgate_request_duration_seconds_bucket{endpoint=\"/validate\",le=\"0.002\"} 1\n");
    CHECK_CONTAINS(
        text, "wasmgate_request_duration_seconds_bucket{endpoint=\"/validate\",le=\"0.005\"} 2\n");
    CHECK_CONTAINS(
        text, "wasmgate_request_duration_seconds_bucket{endpoint=\"/validate\",le=\"10\"} 2\n");
    CHECK_CONTAINS(
        text, "wasmgate_request_duration_seconds_bucket{endpoint=\"/validate\",le=\"+Inf\"} 3\n");
    CHECK_CONTAINS(text, "wasmgate_request_duration_seconds_count{endpoint=\"/validate\"} 3\n");
    CHECK_CONTAINS(text,
                   "wasmgate_request_duration_seconds_sum{endpoint=\"/validate\"} 20.003300000\n");
    CHECK_CONTAINS(text,
                   "wasmgate_module_calls_total{module=\"deny-privileged\",result=\"ok\"} 1\n");
    CHECK_CONTAINS(text,
                   "wasmgate_module_calls_total{module=\"deny-privileged\",result=\"trap\"} 1\n");
    CHECK_CONTAINS(
        text, "wasmgate_module_calls_total{module=\"deny-privileged\",result=\"timeout\"} 1\n");
    CHECK_CONTAINS(
        text,
        "wasmgate_module_calls_total{module=\"deny-privileged\",result=\"fuel_exhausted\"} 1\n");
    CHECK_CONTAINS(
        text,
        "wasmgate_module_calls_total{module=\"deny-privileged\",result=\"memory_limit\"} 1\n");
    CHECK_CONTAINS(text, "wasmgate_module_fuel_used_total{module=\"deny-privileged\"} 15\n");
    CHECK_CONTAINS(text, "wasmgate_module_duration_seconds_count{module=\"deny-privileged\"} 5\n");
    CHECK_CONTAINS(text, "wasmgate_config_reloads_total{result=\"success\"} 1\n");
    CHECK_CONTAINS(text, "wasmgate_config_reloads_total{result=\"failure\"} 1\n");
    CHECK_CONTAINS(text, "wasmgate_config_generation 2\n");
    CHECK_CONTAINS(text, "wasmgate_connections_rejected_total{reason=\"plain_http\"} 1\n");
    free(text);
    wgsrv_metrics_free(m);
}

static void label_values_are_escaped(void)
{
    wgsrv_metrics *m = wgsrv_metrics_new();
    wgsrv_metrics_call(wgsrv_metrics_module(m, "a\"b\\c\nd"), WGABI_OK, 1, 0);
    char *text = wgsrv_metrics_render(m, NULL);
    CHECK_CONTAINS(text, "module=\"a\\\"b\\\\c\\nd\",result=\"ok\"} 1\n");
    free(text);
    wgsrv_metrics_free(m);
}

static wgsrv_metrics *shared;
static void *hammer(void *arg)
{
    wgsrv_module_metrics *mm = arg;
    for (int i = 0; i < 100000; i++) {
        wgsrv_metrics_request(shared, WGSRV_EP_MUTATE, 200, WGSRV_DECISION_ALLOWED, 1000);
        wgsrv_metrics_call(mm, WGABI_OK, 1000, 1);
    }
    return NULL;
}

static void concurrent_updates_lose_nothing(void)
{
    shared = wgsrv_metrics_new();
    wgsrv_module_metrics *mm = wgsrv_metrics_module(shared, "m");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, mm);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    char *text = wgsrv_metrics_render(shared, NULL);
    CHECK_CONTAINS(text, "wasmgate_requests_total{endpoint=\"/mutate\",code=\"200\"} 400000\n");
    CHECK_CONTAINS(text, "wasmgate_module_calls_total{module=\"m\",result=\"ok\"} 400000\n");
    CHECK_CONTAINS(text, "wasmgate_request_duration_seconds_count{endpoint=\"/mutate\"} 400000\n");
    free(text);
    wgsrv_metrics_free(shared);
}

int main(void)
{
    RUN(an_empty_registry_renders_valid_text);
    RUN(requests_decisions_and_histograms_are_counted);
    RUN(label_values_are_escaped);
    RUN(concurrent_updates_lose_nothing);
    return srvt_finish();
}
