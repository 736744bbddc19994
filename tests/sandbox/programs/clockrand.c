/*
 * clockrand.c — reads the clocks and random bytes and checks them for
 * sanity: the wall clock is past 2020, the monotonic clock does not go
 * back, two random draws differ. Prints "ok" or what was wrong.
 */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

int main(void)
{
    struct timespec rt, m1, m2, res;
    if (clock_gettime(CLOCK_REALTIME, &rt) != 0 || clock_gettime(CLOCK_MONOTONIC, &m1) != 0) {
        puts("clock_gettime failed");
        return 1;
    }
    volatile unsigned spin = 0;
    for (int i = 0; i < 100000; i++)
        spin = spin + (unsigned)i;
    (void)spin;
    clock_gettime(CLOCK_MONOTONIC, &m2);
    if (rt.tv_sec < 1577836800) { /* 2020-01-01 */
        printf("realtime %lld is before 2020\n", (long long)rt.tv_sec);
        return 1;
    }
    if (m2.tv_sec < m1.tv_sec || (m2.tv_sec == m1.tv_sec && m2.tv_nsec < m1.tv_nsec)) {
        puts("monotonic clock went back");
        return 1;
    }
    if (clock_getres(CLOCK_MONOTONIC, &res) != 0 || (res.tv_sec == 0 && res.tv_nsec == 0)) {
        puts("clock_getres failed");
        return 1;
    }
    unsigned char a[32], b[32], zero[32] = {0};
    if (getentropy(a, sizeof a) != 0 || getentropy(b, sizeof b) != 0) {
        puts("getentropy failed");
        return 1;
    }
    if (memcmp(a, b, sizeof a) == 0 || memcmp(a, zero, sizeof a) == 0) {
        puts("random bytes are not random");
        return 1;
    }
    puts("ok");
    return 0;
}
