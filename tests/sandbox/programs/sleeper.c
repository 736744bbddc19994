/*
 * sleeper.c — sleeps for argv[1] milliseconds (nanosleep, which wasi-libc
 * implements with poll_oneoff) and prints how long it took.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    long ms = argc > 1 ? atol(argv[1]) : 100;
    long long start = now_ms();
    struct timespec req = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    if (nanosleep(&req, NULL) != 0) {
        perror("nanosleep");
        return 1;
    }
    printf("slept %lld ms\n", now_ms() - start);
    return 0;
}
