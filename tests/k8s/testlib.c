/*
 * testlib.c — the harness behind testlib.h: reviews and patches.
 */
#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wgk8s_review *k8st_fixture_review(const char *relpath)
{
    size_t len;
    char *text = wgt_read_fixture(relpath, &len);
    if (!text) return NULL;
    wgk8s_review *r = NULL;
    char err[512] = "";
    wgk8s_status st = wgk8s_review_parse(text, len, WGK8S_KIND_ANY, &r, err, sizeof err);
    free(text);
    if (st != WGK8S_OK) {
        fprintf(stderr, "  %s: %s\n", relpath, err);
        wgt_check(false, "fixture parses as a review", relpath, 0);
    }
    return r;
}

wgk8s_review *k8st_review_from(json_t *value)
{
    wgk8s_review *r = NULL;
    char err[512] = "";
    if (wgk8s_review_from_json(value, WGK8S_KIND_ANY, &r, err, sizeof err) != WGK8S_OK) {
        fprintf(stderr, "  %s\n", err);
        wgt_check(false, "value is a valid review", __FILE__, __LINE__);
    }
    return r;
}

json_t *k8st_reply_patch(const json_t *reply)
{
    const char *b64 = wgt_get_str(reply, "response.patch");
    if (!b64) return NULL;
    size_t len;
    char err[256];
    unsigned char *bytes = wgk8s_base64_decode(b64, strlen(b64), &len, err, sizeof err);
    if (!bytes) return NULL;
    json_t *patch = json_loadb((const char *)bytes, len, 0, NULL);
    free(bytes);
    return patch;
}
