/*
 * reader.h — bounds-checked reading of the WebAssembly binary format:
 * bytes, LEB128 integers (as the spec restricts them), floats and names.
 *
 * Every read either succeeds and advances, or fails with a wge_readerr and
 * leaves the position where the failing item began, so the caller can report
 * its offset. Shared by the decoder (module structure) and the compiler
 * (function bodies). Header-only so the hot paths inline.
 */
#ifndef WASMGATE_ENGINE_READER_H
#define WASMGATE_ENGINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum wge_readerr {
    WGE_READ_OK = 0,
    WGE_READ_END,      /* "unexpected end" */
    WGE_READ_TOO_LONG, /* "integer representation too long" */
    WGE_READ_TOO_LARGE /* "integer too large" (unused bits of the last byte not zero/sign) */
} wge_readerr;

typedef struct wge_reader {
    const uint8_t *base; /* start of the whole module: offsets are relative to it */
    size_t pos;          /* current offset */
    size_t end;          /* offset one past the last readable byte */
} wge_reader;

static inline const char *wge_readerr_message(wge_readerr e)
{
    switch (e) {
    case WGE_READ_OK: return "ok";
    case WGE_READ_END: return "unexpected end";
    case WGE_READ_TOO_LONG: return "integer representation too long";
    case WGE_READ_TOO_LARGE: return "integer too large";
    }
    return "?";
}

static inline bool wge_reader_eof(const wge_reader *r) { return r->pos >= r->end; }
static inline size_t wge_reader_left(const wge_reader *r) { return r->end - r->pos; }

/*
 * Every reader writes *out even when it fails (zero), so callers never see
 * an indeterminate value and compilers need not warn about one.
 */
static inline wge_readerr wge_read_u8(wge_reader *r, uint8_t *out)
{
    *out = 0;
    if (r->pos >= r->end) return WGE_READ_END;
    *out = r->base[r->pos++];
    return WGE_READ_OK;
}

/*
 * Unsigned LEB128 of at most `bits` bits (32 or 64). At most ceil(bits/7)
 * bytes; in the last allowed byte the bits beyond `bits` must be zero.
 */
static inline wge_readerr wge_read_uleb(wge_reader *r, unsigned bits, uint64_t *out)
{
    size_t p = r->pos;
    const unsigned maxbytes = (bits + 6) / 7;
    uint64_t result = 0;
    *out = 0;
    for (unsigned i = 0;; i++) {
        if (p >= r->end) return WGE_READ_END;
        uint8_t b = r->base[p++];
        if (i == maxbytes - 1) {
            if (b & 0x80) return WGE_READ_TOO_LONG;
            unsigned used = bits - 7 * i; /* payload bits this byte may carry */
            if (used < 7 && (b >> used) != 0) return WGE_READ_TOO_LARGE;
            result |= (uint64_t)b << (7 * i);
            break;
        }
        result |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) break;
    }
    r->pos = p;
    *out = result;
    return WGE_READ_OK;
}

/*
 * Signed LEB128 of at most `bits` bits (32, 33 or 64). In the last allowed
 * byte the bits beyond `bits` must all equal the sign bit.
 */
static inline wge_readerr wge_read_sleb(wge_reader *r, unsigned bits, int64_t *out)
{
    size_t p = r->pos;
    const unsigned maxbytes = (bits + 6) / 7;
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t b;
    *out = 0;
    for (unsigned i = 0;; i++) {
        if (p >= r->end) return WGE_READ_END;
        b = r->base[p++];
        if (i == maxbytes - 1) {
            if (b & 0x80) return WGE_READ_TOO_LONG;
            unsigned used = bits - 7 * i; /* payload bits including the sign */
            if (used < 7) {
                /* bits [used-1, 6] must be all zeros or all ones */
                uint8_t top = (uint8_t)(b >> (used - 1)) & 0x7f;
                uint8_t all = (uint8_t)(0x7f >> (used - 1));
                if (top != 0 && top != all) return WGE_READ_TOO_LARGE;
            }
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    if (shift < 64 && (b & 0x40)) result |= ~(uint64_t)0 << shift;
    r->pos = p;
    *out = (int64_t)result;
    return WGE_READ_OK;
}

static inline wge_readerr wge_read_u32(wge_reader *r, uint32_t *out)
{
    uint64_t v;
    wge_readerr e = wge_read_uleb(r, 32, &v);
    *out = (uint32_t)v;
    return e;
}

static inline wge_readerr wge_read_s32(wge_reader *r, int32_t *out)
{
    int64_t v;
    wge_readerr e = wge_read_sleb(r, 32, &v);
    *out = (int32_t)v;
    return e;
}

static inline wge_readerr wge_read_s64(wge_reader *r, int64_t *out)
{
    return wge_read_sleb(r, 64, out);
}

/* Little-endian fixed-width values (f32/f64 immediates), as raw bits. */
static inline wge_readerr wge_read_fixed32(wge_reader *r, uint32_t *out)
{
    *out = 0;
    if (r->end - r->pos < 4) return WGE_READ_END;
    const uint8_t *q = r->base + r->pos;
    *out = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
    r->pos += 4;
    return WGE_READ_OK;
}

static inline wge_readerr wge_read_fixed64(wge_reader *r, uint64_t *out)
{
    uint32_t lo = 0, hi = 0;
    *out = 0;
    if (r->end - r->pos < 8) return WGE_READ_END;
    wge_read_fixed32(r, &lo);
    wge_read_fixed32(r, &hi);
    *out = (uint64_t)hi << 32 | lo;
    return WGE_READ_OK;
}

/*
 * True if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF), as the spec requires of names.
 */
static inline bool wge_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n) return false;
        for (size_t k = 1; k <= n; k++) {
            uint8_t cc = s[i + k];
            if ((cc & 0xc0) != 0x80) return false;
            cp = cp << 6 | (cc & 0x3f);
        }
        if (n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return false;
        if (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) return false;
        i += n + 1;
    }
    return true;
}

#endif /* WASMGATE_ENGINE_READER_H */
