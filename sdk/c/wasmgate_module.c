/*
 * wasmgate_module.c — the C SDK for k8s-wasm modules; the contract is in wasmgate_module.h.
 *
 * Depends on the C library only (wasi-libc in a module, any POSIX libc natively: read, write,
 * malloc, qsort). It avoids printf and strtod, which pull wasi-libc's stdio into a module,
 * so that a module built with it imports nothing but fd_read and fd_write unless it asks for
 * more. The SDK keeps one call's state in a single static struct: a wasm instance
 * serves exactly one call, so there is nothing to share and nothing to pass around.
 *
 * Sections: UTF-8 and small helpers; the parser; reading values; the writer; the tree walk
 * that copies (and patches) values; base64 and JSON Pointers; the request; patch
 * operations; answers.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* read, write */
#endif

#include "wasmgate_module.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- UTF-8 and small helpers ----------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (n > 0 bytes available), or 0 when it is not
 * valid: overlong forms, UTF-16 surrogates and code points past U+10FFFF are refused, as in
 * RFC 3629, so that whatever the SDK accepts or writes is valid JSON text. */
static size_t utf8_sequence_length(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    uint32_t cp, min;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) {
        len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

/* Writes code point cp as UTF-8 at out; returns the number of bytes (1-4). */
static size_t utf8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decimal text of n into buf (at least 21 bytes), NUL-terminated; returns its length. */
static size_t format_uint(uint64_t n, char *buf)
{
    char tmp[21];
    size_t len = 0;
    do {
        tmp[len++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    for (size_t i = 0; i < len; i++)
        buf[i] = tmp[len - 1 - i];
    buf[len] = '\0';
    return len;
}

/* Appends s to the NUL-terminated text in buf (size bytes), truncating: for messages. */
static void text_append(char *buf, size_t size, const char *s)
{
    size_t used = strlen(buf);
    while (*s && used + 1 < size)
        buf[used++] = *s++;
    buf[used] = '\0';
}

static void text_append_uint(char *buf, size_t size, uint64_t n)
{
    char digits[21];
    format_uint(n, digits);
    text_append(buf, size, digits);
}

/* Parses an RFC 6901 array index: decimal, no sign, no leading zero (except "0" itself). */
static bool parse_index(const char *s, size_t len, size_t *out)
{
    size_t n = 0;
    if (len == 0 || (len > 1 && s[0] == '0')) return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        if (n > (SIZE_MAX - 9) / 10) return false;
        n = n * 10 + (size_t)(s[i] - '0');
    }
    *out = n;
    return true;
}

/* ---- The parser ------------------------------------------------------------------------ */

/* The parser makes one pass over the text and appends a token per value. Instead of
 * recursing into arrays and objects it keeps `open`, the innermost unclosed container, and
 * climbs back through each token's `parent` when a container closes: nesting depth costs
 * nothing but the tokens themselves. Strings are unescaped where they stand — the unescaped
 * form is never longer than the escaped one, so writing never overtakes reading — and the
 * byte after each is set to NUL, which overwrites at most the closing quote. */
typedef struct parser {
    wgm_doc *doc;
    char *text;
    size_t len, pos;
} parser;

static bool parse_fail(parser *p, size_t at, const char *what)
{
    char *e = p->doc->error;
    e[0] = '\0';
    text_append(e, sizeof p->doc->error, "offset ");
    text_append_uint(e, sizeof p->doc->error, at);
    text_append(e, sizeof p->doc->error, ": ");
    text_append(e, sizeof p->doc->error, what);
    return false;
}

static bool push_token(parser *p, wgm_type type, size_t start, size_t len, uint32_t parent)
{
    wgm_doc *d = p->doc;
    if (d->count == d->capacity) {
        size_t cap = d->capacity ? (size_t)d->capacity * 2 : 64;
        if (cap >= UINT32_MAX || cap > SIZE_MAX / sizeof(wgm_token))
            return parse_fail(p, p->pos, "too many values");
        wgm_token *tokens = realloc(d->tokens, cap * sizeof(wgm_token));
        if (!tokens) return parse_fail(p, p->pos, "out of memory");
        d->tokens = tokens;
        d->capacity = (uint32_t)cap;
    }
    wgm_token *t = &d->tokens[d->count];
    t->type = (uint8_t)type;
    t->start = (uint32_t)start;
    t->len = (uint32_t)len;
    t->next = d->count + 1; /* containers get theirs when they close */
    t->parent = parent;
    d->count++;
    return true;
}

/*
 * The hot loops below keep the text and its length in locals: read through
 * `p`, they would be reloaded on every byte, since the parser's own stores
 * into the text may alias p's fields. That matters most in a wasm module
 * run by an interpreter, where every load is an instruction.
 */
static void skip_whitespace(parser *p)
{
    const char *t = p->text;
    size_t i = p->pos, n = p->len;
    while (i < n) {
        char c = t[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        i++;
    }
    p->pos = i;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads the four hex digits of a \u escape at text[at]; -1 if they are not there. */
static long read_hex4(const parser *p, size_t at)
{
    long v = 0;
    if (at > p->len || p->len - at < 4) return -1;
    for (size_t i = 0; i < 4; i++) {
        int h = hex_value(p->text[at + i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Decodes the escape at text[*r] (a backslash) into text[*w]; advances both. A lone UTF-16
 * surrogate becomes U+FFFD, as Go's decoder does, rather than failing the request. */
static bool unescape_one(parser *p, size_t *r, size_t *w)
{
    char *t = p->text;
    if (*r + 1 >= p->len) return parse_fail(p, *r, "unterminated string");
    static const char escaped[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
    char e = t[*r + 1];
    const char *simple = e != '\0' ? strchr(escaped, e) : NULL;
    if (simple) {
        t[(*w)++] = decoded[simple - escaped];
        *r += 2;
        return true;
    }
    if (e != 'u') return parse_fail(p, *r, "invalid escape in a string");
    long cp = read_hex4(p, *r + 2);
    if (cp < 0) return parse_fail(p, *r, "invalid \\u escape (four hex digits expected)");
    *r += 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && *r + 1 < p->len && t[*r] == '\\' && t[*r + 1] == 'u') {
        long low = read_hex4(p, *r + 2);
        if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            *r += 6;
        }
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    *w += utf8_encode((uint32_t)cp, t + *w);
    return true;
}

/*
 * Bytes a string can hold as they are: printable ASCII but '"' and '\\'.
 * One table lookup per byte instead of four comparisons.
 */
static const unsigned char plain_string_byte[256] = {
    ['\x20'] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['('] = 1,
    [')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1, ['/'] = 1, ['0'] = 1,
    ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1,
    ['9'] = 1, [':'] = 1, [';'] = 1, ['<'] = 1, ['='] = 1, ['>'] = 1, ['?'] = 1, ['@'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1, ['['] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['a'] = 1,
    ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
    ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1,
    ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1,
    ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1, ['\x7f'] = 1,
};

/*
 * Parses the string starting at the quote at text[pos] and appends its token.
 * Most strings have no escapes: until the first one, the text is only
 * scanned (and UTF-8 checked) where it stands; from there on, decoded bytes
 * are written behind the read position.
 */
static bool parse_string(parser *p, uint32_t parent)
{
    char *const t = p->text;
    const size_t n = p->len;
    const size_t start = p->pos + 1;
    size_t r = start, w;
    for (;;) { /* the scan: nothing to move */
        while (r < n && plain_string_byte[(unsigned char)t[r]]) r++;
        if (r >= n) return parse_fail(p, p->pos, "unterminated string");
        unsigned char c = (unsigned char)t[r];
        if (c == '"') {
            w = r;
            goto done;
        }
        if (c == '\\') break;
        if (c < 0x20) return parse_fail(p, r, "control character in a string (must be escaped)");
        size_t k = utf8_sequence_length((const unsigned char *)t + r, n - r);
        if (k == 0) return parse_fail(p, r, "invalid UTF-8 in a string");
        r += k;
    }
    w = r;
    for (;;) { /* after an escape: decode behind the read position */
        if (r >= n) return parse_fail(p, p->pos, "unterminated string");
        unsigned char c = (unsigned char)t[r];
        if (c == '"') break;
        if (c < 0x20) return parse_fail(p, r, "control character in a string (must be escaped)");
        if (c == '\\') {
            if (!unescape_one(p, &r, &w)) return false;
        } else if (c < 0x80) {
            t[w++] = t[r++];
        } else {
            size_t k = utf8_sequence_length((const unsigned char *)t + r, n - r);
            if (k == 0) return parse_fail(p, r, "invalid UTF-8 in a string");
            for (size_t i = 0; i < k; i++) t[w + i] = t[r + i];
            w += k, r += k;
        }
    }
done:
    t[w] = '\0';
    p->pos = r + 1;
    return push_token(p, WGM_STRING, start, w - start, parent);
}

static bool is_digit(const parser *p, size_t at)
{
    return at < p->len && p->text[at] >= '0' && p->text[at] <= '9';
}

/* Parses a number per RFC 8259's grammar; its text is kept as it is, converted on demand. */
static bool parse_number(parser *p, uint32_t parent)
{
    size_t start = p->pos, i = p->pos;
    if (i < p->len && p->text[i] == '-') i++;
    if (i < p->len && p->text[i] == '0') {
        i++;
    } else if (is_digit(p, i)) {
        while (is_digit(p, i))
            i++;
    } else {
        return parse_fail(p, start, "invalid number");
    }
    if (i < p->len && p->text[i] == '.') {
        if (!is_digit(p, ++i)) return parse_fail(p, i, "digit expected after '.'");
        while (is_digit(p, i))
            i++;
    }
    if (i < p->len && (p->text[i] == 'e' || p->text[i] == 'E')) {
        i++;
        if (i < p->len && (p->text[i] == '+' || p->text[i] == '-')) i++;
        if (!is_digit(p, i)) return parse_fail(p, i, "digit expected in exponent");
        while (is_digit(p, i))
            i++;
    }
    p->pos = i;
    return push_token(p, WGM_NUMBER, start, i - start, parent);
}

static bool parse_literal(parser *p, const char *word, wgm_type type, uint32_t parent)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0)
        return parse_fail(p, p->pos, "invalid literal (true, false or null expected)");
    p->pos += n;
    return push_token(p, type, p->pos - n, n, parent);
}

/* Parses an object member's key and the ':' after it. */
static bool parse_key(parser *p, uint32_t object)
{
    skip_whitespace(p);
    if (p->pos >= p->len || p->text[p->pos] != '"')
        return parse_fail(p, p->pos, "object key (a string) expected");
    if (!parse_string(p, object)) return false;
    skip_whitespace(p);
    if (p->pos >= p->len || p->text[p->pos] != ':')
        return parse_fail(p, p->pos, "':' expected after an object key");
    p->pos++;
    return true;
}

bool wgm_parse(wgm_doc *doc, char *text, size_t len)
{
    memset(doc, 0, sizeof *doc);
    doc->text = text;
    doc->text_len = len;
    parser p = {doc, text, len, 0};
    uint32_t open = WGM_NO_PARENT; /* the innermost container not closed yet */

    if (len >= UINT32_MAX) {
        parse_fail(&p, 0, "text too large");
        goto failed;
    }
    for (;;) {
        /* A value is expected. */
        skip_whitespace(&p);
        if (p.pos >= len) {
            parse_fail(&p, p.pos, "value expected, end of text found");
            goto failed;
        }
        char c = text[p.pos];
        bool ok;
        if (c == '{' || c == '[') {
            ok = push_token(&p, c == '{' ? WGM_OBJECT : WGM_ARRAY, p.pos, 0, open);
            if (!ok) goto failed;
            open = doc->count - 1;
            p.pos++;
            skip_whitespace(&p);
            if (p.pos < len && text[p.pos] == (c == '{' ? '}' : ']')) {
                p.pos++; /* empty: closed at once, then on as after any value */
                doc->tokens[open].next = doc->count;
                open = doc->tokens[open].parent;
            } else if (c == '{') {
                if (!parse_key(&p, open)) goto failed;
                continue;
            } else {
                continue;
            }
        } else if (c == '"') {
            if (!parse_string(&p, open)) goto failed;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!parse_number(&p, open)) goto failed;
        } else if (c == 't') {
            if (!parse_literal(&p, "true", WGM_TRUE, open)) goto failed;
        } else if (c == 'f') {
            if (!parse_literal(&p, "false", WGM_FALSE, open)) goto failed;
        } else if (c == 'n') {
            if (!parse_literal(&p, "null", WGM_NULL, open)) goto failed;
        } else {
            parse_fail(&p, p.pos, "value expected");
            goto failed;
        }

        /* A value ended: close containers, or find the comma before the next value. */
        for (;;) {
            skip_whitespace(&p);
            if (open == WGM_NO_PARENT) goto done;
            bool in_object = doc->tokens[open].type == WGM_OBJECT;
            if (p.pos < len && text[p.pos] == ',') {
                p.pos++;
                if (in_object && !parse_key(&p, open)) goto failed;
                break;
            }
            if (p.pos < len && text[p.pos] == (in_object ? '}' : ']')) {
                p.pos++;
                doc->tokens[open].next = doc->count;
                open = doc->tokens[open].parent;
                continue;
            }
            parse_fail(&p, p.pos, in_object ? "',' or '}' expected" : "',' or ']' expected");
            goto failed;
        }
    }
done:
    if (p.pos != len) {
        parse_fail(&p, p.pos, "unexpected text after the JSON value");
        goto failed;
    }
    return true;
failed:
    free(doc->tokens);
    doc->tokens = NULL;
    doc->count = doc->capacity = 0;
    return false;
}

void wgm_doc_free(wgm_doc *doc)
{
    if (!doc) return;
    free(doc->tokens);
    doc->tokens = NULL;
    doc->count = doc->capacity = 0;
}

/* ---- Reading values -------------------------------------------------------------------- */

static const wgm_token *token_of(wgm_val v)
{
    if (!v.doc || v.index >= v.doc->count) return NULL;
    return &v.doc->tokens[v.index];
}

static wgm_val val_at(const wgm_doc *doc, uint32_t index)
{
    wgm_val v = {doc, index};
    return v;
}

wgm_val wgm_root(const wgm_doc *doc)
{
    if (!doc || doc->count == 0) return WGM_NONE;
    return val_at(doc, 0);
}

wgm_type wgm_type_of(wgm_val v)
{
    const wgm_token *t = token_of(v);
    return t ? (wgm_type)t->type : WGM_MISSING;
}

bool wgm_exists(wgm_val v)
{
    wgm_type type = wgm_type_of(v);
    return type != WGM_MISSING && type != WGM_NULL;
}

wgm_iter wgm_iterate(wgm_val container)
{
    wgm_iter it = {NULL, 0, 0, false};
    const wgm_token *t = token_of(container);
    if (t && (t->type == WGM_ARRAY || t->type == WGM_OBJECT)) {
        it.doc = container.doc;
        it.pos = container.index + 1;
        it.end = t->next;
        it.object = t->type == WGM_OBJECT;
    }
    return it;
}

bool wgm_next(wgm_iter *it, wgm_val *key, wgm_val *value)
{
    if (!it->doc || it->pos >= it->end) return false;
    uint32_t value_index = it->object ? it->pos + 1 : it->pos;
    if (key) *key = it->object ? val_at(it->doc, it->pos) : WGM_NONE;
    if (value) *value = val_at(it->doc, value_index);
    it->pos = it->doc->tokens[value_index].next;
    return true;
}

wgm_val wgm_get_n(wgm_val object, const char *key, size_t key_len)
{
    wgm_val found = WGM_NONE, k, v;
    if (wgm_type_of(object) != WGM_OBJECT) return WGM_NONE;
    wgm_iter it = wgm_iterate(object);
    while (wgm_next(&it, &k, &v)) {
        const wgm_token *t = token_of(k);
        if (t->len == key_len && memcmp(object.doc->text + t->start, key, key_len) == 0)
            found = v; /* keep looking: the last duplicate wins */
    }
    return found;
}

wgm_val wgm_get(wgm_val object, const char *key)
{
    return key ? wgm_get_n(object, key, strlen(key)) : WGM_NONE;
}

wgm_val wgm_at(wgm_val array, size_t index)
{
    wgm_val v;
    if (wgm_type_of(array) != WGM_ARRAY) return WGM_NONE;
    wgm_iter it = wgm_iterate(array);
    for (size_t i = 0; wgm_next(&it, NULL, &v); i++)
        if (i == index) return v;
    return WGM_NONE;
}

size_t wgm_len(wgm_val v)
{
    size_t n = 0;
    wgm_iter it = wgm_iterate(v);
    while (wgm_next(&it, NULL, NULL))
        n++;
    return n;
}

wgm_val wgm_path(wgm_val v, const char *path)
{
    const char *p = path ? path : "";
    while (*p && v.doc) {
        if (*p == '[') {
            const char *close = strchr(p, ']');
            size_t index;
            if (!close || !parse_index(p + 1, (size_t)(close - p - 1), &index)) return WGM_NONE;
            v = wgm_at(v, index);
            p = close + 1;
        } else {
            size_t n = strcspn(p, ".[");
            v = wgm_get_n(v, p, n);
            p += n;
        }
        if (*p == '.') p++;
    }
    return v;
}

/* True when the escaped pointer segment seg (len bytes) names the key (key_len bytes). */
static bool segment_equals(const char *seg, size_t len, const char *key, size_t key_len)
{
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        char c = seg[i];
        if (c == '~') {
            if (i + 1 >= len || (seg[i + 1] != '0' && seg[i + 1] != '1')) return false;
            c = seg[++i] == '0' ? '~' : '/';
        }
        if (k >= key_len || key[k++] != c) return false;
    }
    return k == key_len;
}

wgm_val wgm_pointer(wgm_val v, const char *pointer)
{
    const char *p = pointer ? pointer : "";
    while (*p && v.doc) {
        if (*p != '/') return WGM_NONE;
        p++;
        size_t n = strcspn(p, "/");
        wgm_type type = wgm_type_of(v);
        if (type == WGM_ARRAY) {
            size_t index;
            if (!parse_index(p, n, &index)) return WGM_NONE;
            v = wgm_at(v, index);
        } else if (type == WGM_OBJECT) {
            wgm_val k, member, found = WGM_NONE;
            wgm_iter it = wgm_iterate(v);
            while (wgm_next(&it, &k, &member))
                if (segment_equals(p, n, wgm_str(k), wgm_str_len(k))) found = member;
            v = found;
        } else {
            return WGM_NONE;
        }
        p += n;
    }
    return v;
}

const char *wgm_str(wgm_val v)
{
    const wgm_token *t = token_of(v);
    return t && t->type == WGM_STRING ? v.doc->text + t->start : NULL;
}

size_t wgm_str_len(wgm_val v)
{
    const wgm_token *t = token_of(v);
    return t && t->type == WGM_STRING ? t->len : 0;
}

const char *wgm_str_or(wgm_val v, const char *fallback)
{
    const char *s = wgm_str(v);
    return s ? s : fallback;
}

bool wgm_str_eq(wgm_val v, const char *s)
{
    const char *mine = wgm_str(v);
    return mine && s && wgm_str_len(v) == strlen(s) && memcmp(mine, s, wgm_str_len(v)) == 0;
}

bool wgm_is_true(wgm_val v)
{
    return wgm_type_of(v) == WGM_TRUE;
}

bool wgm_bool(wgm_val v, bool *out)
{
    wgm_type type = wgm_type_of(v);
    if (type != WGM_TRUE && type != WGM_FALSE) return false;
    *out = type == WGM_TRUE;
    return true;
}

bool wgm_int(wgm_val v, int64_t *out)
{
    const wgm_token *t = token_of(v);
    if (!t || t->type != WGM_NUMBER) return false;
    const char *s = v.doc->text + t->start;
    size_t i = 0, len = t->len;
    bool negative = s[0] == '-';
    if (negative) i++;
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, n = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false; /* a fraction or an exponent */
        unsigned digit = (unsigned)(s[i] - '0');
        if (n > (limit - digit) / 10) return false;
        n = n * 10 + digit;
    }
    /* -n computed in unsigned arithmetic: well defined even for INT64_MIN. */
    *out = negative ? (int64_t)(0 - n) : (int64_t)n;
    return true;
}

const char *wgm_number_text(wgm_val v, size_t *len)
{
    const wgm_token *t = token_of(v);
    if (!t || t->type != WGM_NUMBER) return NULL;
    *len = t->len;
    return v.doc->text + t->start; /* numbers are not NUL-terminated in place */
}

/* ---- The writer ------------------------------------------------------------------------ */

static bool writer_reserve(wgm_writer *w, size_t extra)
{
    if (w->failed) return false;
    if (extra < w->cap - w->len) return true; /* room for extra bytes and a NUL */
    size_t cap = w->cap ? w->cap : 256;
    while (cap - w->len <= extra) {
        if (cap > SIZE_MAX / 2) {
            w->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *data = realloc(w->data, cap);
    if (!data) {
        w->failed = true;
        return false;
    }
    w->data = data;
    w->cap = cap;
    return true;
}

static void put(wgm_writer *w, const char *s, size_t n)
{
    if (n == 0 || !writer_reserve(w, n)) return;
    memcpy(w->data + w->len, s, n);
    w->len += n;
    w->data[w->len] = '\0';
}

static void put_char(wgm_writer *w, char c)
{
    put(w, &c, 1);
}

/* The comma rule: a value or key needs a comma before it unless it is the first thing in
 * the text or comes right after '{', '[', ':' or ','. Because the writer never emits
 * whitespace, the last byte tells — no stack of nesting states is needed. */
static void before_value(wgm_writer *w)
{
    if (w->failed || w->len == 0) return;
    char last = w->data[w->len - 1];
    if (last != '{' && last != '[' && last != ':' && last != ',') put_char(w, ',');
}

void wgm_write_object_begin(wgm_writer *w)
{
    before_value(w);
    put_char(w, '{');
}

void wgm_write_object_end(wgm_writer *w)
{
    put_char(w, '}');
}

void wgm_write_array_begin(wgm_writer *w)
{
    before_value(w);
    put_char(w, '[');
}

void wgm_write_array_end(wgm_writer *w)
{
    put_char(w, ']');
}

/* The escaped body of a string, without quotes. */
static void put_escaped(wgm_writer *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0; /* bytes before i that need no escaping, written in one go */
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : utf8_sequence_length((const unsigned char *)s + i, len - i);
        if (c >= 0x20 && c != '"' && c != '\\' && n > 0) {
            i += n;
            run += n;
            continue;
        }
        put(w, s + i - run, run);
        run = 0;
        if (n == 0) {
            put(w, "\xEF\xBF\xBD", 3); /* U+FFFD for a byte that is not UTF-8 */
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(w, esc, 2);
        } else {
            const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            if (named)
                put(w, named, 2);
            else
                put(w, esc, 6);
        }
        i++;
    }
    put(w, s + len - run, run);
}

void wgm_write_string_n(wgm_writer *w, const char *s, size_t len)
{
    if (!s) {
        wgm_write_null(w);
        return;
    }
    before_value(w);
    put_char(w, '"');
    put_escaped(w, s, len);
    put_char(w, '"');
}

void wgm_write_string(wgm_writer *w, const char *s)
{
    wgm_write_string_n(w, s, s ? strlen(s) : 0);
}

static void write_key_n(wgm_writer *w, const char *key, size_t len)
{
    before_value(w);
    put_char(w, '"');
    put_escaped(w, key, len);
    put(w, "\":", 2);
}

void wgm_write_key(wgm_writer *w, const char *key)
{
    write_key_n(w, key ? key : "", key ? strlen(key) : 0);
}

void wgm_write_int(wgm_writer *w, int64_t n)
{
    char buf[22];
    size_t len = 0;
    before_value(w);
    if (n < 0) buf[len++] = '-';
    /* The magnitude in unsigned arithmetic, so that INT64_MIN needs no special case. */
    len += format_uint(n < 0 ? 0 - (uint64_t)n : (uint64_t)n, buf + len);
    put(w, buf, len);
}

void wgm_write_bool(wgm_writer *w, bool b)
{
    before_value(w);
    put(w, b ? "true" : "false", b ? 4 : 5);
}

void wgm_write_null(wgm_writer *w)
{
    before_value(w);
    put(w, "null", 4);
}

void wgm_write_raw(wgm_writer *w, const char *json, size_t len)
{
    before_value(w);
    put(w, json, len);
}

const char *wgm_writer_text(wgm_writer *w)
{
    if (w->failed) return NULL;
    if (!w->data && !writer_reserve(w, 0)) return NULL;
    w->data[w->len] = '\0';
    return w->data;
}

void wgm_writer_free(wgm_writer *w)
{
    free(w->data);
    w->data = NULL;
    w->len = w->cap = 0;
    w->failed = false;
}

/* ---- Copying values, with patch operations applied ------------------------------------ */

/* A patch operation, as recorded by wgm_patch_add/replace/remove (see the header for the
 * rules that make operations independent of their order). */
typedef enum patch_kind { PATCH_ADD, PATCH_REPLACE, PATCH_REMOVE } patch_kind;

typedef struct patch_op {
    patch_kind kind;
    char *parent;       /* escaped JSON Pointer of the container in request.object */
    char *key;          /* unescaped member name, array index or "-" */
    char *target;       /* parent + "/" + escaped key: the op's "path" */
    char *value;        /* JSON text; NULL for remove */
    bool parent_array;  /* the parent is an array */
    size_t index;       /* the element index when parent_array and key is not "-" */
    bool member_exists; /* the target exists in the original (an add on it is a replace) */
} patch_op;

typedef struct patch_list {
    patch_op *ops;
    size_t count;
} patch_list;

/* JSON Pointers (the container being copied, a patch operation's target) are built in a
 * wgm_writer used as a plain byte buffer: put() only, never the JSON writing functions. */

/* Appends "/" and a key escaped per RFC 6901. */
static void path_push_key(wgm_writer *b, const char *key, size_t len)
{
    put(b, "/", 1);
    for (size_t i = 0; i < len; i++) {
        if (key[i] == '~')
            put(b, "~0", 2);
        else if (key[i] == '/')
            put(b, "~1", 2);
        else
            put(b, key + i, 1);
    }
}

static void path_push_index(wgm_writer *b, size_t index)
{
    char digits[21];
    put(b, "/", 1);
    put(b, digits, format_uint(index, digits));
}

/* Removes the last segment and returns it parsed as an index (0 if it is not one). */
static size_t path_pop(wgm_writer *b)
{
    size_t slash = b->len, index = 0;
    while (slash > 0 && b->data[slash - 1] != '/')
        slash--;
    if (slash == 0) return 0;
    parse_index(b->data + slash, b->len - slash, &index);
    b->len = slash - 1;
    b->data[b->len] = '\0';
    return index;
}

/* The operation that replaces or removes the existing member `key` / element `ordinal` of
 * the container at `path`; NULL when none does. */
static const patch_op *find_op(const patch_list *ops, const char *path, const wgm_token *key,
                               const char *text, size_t ordinal)
{
    for (size_t i = 0; i < ops->count; i++) {
        const patch_op *op = &ops->ops[i];
        if (!op->member_exists || strcmp(op->parent, path) != 0) continue;
        if (key ? strlen(op->key) == key->len && memcmp(op->key, text + key->start, key->len) == 0
                : op->parent_array && op->index == ordinal)
            return op;
    }
    return NULL;
}

/* Writes, at the end of the container at `path`, the members and elements that operations
 * add to it (those not replacing an existing one). */
static void write_additions(wgm_writer *w, const patch_list *ops, const char *path, bool object)
{
    for (size_t i = 0; i < ops->count; i++) {
        const patch_op *op = &ops->ops[i];
        if (op->kind != PATCH_ADD || op->member_exists || strcmp(op->parent, path) != 0) continue;
        if (object) wgm_write_key(w, op->key);
        wgm_write_raw(w, op->value, strlen(op->value));
    }
}

static void write_scalar(wgm_writer *w, const wgm_doc *d, const wgm_token *t)
{
    switch ((wgm_type)t->type) {
    case WGM_STRING: wgm_write_string_n(w, d->text + t->start, t->len); break;
    case WGM_NUMBER: wgm_write_raw(w, d->text + t->start, t->len); break;
    case WGM_TRUE: wgm_write_bool(w, true); break;
    case WGM_FALSE: wgm_write_bool(w, false); break;
    default: wgm_write_null(w); break;
    }
}

static bool is_container(const wgm_token *t)
{
    return t->type == WGM_OBJECT || t->type == WGM_ARRAY;
}

/* Writes value v and everything inside it. With operations (ops != NULL, targets relative to
 * v), the copy has them applied. The walk is iterative: it descends into a container by
 * moving to its first child and, when a container is finished, climbs back to the parent
 * through the token's `parent` link and continues after it — so no nesting depth can
 * exhaust a stack. With operations, the JSON Pointer of the current container is kept in
 * `path`; popping its last segment (escaped segments contain no '/') also tells which array
 * element to continue after. */
static bool write_tree(wgm_writer *w, wgm_val v, const patch_list *ops)
{
    const wgm_token *root_token = token_of(v);
    if (!root_token) {
        wgm_write_null(w);
        return true;
    }
    if (!is_container(root_token)) {
        write_scalar(w, v.doc, root_token);
        return true;
    }
    const wgm_doc *d = v.doc;
    const wgm_token *tokens = d->tokens;
    wgm_writer path = WGM_WRITER_INIT;
    /* The root's pointer: "" (allocated, NUL-terminated). */
    if (ops && !wgm_writer_text(&path)) return false;
    uint32_t container = v.index, child = v.index + 1;
    size_t ordinal = 0; /* index of `child` within an array container */
    before_value(w);
    put_char(w, root_token->type == WGM_OBJECT ? '{' : '[');
    for (;;) {
        const wgm_token *c = &tokens[container];
        bool object = c->type == WGM_OBJECT;
        if (child < c->next) {
            uint32_t value = object ? child + 1 : child;
            const wgm_token *key = object ? &tokens[child] : NULL;
            const patch_op *op = ops ? find_op(ops, path.data, key, d->text, ordinal) : NULL;
            uint32_t after = tokens[value].next;
            if (!op || op->kind != PATCH_REMOVE) {
                if (key) write_key_n(w, d->text + key->start, key->len);
                if (op) {
                    wgm_write_raw(w, op->value, strlen(op->value));
                } else if (is_container(&tokens[value])) {
                    if (ops) {
                        if (key)
                            path_push_key(&path, d->text + key->start, key->len);
                        else
                            path_push_index(&path, ordinal);
                    }
                    before_value(w); /* the comma between array elements */
                    put_char(w, tokens[value].type == WGM_OBJECT ? '{' : '[');
                    container = value, child = value + 1, ordinal = 0;
                    continue;
                } else {
                    write_scalar(w, d, &tokens[value]);
                }
            }
            child = after, ordinal++;
            continue;
        }
        /* The container is complete: additions, the closing bracket, then back up. */
        if (ops) write_additions(w, ops, path.data, object);
        put_char(w, object ? '}' : ']');
        if (container == v.index) break;
        uint32_t finished = container;
        container = c->parent;
        child = tokens[finished].next;
        ordinal = ops ? path_pop(&path) + 1 : 0;
    }
    bool ok = !path.failed;
    wgm_writer_free(&path);
    return ok;
}

void wgm_write_value(wgm_writer *w, wgm_val v)
{
    write_tree(w, v, NULL);
}

/* ---- Base64 and JSON Pointers ---------------------------------------------------------- */

size_t wgm_base64_encode(const void *data, size_t len, char *out, size_t out_size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *in = data;
    if (len > (SIZE_MAX - 3) / 4 * 3 || out_size < WGM_BASE64_SIZE(len)) return 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t chunk = (uint32_t)in[i] << 16;
        if (i + 1 < len) chunk |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len) chunk |= in[i + 2];
        out[o++] = alphabet[(chunk >> 18) & 63];
        out[o++] = alphabet[(chunk >> 12) & 63];
        out[o++] = i + 1 < len ? alphabet[(chunk >> 6) & 63] : '=';
        out[o++] = i + 2 < len ? alphabet[chunk & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

bool wgm_pointer_append(char *buf, size_t size, const char *key)
{
    size_t used = strlen(buf), need = used + 1;
    for (const char *k = key; *k; k++)
        need += (*k == '~' || *k == '/') ? 2 : 1;
    if (need >= size) return false;
    buf[used++] = '/';
    for (const char *k = key; *k; k++) {
        if (*k == '~' || *k == '/') {
            buf[used++] = '~';
            buf[used++] = *k == '~' ? '0' : '1';
        } else {
            buf[used++] = *k;
        }
    }
    buf[used] = '\0';
    return true;
}

bool wgm_pointer_append_index(char *buf, size_t size, size_t index)
{
    char digits[21];
    format_uint(index, digits);
    return wgm_pointer_append(buf, size, digits);
}

/* ---- The request ----------------------------------------------------------------------- */

/* A document made by wgm_json(): the text it was parsed from follows the struct. */
typedef struct literal {
    struct literal *next;
    wgm_doc doc;
    char text[];
} literal;

typedef struct annotation {
    char *key, *value;
} annotation;

/* Everything about the current call. A module instance serves one call, so one static
 * struct is the whole state; native tests reset it with wgm_release(). */
static struct {
    bool started;  /* wgm_begin() succeeded */
    bool answered; /* the output has been written */
    char *input;
    wgm_doc doc;
    wgm_val request, settings;
    const char *kind, *api_version;
    wgm_writer audiences, warnings; /* collected strings, comma-separated */
    annotation *annotations;
    size_t annotation_count;
    patch_list patch;
    bool patch_failed;
    char patch_error[256];
    wgm_patch_type patch_type;
    literal *literals;
} S;

static int input_fd = 0, output_fd = 1;

void wgm_set_fds(int in, int out)
{
    input_fd = in;
    output_fd = out;
}

static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* nowhere left to report it: the host sees short output */
        data += n;
        len -= (size_t)n;
    }
}

void wgm_log(const char *message)
{
    write_all(2, message, strlen(message));
    write_all(2, "\n", 1);
}

void wgm_release(void)
{
    free(S.input);
    wgm_doc_free(&S.doc);
    wgm_writer_free(&S.audiences);
    wgm_writer_free(&S.warnings);
    for (size_t i = 0; i < S.annotation_count; i++) {
        free(S.annotations[i].key);
        free(S.annotations[i].value);
    }
    free(S.annotations);
    for (size_t i = 0; i < S.patch.count; i++) {
        patch_op *op = &S.patch.ops[i];
        free(op->parent), free(op->key), free(op->target), free(op->value);
    }
    free(S.patch.ops);
    while (S.literals) {
        literal *next = S.literals->next;
        wgm_doc_free(&S.literals->doc);
        free(S.literals);
        S.literals = next;
    }
    memset(&S, 0, sizeof S);
}

/* Reads all of the input; false with a message in `error` on failure. */
static bool read_input(char **out, size_t *out_len, char *error, size_t error_size)
{
    /*
     * Start small and double: a 64 KiB first buffer would not fit in a module's initial heap,
     * so every call would grow linear memory (a copy and a clear in the host).
     */
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) {
            text_append(error, error_size, "input: out of memory");
            return false;
        }
        if (len == cap) {
            if (cap > WGM_MAX_INPUT) break; /* more than the limit: refused below */
            /* Grow to at most one byte past the limit: enough to tell the input is too big. */
            size_t bigger_cap = cap * 2 > WGM_MAX_INPUT + 1 ? WGM_MAX_INPUT + 1 : cap * 2;
            char *bigger = realloc(buf, bigger_cap + 1);
            if (!bigger) free(buf);
            buf = bigger, cap = bigger_cap;
            continue;
        }
        ssize_t n = read(input_fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            free(buf);
            text_append(error, error_size, "input: cannot read stdin");
            return false;
        }
        if (n == 0) break;
        len += (size_t)n;
    }
    if (len > WGM_MAX_INPUT) {
        free(buf);
        text_append(error, error_size, "input: larger than the module's limit of ");
        text_append_uint(error, error_size, WGM_MAX_INPUT);
        text_append(error, error_size, " bytes");
        return false;
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return true;
}

bool wgm_begin(void)
{
    char error[256] = "";
    size_t len = 0;
    wgm_release();
    if (!read_input(&S.input, &len, error, sizeof error)) {
        wgm_error(error);
        return false;
    }
    if (!wgm_parse(&S.doc, S.input, len)) {
        text_append(error, sizeof error, "input: not JSON: ");
        text_append(error, sizeof error, S.doc.error);
        wgm_error(error);
        return false;
    }
    wgm_val root = wgm_root(&S.doc);
    wgm_val request = wgm_get(root, "request");
    if (wgm_type_of(root) != WGM_OBJECT || wgm_type_of(request) != WGM_OBJECT) {
        wgm_error("input: expected {\"request\": <review object>, \"settings\": ...}");
        return false;
    }
    S.kind = wgm_str(wgm_get(request, "kind"));
    S.api_version = wgm_str(wgm_get(request, "apiVersion"));
    if (!S.kind || !S.api_version) {
        wgm_error("input: request.apiVersion and request.kind must be strings");
        return false;
    }
    S.request = request;
    S.settings = wgm_exists(wgm_get(root, "settings")) ? wgm_get(root, "settings") : WGM_NONE;
    S.started = true;
    return true;
}

wgm_val wgm_request(void)
{
    return S.started ? S.request : WGM_NONE;
}

wgm_val wgm_settings(void)
{
    return S.started ? S.settings : WGM_NONE;
}

const char *wgm_review_kind(void)
{
    return S.started ? S.kind : "";
}

const char *wgm_review_api_version(void)
{
    return S.started ? S.api_version : "";
}

wgm_val wgm_json(const char *text)
{
    size_t len = text ? strlen(text) : 0;
    literal *lit = malloc(sizeof *lit + len + 1);
    if (!lit) {
        wgm_log("wgm_json: out of memory");
        return WGM_NONE;
    }
    memcpy(lit->text, text ? text : "", len + 1);
    if (!wgm_parse(&lit->doc, lit->text, len)) {
        char message[200] = "wgm_json: not JSON: ";
        text_append(message, sizeof message, lit->doc.error);
        wgm_log(message);
        free(lit);
        return WGM_NONE;
    }
    lit->next = S.literals;
    S.literals = lit;
    return wgm_root(&lit->doc);
}

wgm_val wgm_json_string(const char *s)
{
    wgm_writer w = WGM_WRITER_INIT;
    wgm_write_string(&w, s ? s : "");
    const char *text = wgm_writer_text(&w);
    wgm_val v = text ? wgm_json(text) : WGM_NONE;
    wgm_writer_free(&w);
    return v;
}

/* ---- Patch operations ------------------------------------------------------------------ */

static bool patch_refuse(const char *target, const char *why)
{
    char message[256] = "patch ";
    text_append(message, sizeof message, target);
    text_append(message, sizeof message, ": ");
    text_append(message, sizeof message, why);
    wgm_log(message);
    if (!S.patch_failed) memcpy(S.patch_error, message, sizeof message);
    S.patch_failed = true;
    return false;
}

/* True when one target is the other or lies inside it ("/a/b" and "/a/b/c", not "/a/bc"). */
static bool targets_overlap(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    const char *shorter = la <= lb ? a : b, *longer = la <= lb ? b : a;
    size_t n = la <= lb ? la : lb;
    return strncmp(shorter, longer, n) == 0 && (longer[n] == '\0' || longer[n] == '/');
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy) memcpy(copy, s, n);
    return copy;
}

static bool patch_record(patch_kind kind, const char *parent, const char *key, wgm_val value)
{
    wgm_writer target = WGM_WRITER_INIT;
    bool ok = false;
    parent = parent ? parent : "";
    key = key ? key : "";
    put(&target, parent, strlen(parent));
    path_push_key(&target, key, strlen(key));
    const char *where = target.failed ? parent : target.data;

    wgm_val object = wgm_path(S.request, "request.object");
    wgm_val container = wgm_pointer(object, parent);
    patch_op op = {kind, NULL, NULL, NULL, NULL, false, 0, false};
    if (!S.started || strcmp(S.kind, "AdmissionReview") != 0) {
        patch_refuse(where, "only an AdmissionReview can be patched");
        goto out;
    }
    if (S.answered) {
        patch_refuse(where, "the answer has already been sent");
        goto out;
    }
    if (wgm_type_of(object) != WGM_OBJECT) {
        patch_refuse(where, "request.object is not an object (null on DELETE): nothing to patch");
        goto out;
    }
    if (kind != PATCH_REMOVE && wgm_type_of(value) == WGM_MISSING) {
        patch_refuse(where, "no value (WGM_NONE; did wgm_json() fail?)");
        goto out;
    }
    if (wgm_type_of(container) == WGM_OBJECT) {
        op.member_exists = wgm_type_of(wgm_get(container, key)) != WGM_MISSING;
        if (kind != PATCH_ADD && !op.member_exists) {
            patch_refuse(where, "no such member in request.object");
            goto out;
        }
    } else if (wgm_type_of(container) == WGM_ARRAY) {
        op.parent_array = true;
        if (strcmp(key, "-") == 0) {
            if (kind != PATCH_ADD) {
                patch_refuse(where, "\"-\" (the end of an array) can only be added to");
                goto out;
            }
        } else if (!parse_index(key, strlen(key), &op.index) || op.index >= wgm_len(container)) {
            patch_refuse(where, "no such element in request.object");
            goto out;
        } else if (kind == PATCH_ADD) {
            patch_refuse(where, "inserting into an array is not supported; append with \"-\"");
            goto out;
        } else {
            op.member_exists = true;
        }
    } else {
        patch_refuse(where, wgm_exists(container) ? "the parent is not an object or array"
                                                  : "the parent does not exist in request.object");
        goto out;
    }
    for (size_t i = 0; i < S.patch.count; i++) {
        const patch_op *other = &S.patch.ops[i];
        bool both_append = op.parent_array && !op.member_exists && other->parent_array &&
                           !other->member_exists && strcmp(other->parent, parent) == 0;
        if (!both_append && targets_overlap(where, other->target)) {
            patch_refuse(where, "overlaps an earlier operation on the same target");
            goto out;
        }
    }
    if (kind != PATCH_REMOVE) {
        wgm_writer w = WGM_WRITER_INIT;
        wgm_write_value(&w, value);
        op.value = (char *)wgm_writer_text(&w); /* the writer's buffer becomes the op's */
        if (!op.value) wgm_writer_free(&w);
    }
    op.parent = copy_string(parent);
    op.key = copy_string(key);
    op.target = target.failed ? NULL : copy_string(target.data);
    patch_op *ops = realloc(S.patch.ops, (S.patch.count + 1) * sizeof *ops);
    if (!op.parent || !op.key || !op.target || (kind != PATCH_REMOVE && !op.value) || !ops) {
        if (ops) S.patch.ops = ops;
        free(op.parent), free(op.key), free(op.target), free(op.value);
        patch_refuse(where, "out of memory");
        goto out;
    }
    S.patch.ops = ops;
    S.patch.ops[S.patch.count++] = op;
    ok = true;
out:
    wgm_writer_free(&target);
    return ok;
}

bool wgm_patch_add(const char *parent, const char *key, wgm_val value)
{
    return patch_record(PATCH_ADD, parent, key, value);
}

bool wgm_patch_replace(const char *parent, const char *key, wgm_val value)
{
    return patch_record(PATCH_REPLACE, parent, key, value);
}

bool wgm_patch_remove(const char *parent, const char *key)
{
    return patch_record(PATCH_REMOVE, parent, key, WGM_NONE);
}

void wgm_set_patch_type(wgm_patch_type type)
{
    S.patch_type = type;
}

/* Order of removals in a JSON Patch: grouped by parent, and within an array from the last
 * index to the first, so that each removal leaves the indices of the others unchanged. */
static int compare_removals(const void *a, const void *b)
{
    const patch_op *x = *(const patch_op *const *)a, *y = *(const patch_op *const *)b;
    int by_parent = strcmp(x->parent, y->parent);
    if (by_parent != 0) return by_parent;
    if (x->parent_array && y->parent_array) return x->index > y->index ? -1 : x->index < y->index;
    return strcmp(x->key, y->key);
}

static void write_json_patch(wgm_writer *w)
{
    static const char *const names[] = {"add", "replace", "remove"};
    const patch_op **removals = malloc((S.patch.count + 1) * sizeof *removals);
    size_t nremovals = 0;
    if (!removals) {
        w->failed = true;
        return;
    }
    wgm_write_array_begin(w);
    /* Adds and replaces first, in the order made: they address the original object, and no
     * removal has shifted an index yet. */
    for (size_t i = 0; i < S.patch.count; i++) {
        const patch_op *op = &S.patch.ops[i];
        if (op->kind == PATCH_REMOVE) {
            removals[nremovals++] = op;
            continue;
        }
        wgm_write_object_begin(w);
        wgm_write_key(w, "op");
        wgm_write_string(w, names[op->kind]);
        wgm_write_key(w, "path");
        wgm_write_string(w, op->target);
        wgm_write_key(w, "value");
        wgm_write_raw(w, op->value, strlen(op->value));
        wgm_write_object_end(w);
    }
    qsort(removals, nremovals, sizeof *removals, compare_removals);
    for (size_t i = 0; i < nremovals; i++) {
        wgm_write_object_begin(w);
        wgm_write_key(w, "op");
        wgm_write_string(w, "remove");
        wgm_write_key(w, "path");
        wgm_write_string(w, removals[i]->target);
        wgm_write_object_end(w);
    }
    wgm_write_array_end(w);
    free(removals);
}

/* ---- Answers --------------------------------------------------------------------------- */

/* Sends the finished output; if it could not be built (out of memory) sends an error that
 * needs no memory. */
static void send_output(wgm_writer *w)
{
    static const char oom[] = "{\"error\":\"out of memory while writing the answer\"}";
    const char *text = wgm_writer_text(w);
    if (text)
        write_all(output_fd, text, w->len);
    else
        write_all(output_fd, oom, sizeof oom - 1);
    S.answered = true;
    wgm_writer_free(w);
}

void wgm_error(const char *message)
{
    if (S.answered) {
        wgm_log("wgm_error: an answer was already sent; this one is ignored");
        return;
    }
    wgm_writer w = WGM_WRITER_INIT;
    wgm_write_object_begin(&w);
    wgm_write_key(&w, "error");
    wgm_write_string(&w, message && *message ? message : "module error");
    wgm_write_object_end(&w);
    send_output(&w);
}

/* Starts an answer of kind `kind` for function `caller`: writes {"response":{"apiVersion":
 * ...,"kind":..., and returns true; or answers with an error (wrong review, called before
 * wgm_begin) or logs (second answer) and returns false. */
static bool answer_begin(wgm_writer *w, const char *caller, const char *kind)
{
    char message[200] = "";
    if (S.answered) {
        text_append(message, sizeof message, caller);
        text_append(message, sizeof message, ": an answer was already sent; this one is ignored");
        wgm_log(message);
        return false;
    }
    if (!S.started) {
        text_append(message, sizeof message, caller);
        text_append(message, sizeof message, ": called before wgm_begin() succeeded");
        wgm_error(message);
        return false;
    }
    if (strcmp(S.kind, kind) != 0) {
        text_append(message, sizeof message, caller);
        text_append(message, sizeof message, " answers ");
        text_append(message, sizeof message, kind);
        text_append(message, sizeof message, "s, but the request is a ");
        text_append(message, sizeof message, S.kind);
        wgm_error(message);
        return false;
    }
    wgm_write_object_begin(w);
    wgm_write_key(w, "response");
    wgm_write_object_begin(w);
    wgm_write_key(w, "apiVersion");
    wgm_write_string(w, S.api_version);
    wgm_write_key(w, "kind");
    wgm_write_string(w, S.kind);
    return true;
}

static void answer_end(wgm_writer *w)
{
    wgm_write_object_end(w); /* the review */
    wgm_write_object_end(w); /* the envelope */
    send_output(w);
}

/* Writes "key":[collected values] when any were collected. */
static void write_collected(wgm_writer *w, const char *key, wgm_writer *values)
{
    if (values->len == 0 && !values->failed) return;
    wgm_write_key(w, key);
    wgm_write_array_begin(w);
    const char *text = wgm_writer_text(values);
    if (text)
        put(w, text, values->len);
    else
        w->failed = true;
    wgm_write_array_end(w);
}

static void collect_string(wgm_writer *values, const char *s)
{
    if (s) wgm_write_string(values, s);
}

void wgm_add_audience(const char *audience)
{
    collect_string(&S.audiences, audience);
}

void wgm_add_warning(const char *warning)
{
    collect_string(&S.warnings, warning);
}

void wgm_add_audit_annotation(const char *key, const char *value)
{
    if (!key || !value) return;
    for (size_t i = 0; i < S.annotation_count; i++) {
        if (strcmp(S.annotations[i].key, key) == 0) {
            char *copy = copy_string(value);
            if (!copy) return;
            free(S.annotations[i].value);
            S.annotations[i].value = copy;
            return;
        }
    }
    annotation *more = realloc(S.annotations, (S.annotation_count + 1) * sizeof *more);
    if (!more) return;
    S.annotations = more;
    annotation a = {copy_string(key), copy_string(value)};
    if (!a.key || !a.value) {
        free(a.key), free(a.value);
        return;
    }
    S.annotations[S.annotation_count++] = a;
}

/* True when v is an array of strings. */
static bool is_string_array(wgm_val v)
{
    wgm_val element;
    if (wgm_type_of(v) != WGM_ARRAY) return false;
    wgm_iter it = wgm_iterate(v);
    while (wgm_next(&it, NULL, &element))
        if (wgm_type_of(element) != WGM_STRING) return false;
    return true;
}

void wgm_authenticate(const char *username, const char *uid, wgm_val groups, wgm_val extra)
{
    wgm_writer w = WGM_WRITER_INIT;
    wgm_val key, values;
    if (!username || !*username) {
        wgm_error("wgm_authenticate: the username must not be empty");
        return;
    }
    if (wgm_exists(groups) && !is_string_array(groups)) {
        wgm_error("wgm_authenticate: groups must be an array of strings");
        return;
    }
    if (wgm_exists(extra)) {
        wgm_iter it = wgm_iterate(extra);
        bool ok = wgm_type_of(extra) == WGM_OBJECT;
        while (ok && wgm_next(&it, NULL, &values))
            ok = is_string_array(values);
        if (!ok) {
            wgm_error("wgm_authenticate: extra must be an object whose values are arrays of "
                      "strings");
            return;
        }
    }
    if (!answer_begin(&w, "wgm_authenticate", "TokenReview")) return;
    wgm_write_key(&w, "status");
    wgm_write_object_begin(&w);
    wgm_write_key(&w, "authenticated");
    wgm_write_bool(&w, true);
    wgm_write_key(&w, "user");
    wgm_write_object_begin(&w);
    wgm_write_key(&w, "username");
    wgm_write_string(&w, username);
    if (uid && *uid) {
        wgm_write_key(&w, "uid");
        wgm_write_string(&w, uid);
    }
    if (wgm_len(groups) > 0) {
        wgm_write_key(&w, "groups");
        wgm_write_value(&w, groups);
    }
    if (wgm_len(extra) > 0) {
        wgm_write_key(&w, "extra");
        wgm_write_object_begin(&w);
        wgm_iter it = wgm_iterate(extra);
        while (wgm_next(&it, &key, &values)) {
            write_key_n(&w, wgm_str(key), wgm_str_len(key));
            wgm_write_value(&w, values);
        }
        wgm_write_object_end(&w);
    }
    wgm_write_object_end(&w);
    write_collected(&w, "audiences", &S.audiences);
    wgm_write_object_end(&w);
    answer_end(&w);
}

void wgm_reject_token(const char *error)
{
    wgm_writer w = WGM_WRITER_INIT;
    if (!answer_begin(&w, "wgm_reject_token", "TokenReview")) return;
    wgm_write_key(&w, "status");
    wgm_write_object_begin(&w);
    wgm_write_key(&w, "authenticated");
    wgm_write_bool(&w, false);
    if (error && *error) {
        wgm_write_key(&w, "error");
        wgm_write_string(&w, error);
    }
    wgm_write_object_end(&w);
    answer_end(&w);
}

/* A SubjectAccessReview answer: status {allowed, denied?, reason?}. */
static void authorization_answer(const char *caller, bool allowed, bool denied, const char *reason)
{
    wgm_writer w = WGM_WRITER_INIT;
    if (!answer_begin(&w, caller, "SubjectAccessReview")) return;
    wgm_write_key(&w, "status");
    wgm_write_object_begin(&w);
    wgm_write_key(&w, "allowed");
    wgm_write_bool(&w, allowed);
    if (denied) {
        wgm_write_key(&w, "denied");
        wgm_write_bool(&w, true);
    }
    if (reason && *reason) {
        wgm_write_key(&w, "reason");
        wgm_write_string(&w, reason);
    }
    wgm_write_object_end(&w);
    answer_end(&w);
}

void wgm_allow(const char *reason)
{
    authorization_answer("wgm_allow", true, false, reason);
}

void wgm_deny(const char *reason)
{
    authorization_answer("wgm_deny", false, true, reason);
}

void wgm_no_opinion(const char *reason)
{
    authorization_answer("wgm_no_opinion", false, false, reason);
}

/* Starts an AdmissionReview answer up to and including "uid"; false if it cannot be given. */
static bool admission_begin(wgm_writer *w, const char *caller)
{
    const char *uid = wgm_str(wgm_path(S.request, "request.uid"));
    if (S.started && !S.answered && strcmp(S.kind, "AdmissionReview") == 0 && (!uid || !*uid)) {
        wgm_error("request.request.uid is missing: the answer could not name the request");
        return false;
    }
    if (!answer_begin(w, caller, "AdmissionReview")) return false;
    wgm_write_key(w, "response");
    wgm_write_object_begin(w);
    wgm_write_key(w, "uid");
    wgm_write_string_n(w, uid, wgm_str_len(wgm_path(S.request, "request.uid")));
    return true;
}

/* Ends an AdmissionReview answer: warnings and audit annotations, then the braces. */
static void admission_end(wgm_writer *w)
{
    write_collected(w, "warnings", &S.warnings);
    if (S.annotation_count > 0) {
        wgm_write_key(w, "auditAnnotations");
        wgm_write_object_begin(w);
        for (size_t i = 0; i < S.annotation_count; i++) {
            wgm_write_key(w, S.annotations[i].key);
            wgm_write_string(w, S.annotations[i].value);
        }
        wgm_write_object_end(w);
    }
    wgm_write_object_end(w); /* response */
    answer_end(w);
}

/* Writes "patchType": type, "patch": base64 of the JSON in `body`. */
static void write_patch_field(wgm_writer *w, const char *type, wgm_writer *body)
{
    const char *text = wgm_writer_text(body);
    size_t size = WGM_BASE64_SIZE(body->len);
    char *encoded = text ? malloc(size) : NULL;
    if (!encoded) {
        w->failed = true;
        return;
    }
    wgm_base64_encode(text, body->len, encoded, size);
    wgm_write_key(w, "patchType");
    wgm_write_string(w, type);
    wgm_write_key(w, "patch");
    wgm_write_string(w, encoded);
    free(encoded);
}

void wgm_admit(void)
{
    wgm_writer w = WGM_WRITER_INIT;
    if (S.patch_failed && !S.answered) {
        wgm_error(S.patch_error);
        return;
    }
    if (!admission_begin(&w, "wgm_admit")) return;
    wgm_write_key(&w, "allowed");
    wgm_write_bool(&w, true);
    if (S.patch.count > 0) {
        wgm_writer body = WGM_WRITER_INIT;
        if (S.patch_type == WGM_PATCH_FULL) {
            if (!write_tree(&body, wgm_path(S.request, "request.object"), &S.patch))
                body.failed = true;
            write_patch_field(&w, "Full", &body);
        } else {
            write_json_patch(&body);
            write_patch_field(&w, "JSONPatch", &body);
        }
        wgm_writer_free(&body);
    }
    admission_end(&w);
}

void wgm_admit_mutated(wgm_val object)
{
    wgm_writer w = WGM_WRITER_INIT, body = WGM_WRITER_INIT;
    if (wgm_type_of(object) != WGM_OBJECT && !S.answered) {
        wgm_error("wgm_admit_mutated: the mutated object must be a JSON object");
        return;
    }
    if (!admission_begin(&w, "wgm_admit_mutated")) return;
    wgm_write_key(&w, "allowed");
    wgm_write_bool(&w, true);
    wgm_write_value(&body, object);
    write_patch_field(&w, "Full", &body);
    wgm_writer_free(&body);
    admission_end(&w);
}

void wgm_deny_admission(int code, const char *message)
{
    wgm_writer w = WGM_WRITER_INIT;
    if (code != 0 && (code < 100 || code > 599) && !S.answered) {
        char text[120] = "wgm_deny_admission: code ";
        if (code < 0) text_append(text, sizeof text, "-");
        text_append_uint(text, sizeof text, code < 0 ? 0 - (uint64_t)code : (uint64_t)code);
        text_append(text, sizeof text, " is not an HTTP status (100-599, or 0 for 403)");
        wgm_error(text);
        return;
    }
    if (!admission_begin(&w, "wgm_deny_admission")) return;
    wgm_write_key(&w, "allowed");
    wgm_write_bool(&w, false);
    if (code != 0 || (message && *message)) {
        wgm_write_key(&w, "status");
        wgm_write_object_begin(&w);
        if (code != 0) {
            wgm_write_key(&w, "code");
            wgm_write_int(&w, code);
        }
        if (message && *message) {
            wgm_write_key(&w, "message");
            wgm_write_string(&w, message);
        }
        wgm_write_object_end(&w);
    }
    admission_end(&w);
}
