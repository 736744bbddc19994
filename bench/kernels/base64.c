/*
 * base64.c — base64 encode and decode (RFC 4648, with padding) of a
 * generated buffer: table lookups, shifts and byte stores, the shape of
 * decoding secrets and certificates in admission requests.
 */
#include "kernel.h"

#define RAW_BYTES  12288u
#define TEXT_BYTES (RAW_BYTES / 3 * 4 + 4)

static uint8_t raw[RAW_BYTES];
static char text[TEXT_BYTES];
static uint8_t decoded[RAW_BYTES];
static uint8_t decode_table[256];

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define INVALID 0xff

static void build_decode_table(void)
{
    for (uint32_t i = 0; i < 256; i++)
        decode_table[i] = INVALID;
    for (uint32_t i = 0; i < 64; i++)
        decode_table[(unsigned char)alphabet[i]] = (uint8_t)i;
}

/* Returns the length of the text written. */
static uint32_t encode(const uint8_t *in, uint32_t len, char *out)
{
    uint32_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = '=';
    }
    return o;
}

/* Returns the number of bytes decoded, or UINT32_MAX on malformed input. */
static uint32_t decode(const char *in, uint32_t len, uint8_t *out)
{
    if (len % 4) return UINT32_MAX;
    uint32_t o = 0;
    for (uint32_t i = 0; i < len; i += 4) {
        uint32_t a = decode_table[(unsigned char)in[i]];
        uint32_t b = decode_table[(unsigned char)in[i + 1]];
        uint32_t c = decode_table[(unsigned char)in[i + 2]];
        uint32_t d = decode_table[(unsigned char)in[i + 3]];
        if (a == INVALID || b == INVALID) return UINT32_MAX;
        out[o++] = (uint8_t)(a << 2 | b >> 4);
        if (i + 4 == len && in[i + 2] == '=') {
            if (in[i + 3] != '=') return UINT32_MAX;
            break;
        }
        if (c == INVALID) return UINT32_MAX;
        out[o++] = (uint8_t)(b << 4 | c >> 2);
        if (i + 4 == len && in[i + 3] == '=') break;
        if (d == INVALID) return UINT32_MAX;
        out[o++] = (uint8_t)(c << 6 | d);
    }
    return o;
}

uint32_t run(uint32_t n)
{
    build_decode_table();
    uint32_t seed = 0x3c6ef372u;
    for (uint32_t i = 0; i < RAW_BYTES; i++)
        raw[i] = (uint8_t)kernel_rand(&seed);

    uint32_t acc = 0;
    for (uint32_t r = 0; r < n; r++) {
        /* Lengths cycle through all three padding cases. */
        uint32_t len = RAW_BYTES - (r % 3);
        raw[r % len] ^= (uint8_t)acc;
        uint32_t text_len = encode(raw, len, text);
        uint32_t out_len = decode(text, text_len, decoded);
        uint32_t differences = out_len == len ? 0 : 1;
        for (uint32_t i = 0; i < len && !differences; i++)
            differences += decoded[i] != raw[i];
        acc = kernel_mix(acc, text_len);
        acc = kernel_mix(acc, differences);
        acc = kernel_mix(acc, (uint32_t)(unsigned char)text[r % text_len]);
        acc = kernel_mix(acc, decoded[(r * 7) % len]);
    }
    return acc;
}
