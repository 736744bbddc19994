/*
 * echo_upper.c — a well-behaved WASI program: copies stdin to stdout in
 * upper case and reports on stderr how many bytes it read. The tests use
 * it as "the next call" that must still work after a hostile one.
 */
#include <ctype.h>
#include <stdio.h>

int main(void)
{
    size_t total = 0;
    int c;
    while ((c = getchar()) != EOF) {
        putchar(toupper(c));
        total++;
    }
    fprintf(stderr, "read %zu bytes\n", total);
    return 0;
}
