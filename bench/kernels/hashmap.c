/*
 * hashmap.c — string hashing (FNV-1a) and an open-addressing hash map from
 * generated "namespace/name" keys to counters: inserts, lookups that hit
 * and lookups that miss, the shape of label and allow-list checks in policy
 * code.
 */
#include "kernel.h"

#define KEYS        2048u
#define SLOTS       4096u /* a power of two, at most half full */
#define ARENA_BYTES (KEYS * 32u)

typedef struct slot {
    uint32_t hash;
    uint32_t key_at; /* offset of the key in arena; 0 means empty (offset 0 is never used) */
    uint32_t key_len;
    uint32_t value;
} slot;

static char arena[ARENA_BYTES];
static uint32_t key_at[KEYS], key_len[KEYS];
static slot table[SLOTS];

static uint32_t fnv1a(const char *s, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int same_key(const char *a, const char *b, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* Returns the slot holding the key, or the empty slot where it belongs. */
static slot *find(const char *key, uint32_t len, uint32_t hash)
{
    for (uint32_t i = hash & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1)) {
        slot *s = &table[i];
        if (!s->key_at) return s;
        if (s->hash == hash && s->key_len == len && same_key(arena + s->key_at, key, len)) return s;
    }
}

static uint32_t append_uint(char *out, uint32_t v)
{
    char digits[10];
    uint32_t count = 0, len = 0;
    do {
        digits[count++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (count)
        out[len++] = digits[--count];
    return len;
}

/* Writes KEYS distinct keys such as "team-12/web-4711-3" into the arena. */
static void generate_keys(uint32_t round)
{
    static const char *const prefixes[4] = {"team-", "kube-system-", "prod-", "ci-"};
    uint32_t at = 1;
    uint32_t seed = 0x51ed270bu + round;
    for (uint32_t k = 0; k < KEYS; k++) {
        uint32_t r = kernel_rand(&seed);
        key_at[k] = at;
        for (const char *p = prefixes[r & 3]; *p; p++)
            arena[at++] = *p;
        at += append_uint(arena + at, (r >> 2) % 50);
        arena[at++] = '/';
        arena[at++] = 'w';
        arena[at++] = '-';
        at += append_uint(arena + at, (r >> 8) % 10000);
        arena[at++] = '-';
        at += append_uint(arena + at, k); /* makes every key distinct */
        key_len[k] = at - key_at[k];
    }
}

uint32_t run(uint32_t n)
{
    uint32_t acc = 0;
    char probe[32];
    for (uint32_t r = 0; r < n; r++) {
        for (uint32_t i = 0; i < SLOTS; i++)
            table[i] = (slot){0, 0, 0, 0};
        generate_keys(r);
        for (uint32_t k = 0; k < KEYS; k++) {
            const char *key = arena + key_at[k];
            uint32_t h = fnv1a(key, key_len[k]);
            slot *s = find(key, key_len[k], h);
            s->hash = h;
            s->key_at = key_at[k];
            s->key_len = key_len[k];
            s->value = k;
        }
        /* Look every key up twice: once as stored, once altered in its last byte (a miss). */
        uint32_t hits = 0, misses = 0, sum = 0;
        for (uint32_t k = 0; k < KEYS; k++) {
            uint32_t len = key_len[k];
            const char *key = arena + key_at[k];
            slot *s = find(key, len, fnv1a(key, len));
            if (s->key_at) {
                hits++;
                sum += s->value;
            }
            if (len == 0 || len > sizeof probe) continue; /* cannot happen; keeps bounds obvious */
            for (uint32_t i = 0; i < len; i++)
                probe[i] = key[i];
            probe[len - 1] = 'x';
            s = find(probe, len, fnv1a(probe, len));
            if (s->key_at)
                sum += s->value;
            else
                misses++;
        }
        acc = kernel_mix(acc, hits);
        acc = kernel_mix(acc, misses);
        acc = kernel_mix(acc, sum);
    }
    return acc;
}
