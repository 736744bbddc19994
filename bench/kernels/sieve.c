/*
 * sieve.c — sieve of Eratosthenes: byte stores with strided access and a
 * tight counting loop, i.e. memory bandwidth through the engine's bounds
 * checks.
 */
#include "kernel.h"

#define SIEVE_LIMIT (1u << 18)

static uint8_t composite[SIEVE_LIMIT];

/* Returns a checksum of the primes below limit (count and the largest few). */
static uint32_t sieve(uint32_t limit)
{
    for (uint32_t i = 0; i < limit; i++)
        composite[i] = 0;
    for (uint32_t p = 2; p * p < limit; p++) {
        if (composite[p]) continue;
        for (uint32_t m = p * p; m < limit; m += p)
            composite[m] = 1;
    }
    uint32_t count = 0, last = 0;
    for (uint32_t i = 2; i < limit; i++) {
        if (!composite[i]) {
            count++;
            last = i;
        }
    }
    return kernel_mix(count, last);
}

uint32_t run(uint32_t n)
{
    uint32_t acc = 0;
    for (uint32_t r = 0; r < n; r++) {
        /* Vary the limit a little so that every round is distinct work. */
        acc = kernel_mix(acc, sieve(SIEVE_LIMIT - (r & 1023)));
    }
    return acc;
}
