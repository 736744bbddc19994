/*
 * matmul.c — dense double-precision matrix multiply: f64 loads, multiplies
 * and adds in a triple loop.
 *
 * Every input is a small multiple of 1/8, so every product and partial sum
 * is exactly representable: the result is the same whatever order a
 * compiler (or vectoriser) sums in, which keeps native and wasm checksums
 * equal.
 */
#include "kernel.h"

#define DIM 64

static double a[DIM][DIM], b[DIM][DIM], c[DIM][DIM];

static void fill(uint32_t round)
{
    for (uint32_t i = 0; i < DIM; i++) {
        for (uint32_t j = 0; j < DIM; j++) {
            a[i][j] = (double)((i * 7 + j * 3 + round) % 17) * 0.5 - 4.0;
            b[i][j] = (double)((i * 5 + j * 11 + round * 3) % 13) * 0.25 - 1.5;
        }
    }
}

/* i-k-j order keeps the inner loop streaming through rows of b and c. */
static void multiply(void)
{
    for (uint32_t i = 0; i < DIM; i++) {
        for (uint32_t j = 0; j < DIM; j++)
            c[i][j] = 0.0;
        for (uint32_t k = 0; k < DIM; k++) {
            double aik = a[i][k];
            for (uint32_t j = 0; j < DIM; j++)
                c[i][j] += aik * b[k][j];
        }
    }
}

uint32_t run(uint32_t n)
{
    uint32_t acc = 0;
    for (uint32_t r = 0; r < n; r++) {
        fill(r);
        multiply();
        for (uint32_t i = 0; i < DIM; i++) {
            for (uint32_t j = 0; j < DIM; j++) {
                /* Exact: every element is a multiple of 1/8 well inside int32 range. */
                int32_t scaled = (int32_t)(c[i][j] * 8.0);
                acc = kernel_mix(acc, (uint32_t)scaled);
            }
        }
    }
    return acc;
}
