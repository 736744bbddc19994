/*
 * qsort.c — quicksort of a generated array of 32-bit keys: data-dependent
 * branches, swaps and recursion.
 */
#include "kernel.h"

#define COUNT 32768u
#define SMALL 16 /* below this, insertion sort beats partitioning */

static uint32_t keys[COUNT];

static void insertion_sort(uint32_t *v, uint32_t len)
{
    for (uint32_t i = 1; i < len; i++) {
        uint32_t x = v[i];
        uint32_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static inline void swap(uint32_t *v, uint32_t i, uint32_t j)
{
    uint32_t t = v[i];
    v[i] = v[j];
    v[j] = t;
}

/*
 * Median-of-three Hoare partitioning; recurses into the smaller side and
 * loops on the larger, so the stack stays O(log n) deep whatever the input.
 */
static void quicksort(uint32_t *v, uint32_t len)
{
    while (len > SMALL) {
        uint32_t mid = len / 2, last = len - 1;
        if (v[mid] < v[0]) swap(v, mid, 0);
        if (v[last] < v[0]) swap(v, last, 0);
        if (v[last] < v[mid]) swap(v, last, mid);
        uint32_t pivot = v[mid];
        uint32_t i = 0, j = last;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j) break;
            swap(v, i, j);
            i++;
            j--;
        }
        /* v[0..j] <= pivot <= v[j+1..len) */
        uint32_t left = j + 1, right = len - left;
        if (left < right) {
            quicksort(v, left);
            v += left;
            len = right;
        } else {
            quicksort(v + left, right);
            len = left;
        }
    }
    insertion_sort(v, len);
}

uint32_t run(uint32_t n)
{
    uint32_t acc = 0;
    for (uint32_t r = 0; r < n; r++) {
        uint32_t seed = 0x9e3779b9u ^ (r * 2654435761u);
        if (!seed) seed = 1;
        /* Every eighth round has many duplicates, which stresses equal-key handling. */
        uint32_t mask = (r & 7) == 7 ? 0xffu : 0xffffffffu;
        for (uint32_t i = 0; i < COUNT; i++)
            keys[i] = kernel_rand(&seed) & mask;
        quicksort(keys, COUNT);
        uint32_t unsorted = 0;
        for (uint32_t i = 1; i < COUNT; i++)
            unsorted += keys[i - 1] > keys[i];
        acc = kernel_mix(acc, unsorted);
        for (uint32_t i = 0; i < COUNT; i += 97)
            acc = kernel_mix(acc, keys[i]);
    }
    return acc;
}
