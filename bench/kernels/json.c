/*
 * json.c — a small JSON tokenizer and recursive-descent parser over a
 * generated document (Kubernetes-object-like records): byte-at-a-time
 * branching, escapes, number scanning and recursion, which is what policy
 * modules spend their time on when they read an admission request.
 *
 * The parser builds no tree; it folds every token it recognises into a
 * checksum, which is the result.
 */
#include "kernel.h"

#define DOC_BYTES   49152u
#define MAX_DEPTH   64
#define PARSE_ERROR 0xdeadbeefu

static char doc[DOC_BYTES];

/* ---- Generating the document ------------------------------------------- */

typedef struct writer {
    uint32_t len;
} writer;

static void put_char(writer *w, char c)
{
    if (w->len < DOC_BYTES - 1) doc[w->len++] = c;
}

static void put_str(writer *w, const char *s)
{
    while (*s)
        put_char(w, *s++);
}

static void put_uint(writer *w, uint32_t v)
{
    char digits[10];
    int count = 0;
    do {
        digits[count++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (count)
        put_char(w, digits[--count]);
}

static void put_record(writer *w, uint32_t id, uint32_t *seed)
{
    uint32_t r = kernel_rand(seed);
    put_str(w, "  {\"id\": ");
    put_uint(w, id);
    put_str(w, ", \"name\": \"pod-");
    put_uint(w, r % 100000);
    put_str(w, "\", \"labels\": {\"app\": \"web-");
    put_uint(w, r % 7);
    put_str(w, "\", \"tier\": \"backend\", \"team\": \"t");
    put_uint(w, (r >> 8) % 13);
    put_str(w, "\"},\n   \"ports\": [80, 443, ");
    put_uint(w, 1024 + (r >> 12) % 50000);
    put_str(w, "], \"ratio\": -");
    put_uint(w, r % 1000);
    put_char(w, '.');
    put_uint(w, (r >> 10) % 1000);
    put_str(w, "e-");
    put_uint(w, (r >> 20) % 5);
    put_str(w, ", \"enabled\": ");
    put_str(w, (r & 1) ? "true" : "false");
    put_str(w, ", \"owner\": null,\n   \"note\": \"line\\nwith \\\"quotes\\\", \\\\ and "
               "\\u00e9\\ud83d\\ude00 ");
    put_uint(w, r >> 16);
    put_str(w, "\", \"matrix\": [[1, 2], [3, [4, 5e3]], []], \"empty\": {}}");
}

/* Fills doc with a JSON object holding records until it is nearly full. */
static uint32_t generate(void)
{
    writer w = {0};
    uint32_t seed = 0x1234567u;
    put_str(&w, "{\"kind\": \"List\", \"items\": [\n");
    for (uint32_t id = 0; w.len < DOC_BYTES - 1024; id++) {
        if (id) put_str(&w, ",\n");
        put_record(&w, id, &seed);
    }
    put_str(&w, "\n], \"complete\": true}\n");
    doc[w.len] = 0;
    return w.len;
}

/* ---- Parsing ----------------------------------------------------------------- */

typedef struct parser {
    const char *p, *end;
    uint32_t hash;
    uint32_t failed;
} parser;

static int parse_value(parser *ps, uint32_t depth);

static void skip_space(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int fail(parser *ps)
{
    ps->failed = 1;
    return 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_hex4(parser *ps, uint32_t *out)
{
    if (ps->end - ps->p < 4) return fail(ps);
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(ps->p[i]);
        if (d < 0) return fail(ps);
        v = v << 4 | (uint32_t)d;
    }
    ps->p += 4;
    *out = v;
    return 1;
}

/* Folds the UTF-8 encoding of a code point into the hash, as a decoder would emit it. */
static void hash_code_point(parser *ps, uint32_t cp)
{
    if (cp < 0x80) {
        ps->hash = ps->hash * 31 + cp;
    } else if (cp < 0x800) {
        ps->hash = ps->hash * 31 + (0xc0 | cp >> 6);
        ps->hash = ps->hash * 31 + (0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        ps->hash = ps->hash * 31 + (0xe0 | cp >> 12);
        ps->hash = ps->hash * 31 + (0x80 | (cp >> 6 & 0x3f));
        ps->hash = ps->hash * 31 + (0x80 | (cp & 0x3f));
    } else {
        ps->hash = ps->hash * 31 + (0xf0 | cp >> 18);
        ps->hash = ps->hash * 31 + (0x80 | (cp >> 12 & 0x3f));
        ps->hash = ps->hash * 31 + (0x80 | (cp >> 6 & 0x3f));
        ps->hash = ps->hash * 31 + (0x80 | (cp & 0x3f));
    }
}

static int parse_string(parser *ps)
{
    ps->p++; /* opening quote */
    uint32_t h = 2166136261u;
    while (ps->p < ps->end) {
        char c = *ps->p++;
        if (c == '"') {
            ps->hash = kernel_mix(ps->hash, h);
            return 1;
        }
        if ((unsigned char)c < 0x20) return fail(ps);
        if (c != '\\') {
            h = (h ^ (unsigned char)c) * 16777619u;
            continue;
        }
        if (ps->p >= ps->end) return fail(ps);
        char e = *ps->p++;
        uint32_t cp;
        switch (e) {
        case '"': cp = '"'; break;
        case '\\': cp = '\\'; break;
        case '/': cp = '/'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u': {
            if (!parse_hex4(ps, &cp)) return 0;
            if (cp >= 0xd800 && cp < 0xdc00) {
                /* A high surrogate must be followed by an escaped low one. */
                uint32_t low;
                if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u') return fail(ps);
                ps->p += 2;
                if (!parse_hex4(ps, &low) || low < 0xdc00 || low >= 0xe000) return fail(ps);
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            }
            break;
        }
        default: return fail(ps);
        }
        hash_code_point(ps, cp);
        h = (h ^ cp) * 16777619u;
    }
    return fail(ps);
}

/* Numbers are kept as decimal mantissa and exponent: no floating point, so exact everywhere. */
static int parse_number(parser *ps)
{
    uint32_t negative = 0, mantissa = 0, digits = 0;
    int32_t exponent = 0;
    if (*ps->p == '-') {
        negative = 1;
        ps->p++;
    }
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        mantissa = mantissa * 10 + (uint32_t)(*ps->p++ - '0');
        digits++;
    }
    if (!digits) return fail(ps);
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        uint32_t frac_digits = 0;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
            mantissa = mantissa * 10 + (uint32_t)(*ps->p++ - '0');
            exponent--;
            frac_digits++;
        }
        if (!frac_digits) return fail(ps);
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        int32_t sign = 1, value = 0;
        uint32_t exp_digits = 0;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) sign = *ps->p++ == '-' ? -1 : 1;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9' && value < 100000) {
            value = value * 10 + (*ps->p++ - '0');
            exp_digits++;
        }
        if (!exp_digits) return fail(ps);
        exponent += sign * value;
    }
    ps->hash = kernel_mix(ps->hash, negative ? 0u - mantissa : mantissa);
    ps->hash = kernel_mix(ps->hash, (uint32_t)exponent);
    return 1;
}

static int parse_literal(parser *ps, const char *word, uint32_t token)
{
    const char *p = ps->p;
    while (*word) {
        if (p >= ps->end || *p != *word) return fail(ps);
        p++;
        word++;
    }
    ps->p = p;
    ps->hash = kernel_mix(ps->hash, token);
    return 1;
}

static int parse_object(parser *ps, uint32_t depth)
{
    ps->p++; /* '{' */
    uint32_t members = 0;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        ps->hash = kernel_mix(ps->hash, 0x0b0000u);
        return 1;
    }
    for (;;) {
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != '"' || !parse_string(ps)) return fail(ps);
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != ':') return fail(ps);
        ps->p++;
        if (!parse_value(ps, depth + 1)) return 0;
        members++;
        skip_space(ps);
        if (ps->p >= ps->end) return fail(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p != '}') return fail(ps);
        ps->p++;
        ps->hash = kernel_mix(ps->hash, 0x0b0000u | members);
        return 1;
    }
}

static int parse_array(parser *ps, uint32_t depth)
{
    ps->p++; /* '[' */
    uint32_t elements = 0;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        ps->hash = kernel_mix(ps->hash, 0x0a0000u);
        return 1;
    }
    for (;;) {
        if (!parse_value(ps, depth + 1)) return 0;
        elements++;
        skip_space(ps);
        if (ps->p >= ps->end) return fail(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p != ']') return fail(ps);
        ps->p++;
        ps->hash = kernel_mix(ps->hash, 0x0a0000u | elements);
        return 1;
    }
}

static int parse_value(parser *ps, uint32_t depth)
{
    if (depth > MAX_DEPTH) return fail(ps);
    skip_space(ps);
    if (ps->p >= ps->end) return fail(ps);
    switch (*ps->p) {
    case '{': return parse_object(ps, depth);
    case '[': return parse_array(ps, depth);
    case '"': return parse_string(ps);
    case 't': return parse_literal(ps, "true", 1);
    case 'f': return parse_literal(ps, "false", 2);
    case 'n': return parse_literal(ps, "null", 3);
    default: return parse_number(ps);
    }
}

/* Returns the document's checksum, or PARSE_ERROR if it is not one JSON value. */
static uint32_t parse_document(const char *text, uint32_t len)
{
    parser ps = {text, text + len, 0, 0};
    if (!parse_value(&ps, 0)) return PARSE_ERROR;
    skip_space(&ps);
    if (ps.failed || ps.p != ps.end) return PARSE_ERROR;
    return ps.hash;
}

uint32_t run(uint32_t n)
{
    uint32_t len = generate();
    /* The first record's id is one digit; rewriting it makes every round's input distinct. */
    uint32_t id_at = 0;
    while (doc[id_at] < '0' || doc[id_at] > '9')
        id_at++;
    uint32_t acc = kernel_mix(0, len);
    for (uint32_t r = 0; r < n; r++) {
        doc[id_at] = (char)('0' + r % 10);
        acc = kernel_mix(acc, parse_document(doc, len));
    }
    return acc;
}
