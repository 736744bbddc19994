/*
 * test_base64.c — the base64 codec used for AdmissionResponse.patch.
 */
#include "testlib.h"

#include <stdlib.h>
#include <string.h>

static void encodes_the_rfc4648_test_vectors(void)
{
    static const char *const vectors[][2] = {{"", ""},
                                             {"f", "Zg=="},
                                             {"fo", "Zm8="},
                                             {"foo", "Zm9v"},
                                             {"foob", "Zm9vYg=="},
                                             {"fooba", "Zm9vYmE="},
                                             {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        size_t len;
        char *e = wgk8s_base64_encode(vectors[i][0], strlen(vectors[i][0]), &len);
        CHECK_STR(e, vectors[i][1]);
        CHECK_INT(len, strlen(vectors[i][1]));
        free(e);
    }
}

static void decodes_the_rfc4648_test_vectors(void)
{
    static const char *const vectors[][2] = {{"", ""},
                                             {"Zg==", "f"},
                                             {"Zm8=", "fo"},
                                             {"Zm9v", "foo"},
                                             {"Zm9vYg==", "foob"},
                                             {"Zm9vYmE=", "fooba"},
                                             {"Zm9vYmFy", "foobar"}};
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        size_t len;
        unsigned char *d = wgk8s_base64_decode(vectors[i][0], strlen(vectors[i][0]), &len, NULL, 0);
        CHECK_STR((const char *)d, vectors[i][1]);
        CHECK_INT(len, strlen(vectors[i][1]));
        free(d);
    }
}

static void decodes_text_without_padding(void)
{
    size_t len;
    unsigned char *d = wgk8s_base64_decode("Zm9vYg", 6, &len, NULL, 0);
    CHECK_STR((const char *)d, "foob");
    free(d);
}

static void round_trips_every_byte_value(void)
{
    unsigned char bytes[256 * 3];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7 + i / 256);
    for (size_t n = 0; n <= sizeof bytes; n += 37) {
        size_t elen, dlen;
        char *e = wgk8s_base64_encode(bytes, n, &elen);
        unsigned char *d = wgk8s_base64_decode(e, elen, &dlen, NULL, 0);
        CHECK(d != NULL && dlen == n && memcmp(d, bytes, n) == 0);
        free(e);
        free(d);
    }
}

static void rejects_a_character_outside_the_alphabet_naming_its_offset(void)
{
    char err[128];
    CHECK(wgk8s_base64_decode("Zm9v-mFy", 8, NULL, err, sizeof err) == NULL);
    CHECK_STR(err, "invalid base64: character '-' at offset 4");
}

static void rejects_whitespace(void)
{
    char err[128];
    CHECK(wgk8s_base64_decode("Zm9v\nYmFy", 9, NULL, err, sizeof err) == NULL);
    CHECK_STR(err, "invalid base64: byte 0x0a at offset 4");
}

static void rejects_misplaced_padding(void)
{
    char err[128];
    CHECK(wgk8s_base64_decode("Zm=9v", 5, NULL, err, sizeof err) == NULL);
    CHECK_STR(err, "invalid base64: character '=' at offset 2");
    CHECK(wgk8s_base64_decode("Zm8==", 5, NULL, err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "padding");
}

static void rejects_a_truncated_text(void)
{
    char err[128];
    CHECK(wgk8s_base64_decode("Zm9vY", 5, NULL, err, sizeof err) == NULL);
    CHECK_STR(err, "invalid base64: truncated (5 characters)");
}

int main(void)
{
    RUN(encodes_the_rfc4648_test_vectors);
    RUN(decodes_the_rfc4648_test_vectors);
    RUN(decodes_text_without_padding);
    RUN(round_trips_every_byte_value);
    RUN(rejects_a_character_outside_the_alphabet_naming_its_offset);
    RUN(rejects_whitespace);
    RUN(rejects_misplaced_padding);
    RUN(rejects_a_truncated_text);
    return wgt_finish();
}
