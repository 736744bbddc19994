/*
 * base64.c — RFC 4648 base64 (standard alphabet) for AdmissionResponse.patch and the
 * k8s-wasm "Full" patch.
 *
 * Kept here rather than borrowed from a TLS library so that this layer depends on jansson
 * alone. kube-apiserver (Go's encoding/json for []byte) writes and expects the padded
 * standard alphabet; the decoder also accepts unpadded input, since some module languages
 * default to it, but nothing else (no whitespace, no URL-safe alphabet), so a malformed
 * patch is reported rather than half-decoded.
 */
#include "k8s_internal.h"

#include <stdint.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *wgk8s_base64_encode(const void *data, size_t len, size_t *outlen)
{
    const unsigned char *in = data;
    if (len / 3 >= ((size_t)-1) / 4 - 1) return NULL; /* the output size would overflow */
    size_t n = (len + 2) / 3 * 4;
    char *out = malloc(n + 1);
    if (!out) return NULL;
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = alphabet[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    if (outlen) *outlen = n;
    return out;
}

/* The 6-bit value of a base64 character, or -1. */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

unsigned char *wgk8s_base64_decode(const char *text, size_t len, size_t *outlen, char *err,
                                   size_t errsz)
{
    /* Strip padding first: at most two '=' and only at the end of a padded length. */
    size_t data_len = len;
    size_t pad = 0;
    while (data_len > 0 && text[data_len - 1] == '=' && pad < 2) {
        data_len--;
        pad++;
    }
    /* Name a stray character before judging padding and length, which it would have spoilt. */
    for (size_t i = 0; i < data_len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (sextet(c) >= 0) continue;
        if (c >= 0x20 && c < 0x7f)
            wgk8s_seterr(err, errsz, "invalid base64: character '%c' at offset %zu", c, i);
        else
            wgk8s_seterr(err, errsz, "invalid base64: byte 0x%02x at offset %zu", c, i);
        return NULL;
    }
    if (pad && len % 4 != 0) {
        wgk8s_seterr(err, errsz,
                     "invalid base64: padding at offset %zu in a text of %zu "
                     "characters (padded base64 has a multiple of 4)",
                     data_len, len);
        return NULL;
    }
    if (data_len % 4 == 1) {
        wgk8s_seterr(err, errsz, "invalid base64: truncated (%zu characters)", len);
        return NULL;
    }
    size_t n = data_len / 4 * 3 + (data_len % 4 ? data_len % 4 - 1 : 0);
    unsigned char *out = malloc(n + 1);
    if (!out) {
        wgk8s_seterr(err, errsz, "out of memory");
        return NULL;
    }
    unsigned char *o = out;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < data_len; i++) {
        int v = sextet((unsigned char)text[i]); /* valid: checked above */
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *o++ = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* Leftover bits must be zero, or the text was not produced by an encoder. */
    if (acc != 0) {
        wgk8s_seterr(err, errsz, "invalid base64: non-zero trailing bits at offset %zu",
                     data_len - 1);
        free(out);
        return NULL;
    }
    *o = '\0';
    if (outlen) *outlen = (size_t)(o - out);
    return out;
}
