/*
 * fib.c — recursive Fibonacci: measures call and return cost, which
 * dominates small helper functions in policy code.
 */
#include "kernel.h"

/* Deliberately the naive doubly recursive form: the calls are the workload. */
static uint32_t fib(uint32_t k)
{
    if (k < 2) return k;
    return fib(k - 1) + fib(k - 2);
}

uint32_t run(uint32_t n)
{
    uint32_t acc = 0;
    for (uint32_t i = 0; i < n; i++) {
        /* The argument depends on the previous result so no call can be hoisted. */
        acc = kernel_mix(acc, fib(20 + (acc & 3)));
    }
    return acc;
}
