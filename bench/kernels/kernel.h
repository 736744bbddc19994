/*
 * kernel.h — what every benchmark kernel shares.
 *
 * A kernel is one freestanding C file that is compiled twice: natively (with
 * -Drun=run_<name>, linked into wgbench) and to wasm32 (exporting "run"). It
 * may include only this header and the compiler's own <stdint.h>/<stddef.h>:
 * there is no libc on the wasm side, so memory is static arrays and helpers
 * are written here. Results must be bit-identical on both targets, so
 * kernels use unsigned 32-bit arithmetic for anything that reaches a
 * checksum (size_t and pointers differ in width between the two) and never
 * rely on undefined behaviour.
 */
#ifndef WGBENCH_KERNEL_H
#define WGBENCH_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The entry point: does an amount of work proportional to n and returns a
 * checksum of everything it computed, so that neither compiler can drop
 * work and so that native and wasm results can be compared. Every call
 * starts from scratch (no state carries over between calls), which lets the
 * runner call it repeatedly on one instance.
 */
uint32_t run(uint32_t n);

/* xorshift32: a tiny deterministic generator for inputs; state must be nonzero. */
static inline uint32_t kernel_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Folds v into a running checksum; order-sensitive so that misplaced work shows. */
static inline uint32_t kernel_mix(uint32_t h, uint32_t v)
{
    h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

#endif /* WGBENCH_KERNEL_H */
